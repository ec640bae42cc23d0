// A same-origin attacker in the page, against the real provider (Chromium).
//
// A script that runs before the library in every page of the app's origin (context.addInitScript,
// so in every tab of the browser context) records everything such a script could reach:
//   - window.fetch and XMLHttpRequest: request URL, headers and body; response status, headers, body;
//   - BroadcastChannel: every channel the page opens, every message posted or received there; it also
//     opens the channels the library used to share sessions on (`oxidc:<issuer> <clientId>`) and says
//     `{ v: 1, t: "hello" }` there, which an old tab would have answered with its tokens;
//   - Worker, SharedWorker and MessagePort: every message in either direction between the page and any
//     worker (postMessage, the onmessage setter and addEventListener("message") are wrapped);
//   - every WebAssembly.Memory the page creates or instantiates, whose bytes are searched;
//   - localStorage, sessionStorage, document.cookie, the IndexedDB names, performance.getEntries()
//     names, and every own property of window (a depth-limited walk of data properties, Maps and Sets);
//     plus, from the test process, the harness's storage scan (IndexedDB and CacheStorage contents,
//     every cookie of the context).
// Every record also goes to the test process as it happens (a binding), so nothing is lost when a
// tab navigates to the provider and back.
//
// Then the provider's own record of the refresh tokens it issued (GET /__issued) is searched for in
// all of it, after login, after a renewal, with two and three tabs and after logout. Canaries that the
// attacker plants in each store prove that each store is read, the access token found in the worker
// messages proves that the messages are recorded, and the in-page opt-out
// (dangerouslyKeepRefreshTokenInPage) is the control: there the same recorder does find the refresh
// token, in the token responses and in the WebAssembly memory.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  STEP_TIMEOUT, appStatus, assertNoSecrets, callApi, e2eTest, getAccessToken, login, logout, newPage,
  openApp, scanAppStorageFromHere, scanStorage, setupSuite, tokenRequests, waitForApp,
} from './harness.mjs';

const IN_PAGE = 'attacker-inpage';
const env = setupSuite({ env: { OP_EXTRA_REDIRECT_PATHS: `/__test/${IN_PAGE}.html` } });

