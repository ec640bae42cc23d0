// oxidc page facade: the whole of oxidc that runs in the page.
//
// The engine (sessions, refresh tokens, every request to the provider) runs in a worker of the
// package: a SharedWorker where the browser has one (one engine for all tabs of the app), else a
// dedicated Worker for this tab. This file only talks to it with postMessage, keeps the page's own
// pieces (the login transaction in sessionStorage, the address bar, page-lifecycle events), and
// answers getAccessToken from the last token the engine handed out while that token is fresh.
// It never sees a refresh token or a token response: no message from the engine carries one.
//
// Self-contained on purpose: the npm package ships it as its entry, and Rust apps (Yew, Leptos)
// import the same file through wasm-bindgen.

const LOGIN_PREFIX = "oxidc.tx.login.";
const LOGOUT_KEY = "oxidc.tx.logout";
const RESTORE_FAILED_KEY = "oxidc.tx.restore-failed";
const RESPONSE_PARAMS = ["code", "state", "iss", "error", "error_description", "error_uri", "session_state"];
// Options read here; the engine reads the rest (and refuses unknown ones by name).
const PAGE_OPTIONS = ["shareTabs", "workerUrl", "dangerouslyKeepRefreshTokenInPage"];

/** The error every oxidc promise rejects with. `code` is stable; see the README for each code. */
export class OidcError extends Error {
  constructor(code, message, detail, hint, error, errorDescription, status) {
    super(message);
    this.name = "OidcError";
    this.code = code;
    this.detail = detail ?? null;
    this.hint = hint;
    this.error = error ?? null;
    this.errorDescription = errorDescription ?? null;
    this.status = status ?? null;
  }
}

// Popup login: the channel its redirect page hands the response back on when the popup has no
// opener (the app's origin only), the messages, how long the redirect page waits for the app to take
// the response, and the default and longest wait for a popup login (the login record's lifetime).
const POPUP_CHANNEL = "oxidc:popup";
const POPUP_RESPONSE = "oxidc:popup-response";
const POPUP_ACK = "oxidc:popup-ack";
const POPUP_ACK_MS = 2000;
const POPUP_AWAY_MS = 500;
const POPUP_TIMEOUT_MS = 300000;
const POPUP_MAX_MS = 600000;

/** Login options the engine reads; anything else is left out of the message. */
const LOGIN_OPTIONS = ["returnTo", "prompt", "loginHint", "maxAge", "uiLocales", "acrValues", "acrEssential"];

/** The engine's `login` message: `{ op: "login", returnTo, prompt, … }` (only the options given). */
function loginMessage(options) {
  const msg = { op: "login" };
  if (options !== null && typeof options === "object") {
    for (const name of LOGIN_OPTIONS) if (options[name] !== undefined) msg[name] = options[name];
  }
  return msg;
}

const toError = (f) =>
  f instanceof Error ? f : new OidcError(f.code, f.message, f.detail, f.hint, f.error, f.errorDescription, f.status);

const pageError = (code, message, detail, hint) => new OidcError(code, message, detail, hint);

