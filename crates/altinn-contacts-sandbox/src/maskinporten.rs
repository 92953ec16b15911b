//! A Maskinporten token endpoint (and Altinn's token exchange) that verifies grants for real, so
//! clients using Maskinporten can be tested end to end without credentials.
//!
//! Switched on with [`SandboxBuilder::maskinporten`](crate::SandboxBuilder::maskinporten). The
//! issuer is `<base URL>/maskinporten/`, its token endpoint `<issuer>token`; the exchange is at
//! [`EXCHANGE_PATH`]. A grant (RFC 7523 JWT) is accepted only when its signature verifies (RS256
//! or ES256) against the `x5c` certificate or the key registered for its `kid`, its `aud` is the
//! issuer, its `iss` the configured client id, every scope is allowed, it lives at most 120 s, is
//! not expired (10 s of clock skew allowed) and its `jti` was not used before. Refusals are
//! written as Maskinporten writes them: status 400 and `{"error":"invalid_grant",
//! "error_description":"..."}`. Issued tokens are opaque; the API accepts them as `Bearer` until
//! they expire or are revoked.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{self, UnparsedPublicKey};
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, SubjectPublicKeyInfoDer, UnixTime};
use serde_json::Value;

use crate::error::{Error, Result};

/// The scope allowed unless others are configured.
pub const DEFAULT_SCOPE: &str = "altinn:serviceowner/organizations";
/// The path of the issuer (the grant's `aud` is the base URL with this path).
pub const ISSUER_PATH: &str = "/maskinporten/";
/// The path of the token endpoint.
pub const TOKEN_PATH: &str = "/maskinporten/token";
/// The path of Altinn's token exchange.
pub const EXCHANGE_PATH: &str = "/authentication/api/v1/exchange/maskinporten";

/// The longest lifetime of a grant Maskinporten accepts.
const MAX_GRANT_LIFETIME_SECS: i64 = 120;
/// The clock skew allowed on `iat` and `exp`.
const CLOCK_SKEW_SECS: i64 = 10;
/// The grant type of a JWT bearer grant.
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// What the sandbox's Maskinporten accepts; see the [module docs](self).
#[derive(Clone)]
#[must_use]
pub struct MaskinportenConfig {
    client_id: String,
    scopes: Vec<String>,
    keys: Vec<(String, Vec<u8>)>,
    trusted_ca: Option<Vec<u8>>,
    token_lifetime: Duration,
    revoke_after: Option<u64>,
}

impl MaskinportenConfig {
    /// Accepts grants from `client_id` (their `iss`), for [`DEFAULT_SCOPE`], signed with any
    /// `x5c` certificate; tokens live 120 s.
    pub fn new(client_id: impl Into<String>) -> Self {
        MaskinportenConfig {
            client_id: client_id.into(),
            scopes: vec![DEFAULT_SCOPE.to_owned()],
            keys: Vec::new(),
            trusted_ca: None,
            token_lifetime: Duration::from_secs(120),
            revoke_after: None,
        }
    }

    /// Allows these scopes instead of [`DEFAULT_SCOPE`].
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Registers a key under `kid`: PEM or DER of a certificate, a public key
    /// (SubjectPublicKeyInfo) or a private key (PKCS#8 or PKCS#1; only its public half is kept).
    /// RSA and ECDSA P-256 keys. A key that cannot be read fails [`start`](crate::SandboxBuilder::start).
    pub fn registered_key(mut self, kid: impl Into<String>, key: impl Into<Vec<u8>>) -> Self {
        self.keys.push((kid.into(), key.into()));
        self
    }

    /// Accepts an `x5c` certificate only when it chains to one of these CA certificates (PEM)
    /// and is valid now, as Maskinporten accepts only enterprise certificates from its CAs
    /// (without this, any certificate whose key signed the grant is accepted). The rest of the
    /// `x5c` array serves as intermediates. A PEM without a certificate fails
    /// [`start`](crate::SandboxBuilder::start).
    pub fn trusted_ca(mut self, ca_pem: impl Into<Vec<u8>>) -> Self {
        self.trusted_ca = Some(ca_pem.into());
        self
    }

