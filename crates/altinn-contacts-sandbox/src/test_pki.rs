//! A throwaway PKI for tests: a CA, a server certificate for loopback and an enterprise-like
//! client certificate, generated in memory, so no key material has to live in a repository.
//!
//! Enabled by the `test-pki` cargo feature. It pairs with [`SandboxBuilder::tls`] and
//! [`SandboxBuilder::client_ca`] to test enterprise-certificate authentication end to end: the
//! server identity makes the sandbox serve HTTPS, the CA's certificate is both what the client
//! trusts and what the sandbox requires client certificates to be signed by, and the client
//! identity comes as PEM, DER or a PKCS#12 archive (the form Buypass and Commfides hand out).
//!
//! Every certificate has a fresh key (ECDSA P-256) and the validity rcgen gives by default
//! ([`TestCa::client_identity_valid`] chooses it: an expired certificate, or one about to expire).
//! Client certificates carry the organization number in their subject as current enterprise
//! certificates do ([`CLIENT_ORGANIZATION_IDENTIFIER`]).
//! Two [`TestCa`]s never trust each other's certificates, which is how to test a rogue client
//! or a server the client does not trust.
//!
//! This is test tooling: generation failures (which do not happen with these fixed parameters)
//! panic with a message instead of returning errors. Never use these certificates outside tests.
//!
//! # Example
//!
//! A sandbox that requires an enterprise certificate, and a client that presents one:
//!
//! ```
//! use std::sync::Arc;
//!
//! use altinn_contacts_sandbox::Sandbox;
//! use altinn_contacts_sandbox::test_pki::TestCa;
//! use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server_ca = TestCa::new("Test Server CA");
//! let client_ca = TestCa::new("Test Buypass-like CA");
//! let server = server_ca.server_identity();
//! let sandbox = Sandbox::builder()
//!     .tls(server.chain_pem(), server.key_pem())
//!     .client_ca(client_ca.cert_pem())
//!     .start()
//!     .await?;
//!
//! // The client trusts the server's CA and presents a certificate of the client CA.
//! let client = client_ca.client_identity();
//! let provider = Arc::new(rustls::crypto::ring::default_provider());
//! let mut roots = rustls::RootCertStore::empty();
//! roots.add(CertificateDer::from(server_ca.cert_der().to_vec()))?;
//! let config = rustls::ClientConfig::builder_with_provider(provider)
//!     .with_safe_default_protocol_versions()?
//!     .with_root_certificates(roots)
//!     .with_client_auth_cert(
//!         vec![CertificateDer::from(client.cert_der().to_vec())],
//!         PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der().to_vec())),
//!     )?;
//! let http = reqwest::Client::builder()
//!     .tls_backend_preconfigured(config)
//!     .build()?;
//!
//! let response = http
//!     .get(format!(
//!         "{}/api/serviceowner/organizations/910021451?ForceEIAuthentication",
//!         sandbox.base_url()
//!     ))
//!     .header("ApiKey", sandbox.api_key())
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 200);
//! assert!(sandbox.requests().pop().unwrap().client_certificate());
//!
//! // The same identity for clients that load a .p12 file.
//! let p12: Vec<u8> = client.pkcs12("test-password");
//! assert!(!p12.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! [`SandboxBuilder::tls`]: crate::SandboxBuilder::tls
//! [`SandboxBuilder::client_ca`]: crate::SandboxBuilder::client_ca

use std::fmt;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// The common name of [`TestCa::client_identity`]'s certificate: organization number and the
/// kind of certificate, as in the subject of a Norwegian enterprise certificate.
pub const CLIENT_COMMON_NAME: &str = "910021451 VIRKSOMHETSSERTIFIKAT";

/// The `organizationIdentifier` (OID 2.5.4.97) of [`TestCa::client_identity`]'s subject, as in
/// the subject of a current (SEID 2) Norwegian enterprise certificate.
pub const CLIENT_ORGANIZATION_IDENTIFIER: &str = "NTRNO-910021451";

/// The DNS name and IP address [`TestCa::server_identity`]'s certificate is valid for.
pub const SERVER_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// A self-signed certificate authority that issues [`TestIdentity`]s.
pub struct TestCa {
    common_name: String,
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    cert_der: Vec<u8>,
}

