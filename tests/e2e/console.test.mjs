// Output hygiene: nothing secret in console output, page errors, rejection reasons,
// error objects or the client object's serialisations.

import assert from 'node:assert/strict';

import {
  assertNoSecrets, clickCallApi, e2eTest, login, logout, openApp, setupSuite, waitForApp,
} from './harness.mjs';

const env = setupSuite();

e2eTest(env, 'I02 no token, code, verifier or nonce in console output, page errors or error objects', async ({ page, servers, capture }) => {
  await openApp(page, servers);
  const seen = await login(page, servers);
  assert.equal((await clickCallApi(page)).status, 200);
  await page.locator('#refresh').click();
  await page.waitForFunction(() => /refreshed/.test(document.getElementById('api-result').textContent)
    || !document.getElementById('error').hidden);

  // Error objects: every way an app might print one.
  const errors = await page.evaluate(async (url) => {
    const out = [];
    const describe = (e) => [String(e), e && e.message, e && e.stack, e && e.code, e && e.detail, e && e.hint,
      JSON.stringify(e), JSON.stringify(e, e ? Object.getOwnPropertyNames(e) : [])].map((v) => String(v));
    try {
      await window.__auth.handleRedirectCallback(url);
      out.push(['replay', 'resolved']);
    } catch (e) {
      console.error('replayed callback failed:', e);
      out.push(['replay', e.code, ...describe(e)]);
    }
    return out;
  }, seen.callbackUrl);
  assert.equal(errors[0][1], 'no_pending_login');

  await logout(page, servers);
  const afterLogout = await page.evaluate(async () => {
    try {
      await window.__auth.getAccessToken();
      return ['resolved'];
    } catch (e) {
      console.warn('getAccessToken after logout:', e);
      return [String(e), JSON.stringify(e, Object.getOwnPropertyNames(e))];
    }
  });

  await page.goto(seen.callbackUrl);
  await waitForApp(page);
  const errorBox = await page.locator('#error').textContent();

  const secrets = await servers.secrets();
  assertNoSecrets([...errors.flat(), ...afterLogout, errorBox], secrets, 'error objects');
  assertNoSecrets(await capture.texts(), secrets, 'console');
  assert.deepEqual(capture.pageErrors, [], 'no uncaught page errors');
  assert.deepEqual(capture.rejections, [], 'no unhandled rejections');
});

e2eTest(env, 'I05 the client object does not expose the refresh token', async ({ page, servers }) => {
  await openApp(page, servers);
  await login(page, servers);
  const views = await page.evaluate(() => {
    const auth = window.__auth;
    const names = new Set();
    for (let o = auth; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const n of Object.getOwnPropertyNames(o)) names.add(n);
    }
    let json;
    try { json = JSON.stringify(auth); } catch (e) { json = `throws ${e.message}`; }
    console.log('client object:', auth);
    return { names: [...names], json, string: String(auth) };
  });
  const issued = await servers.issued();
  assertNoSecrets([views.json, views.string], [...issued.refreshTokens, ...issued.accessTokens, ...issued.idTokens],
    'client serialisations');
  assert.deepEqual(views.names.filter((n) => /refresh_?token/i.test(n)), [], `refresh-token accessors: ${views.names}`);
});
