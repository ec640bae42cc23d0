// ID-token signatures and the provider's key set, against the hostile mock provider
// (tests/hostile/provider.mjs), which signs with real RSA, EC P-256 and Ed25519 keys and misbehaves
// on request. Every rejection also checks the post-conditions: no session kept (P1), no request
// made with the rejected tokens (P2), storage clean (P4), no secret in the error or the console
// (P5, console checked by e2eTest), the transaction consumed (P6) and the same client instance
// still working: a fresh login in the same page succeeds afterwards (P7).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import {
  appError, assertNoSecrets, assertScrubbed, e2eTest, scanStorage, tokenRequests, txKeys, waitForApp,
} from './harness.mjs';
import {
  loginInPage, openClientPage, resetScenario, scenario, sessionState, setupHostileSuite,
} from './hostile-rig.mjs';

const env = setupHostileSuite();

const jwksFetches = (ledger) => ledger.filter((e) => e.route === 'jwks');

/** Every post-condition of a rejected ID token; `problem` is the expected err.detail. */
async function assertRejected(page, servers, client, result, problem, { hadSession = false } = {}) {
  assert.equal(result.ok, false, `expected a rejection (${problem}), got success`);
  assert.deepEqual([result.code, result.detail], ['id_token_invalid', problem], result.text);
  const secrets = await servers.secrets();
  assertNoSecrets([result.text, result.message, result.hint], secrets, 'the error');
  if (!hadSession) {
    const state = await sessionState(page);
    assert.equal(state.authenticated, false, 'P1: no session after a rejected ID token');
    assert.equal(state.token.code, 'login_required', 'P1: getAccessToken has nothing to hand out');
  }
  const ledger = await servers.ledger();
  assert.equal(ledger.filter((e) => e.route === 'userinfo').length, 0, 'P2: no userinfo call');
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 0, 'P2: the refresh token was not used');
  const scan = await scanStorage(page);
  assert.deepEqual(txKeys(scan), [], 'P6: the transaction is consumed');
  assertNoSecrets([scan.text], secrets, 'storage');
  // P7: the same wasm instance completes a fresh login once the provider behaves.
  await resetScenario(servers);
  const again = await loginInPage(page, servers, client);
  assert.ok(again.ok, `P7: a fresh login failed: ${JSON.stringify(again)}`);
  assert.equal((await sessionState(page)).authenticated, true);
}

e2eTest(env, 'E01 C08 real redirect: RS256 ID token verified with the keys of the metadata jwks_uri', async ({ page, servers }) => {
  const jwksPath = `/jwks-${randomBytes(6).toString('hex')}`;
  await scenario(servers, { jwksPath });
  await servers.resetLedger();
  await page.goto(servers.appUrl);
  await waitForApp(page);
  await page.evaluate(() => { window.__before = true; });
  await page.locator('#login').click();
  // The provider redirects at once; wait for the callback document to finish.
  const deadline = Date.now() + 30_000;
  let callback;
  while (!callback) {
    assert.ok(Date.now() < deadline, 'the callback did not complete');
    callback = await page.evaluate(() => (!window.__before && document.documentElement.dataset.ready === 'true'
      ? window.__callback : undefined)).catch(() => undefined);
    if (!callback) await new Promise((r) => { setTimeout(r, 50); });
  }
  assert.deepEqual(callback, { ok: true, signedIn: true }, JSON.stringify(await appError(page)));
  assertScrubbed(page.url());
  const ledger = await servers.ledger();
  assert.deepEqual(jwksFetches(ledger).map((e) => e.path), [jwksPath], 'one key-set fetch, from the metadata jwks_uri');
  assert.equal(tokenRequests(ledger, 'authorization_code').length, 1);
  const scan = await scanStorage(page);
  assert.deepEqual(txKeys(scan), []);
  assertNoSecrets([scan.text], await servers.secrets(), 'storage');
});

e2eTest(env, 'E01 PS256, ES256 and EdDSA ID tokens verify; the key set is fetched once per client', async ({ page, servers }) => {
  await servers.resetLedger();
  const client = await openClientPage(page, servers, { idTokenSigningAlgs: ['RS256', 'PS256', 'ES256', 'EdDSA'] });
  for (const key of ['rsa-1', 'ps-1', 'ec-1', 'ed-1']) {
    await scenario(servers, { signWith: key });
    const res = await loginInPage(page, servers, client);
    assert.ok(res.ok, `${key}: ${JSON.stringify(res)}`);
    const user = await page.evaluate(() => window.__auth.user());
    assert.equal(user.sub, 'alice', key);
  }
  assert.equal(jwksFetches(await servers.ledger()).length, 1, 'the cached key set served every login');
});

