// The test resource server (resource-server.mjs) and the dev provider's DPoP support, from Node only:
// tokens come from the real provider (authorization code + PKCE through its development login and
// consent forms, the code exchanged with a DPoP proof), and every check the resource server makes on
// a DPoP proof is shown to refuse what it should.

import assert from 'node:assert/strict';
import {
  constants, createHash, generateKeyPairSync, randomBytes, randomUUID, sign, webcrypto,
} from 'node:crypto';
import { after, before, test } from 'node:test';

import { spawnReady } from './harness.mjs';
import { jwkThumbprint, startCaptureServer, startResourceServer } from './resource-server.mjs';

const { subtle } = webcrypto;
const APP_ORIGIN = 'http://127.0.0.1:9'; // nothing listens: the authorization response is read from Node
const REDIRECT_URI = `${APP_ORIGIN}/callback`;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (s) => createHash('sha256').update(s).digest();

// ---------------------------------------------------------------------------
// DPoP proofs with WebCrypto (ES256: the signature is r || s, as JWS wants it)

async function dpopKey() {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  const jwk = { kty, crv, x, y };
  return { ...pair, jwk, jkt: jwkThumbprint(jwk) };
}

async function proof(key, htm, htu, { accessToken, nonce, jwk = key.jwk, ...extra } = {}) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk };
  const payload = {
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(accessToken ? { ath: b64url(sha256(accessToken)) } : {}),
    ...(nonce ? { nonce } : {}),
    ...extra,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, Buffer.from(input));
  return `${input}.${b64url(sig)}`;
}

// ---------------------------------------------------------------------------
// Authorization code + PKCE against the provider's development interactions, with a cookie jar

class Jar {
  #cookies = new Map();

  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function step(jar, url, init = {}) {
  const res = await fetch(url, {
    ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() },
  });
  jar.take(res);
  return res;
}

/** Logs in (as `login`) and consents; resolves with the authorization code. */
async function authorize(issuer, jar, { dpopJkt, login = 'alice' } = {}) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const params = new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access',
    prompt: 'consent',
    state,
    nonce: b64url(randomBytes(16)),
    code_challenge: b64url(sha256(verifier)),
    code_challenge_method: 'S256',
    ...(dpopJkt ? { dpop_jkt: dpopJkt } : {}),
  });
  let url = `${issuer}/auth?${params}`;
  for (let hops = 0; hops < 20; hops += 1) {
    if (url.startsWith(REDIRECT_URI)) {
      const back = new URL(url).searchParams;
      assert.equal(back.get('error'), null, `authorization error: ${back.get('error_description')}`);
      assert.equal(back.get('state'), state);
      return { code: back.get('code'), verifier };
    }
    const res = await step(jar, url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location'), url).href;
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, `${url}: ${res.status} ${html.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && prompt, `no interaction form at ${url}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', login);
      form.set('password', 'any');
    }
    const submitted = await step(jar, new URL(action, url).href, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form,
    });
    assert.ok(submitted.status >= 300 && submitted.status < 400, `interaction ${prompt} answered ${submitted.status}`);
    url = new URL(submitted.headers.get('location'), url).href;
  }
  throw new Error('too many redirects in the authorization flow');
}

async function tokenRequest(issuer, body, { dpop, origin } = {}) {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(dpop ? { dpop } : {}),
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams({ client_id: 'spa', ...body }),
  });
  return { res, json: await res.json() };
}

