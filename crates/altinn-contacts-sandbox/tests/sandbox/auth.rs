//! The API key and the optional bearer token, and what the sandbox records of them.

use altinn_contacts_sandbox::{Sandbox, messages};

use crate::common::*;

#[tokio::test]
async fn api_key_missing_wrong_and_right() {
    let sandbox = start(Sandbox::builder().organizations(0).api_key("k-123")).await;
    assert_eq!(sandbox.api_key(), "k-123");
    let target = url(&sandbox, "organizations");
    assert_error(
        client().get(&target).send().await.unwrap(),
        400,
        messages::API_KEY_MISSING,
    )
    .await;
    assert_error(
        client()
            .get(&target)
            .header("ApiKey", "")
            .send()
            .await
            .unwrap(),
        400,
        messages::API_KEY_MISSING,
    )
    .await;
    assert_error(
        client()
            .get(&target)
            .header("ApiKey", "k-124")
            .send()
            .await
            .unwrap(),
        403,
        messages::API_KEY_FORBIDDEN,
    )
    .await;
    // Header names are case-insensitive.
    let ok = client()
        .get(&target)
        .header("apikey", "k-123")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn bearer_token_required_when_configured() {
    let sandbox = start(
        Sandbox::builder()
            .organizations(0)
            .bearer_token("maskinporten-token"),
    )
    .await;
    assert_eq!(sandbox.bearer_token(), Some("maskinporten-token"));
    let target = url(&sandbox, "organizations/910021451");
    let with_key = || client().get(&target).header("ApiKey", sandbox.api_key());
    assert_error(
        with_key().send().await.unwrap(),
        401,
        messages::NO_AUTHENTICATED_ORGANIZATION,
    )
    .await;
    assert_error(
        with_key().bearer_auth("other").send().await.unwrap(),
        401,
        messages::NO_AUTHENTICATED_ORGANIZATION,
    )
    .await;
    // The API key is still checked first.
    assert_error(
        client()
            .get(&target)
            .bearer_auth("maskinporten-token")
            .send()
            .await
            .unwrap(),
        400,
        messages::API_KEY_MISSING,
    )
    .await;
    let ok = with_key()
        .bearer_auth("maskinporten-token")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn requests_are_recorded_with_headers_and_debug_hides_secrets() {
    let sandbox = start(
        Sandbox::builder()
            .organizations(0)
            .api_key("secret-key-9")
            .bearer_token("tok-77"),
    )
    .await;
    client()
        .get(url(
            &sandbox,
            "organizations?ForceEIAuthentication&phoneNumber=%2B4791234567&$top=5",
        ))
        .header("ApiKey", "secret-key-9")
        .bearer_auth("tok-77")
        .header("Accept", "application/hal+json")
        .send()
        .await
        .unwrap();
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method(), "GET");
    assert_eq!(r.path(), "/api/serviceowner/organizations");
    assert_eq!(
        r.query(),
        Some("ForceEIAuthentication&phoneNumber=%2B4791234567&$top=5")
    );
    assert_eq!(r.query_param("phonenumber").as_deref(), Some("+4791234567"));
    assert_eq!(r.query_param("ForceEIAuthentication").as_deref(), Some(""));
    assert_eq!(r.header("apikey"), Some("secret-key-9"));
    assert_eq!(r.header("Authorization"), Some("Bearer tok-77"));
    assert_eq!(r.header("accept"), Some("application/hal+json"));
    assert!(!r.client_certificate());

    let shown = format!("{requests:?} {requests:#?} {sandbox:?}");
    assert!(!shown.contains("secret-key-9"), "{shown}");
    assert!(!shown.contains("tok-77"), "{shown}");
    assert!(shown.contains("application/hal+json"));
    let builder = Sandbox::builder()
        .api_key("secret-key-9")
        .bearer_token("tok-77")
        .tls("CERT", "PRIVATE-KEY-PEM");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("secret-key-9")
            && !shown.contains("tok-77")
            && !shown.contains("PRIVATE-KEY"),
        "{shown}"
    );

    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
    assert_eq!(sandbox.request_count(), 1);
}

#[tokio::test]
async fn request_log_is_bounded() {
    let sandbox = start(Sandbox::builder().organizations(0).request_log_capacity(3)).await;
    for number in [
        "010000211",
        "910514318",
        "810748532",
        "910021451",
        "310524824",
    ] {
        get(&sandbox, &format!("organizations/{number}")).await;
    }
    let paths: Vec<String> = sandbox
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/serviceowner/organizations/810748532",
            "/api/serviceowner/organizations/910021451",
            "/api/serviceowner/organizations/310524824",
        ]
    );
    assert_eq!(sandbox.request_count(), 5);
}
