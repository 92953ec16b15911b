//! When and how long to wait before repeating a call.
//!
//! Every call of the API is an idempotent `GET`, so a failure that may pass on its own (connect
//! errors, timeouts, a connection that broke mid-body, 429, 502, 503, 504) is retried with capped
//! exponential backoff and full jitter, never sooner than the server's `Retry-After`, and never
//! past the total deadline.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How often and for how long a call is retried.
///
/// ```
/// # use std::time::Duration;
/// # use altinn_contacts_reqwest::RetryPolicy;
/// let policy = RetryPolicy::new()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .deadline(Some(Duration::from_secs(20)));
/// assert_eq!(policy.max_attempts, 5);
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (0 counts as 1).
    pub max_attempts: u32,
    /// The upper bound of the first wait; it doubles with every retry.
    pub initial_backoff: Duration,
    /// The upper bound of any wait the client chooses itself (a longer `Retry-After` is honoured).
    pub max_backoff: Duration,
    /// Total time for a call, waits and attempts included; `None` for no limit beyond the
    /// per-attempt request timeout.
    pub deadline: Option<Duration>,
}

impl RetryPolicy {
    /// 3 attempts, backoff from 200 ms up to 5 s, deadline 60 s.
    pub fn new() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            deadline: Some(Duration::from_secs(60)),
        }
    }

    /// One attempt, no retries (the deadline of [`new`](Self::new) still applies).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::new()
        }
    }

    /// Sets the number of attempts in all.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// Sets the upper bound of the first wait.
    #[must_use]
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the upper bound of any self-chosen wait.
    #[must_use]
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Sets the total deadline of a call.
    #[must_use]
    pub fn deadline(mut self, d: Option<Duration>) -> Self {
        self.deadline = d;
        self
    }

    /// Attempts in all, at least one.
    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The wait before attempt `failed + 1`, after `failed` attempts failed: a uniformly random
    /// duration up to `min(max_backoff, initial_backoff * 2^(failed-1))` ("full jitter", which
    /// spreads clients that failed together), but never less than the server's `Retry-After`.
    pub(crate) fn wait(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = failed.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let jittered = ceiling.mul_f64(fastrand::f64());
        match retry_after {
            Some(server) => server.max(jittered),
            None => jittered,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new()
    }
}

/// The `Retry-After` header: delay-seconds or an HTTP-date (a date in the past means now).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        // A day is plenty; larger values are nonsense or hostile and would overflow deadlines.
        return Some(Duration::from_secs(seconds.min(86_400)));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let at = SystemTime::try_from(at).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(86_400)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers(" 0 ")), Some(Duration::ZERO));
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:49:37 GMT")),
            Some(Duration::ZERO)
        );
        let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(120);
        let text = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&soon)
            .unwrap();
        let got = retry_after(&headers(&text)).unwrap();
        assert!(
            got > Duration::from_secs(100) && got <= Duration::from_secs(120),
            "{got:?}"
        );
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
        assert_eq!(
            retry_after(&headers("99999999999")),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn backoff_is_capped_and_honours_retry_after() {
        let p = RetryPolicy::new()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for failed in 1..40 {
            let ceiling = Duration::from_millis(100 * (1u64 << (failed - 1).min(2)))
                .min(Duration::from_millis(300));
            let w = p.wait(failed, None);
            assert!(w <= ceiling, "attempt {failed}: {w:?} > {ceiling:?}");
        }
        assert!(p.wait(1, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        assert_eq!(RetryPolicy::new().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn extreme_policies_never_overflow() {
        let p = RetryPolicy::new()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        for failed in [0, 1, 2, 31, 32, 33, 64, u32::MAX] {
            for _ in 0..200 {
                let w = p.wait(failed, None);
                assert!(w <= Duration::MAX);
                assert_eq!(p.wait(failed, Some(Duration::MAX)), Duration::MAX);
            }
        }
        let zero = RetryPolicy::new()
            .initial_backoff(Duration::ZERO)
            .max_backoff(Duration::ZERO);
        assert_eq!(zero.wait(u32::MAX, None), Duration::ZERO);
    }
}
