//! HTTPS, and enterprise-certificate authentication with a client CA: certificates are made in
//! the test with rcgen; the client is reqwest with a rustls config built here.

use std::sync::Arc;

use altinn_contacts_sandbox::{Error, Sandbox, messages};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::common::*;

struct Ca {
    cert: rcgen::Certificate,
    issuer: Issuer<'static, KeyPair>,
}

fn ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Ca {
        cert,
        issuer: Issuer::new(params, key),
    }
}

/// A leaf certificate signed by `ca`: `(certificate, key)`.
fn leaf(ca: &Ca, client: bool) -> (rcgen::Certificate, KeyPair) {
    let names = if client {
        vec![]
    } else {
        vec!["localhost".to_owned(), "127.0.0.1".to_owned()]
    };
    let mut params = CertificateParams::new(names).unwrap();
    params.distinguished_name.push(
        DnType::CommonName,
        if client {
            "910021451 VIRKSOMHETSSERTIFIKAT"
        } else {
            "localhost"
        },
    );
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert, key)
}

/// A reqwest client trusting `ca`, presenting `identity` when given.
fn tls_client(ca: &Ca, identity: Option<(&rcgen::Certificate, &KeyPair)>) -> reqwest::Client {
    install_crypto();
    let mut roots = RootCertStore::empty();
    roots.add(ca.cert.der().clone()).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap(),
    };
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .unwrap()
}

async fn tls_sandbox(server_ca: &Ca, client_ca: Option<&Ca>) -> Sandbox {
    let (cert, key) = leaf(server_ca, false);
    let mut builder = Sandbox::builder()
        .organizations(0)
        .tls(cert.pem(), key.serialize_pem());
    if let Some(client_ca) = client_ca {
        builder = builder.client_ca(client_ca.cert.pem());
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
    let server_ca = ca("Sandbox Test Server CA");
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
    let stranger = tls_client(&ca("Other CA"), None);
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
    let server_ca = ca("Sandbox Test Server CA");
    let client_ca = ca("Sandbox Test Buypass-like CA");
    let sandbox = tls_sandbox(&server_ca, Some(&client_ca)).await;
    let (client_cert, client_key) = leaf(&client_ca, true);
    let with_cert = tls_client(&server_ca, Some((&client_cert, &client_key)));

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
    let rogue_ca = ca("Rogue CA");
    let (rogue_cert, rogue_key) = leaf(&rogue_ca, true);
    let rogue = tls_client(&server_ca, Some((&rogue_cert, &rogue_key)));
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
    let server_ca = ca("Server CA");
    let client_ca = ca("Client CA");
    let (cert, key) = leaf(&server_ca, false);
    let sandbox = start(
        Sandbox::builder()
            .organizations(0)
            .tls(cert.pem(), key.serialize_pem())
            .client_ca(client_ca.cert.pem())
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
    let server_ca = ca("Server CA");
    let (cert, key) = leaf(&server_ca, false);
    let bad_ca = Sandbox::builder()
        .tls(cert.pem(), key.serialize_pem())
        .client_ca("no certificate here")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(bad_ca, Error::Tls(_)), "{bad_ca}");
    // A key that does not belong to the certificate.
    let other = KeyPair::generate().unwrap();
    let mismatch = Sandbox::builder()
        .tls(cert.pem(), other.serialize_pem())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(mismatch, Error::Tls(_)), "{mismatch}");
    assert!(!mismatch.to_string().contains("PRIVATE KEY"));
}
