// The same few browser operations over three engines, for the cross-engine subset:
//   chromium  Debian's Chromium through playwright-core (the e2e harness's browser and contexts)
//   firefox   Firefox ESR through puppeteer-core over WebDriver BiDi
//   webkit    WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver, selenium-webdriver)
//             on an Xvfb display
//
// launchEngine(name) -> Engine { name, version, canInitScript, newProfile({ initScript }), close() }
// Profile (a fresh profile: no cookies, storage or workers shared with any other) -> { newTab(), close() }
// Tab -> { goto(url), click(sel), fill(sel, text), evaluate(fn, arg), waitFor(fn, arg, opts), url(), close() }
//
// evaluate(fn, arg) runs `fn(arg)` in the page (fn may be async; it must not close over anything) and
// returns its JSON-serialised result. A profile's initScript (source text) runs before the page's
// own scripts in every document of every tab, where the driver can do that (canInitScript).
//
// Requests from the pages to anything but the loopback interface are refused: Chromium's contexts
// block them (harness.mjs), Firefox and WebKit are pointed at a refusing proxy on 127.0.0.1
// (startBlackhole) that records what was tried; loopback addresses bypass it.
//
// Environment: CHROMIUM_PATH (see harness.mjs), FIREFOX_PATH (default /usr/bin/firefox-esr),
// MINIBROWSER_PATH (default: WebKitGTK 4.1's MiniBrowser), WEBKIT_WEBDRIVER (default WebKitWebDriver).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { STEP_TIMEOUT, freePort, launchBrowser, newPage } from '../e2e/harness.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver';

