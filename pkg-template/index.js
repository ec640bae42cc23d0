// oxidc: the package entry. Loads the WebAssembly module once, on first use.
import init, { createClient as createWasmClient, OidcClient } from "./oxidc.js";
export { OidcError } from "./__ERROR_MODULE__";
export { OidcClient };

let ready;

/** Loads the WebAssembly module (called by createClient; call it early to start loading sooner). */
export function load() {
  ready ??= init({ module_or_path: new URL("./oxidc_bg.wasm", import.meta.url) });
  return ready;
}

/** Creates a client for one OpenID provider: fetches and checks its discovery document. */
export async function createClient(options) {
  await load();
  return createWasmClient(options);
}