    /// How long issued tokens live (default 120 s).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Revokes every token issued so far once, right after the `n`-th API request a Maskinporten
    /// token authenticated: the next request with such a token gets a 401 (a client should then
    /// get a new token and retry).
    pub fn revoke_tokens_after(mut self, n: u64) -> Self {
        self.revoke_after = Some(n);
        self
    }
}

impl fmt::Debug for MaskinportenConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskinportenConfig")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field(
                "kids",
                &self
                    .keys
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("trusted_ca", &self.trusted_ca.is_some())
            .field("token_lifetime", &self.token_lifetime)
            .field("revoke_after", &self.revoke_after)
            .finish()
    }
}

/// The kind of a public key, and what ring verifies with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    EcP256,
}

/// A public key ring can verify with: RSAPublicKey DER, or an uncompressed P-256 point.
#[derive(Clone, Debug)]
struct PublicKey {
    kind: KeyKind,
    bytes: Vec<u8>,
}

/// The running endpoint's state.
pub(crate) struct Maskinporten {
    config: MaskinportenConfig,
    keys: HashMap<String, PublicKey>,
    /// Verifies `x5c` chains when a trusted CA is configured.
    verifier: Option<Arc<dyn ClientCertVerifier>>,
    /// Issued tokens: when they expire and what they carry.
    tokens: Mutex<HashMap<String, Issued>>,
    /// Used `jti`s and when their grants expire.
    used_jti: Mutex<HashMap<String, i64>>,
    token_requests: AtomicU64,
    tokens_issued: AtomicU64,
    api_uses: AtomicU64,
}

impl fmt::Debug for Maskinporten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Maskinporten")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What an issued token carries.
#[derive(Clone, Debug)]
struct Issued {
    /// Unix seconds.
    exp: i64,
    /// The space-separated scopes granted (an exchanged token keeps its Maskinporten token's).
    scope: String,
    /// True for an Altinn token (from the exchange), false for a Maskinporten token.
    altinn: bool,
}

/// An answer: status and JSON body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

fn refusal(error: &str, description: &str) -> Answer {
    Answer {
        status: 400,
        body: serde_json::json!({ "error": error, "error_description": description }).to_string(),
    }
}

