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
//! [`DEFAULT_CONCURRENCY`]). All calls of a job share one [`Pacer`] (a [`Throttle`] unless
//! [`pacer`](BulkJob::pacer) gives another): with a [`RateLimit`], at most that many requests
//! start in any one second, **retries included**; and when the server answers `429` (or asks
//! for a pause with `Retry-After`), no request of the job starts, first try or retry, until the
//! pause has passed. The reqwest transport waits for the job's pacer before every attempt (see
//! [`altinn_contacts_reqwest::pacer`]); another [`ContactsApi`] implementation is paced per call.
//!
//! **Batches.** When the backend takes many organizations per request
//! ([`ContactsApi::batch_limit`] above 1 for the job's call, as the Altinn 3 backend does), the
//! job cuts the valid organization numbers into batches of that size (at most
//! [`MAX_BATCH`]) and makes one `*_batch` call per batch: a bulk of 10,000 organizations with a
//! limit of 100 is 100 calls. Then [`concurrency`](BulkJob::concurrency) counts batches in
//! flight, a batch is one request for the pacer (the job waits for it before each batch call),
//! and a batch's results are yielded together when it finishes. Invalid inputs still end as
//! their own results, and a backend that answers a batch with too few results gets an
//! [`Error::Decode`] for each input it left out (extra results are ignored): still exactly one
//! result per input. With a limit of 1 the job makes one call per organization.
//!
//! A job holds a clone of the [`Client`], so its stream is `'static` and `Send`: spawn it on a
//! task or return it from a function.
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
use std::sync::Arc;

use altinn_contacts_api::{
    ContactsApi, DecodeFailure, Error, Operation, OrganizationNumber, PersonalContactsFilter,
};
use altinn_contacts_model::{OfficialContactList, PersonalContactList};
use altinn_contacts_reqwest::pacer::paced_after_ready;
pub use altinn_contacts_reqwest::{Pacer, RateLimit, Throttle};
use futures::future::BoxFuture;
use futures::stream::{self, Stream, StreamExt};

use crate::Client;

/// How many calls a bulk job keeps in flight unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The most organizations a bulk job puts in one batch, whatever the backend's
/// [`batch_limit`](ContactsApi::batch_limit): a batch is held in memory until it is sent, and a
/// huge one would delay every result.
pub const MAX_BATCH: usize = 1000;

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

/// One call of a bulk job, made for each valid organization number.
///
/// The facade has implementations for official and personal contacts; implement it to run
/// another per-organization call in bulk through [`Client::bulk`]. An operation whose backend
/// call takes many organizations at once overrides [`batch_limit`](Self::batch_limit) and
/// [`call_batch`](Self::call_batch); the defaults make one [`call`](Self::call) per
/// organization.
pub trait BulkOperation: Send + Sync {
    /// What one successful call yields.
    type Output: Send;

    /// Makes the call for one organization.
    fn call<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        org: &'a OrganizationNumber,
    ) -> BoxFuture<'a, Result<Self::Output, Error>>;

    /// The API call this operation makes, named in the errors a job makes up for it (a batch
    /// answer that left an organization out). `None` (the default) for a call that is not one
    /// of [`ContactsApi`]'s; such an operation is never batched.
    fn operation(&self) -> Option<Operation> {
        None
    }

    /// How many organizations one [`call_batch`](Self::call_batch) on `api` should carry at
    /// most; 1 (the default) makes the job call [`call`](Self::call) per organization. A job
    /// batches only when [`operation`](Self::operation) names the call as well.
    fn batch_limit<A: ContactsApi>(&self, api: &A) -> usize {
        let _ = api;
        1
    }

    /// Makes the call for each organization of `orgs` (at most
    /// [`batch_limit`](Self::batch_limit) of them), one result per organization in the order
    /// given. The default calls [`call`](Self::call) for one after the other.
    fn call_batch<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        orgs: &'a [OrganizationNumber],
    ) -> BoxFuture<'a, Vec<Result<Self::Output, Error>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(orgs.len());
            for org in orgs {
                out.push(self.call(api, org).await);
            }
            out
        })
    }
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

    fn operation(&self) -> Option<Operation> {
        Some(Operation::OfficialContacts)
    }

    fn batch_limit<A: ContactsApi>(&self, api: &A) -> usize {
        api.batch_limit(Operation::OfficialContacts)
    }

    fn call_batch<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        orgs: &'a [OrganizationNumber],
    ) -> BoxFuture<'a, Vec<Result<OfficialContactList, Error>>> {
        api.official_contacts_batch(orgs)
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

    fn operation(&self) -> Option<Operation> {
        Some(Operation::PersonalContacts)
    }

    fn batch_limit<A: ContactsApi>(&self, api: &A) -> usize {
        api.batch_limit(Operation::PersonalContacts)
    }

    fn call_batch<'a, A: ContactsApi>(
        &'a self,
        api: &'a A,
        orgs: &'a [OrganizationNumber],
    ) -> BoxFuture<'a, Vec<Result<PersonalContactList, Error>>> {
        api.personal_contacts_batch(orgs, &self.filter)
    }
}

