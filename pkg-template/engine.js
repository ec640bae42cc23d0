// oxidc engine loop: loads the WebAssembly engine and hands it every message of every connected
// page. Runs in the package's worker (worker.js) or, with the in-page opt-out, in the page itself.
import init, { Engine } from "./oxidc.js";
import { send } from "./__SNIPPETS__/src/browser/http.js";

let engine;
const ready = init({ module_or_path: new URL("./oxidc_bg.wasm", import.meta.url) }).then(() => {
  engine = new Engine();
  // On the worker's performance timeline, for whoever profiles the start-up.
  performance.mark("oxidc:engine-ready");
});
let nextPort = 0;

// The discovery request starts while the WebAssembly module loads, instead of after it. Sent only
// for an issuer the engine would accept (https, or http to a loopback host with allowLoopbackHttp),
// through the same `send` as every other request; the engine takes its answer only for the very
// request it would send (method, URL, headers) and checks it like any other.
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
    early.response.catch(() => {}); // the engine reads the outcome
    return early;
  } catch {
    return undefined;
  }
}

// The worker's name carries the issuer of the page that started it ("oxidc:[loopback:]<issuer>"),
// so the discovery request starts with the worker, not when the first page's message arrives.
function fromName() {
  if (typeof WorkerGlobalScope !== "function" || !(globalThis instanceof WorkerGlobalScope)) return undefined;
  const name = globalThis.name;
  if (typeof name !== "string" || !name.startsWith("oxidc:")) return undefined;
  const rest = name.slice("oxidc:".length);
  const loopback = rest.startsWith("loopback:");
  return startDiscovery({ issuer: loopback ? rest.slice("loopback:".length) : rest, allowLoopbackHttp: loopback });
}
let early = fromName();

let stopped = false;
const STOPPED = {
  message: "The oxidc engine stopped on an internal error.",
  detail: "engine",
  hint: "Reload the page (close the app's other tabs if it persists), and report it.",
};

// Answers a call with a `platform` error.
function fail(port, msg, what) {
  if (msg !== null && typeof msg === "object" && msg.id !== undefined) {
    port.postMessage({ id: msg.id, err: { code: "platform", ...what } });
  }
}

/** Connects a page's port (a MessagePort, or the dedicated worker's global scope) to the engine. */
export function attach(port) {
  const id = nextPort++;
  port.addEventListener("message", (event) => {
    const msg = event.data;
    if (msg !== null && typeof msg === "object" && msg.op === "bye") {
      ready.then(() => engine.disconnect(id));
      return;
    }
    let first;
    if (msg !== null && typeof msg === "object" && msg.op === "init") {
      // The first page's init takes the early request (the engine uses it only for the very
      // request it would send); without one, and before the engine is ready, it starts one.
      first = early ?? (engine === undefined ? startDiscovery(msg.options ?? {}) : undefined);
      early = undefined;
    }
    ready.then(
      () => {
        if (stopped) return fail(port, msg, STOPPED);
        try {
          engine.handle(id, port, msg, first);
        } catch (err) {
          // A trap leaves the WebAssembly instance unusable: answer every later call with an
          // error instead of silence, so that pages can tell.
          if (err instanceof WebAssembly.RuntimeError) stopped = true;
          fail(port, msg, STOPPED);
        }
      },
      () => fail(port, msg, {
        message: "The oxidc engine could not load its WebAssembly module.",
        detail: "wasm",
        hint: "Serve oxidc_bg.wasm beside the worker, as application/wasm, and allow 'wasm-unsafe-eval' in script-src.",
      }),
    );
  });
  port.start?.();
}
