// Hostile authorization requests, callbacks and token responses, against the hostile mock provider
// (tests/hostile/provider.mjs). Each rejection checks the post-conditions:
//   P1 no session kept, P2 no further request (no token POST after a rejected callback, nothing
//   after a rejected token response), P3 address bar scrubbed (real-redirect tests), P4 storage
//   clean, P5 no secret in the error (and in the console: e2eTest), P6 the transaction consumed
//   once its state matched (left alone when rejected before the lookup), P7 a typed error and the
//   same wasm instance still working: a fresh login in the same page succeeds afterwards (I03).

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import {
  STEP_TIMEOUT, appError, onWorkers, assertNoSecrets, assertScrubbed, clientConfig, e2eTest, historyGrowth,
  scanStorage, tokenRequests, txKeys, waitForApp,
} from './harness.mjs';
import {
  authorizeInPage, loginInPage, openClientPage, resetScenario, scenario, sessionState, setupHostileSuite,
} from './hostile-rig.mjs';

const env = setupHostileSuite();

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (s) => b64u(createHash('sha256').update(s).digest());

/**
 * login() in the page, the authorization response fetched from Node, changed by `mutate`
 * (a function of a URL object) and handed to handleRedirectCallback. Returns
 * { res, genuine, authorizeUrl }.
 */
async function loginWith(page, servers, client, mutate = () => {}) {
  const { genuine, authorizeUrl } = await authorizeOnly(page, client);
  const url = new URL(genuine);
  mutate(url);
  const res = await page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), url.href);
  return { res, genuine, authorizeUrl };
}

/** login() in the page and the authorization response fetched from Node, not handled. */
async function authorizeOnly(page, client) {
  const { authorizeUrl, callbackUrl } = await authorizeInPage(page, client);
  return { genuine: callbackUrl, authorizeUrl };
}

/** Checks P1, P2, P4, P5, P6 and P7 after a rejection. */
async function assertRejected(page, servers, client, res, expected, {
  codePosts = 0, txLeft = 0, hadSession = false, freshLogin = true,
} = {}) {
  assert.equal(res.ok, false, `expected ${JSON.stringify(expected)}, got success`);
  const got = { code: res.code };
  if ('detail' in expected) got.detail = res.detail;
  assert.deepEqual(got, expected, res.text);
  const secrets = await servers.secrets();
  assertNoSecrets([res.text, res.message, res.hint], secrets, 'the error (P5)');
  // A transaction left pending (rejected before the state lookup) holds its own verifier and
  // nonce, by design; codes and tokens must never be stored.
  const stored = txLeft ? await servers.secrets({ includeTransaction: false }) : secrets;
  if (!hadSession) {
    const state = await sessionState(page);
    assert.equal(state.authenticated, false, 'P1: no session');
    assert.equal(state.token.code, 'login_required', 'P1: getAccessToken has nothing to hand out');
  }
  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'authorization_code').length, codePosts, 'P2: code exchanges');
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 0, 'P2: no refresh');
  assert.equal(ledger.filter((e) => e.route === 'userinfo').length, 0, 'P2: no userinfo call');
  if (codePosts === 0) assert.equal(ledger.filter((e) => e.route === 'jwks').length, 0, 'P2: no key fetch');
  const scan = await scanStorage(page);
  assert.equal(txKeys(scan).length, txLeft, 'P6: transaction records left');
  assertNoSecrets([scan.text], stored, 'storage (P4)');
  if (freshLogin) {
    await resetScenario(servers);
    const again = await loginInPage(page, servers, client);
    assert.ok(again.ok, `P7/I03: a fresh login in the same page failed: ${JSON.stringify(again)}`);
    assert.equal((await sessionState(page)).authenticated, true);
  }
}

/** createClient in a fresh probe page; { ok } or { ok: false, code, detail }. */
async function createOutcome(page, servers, name) {
  const url = servers.probePage(name, `
try {
  const auth = await createClient(config);
  window.__result = { ok: true };
  window.__auth = auth;
} catch (e) {
  window.__result = { ok: false, code: e.code, detail: e.detail ?? null };
}`);
  await page.goto(url);
  await waitForApp(page);
  return page.evaluate(() => window.__result);
}

// ---------------------------------------------------------------------------
// A. The authorization request

