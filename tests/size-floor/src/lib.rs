//! The size floor of the npm build's wasm: every function of the synchronous protocol core
//! (`oxidc::core`) that the engine calls on its paths, exported to JavaScript with wasm-bindgen, with
//! inputs from JavaScript (so nothing is folded away) and results back to it (so nothing is dropped).
//! JSON is parsed with `JSON.parse` (`BrowserJson`) and given back with `to_js`, as in the engine.
//! No driver, no futures, no engine loop. A measurement harness for `.ci/size-floor.sh`, not an API:
//! the steps mirror `src/driver` (`discover`, `prepare_login`, `push`, `handle_callback`,
//! `check_id_token`, `verify_id_token_signature`, `process_refresh`, `user_info`, `logout_url`,
//! `revoke`, `complete_logout`, DPoP proofs and `authorize_request`).
#![deny(warnings)]

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use oxidc::browser::{BrowserJson, to_js};
use oxidc::core::dpop::{
    DPOP_ALG, DpopPublicKey, ProofClaims, finish_proof, htu, jkt, may_name_endpoint,
    origin_allowed, origin_of, proof_signing_input, valid_nonce,
};
use oxidc::core::{
    AccessToken, CallbackParams, ClientConfig, CodeVerifier, Error, HttpRequest, HttpResponse,
    IdToken, IdTokenClaims, IdTokenExpectations, IdTokenProblem, InvalidResponse, JwkSet, Jws,
    KeyMatch, LoginOptions, LoginRandom, LogoutEndpoint, Method, Misuse, PendingLogin, Platform,
    ProviderMetadata, PushedRequest, RefreshToken, Revocation, Sha, Tenants, TokenResponse,
    Unsupported, authorization_request_with_digest, check_alg, check_logout_state, check_return_to,
    check_signature_shape, code_request, configured_logout_url, discovery_url, end_session_url,
    needs_interaction, par_request, pushed_authorization_url, pushed_endpoint, random_value,
    refresh_request, revocation_outcome, revocation_request,
    silent_authorization_request_with_digest, userinfo_claims, userinfo_request_as,
    validate_id_token, validate_refreshed_id_token,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The shipped build's allocator (`src/wipe_alloc.rs`, private to the crate): talc's WebAssembly
/// allocator, every block zeroed before it is freed.
#[cfg(feature = "talc")]
mod wipe_alloc {
    use std::alloc::{GlobalAlloc, Layout};

    static INNER: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

    struct WipeOnFree;

    // SAFETY: as in src/wipe_alloc.rs: delegated to `INNER`; `dealloc` writes only inside the block
    // it frees.
    unsafe impl GlobalAlloc for WipeOnFree {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's contract.
            unsafe { INNER.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's contract.
            unsafe { INNER.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            for i in 0..layout.size() {
                // SAFETY: inside the live block being freed.
                unsafe { ptr.add(i).write_volatile(0) };
            }
            // SAFETY: the caller's contract.
            unsafe { INNER.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: WipeOnFree = WipeOnFree;
}

type R<T> = Result<T, JsValue>;

/// What the driver keeps between steps.
struct Client {
    config: ClientConfig,
    metadata: Option<ProviderMetadata>,
    /// The login being completed: its record, the code and the callback's `iss`.
    pending: Option<(PendingLogin, String, Option<String>)>,
    keys: Option<JwkSet>,
    /// The session's ID token and its claims.
    session: Option<(String, IdTokenClaims)>,
    dpop: Option<DpopPublicKey>,
    nonces: Vec<(String, String)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

fn with<T>(f: impl FnOnce(&mut Client) -> R<T>) -> R<T> {
    CLIENT.with_borrow_mut(|c| c.as_mut().map_or(Err(JsValue::NULL), f))
}

fn metadata(c: &Client) -> R<&ProviderMetadata> {
    c.metadata.as_ref().ok_or(JsValue::NULL)
}

/// An error as the engine reports it (code, message, detail, hint, OAuth error, status), as one
/// string made without `core::fmt`.
fn e(err: Error) -> JsValue {
    let message = err.message();
    let mut out = String::new();
    for part in [
        err.code(),
        &message,
        err.detail().unwrap_or(""),
        err.hint(),
        err.oauth().map_or("", |o| &o.error),
        err.oauth()
            .and_then(|o| o.error_description.as_deref())
            .unwrap_or(""),
    ] {
        out.push_str(part);
        out.push('\n');
    }
    if let Some(mut status) = err.status() {
        let mut digits = [b'0'; 5];
        let mut i = digits.len();
        while i > 0 {
            i -= 1;
            digits[i] = b'0' + (status % 10) as u8;
            status /= 10;
            if status == 0 {
                break;
            }
        }
        for d in digits.iter().skip(i) {
            out.push(char::from(*d));
        }
    }
    JsValue::from_str(&out)
}

fn text(a: &Array, i: u32) -> String {
    a.get(i).as_string().unwrap_or_default()
}

fn opt(a: &Array, i: u32) -> Option<String> {
    a.get(i).as_string()
}

fn list(v: &JsValue) -> Vec<String> {
    v.dyn_ref::<Array>()
        .map(|a| a.iter().filter_map(|s| s.as_string()).collect())
        .unwrap_or_default()
}

/// Name/value pairs from an array of alternating strings.
fn pairs(a: &Array) -> Vec<(String, String)> {
    let mut items = list(a).into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (items.next(), items.next()) {
        out.push((k, v));
    }
    out
}

fn bytes32(b: &[u8], at: usize) -> [u8; 32] {
    let mut out = [0; 32];
    if let Some(s) = b.get(at..at + 32) {
        out.copy_from_slice(s);
    }
    out
}

fn response(status: u16, content_type: Option<String>, body: String) -> HttpResponse {
    HttpResponse {
        status,
        content_type,
        body,
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    }
}

/// A request as `[method, url, body, name, value, ...]`.
fn request(r: HttpRequest) -> Array {
    let out = Array::new();
    let method = match r.method {
        Method::Get => "GET",
        Method::Post => "POST",
    };
    out.push(&method.into());
    out.push(&r.url.as_str().into());
    out.push(&r.body.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    for (name, value) in &r.headers {
        out.push(&name.as_str().into());
        out.push(&value.as_str().into());
    }
    out
}

/// The client's ID-token algorithms that the provider also takes (`allowed_id_token_algs`).
fn allowed(config: &ClientConfig, metadata: &ProviderMetadata) -> Vec<String> {
    config
        .id_token_signing_algs
        .iter()
        .filter(|a| metadata.id_token_signing_algs.contains(a))
        .cloned()
        .collect()
}

/// The configuration (`s`: issuer, client_id, redirect_uri, post_logout_redirect_uri, scope,
/// revocation_endpoint, logout endpoint url, its redirect, client_id and id_token_hint parameter
/// names; `n`: allow_loopback_http, pushed_authorization_requests, dpop, leeway, max_iat_age,
/// max_age, transaction_ttl, refresh_margin (negative: unset); `lists`: extra_auth_params
/// (alternating), id_token_signing_algs, api_origins, tenants (a string: any)). Returns the
/// discovery URL.
#[wasm_bindgen]
pub fn configure(s: &Array, n: &[f64], lists: &Array) -> R<String> {
    let mut c = ClientConfig::new(text(s, 0), text(s, 1), text(s, 2));
    c.post_logout_redirect_uri = opt(s, 3);
    if let Some(scope) = opt(s, 4) {
        c.scope = scope;
    }
    c.revocation_endpoint = opt(s, 5);
    c.logout_endpoint = opt(s, 6).map(|url| {
        let mut endpoint = LogoutEndpoint::new(url)
            .with_client_id_param(opt(s, 8))
            .with_id_token_hint_param(opt(s, 9));
        if let Some(name) = opt(s, 7) {
            endpoint = endpoint.with_redirect_param(name);
        }
        endpoint
    });
    let flag = |i: usize| n.get(i).is_some_and(|v| *v != 0.0);
    let int = |i: usize| n.get(i).filter(|v| **v >= 0.0).map(|v| *v as u64);
    c.allow_loopback_http = flag(0);
    c.pushed_authorization_requests = flag(1);
    c.dpop = flag(2);
    if let Some(v) = int(3) {
        c.leeway_secs = v;
    }
    if let Some(v) = int(4) {
        c.max_iat_age_secs = v;
    }
    c.max_age = int(5);
    if let Some(v) = int(6) {
        c.transaction_ttl_secs = v;
    }
    if let Some(v) = int(7) {
        c.refresh_margin_secs = v;
    }
    c.extra_auth_params = lists
        .get(0)
        .dyn_ref::<Array>()
        .map(pairs)
        .unwrap_or_default();
    let algs = list(&lists.get(1));
    if !algs.is_empty() {
        c.id_token_signing_algs = algs;
    }
    c.api_origins = list(&lists.get(2));
    let tenants = lists.get(3);
    c.allowed_tenants = if tenants.is_string() {
        Some(Tenants::Any)
    } else if tenants.is_array() {
        Some(Tenants::List(list(&tenants)))
    } else {
        None
    };
    c.validate().map_err(e)?;
    let url = discovery_url(&c.issuer);
    CLIENT.set(Some(Client {
        config: c,
        metadata: None,
        pending: None,
        keys: None,
        session: None,
        dpop: None,
        nonces: Vec::new(),
    }));
    Ok(url)
}

/// The discovery response (`Client::discover`, `with_metadata`). Returns the authorization endpoint.
#[wasm_bindgen]
pub fn discover(status: u16, content_type: Option<String>, body: String) -> R<String> {
    with(|c| {
        let resp = response(status, content_type, body);
        let mut m = ProviderMetadata::from_response(&c.config, &resp, &BrowserJson).map_err(e)?;
        let es256 = |algs: &Vec<String>| algs.iter().any(|a| a == DPOP_ALG);
        if c.config.dpop && !m.dpop_signing_algs.as_ref().is_some_and(es256) {
            return Err(e(Error::Unsupported(Unsupported::Dpop)));
        }
        if m.revocation_endpoint.is_none() {
            m.revocation_endpoint
                .clone_from(&c.config.revocation_endpoint);
        }
        let url = m.authorization_endpoint.clone();
        c.metadata = Some(m);
        Ok(url)
    })
}

/// The PKCE verifier of 32 random bytes, for the page to digest (the engine uses WebCrypto).
#[wasm_bindgen]
pub fn verifier(random: &[u8]) -> String {
    CodeVerifier::from_random(&bytes32(random, 0))
        .secret()
        .to_owned()
}

/// A login (`prepare_login`): `random` is state, nonce and verifier (96 bytes), `digest` the
/// verifier's SHA-256; `o`: return_to, prompt, login_hint, ui_locales, max_age, acr_values,
/// acr_essential. Returns `[record, url]`, or `[record, push request...]` for a pushed login.
#[wasm_bindgen]
pub fn login(random: &[u8], digest: &[u8], o: &Array, silent: bool, now: f64) -> R<Array> {
    with(|c| {
        let m = metadata(c)?;
        let push = pushed_endpoint(&c.config, m).map_err(e)?;
        let random = LoginRandom {
            state: bytes32(random, 0),
            nonce: bytes32(random, 32),
            verifier: bytes32(random, 64),
        };
        let mut options = LoginOptions::default();
        options.return_to = opt(o, 0);
        options.prompt = opt(o, 1);
        options.login_hint = opt(o, 2);
        options.ui_locales = opt(o, 3);
        options.max_age = o.get(4).as_f64().map(|v| v as u64);
        options = options.with_acr_values(list(&o.get(5)), o.get(6).is_truthy());
        if let Some(path) = &options.return_to {
            check_return_to(path).map_err(e)?;
        }
        let build = if silent {
            silent_authorization_request_with_digest
        } else {
            authorization_request_with_digest
        };
        let req = build(
            &c.config,
            m,
            &random,
            &bytes32(digest, 0),
            &options,
            now as u64,
        )
        .map_err(e)?;
        let record = JsValue::from_str(&req.pending.to_storage_string());
        Ok(match push {
            None => Array::of2(&record, &req.url.as_str().into()),
            Some(endpoint) => {
                let out = request(par_request(endpoint, &req));
                out.unshift(&record);
                out
            }
        })
    })
}

/// The push's answer (`push`): the authorization URL that refers to it. `state` and `nonce` are
/// the login's (kept out of the provider's error text).
#[wasm_bindgen]
pub fn pushed(
    status: u16,
    content_type: Option<String>,
    body: String,
    state: &str,
    nonce: &str,
) -> R<String> {
    with(|c| {
        let m = metadata(c)?;
        let resp = response(status, content_type, body);
        let pushed = PushedRequest::from_response(&resp, &BrowserJson)
            .map_err(|err| e(err.without_secrets(&[state, nonce])))?;
        Ok(pushed_authorization_url(
            m,
            &c.config.client_id,
            &pushed.request_uri,
        ))
    })
}

/// The callback (`handle_callback`): `query` and `fragment` as alternating decoded names and
/// values, `record` the stored login. Returns the token request, or `null` when a silent login
/// needs interaction.
#[wasm_bindgen]
pub fn callback(query: &Array, fragment: &Array, record: &str, now: f64) -> R<JsValue> {
    with(|c| {
        let m = metadata(c)?;
        let query = pairs(query);
        let params = CallbackParams::from_pairs(&query, &pairs(fragment)).map_err(e)?;
        if params.state().is_none() {
            return Err(e(InvalidResponse::StateMissing.into()));
        }
        let mut pending = PendingLogin::from_storage_string(record, &BrowserJson).map_err(e)?;
        let cfg = &c.config;
        if pending.client_id != cfg.client_id || pending.redirect_uri != cfg.redirect_uri {
            return Err(e(Error::Misuse(Misuse::NoPendingLogin)));
        }
        if pending.issuer != cfg.issuer {
            return Err(e(InvalidResponse::IssuerMismatch.into()));
        }
        pending.max_age = match (pending.max_age, cfg.max_age) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let tenants = cfg.allowed_tenants.as_ref();
        let ttl = cfg.transaction_ttl_secs;
        let code = match params.validate_with_tenants(&pending, m, tenants, ttl, now as u64) {
            Ok(code) => code,
            Err(err)
                if pending.silent && err.oauth().is_some_and(|o| needs_interaction(&o.error)) =>
            {
                return Ok(JsValue::NULL);
            }
            Err(err) => return Err(e(err)),
        };
        // The code's text (`ValidatedCallback::code` is private to the crate) from the query.
        let code_text = query
            .iter()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let iss = code.iss.clone();
        let out = request(code_request(m, &pending, code));
        c.pending = Some((pending, code_text, iss));
        Ok(out.into())
    })
}

/// A token response (`handle_callback`, `process_refresh`); `refresh_token` is the one sent, for a
/// refresh. Returns `[access_token, token_type, expires_in, refresh_token, scope, id_token, alg,
/// kid, at_hash digest name]`.
#[wasm_bindgen]
pub fn tokens(
    status: u16,
    content_type: Option<String>,
    body: String,
    refresh_token: Option<String>,
) -> R<Array> {
    with(|c| {
        let m = metadata(c)?;
        let resp = response(status, content_type, body);
        let t = TokenResponse::from_response_bound(&resp, &BrowserJson, c.config.dpop).map_err(
            |err| {
                let (code, verifier) = c.pending.as_ref().map_or(("", ""), |(p, code, _)| {
                    (code.as_str(), p.verifier.secret())
                });
                let rt = refresh_token.as_deref().unwrap_or("");
                e(err.without_secrets(&[code, verifier, rt]))
            },
        )?;
        let out = Array::new();
        out.push(&t.access_token.secret().into());
        out.push(&t.token_type.as_str().into());
        out.push(
            &t.expires_in
                .map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)),
        );
        out.push(
            &t.refresh_token
                .as_ref()
                .map_or(JsValue::NULL, |r| r.secret().into()),
        );
        out.push(&t.scope.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        let id = match (&t.id_token, refresh_token.is_some()) {
            (None, true) => return Ok(out),
            (Some(id), true) => id,
            (_, false) if !c.config.wants_openid() => return Ok(out),
            (_, false) => t.require_id_token().map_err(e)?,
        };
        let jws = Jws::parse(id.secret(), &BrowserJson).map_err(e)?;
        check_alg(&jws, &allowed(&c.config, m)).map_err(e)?;
        out.push(&id.secret().into());
        out.push(&jws.alg.as_str().into());
        out.push(&jws.kid.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        let at_hash = jws
            .payload
            .get("at_hash")
            .map(|_| Sha::for_jws_alg(&jws.alg).map_or("", Sha::name));
        out.push(&at_hash.map_or(JsValue::NULL, JsValue::from_str));
        Ok(out)
    })
}

/// The `jwks_uri` response (`fetch_keys`): the key set is cached. Returns the number of keys.
#[wasm_bindgen]
pub fn keys(status: u16, content_type: Option<String>, body: String) -> R<u32> {
    with(|c| {
        let set = JwkSet::from_response(&response(status, content_type, body), &BrowserJson)
            .map_err(e)?;
        let n = set.keys.len() as u32;
        c.keys = Some(set);
        Ok(n)
    })
}

/// The key for an ID token (`verify_id_token_signature`): `[public JWK, signing input, signature]`
/// for WebCrypto, or `null` when the cached set has no such key (the page refetches once).
#[wasm_bindgen]
pub fn key_for(id_token: &str) -> R<JsValue> {
    with(|c| {
        let m = metadata(c)?;
        let jws = Jws::parse(id_token, &BrowserJson).map_err(e)?;
        check_alg(&jws, &allowed(&c.config, m)).map_err(e)?;
        let Some(set) = &c.keys else {
            return Err(e(Error::id_token(IdTokenProblem::KeyFetch)));
        };
        match set.select(&jws.alg, jws.kid.as_deref()).map_err(e)? {
            KeyMatch::Found(key) => {
                check_signature_shape(&jws, key).map_err(e)?;
                Ok(Array::of3(
                    &key.public_jwk().into(),
                    &Uint8Array::from(jws.signing_input()),
                    &Uint8Array::from(jws.signature()),
                )
                .into())
            }
            KeyMatch::Unknown => Ok(JsValue::NULL),
        }
    })
}

/// The claims of a verified ID token (`check_id_token`): of the login being completed when
/// `login`, else of a refresh (checked against the session's). `digest`: the access token's, for
/// `at_hash`. Returns the claims.
#[wasm_bindgen]
pub fn id_token(id_token: String, digest: Option<Vec<u8>>, login: bool, now: f64) -> R<JsValue> {
    with(|c| {
        let m = metadata(c)?;
        let cfg = &c.config;
        let jws = Jws::parse(&id_token, &BrowserJson).map_err(e)?;
        let algs = allowed(cfg, m);
        let pending = c.pending.as_ref().filter(|_| login);
        let login_record = pending.map(|(p, _, _)| p);
        let expect = IdTokenExpectations {
            issuer: &m.issuer,
            tenants: cfg.allowed_tenants.as_ref(),
            client_id: &cfg.client_id,
            nonce: login_record.map(|p| &p.nonce),
            max_age: login_record.and_then(|p| p.max_age),
            essential_acr: login_record
                .filter(|p| p.acr_essential)
                .map(|p| p.acr_values.as_slice()),
            allowed_algs: &algs,
            leeway_secs: cfg.leeway_secs,
            max_iat_age_secs: cfg.max_iat_age_secs,
            access_token_digest: digest.as_deref(),
        };
        let claims = validate_id_token(&jws, &expect, now as u64).map_err(e)?;
        // The callback's `iss` and the ID token's name one issuer.
        let callback_iss = pending.and_then(|(_, _, iss)| iss.as_ref());
        if callback_iss.is_some_and(|iss| *iss != claims.iss) {
            return Err(e(Error::id_token(IdTokenProblem::Iss)));
        }
        if let (false, Some((original, original_claims))) = (login, &c.session) {
            let original_jws = Jws::parse(original, &BrowserJson).map_err(e)?;
            validate_refreshed_id_token(&claims, &jws, original_claims, &original_jws)
                .map_err(e)?;
        }
        let out = to_js(&claims.payload);
        c.session = Some((id_token, claims));
        c.pending = None;
        Ok(out)
    })
}

/// The refresh request (`exchange_refresh`).
#[wasm_bindgen]
pub fn refresh(refresh_token: String, scope: Option<String>) -> R<Array> {
    with(|c| {
        let rt = RefreshToken::new(refresh_token);
        let req = refresh_request(metadata(c)?, &c.config.client_id, &rt, scope.as_deref());
        Ok(request(req))
    })
}

/// The userinfo request (`user_info`).
#[wasm_bindgen]
pub fn userinfo(access_token: String) -> R<Array> {
    with(|c| {
        let at = AccessToken::new(access_token);
        let req = userinfo_request_as(metadata(c)?, &at, c.config.dpop).map_err(e)?;
        Ok(request(req))
    })
}

/// The userinfo response (`user_info`): its claims, for the session's `sub`.
#[wasm_bindgen]
pub fn userinfo_result(status: u16, content_type: Option<String>, body: String) -> R<JsValue> {
    with(|c| {
        let sub = c
            .session
            .as_ref()
            .map_or("", |(_, claims)| claims.sub.as_str());
        let resp = response(status, content_type, body);
        let claims = userinfo_claims(&resp, &BrowserJson, sub).map_err(e)?;
        Ok(to_js(&claims))
    })
}

/// The logout URL (`end_session_redirect`), with a state of 32 random bytes: `[url, state]`,
/// `[url]` for a configured endpoint (no state), or `null`. Ends the session.
#[wasm_bindgen]
pub fn logout(random: &[u8]) -> R<JsValue> {
    with(|c| {
        let id_token = c.session.take().map(|(t, _)| IdToken::new(t));
        c.dpop = None;
        c.nonces.clear();
        let m = metadata(c)?;
        let cfg = &c.config;
        let state = random_value(&bytes32(random, 0));
        let post_logout = cfg.post_logout_redirect_uri.as_deref();
        let out = match end_session_url(m, &cfg.client_id, &state, id_token.as_ref(), post_logout) {
            Some(url) => Array::of2(&url.as_str().into(), &state.as_str().into()).into(),
            None => cfg
                .logout_endpoint
                .as_ref()
                .map_or(JsValue::NULL, |endpoint| {
                    let url = configured_logout_url(
                        endpoint,
                        &cfg.client_id,
                        id_token.as_ref(),
                        post_logout,
                    );
                    Array::of1(&url.as_str().into()).into()
                }),
        };
        Ok(out)
    })
}

/// The revocation request for a refresh token (`revoke_at_logout`), or `null`.
#[wasm_bindgen]
pub fn revoke(refresh_token: String) -> R<JsValue> {
    with(|c| {
        let rt = RefreshToken::new(refresh_token);
        Ok(revocation_request(metadata(c)?, &c.config.client_id, &rt)
            .map_or(JsValue::NULL, |r| request(r).into()))
    })
}

/// The revocation response (`revoke`): true when done, false when it may be retried.
#[wasm_bindgen]
pub fn revoked(status: u16, content_type: Option<String>, body: String) -> R<bool> {
    match revocation_outcome(&response(status, content_type, body), &BrowserJson) {
        Ok(Revocation::Done) => Ok(true),
        Ok(Revocation::Retry) => Ok(false),
        Err(err) => Err(e(err)),
    }
}

/// The return from the provider's logout (`complete_logout`): `query` as alternating names and values.
#[wasm_bindgen]
pub fn logout_return(sent: &str, query: &Array) -> R<()> {
    let query = pairs(query);
    let mut states = query.iter().filter(|(k, _)| k == "state");
    let returned = states.next().map(|(_, v)| v.as_str());
    if states.next().is_some() {
        return Err(e(InvalidResponse::LogoutStateMismatch.into()));
    }
    check_logout_state(sent, returned).map_err(e)
}

/// The session's DPoP key (`dpop_key`), from its public coordinates: returns its JWK, for the
/// page to digest for `dpop_jkt`.
#[wasm_bindgen]
pub fn dpop_key(x: &str, y: &str) -> R<String> {
    with(|c| {
        let key = DpopPublicKey::new(x, y)
            .ok_or_else(|| e(Error::Platform(Platform::CryptoUnavailable)))?;
        let jwk = key.jwk();
        c.dpop = Some(key);
        Ok(jwk)
    })
}

/// `dpop_jkt` from the JWK's SHA-256 digest.
#[wasm_bindgen]
pub fn dpop_jkt(digest: &[u8]) -> String {
    jkt(digest)
}

/// A proof's signing input (`proof`): the origin's last nonce is used; `ath` is the access
/// token's SHA-256 digest.
#[wasm_bindgen]
pub fn dpop_input(htm: &str, url: &str, iat: f64, jti: &[u8], ath: Option<Vec<u8>>) -> R<String> {
    with(|c| {
        let key = c.dpop.as_ref().ok_or(JsValue::NULL)?;
        let origin = origin_of(url);
        let nonce = c
            .nonces
            .iter()
            .find(|(o, _)| Some(o.as_str()) == origin)
            .map(|(_, n)| n.as_str());
        let claims = ProofClaims {
            htm,
            url,
            iat: iat as u64,
            jti,
            nonce,
            access_token_digest: ath.as_deref(),
        };
        Ok(proof_signing_input(key, &claims))
    })
}

/// The proof from its signing input and signature (`proof`).
#[wasm_bindgen]
pub fn dpop_finish(input: String, signature: &[u8]) -> String {
    finish_proof(input, signature)
}

/// A `DPoP-Nonce` from `url`'s origin (`note_nonce`): true when it is kept as a new one.
#[wasm_bindgen]
pub fn dpop_nonce(url: &str, nonce: &str) -> bool {
    let (Some(origin), true) = (origin_of(url), valid_nonce(nonce)) else {
        return false;
    };
    CLIENT.with_borrow_mut(|c| {
        let Some(c) = c else { return false };
        match c.nonces.iter_mut().find(|(k, _)| k == origin) {
            Some((_, n)) if n == nonce => false,
            Some((_, n)) => {
                nonce.clone_into(n);
                true
            }
            None => {
                if c.nonces.len() >= 16 {
                    c.nonces.remove(0);
                }
                c.nonces.push((origin.to_owned(), nonce.to_owned()));
                true
            }
        }
    })
}

/// An application's request to `url` (`authorize_request`): refused unless on an API origin and
/// not naming a grant endpoint. Returns `htu`.
#[wasm_bindgen]
pub fn api_request(url: &str) -> R<String> {
    with(|c| {
        let m = metadata(c)?;
        let grant_endpoints = [
            Some(&m.token_endpoint),
            m.pushed_authorization_request_endpoint.as_ref(),
            m.revocation_endpoint.as_ref(),
        ];
        if !origin_allowed(url, &c.config.api_origins)
            || grant_endpoints
                .iter()
                .flatten()
                .any(|endpoint| may_name_endpoint(url, endpoint))
        {
            return Err(e(Error::Misuse(Misuse::ApiOriginNotAllowed)));
        }
        Ok(htu(url).to_owned())
    })
}
