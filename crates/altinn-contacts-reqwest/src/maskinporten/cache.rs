//! The token cache: one refresh at a time, and a failed refresh remembered for a moment.
//!
//! The state sits behind a plain mutex that is never held across an `.await`: the caller that
//! finds no usable token becomes the one refreshing and runs the requests without any lock;
//! callers arriving meanwhile wait on a `watch` channel for its outcome. A failure is kept for
//! [`FAILURE_BACKOFF`] (or the endpoint's `Retry-After`), so callers in that moment get it at once
//! instead of each repeating the requests. If the refreshing caller is cancelled, the waiters
//! notice the closed channel and one of them takes over.

use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::watch;

use crate::token::TokenError;

/// How long a failed refresh is remembered when the endpoint did not say (`Retry-After`).
pub(super) const FAILURE_BACKOFF: Duration = Duration::from_secs(1);
/// The longest a failure is remembered, whatever the endpoint said.
const MAX_FAILURE_BACKOFF: Duration = Duration::from_secs(60);

/// A token and when to stop handing it out.
pub(super) struct Fresh {
    pub(super) token: SecretString,
    pub(super) refresh_at: Instant,
}

type Outcome = Result<SecretString, TokenError>;

/// See the module docs.
#[derive(Default)]
pub(super) struct TokenCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    token: Option<Fresh>,
    /// The last refresh's error and until when it is handed out.
    failure: Option<(TokenError, Instant)>,
    /// The refresh under way, if any.
    flight: Option<watch::Receiver<Option<Outcome>>>,
}

/// What a caller does next.
enum Role {
    /// The answer is known.
    Ready(Outcome),
    /// Another caller is refreshing: wait for its outcome.
    Wait(watch::Receiver<Option<Outcome>>),
    /// Refresh, then tell the waiters.
    Lead(watch::Sender<Option<Outcome>>),
}

impl TokenCache {
    /// The cached token, or the outcome of one `fetch` shared by every concurrent caller.
    pub(super) async fn get<F, Fut>(&self, fetch: F) -> Outcome
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Fresh, TokenError>>,
    {
        loop {
            match self.role() {
                Role::Ready(outcome) => return outcome,
                Role::Wait(mut flight) => {
                    // An error means the refreshing caller was dropped mid-way: try again (one of
                    // the waiters becomes the next to refresh).
                    if let Ok(outcome) = flight.wait_for(Option::is_some).await
                        && let Some(outcome) = outcome.as_ref()
                    {
                        return outcome.clone();
                    }
                }
                Role::Lead(done) => {
                    let mut flight = Flight {
                        cache: self,
                        settled: false,
                    };
                    let result = fetch().await;
                    let outcome = self.settle(result);
                    flight.settled = true;
                    done.send_replace(Some(outcome.clone()));
                    return outcome;
                }
            }
        }
    }

    fn role(&self) -> Role {
        let mut state = self.lock();
        let now = Instant::now();
        if let Some(fresh) = &state.token
            && now < fresh.refresh_at
        {
            return Role::Ready(Ok(fresh.token.clone()));
        }
        if let Some((error, until)) = &state.failure
            && now < *until
        {
            return Role::Ready(Err(error.clone().with_retry_after(*until - now)));
        }
        if let Some(flight) = &state.flight {
            return Role::Wait(flight.clone());
        }
        let (done, flight) = watch::channel(None);
        state.flight = Some(flight);
        Role::Lead(done)
    }

    /// Records a refresh's result and ends the flight.
    fn settle(&self, result: Result<Fresh, TokenError>) -> Outcome {
        let mut state = self.lock();
        state.flight = None;
        match result {
            Ok(fresh) => {
                let token = fresh.token.clone();
                state.token = Some(fresh);
                state.failure = None;
                Ok(token)
            }
            Err(error) => {
                let wait = error
                    .retry_after()
                    .unwrap_or(FAILURE_BACKOFF)
                    .min(MAX_FAILURE_BACKOFF);
                let error = error.with_retry_after(wait);
                state.failure = Instant::now()
                    .checked_add(wait)
                    .map(|until| (error.clone(), until));
                Err(error)
            }
        }
    }

    /// Drops `token` if it is the cached one (a newer token stays).
    pub(super) fn invalidate(&self, token: &SecretString) {
        let mut state = self.lock();
        if state
            .token
            .as_ref()
            .is_some_and(|fresh| fresh.token.expose_secret() == token.expose_secret())
        {
            state.token = None;
        }
    }

