//! The Maskinporten token provider against a wiremock Maskinporten (and Altinn token exchange):
//! the signed grant, caching, single-flight refresh, errors, secrecy, and its use by the client.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use altinn_contacts_api::{ContactsApi, Error, Operation};
use altinn_contacts_reqwest::{
    Environment, Identity, MaskinportenBuilder, MaskinportenTokenProvider, TokenError,
    TokenProvider,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{self, UnparsedPublicKey};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use secrecy::ExposeSecret;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{builder, fixtures, hal, org};

/// A self-signed RSA-2048 certificate and its key, made for these tests only.
const TEST_ONLY_RSA_CERT: &str = include_str!("../fixtures/test-only-maskinporten-rsa.cert.pem");
const TEST_ONLY_RSA_KEY: &str = include_str!("../fixtures/test-only-maskinporten-rsa.key.pem");

const AUDIENCE: &str = "https://maskinporten.example/";
const CLIENT_ID: &str = "3f1c0b8e-test-client";

pub(crate) fn rsa_identity() -> Identity {
    Identity::from_pem(TEST_ONLY_RSA_CERT.as_bytes(), TEST_ONLY_RSA_KEY.as_bytes()).unwrap()
}

/// A P-256 identity and its certificate in DER.
fn ecdsa_identity() -> (Identity, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["test-virksomhet.example".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let identity =
        Identity::from_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
    (identity, cert.der().to_vec())
}

pub(crate) fn provider_builder(server: &MockServer, identity: Identity) -> MaskinportenBuilder {
    MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .identity(identity)
        .endpoints(AUDIENCE, format!("{}/token", server.uri()))
        .timeout(Duration::from_secs(10))
}

pub(crate) fn token_answer(token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": "altinn:serviceowner/organizations",
    }))
}

async fn mount_token(server: &MockServer, answer: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(answer)
        .expect(times)
        .mount(server)
        .await;
}

/// The `assertion` form field of a token request.
fn assertion_of(request: &Request) -> String {
    url::form_urlencoded::parse(&request.body)
        .find(|(k, _)| k == "assertion")
        .map(|(_, v)| v.into_owned())
        .expect("an assertion")
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// One DER TLV: (tag, contents, rest).
fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = der[0];
    let (len, header) = match der[1] {
        n if n < 0x80 => (usize::from(n), 2),
        n => {
            let count = usize::from(n & 0x7f);
            let len = der[2..2 + count]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, 2 + count)
        }
    };
    (tag, &der[header..header + len], &der[header + len..])
}

/// The subject public key (the BIT STRING contents) of an X.509 certificate.
fn subject_public_key(cert_der: &[u8]) -> Vec<u8> {
    let (_, cert, _) = tlv(cert_der);
    let (_, tbs, _) = tlv(cert);
    let mut rest = tbs;
    if rest[0] == 0xa0 {
        rest = tlv(rest).2; // version
    }
    for _ in 0..5 {
        rest = tlv(rest).2; // serial, signature, issuer, validity, subject
    }
    let (tag, spki, _) = tlv(rest);
    assert_eq!(tag, 0x30);
    let (_, bits, _) = tlv(tlv(spki).2);
    assert_eq!(bits[0], 0, "no unused bits");
    bits[1..].to_vec()
}

/// Checks a grant's header, claims and signature; returns (header, claims).
fn check_grant(
    assertion: &str,
    cert_der: &[u8],
    alg: &'static dyn signature::VerificationAlgorithm,
) -> (Value, Value) {
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    assert!(!assertion.contains('='), "base64url without padding");
    let header = decode_part(parts[0]);
    let claims = decode_part(parts[1]);
    let signing_input = format!("{}.{}", parts[0], parts[1]);
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    UnparsedPublicKey::new(alg, subject_public_key(cert_der))
        .verify(signing_input.as_bytes(), &sig)
        .expect("the grant's signature verifies with the certificate's public key");
    (header, claims)
}