/// A bulk job being set up; [`stream`](BulkJob::stream) runs it. Made by
/// [`Client::bulk_official_contacts`], [`Client::bulk_personal_contacts`] and [`Client::bulk`].
#[must_use = "a bulk job does nothing until .stream() is consumed"]
pub struct BulkJob<A, O> {
    client: Client<A>,
    inputs: Box<dyn Iterator<Item = String> + Send>,
    operation: O,
    concurrency: usize,
    rate: Option<RateLimit>,
    pacer: Option<Arc<dyn Pacer>>,
}

impl<A, O: fmt::Debug> fmt::Debug for BulkJob<A, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkJob")
            .field("operation", &self.operation)
            .field("concurrency", &self.concurrency)
            .field("rate", &self.rate)
            .field("pacer", &self.pacer)
            .finish_non_exhaustive()
    }
}

impl<A: ContactsApi + 'static, O: BulkOperation + 'static> BulkJob<A, O> {
    pub(crate) fn new<I>(client: Client<A>, inputs: I, operation: O) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String> + 'static,
        I::IntoIter: Send + 'static,
    {
        BulkJob {
            client,
            inputs: Box::new(inputs.into_iter().map(Into::into)),
            operation,
            concurrency: DEFAULT_CONCURRENCY,
            rate: None,
            pacer: None,
        }
    }

