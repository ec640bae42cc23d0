// A hostile OpenID provider for the end-to-end tests: plain node:http on 127.0.0.1, no
// dependencies. It behaves like a minimal code-flow provider (discovery, authorize, token, jwks,
// and userinfo/revocation/end-session stubs), but every test can choose how it misbehaves.
//
//   node tests/hostile/provider.mjs
//
// Environment:
//   OP_PORT          port (default 0: a free port)
//   APP_ORIGIN       the app's origin: CORS is granted to it and redirect URIs must be on it
//   EXIT_WITH_STDIN  "1": exit when standard input closes
//
// Prints "hostile provider ready <issuer>" once listening.
//
// The authorization endpoint authenticates nobody: it answers at once with a redirect carrying
// code, state and iss. ID tokens are signed with keys generated at start-up (node:crypto):
// RSA 2048 (RS256, and PS256 with its own key), EC P-256 (ES256), Ed25519 (EdDSA), plus keys
// that a client must never use (RSA 1024, an encryption key) and junk entries.
//
// Test hooks:
//   POST /__scenario         merge a JSON scenario into the current one (see DEFAULT_SCENARIO)
//   POST /__scenario/reset   back to the default scenario
//   GET  /__ledger           every request received: { route, method, path, grant_type }
//   POST /__ledger/reset
//   GET  /__issued           every code, token, verifier and nonce seen or issued
//   POST /__faults, /__faults/reset   accepted for compatibility with the shared harness;
//                            reset also resets the scenario

import crypto from 'node:crypto';
import { createServer } from 'node:http';

const HOST = '127.0.0.1';
const PORT = Number(process.env.OP_PORT || 0);
const APP_ORIGIN = process.env.APP_ORIGIN || '';
const CLIENT_ID = 'spa';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256b64u = (s) => b64u(crypto.createHash('sha256').update(s).digest());

// ---------------------------------------------------------------------------
// Keys

function keyPair(kind) {
  switch (kind) {
    case 'rsa': return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'rsa1024': return crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    case 'ec': return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ed': return crypto.generateKeyPairSync('ed25519');
    default: throw new Error(kind);
  }
}

/** name → { kid, alg (JWS alg used to sign), pair, jwk (public, as published) } */
const KEYS = {};
function addKey(name, kind, alg, extra = {}) {
  const pair = keyPair(kind);
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: name, ...extra };
  KEYS[name] = { kid: name, alg, pair, jwk };
}
addKey('rsa-1', 'rsa', 'RS256', { use: 'sig', alg: 'RS256' });
addKey('rsa-2', 'rsa', 'RS256', { use: 'sig' });
addKey('ps-1', 'rsa', 'PS256', { use: 'sig', alg: 'PS256' });
addKey('ec-1', 'ec', 'ES256', { use: 'sig', alg: 'ES256' });
addKey('ed-1', 'ed', 'EdDSA', { use: 'sig', alg: 'EdDSA' });
addKey('rsa-1024', 'rsa1024', 'RS256', { use: 'sig' });
addKey('enc-1', 'rsa', 'RS256', { use: 'enc' });
// An RSA key whose published alg disagrees with its type (E06, E18).
addKey('mismatch-1', 'rsa', 'RS256', { alg: 'ES256' });

/** Entries no client can use (E18): new or made-up key types. */
const JUNK_KEYS = [
  { kty: 'AKP', kid: 'akp-1', alg: 'ML-DSA-44', pub: b64u(crypto.randomBytes(64)) },
  { kty: 'made-up', kid: 'junk-1', x: 'AAAA' },
  { kty: 'EC', kid: 'k256-1', crv: 'secp256k1', x: b64u(crypto.randomBytes(32)), y: b64u(crypto.randomBytes(32)) },
  { kty: 'oct', kid: 'hmac-1', k: b64u(crypto.randomBytes(32)) },
];

// ---------------------------------------------------------------------------
// Scenario