const CANARY = `canary${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
const sha = (v) => createHash('sha256').update(String(v)).digest('hex').slice(0, 16);

// ---------------------------------------------------------------------------
// The attacker: runs in the page before any of its scripts. Everything it keeps is on
// window.__attacker (not enumerable) and copied to the test process through window.__attackerSink.

function attackerScript({ appOrigin, issuer, clientId, canary }) {
  if (location.origin !== appOrigin || window.__attacker) return;
  const A = {
    log: [], memories: [], pagePorts: [], own: new WeakSet(), seenInit: null, oldNames: [], channels: [],
  };
  Object.defineProperty(window, '__attacker', { value: A, enumerable: false });

  const queue = [];
  const flush = () => {
    const sink = window.__attackerSink;
    if (typeof sink !== 'function') return;
    while (queue.length) {
      try { sink(queue.shift()); } catch { /* the test process is gone */ }
    }
  };
  const latin1 = (bytes) => {
    try { return new TextDecoder('latin1').decode(bytes); } catch { return ''; }
  };
  const text = (v) => {
    if (typeof v === 'string') return v;
    try {
      const seen = new WeakSet();
      const s = JSON.stringify(v, (_k, x) => {
        if (typeof x === 'bigint') return String(x);
        if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return latin1(x);
        if (x instanceof MessagePort) return '[MessagePort]';
        if (x instanceof Map || x instanceof Set) return [...x];
        if (x && typeof x === 'object') {
          if (seen.has(x)) return '[cycle]';
          seen.add(x);
        }
        return x;
      });
      return s === undefined ? String(v) : s;
    } catch {
      try { return String(v); } catch { return '[unreadable]'; }
    }
  };
  const rec = (kind, where, value, who = 'page') => {
    const r = { kind, who, where: String(where ?? ''), at: location.pathname, text: text(value) };
    A.log.push(r);
    queue.push(r);
    flush();
  };
  A.mark = (id) => rec('marker', id, null, 'test');
  const whoIs = (target) => (A.own.has(target) ? 'attacker' : 'page');

  // fetch
  const origFetch = window.fetch;
  window.fetch = function fetch(input, init) {
    let url = '';
    const req = { method: 'GET', headers: [], body: undefined };
    try {
      if (input instanceof Request) {
        url = input.url;
        req.method = input.method;
        req.headers = [...input.headers];
        input.clone().text().then((b) => rec('fetch-request-body', url, b), () => {});
      } else {
        url = String(input);
      }
      if (init) {
        if (init.method) req.method = init.method;
        if (init.headers) req.headers = [...new Headers(init.headers)];
        if (init.body != null) req.body = text(init.body instanceof URLSearchParams ? init.body.toString() : init.body);
      }
    } catch { /* recorded as far as it went */ }
    rec('fetch-request', url, req);
    const p = origFetch.apply(this, arguments);
    p.then((res) => {
      rec('fetch-response', url, { status: res.status, type: res.type, headers: [...res.headers] });
      try {
        res.clone().arrayBuffer().then((b) => rec('fetch-response-body', url, latin1(b)), () => {});
      } catch { /* body already used */ }
    }, (e) => rec('fetch-error', url, String(e)));
    return p;
  };

  // XMLHttpRequest
  const xhrs = new WeakMap();
  const X = XMLHttpRequest.prototype;
  const [xOpen, xSend, xHeader] = [X.open, X.send, X.setRequestHeader];
  X.open = function open(method, url) {
    xhrs.set(this, { method, url: String(url), headers: [] });
    return xOpen.apply(this, arguments);
  };
  X.setRequestHeader = function setRequestHeader(k, v) {
    xhrs.get(this)?.headers.push([k, v]);
    return xHeader.apply(this, arguments);
  };
  X.send = function send(body) {
    const req = xhrs.get(this) || {};
    rec('xhr-request', req.url, { ...req, body: body == null ? null : text(body) });
    this.addEventListener('loadend', () => {
      let out;
      try { out = this.responseType === '' || this.responseType === 'text' ? this.responseText : text(this.response); } catch { out = null; }
      rec('xhr-response', req.url, { status: this.status, headers: this.getAllResponseHeaders(), body: out });
    });
    return xSend.apply(this, arguments);
  };

  // BroadcastChannel: the page's channels, and the attacker's own on the library's former names.
  const OrigBC = window.BroadcastChannel;
  const bcPost = OrigBC.prototype.postMessage;
  function BroadcastChannel(name) {
    const c = new OrigBC(name);
    rec('bc-open', String(name), null);
    c.addEventListener('message', (e) => rec('bc-received', c.name, e.data));
    A.channels.push(c);
    return c;
  }
  BroadcastChannel.prototype = OrigBC.prototype;
  OrigBC.prototype.postMessage = function postMessage(m) {
    rec('bc-posted', this.name, m, A.own.has(this) ? 'attacker' : 'page');
    return bcPost.apply(this, arguments);
  };
  window.BroadcastChannel = BroadcastChannel;
  for (const name of [`oxidc:${issuer} ${clientId}`, `oxidc:${issuer}/ ${clientId}`]) {
    const c = new OrigBC(name);
    A.own.add(c);
    A.oldNames.push(c);
    c.onmessage = (e) => rec('old-channel-received', name, e.data, 'attacker');
    c.postMessage({ v: 1, t: 'hello' });
  }

  // Workers and message ports, both directions.
  const OrigWorker = window.Worker;
  const OrigShared = window.SharedWorker;
  A.OrigShared = OrigShared;
  if (OrigWorker) {
    const Worker = function Worker(url, options) {
      const w = new OrigWorker(url, options);
      rec('worker-created', String(url), options ?? null);
      A.pagePorts.push(w);
      return w;
    };
    Worker.prototype = OrigWorker.prototype;
    window.Worker = Worker;
  }
  if (OrigShared) {
    const SharedWorker = function SharedWorker(url, options) {
      const w = new OrigShared(url, options);
      rec('sharedworker-created', String(url), options ?? null);
      A.pageWorkerName = options?.name;
      A.pagePorts.push(w.port);
      return w;
    };
    SharedWorker.prototype = OrigShared.prototype;
    window.SharedWorker = SharedWorker;
  }
  const listeners = new WeakMap();
  const wrapListener = (fn) => {
    if (typeof fn !== 'function' && !(fn && typeof fn.handleEvent === 'function')) return fn;
    let w = listeners.get(fn);
    if (!w) {
      w = function received(e) {
        if (e && e.type === 'message') rec(this instanceof MessagePort ? 'port-received' : 'worker-received', '', e.data, whoIs(this));
        return typeof fn === 'function' ? fn.call(this, e) : fn.handleEvent(e);
      };
      listeners.set(fn, w);
    }
    return w;
  };
  const addListener = EventTarget.prototype.addEventListener;
  const removeListener = EventTarget.prototype.removeEventListener;
  for (const proto of [MessagePort.prototype, OrigWorker?.prototype].filter(Boolean)) {
    const post = proto.postMessage;
    const label = proto === MessagePort.prototype ? 'port-posted' : 'worker-posted';
    proto.postMessage = function postMessage(m) {
      const who = whoIs(this);
      rec(label, '', m, who);
      if (who === 'page' && m && typeof m === 'object' && m.op === 'init') A.seenInit = m.options;
      return post.apply(this, arguments);
    };
    Object.defineProperty(proto, 'addEventListener', {
      configurable: true,
      writable: true,
      value: function addEventListener(type, fn, options) {
        return addListener.call(this, type, type === 'message' ? wrapListener(fn) : fn, options);
      },
    });
    Object.defineProperty(proto, 'removeEventListener', {
      configurable: true,
      writable: true,
      value: function removeEventListener(type, fn, options) {
        return removeListener.call(this, type, type === 'message' ? wrapListener(fn) : fn, options);
      },
    });
    const d = Object.getOwnPropertyDescriptor(proto, 'onmessage');
    if (d && d.set) {
      const handlers = new WeakMap();
      Object.defineProperty(proto, 'onmessage', {
        configurable: true,
        enumerable: d.enumerable,
        get() { return handlers.has(this) ? handlers.get(this) : d.get.call(this); },
        set(fn) {
          handlers.set(this, fn);
          d.set.call(this, typeof fn === 'function' ? wrapListener(fn) : fn);
        },
      });
    }
  }

  // The attacker's own connection to the engine's SharedWorker (by the name it saw the page use).
  A.connect = (url = '/pkg/worker.js', name = A.pageWorkerName) => {
    const w = new OrigShared(url, { type: 'module', name });
    const { port } = w;
    A.own.add(port);
    rec('sharedworker-created', url, { type: 'module', name }, 'attacker');
    const waiting = new Map();
    const replies = [];
    port.onmessage = (e) => {
      replies.push(e.data);
      const id = e.data && typeof e.data === 'object' ? e.data.id : undefined;
      if (waiting.has(id)) waiting.get(id)(e.data);
    };
    let next = 1;
    const conn = {
      port,
      replies,
      send: (m, transfer) => port.postMessage(m, transfer ?? []),
      call(m, ms = 10_000) {
        const id = m.id ?? `attacker-${next++}`;
        return new Promise((resolve) => {
          const timer = setTimeout(() => { waiting.delete(id); resolve({ timeout: true, id }); }, ms);
          waiting.set(id, (d) => { clearTimeout(timer); waiting.delete(id); resolve(d); });
          port.postMessage({ ...m, id });
        });
      },
    };
    A.conn = conn;
    return conn;
  };

  // WebAssembly memories.
  const keep = (m) => { if (m instanceof WebAssembly.Memory && !A.memories.includes(m)) A.memories.push(m); };
  const keepExports = (exports) => { for (const v of Object.values(exports ?? {})) keep(v); };
  const OrigMemory = WebAssembly.Memory;
  WebAssembly.Memory = function Memory(...args) { const m = new OrigMemory(...args); keep(m); return m; };
  WebAssembly.Memory.prototype = OrigMemory.prototype;
  const OrigInstance = WebAssembly.Instance;
  WebAssembly.Instance = function Instance(...args) { const i = new OrigInstance(...args); keepExports(i.exports); return i; };
  WebAssembly.Instance.prototype = OrigInstance.prototype;
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const orig = WebAssembly[name];
    WebAssembly[name] = async function instantiate(...args) {
      const out = await orig.apply(WebAssembly, args);
      keepExports((out.instance ?? out).exports);
      return out;
    };
  }

  // Canaries: one in every place the scan reads, so that a scan that reads nothing fails.
  try {
    localStorage.setItem('attacker.canary', canary);
    sessionStorage.setItem('attacker.canary', canary);
    document.cookie = `attackercanary=${canary}; path=/; SameSite=Strict`;
    indexedDB.open(`attacker-${canary}`);
    performance.mark(`attacker-${canary}`);
    window.attackerProbe = { nested: { deeper: [canary] } };
  } catch { /* the scan reports what is missing */ }

  // Everything else the page's origin can read, searched for `needles` in the wasm memories.
  const walk = (root) => {
    const parts = [];
    const seen = new WeakSet();
    let budget = 500_000;
    const visit = (v, depth) => {
      if (budget <= 0 || v == null) return;
      if (typeof v === 'string') { parts.push(v); budget -= v.length; return; }
      if (typeof v !== 'object' || depth > 5 || seen.has(v)) return;
      seen.add(v);
      if (v === window || (typeof Node === 'function' && v instanceof Node) || v instanceof Storage
        || v instanceof WebAssembly.Memory) return;
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) { parts.push(latin1(v).slice(0, 65536)); return; }
      if (v instanceof Map) for (const [k, x] of v) { visit(k, depth + 1); visit(x, depth + 1); }
      if (v instanceof Set) for (const x of v) visit(x, depth + 1);
      let names;
      try { names = Object.getOwnPropertyNames(v); } catch { return; }
      for (const k of names) {
        let x;
        try {
          const d = Object.getOwnPropertyDescriptor(v, k);
          x = d && 'value' in d ? d.value : undefined;
        } catch { continue; }
        visit(x, depth + 1);
      }
    };
    visit(root, 0);
    return parts.join('\n');
  };
  A.scan = async (needles) => {
    flush();
    const out = [];
    const put = (kind, where, v) => out.push({ kind, where, text: text(v) });
    const dump = (s) => {
      const o = {};
      for (let i = 0; i < s.length; i += 1) o[s.key(i)] = s.getItem(s.key(i));
      return o;
    };
    put('localStorage', '', dump(localStorage));
    put('sessionStorage', '', dump(sessionStorage));
    put('cookie', '', document.cookie);
    put('indexedDB', '', (await indexedDB.databases()).map((d) => d.name));
    put('performance', '', performance.getEntries().map((e) => e.name));
    for (const name of Object.getOwnPropertyNames(window)) {
      if (name.startsWith('__attacker')) continue;
      let v;
      try { v = window[name]; } catch { continue; }
      if (v === window || typeof v === 'function') continue;
      const s = walk(v);
      if (s) put('window', name, s);
    }
    let bytes = 0;
    const hits = [];
    A.memories.forEach((m, i) => {
      const hay = latin1(new Uint8Array(m.buffer));
      bytes += hay.length;
      needles.forEach((n, j) => { if (hay.includes(n)) hits.push({ memory: i, needle: j }); });
    });
    return { texts: out, memories: A.memories.length, memoryBytes: bytes, memoryHits: hits };
  };
}

/** Arms the attacker in every page of `context`; returns the list its records arrive in. */
async function armAttacker(context, servers) {
  const sink = [];
  await context.exposeBinding('__attackerSink', (_source, r) => { sink.push(r); });
  await context.addInitScript(attackerScript, {
    appOrigin: servers.appOrigin, issuer: servers.issuer, clientId: 'spa', canary: CANARY,
  });
  return sink;
}

let marks = 0;
/** Waits until every record `pages` made so far has reached the test process. */
async function drain(sink, pages) {
  for (const p of pages) {
    const id = `m${marks += 1}`;
    await p.evaluate((m) => window.__attacker.mark(m), id);
    const deadline = Date.now() + STEP_TIMEOUT;
    while (!sink.some((r) => r.kind === 'marker' && r.where === id)) {
      assert.ok(Date.now() < deadline, 'the attacker records did not arrive');
      await sleep(20);
    }
  }
}

const line = (r) => `[${r.kind} ${r.who ?? ''} ${r.where} @${r.at ?? ''}] ${r.text}`;

/** The needles searched in memory: each token, and its first and last 16 characters. */
function needlesOf(tokens) {
  const out = new Set();
  for (const t of tokens) {
    out.add(t);
    if (t.length >= 32) { out.add(t.slice(0, 16)); out.add(t.slice(-16)); }
  }
  return [...out];
}

/** Where (record kinds) any of `values` occurs in `records`. */
function whereFound(records, values) {
  const kinds = new Set();
  for (const v of values.filter((x) => typeof x === 'string' && x.length >= 8)) {
    for (const r of records) if (r.text.includes(v)) kinds.add(`${r.kind}${r.who ? `/${r.who}` : ''}`);
  }
  return [...kinds].sort();
}

const HELLO = JSON.stringify({ v: 1, t: 'hello' });

/**
 * Everything the attacker recorded and can scan now in `pages`, checked for every refresh token the
 * provider has issued so far. Returns what it looked at, and notes (as test diagnostics) what the
 * attacker could reach.
 */
async function checkpoint(t, label, { servers, sink, pages, forged = [] }) {
  await drain(sink, pages);
  const issued = await servers.issued();
  const rts = issued.refreshTokens;
  assert.ok(rts.length > 0, `${label}: the provider has issued refresh tokens to look for`);
  const needles = needlesOf(rts);
  const scans = [];
  for (const p of pages) {
    const scan = await p.evaluate((n) => window.__attacker.scan(n), needles);
    // And the harness's storage scan: IndexedDB and CacheStorage contents, every cookie of the context.
    scan.texts.push({ kind: 'storage', where: 'contents', text: (await scanStorage(p)).text });
    scans.push(scan);
  }
  const records = [...sink, ...scans.flatMap((s) => s.texts)];
  const texts = records.map(line);

  assertNoSecrets(texts, rts, `what a same-origin script recorded ${label}`);
  assert.deepEqual(texts.filter((x) => x.includes('refresh_token')), [], `${label}: no token response or refresh request in the page`);
  assert.deepEqual(scans.flatMap((s) => s.memoryHits), [], `${label}: no refresh token in the page's WebAssembly memory`);
  const foreign = sink.filter((r) => r.kind === 'old-channel-received' && r.text !== HELLO && !forged.includes(r.text));
  assert.deepEqual(foreign.map(line), [], `${label}: nothing but the attacker's own messages on the old channels`);
  for (const [i, s] of scans.entries()) {
    for (const kind of ['localStorage', 'sessionStorage', 'cookie', 'indexedDB', 'performance', 'window']) {
      assert.ok(s.texts.some((x) => x.kind === kind && x.text.includes(CANARY)), `${label}: the scan of tab ${i + 1} read ${kind}`);
    }
  }
  t.diagnostic(`${label}: ${sink.length} records, ${pages.length} tab(s), channels opened by the page: `
    + `${JSON.stringify(sink.filter((r) => r.kind === 'bc-open').map((r) => r.where))}, wasm memories in the page: `
    + `${scans.map((s) => `${s.memories} (${s.memoryBytes} bytes)`).join(', ')}; reachable: `
    + `access tokens in ${JSON.stringify(whereFound(records, issued.accessTokens))}, `
    + `ID tokens in ${JSON.stringify(whereFound(records, issued.idTokens))}, `
    + `codes in ${JSON.stringify(whereFound(records, issued.codes))}, `
    + `verifiers in ${JSON.stringify(whereFound(records, issued.codeVerifiers))}`);
  return { records, issued, scans };
}