function storage() {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

function storageError() {
  return pageError(
    "storage_unavailable",
    "sessionStorage is not available.",
    null,
    "Enable it (private browsing modes can block it).",
  );
}

// Takes the records under `keys` out of sessionStorage: [[key, value], ...].
function takeRecords(keys) {
  const s = storage();
  if (!s) throw storageError();
  const out = [];
  for (const key of keys) {
    const value = s.getItem(key);
    if (value !== null) {
      s.removeItem(key);
      out.push([key, value]);
    }
  }
  return out;
}

// Applies the engine's storage operations: [key, value] writes, [prefix] removes.
function applyStore(ops) {
  if (!Array.isArray(ops)) return;
  const s = storage();
  if (!s) throw storageError();
  for (const [key, value] of ops) {
    if (value !== undefined) {
      s.setItem(key, value);
    } else {
      for (const k of Object.keys(s)) if (k.startsWith(key)) s.removeItem(k);
    }
  }
}

function params(url) {
  const u = new URL(url);
  const hash = u.hash.startsWith("#") ? u.hash.slice(1) : "";
  return { u, query: u.searchParams, fragment: new URLSearchParams(hash) };
}

/** True when `url` carries authorization-response parameters (code, error or state). */
function isCallbackUrl(url) {
  try {
    const { query, fragment } = params(url);
    return ["code", "error", "state"].some((n) => query.has(n) || fragment.has(n));
  } catch {
    return false;
  }
}

// Removes the response parameters from the address bar (no new history entry) when `url` is the
// page's address: the code never stays in history (RFC 9700 §4.3.1).
function scrub(url) {
  if (url !== location.href) return;
  const { u, query, fragment } = params(url);
  for (const n of RESPONSE_PARAMS) query.delete(n);
  u.search = query.toString();
  if (RESPONSE_PARAMS.some((n) => fragment.has(n))) u.hash = "";
  history.replaceState(history.state, "", u.href);
}

// The worker's name: "oxidc:" and the issuer, so that the worker starts the discovery request as it
// starts ("loopback:" first when http on a loopback address is allowed).
function startName(options) {
  const issuer = typeof options.issuer === "string" ? options.issuer : "";
  return `oxidc:${options.allowLoopbackHttp === true ? "loopback:" : ""}${issuer}`;
}

// The worker's address: the package's worker.js beside this file, or `workerUrl`. Written as
// `new SharedWorker(new URL("./worker.js", import.meta.url), ...)` so that bundlers (Vite, webpack,
// esbuild with a plugin) find and emit the worker file.
function startWorker(options) {
  const shared = options.shareTabs !== false && typeof SharedWorker === "function";
  const base = options.workerUrl;
  const name = startName(options);
  if (shared) {
    const w = base
      ? new SharedWorker(base, { type: "module", name })
      : new SharedWorker(new URL("./worker.js", import.meta.url), { type: "module", name });
    return { port: w.port, target: w, kind: "shared", name };
  }
  if (typeof Worker === "function") {
    const w = base
      ? new Worker(base, { type: "module", name })
      : new Worker(new URL("./worker.js", import.meta.url), { type: "module", name });
    return { port: w, target: w, kind: "dedicated" };
  }
  throw pageError(
    "worker_unavailable",
    "This browser cannot run the oxidc engine in a worker.",
    "Worker",
    "Use a browser with Web Workers. Never answer this error by switching on dangerouslyKeepRefreshTokenInPage: a script of the page can cause it, and that option hands it the refresh token (see the README).",
  );
}

// The in-page engine (opt-out): the same engine and messages, over a MessageChannel in this page.
async function startInPage(options) {
  const base = options.workerUrl === undefined ? import.meta.url : new URL(options.workerUrl, location.href);
  const url = new URL("./engine.js", base).href;
  const { attach } = await import(/* @vite-ignore */ url);
  const channel = new MessageChannel();
  attach(channel.port2);
  return { port: channel.port1, target: undefined, kind: "page" };
}

const seconds = () => Math.floor(Date.now() / 1000);

/** The states of the authorization response in `url` (query and fragment). */
function statesOf(url) {
  const { query, fragment } = params(url);
  return new Set([...query.getAll("state"), ...fragment.getAll("state")]);
}

/** The `state` of the login record the engine just stored (from its storage operations). */
function storedState(ops) {
  for (const op of Array.isArray(ops) ? ops : []) {
    if (typeof op[0] === "string" && op[0].startsWith(LOGIN_PREFIX) && op[1] !== undefined) return op[0].slice(LOGIN_PREFIX.length);
  }
  return null;
}

const popupError = (code, message, hint) => pageError(code, message, null, hint);
const popupClosed = () => popupError("popup_closed", "The login popup was closed before the login completed.", "Let the user start the login again.");

/**
 * Waits for the popup's redirect page to hand back the authorization response of this login
 * (`state`). While the popup is reachable, only a message from that very window is taken; once a
 * Cross-Origin-Opener-Policy has cut it off, only the app's channel can carry it, and only the
 * response for this login's `state` (256 random bits nobody else saw) is taken from it.
 *
 * A page cut off from its popup sees it as closed, like one whose popup the user closed. Without a
 * cut, the popup is seen open on the provider's page (another origin, whose address cannot be read);
 * with one, it never is (but for a moment while the cut takes effect): it goes from this origin's
 * blank page to looking closed when the provider's page arrives. So a popup that looks closed after
 * it was seen on another origin for half a second was closed by the user; one that looks closed
 * before was cut off (or closed at once: a new login replaces it).
 */
function popupResponse(pending, state, timeoutMs) {
  const popup = pending.window;
  return new Promise((resolve, reject) => {
    const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(POPUP_CHANNEL) : null;
    let cut = false;
    // When the popup was first seen open on another origin (reset when not), and whether it stayed
    // there long enough to count: while a cut takes effect, the popup can look open on another
    // origin for a moment.
    let awaySince = 0;
    let elsewhere = false;
    let poll;
    let timer;
    const done = (settle, value) => {
      clearInterval(poll);
      clearTimeout(timer);
      removeEventListener("message", fromWindow);
      if (channel) channel.close();
      settle(value);
    };
    // A new popup login replaces this one once its popup is closed (or cut off and so unreachable).
    pending.cancel = (error) => done(reject, error);
    const take = (data, reply) => {
      if (data === null || typeof data !== "object" || data.type !== POPUP_RESPONSE || typeof data.url !== "string") return;
      let states;
      try {
        states = statesOf(data.url);
      } catch {
        return;
      }
      if (states.size !== 1 || !states.has(state)) return;
      reply({ type: POPUP_ACK, state });
      done(resolve, data.url);
    };
    function fromWindow(e) {
      if (e.isTrusted && e.origin === location.origin && e.source === popup && !cut) {
        take(e.data, (m) => popup.postMessage(m, location.origin));
      }
    }
    addEventListener("message", fromWindow);
    if (channel) {
      channel.onmessage = (e) => {
        if (e.isTrusted && cut) take(e.data, (m) => channel.postMessage(m));
      };
    }
    poll = setInterval(() => {
      if (cut) return;
      if (!popup.closed) {
        try {
          void popup.location.href;
          awaySince = 0;
        } catch {
          awaySince ||= Date.now();
          if (Date.now() - awaySince >= POPUP_AWAY_MS) elsewhere = true;
        }
        return;
      }
      if (elsewhere) done(reject, popupClosed());
      else cut = true;
    }, 100);
    timer = setTimeout(() => done(reject, popupError("popup_timeout", "The popup login did not complete in time.",
      "Let the user start the login again; pass a longer timeoutMs (at most 600000) to loginWithPopup if logins take longer.")), timeoutMs);
  });
}

/**
 * On the redirect page in a popup: hands the authorization response to the app page that opened the
 * popup (by message to the opener; on the app's channel only when a Cross-Origin-Opener-Policy cut
 * the popup off from its opener), then closes the popup once the app took it. False when no app page
 * takes it (not a popup login).
 */
function handBack(url, state) {
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(POPUP_CHANNEL) : null;
  const opener = window.opener;
  if (!channel && !opener) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (taken) => {
      clearTimeout(timer);
      removeEventListener("message", fromOpener);
      if (channel) channel.close();
      if (taken) window.close();
      resolve(taken);
    };
    const acked = (data) => data !== null && typeof data === "object" && data.type === POPUP_ACK && data.state === state;
    function fromOpener(e) {
      if (e.isTrusted && e.origin === location.origin && e.source === opener && acked(e.data)) done(true);
    }
    const timer = setTimeout(() => done(false), POPUP_ACK_MS);
    const message = { type: POPUP_RESPONSE, url };
    if (opener) {
      // Only the opener hears it (and only when it is of this origin): not the app's other tabs.
      addEventListener("message", fromOpener);
      try {
        opener.postMessage(message, location.origin);
      } catch {
        // Gone meanwhile: nobody takes it.
      }
    } else {
      channel.onmessage = (e) => e.isTrusted && acked(e.data) && done(true);
      channel.postMessage(message);
    }
  });
}

