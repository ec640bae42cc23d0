// End-to-end harness: a real OpenID provider (www-example/provider.mjs with test hooks),
// the example app server (www-example/serve.mjs) and headless Chromium through playwright-core.
//
// Environment:
//   OXIDC_PKG_DIR   built package directory (default <repo>/pkg); the tests fail if it is missing
//   CHROMIUM_PATH   Chromium executable (default /usr/bin/chromium)
//   E2E_DEBUG=1     echo the servers' output

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..');
export const WWW = join(REPO, 'www-example');
export const PKG_DIR = resolve(process.env.OXIDC_PKG_DIR || join(REPO, 'pkg'));
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const STEP_TIMEOUT = 30_000;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DEBUG = process.env.E2E_DEBUG === '1';

// ---------------------------------------------------------------------------
// Preconditions: missing pieces are failures with a clear message, never skips.

export function requirePackage() {
  const missing = ['index.js'].filter((f) => !existsSync(join(PKG_DIR, f)));
  if (missing.length) {
    throw new Error(
      `oxidc package not found: ${join(PKG_DIR, missing[0])} does not exist. `
      + 'Build it first (make pkg) or point OXIDC_PKG_DIR at a built package directory.',
    );
  }
}

/** A Rust example app built by `make examples` (target/www-yew, target/www-leptos), with the engine's files. */
export function requireExampleApp(dir) {
  const files = ['index.html', 'boot.js', 'app.js', 'app_bg.wasm', 'oxidc/worker.js', 'oxidc/engine.js', 'oxidc/oxidc.js', 'oxidc/oxidc_bg.wasm'];
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    throw new Error(`example app not built: ${join(dir, missing[0])} does not exist. Run make examples.`);
  }
}

export function requireTools() {
  if (!existsSync(join(WWW, 'node_modules', 'oidc-provider'))) {
    throw new Error(`oidc-provider is not installed: run "npm ci" in ${WWW}`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (install the chromium package or set CHROMIUM_PATH)`);
  }
}

// ---------------------------------------------------------------------------
// Child processes

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

const liveChildren = new Set();
const liveTestDirs = new Set();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of liveTestDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Start a node server script (relative to www-example/, or absolute) and resolve `ready` with the rest
 * of the first stdout line that starts with readyPrefix. The child dies with this process.
 */
export function spawnReady(name, script, env, readyPrefix, timeoutMs = 20_000) {
  const child = spawn(process.execPath, [resolve(WWW, script)], {
    cwd: WWW,
    // The servers exit when this pipe closes, so they never outlive a crashed test process.
    env: { ...process.env, ...env, EXIT_WITH_STDIN: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  child.on('exit', () => liveChildren.delete(child));
  const output = [];
  const keep = (line) => {
    output.push(line);
    if (output.length > 200) output.shift();
    if (DEBUG) console.error(`[${name}] ${line}`);
  };
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not print "${readyPrefix}" within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      keep(line);
      if (line.startsWith(readyPrefix)) {
        clearTimeout(timer);
        resolveReady(line.slice(readyPrefix.length).trim());
      }
    });
    createInterface({ input: child.stderr }).on('line', keep);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal || code}) before it was ready:\n${output.join('\n')}`));
    });
  });
  return { child, ready, output };
}

function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 3000);
    child.once('exit', () => { clearTimeout(timer); done(); });
    child.kill('SIGTERM');
  });
}

/**
 * Start the provider (OP_TEST_HOOKS=1) and the app server on free loopback ports.
 * Options: atTtl (access-token lifetime, seconds), env (extra provider env), appDir (the
 * directory the app server serves instead of www-example/app, e.g. a built Rust example app),
 * appEnv (extra app server env, e.g. { APP_CSP: 'strict' }).
 */
