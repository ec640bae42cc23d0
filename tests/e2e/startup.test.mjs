// Start-up: the engine's worker sends the discovery request while its WebAssembly module loads (one
// round trip less per page load), only for an issuer the client accepts, and its answer gets the
// same deadline and checks as any other request.

import assert from 'node:assert/strict';

import {
  appError, appStatus, clientConfig, e2eTest, onWorkers, openApp, setupSuite,
} from './harness.mjs';

const env = setupSuite();

const discoveries = async (servers) => (await servers.ledger()).filter((e) => e.route === 'discovery' && e.method === 'GET');

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

e2eTest(env, 'start-up: discovery is fetched while the wasm loads, once', async ({ page, servers, browser }) => {
  await servers.resetLedger();
  await openApp(page, servers);
  assert.equal(await appStatus(page), 'signed_out', JSON.stringify(await appError(page)));
  // The worker's own timeline: when the discovery request started, and when the engine was ready
  // (module fetched, compiled and instantiated). Without the early request, discovery would only
  // start once the engine is ready.
  const worker = await onWorkers(browser, 'Runtime.evaluate', {
    returnByValue: true,
    expression: `JSON.stringify({
      discovery: performance.getEntriesByType('resource').find((e) => e.name.endsWith('/.well-known/openid-configuration'))?.startTime,
      wasm: performance.getEntriesByType('resource').find((e) => e.name.endsWith('/oxidc_bg.wasm'))?.startTime,
      ready: performance.getEntriesByName('oxidc:engine-ready')[0]?.startTime,
    })`,
  });
  await worker.close();
  assert.equal(worker.count, 1, 'one engine worker');
  const t = JSON.parse(worker.results[0].result.value);
  assert.ok(t.discovery !== undefined && t.ready !== undefined && t.wasm !== undefined, JSON.stringify(t));
  assert.ok(t.discovery < t.ready, `discovery started before the engine was ready: ${JSON.stringify(t)}`);
  assert.equal((await discoveries(servers)).length, 1, 'one discovery request');
});

e2eTest(env, 'start-up: no early request for an issuer the client refuses', async ({ page, servers }) => {
  await openApp(page, servers);
  await servers.resetLedger();
  // http:// without allowLoopbackHttp, and an issuer with a query: both refused before any request.
  for (const config of [
    { ...clientConfig(servers), allowLoopbackHttp: false },
    { ...clientConfig(servers), issuer: `${servers.issuer}?tenant=a` },
  ]) {
    const r = await createIn(page, config);
    assert.deepEqual([r.ok, r.code], [false, 'invalid_config'], JSON.stringify(r));
  }
  assert.deepEqual(await discoveries(servers), [], 'no request to the provider');
  assert.ok((await createIn(page, { ...clientConfig(servers), timeoutMs: 29_000 })).ok);
  assert.equal((await discoveries(servers)).length, 1, 'the request is seen when it is sent');
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