fn leaf_der() -> Vec<u8> {
    CertificateDer::from_pem_slice(TEST_ONLY_RSA_CERT.as_bytes())
        .unwrap()
        .as_ref()
        .to_vec()
}

#[tokio::test]
async fn the_grant_is_an_rs256_jwt_with_the_certificate_and_the_claims() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-1", 120), 1).await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();

    let token = provider.token().await.unwrap();
    assert_eq!(token.expose_secret(), "mp-token-1");

    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    assert_eq!(form[0].0, "grant_type");
    assert_eq!(form[0].1, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    let cert = leaf_der();
    let (header, claims) = check_grant(
        &assertion_of(request),
        &cert,
        &signature::RSA_PKCS1_2048_8192_SHA256,
    );
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["x5c"], serde_json::json!([STANDARD.encode(&cert)]));
    assert!(header.get("kid").is_none());
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["scope"], "altinn:serviceowner/organizations");
    assert_eq!(claims["resource"], "https://www.altinn.no/");
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 120);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat.abs_diff(now) < 60, "iat {iat} is now ({now})");
    let jti = claims["jti"].as_str().unwrap();
    assert!(
        jti.len() >= 16 && jti.chars().all(|c| c.is_ascii_hexdigit()),
        "{jti}"
    );
}

#[tokio::test]
async fn ecdsa_keys_sign_es256_and_a_kid_replaces_the_certificate() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-ec", 120), 1).await;
    let (identity, cert) = ecdsa_identity();
    let provider = provider_builder(&server, identity)
        .key_id("test-kid-1")
        .scope("altinn:serviceowner")
        .environment(Environment::Tt02)
        .build()
        .unwrap();
    assert_eq!(
        provider.token().await.unwrap().expose_secret(),
        "mp-token-ec"
    );

    let requests = server.received_requests().await.unwrap();
    let (header, claims) = check_grant(
        &assertion_of(&requests[0]),
        &cert,
        &signature::ECDSA_P256_SHA256_FIXED,
    );
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], "test-kid-1");
    assert!(header.get("x5c").is_none());
    assert_eq!(claims["scope"], "altinn:serviceowner");
    assert_eq!(claims["resource"], "https://tt02.altinn.no/");
}

#[tokio::test]
async fn an_issuer_gives_aud_with_one_slash_and_a_registered_key_signs_without_a_certificate() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-kid", 120), 1).await;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["registered-key.example".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    // The issuer with any number of trailing slashes: aud has exactly one, the token URL one.
    let provider = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .issuer(format!("{}//", server.uri()))
        .signing_key_pem(key.serialize_pem())
        .key_id("registered-kid")
        .without_resource()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(!format!("{provider:?}").contains("PRIVATE"));
    assert_eq!(
        provider.token().await.unwrap().expose_secret(),
        "mp-token-kid"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/token");
    let (header, claims) = check_grant(
        &assertion_of(&requests[0]),
        cert.der(),
        &signature::ECDSA_P256_SHA256_FIXED,
    );
    assert_eq!(
        header,
        serde_json::json!({"alg": "ES256", "kid": "registered-kid"})
    );
    assert_eq!(claims["aud"], format!("{}/", server.uri()));
    let mut names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["aud", "exp", "iat", "iss", "jti", "scope"]);
    // A signing key without a kid, or one that is not a key, is refused before anything is sent.
    let no_kid = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .issuer(server.uri())
        .signing_key_pem(key.serialize_pem())
        .build()
        .unwrap_err();
    assert!(no_kid.to_string().contains("key id"), "{no_kid}");
    let junk = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .issuer(server.uri())
        .signing_key_pem("not a key")
        .key_id("k")
        .build()
        .unwrap_err();
    assert!(
        junk.to_string().contains("not an unencrypted private key"),
        "{junk}"
    );
}

