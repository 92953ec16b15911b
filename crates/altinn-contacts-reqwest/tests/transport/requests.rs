//! What each call sends (method, path, query, headers) and that it decodes the seed samples.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, Error, Expand, LinkError, LinkRelation, LinkTarget,
    MockContactsApi, OrderBy, OrganizationNumber, OrganizationsQuery, PersonalContactsFilter,
};
use altinn_contacts_model::{Link, OfficialContactList};
use altinn_contacts_reqwest::{Identity, SecretString, TokenError, TokenProvider};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request};

use altinn_contacts_sandbox::test_pki::TestCa;

use crate::support::{API_KEY, builder, client, fixtures, hal, org};

/// The raw query string of the only request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

fn assert_common_headers(request: &Request) {
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.headers["apikey"], API_KEY);
    assert_eq!(request.headers["accept"], "application/hal+json");
    let ua = request.headers["user-agent"].to_str().unwrap();
    assert!(ua.starts_with("altinn-contacts/"), "{ua}");
}

#[tokio::test]
async fn list_organizations_sends_odata_options_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/serviceowner/organizations"))
        .and(query_param("$top", "500"))
        .and(query_param("$skip", "1000"))
        .and(query_param("$orderby", "Name"))
        .and(query_param("$filter", "Type eq 'ENK'"))
        .and(query_param("$expand", "OfficialContacts"))
        .and(header("apikey", API_KEY))
        .and(header("accept", "application/hal+json"))
        .respond_with(hal(fixtures::ORGANIZATIONS))
        .expect(1)
        .mount(&server)
        .await;

    let query = OrganizationsQuery::new()
        .top(500)
        .skip(1000)
        .order_by(OrderBy::Name)
        .organization_type("ENK".parse().unwrap())
        .with_official_contacts();
    let list = client(&server.uri()).organizations(&query).await.unwrap();
    assert_eq!(list.items().len(), 1);
    assert_eq!(list.items()[0].name.as_deref(), Some("HERDLA OG SAULAND"));
    assert_eq!(
        list.items()[0]
            .organization_number
            .as_ref()
            .unwrap()
            .as_str(),
        "010000211"
    );

    let request = only_request(&server).await;
    assert_common_headers(&request);
    assert_eq!(
        request.url.query(),
        Some(
            "$top=500&$skip=1000&$orderby=Name&$filter=Type%20eq%20%27ENK%27&$expand=OfficialContacts"
        )
    );
    assert!(request.headers.get("authorization").is_none());
    server.verify().await;
}

#[tokio::test]
async fn list_organizations_without_options_sends_no_query() {
    let server = MockServer::start().await;
    Mock::given(path("/api/serviceowner/organizations"))
        .respond_with(hal(fixtures::ORGANIZATIONS))
        .mount(&server)
        .await;
    client(&server.uri())
        .organizations(&OrganizationsQuery::new())
        .await
        .unwrap();
    assert_eq!(only_request(&server).await.url.query(), None);
}

#[tokio::test]
async fn search_encodes_plus_and_at() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/serviceowner/organizations"))
        .and(query_param("email", "post+altinn@firma.no"))
        .and(query_param("phoneNumber", "+47 987 65 432"))
        .respond_with(hal(fixtures::SEARCH))
        .expect(1)
        .mount(&server)
        .await;

    let search = ContactPointSearch::email_and_phone(
        "post+altinn@firma.no".parse().unwrap(),
        "+47 987 65 432".parse().unwrap(),
    );
    let list = client(&server.uri())
        .search_organizations(&search)
        .await
        .unwrap();
    let names: Vec<&str> = list
        .items()
        .iter()
        .filter_map(|o| o.name.as_deref())
        .collect();
    assert_eq!(
        names,
        [
            "KYSTBASEN ÅGOTNES OG ILSENG REGNSKAP",
            "LEINSTRAND OG HOMBORSUND"
        ]
    );

    let request = only_request(&server).await;
    assert_common_headers(&request);
    assert_eq!(
        request.url.query(),
        Some("email=post%2Baltinn%40firma.no&phoneNumber=%2B47%20987%2065%20432")
    );
    server.verify().await;
}

