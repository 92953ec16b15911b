//! Shared helpers: fixtures, client builders, a raw HTTP server and test certificates.

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

/// A test PKI: a CA, a server certificate for 127.0.0.1 and a client certificate, all made here
/// so no key material lives in the repository.
pub(crate) struct Pki {
    pub(crate) ca_pem: String,
    pub(crate) ca_der: Vec<u8>,
    pub(crate) server_der: Vec<u8>,
    pub(crate) server_key_der: Vec<u8>,
    pub(crate) client_pem: String,
    pub(crate) client_der: Vec<u8>,
    pub(crate) client_key_pem: String,
    pub(crate) client_key_der: Vec<u8>,
}

impl Pki {
    /// Generates a fresh PKI.
    pub(crate) fn generate() -> Pki {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
            IsCa, KeyPair, KeyUsagePurpose,
        };
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "altinn-contacts test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

        let server_key = KeyPair::generate().unwrap();
        let mut server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server = server_params.signed_by(&server_key, &ca).unwrap();

        let client_key = KeyPair::generate().unwrap();
        let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        client_params
            .distinguished_name
            .push(DnType::CommonName, "TEST VIRKSOMHET AS");
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client = client_params.signed_by(&client_key, &ca).unwrap();

        Pki {
            ca_pem: ca.pem(),
            ca_der: ca.der().to_vec(),
            server_der: server.der().to_vec(),
            server_key_der: server_key.serialize_der(),
            client_pem: client.pem(),
            client_der: client.der().to_vec(),
            client_key_pem: client_key.serialize_pem(),
            client_key_der: client_key.serialize_der(),
        }
    }

    /// The client identity as a PKCS#12 archive protected by `password`.
    pub(crate) fn client_pkcs12(&self, password: &str) -> Vec<u8> {
        use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
        let key = PrivateKey::from_der(&self.client_key_der).unwrap();
        let chain = PrivateKeyChain::new(
            b"altinn-contacts-test".to_vec(),
            key,
            [
                Certificate::from_der(&self.client_der).unwrap(),
                Certificate::from_der(&self.ca_der).unwrap(),
            ],
        );
        let mut store = KeyStore::new();
        store.add_entry("test virksomhet", KeyStoreEntry::PrivateKeyChain(chain));
        store.writer(password).write().unwrap()
    }
}
