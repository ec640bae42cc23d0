//! Test support for the driver: a tiny executor, an in-memory platform with a virtual clock, and a
//! simulated OpenID provider that issues codes, ID tokens and rotating refresh tokens.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::core::{
    ClientConfig, Error, HttpRequest, HttpResponse, Json, JsonParser, ProviderMetadata, Transport,
};
use crate::driver::{Client, Platform};

pub(crate) const ISSUER: &str = "https://op.example";
pub(crate) const CLIENT_ID: &str = "spa";
pub(crate) const REDIRECT: &str = "https://app.example/callback";

thread_local! {
    /// Tasks handed to [`Platform::spawn`] (an exchange whose call was dropped), polled by every
    /// runner below along with its own futures, as a browser's event loop would.
    static SPAWNED: RefCell<Vec<Pin<Box<dyn Future<Output = ()>>>>> = const { RefCell::new(Vec::new()) };
}

/// Polls the spawned tasks once; returns how many there were.
pub(crate) fn poll_spawned() -> usize {
    let tasks = SPAWNED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let n = tasks.len();
    let mut cx = Context::from_waker(Waker::noop());
    let pending: Vec<_> = tasks
        .into_iter()
        .filter_map(|mut t| t.as_mut().poll(&mut cx).is_pending().then_some(t))
        .collect();
    SPAWNED.with(|s| s.borrow_mut().extend(pending));
    n
}

/// How many spawned tasks have not ended.
pub(crate) fn spawned() -> usize {
    SPAWNED.with(|s| s.borrow().len())
}

/// Drops the spawned tasks unfinished, as a platform whose executor goes away would.
pub(crate) fn drop_spawned() {
    let tasks = SPAWNED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    drop(tasks);
}

