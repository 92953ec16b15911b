//! HTTPS, and enterprise-certificate authentication with a client CA: certificates come from
//! the crate's `test_pki`; the client is reqwest with a rustls config built here.

use std::sync::Arc;

use altinn_contacts_sandbox::test_pki::{TestCa, TestIdentity};
use altinn_contacts_sandbox::{Error, Sandbox, messages};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::common::*;

/// A reqwest client trusting `ca`, presenting `identity` when given.
fn tls_client(ca: &TestCa, identity: Option<&TestIdentity>) -> reqwest::Client {
    install_crypto();
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(ca.cert_der().to_vec()))
        .unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some(identity) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(identity.cert_der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der().to_vec())),
            )
            .unwrap(),
    };
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .unwrap()
}

async fn tls_sandbox(server_ca: &TestCa, client_ca: Option<&TestCa>) -> Sandbox {
    let server = server_ca.server_identity();
    let mut builder = Sandbox::builder()
        .organizations(0)
        .tls(server.cert_pem(), server.key_pem());
    if let Some(client_ca) = client_ca {
        builder = builder.client_ca(client_ca.cert_pem());
    }
    start(builder).await
}

async fn status_and_reason(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    query: &str,
) -> (u16, Option<String>) {
    let response = client
        .get(format!(
            "{}/api/serviceowner/organizations/910021451{query}",
            sandbox.base_url()
        ))
        .header("ApiKey", sandbox.api_key())
        .send()
        .await
        .expect("request");
    (response.status().as_u16(), reason(&response))
}

#[tokio::test]
async fn https_without_client_authentication() {
    let server_ca = TestCa::new("Sandbox Test Server CA");
    let sandbox = tls_sandbox(&server_ca, None).await;
    assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
    let client = tls_client(&server_ca, None);
    let response = client
        .get(url(&sandbox, "organizations/910021451"))
        .header("ApiKey", sandbox.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        body["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    );
    // A client that does not trust the server's CA fails the handshake.
    let stranger = tls_client(&TestCa::new("Other CA"), None);
    assert!(
        stranger
            .get(url(&sandbox, "organizations"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn client_certificate_and_force_ei_authentication() {
    let server_ca = TestCa::new("Sandbox Test Server CA");
    let client_ca = TestCa::new("Sandbox Test Buypass-like CA");
    let sandbox = tls_sandbox(&server_ca, Some(&client_ca)).await;
    let client_identity = client_ca.client_identity();
    let with_cert = tls_client(&server_ca, Some(&client_identity));

    assert_eq!(
        status_and_reason(&with_cert, &sandbox, "?ForceEIAuthentication").await,
        (200, Some("OK".to_owned()))
    );
    assert_eq!(
        status_and_reason(&with_cert, &sandbox, "/?ForceEIAuthentication").await,
        (200, Some("OK".to_owned()))
    );
    assert!(sandbox.requests().last().unwrap().client_certificate());

    // The certificate alone is not enough: Altinn wants the flag too.
    assert_eq!(
        status_and_reason(&with_cert, &sandbox, "").await,
        (
            401,
            Some(messages::ENTERPRISE_CERTIFICATE_FAILED.to_owned())
        )
    );

    // No certificate: the handshake succeeds and the request gets Altinn's 401.
    let without_cert = tls_client(&server_ca, None);
    assert_eq!(
        status_and_reason(&without_cert, &sandbox, "?ForceEIAuthentication").await,
        (
            401,
            Some(messages::ENTERPRISE_CERTIFICATE_FAILED.to_owned())
        )
    );
    assert!(!sandbox.requests().last().unwrap().client_certificate());

    // A certificate from another CA is refused in the handshake.
    let rogue_identity = TestCa::new("Rogue CA").client_identity();
    let rogue = tls_client(&server_ca, Some(&rogue_identity));
    assert!(
        rogue
            .get(url(
                &sandbox,
                "organizations/910021451?ForceEIAuthentication"
            ))
            .header("ApiKey", sandbox.api_key())
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn certificate_or_bearer_token_when_both_are_configured() {
    let server_ca = TestCa::new("Server CA");
    let client_ca = TestCa::new("Client CA");
    let server = server_ca.server_identity();
    let sandbox = start(
        Sandbox::builder()
            .organizations(0)
            .tls(server.cert_pem(), server.key_pem())
            .client_ca(client_ca.cert_pem())
            .bearer_token("tok"),
    )
    .await;
    let without_cert = tls_client(&server_ca, None);
    let target = url(&sandbox, "organizations/910021451");
    let ok = without_cert
        .get(&target)
        .header("ApiKey", sandbox.api_key())
        .bearer_auth("tok")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let (status, phrase) = status_and_reason(&without_cert, &sandbox, "").await;
    assert_eq!(
        (status, phrase.as_deref()),
        (401, Some(messages::NO_AUTHENTICATED_ORGANIZATION))
    );
}

#[tokio::test]
async fn bad_tls_configuration_is_an_error() {
    let no_tls = Sandbox::builder().client_ca("x").start().await.unwrap_err();
    assert!(matches!(no_tls, Error::Config(_)), "{no_tls}");
    let garbage = Sandbox::builder()
        .tls("not a pem", "not a pem")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(garbage, Error::Tls(_)), "{garbage}");
    let server = TestCa::new("Server CA").server_identity();
    let bad_ca = Sandbox::builder()
        .tls(server.cert_pem(), server.key_pem())
        .client_ca("no certificate here")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(bad_ca, Error::Tls(_)), "{bad_ca}");
    // A key that does not belong to the certificate.
    let other = TestCa::new("Server CA").server_identity();
    let mismatch = Sandbox::builder()
        .tls(server.cert_pem(), other.key_pem())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(mismatch, Error::Tls(_)), "{mismatch}");
    assert!(!mismatch.to_string().contains("PRIVATE KEY"));
}
