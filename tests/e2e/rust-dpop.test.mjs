// The Rust equivalent of auth.fetch (OidcClient::fetch) with DPoP, in the Yew and Leptos example apps
// (built by `make examples`): the apps' "Call API" goes through the library to the resource server
// (resource-server.mjs), which verifies the proof and the token's binding; a refused token is renewed
// and the call retried once.

import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { join, resolve } from 'node:path';

import {
  REPO, appStatus, e2eTest, freePort, launchBrowser, login, openApp, requireExampleApp, startServers,
  tokenRequests,
} from './harness.mjs';
import { startResourceServer } from './resource-server.mjs';

const APPS_DIR = resolve(process.env.OXIDC_RUST_APPS_DIR || join(REPO, 'target'));

/** Click #call-api; the status the app shows. */
async function callApiFromApp(page) {
  const before = Number(await page.locator('#api-result').getAttribute('data-calls'));
  await page.locator('#call-api').click();
  await page.waitForSelector(`#api-result[data-calls="${before + 1}"]`, { state: 'attached' });
  return Number(await page.locator('#api-result').getAttribute('data-status'));
}

for (const name of ['yew', 'leptos']) {
  describe(`${name} app: OidcClient::fetch with DPoP`, () => {
    const env = { servers: null, browser: null, rs: null };
    const appDir = join(APPS_DIR, `www-${name}`);
    before(async () => {
      requireExampleApp(appDir);
      const port = await freePort();
      const rsOrigin = `http://127.0.0.1:${port}`;
      env.servers = await startServers({
        appDir,
        appEnv: { APP_CONFIG: JSON.stringify({ dpop: true, apiOrigins: [rsOrigin], apiUrl: `${rsOrigin}/api/me` }) },
      });
      env.rs = await startResourceServer({ issuer: env.servers.issuer, appOrigin: env.servers.appOrigin, port });
      env.browser = await launchBrowser();
    }, { timeout: 90_000 });
    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.rs?.stop();
      await env.servers?.stop();
    }, { timeout: 30_000 });

    e2eTest(env, `${name}: K01 K05 the API call carries a DPoP-bound token and a proof; a refused token is renewed and retried once`, async ({ page, servers }) => {
      await openApp(page, servers);
      await login(page, servers);
      assert.equal(await appStatus(page), 'signed_in');
      const [exchange] = tokenRequests(await servers.ledger(), 'authorization_code');
      assert.equal(exchange.token_type, 'DPoP');
      assert.equal(await callApiFromApp(page), 200);
      assert.deepEqual(env.rs.ledger.map((e) => [e.scheme, e.status]), [['DPoP', 200]]);
      assert.ok(env.rs.ledger[0].jkt, 'bound to the engine\'s key');
      env.rs.reset();
      env.rs.rejectNext(1);
      assert.equal(await callApiFromApp(page), 200);
      assert.deepEqual(env.rs.ledger.map((e) => [e.status, e.reason]), [[401, 'forced'], [200, null]]);
      assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1, 'renewed once');
    });
  });
}