fn invalid_grant(description: &str) -> Answer {
    refusal("invalid_grant", description)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Maskinporten {
    pub(crate) fn new(config: MaskinportenConfig) -> Result<Maskinporten> {
        if config.client_id.trim().is_empty() {
            return Err(Error::Config("the Maskinporten client id is empty".into()));
        }
        let mut keys = HashMap::new();
        for (kid, bytes) in &config.keys {
            let key = public_key(bytes)
                .map_err(|e| Error::Config(format!("the Maskinporten key {kid:?}: {e}")))?;
            keys.insert(kid.clone(), key);
        }
        let verifier = match &config.trusted_ca {
            None => None,
            Some(pem) => Some(
                chain_verifier(pem)
                    .map_err(|e| Error::Config(format!("the Maskinporten trusted CA: {e}")))?,
            ),
        };
        Ok(Maskinporten {
            config,
            keys,
            verifier,
            tokens: Mutex::default(),
            used_jti: Mutex::default(),
            token_requests: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
            api_uses: AtomicU64::new(0),
        })
    }

    pub(crate) fn client_id(&self) -> &str {
        &self.config.client_id
    }

    pub(crate) fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::Relaxed)
    }

    pub(crate) fn tokens_issued(&self) -> u64 {
        self.tokens_issued.load(Ordering::Relaxed)
    }

    /// Revokes every token issued so far.
    pub(crate) fn revoke_all(&self) {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// Whether `token` is an issued, unexpired, unrevoked token; counts the use.
    pub(crate) fn accepts(&self, token: &str) -> bool {
        let ok = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .is_some_and(|issued| now() < issued.exp);
        if ok {
            self.count_use();
        }
        ok
    }

    fn count_use(&self) {
        let uses = self.api_uses.fetch_add(1, Ordering::SeqCst) + 1;
        if self.config.revoke_after == Some(uses) {
            self.revoke_all();
        }
    }

    /// The scopes of `token` when it is an issued, unexpired, unrevoked Altinn token (from the
    /// exchange); counts the use as [`accepts`](Self::accepts) does. `None` for anything else,
    /// a Maskinporten token included: Altinn 3 APIs validate only Altinn tokens.
    pub(crate) fn altinn_token_scope(&self, token: &str) -> Option<String> {
        let scope = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .filter(|issued| issued.altinn && now() < issued.exp)
            .map(|issued| issued.scope.clone());
        if scope.is_some() {
            self.count_use();
        }
        scope
    }

    /// Issues an Altinn token carrying `scope` that lives `lifetime` (until revoked), as if it
    /// came from the exchange.
    /// Not counted in [`tokens_issued`](Self::tokens_issued), which counts what clients asked for.
    pub(crate) fn issue_altinn_token(&self, scope: &str, lifetime: Duration) -> String {
        self.store("sandbox-altinn", scope, true, lifetime).0
    }

    fn issue(&self, prefix: &str, scope: &str, altinn: bool, lifetime: Duration) -> (String, u64) {
        self.tokens_issued.fetch_add(1, Ordering::Relaxed);
        self.store(prefix, scope, altinn, lifetime)
    }

    fn store(&self, prefix: &str, scope: &str, altinn: bool, lifetime: Duration) -> (String, u64) {
        let token = format!("{prefix}-{:032x}", fastrand::u128(..));
        let lifetime = lifetime.as_secs();
        let exp = now().saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(
                token.clone(),
                Issued {
                    exp,
                    scope: scope.to_owned(),
                    altinn,
                },
            );
        (token, lifetime)
    }

    /// `POST <issuer>token` with a form body; `issuer` is what `aud` must be.
    pub(crate) fn token(&self, issuer: &str, body: &[u8]) -> Answer {
        self.token_requests.fetch_add(1, Ordering::Relaxed);
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        match form.get("grant_type").map(String::as_str) {
            Some(GRANT_TYPE) => {}
            Some(_) => {
                return refusal(
                    "unsupported_grant_type",
                    "Only the jwt-bearer grant type is supported",
                );
            }
            None => return refusal("invalid_request", "Missing grant_type"),
        }
        let Some(assertion) = form.get("assertion") else {
            return refusal("invalid_request", "Missing assertion");
        };
        let scope = match self.verify(issuer, assertion) {
            Ok(scope) => scope,
            Err(answer) => return answer,
        };
        let (token, lifetime) = self.issue("sandbox-mp", &scope, false, self.config.token_lifetime);
        Answer {
            status: 200,
            body: serde_json::json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": lifetime,
                "scope": scope,
            })
            .to_string(),
        }
    }

    /// The exchange: a valid Maskinporten token (the `Authorization` header's) for an Altinn
    /// token carrying the same scopes, answered as a JSON string.
    pub(crate) fn exchange(&self, authorization: Option<&str>) -> Answer {
        let token = authorization
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, t)| t.trim());
        let scope = token.and_then(|t| {
            self.tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(t)
                .filter(|issued| !issued.altinn && now() < issued.exp)
                .map(|issued| issued.scope.clone())
        });
        let Some(scope) = scope else {
            return Answer {
                status: 401,
                body: String::new(),
            };
        };
        let (token, _) = self.issue("sandbox-altinn", &scope, true, self.config.token_lifetime);
        Answer {
            status: 200,
            body: Value::String(token).to_string(),
        }
    }

    /// Checks a grant; `Ok` is its scope.
    fn verify(&self, issuer: &str, assertion: &str) -> std::result::Result<String, Answer> {
        let mut parts = assertion.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_grant("Invalid assertion: not a signed JWT"));
        };
        let json = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                .filter(Value::is_object)
        };
        let (Some(header), Some(claims), Ok(sig)) = (json(h), json(c), URL_SAFE_NO_PAD.decode(s))
        else {
            return Err(invalid_grant("Invalid assertion: malformed JWT"));
        };
        let key = self.key_of(&header)?;
        let alg: &dyn signature::VerificationAlgorithm =
            match (header.get("alg").and_then(Value::as_str), key.kind) {
                (Some("RS256"), KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA256,
                (Some("ES256"), KeyKind::EcP256) => &signature::ECDSA_P256_SHA256_FIXED,
                _ => {
                    return Err(invalid_grant(
                        "Invalid assertion: alg must be RS256 (RSA key) or ES256 (P-256 key)",
                    ));
                }
            };
        let signed = &assertion[..h.len() + 1 + c.len()];
        UnparsedPublicKey::new(alg, &key.bytes)
            .verify(signed.as_bytes(), &sig)
            .map_err(|_| {
                invalid_grant("Invalid assertion. Client authentication failed: bad signature")
            })?;

        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("iss") != Some(self.config.client_id.as_str()) {
            return Err(invalid_grant(
                "Invalid assertion. Client authentication failed: unknown client (iss)",
            ));
        }
        if text("aud") != Some(issuer) {
            return Err(invalid_grant(&format!(
                "Invalid assertion: aud must be {issuer}"
            )));
        }
        let (Some(iat), Some(exp)) = (
            claims.get("iat").and_then(Value::as_i64),
            claims.get("exp").and_then(Value::as_i64),
        ) else {
            return Err(invalid_grant("Invalid assertion: iat and exp are required"));
        };
        let now = now();
        if exp <= iat || exp - iat > MAX_GRANT_LIFETIME_SECS {
            return Err(invalid_grant(
                "Invalid assertion: the lifetime (exp - iat) must be at most 120 seconds",
            ));
        }
        if exp.saturating_add(CLOCK_SKEW_SECS) < now {
            return Err(invalid_grant("Invalid assertion: the grant has expired"));
        }
        if iat.saturating_sub(CLOCK_SKEW_SECS) > now {
            return Err(invalid_grant(
                "Invalid assertion: iat is in the future (check the clock)",
            ));
        }
        let scope = text("scope").unwrap_or("").trim();
        if scope.is_empty()
            || !scope
                .split(' ')
                .all(|s| self.config.scopes.iter().any(|allowed| allowed == s))
        {
            return Err(refusal(
                "invalid_scope",
                "Scope not allowed for this client",
            ));
        }
        let Some(jti) = text("jti").filter(|j| !j.is_empty()) else {
            return Err(invalid_grant("Invalid assertion: jti is required"));
        };
        let mut used = self
            .used_jti
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        used.retain(|_, &mut until| until.saturating_add(CLOCK_SKEW_SECS) >= now);
        if used.insert(jti.to_owned(), exp).is_some() {
            return Err(invalid_grant(
                "Invalid assertion: the jti has been used before",
            ));
        }
        Ok(scope.to_owned())
    }

    /// The key a grant's header names: its `x5c` certificate or its registered `kid`.
    fn key_of(&self, header: &Value) -> std::result::Result<PublicKey, Answer> {
        if let Some(kid) = header.get("kid").and_then(Value::as_str) {
            return self.keys.get(kid).cloned().ok_or_else(|| {
                invalid_grant("Invalid assertion. Client authentication failed: unknown kid")
            });
        }
        let chain = header
            .get("x5c")
            .and_then(Value::as_array)
            .filter(|chain| !chain.is_empty())
            .ok_or_else(|| {
                invalid_grant("Invalid assertion: the header has neither x5c nor kid")
            })?;
        let mut certs = Vec::with_capacity(chain.len());
        for cert in chain {
            let der = cert
                .as_str()
                .and_then(|c| STANDARD.decode(c).ok())
                .ok_or_else(|| invalid_grant("Invalid assertion: x5c is not base64"))?;
            certs.push(CertificateDer::from(der));
        }
        if let Some(verifier) = &self.verifier {
            verifier
                .verify_client_cert(&certs[0], &certs[1..], UnixTime::now())
                .map_err(|e| {
                    invalid_grant(&format!(
                        "Invalid assertion: the x5c certificate is not trusted ({e})"
                    ))
                })?;
        }
        certificate_key(&certs[0])
            .ok_or_else(|| invalid_grant("Invalid assertion: the x5c certificate cannot be read"))
    }
}