async function openTab(context, servers, path = '/') {
  const p = await context.newPage();
  await openApp(p, servers, path);
  return p;
}

const sub = (p) => p.evaluate(() => window.__auth.user()?.sub ?? null);
const waitSignedOut = (p) => p.waitForFunction(() => document.getElementById('status').dataset.status === 'signed_out');

// ---------------------------------------------------------------------------

e2eTest(env, 'I06 I01 attacker in the page: no refresh token in fetch, XHR, channels, worker messages, wasm memory, storage or window; after login, renewal, with 2 and 3 tabs (one SharedWorker), after logout', async ({ page, context, servers, t }) => {
  const sink = await armAttacker(context, servers);
  const ctx = { servers, sink, pages: [page] };
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  assert.ok(sink.some((r) => r.kind === 'sharedworker-created' && r.who === 'page'), 'the engine runs in a SharedWorker');
  await checkpoint(t, 'after login', ctx);

  // The recorder works: the access token the page asks for is in the worker's answer and in the
  // client object on window. Both are what a same-origin script may reach.
  const first = await getAccessToken(page);
  assert.ok(first.token, JSON.stringify(first.error));
  await drain(sink, [page]);
  assert.ok(sink.some((r) => r.kind === 'port-received' && r.who === 'page' && r.text.includes(first.token)),
    'recording works: the access token is in the recorded worker messages');
  const seen = await page.evaluate(() => window.__attacker.scan([]));
  assert.ok(seen.texts.some((x) => x.kind === 'window' && x.where === '__auth' && x.text.includes(first.token)),
    'recording works: the window walk reaches the access token the client caches');

  await servers.resetLedger();
  const renewed = await getAccessToken(page, { forceRefresh: true });
  assert.ok(renewed.token && renewed.token !== first.token, 'a new access token');
  assert.deepEqual(tokenRequests(await servers.ledger()).map((e) => [e.grant_type, e.status]), [['refresh_token', 200]]);
  await checkpoint(t, 'after a renewal', ctx);

  await servers.resetLedger();
  const b = await openTab(context, servers, '/orders');
  assert.equal(await appStatus(b), 'signed_in', 'the second tab joins the session');
  assert.deepEqual(tokenRequests(await servers.ledger()), [], 'the second tab joins without a token request');
  assert.equal((await getAccessToken(b)).token, renewed.token);
  await checkpoint(t, 'with two tabs', { ...ctx, pages: [page, b] });

  const c = await openTab(context, servers);
  assert.equal(await appStatus(c), 'signed_in', 'the third tab joins the session');
  assert.deepEqual(tokenRequests(await servers.ledger()), [], 'the third tab joins without a token request');
  const third = await getAccessToken(c, { forceRefresh: true });
  assert.ok(third.token && third.token !== renewed.token);
  for (const p of [page, b]) assert.equal((await getAccessToken(p)).token, third.token, 'every tab gets the renewed token');
  assert.equal((await callApi(servers, third.token)).status, 200);
  assert.deepEqual(tokenRequests(await servers.ledger()).map((e) => [e.grant_type, e.status]), [['refresh_token', 200]]);
  await checkpoint(t, 'with three tabs', { ...ctx, pages: [page, b, c] });

  await logout(page, servers);
  for (const p of [page, b, c]) {
    await waitSignedOut(p);
    assert.equal((await getAccessToken(p)).error?.code, 'login_required');
  }
  await checkpoint(t, 'after logout', { ...ctx, pages: [page, b, c] });
});