async function codeExchange(issuer, { code, verifier }, key) {
  const body = {
    grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI,
  };
  const { res, json } = await tokenRequest(issuer, body, key ? { dpop: await proof(key, 'POST', `${issuer}/token`) } : {});
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

// ---------------------------------------------------------------------------

let op;
let issuer;
let rs;
let capture;
let key;
let dpopTokens;
let bearerTokens;

const opHook = async (path, body) => {
  const res = await fetch(`${issuer}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  return res.json();
};

before(async () => {
  op = spawnReady('provider', 'provider.mjs', {
    OP_PORT: '0', OP_TEST_HOOKS: '1', APP_ORIGIN, AT_TTL: '300',
  }, 'provider ready ');
  issuer = await op.ready;
  rs = await startResourceServer({ issuer, appOrigin: APP_ORIGIN });
  capture = await startCaptureServer();
  key = await dpopKey();
  const jar = new Jar();
  dpopTokens = await codeExchange(issuer, await authorize(issuer, jar, { dpopJkt: key.jkt }), key);
  bearerTokens = await codeExchange(issuer, await authorize(issuer, jar));
});

after(async () => {
  await rs?.stop();
  await capture?.stop();
  if (op && op.child.exitCode === null) {
    const exited = new Promise((resolve) => { op.child.once('exit', resolve); });
    op.child.kill('SIGTERM');
    await exited;
  }
});

/** A request to the resource server: {status, json, headers, url}. */
async function call(path, { method = 'GET', token, scheme = 'DPoP', dpop, body, headers = {} } = {}) {
  const url = `${rs.origin}${path}`;
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: {
      ...(token ? { authorization: `${scheme} ${token}` } : {}),
      ...(dpop ? { dpop } : {}),
      ...headers,
    },
    body,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, headers: res.headers, url };
}

/** GET /api/me with the DPoP token and a fresh proof (options go to proof()). */
async function dpopMe(opts = {}, { signWith = key, path = '/api/me', method = 'GET' } = {}) {
  const at = dpopTokens.access_token;
  const dpop = await proof(signWith, method, `${rs.origin}${path}`, { accessToken: at, ...opts });
  return { ...(await call(path, { method, token: at, dpop })), dpop };
}

const refused = (r, reason, error = 'invalid_dpop_proof') => {
  assert.equal(r.status, 401, JSON.stringify(r.json));
  assert.equal(r.json.reason, reason);
  assert.equal(r.json.error, error);
  assert.match(r.headers.get('www-authenticate'), new RegExp(`^DPoP error="${error}"`));
};

test('RS: the provider issues a DPoP-bound token (token_type DPoP) and records it in its ledger', async () => {
  assert.equal(dpopTokens.token_type, 'DPoP');
  assert.ok(dpopTokens.refresh_token, 'offline_access gives a refresh token');
  assert.equal(bearerTokens.token_type, 'Bearer');
  const ledger = await (await fetch(`${issuer}/__ledger`)).json();
  const tokens = ledger.filter((e) => e.route === 'token' && e.status === 200);
  assert.deepEqual(tokens.map((e) => [e.dpop, e.token_type]), [[true, 'DPoP'], [false, 'Bearer']]);
  const auths = ledger.filter((e) => e.route === 'authorization' && e.path === '/auth');
  assert.equal(auths[0].params.dpop_jkt, key.jkt);
});

test('RS: introspection by the client "api" shows cnf.jkt for a DPoP token, no cnf for a Bearer token', async () => {
  const introspect = async (token) => (await fetch(`${issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('api:api-secret-for-tests-only').toString('base64')}` },
    body: new URLSearchParams({ token }),
  })).json();
  const dpop = await introspect(dpopTokens.access_token);
  assert.equal(dpop.active, true);
  assert.equal(dpop.client_id, 'spa');
  assert.equal(dpop.token_type, 'DPoP');
  assert.equal(dpop.cnf?.jkt, key.jkt);
  const bearer = await introspect(bearerTokens.access_token);
  assert.equal(bearer.active, true);
  assert.equal(bearer.cnf, undefined);
  assert.equal((await introspect('not-a-token')).active, false);
});

test('RS: a good DPoP request is served with the key thumbprint; its proof replayed is refused', async () => {
  rs.reset();
  const ok = await dpopMe();
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.deepEqual(ok.json, { sub: 'alice', scheme: 'DPoP', jkt: key.jkt });
  const replay = await call('/api/me', { token: dpopTokens.access_token, dpop: ok.dpop });
  refused(replay, 'replayed_jti');
  rs.reset();
  refused(await call('/api/me', { token: dpopTokens.access_token, dpop: ok.dpop }), 'replayed_jti');
  const [entry] = rs.ledger;
  assert.equal(entry.scheme, 'DPoP');
  assert.equal(entry.authorization, `DPoP ${dpopTokens.access_token}`);
  assert.equal(entry.dpop, ok.dpop);
  assert.equal(entry.reason, 'replayed_jti');
});

test('RS: POST /api/echo and a redirect, each with a proof for its own method and URL', async () => {
  rs.reset();
  const at = dpopTokens.access_token;
  const echo = await call('/api/echo', {
    method: 'POST', token: at, body: 'hello', dpop: await proof(key, 'POST', `${rs.origin}/api/echo`, { accessToken: at }),
  });
  assert.equal(echo.status, 200, JSON.stringify(echo.json));
  assert.deepEqual(echo.json, { sub: 'alice', scheme: 'DPoP', body: 'hello' });
  const to = `${capture.origin}/landing`;
  const path = `/api/redirect?to=${encodeURIComponent(to)}`;
  // htu leaves the query out.
  const redirect = await call(path, { token: at, dpop: await proof(key, 'GET', `${rs.origin}/api/redirect`, { accessToken: at }) });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), to);
  assert.deepEqual(rs.ledger.map((e) => [e.method, e.path, e.status, e.body]), [
    ['POST', '/api/echo', 200, 'hello'], ['GET', '/api/redirect', 302, null],
  ]);
  const open = await call('/api/open');
  assert.deepEqual([open.status, open.json], [200, { open: true }]);
  assert.equal((await call('/api/nowhere')).status, 404);
});

test('RS: wrong htm, htu, ath, iat, typ, a tampered signature and a foreign key are refused', async () => {
  rs.reset();
  refused(await dpopMe({ htm: 'POST' }), 'htm');
  refused(await dpopMe({ htu: `${rs.origin}/api/echo` }), 'htu');
  refused(await dpopMe({ htu: `http://localhost:${new URL(rs.origin).port}/api/me` }), 'htu');
  refused(await dpopMe({ ath: b64url(sha256('another token')) }), 'ath');
  refused(await dpopMe({ iat: Math.floor(Date.now() / 1000) - 600 }), 'iat');

  const at = dpopTokens.access_token;
  const good = await proof(key, 'GET', `${rs.origin}/api/me`, { accessToken: at });
  const [h, p, s] = good.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[10] ^= 1;
  refused(await call('/api/me', { token: at, dpop: `${h}.${p}.${b64url(sig)}` }), 'bad_signature');
  const otherPayload = b64url(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), htm: 'GET', jti: randomUUID() }));
  refused(await call('/api/me', { token: at, dpop: `${h}.${otherPayload}.${s}` }), 'bad_signature');
  const typ = b64url(JSON.stringify({ ...JSON.parse(Buffer.from(h, 'base64url')), typ: 'JWT' }));
  refused(await call('/api/me', { token: at, dpop: `${typ}.${p}.${s}` }), 'typ');
  const none = b64url(JSON.stringify({ ...JSON.parse(Buffer.from(h, 'base64url')), alg: 'none' }));
  refused(await call('/api/me', { token: at, dpop: `${none}.${p}.${s}` }), 'alg');
  refused(await call('/api/me', { token: at, dpop: 'not.a.jwt!' }), 'malformed');
  refused(await call('/api/me', { token: at }), 'dpop_header_count');

  // A valid proof by another key: the token is bound to the first one.
  const other = await dpopKey();
  const foreign = await dpopMe({}, { signWith: other });
  assert.equal(foreign.status, 401);
  assert.equal(foreign.json.reason, 'jkt_mismatch');
  assert.match(foreign.headers.get('www-authenticate'), /^DPoP error="invalid_token"/);

  assert.ok(rs.ledger.every((e) => e.status === 401 && e.reason), JSON.stringify(rs.ledger.map((e) => e.reason)));
});