/// A verifier of client certificate chains to the CAs in `pem`.
fn chain_verifier(pem: &[u8]) -> std::result::Result<Arc<dyn ClientCertVerifier>, String> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        roots
            .add(cert.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    if roots.is_empty() {
        return Err("the PEM holds no certificate".into());
    }
    WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .build()
    .map_err(|e| e.to_string())
}

/// A public key from PEM or DER of a certificate, a SubjectPublicKeyInfo or a private key.
fn public_key(bytes: &[u8]) -> std::result::Result<PublicKey, String> {
    if let Ok(cert) = CertificateDer::from_pem_slice(bytes) {
        return certificate_key(&cert).ok_or_else(|| "the certificate cannot be read".into());
    }
    if let Ok(spki) = SubjectPublicKeyInfoDer::from_pem_slice(bytes) {
        return spki_key(&spki).ok_or_else(|| "the public key cannot be read".into());
    }
    if let Ok(key) = PrivateKeyDer::from_pem_slice(bytes) {
        return private_key_public_half(&key);
    }
    // DER: a certificate, a SubjectPublicKeyInfo, or a PKCS#8 private key.
    if let Some(key) = certificate_key(bytes).or_else(|| spki_key(bytes)) {
        return Ok(key);
    }
    let key = PrivateKeyDer::try_from(bytes.to_vec())
        .map_err(|_| "not a certificate, public key or private key".to_owned())?;
    private_key_public_half(&key)
}

