// Development OpenID Provider for the oxidc example app and the end-to-end tests.
//
//   node provider.mjs
//
// Environment:
//   OP_PORT        port to listen on (default 9000; 0 picks a free port)
//   APP_ORIGIN     origin of the single-page app (default http://127.0.0.1:8080)
//   AT_TTL         access-token lifetime in seconds (default 300)
//   OP_TEST_HOOKS  "1" enables the test-only endpoints (/__ledger, /__faults, /__issued, /__dpop) and
//                  registers the client "api" (secret "api-secret-for-tests-only", client_secret_basic):
//                  the resource server of the tests, which checks access tokens at the introspection
//                  endpoint (/token/introspection)
//   RT_TTL         refresh-token lifetime in seconds (default: oidc-provider's)
//   RT_ROTATE      "0" keeps the refresh token on refresh (default: rotate it)
//   OP_REQUIRE_PAR "1" takes authorization requests only pushed (RFC 9126, /request; discovery then says
//                  require_pushed_authorization_requests). Pushed requests are accepted either way.
//   OP_EXTRA_CLAIMS  a JSON object of extra claims every account gets, in the ID token and from
//                  userinfo with the profile scope (test data, e.g. fractional or large numbers)
//   OP_EXTRA_REDIRECT_PATHS  comma-separated paths on APP_ORIGIN also accepted as redirect URIs
//                  (test pages, e.g. the benchmark's /__test/ pages)
//   EXIT_WITH_STDIN "1": exit when standard input closes (a test harness that dies takes this along)
//
// DPoP (RFC 9449) is on: the token endpoint binds tokens to a DPoP proof's key when the request has one
// (token_type "DPoP", cnf.jkt in introspection), userinfo then wants "Authorization: DPoP" with a proof,
// and pushed or plain authorization requests take dpop_jkt. DPoP-Nonce headers come with DPoP requests;
// a nonce is required only when a test asks for it (POST /__dpop).
//
// Everything binds to 127.0.0.1. The login form accepts any username and password
// (oidc-provider's development interactions); never expose this server.

import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import Provider from 'oidc-provider';

const HOST = '127.0.0.1';
const PORT = envInt('OP_PORT', 9000);
const APP_ORIGIN = new URL(process.env.APP_ORIGIN || 'http://127.0.0.1:8080').origin;
const AT_TTL = envInt('AT_TTL', 300);
const TEST_HOOKS = process.env.OP_TEST_HOOKS === '1';
const RT_TTL = envInt('RT_TTL', 0);
const RT_ROTATE = process.env.RT_ROTATE !== '0';
const REQUIRE_PAR = process.env.OP_REQUIRE_PAR === '1';
const EXTRA_CLAIMS = envObject('OP_EXTRA_CLAIMS');
const EXTRA_REDIRECT_URIS = (process.env.OP_EXTRA_REDIRECT_PATHS || '').split(',').filter(Boolean)
  .map((path) => new URL(path, APP_ORIGIN).href);

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

function envObject(name) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return {};
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    console.error(`${name} must be a JSON object, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

// Listen first so that OP_PORT=0 works: the issuer needs the real port.
let handler = (req, res) => { res.statusCode = 503; res.end('starting'); };
const server = createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, HOST, resolve);
});
const ISSUER = `http://${HOST}:${server.address().port}`;

// ---------------------------------------------------------------------------
// Keys: a fresh RS256 key for every start.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `dev-${randomUUID()}`,
  alg: 'RS256',
  use: 'sig',
};

// ---------------------------------------------------------------------------
// Accounts: whatever login the development form receives becomes the subject.
function findAccount(_ctx, sub) {
  const name = String(sub);
  const local = name.replace(/[^A-Za-z0-9._-]/g, '_') || 'user';
  return {
    accountId: name,
    claims() {
      return {
        ...EXTRA_CLAIMS,
        sub: name,
        name,
        preferred_username: name,
        email: `${local}@example.test`,
        email_verified: false,
      };
    },
  };
}

