// The cross-engine subset: Chromium, Firefox ESR and WebKitGTK each drive the example app against
// the real provider (www-example/provider.mjs), every test in a fresh browser profile.
//
//   - login through the provider's forms, the callback, getAccessToken, the API, a forced renewal
//     (one refresh request), 50 concurrent getAccessToken after expiry (one refresh request, 50
//     fulfilled), no refresh token in the page's storage or in any message the page sees, logout;
//   - which worker the engine runs in; a second tab of the same profile joins the session with no
//     token request, and logout in one tab signs the other out;
//   - the Yew example app (make examples) logs in and calls the API;
//   - under a strict Content-Security-Policy on every response of the app's origin (APP_CSP=strict):
//     login, a forced renewal and logout, with no violation reported in the page;
//   - G03: past the renewal time, a visibilitychange event makes the engine renew (one refresh
//     request), and getAccessToken hands out the renewed token;
//   - DPoP (K01, I04): login and renewal bound to the engine's WebCrypto key, an API call through
//     auth.fetch with a proof the resource server verifies, another origin refused, a redirect not
//     followed.
//
// One describe per engine: a failure in any engine fails the run. Which engine: ENGINES=chromium,webkit.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  PKG_DIR, REPO, STEP_TIMEOUT, assertNoSecrets, assertScrubbed, callApi, freePort, requirePackage, startServers,
  tokenRequests,
} from '../e2e/harness.mjs';
import { startResourceServer } from '../e2e/resource-server.mjs';
import { ENGINES, launchEngine, startBlackhole } from './drivers.mjs';

const AT_TTL = 8;
// G03 runs on the real clock: 20 s access tokens, renewal due after half of that.
const G03_AT_TTL = 20;
const G03_RENEW_AFTER_MS = (G03_AT_TTL / 2) * 1000;
const APPS_DIR = resolve(process.env.OXIDC_RUST_APPS_DIR || join(REPO, 'target'));
const YEW_DIR = join(APPS_DIR, 'www-yew');
const selected = process.env.ENGINES ? process.env.ENGINES.split(',') : ENGINES;

// What each engine is expected to give the engine: a SharedWorker in all three.
const EXPECTED_SHARED_WORKER = { chromium: true, firefox: true, webkit: true };

/**
 * What a same-origin script can record: the workers the page starts and every message it sends or
 * receives over MessagePort, Worker, BroadcastChannel and window, and every fetch with its response
 * body. Installed before the page's scripts where the driver can (an init script: Chromium,
 * Firefox); where it cannot (WebKit over classic WebDriver), installed late, into the signed-in
 * page, as a script injected later would: it then also listens on the client's port to its engine
 * (`window.__auth._port`, the facade's own field), and sees what passes from then on.
 */
function recorder(late) {
  if (window.__recorded) return;
  const log = [];
  const workers = [];
  Object.defineProperty(window, '__recorded', { value: { log, workers, late } });
  const bytes = (v) => new TextDecoder('latin1').decode(v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const text = (d) => {
    try {
      return JSON.stringify(d, (k, v) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? bytes(v) : v)) ?? String(d);
    } catch {
      return String(d);
    }
  };
  const note = (kind, d) => { log.push(`${kind} ${text(d)}`); };
  for (const name of ['SharedWorker', 'Worker']) {
    const Orig = window[name];
    if (typeof Orig !== 'function') continue;
    const Wrapped = function (url, opts) {
      workers.push({ kind: name, url: String(url), type: (opts && opts.type) || 'classic' });
      return new Orig(url, opts);
    };
    Wrapped.prototype = Orig.prototype;
    window[name] = Wrapped;
  }
  const watched = new WeakSet();
  const watch = (target, label) => {
    if (!target || watched.has(target)) return;
    watched.add(target);
    EventTarget.prototype.addEventListener.call(target, 'message', (e) => note(`${label} received`, e.data));
  };
  for (const C of [window.MessagePort, window.Worker, window.BroadcastChannel]) {
    if (typeof C !== 'function') continue;
    const P = C.prototype;
    const post = P.postMessage;
    P.postMessage = function (d, ...rest) {
      note(`${C.name} sent`, d);
      return post.call(this, d, ...rest);
    };
    const on = Object.getOwnPropertyDescriptor(P, 'onmessage');
    if (on && on.set) {
      Object.defineProperty(P, 'onmessage', {
        ...on,
        set(fn) { watch(this, C.name); on.set.call(this, fn); },
      });
    }
    const add = P.addEventListener;
    P.addEventListener = function (type, ...rest) {
      if (type === 'message') watch(this, C.name);
      return add.call(this, type, ...rest);
    };
  }
  if (late) {
    const port = window.__auth && window.__auth._port;
    watch(port, port instanceof MessagePort ? 'MessagePort' : 'port');
  }
  window.addEventListener('message', (e) => note('window received', e.data), true);
  const fetch0 = window.fetch;
  window.fetch = async function (input, init) {
    const req = new Request(input, init);
    note('fetch request', { url: req.url, headers: [...req.headers], body: await req.clone().text().catch(() => '') });
    const res = await fetch0.call(this, input, init);
    res.clone().text().then((body) => note('fetch response', { url: res.url, status: res.status, body }), () => {});
    return res;
  };
}
const RECORDER = `(${recorder})(false);`;