fn private_key_public_half(key: &PrivateKeyDer<'_>) -> std::result::Result<PublicKey, String> {
    use ring::signature::KeyPair as _;
    let rsa = match key {
        PrivateKeyDer::Pkcs1(k) => signature::RsaKeyPair::from_der(k.secret_pkcs1_der()).ok(),
        PrivateKeyDer::Pkcs8(k) => signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()).ok(),
        _ => None,
    };
    if let Some(rsa) = rsa {
        return Ok(PublicKey {
            kind: KeyKind::Rsa,
            bytes: rsa.public_key().as_ref().to_vec(),
        });
    }
    if let PrivateKeyDer::Pkcs8(k) = key
        && let Ok(ec) = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            k.secret_pkcs8_der(),
            &ring::rand::SystemRandom::new(),
        )
    {
        return Ok(PublicKey {
            kind: KeyKind::EcP256,
            bytes: ec.public_key().as_ref().to_vec(),
        });
    }
    Err("the private key is neither RSA nor ECDSA P-256 (PKCS#8)".into())
}

/// One DER element.
struct Tlv<'a> {
    tag: u8,
    /// The element with its tag and length.
    whole: &'a [u8],
    contents: &'a [u8],
    /// What follows the element.
    rest: &'a [u8],
}

/// The first DER element of `der`; `None` when malformed.
fn tlv(der: &[u8]) -> Option<Tlv<'_>> {
    let tag = *der.first()?;
    let first = *der.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let len = der
            .get(2..2 + count)?
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + count)
    };
    let end = head.checked_add(len)?;
    Some(Tlv {
        tag,
        whole: der.get(..end)?,
        contents: der.get(head..end)?,
        rest: der.get(end..)?,
    })
}

/// The first DER element of `der` if its tag is `tag`.
fn element(der: &[u8], tag: u8) -> Option<Tlv<'_>> {
    tlv(der).filter(|t| t.tag == tag)
}

/// The subject public key of an X.509 certificate (DER).
fn certificate_key(der: &[u8]) -> Option<PublicKey> {
    let cert = element(der, 0x30)?.contents;
    let tbs = element(cert, 0x30)?.contents;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.rest; // version
    }
    for _ in 0..5 {
        rest = tlv(rest)?.rest; // serial, signature, issuer, validity, subject
    }
    spki_key(element(rest, 0x30)?.whole)
}

/// The key of a SubjectPublicKeyInfo (DER).
fn spki_key(der: &[u8]) -> Option<PublicKey> {
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let spki = element(der, 0x30)?.contents;
    let algorithm = element(spki, 0x30)?;
    let bits = element(algorithm.rest, 0x03)?.contents;
    let (&0, bytes) = bits.split_first()? else {
        return None;
    };
    let oid = element(algorithm.contents, 0x06)?;
    let kind = if oid.contents == RSA {
        KeyKind::Rsa
    } else if oid.contents == EC && element(oid.rest, 0x06).is_some_and(|c| c.contents == P256) {
        KeyKind::EcP256
    } else {
        return None;
    };
    Some(PublicKey {
        kind,
        bytes: bytes.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_der_is_refused_without_panicking() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x30, 0x82, 0xff, 0xff],
            &[0x30, 0x03, 0x30, 0x01, 0x00],
        ] {
            assert!(certificate_key(bytes).is_none());
            assert!(spki_key(bytes).is_none());
            assert!(public_key(bytes).is_err());
        }
    }
}
