//! The session's policy as a synchronous, sans-I/O state machine: calls and results go in, answers,
//! jobs and events come out. It holds the session and decides:
//!
//! - what a call for an access token gets: the token held, the end of the session, or a renewal;
//! - single flight: one renewal at a time, whose outcome every call that joined it gets;
//! - retries: after an answer that left the refresh token unused (429, 5xx, `offline`) or after the
//!   token's first send of unknown outcome, how long to wait before sending again, or to stop;
//! - fail closed: an answer that says the grant is gone, or tokens that fail their checks, end the
//!   session; a result that comes after the session was replaced or ended is dropped;
//! - when the next background renewal is due, later after failures.
//!
//! It reads no clock and does no I/O. The driver ([`super::Client`]) is a thin async loop around it:
//! it runs the jobs the machine hands to one of the calls (send the refresh request and check the
//! answer, or wait) and feeds back what they came to. Results that arrive twice, late or for a
//! flight that is over are ignored, so the tests drive it with lost, duplicated and reordered
//! events in virtual time.

use super::events::{AuthEvent, SignedOutReason};
use super::session::Session;
use crate::core::{AccessToken, Error, IdToken, LoginRequiredReason, OAuthError, RefreshToken};

/// One call of [`super::Client::access_token`], by the number the driver gave it.
pub(crate) type Caller = u64;

/// I/O that the machine hands to one call of a renewal, which runs it and reports back.
#[derive(Debug)]
pub(crate) enum Job {
    /// Send the refresh-token grant with `original`'s refresh token and check the answer; report
    /// with [`Machine::sent`].
    Exchange { flight: u64, original: Box<Session> },
    /// Wait `ms` before the next attempt; report with [`Machine::waited`].
    Wait { flight: u64, ms: u64 },
}

/// What the machine has for one call: its answer, or a job to run first.
#[derive(Debug)]
pub(crate) enum Step {
    Answer(Result<AccessToken, Error>),
    Job(Job),
}

/// What one refresh attempt says about the refresh token it sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    /// The provider did not use it: an answer of 429 or 5xx, or nothing was sent (`offline`).
    Unused { retry_after: Option<u64> },
    /// It may have been used: a timeout or a network error after the request may have left.
    Unknown,
    /// A 2xx answer: the provider took it (and may have rotated it), whatever the checks of the
    /// answer come to.
    Accepted,
    /// Any other answer, which settles it (an OAuth error, an invalid response).
    Answered,
}

/// Attempts after the first one, for transient failures (refresh and revocation).
const MAX_RETRIES: u32 = 2;
/// The longest `Retry-After` a refresh honours, in seconds; a longer one gives up at once.
const MAX_RETRY_AFTER_SECS: u64 = 30;

/// The wait before retry number `attempt + 1` of a transient failure, or None to stop: at most
/// [`MAX_RETRIES`] retries, the provider's `Retry-After` when it is `max_wait` seconds or less
/// (RFC 9110 §10.2.3), otherwise 1 s, then 2 s.
pub(crate) fn backoff(retry_after: Option<u64>, attempt: u32, max_wait: u64) -> Option<u64> {
    if attempt >= MAX_RETRIES {
        return None;
    }
    match retry_after {
        Some(secs) if secs > max_wait => None,
        Some(secs) => Some(secs),
        None => Some(1u64 << attempt),
    }
}

/// The wait before a background renewal after `failures` failed ones in a row: none at first, then
/// 30 s doubling up to 15 min, so that a provider that keeps failing is not asked again at once.
fn failure_floor_secs(failures: u32) -> u64 {
    match failures {
        0 => 0,
        n => (30u64 << (n - 1).min(5)).min(900),
    }
}

/// The renewal in flight.
#[derive(Debug)]
///
/// It always renews the session in place: replacing or ending the session ends it
/// ([`Machine::replace`]), and its result, when it comes, no longer matches a flight.
struct Flight {
    id: u64,
    /// The session as it was when the renewal started (its refresh token is the one sent).
    original: Box<Session>,
    /// Attempts made after the first one.
    attempt: u32,
    /// Set when an unknown outcome is followed by a resend: that resend is the last attempt.
    last: bool,
    /// The call that runs the flight's jobs.
    runner: Caller,
    /// While waiting before the next attempt, how long (ms); None while a send is out.
    waiting: Option<u64>,
    /// The send out got a 2xx answer, which its runner is still checking.
    answered: bool,
    /// Every call waiting for the outcome, the runner included.
    callers: Vec<Caller>,
}