    /// Forgets the token and any remembered failure.
    pub(super) fn clear(&self) {
        let mut state = self.lock();
        state.token = None;
        state.failure = None;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is consistent after every statement, so a panic elsewhere cannot poison it
        // in a way that matters.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Ends the flight if the refreshing caller is dropped before it settles, so that the waiters
/// (who then see the channel closed) can start another.
struct Flight<'a> {
    cache: &'a TokenCache,
    settled: bool,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.cache.lock().flight = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn fresh(token: &str, valid: Duration) -> Fresh {
        Fresh {
            token: SecretString::from(token),
            refresh_at: Instant::now() + valid,
        }
    }

    /// 32 callers at once, one fetch; the outcomes are returned.
    async fn concurrently(
        cache: &Arc<TokenCache>,
        fetches: &Arc<AtomicUsize>,
        result: fn() -> Result<Fresh, TokenError>,
    ) -> Vec<Outcome> {
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                tokio::spawn(async move {
                    cache
                        .get(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            result()
                        })
                        .await
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        outcomes
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let outcomes = concurrently(&cache, &fetches, || {
            Ok(fresh("t-1", Duration::from_secs(60)))
        })
        .await;
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(
            outcomes
                .iter()
                .all(|o| o.as_ref().is_ok_and(|t| t.expose_secret() == "t-1"))
        );
    }

    #[tokio::test]
    async fn a_failed_refresh_is_handed_to_every_waiter_and_remembered() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let outcomes = concurrently(&cache, &fetches, || {
            Err(TokenError::transient("endpoint down").with_status(503))
        })
        .await;
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "one fetch, not 32");
        for outcome in &outcomes {
            let error = outcome.as_ref().unwrap_err();
            assert_eq!(error.status(), Some(503));
            assert!(error.retry_after().is_some_and(|w| w <= FAILURE_BACKOFF));
        }
        // Within the backoff the failure is answered at once, without a fetch.
        let again = cache
            .get(|| async {
                fetches.fetch_add(1, Ordering::SeqCst);
                Ok(fresh("never", Duration::from_secs(60)))
            })
            .await;
        assert!(again.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // `clear` forgets it.
        cache.clear();
        let after = cache
            .get(|| async { Ok(fresh("t-2", Duration::from_secs(60))) })
            .await;
        assert_eq!(after.unwrap().expose_secret(), "t-2");
    }

    #[tokio::test]
    async fn a_retry_after_sets_the_backoff_within_bounds() {
        let cache = TokenCache::default();
        let err = cache
            .get(|| async {
                Err(TokenError::transient("throttled").with_retry_after(Duration::from_secs(3600)))
            })
            .await
            .unwrap_err();
        assert_eq!(err.retry_after(), Some(MAX_FAILURE_BACKOFF));
    }

    #[tokio::test]
    async fn no_lock_is_held_while_fetching_and_a_dropped_refresh_is_taken_over() {
        let cache = Arc::new(TokenCache::default());
        let release = Arc::new(tokio::sync::Notify::new());
        let leader = {
            let cache = cache.clone();
            let release = release.clone();
            tokio::spawn(async move {
                cache
                    .get(|| async {
                        release.notified().await;
                        Ok(fresh("slow", Duration::from_secs(60)))
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The refresh is under way; the state is not locked.
        cache.invalidate(&SecretString::from("other"));
        cache.clear();
        let waiter = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get(|| async { Ok(fresh("taken-over", Duration::from_secs(60))) })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "the waiter waits for the refresh");
        leader.abort();
        let token = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the waiter is not stuck")
            .unwrap()
            .unwrap();
        assert_eq!(token.expose_secret(), "taken-over");
    }

    #[tokio::test]
    async fn invalidate_drops_only_the_refused_token() {
        let cache = TokenCache::default();
        let get = |name: &'static str| {
            cache.get(move || async move { Ok(fresh(name, Duration::from_secs(60))) })
        };
        assert_eq!(get("first").await.unwrap().expose_secret(), "first");
        cache.invalidate(&SecretString::from("stale-other"));
        assert_eq!(get("unused").await.unwrap().expose_secret(), "first");
        cache.invalidate(&SecretString::from("first"));
        assert_eq!(get("second").await.unwrap().expose_secret(), "second");
    }
}