#[tokio::test]
async fn one_organization_with_and_without_expand() {
    let server = MockServer::start().await;
    Mock::given(path("/api/serviceowner/organizations/910021451"))
        .and(query_param("$expand", "OfficialContacts"))
        .respond_with(hal(fixtures::ORGANIZATION_EXPANDED))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/serviceowner/organizations/910021451"))
        .respond_with(hal(fixtures::ORGANIZATION))
        .expect(1)
        .mount(&server)
        .await;
    let api = client(&server.uri());

    let plain = api.organization(&org(), Expand::None).await.unwrap();
    assert_eq!(plain.name.as_deref(), Some("HERDLA OG SAULAND"));
    assert!(plain.official_contacts().is_empty());

    let expanded = api
        .organization(&org(), Expand::OfficialContacts)
        .await
        .unwrap();
    assert!(!expanded.official_contacts().is_empty());

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), None);
    assert_eq!(requests[1].url.query(), Some("$expand=OfficialContacts"));
    for request in &requests {
        assert_common_headers(request);
    }
    server.verify().await;
}

#[tokio::test]
async fn official_contacts_decode_the_seed_sample() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/api/serviceowner/organizations/910021451/officialcontacts",
        ))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(1)
        .mount(&server)
        .await;
    let list = client(&server.uri())
        .official_contacts(&org())
        .await
        .unwrap();
    let emails: Vec<_> = list.items().iter().filter_map(|c| c.email()).collect();
    assert_eq!(emails, ["34234324@gg.com", "eeee@bb.com"]);
    let request = only_request(&server).await;
    assert_common_headers(&request);
    assert_eq!(request.url.query(), None);
    server.verify().await;
}

#[tokio::test]
async fn personal_contacts_send_role_and_service_filters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/api/serviceowner/organizations/910021451/personalcontacts",
        ))
        .and(query_param("roleDefinitionCode", "DAGL"))
        .and(query_param("serviceCode", "4503"))
        .and(query_param("serviceEdition", "2"))
        .respond_with(hal(fixtures::PERSONAL_CONTACTS))
        .expect(1)
        .mount(&server)
        .await;
    let filter = PersonalContactsFilter::new()
        .role("DAGL".parse().unwrap())
        .service("4503".parse().unwrap(), "2".parse().unwrap());
    let list = client(&server.uri())
        .personal_contacts(&org(), &filter)
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .items()
        .iter()
        .filter_map(|p| p.personal_contact_id.as_deref())
        .collect();
    assert_eq!(ids, ["r50022994", "r50041943"]);
    assert_eq!(
        list.items()[0]
            .social_security_number
            .as_ref()
            .unwrap()
            .reveal(),
        "06117701547"
    );

    let request = only_request(&server).await;
    assert_common_headers(&request);
    assert_eq!(
        request.url.query(),
        Some("roleDefinitionCode=DAGL&serviceCode=4503&serviceEdition=2")
    );
    server.verify().await;
}

#[tokio::test]
async fn roles_of_a_person() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/api/serviceowner/organizations/910021451/personalcontacts/r50022994/roles",
        ))
        .respond_with(hal(fixtures::ROLES))
        .expect(1)
        .mount(&server)
        .await;
    let roles = client(&server.uri())
        .roles(&org(), &"r50022994".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(roles.items().len(), 18);
    assert_eq!(roles.items()[0].role_name.as_deref(), Some("Basisrolle"));
    assert!(
        roles
            .items()
            .iter()
            .any(|r| r.role_definition_code.as_deref() == Some("UTINN")),
        "{roles:?}"
    );
    assert_common_headers(&only_request(&server).await);
    server.verify().await;
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/proxy/altinn/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .expect(1)
    .mount(&server)
    .await;
    let api = client(&format!("{}/proxy/altinn", server.uri()));
    assert_eq!(
        api.base_url().as_str(),
        format!("{}/proxy/altinn/", server.uri())
    );
    api.official_contacts(&org()).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn links_resolve_against_the_base_url_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let api = client(&format!("{}/proxy/altinn", server.uri()));
    let under = |rest: &str| format!("{}/proxy/altinn/api/serviceowner/{rest}", server.uri());
    let link = Link::new(under(
        "organizations/910021451/personalcontacts/r50022994/roles",
    ));
    assert_eq!(
        api.resolve_link(LinkRelation::Roles, &link).unwrap(),
        LinkTarget::Roles(org(), "r50022994".parse().unwrap())
    );
    // The URL the transport calls reads back as the same call.
    let relative =
        Link::new("/proxy/altinn/api/serviceowner/organizations/910021451/officialcontacts");
    assert_eq!(
        api.resolve_link(LinkRelation::OfficialContacts, &relative)
            .unwrap(),
        LinkTarget::OfficialContacts(org())
    );
    for href in [
        // Outside the base path, on another host, on another port.
        format!("{}/api/serviceowner/organizations/910021451/officialcontacts", server.uri()),
        "https://altinn.example.invalid/proxy/altinn/api/serviceowner/organizations/910021451/officialcontacts".to_owned(),
        under("organizations/910021451/officialcontacts").replace(
            &format!(":{}", server.address().port()),
            &format!(":{}", server.address().port().wrapping_add(1)),
        ),
    ] {
        let err = api
            .resolve_link(LinkRelation::OfficialContacts, &Link::new(href.as_str()))
            .unwrap_err();
        assert!(matches!(err, LinkError::ForeignOrigin { .. }), "{href}: {err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_certificate_adds_force_ei_authentication() {
    let enterprise = TestCa::new("altinn-contacts test CA").client_identity();
    let identity = Identity::from_pem(
        enterprise.cert_pem().as_bytes(),
        enterprise.key_pem().as_bytes(),
    )
    .expect("a PEM identity");
    let server = MockServer::start().await;
    Mock::given(path("/api/serviceowner/organizations"))
        .and(query_param("$top", "10"))
        .respond_with(hal(fixtures::ORGANIZATIONS))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .certificate(identity)
        .build()
        .unwrap();
    api.organizations(&OrganizationsQuery::new().top(10))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("ForceEIAuthentication&$top=10"));
    server.verify().await;
}

#[tokio::test]
async fn without_a_certificate_there_is_no_force_ei_authentication() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .mount(&server)
    .await;
    client(&server.uri())
        .official_contacts(&org())
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert!(!request.url.as_str().contains("ForceEIAuthentication"));
}