const DEFAULT_SCENARIO = {
  /** Key to sign with (a KEYS name); its alg is the header alg unless `alg` is set. */
  signWith: 'rsa-1',
  /** Header alg override, e.g. "none", "HS256", "RS256" with an EC key. */
  alg: null,
  /** Header kid: "key" (the key's kid), null (no kid), or any string. */
  kid: 'key',
  /** Extra header members, e.g. { jku: "..." }. */
  header: {},
  /** Published keys (KEYS names), plus the junk entries when `junk` is true. */
  jwks: ['rsa-1', 'ps-1', 'ec-1', 'ed-1'],
  junk: false,
  /** HTTP status of the jwks_uri. */
  jwksStatus: 200,
  /** The jwks_uri path advertised in discovery (null: no jwks_uri). */
  jwksPath: '/jwks',
  /** id_token_signing_alg_values_supported (null: member omitted). */
  metadataAlgs: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  /** "signature": permute the signature bytes; "empty": no signature at all. */
  tamper: null,
  /** at_hash: "good" (computed per alg), "wrong", or null (omitted). */
  atHash: 'good',
  /** auth_time relative to now in seconds, or null to omit. */
  authTimeAgo: 5,
  /** The ID token's acr claim, or null to omit. */
  acr: null,
  /** Key for ID tokens issued by the refresh grant (null: same as signWith). */
  refreshSignWith: null,
  /** Tamper only refreshed ID tokens. */
  refreshTamper: null,
  /** Members merged into the discovery document; a null value removes the member. */
  metadata: {},
  /**
   * Changes to the authorization response: { drop: [names], set: { name: value }, append:
   * [[name, value]] } (drop first, then set, then append, so a name can appear twice; the value
   * "$same" repeats the current value).
   */
  callback: null,
  /**
   * Changes to successful token responses: { drop: [names], set: { name: value }, bulk: bytes }
   * (bulk adds an unknown member holding a nested object of about that many bytes).
   */
  tokenPatch: null,
  /** Replace every token response: { status, contentType, body } (body sent as is). */
  tokenRaw: null,
};

let scenario = structuredClone(DEFAULT_SCENARIO);

// ---------------------------------------------------------------------------
// State and ledger

const codes = new Map(); // code -> { challenge, nonce, redirectUri, scope }
const refreshTokens = new Map(); // rt -> { nonce, scope, authTime, live }
let ledger = [];
const issued = {
  codes: [], accessTokens: [], refreshTokens: [], idTokens: [], codeVerifiers: [], nonces: [],
};

function atHash(alg, accessToken) {
  const bits = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }[alg.slice(2)];
  if (!bits) return undefined;
  const digest = crypto.createHash(bits).update(accessToken).digest();
  return b64u(digest.subarray(0, digest.length / 2));
}

function sign(alg, key, input) {
  const data = Buffer.from(input);
  const { privateKey } = key.pair;
  switch (alg) {
    case 'RS256': return crypto.sign('sha256', data, privateKey);
    case 'PS256':
      return crypto.sign('sha256', data, {
        key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
      });
    case 'ES256': return crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA': return crypto.sign(null, data, privateKey);
    case 'HS256': {
      // The classic key confusion: HMAC keyed with the provider's public RSA key.
      const pem = key.pair.publicKey.export({ type: 'spki', format: 'pem' });
      return crypto.createHmac('sha256', pem).update(data).digest();
    }
    default: return Buffer.alloc(0);
  }
}

function idToken({ nonce, accessToken, authTime, refresh = false }) {
  const s = scenario;
  const key = KEYS[(refresh && s.refreshSignWith) || s.signWith];
  const alg = s.alg || key.alg;
  const header = { alg, typ: 'JWT', ...s.header };
  if (s.kid === 'key') header.kid = key.kid;
  else if (s.kid !== null) header.kid = s.kid;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: ISSUER, sub: 'alice', aud: CLIENT_ID, exp: now + 600, iat: now,
  };
  if (nonce !== undefined) claims.nonce = nonce;
  if (authTime !== undefined) claims.auth_time = authTime;
  if (s.acr !== null) claims.acr = s.acr;
  if (s.atHash === 'good') {
    const h = atHash(alg, accessToken);
    if (h) claims.at_hash = h;
  } else if (s.atHash === 'wrong') {
    claims.at_hash = atHash('RS256', `${accessToken}x`);
  }
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  let signature = alg === 'none' ? Buffer.alloc(0) : sign(alg, key, input);
  const tamper = refresh ? s.refreshTamper ?? s.tamper : s.tamper;
  if (tamper === 'signature' && signature.length > 1) {
    // Permute: swap the first and last bytes and reverse the middle.
    const copy = Buffer.from(signature);
    const middle = Buffer.from(copy.subarray(1, -1)).reverse();
    signature = Buffer.concat([copy.subarray(-1), middle, copy.subarray(0, 1)]);
  } else if (tamper === 'empty') {
    signature = Buffer.alloc(0);
  }
  const token = `${input}.${b64u(signature)}`;
  issued.idTokens.push(token);
  return token;
}

