/** Options for {@link createClient}. */
export interface ClientOptions {
  /** The provider's issuer identifier, exactly as it appears in its discovery document. */
  issuer: string;
  /** This app's client_id at the provider (a public client). */
  clientId: string;
  /** Where the provider sends the browser back, exactly as registered (e.g. "https://app.example/callback"). */
  redirectUri: string;
  /** Where the provider sends the browser after logout, exactly as registered. */
  postLogoutRedirectUri?: string;
  /** Space-separated scopes; default "openid". Add "offline_access" to ask for a refresh token. */
  scope?: string;
  /** Extra authorization-request parameters, e.g. { prompt: "consent" }. Reserved names are refused. */
  extraAuthParams?: Record<string, string>;
  /** Development only: accept http:// for a provider on 127.0.0.1, [::1] or localhost. */
  allowLoopbackHttp?: boolean;
  /** getAccessToken renews when the token has fewer seconds left than this (default 45). */
  refreshMarginSeconds?: number;
  /** Clock tolerance for ID token times, in seconds (default 60). */
  leewaySeconds?: number;
  /** OpenID Connect max_age: require a login no older than this many seconds. */
  maxAge?: number;
  /**
   * Accepted ID token signing algorithms (default ["RS256", "PS256", "ES256"]); also possible:
   * RS384, RS512, PS384, PS512, ES384, ES512 and EdDSA (Ed25519, where the browser has it).
   * Only those the provider also lists in id_token_signing_alg_values_supported are accepted.
   */
  idTokenSigningAlgs?: string[];
  /** Deadline for each request to the provider, in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Renew in the background shortly before the access token expires (default false: renew on demand). */
  autoRefresh?: boolean;
  /**
   * Share one engine, and so one session, with this app's other tabs (default true): the engine runs
   * in a SharedWorker. With false, or where the browser has no SharedWorker, this tab gets its own
   * engine in a dedicated Worker and its own session (no token ever crosses between tabs).
   */
  shareTabs?: boolean;
  /**
   * The URL of the package's worker.js, when the package files are not served next to the module
   * that imports it (Rust apps, some bundler set-ups). Default: `new URL("./worker.js", import.meta.url)`.
   */
  workerUrl?: string | URL;
  /**
   * Opt-out, not recommended: run the engine in this page instead of a worker. The refresh token then
   * lives in the page's WebAssembly memory and crosses the page's fetch, where any script of the
   * page's origin can read it. Only for browsers without workers. Loads engine.js next to workerUrl.
   */
  dangerouslyKeepRefreshTokenInPage?: boolean;
  /**
   * After a reload with no other tab open: "none" (default, start signed out) or "silent" (a
   * prompt=none round trip to the provider that comes back to the same route; createClient then stays
   * pending while the page navigates, and never loops).
   */
  restore?: "none" | "silent";
  /**
   * Multi-tenant issuer mode, for Microsoft Entra ID's `common` and `organizations` issuers (their
   * discovery names the issuer `…/{tenantid}/v2.0`): the tenant ids whose users may sign in, or "any".
   * Each ID token must then carry one of these in `tid`, and its `iss` must be that tenant's issuer.
   * Default: none (the issuer is matched exactly).
   */
  allowedTenants?: string[] | "any";
  /**
   * A logout endpoint for providers whose discovery has no end_session_endpoint (Auth0's
   * `/v2/logout`, Cognito's `/logout`); ignored when discovery has one. It gets no `state`, so
   * handleLogoutCallback resolves false after it.
   */
  logoutEndpoint?: LogoutEndpoint;
  /**
   * A revocation endpoint (RFC 7009) for providers whose discovery has no revocation_endpoint
   * (Cognito's `/oauth2/revoke`): logout() then revokes the refresh token there. The discovered one wins.
   */
  revocationEndpoint?: string;
  /**
   * Pushed authorization requests (RFC 9126, default false): every login (and silent restore) first
   * POSTs its parameters to the provider's pushed_authorization_request_endpoint, and the browser goes
   * to the authorization endpoint with only client_id and request_uri. A provider that advertises no
   * such endpoint makes login() fail with `par_unsupported` (never a front-channel request instead). A
   * provider whose discovery says require_pushed_authorization_requests gets pushed logins anyway.
   */
  pushedAuthorizationRequests?: boolean;
  /**
   * DPoP (RFC 9449, default false): the tokens are bound to an ES256 key made by the engine with
   * WebCrypto, not extractable and held in memory only, and every token, refresh, revocation and
   * userinfo request carries a proof signed with it. The provider must advertise ES256 in
   * dpop_signing_alg_values_supported (else `dpop_unsupported`); a Bearer token issued anyway is
   * refused (`token_type_downgrade`). Use fetch() to call APIs with the bound token.
   */
  dpop?: boolean;
  /**
   * The exact origins (e.g. "https://api.example.com": scheme, host and port, no path) to which
   * fetch() sends the access token. Any other origin is refused with `api_origin_not_allowed`.
   */
  apiOrigins?: string[];
}

