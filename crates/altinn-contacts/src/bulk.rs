//! Bulk lookups: one call per organization number for many numbers, concurrently, with an
//! optional request-rate limit, as a stream of results in the order they finish.
//!
//! The inputs are the raw strings a user gave (a file's lines, a spreadsheet column). Each one
//! ends as exactly one [`BulkResult`]: an input that is not a valid organization number becomes
//! an [`Error::InvalidInput`] result of its own (no request is sent for it), and a failed call
//! becomes an error result; nothing is dropped and nothing panics. [`BulkResult::index`] is the
//! input's position, so a consumer can restore input order when it needs to.
//!
//! At most [`concurrency`](BulkJob::concurrency) calls are in flight (default
//! [`DEFAULT_CONCURRENCY`]). With a [`RateLimit`], calls start no closer together than its
//! interval, measured on tokio's clock. Retries of transient failures are the transport's
//! business and are not counted against the rate.
//!
//! ```
//! # async fn demo(client: &altinn_contacts::Client) {
//! use altinn_contacts::RateLimit;
//! use futures::StreamExt;
//! let numbers = ["910021451", "not a number", "310524832"];
//! let mut results = client
//!     .bulk_official_contacts(numbers)
//!     .concurrency(32)
//!     .rate_limit(RateLimit::per_second(50.0).unwrap())
//!     .stream();
//! while let Some(result) = results.next().await {
//!     match &result.outcome {
//!         Ok(list) => println!("{}: {} contacts", result.input, list.items().len()),
//!         Err(err) => eprintln!("{}: {err}", result.input),
//!     }
//! }
//! # }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use altinn_contacts_api::{
    ContactsApi, Error, InvalidInput, OrganizationNumber, PersonalContactsFilter,
};
use altinn_contacts_model::{OfficialContactList, PersonalContactList};
use futures::future::BoxFuture;
use futures::stream::{self, Stream, StreamExt};
use tokio::time::Instant;

use crate::Client;

/// How many calls a bulk job keeps in flight unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The outcome for one input of a bulk job.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BulkResult<T> {
    /// The input exactly as given.
    pub input: String,
    /// The input's position among the inputs, from 0.
    pub index: usize,
    /// The looked-up resource, or why there is none.
    pub outcome: Result<T, Error>,
}

impl<T> BulkResult<T> {
    /// True when the lookup failed (invalid input included).
    pub fn is_err(&self) -> bool {
        self.outcome.is_err()
    }
}

/// A minimum interval between the starts of calls: a request-rate limit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    interval: Duration,
}

impl RateLimit {
    /// At most `requests` calls a second; `requests` must be a positive, finite number (it may be
    /// below 1, e.g. 0.5 for one call every two seconds).
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

    /// Calls start at least `interval` apart.
    pub fn interval(interval: Duration) -> Self {
        RateLimit { interval }
    }

    /// The minimum interval between the starts of calls.
    pub fn min_interval(&self) -> Duration {
        self.interval
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RateLimit({:?} between calls)", self.interval)
    }
}

/// One call of a bulk job, made for each valid organization number.
///
/// The facade has implementations for official and personal contacts; implement it to run
/// another per-organization call in bulk through [`Client::bulk`].
pub trait BulkOperation: Send + Sync {
    /// What one successful call yields.
    type Output: Send;

    /// Makes the call for one organization.
    fn call<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        org: &'a OrganizationNumber,
    ) -> BoxFuture<'a, Result<Self::Output, Error>>;
}

/// Official contacts of each organization ([`Client::bulk_official_contacts`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct OfficialContactsLookup;

impl BulkOperation for OfficialContactsLookup {
    type Output = OfficialContactList;

    fn call<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        org: &'a OrganizationNumber,
    ) -> BoxFuture<'a, Result<OfficialContactList, Error>> {
        api.official_contacts(org)
    }
}

/// Personal contacts of each organization, filtered ([`Client::bulk_personal_contacts`]).
#[derive(Debug, Clone, Default)]
pub struct PersonalContactsLookup {
    filter: PersonalContactsFilter,
}

impl PersonalContactsLookup {
    /// Looks up personal contacts matching `filter`.
    pub fn new(filter: PersonalContactsFilter) -> Self {
        PersonalContactsLookup { filter }
    }
}

impl BulkOperation for PersonalContactsLookup {
    type Output = PersonalContactList;

    fn call<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        org: &'a OrganizationNumber,
    ) -> BoxFuture<'a, Result<PersonalContactList, Error>> {
        api.personal_contacts(org, &self.filter)
    }
}

/// A bulk job being set up; [`stream`](BulkJob::stream) runs it. Made by
/// [`Client::bulk_official_contacts`], [`Client::bulk_personal_contacts`] and [`Client::bulk`].
#[must_use = "a bulk job does nothing until .stream() is consumed"]
pub struct BulkJob<'c, A, O> {
    client: &'c Client<A>,
    inputs: Box<dyn Iterator<Item = String> + Send + 'c>,
    operation: O,
    concurrency: usize,
    rate: Option<RateLimit>,
}