export async function startServers({ atTtl = 300, env = {}, appDir, appEnv = {} } = {}) {
  requireTools();
  let lastError;
  const testDir = mkdtempSync(join(tmpdir(), 'oxidc-e2e-'));
  liveTestDirs.add(testDir);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const opPort = await freePort();
    const issuer = `http://127.0.0.1:${opPort}`;
    const app = spawnReady('app', 'serve.mjs', {
      APP_PORT: '0', OP_ISSUER: issuer, OXIDC_PKG_DIR: PKG_DIR, APP_TEST_DIR: testDir,
      ...(appDir ? { APP_DIR: resolve(appDir) } : {}), ...appEnv,
    }, 'app ready ');
    let appUrl;
    try {
      appUrl = await app.ready;
    } catch (err) {
      lastError = err;
      continue;
    }
    const appOrigin = new URL(appUrl).origin;
    const op = spawnReady('provider', 'provider.mjs', {
      OP_PORT: String(opPort), APP_ORIGIN: appOrigin, AT_TTL: String(atTtl), OP_TEST_HOOKS: '1', ...env,
    }, 'provider ready ');
    try {
      const printed = await op.ready;
      assert.equal(printed, issuer, 'provider printed an unexpected issuer');
    } catch (err) {
      lastError = err;
      await stopChild(app.child);
      continue;
    }
    writeFileSync(join(testDir, 'storage-probe.html'), '<!DOCTYPE html><title>storage probe</title>\n');
    return new Servers({
      issuer, appOrigin, appUrl, testDir, children: [op.child, app.child], logs: { op: op.output, app: app.output },
    });
  }
  rmSync(testDir, { recursive: true, force: true });
  throw lastError;
}

export class Servers {
  constructor({ issuer, appOrigin, appUrl, testDir, children, logs }) {
    Object.assign(this, { issuer, appOrigin, appUrl, testDir, children, logs });
  }

  /**
   * Publish a probe page on the app's origin at /__test/<name>.html. `script` is the body of
   * an ES module that has createClient, OidcError and config (the app's client configuration)
   * in scope; the page is marked ready (html[data-ready]) when it finishes, and a thrown error
   * is left in window.__probeError. Returns the page URL.
   */
  probePage(name, script) {
    assert.match(name, /^[a-z0-9-]+$/);
    writeFileSync(join(this.testDir, `${name}.html`), `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${name}</title>
<script type="module" src="/__test/${name}.js"></script></head><body></body></html>
`);
    writeFileSync(join(this.testDir, `${name}.js`), `import { createClient, OidcError } from '/pkg/index.js';
const config = ${JSON.stringify(clientConfig(this))};
try {
${script}
} catch (e) {
  window.__probeError = { code: e && e.code, message: String(e && e.message) };
} finally {
  document.documentElement.dataset.ready = 'true';
}
`);
    return `${this.appOrigin}/__test/${name}.html`;
  }

  async hook(path, init) {
    const res = await fetch(`${this.issuer}${path}`, { ...init, signal: AbortSignal.timeout(STEP_TIMEOUT) });
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  /** Every recorded request to /auth, /token, /token/revocation, /session/end, /me, /api/hello. */
  ledger() { return this.hook('/__ledger'); }

  resetLedger() { return this.hook('/__ledger/reset', { method: 'POST' }); }

  /** Raw codes, tokens, verifiers and nonces the provider has seen or issued (test-only). */
  issued() { return this.hook('/__issued'); }

  /** Queue a one-shot fault, e.g. { route: 'token', grantType: 'refresh_token', status: 503 }. */
  addFault(fault) {
    return this.hook('/__faults', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
    });
  }

  resetFaults() { return this.hook('/__faults/reset', { method: 'POST' }); }

  /** All secrets the provider knows about, as one flat list. */
  async secrets({ includeTransaction = true } = {}) {
    const i = await this.issued();
    return [
      ...i.codes, ...i.accessTokens, ...i.refreshTokens, ...i.idTokens,
      ...(includeTransaction ? [...i.codeVerifiers, ...i.nonces] : []),
    ];
  }

  async stop() {
    await Promise.all(this.children.map(stopChild));
    rmSync(this.testDir, { recursive: true, force: true });
    liveTestDirs.delete(this.testDir);
  }
}

/** Token-endpoint POSTs in a ledger, optionally of one grant type. */
export function tokenRequests(ledger, grantType) {
  return ledger.filter((e) => e.route === 'token' && e.method === 'POST'
    && (grantType === undefined || e.grant_type === grantType));
}

// ---------------------------------------------------------------------------
// Browser

export async function launchBrowser() {
  requireTools();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: STEP_TIMEOUT,
  });
}

const REJECTION_PREFIX = '[e2e:unhandledrejection]';