e2eTest(env, 'I06 I01 attacker in the page with shareTabs: false (a dedicated Worker per tab), two tabs: no refresh token anywhere the page can reach', async ({ page, context, servers, t }) => {
  await context.addInitScript(() => { window.OXIDC_CONFIG = { shareTabs: false }; });
  const sink = await armAttacker(context, servers);
  await openApp(page, servers);
  await login(page, servers);
  const b = await context.newPage();
  await openApp(b, servers);
  assert.equal(await appStatus(b), 'signed_out', 'a dedicated worker does not share the session');
  await login(b, servers);
  for (const p of [page, b]) {
    assert.equal(await appStatus(p), 'signed_in');
    const first = await getAccessToken(p);
    const renewed = await getAccessToken(p, { forceRefresh: true });
    assert.ok(renewed.token && renewed.token !== first.token, 'each tab renews in its own worker');
  }
  await drain(sink, [page, b]);
  assert.ok(sink.filter((r) => r.kind === 'worker-created' && r.who === 'page').length >= 2, 'dedicated workers');
  assert.ok(!sink.some((r) => r.kind === 'sharedworker-created' && r.who === 'page'), 'no SharedWorker');
  const token = (await getAccessToken(b)).token;
  assert.ok(sink.some((r) => r.kind === 'worker-received' && r.text.includes(token)),
    'recording works: the access token is in the recorded worker messages');
  await checkpoint(t, 'two tabs, dedicated workers', { servers, sink, pages: [page, b] });
  await logout(page, servers);
  assert.equal(await appStatus(page), 'signed_out');
  await checkpoint(t, 'two tabs, dedicated workers, after logout in one', { servers, sink, pages: [page, b] });
});