test('RS: ES384, RS256, PS256 and EdDSA proofs verify (a key the token is not bound to: jkt_mismatch), tampered ones do not', async () => {
  rs.reset();
  const at = dpopTokens.access_token;
  const kinds = [
    ['ES384', generateKeyPairSync('ec', { namedCurve: 'P-384' }), (k, d) => sign('sha384', d, { key: k, dsaEncoding: 'ieee-p1363' })],
    ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }), (k, d) => sign('sha256', d, k)],
    ['PS256', generateKeyPairSync('rsa', { modulusLength: 2048 }),
      (k, d) => sign('sha256', d, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })],
    ['EdDSA', generateKeyPairSync('ed25519'), (k, d) => sign(null, d, k)],
  ];
  for (const [alg, { publicKey, privateKey }, signWith] of kinds) {
    const jwk = publicKey.export({ format: 'jwk' });
    const make = (tamper) => {
      const header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg, jwk }));
      const payload = b64url(JSON.stringify({
        jti: randomUUID(), htm: 'GET', htu: `${rs.origin}/api/me`, iat: Math.floor(Date.now() / 1000), ath: b64url(sha256(at)),
      }));
      const sig = signWith(privateKey, Buffer.from(`${header}.${payload}`));
      if (tamper) sig[5] ^= 1;
      return `${header}.${payload}.${b64url(sig)}`;
    };
    const good = await call('/api/me', { token: at, dpop: make(false) });
    assert.equal(good.json.reason, 'jkt_mismatch', `${alg}: ${JSON.stringify(good.json)}`);
    const bad = await call('/api/me', { token: at, dpop: make(true) });
    assert.equal(bad.json.reason, 'bad_signature', alg);
  }
  // A private key in the header is refused before anything else.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: privateKey.export({ format: 'jwk' }) }));
  refused(await call('/api/me', { token: at, dpop: `${header}.e30.AAAA` }), 'jwk');
});