/// The session and its renewal policy.
#[derive(Debug)]
pub(crate) struct Machine {
    /// The configured renewal margin, in seconds.
    margin: u64,
    session: Option<Session>,
    /// The ID token of a session that ended without a logout (expired, refresh rejected), kept only
    /// as the `id_token_hint` of a later logout: some providers (Okta) refuse a logout without one.
    last_id_token: Option<IdToken>,
    flight: Option<Flight>,
    flights: u64,
    /// Per call, what it gets next.
    outbox: Vec<(Caller, Step)>,
    /// Whether a call was given something since [`Machine::take_given`]: then waiting calls are
    /// woken (a call that only joins a renewal wakes nobody).
    given: bool,
    /// Events for the driver's listeners.
    events: Vec<AuthEvent>,
    /// Background renewals that failed in a row (for the wait before the next one).
    failures: u32,
    /// Calls running a job they took, until they take their next step or are gone: a job is handed to a call that is free to run it when there is one.
    busy: Vec<Caller>,
}

impl Machine {
    /// A machine with no session; `margin` is the configured renewal margin in seconds.
    pub(crate) fn new(margin: u64) -> Self {
        Machine {
            margin,
            session: None,
            last_id_token: None,
            flight: None,
            flights: 0,
            outbox: Vec::new(),
            given: false,
            events: Vec::new(),
            failures: 0,
            busy: Vec::new(),
        }
    }

    /// The session held, if any.
    pub(crate) fn session(&self) -> &Option<Session> {
        &self.session
    }

    /// The session held, to update its cached userinfo.
    pub(crate) fn session_mut(&mut self) -> Option<&mut Session> {
        self.session.as_mut()
    }

    /// A call `caller` for an access token at `now` (`force`: renew even a fresh one).
    pub(crate) fn ask(&mut self, caller: Caller, force: bool, now: u64) {
        let Some(s) = &self.session else {
            return self.answer(caller, Err(no_session()));
        };
        if !force && s.is_fresh(now, self.margin) {
            let token = s.access_token.clone();
            return self.answer(caller, Ok(token));
        }
        if s.refresh_token.is_none() {
            if s.is_expired(now) {
                self.end(SignedOutReason::Expired);
                let err = Error::login_required(LoginRequiredReason::Expired);
                return self.answer(caller, Err(err));
            }
            // Nothing to renew with: the current token is still valid, hand it out.
            let token = s.access_token.clone();
            return self.answer(caller, Ok(token));
        }
        if let Some(f) = &mut self.flight {
            f.callers.push(caller);
            return;
        }
        self.flights = self.flights.wrapping_add(1);
        let id = self.flights;
        let original = Box::new(s.clone());
        self.flight = Some(Flight {
            id,
            original: original.clone(),
            attempt: 0,
            last: false,
            runner: caller,
            waiting: None,
            answered: false,
            callers: vec![caller],
        });
        self.put((
            caller,
            Step::Job(Job::Exchange {
                flight: id,
                original,
            }),
        ));
    }

    /// What the send of `flight` came to: the renewed session or the error, and what it says
    /// about the refresh token. Ignored unless `flight` is in flight with a send out.
    pub(crate) fn sent(&mut self, flight: u64, result: Result<Session, Error>, sent: Sent) {
        let Some(f) = self.flight.as_ref() else {
            return;
        };
        if f.id != flight || f.waiting.is_some() {
            return;
        }
        let (attempt, last) = (f.attempt, f.last);
        let mut resend_last = false;
        let delay = match sent {
            Sent::Unused { retry_after } if !last => {
                backoff(retry_after, attempt, MAX_RETRY_AFTER_SECS)
            }
            // Counted whatever happens next; a resend only after the token's first one.
            Sent::Unknown if self.note_unknown_outcome() == 1 => {
                resend_last = true;
                backoff(None, attempt, MAX_RETRY_AFTER_SECS)
            }
            Sent::Unused { .. } | Sent::Unknown | Sent::Accepted | Sent::Answered => None,
        };
        if let (Some(secs), Some(f)) = (delay, self.flight.as_mut()) {
            f.attempt += 1;
            f.last |= resend_last;
            let ms = secs.saturating_mul(1000);
            f.waiting = Some(ms);
            let runner = f.runner;
            self.put((runner, Step::Job(Job::Wait { flight, ms })));
            return;
        }
        // The flight ends here: taken first, so that the session's replacement below does not
        // end it as a renewal of a session that was.
        let done = self.flight.take();
        let outcome = match result {
            Ok(session) => {
                let token = session.access_token.clone();
                self.set(Some(session), None);
                self.events.push(AuthEvent::Refreshed);
                Ok(token)
            }
            Err(err) if is_terminal_refresh_error(&err) => {
                self.end(SignedOutReason::RefreshRejected);
                Err(Error::login_required(LoginRequiredReason::RefreshRejected))
            }
            Err(err) if sent == Sent::Accepted || response_was_accepted(&err) => {
                // The provider answered 2xx but the tokens failed their checks (or could not be
                // checked): they are discarded (RFC 9700 §4.5.3.2), and the old refresh token has
                // most likely been rotated away, so using it again would be a replay. The session
                // ends here.
                self.end(SignedOutReason::RefreshRejected);
                Err(err)
            }
            Err(err) => {
                self.events.push(AuthEvent::Error(err.code()));
                Err(err)
            }
        };
        self.flight = done;
        self.finish(outcome);
    }