function popupFeatures(options) {
  const width = Number.isInteger(options.width) && options.width > 0 ? options.width : 500;
  const height = Number.isInteger(options.height) && options.height > 0 ? options.height : 650;
  const left = Math.max(0, Math.round((screen.availWidth - width) / 2));
  const top = Math.max(0, Math.round((screen.availHeight - height) / 2));
  return `popup=yes,width=${width},height=${height},left=${left},top=${top}`;
}

/** A session with one OpenID provider. Tokens live only in the engine; the page gets access tokens. */
export class OidcClient {
  constructor(link) {
    this._link = link;
    this._port = link.port;
    this._next = 1;
    this._calls = new Map();
    // Calls that end in a navigation (login, logout) are numbered: the engine may answer them out of
    // order (each awaits WebCrypto or the network), and only the latest one's storage and navigation
    // take effect, so that an older login can neither clear a newer one's record nor navigate over it.
    this._navigations = 0;
    this._listeners = new Set();
    this._state = { status: "signed_out", user: null };
    this._cache = undefined; // { token, until } of the last access token handed out
    this._generation = -1; // the engine's count of session events, as last reported
    this._apiOrigins = []; // where fetch() may send the access token (exact origins)
    this._apiNonces = new Map(); // the last DPoP-Nonce of each API origin (not secret)
    this._deadline = 3 * 30000 + 65000;
    // Only what the engine posted: an event a page script dispatches on the port is not trusted.
    this._port.onmessage = (e) => {
      if (e.isTrusted) this._receive(e.data);
    };
    if (link.target) link.target.onerror = () => this._fail("worker_error");
    this._wake = () => {
      if (document.visibilityState !== "hidden") this._post({ op: "revalidate" });
    };
    this._bye = (e) => {
      if (!e.persisted) this._post({ op: "bye" });
    };
    if (typeof addEventListener === "function") {
      for (const name of ["visibilitychange", "pageshow", "online"]) addEventListener(name, this._wake);
      addEventListener("pagehide", this._bye);
    }
  }

