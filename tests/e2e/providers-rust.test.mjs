// The Yew example app (www-example/yew, built by `make examples`) against the Auth0 and Entra ID
// mocks of tests/providers/provider.mjs, configured with the README's settings for each provider
// (PROVIDER_SETTINGS, handed to the app as window.OXIDC_CONFIG): login through the app's button,
// the claims shown, logout through the provider's logout endpoint and back, signed out.
//
//   OXIDC_RUST_APPS_DIR   where the built apps are (default <repo>/target)

import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe } from 'node:test';

import {
  REPO, STEP_TIMEOUT, appError, appStatus, assertScrubbed, openApp, requireExampleApp, tokenRequests,
} from './harness.mjs';
import { profileEnv, profileTest, setupProvidersSuite } from './providers-rig.mjs';

const APP_DIR = join(resolve(process.env.OXIDC_RUST_APPS_DIR || join(REPO, 'target')), 'www-yew');

const suite = setupProvidersSuite();

/**
 * Click a button whose navigation goes through the provider (which answers at once) and back to the
 * app, and wait for the app's new document to show `status`. The old document may show it first
 * (logout signs out before it navigates), so the wait is for a document loaded after the click.
 */
async function through(page, servers, selector, status) {
  await page.evaluate(() => { window.__beforeClick = true; });
  await page.locator(selector).click();
  await page.waitForFunction(
    (s) => !window.__beforeClick && document.getElementById('status')?.dataset.status === s,
    status,
    { timeout: STEP_TIMEOUT },
  );
  assert.equal(new URL(page.url()).origin, servers.appOrigin);
  assertScrubbed(page.url());
}

for (const [profile, logoutPath] of [['auth0', '/v2/logout'], ['entra', '/common/oauth2/v2.0/logout']]) {
  describe(`${profile} with the Yew example app`, () => {
    requireExampleApp(APP_DIR);
    const env = profileEnv(suite, profile, { appDir: APP_DIR });

    profileTest(env, `${profile}: the Yew app signs in with the README's settings, shows the claims, and logs out at the provider`, async ({ page, servers }) => {
      await openApp(page, servers);
      assert.equal(await appStatus(page), 'signed_out');
      await through(page, servers, '#login', 'signed_in');
      assert.equal(await appError(page), null);
      const claims = JSON.parse(await page.locator('#claims').textContent());
      assert.equal(claims.sub, servers.sub);
      if (profile === 'entra') assert.equal(claims.tid, servers.tenant, 'a user of the allowed tenant');
      let ledger = await servers.ledger();
      assert.equal(tokenRequests(ledger, 'authorization_code').length, 1, 'one code exchange');
      const authorize = ledger.find((e) => e.route === 'authorize');
      if (profile === 'auth0') assert.equal(authorize.query.audience, 'https://api.example.com', 'the audience is asked for');

      await servers.resetLedger();
      await through(page, servers, '#logout', 'signed_out');
      assert.equal(await appError(page), null);
      ledger = await servers.ledger();
      const logouts = ledger.filter((e) => e.path === logoutPath);
      assert.equal(logouts.length, 1, `one visit to ${logoutPath}: ${JSON.stringify(ledger.map((e) => e.path))}`);
      assert.equal(logouts[0].query.client_id, 'spa');
      if (profile === 'auth0') {
        assert.equal(logouts[0].query.returnTo, `${servers.appOrigin}/`);
        assert.equal(logouts[0].query.state, undefined, 'the legacy endpoint takes no state');
      } else {
        assert.equal(logouts[0].query.post_logout_redirect_uri, `${servers.appOrigin}/`);
        assert.ok(logouts[0].query.state, 'a logout state');
      }
    });
  });
}