/** See {@link ClientOptions.logoutEndpoint}. */
export interface LogoutEndpoint {
  /** The endpoint URL (https; http only for loopback with allowLoopbackHttp). */
  url: string;
  /** The parameter for postLogoutRedirectUri (default "post_logout_redirect_uri"; Auth0 "returnTo", Cognito "logout_uri"). */
  redirectParam?: string;
  /** The parameter for the client id (default "client_id"; null leaves it out). */
  clientIdParam?: string | null;
  /** The parameter for the last ID token (default null: not sent). */
  idTokenHintParam?: string | null;
}

/**
 * Options for {@link OidcClient.login}: where to come back to, and the authorization request's
 * parameters (OpenID Connect Core §3.1.2.1). An option given here replaces an extraAuthParams entry
 * of the same name for this login. A bad one rejects with `invalid_config` naming it.
 */
export interface LoginOptions {
  /** A same-origin path (starting with "/") to return to after the callback. */
  returnTo?: string;
  /**
   * `prompt`: space-separated values among "none", "login", "consent", "select_account" and
   * "create", each at most once; "none" only alone.
   */
  prompt?: string;
  /** `login_hint`: the user's identifier at the provider (an email address, a user name); at most 512 bytes. */
  loginHint?: string;
  /**
   * `max_age` for this login, in whole seconds: the ID token's auth_time must be at most this old (plus
   * leewaySeconds), else `id_token_invalid` with detail "auth_time". With the maxAge client option too,
   * the smaller one is sent and checked.
   */
  maxAge?: number;
  /** `ui_locales`: space-separated BCP 47 language tags, preferred first (at most 16), e.g. "fr-CA fr en". */
  uiLocales?: string;
  /**
   * `acr_values`: the authentication context classes asked for, preferred first (at most 16 values
   * without spaces). Voluntary: the provider may use another, and `user().acr` says which it used.
   */
  acrValues?: string[];
  /**
   * Ask for one of acrValues as an essential claim (the `claims` parameter): the login then fails with
   * `id_token_invalid`, detail "acr", unless the ID token's acr is one of them. Requires acrValues.
   */
  acrEssential?: boolean;
}

/** Options for {@link OidcClient.loginWithPopup}: the login options (returnTo aside), and the popup's. */
export interface PopupLoginOptions extends Omit<LoginOptions, "returnTo"> {
  /** How long the login may take, in milliseconds (default 300000, at most 600000: the login record's lifetime); then `popup_timeout`. */
  timeoutMs?: number;
  /** The popup's width in CSS pixels (default 500). */
  width?: number;
  /** The popup's height in CSS pixels (default 650). */
  height?: number;
}

/** Options for {@link OidcClient.getAccessToken}. */
export interface GetAccessTokenOptions {
  /** Renew now with the refresh token, even if the current token is still fresh. */
  forceRefresh?: boolean;
}

/** What subscribers receive on every session change. Never carries a token. */
export interface AuthState {
  status: "signed_in" | "signed_out";
  event: "signed_in" | "refreshed" | "signed_out" | "error";
  /**
   * For "signed_out": "logged_out" | "other_tab" | "refresh_rejected" | "expired". For "error": the
   * error code.
   */
  reason: string | null;
  /** The ID token's claims, or null. */
  user: Record<string, unknown> | null;
}

