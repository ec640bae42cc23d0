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
// What is measured (each library in its own fresh browser contexts, same provider, same client):
//   size         the wasm and the JavaScript each library ships: raw, gzip -9, brotli (max quality).
//                The JavaScript is bundled and minified by esbuild (--bundle --minify --format=esm
//                --platform=browser --target=es2020; tests/bench/shipped.mjs, the recipe of the size
//                budget too). oxidc ships two bundles: the page's (entry pkg/index.js) and the
//                worker's (entry pkg/worker.js, served as worker.js beside the page bundle, where the
//                facade's `new URL("./worker.js", import.meta.url)` finds it), and the wasm beside
//                them. oidc-client-ts is one bundle of `export { UserManager } from 'oidc-client-ts'`.
//                Shipped = gzip(page bundle) + gzip(worker bundle) + gzip(wasm), each part reported.
//   start-up     from the page script's start: import the library's page bundle, then createClient
//                (oxidc: the worker starts, loads its bundle and the wasm, then discovery) or new
//                UserManager and the discovery document. oxidc's time is split where the worker has
//                received the wasm (the worker's own performance timeline, over the DevTools protocol).
//   callback     from the callback page's navigation start to the access token in hand
//                (library load, discovery, code exchange, ID-token checks). Each page loads its
//                library's bundle from above. The JSON keeps each callback's request timeline, the
//                worker's requests included.
//   hot path     a valid token held: N sequential `await getAccessToken()` (oidc-client-ts:
//                `(await getUser()).access_token`), per call.
//   refresh      one forced renewal with the refresh token (oidc-client-ts: signinSilent()).
//   concurrency  the clocks of the page and of its workers are moved past the access token's expiry,
//                then 50 calls at once; counted: refresh-token requests the provider saw, calls that
//                got a token.
//   memory       after login, after a forced GC, per DevTools target: JS heap used
//                (Runtime.getHeapUsage) of the page plus every worker of its browser context (oxidc:
//                the page and the engine's SharedWorker; oidc-client-ts runs in the page only), and
//                the WebAssembly linear memory of the page and the workers.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc } from 'node:zlib';

import {
  PKG_DIR, REPO, STEP_TIMEOUT, clientConfig, launchBrowser, login, newPage, requirePackage, startServers, tokenRequests,
} from '../e2e/harness.mjs';
import { bundleOxidc, bundleSource } from './shipped.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = process.env.BENCH_OUT_DIR ? resolve(process.env.BENCH_OUT_DIR) : join(REPO, 'target', 'bench');
const REPS = Math.max(1, Number(process.env.BENCH_REPS) || 7);
const N = Math.max(1, Number(process.env.BENCH_N) || 10_000);
const CONCURRENT = 50;
const LIBRARIES = ['oxidc', 'oidc-client-ts'];
const pagePath = (name) => `/__test/page-${name}.html`;
const AT_TTL = 120; // access-token lifetime at the provider for this run, seconds
const CLOCK_JUMP = AT_TTL + 10; // moves the clocks past the access token's expiry