  _fail(detail) {
    const err = pageError(
      "worker_unavailable",
      "The oxidc engine's worker could not start.",
      detail,
      "Serve the package's worker.js and its files from the app's origin, and allow them in the Content-Security-Policy (worker-src 'self', script-src 'wasm-unsafe-eval').",
    );
    for (const call of this._calls.values()) call.reject(err);
    this._calls.clear();
  }

  _post(message) {
    this._port.postMessage(message);
  }

  _call(message) {
    const id = this._next++;
    return new Promise((resolve, reject) => {
      // A worker that died (killed, crashed) answers nothing: no call waits longer than the engine
      // itself could take (three attempts at the request deadline, and the longest retry waits).
      const timer = setTimeout(() => {
        if (this._calls.delete(id)) {
          reject(pageError("worker_unavailable", "The oxidc engine did not answer.", "worker_timeout",
            "Reload the page; if it persists, check that the package's worker files are served."));
        }
      }, this._deadline);
      const done = (f) => (v) => {
        clearTimeout(timer);
        f(v);
      };
      const nav = message.op === "login" || message.op === "logout" ? ++this._navigations : undefined;
      this._calls.set(id, { resolve: done(resolve), reject: done(reject), nav });
      this._post({ ...message, id });
    });
  }

  _receive(msg) {
    if (msg === null || typeof msg !== "object") return;
    if (msg.ev === "state") {
      this._generation = msg.gen;
      this._cache = undefined;
      this._state = { status: msg.status, user: msg.user ?? null };
      const state = { status: msg.status, event: msg.event, reason: msg.reason ?? null, user: msg.user ?? null };
      for (const listener of this._listeners) {
        try {
          listener(state);
        } catch (err) {
          setTimeout(() => {
            throw err;
          });
        }
      }
      return;
    }
    const call = this._calls.get(msg.id);
    if (!call) return;
    this._calls.delete(msg.id);
    // Superseded by a later login or logout: its storage and navigation are dropped.
    const stale = call.nav !== undefined && call.nav !== this._navigations;
    try {
      if (!stale) applyStore(msg.store);
    } catch (err) {
      call.reject(err);
      return;
    }
    if (Object.hasOwn(msg, "err")) call.reject(toError(msg.err));
    else if (stale) call.resolve({ ok: msg.ok, stale });
    else call.resolve({ ok: msg.ok, navigate: msg.navigate, store: msg.store });
  }