/** A fresh context and page; requests that leave the loopback interface are refused. */
export async function newPage(browser) {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT);
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort('blockedbyclient'));
  await context.addInitScript((prefix) => {
    window.__e2eHistoryLengthAtLoad = history.length;
    window.addEventListener('unhandledrejection', (event) => {
      const r = event.reason;
      let text;
      try {
        text = r instanceof Error
          ? `${r.name}: ${r.message} ${JSON.stringify(r, Object.getOwnPropertyNames(r))}`
          : JSON.stringify(r);
      } catch {
        text = String(r);
      }
      console.error(prefix, text);
    });
  }, REJECTION_PREFIX);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Collect console messages (with serialised arguments), page errors and unhandled rejections.
 * Call `await capture.texts()` to get every collected string.
 */
export function captureConsole(page) {
  const messages = [];
  const pageErrors = [];
  const rejections = [];
  const pending = [];
  page.on('console', (msg) => {
    const entry = { type: msg.type(), text: msg.text(), url: msg.location()?.url || '', args: [] };
    messages.push(entry);
    if (entry.text.startsWith(REJECTION_PREFIX)) rejections.push(entry.text);
    pending.push(Promise.all(msg.args().map((arg) => arg.evaluate((v) => {
      try {
        if (v instanceof Error) return `${v.stack} ${JSON.stringify(v, Object.getOwnPropertyNames(v))}`;
        if (typeof v === 'string') return v;
        return JSON.stringify(v) ?? String(v);
      } catch {
        return String(v);
      }
    }).catch(() => ''))).then((args) => { entry.args = args; }));
  });
  page.on('pageerror', (err) => {
    pageErrors.push(`${err.name}: ${err.message}\n${err.stack || ''}`);
  });
  return {
    messages,
    pageErrors,
    rejections,
    async texts() {
      await Promise.allSettled(pending);
      return [
        // m.url (where the message came from) is left out: it is the page's own address.
        ...messages.flatMap((m) => [m.text, ...m.args]),
        ...pageErrors,
      ];
    },
  };
}

/** Fail if any secret (or a 16-character prefix/suffix of it, or a JWT part) occurs in any text. */
export function assertNoSecrets(texts, secrets, label = 'output') {
  const haystack = (Array.isArray(texts) ? texts : [texts]).map((t) => (typeof t === 'string' ? t : JSON.stringify(t)));
  const hits = [];
  for (const secret of new Set(secrets.filter((s) => typeof s === 'string' && s.length >= 8))) {
    const needles = new Set([secret]);
    if (secret.length >= 32) {
      needles.add(secret.slice(0, 16));
      needles.add(secret.slice(-16));
    }
    const parts = secret.split('.');
    if (parts.length === 3) {
      if (parts[1].length >= 16) needles.add(parts[1]);
      if (parts[2].length >= 16) needles.add(parts[2]);
    }
    for (const needle of needles) {
      const where = haystack.findIndex((t) => t.includes(needle));
      if (where !== -1) {
        hits.push(`${secret.slice(0, 6)}… found in ${label} entry #${where}: ${haystack[where].slice(0, 200)}`);
        break;
      }
    }
  }
  assert.deepEqual(hits, [], `secrets leaked into ${label}`);
}

/**
 * Everything the page's origin keeps: localStorage, sessionStorage, document.cookie, IndexedDB
 * (names and contents), CacheStorage (names, URLs, bodies), service workers, plus every cookie
 * in the browser context. `text` is all of it as one string, for substring checks.
 * `target` is a page or a frame.
 */