const log = (...a) => console.error('bench:', ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

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

// The files the pages load from /__test/: each library's bundles (oxidc's worker bundle as worker.js
// beside its page bundle) and oxidc's wasm beside them.
async function measureSizes() {
  const wasmBytes = readFileSync(join(PKG_DIR, 'oxidc_bg.wasm'));
  const wasm = sizesOf(wasmBytes);
  const files = jsFiles(PKG_DIR);
  const jsPublished = files.map((f) => sizesOf(readFileSync(f))).reduce(add);
  const oxidc = await bundleOxidc(PKG_DIR);
  const jsPage = sizesOf(oxidc.page);
  const jsWorker = sizesOf(oxidc.worker);
  const jsMin = add(jsPage, jsWorker);
  const peerBundle = await bundleSource("export { UserManager } from 'oidc-client-ts';", HERE);
  const peer = sizesOf(peerBundle);
  return {
    oxidc: {
      wasm,
      js_page_minified: jsPage,
      js_worker_minified: jsWorker,
      js_minified: jsMin,
      js_published: { ...jsPublished, files: files.map((f) => relative(PKG_DIR, f)) },
      shipped_published: add(wasm, jsPublished),
      shipped_minified: add(wasm, jsMin),
    },
    'oidc-client-ts': { js_page_minified: peer, js_minified: peer, shipped_minified: peer },
    files: {
      'oxidc-bundle.js': oxidc.page,
      'worker.js': oxidc.worker,
      'oxidc_bg.wasm': wasmBytes,
      'oidc-client-ts-bundle.js': peerBundle,
    },
  };
}

// ---------------------------------------------------------------------------
// Pages (written to the app server's /__test/ directory; each is also its library's redirect URI)

function oxidcPage(servers) {
  return `import { createClient } from '/__test/oxidc-bundle.js';
const config = ${JSON.stringify({ ...clientConfig(servers), redirectUri: servers.appOrigin + pagePath('oxidc') })};
const b = window.__bench = {};
try {
  const auth = await createClient(config);
  window.__auth = auth;
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

// Start-up: from the page script's start, import the library's page bundle, then create its client.
const startupPage = (importLine, create) => `const b = window.__bench = {};
try {
  const t0 = performance.now();
  ${importLine}
  const t1 = performance.now();
  ${create}
  const t2 = performance.now();
  window.__startup = { pageJs: t1 - t0, create: t2 - t1, total: t2 - t0, t1, t2 };
} catch (e) {
  b.error = String(e && (e.code || '') + ' ' + e.message);
} finally {
  document.documentElement.dataset.ready = 'true';
}
`;

const oxidcStartup = (servers) => startupPage(
  "const { createClient } = await import('/__test/oxidc-bundle.js');",
  `await createClient(${JSON.stringify({ ...clientConfig(servers), redirectUri: servers.appOrigin + pagePath('oxidc') })});`,
);

const peerStartup = (servers) => startupPage(
  "const { UserManager } = await import('/__test/oidc-client-ts-bundle.js');",
  `const mgr = new UserManager({ authority: ${JSON.stringify(servers.issuer)}, client_id: 'spa',
    redirect_uri: ${JSON.stringify(servers.appOrigin + pagePath('oidc-client-ts'))}, automaticSilentRenew: false });
  await mgr.metadataService.getMetadata();`,
);

const html = (script) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bench</title>
<script type="module" src="${script}"></script></head><body><button id="login" type="button">Log in</button></body></html>
`;

// Each library is served as the bundles measured above, as an app's bundler would ship them: oxidc's
// page bundle starts /__test/worker.js, which loads /__test/oxidc_bg.wasm.
function writePages(servers, files) {
  const dir = servers.testDir;
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
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
  // A page clock that the bench can move forward (both libraries read Date.now()); the workers' clocks
  // are moved over the DevTools protocol (moveWorkerClocks).
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

// The workers of a page's browser context (oxidc's engine runs in a SharedWorker), over the DevTools
// protocol. Playwright has no object for a SharedWorker and its CDP sessions address pages, so a
// browser-level session finds the worker targets (Target.getTargets, same browserContextId as the
// page) and attaches to each in the protocol's non-flattened mode (Target.sendMessageToTarget):
// Playwright's CDPSession cannot address a flattened child session, whose messages carry a sessionId.
const WORKER_TYPES = ['shared_worker', 'worker'];

class Workers {
  static async open(browser) {
    const session = await browser.newBrowserCDPSession();
    await session.send('Target.setDiscoverTargets', { discover: true });
    return new Workers(session);
  }

  constructor(session) {
    this.session = session;
    this.next = 0;
    this.pending = new Map();
    session.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
      const m = JSON.parse(message);
      const key = `${sessionId} ${m.id}`;
      const call = this.pending.get(key);
      if (!call) return;
      this.pending.delete(key);
      clearTimeout(call.timer);
      if (m.error) call.reject(new Error(`${call.method} in a worker: ${m.error.message}`));
      else call.resolve(m.result);
    });
  }

  async of(page) {
    const cdp = await page.context().newCDPSession(page);
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    await cdp.detach();
    const { targetInfos } = await this.session.send('Target.getTargets');
    return targetInfos.filter((t) => WORKER_TYPES.includes(t.type) && t.browserContextId === targetInfo.browserContextId);
  }

  async attach(target) {
    const { sessionId } = await this.session.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    const send = (method, params = {}) => new Promise((resolveCall, reject) => {
      this.next += 1;
      const key = `${sessionId} ${this.next}`;
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new Error(`${method} in a worker: no answer in ${STEP_TIMEOUT} ms`));
      }, STEP_TIMEOUT);
      this.pending.set(key, { resolve: resolveCall, reject, method, timer });
      this.session.send('Target.sendMessageToTarget', {
        sessionId, message: JSON.stringify({ id: this.next, method, params }),
      }).catch((e) => {
        this.pending.delete(key);
        clearTimeout(timer);
        reject(e);
      });
    });
    return { send, detach: () => this.session.send('Target.detachFromTarget', { sessionId }).catch(() => {}) };
  }

  /** fn(send, targetInfo) for every worker of the page's context, in turn: the results. */
  async each(page, fn) {
    const out = [];
    for (const target of await this.of(page)) {
      const w = await this.attach(target);
      try {
        out.push(await fn(w.send, target));
      } finally {
        await w.detach();
      }
    }
    return out;
  }
}