e2eTest(env, 'E02 permuted signature bytes: id_token_invalid/signature, tokens discarded', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { tamper: 'signature' });
  await servers.resetLedger();
  const res = await loginInPage(page, servers, client);
  await assertRejected(page, servers, client, res, 'signature');
});

e2eTest(env, 'E02 P8 jku, x5u and jwk headers are never a key source, never fetched', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  // Signed with a key the provider does not publish, pointing at it through the header.
  await scenario(servers, {
    signWith: 'rsa-2',
    header: {
      jku: `${servers.issuer}/attacker-jwks`,
      x5u: `${servers.issuer}/attacker-cert`,
      jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
    },
  });
  await servers.resetLedger();
  const res = await loginInPage(page, servers, client);
  const ledger = await servers.ledger();
  assert.deepEqual(ledger.filter((e) => e.path.startsWith('/attacker')), [], 'P8: no request to header URLs');
  await assertRejected(page, servers, client, res, 'key_selection');
});

e2eTest(env, 'E04 alg none with an empty signature: id_token_invalid/alg, no key fetch', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { alg: 'none', tamper: 'empty' });
  await servers.resetLedger();
  const res = await loginInPage(page, servers, client);
  assert.equal(jwksFetches(await servers.ledger()).length, 0, 'alg is refused before any key is fetched');
  await assertRejected(page, servers, client, res, 'alg');
});

e2eTest(env, 'E06 alg outside the allow-list (configuration, metadata), HS256 key confusion, JWK alg mismatch', async ({ page, servers }) => {
  await servers.resetLedger(); // the P2 checks below count only this test's requests
  // EdDSA is not in the default client allow-list.
  let client = await openClientPage(page, servers);
  await scenario(servers, { signWith: 'ed-1' });
  await assertRejected(page, servers, client, await loginInPage(page, servers, client), 'alg');
  // HS256, MACed with the provider's public RSA key.
  await scenario(servers, { alg: 'HS256' });
  await assertRejected(page, servers, client, await loginInPage(page, servers, client), 'alg', { hadSession: true });
  // The RSA key's JWK says ES256 while the header says RS256.
  await scenario(servers, { signWith: 'mismatch-1', jwks: ['mismatch-1'] });
  const fresh = await openClientPage(page, servers);
  await assertRejected(page, servers, fresh, await loginInPage(page, servers, fresh), 'alg');
  // The metadata allows only RS256, the client would take ES256: the intersection decides.
  await scenario(servers, { metadataAlgs: ['RS256'], signWith: 'ec-1' });
  client = await openClientPage(page, servers);
  const res = await loginInPage(page, servers, client);
  assert.deepEqual([res.code, res.detail], ['id_token_invalid', 'alg']);
  // Metadata silent: RS256 only (the default).
  await scenario(servers, { metadataAlgs: null, signWith: 'ps-1' });
  client = await openClientPage(page, servers);
  const silent = await loginInPage(page, servers, client);
  assert.deepEqual([silent.code, silent.detail], ['id_token_invalid', 'alg']);
  await scenario(servers, { signWith: 'rsa-1' });
  assert.ok((await loginInPage(page, servers, client)).ok, 'RS256 is accepted when the metadata is silent');
});

e2eTest(env, 'E15 no kid and a single signing key: accepted', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { kid: null, jwks: ['rsa-1'], junk: true });
  const res = await loginInPage(page, servers, client);
  assert.ok(res.ok, JSON.stringify(res));
});

e2eTest(env, 'E17 key rotation: one refetch on an unknown kid, then accepted', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await servers.resetLedger();
  assert.ok((await loginInPage(page, servers, client)).ok);
  // The provider rotates to rsa-2, published only in its new key set.
  await scenario(servers, { signWith: 'rsa-2', jwks: ['rsa-2'] });
  const res = await loginInPage(page, servers, client);
  assert.ok(res.ok, JSON.stringify(res));
  assert.equal(jwksFetches(await servers.ledger()).length, 2, 'one initial fetch and one refetch');
  // The refresh path verifies the refreshed ID token with the same keys, without a fetch.
  const refreshed = await page.evaluate(() => window.__try((a) => a.getAccessToken({ forceRefresh: true })));
  assert.ok(refreshed.ok, JSON.stringify(refreshed));
  assert.equal(jwksFetches(await servers.ledger()).length, 2);
});