    /// The wait of `flight` is over: its runner sends again. Ignored unless `flight` is waiting
    /// (a logout during the wait ended it: the refresh token is not sent again).
    pub(crate) fn waited(&mut self, flight: u64) {
        let Some(f) = self.flight.as_mut() else {
            return;
        };
        if f.id != flight || f.waiting.is_none() {
            return;
        }
        f.waiting = None;
        f.answered = false;
        let job = Job::Exchange {
            flight,
            original: f.original.clone(),
        };
        let runner = f.runner;
        self.put((runner, Step::Job(job)));
    }

    /// The send of `flight` got a 2xx answer; its checks are still to come ([`Machine::sent`]).
    pub(crate) fn answered(&mut self, flight: u64) {
        if let Some(f) = self.flight.as_mut().filter(|f| f.id == flight) {
            f.answered = f.waiting.is_none();
        }
    }

    /// `caller` stopped waiting (its future was dropped before its answer). When a job of the
    /// flight was handed to it and not taken yet, nothing was sent: another waiting call takes the
    /// job over. When it was running the flight's send, whether the provider got the refresh
    /// token is unknown: that counts as an unknown outcome, and another waiting call takes over
    /// the flight, if any. When the send had its 2xx answer, the provider took the refresh token
    /// and the new tokens went with the dropped call: the session ends (fail closed), the token is
    /// not sent again.
    pub(crate) fn gone(&mut self, caller: Caller) {
        self.busy.retain(|c| *c != caller);
        // A call has one step queued at most.
        let queued = self
            .unqueue(caller)
            .filter(|step| matches!(step, Step::Job(_)));
        let Some(f) = self.flight.as_mut() else {
            return;
        };
        f.callers.retain(|c| *c != caller);
        if f.runner != caller {
            return;
        }
        let (id, waiting, answered) = (f.id, f.waiting, f.answered);
        let callers = f.callers.clone();
        let next = self.pick(&callers);
        if queued.is_none() && waiting.is_none() && answered {
            let lost = Error::login_required(LoginRequiredReason::RefreshRejected);
            return self.sent(id, Err(lost), Sent::Answered);
        }
        let (Some(next), Some(f)) = (next, self.flight.as_mut()) else {
            // Nobody left to run it. A send that was out may have reached the provider.
            if queued.is_none() && waiting.is_none() {
                self.note_unknown_outcome();
            }
            self.flight = None;
            return;
        };
        f.runner = next;
        match (queued, waiting) {
            // Its job was never taken, so nothing was sent: the next call takes it as it is.
            (Some(job), _) => self.put((next, job)),
            (None, Some(ms)) => self.put((next, Step::Job(Job::Wait { flight: id, ms }))),
            (None, None) => {
                let lost = Error::Transport(crate::core::Transport::Network);
                self.sent(id, Err(lost), Sent::Unknown);
            }
        }
    }

    /// Takes what `caller` gets next, if the machine has it yet.
    pub(crate) fn take(&mut self, caller: Caller) -> Option<Step> {
        let step = self.unqueue(caller)?;
        // A call takes its next step once it has reported the job it ran: it is busy from taking a
        // job until then (or until it is gone).
        self.busy.retain(|c| *c != caller);
        if let Step::Job(_) = &step {
            self.busy.push(caller);
        }
        Some(step)
    }

    /// Takes `caller`'s queued step out of the outbox.
    fn unqueue(&mut self, caller: Caller) -> Option<Step> {
        let i = self.outbox.iter().position(|(c, _)| *c == caller)?;
        Some(self.outbox.remove(i).1)
    }

