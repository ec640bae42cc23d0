// Static server for the oxidc example app. No dependencies.
//
//   node serve.mjs
//
// Environment:
//   APP_PORT       port to listen on (default 8080; 0 picks a free port)
//   OP_ISSUER      issuer for the app; served as window.OXIDC_CONFIG by /config.js
//   APP_CONFIG     more client settings for the app, as a JSON object merged into window.OXIDC_CONFIG
//                  (e.g. a provider's settings from the README: {"allowedTenants":["..."]})
//   OXIDC_PKG_DIR  the built package directory served at /pkg/ (default ../pkg)
//   APP_DIR        the app's directory (default app/; e.g. target/www-yew for the Yew example)
//   APP_CSP        "0" turns off the Content-Security-Policy header; "strict" sends exactly
//                  default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self';
//                  connect-src 'self' <OP_ISSUER's origin>
//                  (the policy a strict app would use; the cross-engine tests run under it)
//   APP_TEST_DIR   extra directory served at /__test/ (used by the end-to-end tests)
//   APP_COOP       a Cross-Origin-Opener-Policy header for every response (e.g. "same-origin")
//   EXIT_WITH_STDIN "1": exit when standard input closes (a test harness that dies takes this along)
//
// Routes: /config.js, /pkg/* (the package), files under APP_DIR, and for any other
// path without a file extension (e.g. /callback) APP_DIR/index.html.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const APP_DIR = resolve(process.env.APP_DIR || join(HERE, 'app'));
const PKG_DIR = resolve(process.env.OXIDC_PKG_DIR || join(HERE, '..', 'pkg'));
const HOST = '127.0.0.1';
const PORT = envInt('APP_PORT', 8080);
const OP_ISSUER = process.env.OP_ISSUER || '';
const TEST_DIR = process.env.APP_TEST_DIR ? resolve(process.env.APP_TEST_DIR) : '';
const APP_CONFIG = parseAppConfig(process.env.APP_CONFIG);

function parseAppConfig(raw) {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch { /* reported below */ }
  console.error('APP_CONFIG must be a JSON object');
  process.exit(2);
}

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function csp(framable) {
  // Token requests go to the provider; loopback is allowed so that ?op= can point elsewhere in development.
  const connect = ["'self'", 'http://127.0.0.1:*', 'http://localhost:*'];
  if (OP_ISSUER) {
    try { connect.push(new URL(OP_ISSUER).origin); } catch { /* reported by the app */ }
  }
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    // Test pages may be framed by loopback pages (to read this origin's storage from elsewhere).
    framable ? 'frame-ancestors http://127.0.0.1:*' : "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

// The strict policy (APP_CSP=strict): nothing but the app's origin, WebAssembly compilation, and
// the provider (another origin) to connect to.
function strictCsp() {
  let provider = '';
  try { provider = OP_ISSUER ? ` ${new URL(OP_ISSUER).origin}` : ''; } catch { /* reported by the app */ }
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'${provider}`;
}

function baseHeaders(res, path) {
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (process.env.APP_COOP) res.setHeader('Cross-Origin-Opener-Policy', process.env.APP_COOP);
  if (process.env.APP_CSP === 'strict') res.setHeader('Content-Security-Policy', strictCsp());
  else if (process.env.APP_CSP !== '0') res.setHeader('Content-Security-Policy', csp(Boolean(TEST_DIR) && path.startsWith('/__test/')));
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

// Resolve a URL path below root; undefined when it escapes root.
function inside(root, urlPath) {
  const file = resolve(root, `.${urlPath}`);
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

async function sendFile(res, file) {
  let info;
  try {
    info = await stat(file);
  } catch {
    return false;
  }
  if (!info.isFile()) return false;
  res.statusCode = 200;
  res.setHeader('Content-Type', MIME[extname(file).toLowerCase()] || 'application/octet-stream');
  res.setHeader('Content-Length', info.size);
  if (res.req.method === 'HEAD') {
    res.end();
    return true;
  }
  await new Promise((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => { res.destroy(); done(); });
    stream.on('end', done);
    stream.pipe(res);
  });
  return true;
}

async function handle(req, res) {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    baseHeaders(res, '/');
    return send(res, 400, 'bad request\n');
  }
  baseHeaders(res, path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  if (path.includes('\0')) return send(res, 400, 'bad request\n');

  if (path === '/config.js') {
    const settings = { ...APP_CONFIG, ...(OP_ISSUER ? { issuer: OP_ISSUER } : {}) };
    const body = Object.keys(settings).length
      ? `window.OXIDC_CONFIG = Object.assign({}, window.OXIDC_CONFIG, ${JSON.stringify(settings)});\n`
      : '// OP_ISSUER is not set: the app uses ?op= or its default issuer.\n';
    return send(res, 200, body, MIME['.js']);
  }

  if (path === '/pkg' || path.startsWith('/pkg/')) {
    const file = inside(PKG_DIR, path.slice('/pkg'.length) || '/');
    if (file && await sendFile(res, file)) return undefined;
    const hint = path.endsWith('/index.js') ? ` (is the package built? looked in ${PKG_DIR})` : '';
    return send(res, 404, `not found${hint}\n`);
  }

  if (TEST_DIR && path.startsWith('/__test/')) {
    const file = inside(TEST_DIR, path.slice('/__test'.length));
    if (file && await sendFile(res, file)) return undefined;
    return send(res, 404, 'not found\n');
  }

  const file = inside(APP_DIR, path.endsWith('/') ? `${path}index.html` : path);
  if (file && await sendFile(res, file)) return undefined;
  if (!extname(path)) {
    if (await sendFile(res, join(APP_DIR, 'index.html'))) return undefined;
  }
  return send(res, 404, 'not found\n');
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) send(res, 500, 'internal error\n');
    else res.destroy();
  });
});

server.listen(PORT, HOST, () => {
  console.log(`app ready http://${HOST}:${server.address().port}/`);
});
server.on('error', (err) => {
  console.error(`app server: ${err.message}`);
  process.exit(1);
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
if (process.env.EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
