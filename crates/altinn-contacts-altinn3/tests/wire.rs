//! The backend's requests and error handling on the wire, against wiremock on loopback: paths,
//! bodies and headers each service gets, problem details into errors, retries and the token
//! refresh, pacing, and no secret or identity number in any error or `Debug`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use altinn_contacts_altinn3::{Altinn3Api, Altinn3Builder, BuildError, OfficialContactsSource};
use altinn_contacts_api::{
    AuthFailure, ContactPointSearch, ContactsApi, Error, Expand, Operation, OrganizationNumber,
    OrganizationsQuery, PersonId, PersonalContactsFilter,
};
use altinn_contacts_reqwest::{
    ConfigError, Pacer, RetryPolicy, SecretString, TokenError, TokenProvider, async_trait,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "altinn-token-abcdef-0123456789";
const KEY: &str = "subscription-key-4711-secret";
const NIN: &str = "01017012343";

/// A provider that hands out a numbered token and records what was invalidated.
#[derive(Default)]
struct Tokens {
    issued: AtomicU32,
    invalidated: AtomicU32,
}

#[async_trait]
impl TokenProvider for Tokens {
    async fn token(&self) -> Result<SecretString, TokenError> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        let generation = self.invalidated.load(Ordering::SeqCst);
        let _ = n;
        Ok(SecretString::from(format!("{TOKEN}-{generation}")))
    }

    fn invalidate(&self, _token: &SecretString) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
    }
}

fn org(s: &str) -> OrganizationNumber {
    s.parse().unwrap()
}

fn builder(server: &MockServer) -> Altinn3Builder {
    Altinn3Api::builder()
        .platform_url(server.uri())
        .kofuvi_url(server.uri())
        .enhetsregisteret_url(server.uri())
        .subscription_key(KEY)
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
}

fn backend(server: &MockServer, tokens: Arc<Tokens>) -> Altinn3Api {
    builder(server)
        .token_provider(tokens)
        .resource_id("urn:altinn:resource:app_ttd_contacts")
        .build()
        .unwrap()
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn profile_official_contacts_are_one_post_with_token_and_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/profile/api/v1/correspondence/organizations/notificationaddresses/lookup",
        ))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN}-0").as_str(),
        ))
        .and(header("ocp-apim-subscription-key", KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"organizationNumbers": ["910021451", "310524832", "311111108"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contactPointsList": [
            {"organizationNumber": "910021451", "addressOrigin": "910021451", "partyId": 0,
             "mobileNumberList": ["4799999999"], "emailList": ["post@firma.no"]},
            {"organizationNumber": "310524832", "addressOrigin": "910021451",
             "mobileNumberList": [], "emailList": ["main@firma.no"]}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    assert_eq!(api.batch_limit(Operation::OfficialContacts), 100);
    let orgs = [
        org("910021451"),
        org("310524832"),
        org("311111108"),
        org("910021451"),
    ];
    let results = api.official_contacts_batch(&orgs).await;
    assert_eq!(results.len(), 4);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.items()[0].mobile(), Some("+4799999999"));
    assert_eq!(first.items()[1].email(), Some("post@firma.no"));
    assert!(first.address_origin.is_none());
    let sub = results[1].as_ref().unwrap();
    assert_eq!(
        sub.address_origin.as_ref().map(|o| o.as_str()),
        Some("910021451")
    );
    // Left out of the answer: no contacts, not an error.
    assert!(results[2].as_ref().unwrap().items().is_empty());
    assert_eq!(results[3].as_ref().unwrap(), first);
}

#[tokio::test]
async fn a_failed_batch_gives_each_organization_the_problem_detail() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("content-type", "application/problem+json")
                .set_body_json(json!({
                    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                    "title": "One or more validation errors occurred.", "status": 400,
                    "errors": {"OrganizationNumbers": ["The list must not be empty."]}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    let results = api
        .official_contacts_batch(&[org("910021451"), org("310524832")])
        .await;
    for result in &results {
        let e = result.as_ref().unwrap_err();
        assert!(matches!(e, Error::BadRequest(_)), "{e:?}");
        assert_eq!(
            e.message(),
            "One or more validation errors occurred. (OrganizationNumbers: The list must not be empty.)"
        );
        assert_eq!(e.operation(), Some(Operation::OfficialContacts));
    }
}

#[tokio::test]
async fn server_errors_are_retried_and_counted_and_401_gets_one_fresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "title": "Service Unavailable", "status": 503, "detail": "Profile is down"})))
        .expect(3)
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    let e = api.official_contacts(&org("910021451")).await.unwrap_err();
    assert!(matches!(e, Error::Server(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "official contacts: HTTP 503 Profile is down (after 3 attempts)"
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::default());
    let api = backend(&server, tokens.clone());
    let e = api.official_contacts(&org("910021451")).await.unwrap_err();
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
    assert_eq!(e.message(), "Unauthorized");
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 1);
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        sent,
        [format!("Bearer {TOKEN}-0"), format!("Bearer {TOKEN}-1")]
    );
}

