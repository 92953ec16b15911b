//! The emulations of Altinn 2's successors over real HTTP on loopback: Profile's lookups,
//! Access Management, KoFuVi, Enhetsregisteret, the token exchange with scopes, and the
//! sandbox's faults applying to them.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use altinn_contacts_sandbox::successors::{
    AUTHORIZED_PARTIES_SCOPE, CONTACT_POINTS_PATH, DEFAULT_CLIENT_ID, NOTIFICATION_ADDRESSES_PATH,
    PROFILE_SCOPE,
};
use altinn_contacts_sandbox::test_pki::{TestCa, TestIdentity};
use altinn_contacts_sandbox::{
    Fault, MaskinportenConfig, OrganizationRecord, PersonRecord, Sandbox, SandboxBuilder,
    SuccessorEndpoint, SuccessorsConfig,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};

/// A main unit with addresses and two sub-units: one without addresses of its own, one with.
const MAIN: &str = "311000004";
const SUB_WITHOUT: &str = "311000012";
const SUB_WITH: &str = "311000020";
/// An organization whose only official contact has both halves empty.
const EMPTY: &str = "311000039";
/// A sub-unit whose main unit has no addresses either.
const SUB_OF_EMPTY: &str = "311000047";
/// Unknown to the sandbox.
const UNKNOWN: &str = "311000055";

fn tls_config(roots: RootCertStore, identity: Option<&TestIdentity>) -> rustls::ClientConfig {
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    match identity {
        None => builder.with_no_client_auth(),
        Some(identity) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(identity.cert_der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der().to_vec())),
            )
            .unwrap(),
    }
}

/// A JSON request body (reqwest's `json` feature is not on).
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(RootCertStore::empty(), None))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn records() -> Vec<OrganizationRecord> {
    let mut empty = altinn_contacts_model::OfficialContact::default();
    empty.mobile_number = Some(String::new());
    empty.email_address = Some(String::new());
    vec![
        OrganizationRecord::new(MAIN, "HOVEDENHET AS   ")
            .organization_type("AS")
            .official_email("post@hoved.no")
            .official_mobile("99999999")
            .personal_contact(
                PersonRecord::new("r70000001", "GRANTED PERSON")
                    .social_security_number("01827012345")
                    .email("granted@hoved.no")
                    .role_code("LEDE")
                    .service("4936", "1"),
            ),
        OrganizationRecord::new(SUB_WITHOUT, "HOVEDENHET AS AVD NORD")
            .organization_type("BEDR")
            .main_unit(MAIN),
        OrganizationRecord::new(SUB_WITH, "HOVEDENHET AS AVD SØR")
            .organization_type("BEDR")
            .main_unit(MAIN)
            .official_email("sor@hoved.no"),
        OrganizationRecord::new(EMPTY, "TOM AS")
            .organization_type("AS")
            .official_contact(empty),
        OrganizationRecord::new(SUB_OF_EMPTY, "TOM AS AVD VEST")
            .organization_type("BEDR")
            .main_unit(EMPTY),
    ]
}

async fn sandbox() -> Sandbox {
    start(Sandbox::builder().organizations(0)).await
}

async fn start(builder: SandboxBuilder) -> Sandbox {
    builder.with_organizations(records()).start().await.unwrap()
}

/// `POST {platform}{path}` with the sandbox's key and test token.
async fn post(sandbox: &Sandbox, path: &str, body: &Value) -> reqwest::Response {
    post_with(sandbox, path, body, Some(sandbox.successor_token())).await
}

async fn post_with(
    sandbox: &Sandbox,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .post(format!("{}{path}", sandbox.platform_url()))
        .json_body(body);
    if let Some(key) = sandbox.subscription_key() {
        request = request.header("Ocp-Apim-Subscription-Key", key);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
}

async fn ok_json(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200, "{:?}", response.headers());
    json_of(response).await
}

async fn get(url: String) -> reqwest::Response {
    client().get(url).send().await.unwrap()
}

fn item<'a>(list: &'a Value, number: &str) -> Option<&'a Value> {
    list["contactPointsList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["organizationNumber"] == number)
}

