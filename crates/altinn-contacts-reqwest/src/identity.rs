//! Key material: the client's enterprise certificate ([`Identity`]) and extra trusted roots
//! ([`Certificate`]).
//!
//! Enterprise certificates (virksomhetssertifikat) are handed out as PKCS#12 files with a password
//! (read with `p12-keystore`) or converted to PEM (read with `rustls-pki-types`). Both end up as
//! rustls types. Neither type shows key material or a password in `Debug`; a password is only
//! used while parsing and is never stored.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::config::ConfigError;

/// A TLS client identity: a certificate chain (leaf first) and its private key.
///
/// Cheap to clone. `Debug` shows only how many certificates the chain holds.
///
/// ```no_run
/// # use altinn_contacts_reqwest::Identity;
/// let identity = Identity::from_file("virksomhetssertifikat.p12", Some("password"))?;
/// # Ok::<(), altinn_contacts_reqwest::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Identity {
    inner: Arc<IdentityInner>,
}

struct IdentityInner {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Identity {
    /// Reads a PKCS#12 archive (`.p12`/`.pfx`): the first private key and the certificate chain
    /// that belongs to it. A wrong password fails with [`ConfigError::Identity`].
    pub fn from_pkcs12_der(der: &[u8], password: &str) -> Result<Identity, ConfigError> {
        let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Strict)
            .map_err(pkcs12_error)?;
        let Some((_, chain)) = store.private_key_chain() else {
            return Err(identity_error(
                "the PKCS#12 archive holds no private key with a matching certificate",
            ));
        };
        let certs: Vec<CertificateDer<'static>> = chain
            .certs()
            .iter()
            .map(|c| CertificateDer::from(c.as_der().to_vec()))
            .collect();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()));
        Identity::new(certs, key)
    }

    /// Reads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    /// Both may come from the same buffer.
    pub fn from_pem(
        cert_chain_pem: &[u8],
        private_key_pem: &[u8],
    ) -> Result<Identity, ConfigError> {
        let certs = CertificateDer::pem_slice_iter(cert_chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                identity_error(format!(
                    "the certificate PEM is malformed: {}",
                    pem_error(&e)
                ))
            })?;
        if certs.is_empty() {
            return Err(identity_error("the PEM holds no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(private_key_pem).map_err(|e| match e {
            pem::Error::NoItemsFound => identity_error(
                "the PEM holds no unencrypted private key (an encrypted key must be decrypted, or use PKCS#12)",
            ),
            other => identity_error(format!("the private key PEM is malformed: {}", pem_error(&other))),
        })?;
        Identity::new(certs, key)
    }

    /// Reads a file: PEM holding the certificate(s) and the key, or else a PKCS#12 archive opened
    /// with `password` (an empty password when `None`).
    pub fn from_file(
        path: impl AsRef<Path>,
        password: Option<&str>,
    ) -> Result<Identity, ConfigError> {
        let path = path.as_ref();
        let bytes = read_file(path)?;
        if looks_like_pem(&bytes) {
            Identity::from_pem(&bytes, &bytes)
        } else {
            Identity::from_pkcs12_der(&bytes, password.unwrap_or(""))
        }
        .map_err(|e| naming_the_file(path, e))
    }

    fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Identity, ConfigError> {
        if chain.is_empty() {
            return Err(identity_error("no certificate for the private key"));
        }
        // Fail here, where the user handed over the key, rather than later in `build()`.
        rustls::crypto::ring::sign::any_supported_type(&key).map_err(|_| {
            identity_error(
                "the private key type is not supported (use RSA, ECDSA P-256/P-384 or Ed25519)",
            )
        })?;
        Ok(Identity {
            inner: Arc::new(IdentityInner { chain, key }),
        })
    }

    /// The certificates of the chain, DER, leaf first: for inspecting the certificate (its
    /// subject and validity); the private key is not reachable.
    pub fn certificates_der(&self) -> impl Iterator<Item = &[u8]> {
        self.inner.chain.iter().map(|c| c.as_ref())
    }

    /// Checks that the private key belongs to the leaf certificate (a PEM file may pair a key
    /// with another certificate). Fails with [`ConfigError::Identity`].
    pub fn check_key_matches(&self) -> Result<(), ConfigError> {
        let key = rustls::crypto::ring::sign::any_supported_type(&self.inner.key)
            .map_err(|_| identity_error("the private key type is not supported"))?;
        rustls::sign::CertifiedKey::new(self.inner.chain.clone(), key)
            .keys_match()
            .map_err(|e| match e {
                rustls::Error::InconsistentKeys(_) => identity_error(
                    "the private key does not belong to the certificate (a key of another certificate)",
                ),
                other => identity_error(format!("the key cannot be compared: {other}")),
            })
    }

    /// Verifies the chain as a TLS server would a client certificate (signatures, validity at
    /// `now`, client-auth usage) up to `roots`, or the operating system's roots when `roots` is
    /// empty. Fails with [`ConfigError::Identity`] naming what is wrong.
    pub fn verify_chain(
        &self,
        roots: &[Certificate],
        now: std::time::SystemTime,
    ) -> Result<(), ConfigError> {
        let fail = identity_error;
        let mut store = rustls::RootCertStore::empty();
        if roots.is_empty() {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(fail("no trusted roots found on this system".to_owned()));
            }
        } else {
            for cert in roots.iter().flat_map(|r| r.certs.iter()) {
                store
                    .add(cert.clone())
                    .map_err(|e| fail(format!("a trusted root is unusable: {e}")))?;
            }
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            std::sync::Arc::new(store),
            provider,
        )
        .build()
        .map_err(|e| fail(format!("the trusted roots are unusable: {e}")))?;
        let now = rustls_pki_types::UnixTime::since_unix_epoch(
            now.duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default(),
        );
        verifier
            .verify_client_cert(&self.inner.chain[0], &self.inner.chain[1..], now)
            .map(|_| ())
            .map_err(|e| fail(e.to_string()))
    }

    /// The certificate chain, leaf first.
    pub(crate) fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.inner.chain.clone()
    }

    /// A copy of the private key, for one rustls configuration.
    pub(crate) fn key(&self) -> PrivateKeyDer<'static> {
        self.inner.key.clone_key()
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("certificates", &self.inner.chain.len())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// One or more extra trusted root certificates (a test CA, the sandbox's CA), added to the
/// operating system's roots.
#[derive(Clone)]
pub struct Certificate {
    certs: Vec<CertificateDer<'static>>,
}