/** The error every oxidc promise rejects with. */
export class OidcError extends Error {
  name: "OidcError";
  /** Stable error code, e.g. "login_required", "state_mismatch", "token_error" (see the README). */
  code: string;
  /** The sub-reason, where there is one (a parameter or field name, an ID token check). */
  detail: string | null;
  /** What to do next. */
  hint: string;
  /** The provider's OAuth error code (e.g. "invalid_grant"), for provider errors. */
  error: string | null;
  /** The provider's error_description (plain text, provider-controlled: never render it as HTML). */
  errorDescription: string | null;
  /** The HTTP status, for token-endpoint errors and `http_status` (e.g. 401 from the userinfo endpoint). */
  status: number | null;
}

/** A session with one OpenID provider. Tokens live only in memory. */
export class OidcClient {
  private constructor();
  /** Navigates to the provider to log in. The promise does not resolve (the page unloads). */
  login(options?: LoginOptions): Promise<void>;
  /**
   * Logs in in a popup and resolves once signed in, without leaving the page. Call it directly in a
   * click handler (the popup opens before anything is awaited). The popup's redirect page must call
   * handleRedirectCallback(), which hands the response back to this page and closes the popup. Rejects
   * with `popup_blocked`, `popup_closed`, `popup_timeout`, `popup_pending`, or a callback's error.
   */
  loginWithPopup(options?: PopupLoginOptions): Promise<{ returnTo: string | null; signedIn: boolean }>;
  /** True when the URL (default: the current address) carries an authorization response. */
  isCallback(url?: string): boolean;
  /**
   * Completes the login on the redirect page. Scrubs code/state/iss from the address bar first.
   * `signedIn` is false only when a silent restore came back needing the user (no error; show the login).
   */
  handleRedirectCallback(url?: string): Promise<{ returnTo: string | null; signedIn: boolean }>;
  /** An access token with at least the refresh margin of life left; renews first when needed. */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>;
  /** True while tokens are held and usable (or renewable). */
  isAuthenticated(): boolean;
  /** The ID token's claims, or null. */
  user(): Record<string, unknown> | null;
  /** Calls listener on every session change; returns a function that unsubscribes. */
  subscribe(listener: (state: AuthState) => void): () => void;
  /**
   * The user's claims from the provider's userinfo endpoint, cached per session
   * (`{ refresh: true }` fetches again). Rejects with `userinfo_sub_mismatch` when the answer is about
   * another user, `userinfo_unsupported` without a userinfo endpoint.
   */
  getUser(options?: { refresh?: boolean }): Promise<Record<string, unknown>>;
  /**
   * `fetch()` with the access token, only to an origin in `apiOrigins` (else rejects with
   * `api_origin_not_allowed` before anything is sent): `Authorization: Bearer`, or with `dpop`
   * `Authorization: DPoP` plus a proof signed in the engine for this method and URL. Redirects are
   * not followed (the redirect itself is returned, `type: "opaqueredirect"`). A 401 with
   * `error="invalid_token"` renews the token and retries once; a DPoP nonce challenge is retried
   * once. The API must allow the `Authorization` (and `DPoP`) request headers and expose
   * `WWW-Authenticate` (and `DPoP-Nonce`) with CORS.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /**
   * Clears the tokens (in every tab sharing the session), revokes the refresh token when the provider
   * can, then navigates to the provider's logout endpoint (if it has one).
   */
  logout(): Promise<void>;
  /**
   * On the page the provider returns to after logout: checks and removes `state` from the address bar.
   * true when it matches this tab's logout, false when none was pending; rejects with
   * `logout_state_mismatch` otherwise (logged out locally either way).
   */
  handleLogoutCallback(url?: string): Promise<boolean>;
  /** Disconnects this page from the engine (the session goes on for the app's other tabs). */
  free(): void;
}

/**
 * Creates a client: starts (or joins) the engine in its worker, which reads the options and fetches
 * the provider's discovery document. Rejects with `worker_unavailable` where no worker can run.
 */
export function createClient(options: ClientOptions): Promise<OidcClient>;

/**
 * Starts the engine's worker ahead of createClient (optional), so that its WebAssembly loads sooner.
 * Pass the same `shareTabs` and `workerUrl` as to createClient.
 */
export function load(options?: Pick<ClientOptions, "shareTabs" | "workerUrl" | "dangerouslyKeepRefreshTokenInPage">): Promise<void>;
