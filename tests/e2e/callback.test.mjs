// Callback handling: the happy path, foreign and replayed authorization responses,
// double processing, and the browser history afterwards.

import assert from 'node:assert/strict';

import {
  appError, appStatus, assertNoSecrets, assertScrubbed, callApi, clickCallApi, e2eTest,
  foreignCallbackUrl, getAccessToken, historyGrowth, login, openApp,
  scanStorage, setupSuite, tokenRequests, txKeys, waitForApp,
} from './harness.mjs';

const env = setupSuite();

e2eTest(env, 'B01 happy path: one code exchange, tokens in memory only, callback URL scrubbed', async ({ page, servers }) => {
  await openApp(page, servers);
  assert.equal(await appStatus(page), 'signed_out');
  await servers.resetLedger();

  const seen = await login(page, servers);
  assert.ok(seen.loginForm && seen.consent, 'the provider showed its login and consent forms');
  assert.ok(seen.callbackUrl, 'the browser was sent to the callback');
  const response = new URL(seen.callbackUrl);
  assert.ok(response.searchParams.get('code') && response.searchParams.get('state') && response.searchParams.get('iss'));

  assert.equal(await appStatus(page), 'signed_in');
  assert.equal(await appError(page), null);
  const claims = JSON.parse(await page.locator('#claims').textContent());
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.iss, servers.issuer);

  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'authorization_code').length, 1, 'exactly one authorization_code grant');
  assert.equal(tokenRequests(ledger).length, 1, 'no other token request');
  assert.equal(tokenRequests(ledger)[0].status, 200);

  // Address bar: no response parameters, and the callback did not add history entries.
  assertScrubbed(page.url());
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await historyGrowth(page), 0, 'history.length grew while handling the callback');

  // The access token is usable and is one the provider issued.
  const { token, error } = await getAccessToken(page);
  assert.equal(error, undefined);
  const issued = await servers.issued();
  assert.ok(issued.accessTokens.includes(token), 'getAccessToken returned an issued access token');
  assert.equal((await callApi(servers, token)).status, 200);
  const api = await clickCallApi(page);
  assert.equal(api.status, 200, `Call API failed: ${JSON.stringify(api)}`);
  assert.match(api.text, /"hello": "alice"/);

  // Nothing secret in storage or in the document.
  const scan = await scanStorage(page);
  assert.deepEqual(txKeys(scan), [], 'the transaction record is gone');
  assertNoSecrets([scan.text], await servers.secrets(), 'storage');
  assertNoSecrets([await page.content()], [...issued.codes, ...issued.accessTokens, ...issued.refreshTokens,
    ...issued.idTokens, ...issued.codeVerifiers], 'document');
});

e2eTest(env, 'B04 callback from a flow this page never started: no_pending_login, no token request', async ({ page, servers, browser }) => {
  const foreign = await foreignCallbackUrl(browser, servers);
  await servers.resetLedger();

  await page.goto(foreign);
  await waitForApp(page);
  const outcome = await page.evaluate(() => window.__callback);
  assert.deepEqual(outcome, { ok: false, code: 'no_pending_login' });
  assert.equal((await appError(page))?.code, 'no_pending_login');
  assert.equal(await appStatus(page), 'signed_out');
  assert.equal(await page.evaluate(() => window.__auth.isAuthenticated()), false);
  const { error } = await getAccessToken(page);
  assert.ok(error, 'getAccessToken must fail without a session');

  assert.deepEqual(tokenRequests(await servers.ledger()), [], 'no token request for a foreign response');
  assertScrubbed(page.url());
  assert.equal(await historyGrowth(page), 0);

  // Back does not return to the response URL.
  await page.goBack().catch(() => null);
  assert.ok(!page.url().includes('code='), `Back landed on ${page.url()}`);

  const scan = await scanStorage(page).catch(() => null);
  if (scan) assertNoSecrets([scan.text], await servers.secrets(), 'storage');
});

