//! Helpers shared by the integration tests.

use std::sync::{Arc, OnceLock};

use altinn_contacts_sandbox::{Sandbox, SandboxBuilder};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// reqwest is built with `rustls-no-provider`: install ring once per process.
pub(crate) fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain-HTTP client that does not follow redirects. Its TLS config (never used over plain
/// HTTP) is built once, since loading the platform's roots for every client is slow.
pub(crate) fn client() -> reqwest::Client {
    static TLS: OnceLock<rustls::ClientConfig> = OnceLock::new();
    let tls = TLS.get_or_init(|| {
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
    });
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A sandbox with only the sample and quirk records.
pub(crate) async fn seed_only() -> Sandbox {
    Sandbox::builder()
        .organizations(0)
        .start()
        .await
        .expect("start")
}

pub(crate) async fn start(builder: SandboxBuilder) -> Sandbox {
    builder.start().await.expect("start")
}

pub(crate) fn url(sandbox: &Sandbox, path_and_query: &str) -> String {
    format!("{}/api/serviceowner/{}", sandbox.base_url(), path_and_query)
}

/// `GET {api}/{path_and_query}` with the sandbox's key and the HAL Accept header.
pub(crate) async fn get(sandbox: &Sandbox, path_and_query: &str) -> reqwest::Response {
    get_with(&client(), sandbox, path_and_query).await
}

/// Like [`get`] on a given client (keeping its connections alive between requests).
pub(crate) async fn get_with(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    path_and_query: &str,
) -> reqwest::Response {
    client
        .get(url(sandbox, path_and_query))
        .header("ApiKey", sandbox.api_key())
        .header("Accept", "application/hal+json")
        .send()
        .await
        .expect("request")
}

/// Like [`get`], asserting `200` with Altinn's content type, returning the JSON.
pub(crate) async fn get_json(sandbox: &Sandbox, path_and_query: &str) -> Value {
    let response = get(sandbox, path_and_query).await;
    assert_eq!(
        response.status(),
        200,
        "GET {path_and_query}: {:?}",
        reason(&response)
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/hal+json; charset=utf-8"
    );
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// The reason phrase of a response as it was on the wire. hyper keeps a phrase in the
/// extensions only when it differs from the status code's standard one, so the standard one is
/// what was sent when there is none.
pub(crate) fn reason(response: &reqwest::Response) -> Option<String> {
    response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
        .or_else(|| response.status().canonical_reason().map(str::to_owned))
}

/// Asserts an Altinn-style error: this status, this reason phrase, an empty body.
pub(crate) async fn assert_error(response: reqwest::Response, status: u16, expected_reason: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(reason(&response).as_deref(), Some(expected_reason));
    assert!(response.bytes().await.expect("body").is_empty());
}

/// The items of `_embedded.<rel>`.
pub(crate) fn items<'a>(body: &'a Value, rel: &str) -> &'a Vec<Value> {
    body["_embedded"][rel]
        .as_array()
        .unwrap_or_else(|| panic!("no _embedded.{rel} in {body}"))
}

/// The organization numbers of an organizations page.
pub(crate) fn numbers(body: &Value) -> Vec<String> {
    items(body, "organizations")
        .iter()
        .map(|o| o["OrganizationNumber"].as_str().expect("number").to_owned())
        .collect()
}

/// Sends raw HTTP/1.1 over TCP (with `Connection: close`) and returns everything received.
pub(crate) async fn raw(sandbox: &Sandbox, request_head: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(sandbox.local_addr())
        .await
        .expect("connect");
    stream
        .write_all(request_head.as_bytes())
        .await
        .expect("write");
    let mut received = Vec::new();
    // The read ends at EOF or, for a fault that aborts the connection, at a reset.
    let _ = stream.read_to_end(&mut received).await;
    received
}

/// A raw `GET` of `path` with these extra header lines.
pub(crate) async fn raw_get(sandbox: &Sandbox, path: &str, headers: &[(&str, &str)]) -> String {
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        sandbox.local_addr()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    String::from_utf8_lossy(&raw(sandbox, &head).await).into_owned()
}

/// The status line of a raw response.
pub(crate) fn status_line(response: &str) -> &str {
    response.split("\r\n").next().unwrap_or_default()
}
