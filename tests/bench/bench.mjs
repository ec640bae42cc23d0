// make bench: size and speed of oxidc next to oidc-client-ts, in one headless Chromium run against
// the dev OpenID provider (www-example/provider.mjs). Prints a side-by-side table with the ratios
// and writes the numbers as JSON under target/bench/.
//
// Environment:
//   BENCH_REPS   repetitions per timing (median taken; default 7)
//   BENCH_N      getAccessToken calls per hot-path sample (default 10000)
//   BENCH_OUT_DIR  where the JSON and the table go (default target/bench)
//   OXIDC_PKG_DIR, CHROMIUM_PATH   as for the end-to-end tests
//
// What is measured (each library in its own fresh browser context, same provider, same client):
//   size         the wasm and the JavaScript each library ships: raw, gzip -9, brotli (max quality).
//                oxidc JS is measured as published and minified by esbuild (like the peer's bundle:
//                `export { createClient, load } from 'oxidc'`);
//                oidc-client-ts is `export { UserManager } from 'oidc-client-ts'` bundled by esbuild
//                (--bundle --minify --format=esm --platform=browser --target=es2020).
//   start-up     oxidc: fetch the wasm, compile, instantiate, createClient (discovery included);
//                oidc-client-ts: import the bundle, new UserManager, load the discovery document.
//   callback     from the callback page's navigation start to the access token in hand
//                (library load, discovery, code exchange, ID-token checks). Each page loads its
//                library's bundle from above (oxidc's fetches the wasm next to it).
//   hot path     a valid token held: N sequential `await getAccessToken()` (oidc-client-ts:
//                `(await getUser()).access_token`), per call.
//   refresh      one forced renewal with the refresh token (oidc-client-ts: signinSilent()).
//   concurrency  the page clock is moved past the access token's expiry, then 50 calls at once;
//                counted: refresh-token requests the provider saw, calls that got a token.
//   memory       after login, after a forced GC: JS heap used (CDP Runtime.getHeapUsage) and the
//                wasm linear memory.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc } from 'node:zlib';

import * as esbuild from 'esbuild';

import {
  PKG_DIR, REPO, clientConfig, launchBrowser, login, newPage, requirePackage, startServers, tokenRequests,
} from '../e2e/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = process.env.BENCH_OUT_DIR ? resolve(process.env.BENCH_OUT_DIR) : join(REPO, 'target', 'bench');
const REPS = Math.max(1, Number(process.env.BENCH_REPS) || 7);
const N = Math.max(1, Number(process.env.BENCH_N) || 10_000);
const CONCURRENT = 50;
const LIBRARIES = ['oxidc', 'oidc-client-ts'];
const pagePath = (name) => `/__test/page-${name}.html`;
const AT_TTL = 120; // access-token lifetime at the provider for this run, seconds
const CLOCK_JUMP = AT_TTL + 10; // moves the page clock past the access token's expiry

