//! How fast the sandbox serves and starts.
//!
//! Run: `cargo bench -p altinn-contacts-sandbox --bench sandbox_throughput`
//!
//! - Throughput: a fixed number of `GET organizations/{orgno}` (a small response, ~450 bytes) from
//!   concurrent keep-alive clients on loopback, a few rounds, the median in requests per second.
//!   Measured twice: with reqwest (what tests use) and with a minimal raw HTTP/1.1 client, which
//!   leaves more of the two cores to the server. Client and server share the machine, so these
//!   are lower bounds of what the server alone can do.
//! - Start-up: `start()` with 100,000 generated organizations, and the first requests that build
//!   the lazy indexes (name order, contact-point search).
// The printed figures are this binary's output.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use altinn_contacts_sandbox::Sandbox;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const REQUESTS_PER_ROUND: usize = 40_000;
const CONCURRENCY: usize = 32;
const ROUNDS: usize = 5;
const PATH: &str = "/api/serviceowner/organizations/910021451";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn client() -> reqwest::Client {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client")
}

/// One round with reqwest: `CONCURRENCY` tasks share the requests; returns requests/second.
async fn reqwest_round(sandbox: &Sandbox, client: &reqwest::Client) -> f64 {
    let url = format!("{}{PATH}", sandbox.base_url());
    let per_task = REQUESTS_PER_ROUND / CONCURRENCY;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(CONCURRENCY);
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        let url = url.clone();
        let key = sandbox.api_key().to_owned();
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_task {
                let response = client
                    .get(&url)
                    .header("ApiKey", &key)
                    .header("Accept", "application/hal+json")
                    .send()
                    .await
                    .expect("request");
                assert_eq!(response.status(), 200);
                let body = response.bytes().await.expect("body");
                assert!(!body.is_empty());
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    (per_task * CONCURRENCY) as f64 / started.elapsed().as_secs_f64()
}

/// One keep-alive connection sending `count` requests one after another, reading each answer
/// by its Content-Length.
async fn raw_connection(addr: std::net::SocketAddr, key: String, count: usize) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut stream = BufReader::new(stream);
    let request = format!(
        "GET {PATH} HTTP/1.1\r\nHost: {addr}\r\nApiKey: {key}\r\nAccept: application/hal+json\r\n\r\n"
    );
    let mut line = String::new();
    let mut body = Vec::new();
    for _ in 0..count {
        stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .expect("write");
        line.clear();
        stream.read_line(&mut line).await.expect("status");
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut length = 0;
        loop {
            line.clear();
            stream.read_line(&mut line).await.expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().expect("length");
            }
        }
        body.resize(length, 0);
        stream.read_exact(&mut body).await.expect("body");
    }
}

async fn raw_round(sandbox: &Sandbox) -> f64 {
    let per_task = REQUESTS_PER_ROUND / CONCURRENCY;
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            tokio::spawn(raw_connection(
                sandbox.local_addr(),
                sandbox.api_key().to_owned(),
                per_task,
            ))
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    (per_task * CONCURRENCY) as f64 / started.elapsed().as_secs_f64()
}

async fn throughput() {
    let sandbox = Sandbox::builder().start().await.expect("start");
    let client = client();
    // Warm up: open the pool's connections.
    reqwest_round(&sandbox, &client).await;

    let mut rates = Vec::new();
    for round in 1..=ROUNDS {
        let rate = reqwest_round(&sandbox, &client).await;
        println!("  reqwest round {round}: {rate:>9.0} req/s");
        rates.push(rate);
    }
    println!(
        "throughput, reqwest client, {CONCURRENCY} keep-alive connections, {REQUESTS_PER_ROUND} requests/round: median {:.0} req/s",
        median(rates)
    );

    let mut rates = Vec::new();
    for round in 1..=ROUNDS {
        let rate = raw_round(&sandbox).await;
        println!("  raw round {round}: {rate:>9.0} req/s");
        rates.push(rate);
    }
    println!(
        "throughput, raw HTTP/1.1 client, {CONCURRENCY} keep-alive connections, {REQUESTS_PER_ROUND} requests/round: median {:.0} req/s",
        median(rates)
    );
}

async fn startup() {
    let mut starts = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let sandbox = Sandbox::builder()
            .organizations(100_000)
            .start()
            .await
            .expect("start");
        starts.push(started.elapsed());
        assert_eq!(sandbox.organization_count(), 100_006);
    }
    let mut millis: Vec<f64> = starts.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    millis.sort_by(f64::total_cmp);
    println!(
        "start-up with 100,000 generated organizations: median {:.1} ms (min {:.1}, max {:.1})",
        millis[millis.len() / 2],
        millis[0],
        millis[millis.len() - 1]
    );

    let sandbox = Sandbox::builder()
        .organizations(100_000)
        .start()
        .await
        .expect("start");
    let client = client();
    let timed = |query: &'static str| {
        let client = client.clone();
        let url = format!(
            "{}/api/serviceowner/organizations?{query}",
            sandbox.base_url()
        );
        let key = sandbox.api_key().to_owned();
        async move {
            let started = Instant::now();
            let response = client
                .get(url)
                .header("ApiKey", key)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("body");
            started.elapsed()
        }
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let first = timed("$top=1000").await;
    let by_name_first = timed("$orderby=Name&$top=1000").await;
    let by_name_again = timed("$orderby=Name&$top=1000&$skip=50000").await;
    let search_first = timed("phoneNumber=%2B4791234567").await;
    let search_again = timed("email=regnskap@kystbasen.no").await;
    println!(
        "100,000 organizations: page of 1000 {:.1} ms; first $orderby=Name page (builds the name order) {:.1} ms, next {:.1} ms; first search (builds the contact index) {:.1} ms, next {:.1} ms",
        ms(first),
        ms(by_name_first),
        ms(by_name_again),
        ms(search_first),
        ms(search_again)
    );
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        throughput().await;
        startup().await;
    });
}