// Plain pages without external resources (the defaults pull a web font).
const page = (title, body) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
button{font:inherit;padding:.4rem 1rem;margin:.2rem}</style></head>
<body>${body}</body></html>`;

// Whether DPoP proofs must carry a nonce from this provider (switched by POST /__dpop, test hooks only).
let requireDpopNonce = false;

// The resource server of the tests: it introspects the access tokens it receives.
const API_CLIENT = {
  client_id: 'api',
  client_secret: 'api-secret-for-tests-only',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: [],
  response_types: [],
  redirect_uris: [],
};

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const configuration = {
  clients: [{
    client_id: 'spa',
    client_name: 'oxidc example',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${APP_ORIGIN}/callback`, ...EXTRA_REDIRECT_URIS],
    post_logout_redirect_uris: [`${APP_ORIGIN}/`],
  }, ...(TEST_HOOKS ? [API_CLIENT] : [])],
  jwks: { keys: [signingKey] },
  responseTypes: ['code'],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', ...Object.keys(EXTRA_CLAIMS)],
    email: ['email', 'email_verified'],
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
  },
  // Put the scope-based claims into the ID token as well, so the app can show them.
  conformIdTokenClaims: false,
  findAccount,
  features: {
    devInteractions: { enabled: true },
    // On by default in oidc-provider 9; the nonce secret makes it send DPoP-Nonce (and expose it to CORS).
    dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => requireDpopNonce },
    introspection: {
      enabled: true,
      // The resource server ("api") may introspect every token, any other client only its own.
      allowedPolicy: (ctx, client, token) => client.clientId === API_CLIENT.client_id || client.clientId === token.clientId,
    },
    // On by default in oidc-provider 9 (advertised in discovery); stated here for OP_REQUIRE_PAR.
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: REQUIRE_PAR },
    revocation: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource(ctx, form) {
        ctx.body = page('Sign out', `<h1>Sign out of ${escapeHtml(ctx.host)}?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<h1>Signed out</h1>');
      },
    },
  },
  ttl: {
    AccessToken: AT_TTL,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    // RefreshToken: the default unless RT_TTL is set (rotated refresh tokens never outlive the first one).
    ...(RT_TTL ? { RefreshToken: RT_TTL } : {}),
  },
  rotateRefreshToken: RT_ROTATE,
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description || '')}</p>`);
  },
};

const provider = new Provider(ISSUER, configuration);

// ---------------------------------------------------------------------------
// Test hooks (OP_TEST_HOOKS=1 only):
//
//   GET  /__ledger          every request to /.well-known/*, /auth, /request (route "par"), /token,
//                           /token/revocation, /session/end, /me and /api/hello (OPTIONS excluded): route, method, path,
//                           status, error and, for the token endpoint, grant_type plus sha256 prefixes of code /
//                           refresh_token and, when it succeeded, token_type; for a pushed authorization request,
//                           the names of its form fields (fields); for token, par, revocation and userinfo, dpop
//                           (whether the request had a DPoP header); for userinfo and /api/hello, scheme (of the
//                           Authorization header) and bearer (sha256 prefix of its token, whatever the scheme)
//   POST /__ledger/reset    clear it
//   GET  /__issued          raw codes, access/refresh/ID tokens, code verifiers and nonces seen
//                           (so that tests can search browser output for them)
//   POST /__faults          queue a fault, JSON:
//     route       authorization | par | token | revocation | userinfo | end_session | jwks | discovery | api
//     method      only for this HTTP method          grantType   only for this token grant type
//     times       how many requests it applies to (default 1)
//     delayMs     wait before answering
//     status, body, headers   answer with this instead of the real response
//     phase       "before" (default: the provider never sees the request) or "after" (it does)
//     destroySocket   drop the connection (after the provider handled the request, unless phase says so)
//     truncate    send the status line, headers and half a JSON body, then drop the connection (after the
//                 provider handled the request): a response lost mid-way, which browsers do not resend
//     noCors      answer without Access-Control-Allow-Origin (after the provider handled the request,
//                 unless phase says so), so the browser refuses to hand the response to the page
//     Redirect rewrites, applied to a redirect that leaves the provider (e.g. the authorization response):
//     stripIss, removeParams [names], setParams {k: v}, addParams {k: v} (appended, so duplicates are
//     possible), location (replacement URL), divert (send the browser to /__diverted?to=<original>)
//   GET  /__faults          pending faults            POST /__faults/reset   drop them
//   POST /__dpop            JSON {"requireNonce": true|false}: whether DPoP proofs must carry a nonce of this
//                           provider (default false); answers {ok: true, requireNonce}

const ledger = [];
const issued = { codes: [], accessTokens: [], refreshTokens: [], idTokens: [], codeVerifiers: [], nonces: [] };
let faults = [];

