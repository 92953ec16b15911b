//! Bulk throughput of the facade against a plain reqwest + serde_json loop.
//!
//! Both look up the official contacts of the same 20,000 organizations from one in-process
//! sandbox, 64 requests in flight, over the same kind of connection pool. Rounds alternate
//! (facade, plain, facade, plain ...) so drift of the machine hits both; the best round of each
//! is compared. The facade adds input validation, the `ContactsApi` trait, error mapping,
//! retries, tracing spans and the bulk stream; the target is a ratio of at least 0.9.
//!
//! ```text
//! cargo bench -p altinn-contacts --bench bulk_throughput
//! ```
#![allow(clippy::print_stdout)] // A benchmark prints its figures.

use std::time::{Duration, Instant};

use altinn_contacts::{Client, OfficialContactList};
use altinn_contacts_sandbox::Sandbox;
use futures::StreamExt;

const ORGANIZATIONS: usize = 20_000;
const CONCURRENCY: usize = 64;
const ROUNDS: usize = 3;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    // The plain reqwest client needs a crypto provider (reqwest is built without one).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sandbox = Sandbox::builder()
        .organizations(ORGANIZATIONS)
        .include_seed_records(false)
        .start()
        .await
        .expect("the sandbox starts");
    let numbers = sandbox.organization_numbers();
    assert_eq!(numbers.len(), ORGANIZATIONS);

    let client = Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("the facade client");
    let plain = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("the plain client");

    println!(
        "bulk official-contacts: {ORGANIZATIONS} organizations, concurrency {CONCURRENCY}, {ROUNDS} interleaved rounds"
    );
    // Warm both pools and code paths.
    facade_round(&client, &numbers[..2000]).await;
    plain_round(&plain, &sandbox, &numbers[..2000]).await;

    let (mut best_facade, mut best_plain) = (Duration::MAX, Duration::MAX);
    for round in 1..=ROUNDS {
        let facade = facade_round(&client, &numbers).await;
        let plain_time = plain_round(&plain, &sandbox, &numbers).await;
        println!(
            "  round {round}: facade {:>8.0} req/s   plain {:>8.0} req/s",
            per_second(facade),
            per_second(plain_time)
        );
        best_facade = best_facade.min(facade);
        best_plain = best_plain.min(plain_time);
    }
    let (facade, plain_rate) = (per_second(best_facade), per_second(best_plain));
    println!("best: facade {facade:.0} req/s, plain reqwest + serde_json {plain_rate:.0} req/s");
    println!(
        "ratio facade/plain: {:.3} (target >= 0.9)",
        facade / plain_rate
    );
}

fn per_second(elapsed: Duration) -> f64 {
    ORGANIZATIONS as f64 / elapsed.as_secs_f64()
}

/// One bulk job through the facade; asserts that every input came back, successfully.
async fn facade_round(client: &Client, numbers: &[String]) -> Duration {
    let started = Instant::now();
    let mut seen = vec![false; numbers.len()];
    let mut results = client
        .bulk_official_contacts(numbers.iter().cloned())
        .concurrency(CONCURRENCY)
        .stream();
    while let Some(result) = results.next().await {
        assert!(
            result.outcome.is_ok(),
            "{}: {:?}",
            result.input,
            result.outcome
        );
        assert!(!seen[result.index], "{} twice", result.input);
        seen[result.index] = true;
    }
    let elapsed = started.elapsed();
    assert!(seen.iter().all(|s| *s), "a result is missing");
    elapsed
}

/// The same requests with reqwest and serde_json only.
async fn plain_round(client: &reqwest::Client, sandbox: &Sandbox, numbers: &[String]) -> Duration {
    let base = sandbox.base_url();
    let key = sandbox.api_key();
    let started = Instant::now();
    let arrived = futures::stream::iter(numbers)
        .map(|n| async move {
            let response = client
                .get(format!(
                    "{base}/api/serviceowner/organizations/{n}/officialcontacts"
                ))
                .header("ApiKey", key)
                .header("Accept", "application/hal+json")
                .send()
                .await
                .expect("an answer");
            assert!(response.status().is_success(), "{n}: {}", response.status());
            let body = response.bytes().await.expect("a body");
            serde_json::from_slice::<OfficialContactList>(&body).expect("official contacts")
        })
        .buffer_unordered(CONCURRENCY)
        .count()
        .await;
    let elapsed = started.elapsed();
    assert_eq!(arrived, numbers.len(), "a result is missing");
    elapsed
}
