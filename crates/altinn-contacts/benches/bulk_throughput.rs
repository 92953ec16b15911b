//! Bulk throughput of the facade against a plain reqwest + serde_json loop.
//!
//! Both look up the official contacts of the same 20,000 organizations from one in-process
//! sandbox, 64 requests in flight, over the same kind of connection pool. Rounds alternate
//! and rotate who goes first, so drift of the machine hits all; each round's ratio compares
//! neighbours in time, and the median of those is the figure to quote (the best round of each is
//! printed too). The transport alone (`ReqwestContactsApi` in a `buffer_unordered` loop) is
//! measured as well, to tell the facade's cost from the transport's. The facade adds input validation, the `ContactsApi` trait, error mapping,
//! retries, tracing spans and the bulk stream; the target is a ratio of at least 0.9.
//!
//! ```text
//! cargo bench -p altinn-contacts --bench bulk_throughput
//! ```
#![allow(clippy::print_stdout)] // A benchmark prints its figures.

use std::time::{Duration, Instant};

use altinn_contacts::{
    Client, ConfigBuilderExt, ContactsApi, OfficialContactList, OrganizationNumber,
    ReqwestContactsApi,
};
use altinn_contacts_sandbox::Sandbox;
use futures::StreamExt;

const ORGANIZATIONS: usize = 20_000;
const CONCURRENCY: usize = 64;
const ROUNDS: usize = 9;

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
        .build_client()
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
    transport_round(client.api(), &numbers[..2000]).await;
    plain_round(&plain, &sandbox, &numbers[..2000]).await;

    let mut facade = Vec::new();
    let mut transport = Vec::new();
    let mut plain_times = Vec::new();
    for round in 0..ROUNDS {
        // Rotate who goes first, so neither side always meets a warmer or busier machine.
        for turn in 0..3 {
            match (round + turn) % 3 {
                0 => facade.push(facade_round(&client, &numbers).await),
                1 => transport.push(transport_round(client.api(), &numbers).await),
                _ => plain_times.push(plain_round(&plain, &sandbox, &numbers).await),
            }
        }
        println!(
            "  round {}: facade {:>6.0} req/s   transport only {:>6.0} req/s   plain {:>6.0} req/s   ratio {:.3}",
            round + 1,
            per_second(facade[round]),
            per_second(transport[round]),
            per_second(plain_times[round]),
            plain_times[round].as_secs_f64() / facade[round].as_secs_f64(),
        );
    }
    let mut ratios: Vec<f64> = facade
        .iter()
        .zip(&plain_times)
        .map(|(f, p)| p.as_secs_f64() / f.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let best =
        |times: &[Duration]| per_second(times.iter().copied().min().unwrap_or(Duration::MAX));
    println!(
        "best: facade {:.0} req/s, transport only {:.0} req/s, plain reqwest + serde_json {:.0} req/s",
        best(&facade),
        best(&transport),
        best(&plain_times)
    );
    println!(
        "ratio facade/plain: median of rounds {:.3}, best vs best {:.3} (target >= 0.9)",
        ratios[ratios.len() / 2],
        best(&facade) / best(&plain_times)
    );
}

/// The transport alone, without the facade's bulk stream (to tell where any overhead lies).
async fn transport_round(api: &ReqwestContactsApi, numbers: &[String]) -> Duration {
    let started = Instant::now();
    let arrived = futures::stream::iter(numbers)
        .map(|n| async move {
            let org: OrganizationNumber = n.parse().expect("a valid number");
            api.official_contacts(&org)
                .await
                .expect("official contacts")
        })
        .buffer_unordered(CONCURRENCY)
        .count()
        .await;
    let elapsed = started.elapsed();
    assert_eq!(arrived, numbers.len(), "a result is missing");
    elapsed
}

fn per_second(elapsed: Duration) -> f64 {
    ORGANIZATIONS as f64 / elapsed.as_secs_f64()
}

/// One bulk job through the facade; asserts that every input came back, successfully.
async fn facade_round(client: &Client, numbers: &[String]) -> Duration {
    // The job owns its inputs (its stream is 'static); copying them is not part of the round.
    let inputs = numbers.to_vec();
    let started = Instant::now();
    let mut seen = vec![false; numbers.len()];
    let mut results = client
        .bulk_official_contacts(inputs)
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
