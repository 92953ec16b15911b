//! Fault injection: the ways Altinn and the network in front of it misbehave.
//!
//! A [`FaultConfig`] sets the faults a sandbox starts with; [`Faults`] (from
//! [`Sandbox::faults`](crate::Sandbox::faults)) changes them while it runs. Per request, in this
//! order: requests outside the path scope are left alone; the added latency (and a
//! [`Fault::Stall`]) is waited out; a queued fault ([`Faults::fail_next`]) is used up if there is
//! one; else the standing fault ([`Faults::set_always`]) applies; else a seeded coin decides
//! whether the request fails ([`Faults::set_error_rate`]: with `503`;
//! [`Faults::set_mixed_error_rate`]: with one of a list of faults, also picked by the seeded RNG,
//! so a seed always gives the same sequence of faults).
//!
//! Two faults act outside the handler, in the connection's service (`server.rs`): a
//! [`Fault::ResetBeforeAnswer`] answer is marked [`ResetConnection`] and never sent, and the
//! page-size cap ([`Faults::set_max_page_size`]) cuts organizations pages.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use std::future::Future;
use std::io;

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Response, StatusCode, header};
use futures::StreamExt;

use crate::handler::LOGIN_PATH;

/// One way of answering a request badly.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// This status, this reason phrase, an empty body (how Altinn reports errors). A status
    /// outside 100..=999 is sent as `500`.
    Status {
        /// The HTTP status code, e.g. `500`.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// `503 Service Unavailable`, empty body.
    ServiceUnavailable,
    /// `429 Too Many Requests` with `Retry-After: <seconds>`.
    TooManyRequests {
        /// The value of `Retry-After`, in seconds.
        retry_after_secs: u32,
    },
    /// The status line and headers of the real answer with a `Content-Length` larger than what
    /// follows: half the body is sent, then the connection is closed.
    CloseMidBody,
    /// A complete `200` response whose body is the first half of the real JSON.
    TruncatedJson,
    /// `200 OK` with an HTML login page (`text/html`), as Altinn sends without valid credentials.
    HtmlPage,
    /// `302 Found` to Altinn's login page (which the sandbox serves as an HTML page).
    LoginRedirect,
    /// `429 Too Many Requests` with `Retry-After` as an HTTP date (`Wed, 21 Oct 2015 07:28:00
    /// GMT`) this many seconds after the answer. HTTP dates have whole seconds, so the wait a
    /// client computes from it may be up to a second shorter.
    TooManyRequestsDate {
        /// How far in the future the date is, in seconds.
        retry_after_secs: u32,
    },
    /// The request is read, then the connection is reset (TCP RST) without a status line: the
    /// client gets no answer at all.
    ResetBeforeAnswer,
    /// The answer is held back this long, then sent as it would have been (added to any
    /// latency). Longer than a client's timeout, it makes that attempt time out.
    Stall {
        /// How long the answer is held back.
        duration: Duration,
    },
}

impl Fault {
    /// [`Fault::Status`] with this status and reason phrase.
    pub fn status(status: u16, reason: impl Into<String>) -> Self {
        Fault::Status {
            status,
            reason: reason.into(),
        }
    }

    /// [`Fault::TooManyRequests`] asking the client to wait `retry_after_secs` seconds.
    pub fn too_many_requests(retry_after_secs: u32) -> Self {
        Fault::TooManyRequests { retry_after_secs }
    }

    /// [`Fault::TooManyRequestsDate`]: `Retry-After` is the HTTP date `retry_after_secs` seconds
    /// from the answer.
    pub fn too_many_requests_until(retry_after_secs: u32) -> Self {
        Fault::TooManyRequestsDate { retry_after_secs }
    }

    /// [`Fault::Stall`] for `duration`.
    pub fn stall(duration: Duration) -> Self {
        Fault::Stall { duration }
    }
}

