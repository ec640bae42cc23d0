// The getAccessToken hot path of the package: while the session holds the same fresh token the
// page facade hands out the string it got before, without asking the engine in the worker. It must
// never outlive the token: after a refresh, an expiry or a logout the current answer comes back.

import assert from 'node:assert/strict';

import {
  appStatus, e2eTest, getAccessToken, login, openApp, setupSuite, tokenRequests,
} from './harness.mjs';

// Tokens live 20 s, so renewal is due after 10 s (the margin is capped at half the lifetime). The
// engine runs in a worker, on the real clock: the test waits for that time to pass.
const AT_TTL = 20;
const env = setupSuite({ atTtl: AT_TTL });

e2eTest(env, 'hot path: the same token while fresh, the new one after a refresh, an expiry and a logout', async ({ page, servers }) => {
  // Counts the token requests the page facade posts to the engine's worker.
  await page.addInitScript(() => {
    window.__tokenPosts = 0;
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function postMessage(msg, ...rest) {
      if (msg && msg.op === 'token') window.__tokenPosts += 1;
      return post.call(this, msg, ...rest);
    };
  });
  const tokenPosts = () => page.evaluate(() => window.__tokenPosts);
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await servers.resetLedger();

  const first = await getAccessToken(page);
  assert.equal(first.error, undefined, JSON.stringify(first.error));
  const again = await page.evaluate(async () => {
    const tokens = [];
    for (let i = 0; i < 100; i += 1) tokens.push(await window.__auth.getAccessToken());
    return [...new Set(tokens)];
  });
  assert.deepEqual(again, [first.token], 'one token while it is fresh');
  assert.equal(tokenRequests(await servers.ledger()).length, 0, 'no token request on the hot path');
  assert.equal(await tokenPosts(), 1, 'answered in the page: one message to the worker for 101 calls');

  const forced = await getAccessToken(page, { forceRefresh: true });
  assert.equal(forced.error, undefined, JSON.stringify(forced.error));
  assert.notEqual(forced.token, first.token, 'a forced refresh gives a new token');
  const posts = await tokenPosts();
  assert.equal((await getAccessToken(page)).token, forced.token, 'the refreshed token, not the cached one');
  assert.equal(await tokenPosts(), posts, 'the renewed token is answered in the page too, with no message');

  await new Promise((r) => setTimeout(r, (AT_TTL / 2 + 1.5) * 1000)); // past the refreshed token's renewal time
  const renewed = await getAccessToken(page);
  assert.equal(renewed.error, undefined, JSON.stringify(renewed.error));
  assert.notEqual(renewed.token, forced.token, 'renewed once inside the margin');
  assert.equal((await getAccessToken(page)).token, renewed.token);
  assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 2, 'one forced and one due refresh');

  // Logout clears the session, then navigates to the provider: keep the page here to look. A 204
  // answer cancels that navigation and leaves the page as it is (an aborted request could commit an
  // error page first, and take the page's context with it).
  await page.route((u) => u.pathname.startsWith('/session/end'), (route) => route.fulfill({ status: 204, body: '' }));
  const afterLogout = await page.evaluate(async () => {
    const auth = window.__auth;
    await auth.logout().catch(() => {});
    try {
      return { token: await auth.getAccessToken() };
    } catch (e) {
      return { code: e.code };
    }
  });
  assert.equal(afterLogout.token, undefined, 'no token after logout');
  assert.equal(afterLogout.code, 'login_required');
});
