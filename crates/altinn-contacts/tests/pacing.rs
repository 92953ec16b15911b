//! Bulk pacing over the real transport: a rate limit counts every request that reaches the
//! server, retries included, and a `429` pauses the whole job. The server is wiremock on
//! loopback, timestamping each request as it arrives.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use altinn_contacts::{
    Client, ConfigBuilderExt, OrganizationNumber, RateLimit, RetryPolicy, Throttle,
};
use futures::StreamExt;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CONTACTS: &str = include_str!(
    "../../altinn-contacts-model/samples/OfficialContactList/seed-official-contacts.json"
);

/// Answers by a script of statuses (then 200s) and records when each request arrived and, for a
/// `429`, when it was answered.
#[derive(Clone, Default)]
struct Recorder {
    arrivals: Arc<Mutex<Vec<Instant>>>,
    throttled_at: Arc<Mutex<Vec<Instant>>>,
    /// Every `n`th request is answered `503` (0: never).
    every_nth_503: usize,
    /// The first `n` requests are answered `429` with `Retry-After: 2`.
    first_429s: usize,
}

impl Respond for Recorder {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let n = {
            let mut arrivals = self.arrivals.lock().unwrap();
            arrivals.push(now);
            arrivals.len()
        };
        if n <= self.first_429s {
            self.throttled_at.lock().unwrap().push(now);
            return ResponseTemplate::new(429).insert_header("Retry-After", "2");
        }
        if self.every_nth_503 > 0 && n % self.every_nth_503 == 0 {
            return ResponseTemplate::new(503);
        }
        ResponseTemplate::new(200)
            .insert_header("Content-Type", "application/hal+json")
            .set_body_string(CONTACTS)
    }
}

fn numbers(count: usize) -> Vec<String> {
    (100_000_000u32..)
        .map(|n| n.to_string())
        .filter(|n| n.parse::<OrganizationNumber>().is_ok())
        .take(count)
        .collect()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(
            RetryPolicy::new()
                .max_attempts(10)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
        .build_client()
        .unwrap()
}

/// The most requests that arrived within any window of `window`.
fn busiest(arrivals: &[Instant], window: Duration) -> usize {
    let mut sorted = arrivals.to_vec();
    sorted.sort();
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| **t - sorted[i] < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_counts_retries() {
    let server = MockServer::start().await;
    // Every third request fails, so about half as many retries as calls reach the server.
    let recorder = Recorder {
        every_nth_503: 3,
        ..Recorder::default()
    };
    Mock::given(method("GET"))
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let inputs = numbers(40);
    let results: Vec<_> = client(&server)
        .bulk_official_contacts(inputs.clone())
        .concurrency(16)
        .rate_limit(RateLimit::per_second(20.0).unwrap())
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), inputs.len());
    assert!(results.iter().all(|r| r.outcome.is_ok()));
    let arrivals = recorder.arrivals.lock().unwrap().clone();
    assert!(arrivals.len() >= 55, "too few retries: {}", arrivals.len());
    let peak = busiest(&arrivals, Duration::from_secs(1));
    assert!(peak <= 20, "{peak} requests within one second at --rate 20");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_pauses_every_task_of_the_job() {
    let server = MockServer::start().await;
    let recorder = Recorder {
        first_429s: 1,
        ..Recorder::default()
    };
    Mock::given(method("GET"))
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let inputs = numbers(24);
    let throttle = Arc::new(Throttle::new(None));
    let results: Vec<_> = client(&server)
        .bulk_official_contacts(inputs.clone())
        .concurrency(8)
        .pacer(throttle.clone())
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), inputs.len());
    assert!(results.iter().all(|r| r.outcome.is_ok()));
    let throttled = recorder.throttled_at.lock().unwrap()[0];
    let arrivals = recorder.arrivals.lock().unwrap().clone();
    // Requests already on their way when the 429 was sent may still arrive just after it; no
    // request may start after the client has seen it until `Retry-After` has passed.
    // (A generous allowance for a loaded machine; the pause is two seconds.)
    let slack = Duration::from_millis(300);
    let inside: Vec<Duration> = arrivals
        .iter()
        .filter(|t| **t > throttled + slack && **t < throttled + Duration::from_secs(2))
        .map(|t| *t - throttled)
        .collect();
    assert!(inside.is_empty(), "requests during the pause: {inside:?}");
    assert_eq!(throttle.pauses(), 1);
    assert_eq!(arrivals.len(), inputs.len() + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pacer_set_on_the_transport_paces_every_call_and_hears_every_429() {
    let server = MockServer::start().await;
    let recorder = Recorder {
        first_429s: 1,
        ..Recorder::default()
    };
    Mock::given(method("GET"))
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let throttle = Arc::new(Throttle::new(Some(RateLimit::per_second(20.0).unwrap())));
    let api = altinn_contacts::ReqwestContactsApi::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(RetryPolicy::new().initial_backoff(Duration::from_millis(1)))
        .pacer(throttle.clone())
        .build()
        .unwrap();
    let client = Client::new(api);
    let started = Instant::now();
    for number in numbers(5) {
        let org: OrganizationNumber = number.parse().unwrap();
        client.official_contacts(&org).await.unwrap();
    }
    // The first call's 429 paused for two seconds; then five more requests 50 ms apart.
    assert!(
        started.elapsed() >= Duration::from_millis(2200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(throttle.pauses(), 1);
    let arrivals = recorder.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 6);
    assert!(arrivals[1] - arrivals[0] >= Duration::from_millis(1990));
    // The pacer spaces the starts 50 ms apart; when each start reaches the server varies with
    // the machine's load, so the span of the last five arrivals is checked rather than each
    // gap (unpaced, five calls on loopback take a few milliseconds).
    let span = arrivals[5] - arrivals[1];
    assert!(span >= Duration::from_millis(180), "{span:?}");
}