/// The faults a sandbox starts with. All off by default.
///
/// ```
/// use std::time::Duration;
/// use altinn_contacts_sandbox::{Fault, FaultConfig};
/// let faults = FaultConfig::new()
///     .error_rate(0.1, 42)
///     .latency(Duration::from_millis(5))
///     .fail_next(2, Fault::too_many_requests(1))
///     .fail_next(1, Fault::stall(Duration::from_secs(40)))
///     .fail_next(1, Fault::ResetBeforeAnswer)
///     .only_paths_containing("/officialcontacts")
///     .max_page_size(100);
/// # let _ = faults;
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct FaultConfig {
    error_rate: f64,
    error_seed: u64,
    /// What the coin answers with; empty means [`Fault::ServiceUnavailable`].
    error_faults: Vec<Fault>,
    latency: Duration,
    queue: Vec<(u32, Fault)>,
    always: Option<Fault>,
    path_contains: Option<String>,
    max_page_size: Option<usize>,
}

impl FaultConfig {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers this fraction (0.0 to 1.0) of requests `503`, chosen by a RNG seeded with `seed`.
    #[must_use]
    pub fn error_rate(mut self, fraction: f64, seed: u64) -> Self {
        self.error_rate = fraction;
        self.error_seed = seed;
        self.error_faults = Vec::new();
        self
    }

    /// Answers this fraction (0.0 to 1.0) of requests with one of `faults`, each equally
    /// likely; which requests fail and with which fault both come from a RNG seeded with
    /// `seed`. An empty list means `503`, as [`FaultConfig::error_rate`]. For soak tests of
    /// "10 % of requests fail in assorted ways":
    ///
    /// ```
    /// use altinn_contacts_sandbox::{Fault, FaultConfig};
    /// let faults = FaultConfig::new().mixed_error_rate(
    ///     0.1,
    ///     7,
    ///     vec![Fault::ServiceUnavailable, Fault::too_many_requests(1), Fault::CloseMidBody],
    /// );
    /// # let _ = faults;
    /// ```
    #[must_use]
    pub fn mixed_error_rate(mut self, fraction: f64, seed: u64, faults: Vec<Fault>) -> Self {
        self.error_rate = fraction;
        self.error_seed = seed;
        self.error_faults = faults;
        self
    }

    /// Waits this long before answering each request.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answers the next `count` requests with `fault` (after any queued before it).
    #[must_use]
    pub fn fail_next(mut self, count: u32, fault: Fault) -> Self {
        self.queue.push((count, fault));
        self
    }

    /// Answers every request with `fault` (queued faults go first).
    #[must_use]
    pub fn always(mut self, fault: Fault) -> Self {
        self.always = Some(fault);
        self
    }

    /// Applies faults (latency included) only to requests whose path contains `fragment`.
    #[must_use]
    pub fn only_paths_containing(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    /// Answers at most `n` organizations per page of `GET organizations` (the list and the
    /// search), whatever `$top` asks for, as a server that caps `$top` at 100 does: a client that
    /// asked for 1000 gets pages of `n` and must not take a short page for the last one. `$skip`
    /// still counts from the start, so the next page is at `$skip` plus what was received. Not
    /// limited by [`only_paths_containing`](Self::only_paths_containing); the recorded request
    /// keeps the `$top` the client sent.
    #[must_use]
    pub fn max_page_size(mut self, n: usize) -> Self {
        self.max_page_size = Some(n);
        self
    }
}

#[derive(Debug)]
struct State {
    error_rate: f64,
    /// What the coin answers with; empty means [`Fault::ServiceUnavailable`].
    error_faults: Vec<Fault>,
    rng: fastrand::Rng,
    latency: Duration,
    queue: VecDeque<(u32, Fault)>,
    always: Option<Fault>,
    path_contains: Option<String>,
    max_page_size: Option<usize>,
    injected: u64,
}

impl State {
    fn from_config(config: FaultConfig) -> Self {
        State {
            error_rate: clamp_rate(config.error_rate),
            error_faults: config.error_faults,
            rng: fastrand::Rng::with_seed(config.error_seed),
            latency: config.latency,
            queue: config.queue.into_iter().filter(|(n, _)| *n > 0).collect(),
            always: config.always,
            path_contains: config.path_contains,
            max_page_size: config.max_page_size,
            injected: 0,
        }
    }
}

/// A fraction in 0.0..=1.0; NaN is 0 (no faults) rather than a panic or every request.
fn clamp_rate(fraction: f64) -> f64 {
    if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    }
}

/// What to do to one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) fault: Option<Fault>,
}

