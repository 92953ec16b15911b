//! Bulk jobs over a backend that takes many organizations per call (`batch_limit` above 1): one
//! `*_batch` call per batch of valid numbers, every input still exactly one result (invalid
//! ones, and the ones a short batch answer left out, as errors of their own), the pacer awaited
//! once per batch, `concurrency` batches in flight, results streamed as batches finish, and
//! nothing more started once the stream is dropped. The backend is a hand-written counting fake
//! on tokio's paused clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use altinn_contacts::{
    BulkOperation, BulkResult, Client, ContactPointSearch, ContactsApi, Error, Expand, HttpFailure,
    OfficialContact, OfficialContactList, Operation, Organization, OrganizationList,
    OrganizationNumber, OrganizationsQuery, Pacer, PersonId, PersonalContact, PersonalContactList,
    PersonalContactsFilter, RoleList,
};
use futures::StreamExt;
use futures::future::BoxFuture;

/// How a fake answers a batch: as asked, or with a number of results off by `delta`.
#[derive(Clone, Copy)]
enum Answer {
    Exact,
    Off(isize),
}

/// Batches at `limit` organizations; answers each organization with a list naming it (or 404
/// for numbers ending in 7), after a delay; counts every call and the batches in flight.
struct Fake {
    limit: usize,
    answer: Answer,
    /// Delay of a batch by its first organization's number (default 10 ms).
    delays: HashMap<String, Duration>,
    single_calls: AtomicUsize,
    batch_calls: AtomicUsize,
    batch_sizes: Mutex<Vec<usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    filters: Mutex<Vec<PersonalContactsFilter>>,
}

impl Fake {
    fn new(limit: usize) -> Self {
        Fake {
            limit,
            answer: Answer::Exact,
            delays: HashMap::new(),
            single_calls: AtomicUsize::new(0),
            batch_calls: AtomicUsize::new(0),
            batch_sizes: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            filters: Mutex::default(),
        }
    }

    fn one(org: &OrganizationNumber) -> Result<OfficialContactList, Error> {
        if org.as_str().ends_with('7') {
            return Err(Error::from_status(
                HttpFailure::new(Operation::OfficialContacts, 404, "Not Found"),
                None,
            ));
        }
        let mut c = OfficialContact::default();
        c.email_address = Some(format!("post@{}.no", org.as_str()));
        Ok(OfficialContactList::from_items("x", vec![c]))
    }

    async fn batch<T>(
        &self,
        orgs: &[OrganizationNumber],
        each: impl Fn(&OrganizationNumber) -> Result<T, Error>,
    ) -> Vec<Result<T, Error>> {
        self.batch_calls.fetch_add(1, Ordering::SeqCst);
        self.batch_sizes.lock().unwrap().push(orgs.len());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = orgs
            .first()
            .and_then(|o| self.delays.get(o.as_str()).copied())
            .unwrap_or(Duration::from_millis(10));
        tokio::time::sleep(delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let mut out: Vec<_> = orgs.iter().map(&each).collect();
        match self.answer {
            Answer::Exact => {}
            Answer::Off(d) if d < 0 => out.truncate(orgs.len().saturating_sub(d.unsigned_abs())),
            Answer::Off(d) => {
                for _ in 0..d {
                    out.push(each(&"910021451".parse().unwrap()));
                }
            }
        }
        out
    }
}

fn unused<T>() -> Result<T, Error> {
    Err(Error::from_status(
        HttpFailure::new(Operation::Roles, 500, "not used"),
        None,
    ))
}

#[async_trait::async_trait]
impl ContactsApi for Fake {
    async fn organizations(&self, _: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        unused()
    }
    async fn search_organizations(
        &self,
        _: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        unused()
    }
    async fn organization(&self, _: &OrganizationNumber, _: Expand) -> Result<Organization, Error> {
        unused()
    }
    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        self.single_calls.fetch_add(1, Ordering::SeqCst);
        Fake::one(org)
    }
    async fn personal_contacts(
        &self,
        _: &OrganizationNumber,
        _: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        self.single_calls.fetch_add(1, Ordering::SeqCst);
        unused()
    }
    async fn roles(&self, _: &OrganizationNumber, _: &PersonId) -> Result<RoleList, Error> {
        unused()
    }
    fn batch_limit(&self, _: Operation) -> usize {
        self.limit
    }
    async fn official_contacts_batch(
        &self,
        orgs: &[OrganizationNumber],
    ) -> Vec<Result<OfficialContactList, Error>> {
        self.batch(orgs, Fake::one).await
    }
    async fn personal_contacts_batch(
        &self,
        orgs: &[OrganizationNumber],
        filter: &PersonalContactsFilter,
    ) -> Vec<Result<PersonalContactList, Error>> {
        self.filters.lock().unwrap().push(filter.clone());
        self.batch(orgs, |org| {
            let mut c = PersonalContact::default();
            c.email_address = Some(format!("person@{}.no", org.as_str()));
            Ok(PersonalContactList::from_items("x", vec![c]))
        })
        .await
    }
}

