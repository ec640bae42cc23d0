// The packed npm tarball works in a fresh app: installed into throwaway apps in a temp dir, built with
// Vite (no plugin) and used from a plain <script type="module"> page, each logging in for real; and
// both again under a strict Content-Security-Policy (log in, renew, log out, no violation reported).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';

import { REPO, STEP_TIMEOUT, WWW, launchBrowser, login, logout, newPage } from './harness.mjs';

const version = /^version = "(.*)"/m.exec(readFileSync(join(REPO, 'Cargo.toml'), 'utf8'))[1];
const TARBALL = join(REPO, 'target', `oxidc-${version}.tgz`);

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/**
 * A static server for `root`; unknown extension-less paths (like /callback) get index.html. `headers`
 * go on every response (the page, its scripts, the worker's files, the wasm, the 404s).
 */
function serveStatic(root, port, headers = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (!existsSync(file) || statSync(file).isDirectory()) {
      file = extname(path) ? null : join(root, 'index.html');
    }
    if (!file || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function startProvider(opPort, appOrigin) {
  const child = spawn(process.execPath, [join(WWW, 'provider.mjs')], {
    env: { ...process.env, OP_PORT: String(opPort), APP_ORIGIN: appOrigin, OP_TEST_HOOKS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('provider did not start')), STEP_TIMEOUT);
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.startsWith('provider ready ')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => reject(new Error(`provider exited ${code}`)));
  });
  return { child, ready };
}

const appScript = (issuer, importFrom) => `import { createClient, OidcError } from "${importFrom}";
const out = document.getElementById("out");
try {
  const auth = await createClient({ issuer: "${issuer}", clientId: "spa", redirectUri: location.origin + "/callback",
    scope: "openid", allowLoopbackHttp: true });
  document.getElementById("login").onclick = () => auth.login({ returnTo: "/" });
  if (auth.isCallback()) {
    await auth.handleRedirectCallback();
    const token = await auth.getAccessToken();
    out.dataset.sub = String(auth.user()?.sub);
    out.dataset.tokenOk = String(typeof token === "string" && token.length > 10);
  }
  // A real Error subclass with a stable code, also from the installed package.
  try { await createClient({ issuer: "${issuer}", clientID: "typo" }); }
  catch (e) { out.dataset.error = (e instanceof OidcError && e instanceof Error) ? e.code : "not-an-OidcError"; }
} catch (e) {
  out.dataset.failed = String(e && (e.code || e.message));
} finally {
  document.documentElement.dataset.ready = "true";
}
`;

const page = (script) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>throwaway</title></head>
<body><button id="login">Log in</button><output id="out"></output>
<script type="module">${script}</script></body></html>
`;

const temps = [];
let browser;
before(async () => {
  assert.ok(existsSync(TARBALL), `${TARBALL} is missing: run \`make pkg\` first`);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function throwawayApp() {
  const dir = mkdtempSync(join(tmpdir(), 'oxidc-app-'));
  temps.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'throwaway', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', TARBALL], { cwd: dir, stdio: 'pipe' });
  assert.ok(existsSync(join(dir, 'node_modules', 'oxidc', 'oxidc_bg.wasm')), 'the tarball installs the wasm');
  return dir;
}

async function loginThrough(root) {
  const [appPort, opPort] = [await freePort(), await freePort()];
  const servers = { issuer: `http://127.0.0.1:${opPort}`, appOrigin: `http://127.0.0.1:${appPort}` };
  return { servers, root, appPort, opPort };
}