    /// At most `n` calls in flight (0 is taken as 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// At most this many requests start in any one second, retries included (ignored when a
    /// [`pacer`](Self::pacer) is given: that one decides).
    pub fn rate_limit(mut self, rate: RateLimit) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Paces the job's requests with `pacer` instead of a [`Throttle`] of its own, for example
    /// to share one rate limit and one pause between several jobs.
    pub fn pacer(mut self, pacer: Arc<dyn Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// Runs the job: one result per input, yielded as each call finishes. Inputs are read lazily,
    /// as slots free up, so the input iterator may be long.
    pub fn stream(self) -> impl Stream<Item = BulkResult<O::Output>> + Send + Unpin + 'static {
        let BulkJob {
            client,
            inputs,
            operation,
            concurrency,
            rate,
            pacer,
        } = self;
        let operation = Arc::new(operation);
        let pacer: Arc<dyn Pacer> = pacer.unwrap_or_else(|| Arc::new(Throttle::new(rate)));
        let limit = operation.batch_limit(client.api()).min(MAX_BATCH);
        if let Some(op) = operation.operation()
            && limit > 1
        {
            let batches = Batches {
                client,
                operation,
                pacer,
                op,
            };
            return batches.stream(inputs, concurrency, limit).right_stream();
        }
        stream::iter(inputs.enumerate())
            .map(move |(index, input)| {
                let operation = Arc::clone(&operation);
                let pacer = Arc::clone(&pacer);
                let client = client.clone();
                async move {
                    let outcome = match input.parse::<OrganizationNumber>() {
                        Err(invalid) => Err(Error::InvalidInput(invalid)),
                        Ok(org) => {
                            // Waiting here paces any transport; the reqwest transport then
                            // waits again only for retries, and pauses the job on a 429.
                            pacer.ready().await;
                            paced_after_ready(pacer, operation.call(client.api(), &org)).await
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
            .left_stream()
    }
}

/// What the batched job sends as one unit: an invalid input (answered without a call) or a
/// batch of valid ones.
enum Unit {
    Invalid(usize, String, Error),
    Batch(Vec<(usize, String, OrganizationNumber)>),
}

/// Cuts the inputs into [`Unit`]s lazily: an invalid input is its own unit at once, valid ones
/// gather until `limit` of them (or the end of the inputs) make a batch.
struct Units {
    inputs: std::iter::Enumerate<Box<dyn Iterator<Item = String> + Send>>,
    limit: usize,
    pending: Vec<(usize, String, OrganizationNumber)>,
}

impl Iterator for Units {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        for (index, input) in self.inputs.by_ref() {
            match input.parse::<OrganizationNumber>() {
                Err(invalid) => return Some(Unit::Invalid(index, input, invalid.into())),
                Ok(org) => {
                    self.pending.push((index, input, org));
                    if self.pending.len() >= self.limit {
                        return Some(Unit::Batch(std::mem::take(&mut self.pending)));
                    }
                }
            }
        }
        (!self.pending.is_empty()).then(|| Unit::Batch(std::mem::take(&mut self.pending)))
    }
}

/// A job over a backend that takes many organizations per call: one `call_batch` per batch,
/// `concurrency` batches in flight, the pacer awaited once per batch.
struct Batches<A, O> {
    client: Client<A>,
    operation: Arc<O>,
    pacer: Arc<dyn Pacer>,
    /// The call, for the errors made up for inputs a batch answer left out.
    op: Operation,
}

impl<A: ContactsApi + 'static, O: BulkOperation + 'static> Batches<A, O> {
    fn stream(
        self,
        inputs: Box<dyn Iterator<Item = String> + Send>,
        concurrency: usize,
        limit: usize,
    ) -> impl Stream<Item = BulkResult<O::Output>> + Send + Unpin + 'static {
        let units = Units {
            inputs: inputs.enumerate(),
            limit,
            pending: Vec::new(),
        };
        let job = Arc::new(self);
        stream::iter(units)
            .map(move |unit| Arc::clone(&job).run(unit))
            .buffer_unordered(concurrency)
            .flat_map(stream::iter)
    }

    async fn run(self: Arc<Self>, unit: Unit) -> Vec<BulkResult<O::Output>> {
        let items = match unit {
            Unit::Invalid(index, input, error) => {
                return vec![BulkResult {
                    input,
                    index,
                    outcome: Err(error),
                }];
            }
            Unit::Batch(items) => items,
        };
        let orgs: Vec<OrganizationNumber> = items.iter().map(|(_, _, org)| org.clone()).collect();
        // A batch is one request: one wait for the pacer, as before a per-item call; the
        // reqwest transport waits again only for retries, and pauses the job on a 429.
        self.pacer.ready().await;
        let outcomes = paced_after_ready(
            Arc::clone(&self.pacer),
            self.operation.call_batch(self.client.api(), &orgs),
        )
        .await;
        let asked = items.len();
        let answered = outcomes.len();
        if answered > asked {
            tracing::warn!(
                operation = %self.op,
                asked,
                answered,
                "the backend answered a batch with more results than organizations; the extra ones are ignored"
            );
        }
        let mut outcomes = outcomes.into_iter();
        items
            .into_iter()
            .map(|(index, input, _)| BulkResult {
                input,
                index,
                outcome: outcomes
                    .next()
                    .unwrap_or_else(|| Err(short_answer(self.op, asked, answered))),
            })
            .collect()
    }
}

/// The error for an input a batch answer left out: the backend broke the one-result-per-
/// organization contract, so there is no answer for this one.
fn short_answer(op: Operation, asked: usize, answered: usize) -> Error {
    Error::Decode(DecodeFailure::new(
        op,
        200,
        ".",
        format!(
            "the backend answered {answered} results for a batch of {asked} organizations; \
             none for this one"
        ),
        false,
    ))
}

impl<A: ContactsApi + 'static> Client<A> {
    /// Official contacts for each input (raw organization numbers as typed). The job holds a
    /// clone of the client and owns its inputs.
    pub fn bulk_official_contacts<I>(&self, inputs: I) -> BulkJob<A, OfficialContactsLookup>
    where
        I: IntoIterator,
        I::Item: Into<String> + 'static,
        I::IntoIter: Send + 'static,
    {
        BulkJob::new(self.clone(), inputs, OfficialContactsLookup)
    }

    /// Personal contacts matching `filter` for each input (raw organization numbers as typed).
    pub fn bulk_personal_contacts<I>(
        &self,
        inputs: I,
        filter: PersonalContactsFilter,
    ) -> BulkJob<A, PersonalContactsLookup>
    where
        I: IntoIterator,
        I::Item: Into<String> + 'static,
        I::IntoIter: Send + 'static,
    {
        BulkJob::new(self.clone(), inputs, PersonalContactsLookup::new(filter))
    }

    /// Any [`BulkOperation`] for each input (raw organization numbers as typed).
    pub fn bulk<I, O>(&self, inputs: I, operation: O) -> BulkJob<A, O>
    where
        I: IntoIterator,
        I::Item: Into<String> + 'static,
        I::IntoIter: Send + 'static,
        O: BulkOperation + 'static,
    {
        BulkJob::new(self.clone(), inputs, operation)
    }
}