impl TestCa {
    /// Generates a CA with a fresh key and `common_name` as its subject.
    ///
    /// # Panics
    ///
    /// If rcgen fails to generate the key or the certificate.
    pub fn new(common_name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new())
            .expect("test PKI: CA certificate parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("test PKI: CA key generation");
        let cert = params
            .self_signed(&key)
            .expect("test PKI: self-signing the CA certificate");
        TestCa {
            common_name: common_name.to_owned(),
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate, PEM: what a client trusts, or what [`SandboxBuilder::client_ca`]
    /// takes.
    ///
    /// [`SandboxBuilder::client_ca`]: crate::SandboxBuilder::client_ca
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Issues a server certificate for [`SERVER_NAMES`] (extended key usage ServerAuth), with a
    /// fresh key on every call.
    ///
    /// # Panics
    ///
    /// If rcgen fails to generate the key or the certificate.
    pub fn server_identity(&self) -> TestIdentity {
        self.issue(
            SERVER_NAMES[0],
            &SERVER_NAMES,
            ExtendedKeyUsagePurpose::ServerAuth,
            None,
        )
    }

    /// Issues a client certificate with the subject [`CLIENT_COMMON_NAME`] (extended key usage
    /// ClientAuth), as an enterprise certificate is, with a fresh key on every call.
    ///
    /// # Panics
    ///
    /// If rcgen fails to generate the key or the certificate.
    pub fn client_identity(&self) -> TestIdentity {
        self.issue(
            CLIENT_COMMON_NAME,
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
            None,
        )
    }

    /// Like [`client_identity`](Self::client_identity), valid only from `not_before` to
    /// `not_after`: an expired certificate, or one not yet valid.
    ///
    /// # Panics
    ///
    /// If rcgen fails to generate the key or the certificate.
    pub fn client_identity_valid(
        &self,
        not_before: std::time::SystemTime,
        not_after: std::time::SystemTime,
    ) -> TestIdentity {
        self.issue(
            CLIENT_COMMON_NAME,
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
            Some((not_before, not_after)),
        )
    }

    fn issue(
        &self,
        common_name: &str,
        names: &[&str],
        usage: ExtendedKeyUsagePurpose,
        validity: Option<(std::time::SystemTime, std::time::SystemTime)>,
    ) -> TestIdentity {
        let names: Vec<String> = names.iter().map(|&name| name.to_owned()).collect();
        let mut params =
            CertificateParams::new(names).expect("test PKI: leaf certificate parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        if usage == ExtendedKeyUsagePurpose::ClientAuth {
            params.distinguished_name.push(
                DnType::CustomDnType(vec![2, 5, 4, 97]),
                CLIENT_ORGANIZATION_IDENTIFIER,
            );
        }
        if let Some((not_before, not_after)) = validity {
            params.not_before = not_before.into();
            params.not_after = not_after.into();
        }
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("test PKI: leaf key generation");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("test PKI: signing the leaf certificate");
        TestIdentity {
            common_name: common_name.to_owned(),
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
            ca_pem: self.cert_pem.clone(),
            ca_der: self.cert_der.clone(),
        }
    }
}

impl fmt::Debug for TestCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCa")
            .field("common_name", &self.common_name)
            .finish_non_exhaustive()
    }
}

/// A certificate issued by a [`TestCa`], with its private key and the CA's certificate.
///
/// Its `Debug` form shows the subject only, never the key.
pub struct TestIdentity {
    common_name: String,
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    key_der: Vec<u8>,
    ca_pem: String,
    ca_der: Vec<u8>,
}

impl TestIdentity {
    /// The certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The private key, PKCS#8 DER.
    pub fn key_der(&self) -> &[u8] {
        &self.key_der
    }

    /// The certificate followed by the issuing CA's certificate, PEM: the chain a server sends,
    /// or the certificate part of a PEM identity file.
    pub fn chain_pem(&self) -> String {
        format!("{}{}", self.cert_pem, self.ca_pem)
    }

    /// The key with the certificate and the CA's certificate as a PKCS#12 archive (`.p12`,
    /// `.pfx`) protected by `password`, as enterprise certificates are handed out.
    ///
    /// # Panics
    ///
    /// If the archive cannot be built or encrypted.
    pub fn pkcs12(&self, password: &str) -> Vec<u8> {
        use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
        let key = PrivateKey::from_der(&self.key_der).expect("test PKI: PKCS#12 private key");
        let chain = PrivateKeyChain::new(
            b"altinn-contacts-test".to_vec(),
            key,
            [
                Certificate::from_der(&self.cert_der).expect("test PKI: PKCS#12 certificate"),
                Certificate::from_der(&self.ca_der).expect("test PKI: PKCS#12 CA certificate"),
            ],
        );
        let mut store = KeyStore::new();
        store.add_entry(&self.common_name, KeyStoreEntry::PrivateKeyChain(chain));
        store
            .writer(password)
            .write()
            .expect("test PKI: writing the PKCS#12 archive")
    }
}

impl fmt::Debug for TestIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestIdentity")
            .field("common_name", &self.common_name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let ca = TestCa::new("Debug CA");
        let identity = ca.client_identity();
        let debug = format!("{ca:?} {identity:?}");
        assert!(debug.contains("Debug CA") && debug.contains(CLIENT_COMMON_NAME));
        assert!(!debug.contains("PRIVATE KEY"), "{debug}");
        assert!(
            identity
                .key_pem()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert!(identity.chain_pem().starts_with(identity.cert_pem()));
        assert!(identity.chain_pem().ends_with(ca.cert_pem()));
    }
}
