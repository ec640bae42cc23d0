// A resource server for the end-to-end tests: it takes access tokens issued by the dev provider
// (www-example/provider.mjs with OP_TEST_HOOKS=1) as Bearer or DPoP (RFC 9449) tokens, checks each one
// at the provider's introspection endpoint as the client "api", and verifies DPoP proofs in full.
// In-process (node:http on 127.0.0.1), so that node:test files can look at what it received.
//
//   const rs = await startResourceServer({ issuer, appOrigin });
//
//   GET  /api/me              200 {sub, scheme, jkt}  (jkt null for a Bearer token)
//   POST /api/echo            200 {sub, scheme, body} (body: the request body as text)
//   GET  /api/redirect?to=U   302 to U once the request is authorized (does the token follow?)
//   GET  /api/open            200 {open: true}, no authorization needed
//   GET  /api/stream          200, text in three chunks 300 ms apart
//   any  /api/drop            recorded, then the connection is cut: no answer at all
//   anything else             404
//
// CORS for appOrigin only (preflights answer 204 and stay out of the ledger). Refusals are 401 with
// WWW-Authenticate and a JSON body {error, reason}; reason is one of:
//   no_token, unsupported_scheme, inactive, introspection_failed, dpop_bound_as_bearer, not_dpop_bound,
//   dpop_header_count, malformed, typ, alg, jwk, bad_signature, htm, htu, iat, jti, replayed_jti, ath,
//   nonce, jkt_mismatch, forced
//
//   rs.origin               http://127.0.0.1:<port>
//   rs.ledger               one entry a request: {method, path, url, origin, scheme, authorization, dpop,
//                           status, reason, sub, jkt, body} (authorization and dpop are the raw header
//                           values, so a test can replay a request)
//   rs.requireNonce(bool)   DPoP proofs must carry the server's nonce (a fresh one each time it is switched on)
//   rs.nonce()              the current nonce
//   rs.rejectNext(n)        refuse the next n requests that would be authorized (reason "forced")
//   rs.reset()              clear the ledger, nonces off, rejectNext(0); seen jti values are kept
//   rs.stop()
//
// startCaptureServer() is "another origin": it answers everything 200 with permissive CORS and records
// every request, preflights included, so a test can check that nothing (no token) was sent there.

import {
  constants, createHash, createPublicKey, randomBytes, verify,
} from 'node:crypto';
import { createServer } from 'node:http';

export const API_CLIENT_ID = 'api';
export const API_CLIENT_SECRET = 'api-secret-for-tests-only';