#[tokio::test]
async fn a_refused_subscription_key_does_not_cost_a_new_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "statusCode": 401,
            "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."})))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::default());
    let api = backend(&server, tokens.clone());
    let e = api.official_contacts(&org("910021451")).await.unwrap_err();
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
    assert!(
        e.message()
            .starts_with("Access denied due to invalid subscription key"),
        "{e}"
    );
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn secrets_echoed_by_a_server_never_reach_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "title": "Forbidden",
            "detail": format!("key {KEY} with token {TOKEN}-0 may not read {NIN}")})))
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    let e = api.official_contacts(&org("910021451")).await.unwrap_err();
    let shown = format!("{e} | {e:?} | {api:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains(NIN), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[tokio::test]
async fn personal_contacts_post_the_resource_id_and_map_user_ids() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/profile/api/v1/correspondence/units/contactpoint/lookup",
        ))
        .and(body_json(
            json!({"organizationNumbers": ["910021451"], "resourceId": "app_ttd_contacts"}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contactPointsList": [
            {"organizationNumber": "910021451", "partyId": 50001, "userContactPoints": [
                {"mobileNumber": "98765432", "email": "user@email.com", "userId": 20001}]}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    let list = api
        .personal_contacts(&org("910021451"), &PersonalContactsFilter::new())
        .await
        .unwrap();
    let c = &list.embedded.personal_contacts[0];
    assert_eq!(c.personal_contact_id.as_deref(), Some("u20001"));
    assert_eq!(c.mobile_number.as_deref(), Some("+4798765432"));
    assert!(c.name.is_none() && c.social_security_number.is_none());
}

#[tokio::test]
async fn roles_send_the_identity_number_in_the_body_only_and_read_the_catalogue_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/accessmanagement/api/v1/serviceowner/authorizedparties",
        ))
        .and(query_param("includeRoles", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"organizationNumber": "910021451", "type": "Organization",
             "authorizedRoles": ["daglig-leder", "dagl"], "subunits": []}])))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/accessmanagement/api/v1/meta/info/roles"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"code": "daglig-leder", "name": "Daglig leder", "legacyRoleCode": "DAGL"}])))
        .expect(1)
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    let nin: PersonId = NIN.parse().unwrap();
    let roles = api.roles(&org("910021451"), &nin).await.unwrap();
    assert_eq!(roles.embedded.roles.len(), 1);
    assert_eq!(
        roles.embedded.roles[0].role_definition_code.as_deref(),
        Some("DAGL")
    );
    assert_eq!(
        roles.embedded.roles[0].role_name.as_deref(),
        Some("Daglig leder")
    );
    let user: PersonId = "u20001".parse().unwrap();
    api.roles(&org("910021451"), &user).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let posts: Vec<_> = requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect();
    assert!(!posts[0].url.as_str().contains(NIN));
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!(
        body,
        json!({"type": "urn:altinn:person:identifier-no", "value": NIN,
               "partyFilter": [{"type": "urn:altinn:organization:identifier-no", "value": "910021451"}]})
    );
    let body: Value = serde_json::from_slice(&posts[1].body).unwrap();
    assert_eq!(body["type"], "urn:altinn:userid");
    assert_eq!(body["value"], "20001");
}

