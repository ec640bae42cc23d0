// Where the engine runs: a worker by default, a clear error where no worker can run, and the
// in-page engine only when the app opts out by name.

import assert from 'node:assert/strict';

import { e2eTest, setupSuite } from './harness.mjs';

const env = setupSuite();

/** Opens a probe page that runs createClient with `options` on top of the app's configuration. */
async function probe(page, servers, name, options) {
  const url = servers.probePage(name, `
try {
  const auth = await createClient({ ...config, ...${JSON.stringify(options)} });
  window.__auth = auth;
  window.__result = { ok: true, authenticated: auth.isAuthenticated() };
} catch (e) {
  window.__result = { ok: false, code: e.code, isOidcError: e instanceof OidcError, hint: e.hint };
}
`);
  await page.goto(url);
  await page.waitForFunction(() => window.__result !== undefined);
  return page.evaluate(() => window.__result);
}

const discoveries = async (servers) => (await servers.ledger()).filter((e) => e.route === 'discovery');

e2eTest(env, 'no worker in the browser: createClient fails with worker_unavailable, nothing is sent, no in-page fallback', async ({ page, servers }) => {
  await page.addInitScript(() => {
    delete window.SharedWorker;
    delete window.Worker;
  });
  await servers.resetLedger();
  const r = await probe(page, servers, 'no-worker', {});
  assert.deepEqual({ ok: r.ok, code: r.code, isOidcError: r.isOidcError }, { ok: false, code: 'worker_unavailable', isOidcError: true });
  assert.match(r.hint, /dangerouslyKeepRefreshTokenInPage/, 'the hint names the opt-out');
  assert.deepEqual(await discoveries(servers), [], 'nothing was sent to the provider');
});

e2eTest(env, 'no worker, opted out by name: the engine runs in the page and the client works', async ({ page, servers }) => {
  await page.addInitScript(() => {
    delete window.SharedWorker;
    delete window.Worker;
  });
  const r = await probe(page, servers, 'no-worker-in-page', { dangerouslyKeepRefreshTokenInPage: true });
  assert.deepEqual(r, { ok: true, authenticated: false });
});

e2eTest(env, 'a worker script that cannot load: createClient fails with worker_unavailable instead of hanging', async ({ page, servers }) => {
  // The worker's error event ends it at once; when the browser is slow to fire it, the start-up
  // deadline (timeoutMs plus 5 s) does, still well within the probe's 30 s.
  const r = await probe(page, servers, 'bad-worker-url', { workerUrl: '/pkg/no-such-worker.js', timeoutMs: 2000 });
  assert.equal(r.ok, false);
  assert.equal(r.code, 'worker_unavailable');
});

e2eTest(env, 'a worker that never answers: createClient fails with worker_unavailable after the deadline, not never', async ({ page, servers }) => {
  // A module that loads fine as a worker but is not the engine: it never answers.
  const started = Date.now();
  const r = await probe(page, servers, 'silent-worker', { workerUrl: '/pkg/facade.js', timeoutMs: 500 });
  assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'worker_unavailable' });
  assert.ok(Date.now() - started < 20_000);
});

e2eTest(env, 'a malformed option of the page facade is invalid_config, named', async ({ page, servers }) => {
  const r = await probe(page, servers, 'bad-share-tabs', { shareTabs: 'yes' });
  assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'invalid_config' });
});

e2eTest(env, 'the engine runs in a SharedWorker by default and in a dedicated Worker with shareTabs: false', async ({ page, servers }) => {
  await page.addInitScript(() => {
    window.__workers = [];
    for (const name of ['SharedWorker', 'Worker']) {
      const Orig = window[name];
      window[name] = function Wrapped(url, opts) {
        window.__workers.push({ kind: name, url: String(url), type: opts?.type ?? 'classic' });
        return new Orig(url, opts);
      };
      window[name].prototype = Orig.prototype;
    }
  });
  const kinds = () => page.evaluate(() => window.__workers.map((w) => [w.kind, new URL(w.url).pathname, w.type]));
  const shared = await probe(page, servers, 'kind-shared', {});
  assert.equal(shared.ok, true);
  assert.deepEqual(await kinds(), [['SharedWorker', '/pkg/worker.js', 'module']]);
  const dedicated = await probe(page, servers, 'kind-dedicated', { shareTabs: false });
  assert.equal(dedicated.ok, true);
  assert.deepEqual(await kinds(), [['Worker', '/pkg/worker.js', 'module']]);
});

e2eTest(env, 'a worker that dies: the page calls fail with worker_unavailable after their deadline instead of waiting for ever', async ({ page, servers, browser }) => {
  // timeoutMs 100: a call's deadline is 3 x 100 ms + 65 s (the engine's own longest legitimate wait).
  const r = await probe(page, servers, 'dying-worker', { timeoutMs: 100 });
  assert.equal(r.ok, true);
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const workers = targetInfos.filter((t) => t.type === 'shared_worker');
  assert.equal(workers.length, 1);
  await cdp.send('Target.closeTarget', { targetId: workers[0].targetId });
  await cdp.detach();
  const started = Date.now();
  const out = await page.evaluate(async () => {
    try {
      await window.__auth.getAccessToken({ forceRefresh: true });
      return { ok: true };
    } catch (e) {
      return { ok: false, code: e.code, detail: e.detail };
    }
  });
  assert.deepEqual(out, { ok: false, code: 'worker_unavailable', detail: 'worker_timeout' });
  assert.ok(Date.now() - started < 80_000);
}, { timeout: 120_000 });