#[tokio::test]
async fn a_bearer_token_is_sent_as_authorization() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .and(header("authorization", "Bearer tok-4e1d9a"))
    .and(header("apikey", API_KEY))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .expect(1)
    .mount(&server)
    .await;
    let api = builder(&server.uri())
        .bearer_token("tok-4e1d9a")
        .build()
        .unwrap();
    api.official_contacts(&org()).await.unwrap();
    server.verify().await;
}

/// Hands out numbered tokens and counts how often it was asked.
struct CountingProvider(AtomicUsize);

#[async_trait::async_trait]
impl TokenProvider for CountingProvider {
    async fn token(&self) -> Result<SecretString, TokenError> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(SecretString::from(format!("provided-{n}")))
    }
}

#[tokio::test]
async fn a_token_provider_is_asked_before_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .and(header("authorization", "Bearer provided-1"))
    .respond_with(wiremock::ResponseTemplate::new(503))
    .expect(1)
    .mount(&server)
    .await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .and(header("authorization", "Bearer provided-2"))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .expect(1)
    .mount(&server)
    .await;
    let provider = Arc::new(CountingProvider(AtomicUsize::new(0)));
    let api = builder(&server.uri())
        .token_provider(provider.clone())
        .build()
        .unwrap();
    api.official_contacts(&org()).await.unwrap();
    assert_eq!(provider.0.load(Ordering::SeqCst), 2);
    server.verify().await;
}

struct FailingProvider;

#[async_trait::async_trait]
impl TokenProvider for FailingProvider {
    async fn token(&self) -> Result<SecretString, TokenError> {
        Err(TokenError::new("Maskinporten refused the grant").with_status(401))
    }
}

#[tokio::test]
async fn a_token_provider_error_ends_the_call_before_sending() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(0)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .token_provider(Arc::new(FailingProvider))
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Credentials(failure) = &err else {
        panic!("expected a credentials error, got {err:?}");
    };
    assert_eq!(
        failure.operation,
        altinn_contacts_api::Operation::OfficialContacts
    );
    assert_eq!(failure.attempts, 1, "a final token error is not retried");
    assert_eq!(err.status(), None, "the provider's 401 is not Altinn's");
    assert_eq!(
        err.to_string(),
        "official contacts: no access token: Maskinporten refused the grant"
    );
    let cause = err.source().and_then(|s| s.downcast_ref::<TokenError>());
    assert_eq!(cause.and_then(TokenError::status), Some(401));
    server.verify().await;
}

#[tokio::test]
async fn invalid_queries_fail_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(hal(fixtures::ORGANIZATIONS))
        .expect(0)
        .mount(&server)
        .await;
    let api = client(&server.uri());
    for query in [
        OrganizationsQuery::new().top(0),
        OrganizationsQuery::new().top(1001),
    ] {
        let err = api.organizations(&query).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains("$top"), "{err}");
    }
    // Identifiers are parsed by the caller: a bad one never becomes a call at all.
    assert!("910021452".parse::<OrganizationNumber>().is_err());
    assert!(
        "r1/../roles"
            .parse::<altinn_contacts_api::PersonId>()
            .is_err()
    );
    assert!(
        "AS' or 1 eq 1"
            .parse::<altinn_contacts_api::TypeCode>()
            .is_err()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
    server.verify().await;
}