  async _init(options) {
    const engineOptions = {};
    for (const [k, v] of Object.entries(options)) if (!PAGE_OPTIONS.includes(k)) engineOptions[k] = v;
    const here = location.href;
    const callback = isCallbackUrl(here);
    if (Array.isArray(options.apiOrigins)) this._apiOrigins = options.apiOrigins.filter((o) => typeof o === "string");
    // The engine answers within the discovery deadline; a worker that never answers (a script that
    // is not oxidc's engine, a hung worker) must not leave createClient pending for ever.
    const timeout = typeof options.timeoutMs === "number" ? options.timeoutMs : 30000;
    this._deadline = 3 * timeout + 65000;
    const limit = timeout + 5000;
    const deadline = setTimeout(() => this._fail("worker_timeout"), limit);
    const started = this._call({
      op: "init",
      options: engineOptions,
      records: callback ? [] : takeRecords([RESTORE_FAILED_KEY]),
      here: new URL(here).pathname + new URL(here).search + new URL(here).hash,
      callback,
    });
    const { ok, navigate } = await started.finally(() => clearTimeout(deadline));
    this._state = { status: ok.status, user: ok.user ?? null };
    this._generation = ok.gen;
    if (navigate) {
      // A silent restore: the page is navigating to the provider, so this promise stays pending.
      location.assign(navigate);
      await new Promise(() => {});
    }
  }

  /**
   * Navigates to the provider to log in. `options`: `returnTo` (a same-origin path to come back to)
   * and the typed authorization parameters (see index.d.ts), checked by the engine.
   */
  async login(options) {
    const { navigate } = await this._call(loginMessage(options));
    if (navigate) location.assign(navigate);
  }

  /**
   * Logs in in a popup and resolves once signed in, without leaving the page. Call it directly in a
   * click handler: the popup is opened before anything is awaited. `options`: the typed login options,
   * `timeoutMs` (default 300000), `width`, `height`.
   */
  async loginWithPopup(options) {
    const opts = options !== null && typeof options === "object" ? options : {};
    const previous = this._popup;
    if (previous && !previous.window.closed) {
      throw popupError("popup_pending", "A popup login is already in progress.", "Wait for the pending popup login to finish or fail.");
    }
    // A new, unnamed window: no other page can find it by name and navigate it.
    const popup = typeof window.open === "function" ? window.open("about:blank", "_blank", popupFeatures(opts)) : null;
    if (!popup) {
      throw popupError("popup_blocked", "The browser blocked the login popup.",
        "Call loginWithPopup() directly in a click or key handler, before any await; or use login().");
    }
    // The previous popup is gone from this page's view (closed, or cut off by a
    // Cross-Origin-Opener-Policy): this login replaces it, so the user is never stuck behind it.
    if (previous) previous.cancel(popupClosed());
    const pending = { window: popup, cancel: () => {} };
    this._popup = pending;
    let state = null;
    try {
      // `bound`: this login completes in this engine, so with DPoP the code is bound to its key.
      const { navigate, store, stale } = await this._call({ ...loginMessage({ ...opts, returnTo: undefined }), bound: true });
      state = storedState(store);
      if (stale || popup.closed || this._popup !== pending) throw popupClosed();
      popup.location.replace(navigate);
      const timeoutMs = Number.isInteger(opts.timeoutMs) && opts.timeoutMs > 0 ? Math.min(opts.timeoutMs, POPUP_MAX_MS) : POPUP_TIMEOUT_MS;
      const url = await popupResponse(pending, state, timeoutMs);
      const { ok } = await this._call({ op: "callback", url, records: takeRecords([LOGIN_PREFIX + state]) });
      return ok;
    } finally {
      if (this._popup === pending) this._popup = undefined;
      // However it ended, this login leaves no record behind (the engine hands back a record it
      // refused before reading it).
      if (state !== null) takeRecords([LOGIN_PREFIX + state]);
      try {
        popup.close();
      } catch {
        // Already closed, or cut off.
      }
    }
  }

  /** True when `url` (default: the current address) carries an authorization response. */
  isCallback(url) {
    return isCallbackUrl(url ?? location.href);
  }

