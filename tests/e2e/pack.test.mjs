// The packed npm tarball works in a fresh app: installed into throwaway apps in a temp dir, built with
// Vite (no plugin) and used from a plain <script type="module"> page, each logging in for real.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';

import { REPO, STEP_TIMEOUT, WWW, launchBrowser, login, newPage } from './harness.mjs';

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

/** A static server for `root`; unknown extension-less paths (like /callback) get index.html. */
function serveStatic(root, port) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
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