function publishedKeys() {
  const keys = scenario.jwks.map((name) => KEYS[name].jwk);
  return scenario.junk ? [...JUNK_KEYS, ...keys] : keys;
}

// ---------------------------------------------------------------------------
// HTTP

let ISSUER = '';

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function cors(req, res) {
  const origin = req.headers.origin;
  if (origin && origin === APP_ORIGIN) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
    res.setHeader('access-control-allow-headers', 'content-type, authorization, accept');
    res.setHeader('access-control-allow-methods', 'GET, POST');
  }
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function metadata() {
  const m = {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    // jwksPath null: the member is left out (a provider that breaks OIDC Discovery §3).
    jwks_uri: scenario.jwksPath === null ? undefined : `${ISSUER}${scenario.jwksPath}`,
    userinfo_endpoint: `${ISSUER}/userinfo`,
    revocation_endpoint: `${ISSUER}/revoke`,
    end_session_endpoint: `${ISSUER}/end_session`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
  };
  if (scenario.metadataAlgs) m.id_token_signing_alg_values_supported = scenario.metadataAlgs;
  for (const [name, value] of Object.entries(scenario.metadata || {})) {
    if (value === null) delete m[name];
    else m[name] = value;
  }
  return m;
}

function authorize(url, res) {
  const q = url.searchParams;
  const redirectUri = q.get('redirect_uri') || '';
  let target;
  try {
    target = new URL(redirectUri);
  } catch {
    return send(res, 400, 'invalid redirect_uri');
  }
  // Never an open redirector: only the app's own origin.
  if (target.origin !== APP_ORIGIN || q.get('client_id') !== CLIENT_ID) {
    return send(res, 400, 'unknown client or redirect_uri');
  }
  if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
    return send(res, 400, 'PKCE S256 required');
  }
  const code = b64u(crypto.randomBytes(32));
  const nonce = q.get('nonce') ?? undefined;
  codes.set(code, {
    challenge: q.get('code_challenge'), nonce, redirectUri, scope: q.get('scope') || '',
  });
  issued.codes.push(code);
  if (nonce) issued.nonces.push(nonce);
  target.searchParams.set('code', code);
  if (q.has('state')) target.searchParams.set('state', q.get('state'));
  target.searchParams.set('iss', ISSUER);
  const change = scenario.callback;
  if (change) {
    for (const name of change.drop || []) target.searchParams.delete(name);
    for (const [name, value] of Object.entries(change.set || {})) target.searchParams.set(name, value);
    for (const [name, value] of change.append || []) {
      target.searchParams.append(name, value === '$same' ? target.searchParams.get(name) : value);
    }
  }
  res.writeHead(302, { location: target.href, 'cache-control': 'no-store' });
  res.end();
}

function tokenResponse({ nonce, scope, authTime, refresh = false }) {
  const accessToken = b64u(crypto.randomBytes(32));
  issued.accessTokens.push(accessToken);
  const body = {
    access_token: accessToken, token_type: 'Bearer', expires_in: 300, scope,
  };
  if (scope.split(' ').includes('offline_access')) {
    const rt = b64u(crypto.randomBytes(32));
    issued.refreshTokens.push(rt);
    refreshTokens.set(rt, { nonce, scope, authTime, live: true });
    body.refresh_token = rt;
  }
  if (scope.split(' ').includes('openid')) {
    body.id_token = idToken({ nonce, accessToken, authTime, refresh });
  }
  return body;
}

/** A successful token response, after the scenario's tokenRaw / tokenPatch (D cases). */
function sendToken(res, body) {
  const raw = scenario.tokenRaw;
  if (raw) {
    res.writeHead(raw.status ?? 200, {
      'content-type': raw.contentType ?? 'application/json; charset=utf-8', 'cache-control': 'no-store',
    });
    return res.end(raw.body ?? '');
  }
  const patch = scenario.tokenPatch;
  if (patch) {
    for (const name of patch.drop || []) delete body[name];
    Object.assign(body, patch.set || {});
    if (patch.bulk) {
      const rows = Math.ceil(patch.bulk / 64);
      body['x-bulk'] = { nested: { rows: Array.from({ length: rows }, (_, i) => ({ i, pad: 'x'.repeat(48) })) } };
    }
  }
  return send(res, 200, body);
}

