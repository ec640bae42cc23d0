// The test rig itself: the static server, the provider's protected API and its test hooks.
// (These carry no case id: they check the harness that the numbered cases rely on.)

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';

import {
  PKG_DIR, e2eTest, login, openApp, setupSuite, tokenRequests,
} from './harness.mjs';

const env = setupSuite();

function rawGet(origin, path) {
  // node:http, so that paths like /pkg/../x reach the server unnormalised.
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

e2eTest(env, 'infra: the app server serves the app, the package and the SPA fallback with the right headers', async ({ servers }) => {
  const get = (path) => fetch(new URL(path, servers.appOrigin));
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(index.headers.get('cache-control'), 'no-store');
  const html = await index.text();
  assert.ok(html.indexOf('/config.js') < html.indexOf('/app.js'), 'config.js loads before app.js');

  const callback = await get('/callback?code=x&state=y');
  assert.equal(callback.status, 200);
  assert.equal(await callback.text(), html, '/callback falls back to index.html');

  const js = await get('/pkg/index.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  for (const wasm of readdirSync(PKG_DIR).filter((f) => f.endsWith('.wasm'))) {
    const res = await get(`/pkg/${wasm}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/wasm');
    await res.arrayBuffer();
  }
  const app = await get('/app.js');
  assert.match(app.headers.get('content-type'), /^text\/javascript/);

  const config = await (await get('/config.js')).text();
  assert.ok(config.includes(JSON.stringify(servers.issuer)), 'config.js carries the issuer');

  assert.equal((await get('/missing.js')).status, 404);
  assert.equal(await rawGet(servers.appOrigin, '/pkg/../www-example/package.json'), 404);
  assert.equal(await rawGet(servers.appOrigin, '/..%2f..%2fpackage.json'), 404);
});

e2eTest(env, 'infra: the protected API and CORS for the app origin', async ({ servers }) => {
  const api = `${servers.issuer}/api/hello`;
  const none = await fetch(api, { headers: { origin: servers.appOrigin } });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('access-control-allow-origin'), servers.appOrigin);
  const bad = await fetch(api, { headers: { authorization: 'Bearer nope' } });
  assert.equal(bad.status, 401);
  assert.match(bad.headers.get('www-authenticate'), /invalid_token/);
  const preflight = await fetch(api, {
    method: 'OPTIONS',
    headers: { origin: servers.appOrigin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), servers.appOrigin);
  assert.match(preflight.headers.get('access-control-allow-headers'), /authorization/i);
  const foreign = await fetch(api, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:1' } });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);

  const tokenPreflight = await fetch(`${servers.issuer}/token`, {
    method: 'OPTIONS', headers: { origin: servers.appOrigin, 'access-control-request-method': 'POST' },
  });
  assert.equal(tokenPreflight.headers.get('access-control-allow-origin'), servers.appOrigin);

  const discovery = await (await fetch(`${servers.issuer}/.well-known/openid-configuration`)).json();
  assert.equal(discovery.issuer, servers.issuer);
  assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
  assert.equal(discovery.authorization_response_iss_parameter_supported, true);
  assert.ok(discovery.revocation_endpoint);
  assert.ok(discovery.end_session_endpoint);
});

e2eTest(env, 'infra: faults apply once, the ledger records, redirect rewrites work', async ({ page, servers }) => {
  await servers.resetLedger();
  const form = (body) => ({
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body),
  });
  const refresh = { grant_type: 'refresh_token', refresh_token: 'not-a-token', client_id: 'spa' };

  await servers.addFault({ route: 'token', grantType: 'refresh_token', status: 503, headers: { 'retry-after': '1' } });
  const faulted = await fetch(`${servers.issuer}/token`, form(refresh));
  assert.equal(faulted.status, 503);
  assert.equal(faulted.headers.get('retry-after'), '1');
  const normal = await fetch(`${servers.issuer}/token`, form(refresh));
  assert.equal(normal.status, 400, 'the fault applied once');
  assert.equal((await normal.json()).error, 'invalid_grant');

  await servers.addFault({ route: 'api', delayMs: 600 });
  const t0 = Date.now();
  await fetch(`${servers.issuer}/api/hello`);
  assert.ok(Date.now() - t0 >= 550, 'the delay applied');

  const ledger = await servers.ledger();
  const tokens = tokenRequests(ledger, 'refresh_token');
  assert.equal(tokens.length, 2);
  assert.deepEqual(tokens.map((e) => e.status), [503, 400]);
  assert.equal(tokens[0].refresh_token, tokens[1].refresh_token, 'hashed refresh token recorded');
  assert.ok(!JSON.stringify(ledger).includes('not-a-token'), 'the ledger stores hashes, not values');

  // Authorization response rewrites, observed without letting the app process the response.
  await servers.addFault({ route: 'authorization', stripIss: true, addParams: { extra: 'x' } });
  await openApp(page, servers);
  const { callbackUrl } = await login(page, servers, { divert: true });
  const response = new URL(callbackUrl);
  assert.equal(response.pathname, '/callback');
  assert.ok(response.searchParams.get('code'));
  assert.ok(response.searchParams.get('state'));
  assert.equal(response.searchParams.has('iss'), false, 'iss stripped');
  assert.equal(response.searchParams.get('extra'), 'x');
  assert.deepEqual(await (await fetch(`${servers.issuer}/__faults`)).json(), [], 'no fault left pending');
});
