// Start-up: the package entry sends the discovery request while the WebAssembly module loads (one
// round trip less per page load), only for an issuer the client accepts, and its answer gets the
// same deadline and checks as any other request.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  appError, appStatus, clientConfig, e2eTest, openApp, setupSuite,
} from './harness.mjs';

const env = setupSuite();

/** Counts the discovery requests the page sends from now on (CORS preflights excluded). */
function countDiscoveries(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname.endsWith('/.well-known/openid-configuration')) seen.push(r.url());
  });
  return seen;
}

/** Runs createClient with `config` in the app page (module already loaded) and returns its outcome. */
const createIn = (page, config) => page.evaluate(async (c) => {
  const { createClient } = await import('/pkg/index.js');
  const started = performance.now();
  try {
    await createClient(c);
    return { ok: true, ms: performance.now() - started };
  } catch (e) {
    return { ok: false, code: e.code, detail: e.detail, ms: performance.now() - started };
  }
}, config);

e2eTest(env, 'start-up: discovery is fetched while the wasm loads, once', async ({ page, servers }) => {
  // The wasm is held back until the discovery document has arrived (at most 10 s): without the
  // early request, discovery would only start after the wasm, and the assertion below fails.
  const discovered = page.waitForResponse((r) => r.url().endsWith('/.well-known/openid-configuration'), { timeout: 10_000 });
  await page.route((u) => u.pathname.endsWith('/oxidc_bg.wasm'), async (route) => {
    await Promise.race([discovered.catch(() => {}), sleep(10_000)]);
    await route.fallback();
  });
  const seen = countDiscoveries(page);
  await openApp(page, servers);
  assert.equal(await appStatus(page), 'signed_out', JSON.stringify(await appError(page)));
  const t = await page.evaluate(() => {
    const entries = performance.getEntriesByType('resource');
    const find = (suffix) => entries.find((e) => new URL(e.name).pathname.endsWith(suffix));
    const wasm = find('/oxidc_bg.wasm');
    const discovery = find('/.well-known/openid-configuration');
    return { wasmEnd: wasm.responseEnd, discoveryStart: discovery.startTime, discoveryEnd: discovery.responseEnd };
  });
  assert.ok(t.discoveryEnd < t.wasmEnd, `discovery done before the wasm arrived: ${JSON.stringify(t)}`);
  assert.deepEqual(seen, [`${servers.issuer}/.well-known/openid-configuration`], 'one discovery request');
});

e2eTest(env, 'start-up: no early request for an issuer the client refuses', async ({ page, servers }) => {
  await openApp(page, servers);
  const seen = countDiscoveries(page);
  // http:// without allowLoopbackHttp, and an issuer with a query: both refused before any request.
  for (const config of [
    { ...clientConfig(servers), allowLoopbackHttp: false },
    { ...clientConfig(servers), issuer: `${servers.issuer}?tenant=a` },
  ]) {
    const r = await createIn(page, config);
    assert.deepEqual([r.ok, r.code], [false, 'invalid_config'], JSON.stringify(r));
  }
  assert.deepEqual(seen, [], 'no request to the provider');
  assert.ok((await createIn(page, clientConfig(servers))).ok);
  assert.equal(seen.length, 1, 'the request is seen when it is sent');
});

e2eTest(env, 'start-up: the early discovery request has the same deadline and checks', async ({ page, servers }) => {
  await openApp(page, servers);
  // Slower than the deadline: timeout, at the deadline rather than when the answer comes.
  await servers.addFault({ route: 'discovery', delayMs: 3000 });
  const slow = await createIn(page, { ...clientConfig(servers), timeoutMs: 500 });
  assert.deepEqual([slow.ok, slow.code], [false, 'timeout'], JSON.stringify(slow));
  assert.ok(slow.ms < 2500, `timed out at the deadline (${slow.ms} ms)`);
  await servers.resetFaults();
  // A redirect is refused, as for any request.
  await servers.addFault({ route: 'discovery', status: 302, headers: { location: `${servers.issuer}/elsewhere` } });
  const moved = await createIn(page, clientConfig(servers));
  assert.deepEqual([moved.ok, moved.code], [false, 'unexpected_redirect'], JSON.stringify(moved));
  await servers.resetFaults();
  assert.ok((await createIn(page, clientConfig(servers))).ok);
}, { allowRejections: true });