const sha = (v) => (v ? createHash('sha256').update(String(v)).digest('hex').slice(0, 16) : undefined);
const remember = (list, v) => { if (TEST_HOOKS && typeof v === 'string' && v && !list.includes(v)) list.push(v); };

function routeOf(path) {
  if (path === '/auth' || path.startsWith('/auth/')) return 'authorization';
  if (path === '/request') return 'par';
  if (path === '/token') return 'token';
  if (path === '/token/revocation') return 'revocation';
  if (path === '/me') return 'userinfo';
  if (path === '/session/end' || path.startsWith('/session/end/')) return 'end_session';
  if (path === '/jwks') return 'jwks';
  if (path.startsWith('/.well-known/')) return 'discovery';
  if (path === '/api/hello') return 'api';
  if (path.startsWith('/interaction/')) return 'interaction';
  return undefined;
}

const LEDGER_ROUTES = new Set(['discovery', 'authorization', 'par', 'token', 'revocation', 'userinfo', 'end_session', 'api']);
const DPOP_ROUTES = new Set(['token', 'par', 'revocation', 'userinfo']);

function bearerOf(ctx) {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization') || '');
  return m ? m[1] : undefined;
}

// The scheme and token of an Authorization header ("Bearer <token>", "DPoP <token>", ...).
function authorizationOf(ctx) {
  const m = /^(\S+)(?:\s+(\S+))?/.exec(ctx.get('authorization') || '');
  return m ? { scheme: m[1], token: m[2] } : {};
}

function faultMatches(fault, route, ctx) {
  // A CORS preflight is not the request under test: it matches only a fault that names OPTIONS.
  return fault.route === route
    && (fault.method === undefined ? ctx.method !== 'OPTIONS' : fault.method.toUpperCase() === ctx.method)
    && (fault.grantType === undefined || fault.grantType === ctx.state.grantType);
}

function consumeFault(fault) {
  fault.remaining -= 1;
  if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
  return fault;
}

function takeFault(route, ctx, kind) {
  const fault = faults.find((f) => faultMatches(f, route, ctx) && kind(f));
  return fault ? consumeFault(fault) : undefined;
}

const isLocationFault = (f) => Boolean(f.divert || f.stripIss || f.addParams || f.setParams || f.removeParams || f.location);
const isBeforeFault = (f) => !isLocationFault(f) && (f.phase ?? (f.destroySocket || f.noCors || f.truncate ? 'after' : 'before')) === 'before';
const isAfterFault = (f) => !isLocationFault(f) && !isBeforeFault(f);

function corsForApp(ctx) {
  if (ctx.get('origin') === APP_ORIGIN) {
    ctx.set('Access-Control-Allow-Origin', APP_ORIGIN);
    ctx.vary('Origin');
  }
}

async function applyFault(ctx, fault) {
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.truncate) {
    ctx.respond = false;
    const { res } = ctx;
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (ctx.get('origin') === APP_ORIGIN) headers['access-control-allow-origin'] = APP_ORIGIN;
    res.writeHead(200, headers);
    res.write('{"access_token":"', () => setTimeout(() => ctx.req.socket.destroy(), 20));
    return true;
  }
  if (fault.destroySocket) {
    ctx.req.socket.destroy();
    ctx.respond = false;
    return true;
  }
  if (fault.status !== undefined) {
    ctx.status = fault.status;
    ctx.body = fault.body ?? (fault.status >= 400 ? { error: 'server_error', error_description: 'injected fault' } : '');
    for (const [k, v] of Object.entries(fault.headers || {})) ctx.set(k, String(v));
    if (!fault.noCors) corsForApp(ctx);
  }
  if (fault.noCors) {
    ctx.remove('Access-Control-Allow-Origin');
    return true;
  }
  return fault.status !== undefined;
}

function rewriteLocation(ctx, fault) {
  const location = ctx.response.get('location');
  if (fault.divert) {
    // Hold the response back: the browser lands on a provider page that carries it in ?to=.
    ctx.set('Location', `${ISSUER}/__diverted?to=${encodeURIComponent(location)}`);
    return;
  }
  const url = new URL(fault.location ?? location, location);
  const params = url.searchParams;
  if (fault.stripIss) params.delete('iss');
  for (const k of fault.removeParams || []) params.delete(k);
  for (const [k, v] of Object.entries(fault.setParams || {})) params.set(k, v);
  for (const [k, v] of Object.entries(fault.addParams || {})) params.append(k, v);
  ctx.set('Location', url.href);
}

