//! The JWT grant (RFC 7523): its claims, and its signature with the enterprise certificate's key
//! (RS256 for RSA, ES256 for ECDSA P-256).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::SecretString;

use crate::config::ConfigError;
use crate::token::TokenError;

use super::config::invalid;

/// Maskinporten accepts grants valid for at most 120 seconds.
pub(super) const GRANT_LIFETIME_SECS: u64 = 120;

/// What every grant of one provider says, and the key that signs it.
pub(super) struct Grant {
    client_id: String,
    scope: String,
    resource: Option<String>,
    audience: String,
    key_id: Option<String>,
    /// The base64url JWT header, the same for every grant.
    header: String,
    signer: Signer,
}

/// The claims a [`Grant`] is made from.
pub(super) struct Claims {
    pub(super) client_id: String,
    pub(super) scope: String,
    pub(super) resource: Option<String>,
    pub(super) audience: String,
}

impl Grant {
    /// Loads the signing key; the JWT header names the key by `key_id`, or else carries the
    /// leaf certificate (`x5c`).
    pub(super) fn new(
        claims: Claims,
        key: PrivateKeyDer<'static>,
        leaf: Option<CertificateDer<'static>>,
        key_id: Option<String>,
    ) -> Result<Grant, ConfigError> {
        let signer = Signer::from_key(key)?;
        let header = match &key_id {
            Some(kid) => serde_json::json!({ "alg": signer.alg(), "kid": kid }),
            None => {
                let leaf = leaf.ok_or_else(|| invalid("the identity holds no certificate"))?;
                serde_json::json!({ "alg": signer.alg(), "x5c": [STANDARD.encode(leaf.as_ref())] })
            }
        };
        Ok(Grant {
            client_id: claims.client_id,
            scope: claims.scope,
            resource: claims.resource,
            audience: claims.audience,
            key_id,
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
            signer,
        })
    }

    /// A fresh grant, valid for [`GRANT_LIFETIME_SECS`], with a random `jti`.
    pub(super) fn sign(&self) -> Result<SecretString, TokenError> {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "scope": self.scope,
            "iat": iat,
            "exp": iat.saturating_add(GRANT_LIFETIME_SECS),
            "jti": format!("{:032x}", fastrand::u128(..)),
        });
        if let (Some(resource), Some(map)) = (&self.resource, claims.as_object_mut()) {
            map.insert("resource".to_owned(), resource.clone().into());
        }
        let signing_input = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .signer
            .sign(signing_input.as_bytes())
            .map_err(|()| TokenError::new("the Maskinporten grant could not be signed"))?;
        Ok(SecretString::from(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }

    pub(super) fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(super) fn scope(&self) -> &str {
        &self.scope
    }

    pub(super) fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    pub(super) fn audience(&self) -> &str {
        &self.audience
    }

    pub(super) fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    pub(super) fn alg(&self) -> &'static str {
        self.signer.alg()
    }
}

/// The signing key of the grant.
enum Signer {
    Rsa(RsaKeyPair),
    EcdsaP256(EcdsaKeyPair),
}

impl Signer {
    fn from_key(key: PrivateKeyDer<'static>) -> Result<Signer, ConfigError> {
        let unsupported = || {
            ConfigError::Identity {
            reason: "the private key cannot sign a Maskinporten grant: use an RSA key or an ECDSA P-256 key in PKCS#8".to_owned(),
            source: None,
        }
        };
        match &key {
            PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der())
                .map(Signer::Rsa)
                .map_err(|_| unsupported()),
            PrivateKeyDer::Pkcs8(der) => {
                let der = der.secret_pkcs8_der();
                if let Ok(rsa) = RsaKeyPair::from_pkcs8(der) {
                    return Ok(Signer::Rsa(rsa));
                }
                EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    der,
                    &SystemRandom::new(),
                )
                .map(Signer::EcdsaP256)
                .map_err(|_| unsupported())
            }
            _ => Err(unsupported()),
        }
    }

    fn alg(&self) -> &'static str {
        match self {
            Signer::Rsa(_) => "RS256",
            Signer::EcdsaP256(_) => "ES256",
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, ()> {
        let rng = SystemRandom::new();
        match self {
            Signer::Rsa(key) => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| ())?;
                Ok(signature)
            }
            Signer::EcdsaP256(key) => key
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| ()),
        }
    }
}
