//! Pacing: one gate that every attempt passes, shared by many calls, so a request-rate limit
//! counts retries too and a `429` slows the whole job down, not only the call that got it.
//!
//! A [`Pacer`] is asked before every attempt (the first and each retry) and told whenever the
//! server asks the client to wait (`429 Too Many Requests`, or any retryable answer with
//! `Retry-After`). [`Throttle`] is the implementation this crate ships: an optional
//! [`RateLimit`] and a shared pause.
//!
//! A pacer reaches the transport in one of two ways:
//! - for every call of a client: [`ConfigBuilder::pacer`](crate::ConfigBuilder::pacer);
//! - for the calls made inside one future: [`paced`] (or [`paced_after_ready`]), which the
//!   facade's bulk jobs use so that one job's tasks share one pacer without a client of their
//!   own. The scope travels with the future (a tokio task-local), so it works inside
//!   `buffer_unordered` and on any task.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use altinn_contacts_api::InvalidInput;
use async_trait::async_trait;
use tokio::time::Instant;

/// A gate before every attempt of a call.
///
/// Implementations must be cheap when nothing limits (the gate is on every request) and must
/// never panic.
#[async_trait]
pub trait Pacer: Send + Sync + fmt::Debug {
    /// Waits until a request may start; the transport sends right after it returns.
    async fn ready(&self);

    /// The server asked to wait `pause` before the next request (a `429`, or a `Retry-After`
    /// on another retryable answer); no request should start before it has passed.
    fn pause(&self, pause: Duration);
}

/// At most so many requests a second: a minimum interval between the starts of requests.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    interval: Duration,
}

impl RateLimit {
    /// At most `requests` requests in any one second; `requests` must be a positive, finite
    /// number (it may be below 1, e.g. 0.5 for one request every two seconds).
    pub fn per_second(requests: f64) -> Result<Self, InvalidInput> {
        if !requests.is_finite() || requests <= 0.0 {
            return Err(InvalidInput::new(
                "request rate",
                &requests.to_string(),
                "it must be a positive number of requests per second",
            ));
        }
        let interval = Duration::try_from_secs_f64(1.0 / requests).map_err(|_| {
            InvalidInput::new(
                "request rate",
                &requests.to_string(),
                "it is too small a number of requests per second",
            )
        })?;
        Ok(RateLimit { interval })
    }

    /// Requests start at least `interval` apart.
    pub fn interval(interval: Duration) -> Self {
        RateLimit { interval }
    }

    /// The minimum interval between the starts of requests.
    pub fn min_interval(&self) -> Duration {
        self.interval
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RateLimit({:?} between requests)", self.interval)
    }
}

/// The [`Pacer`] of this crate: requests start at least the [`RateLimit`]'s interval apart
/// (when there is one), and none starts while a pause the server asked for lasts.
///
/// Times are taken when a request is let through, not when it was promised a slot, so a task
/// that wakes late never lets the next one start early, and requests are spaced 1 % wider than
/// the limit asks, so that jitter on the way does not bunch them up where they arrive: in any
/// one-second window at most `requests` requests start. Measured on tokio's clock (so tests may
/// pause time).
///
/// ```
/// use std::sync::Arc;
/// use altinn_contacts_reqwest::{Pacer, RateLimit, Throttle};
/// let throttle: Arc<dyn Pacer> = Arc::new(Throttle::new(Some(RateLimit::per_second(50.0)?)));
/// # Ok::<(), altinn_contacts_api::InvalidInput>(())
/// ```
pub struct Throttle {
    rate: Option<RateLimit>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The earliest start of the next request, by the rate limit.
    next: Option<Instant>,
    /// No request starts before this, by the server's wish.
    paused_until: Option<Instant>,
    /// Pauses asked for so far.
    pauses: u64,
}

impl Throttle {
    /// A throttle with an optional rate limit; it always honours pauses.
    pub fn new(rate: Option<RateLimit>) -> Self {
        Throttle {
            rate,
            state: Mutex::default(),
        }
    }

    /// The rate limit, if any.
    pub fn rate(&self) -> Option<RateLimit> {
        self.rate
    }