/// Polls every future round-robin until all complete (futures here only wait on each other or on
/// [`Yield`]), returning their outputs in order. Spawned tasks are polled too.
pub(crate) fn join_all<T>(futures: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
    let mut futures: Vec<Option<Pin<Box<dyn Future<Output = T> + '_>>>> =
        futures.into_iter().map(Some).collect();
    let mut out: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100_000 {
        let mut pending = false;
        poll_spawned();
        for (i, slot) in futures.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(&mut cx) {
                    Poll::Ready(v) => {
                        out[i] = Some(v);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if !pending {
            return out.into_iter().map(|v| v.expect("completed")).collect();
        }
    }
    panic!("futures did not complete");
}

/// Runs one future to completion.
pub(crate) fn block_on<T>(f: impl Future<Output = T>) -> T {
    join_all(vec![Box::pin(f)]).pop().expect("one output")
}

/// Returns Pending once (and asks to be polled again), so that concurrent callers interleave like
/// they would on the event loop.
struct Yield(bool);
impl Future for Yield {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Like [`join_all`], but polls a future only after its waker was called, as a browser's event
/// loop does; panics when futures are left that nothing will wake (a lost wake-up).
pub(crate) fn run_woken<T>(futures: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::Wake;
    struct Flag(AtomicBool);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let flags: Vec<Arc<Flag>> = futures
        .iter()
        .map(|_| Arc::new(Flag(AtomicBool::new(true))))
        .collect();
    let mut futures: Vec<Option<Pin<Box<dyn Future<Output = T> + '_>>>> =
        futures.into_iter().map(Some).collect();
    let mut out: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    for _ in 0..100_000 {
        // A spawned task runs on its own: it counts as polled while there is one.
        let mut polled = poll_spawned() > 0;
        for (i, slot) in futures.iter_mut().enumerate() {
            let Some(f) = slot else { continue };
            if !flags[i].0.swap(false, Ordering::SeqCst) {
                continue;
            }
            polled = true;
            let waker = Waker::from(Arc::clone(&flags[i]));
            if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(&waker)) {
                out[i] = Some(v);
                *slot = None;
            }
        }
        if futures.iter().all(Option::is_none) {
            return out.into_iter().map(|v| v.expect("completed")).collect();
        }
        assert!(polled, "futures wait and nothing will wake them");
    }
    panic!("futures did not complete");
}

/// serde_json as the JSON parser (the browser uses JSON.parse).
pub(crate) struct SerdeJson;
impl JsonParser for SerdeJson {
    fn parse(&self, text: &str) -> Option<Json> {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .map(|v| from_serde(&v))
    }
}
fn from_serde(v: &serde_json::Value) -> Json {
    match v {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Bool(*b),
        serde_json::Value::Number(n) => Json::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Json::String(s.clone()),
        serde_json::Value::Array(a) => Json::Array(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => {
            Json::Object(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect())
        }
    }
}

/// What the simulated provider does with the next token request.
#[derive(Clone, Debug)]
pub(crate) enum Next {
    /// Behave like a real provider.
    Normal,
    /// Answer with this status and JSON body.
    Respond(u16, String),
    /// Answer with this status, an empty JSON body and this Retry-After.
    RetryAfter(u16, u64),
    /// Fail at the transport level before the provider sees the request.
    Fail(Transport),
    /// Handle the request (a refresh rotates the refresh token), then lose the answer: the client
    /// gets this transport error (a timeout, or a connection cut off mid-response).
    Lost(Transport),
}

/// A simulated provider: issues codes at /authorize (via the navigation), tokens at /token, rotates refresh
/// tokens and revokes the whole grant when a used refresh token comes back (as oidc-provider does).
#[derive(Default)]
pub(crate) struct Provider {
    pub(crate) codes: BTreeMap<String, (String, String, String)>, // code -> (verifier challenge, nonce, redirect_uri)
    pub(crate) live_refresh: Option<String>,
    /// The access token the userinfo endpoint accepts (the last one issued).
    pub(crate) live_access: Option<String>,
    /// The `sub` userinfo answers with (default: the ID token's, `alice`).
    pub(crate) userinfo_sub: Option<String>,
    /// Tokens received at the revocation endpoint.
    pub(crate) revoked_tokens: Vec<String>,
    pub(crate) used_refresh: Vec<String>,
    /// Refresh requests that brought back a token already used (each revokes the grant).
    pub(crate) reuses: usize,
    pub(crate) revoked: bool,
    pub(crate) counter: u64,
    pub(crate) at_ttl: u64,
    pub(crate) rotate: bool,
    pub(crate) next: Vec<Next>,
    /// The nonce of the original authentication, echoed in refreshed ID tokens (as oidc-provider does).
    pub(crate) grant_nonce: Option<String>,
    /// Nonce to put in refreshed ID tokens instead (None: echo the original; Some(None): omit it).
    pub(crate) refresh_nonce: Option<Option<String>>,
    /// The published key set (`keys`); `None` is the default single key `k1`.
    pub(crate) jwks: Option<serde_json::Value>,
    /// Status of the jwks_uri answer (0 means 200).
    pub(crate) jwks_status: u16,
    /// How ID tokens are signed: header and key (None: [`jwt`]).
    pub(crate) signer: Option<(serde_json::Value, serde_json::Value)>,
    /// An `at_hash` claim in ID tokens: `Some(true)` the right one for RS256, `Some(false)` a
    /// wrong one, `None` no claim.
    pub(crate) at_hash: Option<bool>,
    /// An `auth_time` claim in ID tokens, this many seconds before the token (None: no claim).
    pub(crate) auth_time_ago: Option<u64>,
    /// An `acr` claim in ID tokens.
    pub(crate) acr: Option<String>,
    /// Pushed authorization requests (RFC 9126) by `request_uri`: their form parameters.
    pub(crate) pushed: BTreeMap<String, BTreeMap<String, String>>,
    /// Claims set in every ID token over the usual ones (`iss` and `tid` of a tenant, say).
    pub(crate) claims_over: Option<serde_json::Value>,
    /// When each access token was issued (virtual seconds).
    pub(crate) issued_at: BTreeMap<String, u64>,
    /// DPoP (RFC 9449): the nonce every proof must carry (None: none needed).
    pub(crate) dpop_nonce: Option<String>,
    /// The public JWK the grant's tokens are bound to (set by the first token request with a proof).
    pub(crate) dpop_jwk: Option<String>,
    /// Every `jti` of every proof seen, to refuse a replay.
    pub(crate) dpop_jtis: Vec<String>,
    /// Answer `token_type: Bearer` even to a request with a proof (a downgrade).
    pub(crate) dpop_downgrade: bool,
    /// Why the last proof was refused, if it was.
    pub(crate) dpop_refused: Option<&'static str>,
    /// Refuse every proof's nonce and hand out a new one each time (a provider whose nonces
    /// expire at once).
    pub(crate) dpop_rotate: bool,
    /// A nonce announced on every answer without being required yet (the next one).
    pub(crate) dpop_announce: Option<String>,
}

/// Checks a DPoP proof the way a provider does (RFC 9449 §4.3) for `method` and `url`, and
/// `ath` for `access_token`; returns the proof's public JWK (canonical), or why it is refused.
pub(crate) fn check_proof(
    op: &mut Provider,
    proof: &str,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    now: u64,
) -> Result<String, &'static str> {
    let parts: Vec<&str> = proof.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err("shape");
    };
    let part = |x: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(x).ok()?).ok()
    };
    let (Some(header), Some(payload)) = (part(h), part(p)) else {
        return Err("json");
    };
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" || header["jwk"].get("d").is_some() {
        return Err("header");
    }
    let jwk = header["jwk"].clone();
    let canonical = format!(
        r#"{{"crv":{},"kty":{},"x":{},"y":{}}}"#,
        jwk["crv"], jwk["kty"], jwk["x"], jwk["y"]
    );
    let input = format!("{h}.{p}");
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| "signature")?;
    if sig != fake_signature(&canonical, input.as_bytes(), 64) {
        return Err("signature");
    }
    let htu = url.split(['?', '#']).next().unwrap_or(url);
    if payload["htm"] != method || payload["htu"] != htu || payload["iat"] != now {
        return Err("claims");
    }
    let jti = payload["jti"].as_str().unwrap_or("").to_owned();
    if jti.len() < 16 || op.dpop_jtis.contains(&jti) {
        return Err("jti");
    }
    op.dpop_jtis.push(jti);
    if let Some(at) = access_token {
        use sha2::Digest as _;
        if payload["ath"] != URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(at.as_bytes())) {
            return Err("ath");
        }
    }
    if op.dpop_rotate {
        op.dpop_nonce = Some(format!("n-{}", op.dpop_jtis.len()));
        return Err("nonce");
    }
    if op.dpop_nonce.is_some() && payload["nonce"].as_str() != op.dpop_nonce.as_deref() {
        return Err("nonce");
    }
    Ok(canonical)
}