e2eTest(env, 'E17 fifty unknown kids: key_selection each time, at most one refetch per cool-down', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await servers.resetLedger();
  assert.ok((await loginInPage(page, servers, client)).ok);
  for (let i = 0; i < 50; i += 1) {
    await scenario(servers, { kid: `unknown-${randomBytes(4).toString('hex')}` });
    const res = await loginInPage(page, servers, client);
    assert.deepEqual([res.code, res.detail], ['id_token_invalid', 'key_selection'], `token ${i}`);
  }
  assert.equal(jwksFetches(await servers.ledger()).length, 2, 'no fetch storm: the initial fetch and one refetch');
  assert.equal((await servers.ledger()).filter((e) => e.route === 'userinfo').length, 0);
  await resetScenario(servers);
  assert.ok((await loginInPage(page, servers, client)).ok, 'the instance still logs in');
});

e2eTest(env, 'E18 junk keys are ignored; RSA-1024 and use=enc keys are never used', async ({ page, servers }) => {
  const jwks = ['rsa-1024', 'enc-1', 'mismatch-1', 'rsa-1'];
  let client = await openClientPage(page, servers);
  await scenario(servers, { junk: true, jwks });
  assert.ok((await loginInPage(page, servers, client)).ok, 'the good key verifies next to the junk');
  for (const weak of ['rsa-1024', 'enc-1']) {
    client = await openClientPage(page, servers);
    await scenario(servers, { junk: true, jwks, signWith: weak });
    await servers.resetLedger();
    await assertRejected(page, servers, client, await loginInPage(page, servers, client), 'key_selection');
  }
});

e2eTest(env, 'E21 wrong at_hash: id_token_invalid/at_hash and the access token is discarded', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { atHash: 'wrong' });
  await servers.resetLedger();
  await assertRejected(page, servers, client, await loginInPage(page, servers, client), 'at_hash');
  // A correct at_hash (the default) passes for every algorithm that defines one.
  await scenario(servers, { signWith: 'ec-1' });
  assert.ok((await loginInPage(page, servers, client)).ok);
});

e2eTest(env, 'E22 max_age sent: auth_time missing or too old is id_token_invalid/auth_time', async ({ page, servers }) => {
  const client = await openClientPage(page, servers, { maxAge: 60 });
  await scenario(servers, { authTimeAgo: null });
  await servers.resetLedger();
  // (a) no auth_time; the fresh login inside assertRejected has a recent one and passes.
  await assertRejected(page, servers, client, await loginInPage(page, servers, client), 'auth_time');
  assert.match(client.authorizeUrls.at(-1), /[?&]max_age=60(&|$)/, 'max_age is sent');
  // (b) auth_time an hour ago.
  await scenario(servers, { authTimeAgo: 3600 });
  await assertRejected(page, servers, client, await loginInPage(page, servers, client), 'auth_time', { hadSession: true });
});

e2eTest(env, 'E23 key set answers 500: id_token_invalid/key_fetch, tokens discarded, later login works', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { jwksStatus: 500 });
  await servers.resetLedger();
  const res = await loginInPage(page, servers, client);
  assert.equal(tokenRequests(await servers.ledger(), 'authorization_code').length, 1);
  await assertRejected(page, servers, client, res, 'key_fetch');
});

e2eTest(env, 'G07 E02 a refreshed ID token with a bad signature ends the session', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  assert.ok((await loginInPage(page, servers, client)).ok);
  await scenario(servers, { refreshTamper: 'signature' });
  await servers.resetLedger();
  const res = await page.evaluate(() => window.__try((a) => a.getAccessToken({ forceRefresh: true })));
  assert.deepEqual([res.code, res.detail], ['id_token_invalid', 'signature'], res.text);
  assertNoSecrets([res.text, res.message], await servers.secrets(), 'the error');
  const state = await sessionState(page);
  assert.equal(state.authenticated, false, 'the session ended');
  assert.equal(state.token.code, 'login_required');
  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 1, 'no second refresh with the rotated token');
  assert.equal(ledger.filter((e) => e.route === 'userinfo').length, 0);
});

e2eTest(env, 'C08 discovery without jwks_uri: createClient refuses with metadata_invalid/jwks_uri', async ({ page, servers }) => {
  await scenario(servers, { jwksPath: null });
  await servers.resetLedger();
  const url = servers.probePage('no-jwks-uri', `
try {
  await createClient(config);
  window.__result = { ok: true };
} catch (e) {
  window.__result = { ok: false, code: e.code, detail: e.detail };
}`);
  await page.goto(url);
  await waitForApp(page);
  assert.deepEqual(await page.evaluate(() => window.__result), { ok: false, code: 'metadata_invalid', detail: 'jwks_uri' });
  const ledger = await servers.ledger();
  assert.deepEqual(ledger.map((e) => e.route), ['discovery'], 'nothing but the discovery request');
});