#[tokio::test]
async fn notification_addresses_with_fallback_omission_and_de_duplication() {
    let sandbox = sandbox().await;
    let body = json!({ "organizationNumbers": [
        "910021451", MAIN, SUB_WITHOUT, SUB_WITH, EMPTY, SUB_OF_EMPTY, UNKNOWN, "910021451", "error-org"
    ] });
    let response = post(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body).await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let list = ok_json(response).await;
    let items = list["contactPointsList"].as_array().unwrap();
    // Unknown organizations, and a sub-unit whose main unit has no addresses, are left out;
    // duplicates answered once.
    let numbers: Vec<&str> = items
        .iter()
        .map(|i| i["organizationNumber"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["910021451", MAIN, SUB_WITHOUT, SUB_WITH, EMPTY]);
    let sample = item(&list, "910021451").unwrap();
    assert_eq!(
        sample,
        &json!({
            "organizationNumber": "910021451",
            "addressOrigin": "910021451",
            "partyId": 0,
            "mobileNumberList": ["+4722334455", "+4733445566"],
            "emailList": ["34234324@gg.com", "eeee@bb.com"],
        })
    );
    let fallback = item(&list, SUB_WITHOUT).unwrap();
    assert_eq!(fallback["addressOrigin"], MAIN);
    assert_eq!(fallback["emailList"], json!(["post@hoved.no"]));
    assert_eq!(fallback["mobileNumberList"], json!(["+4799999999"]));
    let own = item(&list, SUB_WITH).unwrap();
    assert_eq!(own["addressOrigin"], SUB_WITH);
    assert_eq!(own["emailList"], json!(["sor@hoved.no"]));
    let empty = item(&list, EMPTY).unwrap();
    assert_eq!(empty["emailList"], json!([]));
    assert_eq!(empty["mobileNumberList"], json!([]));
    assert_eq!(
        sandbox.successor_requests(SuccessorEndpoint::NotificationAddresses),
        1
    );
}

async fn assert_validation(response: reqwest::Response, field: &str) {
    assert_eq!(response.status(), 400);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let problem = json_of(response).await;
    assert_eq!(problem["status"], 400);
    assert_eq!(problem["title"], "One or more validation errors occurred.");
    assert!(
        problem["errors"][field]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{problem}"
    );
}

#[tokio::test]
async fn empty_and_blank_lists_and_a_missing_resource_id_are_validation_problems() {
    let sandbox = sandbox().await;
    for body in [
        json!({}),
        json!({ "organizationNumbers": null }),
        json!({ "organizationNumbers": [] }),
        json!({ "organizationNumbers": [" "] }),
        json!({ "organizationNumbers": ["910021451", ""] }),
    ] {
        assert_validation(
            post(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body).await,
            "OrganizationNumbers",
        )
        .await;
    }
    for body in [
        json!({ "organizationNumbers": [], "resourceId": "x" }),
        json!({ "organizationNumbers": [" ", ""], "resourceId": "x" }),
    ] {
        assert_validation(
            post(&sandbox, CONTACT_POINTS_PATH, &body).await,
            "OrganizationNumbers",
        )
        .await;
    }
    for body in [
        json!({ "organizationNumbers": ["910021451"] }),
        json!({ "organizationNumbers": ["910021451"], "resourceId": " " }),
    ] {
        assert_validation(
            post(&sandbox, CONTACT_POINTS_PATH, &body).await,
            "ResourceId",
        )
        .await;
    }
    // No body at all.
    let response = client()
        .post(format!(
            "{}{NOTIFICATION_ADDRESSES_PATH}",
            sandbox.platform_url()
        ))
        .header(
            "Ocp-Apim-Subscription-Key",
            sandbox.subscription_key().unwrap(),
        )
        .bearer_auth(sandbox.successor_token())
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_validation(response, "").await;
}

#[tokio::test]
async fn contact_points_map_persons_to_user_ids_and_filter_by_resource() {
    let sandbox = sandbox().await;
    let lookup = |resource: &str| {
        json!({
            "organizationNumbers": [" 910021451 ", MAIN, "810748532", UNKNOWN, "910021451"],
            "resourceId": resource,
        })
    };
    let list = ok_json(
        post(
            &sandbox,
            CONTACT_POINTS_PATH,
            &lookup(sandbox.resource_id()),
        )
        .await,
    )
    .await;
    // 810748532 has no personal contacts and UNKNOWN is unknown: both left out.
    let items = list["contactPointsList"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let sample = item(&list, "910021451").unwrap();
    assert!(sample["partyId"].as_i64().unwrap() > 0);
    assert_eq!(
        sample["userContactPoints"],
        json!([
            { "userId": 50022994, "email": "eok@br.no", "mobileNumber": "12345678" },
            { "userId": 50041943, "email": "pubg@gg.kd", "mobileNumber": "12345678" },
        ])
    );
    let main = item(&list, MAIN).unwrap();
    assert_eq!(
        main["userContactPoints"],
        json!([{ "userId": 70000001, "email": "granted@hoved.no", "mobileNumber": null }])
    );
    // No name, no national identity number anywhere.
    let text = list.to_string();
    assert!(
        !text.contains("ROLF") && !text.contains("06117701547"),
        "{text}"
    );

    // A service's resource (the urn prefix is stripped) keeps the person granted it; an
    // unrelated resource keeps only persons registered for every resource.
    let list = ok_json(
        post(
            &sandbox,
            CONTACT_POINTS_PATH,
            &lookup("urn:altinn:resource:se_4936_1"),
        )
        .await,
    )
    .await;
    assert!(item(&list, MAIN).is_some());
    let list = ok_json(
        post(
            &sandbox,
            CONTACT_POINTS_PATH,
            &lookup("some-other-resource"),
        )
        .await,
    )
    .await;
    assert!(item(&list, MAIN).is_none());
    assert!(item(&list, "910021451").is_some());
    assert_eq!(
        sandbox.successor_requests(SuccessorEndpoint::ContactPoints),
        3
    );
}

#[tokio::test]
async fn at_most_100_distinct_organizations_per_contact_point_lookup() {
    let sandbox = sandbox().await;
    let numbers: Vec<String> = (0..100).map(|i| format!("9{i:08}")).collect();
    // 100 distinct numbers, each twice: accepted.
    let twice: Vec<&String> = numbers.iter().chain(numbers.iter()).collect();
    let body = json!({ "organizationNumbers": twice, "resourceId": "r" });
    assert_eq!(
        post(&sandbox, CONTACT_POINTS_PATH, &body).await.status(),
        200
    );
    let mut more = numbers.clone();
    more.push("910021451".to_owned());
    let body = json!({ "organizationNumbers": more, "resourceId": "r" });
    let response = post(&sandbox, CONTACT_POINTS_PATH, &body).await;
    assert_eq!(response.status(), 500);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let problem = json_of(response).await;
    assert_eq!(problem["status"], 500);
    assert!(problem["title"].as_str().is_some());
    // The notification-address lookup has no such cap.
    let body = json!({ "organizationNumbers": more });
    assert_eq!(
        post(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body)
            .await
            .status(),
        200
    );
}

/// A signed Maskinporten grant (ES256 with an `x5c` certificate) for `scope`.
fn grant(identity: &TestIdentity, client_id: &str, audience: &str, scope: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let header = json!({ "alg": "ES256", "x5c": [STANDARD.encode(identity.cert_der())] });
    let claims = json!({
        "iss": client_id, "aud": audience, "scope": scope,
        "iat": now, "exp": now + 60, "jti": format!("{:032x}", fastrand::u128(..)),
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, identity.key_der(), &rng)
        .unwrap();
    let signature = key.sign(&rng, input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
}

/// A Maskinporten token for `scope` from the sandbox's (or the successors' own) token endpoint.
async fn maskinporten_token(sandbox: &Sandbox, scope: &str) -> String {
    let identity = TestCa::new("grant CA").client_identity();
    let issuer = sandbox.successor_maskinporten_issuer();
    let assertion = grant(&identity, sandbox.successor_client_id(), &issuer, scope);
    let response = client()
        .post(format!("{issuer}token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type={}&assertion={assertion}",
            "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        ))
        .send()
        .await
        .unwrap();
    let body = ok_json(response).await;
    body["access_token"].as_str().unwrap().to_owned()
}

async fn exchange(sandbox: &Sandbox, token: &str) -> String {
    let response = client()
        .get(sandbox.successor_exchange_url())
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_platform_checks_key_token_and_scope_with_empty_bodies() {
    let sandbox = sandbox().await;
    assert_eq!(sandbox.successor_client_id(), DEFAULT_CLIENT_ID);
    let body = json!({ "organizationNumbers": ["910021451"] });
    let url = format!("{}{NOTIFICATION_ADDRESSES_PATH}", sandbox.platform_url());
    let key = sandbox.subscription_key().unwrap();

    // The gateway's key first.
    let missing = client().post(&url).json_body(&body).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert!(
        json_of(missing).await["message"]
            .as_str()
            .unwrap()
            .contains("missing subscription key")
    );
    let wrong = client()
        .post(&url)
        .header("Ocp-Apim-Subscription-Key", "not-the-key")
        .bearer_auth(sandbox.successor_token())
        .json_body(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        json_of(wrong).await["message"]
            .as_str()
            .unwrap()
            .contains("invalid subscription key")
    );

    // Then the token: none, made up, or a Maskinporten token not exchanged: 401, empty body.
    let raw = maskinporten_token(&sandbox, PROFILE_SCOPE).await;
    for token in [None, Some("made-up"), Some(raw.as_str())] {
        let response = post_with(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body, token).await;
        assert_eq!(response.status(), 401);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    // Exchanged, the token keeps its scope and is accepted.
    let altinn = exchange(&sandbox, &raw).await;
    let response = post_with(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body, Some(&altinn)).await;
    assert_eq!(response.status(), 200);
    // Without the scope: 403, empty body (here: a token for Access Management only).
    let am_only = exchange(
        &sandbox,
        &maskinporten_token(&sandbox, AUTHORIZED_PARTIES_SCOPE).await,
    )
    .await;
    let response = post_with(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body, Some(&am_only)).await;
    assert_eq!(response.status(), 403);
    assert!(response.bytes().await.unwrap().is_empty());
    let am = json!({ "type": "urn:altinn:userid", "value": "50022994" });
    let response = post_with(
        &sandbox,
        "/accessmanagement/api/v1/serviceowner/authorizedparties",
        &am,
        Some(&altinn),
    )
    .await;
    assert_eq!(response.status(), 403);
    let response = post_with(
        &sandbox,
        "/accessmanagement/api/v1/serviceowner/authorizedparties",
        &am,
        Some(&am_only),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        sandbox.successor_requests(SuccessorEndpoint::TokenExchange),
        2
    );
    // Revoked tokens are refused; the key is hidden from the config's Debug.
    sandbox.revoke_maskinporten_tokens();
    let response = post_with(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body, Some(&altinn)).await;
    assert_eq!(response.status(), 401);
    let debug = format!(
        "{:?}",
        SuccessorsConfig::new().subscription_key(Some("hidden-key".into()))
    );
    assert!(!debug.contains("hidden-key"), "{debug}");
    let _ = key;
}

#[tokio::test]
async fn without_a_subscription_key_configured_none_is_needed_and_a_configured_maskinporten_is_shared()
 {
    let sandbox = start(
        Sandbox::builder()
            .organizations(0)
            .successors(SuccessorsConfig::new().subscription_key(None))
            .maskinporten(MaskinportenConfig::new("my-client").scopes([PROFILE_SCOPE])),
    )
    .await;
    assert_eq!(sandbox.subscription_key(), None);
    assert_eq!(sandbox.successor_client_id(), "my-client");
    let token = exchange(&sandbox, &maskinporten_token(&sandbox, PROFILE_SCOPE).await).await;
    let response = post_with(
        &sandbox,
        NOTIFICATION_ADDRESSES_PATH,
        &json!({ "organizationNumbers": [MAIN] }),
        Some(&token),
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn authorized_parties_by_national_identity_number_and_user_id() {
    let sandbox = sandbox().await;
    for path in [
        "/accessmanagement/api/v1/serviceowner/authorizedparties",
        "/accessmanagement/api/v1/resourceowner/authorizedparties",
    ] {
        let body = json!({
            "type": "urn:altinn:person:identifier-no",
            "value": "06117701547",
            "partyFilter": [{ "type": "urn:altinn:organization:identifier-no", "value": "910021451" }],
        });
        let parties = ok_json(post(&sandbox, path, &body).await).await;
        let parties = parties.as_array().unwrap();
        assert_eq!(parties.len(), 1);
        let party = &parties[0];
        assert_eq!(party["organizationNumber"], "910021451");
        assert_eq!(party["name"], "BJØRNEVATN OG RØSTAD AS");
        assert_eq!(party["type"], "Organization");
        assert_eq!(party["unitType"], "AS");
        assert!(party["partyUuid"].as_str().unwrap().len() == 36);
        let roles: Vec<&str> = party["authorizedRoles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for role in ["daglig-leder", "dagl", "allea", "utinn", "regna", "admai"] {
            assert!(roles.contains(&role), "{roles:?}");
        }
    }
    // By user id (Profile's userId), without a filter: every organization of the person.
    let body = json!({ "type": "urn:altinn:userid", "value": "70000001" });
    let parties = ok_json(
        post(
            &sandbox,
            "/accessmanagement/api/v1/serviceowner/authorizedparties",
            &body,
        )
        .await,
    )
    .await;
    assert_eq!(parties.as_array().unwrap().len(), 1);
    assert_eq!(parties[0]["organizationNumber"], MAIN);
    assert_eq!(parties[0]["authorizedRoles"], json!(["styreleder", "lede"]));
    // A filter on another organization, or an unknown person: no parties.
    for body in [
        json!({ "type": "urn:altinn:person:identifier-no", "value": "06117701547",
                "partyFilter": [{ "type": "urn:altinn:organization:identifier-no", "value": MAIN }] }),
        json!({ "type": "urn:altinn:person:identifier-no", "value": "01010112345" }),
    ] {
        let parties = ok_json(
            post(
                &sandbox,
                "/accessmanagement/api/v1/serviceowner/authorizedparties",
                &body,
            )
            .await,
        )
        .await;
        assert_eq!(parties, json!([]));
    }
    // Malformed subjects: validation problems.
    for (body, field) in [
        (json!({ "value": "06117701547" }), "Type"),
        (
            json!({ "type": "urn:altinn:person:identifier-no", "value": "123" }),
            "Value",
        ),
        (
            json!({ "type": "urn:altinn:party:uuid", "value": "x" }),
            "Type",
        ),
    ] {
        assert_validation(
            post(
                &sandbox,
                "/accessmanagement/api/v1/serviceowner/authorizedparties",
                &body,
            )
            .await,
            field,
        )
        .await;
    }
    assert_eq!(
        sandbox.successor_requests(SuccessorEndpoint::AuthorizedParties),
        8
    );
}

#[tokio::test]
async fn role_metadata_has_names_and_legacy_codes() {
    let sandbox = sandbox().await;
    let roles = ok_json(
        get(format!(
            "{}/accessmanagement/api/v1/meta/info/roles",
            sandbox.platform_url()
        ))
        .await,
    )
    .await;
    let dagl = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["legacyRoleCode"] == "DAGL")
        .unwrap();
    assert_eq!(dagl["name"], "Daglig leder");
    assert_eq!(dagl["code"], "daglig-leder");
    assert_eq!(dagl["legacyUrn"], "urn:altinn:rolecode:DAGL");
    assert!(dagl["id"].as_str().unwrap().len() == 36);
    let utinn = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["legacyRoleCode"] == "UTINN")
        .unwrap();
    assert_eq!(utinn["name"], "Utfyller/Innsender");
    assert_eq!(sandbox.successor_requests(SuccessorEndpoint::Roles), 1);
}

fn addresses(body: &Value) -> &Vec<Value> {
    body["_embedded"]["varsling"]["varslingsadresser"]
        .as_array()
        .unwrap()
}

#[tokio::test]
async fn kofuvi_serves_hal_with_varied_prefixes_and_the_main_unit_fallback() {
    let sandbox = sandbox().await;
    let url = |n: &str| format!("{}/api/varslingsadresser/{n}", sandbox.kofuvi_url());
    let response = get(url("910021451")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/hal+json")
    );
    let body = json_of(response).await;
    assert_eq!(body["organisasjonsnummer"], "910021451");
    assert_eq!(body["_links"]["self"]["href"], url("910021451"));
    let entries = addresses(&body);
    assert_eq!(entries.len(), 4);
    let emails: Vec<&str> = entries
        .iter()
        .filter_map(|e| {
            e["kontaktinformasjon"]["digitalVarslingsinformasjon"]["epostadresse"]
                ["fullstendigAdresse"]
                .as_str()
        })
        .collect();
    assert_eq!(emails, ["34234324@gg.com", "eeee@bb.com"]);
    let phones: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| {
            let m = &e["kontaktinformasjon"]["digitalVarslingsinformasjon"]["mobiltelefon"];
            Some((
                m["internasjonaltPrefiks"].as_str()?.to_owned(),
                m["nasjonaltNummer"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert_eq!(phones.len(), 2);
    assert!(
        phones
            .iter()
            .all(|(p, _)| ["47", "+47", "0047"].contains(&p.as_str()))
    );
    assert_eq!(phones[0].1, "22334455");
    // Over the sample and custom records, more than one prefix form occurs.
    let mut prefixes = std::collections::HashSet::new();
    for n in ["910021451", "910514318", "810748532", "310524824", MAIN] {
        for e in addresses(&json_of(get(url(n)).await).await) {
            if let Some(p) = e["kontaktinformasjon"]["digitalVarslingsinformasjon"]["mobiltelefon"]
                ["internasjonaltPrefiks"]
                .as_str()
            {
                prefixes.insert(p.to_owned());
            }
        }
    }
    assert!(prefixes.len() >= 2, "{prefixes:?}");

    // A sub-unit without addresses: the main unit's, saying whose they are.
    let body = json_of(get(url(SUB_WITHOUT)).await).await;
    assert_eq!(body["organisasjonsnummer"], SUB_WITHOUT);
    for e in addresses(&body) {
        assert_eq!(
            e["kontaktinformasjon"]["kontaktinformasjonForEnhet"]["enhetsidentifikator"]["verdi"],
            MAIN
        );
    }
    // Unknown, or nothing to answer: 404; malformed: 400.
    for n in [UNKNOWN, EMPTY, SUB_OF_EMPTY] {
        assert_eq!(get(url(n)).await.status(), 404, "{n}");
    }
    assert_eq!(get(url("12345")).await.status(), 400);
    assert_eq!(sandbox.successor_requests(SuccessorEndpoint::Kofuvi), 11);
}

#[tokio::test]
async fn kofuvi_requires_a_client_certificate_when_the_sandbox_has_a_client_ca() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = TestCa::new("successors CA");
    let server = ca.server_identity();
    let sandbox = start(
        Sandbox::builder()
            .organizations(0)
            .tls(server.cert_pem(), server.key_pem())
            .client_ca(ca.cert_pem()),
    )
    .await;
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(ca.cert_der().to_vec()))
        .unwrap();
    let identity = ca.client_identity();
    let with = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(roots.clone(), Some(&identity)))
        .build()
        .unwrap();
    let without = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(roots, None))
        .build()
        .unwrap();
    let url = format!("{}/api/varslingsadresser/910021451", sandbox.kofuvi_url());
    assert_eq!(without.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(with.get(&url).send().await.unwrap().status(), 200);
    // Enhetsregisteret stays anonymous.
    let er = format!(
        "{}/enhetsregisteret/api/enheter/910021451",
        sandbox.enhetsregisteret_url()
    );
    assert_eq!(without.get(&er).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn enhetsregisteret_units_and_sub_units() {
    let sandbox = sandbox().await;
    let api = format!("{}/enhetsregisteret/api", sandbox.enhetsregisteret_url());
    let unit = ok_json(get(format!("{api}/enheter/910021451")).await).await;
    assert_eq!(unit["organisasjonsnummer"], "910021451");
    assert_eq!(unit["navn"], "BJØRNEVATN OG RØSTAD AS");
    assert_eq!(unit["organisasjonsform"]["kode"], "AS");
    assert_eq!(unit["organisasjonsform"]["beskrivelse"], "Aksjeselskap");
    assert_eq!(
        unit["_links"]["self"]["href"],
        format!("{api}/enheter/910021451")
    );
    assert!(unit.get("overordnetEnhet").is_none());
    // Names lose Altinn 2's padding.
    let main = ok_json(get(format!("{api}/enheter/{MAIN}")).await).await;
    assert_eq!(main["navn"], "HOVEDENHET AS");

    let sub = ok_json(get(format!("{api}/underenheter/{SUB_WITHOUT}")).await).await;
    assert_eq!(sub["overordnetEnhet"], MAIN);
    assert_eq!(sub["organisasjonsform"]["kode"], "BEDR");
    assert_eq!(
        sub["_links"]["overordnetEnhet"]["href"],
        format!("{api}/enheter/{MAIN}")
    );

    for path in [
        format!("enheter/{SUB_WITHOUT}"),
        "underenheter/910021451".to_owned(),
        format!("enheter/{UNKNOWN}"),
    ] {
        assert_eq!(get(format!("{api}/{path}")).await.status(), 404, "{path}");
    }
    let bad = get(format!("{api}/enheter/12345")).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json_of(bad).await["status"], 400);
    assert_eq!(sandbox.successor_requests(SuccessorEndpoint::Unit), 5);
    assert_eq!(sandbox.successor_requests(SuccessorEndpoint::SubUnit), 2);
}

#[tokio::test]
async fn enhetsregisteret_search_pages_and_limits() {
    let sandbox = start(Sandbox::builder().organizations(200).seed(5)).await;
    let api = format!("{}/enhetsregisteret/api", sandbox.enhetsregisteret_url());
    let first =
        ok_json(get(format!("{api}/enheter?organisasjonsform=AS&page=0&size=5")).await).await;
    let total = first["page"]["totalElements"].as_u64().unwrap();
    assert!(total > 5, "{first}");
    assert_eq!(first["page"]["size"], 5);
    assert_eq!(first["page"]["number"], 0);
    assert_eq!(
        first["page"]["totalPages"].as_u64().unwrap(),
        total.div_ceil(5)
    );
    let items = first["_embedded"]["enheter"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|u| u["organisasjonsform"]["kode"] == "AS"));
    assert!(
        first["_links"]["next"]["href"]
            .as_str()
            .unwrap()
            .contains("page=1")
    );
    // Walking every page finds each AS once, in number order.
    let mut seen = Vec::new();
    let pages = first["page"]["totalPages"].as_u64().unwrap();
    for page in 0..pages {
        let body = ok_json(
            get(format!(
                "{api}/enheter?organisasjonsform=AS&page={page}&size=5"
            ))
            .await,
        )
        .await;
        for u in body["_embedded"]["enheter"].as_array().unwrap() {
            seen.push(u["organisasjonsnummer"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    // Sub-unit forms are not main units.
    let bedr = ok_json(get(format!("{api}/enheter?organisasjonsform=BEDR")).await).await;
    assert_eq!(bedr["page"]["totalElements"], 0);
    assert!(bedr.get("_embedded").is_none());
    assert_eq!(bedr["page"]["size"], 20);
    // Limits.
    for query in ["size=10001", "page=5000&size=2", "size=0", "page=x"] {
        let response = get(format!("{api}/enheter?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
    }
    // The sub-unit search: BEDR and AAFY, each with its main unit, filtered by it too.
    let subs = ok_json(get(format!("{api}/underenheter?size=100")).await).await;
    let listed = subs["_embedded"]["underenheter"].as_array().unwrap();
    assert!(!listed.is_empty());
    assert_eq!(
        subs["page"]["totalElements"].as_u64().unwrap() as usize,
        listed.len()
    );
    for u in listed {
        assert!(["BEDR", "AAFY"].contains(&u["organisasjonsform"]["kode"].as_str().unwrap()));
        assert!(u["overordnetEnhet"].as_str().is_some());
    }
    let parent = listed[0]["overordnetEnhet"].as_str().unwrap();
    let children = ok_json(get(format!("{api}/underenheter?overordnetEnhet={parent}")).await).await;
    let children = children["_embedded"]["underenheter"].as_array().unwrap();
    assert!(children.iter().all(|u| u["overordnetEnhet"] == parent));
    assert!(
        children
            .iter()
            .any(|u| u["organisasjonsnummer"] == listed[0]["organisasjonsnummer"])
    );
    assert_eq!(
        sandbox.successor_requests(SuccessorEndpoint::SubUnitSearch),
        2
    );
    let by_number = ok_json(
        get(format!(
            "{api}/enheter?organisasjonsnummer=910021451,{}",
            seen[0]
        ))
        .await,
    )
    .await;
    assert_eq!(by_number["page"]["totalElements"], 2);
}

#[tokio::test]
async fn generated_sub_units_fall_back_to_their_main_units() {
    let sandbox = start(Sandbox::builder().organizations(300).seed(11)).await;
    let api = format!("{}/enhetsregisteret/api", sandbox.enhetsregisteret_url());
    let mut sub_units = Vec::new();
    for number in sandbox.organization_numbers() {
        if number.len() != 9 {
            continue;
        }
        let response = get(format!("{api}/underenheter/{number}")).await;
        if response.status() == 200 {
            let body = json_of(response).await;
            let main = body["overordnetEnhet"].as_str().unwrap().to_owned();
            assert_eq!(get(format!("{api}/enheter/{main}")).await.status(), 200);
            sub_units.push(number);
        }
    }
    assert!(sub_units.len() > 5, "{sub_units:?}");
    let list = ok_json(
        post(
            &sandbox,
            NOTIFICATION_ADDRESSES_PATH,
            &json!({ "organizationNumbers": sub_units }),
        )
        .await,
    )
    .await;
    let fallbacks = list["contactPointsList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["addressOrigin"] != i["organizationNumber"])
        .count();
    assert!(fallbacks > 0, "{list}");
}

#[tokio::test]
async fn faults_apply_to_the_emulations() {
    let sandbox = sandbox().await;
    let body = json!({ "organizationNumbers": ["910021451"] });
    sandbox.faults().fail_next(1, Fault::ServiceUnavailable);
    assert_eq!(
        post(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body)
            .await
            .status(),
        503
    );
    assert_eq!(
        post(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body)
            .await
            .status(),
        200
    );
    sandbox.faults().rate_limit_next(1, 7);
    let limited = get(format!(
        "{}/enhetsregisteret/api/enheter/910021451",
        sandbox.enhetsregisteret_url()
    ))
    .await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    sandbox.faults().fail_next(1, Fault::TruncatedJson);
    let truncated = get(format!(
        "{}/api/varslingsadresser/910021451",
        sandbox.kofuvi_url()
    ))
    .await;
    assert_eq!(truncated.status(), 200);
    let bytes = truncated.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
    assert!(!bytes.is_empty());
    sandbox.faults().fail_next(1, Fault::HtmlPage);
    let page = post(&sandbox, CONTACT_POINTS_PATH, &json!({})).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // The path filter leaves other paths alone.
    sandbox
        .faults()
        .set_path_filter(Some("/enhetsregisteret/".into()));
    sandbox
        .faults()
        .set_always(Some(Fault::status(502, "Bad Gateway")));
    assert_eq!(
        post(&sandbox, NOTIFICATION_ADDRESSES_PATH, &body)
            .await
            .status(),
        200
    );
    assert_eq!(
        get(format!(
            "{}/enhetsregisteret/api/enheter/910021451",
            sandbox.enhetsregisteret_url()
        ))
        .await
        .status(),
        502
    );
    // Requests are recorded, the subscription key hidden from Debug.
    let recorded = sandbox.requests();
    let profile = recorded
        .iter()
        .find(|r| r.path() == NOTIFICATION_ADDRESSES_PATH)
        .unwrap();
    assert_eq!(
        profile.header("ocp-apim-subscription-key"),
        sandbox.subscription_key()
    );
    let debug = format!("{profile:?}");
    assert!(
        !debug.contains(sandbox.subscription_key().unwrap()),
        "{debug}"
    );
    assert!(!debug.contains(sandbox.successor_token()), "{debug}");
}