/// A JSON answer of the simulated provider.
fn json_answer(status: u16, body: String) -> HttpResponse {
    HttpResponse {
        status,
        content_type: Some("application/json; charset=utf-8".into()),
        body,
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    }
}

/// A fake DPoP key's public JWK: distinct per `n`.
pub(crate) fn fake_dpop_key(n: u8) -> crate::core::dpop::DpopPublicKey {
    let c = URL_SAFE_NO_PAD.encode([n; 32]);
    let d = URL_SAFE_NO_PAD.encode([n.wrapping_add(1); 32]);
    crate::core::dpop::DpopPublicKey::new(&c, &d).expect("key")
}

/// The RS256 `at_hash` of an access token (OIDC Core §3.1.3.8), computed here independently.
pub(crate) fn rs256_at_hash(access_token: &str) -> String {
    use sha2::Digest as _;
    URL_SAFE_NO_PAD.encode(&sha2::Sha256::digest(access_token.as_bytes())[..16])
}

/// The in-memory platform.
pub(crate) struct FakePlatform {
    /// The virtual clock (Unix seconds).
    pub(crate) now: Rc<Cell<u64>>,
    /// Milliseconds slept that did not make a whole second yet.
    pub(crate) millis: Cell<u64>,
    pub(crate) slept: Cell<u64>,
    pub(crate) rng: Cell<u64>,
    pub(crate) storage: RefCell<BTreeMap<String, String>>,
    pub(crate) navigations: RefCell<Vec<String>>,
    pub(crate) requests: Rc<RefCell<Vec<HttpRequest>>>,
    pub(crate) op: Rc<RefCell<Provider>>,
    /// How many DPoP keys the platform has made.
    pub(crate) dpop_keys_made: Cell<u8>,
    /// When set, digests and signature checks fail as without WebCrypto.
    pub(crate) crypto_down: Cell<bool>,
    /// Seconds the clock moves during each signature check (a slow device, a laptop asleep).
    pub(crate) verify_lag: Cell<u64>,
}