/**
 * Records the page's securitypolicyviolation events in the app origin's sessionStorage (the tab's,
 * so it outlives the navigations to the provider and back). Installed before the page's scripts
 * where the driver can, else into each app document once it is there (WebKit).
 */
function cspWatcher() {
  if (window.__cspWatched) return;
  window.__cspWatched = true;
  document.addEventListener('securitypolicyviolation', (e) => {
    try {
      const list = JSON.parse(sessionStorage.getItem('__cspViolations') || '[]');
      list.push({
        page: location.href, directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
      });
      sessionStorage.setItem('__cspViolations', JSON.stringify(list));
    } catch { /* storage unavailable: the flow's own checks still apply */ }
  }, true);
}
const CSP_WATCHER = `(${cspWatcher})();`;
const cspViolations = (tab) => tab.evaluate(() => JSON.parse(sessionStorage.getItem('__cspViolations') || '[]'));

/** The policy APP_CSP=strict puts on every response of the app's origin. */
const strictCsp = (issuer) => "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
  + `connect-src 'self' ${new URL(issuer).origin}`;

/** Every .js and .wasm file of the package, as paths under /pkg/ (the facade's, the worker's). */
function packageFiles() {
  return readdirSync(PKG_DIR, { recursive: true }).map(String)
    .filter((f) => /\.(js|wasm)$/.test(f))
    .map((f) => `/pkg/${f.split(sep).join('/')}`);
}

// ---------------------------------------------------------------------------
// The app, through the driver layer

/** Waits for the app's html[data-ready]; on a time-out, says what the page shows. */
async function waitForApp(tab) {
  try {
    await tab.waitForSelector('html[data-ready="true"]', { what: 'the app to be ready' });
  } catch (err) {
    const shown = await tab.evaluate(() => ({
      readyState: document.readyState,
      status: document.getElementById('status')?.textContent ?? null,
      error: document.getElementById('error')?.textContent ?? null,
      client: typeof window.__auth,
      loaded: performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname),
    })).catch((e) => `unreadable: ${e.message}`);
    err.message += `; the page: ${JSON.stringify(shown)}`;
    throw err;
  }
}

async function openApp(tab, servers, path = '/') {
  await tab.goto(new URL(path, servers.appUrl).href);
  await waitForApp(tab);
}

const appStatus = (tab) => tab.evaluate(() => document.getElementById('status')?.dataset.status ?? null);

const waitForStatus = (tab, status, opts = {}) => tab.waitFor(
  (s) => document.getElementById('status')?.dataset.status === s, status, { what: `status ${status}`, ...opts },
);

const getAccessToken = (tab, opts) => tab.evaluate(async (o) => {
  try {
    return { token: await window.__auth.getAccessToken(o) };
  } catch (e) {
    return { error: { code: e.code, name: e.name, message: e.message } };
  }
}, opts ?? null);