e2eTest(env, 'B05 replaying the callback after success: no_pending_login, one code exchange, session intact', async ({ page, servers }) => {
  await openApp(page, servers);
  await servers.resetLedger();
  const seen = await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  const { token } = await getAccessToken(page);
  assert.ok(token);

  // Same page, same client instance (a router or effect processing the URL again).
  const again = await page.evaluate(async (url) => {
    try {
      await window.__auth.handleRedirectCallback(url);
      return { ok: true };
    } catch (e) {
      return { ok: false, code: e.code };
    }
  }, seen.callbackUrl);
  assert.deepEqual(again, { ok: false, code: 'no_pending_login' });
  assert.equal(await page.evaluate(() => window.__auth.isAuthenticated()), true, 'the first session survives');
  const api = await clickCallApi(page);
  assert.equal(api.status, 200, `Call API after the replay: ${JSON.stringify(api)}`);

  // Reload of the response URL (a new document; tokens were in memory only).
  await page.goto(seen.callbackUrl);
  await waitForApp(page);
  assert.deepEqual(await page.evaluate(() => window.__callback), { ok: false, code: 'no_pending_login' });
  assertScrubbed(page.url());

  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'authorization_code').length, 1, 'exactly one authorization_code grant');
  assert.equal(tokenRequests(ledger).length, 1);
  // A second redemption would have revoked the grant and with it this access token.
  assert.equal((await callApi(servers, token)).status, 200, 'the first session still works at the API');
});

async function doubleCallback(page, servers, { explicitUrl }) {
  // A probe page on the app origin takes the authorization response in the same tab
  // (where the pending login lives) and processes it twice without yielding in between,
  // as a framework that runs an effect twice would.
  const probe = servers.probePage(explicitUrl ? 'double-callback-url' : 'double-callback', `
  const auth = await createClient(config);
  window.__auth = auth;
  history.replaceState(null, '', '/callback' + location.search);
  const url = ${explicitUrl ? 'location.href' : 'undefined'};
  const first = auth.handleRedirectCallback(url);
  const second = auth.handleRedirectCallback(url);
  const settled = await Promise.allSettled([first, second]);
  window.__double = settled.map((r) => (r.status === 'fulfilled'
    ? { ok: true, returnTo: r.value && r.value.returnTo }
    : { ok: false, code: r.reason && r.reason.code }));
  `);
  await openApp(page, servers);
  await servers.resetLedger();
  const { callbackUrl } = await login(page, servers, { divert: true });
  assert.ok(callbackUrl);
  await page.goto(probe + new URL(callbackUrl).search);
  await waitForApp(page);

  assert.equal(await page.evaluate(() => window.__probeError ?? null), null);
  const [first, second] = await page.evaluate(() => window.__double);
  assert.equal(first.ok, true, `first call: ${JSON.stringify(first)}`);

  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'authorization_code').length, 1, 'exactly one authorization_code grant');
  assertScrubbed(page.url());
  const { token, error } = await getAccessToken(page);
  assert.equal(error, undefined);
  assert.equal((await callApi(servers, token)).status, 200, 'grant not revoked');

  assert.ok(second.ok || second.code === 'no_pending_login',
    `second call must share the result or fail with no_pending_login: ${JSON.stringify(second)}`);
  if (second.ok) assert.deepEqual(second, first);
}

e2eTest(env, 'B06 handleRedirectCallback() twice in the same tick: one token request', async ({ page, servers }) => {
  await doubleCallback(page, servers, { explicitUrl: false });
});

e2eTest(env, 'B06 handleRedirectCallback(url) twice in the same tick with the URL given: one token request', async ({ page, servers }) => {
  await doubleCallback(page, servers, { explicitUrl: true });
});

e2eTest(env, 'B13 Back after login never lands on a URL with the code', async ({ page, servers }) => {
  await openApp(page, servers);
  const seen = await login(page, servers);
  assert.ok(seen.callbackUrl);
  assert.equal(await appStatus(page), 'signed_in');
  assertScrubbed(page.url());

  const visited = [];
  for (let i = 0; i < 4; i += 1) {
    const res = await page.goBack({ waitUntil: 'domcontentloaded' }).catch((e) => e);
    if (res === null) break; // no more history
    await page.waitForLoadState('domcontentloaded').catch(() => {});
    visited.push(page.url());
    if (new URL(page.url()).origin === servers.appOrigin) {
      await waitForApp(page);
      visited.push(page.url());
    }
  }
  assert.ok(visited.length > 0, 'there was history to go back through');
  for (const url of visited) {
    assert.ok(!/[?&#]code=/.test(url), `Back reached a URL with a code: ${url}`);
  }
  // The response URL itself is not anywhere in the session history behind us either.
  assert.ok(!visited.includes(seen.callbackUrl));
});
