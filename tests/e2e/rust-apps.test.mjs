// The Yew and Leptos example apps (www-example/yew, www-example/leptos; built by `make examples`
// into target/www-yew and target/www-leptos), each driven through a whole session against the dev
// provider: login, the claims shown, an access token from use_access_token() used at the API,
// one refresh after expiry, logout. Storage and console are scanned as in the other tests.
//
// The apps run the engine in the package's worker (served at /oxidc/worker.js): a recorder that runs
// before the app keeps every WebAssembly.Memory of the page and every message the page gets from a
// worker, and the refresh tokens the provider issued are in none of them. The control is the in-page
// opt-out (dangerouslyKeepRefreshTokenInPage), where the same recorder finds the refresh token in the
// page's memory.
//
//   OXIDC_RUST_APPS_DIR   where the built apps are (default <repo>/target)

import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  REPO, appError, appStatus, assertNoSecrets, assertScrubbed, callApi, e2eTest, login, logout, openApp,
  requireExampleApp, scanStorage, setupSuite, tokenRequests, txKeys,
} from './harness.mjs';

const AT_TTL = Number(process.env.E2E_AT_TTL || 8);
const APPS_DIR = resolve(process.env.OXIDC_RUST_APPS_DIR || join(REPO, 'target'));


/**
 * Runs in the page before the app (context.addInitScript): keeps every WebAssembly.Memory the page
 * creates or instantiates, every worker it starts, and every message it receives from one, on
 * window.__rec (not enumerable).
 */
function recorder() {
  if (window.__rec) return;
  const R = { memories: [], workers: [], received: [] };
  Object.defineProperty(window, '__rec', { value: R, enumerable: false });
  const W = WebAssembly;
  const { Memory, Instance } = W;
  const keep = (v) => {
    if (v instanceof Memory && !R.memories.includes(v)) R.memories.push(v);
  };
  const fromExports = (exports) => { for (const v of Object.values(exports || {})) keep(v); };
  const fromResult = (r) => {
    fromExports((r instanceof Instance ? r : r?.instance)?.exports);
    return r;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const orig = W[name];
    if (orig) W[name] = function wrapped(...args) { return orig.apply(this, args).then(fromResult); };
  }
  W.Instance = function WrappedInstance(module, imports) {
    const i = new Instance(module, imports);
    fromExports(i.exports);
    return i;
  };
  W.Instance.prototype = Instance.prototype;
  W.Memory = function WrappedMemory(descriptor) {
    const m = new Memory(descriptor);
    keep(m);
    return m;
  };
  W.Memory.prototype = Memory.prototype;
  const text = (v) => {
    try { return typeof v === 'string' ? v : JSON.stringify(v); } catch { return String(v); }
  };
  const listen = (port) => port.addEventListener('message', (e) => R.received.push(text(e.data)));
  for (const [name, kind] of [['SharedWorker', 'shared'], ['Worker', 'dedicated']]) {
    const Orig = window[name];
    if (typeof Orig !== 'function') continue;
    window[name] = function Wrapped(url, options) {
      const w = new Orig(url, options);
      R.workers.push({ kind, url: new URL(String(url), location.href).pathname });
      listen(kind === 'shared' ? w.port : w);
      return w;
    };
    window[name].prototype = Orig.prototype;
  }
}

/** Which of `needles` (ASCII) occur in the recorded WebAssembly memories and worker messages. */
const recorded = (page, needles) => page.evaluate((list) => {
  const R = window.__rec;
  const inMemory = (needle) => {
    const pat = new TextEncoder().encode(needle);
    return R.memories.some((m) => {
      const hay = new Uint8Array(m.buffer);
      for (let i = hay.indexOf(pat[0]); i !== -1 && i <= hay.length - pat.length; i = hay.indexOf(pat[0], i + 1)) {
        let j = 1;
        while (j < pat.length && hay[i + j] === pat[j]) j += 1;
        if (j === pat.length) return true;
      }
      return false;
    });
  };
  return {
    memories: R.memories.length,
    workers: R.workers,
    messages: R.received.length,
    inMemory: list.filter(inMemory),
    inMessages: list.filter((n) => R.received.some((t) => t.includes(n))),
  };
}, needles);

