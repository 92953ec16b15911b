//! Every organization across `$top`/`$skip` pages, as one lazy stream, from the sandbox.
//!
//! ```text
//! cargo run -p altinn-contacts --example paging
//! ```
#![allow(clippy::print_stdout)] // An example prints its results.

use std::collections::BTreeMap;

use altinn_contacts::{Client, ConfigBuilderExt, OrganizationsQuery};
use altinn_contacts_sandbox::Sandbox;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().organizations(4321).start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .build_client()?;

    // Pages are fetched as the stream is read; an error ends the stream.
    let mut organizations = client.organizations(OrganizationsQuery::new()).stream();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    while let Some(org) = organizations.try_next().await? {
        let code = org
            .organization_type
            .as_ref()
            .map_or("(none)", |t| t.as_str())
            .to_owned();
        *by_type.entry(code).or_default() += 1;
        total += 1;
    }
    println!(
        "{total} organizations in {} requests",
        sandbox.request_count()
    );
    for (code, count) in by_type {
        println!("  {code:<8} {count}");
    }

    // The same, one page at a time, starting at the 1000th and stopping after 1500.
    let pages: Vec<_> = client
        .organizations(OrganizationsQuery::new().skip(1000))
        .page_size(500)
        .limit(1500)
        .pages()
        .try_collect()
        .await?;
    println!(
        "{} pages of {:?}",
        pages.len(),
        pages.iter().map(|p| p.items().len()).collect::<Vec<_>>()
    );
    Ok(())
}
