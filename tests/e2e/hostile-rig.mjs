// Rig for tests against the hostile mock provider (tests/hostile/provider.mjs): it starts that
// provider and the example app server, and offers an in-page login that keeps the page (and its
// wasm instance) alive, so that several logins can run against one client.
//
// The returned servers object is the shared harness's Servers class, so e2eTest's console and
// secrets checks work unchanged (the hostile provider implements /__ledger, /__issued and
// /__faults/reset).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import {
  PKG_DIR, REPO, STEP_TIMEOUT, Servers, freePort, launchBrowser, requirePackage, spawnReady,
} from './harness.mjs';

const HOSTILE = join(REPO, 'tests', 'hostile', 'provider.mjs');

/** Start the hostile provider and the example app on free loopback ports. */
export async function startHostile() {
  const testDir = mkdtempSync(join(tmpdir(), 'oxidc-hostile-'));
  const opPort = await freePort();
  const issuer = `http://127.0.0.1:${opPort}`;
  const app = spawnReady('app', 'serve.mjs', {
    APP_PORT: '0', OP_ISSUER: issuer, OXIDC_PKG_DIR: PKG_DIR, APP_TEST_DIR: testDir,
  }, 'app ready ', 60_000);
  const appUrl = await app.ready;
  const appOrigin = new URL(appUrl).origin;
  const op = spawnReady('hostile provider', HOSTILE, {
    OP_PORT: String(opPort), APP_ORIGIN: appOrigin,
  }, 'hostile provider ready ', 60_000);
  try {
    assert.equal(await op.ready, issuer);
  } catch (err) {
    app.child.kill('SIGKILL');
    throw err;
  }
  writeFileSync(join(testDir, 'storage-probe.html'), '<!DOCTYPE html><title>storage probe</title>\n');
  return new Servers({
    issuer, appOrigin, appUrl, testDir, children: [op.child, app.child], logs: { op: op.output, app: app.output },
  });
}

/** node:test set-up: { servers, browser } for the whole file. */
export function setupHostileSuite() {
  const env = { servers: null, browser: null };
  before(async () => {
    requirePackage();
    env.servers = await startHostile();
    env.browser = await launchBrowser();
  }, { timeout: 120_000 });
  after(async () => {
    await env.browser?.close().catch(() => {});
    await env.servers?.stop();
    if (env.servers) rmSync(env.servers.testDir, { recursive: true, force: true });
  }, { timeout: 30_000 });
  return env;
}

/** Merge `patch` into the provider's scenario (see tests/hostile/provider.mjs). */
export function scenario(servers, patch) {
  return servers.hook('/__scenario', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch),
  });
}

export const resetScenario = (servers) => servers.hook('/__scenario/reset', { method: 'POST' });

/**
 * Open a probe page on the app origin whose client uses `options` on top of the app's
 * configuration; the client is window.__auth. The page intercepts its own navigations to the
 * provider's authorization endpoint (answered 204, so the document and its wasm instance stay):
 * every URL that starts with `authorizePrefix` (default: the hostile provider's /authorize).
 * With `mayFail`, a createClient that rejects is not a failure: its { code, message } is returned
 * as `startError`.
 */
export async function openClientPage(page, servers, options = {}, {
  authorizePrefix = `${servers.issuer}/authorize`, mayFail = false,
} = {}) {
  const url = servers.probePage('hostile-client', `
const auth = await createClient({ ...config, ...JSON.parse(new URLSearchParams(location.search).get('options') || '{}') });
window.__auth = auth;
window.__try = async (fn) => {
  try {
    return { ok: true, value: await fn(auth) };
  } catch (e) {
    return {
      ok: false, code: e.code, detail: e.detail ?? null, text: String(e), message: String(e.message), hint: String(e.hint),
      error: e.error ?? null, errorDescription: e.errorDescription ?? null, status: e.status ?? null,
    };
  }
};`);
  const authorizeUrls = [];
  await page.route((u) => u.href.startsWith(authorizePrefix), async (route) => {
    authorizeUrls.push(route.request().url());
    await route.fulfill({ status: 204, body: '' });
  });
  await page.goto(`${url}?options=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: STEP_TIMEOUT });
  const error = await page.evaluate(() => window.__probeError);
  if (!mayFail) assert.equal(error, undefined, `the client did not start: ${JSON.stringify(error)}`);
  return { authorizeUrls, startError: error ?? null };
}

/**
 * login() in the page (its navigation is intercepted) and the authorization response fetched from
 * the provider by Node, not handled. Resolves to { authorizeUrl, callbackUrl }.
 */
export async function authorizeInPage(page, client) {
  const before = client.authorizeUrls.length;
  const started = await page.evaluate(() => window.__try((a) => a.login({ returnTo: '/' })));
  assert.ok(started.ok, `login() failed: ${JSON.stringify(started)}`);
  const deadline = Date.now() + STEP_TIMEOUT;
  while (client.authorizeUrls.length === before) {
    assert.ok(Date.now() < deadline, 'login() did not navigate to the authorization endpoint');
    await new Promise((r) => { setTimeout(r, 20); });
  }
  const authorizeUrl = client.authorizeUrls.at(-1);
  const res = await fetch(authorizeUrl, { redirect: 'manual', signal: AbortSignal.timeout(STEP_TIMEOUT) });
  assert.equal(res.status, 302, `authorize answered ${res.status}: ${await res.text()}`);
  return { authorizeUrl, callbackUrl: res.headers.get('location') };
}

/**
 * One login in the current document: login() (its navigation is intercepted), the authorization
 * response fetched from the provider by Node, then handleRedirectCallback(url). Resolves to
 * { ok } or { ok: false, code, detail, text, message }.
 */
export async function loginInPage(page, servers, client) {
  const { callbackUrl } = await authorizeInPage(page, client);
  assert.ok(callbackUrl.startsWith(`${servers.appOrigin}/callback?`));
  return page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), callbackUrl);
}

/** Whether the page's client holds a session, and what getAccessToken() says. */
export async function sessionState(page) {
  return page.evaluate(async () => ({
    authenticated: window.__auth.isAuthenticated(),
    token: await window.__try((a) => a.getAccessToken()),
  }));
}