  /**
   * Completes the login from the redirect (`url` defaults to the current address, which is scrubbed
   * of code, state and iss first, whatever the outcome). Resolves to `{ returnTo, signedIn }`.
   */
  async handleRedirectCallback(url) {
    const href = url ?? location.href;
    scrub(href);
    if (!isCallbackUrl(href)) {
      throw pageError(
        "no_pending_login",
        "This callback matches no login started in this tab.",
        null,
        "Start a new login; nothing was sent to the provider.",
      );
    }
    const states = statesOf(href);
    const records = takeRecords([...states].map((s) => LOGIN_PREFIX + s));
    if (records.length === 0 && states.size === 1 && (await handBack(href, [...states][0]))) {
      // The response belonged to a popup login of the page that opened this window, which took it;
      // this window is closing.
      return new Promise(() => {});
    }
    const { ok } = await this._call({ op: "callback", url: href, records });
    return ok;
  }

  /**
   * An access token with at least the refresh margin of life left, renewing it first when needed.
   * Concurrent calls share one renewal. `{ forceRefresh: true }` renews now.
   */
  getAccessToken(options) {
    const force = options !== null && typeof options === "object" && options.forceRefresh === true;
    const hit = this._cache;
    if (!force && hit !== undefined && seconds() <= hit.until) return Promise.resolve(hit.token);
    return this._call({ op: "token", force }).then(({ ok }) => {
      // Kept only while no session event came after the engine answered (events and answers arrive
      // in the order the engine posted them), and only while the engine holds that token fresh.
      if (ok.gen === this._generation && ok.until >= 0) this._cache = { token: ok.token, until: ok.until };
      return ok.token;
    });
  }

