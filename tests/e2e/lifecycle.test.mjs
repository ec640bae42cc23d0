// Page lifecycle: the session is re-checked when the page wakes up (sleep, background tab, back-forward
// cache), and renewed in the background before expiry when autoRefresh is on. The engine runs in a
// worker on the real clock, so access tokens live 20 s here (renewal due after 10 s: the margin is
// capped at half the lifetime) and the tests wait for that time to pass.
import assert from 'node:assert/strict';

import {
  appStatus, callApi, e2eTest, getAccessToken, login, openApp, setupSuite, tokenRequests,
} from './harness.mjs';

const AT_TTL = 20;
const RENEW_AFTER_MS = (AT_TTL / 2) * 1000;
const env = setupSuite({ atTtl: AT_TTL });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function refreshes(servers) {
  return tokenRequests(await servers.ledger(), 'refresh_token').length;
}

async function waitForRefreshes(servers, n, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await refreshes(servers)) >= n) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`expected ${n} refresh request(s), saw ${await refreshes(servers)}`);
}

async function signedIn(page, context, servers, config) {
  if (config) await context.addInitScript((c) => { window.OXIDC_CONFIG = c; }, config);
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await servers.resetLedger();
  return Date.now();
}

e2eTest(env, 'G03 waking from sleep: past the renewal time, visibilitychange renews before any call', async ({ page, context, servers }) => {
  const t0 = await signedIn(page, context, servers);
  await sleep(RENEW_AFTER_MS + 1500 - (Date.now() - t0));
  assert.equal(await refreshes(servers), 0, 'nothing renews without a wake-up signal (autoRefresh off)');
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await waitForRefreshes(servers, 1);
  const { token } = await getAccessToken(page);
  assert.equal((await callApi(servers, token)).status, 200, 'the renewed token works');
  assert.equal(await refreshes(servers), 1, 'getAccessToken used the renewed token');
  assert.equal(await appStatus(page), 'signed_in');
});

e2eTest(env, 'G03 a page restored from the back-forward cache (pageshow) re-checks expiry', async ({ page, context, servers }) => {
  const t0 = await signedIn(page, context, servers);
  await sleep(RENEW_AFTER_MS + 1500 - (Date.now() - t0));
  assert.equal(await refreshes(servers), 0);
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await waitForRefreshes(servers, 1);
});

e2eTest(env, 'autoRefresh renews in the background shortly before expiry, once', async ({ page, context, servers }) => {
  const t0 = await signedIn(page, context, servers, { autoRefresh: true });
  await sleep(RENEW_AFTER_MS - 2000 - (Date.now() - t0));
  assert.equal(await refreshes(servers), 0, 'not before the margin');
  await waitForRefreshes(servers, 1, 6000);
  await sleep(1500);
  assert.equal(await refreshes(servers), 1, 'one renewal, no loop');
  const { token } = await getAccessToken(page);
  assert.equal((await callApi(servers, token)).status, 200);
  assert.equal(await refreshes(servers), 1);
});

e2eTest(env, 'autoRefresh backs off while renewals keep failing: no request storm, the session is kept', async ({ page, context, servers }) => {
  await signedIn(page, context, servers, { autoRefresh: true });
  // An OAuth error that keeps the session and is not retried: each attempt fails once.
  await servers.addFault({
    route: 'token',
    grantType: 'refresh_token',
    times: 100,
    status: 400,
    body: '{"error":"invalid_request"}',
    headers: { 'content-type': 'application/json' },
  });
  await waitForRefreshes(servers, 1, RENEW_AFTER_MS + 5000);
  const failed = Date.now();
  await sleep(3000);
  assert.equal(await refreshes(servers), 1, 'one failed renewal, then a wait, not a loop');
  assert.equal(await appStatus(page), 'signed_in', 'the session is kept');
  await servers.resetFaults();
  // The first wait after a failure is 30 s.
  await sleep(25_000 - (Date.now() - failed));
  assert.equal(await refreshes(servers), 1, 'still waiting');
  await waitForRefreshes(servers, 2, 10_000);
  const { token } = await getAccessToken(page);
  assert.equal((await callApi(servers, token)).status, 200, 'renewed once the provider is back');
}, { allowRejections: true });