#[tokio::test]
async fn kofuvi_is_one_get_per_organization_without_token_or_key_and_404_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/varslingsadresser/910021451"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"_embedded": {"varsling": {
            "varslingsadresser": [{"kontaktinformasjon": {"digitalVarslingsinformasjon": {
                "mobiltelefon": {"internasjonaltPrefiks": "47", "nasjonaltNummer": "98765432"}}}}]}}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/varslingsadresser/310524832"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server)
        .official_contacts_source(OfficialContactsSource::Kofuvi)
        .token_provider(Arc::new(Tokens::default()))
        .build()
        .unwrap();
    assert_eq!(api.batch_limit(Operation::OfficialContacts), 1);
    let results = api
        .official_contacts_batch(&[org("910021451"), org("310524832")])
        .await;
    assert_eq!(
        results[0].as_ref().unwrap().items()[0].mobile(),
        Some("+4798765432")
    );
    assert!(results[1].as_ref().unwrap().items().is_empty());
    for r in server.received_requests().await.unwrap() {
        assert!(!r.headers.contains_key("authorization"));
        assert!(!r.headers.contains_key("ocp-apim-subscription-key"));
    }
}

#[tokio::test]
async fn organizations_come_from_enhetsregisteret_anonymously() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/enhetsregisteret/api/enheter/310524832"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/enhetsregisteret/api/underenheter/310524832"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "organisasjonsnummer": "310524832", "navn": "FIRMA AS AVD BERGEN",
            "organisasjonsform": {"kode": "BEDR"}, "overordnetEnhet": "910021451"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/enhetsregisteret/api/enheter"))
        .and(query_param("organisasjonsform", "AS"))
        .and(query_param("size", "2"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_embedded": {"enheter": [{"organisasjonsnummer": "910021451", "navn": "FIRMA AS",
                                       "organisasjonsform": {"kode": "AS"}}]},
            "page": {"size": 2, "totalElements": 3, "totalPages": 2, "number": 1}})))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server).build().unwrap();
    let o = api
        .organization(&org("310524832"), Expand::None)
        .await
        .unwrap();
    assert_eq!(o.name.as_deref(), Some("FIRMA AS AVD BERGEN"));
    assert_eq!(
        o.organization_type.as_ref().map(|t| t.as_str()),
        Some("BEDR")
    );
    let e = api
        .organization(&org("910021451"), Expand::None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    let page = api
        .organizations(
            &OrganizationsQuery::new()
                .top(2)
                .skip(2)
                .organization_type("AS".parse().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(page.embedded.organizations.len(), 1);
    for r in server.received_requests().await.unwrap() {
        assert!(!r.headers.contains_key("authorization"));
        assert!(!r.headers.contains_key("ocp-apim-subscription-key"));
    }
}

#[tokio::test]
async fn sub_unit_forms_are_listed_from_the_sub_unit_search_in_the_asked_order() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/enhetsregisteret/api/underenheter"))
        .and(query_param("organisasjonsform", "BEDR"))
        .and(query_param("sort", "navn,ASC"))
        .and(query_param("size", "1000"))
        .and(query_param("page", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_embedded": {"underenheter": [{"organisasjonsnummer": "310524832",
                "navn": "FIRMA AS AVD BERGEN", "organisasjonsform": {"kode": "BEDR"}}]},
            "page": {"size": 1000, "totalElements": 1, "totalPages": 1, "number": 0}})))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server).build().unwrap();
    let list = api
        .organizations(
            &OrganizationsQuery::new()
                .organization_type("bedr".parse().unwrap())
                .order_by(altinn_contacts_api::OrderBy::Name),
        )
        .await
        .unwrap();
    assert_eq!(
        list.embedded.organizations[0].name.as_deref(),
        Some("FIRMA AS AVD BERGEN")
    );
}