    /// Whether `caller` took a job and has not taken its next step yet.
    fn is_busy(&self, caller: Caller) -> bool {
        self.busy.contains(&caller)
    }

    /// The call of `callers` to hand a job to: the first that is not busy with another one, else
    /// the first.
    fn pick(&self, callers: &[Caller]) -> Option<Caller> {
        let free = callers.iter().find(|c| !self.is_busy(**c));
        free.or(callers.first()).copied()
    }

    /// Whether a call was given something since the last time (and clears it).
    pub(crate) fn take_given(&mut self) -> bool {
        std::mem::take(&mut self.given)
    }

    /// Gives `caller` its next step.
    fn put(&mut self, (caller, step): (Caller, Step)) {
        self.outbox.push((caller, step));
        self.given = true;
    }

    /// Takes the events for the listeners, oldest first.
    pub(crate) fn take_events(&mut self) -> Vec<AuthEvent> {
        std::mem::take(&mut self.events)
    }

    /// Counts `event` for the background renewal's wait: failures in a row, reset by any other
    /// event.
    pub(crate) fn note_event(&mut self, event: &AuthEvent) {
        self.failures = match event {
            AuthEvent::Error(_) => self.failures.saturating_add(1),
            _ => 0,
        };
    }

    /// Puts a new session in place (a login, here or in another tab) at `now`. A renewal in flight
    /// for the old one ends at once: its result, when it comes, is dropped, and a renewal of the new
    /// session sends the new session's refresh token, never the old one.
    ///
    /// When the new session is the same user's (the same `iss` and `sub` in both ID tokens), the
    /// calls that joined that renewal, and those whose token of the old session is not taken yet,
    /// are asked again of the new session: they get its token (or join its renewal), not an error
    /// that would send the user to a login that has just happened. The call that was running the
    /// renewal is asked last, so that a renewal the new session needs goes to a call that is free
    /// to run it. For another user, or when either session has no ID token to tell, those calls get
    /// `login_required`, as at a logout: a call never comes back with another user's token.
    #[inline(never)]
    pub(crate) fn replace(&mut self, session: Session, now: u64) {
        let same_user = match (self.session.as_ref().map(|s| &s.claims), &session.claims) {
            (Some(Some(old)), Some(new)) => old.iss == new.iss && old.sub == new.sub,
            _ => false,
        };
        if !same_user {
            return self.set(Some(session), Some(LoginRequiredReason::LoggedOut));
        }
        let mut again = Vec::new();
        for (c, step) in std::mem::take(&mut self.outbox) {
            match step {
                Step::Answer(Ok(_)) => again.push(c),
                step => self.outbox.push((c, step)),
            }
        }
        if let Some(f) = self.end_flight() {
            again.extend(f.callers);
        }
        // A renewal the new session needs goes to the first call asked: one free to run it.
        let (busy, free): (Vec<Caller>, Vec<Caller>) =
            again.into_iter().partition(|c| self.is_busy(*c));
        self.set(Some(session), None);
        for caller in free.into_iter().chain(busy) {
            self.ask(caller, false, now);
        }
    }

    /// Sets the session. With `ended`, the session ends for that reason: the calls of its renewal
    /// and those whose token is not taken yet get `login_required` (after a logout, no call comes
    /// back with a token). `None` for a renewal (whose flight its caller took first) or a login
    /// ([`Machine::replace`], which asked its calls again), which leave queued tokens alone.
    fn set(&mut self, session: Option<Session>, ended: Option<LoginRequiredReason>) {
        if let Some(reason) = ended {
            let ended = || Step::Answer(Err(Error::login_required(reason)));
            for (_, step) in &mut self.outbox {
                if matches!(step, Step::Answer(Ok(_))) {
                    *step = ended();
                }
            }
            self.finish(Err(Error::login_required(reason)));
        }
        if session.is_some() {
            self.last_id_token = None;
        }
        self.session = session;
    }

    /// Ends the session for `reason`: the tokens go, an ID token stays only as a later logout's
    /// hint (not after a logout), and listeners hear of it when there was a session.
    pub(crate) fn end(&mut self, reason: SignedOutReason) {
        let why = match reason {
            SignedOutReason::RefreshRejected => LoginRequiredReason::RefreshRejected,
            SignedOutReason::Expired => LoginRequiredReason::Expired,
            SignedOutReason::OtherTab => LoginRequiredReason::OtherTab,
            _ => LoginRequiredReason::LoggedOut,
        };
        let Some(old) = self.session.take() else {
            return self.set(None, Some(why));
        };
        if reason != SignedOutReason::LoggedOut {
            if let Some(t) = old.id_token {
                self.last_id_token = Some(t);
            }
        }
        self.set(None, Some(why));
        self.events.push(AuthEvent::SignedOut(reason));
    }

