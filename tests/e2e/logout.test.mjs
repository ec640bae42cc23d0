// Logout: RP-initiated logout clears the client and ends the provider session.

import assert from 'node:assert/strict';

import {
  appStatus, assertScrubbed, callApi, e2eTest, getAccessToken, login, logout, openApp, setupSuite,
} from './harness.mjs';

const env = setupSuite();

e2eTest(env, 'J01 logout clears the tokens and ends the provider session', async ({ page, servers, t }) => {
  await openApp(page, servers);
  const first = await login(page, servers);
  assert.ok(first.loginForm, 'the first login asks for credentials');
  assert.equal(await appStatus(page), 'signed_in');
  const { token } = await getAccessToken(page);
  assert.ok(token);
  await servers.resetLedger();

  await logout(page, servers);
  assert.equal(await appStatus(page), 'signed_out');
  assertScrubbed(page.url());
  assert.equal(await page.evaluate(() => window.__auth.isAuthenticated()), false);
  assert.equal(await page.evaluate(() => window.__auth.user()), null);
  const after = await getAccessToken(page);
  assert.ok(after.error, 'no access token after logout');

  const ledger = await servers.ledger();
  const endSession = ledger.filter((e) => e.route === 'end_session' && e.method === 'GET' && e.path === '/session/end');
  assert.equal(endSession.length, 1, 'one visit to the end_session_endpoint');
  const params = endSession[0].params;
  assert.equal(params.client_id, 'spa');
  assert.equal(params.post_logout_redirect_uri, `${servers.appOrigin}/`);
  assert.ok(params.id_token_hint, 'an id_token_hint is sent');
  const revocations = ledger.filter((e) => e.route === 'revocation');
  t.diagnostic(`revocation requests during logout: ${revocations.length}`);
  t.diagnostic(`access token from before the logout, at the API: ${(await callApi(servers, token)).status}`);

  // The provider session is gone: logging in again asks for credentials.
  const second = await login(page, servers);
  assert.ok(second.loginForm, 'after logout the provider asks for credentials again');
  assert.equal(await appStatus(page), 'signed_in');

  // RP-Initiated Logout: the request carries a fresh state for the return trip.
  assert.ok(params.state, `a state is sent to the end_session_endpoint (sent: ${Object.keys(params).join(', ')})`);
});