#[tokio::test]
async fn a_token_is_reused_until_it_is_about_to_expire() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-cached", 120), 1).await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    for _ in 0..3 {
        assert_eq!(
            provider.token().await.unwrap().expose_secret(),
            "mp-token-cached"
        );
    }
    server.verify().await;
}

#[tokio::test]
async fn an_expired_token_is_refreshed_with_a_new_grant() {
    let server = MockServer::start().await;
    // `expires_in: 0`: already stale when it arrives, so every call asks again.
    mount_token(&server, token_answer("mp-token-short", 0), 2).await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    provider.token().await.unwrap();
    provider.token().await.unwrap();
    server.verify().await;
    let requests = server.received_requests().await.unwrap();
    let jti = |r: &Request| {
        let assertion = assertion_of(r);
        decode_part(assertion.split('.').nth(1).unwrap())["jti"].clone()
    };
    assert_ne!(
        jti(&requests[0]),
        jti(&requests[1]),
        "a fresh jti per grant"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_token_request() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        token_answer("mp-token-shared", 120).set_delay(Duration::from_millis(200)),
        1,
    )
    .await;
    let provider = Arc::new(provider_builder(&server, rsa_identity()).build().unwrap());
    let calls: Vec<_> = (0..64)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.token().await })
        })
        .collect();
    for call in calls {
        let token = call.await.unwrap().unwrap();
        assert_eq!(token.expose_secret(), "mp-token-shared");
    }
    server.verify().await;
}

#[tokio::test]
async fn the_maskinporten_token_is_exchanged_for_an_altinn_token() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-to-exchange", 120), 1).await;
    Mock::given(method("GET"))
        .and(path("/authentication/api/v1/exchange/maskinporten"))
        .and(header("authorization", "Bearer mp-token-to-exchange"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("\"altinn-token-42\"", "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let provider = provider_builder(&server, rsa_identity())
        .exchange_url(format!(
            "{}/authentication/api/v1/exchange/maskinporten",
            server.uri()
        ))
        .build()
        .unwrap();
    assert_eq!(
        provider.token().await.unwrap().expose_secret(),
        "altinn-token-42"
    );
    assert_eq!(
        provider.token().await.unwrap().expose_secret(),
        "altinn-token-42"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_refused_exchange_is_a_final_token_error() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-refused", 120), 1).await;
    Mock::given(path("/exchange"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string("token mp-token-refused not valid"),
        )
        .mount(&server)
        .await;
    let provider = provider_builder(&server, rsa_identity())
        .exchange_url(format!("{}/exchange", server.uri()))
        .build()
        .unwrap();
    let err = provider.token().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!err.is_transient());
    let text = format!("{err} {err:?}");
    assert!(
        text.starts_with("Altinn token exchange failed: 401 token <redacted> not valid"),
        "{text}"
    );
    assert!(!text.contains("mp-token-refused"), "{text}");
}

#[tokio::test]
async fn a_maskinporten_error_says_so_with_its_description() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant",
            "error_description": "Invalid assertion. Client authentication failed.",
        })),
        1,
    )
    .await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    let err = provider.token().await.unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    assert_eq!(err.status(), Some(400));
    // Used on its own, the provider names its own step, not an API call.
    assert_eq!(
        err.to_string(),
        "Maskinporten token request failed: 400 invalid_grant: Invalid assertion. Client authentication failed."
    );
}

#[tokio::test]
async fn maskinporten_unavailable_is_a_transient_token_error() {
    let server = MockServer::start().await;
    mount_token(&server, ResponseTemplate::new(503), 1).await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    let err = provider.token().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert!(
        err.to_string()
            .starts_with("Maskinporten token request failed: 503"),
        "{err}"
    );

    let provider = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .identity(rsa_identity())
        .endpoints(AUDIENCE, "http://127.0.0.1:1/token")
        .build()
        .unwrap();
    let err = provider.token().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(err.status(), None);
    assert!(
        err.to_string()
            .starts_with("Maskinporten token request failed: could not connect"),
        "{err}"
    );
    // reqwest's error is the cause, down to the refused connection.
    let reqwest_error = err
        .source()
        .and_then(|s| s.downcast_ref::<reqwest::Error>())
        .expect("reqwest's error as the source");
    assert!(reqwest_error.is_connect());
}