e2eTest(env, 'A01 A03 A04 A05 five logins: S256 challenges of fresh verifiers, distinct state and nonce, exact redirect_uri', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  const issuedBefore = (await servers.issued()).codeVerifiers.length;
  const seen = [];
  for (let i = 0; i < 5; i += 1) {
    const { res, authorizeUrl } = await loginWith(page, servers, client);
    assert.ok(res.ok, JSON.stringify(res));
    seen.push(new URL(authorizeUrl).searchParams);
  }
  const verifiers = (await servers.issued()).codeVerifiers.slice(issuedBefore);
  assert.equal(verifiers.length, 5, 'every token request carried a code_verifier');
  const config = clientConfig(servers);
  seen.forEach((q, i) => {
    assert.equal(q.get('code_challenge_method'), 'S256', 'A01');
    assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/, 'A01: challenge is 43 base64url chars');
    assert.match(verifiers[i], /^[A-Za-z0-9._~-]{43,128}$/, 'A01: verifier alphabet and length');
    assert.equal(sha256(verifiers[i]), q.get('code_challenge'), 'A01: challenge = S256(verifier)');
    assert.ok(![...q.values()].some((v) => v.includes(verifiers[i])), 'A01: the verifier is not in the URL');
    assert.ok(q.get('nonce'), 'A04: nonce sent');
    assert.notEqual(q.get('state'), q.get('nonce'), 'A03: state != nonce');
    assert.ok(q.get('state').length >= 22 && q.get('nonce').length >= 22, 'A03: at least 128 bits');
    assert.equal(q.get('redirect_uri'), config.redirectUri, 'A05: redirect_uri byte for byte');
    assert.equal(q.get('response_type'), 'code');
  });
  const all = seen.flatMap((q) => [q.get('state'), q.get('nonce'), q.get('code_challenge')]);
  assert.equal(new Set([...all, ...verifiers]).size, all.length + verifiers.length, 'A03: all values distinct');
  // A05 on the token side: the hostile provider refuses a redirect_uri that differs from the
  // authorization request's, and every exchange above succeeded.
});

e2eTest(env, 'A02 provider offering only plain PKCE: pkce_s256_unsupported before any navigation; S256 when the member is absent', async ({ page, servers }) => {
  await scenario(servers, { metadata: { code_challenge_methods_supported: ['plain'] } });
  await servers.resetLedger();
  assert.deepEqual(await createOutcome(page, servers, 'a02-plain'), { ok: false, code: 'pkce_s256_unsupported', detail: null });
  assert.deepEqual((await servers.ledger()).map((e) => e.route), ['discovery'], 'no authorization request');

  await scenario(servers, { metadata: { code_challenge_methods_supported: null } });
  const client = await openClientPage(page, servers);
  const { res, authorizeUrl } = await loginWith(page, servers, client);
  assert.ok(res.ok, JSON.stringify(res));
  assert.equal(new URL(authorizeUrl).searchParams.get('code_challenge_method'), 'S256');
});

e2eTest(env, 'A06 metadata with a non-loopback http endpoint: insecure_endpoint, nothing sent there', async ({ page, servers }) => {
  for (const member of ['token_endpoint', 'authorization_endpoint', 'jwks_uri']) {
    await resetScenario(servers);
    await scenario(servers, { metadata: { [member]: `http://attacker.example/${member}` } });
    await servers.resetLedger();
    const requests = [];
    page.on('request', (r) => { if (r.url().includes('attacker.example')) requests.push(r.url()); });
    assert.deepEqual(await createOutcome(page, servers, `a06-${member.replace('_', '-')}`),
      { ok: false, code: 'insecure_endpoint', detail: member });
    assert.deepEqual(requests, [], 'P8: no request to the attacker-supplied URL');
    assert.deepEqual((await servers.ledger()).map((e) => e.route), ['discovery']);
  }
});

e2eTest(env, 'C05 discovery issuer differs from the configured one: discovery_issuer_mismatch before any redirect', async ({ page, servers }) => {
  await scenario(servers, { metadata: { issuer: 'https://example.com' } });
  await servers.resetLedger();
  assert.deepEqual(await createOutcome(page, servers, 'c05'), { ok: false, code: 'discovery_issuer_mismatch', detail: null });
  assert.deepEqual((await servers.ledger()).map((e) => e.route), ['discovery']);
  // Not cached: the same page can create a client once the provider is fixed.
  await resetScenario(servers);
  assert.deepEqual(await createOutcome(page, servers, 'c05-after'), { ok: true });
});

// ---------------------------------------------------------------------------
// B, C. Hostile callbacks, in the page (same wasm instance afterwards)