#[tokio::test]
async fn any_offset_is_a_page_the_service_judges_never_a_panic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/enhetsregisteret/api/enheter"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": 400, "error": "Bad Request",
            "message": "(page + 1) * size kan ikke være større enn 10000"})))
        .mount(&server)
        .await;
    let api = builder(&server).build().unwrap();
    for (top, skip) in [(7, u64::MAX), (1000, u64::MAX - 1), (1, u64::MAX)] {
        let e = api
            .organizations(&OrganizationsQuery::new().top(top).skip(skip))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::BadRequest(_)), "{e:?}");
        assert_eq!(
            e.message(),
            "(page + 1) * size kan ikke være større enn 10000"
        );
    }
    // A service that answers such a page anyway: the next page is never computed past u64.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/enhetsregisteret/api/enheter"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"page": {"totalElements": 5}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server).build().unwrap();
    let list = api
        .organizations(&OrganizationsQuery::new().top(7).skip(u64::MAX))
        .await
        .unwrap();
    assert!(list.embedded.organizations.is_empty());
}

#[tokio::test]
async fn calls_without_a_successor_or_setting_are_unsupported_and_send_nothing() {
    let server = MockServer::start().await;
    let api = builder(&server).build().unwrap();
    let search = ContactPointSearch::email("a@b.no".parse().unwrap());
    let e = api.search_organizations(&search).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unsupported(u) if u.backend == "altinn3"),
        "{e:?}"
    );
    assert!(e.to_string().contains("no successor"), "{e}");
    let r: PersonId = "r50022994".parse().unwrap();
    let e = api.roles(&org("910021451"), &r).await.unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    let e = api
        .personal_contacts(&org("910021451"), &PersonalContactsFilter::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("resource id"), "{e}");
    let results = api
        .personal_contacts_batch(
            &[org("910021451"), org("310524832")],
            &PersonalContactsFilter::new(),
        )
        .await;
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(Error::Unsupported(_))))
    );
    let api = api_with_resource(&server);
    let filter = PersonalContactsFilter::new().role("DAGL".parse().unwrap());
    let e = api
        .personal_contacts(&org("910021451"), &filter)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("role"), "{e}");
    let filter =
        PersonalContactsFilter::new().service("4936".parse().unwrap(), "1".parse().unwrap());
    let e = api
        .personal_contacts(&org("910021451"), &filter)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    assert!(e.to_string().contains("se_4936_1"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

fn api_with_resource(server: &MockServer) -> Altinn3Api {
    builder(server).resource_id("app_ttd_x").build().unwrap()
}

#[test]
fn clear_text_to_another_host_is_refused_at_build() {
    for (b, what) in [
        (
            Altinn3Api::builder().platform_url("http://platform.example.invalid"),
            "platform URL",
        ),
        (
            Altinn3Api::builder().kofuvi_url("http://kofuvi.example.invalid"),
            "KoFuVi URL",
        ),
        (
            Altinn3Api::builder().enhetsregisteret_url("http://data.example.invalid"),
            "Enhetsregisteret URL",
        ),
    ] {
        let err = b.build().unwrap_err();
        assert!(
            matches!(err, BuildError::Transport(ConfigError::InsecureHttp { what: w, .. }) if w == what),
            "{err:?}"
        );
    }
}

/// Counts the attempts it lets through.
#[derive(Debug, Default)]
struct Counting(AtomicU32);

#[async_trait]
impl Pacer for Counting {
    async fn ready(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn pause(&self, _: Duration) {}
}

#[tokio::test]
async fn a_bulk_jobs_task_local_pacer_gates_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let api = backend(&server, Arc::default());
    let counting = Arc::new(Counting::default());
    let pacer: Arc<dyn Pacer> = counting.clone();
    let result =
        altinn_contacts_reqwest::pacer::paced(pacer, api.official_contacts(&org("910021451")))
            .await;
    assert!(result.is_err());
    assert_eq!(counting.0.load(Ordering::SeqCst), 3);
    assert_eq!(bodies(&server).await.len(), 3);
}