/// Counts the waits for it; never waits.
#[derive(Debug, Default)]
struct CountingPacer {
    ready: AtomicUsize,
}

#[async_trait::async_trait]
impl Pacer for CountingPacer {
    async fn ready(&self) {
        self.ready.fetch_add(1, Ordering::SeqCst);
    }
    fn pause(&self, _: Duration) {}
}

fn numbers(count: usize) -> Vec<String> {
    (100_000_000u32..)
        .map(|n| n.to_string())
        .filter(|n| n.parse::<OrganizationNumber>().is_ok())
        .take(count)
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

/// Each input exactly once, by index, and each outcome the one for its own input.
fn check_official(inputs: &[String], results: &[BulkResult<OfficialContactList>]) {
    assert_eq!(results.len(), inputs.len(), "one result per input");
    let mut seen = vec![false; inputs.len()];
    for r in results {
        assert!(!seen[r.index], "input {} answered twice", r.index);
        seen[r.index] = true;
        assert_eq!(r.input, inputs[r.index]);
        match (&r.outcome, r.input.parse::<OrganizationNumber>()) {
            (Err(Error::InvalidInput(_)), Err(_)) => {}
            (Ok(list), Ok(org)) => assert_eq!(
                list.items()[0].email_address.as_deref(),
                Some(format!("post@{}.no", org.as_str()).as_str()),
                "result of {} belongs to another organization",
                r.input
            ),
            (Err(e), Ok(org)) => {
                assert!(org.as_str().ends_with('7'), "{}: {e}", r.input);
                assert_eq!(e.status(), Some(404));
            }
            (other, _) => panic!("{}: unexpected {other:?}", r.input),
        }
    }
}

#[test]
fn ten_thousand_organizations_at_a_limit_of_100_are_100_batch_calls() {
    runtime().block_on(async {
        let inputs = numbers(10_000);
        let fake = Arc::new(Fake::new(100));
        let client = Client::from_api(Arc::clone(&fake));
        let pacer = Arc::new(CountingPacer::default());
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .pacer(pacer.clone())
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 100);
        assert_eq!(fake.single_calls.load(Ordering::SeqCst), 0);
        assert!(fake.batch_sizes.lock().unwrap().iter().all(|&n| n == 100));
        // A batch is one request: one wait for the job's pacer each.
        assert_eq!(pacer.ready.load(Ordering::SeqCst), 100);
    });
}

#[test]
fn invalid_inputs_mixed_in_are_their_own_results_and_never_sent() {
    runtime().block_on(async {
        let valid = numbers(250);
        let mut inputs = Vec::new();
        for (i, n) in valid.iter().enumerate() {
            inputs.push(n.clone());
            if i % 7 == 0 {
                inputs.push(format!("x{i}"));
                inputs.push("123456789".into()); // bad check digit
                inputs.push(String::new());
            }
        }
        let fake = Arc::new(Fake::new(100));
        let client = Client::from_api(Arc::clone(&fake));
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .concurrency(3)
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        assert_eq!(
            results
                .iter()
                .filter(|r| matches!(r.outcome, Err(Error::InvalidInput(_))))
                .count(),
            inputs.len() - 250
        );
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 3);
        assert_eq!(*fake.batch_sizes.lock().unwrap(), vec![100, 100, 50]);
    });
}

