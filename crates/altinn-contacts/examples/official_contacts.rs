//! Official contacts of one organization, from the embedded sandbox.
//!
//! ```text
//! cargo run -p altinn-contacts --example official_contacts [ORGNR]
//! ```
//!
//! Against Altinn, build the client with `.environment(..)`, `.api_key(..)` and
//! `.certificate(..)` instead of the sandbox's base URL and key; nothing else changes.
#![allow(clippy::print_stdout)] // An example prints its results.

use altinn_contacts::{Client, ConfigBuilderExt, OrganizationNumber};
use altinn_contacts_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .build_client()?;

    let given = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "910021451".into());
    // Typed input is validated before anything is sent.
    let org: OrganizationNumber = given.parse()?;
    let contacts = client.official_contacts(&org).await?;
    println!("official contacts of {org}:");
    for contact in contacts.items() {
        println!(
            "  mobile {:<12} e-mail {}",
            contact.mobile().unwrap_or("-"),
            contact.email().unwrap_or("-")
        );
    }
    Ok(())
}
