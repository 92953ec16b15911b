//! TLS end to end against a loopback server that requires a client certificate, with PKCS#12 and
//! PEM identities, and the refusals when something is missing.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use altinn_contacts_api::{ContactsApi, Error, TransportFailure};
use altinn_contacts_reqwest::{Certificate, ConfigError, Identity, ReqwestContactsApi};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use altinn_contacts_sandbox::test_pki::TestCa;

use crate::support::{API_KEY, fast_retry, fixtures, org};

/// Starts an HTTPS server on loopback that requires a client certificate issued by the test CA
/// and serves official contacts only to requests that carry `ForceEIAuthentication`.
pub(crate) async fn start_server(ca: &TestCa) -> SocketAddr {
    let server = ca.server_identity();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(ca.cert_der().to_vec()))
        .unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![
                CertificateDer::from(server.cert_der().to_vec()),
                CertificateDer::from(ca.cert_der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server.key_der().to_vec())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake just ends this connection.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(|request: Request<hyper::body::Incoming>| async move {
                    let forced = request.uri().query() == Some("ForceEIAuthentication");
                    let keyed = request
                        .headers()
                        .get("apikey")
                        .is_some_and(|v| v.as_bytes() == API_KEY.as_bytes());
                    let response = if forced && keyed {
                        Response::builder()
                            .header("content-type", "application/hal+json")
                            .body(fixtures::OFFICIAL_CONTACTS.to_owned())
                    } else {
                        Response::builder().status(401).body(String::new())
                    };
                    Ok::<_, Infallible>(response.unwrap())
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    addr
}

pub(crate) fn builder(addr: SocketAddr, ca: &TestCa) -> altinn_contacts_reqwest::ConfigBuilder {
    ReqwestContactsApi::builder()
        .base_url(format!("https://{addr}/"))
        .api_key(API_KEY)
        .add_root_certificate(Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap())
        .retry(fast_retry(2))
}

#[tokio::test]
async fn a_pem_identity_authenticates() {
    let ca = TestCa::new("altinn-contacts test CA");
    let addr = start_server(&ca).await;
    let client = ca.client_identity();
    let identity =
        Identity::from_pem(client.chain_pem().as_bytes(), client.key_pem().as_bytes()).unwrap();
    let api = builder(addr, &ca).certificate(identity).build().unwrap();
    let list = api
        .official_contacts(&org())
        .await
        .expect("mutual TLS works");
    assert_eq!(list.items().len(), 2);
}

#[tokio::test]
async fn a_pkcs12_identity_authenticates() {
    let ca = TestCa::new("altinn-contacts test CA");
    let addr = start_server(&ca).await;
    let p12 = ca.client_identity().pkcs12("s3cret-p12-pass");
    let identity = Identity::from_pkcs12_der(&p12, "s3cret-p12-pass").unwrap();
    let api = builder(addr, &ca).certificate(identity).build().unwrap();
    let list = api
        .official_contacts(&org())
        .await
        .expect("mutual TLS works");
    assert_eq!(list.items().len(), 2);
}

#[tokio::test]
async fn identities_and_roots_read_from_files() {
    let ca = TestCa::new("altinn-contacts test CA");
    let addr = start_server(&ca).await;
    let dir = std::env::temp_dir().join(format!(
        "altinn-contacts-reqwest-tls-{}-{}",
        std::process::id(),
        unique_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let p12_path = dir.join("client.p12");
    let pem_path = dir.join("client.pem");
    let ca_path = dir.join("ca.pem");
    let client = ca.client_identity();
    std::fs::write(&p12_path, client.pkcs12("pw")).unwrap();
    std::fs::write(
        &pem_path,
        format!("{}{}", client.cert_pem(), client.key_pem()),
    )
    .unwrap();
    std::fs::write(&ca_path, ca.cert_pem()).unwrap();

    for identity in [
        Identity::from_file(&p12_path, Some("pw")).unwrap(),
        Identity::from_file(&pem_path, None).unwrap(),
    ] {
        let api = ReqwestContactsApi::builder()
            .base_url(format!("https://{addr}/"))
            .api_key(API_KEY)
            .add_root_certificate(Certificate::from_file(&ca_path).unwrap())
            .certificate(identity)
            .build()
            .unwrap();
        api.official_contacts(&org())
            .await
            .expect("mutual TLS works");
    }

    let err = Identity::from_file(dir.join("missing.p12"), Some("pw")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn unique_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

#[tokio::test]
async fn a_wrong_pkcs12_password_is_a_config_error_without_the_password() {
    let ca = TestCa::new("altinn-contacts test CA");
    let client = ca.client_identity();
    let p12 = client.pkcs12("right-password");
    let err = Identity::from_pkcs12_der(&p12, "wrong-password-xyz").unwrap_err();
    assert!(matches!(err, ConfigError::Identity { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("password"), "{text}");
    assert!(
        !text.contains("wrong-password-xyz") && !text.contains("right-password"),
        "{text}"
    );
    assert!(Identity::from_pkcs12_der(b"not a p12", "x").is_err());
    assert!(Identity::from_pem(client.cert_pem().as_bytes(), b"").is_err());
    assert!(Identity::from_pem(b"", client.key_pem().as_bytes()).is_err());
}

#[tokio::test]
async fn without_a_client_certificate_the_server_refuses() {
    let ca = TestCa::new("altinn-contacts test CA");
    let addr = start_server(&ca).await;
    let api = builder(addr, &ca).build().unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportFailure::Tls),
        "{err:?}"
    );
    assert_eq!(
        err.operation(),
        Some(altinn_contacts_api::Operation::OfficialContacts)
    );
}

#[tokio::test]
async fn an_untrusted_server_is_refused() {
    let ca = TestCa::new("altinn-contacts test CA");
    let addr = start_server(&ca).await;
    let client = ca.client_identity();
    let identity =
        Identity::from_pem(client.cert_pem().as_bytes(), client.key_pem().as_bytes()).unwrap();
    // No extra root: the test CA is not among the system's roots.
    let api = ReqwestContactsApi::builder()
        .base_url(format!("https://{addr}/"))
        .api_key(API_KEY)
        .certificate(identity)
        .retry(fast_retry(3))
        .build();
    let api = match api {
        Ok(api) => api,
        // A machine without system roots trusts nothing, and says so already when building.
        Err(ConfigError::Tls { reason, .. }) => {
            assert!(reason.contains("no trusted root"), "{reason}");
            return;
        }
        Err(other) => panic!("unexpected configuration error: {other:?}"),
    };
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Transport(failure) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(failure.kind, TransportFailure::Tls, "{failure:?}");
    assert_eq!(failure.attempts, 1, "TLS failures are not retried");
}