/** What the provider page shows: its login form, its consent form, or something else. */
const providerPage = (tab) => tab.evaluate(() => {
  if (document.readyState === 'loading') return 'loading';
  if (document.querySelector('input[name="login"]')) return 'login';
  const consent = [...document.querySelectorAll('button[type="submit"]')].find((b) => b.textContent.includes('Continue'));
  if (consent) {
    consent.dataset.e2eConsent = '';
    return 'consent';
  }
  return 'other';
}).catch(() => 'navigating');

/** Click #login and fill in the provider's development login and consent forms, as a person would. */
async function login(tab, servers, { username = 'alice', password = 'secret' } = {}) {
  const issuer = new URL(servers.issuer).origin;
  const seen = { loginForm: false, consent: false };
  await tab.click('#login');
  await tab.waitForUrl((u) => u.origin === issuer, { what: 'the provider' });
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const here = await tab.url();
    assert.ok(Date.now() < deadline, `login did not complete; stuck at ${here}`);
    if (new URL(here).origin === servers.appOrigin) {
      await waitForApp(tab);
      return seen;
    }
    const what = await providerPage(tab);
    if (what === 'login') {
      seen.loginForm = true;
      await tab.fill('input[name="login"]', username);
      await tab.fill('input[name="password"]', password);
      await tab.click('button[type="submit"]');
      await tab.waitForUrl((u) => u.href !== here, { what: 'the login form to be sent' });
    } else if (what === 'consent') {
      seen.consent = true;
      await tab.click('button[data-e2e-consent]');
      await tab.waitForUrl((u) => u.href !== here, { what: 'the consent form to be sent' });
    } else {
      await sleep(100);
    }
  }
}

/** Click #logout and confirm on the provider's sign-out page; resolves back on the app. */
async function logout(tab, servers) {
  const issuer = new URL(servers.issuer).origin;
  await tab.click('#logout');
  await tab.waitForUrl((u) => u.origin === issuer, { what: 'the provider\'s sign-out page' });
  await tab.waitForSelector('button[name="logout"][value="yes"]');
  await tab.click('button[name="logout"][value="yes"]');
  await tab.waitForUrl((u) => u.origin === servers.appOrigin, { what: 'the app after sign-out' });
  await waitForApp(tab);
}

/** What a same-origin script can read: Web Storage, cookies, IndexedDB, CacheStorage. */
const scanStorage = (tab) => tab.evaluate(async () => {
  const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i))]));
  const out = {
    localStorage: dump(localStorage), sessionStorage: dump(sessionStorage), cookie: document.cookie, indexedDB: [], caches: [],
  };
  if (indexedDB.databases) {
    for (const { name } of await indexedDB.databases()) {
      const db = { name, stores: {} };
      out.indexedDB.push(db);
      const conn = await new Promise((ok, fail) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      for (const store of conn.objectStoreNames) {
        db.stores[store] = await new Promise((ok) => {
          const req = conn.transaction(store, 'readonly').objectStore(store).getAll();
          req.onsuccess = () => ok(JSON.stringify(req.result));
          req.onerror = () => ok(String(req.error));
        });
      }
      conn.close();
    }
  }
  if (self.caches) {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.caches.push({ url: req.url, body: await (await cache.match(req)).text() });
    }
  }
  return out;
});

/** Every refresh token the provider issued or was sent. */
async function refreshTokens(servers) {
  const issued = (await servers.issued()).refreshTokens;
  const sent = tokenRequests(await servers.ledger(), 'refresh_token').map((e) => e.refresh_token);
  return [...new Set([...issued, ...sent].filter(Boolean))];
}

/** Which worker the page's engine runs in: what the page has, and what the facade started. */
const workerKind = (tab) => tab.evaluate(() => ({
  typeofSharedWorker: typeof SharedWorker,
  typeofWorker: typeof Worker,
  started: window.__recorded ? window.__recorded.workers : null,
}));

// ---------------------------------------------------------------------------