const XSS = '<img src=x onerror="window.__pwned=1">';

/**
 * A change to the authorization response, applied as the hostile provider applies its `callback`
 * scenario: drop, then set, then append ("$same" repeats the current value).
 */
function applyChange(url, { drop = [], set = {}, append = [] }) {
  for (const k of drop) url.searchParams.delete(k);
  for (const [k, v] of Object.entries(set)) url.searchParams.set(k, v);
  for (const [k, v] of append) url.searchParams.append(k, v === '$same' ? url.searchParams.get(k) : v);
}

/** [name, change, expected, options] for every callback the client must refuse. */
const CALLBACK_CASES = [
  ['B02 no state', { drop: ['state'] }, { code: 'state_missing' }, { txLeft: 1 }],
  ['B09 access_token in the URL', { append: [['access_token', 'planted-token-1234'], ['token_type', 'Bearer']] },
    { code: 'unexpected_parameter', detail: 'access_token' }, { txLeft: 1 }],
  ['B09 id_token in the URL', { append: [['id_token', 'eyJhbGciOiJub25lIn0.e30.']] },
    { code: 'unexpected_parameter', detail: 'id_token' }, { txLeft: 1 }],
  ['B03 state twice', { append: [['state', '$same']] }, { code: 'duplicate_parameter', detail: 'state' }, { txLeft: 1 }],
  ['B10 error with HTML in error_description', { drop: ['code'], set: { error: 'access_denied', error_description: XSS } },
    { code: 'authorization_error' }, {}],
  ['B11 error from another issuer', { drop: ['code'], set: { error: 'login_required', iss: 'https://evil.example' } },
    { code: 'issuer_mismatch' }, {}],
  ['C01 code carrying the iss of another provider (mix-up)', { set: { iss: 'http://127.0.0.1:9/honest' } }, { code: 'issuer_mismatch' }, {}],
  ['B12 no code and no error', { drop: ['code'] }, { code: 'missing_code' }, {}],
  ['C02 iss missing although advertised', { drop: ['iss'] }, { code: 'issuer_missing' }, {}],
];

for (const [name, change, expected, options] of CALLBACK_CASES) {
  e2eTest(env, `${name}: ${expected.code}, no token request, no session, instance alive`, async ({ page, servers }) => {
    const client = await openClientPage(page, servers);
    await servers.resetLedger();
    const { res } = await loginWith(page, servers, client, (u) => applyChange(u, change));
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no provider text ran as HTML');
    await assertRejected(page, servers, client, res, expected, options);
  });
}

const setParams = (params) => (u) => { for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v); };
const dropParams = (...names) => (u) => { for (const k of names) u.searchParams.delete(k); };

e2eTest(env, 'B03 a random state: refused without a token request; the genuine response still completes', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await servers.resetLedger();
  const { res, genuine } = await loginWith(page, servers, client, setParams({ state: b64u(randomBytes(32)) }));
  assert.equal(res.ok, false);
  assert.ok(['no_pending_login', 'state_mismatch'].includes(res.code), res.text);
  assertNoSecrets([res.text, res.message], await servers.secrets(), 'the error');
  assert.equal(tokenRequests(await servers.ledger()).length, 0, 'P2: no token request');
  assert.equal(txKeys(await scanStorage(page)).length, 1, 'P6: the genuine login is still pending');
  const ok = await page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), genuine);
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.equal(tokenRequests(await servers.ledger(), 'authorization_code').length, 1);
});

e2eTest(env, 'B18 code injection: a code issued to another login, with this login\'s state: PKCE makes the provider refuse it', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  // The attacker's code: a login whose response is never delivered (the next login() replaces it).
  const stolen = new URL((await authorizeOnly(page, client)).genuine).searchParams.get('code');
  await servers.resetLedger();
  const { res } = await loginWith(page, servers, client, setParams({ code: stolen }));
  assert.equal(res.status, 400);
  assert.equal(res.error, 'invalid_grant');
  await assertRejected(page, servers, client, res, { code: 'token_error' }, { codePosts: 1 });
});

e2eTest(env, 'B10 the provider error is data: err.error and err.errorDescription as plain text, never in the message', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  const { res } = await loginWith(page, servers, client, (u) => applyChange(u, CALLBACK_CASES[4][1]));
  assert.equal(res.code, 'authorization_error');
  assert.equal(res.error, 'access_denied');
  assert.equal(res.errorDescription, XSS, 'handed over verbatim as a string, for the app to show as text');
  assert.ok(!res.text.includes('<img') && !res.message.includes('<img'), 'the message does not embed provider text');
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
});