/**
 * The engine is isolated: the page started it in a SharedWorker (/oxidc/worker.js), and no refresh
 * token the provider issued is in the page's WebAssembly memories or in the messages the page got.
 * As controls, the same scans find what the page does hold: `inMemory` (the claims in the app's
 * state) and `inMessages` (the access token the engine handed out).
 */
async function assertIsolated(page, servers, label, { inMemory, inMessages }) {
  const { refreshTokens } = await servers.issued();
  assert.ok(refreshTokens.length > 0, `${label}: the provider issued a refresh token`);
  const r = await recorded(page, [...refreshTokens, inMemory, inMessages]);
  assert.deepEqual(r.workers, [{ kind: 'shared', url: '/oxidc/worker.js' }], `${label}: the engine runs in the package's SharedWorker`);
  assert.ok(r.inMemory.includes(inMemory), `${label}: the memory scan finds the app's own state`);
  assert.ok(r.inMessages.includes(inMessages), `${label}: the message record has the access token handed out`);
  assert.equal(r.inMemory.filter((n) => refreshTokens.includes(n)).length, 0, `${label}: no refresh token in the page's WebAssembly memory`);
  assert.equal(r.inMessages.filter((n) => refreshTokens.includes(n)).length, 0, `${label}: no refresh token in a message to the page`);
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
    const env = setupSuite({ atTtl: AT_TTL, appDir: dir }, () => requireExampleApp(dir));

    e2eTest(env, `${name}: A01 B06 G03 J01 I01 I02 I06 login, claims, token from use_access_token, one refresh after expiry, logout; no refresh token in the page`, async ({ page, context, servers, capture }) => {
      await context.addInitScript(recorder);
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
      if (name === 'yew') {
        // The same claims through OidcClient::claims_as::<Profile>() (serde).
        assert.equal(await page.locator('#profile').textContent(), 'alice <alice@example.test>');
      }
      assert.match(await page.locator('#status').textContent(), /Signed in as alice/);
      await assertCleanStorage(page, servers, 'after login');

      // An access token from use_access_token(), accepted by the API.
      const first = await callApiFromApp(page);
      assert.equal(first.status, 200, `Call API: ${first.text}`);
      assert.ok((await servers.issued()).accessTokens.includes(first.token), 'a token the provider issued');
      // The engine is isolated: the page holds the claims and the access token it was handed, never
      // the refresh token.
      await assertIsolated(page, servers, 'after login', { inMemory: 'alice@example.test', inMessages: first.token });

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
      await assertIsolated(page, servers, 'after the refresh', { inMemory: 'alice@example.test', inMessages: second.token });

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

    e2eTest(env, `${name}: A08 E22 popup login (use_login_with_popup) with typed login options and with_pushed_authorization_requests: the page stays, the options are pushed, the popup carries only client_id and request_uri`, async ({ page, context, servers }) => {
      await context.addInitScript(() => {
        window.OXIDC_CONFIG = {
          pushedAuthorizationRequests: true,
          login: { prompt: 'login', loginHint: 'alice', uiLocales: 'fr-CA en', maxAge: 300 },
        };
      });
      const navigations = [];
      context.on('request', (req) => {
        const u = new URL(req.url());
        if (req.isNavigationRequest() && u.origin === servers.issuer && u.pathname === '/auth') navigations.push(u);
      });
      await openApp(page, servers);
      await page.evaluate(() => { window.__marker = 'same document'; });
      await servers.resetLedger();
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('#login-popup').click()]);
      // A second click while the popup is open changes nothing (popup_pending is not a failure).
      await page.locator('#login-popup').click();
      await sleep(300);
      assert.equal(await appError(page), null, 'no error shown');
      assert.equal(await appStatus(page), 'signed_out');
      assert.equal(page.context().pages().length, 2, 'no second popup');
      await login(popup, servers, { start: false, popup: true });
      await page.waitForSelector('#status[data-status="signed_in"]');
      assert.equal(await page.evaluate(() => window.__marker), 'same document', 'the page never left');
      assert.ok(popup.isClosed(), 'the popup closed');
      const ledger = await servers.ledger();
      const pushes = ledger.filter((e) => e.route === 'par');
      assert.equal(pushes.length, 1, 'one push');
      for (const field of ['prompt', 'login_hint', 'ui_locales', 'max_age', 'code_challenge', 'state', 'nonce']) {
        assert.ok(pushes[0].fields.includes(field), `${field} pushed (fields: ${pushes[0].fields})`);
      }
      assert.equal(navigations.length, 1, 'the popup went to the authorization endpoint once');
      assert.deepEqual([...navigations[0].searchParams.keys()], ['client_id', 'request_uri']);
      const grants = tokenRequests(ledger, 'authorization_code');
      assert.equal(grants.length, 1);
      assert.equal(grants[0].status, 200);
      assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
    });

    e2eTest(env, `${name}: a login popup the user closes: the app shows popup_closed, and its popup button logs in after that`, async ({ page, servers }) => {
      await openApp(page, servers);
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('#login-popup').click()]);
      await popup.waitForSelector('input[name="login"]');
      await sleep(1000); // a user reads the provider's page before closing it
      await popup.close();
      await page.waitForSelector('#error:not([hidden])');
      assert.equal((await appError(page)).code, 'popup_closed');
      assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
      const [again] = await Promise.all([page.waitForEvent('popup'), page.locator('#login-popup').click()]);
      await login(again, servers, { start: false, popup: true });
      await page.waitForSelector('#status[data-status="signed_in"]');
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

    e2eTest(env, `${name}: no worker in the browser: the provider fails with worker_unavailable (an OidcError with its hint), no in-page fallback, nothing sent`, async ({ page, servers }) => {
      await page.addInitScript(() => {
        delete window.SharedWorker;
        delete window.Worker;
      });
      await servers.resetLedger();
      await openApp(page, servers);
      assert.equal(await appStatus(page), 'error');
      const shown = await appError(page);
      assert.equal(shown?.code, 'worker_unavailable');
      assert.match(shown.text, /hint: .*dangerouslyKeepRefreshTokenInPage/, 'the hint is shown');
      assert.equal(await page.locator('#login').count(), 1, 'a failed start-up still offers the login');
      assert.deepEqual((await servers.ledger()).filter((e) => e.route === 'discovery'), [], 'nothing was sent to the provider');
    });

    e2eTest(env, `${name}: I06 control: with dangerously_keep_refresh_token_in_page the engine runs in the page, and the same scan finds the refresh token in its memory`, async ({ page, context, servers }) => {
      await context.addInitScript(recorder);
      await context.addInitScript(() => { window.OXIDC_CONFIG = { dangerouslyKeepRefreshTokenInPage: true }; });
      await openApp(page, servers);
      assert.equal(await appStatus(page), 'signed_out');
      await login(page, servers);
      await page.waitForSelector('#status[data-status="signed_in"]');
      const api = await callApiFromApp(page);
      assert.equal(api.status, 200, `Call API: ${api.text}`);
      const { refreshTokens } = await servers.issued();
      const rt = refreshTokens.at(-1);
      const r = await recorded(page, [rt]);
      assert.deepEqual(r.workers, [], 'no worker: the engine runs in the page');
      assert.ok(r.memories >= 2, 'the app\'s memory and the in-page engine\'s');
      assert.deepEqual(r.inMemory, [rt], 'the refresh token is in the page-readable WebAssembly memory');
    });
  });
}