#[test]
fn a_short_batch_answer_turns_the_left_out_inputs_into_errors() {
    runtime().block_on(async {
        let inputs = numbers(230);
        let mut fake = Fake::new(100);
        fake.answer = Answer::Off(-3);
        let fake = Arc::new(fake);
        let client = Client::from_api(Arc::clone(&fake));
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 230);
        let mut indexes: Vec<_> = results.iter().map(|r| r.index).collect();
        indexes.sort_unstable();
        assert_eq!(indexes, (0..230).collect::<Vec<_>>());
        // The last three of each batch (100, 100, 30) have no answer.
        let missing: Vec<usize> = {
            let mut m: Vec<_> = results
                .iter()
                .filter(|r| matches!(r.outcome, Err(Error::Decode(_))))
                .map(|r| r.index)
                .collect();
            m.sort_unstable();
            m
        };
        assert_eq!(missing, vec![97, 98, 99, 197, 198, 199, 227, 228, 229]);
        let err = results
            .iter()
            .find(|r| r.index == 97)
            .unwrap()
            .outcome
            .as_ref()
            .unwrap_err();
        assert_eq!(err.operation(), Some(Operation::OfficialContacts));
        assert!(
            err.to_string().contains("97 results for a batch of 100"),
            "{err}"
        );
        // The ones answered are still each their own.
        let answered: Vec<_> = results
            .into_iter()
            .filter(|r| !matches!(r.outcome, Err(Error::Decode(_))))
            .collect();
        for r in &answered {
            let org: OrganizationNumber = r.input.parse().unwrap();
            if let Ok(list) = &r.outcome {
                assert_eq!(
                    list.items()[0].email_address.as_deref(),
                    Some(format!("post@{}.no", org.as_str()).as_str())
                );
            }
        }
    });
}

#[test]
fn an_empty_batch_answer_is_an_error_for_each_input() {
    runtime().block_on(async {
        let inputs = numbers(40);
        let mut fake = Fake::new(100);
        fake.answer = Answer::Off(-1000);
        let client = Client::from_api(Arc::new(fake));
        let results: Vec<_> = client
            .bulk_official_contacts(inputs)
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 40);
        assert!(
            results
                .iter()
                .all(|r| matches!(r.outcome, Err(Error::Decode(_))))
        );
    });
}

#[test]
fn extra_results_in_a_batch_answer_are_ignored() {
    runtime().block_on(async {
        let inputs = numbers(150);
        let mut fake = Fake::new(100);
        fake.answer = Answer::Off(5);
        let fake = Arc::new(fake);
        let client = Client::from_api(Arc::clone(&fake));
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn concurrency_counts_batches_in_flight() {
    runtime().block_on(async {
        let inputs = numbers(2_000);
        let fake = Arc::new(Fake::new(50));
        let client = Client::from_api(Arc::clone(&fake));
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .concurrency(4)
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 40);
        assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 4);
    });
}

#[test]
fn a_rate_limit_counts_a_batch_as_one_request() {
    runtime().block_on(async {
        let inputs = numbers(1_000);
        let fake = Arc::new(Fake::new(100));
        let client = Client::from_api(Arc::clone(&fake));
        let start = tokio::time::Instant::now();
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .concurrency(16)
            .rate_limit(altinn_contacts::RateLimit::per_second(2.0).unwrap())
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        // Ten batches at two a second: the tenth starts 4.5 s after the first, not 499.5 s
        // (as 1,000 paced single calls would).
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(4_500), "{took:?}");
        assert!(took < Duration::from_secs(6), "{took:?}");
    });
}

#[test]
fn results_stream_as_each_batch_finishes() {
    runtime().block_on(async {
        let inputs = numbers(300);
        let mut fake = Fake::new(100);
        // The first batch is slow: the second and third finish first.
        fake.delays
            .insert(inputs[0].clone(), Duration::from_secs(10));
        let client = Client::from_api(Arc::new(fake));
        let mut stream = client.bulk_official_contacts(inputs).stream();
        let start = tokio::time::Instant::now();
        let first = stream.next().await.unwrap();
        assert!(
            first.index >= 100,
            "first result from batch 1: {}",
            first.index
        );
        assert!(start.elapsed() < Duration::from_secs(1));
        let rest: Vec<_> = stream.collect().await;
        assert_eq!(rest.len(), 299);
        assert!(start.elapsed() >= Duration::from_secs(10));
    });
}

#[test]
fn dropping_the_stream_starts_no_more_batches() {
    runtime().block_on(async {
        let inputs = numbers(10_000);
        let fake = Arc::new(Fake::new(100));
        let client = Client::from_api(Arc::clone(&fake));
        let mut stream = client
            .bulk_official_contacts(inputs)
            .concurrency(2)
            .stream();
        for _ in 0..150 {
            stream.next().await.unwrap();
        }
        drop(stream);
        let started = fake.batch_calls.load(Ordering::SeqCst);
        assert!(started <= 4, "{started} batches started for 150 results");
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), started);
    });
}