async function runLogin({ servers, serveRoot, appPort, opPort }) {
  const op = startProvider(opPort, servers.appOrigin);
  const http = await serveStatic(serveRoot, appPort);
  const { context, page: p } = await newPage(browser);
  try {
    await op.ready;
    await p.goto(`${servers.appOrigin}/`);
    await p.waitForSelector('html[data-ready="true"]', { state: 'attached' });
    const out = p.locator('#out');
    assert.equal(await out.getAttribute('data-failed'), null, 'the app started');
    assert.equal(await out.getAttribute('data-error'), 'invalid_config', 'OidcError with a code from the package');
    await login(p, servers);
    await p.waitForSelector('#out[data-token-ok]', { state: 'attached' });
    assert.equal(await out.getAttribute('data-token-ok'), 'true');
    assert.equal(await out.getAttribute('data-sub'), 'alice');
    assert.doesNotMatch(p.url(), /[?&](code|state|iss)=/, 'address bar scrubbed');
  } finally {
    await context.close().catch(() => {});
    http.close();
    op.child.kill('SIGTERM');
  }
}

test('packed tarball: installs and logs in from a Vite build without plugins', { timeout: 180_000 }, async () => {
  const dir = throwawayApp();
  const ports = await loginThrough(dir);
  writeFileSync(join(dir, 'index.html'), page('import "./main.js";').replace('<script type="module">import "./main.js";</script>', '<script type="module" src="/main.js"></script>'));
  writeFileSync(join(dir, 'main.js'), appScript(ports.servers.issuer, 'oxidc'));
  const { build } = await import('vite');
  await build({ root: dir, logLevel: 'warn', configFile: false, build: { outDir: join(dir, 'dist'), target: 'es2022' } });
  const assets = readdirSync(join(dir, 'dist', 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `vite emitted the wasm asset (${assets.join(', ')})`);
  await runLogin({ ...ports, serveRoot: join(dir, 'dist') });
});

test('packed tarball: works from a plain <script type="module"> page', { timeout: 180_000 }, async () => {
  const dir = throwawayApp();
  const ports = await loginThrough(dir);
  writeFileSync(join(dir, 'index.html'), page(appScript(ports.servers.issuer, '/node_modules/oxidc/index.js')));
  await runLogin({ ...ports, serveRoot: dir });
});

// ---------------------------------------------------------------------------
// Strict Content-Security-Policy: the policy an app would want, on every response of the app's
// origin (the page, its scripts, the worker's files and the wasm). `connect-src` names the provider
// and nothing else: the provider is another origin (another port on 127.0.0.1), and `default-src
// 'self'` alone would block every request to it. Nothing else is relaxed: no inline script, no eval,
// workers and scripts only from the app's origin, WebAssembly compilation only through
// 'wasm-unsafe-eval'.
const strictCsp = (issuer) => "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
  + `connect-src 'self' ${new URL(issuer).origin}`;

// The app: log in and out buttons, the callback on /callback, the logout return on / (with state).
// Its script is a file: the policy allows no inline script.
const cspAppScript = (issuer, importFrom) => `import { createClient } from "${importFrom}";
const out = document.getElementById("out");
try {
  const auth = await createClient({ issuer: "${issuer}", clientId: "spa", redirectUri: location.origin + "/callback",
    postLogoutRedirectUri: location.origin + "/", scope: "openid profile offline_access",
    extraAuthParams: { prompt: "consent" }, allowLoopbackHttp: true });
  window.__auth = auth;
  document.getElementById("login").onclick = () => auth.login({ returnTo: "/" });
  document.getElementById("logout").onclick = () => auth.logout();
  if (location.pathname === "/callback") {
    await auth.handleRedirectCallback();
    history.replaceState(null, "", "/");
  } else if (new URLSearchParams(location.search).has("state")) {
    out.dataset.logoutReturn = String(await auth.handleLogoutCallback());
  }
  out.dataset.status = auth.isAuthenticated() ? "signed_in" : "signed_out";
  out.dataset.sub = String(auth.user()?.sub);
} catch (e) {
  out.dataset.failed = String(e && (e.code || e.message));
} finally {
  document.documentElement.dataset.ready = "true";
}
`;

const cspPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>throwaway (strict CSP)</title>
<script type="module" src="/main.js"></script></head>
<body><button id="login">Log in</button><button id="logout">Log out</button><output id="out"></output></body></html>
`;

/**
 * Collects what reports a CSP violation in the page: its securitypolicyviolation events and console
 * messages.
 */
async function watchPage(context, reports) {
  await context.exposeBinding('__cspViolation', (_source, v) => { reports.push({ where: 'page event', ...v }); });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolation({
        directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample, url: location.href,
      });
    });
  });
  context.on('console', (m) => {
    if (CSP_MESSAGE.test(m.text())) reports.push({ where: 'page console', text: m.text() });
  });
}

const CSP_MESSAGE = /Content Security Policy|Content-Security-Policy|Refused to/i;

/**
 * What the workers running now have logged about CSP (the log domain hands over what was logged
 * before it was enabled), through a browser-level DevTools session that attaches to each worker only
 * for this: a SharedWorker with a debugger attached outlives its last page, and the next page's
 * connection to it never completes. Returns the workers it read.
 */
async function readWorkerLogs(browser, reports) {
  const cdp = await browser.newBrowserCDPSession();
  const pending = new Map();
  const names = new Map();
  let next = 0;
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const m = JSON.parse(message);
    if (m.id !== undefined) pending.get(`${sessionId} ${m.id}`)?.(m);
    const text = m.method === 'Log.entryAdded' ? `${m.params.entry.text} ${m.params.entry.url ?? ''}`
      : m.method === 'Runtime.consoleAPICalled' ? m.params.args.map((a) => a.value ?? a.description ?? '').join(' ')
        : m.method === 'Runtime.exceptionThrown' ? (m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text)
          : '';
    if (CSP_MESSAGE.test(text)) reports.push({ where: names.get(sessionId), text });
  });
  const send = async (sessionId, method) => {
    next += 1;
    const reply = new Promise((r) => { pending.set(`${sessionId} ${next}`, r); });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: next, method }) });
    return reply;
  };
  const workers = [];
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    for (const t of targetInfos.filter((x) => x.type === 'shared_worker' || x.type === 'worker')) {
      const name = `${t.type} ${t.url}`;
      try {
        const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
        names.set(sessionId, name);
        await send(sessionId, 'Log.enable');
        await send(sessionId, 'Runtime.enable');
        await cdp.send('Target.detachFromTarget', { sessionId });
        workers.push(name);
      } catch { /* the worker ended meanwhile */ }
    }
  } finally {
    await cdp.detach().catch(() => {});
  }
  return workers;
}

async function runCspFlow({ servers, serveRoot, appPort, opPort }) {
  const op = startProvider(opPort, servers.appOrigin);
  const csp = strictCsp(servers.issuer);
  const http = await serveStatic(serveRoot, appPort, { 'Content-Security-Policy': csp });
  const { context, page: p } = await newPage(browser);
  const reports = [];
  await watchPage(context, reports);
  const out = p.locator('#out');
  const ready = async () => {
    await p.waitForSelector('html[data-ready="true"]', { state: 'attached' });
    assert.equal(await out.getAttribute('data-failed'), null, 'the app ran');
  };
  // The engine's worker ends when the page navigates away, so its log is read before each navigation.
  const engines = [];
  const readEngine = async () => {
    const workers = await readWorkerLogs(browser, reports);
    assert.ok(workers.some((w) => w.startsWith('shared_worker ')), `the engine runs in a SharedWorker (${workers})`);
    engines.push(...workers);
  };
  try {
    await op.ready;
    const res = await p.goto(`${servers.appOrigin}/`);
    assert.equal(res.headers()['content-security-policy'], csp, 'the page is served with the policy');
    await ready();
    assert.equal(await out.getAttribute('data-status'), 'signed_out');
    await readEngine();

    await login(p, servers);
    await ready();
    assert.equal(await out.getAttribute('data-status'), 'signed_in', 'logged in');
    assert.equal(await out.getAttribute('data-sub'), 'alice');
    const tokens = await p.evaluate(async () => {
      const first = await window.__auth.getAccessToken();
      const renewed = await window.__auth.getAccessToken({ forceRefresh: true });
      return { first, renewed };
    });
    assert.ok(tokens.renewed && tokens.renewed !== tokens.first, 'getAccessToken({ forceRefresh: true }) gives a new token');
    const api = await fetch(`${servers.issuer}/api/hello`, {
      headers: { authorization: `Bearer ${tokens.renewed}` }, signal: AbortSignal.timeout(STEP_TIMEOUT),
    });
    assert.equal(api.status, 200, 'the renewed token is accepted');
    await readEngine();

    await logout(p, servers);
    await ready();
    assert.equal(await out.getAttribute('data-status'), 'signed_out', 'logged out');
    assert.equal(await out.getAttribute('data-logout-return'), 'true', 'the logout return matched');
    // The revocation ran in the worker that ended with the navigation: the provider saw it.
    const ledger = await (await fetch(`${servers.issuer}/__ledger`, { signal: AbortSignal.timeout(STEP_TIMEOUT) })).json();
    assert.ok(ledger.some((e) => e.route === 'revocation' && e.status === 200), 'the refresh token was revoked at logout');
    await readEngine();
    assert.deepEqual(reports, [], `no CSP violation (workers read: ${engines.join(', ')})`);

    // The detectors report a violation where there is one: a request to an origin the policy does
    // not name, from the page, and from the engine's worker (a session for an issuer the policy does
    // not allow: the worker's discovery request is refused), read after the fact like the others.
    await p.evaluate(() => fetch('http://127.0.0.1:9/csp-probe').catch(() => {}));
    const workerUrl = engines.at(-1).replace(/^shared_worker /, '');
    await p.evaluate((url) => {
      const { port } = new SharedWorker(url, { type: 'module', name: 'oxidc' });
      port.postMessage({
        id: 1, op: 'init', records: [], here: '/', callback: false,
        options: { issuer: 'http://127.0.0.1:9', clientId: 'spa', redirectUri: `${location.origin}/callback`, allowLoopbackHttp: true },
      });
      return new Promise((resolve) => { port.onmessage = resolve; setTimeout(resolve, 5000); });
    }, workerUrl);
    await readWorkerLogs(browser, reports);
    const where = [...new Set(reports.map((r) => r.where.replace(/ http.*/, '')))].sort();
    assert.deepEqual(where, ['page console', 'page event', 'shared_worker'], `the probes were reported: ${JSON.stringify(reports)}`);
  } finally {
    await context.close().catch(() => {});
    http.close();
    op.child.kill('SIGTERM');
  }
}

test('packed tarball under a strict CSP: a Vite build (no plugins) logs in, renews and logs out, no violation', { timeout: 180_000 }, async () => {
  const dir = throwawayApp();
  const ports = await loginThrough(dir);
  writeFileSync(join(dir, 'index.html'), cspPage);
  writeFileSync(join(dir, 'main.js'), cspAppScript(ports.servers.issuer, 'oxidc'));
  const { build } = await import('vite');
  await build({ root: dir, logLevel: 'warn', configFile: false, build: { outDir: join(dir, 'dist'), target: 'es2022' } });
  const built = readFileSync(join(dir, 'dist', 'index.html'), 'utf8');
  assert.doesNotMatch(built, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script in the built page');
  await runCspFlow({ ...ports, serveRoot: join(dir, 'dist') });
});

test('packed tarball under a strict CSP: a plain <script type="module"> page logs in, renews and logs out, no violation', { timeout: 180_000 }, async () => {
  const dir = throwawayApp();
  const ports = await loginThrough(dir);
  writeFileSync(join(dir, 'index.html'), cspPage);
  writeFileSync(join(dir, 'main.js'), cspAppScript(ports.servers.issuer, '/node_modules/oxidc/index.js'));
  await runCspFlow({ ...ports, serveRoot: dir });
});
