//! Credentials end to end against the sandbox: the Maskinporten provider with the Altinn
//! exchange gives Profile and Access Management their token; the enterprise certificate goes to
//! KoFuVi (mutual TLS) and nowhere else.

use std::sync::Arc;

use altinn_contacts_altinn3::{Altinn3Api, OfficialContactsSource};
use altinn_contacts_api::{AuthFailure, ContactsApi, Error, Expand, OrganizationNumber, PersonId};
use altinn_contacts_reqwest::{Certificate, Identity, MaskinportenTokenProvider};
use altinn_contacts_sandbox::successors::{AUTHORIZED_PARTIES_SCOPE, PROFILE_SCOPE};
use altinn_contacts_sandbox::test_pki::TestCa;
use altinn_contacts_sandbox::{
    OrganizationRecord, PersonRecord, Sandbox, SandboxBuilder, SuccessorEndpoint,
};

const MAIN: &str = "910021451";
const NIN: &str = "01017012343";

fn org(s: &str) -> OrganizationNumber {
    s.parse().unwrap()
}

fn data(builder: SandboxBuilder) -> SandboxBuilder {
    builder
        .include_seed_records(false)
        .organizations(0)
        .with_organization(
            OrganizationRecord::new(MAIN, "FIRMA AS")
                .organization_type("AS")
                .official_email("post@firma.no")
                .personal_contact(
                    PersonRecord::new("r20001", "Kari Nordmann")
                        .social_security_number(NIN)
                        .email("kari@firma.no")
                        .role_code("DAGL"),
                ),
        )
}

#[tokio::test]
async fn the_maskinporten_provider_with_the_altinn_exchange_serves_profile_and_access_management() {
    let sb = data(Sandbox::builder()).start().await.unwrap();
    let grant = TestCa::new("grant CA").client_identity();
    let provider = MaskinportenTokenProvider::builder()
        .client_id(sb.successor_client_id())
        .issuer(sb.successor_maskinporten_issuer())
        .scope(format!("{PROFILE_SCOPE} {AUTHORIZED_PARTIES_SCOPE}"))
        .exchange_url(sb.successor_exchange_url())
        .identity(
            Identity::from_pem(grant.cert_pem().as_bytes(), grant.key_pem().as_bytes()).unwrap(),
        )
        .build()
        .unwrap();
    let mut builder = Altinn3Api::builder()
        .platform_url(sb.platform_url())
        .token_provider(Arc::new(provider))
        .resource_id(sb.resource_id());
    if let Some(key) = sb.subscription_key() {
        builder = builder.subscription_key(key);
    }
    let api = builder.build().unwrap();
    let contacts = api.official_contacts(&org(MAIN)).await.unwrap();
    assert_eq!(contacts.items()[0].email(), Some("post@firma.no"));
    let nin: PersonId = NIN.parse().unwrap();
    let roles = api.roles(&org(MAIN), &nin).await.unwrap();
    assert_eq!(
        roles.embedded.roles[0].role_definition_code.as_deref(),
        Some("DAGL")
    );
    // One exchange, its token cached for both services.
    assert_eq!(sb.successor_requests(SuccessorEndpoint::TokenExchange), 1);
}

#[tokio::test]
async fn the_enterprise_certificate_goes_to_kofuvi_only() {
    let ca = TestCa::new("successors CA");
    let server = ca.server_identity();
    let sb = data(
        Sandbox::builder()
            .tls(server.cert_pem(), server.key_pem())
            .client_ca(ca.cert_pem()),
    )
    .start()
    .await
    .unwrap();
    let client = ca.client_identity();
    let root = || Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap();
    let builder = || {
        Altinn3Api::builder()
            .platform_url(sb.platform_url())
            .kofuvi_url(sb.kofuvi_url())
            .enhetsregisteret_url(sb.enhetsregisteret_url())
            .add_root_certificate(root())
            .official_contacts_source(OfficialContactsSource::Kofuvi)
    };
    let api = builder()
        .identity(
            Identity::from_pem(client.cert_pem().as_bytes(), client.key_pem().as_bytes()).unwrap(),
        )
        .build()
        .unwrap();
    let contacts = api.official_contacts(&org(MAIN)).await.unwrap();
    assert_eq!(contacts.items()[0].email(), Some("post@firma.no"));
    api.organization(&org(MAIN), Expand::None).await.unwrap();
    for r in sb.requests() {
        let kofuvi = r.path().starts_with("/api/varslingsadresser/");
        assert_eq!(r.client_certificate(), kofuvi, "{}", r.path());
    }
    // Without the certificate KoFuVi refuses; Enhetsregisteret stays open.
    let anonymous = builder().build().unwrap();
    let e = anonymous.official_contacts(&org(MAIN)).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Auth {
                kind: AuthFailure::Unauthenticated,
                ..
            }
        ),
        "{e:?}"
    );
    anonymous
        .organization(&org(MAIN), Expand::None)
        .await
        .unwrap();
}