/** DPoP proof algorithms the resource server takes, and the key each needs. */
const ALGS = {
  ES256: { kty: 'EC', crv: ['P-256'], hash: 'sha256', ec: true },
  ES384: { kty: 'EC', crv: ['P-384'], hash: 'sha384', ec: true },
  RS256: { kty: 'RSA', hash: 'sha256' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  EdDSA: { kty: 'OKP', crv: ['Ed25519', 'Ed448'], hash: null },
  Ed25519: { kty: 'OKP', crv: ['Ed25519'], hash: null },
};
const IAT_WINDOW_S = 60;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const THUMBPRINT_MEMBERS = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

/** RFC 7638 JWK thumbprint (SHA-256, base64url), or undefined for an unsupported key. */
export function jwkThumbprint(jwk) {
  const members = THUMBPRINT_MEMBERS[jwk?.kty];
  if (!members || members.some((m) => typeof jwk[m] !== 'string')) return undefined;
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return b64url(sha256(canonical));
}

class Refusal extends Error {
  constructor(reason, { error = 'invalid_token', description = reason, status = 401 } = {}) {
    super(description);
    Object.assign(this, { reason, error, status });
  }
}

const proofError = (reason, description) => new Refusal(reason, { error: 'invalid_dpop_proof', description });

function decodeJson(part, what) {
  let value;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw proofError('malformed', `DPoP proof ${what} is not base64url JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw proofError('malformed', `DPoP proof ${what} is not a JSON object`);
  }
  return value;
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) for this request and access token, except the nonce and replay
 * checks, which need the server's state. Returns {header, payload, jkt}.
 */
function checkProof(proof, { method, url, accessToken }) {
  const parts = proof.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw proofError('malformed', 'DPoP proof is not a compact JWS');
  }
  const header = decodeJson(parts[0], 'header');
  const payload = decodeJson(parts[1], 'payload');

  if (header.typ !== 'dpop+jwt') throw proofError('typ', 'DPoP proof typ is not dpop+jwt');
  const spec = Object.hasOwn(ALGS, header.alg) ? ALGS[header.alg] : undefined;
  if (!spec) throw proofError('alg', `unsupported DPoP proof alg ${JSON.stringify(header.alg)}`);
  const { jwk } = header;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw proofError('jwk', 'DPoP proof has no jwk');
  if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) throw proofError('jwk', 'DPoP proof jwk is not a public key');
  if (jwk.kty !== spec.kty || (spec.crv && !spec.crv.includes(jwk.crv))) {
    throw proofError('jwk', `DPoP proof jwk does not fit alg ${header.alg}`);
  }
  let key;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw proofError('jwk', 'DPoP proof jwk is not a valid key');
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  const signature = Buffer.from(parts[2], 'base64url');
  let valid = false;
  try {
    if (spec.ec) {
      valid = verify(spec.hash, signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } else if (spec.pss) {
      valid = verify(spec.hash, signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    } else {
      valid = verify(spec.hash, signed, key, signature);
    }
  } catch {
    valid = false;
  }
  if (!valid) throw proofError('bad_signature', 'DPoP proof signature does not verify');

  if (payload.htm !== method) throw proofError('htm', 'DPoP proof htm does not match the request method');
  let htu;
  try {
    htu = typeof payload.htu === 'string' ? new URL(payload.htu) : undefined;
  } catch {
    htu = undefined;
  }
  const target = new URL(url);
  for (const u of [htu, target]) {
    if (u) {
      u.search = '';
      u.hash = '';
    }
  }
  if (!htu || htu.href !== target.href) throw proofError('htu', 'DPoP proof htu does not match the request URL');
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)
    || Math.abs(Date.now() / 1000 - payload.iat) > IAT_WINDOW_S) {
    throw proofError('iat', 'DPoP proof iat is not recent');
  }
  if (typeof payload.jti !== 'string' || !payload.jti) throw proofError('jti', 'DPoP proof has no jti');
  if (payload.ath !== b64url(sha256(accessToken))) {
    throw proofError('ath', 'DPoP proof ath does not match the access token');
  }
  return { header, payload, jkt: jwkThumbprint(jwk) };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(`http://127.0.0.1:${server.address().port}`);
    });
  });
}