function describeTokenRequest(entry, body) {
  entry.grant_type = body.grant_type;
  entry.client_id = body.client_id;
  if (body.client_secret) entry.client_secret = true;
  if (body.code) entry.code = sha(body.code);
  if (body.refresh_token) entry.refresh_token = sha(body.refresh_token);
  if (body.redirect_uri) entry.redirect_uri = body.redirect_uri;
  if (body.code_verifier) entry.code_verifier_length = body.code_verifier.length;
  if (body.scope) entry.scope = body.scope;
  remember(issued.codeVerifiers, body.code_verifier);
}

async function readJson(ctx) {
  const chunks = [];
  for await (const c of ctx.req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function testHooks(ctx) {
  const { path, method } = ctx;
  ctx.set('Cache-Control', 'no-store');
  if (path === '/__ledger' && method === 'GET') {
    ctx.body = ledger;
  } else if (path === '/__ledger/reset' && method === 'POST') {
    ledger.length = 0;
    ctx.body = { ok: true };
  } else if (path === '/__diverted' && method === 'GET') {
    ctx.type = 'html';
    ctx.body = page('Held', '<h1>Redirect held by a test</h1>');
  } else if (path === '/__issued' && method === 'GET') {
    ctx.body = issued;
  } else if (path === '/__faults' && method === 'GET') {
    ctx.body = faults;
  } else if (path === '/__faults' && method === 'POST') {
    let spec;
    try {
      spec = await readJson(ctx);
    } catch {
      ctx.status = 400;
      ctx.body = { error: 'invalid JSON' };
      return;
    }
    if (!spec || typeof spec.route !== 'string') {
      ctx.status = 400;
      ctx.body = { error: 'a fault needs a "route"' };
      return;
    }
    const fault = { ...spec, id: randomUUID(), remaining: Number.isInteger(spec.times) && spec.times > 0 ? spec.times : 1 };
    faults.push(fault);
    ctx.status = 201;
    ctx.body = fault;
  } else if (path === '/__faults/reset' && method === 'POST') {
    faults = [];
    ctx.body = { ok: true };
  } else if (path === '/__dpop' && method === 'POST') {
    let spec;
    try {
      spec = await readJson(ctx);
    } catch {
      spec = undefined;
    }
    if (!spec || typeof spec.requireNonce !== 'boolean') {
      ctx.status = 400;
      ctx.body = { error: 'expected JSON {"requireNonce": true|false}' };
      return;
    }
    requireDpopNonce = spec.requireNonce;
    ctx.body = { ok: true, requireNonce: requireDpopNonce };
  } else {
    ctx.status = 404;
    ctx.body = { error: 'unknown test hook' };
  }
}

// The protected API: GET /api/hello with a bearer access token issued by this provider.
async function api(ctx) {
  const origin = ctx.get('origin');
  if (origin === APP_ORIGIN) {
    ctx.set('Access-Control-Allow-Origin', APP_ORIGIN);
    ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate');
  }
  ctx.vary('Origin');
  ctx.set('Cache-Control', 'no-store');
  if (ctx.method === 'OPTIONS') {
    if (origin === APP_ORIGIN) {
      ctx.set('Access-Control-Allow-Methods', 'GET');
      ctx.set('Access-Control-Allow-Headers', 'Authorization');
      ctx.set('Access-Control-Max-Age', '600');
    }
    ctx.status = 204;
    return;
  }
  if (ctx.method !== 'GET') {
    ctx.status = 405;
    ctx.set('Allow', 'GET, OPTIONS');
    return;
  }
  const token = bearerOf(ctx);
  let at;
  if (token) {
    try {
      at = await provider.AccessToken.find(token);
      // find() allows the provider's clock tolerance; the API is strict about expiry.
      if (at && (at.isExpired || !(await provider.Grant.find(at.grantId)))) at = undefined;
    } catch {
      at = undefined;
    }
  }
  if (!at) {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', token ? 'Bearer error="invalid_token"' : 'Bearer');
    ctx.body = { error: token ? 'invalid_token' : 'missing bearer token' };
    return;
  }
  ctx.body = { hello: at.accountId, scope: at.scope };
}

provider.use(async (ctx, next) => {
  if (TEST_HOOKS && ctx.path.startsWith('/__')) {
    await testHooks(ctx);
    return;
  }

  const route = routeOf(ctx.path);
  const entry = route && LEDGER_ROUTES.has(route) && TEST_HOOKS && ctx.method !== 'OPTIONS'
    ? { seq: ledger.length + 1, at: Date.now(), route, method: ctx.method, path: ctx.path, origin: ctx.get('origin') || undefined }
    : undefined;
  if (entry) {
    if (route === 'authorization' && ctx.path === '/auth') entry.params = Object.fromEntries(new URLSearchParams(ctx.querystring));
    if (route === 'end_session' && ctx.method === 'GET') {
      const q = new URLSearchParams(ctx.querystring);
      entry.params = Object.fromEntries([...q.keys()].map((k) => [k, k === 'id_token_hint' ? `sha256:${sha(q.get(k))}` : q.get(k)]));
    }
    if (DPOP_ROUTES.has(route)) entry.dpop = Boolean(ctx.get('dpop'));
    if (route === 'userinfo' || route === 'api') {
      const { scheme, token } = authorizationOf(ctx);
      entry.scheme = scheme;
      entry.bearer = sha(token);
    }
    ledger.push(entry);
  }

  if (TEST_HOOKS) {
    if (route === 'authorization' && ctx.path === '/auth') remember(issued.nonces, ctx.query.nonce);
    if (route === 'token' && ctx.method === 'POST' && ctx.req.readable
      && faults.some((f) => f.route === 'token' && f.grantType !== undefined && isBeforeFault(f))) {
      // A fault filtered by grant type has to see the body before oidc-provider parses it;
      // oidc-provider then reads the already-parsed body from req.body.
      const chunks = [];
      for await (const c of ctx.req) chunks.push(c);
      ctx.req.body = Buffer.concat(chunks).toString('utf8');
      ctx.state.tokenBody = Object.fromEntries(new URLSearchParams(ctx.req.body));
      ctx.state.grantType = ctx.state.tokenBody.grant_type;
    }
    const before = route && takeFault(route, ctx, isBeforeFault);
    if (before && await applyFault(ctx, before)) {
      if (entry) {
        entry.status = ctx.status;
        entry.fault = before.id;
        if (ctx.state.tokenBody) describeTokenRequest(entry, ctx.state.tokenBody);
      }
      return;
    }
  }

  if (route === 'api') {
    await api(ctx);
  } else {
    await next();
  }

  if (entry) {
    entry.status = ctx.status;
    const body = ctx.oidc?.body;
    if (route === 'token' && body) describeTokenRequest(entry, body);
    if (route === 'token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      entry.token_type = ctx.body.token_type;
    }
    if (route === 'par' && body) {
      // Names only: the values (state, nonce, PKCE challenge) stay out of the ledger.
      entry.fields = Object.keys(body);
      remember(issued.nonces, body.nonce);
    }
    if (route === 'revocation' && body) {
      entry.token = sha(body.token);
      entry.token_type_hint = body.token_type_hint;
      entry.client_id = body.client_id;
    }
    if (ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) && typeof ctx.body.error === 'string') {
      entry.error = ctx.body.error;
    }
  }

  if (TEST_HOOKS) {
    ctx.state.grantType ??= ctx.oidc?.body?.grant_type;
    const location = ctx.response.get('location');
    if (route === 'token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      remember(issued.accessTokens, ctx.body.access_token);
      remember(issued.refreshTokens, ctx.body.refresh_token);
      remember(issued.idTokens, ctx.body.id_token);
    }
    if (location) {
      let target;
      try { target = new URL(location, ISSUER); } catch { target = undefined; }
      if (target && target.origin !== new URL(ISSUER).origin) {
        remember(issued.codes, target.searchParams.get('code'));
        // Every pending Location fault for this route applies, in the order they were added.
        const pending = faults.filter((f) => faultMatches(f, route, ctx) && isLocationFault(f));
        for (const fault of pending) {
          consumeFault(fault);
          rewriteLocation(ctx, fault);
          if (entry) entry.fault = fault.id;
        }
      }
    }
    const after = route && takeFault(route, ctx, isAfterFault);
    if (after) {
      if (entry) entry.fault = after.id;
      await applyFault(ctx, after);
    }
  }
});

handler = provider.callback();
console.log(`provider ready ${ISSUER}`);

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
if (process.env.EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
