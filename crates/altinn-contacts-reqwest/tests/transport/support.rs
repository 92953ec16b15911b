//! Shared helpers: fixtures, client builders and a raw HTTP server; test certificates come
//! from `altinn_contacts_sandbox::test_pki`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use altinn_contacts_api::OrganizationNumber;
use altinn_contacts_reqwest::{ConfigBuilder, ReqwestContactsApi, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The API key every test client sends.
pub(crate) const API_KEY: &str = "test-api-key-3f9c2b71";

/// The seed sample responses of Altinn's API page.
pub(crate) mod fixtures {
    pub(crate) const ORGANIZATIONS: &str = include_str!("../fixtures/organizations.json");
    pub(crate) const SEARCH: &str = include_str!("../fixtures/search.json");
    pub(crate) const ORGANIZATION: &str = include_str!("../fixtures/organization.json");
    pub(crate) const ORGANIZATION_EXPANDED: &str =
        include_str!("../fixtures/organization-expanded.json");
    pub(crate) const OFFICIAL_CONTACTS: &str = include_str!("../fixtures/official-contacts.json");
    pub(crate) const PERSONAL_CONTACTS: &str = include_str!("../fixtures/personal-contacts.json");
    pub(crate) const ROLES: &str = include_str!("../fixtures/roles.json");
}

/// The organization number of the seed samples' official contacts.
pub(crate) fn org() -> OrganizationNumber {
    "910021451".parse().expect("a valid organization number")
}

/// Retries that do not slow tests down.
pub(crate) fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A builder for a client of `base_url` with the test API key and fast retries.
pub(crate) fn builder(base_url: &str) -> ConfigBuilder {
    ReqwestContactsApi::builder()
        .base_url(base_url)
        .api_key(API_KEY)
        .retry(fast_retry(3))
        .request_timeout(Duration::from_secs(10))
}

/// A client of `base_url` with the test API key and fast retries.
pub(crate) fn client(base_url: &str) -> ReqwestContactsApi {
    builder(base_url).build().expect("a valid configuration")
}

/// A HAL+JSON response for wiremock.
pub(crate) fn hal(body: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200).set_body_raw(body.as_bytes(), "application/hal+json")
}

/// A raw HTTP/1.1 server on loopback: answers the n-th connection with the n-th response (the
/// last one repeated), then closes it, and records each request head.
pub(crate) struct RawServer {
    pub(crate) addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    /// Starts the server with `responses`, each written verbatim.
    pub(crate) async fn start(responses: Vec<Vec<u8>>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while let Ok((mut stream, _)) = listener.accept().await {
                let response = responses[n.min(responses.len() - 1)].clone();
                n += 1;
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => head.extend_from_slice(&buf[..k]),
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).into_owned());
                    let _ = stream.write_all(&response).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        RawServer { addr, requests }
    }

    /// The base URL of the server.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The request heads received so far.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// A raw response with a reason phrase of the server's choosing and `body`.
pub(crate) fn raw_response(status_line: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status_line}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
