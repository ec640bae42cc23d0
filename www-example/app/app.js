// oxidc example single-page app. Plain JavaScript, no dependencies, no build step.
//
// Configuration: window.OXIDC_CONFIG (set by /config.js when the server knows the issuer),
// otherwise the issuer comes from ?op=<issuer> or defaults to http://127.0.0.1:9000.
// Everything shown on the page goes through textContent: provider-supplied strings
// (error descriptions, claims) are never parsed as HTML.

import { createClient, OidcError } from "/pkg/index.js";

const DEFAULT_ISSUER = "http://127.0.0.1:9000";
const OP_KEY = "oxidc-example.op"; // remembers ?op= across the provider round trip

const $ = (id) => document.getElementById(id);

function resolveConfig() {
  const given = window.OXIDC_CONFIG || {};
  const query = new URLSearchParams(location.search).get("op");
  if (query) sessionStorage.setItem(OP_KEY, query);
  const issuer = given.issuer || query || sessionStorage.getItem(OP_KEY) || DEFAULT_ISSUER;
  const client = {
    issuer,
    clientId: given.clientId || "spa",
    redirectUri: given.redirectUri || `${location.origin}/callback`,
    postLogoutRedirectUri: given.postLogoutRedirectUri || `${location.origin}/`,
    scope: given.scope || "openid profile email offline_access",
    extraAuthParams: given.extraAuthParams || { prompt: "consent" },
    allowLoopbackHttp: given.allowLoopbackHttp ?? true,
    autoRefresh: given.autoRefresh ?? false,
    shareTabs: given.shareTabs ?? true,
    restore: given.restore ?? "none",
    timeoutMs: given.timeoutMs,
    // DPoP-bound tokens, and the origins auth.fetch() may send them to (see the README).
    dpop: given.dpop,
    apiOrigins: given.apiOrigins,
  };
  const apiUrl = given.apiUrl || `${issuer.replace(/\/+$/, "")}/api/hello`;
  return { client, apiUrl };
}

const config = resolveConfig();
let auth = null;

function setBusy(busy) {
  document.body.toggleAttribute("aria-busy", busy);
}

function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    box.textContent = "";
    delete box.dataset.code;
    return;
  }
  const isOidc = err instanceof OidcError || (err && typeof err.code === "string");
  const code = isOidc ? err.code : "app_error";
  const lines = [`${code}: ${err?.message ?? String(err)}`];
  if (isOidc) {
    if (err.error) lines.push(`provider error: ${err.error}${err.errorDescription ? ` (${err.errorDescription})` : ""}`);
    if (err.status) lines.push(`HTTP status: ${err.status}`);
    if (err.hint) lines.push(`hint: ${err.hint}`);
  }
  box.textContent = lines.join("\n");
  box.dataset.code = code;
  box.hidden = false;
}

function render(state) {
  const signedIn = Boolean(auth && auth.isAuthenticated());
  const status = $("status");
  let label = signedIn ? "Signed in" : "Signed out";
  const user = auth ? auth.user() : null;
  if (signedIn && user) {
    label += ` as ${user.preferred_username || user.name || user.sub}`;
  }
  if (state?.reason && !signedIn) label += ` (${state.reason})`;
  status.textContent = label;
  status.dataset.status = signedIn ? "signed_in" : "signed_out";

  $("claims").textContent = user ? JSON.stringify(user, null, 2) : "(signed out)";
  $("login").disabled = !auth || signedIn;
  $("login-popup").disabled = !auth || signedIn;
  $("logout").disabled = !signedIn;
  $("call-api").disabled = !signedIn;
  $("refresh").disabled = !signedIn;
  if (state?.error) showError(state.error);
}

async function action(fn) {
  setBusy(true);
  try {
    showError(null);
    await fn();
  } catch (err) {
    showError(err);
  } finally {
    setBusy(false);
    render();
  }
}

async function callApi() {
  // With apiOrigins the library attaches the token (and a DPoP proof); else the app does.
  const res = config.client.apiOrigins
    ? await auth.fetch(config.apiUrl)
    : await fetch(config.apiUrl, { headers: { Authorization: `Bearer ${await auth.getAccessToken()}` } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const out = $("api-result");
  out.dataset.status = String(res.status);
  out.textContent = `${res.status} ${res.statusText}\n${body ? JSON.stringify(body, null, 2) : ""}`;
  return { status: res.status, body };
}

function safeReturnTo(value) {
  // Only same-origin paths; anything else goes home.
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return "/";
  }
  const url = new URL(value, location.origin);
  return url.origin === location.origin && url.pathname !== "/callback" ? url.pathname + url.search + url.hash : "/";
}

async function completeLogin() {
  if (!auth.isCallback()) {
    window.__callback = { ok: false, code: "not_a_callback" };
    history.replaceState(null, "", "/");
    return;
  }
  try {
    const { returnTo, signedIn } = await auth.handleRedirectCallback();
    history.replaceState(null, "", safeReturnTo(returnTo));
    window.__callback = { ok: true, signedIn };
  } catch (err) {
    window.__callback = { ok: false, code: err?.code ?? "app_error" };
    showError(err);
    history.replaceState(null, "", "/");
  }
}

async function main() {
  $("issuer").textContent = config.client.issuer;
  $("login").addEventListener("click", () => action(async () => {
    const here = location.pathname === "/callback" ? "/" : location.pathname + location.search;
    await auth.login({ returnTo: here });
  }));
  // The popup opens at once, within the click: loginWithPopup awaits nothing before it.
  $("login-popup").addEventListener("click", () => action(() => auth.loginWithPopup()));
  $("logout").addEventListener("click", () => action(() => auth.logout()));
  $("call-api").addEventListener("click", () => action(callApi));
  $("refresh").addEventListener("click", () => action(async () => {
    await auth.getAccessToken({ forceRefresh: true });
    $("api-result").textContent = `Access token refreshed at ${new Date().toLocaleTimeString()}.`;
    delete $("api-result").dataset.status;
  }));

  try {
    auth = await createClient(config.client);
  } catch (err) {
    showError(err);
    $("status").textContent = "Could not set up the OpenID client";
    $("status").dataset.status = "error";
    return;
  }
  window.__auth = auth;
  window.__app = { config, callApi, OidcError };
  auth.subscribe((state) => render(state));

  if (location.pathname === "/callback") {
    await completeLogin();
  } else if (location.href.split(/[?#]/)[0] === config.client.postLogoutRedirectUri) {
    // Possibly back from the provider's logout: check its state (and remove it from the address
    // bar). Resolves false when this tab started no logout.
    try {
      window.__logout = { ok: true, pending: await auth.handleLogoutCallback() };
    } catch (err) {
      window.__logout = { ok: false, code: err?.code ?? "app_error" };
      showError(err);
    }
  }
  render();
}

main()
  .catch((err) => showError(err))
  .finally(() => {
    document.documentElement.dataset.ready = "true";
  });