export async function scanStorage(target) {
  const page = typeof target.page === 'function' ? target.page() : target;
  const data = await target.evaluate(async () => {
    const dump = (s) => {
      const o = {};
      for (let i = 0; i < s.length; i += 1) {
        const k = s.key(i);
        o[k] = s.getItem(k);
      }
      return o;
    };
    const out = {
      origin: location.origin,
      localStorage: dump(localStorage),
      sessionStorage: dump(sessionStorage),
      documentCookie: document.cookie,
      indexedDB: [],
      caches: [],
      serviceWorkers: [],
    };
    if (indexedDB.databases) {
      for (const { name } of await indexedDB.databases()) {
        const db = { name, stores: {} };
        out.indexedDB.push(db);
        try {
          const conn = await new Promise((ok, fail) => {
            const req = indexedDB.open(name);
            req.onsuccess = () => ok(req.result);
            req.onerror = () => fail(req.error);
          });
          for (const store of conn.objectStoreNames) {
            db.stores[store] = await new Promise((ok) => {
              const req = conn.transaction(store, 'readonly').objectStore(store).getAll();
              req.onsuccess = () => {
                try { ok(JSON.stringify(req.result)); } catch { ok(String(req.result)); }
              };
              req.onerror = () => ok(`<error ${req.error}>`);
            });
          }
          conn.close();
        } catch (e) {
          db.error = String(e);
        }
      }
    }
    if (self.caches) {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        const entries = [];
        for (const req of await cache.keys()) {
          const res = await cache.match(req);
          entries.push({ url: req.url, body: res ? (await res.text()).slice(0, 65536) : null });
        }
        out.caches.push({ name, entries });
      }
    }
    if (navigator.serviceWorker) {
      out.serviceWorkers = (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope);
    }
    return out;
  });
  data.contextCookies = await page.context().cookies();
  data.text = JSON.stringify(data);
  return data;
}

/**
 * Scan the app origin's storage of this tab while the tab shows another origin (e.g. the
 * provider's login form): a same-site iframe of the app origin shares the tab's sessionStorage.
 */
export async function scanAppStorageFromHere(page, servers) {
  const src = `${servers.appOrigin}/__test/storage-probe.html`;
  const frame = await page.evaluate((url) => new Promise((resolveFrame, reject) => {
    const f = document.createElement('iframe');
    f.src = url;
    f.hidden = true;
    f.onload = () => resolveFrame(true);
    f.onerror = () => reject(new Error('probe frame failed'));
    document.body.append(f);
  }), src).then(() => page.frames().find((f) => f.url() === src));
  assert.ok(frame, 'the app-origin probe frame did not load');
  const scan = await scanStorage(frame);
  await page.evaluate((url) => document.querySelector(`iframe[src="${url}"]`)?.remove(), src);
  return scan;
}

/** The library's sessionStorage keys (oxidc.tx.login.<state> and the no-secret markers). */
export const txKeys = (scan) => Object.keys(scan.sessionStorage).filter((k) => k.startsWith('oxidc.tx.'));

// ---------------------------------------------------------------------------
// App and login automation

export async function waitForApp(page) {
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: STEP_TIMEOUT });
}

export async function openApp(page, servers, path = '/') {
  await page.goto(new URL(path, servers.appUrl).href);
  await waitForApp(page);
}

const originOf = (u) => new URL(u).origin;

/**
 * Click #login and complete oidc-provider's development login and consent forms.
 * Returns { loginForm, consent, callbackUrl }: which forms were shown, and the authorization
 * response URL the browser was sent to (captured before the app scrubs it).
 * With { divert: true } the provider holds the authorization response back (the browser ends
 * on the provider's /__diverted page) and nothing processes it; callbackUrl is that response.
 * With { popup: true, start: false } `page` is a login popup: done when it closes.
 */