e2eTest(env, 'I05 attacker connects to the SharedWorker itself and tries every op: it may get access tokens and claims (so may the page), never a refresh token', async ({ page, context, servers, t }) => {
  const sink = await armAttacker(context, servers);
  await openApp(page, servers);
  await login(page, servers);
  const b = await openTab(context, servers);
  assert.equal(await appStatus(b), 'signed_in');
  const pageToken = (await getAccessToken(page)).token;
  const options = await page.evaluate(() => window.__attacker.seenInit);
  assert.equal(options?.issuer, servers.issuer, 'the attacker saw the options the page sent');

  // Allowed and expected: a script of the app's origin is the app as far as the engine can tell. It
  // can join the session (same options), get the current access token, force a renewal, read the
  // claims, start a login of its own, and end the session. None of it hands out a refresh token.
  await servers.resetLedger();
  const ops = await b.evaluate(async ({ options: o, appOrigin }) => {
    const c = window.__attacker.connect();
    const out = {};
    out.init = await c.call({ op: 'init', options: o, records: [], here: '/', callback: false });
    out.token = await c.call({ op: 'token', force: false });
    out.forced = await c.call({ op: 'token', force: true });
    out.userinfo = await c.call({ op: 'userinfo', refresh: false });
    out.userinfoAgain = await c.call({ op: 'userinfo', refresh: true });
    out.revalidate = await c.call({ op: 'revalidate' });
    out.login = await c.call({ op: 'login', returnTo: '/' });
    out.callback = await c.call({ op: 'callback', url: `${appOrigin}/callback?code=x&state=none`, records: [] });
    out.logoutReturn = await c.call({ op: 'logoutReturn', url: `${appOrigin}/?state=x`, records: [['oxidc.tx.logout', 'y']] });
    out.unknown = await c.call({ op: 'refreshToken' });
    out.other = await c.call({ op: 'init', options: { ...o, scope: 'openid' }, records: [], here: '/', callback: false });
    out.otherToken = await c.call({ op: 'token', force: false });
    c.send({ op: 'bye' });
    out.afterBye = await c.call({ op: 'token', force: false });
    out.rejoin = await c.call({ op: 'init', options: o, records: [], here: '/', callback: false });
    return out;
  }, { options, appOrigin: servers.appOrigin });
  t.diagnostic(`ops: ${JSON.stringify(Object.fromEntries(Object.entries(ops).map(([k, v]) => [k, v.err ? `err ${v.err.code}` : Object.keys(v.ok ?? {}).join(',') || String(v.ok)])))}`);
  assert.equal(ops.init.ok?.status, 'signed_in', 'joined the session');
  assert.equal(ops.init.ok?.user?.sub, 'alice');
  assert.equal(ops.token.ok?.token, pageToken, 'the attacker gets the current access token');
  assert.ok(ops.forced.ok?.token && ops.forced.ok.token !== pageToken, 'and can force a renewal');
  assert.equal(ops.userinfo.ok?.sub, 'alice');
  assert.equal(ops.userinfoAgain.ok?.sub, 'alice');
  assert.ok(!('err' in ops.revalidate), JSON.stringify(ops.revalidate));
  assert.ok(ops.login.navigate?.startsWith(`${servers.issuer}/auth?`), 'a login of its own: a navigation for the attacker');
  assert.ok(ops.login.store?.some(([k, v]) => k.startsWith('oxidc.tx.login.') && typeof v === 'string'),
    'the login record goes to the attacker, not into any tab');
  assert.equal(ops.callback.err?.code, 'no_pending_login');
  assert.equal(ops.logoutReturn.err?.code, 'logout_state_mismatch');
  assert.equal(ops.unknown.err?.code, 'invalid_message');
  assert.equal(ops.other.ok?.status, 'signed_out', 'other options are another session, signed out');
  assert.equal(ops.otherToken.err?.code, 'login_required');
  assert.equal(ops.afterBye.err?.code, 'invalid_message', 'after bye the port is forgotten');
  assert.equal(ops.rejoin.ok?.status, 'signed_in');
  const ledger = await servers.ledger();
  assert.deepEqual(tokenRequests(ledger).map((e) => [e.grant_type, e.status]), [['refresh_token', 200]], 'one renewal, the forced one');
  for (const p of [page, b]) {
    assert.equal(await sub(p), 'alice');
    assert.equal(await appStatus(p), 'signed_in');
  }
  assert.equal((await getAccessToken(page)).token, ops.forced.ok.token, 'the tabs use the renewed token');
  await checkpoint(t, 'after the attacker\'s ops', { servers, sink, pages: [page, b] });

  // The attacker can also log the user out (so can the page): every tab is signed out, the refresh
  // token is revoked, and the attacker gets the provider's logout URL (with the ID token as hint).
  const out = await b.evaluate(() => window.__attacker.conn.call({ op: 'logout' }));
  assert.ok(out.ok?.startsWith(`${servers.issuer}/session/end?`), JSON.stringify(out));
  for (const p of [page, b]) await waitSignedOut(p);
  assert.ok((await servers.ledger()).some((e) => e.route === 'revocation' && e.status === 200), 'the refresh token was revoked');
  await checkpoint(t, 'after the attacker\'s logout', { servers, sink, pages: [page, b] });

  // The engine is intact: a real login works and the other tab follows.
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await b.waitForFunction(() => document.getElementById('status').dataset.status === 'signed_in');
  assert.equal(await sub(b), 'alice');
  await checkpoint(t, 'after a new login', { servers, sink, pages: [page, b] });
});

