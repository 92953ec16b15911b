//! Bulk invariants, property-tested over a hand-written fake with random latencies (on tokio's
//! paused clock, so the tests are fast): every input ends as exactly one result, invalid inputs
//! become their own error results, concurrency and rate limits hold.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use altinn_contacts::{
    Client, ContactPointSearch, ContactsApi, Error, Expand, HttpFailure, OfficialContact,
    OfficialContactList, Operation, Organization, OrganizationList, OrganizationNumber,
    OrganizationsQuery, PersonId, PersonalContactList, PersonalContactsFilter, RateLimit, RoleList,
};
use futures::StreamExt;
use proptest::prelude::*;

/// Knows some organizations; answers after a delay derived from the number; tracks concurrency.
struct Fake {
    known: HashSet<String>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    starts: Mutex<Vec<tokio::time::Instant>>,
}

impl Fake {
    fn new(known: HashSet<String>) -> Self {
        Fake {
            known,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            starts: Mutex::default(),
        }
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
        self.starts
            .lock()
            .unwrap()
            .push(tokio::time::Instant::now());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let digits: u64 = org.as_str().parse().unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(digits % 97)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.known.contains(org.as_str()) {
            let mut c = OfficialContact::default();
            c.email_address = Some(format!("post@{}.no", org.as_str()));
            Ok(OfficialContactList::from_items("x", vec![c]))
        } else {
            Err(Error::from_status(
                HttpFailure::new(Operation::OfficialContacts, 404, "Not Found"),
                None,
            ))
        }
    }
    async fn personal_contacts(
        &self,
        _: &OrganizationNumber,
        _: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        unused()
    }
    async fn roles(&self, _: &OrganizationNumber, _: &PersonId) -> Result<RoleList, Error> {
        unused()
    }
}

/// A valid organization number from eight digits (skips the ones with no valid check digit).
fn valid_from(seed: u32) -> Option<String> {
    let base = format!("{:08}", seed % 100_000_000);
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|n| n.parse::<OrganizationNumber>().is_ok())
}

#[derive(Clone, Debug)]
enum Input {
    Known(u32),
    Unknown(u32),
    Garbage(String),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        any::<u32>().prop_map(Input::Known),
        any::<u32>().prop_map(Input::Unknown),
        ".{0,14}".prop_map(Input::Garbage),
        "[0-9]{9}".prop_map(Input::Garbage),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_input_ends_as_exactly_one_result(
        inputs in prop::collection::vec(input(), 0..120),
        concurrency in 1usize..20,
    ) {
        let mut known = HashSet::new();
        let raw: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::Known(s) => {
                    let n = valid_from(*s).unwrap_or_else(|| "910021451".into());
                    known.insert(n.clone());
                    n
                }
                Input::Unknown(s) => valid_from(s.wrapping_add(7)).unwrap_or_else(|| "310524832".into()),
                Input::Garbage(g) => g.clone(),
            })
            .collect();
        // An "unknown" draw may collide with a known number; the expectation follows the set.
        let fake = Fake::new(known.clone());
        let client = Client::from_api(fake);
        let results = runtime().block_on(
            client.bulk_official_contacts(raw.clone()).concurrency(concurrency).stream().collect::<Vec<_>>(),
        );
        prop_assert_eq!(results.len(), raw.len());
        let mut seen = vec![false; raw.len()];
        for r in &results {
            prop_assert!(!seen[r.index], "index {} twice", r.index);
            seen[r.index] = true;
            prop_assert_eq!(&r.input, &raw[r.index]);
            match (r.input.parse::<OrganizationNumber>(), &r.outcome) {
                (Err(_), Err(Error::InvalidInput(_))) => {}
                (Ok(n), Ok(list)) => {
                    prop_assert!(known.contains(n.as_str()));
                    let expected = format!("post@{}.no", n.as_str());
                    prop_assert_eq!(list.items()[0].email(), Some(expected.as_str()));
                }
                (Ok(n), Err(e)) => {
                    prop_assert!(!known.contains(n.as_str()));
                    prop_assert_eq!(e.status(), Some(404));
                }
                (parsed, outcome) => prop_assert!(false, "{:?} gave {:?}", parsed, outcome),
            }
        }
        prop_assert!(client.api().max_in_flight.load(Ordering::SeqCst) <= concurrency);
    }
}

#[test]
fn results_arrive_as_each_finishes_not_in_input_order() {
    // The fake sleeps `number % 97` ms: put a slow number first, a fast one second, and an
    // invalid input (answered at once) last.
    let slow = (0..1000u32)
        .filter_map(valid_from)
        .find(|n| n.parse::<u64>().unwrap() % 97 > 50)
        .unwrap();
    let fast = (0..1000u32)
        .filter_map(valid_from)
        .find(|n| (5..10).contains(&(n.parse::<u64>().unwrap() % 97)))
        .unwrap();
    let known: HashSet<String> = [slow.clone(), fast.clone()].into();
    let client = Client::from_api(Fake::new(known));
    let results = runtime().block_on(
        client
            .bulk_official_contacts(vec![slow, fast, "bad".to_string()])
            .stream()
            .collect::<Vec<_>>(),
    );
    let order: Vec<usize> = results.iter().map(|r| r.index).collect();
    assert_eq!(order, vec![2, 1, 0]);
}

#[test]
fn the_rate_limit_spaces_the_starts_of_calls() {
    let inputs: Vec<String> = (0..40u32).filter_map(valid_from).take(12).collect();
    let client = Client::from_api(Fake::new(inputs.iter().cloned().collect()));
    let rt = runtime();
    let started = rt.block_on(async { tokio::time::Instant::now() });
    let results = rt.block_on(
        client
            .bulk_official_contacts(inputs.clone())
            .concurrency(12)
            .rate_limit(RateLimit::per_second(5.0).unwrap())
            .stream()
            .collect::<Vec<_>>(),
    );
    assert_eq!(results.len(), 12);
    assert!(results.iter().all(|r| r.outcome.is_ok()));
    let mut starts = client.api().starts.lock().unwrap().clone();
    starts.sort();
    for pair in starts.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(200),
            "{:?}",
            pair[1] - pair[0]
        );
    }
    assert!(starts[0] - started < Duration::from_millis(200));
    // An invalid input is answered without waiting for a slot.
    let mut inputs_with_bad = vec!["x".to_string()];
    inputs_with_bad.extend(inputs);
    let client = Client::from_api(Fake::new(HashSet::new()));
    let first = rt.block_on(async {
        let mut s = client
            .bulk_official_contacts(inputs_with_bad)
            .rate_limit(RateLimit::per_second(1.0).unwrap())
            .stream();
        s.next().await.unwrap()
    });
    assert_eq!(first.index, 0);
    assert!(matches!(first.outcome, Err(Error::InvalidInput(_))));
}

#[test]
fn shared_client_across_tasks() {
    // The stream is Send, so a job can run on a spawned task of a multi-thread runtime.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .worker_threads(2)
        .build()
        .unwrap();
    let client = Arc::new(Client::from_api(Fake::new(
        ["910021451".to_string()].into(),
    )));
    let got = rt.block_on(async move {
        tokio::spawn(async move {
            client
                .bulk_official_contacts(["910021451", "910021452"])
                .stream()
                .collect::<Vec<_>>()
                .await
        })
        .await
        .unwrap()
    });
    assert_eq!(got.len(), 2);
}