export async function login(page, servers, {
  username = 'alice', password = 'secret', start = true, divert = false, popup = false,
} = {}) {
  const seen = { loginForm: false, consent: false, callbackUrl: null };
  const onRequest = (req) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      const u = new URL(req.url());
      if (u.origin === servers.appOrigin && u.pathname === '/callback') seen.callbackUrl = u.href;
    }
  };
  if (divert) await servers.addFault({ route: 'authorization', divert: true });
  page.on('request', onRequest);
  try {
    if (start) {
      await page.locator('#login').click();
      await page.waitForURL((u) => u.origin === originOf(servers.issuer), { timeout: STEP_TIMEOUT });
    }
    const deadline = Date.now() + STEP_TIMEOUT;
    for (;;) {
      if (popup && page.isClosed()) break;
      assert.ok(Date.now() < deadline, `login did not complete; stuck at ${page.url()}`);
      await page.waitForLoadState('domcontentloaded').catch((err) => { if (!popup || !page.isClosed()) throw err; });
      if (popup && page.isClosed()) break;
      const here = new URL(page.url());
      if (here.origin === servers.appOrigin) {
        // A login popup hands the response to the page that opened it and closes.
        if (popup) await page.waitForEvent('close', { timeout: STEP_TIMEOUT });
        else await waitForApp(page);
        break;
      }
      if (here.origin === originOf(servers.issuer) && here.pathname === '/__diverted') {
        seen.callbackUrl = here.searchParams.get('to');
        break;
      }
      const loginInput = page.locator('input[name="login"]');
      const consentButton = page.locator('button[type="submit"]', { hasText: 'Continue' });
      // A popup may close as soon as the provider sends it back to the app: that ends the wait.
      const closedOk = (err) => { if (!popup || !page.isClosed()) throw err; };
      if (await loginInput.count()) {
        seen.loginForm = true;
        await loginInput.fill(username);
        await page.locator('input[name="password"]').fill(password);
        await Promise.all([
          page.waitForURL((u) => u.href !== here.href, { timeout: STEP_TIMEOUT }),
          page.locator('button[type="submit"]').click(),
        ]).catch(closedOk);
      } else if (await consentButton.count()) {
        seen.consent = true;
        await Promise.all([
          page.waitForURL((u) => u.href !== here.href, { timeout: STEP_TIMEOUT }),
          consentButton.click(),
        ]).catch(closedOk);
      } else {
        // A redirect in flight, or a page we do not know: wait for the URL to change.
        const body = (await page.locator('body').innerText().catch(() => '')).slice(0, 300);
        await page.waitForURL((u) => u.href !== here.href, { timeout: Math.max(1000, deadline - Date.now()) })
          .catch(() => { if (!popup || !page.isClosed()) throw new Error(`login stuck at ${here.href}: ${body}`); });
      }
    }
  } finally {
    page.off('request', onRequest);
    if (divert) await servers.resetFaults();
  }
  return seen;
}

/**
 * Run a login in a separate browser context up to the authorization response and return
 * that response URL (with a real, unused code) without letting any app process it.
 */
export async function foreignCallbackUrl(browser, servers, { username = 'mallory' } = {}) {
  const { context, page } = await newPage(browser);
  try {
    await openApp(page, servers);
    const { callbackUrl } = await login(page, servers, { username, divert: true });
    assert.ok(callbackUrl, 'no authorization response captured');
    return callbackUrl;
  } finally {
    await context.close().catch(() => {});
  }
}

/** Client configuration the example app derives for these servers. */
export const clientConfig = (servers) => ({
  issuer: servers.issuer,
  clientId: 'spa',
  redirectUri: `${servers.appOrigin}/callback`,
  postLogoutRedirectUri: `${servers.appOrigin}/`,
  scope: 'openid profile email offline_access',
  extraAuthParams: { prompt: 'consent' },
  allowLoopbackHttp: true,
});

/** Click #logout and confirm on the provider's sign-out page; resolves back on the app. */
export async function logout(page, servers) {
  await page.locator('#logout').click();
  await page.waitForURL((u) => u.origin === originOf(servers.issuer), { timeout: STEP_TIMEOUT });
  const confirm = page.locator('button[name="logout"][value="yes"]');
  await confirm.waitFor({ timeout: STEP_TIMEOUT });
  await Promise.all([
    page.waitForURL((u) => u.origin === servers.appOrigin, { timeout: STEP_TIMEOUT }),
    confirm.click(),
  ]);
  await waitForApp(page);
}

const RESPONSE_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];