// Evaluates a JSON-returning expression through a CDP `send`.
async function evaluate(send, expression) {
  const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (exceptionDetails) throw new Error(`evaluate: ${exceptionDetails.exception?.description || exceptionDetails.text}`);
  return result.value;
}

// The requests of a page or worker: its time origin and [path, start ms, end ms] from it.
const RESOURCES = `({
  origin: performance.timeOrigin,
  entries: performance.getEntriesByType('resource')
    .filter((e) => !e.name.endsWith('/favicon.ico'))
    .map((e) => [new URL(e.name).pathname, e.startTime, e.responseEnd]),
})`;

// The callback page's requests, its workers' included: [path, start ms, end ms] from its navigation
// start (in the JSON).
async function callbackTimeline(page, workers) {
  const own = await page.evaluate(`({ ...${RESOURCES}, doc: performance.getEntriesByType('navigation')[0].responseEnd })`);
  const rows = [['(document)', 0, own.doc], ...own.entries];
  for (const w of await workers.each(page, (send) => evaluate(send, RESOURCES))) {
    const shift = w.origin - own.origin;
    rows.push(['(worker start)', shift, shift], ...w.entries.map(([path, a, b]) => [`worker ${path}`, a + shift, b + shift]));
  }
  return rows.map(([path, a, b]) => [path, Math.round(a), Math.round(b)]).sort((x, y) => x[1] - y[1]);
}

// JS heap used after a forced GC, per target: the page and each worker of its context.
async function heapUsed(send) {
  await send('HeapProfiler.enable');
  await send('HeapProfiler.collectGarbage');
  await send('HeapProfiler.collectGarbage');
  const { usedSize } = await send('Runtime.getHeapUsage');
  await send('HeapProfiler.disable');
  return usedSize;
}

// Bytes of every live WebAssembly.Memory of a target (Runtime.queryObjects on its prototype).
async function wasmMemoryOf(send) {
  const group = 'bench-wasm-memory';
  const { result: proto } = await send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', objectGroup: group });
  const { objects } = await send('Runtime.queryObjects', { prototypeObjectId: proto.objectId, objectGroup: group });
  const { result } = await send('Runtime.callFunctionOn', {
    objectId: objects.objectId,
    functionDeclaration: 'function () { return this.reduce((n, m) => n + m.buffer.byteLength, 0); }',
    returnByValue: true,
  });
  await send('Runtime.releaseObjectGroup', { objectGroup: group });
  return result.value;
}

async function memoryAfterLogin(page, workers) {
  const cdp = await page.context().newCDPSession(page);
  const send = (method, params) => cdp.send(method, params);
  const pageHeap = await heapUsed(send);
  const pageWasm = await wasmMemoryOf(send);
  await cdp.detach();
  const inWorkers = await workers.each(page, async (s) => ({ heap: await heapUsed(s), wasm: await wasmMemoryOf(s) }));
  return {
    heap: { page: pageHeap, workers: inWorkers.map((w) => w.heap), total: pageHeap + sum(inWorkers.map((w) => w.heap)) },
    wasm: pageWasm + sum(inWorkers.map((w) => w.wasm)),
  };
}