e2eTest(env, 'C04 provider without the iss flag: a correct iss and no iss are accepted, a wrong iss is refused', async ({ page, servers }) => {
  await scenario(servers, { metadata: { authorization_response_iss_parameter_supported: null } });
  const client = await openClientPage(page, servers);
  assert.ok((await loginWith(page, servers, client)).res.ok, '(a) correct iss');
  const wrong = (await loginWith(page, servers, client, setParams({ iss: 'https://evil.example' }))).res;
  assert.equal(wrong.code, 'issuer_mismatch', '(b) a present iss is always compared');
  const none = (await loginWith(page, servers, client, dropParams('iss'))).res;
  assert.ok(none.ok, `(c) no iss from a provider that does not advertise it: ${JSON.stringify(none)}`);
});

e2eTest(env, 'B16 callback 11 minutes after login(): login_expired, no token request, record deleted', async ({ page, servers, browser }) => {
  const client = await openClientPage(page, servers);
  await servers.resetLedger();
  const { callbackUrl } = await authorizeInPage(page, client);
  // The engine's clock (in its worker) moves 11 minutes ahead.
  const skew = await onWorkers(browser, 'Runtime.evaluate', {
    expression: '{ const now = Date.now; Date.now = () => now() + 660000; }',
  });
  assert.ok(skew.count >= 1);
  await skew.close();
  const res = await page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), callbackUrl);
  // The engine's clock is now 11 minutes ahead of the provider's, so a fresh login's ID token would
  // look old: P7 is checked by the other cases.
  await assertRejected(page, servers, client, res, { code: 'login_expired' }, { freshLogin: false });
});

// ---------------------------------------------------------------------------
// B13/P3 with real redirects: the example app handles each hostile callback on its /callback page.

for (const [name, change, expected] of CALLBACK_CASES) {
  e2eTest(env, `B13 P3 real redirect, ${name}: ${expected.code}, address bar scrubbed, no history entry`, async ({ page, servers }) => {
    await scenario(servers, { callback: change });
    await servers.resetLedger();
    await page.goto(servers.appUrl);
    await waitForApp(page);
    await page.evaluate(() => { window.__before = true; });
    await page.locator('#login').click();
    const deadline = Date.now() + STEP_TIMEOUT;
    let outcome;
    while (!outcome) {
      assert.ok(Date.now() < deadline, 'the callback page did not finish');
      outcome = await page.evaluate(() => (!window.__before && document.documentElement.dataset.ready === 'true'
        ? window.__callback : undefined)).catch(() => undefined);
      if (!outcome) await new Promise((r) => { setTimeout(r, 50); });
    }
    assert.deepEqual(outcome, { ok: false, code: expected.code });
    assert.equal((await appError(page))?.code, expected.code);
    assertScrubbed(page.url());
    assert.equal(await historyGrowth(page), 0, 'P3: replaceState, no new history entry');
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no provider text rendered as HTML');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
    assert.equal(tokenRequests(await servers.ledger()).length, 0, 'P2: no token request');
    await page.goBack().catch(() => null);
    assert.ok(!page.url().includes('code='), `Back landed on ${page.url()}`);
  });
}

// ---------------------------------------------------------------------------
// D. Hostile token responses to the code exchange

const raw = (status, contentType, body) => ({ tokenRaw: { status, contentType, body } });
const patch = (p) => ({ tokenPatch: p });