  /**
   * `fetch()` with the access token, for the app's APIs: `Authorization: Bearer`, or with the `dpop`
   * option `Authorization: DPoP` and a proof the engine signs for this method and URL. Only to the
   * origins listed in `apiOrigins` (anything else rejects with `api_origin_not_allowed`, before
   * anything is sent); redirects are not followed (the redirect itself is returned). A 401 with
   * `error="invalid_token"` renews the token and retries once; a DPoP nonce challenge is retried once
   * with the nonce. A request whose response never came is not retried. The response is returned as
   * it came, body unread.
   */
  async fetch(input, init) {
    const template = new Request(input, init);
    const url = new URL(template.url);
    if (!this._apiOrigins.includes(url.origin)) {
      throw pageError("api_origin_not_allowed", "The request's origin is not one of the configured apiOrigins.", url.origin,
        "Add the API's exact origin (scheme, host and port) to apiOrigins, or send this request without the access token.");
    }
    const redirect = template.redirect === "error" ? "error" : "manual";
    let nonceRetried = false;
    let refused;
    for (;;) {
      // After a refusal the engine renews the token, unless it was already replaced meanwhile.
      const { ok } = await this._call({
        op: "authorize", method: template.method, url: url.href, nonce: this._apiNonces.get(url.origin), refused: refused?.token,
      });
      // Never the refused token again: without a new one, the 401 stands.
      if (refused && ok.token === refused.token) return refused.response;
      const headers = new Headers(template.headers);
      headers.set("Authorization", `${ok.proof ? "DPoP" : "Bearer"} ${ok.token}`);
      if (ok.proof) headers.set("DPoP", ok.proof);
      else headers.delete("DPoP");
      // Each send gets its own copy of the body, so that a retry can send it again.
      const response = await fetch(new Request(template.clone(), { headers, redirect }));
      const nonce = response.headers.get("DPoP-Nonce");
      if (nonce) this._apiNonces.set(url.origin, nonce);
      if (response.status !== 401) return response;
      const challenge = response.headers.get("WWW-Authenticate") || "";
      if (ok.proof && nonce && !nonceRetried && /\berror\s*=\s*"?use_dpop_nonce\b/i.test(challenge)) {
        nonceRetried = true;
        continue;
      }
      // The token was refused: renewed once, and the request sent once more with the new one.
      if (refused || !/\berror\s*=\s*"?invalid_token\b/i.test(challenge)) return response;
      refused = { token: ok.token, response };
    }
  }

  /** True while the engine holds a usable (or renewable) session. */
  isAuthenticated() {
    return this._state.status === "signed_in";
  }

  /** The ID token's claims, or null when signed out. */
  user() {
    return this._state.user;
  }

  /** Calls `listener({ status, event, reason, user })` on every session change; returns an unsubscribe function. */
  subscribe(listener) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /**
   * The user's claims from the provider's userinfo endpoint, fetched once per session and cached
   * (`{ refresh: true }` fetches them again), used only when their `sub` equals the ID token's.
   */
  async getUser(options) {
    const refresh = options !== null && typeof options === "object" && options.refresh === true;
    const { ok } = await this._call({ op: "userinfo", refresh });
    return ok;
  }

  /**
   * Ends the session: the tokens are cleared (in the engine, for every tab of the session) at the
   * call, the refresh token is revoked when the provider can, then the page navigates to the
   * provider's logout endpoint.
   */
  async logout() {
    this._cache = undefined;
    this._generation = -1;
    this._state = { status: "signed_out", user: null };
    const { ok, stale } = await this._call({ op: "logout" });
    if (ok && !stale) location.assign(ok);
  }

  /**
   * On the page the provider sends the browser back to after logout: checks the returned `state` and
   * removes it from the address bar. true when it matches the logout this tab started, false when none
   * was pending; rejects with `logout_state_mismatch` otherwise (logged out locally either way).
   */
  async handleLogoutCallback(url) {
    const href = url ?? location.href;
    scrub(href);
    const { ok } = await this._call({ op: "logoutReturn", url: href, records: takeRecords([LOGOUT_KEY]) });
    return ok;
  }

  /** Disconnects this page from the engine (the session goes on for the app's other tabs). */
  free() {
    this._post({ op: "bye" });
    if (typeof removeEventListener === "function") {
      for (const name of ["visibilitychange", "pageshow", "online"]) removeEventListener(name, this._wake);
      removeEventListener("pagehide", this._bye);
    }
    if (this._link.kind === "dedicated") this._link.target.terminate();
  }
}

let preloaded;

/**
 * Starts the engine's worker ahead of createClient (optional): its WebAssembly and the discovery
 * request start loading. Pass the options createClient will get (at least `issuer`).
 */
export function load(options = {}) {
  if (options.dangerouslyKeepRefreshTokenInPage === true) return Promise.resolve();
  if (!preloaded) preloaded = startWorker(options);
  return Promise.resolve();
}

/**
 * Creates a client: starts (or joins) the engine, which reads the options and fetches the provider's
 * discovery document.
 */
export async function createClient(options) {
  if (options === null || typeof options !== "object") {
    throw pageError("invalid_config", "Invalid option `options`: expected an object.", "options",
      "Fix the configuration passed to createClient (see the README for the options).");
  }
  for (const name of ["shareTabs", "dangerouslyKeepRefreshTokenInPage"]) {
    if (options[name] !== undefined && typeof options[name] !== "boolean") {
      throw pageError("invalid_config", `Invalid option \`${name}\`: expected a boolean.`, name,
        "Fix the configuration passed to createClient (see the README for the options).");
    }
  }
  // Each API origin exactly as the browser writes origins (URL.origin), or it could never match.
  for (const origin of Array.isArray(options.apiOrigins) ? options.apiOrigins : []) {
    let canonical = null;
    try {
      canonical = new URL(origin).origin;
    } catch {
      canonical = null;
    }
    if (canonical !== origin) {
      throw pageError("invalid_config", "Invalid option `apiOrigins`: each must be an origin as the browser writes it.", "apiOrigins",
        `Write it as ${canonical ?? "scheme://host[:port]"}: scheme, host and port only, in lower case, without a default port.`);
    }
  }
  let link;
  if (options.dangerouslyKeepRefreshTokenInPage === true) {
    link = await startInPage(options);
  } else if (preloaded && preloaded.name === startName(options) && options.shareTabs !== false && !options.workerUrl) {
    link = preloaded;
    preloaded = undefined;
  } else {
    link = startWorker(options);
  }
  const client = new OidcClient(link);
  await client._init(options);
  return client;
}