impl FakePlatform {
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(FakePlatform {
            now: Rc::new(Cell::new(1_700_000_000)),
            millis: Cell::new(0),
            slept: Cell::new(0),
            rng: Cell::new(0x9E37_79B9_7F4A_7C15),
            storage: RefCell::new(BTreeMap::new()),
            navigations: RefCell::new(Vec::new()),
            requests: Rc::new(RefCell::new(Vec::new())),
            dpop_keys_made: Cell::new(0),
            crypto_down: Cell::new(false),
            verify_lag: Cell::new(0),
            op: Rc::new(RefCell::new(Provider {
                at_ttl: 300,
                rotate: true,
                ..Provider::default()
            })),
        })
    }

    pub(crate) fn advance(&self, secs: u64) {
        self.now.set(self.now.get() + secs);
    }
    /// Requests to the jwks_uri.
    pub(crate) fn jwks_fetches(&self) -> usize {
        self.requests
            .borrow()
            .iter()
            .filter(|r| r.url == JWKS_URI)
            .count()
    }
    /// The `refresh_token` sent by each refresh-token grant, in order.
    pub(crate) fn refresh_tokens_sent(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .filter_map(|r| r.body.as_deref())
            .filter(|b| b.contains("grant_type=refresh_token"))
            .filter_map(|b| form(b).get("refresh_token").cloned())
            .collect()
    }
    /// Token-endpoint requests with the given grant type.
    pub(crate) fn grants(&self, grant: &str) -> usize {
        let needle = format!("grant_type={grant}");
        self.requests
            .borrow()
            .iter()
            .filter(|r| r.body.as_deref().is_some_and(|b| b.contains(&needle)))
            .count()
    }
}

fn form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

pub(crate) fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).expect("hex"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("utf8")
}

/// Query parameters of a URL (test-only decoder).
pub(crate) fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| form(q))
        .unwrap_or_default()
}

pub(crate) const JWKS_URI: &str = "https://op.example/jwks";

/// A fake 2048-bit RSA key (`seed` varies the modulus) as the provider publishes it.
pub(crate) fn fake_key(kid: &str, seed: u8) -> serde_json::Value {
    let mut n = vec![seed; 256];
    n[0] = 0xC1;
    serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "n": URL_SAFE_NO_PAD.encode(&n), "e": "AQAB"})
}

/// The fake signature scheme shared by the provider and [`FakePlatform::verify_signature`]:
/// SHA-512 over the public JWK text and the signing input, repeated to the key's signature length.
pub(crate) fn fake_signature(public_jwk: &str, signing_input: &[u8], len: usize) -> Vec<u8> {
    use sha2::Digest;
    let mut h = sha2::Sha512::new();
    h.update(public_jwk.as_bytes());
    h.update([0]);
    h.update(signing_input);
    let block = h.finalize();
    block.iter().copied().cycle().take(len).collect()
}

