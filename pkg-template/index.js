// oxidc: the package entry. Loads the WebAssembly module once, on first use.
import init, { createClient as createWasmClient, OidcClient } from "./oxidc.js";
import { send } from "./__SNIPPETS__/src/browser/http.js";
export { OidcError } from "./__SNIPPETS__/src/js/error.js";
export { OidcClient };

// getAccessToken hot path: while the session holds the same fresh token (same _freshKey), hand out the
// string obtained earlier instead of calling into the wasm for it. The key changes whenever the session
// is replaced or cleared, and is -1 once the token needs renewing, so a cached token is never
// returned after a refresh, a logout or its renewal time. A key is recorded only with a token obtained
// while that key was current (the wasm answers such a call from memory, without renewing).
const wasmGetAccessToken = OidcClient.prototype.getAccessToken;
const wasmLogout = OidcClient.prototype.logout;
const held = new WeakMap();
OidcClient.prototype.getAccessToken = function getAccessToken(options) {
  const force = options !== null && typeof options === "object" && options.forceRefresh === true;
  const key = force ? -1 : this._freshKey();
  if (key < 0) {
    held.delete(this);
    return wasmGetAccessToken.call(this, options);
  }
  const hit = held.get(this);
  if (hit !== undefined && hit.key === key) return Promise.resolve(hit.token);
  const call = wasmGetAccessToken.call(this, options);
  call.then((token) => held.set(this, { key, token }), () => held.delete(this));
  return call;
};
OidcClient.prototype.logout = function logout(...args) {
  held.delete(this);
  return wasmLogout.apply(this, args);
};

let ready;

/** Loads the WebAssembly module (called by createClient; call it early to start loading sooner). */
export function load() {
  ready ??= init({ module_or_path: new URL("./oxidc_bg.wasm", import.meta.url) });
  return ready;
}

// The discovery request starts here, while the WebAssembly module loads, instead of after it: one
// round trip to the provider less on every page load. It is sent only for an issuer the client
// accepts (https, or http to a loopback host with allowLoopbackHttp) and goes through the same `send`
// as every other request; the wasm takes its answer only for the very request it would send
// (method, URL, headers) and checks it like any other.
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];
function startDiscovery(options) {
  try {
    const issuer = options.issuer;
    if (typeof issuer !== "string") return undefined;
    const url = new URL(issuer);
    const loopback = options.allowLoopbackHttp === true && url.protocol === "http:" && LOOPBACK.includes(url.hostname);
    if ((url.protocol !== "https:" && !loopback) || url.search || url.hash || url.username || url.password) return undefined;
    const early = {
      url: `${issuer.endsWith("/") ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`,
      headers: [["Accept", "application/json"]],
      controller: new AbortController(),
    };
    early.response = send("GET", early.url, early.headers, undefined, early.controller.signal);
    early.response.catch(() => {}); // the wasm reads the outcome; an unused request is aborted below
    return early;
  } catch {
    return undefined;
  }
}

/** Creates a client for one OpenID provider: fetches and checks its discovery document. */
export async function createClient(options) {
  const early = startDiscovery(options);
  try {
    await load();
    return await createWasmClient(options, early);
  } finally {
    early?.controller.abort();
  }
}