impl<A, O: fmt::Debug> fmt::Debug for BulkJob<'_, A, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkJob")
            .field("operation", &self.operation)
            .field("concurrency", &self.concurrency)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl<'c, A: ContactsApi, O: BulkOperation + 'c> BulkJob<'c, A, O> {
    pub(crate) fn new<I>(client: &'c Client<A>, inputs: I, operation: O) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String> + 'c,
        I::IntoIter: Send + 'c,
    {
        BulkJob {
            client,
            inputs: Box::new(inputs.into_iter().map(Into::into)),
            operation,
            concurrency: DEFAULT_CONCURRENCY,
            rate: None,
        }
    }

    /// At most `n` calls in flight (0 is taken as 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Calls start no closer together than the limit allows.
    pub fn rate_limit(mut self, rate: RateLimit) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Runs the job: one result per input, yielded as each call finishes. Inputs are read lazily,
    /// as slots free up, so the input iterator may be long.
    pub fn stream(self) -> impl Stream<Item = BulkResult<O::Output>> + Send + Unpin + 'c {
        let BulkJob {
            client,
            inputs,
            operation,
            concurrency,
            rate,
        } = self;
        let operation = Arc::new(operation);
        let limiter = rate.map(|r| Arc::new(Limiter::new(r.interval)));
        stream::iter(inputs.enumerate())
            .map(move |(index, input)| {
                let operation = Arc::clone(&operation);
                let limiter = limiter.clone();
                async move {
                    let outcome = match input.parse::<OrganizationNumber>() {
                        Err(invalid) => Err(Error::InvalidInput(invalid)),
                        Ok(org) => {
                            if let Some(limiter) = &limiter {
                                limiter.acquire().await;
                            }
                            operation.call(client.api(), &org).await
                        }
                    };
                    BulkResult {
                        input,
                        index,
                        outcome,
                    }
                }
            })
            .buffer_unordered(concurrency)
    }
}

/// Spaces the starts of calls `interval` apart: each caller reserves the next free slot and
/// sleeps until it. No burst is allowed, which keeps the peak rate at the limit.
struct Limiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    fn new(interval: Duration) -> Self {
        Limiter {
            interval,
            next: Mutex::new(None),
        }
    }

    async fn acquire(&self) {
        let at = {
            // A poisoned lock only means another task panicked between two plain assignments;
            // the slot value is still usable.
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = match *next {
                Some(slot) if slot > now => slot,
                _ => now,
            };
            // An interval too long for the clock (`RateLimit::interval(Duration::MAX)`) would
            // overflow `Instant`: the next slot is then as far off as the clock can say.
            *next = Some(
                at.checked_add(self.interval)
                    .unwrap_or_else(|| far_future(at)),
            );
            at
        };
        tokio::time::sleep_until(at).await;
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

impl<A: ContactsApi> Client<A> {
    /// Official contacts for each input (raw organization numbers as typed).
    pub fn bulk_official_contacts<'c, I>(
        &'c self,
        inputs: I,
    ) -> BulkJob<'c, A, OfficialContactsLookup>
    where
        I: IntoIterator,
        I::Item: Into<String> + 'c,
        I::IntoIter: Send + 'c,
    {
        BulkJob::new(self, inputs, OfficialContactsLookup)
    }

    /// Personal contacts matching `filter` for each input (raw organization numbers as typed).
    pub fn bulk_personal_contacts<'c, I>(
        &'c self,
        inputs: I,
        filter: PersonalContactsFilter,
    ) -> BulkJob<'c, A, PersonalContactsLookup>
    where
        I: IntoIterator,
        I::Item: Into<String> + 'c,
        I::IntoIter: Send + 'c,
    {
        BulkJob::new(self, inputs, PersonalContactsLookup::new(filter))
    }

    /// Any [`BulkOperation`] for each input (raw organization numbers as typed).
    pub fn bulk<'c, I, O>(&'c self, inputs: I, operation: O) -> BulkJob<'c, A, O>
    where
        I: IntoIterator,
        I::Item: Into<String> + 'c,
        I::IntoIter: Send + 'c,
        O: BulkOperation + 'c,
    {
        BulkJob::new(self, inputs, operation)
    }
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
        let limiter = Limiter::new(Duration::MAX);
        let start = Instant::now();
        // The first call starts at once; the next slot is far off but representable.
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        let next = limiter.next.lock().unwrap().unwrap();
        assert!(next > start + Duration::from_secs(365 * 24 * 60 * 60));
    }

    #[tokio::test(start_paused = true)]
    async fn limiter_spaces_calls() {
        let limiter = Limiter::new(Duration::from_millis(100));
        let start = Instant::now();
        for i in 0..5u32 {
            limiter.acquire().await;
            assert_eq!(start.elapsed(), Duration::from_millis(100) * i);
        }
    }
}