#[test]
fn personal_contacts_are_batched_with_the_filter() {
    runtime().block_on(async {
        let inputs = numbers(250);
        let fake = Arc::new(Fake::new(100));
        let client = Client::from_api(Arc::clone(&fake));
        let filter = PersonalContactsFilter::default();
        let results: Vec<_> = client
            .bulk_personal_contacts(inputs.clone(), filter.clone())
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 250);
        for r in &results {
            let list = r.outcome.as_ref().unwrap();
            assert_eq!(
                list.items()[0].email_address.as_deref(),
                Some(format!("person@{}.no", inputs[r.index]).as_str())
            );
        }
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 3);
        assert_eq!(fake.single_calls.load(Ordering::SeqCst), 0);
        assert_eq!(fake.filters.lock().unwrap().len(), 3);
    });
}

#[test]
fn a_limit_of_one_makes_one_call_per_organization() {
    runtime().block_on(async {
        let inputs = numbers(120);
        let fake = Arc::new(Fake::new(1));
        let client = Client::from_api(Arc::clone(&fake));
        let pacer = Arc::new(CountingPacer::default());
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .pacer(pacer.clone())
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        assert_eq!(fake.single_calls.load(Ordering::SeqCst), 120);
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 0);
        assert_eq!(pacer.ready.load(Ordering::SeqCst), 120);
    });
}

/// A custom per-organization call written before batches existed: still one call each.
struct Custom;

impl BulkOperation for Custom {
    type Output = usize;

    fn call<'a, A: ContactsApi>(
        &'a self,
        _: &'a A,
        org: &'a OrganizationNumber,
    ) -> BoxFuture<'a, Result<usize, Error>> {
        Box::pin(async move { Ok(org.as_str().len()) })
    }
}

#[test]
fn a_custom_operation_without_batches_is_called_per_organization() {
    runtime().block_on(async {
        let inputs = numbers(300);
        let fake = Arc::new(Fake::new(100));
        let client = Client::from_api(Arc::clone(&fake));
        let pacer = Arc::new(CountingPacer::default());
        let results: Vec<_> = client
            .bulk(inputs, Custom)
            .pacer(pacer.clone())
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 300);
        assert!(results.iter().all(|r| r.outcome.as_ref().ok() == Some(&9)));
        assert_eq!(pacer.ready.load(Ordering::SeqCst), 300);
        assert_eq!(fake.batch_calls.load(Ordering::SeqCst), 0);
    });
}

/// A custom call that batches: its `call_batch` is used, at the backend's limit.
struct CustomBatched {
    batches: Arc<AtomicUsize>,
}

impl BulkOperation for CustomBatched {
    type Output = String;

    fn call<'a, A: ContactsApi>(
        &'a self,
        _: &'a A,
        _: &'a OrganizationNumber,
    ) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async { panic!("per-organization call on a batching operation") })
    }
    fn operation(&self) -> Option<Operation> {
        Some(Operation::GetOrganization)
    }
    fn batch_limit<A: ContactsApi>(&self, api: &A) -> usize {
        api.batch_limit(Operation::GetOrganization)
    }
    fn call_batch<'a, A: ContactsApi>(
        &'a self,
        _: &'a A,
        orgs: &'a [OrganizationNumber],
    ) -> BoxFuture<'a, Vec<Result<String, Error>>> {
        self.batches.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { orgs.iter().map(|o| Ok(o.as_str().to_owned())).collect() })
    }
}

#[test]
fn a_custom_operation_may_batch() {
    runtime().block_on(async {
        let inputs = numbers(1_001);
        let client = Client::from_api(Arc::new(Fake::new(100)));
        let batches = Arc::new(AtomicUsize::new(0));
        let op = CustomBatched {
            batches: Arc::clone(&batches),
        };
        let results: Vec<_> = client.bulk(inputs.clone(), op).stream().collect().await;
        assert_eq!(results.len(), 1_001);
        assert_eq!(batches.load(Ordering::SeqCst), 11);
        for r in &results {
            assert_eq!(r.outcome.as_ref().unwrap(), &inputs[r.index]);
        }
    });
}

#[test]
fn a_huge_limit_is_capped() {
    runtime().block_on(async {
        let inputs = numbers(2_500);
        let fake = Arc::new(Fake::new(usize::MAX));
        let client = Client::from_api(Arc::clone(&fake));
        let results: Vec<_> = client
            .bulk_official_contacts(inputs.clone())
            .stream()
            .collect()
            .await;
        check_official(&inputs, &results);
        assert_eq!(
            *fake.batch_sizes.lock().unwrap(),
            vec![altinn_contacts::MAX_BATCH, altinn_contacts::MAX_BATCH, 500]
        );
    });
}