    /// How many pauses the server asked for so far.
    pub fn pauses(&self) -> u64 {
        self.lock().pauses
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few plain values; a panic elsewhere cannot leave them half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Throttle")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Pacer for Throttle {
    async fn ready(&self) {
        loop {
            let wake = {
                let mut state = self.lock();
                let now = Instant::now();
                let at = [state.next, state.paused_until]
                    .into_iter()
                    .flatten()
                    .fold(now, Instant::max);
                if at <= now {
                    // 1 % more than the interval: requests reach the server a little earlier or
                    // later than they leave, and the limit must hold where they arrive. An
                    // interval too long for the clock would overflow `Instant`.
                    state.next = self.rate.map(|r| {
                        let spacing = r.interval.saturating_add(r.interval / 100);
                        now.checked_add(spacing).unwrap_or_else(|| far_future(now))
                    });
                    return;
                }
                at
            };
            // Others may take the slot or a new pause may begin meanwhile: look again.
            tokio::time::sleep_until(wake).await;
        }
    }

    fn pause(&self, pause: Duration) {
        let mut state = self.lock();
        let now = Instant::now();
        let until = now.checked_add(pause).unwrap_or_else(|| far_future(now));
        state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
        state.pauses += 1;
    }
}

/// The latest instant after `from` that the clock can represent, within about 30 years.
fn far_future(from: Instant) -> Instant {
    let mut step = Duration::from_secs(30 * 365 * 24 * 60 * 60);
    while !step.is_zero() {
        if let Some(later) = from.checked_add(step) {
            return later;
        }
        step /= 2;
    }
    from
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// The pacer of the calls inside a [`paced`] future.
struct Scope {
    pacer: Arc<dyn Pacer>,
    /// The caller already waited for the pacer once, for the first attempt.
    prepaid: AtomicBool,
}

/// Runs `calls` with `pacer` gating every attempt this transport makes inside it (in addition
/// to a pacer set with [`ConfigBuilder::pacer`](crate::ConfigBuilder::pacer)).
pub async fn paced<F: Future>(pacer: Arc<dyn Pacer>, calls: F) -> F::Output {
    let scope = Scope {
        pacer,
        prepaid: AtomicBool::new(false),
    };
    SCOPE.scope(scope, calls).await
}

/// Like [`paced`], for a caller that has just waited for `pacer.ready()` itself (so that a
/// transport that knows no pacer is paced too): the first attempt inside `calls` starts without
/// waiting again; every later one waits.
pub async fn paced_after_ready<F: Future>(pacer: Arc<dyn Pacer>, calls: F) -> F::Output {
    let scope = Scope {
        pacer,
        prepaid: AtomicBool::new(true),
    };
    SCOPE.scope(scope, calls).await
}

/// Waits for the scope's pacer and the client's own, before an attempt.
pub(crate) async fn before_attempt(own: Option<&Arc<dyn Pacer>>) {
    let scoped = SCOPE
        .try_with(|s| {
            (
                Arc::clone(&s.pacer),
                s.prepaid.swap(false, Ordering::AcqRel),
            )
        })
        .ok();
    if let Some((pacer, prepaid)) = &scoped
        && !prepaid
    {
        pacer.ready().await;
    }
    if let Some(own) = own
        && !scoped.as_ref().is_some_and(|(s, _)| same(s, own))
    {
        own.ready().await;
    }
}

/// Tells the scope's pacer and the client's own that the server asked for a pause.
pub(crate) fn pause(own: Option<&Arc<dyn Pacer>>, pause: Duration) {
    let scoped = SCOPE.try_with(|s| Arc::clone(&s.pacer)).ok();
    if let Some(pacer) = &scoped {
        pacer.pause(pause);
    }
    if let Some(own) = own
        && !scoped.as_ref().is_some_and(|s| same(s, own))
    {
        own.pause(pause);
    }
}

/// One pacer installed twice is asked once.
fn same(a: &Arc<dyn Pacer>, b: &Arc<dyn Pacer>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits() {
        assert_eq!(
            RateLimit::per_second(4.0).unwrap().min_interval(),
            Duration::from_millis(250)
        );
        assert_eq!(
            RateLimit::per_second(0.5).unwrap().min_interval(),
            Duration::from_secs(2)
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300] {
            assert!(RateLimit::per_second(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_interval_beyond_the_clock_does_not_panic() {
        let throttle = Throttle::new(Some(RateLimit::interval(Duration::MAX)));
        let start = Instant::now();
        throttle.ready().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        let next = throttle.lock().next.unwrap();
        assert!(next > start + Duration::from_secs(365 * 24 * 60 * 60));
        throttle.pause(Duration::MAX);
        assert!(throttle.lock().paused_until.unwrap() > start);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced() {
        let throttle = Throttle::new(Some(RateLimit::interval(Duration::from_millis(100))));
        let start = Instant::now();
        for i in 0..5u32 {
            throttle.ready().await;
            assert_eq!(start.elapsed(), Duration::from_millis(101) * i);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_every_request_and_never_shortens() {
        let throttle = Arc::new(Throttle::new(None));
        let start = Instant::now();
        throttle.ready().await;
        throttle.pause(Duration::from_secs(2));
        throttle.pause(Duration::from_secs(1));
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let t = Arc::clone(&throttle);
                tokio::spawn(async move {
                    t.ready().await;
                    Instant::now()
                })
            })
            .collect();
        // A pause that begins while others wait holds them back too.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        throttle.pause(Duration::from_secs(1));
        for w in waiters {
            assert_eq!(w.await.unwrap() - start, Duration::from_millis(2500));
        }
        assert_eq!(throttle.pauses(), 3);
    }

    #[derive(Debug, Default)]
    struct Counting(std::sync::atomic::AtomicU32);

    #[async_trait]
    impl Pacer for Counting {
        async fn ready(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn pause(&self, _: Duration) {}
    }

    #[tokio::test]
    async fn scopes_pass_the_pacer_and_a_prepaid_first_attempt() {
        let counting = Arc::new(Counting::default());
        let pacer: Arc<dyn Pacer> = counting.clone();
        // Outside any scope and without a pacer of its own, nothing waits.
        before_attempt(None).await;
        paced(Arc::clone(&pacer), async {
            before_attempt(None).await;
            before_attempt(None).await;
        })
        .await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 2);
        paced_after_ready(Arc::clone(&pacer), async {
            before_attempt(None).await;
            before_attempt(None).await;
        })
        .await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 3);
        // The same pacer in the scope and on the client is asked once.
        paced(Arc::clone(&pacer), before_attempt(Some(&pacer))).await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 4);
    }
}