/// Code written against the trait: the e-mail addresses among an organization's official
/// contacts, sorted and without duplicates.
async fn official_emails<A: ContactsApi + ?Sized>(
    api: &A,
    org: &OrganizationNumber,
) -> Result<Vec<String>, Error> {
    let list = api.official_contacts(org).await?;
    let mut emails: Vec<String> = list
        .items()
        .iter()
        .filter_map(|c| c.email())
        .map(str::to_lowercase)
        .collect();
    emails.sort();
    emails.dedup();
    Ok(emails)
}

#[tokio::test]
async fn code_against_the_trait_runs_on_the_mock_and_on_http() {
    let mut mock = MockContactsApi::new();
    mock.expect_official_contacts()
        .withf(|o| o.as_str() == "910021451")
        .times(1)
        .returning(|_| {
            Ok(altinn_contacts_model::decode::<OfficialContactList>(
                fixtures::OFFICIAL_CONTACTS.as_bytes(),
            )
            .unwrap())
        });
    mock.expect_official_contacts()
        .withf(|o| o.as_str() == "974760673")
        .times(1)
        .returning(|_| {
            Err(Error::NotFound(altinn_contacts_api::HttpFailure::new(
                altinn_contacts_api::Operation::OfficialContacts,
                404,
                "Not Found",
            )))
        });
    let expected = vec!["34234324@gg.com".to_owned(), "eeee@bb.com".to_owned()];
    assert_eq!(official_emails(&mock, &org()).await.unwrap(), expected);
    let missing: OrganizationNumber = "974760673".parse().unwrap();
    assert!(matches!(
        official_emails(&mock, &missing).await,
        Err(Error::NotFound(_))
    ));

    // The same code over HTTP gives the same answer.
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .mount(&server)
    .await;
    let api: Box<dyn ContactsApi> = Box::new(client(&server.uri()));
    assert_eq!(official_emails(&*api, &org()).await.unwrap(), expected);
}

/// The fixtures are the model crate's seed samples, byte for byte, so the transport is tested
/// against what the model is generated from.
#[test]
fn fixtures_are_the_seed_samples() {
    let samples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../altinn-contacts-model/samples");
    for (fixture, sample) in [
        (
            fixtures::ORGANIZATIONS,
            "OrganizationList/seed-all-organizations.json",
        ),
        (
            fixtures::SEARCH,
            "OrganizationList/seed-search-by-contact-point.json",
        ),
        (
            fixtures::ORGANIZATION,
            "Organization/seed-one-organization.json",
        ),
        (
            fixtures::ORGANIZATION_EXPANDED,
            "Organization/quirk-expand-official-contacts.json",
        ),
        (
            fixtures::OFFICIAL_CONTACTS,
            "OfficialContactList/seed-official-contacts.json",
        ),
        (
            fixtures::PERSONAL_CONTACTS,
            "PersonalContactList/seed-personal-contacts.json",
        ),
        (fixtures::ROLES, "RoleList/seed-roles.json"),
    ] {
        let sample = std::fs::read_to_string(samples.join(sample)).unwrap();
        assert_eq!(
            fixture, sample,
            "tests/fixtures differ from samples/{sample}"
        );
    }
}

#[tokio::test]
async fn a_custom_user_agent_is_sent() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .and(header("user-agent", "kommune-integrasjon/2.1"))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .expect(1)
    .mount(&server)
    .await;
    builder(&server.uri())
        .user_agent("kommune-integrasjon/2.1")
        .build()
        .unwrap()
        .official_contacts(&org())
        .await
        .unwrap();
    server.verify().await;
}

#[tokio::test]
async fn roles_by_national_identity_number_are_refused_before_sending_user_ids_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/api/serviceowner/organizations/910021451/personalcontacts/u20001/roles",
        ))
        .respond_with(hal(fixtures::ROLES))
        .expect(1)
        .mount(&server)
        .await;
    let api = client(&server.uri());
    let person = "01017012343".parse().unwrap();
    let err = api.roles(&org(), &person).await.unwrap_err();
    let Error::Unsupported(unsupported) = &err else {
        panic!("expected Unsupported, got {err:?}");
    };
    assert_eq!(unsupported.backend, "altinn2");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("01017012343"), "{text}");
    let received = server.received_requests().await.expect("recording is on");
    assert!(received.is_empty(), "nothing may be sent: {received:?}");

    // A `u` id (what the gateway hands out in its links) goes out like an `r` id.
    let person = "u20001".parse().unwrap();
    api.roles(&org(), &person).await.unwrap();
}