    /// A logout: ends the session (its tokens go from memory first, J01) and returns what the rest
    /// of the logout sequence needs, taken out of the machine: the ID token to send as the
    /// provider's `id_token_hint` (the session's, or the last one of a session that ended without a
    /// logout) and the refresh token to revoke. A second logout gets neither.
    pub(crate) fn logout(&mut self) -> (Option<IdToken>, Option<RefreshToken>) {
        let last = self.last_id_token.take();
        let (hint, refresh) = match &self.session {
            Some(s) => (s.id_token.clone().or(last), s.refresh_token.clone()),
            None => (last, None),
        };
        self.end(SignedOutReason::LoggedOut);
        (hint, refresh)
    }

    /// When the access token should next be renewed (Unix seconds): its expiry minus the margin.
    /// None with no session, no refresh token, or no known expiry.
    pub(crate) fn next_refresh_at(&self) -> Option<u64> {
        let s = self.session.as_ref()?;
        s.refresh_token.as_ref()?;
        s.renew_at(self.margin)
    }

    /// Seconds from `now` until the next background renewal: one second past
    /// [`Machine::next_refresh_at`] (at that second itself the token still counts as fresh), and
    /// after failures in a row no sooner than 30 s doubling up to 15 min. None when there is
    /// nothing to renew.
    pub(crate) fn renew_in_secs(&self, now: u64) -> Option<u64> {
        let at = self.next_refresh_at()?;
        Some(
            at.saturating_add(1)
                .saturating_sub(now)
                .max(failure_floor_secs(self.failures)),
        )
    }

    /// True when a background renewal must leave the refresh token alone: it has had two sends of
    /// unknown outcome, so only a call of the application sends it again.
    pub(crate) fn held_back(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.unknown_outcomes >= 2)
    }

    fn answer(&mut self, caller: Caller, result: Result<AccessToken, Error>) {
        self.put((caller, Step::Answer(result)));
    }

    /// Ends the flight: every call that joined it gets `outcome`.
    fn finish(&mut self, outcome: Result<AccessToken, Error>) {
        let Some(f) = self.end_flight() else {
            return;
        };
        for c in f.callers {
            self.put((c, Step::Answer(outcome.clone())));
        }
    }

    /// Takes the flight, if any, and drops its jobs still queued (a wait handed over is not run
    /// any more).
    fn end_flight(&mut self) -> Option<Flight> {
        let f = self.flight.take()?;
        self.outbox.retain(|(_, step)| match step {
            Step::Job(Job::Exchange { flight, .. } | Job::Wait { flight, .. }) => *flight != f.id,
            Step::Answer(_) => true,
        });
        Some(f)
    }

    /// Counts a send of the session's refresh token whose outcome is unknown; returns how many it
    /// has had.
    fn note_unknown_outcome(&mut self) -> u8 {
        let Some(session) = self.session.as_mut() else {
            return u8::MAX;
        };
        session.unknown_outcomes = session.unknown_outcomes.saturating_add(1);
        session.unknown_outcomes
    }
}

fn no_session() -> Error {
    Error::login_required(LoginRequiredReason::NoSession)
}

/// True for failures of a 200 token response's content (as opposed to an HTTP or transport failure),
/// and for a body too large to read, whose status is not known (a 2xx most likely rotated the token).
fn response_was_accepted(err: &Error) -> bool {
    use crate::core::InvalidResponse as I;
    matches!(
        err,
        Error::InvalidResponse(
            I::IdToken(_)
                | I::BodyTooLarge
                | I::InvalidTokenResponse { .. }
                | I::UnsupportedTokenType
                | I::TokenTypeDowngrade
        )
    )
}

/// Answers that mean the refresh token is dead: the OAuth errors of RFC 6749 §5.2 that say so, and
/// a session whose DPoP key is gone (its tokens cannot be renewed with another key, RFC 9449 §5).
fn is_terminal_refresh_error(err: &Error) -> bool {
    let dead = |error: &str| {
        error == "invalid_grant" || error == "invalid_client" || error == "unauthorized_client"
    };
    matches!(err.oauth(), Some(OAuthError { error, .. }) if dead(error))
        || *err == Error::login_required(LoginRequiredReason::RefreshRejected)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "tests/machine.rs"]
mod tests;