function miniBrowserPath() {
  if (process.env.MINIBROWSER_PATH) return process.env.MINIBROWSER_PATH;
  for (const p of [
    '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  ]) if (existsSync(p)) return p;
  try {
    return execFileSync('dpkg', ['-L', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' })
      .split('\n').find((l) => l.endsWith('/MiniBrowser')) || '';
  } catch {
    return '';
  }
}

function requireFile(path, what, hint) {
  if (!path || !existsSync(path)) throw new Error(`${what} not found${path ? ` at ${path}` : ''} (${hint})`);
}

/**
 * A proxy on 127.0.0.1 that answers every request with 403 (and every CONNECT by closing the
 * socket) and records the target. Browsers pointed at it with loopback exempt cannot reach any
 * other address; `attempts` says what they tried.
 */
export async function startBlackhole() {
  const attempts = [];
  const server = createServer((req, res) => {
    attempts.push(`${req.method} ${req.url}`);
    res.writeHead(403, { connection: 'close' }).end();
  });
  server.on('connect', (req, socket) => {
    attempts.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise((ok) => { server.listen(0, '127.0.0.1', ok); });
  return {
    port: server.address().port,
    attempts,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

/** The JSON round trip every engine's evaluate ends with (undefined becomes null). */
const plain = (v) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

/** Generic helpers on top of a tab's evaluate and url. */
function withHelpers(tab) {
  tab.waitFor = async (fn, arg, { timeout = STEP_TIMEOUT, what = 'condition', interval = 100 } = {}) => {
    const deadline = Date.now() + timeout;
    let lastError = null;
    for (;;) {
      try {
        const v = await tab.evaluate(fn, arg);
        if (v) return v;
        lastError = null;
      } catch (err) {
        // A navigation in progress: the document the script ran in went away. Try again.
        lastError = err;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeout} ms waiting for ${what} at ${await tab.url().catch(() => '?')}`
          + `${lastError ? `: ${lastError.message}` : ''}`);
      }
      await sleep(interval);
    }
  };
  tab.waitForSelector = (selector, opts = {}) => tab.waitFor(
    (s) => Boolean(document.querySelector(s)), selector, { what: selector, ...opts },
  );
  tab.waitForUrl = async (pred, { timeout = STEP_TIMEOUT, what = 'a URL' } = {}) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const u = await tab.url().catch(() => '');
      if (u && pred(new URL(u))) return u;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}; at ${u}`);
      await sleep(100);
    }
  };
  return tab;
}

// ---------------------------------------------------------------------------
// Chromium: the e2e harness's browser; a profile is a browser context.

async function chromiumEngine() {
  const browser = await launchBrowser();
  return {
    name: 'chromium',
    version: browser.version(),
    canInitScript: true,
    async newProfile({ initScript } = {}) {
      const { context, page: first } = await newPage(browser);
      if (initScript) await context.addInitScript({ content: initScript });
      let spare = first;
      return {
        async newTab() {
          const page = spare || await context.newPage();
          spare = null;
          return withHelpers({
            raw: page,
            goto: async (url) => { await page.goto(url); },
            click: (sel) => page.click(sel),
            fill: (sel, text) => page.fill(sel, text),
            evaluate: async (fn, arg) => plain(await page.evaluate(fn, arg)),
            url: async () => page.url(),
            close: () => page.close(),
          });
        },
        close: () => context.close().catch(() => {}),
      };
    },
    close: () => browser.close().catch(() => {}),
  };
}

// ---------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi; a profile is a browser (user) context.

/** Preferences that keep Firefox off the network except for loopback, and quiet. */
function firefoxPrefs(proxyPort) {
  return {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.allow_hijacking_localhost': false,
    'network.proxy.no_proxies_on': '127.0.0.1,localhost',
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'network.trr.mode': 5,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.blockedURIs.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'app.update.enabled': false,
    'app.normandy.enabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'services.settings.server': 'http://127.0.0.1:1/v1',
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'dom.push.enabled': false,
  };
}

async function firefoxEngine({ proxyPort }) {
  requireFile(FIREFOX, 'Firefox', 'apt-get install firefox-esr, or set FIREFOX_PATH');
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: firefoxPrefs(proxyPort),
    timeout: 60_000,
    protocolTimeout: 120_000,
  });
  return {
    name: 'firefox',
    version: await browser.version(),
    canInitScript: true,
    async newProfile({ initScript } = {}) {
      const context = await browser.createBrowserContext();
      return {
        async newTab() {
          const page = await context.newPage();
          page.setDefaultTimeout(STEP_TIMEOUT);
          page.setDefaultNavigationTimeout(STEP_TIMEOUT);
          if (initScript) await page.evaluateOnNewDocument(initScript);
          return withHelpers({
            raw: page,
            goto: async (url) => { await page.goto(url, { waitUntil: 'load' }); },
            click: (sel) => page.click(sel),
            fill: (sel, text) => page.locator(sel).fill(text),
            evaluate: async (fn, arg) => plain(await page.evaluate(fn, arg)),
            url: async () => page.url(),
            close: () => page.close(),
          });
        },
        close: () => context.close().catch(() => {}),
      };
    },
    close: () => browser.close().catch(() => {}),
  };
}

// ---------------------------------------------------------------------------
// WebKit: WebKitGTK's MiniBrowser under WebKitWebDriver (classic WebDriver) on Xvfb. A profile is a
// WebDriver session (a MiniBrowser process with an ephemeral data store); a tab is one of its
// windows. Classic WebDriver has one current window per session, so a profile's commands run one
// at a time, each after switching to its tab's window.

async function webkitEngine({ proxyPort }) {
  const miniBrowser = miniBrowserPath();
  requireFile(miniBrowser, 'MiniBrowser', 'apt-get install webkit2gtk-driver, or set MINIBROWSER_PATH');
  requireFile(WEBKIT_WEBDRIVER, 'WebKitWebDriver', 'apt-get install webkit2gtk-driver');
  requireFile('/usr/bin/xvfb-run', 'xvfb-run', 'apt-get install xvfb');
  const { Builder, By, Capabilities } = await import('selenium-webdriver');

  const port = await freePort();
  // xvfb-run starts Xvfb on a free display and runs the driver on it, in a process group of its
  // own (xvfb-run, Xvfb, the driver, its browsers). The group ends when this process's pipe to it
  // closes, however this process ends.
  const server = spawn('sh', ['-c', 'xvfb-run -a -s "-screen 0 1280x1024x24" "$0" --port="$1" --host=local </dev/null & cat >/dev/null; kill -KILL 0',
    WEBKIT_WEBDRIVER, String(port)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const output = [];
  for (const s of [server.stdout, server.stderr]) s.on('data', (d) => { output.push(String(d)); if (output.length > 50) output.shift(); });
  const killGroup = () => { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killGroup);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const up = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (up) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      killGroup();
      throw new Error(`WebKitWebDriver did not start on port ${port}:\n${output.join('')}`);
    }
    await sleep(200);
  }

  const caps = new Capabilities();
  caps.set('browserName', 'MiniBrowser');
  // The proxy is MiniBrowser's own option: with WebDriver's proxy capability instead, about one
  // MiniBrowser start in four never connected back to the driver (WebKitGTK 2.50.6).
  caps.set('webkitgtk:browserOptions', {
    binary: miniBrowser,
    args: ['--automation', `--proxy=http://127.0.0.1:${proxyPort}`, '--ignore-host=127.0.0.1', '--ignore-host=localhost'],
  });
  caps.set('pageLoadStrategy', 'normal');
  const profiles = new Set();
  let version = null;

  return {
    name: 'webkit',
    get version() { return version; },
    canInitScript: false,
    async newProfile({ initScript } = {}) {
      if (initScript) throw new Error('WebKit over classic WebDriver cannot run a script before the page\'s scripts');
      const starting = new Builder().usingServer(url).disableEnvironmentOverrides().withCapabilities(caps).build();
      let timer;
      const driver = await Promise.race([starting, new Promise((ok, fail) => {
        timer = setTimeout(() => fail(new Error(
          `MiniBrowser did not start within 60 s (WebKitWebDriver: ${output.join('').slice(-2000) || 'no output'})`,
        )), 60_000);
      })]).finally(() => clearTimeout(timer));
      profiles.add(driver);
      const got = await driver.getCapabilities();
      version = `${got.get('browserName')} ${got.get('browserVersion')}`;
      await driver.manage().setTimeouts({ script: 120_000, pageLoad: STEP_TIMEOUT, implicit: 0 });
      // One command at a time per session, on the right window.
      let queue = Promise.resolve();
      let current = await driver.getWindowHandle();
      let firstFree = true;
      const on = (handle, fn) => {
        const run = queue.then(async () => {
          if (current !== handle) {
            await driver.switchTo().window(handle);
            current = handle;
          }
          return fn();
        });
        queue = run.catch(() => {});
        return run;
      };
      return {
        async newTab() {
          let handle;
          if (firstFree) {
            firstFree = false;
            handle = current;
          } else {
            handle = await on(current, async () => {
              await driver.switchTo().newWindow('tab');
              current = await driver.getWindowHandle();
              return current;
            });
          }
          return withHelpers({
            raw: driver,
            goto: (u) => on(handle, () => driver.get(u)),
            click: (sel) => on(handle, () => driver.findElement(By.css(sel)).click()),
            fill: (sel, text) => on(handle, async () => {
              const el = await driver.findElement(By.css(sel));
              await el.clear();
              await el.sendKeys(text);
            }),
            evaluate: (fn, arg) => on(handle, async () => {
              const r = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (${fn.toString()})(arguments[0])).then(
  (v) => done({ ok: true, json: JSON.stringify(v === undefined ? null : v) }),
  (e) => done({ ok: false, error: String(e && e.stack || e) }));`, arg === undefined ? null : arg);
              if (!r?.ok) throw new Error(`in-page script failed: ${r?.error}`);
              return JSON.parse(r.json);
            }),
            url: () => on(handle, () => driver.getCurrentUrl()),
            close: () => on(handle, async () => { await driver.close(); current = null; }),
          });
        },
        async close() {
          profiles.delete(driver);
          await driver.quit().catch(() => {});
        },
      };
    },
    async close() {
      await Promise.all([...profiles].map((d) => d.quit().catch(() => {})));
      killGroup();
      process.off('exit', killGroup);
    },
  };
}

/** Start one engine. Options: proxyPort (a startBlackhole port; Firefox and WebKit). */
export async function launchEngine(name, options = {}) {
  if (name === 'chromium') return chromiumEngine(options);
  if (name === 'firefox') return firefoxEngine(options);
  if (name === 'webkit') return webkitEngine(options);
  throw new Error(`unknown engine ${name}`);
}