/** An unsigned ID token with these claims (for the old tab-channel format). */
const forgedIdToken = (claims) => [
  Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
  Buffer.from(JSON.stringify(claims)).toString('base64url'),
  '',
].join('.');

e2eTest(env, 'I05 attacker plants a session: forged callback records, garbage, ev:"state" to the page\'s port, old-format channel sessions; no tab changes user, no token from anywhere but the token endpoint, the engine keeps working', async ({ page, context, servers, t }) => {
  const sink = await armAttacker(context, servers);
  await openApp(page, servers);
  await login(page, servers);
  const b = await openTab(context, servers);
  assert.equal(await appStatus(b), 'signed_in');
  const before = (await getAccessToken(page)).token;
  const options = await page.evaluate(() => window.__attacker.seenInit);
  const now = Math.floor(Date.now() / 1000);
  const forgedState = `forged${'S'.repeat(40)}`;
  const forgedCode = `forged-code-${CANARY}`;
  const record = JSON.stringify({
    v: 1, state: forgedState, nonce: `forged-nonce-${'N'.repeat(32)}`, verifier: 'v'.repeat(43), issuer: servers.issuer,
    client_id: 'spa', redirect_uri: `${servers.appOrigin}/callback`, return_to: '/', created_at: now, max_age: null, silent: false,
  });
  const forgedUrl = `${servers.appOrigin}/callback?code=${forgedCode}&state=${forgedState}&iss=${encodeURIComponent(servers.issuer)}`;
  const mallory = { iss: servers.issuer, aud: 'spa', sub: 'mallory', exp: now + 3600, iat: now, nonce: 'n' };
  const oldSession = {
    v: 1, t: 'session', sid: 'forged-sid', gen: 99, loginAt: now + 60, at: `forged-at-${CANARY}`, exp: now + 3600,
    life: 3600, rt: `forged-rt-${CANARY}`, idt: forgedIdToken(mallory), scope: 'openid profile email offline_access',
  };
  const oldEnded = { v: 1, t: 'ended', sid: 'forged-sid', reason: 'logged_out' };

  await servers.resetLedger();
  const results = await b.evaluate(async ({ o, record: r, forgedUrl: url, forgedState: state, appOrigin, issuer, oldSession: s, oldEnded: e }) => {
    const A = window.__attacker;
    const c = A.connect();
    const out = {};
    out.init = await c.call({ op: 'init', options: o, records: [], here: '/', callback: false });
    // A well-formed forged record with a forged code: the engine can only find out at the provider.
    out.forged = await c.call({ op: 'callback', url, records: [[`oxidc.tx.login.${state}`, r]] });
    // The same on the page's own port (the reply goes to the page, which does not know its id).
    A.pagePorts[0].postMessage({ id: 987654, op: 'callback', url, records: [[`oxidc.tx.login.${state}`, r]] });
    // Records that do not match the response: refused before any request.
    out.otherState = await c.call({ op: 'callback', url: url.replace(state, `${state}x`), records: [[`oxidc.tx.login.${state}`, r]] });
    out.otherIssuer = await c.call({
      op: 'callback', url, records: [[`oxidc.tx.login.${state}`, r.replace(JSON.stringify(issuer), '"http://127.0.0.1:1"')]],
    });
    out.tokenInUrl = await c.call({ op: 'callback', url: `${appOrigin}/callback#access_token=x&id_token=y&state=${state}`, records: [[`oxidc.tx.login.${state}`, r]] });
    // Garbage of every shape, to the engine through the attacker's port and the page's.
    const deep = {};
    let cur = deep;
    for (let i = 0; i < 2000; i += 1) { cur.d = {}; cur = cur.d; }
    const cyclic = { id: 'cyclic', op: 'nope' };
    cyclic.self = cyclic;
    const garbage = [
      null, undefined, 0, 42, 'init', true, [], [1, 2, 3], {}, { id: 1 }, { op: 'token' },
      { id: 'g1', op: 42 }, { id: 'g2', op: 'token', force: 'yes' }, { id: 'g3', op: 'callback', url: 42, records: 'x' },
      { id: 'g4', op: 'callback', url: 'javascript:alert(1)', records: [[1, 2], [null], ['oxidc.tx.login.a'], 'x'] },
      { id: 'g5', op: 'callback', url: `${appOrigin}/callback?code=x&state=${'s'.repeat(200_000)}` },
      { id: 'g6', op: 'init', options: 'garbage' }, { id: 'g7', op: 'init', options: { issuer: 42 } },
      { id: 'g8', op: 'login', returnTo: 'https://evil.example/' }, { id: 'g9', op: 'login', returnTo: '//evil.example' },
      { id: { nested: [1, { x: 2 }] }, op: 'nope' }, { id: 10n, op: 'nope' }, cyclic, { id: 'deep', op: deep },
      { id: 'g10', op: 'logoutReturn', url: '::', records: [['oxidc.tx.logout', 'x']] },
      { id: 'g11', op: 'callback', url, records: Array.from({ length: 1000 }, (_, i) => [`oxidc.tx.login.${i}`, r]) },
      new ArrayBuffer(8), new Uint8Array(1 << 16), new Date(0), /re/g, new Map([[1, 2]]), new Blob(['x']),
      { ev: 'state', status: 'signed_in', event: 'signed_in', user: { sub: 'mallory' } },
      { ev: 'state', status: 'signed_out', event: 'signed_out', reason: 'logged_out', user: null },
    ];
    for (const m of garbage) {
      c.send(m);
      A.pagePorts[0].postMessage(m);
    }
    const mc = new MessageChannel();
    c.send({ id: 'g12', op: 'token', port: mc.port1 }, [mc.port1]);
    // The page's port carries messages to the engine only: an ev:"state" posted there reaches the
    // engine (which ignores it), never the page.
    A.pagePorts[0].postMessage({ ev: 'state', status: 'signed_in', event: 'signed_in', user: { sub: 'mallory' } });
    // The tab channels of the library's former versions: a session with a forged ID token and
    // tokens, and an "ended" message.
    for (const ch of A.oldNames) { ch.postMessage(s); ch.postMessage(e); }
    const ping = await c.call({ op: 'token', force: false });
    return { ...out, ping, replies: c.replies.length };
  }, {
    o: options, record, forgedUrl, forgedState, appOrigin: servers.appOrigin, issuer: servers.issuer, oldSession, oldEnded,
  });
  t.diagnostic(`forged callbacks: ${JSON.stringify([results.forged, results.otherState, results.otherIssuer, results.tokenInUrl].map((r) => r.err?.code ?? r))}`);
  assert.equal(results.init.ok?.status, 'signed_in');
  assert.ok(results.forged.err, `the forged callback is refused: ${JSON.stringify(results.forged)}`);
  assert.equal(results.otherState.err?.code, 'no_pending_login');
  assert.ok(results.otherIssuer.err, 'a record for another issuer is refused');
  assert.ok(results.tokenInUrl.err, 'tokens in the URL are refused');
  assert.equal(results.ping.ok?.token, before, 'the engine still answers, with the same token');

  await sleep(1000);
  for (const p of [page, b]) {
    assert.equal(await appStatus(p), 'signed_in');
    assert.equal(await sub(p), 'alice', 'the user of every tab is unchanged');
    assert.equal((await getAccessToken(p)).token, before, 'every tab keeps the token it had');
  }
  // The only token requests: the two forged callbacks (attacker's port and page's port), each
  // refused by the provider; the engine asked nothing else and installed nothing.
  const requests = tokenRequests(await servers.ledger());
  assert.deepEqual(requests.map((e) => [e.grant_type, e.code, e.status]),
    [['authorization_code', sha(forgedCode), 400], ['authorization_code', sha(forgedCode), 400]],
    'no token request but the forged code, twice, both refused');
  const issued = await servers.issued();
  assert.ok(issued.accessTokens.includes(before), 'the token the tabs hold came from the token endpoint');
  assert.equal((await callApi(servers, before)).status, 200);
  await checkpoint(t, 'after the forged messages', {
    servers, sink, pages: [page, b], forged: [JSON.stringify(oldSession), JSON.stringify(oldEnded)],
  });

  // A synthetic event dispatched on the page's port (not a message from the worker) is not trusted:
  // the facade ignores it. (A script of the page could still replace window.__auth; the engine, the
  // other tab, the attacker's own port and the tokens stay either way.)
  const shown = await b.evaluate(() => {
    window.__attacker.pagePorts[0].dispatchEvent(new MessageEvent('message', {
      data: { ev: 'state', status: 'signed_in', event: 'signed_in', user: { sub: 'mallory' } },
    }));
    return window.__auth.user()?.sub ?? null;
  });
  assert.equal(shown, 'alice', 'a synthetic event on the port changes nothing in the facade');
  assert.equal(await sub(page), 'alice', 'the other tab is unchanged');
  const engineView = await b.evaluate(async (o) => window.__attacker.conn.call({ op: 'init', options: o, records: [], here: '/', callback: false }), options);
  assert.equal(engineView.ok?.user?.sub, 'alice', 'the engine\'s session is unchanged');
  assert.equal((await getAccessToken(b)).token, before, 'the tab still gets the session\'s token from the engine');

  // The engine never crashed: a renewal, a new tab, a logout and a new login all work.
  await servers.resetLedger();
  const renewed = await getAccessToken(page, { forceRefresh: true });
  assert.ok(renewed.token && renewed.token !== before, JSON.stringify(renewed.error));
  assert.deepEqual(tokenRequests(await servers.ledger()).map((e) => [e.grant_type, e.status]), [['refresh_token', 200]]);
  const c = await openTab(context, servers);
  assert.equal(await sub(c), 'alice');
  await logout(page, servers);
  for (const p of [b, c]) await waitSignedOut(p);
  await login(page, servers);
  assert.equal(await sub(page), 'alice');
  for (const p of [b, c]) {
    await p.waitForFunction(() => document.getElementById('status').dataset.status === 'signed_in');
    assert.equal(await sub(p), 'alice');
  }
  await checkpoint(t, 'after logout and a new login', {
    servers, sink, pages: [page, b, c], forged: [JSON.stringify(oldSession), JSON.stringify(oldEnded)],
  });
});

