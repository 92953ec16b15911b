//! The Altinn 3 backend against the sandbox's emulations of the successors: official contacts
//! from Profile in batches of 100, a sub-unit answered with its main unit's addresses, an
//! organization from Enhetsregisteret, and the call that has no successor.
//!
//! ```text
//! cargo run -p altinn-contacts-altinn3 --example sandbox
//! ```
#![allow(clippy::print_stdout)] // An example prints its results.

use std::sync::Arc;

use altinn_contacts_altinn3::Altinn3Api;
use altinn_contacts_api::{ContactPointSearch, ContactsApi, Expand, Operation, OrganizationNumber};
use altinn_contacts_reqwest::{SecretString, TokenError, TokenProvider, async_trait};
use altinn_contacts_sandbox::{OrganizationRecord, Sandbox};

/// The sandbox's pre-issued Altinn token; a real program uses a `MaskinportenTokenProvider` with
/// the Altinn exchange.
struct SandboxToken(String);

#[async_trait]
impl TokenProvider for SandboxToken {
    async fn token(&self) -> Result<SecretString, TokenError> {
        Ok(SecretString::from(self.0.clone()))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder()
        .organizations(1000)
        .with_organization(
            OrganizationRecord::new("310524832", "FIRMA AS AVD BERGEN")
                .organization_type("BEDR")
                .main_unit("910021451"),
        )
        .start()
        .await?;
    let mut builder = Altinn3Api::builder()
        .platform_url(sandbox.platform_url())
        .kofuvi_url(sandbox.kofuvi_url())
        .enhetsregisteret_url(sandbox.enhetsregisteret_url())
        .token_provider(Arc::new(SandboxToken(sandbox.successor_token().to_owned())))
        .resource_id(sandbox.resource_id());
    if let Some(key) = sandbox.subscription_key() {
        builder = builder.subscription_key(key);
    }
    let api = builder.build()?;

    let orgs: Vec<OrganizationNumber> = sandbox
        .organization_numbers()
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    let mut addresses = 0;
    for batch in orgs.chunks(api.batch_limit(Operation::OfficialContacts)) {
        for result in api.official_contacts_batch(batch).await {
            addresses += result?.items().len();
        }
    }
    println!(
        "{} organizations, {addresses} official addresses, {} requests",
        orgs.len(),
        sandbox
            .successor_requests(altinn_contacts_sandbox::SuccessorEndpoint::NotificationAddresses)
    );

    let sub: OrganizationNumber = "310524832".parse()?;
    let unit = api.organization(&sub, Expand::OfficialContacts).await?;
    let contacts = api.official_contacts(&sub).await?;
    println!(
        "{} ({}): {} addresses, from {}",
        unit.name.as_deref().unwrap_or("?"),
        unit.organization_type.as_ref().map_or("?", |t| t.as_str()),
        contacts.items().len(),
        contacts
            .address_origin
            .as_ref()
            .map_or("itself", |o| o.as_str())
    );

    let search = ContactPointSearch::email("post@firma.no".parse()?);
    if let Err(e) = api.search_organizations(&search).await {
        println!("{e}");
    }
    Ok(())
}