function closer(server) {
  return () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

const ROUTES = {
  '/api/me': 'GET',
  '/api/echo': 'POST',
  '/api/redirect': 'GET',
  '/api/open': 'GET',
  '/api/stream': 'GET',
};

/**
 * Start the resource server. `issuer` is the dev provider (with OP_TEST_HOOKS=1, for the "api"
 * client); `appOrigin` is the only origin CORS lets read its answers; `port` (default: any free
 * one) is for a test that has to name the server's origin before it starts.
 */
export async function startResourceServer({ issuer, appOrigin, port = 0 }) {
  const discovery = await fetch(new URL('/.well-known/openid-configuration', issuer));
  if (!discovery.ok) throw new Error(`resource server: discovery at ${issuer} answered ${discovery.status}`);
  const { introspection_endpoint: introspectionEndpoint } = await discovery.json();
  if (!introspectionEndpoint) throw new Error(`resource server: ${issuer} has no introspection_endpoint`);
  const basic = `Basic ${Buffer.from(`${API_CLIENT_ID}:${API_CLIENT_SECRET}`).toString('base64')}`;
  const allowedOrigin = new URL(appOrigin).origin;

  const ledger = [];
  const seenJti = new Set();
  let nonceRequired = false;
  let nonce = b64url(randomBytes(24));
  let rejections = 0;

  async function introspect(token) {
    let res;
    try {
      res = await fetch(introspectionEndpoint, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token }),
      });
    } catch (err) {
      throw new Refusal('introspection_failed', { status: 502, error: 'server_error', description: String(err) });
    }
    if (!res.ok) {
      throw new Refusal('introspection_failed', { status: 502, error: 'server_error', description: `introspection answered ${res.status}` });
    }
    return res.json();
  }

  /** Authorizes the request; returns {scheme, sub, jkt} or throws a Refusal (with .scheme). */
  async function authorize(req, url) {
    const authorization = req.headers.authorization;
    if (!authorization) throw Object.assign(new Refusal('no_token', { error: 'unauthorized' }), { scheme: null });
    const m = /^(\S+) +(\S+)$/.exec(authorization);
    const kind = m?.[1].toLowerCase();
    if (kind !== 'bearer' && kind !== 'dpop') {
      throw Object.assign(new Refusal('unsupported_scheme', { error: 'invalid_request' }), { scheme: null });
    }
    const scheme = kind === 'dpop' ? 'DPoP' : 'Bearer';
    const accessToken = m[2];
    let challengeScheme = scheme;
    try {
      let proof;
      if (scheme === 'DPoP') {
        const proofs = req.headersDistinct.dpop || [];
        if (proofs.length !== 1) throw proofError('dpop_header_count', 'exactly one DPoP header is needed');
        proof = checkProof(proofs[0], { method: req.method, url, accessToken });
        if (nonceRequired && proof.payload.nonce !== nonce) {
          throw new Refusal('nonce', {
            error: 'use_dpop_nonce',
            description: proof.payload.nonce === undefined ? 'a DPoP nonce is required' : 'the DPoP nonce is not current',
          });
        }
        if (seenJti.has(proof.payload.jti)) throw proofError('replayed_jti', 'DPoP proof jti was used before');
        seenJti.add(proof.payload.jti);
      }
      const info = await introspect(accessToken);
      if (info.active !== true) throw new Refusal('inactive', { description: 'the access token is not active' });
      const boundTo = info.cnf?.jkt;
      if (boundTo) challengeScheme = 'DPoP';
      if (scheme === 'Bearer' && boundTo) {
        throw new Refusal('dpop_bound_as_bearer', { description: 'a DPoP-bound access token needs the DPoP scheme' });
      }
      if (scheme === 'DPoP' && !boundTo) {
        throw new Refusal('not_dpop_bound', { description: 'the access token is not DPoP-bound' });
      }
      if (scheme === 'DPoP' && proof.jkt !== boundTo) {
        throw new Refusal('jkt_mismatch', { description: 'the DPoP proof key is not the one the token is bound to' });
      }
      if (rejections > 0) {
        rejections -= 1;
        throw new Refusal('forced', { description: 'refused by the test' });
      }
      return { scheme, sub: info.sub ?? null, jkt: boundTo ?? null };
    } catch (err) {
      if (err instanceof Refusal) err.scheme = challengeScheme;
      throw err;
    }
  }

  function challenge(err) {
    // No (usable) Authorization header: say which schemes are taken.
    if (!err.scheme) return 'DPoP algs="ES256", Bearer';
    return `${err.scheme} error="${err.error}", error_description="${err.message.replace(/["\\]/g, '')}"`;
  }

  async function handle(req, res) {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cache-Control', 'no-store');
    if (origin === allowedOrigin) {
      res.setHeader('Access-Control-Allow-Origin', allowedOrigin);
      res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce');
    }
    if (req.method === 'OPTIONS') {
      if (origin === allowedOrigin) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, DPoP, Content-Type');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.writeHead(204).end();
      req.resume();
      return;
    }

    const body = await readBody(req);
    const url = `http://${req.headers.host || new URL(rs.origin).host}${req.url}`;
    const parsed = new URL(url);
    const entry = {
      at: Date.now(),
      method: req.method,
      path: parsed.pathname,
      url: req.url,
      origin: origin ?? null,
      scheme: null,
      authorization: req.headers.authorization ?? null,
      dpop: req.headersDistinct.dpop ? req.headersDistinct.dpop.join(', ') : null,
      status: 0,
      reason: null,
      sub: null,
      jkt: null,
      body: body || null,
    };
    const scheme = /^(\S+)/.exec(entry.authorization || '')?.[1].toLowerCase();
    if (scheme === 'dpop') entry.scheme = 'DPoP';
    else if (scheme === 'bearer') entry.scheme = 'Bearer';
    else if (scheme) entry.scheme = scheme;
    ledger.push(entry);
    if (entry.path === '/api/drop') {
      // The request arrived; its answer never does (the connection is cut).
      entry.reason = 'dropped';
      req.socket.destroy();
      return;
    }

    const send = (status, json, headers = {}) => {
      entry.status = status;
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      if (json === undefined) {
        res.writeHead(status).end();
      } else {
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      }
    };

    const expected = ROUTES[parsed.pathname];
    if (!expected) {
      entry.reason = 'not_found';
      send(404, { error: 'not_found' });
      return;
    }
    if (req.method !== expected) {
      entry.reason = 'method';
      send(405, { error: 'method_not_allowed' }, { Allow: `${expected}, OPTIONS` });
      return;
    }
    if (parsed.pathname === '/api/open') {
      send(200, { open: true });
      return;
    }

    let auth;
    try {
      auth = await authorize(req, url);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      entry.reason = err.reason;
      const headers = err.status === 401 ? { 'WWW-Authenticate': challenge(err) } : {};
      if (nonceRequired && err.scheme === 'DPoP') headers['DPoP-Nonce'] = nonce;
      send(err.status, { error: err.error, reason: err.reason }, headers);
      return;
    }
    Object.assign(entry, { sub: auth.sub, jkt: auth.jkt });
    const headers = nonceRequired && auth.scheme === 'DPoP' ? { 'DPoP-Nonce': nonce } : {};

    if (parsed.pathname === '/api/me') {
      send(200, { sub: auth.sub, scheme: auth.scheme, jkt: auth.jkt }, headers);
    } else if (parsed.pathname === '/api/echo') {
      send(200, { sub: auth.sub, scheme: auth.scheme, body }, headers);
    } else if (parsed.pathname === '/api/stream') {
      // Three chunks, 300 ms apart: a client that streams sees the first long before the last.
      entry.status = 200;
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain' });
      for (const [i, chunk] of ['one', 'two', 'three'].entries()) {
        if (i > 0) await new Promise((r) => { setTimeout(r, 300); });
        res.write(`${chunk}\n`);
      }
      res.end();
    } else {
      let to;
      try {
        to = new URL(parsed.searchParams.get('to') ?? '').href;
      } catch {
        entry.reason = 'bad_to';
        send(400, { error: 'invalid_request', reason: 'bad_to' }, headers);
        return;
      }
      send(302, undefined, { ...headers, Location: to });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err?.stack || err));
    });
  });
  const rs = {
    origin: await listen(server, port),
    ledger,
    reset() {
      ledger.length = 0;
      nonceRequired = false;
      rejections = 0;
    },
    requireNonce(on) {
      nonceRequired = Boolean(on);
      if (nonceRequired) nonce = b64url(randomBytes(24));
    },
    nonce: () => nonce,
    rejectNext(n) {
      rejections = Math.max(0, Math.trunc(n) || 0);
    },
    stop: closer(server),
  };
  return rs;
}

/**
 * "Another origin": answers every request 200 (CORS: any origin, method and header, Authorization
 * included) and records each one, preflights included, as {method, url, headers, body}.
 */
export async function startCaptureServer() {
  const requests = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req).catch(() => '');
    requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, body });
    res.setHeader('Access-Control-Allow-Origin', '*');
    // "*" does not cover Authorization, so a preflight gets the headers it asks for as well.
    const asked = req.headers['access-control-request-headers'];
    res.setHeader('Access-Control-Allow-Headers', asked ? `*, ${asked}` : '*');
    res.setHeader('Access-Control-Allow-Methods', '*');
    res.setHeader('Cache-Control', 'no-store');
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
  });
  return {
    origin: await listen(server),
    requests,
    reset() { requests.length = 0; },
    stop: closer(server),
  };
}