e2eTest(env, 'I05 what a same-origin script can still do: complete a login of its choosing (a genuine authorization response with its own record); every tab follows, the tokens come from the token endpoint, still no refresh token in the page', async ({ page, context, servers, browser, t }) => {
  // Mallory's genuine authorization response and login record, from Mallory's own browser.
  const theirs = await newPage(browser);
  let planted;
  try {
    await openApp(theirs.page, servers);
    const { callbackUrl } = await login(theirs.page, servers, { username: 'mallory', divert: true });
    const scan = await scanAppStorageFromHere(theirs.page, servers);
    const state = new URL(callbackUrl).searchParams.get('state');
    const key = `oxidc.tx.login.${state}`;
    assert.ok(scan.sessionStorage[key], 'Mallory\'s login record');
    planted = { url: callbackUrl, records: [[key, scan.sessionStorage[key]]] };
  } finally {
    await theirs.context.close().catch(() => {});
  }

  const sink = await armAttacker(context, servers);
  await openApp(page, servers);
  await login(page, servers);
  const b = await openTab(context, servers);
  assert.equal(await sub(b), 'alice');
  const options = await page.evaluate(() => window.__attacker.seenInit);
  await servers.resetLedger();
  const out = await b.evaluate(async ({ o, p }) => {
    const c = window.__attacker.connect();
    await c.call({ op: 'init', options: o, records: [], here: '/', callback: false });
    return c.call({ op: 'callback', url: p.url, records: p.records });
  }, { o: options, p: planted });
  assert.equal(out.ok?.signedIn, true, JSON.stringify(out));
  // Every tab of the session follows the new login, as after a login in any tab: the engine cannot
  // tell the page's own callback from a script's. The page could do the same by writing the record
  // into sessionStorage and opening the callback URL.
  for (const p of [page, b]) await p.waitForFunction(() => window.__auth.user()?.sub === 'mallory');
  const requests = tokenRequests(await servers.ledger());
  assert.deepEqual(requests.map((e) => [e.grant_type, e.code, e.status]),
    [['authorization_code', sha(new URL(planted.url).searchParams.get('code')), 200]], 'the tokens came from the token endpoint');
  const token = (await getAccessToken(page)).token;
  assert.ok((await servers.issued()).accessTokens.includes(token));
  assert.deepEqual((await callApi(servers, token)).body?.hello, 'mallory');
  await checkpoint(t, 'after a planted genuine login', { servers, sink, pages: [page, b] });
});