const log = (...a) => console.error('bench:', ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------------------
// Sizes

function sizesOf(buf) {
  const gzip = execFileSync('gzip', ['-9c'], { input: buf, maxBuffer: 1 << 28 }).length;
  const brotli = brotliCompressSync(buf, {
    params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length;
  return { raw: buf.length, gzip, brotli };
}

const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsFiles(p));
    else if (name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

async function bundle(entryContents, resolveDir) {
  const result = await esbuild.build({
    stdin: { contents: entryContents, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0].contents);
}

async function measureSizes() {
  const wasm = sizesOf(readFileSync(join(PKG_DIR, 'oxidc_bg.wasm')));
  const files = jsFiles(PKG_DIR);
  const jsPublished = files.map((f) => sizesOf(readFileSync(f))).reduce(add);
  const oxidcBundle = await bundle("export { createClient, load } from './index.js';", PKG_DIR);
  const jsMin = sizesOf(oxidcBundle);
  const peerBundle = await bundle("export { UserManager } from 'oidc-client-ts';", HERE);
  const peer = sizesOf(peerBundle);
  return {
    oxidc: {
      wasm,
      js_published: { ...jsPublished, files: files.map((f) => relative(PKG_DIR, f)) },
      js_minified: jsMin,
      shipped_published: add(wasm, jsPublished),
      shipped_minified: add(wasm, jsMin),
    },
    'oidc-client-ts': { js_minified: peer, shipped_minified: peer },
    bundles: { oxidc: oxidcBundle, 'oidc-client-ts': peerBundle },
  };
}

// ---------------------------------------------------------------------------
// Pages (written to the app server's /__test/ directory; each is also its library's redirect URI)

function oxidcPage(servers) {
  return `import { createClient, load } from '/__test/oxidc-bundle.js';
const config = ${JSON.stringify({ ...clientConfig(servers), redirectUri: servers.appOrigin + pagePath('oxidc') })};
const b = window.__bench = {};
try {
  const auth = await createClient(config);
  window.__auth = auth;
  const wasm = await load();
  window.__wasmMemory = () => wasm.memory.buffer.byteLength;
  window.__getToken = () => auth.getAccessToken();
  window.__refresh = () => auth.getAccessToken({ forceRefresh: true });
  if (auth.isCallback()) {
    await auth.handleRedirectCallback();
    await auth.getAccessToken();
    b.callbackToToken = performance.now();
  }
  document.getElementById('login').onclick = () => auth.login();
} catch (e) {
  b.error = String(e && (e.code || '') + ' ' + e.message);
} finally {
  document.documentElement.dataset.ready = 'true';
}
`;
}

function peerPage(servers) {
  const c = clientConfig(servers);
  return `import { UserManager } from '/__test/oidc-client-ts-bundle.js';
const b = window.__bench = {};
try {
  const mgr = new UserManager({
    authority: ${JSON.stringify(c.issuer)},
    client_id: ${JSON.stringify(c.clientId)},
    redirect_uri: ${JSON.stringify(servers.appOrigin + pagePath('oidc-client-ts'))},
    post_logout_redirect_uri: ${JSON.stringify(c.postLogoutRedirectUri)},
    scope: ${JSON.stringify(c.scope)},
    prompt: 'consent',
    automaticSilentRenew: false,
  });
  window.__mgr = mgr;
  window.__wasmMemory = () => 0;
  // The usual application code: the stored user's token, renewed with signinSilent when expired.
  window.__getToken = async () => {
    let user = await mgr.getUser();
    if (!user || user.expired) user = await mgr.signinSilent();
    return user.access_token;
  };
  window.__refresh = async () => (await mgr.signinSilent()).access_token;
  if (new URLSearchParams(location.search).has('code')) {
    const user = await mgr.signinCallback();
    if (!user || !user.access_token) throw new Error('no access token');
    b.callbackToToken = performance.now();
  }
  document.getElementById('login').onclick = () => mgr.signinRedirect();
} catch (e) {
  b.error = String(e && e.message);
} finally {
  document.documentElement.dataset.ready = 'true';
}
`;
}

// Start-up phases, timed inside the page.
const oxidcStartup = (servers) => `import init, { createClient } from '/pkg/oxidc.js';
const config = ${JSON.stringify({ ...clientConfig(servers), redirectUri: servers.appOrigin + pagePath('oxidc') })};
const t0 = performance.now();
const bytes = await (await fetch('/pkg/oxidc_bg.wasm')).arrayBuffer();
const t1 = performance.now();
const module = await WebAssembly.compile(bytes);
const t2 = performance.now();
await init({ module_or_path: module });
const t3 = performance.now();
await createClient(config);
const t4 = performance.now();
window.__startup = { fetch: t1 - t0, compile: t2 - t1, instantiate: t3 - t2, createClient: t4 - t3, total: t4 - t0 };
document.documentElement.dataset.ready = 'true';
`;

const peerStartup = (servers) => `const t0 = performance.now();
const { UserManager } = await import('/__test/oidc-client-ts-bundle.js');
const t1 = performance.now();
const mgr = new UserManager({ authority: ${JSON.stringify(servers.issuer)}, client_id: 'spa',
  redirect_uri: ${JSON.stringify(servers.appOrigin + pagePath('oidc-client-ts'))}, automaticSilentRenew: false });
const t2 = performance.now();
await mgr.metadataService.getMetadata();
const t3 = performance.now();
window.__startup = { fetch: t1 - t0, compile: 0, instantiate: 0, createClient: t3 - t1, total: t3 - t0 };
document.documentElement.dataset.ready = 'true';
`;

const html = (script) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bench</title>
<script type="module" src="${script}"></script></head><body><button id="login" type="button">Log in</button></body></html>
`;

// Each library is served as its one minified bundle (the JS measured above), as an app's bundler
// would ship it; oxidc's bundle loads the wasm next to it.
function writePages(servers, bundles) {
  const dir = servers.testDir;
  for (const [name, code] of Object.entries(bundles)) writeFileSync(join(dir, `${name}-bundle.js`), code);
  copyFileSync(join(PKG_DIR, 'oxidc_bg.wasm'), join(dir, 'oxidc_bg.wasm'));
  const pages = {
    oxidc: { main: oxidcPage(servers), startup: oxidcStartup(servers) },
    'oidc-client-ts': { main: peerPage(servers), startup: peerStartup(servers) },
  };
  for (const [name, p] of Object.entries(pages)) {
    writeFileSync(join(dir, `page-${name}.js`), p.main);
    writeFileSync(join(dir, `page-${name}.html`), html(`/__test/page-${name}.js`));
    writeFileSync(join(dir, `startup-${name}.js`), p.startup);
    writeFileSync(join(dir, `startup-${name}.html`), html(`/__test/startup-${name}.js`));
  }
}

// ---------------------------------------------------------------------------
// Browser runs

async function contextFor(browser, servers) {
  const { context, page } = await newPage(browser);
  // A page clock that the bench can move forward (both libraries read Date.now()).
  await context.addInitScript(() => {
    const realNow = Date.now.bind(Date);
    window.__clockOffsetMs = 0;
    Date.now = () => realNow() + window.__clockOffsetMs;
  });
  return { context, page };
}

async function ready(page) {
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
  const error = await page.evaluate(() => window.__bench && window.__bench.error);
  if (error) throw new Error(`page error: ${error}`);
}

// The callback page's requests: [path, start ms, end ms] from its navigation start (in the JSON).
const timeline = () => [
  ['(document)', 0, Math.round(performance.getEntriesByType('navigation')[0].responseEnd)],
  ...performance.getEntriesByType('resource')
    .filter((e) => !e.name.endsWith('/favicon.ico'))
    .map((e) => [new URL(e.name).pathname, Math.round(e.startTime), Math.round(e.responseEnd)]),
];

async function heapUsed(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

async function runLibrary(browser, servers, name) {
  const r = {
    startup: [], callbackToTokenMs: [], callbackTimeline: [], hotPathUs: [], refreshMs: [], jsHeapBytes: [], wasmMemoryBytes: [],
  };
  // Start-up.
  {
    const { context, page } = await contextFor(browser, servers);
    for (let i = 0; i < REPS; i += 1) {
      await page.goto(`${servers.appOrigin}/__test/startup-${name}.html`);
      await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
      r.startup.push(await page.evaluate(() => window.__startup));
    }
    await context.close();
  }
  // Logins: callback to token, memory after login.
  let last;
  for (let i = 0; i < REPS; i += 1) {
    const { context, page } = await contextFor(browser, servers);
    await page.goto(servers.appOrigin + pagePath(name));
    await ready(page);
    await login(page, servers);
    await ready(page);
    const t = await page.evaluate(() => window.__bench.callbackToToken);
    if (typeof t !== 'number') throw new Error(`${name}: no token after the callback`);
    r.callbackToTokenMs.push(t);
    r.callbackTimeline.push(await page.evaluate(timeline));
    r.jsHeapBytes.push(await heapUsed(page));
    r.wasmMemoryBytes.push(await page.evaluate(() => window.__wasmMemory()));
    if (last) await last.context.close();
    last = { context, page };
    log(`${name}: login ${i + 1}/${REPS}: callback to token ${t.toFixed(1)} ms;`,
      r.callbackTimeline.at(-1).map(([path, a, b]) => `${path} ${a}-${b}`).join(', '));
  }
  const { context, page } = last;
  // Hot path.
  for (let i = 0; i < REPS; i += 1) {
    const us = await page.evaluate(async (n) => {
      await window.__getToken();
      const t0 = performance.now();
      for (let k = 0; k < n; k += 1) await window.__getToken();
      return ((performance.now() - t0) * 1000) / n;
    }, N);
    r.hotPathUs.push(us);
  }
  // The floor of any promise-returning API in this page: awaiting an already-resolved promise.
  r.awaitFloorUs = await page.evaluate(async (n) => {
    const p = Promise.resolve('token');
    const t0 = performance.now();
    for (let k = 0; k < n; k += 1) await p;
    return ((performance.now() - t0) * 1000) / n;
  }, N);
  log(`${name}: hot path ${median(r.hotPathUs).toFixed(3)} us/call (await floor ${r.awaitFloorUs.toFixed(3)} us)`);
  // Refresh.
  for (let i = 0; i < REPS; i += 1) {
    r.refreshMs.push(await page.evaluate(async () => {
      const t0 = performance.now();
      await window.__refresh();
      return performance.now() - t0;
    }));
  }
  log(`${name}: refresh ${median(r.refreshMs).toFixed(1)} ms`);
  // Concurrent calls after expiry.
  await servers.resetLedger();
  const settled = await page.evaluate(async ({ jumpMs, n }) => {
    window.__clockOffsetMs += jumpMs;
    const results = await Promise.allSettled(Array.from({ length: n }, () => window.__getToken()));
    return results.map((x) => (x.status === 'fulfilled' && typeof x.value === 'string' ? 'ok' : String(x.reason && (x.reason.code || x.reason.message))));
  }, { jumpMs: CLOCK_JUMP * 1000, n: CONCURRENT });
  const ledger = await servers.ledger();
  r.concurrent = {
    calls: CONCURRENT,
    refreshRequests: tokenRequests(ledger, 'refresh_token').length,
    fulfilled: settled.filter((s) => s === 'ok').length,
    failures: [...new Set(settled.filter((s) => s !== 'ok'))],
  };
  log(`${name}: ${CONCURRENT} concurrent calls after expiry: ${r.concurrent.refreshRequests} refresh requests, ${r.concurrent.fulfilled} fulfilled`);
  await context.close();

  const pick = (k) => median(r.startup.map((s) => s[k]));
  return {
    startupMs: {
      fetch: pick('fetch'), compile: pick('compile'), instantiate: pick('instantiate'), createClient: pick('createClient'), total: pick('total'),
    },
    callbackToTokenMs: median(r.callbackToTokenMs),
    hotPathUs: median(r.hotPathUs),
    awaitFloorUs: r.awaitFloorUs,
    refreshMs: median(r.refreshMs),
    concurrent: r.concurrent,
    jsHeapKB: median(r.jsHeapBytes) / 1024,
    wasmMemoryKB: median(r.wasmMemoryBytes) / 1024,
    samples: r,
  };
}

// ---------------------------------------------------------------------------
// Report

function table(sizes, res) {
  const o = res.oxidc;
  const p = res['oidc-client-ts'];
  const ratio = (a, b) => (b ? a / b : NaN);
  const fmt = (x, d = 0) => (typeof x === 'number' && Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : String(x));
  const bytes3 = (s) => `${fmt(s.raw)} / ${fmt(s.gzip)} / ${fmt(s.brotli)}`;
  const rows = [];
  const row = (metric, a, b, r, target, met) => rows.push({
    metric, oxidc: a, 'oidc-client-ts': b, ratio: r === null ? '' : `${fmt(r, 2)}x`, target, met: met === null ? '' : (met ? 'yes' : 'no'),
  });
  const shipped = sizes.oxidc.shipped_minified.gzip;
  const peerShipped = sizes['oidc-client-ts'].shipped_minified.gzip;
  row('shipped, wasm + JS minified, gzip (B)', fmt(shipped), fmt(peerShipped), ratio(shipped, peerShipped), '<= 0.85x', ratio(shipped, peerShipped) <= 0.85);
  row('  wasm raw / gzip / brotli (B)', bytes3(sizes.oxidc.wasm), '-', null, '', null);
  row('  JS minified raw / gzip / brotli (B)', bytes3(sizes.oxidc.js_minified), bytes3(sizes['oidc-client-ts'].js_minified), null, '', null);
  row('  as published (pkg/) raw / gzip / brotli (B)', bytes3(sizes.oxidc.shipped_published), '-', null, '', null);
  row('start-up total (ms)', fmt(o.startupMs.total, 1), fmt(p.startupMs.total, 1), ratio(o.startupMs.total, p.startupMs.total), '', null);
  row('  fetch / compile / instantiate / create (ms)',
    [o.startupMs.fetch, o.startupMs.compile, o.startupMs.instantiate, o.startupMs.createClient].map((x) => fmt(x, 1)).join(' / '),
    [p.startupMs.fetch, p.startupMs.compile, p.startupMs.instantiate, p.startupMs.createClient].map((x) => fmt(x, 1)).join(' / '), null, '', null);
  row('callback page to token (ms)', fmt(o.callbackToTokenMs, 1), fmt(p.callbackToTokenMs, 1), ratio(o.callbackToTokenMs, p.callbackToTokenMs), '<= 0.8x', ratio(o.callbackToTokenMs, p.callbackToTokenMs) <= 0.8);
  row(`getAccessToken hot path (us/call, N=${N})`, fmt(o.hotPathUs, 3), fmt(p.hotPathUs, 3), ratio(o.hotPathUs, p.hotPathUs), '<= 0.1x', ratio(o.hotPathUs, p.hotPathUs) <= 0.1);
  row('  floor: await of a resolved promise (us)', fmt(o.awaitFloorUs, 3), fmt(p.awaitFloorUs, 3), null, '', null);
  row('refresh (ms)', fmt(o.refreshMs, 1), fmt(p.refreshMs, 1), ratio(o.refreshMs, p.refreshMs), '<= 1.0x', ratio(o.refreshMs, p.refreshMs) <= 1.0);
  const cc = (c) => `${c.refreshRequests} requests / ${c.fulfilled} of ${c.calls} fulfilled`;
  row(`${CONCURRENT} concurrent calls after expiry`, cc(o.concurrent), cc(p.concurrent), null, '1 request, 50 fulfilled',
    o.concurrent.refreshRequests === 1 && o.concurrent.fulfilled === CONCURRENT);
  row('JS heap after login (KB)', fmt(o.jsHeapKB, 0), fmt(p.jsHeapKB, 0), ratio(o.jsHeapKB, p.jsHeapKB), '<= 1.0x', ratio(o.jsHeapKB, p.jsHeapKB) <= 1.0);
  row('wasm memory after login (KB)', fmt(o.wasmMemoryKB, 0), fmt(p.wasmMemoryKB, 0), null, '', null);

  const cols = ['metric', 'oxidc', 'oidc-client-ts', 'ratio', 'target', 'met'];
  const md = [
    `| ${cols.join(' | ')} |`,
    `|${cols.map((c, i) => (i === 0 || i === 4 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${cols.map((c) => r[c]).join(' | ')} |`),
  ];
  return { rows, markdown: md.join('\n') };
}

// ---------------------------------------------------------------------------

async function main() {
  requirePackage();
  const started = new Date();
  log(`sizes (${PKG_DIR})`);
  const sizes = await measureSizes();
  const { bundles } = sizes;
  delete sizes.bundles;
  // Each library's page is its own redirect URI (registered with the provider for this run).
  const servers = await startServers({
    atTtl: AT_TTL, env: { OP_EXTRA_REDIRECT_PATHS: LIBRARIES.map(pagePath).join(',') },
  });
  const browser = await launchBrowser();
  const chromiumVersion = browser.version();
  const results = {};
  try {
    writePages(servers, bundles);
    for (const name of LIBRARIES) {
      log(`${name}: ${REPS} repetitions`);
      results[name] = await runLibrary(browser, servers, name);
    }
  } finally {
    await browser.close().catch(() => {});
    await servers.stop();
  }
  const t = table(sizes, results);
  const report = {
    date: started.toISOString(),
    chromium: chromiumVersion,
    node: process.version,
    reps: REPS,
    hotPathN: N,
    versions: {
      oxidc: JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8')).version,
      'oidc-client-ts': JSON.parse(readFileSync(join(HERE, 'node_modules', 'oidc-client-ts', 'package.json'), 'utf8')).version,
    },
    sizes,
    results,
    table: t.rows,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(OUT_DIR, `bench-${stamp}.json`), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(OUT_DIR, 'latest.json'), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(OUT_DIR, 'latest.md'), `${t.markdown}\n`);
  console.log(`\noxidc ${report.versions.oxidc} vs oidc-client-ts ${report.versions['oidc-client-ts']}, Chromium ${report.chromium}, medians of ${REPS}\n`);
  console.log(t.markdown);
  console.log(`\nwritten: ${relative(REPO, join(OUT_DIR, `bench-${stamp}.json`))} (and latest.json, latest.md)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