function token(form, res) {
  const grant = form.get('grant_type');
  const invalidGrant = () => send(res, 400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
  if (form.get('client_id') !== CLIENT_ID) return send(res, 401, { error: 'invalid_client' });
  if (grant === 'authorization_code') {
    const code = form.get('code') || '';
    const entry = codes.get(code);
    codes.delete(code);
    const verifier = form.get('code_verifier') || '';
    if (verifier) issued.codeVerifiers.push(verifier);
    if (!entry || sha256b64u(verifier) !== entry.challenge || form.get('redirect_uri') !== entry.redirectUri) {
      return invalidGrant();
    }
    const authTime = scenario.authTimeAgo === null
      ? undefined : Math.floor(Date.now() / 1000) - scenario.authTimeAgo;
    return sendToken(res, tokenResponse({ nonce: entry.nonce, scope: entry.scope, authTime }));
  }
  if (grant === 'refresh_token') {
    const rt = form.get('refresh_token') || '';
    const entry = refreshTokens.get(rt);
    if (!entry || !entry.live) return invalidGrant();
    entry.live = false; // rotation
    return sendToken(res, tokenResponse({ ...entry, refresh: true }));
  }
  return send(res, 400, { error: 'unsupported_grant_type' });
}

const routeOf = (path) => {
  if (path === '/.well-known/openid-configuration') return 'discovery';
  if ((scenario.jwksPath && path === scenario.jwksPath) || path.startsWith('/jwks')) return 'jwks';
  if (path.startsWith('/__')) return 'hook';
  return path.slice(1) || 'root';
};

async function handle(req, res) {
  const url = new URL(req.url, ISSUER);
  const path = url.pathname;
  cors(req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204);
    return res.end();
  }
  const route = routeOf(path);
  const body = req.method === 'POST' ? await readBody(req) : '';
  const form = new URLSearchParams(req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? body : '');
  if (route !== 'hook') {
    ledger.push({ route, method: req.method, path, grant_type: form.get('grant_type') || undefined });
  }
  switch (route) {
    case 'discovery': return send(res, 200, metadata());
    case 'authorize': return authorize(url, res);
    case 'token':
      return req.method === 'POST' ? token(form, res) : send(res, 405, { error: 'invalid_request' });
    case 'jwks':
      if (path !== scenario.jwksPath) return send(res, 404, { error: 'not_found' });
      if (scenario.jwksStatus !== 200) return send(res, scenario.jwksStatus, { error: 'server_error' });
      return send(res, 200, { keys: publishedKeys() }, { 'content-type': 'application/jwk-set+json' });
    case 'userinfo': return send(res, 200, { sub: 'alice' });
    case 'revoke': return send(res, 200, '');
    case 'end_session': return send(res, 200, 'signed out');
    case 'hook': return hook(req, res, path, body);
    default: return send(res, 404, { error: 'not_found' });
  }
}

function hook(req, res, path, body) {
  const post = req.method === 'POST';
  if (path === '/__scenario' && post) {
    const patch = JSON.parse(body || '{}');
    for (const name of [patch.signWith, patch.refreshSignWith, ...(patch.jwks || [])]) {
      if (name && !KEYS[name]) return send(res, 400, { error: `unknown key ${name}` });
    }
    scenario = { ...scenario, ...patch };
    return send(res, 200, { scenario, kids: Object.keys(KEYS) });
  }
  if ((path === '/__scenario/reset' || path === '/__faults/reset') && post) {
    scenario = structuredClone(DEFAULT_SCENARIO);
    return send(res, 200, { scenario });
  }
  // Faults are the dev provider's; here misbehaviour is a scenario. Refused, so no test believes one applied.
  if (path === '/__faults' && post) return send(res, 400, { error: 'no faults here: use /__scenario' });
  if (path === '/__ledger' && !post) return send(res, 200, ledger);
  if (path === '/__ledger/reset' && post) {
    ledger = [];
    return send(res, 200, { ok: true });
  }
  if (path === '/__issued' && !post) return send(res, 200, issued);
  return send(res, 404, { error: 'no such hook' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(err.message) });
    else res.destroy();
  });
});

server.listen(PORT, HOST, () => {
  ISSUER = `http://${HOST}:${server.address().port}`;
  console.log(`hostile provider ready ${ISSUER}`);
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
