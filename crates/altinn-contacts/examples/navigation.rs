//! HAL navigation: from an organization to its personal contacts and from each person to their
//! roles, following the links in the responses (the transport checks them against its base URL).
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
    println!(
        "{} ({})",
        org.display_name().unwrap_or_default(),
        org.organization_number
            .as_ref()
            .map(|n| n.as_str())
            .unwrap_or_default()
    );
    let official = client.follow_official_contacts(&org).await?;
    println!("  {} official contact points", official.items().len());
    let people = client
        .follow_personal_contacts(&org, &PersonalContactsFilter::new())
        .await?;
    for person in people.items() {
        // Identity numbers print masked: `NationalIdentityNumber` never shows its digits.
        // A field Altinn did not send is `None`; print it as an empty string.
        let fnr = person
            .social_security_number
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        println!(
            "  {} (fnr {fnr})",
            person.display_name().unwrap_or_default()
        );
        for role in client.follow_roles(person).await?.items() {
            println!("    {}", role.role_name.as_deref().unwrap_or_default());
        }
    }
    Ok(())
}