// Moves the clocks of the page's workers forward (the page's own is window.__clockOffsetMs).
function moveWorkerClocks(page, workers, ms) {
  return workers.each(page, (send) => evaluate(send, `(() => {
    if (!self.__benchClock) {
      const realNow = Date.now.bind(Date);
      const clock = self.__benchClock = { offsetMs: 0 };
      Date.now = () => realNow() + clock.offsetMs;
    }
    self.__benchClock.offsetMs += ${Number(ms)};
    return self.__benchClock.offsetMs;
  })()`));
}

async function runLibrary(browser, workers, servers, name) {
  const r = {
    startup: [], startupTimeline: [], callbackToTokenMs: [], callbackTimeline: [], hotPathUs: [], refreshMs: [],
    jsHeapBytes: [], jsHeapParts: [], wasmMemoryBytes: [],
  };
  // Start-up, each in a fresh context (so that no engine worker is left from the run before), after
  // one visit that is not counted (the browser's first pages of a library are slower).
  for (let i = -1; i < REPS; i += 1) {
    const { context, page } = await contextFor(browser, servers);
    await page.goto(`${servers.appOrigin}/__test/startup-${name}.html`);
    await ready(page);
    if (i < 0) {
      await context.close();
      continue;
    }
    const s = await page.evaluate(() => ({ ...window.__startup, origin: performance.timeOrigin }));
    // oxidc: where the worker had the wasm, on the page's clock (from the worker's timeline).
    const ws = await workers.each(page, (send) => evaluate(send, RESOURCES));
    const wasmAt = ws.flatMap((w) => w.entries.filter(([path]) => path.endsWith('.wasm')).map(([, , end]) => end + w.origin - s.origin));
    const startup = { pageJs: s.pageJs, create: s.create, total: s.total };
    if (wasmAt.length) {
      startup.workerToWasm = Math.max(...wasmAt) - s.t1;
      startup.wasmToClient = s.t2 - Math.max(...wasmAt);
    } else if (name === 'oxidc') {
      throw new Error('oxidc start-up: no wasm request in any worker of the page');
    }
    r.startup.push(startup);
    r.startupTimeline.push(ws.map((w) => ({ workerStart: Math.round(w.origin - s.origin), entries: w.entries.map(([p, a, b]) => [p, Math.round(a), Math.round(b)]) })));
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
    r.callbackTimeline.push(await callbackTimeline(page, workers));
    const mem = await memoryAfterLogin(page, workers);
    if (name === 'oxidc' && mem.heap.workers.length === 0) throw new Error('oxidc: no worker target after login');
    r.jsHeapBytes.push(mem.heap.total);
    r.jsHeapParts.push(mem.heap);
    r.wasmMemoryBytes.push(mem.wasm);
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
  // Concurrent calls after expiry: the workers' clocks first, then the page's, then the calls.
  await servers.resetLedger();
  const moved = await moveWorkerClocks(page, workers, CLOCK_JUMP * 1000);
  if (name === 'oxidc' && moved.length === 0) throw new Error('oxidc: no worker clock to move');
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

  const pick = (k) => (r.startup.every((s) => k in s) ? median(r.startup.map((s) => s[k])) : null);
  return {
    startupMs: {
      pageJs: pick('pageJs'), workerToWasm: pick('workerToWasm'), wasmToClient: pick('wasmToClient'), create: pick('create'), total: pick('total'),
    },
    callbackToTokenMs: median(r.callbackToTokenMs),
    hotPathUs: median(r.hotPathUs),
    awaitFloorUs: r.awaitFloorUs,
    refreshMs: median(r.refreshMs),
    concurrent: r.concurrent,
    // Each part is its own median over the logins: the parts need not add up to the total's median.
    jsHeapKB: median(r.jsHeapBytes) / 1024,
    jsHeapPageKB: median(r.jsHeapParts.map((h) => h.page)) / 1024,
    jsHeapWorkersKB: median(r.jsHeapParts.map((h) => sum(h.workers))) / 1024,
    workers: Math.max(...r.jsHeapParts.map((h) => h.workers.length)),
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
  const so = sizes.oxidc;
  const sp = sizes['oidc-client-ts'];
  const shipped = so.shipped_minified.gzip;
  const peerShipped = sp.shipped_minified.gzip;
  row('shipped, wasm + JS minified, gzip (B)', fmt(shipped), fmt(peerShipped), ratio(shipped, peerShipped), '<= 0.85x', ratio(shipped, peerShipped) <= 0.85);
  row('  gzip parts: page JS + worker JS + wasm (B)', `${fmt(so.js_page_minified.gzip)} + ${fmt(so.js_worker_minified.gzip)} + ${fmt(so.wasm.gzip)}`,
    `${fmt(sp.js_page_minified.gzip)} + - + -`, null, '', null);
  row('  wasm raw / gzip / brotli (B)', bytes3(so.wasm), '-', null, '', null);
  row('  page JS minified raw / gzip / brotli (B)', bytes3(so.js_page_minified), bytes3(sp.js_page_minified), null, '', null);
  row('  worker JS minified raw / gzip / brotli (B)', bytes3(so.js_worker_minified), '-', null, '', null);
  row('  as published (pkg/) raw / gzip / brotli (B)', bytes3(so.shipped_published), '-', null, '', null);
  row('start-up total (ms)', fmt(o.startupMs.total, 1), fmt(p.startupMs.total, 1), ratio(o.startupMs.total, p.startupMs.total), '', null);
  const phases = (s) => [s.pageJs, s.workerToWasm, s.wasmToClient ?? s.create].map((x) => (x === null ? '-' : fmt(x, 1))).join(' / ');
  row('  page JS / worker to wasm received / to client ready (ms)', phases(o.startupMs), phases(p.startupMs), null, '', null);
  row('callback page to token (ms)', fmt(o.callbackToTokenMs, 1), fmt(p.callbackToTokenMs, 1), ratio(o.callbackToTokenMs, p.callbackToTokenMs), '<= 0.8x', ratio(o.callbackToTokenMs, p.callbackToTokenMs) <= 0.8);
  row(`getAccessToken hot path (us/call, N=${N})`, fmt(o.hotPathUs, 3), fmt(p.hotPathUs, 3), ratio(o.hotPathUs, p.hotPathUs), '<= 0.1x', ratio(o.hotPathUs, p.hotPathUs) <= 0.1);
  row('  floor: await of a resolved promise (us)', fmt(o.awaitFloorUs, 3), fmt(p.awaitFloorUs, 3), null, '', null);
  row('refresh (ms)', fmt(o.refreshMs, 1), fmt(p.refreshMs, 1), ratio(o.refreshMs, p.refreshMs), '<= 1.0x', ratio(o.refreshMs, p.refreshMs) <= 1.0);
  const cc = (c) => `${c.refreshRequests} requests / ${c.fulfilled} of ${c.calls} fulfilled`;
  row(`${CONCURRENT} concurrent calls after expiry`, cc(o.concurrent), cc(p.concurrent), null, '1 request, 50 fulfilled',
    o.concurrent.refreshRequests === 1 && o.concurrent.fulfilled === CONCURRENT);
  row('JS heap after login, page + workers (KB)', fmt(o.jsHeapKB, 0), fmt(p.jsHeapKB, 0), ratio(o.jsHeapKB, p.jsHeapKB), '<= 1.0x', ratio(o.jsHeapKB, p.jsHeapKB) <= 1.0);
  const heapParts = (x) => `${fmt(x.jsHeapPageKB, 0)} / ${x.workers ? fmt(x.jsHeapWorkersKB, 0) : '-'}`;
  row('  page / workers (KB, medians of each)', heapParts(o), heapParts(p), null, '', null);
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
  // Everything read from the package is read here, before the run: the pages load copies.
  const versions = {
    oxidc: JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8')).version,
    'oidc-client-ts': JSON.parse(readFileSync(join(HERE, 'node_modules', 'oidc-client-ts', 'package.json'), 'utf8')).version,
  };
  log(`sizes (${PKG_DIR})`);
  const sizes = await measureSizes();
  const { files } = sizes;
  delete sizes.files;
  // Each library's page is its own redirect URI (registered with the provider for this run).
  const servers = await startServers({
    atTtl: AT_TTL, env: { OP_EXTRA_REDIRECT_PATHS: LIBRARIES.map(pagePath).join(',') },
  });
  const browser = await launchBrowser();
  const chromiumVersion = browser.version();
  const results = {};
  try {
    writePages(servers, files);
    const workers = await Workers.open(browser);
    for (const name of LIBRARIES) {
      log(`${name}: ${REPS} repetitions`);
      results[name] = await runLibrary(browser, workers, servers, name);
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
    versions,
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