/// The live fault switches of a running sandbox. Cheap to clone; every clone changes the same
/// sandbox, from any thread.
#[derive(Clone, Debug)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Self {
        Faults {
            state: Arc::new(Mutex::new(State::from_config(config))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-changed in a way that
        // matters for a test server; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers this fraction (0.0 to 1.0) of requests `503`; the RNG keeps its sequence.
    pub fn set_error_rate(&self, fraction: f64) {
        let mut state = self.lock();
        state.error_rate = clamp_rate(fraction);
        state.error_faults.clear();
    }

    /// Like [`Faults::set_error_rate`], restarting the RNG from `seed`.
    pub fn set_error_rate_seeded(&self, fraction: f64, seed: u64) {
        self.set_mixed_error_rate(fraction, seed, Vec::new());
    }

    /// Answers this fraction (0.0 to 1.0) of requests with one of `faults`, each equally likely,
    /// restarting the RNG from `seed` (see [`FaultConfig::mixed_error_rate`]). An empty list
    /// means `503`.
    pub fn set_mixed_error_rate(&self, fraction: f64, seed: u64, faults: Vec<Fault>) {
        let mut state = self.lock();
        state.error_rate = clamp_rate(fraction);
        state.error_faults = faults;
        state.rng = fastrand::Rng::with_seed(seed);
    }

    /// Waits this long before answering each request (`Duration::ZERO` for none).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Answers the next `count` requests with `fault`, after any faults queued before.
    pub fn fail_next(&self, count: u32, fault: Fault) {
        if count > 0 {
            self.lock().queue.push_back((count, fault));
        }
    }

    /// Answers the next `count` requests with `status` and `reason` and an empty body.
    pub fn fail_next_with_status(&self, count: u32, status: u16, reason: impl Into<String>) {
        self.fail_next(count, Fault::status(status, reason));
    }

    /// Answers the next `count` requests `429` with `Retry-After: retry_after_secs`.
    pub fn rate_limit_next(&self, count: u32, retry_after_secs: u32) {
        self.fail_next(count, Fault::too_many_requests(retry_after_secs));
    }

    /// Answers every request with `fault` until set to `None`.
    pub fn set_always(&self, fault: Option<Fault>) {
        self.lock().always = fault;
    }

    /// Applies faults (latency included) only to requests whose path contains `fragment`;
    /// `None` for every request.
    pub fn set_path_filter(&self, fragment: Option<String>) {
        self.lock().path_contains = fragment;
    }

    /// Answers at most `n` organizations per page of `GET organizations`, whatever `$top` asks
    /// (see [`FaultConfig::max_page_size`]); `None` for the API's own limit.
    pub fn set_max_page_size(&self, n: Option<usize>) {
        self.lock().max_page_size = n;
    }

    /// The page-size cap set by [`Faults::set_max_page_size`], if any.
    pub fn max_page_size(&self) -> Option<usize> {
        self.lock().max_page_size
    }

    /// How many queued fault answers are left.
    pub fn pending(&self) -> u64 {
        self.lock().queue.iter().map(|(n, _)| u64::from(*n)).sum()
    }

    /// How many requests were answered with a fault so far.
    pub fn injected(&self) -> u64 {
        self.lock().injected
    }

    /// Turns every fault off, the page-size cap included (the injected count is kept).
    pub fn clear(&self) {
        let mut state = self.lock();
        let injected = state.injected;
        *state = State::from_config(FaultConfig::default());
        state.injected = injected;
    }

    pub(crate) fn decide(&self, path: &str) -> Decision {
        let mut state = self.lock();
        if let Some(fragment) = &state.path_contains
            && !path.contains(fragment.as_str())
        {
            return Decision::default();
        }
        let fault = if let Some((count, fault)) = state.queue.front_mut() {
            *count -= 1;
            let fault = fault.clone();
            if *count == 0 {
                state.queue.pop_front();
            }
            Some(fault)
        } else if let Some(fault) = &state.always {
            Some(fault.clone())
        } else if state.error_rate > 0.0 && state.rng.f64() < state.error_rate {
            let pick = match state.error_faults.len() {
                0 | 1 => 0,
                n => state.rng.usize(..n),
            };
            Some(
                state
                    .error_faults
                    .get(pick)
                    .cloned()
                    .unwrap_or(Fault::ServiceUnavailable),
            )
        } else {
            None
        };
        if fault.is_some() {
            state.injected += 1;
        }
        let latency = match &fault {
            Some(Fault::Stall { duration }) => state.latency.saturating_add(*duration),
            _ => state.latency,
        };
        Decision { latency, fault }
    }
}

/// Marks an answer the connection must not send: the server resets the connection instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResetConnection;

/// The faults whose answer is the same bytes for every family of endpoints; `None` where the
/// answer is the one the request would have had. A stall has already been waited out (it is
/// part of the decided latency), so its answer is the real one.
fn respond(fault: &Fault) -> Option<Response<Body>> {
    Some(match fault {
        Fault::TooManyRequestsDate { retry_after_secs } => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            let at = SystemTime::now() + Duration::from_secs(u64::from(*retry_after_secs));
            if let Some(value) = http_date(at) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Fault::ResetBeforeAnswer => {
            let mut response = Response::new(Body::empty());
            response.extensions_mut().insert(ResetConnection);
            response
        }
        _ => return None,
    })
}

/// How one family of endpoints writes the fault answers that differ between families: Altinn 2
/// puts its message in the reason phrase and serves Altinn's login page; the successor
/// emulations answer with bare statuses and their own page.
pub(crate) struct FaultStyle {
    /// The answer of a status fault (`Status`, `ServiceUnavailable`, `TooManyRequests`).
    pub(crate) status: fn(StatusCode, &str) -> Response<Body>,
    /// What `HtmlPage` serves.
    pub(crate) html_page: fn() -> Response<Body>,
}

/// What a fault that cuts the real answer keeps of it.
pub(crate) struct CutBody {
    /// The status sent with the cut body.
    pub(crate) status: StatusCode,
    /// Its content type.
    pub(crate) content_type: &'static str,
    /// The whole JSON body, of which half is sent.
    pub(crate) body: Bytes,
}

/// The answer a fault gives instead of (or cut from) the real one, the same for every family
/// of endpoints but for `style`; `None` where the answer is the real one (a stall, already
/// waited out with the decided latency). `real` is awaited only by the faults that cut a body.
pub(crate) async fn answer_with_fault(
    fault: Fault,
    style: &FaultStyle,
    parts: &Parts,
    base: &str,
    real: impl Future<Output = CutBody>,
) -> Option<Response<Body>> {
    Some(match fault {
        Fault::Status { status, reason } => (style.status)(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &reason,
        ),
        Fault::ServiceUnavailable => {
            (style.status)(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Fault::TooManyRequests { retry_after_secs } => {
            let mut response = (style.status)(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Fault::HtmlPage => (style.html_page)(),
        Fault::LoginRedirect => {
            let original = match parts.uri.query() {
                Some(q) => format!("{base}{}?{q}", parts.uri.path()),
                None => format!("{base}{}", parts.uri.path()),
            };
            let go_to: String = url::form_urlencoded::byte_serialize(original.as_bytes()).collect();
            let location = format!("{base}{LOGIN_PATH}?goTo={go_to}");
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::FOUND;
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Fault::TruncatedJson => {
            let real = real.await;
            let cut = real.body.len() / 2;
            altinn_contacts_server::json_response(real.body.slice(..cut), real.content_type)
        }
        Fault::CloseMidBody => {
            let real = real.await;
            let full = real.body.len();
            let first =
                futures::stream::iter([Ok::<Bytes, io::Error>(real.body.slice(..full / 2))]);
            // The pause lets hyper flush the half that was sent before the error closes the
            // connection, so the client sees headers and a short body rather than nothing.
            let abort = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "sandbox fault: connection closed mid-body",
                ))
            });
            let mut response = Response::new(Body::from_stream(first.chain(abort)));
            *response.status_mut() = real.status;
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(real.content_type),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            response
        }
        fault @ (Fault::TooManyRequestsDate { .. }
        | Fault::ResetBeforeAnswer
        | Fault::Stall { .. }) => {
            return respond(&fault);
        }
    })
}

/// `at` as an HTTP date (IMF-fixdate, always GMT).
pub(crate) fn http_date(at: SystemTime) -> Option<HeaderValue> {
    let at = jiff::Timestamp::try_from(at).ok()?;
    let text = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&at)
        .ok()?;
    HeaderValue::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_then_always_then_rate() {
        let faults = Faults::new(
            FaultConfig::new()
                .fail_next(2, Fault::HtmlPage)
                .error_rate(1.0, 1),
        );
        faults.fail_next(1, Fault::LoginRedirect);
        assert_eq!(faults.pending(), 3);
        assert_eq!(faults.decide("/x").fault, Some(Fault::HtmlPage));
        assert_eq!(faults.decide("/x").fault, Some(Fault::HtmlPage));
        assert_eq!(faults.decide("/x").fault, Some(Fault::LoginRedirect));
        assert_eq!(faults.decide("/x").fault, Some(Fault::ServiceUnavailable));
        faults.set_always(Some(Fault::TruncatedJson));
        assert_eq!(faults.decide("/x").fault, Some(Fault::TruncatedJson));
        assert_eq!(faults.injected(), 5);
        faults.clear();
        assert_eq!(faults.decide("/x").fault, None);
    }

    #[test]
    fn error_rate_is_seeded_and_about_right() {
        let run = || {
            let f = Faults::new(FaultConfig::new().error_rate(0.25, 9));
            (0..4000)
                .map(|_| f.decide("/").fault.is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|h| **h).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }

    #[test]
    fn mixed_error_rate_picks_every_fault_from_the_seed() {
        let kinds = vec![
            Fault::ServiceUnavailable,
            Fault::too_many_requests(1),
            Fault::CloseMidBody,
        ];
        let run = |seed| {
            let f = Faults::new(FaultConfig::new().mixed_error_rate(0.1, seed, kinds.clone()));
            (0..6000).map(|_| f.decide("/").fault).collect::<Vec<_>>()
        };
        let a = run(3);
        assert_eq!(a, run(3), "same seed, same faults in the same places");
        assert_ne!(a, run(4));
        let hits = a.iter().flatten().count();
        assert!((480..720).contains(&hits), "{hits} of 6000");
        for kind in &kinds {
            let n = a.iter().flatten().filter(|f| *f == kind).count();
            assert!((100..300).contains(&n), "{kind:?}: {n} of {hits}");
        }

        // Live, and back to plain 503s with the plain switch.
        let f = Faults::new(FaultConfig::new());
        f.set_mixed_error_rate(1.0, 1, vec![Fault::HtmlPage]);
        assert_eq!(f.decide("/").fault, Some(Fault::HtmlPage));
        f.set_error_rate(1.0);
        assert_eq!(f.decide("/").fault, Some(Fault::ServiceUnavailable));
        f.set_mixed_error_rate(f64::NAN, 1, vec![Fault::HtmlPage]);
        assert_eq!(f.decide("/").fault, None, "NaN is no faults");
    }

    #[test]
    fn a_stall_is_latency_for_one_request() {
        let f = Faults::new(
            FaultConfig::new()
                .latency(Duration::from_millis(5))
                .fail_next(1, Fault::stall(Duration::from_secs(2))),
        );
        let stalled = f.decide("/");
        assert_eq!(stalled.latency, Duration::from_millis(2005));
        assert_eq!(stalled.fault, Some(Fault::stall(Duration::from_secs(2))));
        assert_eq!(f.decide("/").latency, Duration::from_millis(5));
        assert_eq!(f.injected(), 1);
        f.fail_next(1, Fault::stall(Duration::MAX));
        assert_eq!(f.decide("/").latency, Duration::MAX, "saturates");
    }

    #[test]
    fn retry_after_date_is_an_imf_fixdate_in_the_future() {
        let response = respond(&Fault::too_many_requests_until(90)).expect("a 429");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let text = response.headers()[header::RETRY_AFTER].to_str().unwrap();
        assert!(text.ends_with(" GMT") && text.len() == 29, "{text}");
        let at: jiff::Timestamp = jiff::fmt::rfc2822::DateTimeParser::new()
            .parse_timestamp(text)
            .unwrap();
        let ahead = at.duration_since(jiff::Timestamp::now()).as_secs_f64();
        assert!((80.0..=90.0).contains(&ahead), "{ahead}");
        assert_eq!(
            http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)).unwrap(),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[test]
    fn scope_leaves_other_paths_alone() {
        let f = Faults::new(
            FaultConfig::new()
                .always(Fault::HtmlPage)
                .only_paths_containing("/roles"),
        );
        assert_eq!(f.decide("/api/serviceowner/organizations").fault, None);
        assert_eq!(
            f.decide("/a/personalcontacts/r1/roles").fault,
            Some(Fault::HtmlPage)
        );
    }
}