/// Answers with an error that quotes the grant it was given, as a careless server might.
struct EchoGrant;

impl Respond for EchoGrant {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant",
            "error_description": format!("bad assertion {}", assertion_of(request)),
        }))
    }
}

#[tokio::test]
async fn no_key_grant_or_token_shows_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(EchoGrant)
        .mount(&server)
        .await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    let err = provider.token().await.unwrap_err();
    let grant = assertion_of(&server.received_requests().await.unwrap()[0]);
    let text = format!("{err} {err:?}");
    assert!(text.contains("bad assertion <redacted>"), "{text}");
    for part in grant.split('.') {
        assert!(!text.contains(part), "a part of the grant leaked: {text}");
    }

    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-secret-9f2", 120), 1).await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    provider.token().await.unwrap();
    let builder = provider_builder(&server, rsa_identity());
    let shown = format!("{provider:?} {builder:?}");
    assert!(!shown.contains("mp-token-secret-9f2"), "{shown}");
    let key_line = TEST_ONLY_RSA_KEY.lines().nth(3).unwrap();
    assert!(!shown.contains(key_line), "{shown}");
    assert!(!shown.contains(&key_line[..16]), "{shown}");
    assert!(shown.contains(CLIENT_ID), "{shown}");
}

#[tokio::test]
async fn incomplete_configurations_are_refused() {
    let err = MaskinportenTokenProvider::builder()
        .identity(rsa_identity())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("client id"), "{err}");
    let err = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("identity"), "{err}");
    let err = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .identity(rsa_identity())
        .endpoints(AUDIENCE, "http://maskinporten.example.invalid/token")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
    // The real endpoints are accepted (nothing is sent while building).
    MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .identity(rsa_identity())
        .environment(Environment::Tt02)
        .exchange(true)
        .build()
        .unwrap();
}

#[tokio::test]
async fn the_client_sends_the_providers_token_to_altinn() {
    let server = MockServer::start().await;
    mount_token(&server, token_answer("mp-token-e2e", 120), 1).await;
    Mock::given(method("GET"))
        .and(path(
            "/api/serviceowner/organizations/910021451/officialcontacts",
        ))
        .and(header("authorization", "Bearer mp-token-e2e"))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(2)
        .mount(&server)
        .await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    let api = builder(&server.uri())
        .token_provider(Arc::new(provider))
        .build()
        .unwrap();
    api.official_contacts(&org()).await.unwrap();
    api.official_contacts(&org()).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_refused_grant_fails_the_call_under_its_operation() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": "Unknown client",
        })),
        1,
    )
    .await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
    .expect(0)
    .mount(&server)
    .await;
    let provider = provider_builder(&server, rsa_identity()).build().unwrap();
    let api = builder(&server.uri())
        .token_provider(Arc::new(provider))
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Credentials(failure) = &err else {
        panic!("expected a credentials error, got {err:?}");
    };
    assert_eq!(failure.operation, Operation::OfficialContacts);
    assert_eq!(err.operation(), Some(Operation::OfficialContacts));
    assert_eq!(
        err.to_string(),
        "official contacts: no access token: Maskinporten token request failed: 400 invalid_client: Unknown client"
    );
    let cause = err.source().and_then(|s| s.downcast_ref::<TokenError>());
    assert_eq!(cause.and_then(TokenError::status), Some(400));
    server.verify().await;
}

#[tokio::test]
async fn keys_that_cannot_sign_a_grant_are_refused_when_building() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["p384.example".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let identity =
        Identity::from_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
    let err = MaskinportenTokenProvider::builder()
        .client_id(CLIENT_ID)
        .identity(identity)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot sign a Maskinporten grant"),
        "{err}"
    );
}