e2eTest(env, 'I06 control: with the in-page opt-out (dangerouslyKeepRefreshTokenInPage) the same recorder finds the refresh token: token responses in fetch, the refresh request, WebAssembly memory', async ({ page, context, servers, t }) => {
  const url = servers.probePage(IN_PAGE, `
const auth = await createClient({ ...config, redirectUri: location.origin + '/__test/${IN_PAGE}.html', dangerouslyKeepRefreshTokenInPage: true });
window.__auth = auth;
const button = document.createElement('button');
button.id = 'login';
button.textContent = 'Log in';
button.onclick = () => auth.login();
document.body.append(button);
if (auth.isCallback()) await auth.handleRedirectCallback();`);
  const sink = await armAttacker(context, servers);
  const earlier = (await servers.issued()).refreshTokens.length;
  await page.goto(url);
  await waitForApp(page);
  assert.equal(await page.evaluate(() => window.__probeError), undefined);
  await login(page, servers);
  assert.equal(await page.evaluate(() => window.__auth.isAuthenticated()), true);
  assert.equal(await page.evaluate(() => window.__probeError), undefined);
  const renewed = await getAccessToken(page, { forceRefresh: true });
  assert.ok(renewed.token, JSON.stringify(renewed.error));
  await drain(sink, [page]);
  const rts = (await servers.issued()).refreshTokens.slice(earlier);
  assert.equal(rts.length, 2, 'a login and a renewal');
  const found = (kind) => sink.filter((r) => r.kind === kind && rts.some((rt) => r.text.includes(rt)));
  assert.ok(found('fetch-response-body').some((r) => r.text.includes('"refresh_token"')), 'the token responses, read through fetch');
  assert.ok(found('fetch-request').some((r) => r.text.includes('refresh_token')), 'the refresh request body, read through fetch');
  const scan = await page.evaluate((n) => window.__attacker.scan(n), rts);
  assert.ok(scan.memories > 0, 'the page instantiated the engine\'s WebAssembly');
  assert.ok(scan.memoryHits.length > 0, 'the refresh token is in the page\'s WebAssembly memory');
  // The checkpoint's assertions fail here, as they must when a refresh token is within reach.
  await assert.rejects(checkpoint(t, 'control', { servers, sink, pages: [page] }), /secrets leaked/);
});
