// Storage: tokens never reach any browser storage; the only record is the pending-login
// transaction in sessionStorage, and only between the redirect and the callback.

import assert from 'node:assert/strict';

import {
  appStatus, assertNoSecrets, clickCallApi, e2eTest, login, logout, openApp, scanAppStorageFromHere,
  scanStorage, setupSuite, txKeys, waitForApp,
} from './harness.mjs';

const env = setupSuite();

e2eTest(env, 'I01 storage scan after every step: no token or code; one oxidc.tx.* record only during the redirect', async ({ page, servers }) => {
  const tokensAndCodes = async () => {
    const i = await servers.issued();
    return [...i.codes, ...i.accessTokens, ...i.refreshTokens, ...i.idTokens];
  };
  const checkApp = async (label) => {
    const scan = await scanStorage(page);
    assert.equal(scan.origin, servers.appOrigin, `${label}: scanned the app origin`);
    assertNoSecrets([scan.text], await servers.secrets(), `storage ${label}`);
    assert.deepEqual(txKeys(scan), [], `${label}: no transaction record left`);
    assert.deepEqual(Object.keys(scan.localStorage).filter((k) => k.startsWith('oxidc')), [], `${label}: localStorage`);
    assert.deepEqual(scan.indexedDB, [], `${label}: IndexedDB`);
    assert.deepEqual(scan.caches, [], `${label}: CacheStorage`);
    assert.deepEqual(scan.serviceWorkers, [], `${label}: service workers`);
    return scan;
  };

  // The app origin's storage while the tab is at the provider (login form, consent form).
  const leaveForProvider = async () => {
    await page.locator('#login').click();
    await page.waitForURL((u) => u.origin === servers.issuer && u.pathname.startsWith('/interaction/'));
    await page.waitForLoadState('domcontentloaded');
    return scanAppStorageFromHere(page, servers);
  };
  const checkRedirect = async (label, scan) => {
    assert.equal(scan.origin, servers.appOrigin);
    const keys = txKeys(scan);
    assert.equal(keys.length, 1, `${label}: exactly one oxidc.tx.* record while the login is pending (${Object.keys(scan.sessionStorage)})`);
    assert.deepEqual(Object.keys(scan.localStorage).filter((k) => k.startsWith('oxidc')), [], 'never in localStorage');
    assertNoSecrets([scan.text], await tokensAndCodes(), `storage ${label}`);
  };

  await openApp(page, servers);
  await checkApp('before login');

  // First login.
  await checkRedirect('during the redirect', await leaveForProvider());
  const provider = await scanStorage(page);
  assertNoSecrets([provider.text], await tokensAndCodes(), 'storage at the provider');
  const seen = await login(page, servers, { start: false });
  assert.equal(await appStatus(page), 'signed_in');
  await checkApp('after the callback');

  assert.equal((await clickCallApi(page)).status, 200);
  await checkApp('after Call API');

  await page.locator('#refresh').click();
  await page.waitForFunction(() => /refreshed/.test(document.getElementById('api-result').textContent)
    || !document.getElementById('error').hidden);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  await checkApp('after Force refresh');

  await logout(page, servers);
  assert.equal(await appStatus(page), 'signed_out');
  await checkApp('after logout');

  // A failed callback (the old response again) leaves nothing behind either.
  await page.goto(seen.callbackUrl);
  await waitForApp(page);
  assert.equal((await page.evaluate(() => window.__callback)).ok, false);
  await checkApp('after a rejected callback');

  // Second login, with the first session's tokens known to the scanner.
  await openApp(page, servers);
  await checkRedirect('during the second redirect', await leaveForProvider());
  await login(page, servers, { start: false });
  assert.equal(await appStatus(page), 'signed_in');
  await checkApp('after the second callback');
});