/** [name, scenario, expected error or null for acceptance]. */
const TOKEN_CASES = [
  ['D01 200 text/html (captive portal)', raw(200, 'text/html', '<html><body>portal</body></html>'), { code: 'unexpected_content_type' }],
  ['D02 truncated JSON', raw(200, 'application/json', '{"access_token":'), { code: 'json_parse' }],
  ['D03 top-level []', raw(200, 'application/json', '[]'), { code: 'not_a_json_object' }],
  ['D03 top-level "x"', raw(200, 'application/json', '"x"'), { code: 'not_a_json_object' }],
  ['D03 top-level null', raw(200, 'application/json', 'null'), { code: 'not_a_json_object' }],
  ['D03 top-level 42', raw(200, 'application/json', '42'), { code: 'not_a_json_object' }],
  ['D05 access_token missing', patch({ drop: ['access_token'] }), { code: 'invalid_token_response', detail: 'access_token' }],
  ['D05 access_token ""', patch({ set: { access_token: '' } }), { code: 'invalid_token_response', detail: 'access_token' }],
  ['D05 access_token 123', patch({ set: { access_token: 123 } }), { code: 'invalid_token_response', detail: 'access_token' }],
  ['D05 access_token null', patch({ set: { access_token: null } }), { code: 'invalid_token_response', detail: 'access_token' }],
  ['D06 token_type bearer', patch({ set: { token_type: 'bearer' } }), null],
  ['D06 token_type BEARER', patch({ set: { token_type: 'BEARER' } }), null],
  ['D06 token_type missing', patch({ drop: ['token_type'] }), { code: 'invalid_token_response', detail: 'token_type' }],
  ['D06 token_type mac', patch({ set: { token_type: 'mac' } }), { code: 'unsupported_token_type' }],
  ['D06 token_type N_A', patch({ set: { token_type: 'N_A' } }), { code: 'unsupported_token_type' }],
  ['D06 token_type DPoP (not requested)', patch({ set: { token_type: 'DPoP' } }), { code: 'unsupported_token_type' }],
  ['D08 refresh_token 42', patch({ set: { refresh_token: 42 } }), { code: 'invalid_token_response', detail: 'refresh_token' }],
  ['D08 refresh_token ""', patch({ set: { refresh_token: '' } }), { code: 'invalid_token_response', detail: 'refresh_token' }],
  ['D08 scope ["a"]', patch({ set: { scope: ['a'] } }), { code: 'invalid_token_response', detail: 'scope' }],
  ['D08 id_token {}', patch({ set: { id_token: {} } }), { code: 'invalid_token_response', detail: 'id_token' }],
  ['D09 no id_token although openid was requested', patch({ drop: ['id_token'] }), { code: 'invalid_token_response', detail: 'id_token' }],
  ['D10 unknown members with a 100 KB nested object', patch({ set: { other: [1, 'two', { x: null }] }, bulk: 100_000 }), null],
  ['D12 400 invalid_grant', raw(400, 'application/json', '{"error":"invalid_grant","error_description":"grant request is invalid"}'),
    { code: 'token_error' }],
  ['D12 401 invalid_client', raw(401, 'application/json', '{"error":"invalid_client"}'), { code: 'token_error' }],
  ['D12 400 with an HTML body', raw(400, 'text/html', '<html>bad request</html>'), { code: 'http_status' }],
  ['D12 200 with an error and no access_token', raw(200, 'application/json', '{"error":"server_error"}'),
    { code: 'invalid_token_response', detail: 'access_token' }],
  ['D15 narrower scope granted', patch({ set: { scope: 'openid' } }), null],
];

for (const [name, patchScenario, expected] of TOKEN_CASES) {
  const verdict = expected ? `${expected.code}${expected.detail ? `/${expected.detail}` : ''}` : 'accepted';
  e2eTest(env, `${name}: ${verdict}${expected ? ', tokens discarded, instance alive' : ''}`, async ({ page, servers }) => {
    const client = await openClientPage(page, servers);
    await scenario(servers, patchScenario);
    await servers.resetLedger();
    const res = await loginInPage(page, servers, client);
    if (!expected) {
      assert.ok(res.ok, JSON.stringify(res));
      const state = await sessionState(page);
      assert.equal(state.authenticated, true);
      assert.ok(state.token.ok, JSON.stringify(state.token));
      return;
    }
    if (expected.code === 'token_error') {
      const { body, status } = patchScenario.tokenRaw;
      assert.deepEqual([res.error, res.status], [JSON.parse(body).error, status], 'the OAuth error and status are reported');
    }
    await assertRejected(page, servers, client, res, expected, { codePosts: 1 });
  });
}

e2eTest(env, 'I03 every hostile callback and token response in a row, one page: typed errors, never a trap, a fresh login after each', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  for (const [, change, expected] of CALLBACK_CASES) {
    const { res } = await loginWith(page, servers, client, (u) => applyChange(u, change));
    assert.equal(res.code, expected.code);
    assert.ok((await loginInPage(page, servers, client)).ok);
  }
  for (const [name, patchScenario, expected] of TOKEN_CASES) {
    await scenario(servers, patchScenario);
    const res = await loginInPage(page, servers, client);
    assert.equal(res.ok ? null : res.code, expected ? expected.code : null, name);
    await resetScenario(servers);
    assert.ok((await loginInPage(page, servers, client)).ok, `fresh login after ${name}`);
  }
});

