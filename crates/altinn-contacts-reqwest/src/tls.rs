//! The rustls configuration: ring as the crypto provider, the operating system's roots plus any
//! extra ones, and the enterprise certificate as the client certificate.
//!
//! reqwest is built with `rustls-no-provider`, so it has no crypto of its own: handing it a
//! finished [`rustls::ClientConfig`] keeps aws-lc-rs out of the build and keeps every TLS decision
//! here, in one place.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::config::ConfigError;
use crate::identity::{Certificate, Identity};

/// Builds the TLS configuration of a client.
///
/// `https` says whether the base URL needs TLS at all: a machine without system roots can still
/// talk plain HTTP to a local sandbox, while an HTTPS client without any trusted root fails here,
/// at build time, rather than on every call.
pub(crate) fn client_config(
    identity: Option<&Identity>,
    extra_roots: &[Certificate],
    https: bool,
) -> Result<ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots: Vec<CertificateDer<'static>> = extra_roots
        .iter()
        .flat_map(|c| c.certs().iter().cloned())
        .collect();
    let verifier: Arc<dyn ServerCertVerifier> =
        match rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone()) {
            Ok(v) => Arc::new(v),
            Err(e) if https => {
                return Err(ConfigError::Tls {
                    reason: format!("no trusted root certificates: {e}"),
                    source: Some(Box::new(e)),
                });
            }
            Err(_) => Arc::new(NoTrustedRoots {
                algorithms: provider.signature_verification_algorithms,
            }),
        };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Tls {
            reason: e.to_string(),
            source: Some(Box::new(e)),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    match identity {
        Some(identity) => builder
            .with_client_auth_cert(identity.chain(), identity.key())
            .map_err(|e| ConfigError::Identity {
                reason: format!("the certificate and key cannot be used: {e}"),
                source: Some(Box::new(e)),
            }),
        None => Ok(builder.with_no_client_auth()),
    }
}

/// Refuses every server certificate: used only for plain-HTTP base URLs on machines without
/// system roots, where TLS is never expected.
#[derive(Debug)]
struct NoTrustedRoots {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoTrustedRoots {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Err(rustls::Error::General(
            "no trusted root certificates: the system has none and none were added".to_owned(),
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
