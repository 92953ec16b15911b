//! Official contacts for thousands of organizations at once, with a concurrency limit, against
//! a sandbox that fails 5 % of requests with `503` (the transport retries them).
//!
//! ```text
//! cargo run --release -p altinn-contacts --example bulk
//! ```
#![allow(clippy::print_stdout)] // An example prints its results.

use std::time::Instant;

use altinn_contacts::{Client, ConfigBuilderExt, Error};
use altinn_contacts_sandbox::{FaultConfig, Sandbox};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder()
        .organizations(5000)
        .faults(FaultConfig::new().error_rate(0.05, 1))
        .start()
        .await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .pool_max_idle_per_host(64)
        .build_client()?;

    // Raw input, as it would come from a file: some of it is not an organization number.
    let mut inputs = sandbox.organization_numbers();
    inputs.extend(["not a number".to_string(), "123456789".to_string()]);

    let started = Instant::now();
    let mut results = client
        .bulk_official_contacts(inputs.clone())
        .concurrency(64)
        .stream();
    let (mut ok, mut contacts, mut failed) = (0, 0, Vec::new());
    while let Some(result) = results.next().await {
        match result.outcome {
            Ok(list) => {
                ok += 1;
                contacts += list.items().len();
            }
            Err(err) => failed.push((result.input, err)),
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{} inputs: {ok} looked up ({contacts} contacts), {} failed, in {:.2} s ({:.0}/s); {} 503s were retried",
        inputs.len(),
        failed.len(),
        elapsed.as_secs_f64(),
        inputs.len() as f64 / elapsed.as_secs_f64(),
        sandbox.faults().injected(),
    );
    for (input, err) in failed {
        let kind = match err {
            Error::InvalidInput(_) => "invalid",
            Error::NotFound(_) => "not found",
            _ => "failed",
        };
        println!("  {input:?}: {kind}: {err}");
    }
    Ok(())
}