/** The address bar carries no authorization-response parameter, in the query or the fragment. */
export function assertScrubbed(url) {
  const u = new URL(url);
  const fragment = new URLSearchParams(u.hash.replace(/^#/, ''));
  const left = RESPONSE_PARAMS.filter((p) => u.searchParams.has(p) || fragment.has(p));
  assert.deepEqual(left, [], `authorization response parameters left in the address bar: ${url}`);
}

/** How many entries the session history gained since the current document loaded. */
export const historyGrowth = (page) => page.evaluate(() => history.length - window.__e2eHistoryLengthAtLoad);

/** Accept an access token at the provider's protected API, from Node (no browser involved). */
export async function callApi(servers, token) {
  const res = await fetch(`${servers.issuer}/api/hello`, {
    headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(STEP_TIMEOUT),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Click #call-api and return the status the page got. */
export async function clickCallApi(page) {
  await page.evaluate(() => { delete document.getElementById('api-result').dataset.status; });
  await page.locator('#call-api').click();
  await page.waitForSelector('#api-result[data-status], #error:not([hidden])', { timeout: STEP_TIMEOUT });
  return {
    status: Number(await page.locator('#api-result').getAttribute('data-status')) || null,
    text: await page.locator('#api-result').textContent(),
    error: await appError(page),
  };
}

/** The page's status line: "signed_in" | "signed_out" | "loading" | "error". */
export const appStatus = (page) => page.locator('#status').getAttribute('data-status');

/** Text and code of the page's #error box (null when hidden). */
export async function appError(page) {
  const box = page.locator('#error');
  if (await box.isHidden()) return null;
  return { code: await box.getAttribute('data-code'), text: await box.textContent() };
}

/** Calls into the page's client (window.__auth) and returns a plain result or {error}. */
export function inPage(page, fn, arg) {
  return page.evaluate(fn, arg);
}

export async function getAccessToken(page, opts) {
  return page.evaluate(async (o) => {
    try {
      return { token: await window.__auth.getAccessToken(o) };
    } catch (e) {
      return { error: { code: e.code, name: e.name, message: e.message } };
    }
  }, opts);
}

// ---------------------------------------------------------------------------
// node:test glue: one browser and one server pair per file, a fresh context per test,
// and a console check after every test.

/**
 * Set up the file's servers and browser. Returns an object filled in by the `before` hook:
 * { servers, browser }. Options: those of startServers. `check` runs first and throws when what the
 * suite serves is missing (default: the npm package).
 */
export function setupSuite(options = {}, check = requirePackage) {
  const env = { servers: null, browser: null };
  before(async () => {
    check();
    env.servers = await startServers(options);
    env.browser = await launchBrowser();
  }, { timeout: 60_000 });
  after(async () => {
    await env.browser?.close().catch(() => {});
    await env.servers?.stop();
  }, { timeout: 30_000 });
  return env;
}

/**
 * A test with a fresh browser context. fn receives { page, context, servers, capture }.
 * After fn, every console message, page error and unhandled rejection is checked for
 * the codes, tokens, verifiers and nonces the provider handled.
 */
export function e2eTest(env, name, fn, { timeout = 120_000, allowRejections = false } = {}) {
  test(name, { timeout }, async (t) => {
    const { context, page } = await newPage(env.browser);
    const capture = captureConsole(page);
    try {
      await env.servers.resetFaults();
      await fn({
        page, context, servers: env.servers, browser: env.browser, capture, t,
      });
      const texts = await capture.texts();
      assertNoSecrets(texts, await env.servers.secrets(), 'console/page errors');
      if (!allowRejections) assert.deepEqual(capture.rejections, [], 'unhandled promise rejections');
    } finally {
      await context.close().catch(() => {});
    }
  });
}

export { afterEach };

/**
 * Sends one DevTools command to every worker (shared or dedicated) of the browser, through a
 * browser-level session that stays attached until `close()` (emulation set this way, such as
 * offline, lasts as long as the session). For what only the engine's worker sees: its network, its
 * clock, its performance timeline. `results` holds each worker's answer.
 */
export async function onWorkers(browser, method, params = {}) {
  const cdp = await browser.newBrowserCDPSession();
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const m = JSON.parse(message);
    pending.get(`${sessionId} ${m.id}`)?.(m);
  });
  const { targetInfos } = await cdp.send('Target.getTargets');
  const workers = targetInfos.filter((t) => t.type === 'shared_worker' || t.type === 'worker');
  let next = 0;
  const send = async (sessionId, m, p) => {
    next += 1;
    const reply = new Promise((r) => { pending.set(`${sessionId} ${next}`, r); });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: next, method: m, params: p }) });
    const answer = await reply;
    if (answer.error) throw new Error(`${m} in a worker: ${JSON.stringify(answer.error)}`);
    return answer.result;
  };
  const results = [];
  for (const t of workers) {
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
    if (method.startsWith('Network.')) await send(sessionId, 'Network.enable', {});
    results.push(await send(sessionId, method, params));
  }
  return { count: workers.length, results, close: () => cdp.detach().catch(() => {}) };
}