test('RS: Bearer tokens: served without jkt; a DPoP-bound token as Bearer and no token at all are refused', async () => {
  rs.reset();
  const bearer = await call('/api/me', { scheme: 'Bearer', token: bearerTokens.access_token });
  assert.equal(bearer.status, 200, JSON.stringify(bearer.json));
  assert.deepEqual(bearer.json, { sub: 'alice', scheme: 'Bearer', jkt: null });

  const bound = await call('/api/me', { scheme: 'Bearer', token: dpopTokens.access_token });
  assert.equal(bound.status, 401);
  assert.equal(bound.json.reason, 'dpop_bound_as_bearer');
  assert.match(bound.headers.get('www-authenticate'), /^DPoP error="invalid_token"/);

  const lower = await call('/api/me', { scheme: 'bearer', token: bearerTokens.access_token });
  assert.equal(lower.status, 200, 'the scheme is case-insensitive');

  // A Bearer token with the DPoP scheme and a proof for it: not bound, so refused.
  const at = bearerTokens.access_token;
  const unbound = await call('/api/me', { token: at, dpop: await proof(key, 'GET', `${rs.origin}/api/me`, { accessToken: at }) });
  assert.equal(unbound.status, 401);
  assert.equal(unbound.json.reason, 'not_dpop_bound');

  const inactive = await call('/api/me', { scheme: 'Bearer', token: 'made-up' });
  assert.equal(inactive.status, 401);
  assert.equal(inactive.json.reason, 'inactive');
  assert.equal(inactive.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="the access token is not active"');

  const none = await call('/api/me');
  assert.equal(none.status, 401);
  assert.equal(none.json.reason, 'no_token');
  assert.equal(none.headers.get('www-authenticate'), 'DPoP algs="ES256", Bearer');
});

test('RS: requireNonce: use_dpop_nonce with a DPoP-Nonce header, then served with that nonce', async () => {
  rs.reset();
  rs.requireNonce(true);
  const first = await dpopMe();
  assert.equal(first.status, 401);
  assert.equal(first.json.error, 'use_dpop_nonce');
  assert.match(first.headers.get('www-authenticate'), /^DPoP error="use_dpop_nonce", error_description="/);
  const nonce = first.headers.get('dpop-nonce');
  assert.ok(nonce);
  assert.equal(nonce, rs.nonce());
  const wrong = await dpopMe({ nonce: 'stale' });
  assert.equal(wrong.json.error, 'use_dpop_nonce');
  const ok = await dpopMe({ nonce });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(ok.headers.get('dpop-nonce'), nonce);
  rs.requireNonce(true);
  assert.notEqual(rs.nonce(), nonce, 'switching nonces on again gives a fresh one');
  rs.reset();
  assert.equal((await dpopMe()).status, 200, 'reset turns nonces off');
});

test('RS: rejectNext(1): one forced invalid_token, then served again', async () => {
  rs.reset();
  rs.rejectNext(1);
  const forced = await dpopMe();
  assert.equal(forced.status, 401);
  assert.equal(forced.json.reason, 'forced');
  assert.match(forced.headers.get('www-authenticate'), /^DPoP error="invalid_token"/);
  assert.equal((await dpopMe()).status, 200);
  rs.rejectNext(1);
  const bearer = await call('/api/me', { scheme: 'Bearer', token: bearerTokens.access_token });
  assert.equal(bearer.json.reason, 'forced');
  assert.match(bearer.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
  assert.deepEqual(rs.ledger.map((e) => [e.status, e.reason, e.sub]), [[401, 'forced', null], [200, null, 'alice'], [401, 'forced', null]]);
});

test('RS: CORS for the app origin only; preflights are answered and stay out of the ledger', async () => {
  rs.reset();
  const pre = await fetch(`${rs.origin}/api/me`, {
    method: 'OPTIONS',
    headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,dpop' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), APP_ORIGIN);
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization, DPoP/);
  const open = await call('/api/open', { headers: { origin: APP_ORIGIN } });
  assert.equal(open.headers.get('access-control-expose-headers'), 'WWW-Authenticate, DPoP-Nonce');
  const elsewhere = await call('/api/open', { headers: { origin: 'http://127.0.0.1:1' } });
  assert.equal(elsewhere.headers.get('access-control-allow-origin'), null);
  assert.deepEqual(rs.ledger.map((e) => e.method), ['GET', 'GET']);

  capture.reset();
  await fetch(`${capture.origin}/x`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' } });
  await fetch(`${capture.origin}/y?z=1`, { headers: { authorization: 'Bearer t' } });
  assert.deepEqual(capture.requests.map((r) => [r.method, r.url, r.headers.authorization]), [
    ['OPTIONS', '/x', undefined], ['GET', '/y?z=1', 'Bearer t'],
  ]);
});

test('RS: the provider requires a DPoP nonce at the token endpoint when asked, and exposes DPoP-Nonce to CORS', async () => {
  assert.deepEqual(await opHook('/__dpop', { requireNonce: true }), { ok: true, requireNonce: true });
  try {
    const htu = `${issuer}/token`;
    const body = { grant_type: 'refresh_token', refresh_token: dpopTokens.refresh_token };
    const first = await tokenRequest(issuer, body, { dpop: await proof(key, 'POST', htu), origin: APP_ORIGIN });
    assert.equal(first.res.status, 400);
    assert.equal(first.json.error, 'use_dpop_nonce');
    const nonce = first.res.headers.get('dpop-nonce');
    assert.ok(nonce, 'DPoP-Nonce with the use_dpop_nonce error');
    assert.equal(first.res.headers.get('access-control-allow-origin'), APP_ORIGIN);
    assert.match(first.res.headers.get('access-control-expose-headers'), /DPoP-Nonce/i);
    const second = await tokenRequest(issuer, body, { dpop: await proof(key, 'POST', htu, { nonce }), origin: APP_ORIGIN });
    assert.equal(second.res.status, 200, JSON.stringify(second.json));
    assert.equal(second.json.token_type, 'DPoP');
    assert.match(second.res.headers.get('access-control-expose-headers'), /DPoP-Nonce/i);
    dpopTokens = { ...dpopTokens, ...second.json };
  } finally {
    await opHook('/__dpop', { requireNonce: false });
  }
  // The refreshed token works at the resource server, with the same key.
  const me = await dpopMe();
  assert.equal(me.status, 200, JSON.stringify(me.json));
  assert.equal(me.json.jkt, key.jkt);
});

test('RS: userinfo with "Authorization: DPoP": the provider ledger records scheme, dpop and the token hash', async () => {
  await opHook('/__ledger/reset');
  const at = dpopTokens.access_token;
  const res = await fetch(`${issuer}/me`, {
    headers: { authorization: `DPoP ${at}`, dpop: await proof(key, 'GET', `${issuer}/me`, { accessToken: at }) },
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).sub, 'alice');
  const [entry] = (await (await fetch(`${issuer}/__ledger`)).json()).filter((e) => e.route === 'userinfo');
  assert.equal(entry.scheme, 'DPoP');
  assert.equal(entry.dpop, true);
  assert.equal(entry.bearer, createHash('sha256').update(at).digest('hex').slice(0, 16));
});
