//! HAL navigation: from an organization to its personal contacts and from each person to their
//! roles, following the links in the responses (checked against the client's origin).
//!
//! ```text
//! cargo run -p altinn-contacts --example navigation
//! ```
#![allow(clippy::print_stdout)] // An example prints its results.

use altinn_contacts::{Client, ConfigBuilderExt, Expand, PersonalContactsFilter};
use altinn_contacts_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .build_client()?;

    let org = client
        .organization(&"910021451".parse()?, Expand::None)
        .await?;
    println!("{} ({})", org.display_name(), org.organization_number);
    let official = client.follow_official_contacts(&org).await?;
    println!("  {} official contact points", official.items().len());
    let people = client
        .follow_personal_contacts(&org, &PersonalContactsFilter::new())
        .await?;
    for person in people.items() {
        // Identity numbers print masked: `NationalIdentityNumber` never shows its digits.
        println!(
            "  {} (fnr {})",
            person.display_name(),
            person.social_security_number
        );
        for role in client.follow_roles(person).await?.items() {
            println!("    {}", role.role_name);
        }
    }
    Ok(())
}