/// A compact JWS with this header, signed (fakely) with `key` (a [`fake_key`]).
pub(crate) fn jwt_signed(
    header: serde_json::Value,
    claims: serde_json::Value,
    key: &serde_json::Value,
) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    // Keys the client must refuse to use are still "signed with", as a hostile provider would.
    let sig = match crate::core::Jwk::from_json(&from_serde(key)) {
        Some(jwk) => fake_signature(jwk.public_jwk(), input.as_bytes(), jwk.signature_len()),
        None => fake_signature(&key.to_string(), input.as_bytes(), 128),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// An ID token signed with the provider's current key.
pub(crate) fn jwt(claims: serde_json::Value) -> String {
    jwt_signed(
        serde_json::json!({"alg": "RS256", "kid": "k1"}),
        claims,
        &fake_key("k1", 0xA5),
    )
}

impl Provider {
    fn tokens(&mut self, now: u64, nonce: Option<&str>, with_refresh: bool) -> String {
        self.counter += 1;
        let rt = format!("rt-{}", self.counter);
        let mut claims = serde_json::json!({ "iss": ISSUER, "sub": "alice", "aud": CLIENT_ID, "exp": now + 600, "iat": now });
        if let Some(n) = nonce {
            claims["nonce"] = serde_json::Value::String(n.into());
        }
        if let Some(ago) = self.auth_time_ago {
            claims["auth_time"] = (now - ago).into();
        }
        if let Some(acr) = &self.acr {
            claims["acr"] = acr.clone().into();
        }
        if let Some(serde_json::Value::Object(over)) = &self.claims_over {
            for (name, value) in over {
                claims[name] = value.clone();
            }
        }
        if let Some(right) = self.at_hash {
            let at = format!("at-{}", self.counter);
            claims["at_hash"] = if right {
                rs256_at_hash(&at)
            } else {
                rs256_at_hash("another token")
            }
            .into();
        }
        let mut body = serde_json::json!({
            "access_token": format!("at-{}", self.counter),
            "token_type": "Bearer",
            "expires_in": self.at_ttl,
            "id_token": match &self.signer {
                None => jwt(claims),
                Some((header, key)) => jwt_signed(header.clone(), claims, key),
            },
        });
        if with_refresh {
            body["refresh_token"] = serde_json::Value::String(rt.clone());
            self.live_refresh = Some(rt);
        }
        self.live_access = Some(format!("at-{}", self.counter));
        self.issued_at.insert(format!("at-{}", self.counter), now);
        body.to_string()
    }

    fn handle(&mut self, req: &HttpRequest, now: u64) -> HttpResponse {
        let mut response = self.handle_unsigned(req, now);
        response.dpop_nonce = self
            .dpop_announce
            .clone()
            .or_else(|| self.dpop_nonce.clone());
        response
    }

    fn handle_unsigned(&mut self, req: &HttpRequest, now: u64) -> HttpResponse {
        let json = json_answer;
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let proof = header("DPoP");
        self.dpop_refused = None;
        if req.url == format!("{ISSUER}/userinfo") {
            let authorization = header("Authorization").unwrap_or_default();
            let bearer = match (&proof, &self.dpop_jwk) {
                (None, None) => authorization.strip_prefix("Bearer ").map(str::to_owned),
                (Some(proof), Some(bound)) => {
                    let at = authorization.strip_prefix("DPoP ").unwrap_or("").to_owned();
                    let bound = bound.clone();
                    match check_proof(self, proof, "GET", &req.url, Some(&at), now) {
                        Ok(jwk) if jwk == bound => Some(at),
                        Err("nonce") => {
                            // As a resource server asks (RFC 9449 §9): in the header only.
                            let mut challenge = json(401, "{}".into());
                            challenge.www_authenticate =
                                Some(r#"DPoP algs="ES256", error = use_dpop_nonce"#.into());
                            return challenge;
                        }
                        Err(why) => {
                            self.dpop_refused = Some(why);
                            None
                        }
                        Ok(_) => None,
                    }
                }
                _ => None,
            };
            let bearer = bearer.as_deref();
            if self.revoked || bearer.is_none() || bearer != self.live_access.as_deref() {
                return json(401, r#"{"error":"invalid_token"}"#.into());
            }
            let sub = self.userinfo_sub.clone().unwrap_or_else(|| "alice".into());
            return json(
                200,
                serde_json::json!({ "sub": sub, "email": "alice@example.com" }).to_string(),
            );
        }
        if req.url == PAR_ENDPOINT {
            let f = form(req.body.as_deref().unwrap_or(""));
            if f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
                || f.contains_key("request_uri")
            {
                return json(400, r#"{"error":"invalid_request"}"#.into());
            }
            let request_uri = format!(
                "urn:ietf:params:oauth:request_uri:r{}",
                self.pushed.len() + 1
            );
            self.pushed.insert(request_uri.clone(), f);
            return json(
                201,
                serde_json::json!({ "request_uri": request_uri, "expires_in": 60 }).to_string(),
            );
        }
        if req.url == format!("{ISSUER}/revoke") {
            let f = form(req.body.as_deref().unwrap_or(""));
            if let Some(t) = f.get("token") {
                self.revoked_tokens.push(t.clone());
                if self.live_refresh.as_deref() == Some(t.as_str()) {
                    self.revoked = true;
                }
            }
            return json(200, String::new());
        }
        let invalid_grant = || {
            json(
                400,
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#
                    .into(),
            )
        };
        let f = form(req.body.as_deref().unwrap_or(""));
        let mut bound = None;
        if let Some(proof) = &proof {
            match check_proof(self, proof, "POST", &req.url, None, now) {
                Ok(jwk) => bound = Some(jwk),
                Err("nonce") => return json(400, r#"{"error":"use_dpop_nonce"}"#.into()),
                Err(why) => {
                    self.dpop_refused = Some(why);
                    return json(400, r#"{"error":"invalid_dpop_proof"}"#.into());
                }
            }
        }
        if f.get("grant_type").map(String::as_str) == Some("refresh_token")
            && self.dpop_jwk.is_some()
            && bound != self.dpop_jwk
        {
            // A refresh token bound to a key is refused without a proof made with that key.
            return invalid_grant();
        }
        let mut answer = self.grant(&f, now);
        if answer.status == 200 && bound.is_some() {
            if f.get("grant_type").map(String::as_str) == Some("authorization_code") {
                self.dpop_jwk.clone_from(&bound);
            }
            if !self.dpop_downgrade {
                answer.body = answer
                    .body
                    .replace(r#""token_type":"Bearer""#, r#""token_type":"DPoP""#);
            }
        }
        answer
    }

    fn grant(&mut self, f: &BTreeMap<String, String>, now: u64) -> HttpResponse {
        let json = json_answer;
        let invalid_grant = || {
            json(
                400,
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#
                    .into(),
            )
        };
        match f.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let Some((challenge, nonce, redirect)) =
                    f.get("code").and_then(|c| self.codes.remove(c))
                else {
                    self.revoked = true; // code replay revokes the grant
                    return invalid_grant();
                };
                let verifier = f.get("code_verifier").cloned().unwrap_or_default();
                use sha2::Digest;
                let computed = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
                if computed != challenge || f.get("redirect_uri") != Some(&redirect) {
                    return invalid_grant();
                }
                self.grant_nonce = Some(nonce.clone());
                json(200, self.tokens(now, Some(&nonce), true))
            }
            Some("refresh_token") => {
                let rt = f.get("refresh_token").cloned().unwrap_or_default();
                if self.used_refresh.contains(&rt) {
                    self.reuses += 1;
                }
                if self.revoked || self.used_refresh.contains(&rt) {
                    self.revoked = true;
                    return invalid_grant();
                }
                if self.live_refresh.as_deref() != Some(rt.as_str()) {
                    return invalid_grant();
                }
                let nonce = match self.refresh_nonce.clone() {
                    Some(n) => n,
                    None => self.grant_nonce.clone(),
                };
                if self.rotate {
                    self.used_refresh.push(rt);
                    json(200, self.tokens(now, nonce.as_deref(), true))
                } else {
                    let mut v: serde_json::Value =
                        serde_json::from_str(&self.tokens(now, None, false)).expect("json");
                    v.as_object_mut().expect("obj").remove("id_token");
                    json(200, v.to_string())
                }
            }
            _ => json(400, r#"{"error":"unsupported_grant_type"}"#.into()),
        }
    }
}

impl Platform for Rc<FakePlatform> {
    type DpopKey = String;

    async fn dpop_key(&self) -> Result<(String, crate::core::dpop::DpopPublicKey), Error> {
        Yield(false).await;
        let n = self.dpop_keys_made.get().wrapping_add(1);
        self.dpop_keys_made.set(n);
        let key = fake_dpop_key(n);
        Ok((key.jwk(), key))
    }

    async fn dpop_sign(&self, key: &String, input: &[u8]) -> Result<Vec<u8>, Error> {
        Yield(false).await;
        Ok(fake_signature(key, input, 64))
    }

    fn now(&self) -> u64 {
        self.now.get()
    }
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf.iter_mut() {
            // xorshift64: deterministic, and distinct across calls.
            let mut x = self.rng.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.rng.set(x);
            *b = (x >> 24) as u8;
        }
        Ok(())
    }
    async fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        self.requests.borrow_mut().push(request.clone());
        // A request dropped while out still reaches the provider, as a browser's `fetch` does;
        // only its answer is lost.
        struct Out<'a>(&'a FakePlatform, Option<&'a HttpRequest>);
        impl Drop for Out<'_> {
            fn drop(&mut self) {
                if let Some(request) = self.1 {
                    if request.url != JWKS_URI {
                        let now = self.0.now.get();
                        let _ = self.0.op.borrow_mut().handle(request, now);
                    }
                }
            }
        }
        let mut out = Out(self, Some(request));
        Yield(false).await;
        out.1 = None;
        if request.url == JWKS_URI {
            let op = self.op.borrow();
            let keys = op
                .jwks
                .clone()
                .unwrap_or_else(|| serde_json::json!([fake_key("k1", 0xA5)]));
            return Ok(HttpResponse {
                status: if op.jwks_status == 0 {
                    200
                } else {
                    op.jwks_status
                },
                content_type: Some("application/jwk-set+json".into()),
                body: serde_json::json!({ "keys": keys }).to_string(),
                retry_after: None,
                dpop_nonce: None,
                www_authenticate: None,
            });
        }
        let next = {
            let mut op = self.op.borrow_mut();
            if op.next.is_empty() {
                Next::Normal
            } else {
                op.next.remove(0)
            }
        };
        match next {
            Next::Normal => Ok(self.op.borrow_mut().handle(request, self.now.get())),
            Next::Respond(status, body) => Ok(HttpResponse {
                status,
                content_type: Some("application/json".into()),
                body,
                retry_after: None,
                dpop_nonce: None,
                www_authenticate: None,
            }),
            Next::RetryAfter(status, secs) => Ok(HttpResponse {
                status,
                content_type: Some("application/json".into()),
                body: "{}".into(),
                retry_after: Some(secs),
                dpop_nonce: None,
                www_authenticate: None,
            }),
            Next::Fail(t) => Err(Error::Transport(t)),
            Next::Lost(t) => {
                let _ = self.op.borrow_mut().handle(request, self.now.get());
                Err(Error::Transport(t))
            }
        }
    }
    async fn sleep_ms(&self, ms: u64) {
        // Virtual time: sleeping advances the clock.
        self.slept.set(self.slept.get() + ms);
        let total = self.millis.get() + ms;
        self.advance(total / 1000);
        self.millis.set(total % 1000);
        Yield(false).await;
    }
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        SPAWNED.with(|s| s.borrow_mut().push(task));
    }
    fn json(&self) -> &dyn JsonParser {
        &SerdeJson
    }
    fn transaction_put(&self, key: &str, value: &str) -> Result<(), Error> {
        self.storage.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    fn transaction_take(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self.storage.borrow_mut().remove(key))
    }
    fn transaction_clear(&self, prefix: &str) {
        self.storage
            .borrow_mut()
            .retain(|k, _| !k.starts_with(prefix));
    }
    async fn digest(&self, sha: crate::core::Sha, data: &[u8]) -> Result<Vec<u8>, Error> {
        use sha2::Digest as _;
        Yield(false).await;
        if self.crypto_down.get() {
            return Err(Error::Platform(crate::core::Platform::CryptoUnavailable));
        }
        Ok(match sha {
            crate::core::Sha::Sha256 => sha2::Sha256::digest(data).to_vec(),
            crate::core::Sha::Sha384 => sha2::Sha384::digest(data).to_vec(),
            crate::core::Sha::Sha512 => sha2::Sha512::digest(data).to_vec(),
        })
    }
    async fn verify_signature(
        &self,
        _alg: &str,
        jwk: &str,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        Yield(false).await;
        self.advance(self.verify_lag.get());
        if self.crypto_down.get() {
            return Err(Error::Platform(crate::core::Platform::CryptoUnavailable));
        }
        Ok(fake_signature(jwk, signing_input, signature.len()) == signature)
    }
    fn navigate(&self, url: &str) -> Result<(), Error> {
        self.navigations.borrow_mut().push(url.into());
        // The provider "authenticates" the user and remembers what the code is bound to.
        if url.starts_with(ISSUER) && url.contains("/authorize?") {
            let q = self.authorization_params(url);
            let code = format!(
                "code-{}",
                q.get("state").map(String::len).unwrap_or(0) + self.navigations.borrow().len()
            );
            self.op.borrow_mut().codes.insert(
                code,
                (
                    q.get("code_challenge").cloned().unwrap_or_default(),
                    q.get("nonce").cloned().unwrap_or_default(),
                    q.get("redirect_uri").cloned().unwrap_or_default(),
                ),
            );
        }
        Ok(())
    }
}

impl FakePlatform {
    /// The parameters of the authorization request `url`: its query, or for a pushed request
    /// (`request_uri`) the pushed parameters.
    pub(crate) fn authorization_params(&self, url: &str) -> BTreeMap<String, String> {
        let q = query(url);
        match q.get("request_uri") {
            Some(uri) => self
                .op
                .borrow()
                .pushed
                .get(uri)
                .cloned()
                .unwrap_or_default(),
            None => q,
        }
    }
}

pub(crate) const PAR_ENDPOINT: &str = "https://op.example/par";

/// The provider's metadata with a pushed authorization request endpoint, and whether it requires
/// pushed requests.
pub(crate) fn metadata_with_par(required: bool) -> ProviderMetadata {
    let mut m = metadata().to_json();
    if let Json::Object(members) = &mut m {
        members.push((
            "pushed_authorization_request_endpoint".into(),
            Json::String(PAR_ENDPOINT.into()),
        ));
        members.push((
            "require_pushed_authorization_requests".into(),
            Json::Bool(required),
        ));
    }
    ProviderMetadata::from_json(&config(), &m).expect("metadata")
}

pub(crate) fn metadata() -> ProviderMetadata {
    let doc = serde_json::json!({
        "issuer": ISSUER,
        "authorization_endpoint": format!("{ISSUER}/authorize"),
        "token_endpoint": format!("{ISSUER}/token"),
        "end_session_endpoint": format!("{ISSUER}/logout"),
        "userinfo_endpoint": format!("{ISSUER}/userinfo"),
        "revocation_endpoint": format!("{ISSUER}/revoke"),
        "jwks_uri": JWKS_URI,
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let config = config();
    ProviderMetadata::from_json(&config, &from_serde(&doc)).expect("metadata")
}

pub(crate) fn config() -> ClientConfig {
    let mut c = ClientConfig::new(ISSUER.into(), CLIENT_ID.into(), REDIRECT.into());
    c.scope = "openid offline_access".into();
    c.post_logout_redirect_uri = Some("https://app.example/".into());
    c
}

pub(crate) fn client() -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let p = FakePlatform::new();
    let c = Client::with_metadata(Rc::clone(&p), config(), metadata()).expect("client");
    (c, p)
}

/// The callback parameters the provider would send for the last authorization request.
pub(crate) fn callback_for(p: &FakePlatform) -> Vec<(String, String)> {
    let url = p.navigations.borrow().last().cloned().expect("navigated");
    let q = p.authorization_params(&url);
    let code =
        p.op.borrow()
            .codes
            .keys()
            .last()
            .cloned()
            .expect("code issued");
    vec![
        ("code".into(), code),
        ("state".into(), q.get("state").cloned().expect("state")),
        ("iss".into(), ISSUER.into()),
    ]
}

/// Logs in through the simulated provider.
pub(crate) fn signed_in() -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let (c, p) = client();
    block_on(c.login(&crate::driver::LoginOptions::return_to("/home"))).expect("login");
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).expect("callback");
    (c, p)
}

/// Records the client's events.
pub(crate) fn events(c: &Client<Rc<FakePlatform>>) -> Rc<RefCell<Vec<crate::driver::AuthEvent>>> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = Rc::clone(&log);
    c.subscribe(move |e| l.borrow_mut().push(e.clone()));
    log
}

/// Polls `f` (which must stay pending) until `done` says so, at most 8 times; panics otherwise.
pub(crate) fn poll_until<F: Future + ?Sized>(mut f: Pin<&mut F>, done: impl Fn() -> bool) {
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        if done() {
            return;
        }
        poll_spawned();
        assert!(f.as_mut().poll(&mut cx).is_pending(), "finished early");
    }
    assert!(done(), "never got there");
}

/// Polls `f` to its end, at most 100 times; panics when it still waits.
pub(crate) fn poll_to_end<F: Future + ?Sized>(mut f: Pin<&mut F>) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100 {
        poll_spawned();
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("still waits");
}

/// Signs in again through the simulated provider (as another page of the same engine would).
pub(crate) fn sign_in_again(c: &Client<Rc<FakePlatform>>, p: &FakePlatform) {
    block_on(c.login(&crate::driver::LoginOptions::return_to("/home"))).expect("login");
    block_on(c.handle_callback(&callback_for(p), &[])).expect("callback");
}

/// Cases per property test: 512, or `PROPTEST_CASES` (`make fuzz` runs many more).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn proptest_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}