for (const name of selected) {
  describe(name, () => {
    const env = { servers: null, engine: null, blackhole: null };
    before(async () => {
      requirePackage();
      env.blackhole = await startBlackhole();
      env.servers = await startServers({ atTtl: AT_TTL });
      env.engine = await launchEngine(name, { proxyPort: env.blackhole.port });
    }, { timeout: 90_000 });
    after(async () => {
      await env.engine?.close();
      await env.servers?.stop();
      await env.blackhole?.close();
    }, { timeout: 30_000 });

    /** A test in a fresh profile of this engine; fn receives { profile, servers, engine, t }. */
    const inProfile = (title, fn, { timeout = 120_000, record = false } = {}) => test(title, { timeout }, async (t) => {
      const initScript = record && env.engine.canInitScript ? RECORDER : undefined;
      const profile = await env.engine.newProfile({ initScript });
      try {
        await env.servers.resetFaults();
        await fn({ profile, servers: env.servers, engine: env.engine, t });
      } finally {
        await profile.close();
      }
    });

    inProfile(`${name}: login through the provider, API call, one refresh when forced, 50 concurrent calls after expiry share one refresh, no refresh token where a page script can look, logout`, async ({ profile, servers, engine, t }) => {
      const tab = await profile.newTab();
      await openApp(tab, servers);
      assert.equal(await appStatus(tab), 'signed_out');
      t.diagnostic(`${name} version: ${engine.version}`);

      // The worker the engine runs in.
      const kind = await workerKind(tab);
      t.diagnostic(`${name} worker: typeof SharedWorker = ${kind.typeofSharedWorker}; started: ${kind.started ? JSON.stringify(kind.started) : 'not recorded (no init script in this driver)'}`);
      assert.equal(kind.typeofSharedWorker === 'function', EXPECTED_SHARED_WORKER[name], `${name}: typeof SharedWorker is ${kind.typeofSharedWorker}`);
      if (kind.started) {
        const expected = EXPECTED_SHARED_WORKER[name] ? 'SharedWorker' : 'Worker';
        assert.deepEqual(kind.started.map((w) => [w.kind, new URL(w.url).pathname, w.type]), [[expected, '/pkg/worker.js', 'module']]);
      }

      // Login through the provider's forms, then the callback.
      await servers.resetLedger();
      const seen = await login(tab, servers);
      assert.ok(seen.loginForm, 'the provider asked for credentials');
      assert.ok(seen.consent, 'the provider asked for consent');
      await waitForStatus(tab, 'signed_in');
      assertScrubbed(await tab.url());
      assert.deepEqual(await tab.evaluate(() => window.__callback), { ok: true, signedIn: true });
      const codeGrants = tokenRequests(await servers.ledger(), 'authorization_code');
      assert.equal(codeGrants.length, 1, 'one code exchange');
      assert.equal(codeGrants[0].status, 200);
      assert.equal(await tab.evaluate(() => window.__auth.user().sub), 'alice');

      // Where no script could run before the page's, a same-origin script arrives now.
      if (!engine.canInitScript) {
        await tab.evaluate(recorder, true);
        t.diagnostic(`${name}: messages recorded from after login on only: classic WebDriver cannot run a script before the page's scripts`);
      }

      // An access token, accepted by the API; the app's own API call with it.
      const first = await getAccessToken(tab);
      assert.equal(first.error, undefined, JSON.stringify(first.error));
      assert.equal((await callApi(servers, first.token)).status, 200);
      await tab.click('#call-api');
      await tab.waitForSelector('#api-result[data-status]', { what: 'the API result' });
      assert.equal(await tab.evaluate(() => document.getElementById('api-result').dataset.status), '200');

      // A forced renewal: exactly one refresh request.
      await servers.resetLedger();
      const forced = await tab.evaluate(() => window.__auth.getAccessToken({ forceRefresh: true }).then((token) => ({ token }), (e) => ({ error: e.code })));
      assert.equal(forced.error, undefined, forced.error);
      assert.notEqual(forced.token, first.token, 'a new access token');
      let refreshes = tokenRequests(await servers.ledger(), 'refresh_token');
      assert.equal(refreshes.length, 1, 'one refresh request');
      assert.equal(refreshes[0].status, 200);
      assert.equal((await callApi(servers, forced.token)).status, 200);

      // 50 concurrent calls after the access token expired: one refresh, 50 fulfilled.
      await sleep(AT_TTL * 1000 + 1500);
      assert.equal((await callApi(servers, forced.token)).status, 401, 'the access token has expired');
      await servers.resetLedger();
      const results = await tab.evaluate(() => Promise.all(Array.from({ length: 50 }, () => window.__auth.getAccessToken()
        .then((token) => ({ token }), (e) => ({ error: e.code })))));
      assert.equal(results.length, 50);
      assert.deepEqual(results.filter((r) => r.error), [], 'every call fulfilled');
      const tokens = new Set(results.map((r) => r.token));
      assert.equal(tokens.size, 1, 'one token for all 50');
      const [renewed] = tokens;
      assert.notEqual(renewed, forced.token);
      refreshes = tokenRequests(await servers.ledger(), 'refresh_token');
      assert.equal(refreshes.length, 1, 'exactly one refresh request for 50 calls');
      assert.equal(refreshes[0].status, 200);
      assert.equal((await callApi(servers, renewed)).status, 200);

      // A same-origin script finds no refresh token in storage or in what the page sends and receives.
      const rts = await refreshTokens(servers);
      assert.ok(rts.length >= 3, 'the provider issued refresh tokens');
      const scan = await scanStorage(tab);
      assertNoSecrets([JSON.stringify(scan)], rts, `${name} storage`);
      const { log, late } = await tab.evaluate(() => window.__recorded);
      t.diagnostic(`${name}: ${log.length} messages and fetches recorded in the page${late ? ' (from after login on)' : ''}`);
      assert.ok(log.some((l) => l.includes(renewed)), 'the recorder saw the access token the engine handed to the page');
      assertNoSecrets(log, rts, `${name} page messages`);

      // Logout: the tokens are gone.
      await servers.resetLedger();
      await logout(tab, servers);
      await waitForStatus(tab, 'signed_out');
      assertScrubbed(await tab.url());
      const endSession = (await servers.ledger()).filter((e) => e.route === 'end_session' && e.method === 'GET' && e.path === '/session/end');
      assert.equal(endSession.length, 1, 'one visit to the end_session_endpoint');
      const gone = await getAccessToken(tab);
      assert.equal(gone.error?.code, 'login_required', JSON.stringify(gone));
      assert.equal((await callApi(servers, renewed)).status, 401, 'the access token was revoked or expired');
      assertNoSecrets([JSON.stringify(await scanStorage(tab))], await refreshTokens(servers), `${name} storage after logout`);
    }, { record: true });

    inProfile(`${name}: a second tab joins the session with no token request; logout in one tab signs the other out`, async ({ profile, servers, t }) => {
      const a = await profile.newTab();
      await openApp(a, servers);
      await login(a, servers);
      await waitForStatus(a, 'signed_in');
      await servers.resetLedger();

      const b = await profile.newTab();
      await openApp(b, servers, '/orders');
      const kind = await workerKind(b);
      t.diagnostic(`${name} second tab: typeof SharedWorker = ${kind.typeofSharedWorker}`);
      assert.equal(await appStatus(b), 'signed_in', 'the second tab took the session');
      assert.equal(new URL(await b.url()).pathname, '/orders', 'no round trip to the provider');
      const ledger = await servers.ledger();
      assert.deepEqual(tokenRequests(ledger), [], 'no token request');
      assert.equal(ledger.filter((e) => e.route === 'authorization').length, 0, 'no authorization request');
      const [ta, tb] = [await getAccessToken(a), await getAccessToken(b)];
      assert.equal(tb.error, undefined, JSON.stringify(tb.error));
      assert.equal(tb.token, ta.token, 'one session in both tabs');
      assert.equal((await callApi(servers, tb.token)).status, 200);

      await logout(a, servers);
      await waitForStatus(b, 'signed_out', { what: 'the other tab to be signed out' });
      assert.match(await b.evaluate(() => document.getElementById('status').textContent), /other_tab/);
      const gone = await getAccessToken(b);
      assert.equal(gone.error?.code, 'login_required', JSON.stringify(gone));
      assert.equal(await appStatus(a), 'signed_out');
    });

    /** A test with servers of its own (startServers options) and a fresh profile of this engine. */
    const withServers = (title, options, fn, { timeout = 90_000, initScript } = {}) => test(title, { timeout }, async (t) => {
      const servers = await startServers(options);
      let profile;
      try {
        profile = await env.engine.newProfile({ initScript: env.engine.canInitScript ? initScript : undefined });
        await fn({ profile, servers, engine: env.engine, t });
      } finally {
        await profile?.close();
        await servers.stop();
      }
    });

    withServers(`${name}: under a strict CSP (default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self' <provider>) on the page, package, worker and wasm: login, a forced renewal, logout, no violation`, {
      atTtl: AT_TTL, appEnv: { APP_CSP: 'strict' },
    }, async ({ profile, servers, engine, t }) => {
      const policy = strictCsp(servers.issuer);
      const tab = await profile.newTab();
      await openApp(tab, servers);
      const watchLate = async () => { if (!engine.canInitScript) await tab.evaluate(cspWatcher); };
      await watchLate();
      assert.equal(await appStatus(tab), 'signed_out');

      // Every file of the app's origin the page loaded, and every file of the package (the worker
      // loads some the page does not), is served with exactly that policy.
      const loaded = await tab.evaluate((origin) => performance.getEntriesByType('resource')
        .map((r) => new URL(r.name)).filter((u) => u.origin === origin).map((u) => u.pathname), servers.appOrigin);
      assert.ok(loaded.includes('/pkg/index.js'), `the page loaded the package: ${loaded.join(', ')}`);
      const paths = [...new Set(['/', '/callback', ...loaded, ...packageFiles()])];
      assert.ok(paths.includes('/pkg/worker.js') && paths.includes('/pkg/oxidc_bg.wasm'));
      for (const path of paths) {
        const res = await fetch(new URL(path, servers.appUrl));
        await res.arrayBuffer();
        if (path !== '/favicon.ico') assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('content-security-policy'), policy, `the policy on ${path}`);
      }

      // Login.
      await servers.resetLedger();
      await login(tab, servers);
      await watchLate();
      await waitForStatus(tab, 'signed_in');
      assert.deepEqual(await tab.evaluate(() => window.__callback), { ok: true, signedIn: true });
      assert.equal(tokenRequests(await servers.ledger(), 'authorization_code').length, 1, 'one code exchange');
      const first = await getAccessToken(tab);
      assert.equal(first.error, undefined, JSON.stringify(first.error));
      assert.equal((await callApi(servers, first.token)).status, 200);

      // A forced renewal, from the worker to the provider (connect-src).
      await servers.resetLedger();
      const forced = await getAccessToken(tab, { forceRefresh: true });
      assert.equal(forced.error, undefined, JSON.stringify(forced.error));
      assert.notEqual(forced.token, first.token, 'a new access token');
      const refreshes = tokenRequests(await servers.ledger(), 'refresh_token');
      assert.equal(refreshes.length, 1, 'one refresh request');
      assert.equal(refreshes[0].status, 200);
      assert.equal((await callApi(servers, forced.token)).status, 200);
      assert.equal(await tab.evaluate(() => document.getElementById('error').hidden), true, 'the app shows no error');

      // Logout.
      await logout(tab, servers);
      await watchLate();
      await waitForStatus(tab, 'signed_out');
      assert.deepEqual(await tab.evaluate(() => window.__logout), { ok: true, pending: true });
      assert.equal(await tab.evaluate(() => document.getElementById('error').hidden), true, 'the app shows no error');
      assert.equal((await getAccessToken(tab)).error?.code, 'login_required');

      // The policy is in force and the watcher hears it: a request it forbids is reported.
      await tab.evaluate(() => fetch('http://127.0.0.1:9/csp-probe').catch(() => {}));
      const probe = (v) => /^http:\/\/127\.0\.0\.1:9(\/|$)/.test(v.blocked);
      await tab.waitFor(() => JSON.parse(sessionStorage.getItem('__cspViolations') || '[]').length > 0, null, { what: 'the probe\'s violation report' });
      const violations = await cspViolations(tab);
      assert.ok(violations.some(probe), `the probe was reported: ${JSON.stringify(violations)}`);
      assert.deepEqual(violations.filter((v) => !probe(v)), [], 'no CSP violation');
      t.diagnostic(`${name}: strict CSP: ${paths.length} responses checked, violations watched ${engine.canInitScript ? 'from the first document on' : 'from each app document once loaded'}`);
    }, { initScript: CSP_WATCHER });

    withServers(`${name}: G03 waking up past the renewal time: visibilitychange renews (one refresh request), getAccessToken hands out the renewed token`, {
      atTtl: G03_AT_TTL,
    }, async ({ profile, servers, t }) => {
      const tab = await profile.newTab();
      await openApp(tab, servers);
      await login(tab, servers);
      await waitForStatus(tab, 'signed_in');
      await servers.resetLedger();
      const t0 = Date.now();
      const earlier = await getAccessToken(tab);
      assert.equal(earlier.error, undefined, JSON.stringify(earlier.error));

      // Past the renewal time (half the lifetime), with no wake-up signal: nothing renewed.
      await sleep(G03_RENEW_AFTER_MS + 1500 - (Date.now() - t0));
      const refreshes = async () => tokenRequests(await servers.ledger(), 'refresh_token');
      assert.equal((await refreshes()).length, 0, 'no refresh before the wake-up signal (autoRefresh off)');

      // As the browser fires it: at the document, bubbling (the client listens on the window).
      await tab.evaluate(() => { document.dispatchEvent(new Event('visibilitychange', { bubbles: true })); });
      const woke = Date.now();
      for (;;) {
        if ((await refreshes()).length >= 1) break;
        assert.ok(Date.now() - woke < 10_000, 'a refresh request within 10 s of visibilitychange');
        await sleep(200);
      }
      t.diagnostic(`${name}: G03 refresh ${Date.now() - woke} ms after visibilitychange`);
      const renewed = await getAccessToken(tab);
      assert.equal(renewed.error, undefined, JSON.stringify(renewed.error));
      assert.notEqual(renewed.token, earlier.token, 'the renewed token');
      assert.equal((await callApi(servers, renewed.token)).status, 200, 'the renewed token works');
      const all = await refreshes();
      assert.equal(all.length, 1, 'exactly one refresh request');
      assert.equal(all[0].status, 200);
      assert.equal(await appStatus(tab), 'signed_in');
    });

    test(`${name}: the Yew example app logs in and calls the API`, { timeout: 120_000 }, async (t) => {
      const missing = ['index.html', 'boot.js', 'app.js', 'app_bg.wasm'].filter((f) => !existsSync(join(YEW_DIR, f)));
      assert.deepEqual(missing, [], `the Yew example app is not built in ${YEW_DIR}: run make examples`);
      const servers = await startServers({ atTtl: AT_TTL, appDir: YEW_DIR });
      const profile = await env.engine.newProfile();
      try {
        const tab = await profile.newTab();
        await openApp(tab, servers);
        assert.equal(await appStatus(tab), 'signed_out');
        const seen = await login(tab, servers);
        assert.ok(seen.loginForm);
        await waitForStatus(tab, 'signed_in');
        assertScrubbed(await tab.url());
        assert.equal(JSON.parse(await tab.evaluate(() => document.getElementById('claims').textContent)).sub, 'alice');
        await tab.click('#call-api');
        await tab.waitForSelector('#api-result[data-calls="1"]', { what: 'the API result' });
        const status = await tab.evaluate(() => document.getElementById('api-result').dataset.status);
        assert.equal(status, '200', await tab.evaluate(() => document.getElementById('api-result').textContent));
        t.diagnostic(`${name}: Yew app signed in, API 200`);
      } finally {
        await profile.close();
        await servers.stop();
      }
    });

    test(`${name}: K01 I04 DPoP and auth.fetch: login and renewal bound to the engine's key, the API called with a proof, other origins refused, a redirect not followed`, { timeout: 120_000 }, async (t) => {
      const port = await freePort();
      const rsOrigin = `http://127.0.0.1:${port}`;
      const servers = await startServers({
        atTtl: AT_TTL,
        appEnv: { APP_CONFIG: JSON.stringify({ dpop: true, apiOrigins: [rsOrigin], apiUrl: `${rsOrigin}/api/me` }) },
      });
      const rs = await startResourceServer({ issuer: servers.issuer, appOrigin: servers.appOrigin, port });
      const profile = await env.engine.newProfile();
      const apiFetch = (tab, url) => tab.evaluate(async (u) => {
        try {
          const r = await window.__auth.fetch(u);
          let body = null;
          try { body = await r.json(); } catch { body = null; }
          return { status: r.status, type: r.type, body };
        } catch (e) {
          return { error: { code: e.code ?? null, name: e.name } };
        }
      }, url);
      try {
        const tab = await profile.newTab();
        await openApp(tab, servers);
        await servers.resetLedger();
        await login(tab, servers);
        await waitForStatus(tab, 'signed_in');
        const [exchange] = tokenRequests(await servers.ledger(), 'authorization_code');
        assert.equal(exchange.dpop, true, 'the code request carries a proof');
        assert.equal(exchange.token_type, 'DPoP');
        const first = await apiFetch(tab, `${rsOrigin}/api/me`);
        assert.equal(first.status, 200, JSON.stringify(first));
        assert.equal(first.body.scheme, 'DPoP');
        assert.ok(first.body.jkt);
        const forced = await getAccessToken(tab, { forceRefresh: true });
        assert.equal(forced.error, undefined, JSON.stringify(forced.error));
        const [refresh] = tokenRequests(await servers.ledger(), 'refresh_token');
        assert.equal(refresh.token_type, 'DPoP');
        const second = await apiFetch(tab, `${rsOrigin}/api/me`);
        assert.equal(second.status, 200);
        assert.equal(second.body.jkt, first.body.jkt, 'the same key after the renewal');
        const elsewhere = await apiFetch(tab, `${servers.issuer}/api/hello`);
        assert.equal(elsewhere.error?.code, 'api_origin_not_allowed');
        rs.reset();
        const redirected = await apiFetch(tab, `${rsOrigin}/api/redirect?to=${encodeURIComponent(`${servers.issuer}/api/hello`)}`);
        assert.equal(redirected.type, 'opaqueredirect', JSON.stringify(redirected));
        const followed = (await servers.ledger()).filter((e) => e.route === 'api');
        assert.deepEqual(followed, [], 'the redirect was not followed');
        t.diagnostic(`${name}: DPoP login, renewal and API call, jkt ${first.body.jkt.slice(0, 8)}…`);
      } finally {
        await profile.close();
        await rs.stop();
        await servers.stop();
      }
    });

    test(`${name}: nothing left the loopback interface`, (t) => {
      // Two known tries, answered by the refusing proxy: the browser's own background services
      // (Firefox's remote settings) and the web font stylesheet of oidc-provider's development login
      // page (fonts.googleapis.com). Anything else is the app's or the library's, and a failure.
      const tried = [...new Set(env.blackhole.attempts)];
      t.diagnostic(`${name}: refused by the loopback proxy: ${tried.length ? tried.join(', ') : 'nothing'}`);
      const known = /^CONNECT ([a-z0-9.-]+\.(mozilla\.com|mozilla\.net|firefox\.com)|fonts\.googleapis\.com):443$/;
      const ours = tried.filter((a) => !known.test(a));
      assert.deepEqual(ours, [], 'requests to addresses other than loopback');
    });
  });
}
