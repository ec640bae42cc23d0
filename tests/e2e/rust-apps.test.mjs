// The Yew and Leptos example apps (www-example/yew, www-example/leptos; built by `make examples`
// into target/www-yew and target/www-leptos), each driven through a whole session against the dev
// provider: login, the claims shown, an access token from use_access_token() used at the API,
// one refresh after expiry, logout. Storage and console are scanned as in the other tests.
//
//   OXIDC_RUST_APPS_DIR   where the built apps are (default <repo>/target)

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  REPO, appError, appStatus, assertNoSecrets, assertScrubbed, callApi, e2eTest, login, logout, openApp,
  scanStorage, setupSuite, tokenRequests, txKeys,
} from './harness.mjs';

const AT_TTL = Number(process.env.E2E_AT_TTL || 8);
const APPS_DIR = resolve(process.env.OXIDC_RUST_APPS_DIR || join(REPO, 'target'));

function requireApp(dir) {
  const missing = ['index.html', 'boot.js', 'app.js', 'app_bg.wasm'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    throw new Error(`example app not built: ${join(dir, missing[0])} does not exist. Run make examples.`);
  }
}

/** Click #call-api; the Authorization header the app sent and the status it shows. */
async function callApiFromApp(page) {
  const before = Number(await page.locator('#api-result').getAttribute('data-calls'));
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/api/hello') && r.method() === 'GET'),
    page.locator('#call-api').click(),
  ]);
  await page.waitForSelector(`#api-result[data-calls="${before + 1}"]`, { state: 'attached' });
  const authorization = (await request.allHeaders()).authorization || '';
  const match = /^Bearer (\S+)$/.exec(authorization);
  assert.ok(match, 'the API request carries a bearer token');
  return {
    token: match[1],
    status: Number(await page.locator('#api-result').getAttribute('data-status')),
    text: await page.locator('#api-result').textContent(),
  };
}

async function assertCleanStorage(page, servers, label) {
  const scan = await scanStorage(page);
  assert.equal(scan.origin, servers.appOrigin, `${label}: scanned the app origin`);
  assertNoSecrets([scan.text], await servers.secrets(), `storage ${label}`);
  assert.deepEqual(txKeys(scan), [], `${label}: no transaction record left`);
  assert.deepEqual(Object.keys(scan.localStorage), [], `${label}: localStorage is empty`);
  assert.deepEqual(scan.indexedDB, [], `${label}: IndexedDB`);
  assert.deepEqual(scan.caches, [], `${label}: CacheStorage`);
}

for (const name of ['yew', 'leptos']) {
  describe(`${name} example app`, () => {
    const dir = join(APPS_DIR, `www-${name}`);
    const env = setupSuite({ atTtl: AT_TTL, appDir: dir }, () => requireApp(dir));

    e2eTest(env, `${name}: A01 B06 G03 J01 I01 I02 login, claims, token from use_access_token, one refresh after expiry, logout`, async ({ page, servers, capture }) => {
      await openApp(page, servers);
      assert.equal(await appStatus(page), 'signed_out');
      assert.equal(await page.locator('#logout').count(), 0, 'the Authenticated guard hides #logout');
      await assertCleanStorage(page, servers, 'before login');

      // Login through the provider's forms; the provider component completes it exactly once.
      await servers.resetLedger();
      const seen = await login(page, servers);
      assert.ok(seen.loginForm, 'the provider asked for credentials');
      assert.ok(seen.callbackUrl, 'the provider redirected to /callback');
      await page.waitForSelector('#status[data-status="signed_in"]');
      assert.equal(await page.locator('#login').count(), 0, 'the Unauthenticated guard hides #login');
      assertScrubbed(page.url());
      assert.equal(new URL(page.url()).pathname, '/', 'back at the path the login started from');
      const codeGrants = tokenRequests(await servers.ledger(), 'authorization_code');
      assert.equal(codeGrants.length, 1, 'exactly one code exchange');
      assert.equal(codeGrants[0].status, 200);
      assert.equal(await appError(page), null);
      const claims = JSON.parse(await page.locator('#claims').textContent());
      assert.equal(claims.sub, 'alice');
      assert.equal(claims.email, 'alice@example.test');
      assert.match(await page.locator('#status').textContent(), /Signed in as alice/);
      await assertCleanStorage(page, servers, 'after login');

      // An access token from use_access_token(), accepted by the API.
      const first = await callApiFromApp(page);
      assert.equal(first.status, 200, `Call API: ${first.text}`);
      assert.ok((await servers.issued()).accessTokens.includes(first.token), 'a token the provider issued');

      // After expiry: one refresh, a new token, accepted.
      await sleep(AT_TTL * 1000 + 1500);
      assert.equal((await callApi(servers, first.token)).status, 401, 'the first access token has expired');
      await servers.resetLedger();
      const second = await callApiFromApp(page);
      assert.equal(second.status, 200, `Call API after expiry: ${second.text}`);
      assert.notEqual(second.token, first.token, 'a new access token after expiry');
      const ledger = await servers.ledger();
      const refreshes = tokenRequests(ledger, 'refresh_token');
      assert.equal(refreshes.length, 1, 'exactly one refresh_token grant');
      assert.equal(refreshes[0].status, 200);
      assert.equal(tokenRequests(ledger).length, 1, 'no other token request');
      assert.equal(await appStatus(page), 'signed_in');
      await assertCleanStorage(page, servers, 'after the refresh');

      // Logout ends the provider session.
      await servers.resetLedger();
      await logout(page, servers);
      await page.waitForSelector('#status[data-status="signed_out"]');
      assertScrubbed(page.url());
      assert.equal(await page.locator('#claims').textContent(), '(signed out)');
      const endSession = (await servers.ledger()).filter((e) => e.route === 'end_session' && e.method === 'GET' && e.path === '/session/end');
      assert.equal(endSession.length, 1, 'one visit to the end_session_endpoint');
      assert.equal(endSession[0].params.client_id, 'spa');
      assert.ok(endSession[0].params.id_token_hint, 'an id_token_hint is sent');
      await assertCleanStorage(page, servers, 'after logout');
      const again = await login(page, servers);
      assert.ok(again.loginForm, 'after logout the provider asks for credentials again');
      await page.waitForSelector('#status[data-status="signed_in"]');

      assertNoSecrets(await capture.texts(), await servers.secrets(), 'console/page errors');
      assert.deepEqual(capture.pageErrors, [], 'no page errors (a Rust panic is one)');
    });

    e2eTest(env, `${name}: G10 a second tab takes the session of the first, without a request`, async ({ page, context, servers }) => {
      await openApp(page, servers);
      await login(page, servers);
      await page.waitForSelector('#status[data-status="signed_in"]');
      await servers.resetLedger();
      const second = await context.newPage();
      await openApp(second, servers);
      assert.equal(await appStatus(second), 'signed_in', 'taken from the open tab');
      assert.equal(tokenRequests(await servers.ledger()).length, 0, 'no token request');
    });
  });
}