impl Certificate {
    /// Reads every certificate of a PEM buffer; fails when there is none.
    pub fn from_pem(pem: &[u8]) -> Result<Certificate, ConfigError> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::Certificate {
                reason: format!("malformed PEM: {}", pem_error(&e)),
            })?;
        if certs.is_empty() {
            return Err(ConfigError::Certificate {
                reason: "the PEM holds no certificate".to_owned(),
            });
        }
        Ok(Certificate { certs })
    }

    /// One DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Certificate {
        Certificate {
            certs: vec![CertificateDer::from(der.to_vec())],
        }
    }

    /// Reads a file holding PEM certificates, or one DER certificate.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Certificate, ConfigError> {
        let path = path.as_ref();
        let bytes = read_file(path)?;
        if looks_like_pem(&bytes) {
            Certificate::from_pem(&bytes).map_err(|e| naming_the_file(path, e))
        } else {
            Ok(Certificate::from_der(&bytes))
        }
    }

    pub(crate) fn certs(&self) -> &[CertificateDer<'static>] {
        &self.certs
    }
}

/// Reads a certificate or key file, naming it when it cannot be read.
fn read_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Prefixes the file's path to the reason of an identity or certificate error read from it.
fn naming_the_file(path: &Path, error: ConfigError) -> ConfigError {
    let named = |reason: String| format!("{}: {reason}", path.display());
    match error {
        ConfigError::Identity { reason, source } => ConfigError::Identity {
            reason: named(reason),
            source,
        },
        ConfigError::Certificate { reason } => ConfigError::Certificate {
            reason: named(reason),
        },
        other => other,
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("certificates", &self.certs.len())
            .finish()
    }
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

fn identity_error(reason: impl Into<String>) -> ConfigError {
    ConfigError::Identity {
        reason: reason.into(),
        source: None,
    }
}

fn pem_error(e: &pem::Error) -> String {
    // The PEM errors of rustls-pki-types may carry raw bytes of the input: keep only their kind.
    match e {
        pem::Error::MissingSectionEnd { .. } => "a section has no END line".to_owned(),
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed".to_owned(),
        pem::Error::Base64Decode(_) => "invalid base64".to_owned(),
        pem::Error::Io(io) => io.to_string(),
        pem::Error::NoItemsFound => "nothing found".to_owned(),
        _ => "unreadable".to_owned(),
    }
}

fn pkcs12_error(e: p12_keystore::error::Error) -> ConfigError {
    use p12_keystore::error::Error as P;
    let reason = match &e {
        P::MacError(_) => "wrong password, or the PKCS#12 file is damaged".to_owned(),
        P::UnsupportedEncryptionScheme | P::UnsupportedMacAlgorithm => {
            format!("the PKCS#12 file uses an unsupported algorithm ({e})")
        }
        // An encrypted bag decrypted with a wrong password usually fails in unpadding or DER.
        P::UnpadError | P::DerError(_) | P::InvalidData | P::InvalidLength => {
            "not a PKCS#12 file, a damaged one, or a wrong password".to_owned()
        }
        other => format!("unreadable PKCS#12 file ({other})"),
    };
    // The reader's errors name what failed, never the password or key bytes.
    ConfigError::Identity {
        reason,
        source: Some(Box::new(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts_sandbox::test_pki::TestCa;
    use std::time::{Duration, SystemTime};

    fn pem_identity(cert_pem: &str, key_pem: &str) -> Identity {
        Identity::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap()
    }

    #[test]
    fn a_key_of_another_certificate_is_found() {
        let ca = TestCa::new("Key CA");
        let one = ca.client_identity();
        let other = ca.client_identity();
        assert!(
            pem_identity(one.cert_pem(), one.key_pem())
                .check_key_matches()
                .is_ok()
        );
        let mixed = pem_identity(one.cert_pem(), other.key_pem());
        let err = mixed.check_key_matches().unwrap_err().to_string();
        assert!(err.contains("does not belong to the certificate"), "{err}");
        assert!(!err.contains("PRIVATE KEY"), "{err}");
        assert_eq!(mixed.certificates_der().next(), Some(one.cert_der()));
    }

    #[test]
    fn the_chain_verifies_against_its_own_ca_only() {
        let ca = TestCa::new("Chain CA");
        let made = ca.client_identity();
        let identity = pem_identity(&made.chain_pem(), made.key_pem());
        let own = Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap();
        let rogue = Certificate::from_pem(TestCa::new("Rogue CA").cert_pem().as_bytes()).unwrap();
        let now = SystemTime::now();
        assert!(
            identity
                .verify_chain(std::slice::from_ref(&own), now)
                .is_ok()
        );
        assert!(identity.verify_chain(&[rogue], now).is_err());
        // Outside its validity dates it does not verify either.
        let expired = ca.client_identity_valid(
            now - Duration::from_secs(10 * 86_400),
            now - Duration::from_secs(86_400),
        );
        let expired = pem_identity(expired.cert_pem(), expired.key_pem());
        let err = expired.verify_chain(&[own], now).unwrap_err().to_string();
        assert!(err.contains("expired"), "{err}");
    }
}