// ---------------------------------------------------------------------------
// I06. The refresh token in WebAssembly memory the page can read

// Keeps every WebAssembly.Memory the page creates or instantiates (as a script of the app's origin
// that runs before the library could), in window.__memories.
const captureMemories = () => {
  const seen = [];
  window.__memories = seen;
  const keep = (m) => { if (m instanceof WebAssembly.Memory && !seen.includes(m)) seen.push(m); };
  const keepExports = (exports) => { for (const v of Object.values(exports ?? {})) keep(v); };
  const OrigMemory = WebAssembly.Memory;
  WebAssembly.Memory = function Memory(...args) { const m = new OrigMemory(...args); keep(m); return m; };
  WebAssembly.Memory.prototype = OrigMemory.prototype;
  const OrigInstance = WebAssembly.Instance;
  WebAssembly.Instance = function Instance(...args) { const i = new OrigInstance(...args); keepExports(i.exports); return i; };
  WebAssembly.Instance.prototype = OrigInstance.prototype;
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const orig = WebAssembly[name];
    WebAssembly[name] = async (...args) => {
      const out = await orig.apply(WebAssembly, args);
      keepExports((out.instance ?? out).exports);
      return out;
    };
  }
};

/** Offsets at which `needle` (ASCII) occurs in every WebAssembly memory the page holds. */
const memoryFind = (page, needle) => page.evaluate(async (n) => {
  const pat = new TextEncoder().encode(n);
  const at = [];
  for (const memory of window.__memories) {
    const hay = new Uint8Array(memory.buffer);
    for (let i = hay.indexOf(pat[0]); i !== -1 && i <= hay.length - pat.length; i = hay.indexOf(pat[0], i + 1)) {
      let j = 1;
      while (j < pat.length && hay[i + j] === pat[j]) j += 1;
      if (j === pat.length) at.push(i);
    }
  }
  return { at, memories: window.__memories.length };
}, needle);
const memoryHas = async (page, needle) => (await memoryFind(page, needle)).at.length > 0;

e2eTest(env, 'I06 refresh token in WebAssembly memory: none in the page (the engine runs in a worker)', async ({ page, servers }) => {
  await page.addInitScript(captureMemories);
  const client = await openClientPage(page, servers);
  assert.ok((await loginInPage(page, servers, client)).ok);
  const rt = (await servers.issued()).refreshTokens.at(-1);
  assert.ok(rt, 'a refresh token was issued');
  assert.equal(await page.evaluate(() => window.__auth.isAuthenticated()), true);
  const found = await memoryFind(page, rt);
  assert.deepEqual(found.at, [], 'no page-readable memory holds the refresh token');
  const workers = await page.evaluate(() => typeof SharedWorker === 'function');
  assert.ok(workers);
});

e2eTest(env, 'I06 in-page opt-out (dangerouslyKeepRefreshTokenInPage): refresh token readable after login, gone after logout', async ({ page, servers }) => {
  await page.addInitScript(captureMemories);
  const client = await openClientPage(page, servers, { dangerouslyKeepRefreshTokenInPage: true });
  await page.route((u) => u.href.startsWith(`${servers.issuer}/end_session`), (route) => route.fulfill({ status: 204, body: '' }));
  assert.ok((await loginInPage(page, servers, client)).ok);
  const issued = await servers.issued();
  const rt = issued.refreshTokens.at(-1);
  const at = issued.accessTokens.at(-1);
  assert.equal(await memoryHas(page, 'no-such-token-value-0123456789'), false, 'scanner sanity');
  // (a) The engine runs in the page: any same-origin script can read the refresh token from its
  // memory. This is what the option's name gives up.
  assert.equal(await memoryHas(page, rt), true, '(a) the refresh token is in the page-readable memory');
  // (b) After logout the secret strings have been overwritten.
  const out = await page.evaluate(() => window.__try((a) => a.logout()));
  assert.ok(out.ok, JSON.stringify(out));
  assert.equal(await page.evaluate(() => window.__auth.isAuthenticated()), false);
  const left = { refreshToken: await memoryHas(page, rt), accessToken: await memoryHas(page, at) };
  if (process.env.I06_DEBUG) console.log(JSON.stringify({ rt: await memoryFind(page, rt), at: await memoryFind(page, at) }));
  assert.deepEqual(left, { refreshToken: false, accessToken: false }, '(b) no token bytes left in memory after logout');
});
