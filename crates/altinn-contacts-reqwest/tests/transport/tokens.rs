//! Token providers under failure: a 401 drops the token and repeats the call once, transient
//! token failures are retried under the call's retry policy, a failed refresh is shared instead
//! of repeated, and any `expires_in` is survived.

use std::sync::Arc;
use std::time::Duration;

use altinn_contacts_api::{ContactsApi, Error};
use altinn_contacts_reqwest::{
    MaskinportenTokenProvider, ReqwestContactsApi, RetryPolicy, TokenProvider,
};
use secrecy::ExposeSecret;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::maskinporten::{provider_builder, rsa_identity, token_answer};
use crate::support::{builder, fast_retry, fixtures, hal, org};

const CONTACTS: &str = "/api/serviceowner/organizations/910021451/officialcontacts";

async fn token_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/token")
        .count()
}

fn provider(server: &MockServer) -> Arc<MaskinportenTokenProvider> {
    Arc::new(provider_builder(server, rsa_identity()).build().unwrap())
}

/// A client of `server` whose tokens come from `server`'s `/token`, retrying by `retry`.
fn client_with_provider(server: &MockServer, retry: RetryPolicy) -> ReqwestContactsApi {
    builder(&server.uri())
        .retry(retry)
        .token_provider(provider(server))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_401_drops_the_token_and_repeats_the_call_once_with_a_new_one() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_answer("revoked-token", 3600))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/token"))
        .respond_with(token_answer("fresh-token", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(CONTACTS))
        .and(header("authorization", "Bearer revoked-token"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(CONTACTS))
        .and(header("authorization", "Bearer fresh-token"))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(2)
        .mount(&server)
        .await;
    // Even without retries: the repeat after a 401 is not a retry of a transient failure.
    let api = client_with_provider(&server, RetryPolicy::none());
    api.official_contacts(&org()).await.unwrap();
    // The fresh token is cached: the next call needs no token request.
    api.official_contacts(&org()).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_second_401_ends_the_call_as_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_answer("never-accepted", 3600))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path(CONTACTS))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let api = client_with_provider(&server, fast_retry(3));
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_eq!(err.http().map(|h| h.attempts), Some(2));
    server.verify().await;
}

#[tokio::test]
async fn a_static_token_refused_with_401_is_not_repeated() {
    let server = MockServer::start().await;
    Mock::given(path(CONTACTS))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .bearer_token("static-token")
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_transient_token_failure_is_retried_like_a_call() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/token"))
        .respond_with(token_answer("after-outage", 3600))
        .mount(&server)
        .await;
    Mock::given(path(CONTACTS))
        .and(header("authorization", "Bearer after-outage"))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(1)
        .mount(&server)
        .await;
    let api = client_with_provider(&server, fast_retry(3));
    api.official_contacts(&org()).await.unwrap();
    assert_eq!(token_requests(&server).await, 2);
    server.verify().await;
}

#[tokio::test]
async fn a_final_token_failure_and_the_retry_budget_end_the_call() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(path(CONTACTS))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(0)
        .mount(&server)
        .await;
    let api = client_with_provider(&server, fast_retry(2));
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Credentials(failure) = &err else {
        panic!("expected a credentials error, got {err:?}");
    };
    assert_eq!(failure.attempts, 2);
    assert!(err.is_transient());
    assert_eq!(token_requests(&server).await, 2);
    server.verify().await;
}

#[tokio::test]
async fn the_deadline_bounds_the_wait_for_a_token() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_answer("too-late", 3600).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let api = client_with_provider(
        &server,
        fast_retry(3).deadline(Some(Duration::from_millis(300))),
    );
    let started = std::time::Instant::now();
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn concurrent_callers_of_a_failing_token_endpoint_share_the_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(100)))
        .mount(&server)
        .await;
    let provider = provider(&server);
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.token().await })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.status(), Some(503));
    }
    assert_eq!(token_requests(&server).await, 1, "one request, not 32");
    // Callers right after get the remembered failure at once.
    let started = std::time::Instant::now();
    assert!(provider.token().await.is_err());
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test]
async fn concurrent_calls_through_the_client_make_a_bounded_number_of_token_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(50)))
        .mount(&server)
        .await;
    Mock::given(path(CONTACTS))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(0)
        .mount(&server)
        .await;
    let api = client_with_provider(&server, fast_retry(3));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { api.official_contacts(&org()).await })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    }
    // Three attempts each, but at most one token request per remembered failure (one second),
    // not one per caller: typically 3, never near 32 (nor 96). The slack is for a slow machine
    // spreading the callers' retries over more backoff periods.
    let requests = token_requests(&server).await;
    assert!((1..=6).contains(&requests), "{requests} token requests");
    server.verify().await;
}

#[tokio::test]
async fn any_expires_in_is_survived() {
    for expires_in in [
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!(u64::MAX),
        serde_json::json!(1e300),
        serde_json::json!("3600"),
        serde_json::json!("soon"),
        serde_json::Value::Null,
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "odd-lifetime",
                "expires_in": expires_in,
            })))
            .mount(&server)
            .await;
        let provider = provider(&server);
        for _ in 0..2 {
            let token = provider.token().await.unwrap();
            assert_eq!(token.expose_secret(), "odd-lifetime", "{expires_in}");
        }
    }
}

/// Answers 503 quoting the grant it was given, as a careless server might.
struct EchoGrant;

impl wiremock::Respond for EchoGrant {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let grant = url::form_urlencoded::parse(&request.body)
            .find(|(k, _)| k == "assertion")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        ResponseTemplate::new(503).set_body_string(format!("cannot take {grant} now"))
    }
}

/// `Display` and `Debug` of every error down the chain.
fn whole_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(e) = next {
        text.push_str(&format!("{e}\n{e:?}\n"));
        next = e.source();
    }
    text
}

#[tokio::test]
async fn no_grant_key_or_token_anywhere_in_a_credentials_errors_chain() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(EchoGrant)
        .mount(&server)
        .await;
    let api = client_with_provider(&server, fast_retry(1));
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    let grant = url::form_urlencoded::parse(&server.received_requests().await.unwrap()[0].body)
        .find(|(k, _)| k == "assertion")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let chain = whole_chain(&err);
    assert!(chain.contains("cannot take <redacted> now"), "{chain}");
    for part in grant.split('.') {
        assert!(!chain.contains(part), "a part of the grant leaked: {chain}");
    }
    assert!(!chain.contains(crate::support::API_KEY), "{chain}");

    // No answer at all: reqwest's error is in the chain, without secrets.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/token", listener.local_addr().unwrap());
    drop(listener);
    let provider = MaskinportenTokenProvider::builder()
        .client_id("3f1c0b8e-test-client")
        .identity(rsa_identity())
        .endpoints("https://maskinporten.example.invalid/", closed)
        .build()
        .unwrap();
    let api = builder(&server.uri())
        .retry(fast_retry(1))
        .token_provider(Arc::new(provider))
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let mut found_reqwest = false;
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = next {
        found_reqwest |= e.is::<reqwest::Error>();
        next = e.source();
    }
    assert!(found_reqwest, "{err:?}");
    assert!(!whole_chain(&err).contains(crate::support::API_KEY));
}
