// Page lifecycle: the session is re-checked when the page wakes up (sleep, background tab, back-forward
// cache), and renewed in the background before expiry when autoRefresh is on. The page clock is moved
// with Playwright's clock; the provider keeps real time.
import assert from 'node:assert/strict';

import {
  appStatus, callApi, e2eTest, getAccessToken, login, openApp, setupSuite, tokenRequests,
} from './harness.mjs';

const env = setupSuite({ atTtl: 300 });

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

async function signedInWithClock(page, context, servers, config) {
  if (config) await context.addInitScript((c) => { window.OXIDC_CONFIG = c; }, config);
  await page.clock.install();
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await servers.resetLedger();
}

// Only the page clock moves; the provider's does not. So the jump (7 min) is past the access token's
// lifetime (5 min) but short of the age at which a refreshed ID token's iat is refused (10 min), which
// a real sleep never trips because both clocks advance together.
e2eTest(env, 'G03 waking from sleep: after a 7 min clock jump, visibilitychange renews before any call', async ({ page, context, servers }) => {
  await signedInWithClock(page, context, servers);
  await page.clock.fastForward('07:00');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await refreshes(servers), 0, 'nothing renews without a wake-up signal (autoRefresh off)');
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await waitForRefreshes(servers, 1);
  const { token } = await getAccessToken(page);
  assert.equal((await callApi(servers, token)).status, 200, 'the renewed token works');
  assert.equal(await refreshes(servers), 1, 'getAccessToken used the renewed token');
  assert.equal(await appStatus(page), 'signed_in');
});

e2eTest(env, 'G03 a page restored from the back-forward cache (pageshow) re-checks expiry', async ({ page, context, servers }) => {
  await signedInWithClock(page, context, servers);
  await page.clock.fastForward('00:10:00');
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await waitForRefreshes(servers, 1);
});

e2eTest(env, 'autoRefresh renews in the background shortly before expiry, once', async ({ page, context, servers }) => {
  await signedInWithClock(page, context, servers, { autoRefresh: true });
  // Lifetime 300 s, margin 45 s: the timer is due at 255 s.
  await page.clock.fastForward('04:05');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await refreshes(servers), 0, 'not before the margin');
  await page.clock.fastForward('00:15');
  await waitForRefreshes(servers, 1);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await refreshes(servers), 1, 'one renewal, no loop');
  const { token } = await getAccessToken(page);
  assert.equal((await callApi(servers, token)).status, 200);
  assert.equal(await refreshes(servers), 1);
});

e2eTest(env, 'autoRefresh backs off while renewals keep failing: no request storm, the session is kept', async ({ page, context, servers }) => {
  await signedInWithClock(page, context, servers, { autoRefresh: true });
  // An OAuth error that keeps the session and is not retried: each attempt fails once.
  await servers.addFault({
    route: 'token',
    grantType: 'refresh_token',
    times: 100,
    status: 400,
    body: '{"error":"invalid_request"}',
    headers: { 'content-type': 'application/json' },
  });
  await page.clock.fastForward('04:20'); // past the renewal time (255 s)
  await waitForRefreshes(servers, 1);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(await refreshes(servers), 1, 'one failed renewal, then a wait, not a loop');
  assert.equal(await appStatus(page), 'signed_in', 'the session is kept');
  await page.clock.fastForward('00:31'); // past the first wait (30 s)
  await waitForRefreshes(servers, 2);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await refreshes(servers), 2, 'the next wait is longer');
  await servers.resetFaults();
  await page.clock.fastForward('01:01'); // past the second wait (60 s)
  await waitForRefreshes(servers, 3);
  const { token } = await getAccessToken(page);
  assert.equal((await callApi(servers, token)).status, 200, 'renewed once the provider is back');
}, { allowRejections: true });
