//! [`TlsConfig`]: HTTPS for a server, optionally with client certificates from given CAs (the
//! sandbox's and the gateway's one TLS setup).

use std::fmt;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The server certificate, key and client CAs could not be read or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(String);

/// A server certificate chain and key (PEM), and optionally the CAs (PEM) whose client
/// certificates are accepted. The key never shows in `Debug`.
#[derive(Clone)]
pub struct TlsConfig {
    cert_chain_pem: Vec<u8>,
    private_key_pem: Vec<u8>,
    client_ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("client_ca", &self.client_ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// HTTPS with this certificate chain and private key (both PEM).
    pub fn new(cert_chain_pem: impl Into<Vec<u8>>, private_key_pem: impl Into<Vec<u8>>) -> Self {
        TlsConfig {
            cert_chain_pem: cert_chain_pem.into(),
            private_key_pem: private_key_pem.into(),
            client_ca_pem: None,
        }
    }

    /// Asks for a client certificate signed by one of these CAs (PEM). A certificate they did
    /// not sign fails the handshake; a connection without one is let through the handshake so
    /// that it gets Altinn's HTTP `401` instead of a TLS alert (see
    /// [`ConnectionInfo::client_certificate`](crate::ConnectionInfo::client_certificate)).
    #[must_use]
    pub fn client_ca(mut self, ca_pem: impl Into<Vec<u8>>) -> Self {
        self.client_ca_pem = Some(ca_pem.into());
        self
    }

    /// True when client certificates are asked for.
    pub fn requires_client_certificate(&self) -> bool {
        self.client_ca_pem.is_some()
    }

    /// The rustls acceptor (ring provider, HTTP/1.1 by ALPN).
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        let err = |s: String| TlsError(s);
        let certs = CertificateDer::pem_slice_iter(&self.cert_chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(format!("server certificate PEM: {e}")))?;
        if certs.is_empty() {
            return Err(err("server certificate PEM holds no certificate".to_owned()));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.private_key_pem)
            .map_err(|e| err(format!("server private key PEM: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| err(e.to_string()))?;
        let builder = match &self.client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(ca_pem) => {
                let mut roots = RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(ca_pem) {
                    let cert = cert.map_err(|e| err(format!("client CA PEM: {e}")))?;
                    roots
                        .add(cert)
                        .map_err(|e| err(format!("client CA certificate: {e}")))?;
                }
                if roots.is_empty() {
                    return Err(err("client CA PEM holds no certificate".to_owned()));
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .allow_unauthenticated()
                        .build()
                        .map_err(|e| err(format!("client certificate verifier: {e}")))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(certs, key)
            .map_err(|e| err(format!("server certificate and key: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}
