//! Maskinporten access tokens for the ServiceOwner API: [`MaskinportenTokenProvider`].
//!
//! The provider signs a JWT grant (RFC 7523) with the key of the enterprise certificate, trades it
//! at Maskinporten's token endpoint for an access token and, when asked to, exchanges that for an
//! Altinn token. The token is cached until shortly before it expires; concurrent callers share one
//! refresh. The private key, the signed grant and the tokens never appear in `Debug`, logs or
//! error text.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use altinn_contacts_api::{
    AuthFailure, DecodeFailure, Error, HttpFailure, Operation, TransportError, TransportFailure,
};

use crate::config::{ConfigError, DEFAULT_USER_AGENT, http_client_base, is_loopback};
use crate::environment::Environment;
use crate::identity::{Certificate, Identity};
use crate::redact::mask_secrets;
use crate::tls;
use crate::token::{TokenProvider, authorization};

/// The scope asked for unless another is set.
pub const DEFAULT_SCOPE: &str = "altinn:serviceowner/organizations";

/// The grant type of a JWT bearer grant (RFC 7523).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Maskinporten accepts grants valid for at most 120 seconds.
const GRANT_LIFETIME_SECS: u64 = 120;
/// The most read of a token or error answer.
const MAX_BODY: usize = 64 * 1024;
/// The provider does not know which API call asked for a token; the client replaces this with
/// the call's operation before the error reaches the caller.
const PLACEHOLDER_OPERATION: Operation = Operation::ListOrganizations;

/// Maskinporten's audience and token endpoint of an environment.
fn maskinporten_endpoints(env: Environment) -> (&'static str, &'static str) {
    match env {
        Environment::Tt02 => (
            "https://test.maskinporten.no/",
            "https://test.maskinporten.no/token",
        ),
        _ => ("https://maskinporten.no/", "https://maskinporten.no/token"),
    }
}

/// The `resource` claim (the audience of the access token) of an environment.
fn default_resource(env: Environment) -> &'static str {
    match env {
        Environment::Tt02 => "https://tt02.altinn.no/",
        _ => "https://www.altinn.no/",
    }
}

/// Altinn's token exchange endpoint of an environment.
fn exchange_endpoint(env: Environment) -> &'static str {
    match env {
        Environment::Tt02 => {
            "https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten"
        }
        _ => "https://platform.altinn.no/authentication/api/v1/exchange/maskinporten",
    }
}

/// Configuration of a [`MaskinportenTokenProvider`]; start with
/// [`MaskinportenTokenProvider::builder`].
///
/// Required: the client id and the signing identity. Defaults: production, scope
/// [`DEFAULT_SCOPE`], the environment's `resource`, the leaf certificate sent as `x5c`, no Altinn
/// token exchange, a 30 s timeout per token request.
#[must_use]
#[derive(Clone)]
pub struct MaskinportenBuilder {
    client_id: Option<String>,
    scope: String,
    resource: Option<String>,
    environment: Environment,
    endpoints: Option<(String, String)>,
    exchange: bool,
    exchange_url: Option<String>,
    identity: Option<Identity>,
    key_id: Option<String>,
    timeout: Duration,
    roots: Vec<Certificate>,
}

impl Default for MaskinportenBuilder {
    fn default() -> Self {
        MaskinportenBuilder {
            client_id: None,
            scope: DEFAULT_SCOPE.to_owned(),
            resource: None,
            environment: Environment::Production,
            endpoints: None,
            exchange: false,
            exchange_url: None,
            identity: None,
            key_id: None,
            timeout: Duration::from_secs(30),
            roots: Vec::new(),
        }
    }
}

impl MaskinportenBuilder {
    /// The Maskinporten client id (the grant's `iss`), as registered in Samarbeidsportalen.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The scope(s) asked for, space separated (default [`DEFAULT_SCOPE`]).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The `resource` claim (default: `https://www.altinn.no/`, or `https://tt02.altinn.no/` for
    /// [`Environment::Tt02`]).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The environment (default [`Environment::Production`]): production uses
    /// `https://maskinporten.no/`, TT02 `https://test.maskinporten.no/`; it also picks the default
    /// `resource` and exchange endpoint.
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = env;
        self
    }

    /// A custom Maskinporten: the grant's `aud` and the token endpoint (a test server, a proxy).
    /// Overrides the environment's. `http` is accepted only for loopback hosts.
    pub fn endpoints(mut self, audience: impl Into<String>, token_url: impl Into<String>) -> Self {
        self.endpoints = Some((audience.into(), token_url.into()));
        self
    }

    /// Whether to exchange the Maskinporten token for an Altinn token (default `false`: the
    /// Maskinporten token is sent to Altinn as it is).
    pub fn exchange(mut self, on: bool) -> Self {
        self.exchange = on;
        self
    }

    /// A custom Altinn token exchange endpoint; turns the exchange on.
    pub fn exchange_url(mut self, url: impl Into<String>) -> Self {
        self.exchange_url = Some(url.into());
        self.exchange = true;
        self
    }

    /// The enterprise certificate whose private key signs the grant (required). RSA keys sign
    /// with RS256, ECDSA P-256 keys (PKCS#8) with ES256.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Names a key registered on the client (`kid` header) instead of sending the certificate
    /// (`x5c` header).
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// Time allowed for one token request, connecting included (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Trusts `cert` as a root for the token endpoints, in addition to the operating system's.
    pub fn add_root_certificate(mut self, cert: Certificate) -> Self {
        self.roots.push(cert);
        self
    }

    /// Checks the configuration, loads the key and builds the provider.
    pub fn build(self) -> Result<MaskinportenTokenProvider, ConfigError> {
        let client_id = self
            .client_id
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| invalid("no client id"))?;
        let scope = self.scope.trim().to_owned();
        if scope.is_empty() {
            return Err(invalid("the scope is empty"));
        }
        let identity = self
            .identity
            .ok_or_else(|| invalid("no identity (enterprise certificate) to sign the grant"))?;
        let resource = self
            .resource
            .unwrap_or_else(|| default_resource(self.environment).to_owned());
        let (audience, token_url) = match self.endpoints {
            Some((audience, token_url)) => (audience, token_url),
            None => {
                let (a, t) = maskinporten_endpoints(self.environment);
                (a.to_owned(), t.to_owned())
            }
        };
        let token_url = endpoint_url(&token_url, "token URL")?;
        let exchange_url = if self.exchange {
            let url = self
                .exchange_url
                .unwrap_or_else(|| exchange_endpoint(self.environment).to_owned());
            Some(endpoint_url(&url, "exchange URL")?)
        } else {
            None
        };

        let signer = Signer::from_key(identity.key())?;
        let header = match &self.key_id {
            Some(kid) => serde_json::json!({ "alg": signer.alg(), "kid": kid }),
            None => {
                let leaf = identity
                    .chain()
                    .into_iter()
                    .next()
                    .ok_or_else(|| invalid("the identity holds no certificate"))?;
                serde_json::json!({ "alg": signer.alg(), "x5c": [STANDARD.encode(leaf.as_ref())] })
            }
        };
        let header = URL_SAFE_NO_PAD.encode(header.to_string());

        let https = token_url.scheme() == "https"
            || exchange_url.as_ref().is_some_and(|u| u.scheme() == "https");
        let tls = tls::client_config(None, &self.roots, https)?;
        let local = is_loopback(&token_url) && exchange_url.as_ref().is_none_or(is_loopback);
        let http = http_client_base(tls, local)
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .user_agent(DEFAULT_USER_AGENT)
            .build()
            .map_err(ConfigError::client)?;

        Ok(MaskinportenTokenProvider {
            inner: Arc::new(Inner {
                http,
                client_id,
                scope,
                resource,
                audience,
                token_url,
                exchange_url,
                header,
                key_id: self.key_id,
                signer,
                cache: tokio::sync::Mutex::new(None),
            }),
        })
    }
}

impl fmt::Debug for MaskinportenBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskinportenBuilder")
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .field("resource", &self.resource)
            .field("environment", &self.environment)
            .field("endpoints", &self.endpoints)
            .field("exchange", &self.exchange)
            .field("exchange_url", &self.exchange_url)
            .field("identity", &self.identity)
            .field("key_id", &self.key_id)
            .field("timeout", &self.timeout)
            .field("root_certificates", &self.roots)
            .finish()
    }
}

/// A [`TokenProvider`] that gets access tokens from Maskinporten with a JWT grant signed by the
/// enterprise certificate, optionally exchanged for an Altinn token.
///
/// The token is reused until 10 % of its lifetime (at most 60 s) is left; concurrent callers
/// wait for one refresh instead of each asking Maskinporten. Cheap to clone (clones share the
/// cache).
///
/// ```no_run
/// use std::sync::Arc;
/// use altinn_contacts_reqwest::{Environment, Identity, MaskinportenTokenProvider, ReqwestContactsApi};
///
/// let identity = Identity::from_file("virksomhetssertifikat.p12", Some("password"))?;
/// let maskinporten = MaskinportenTokenProvider::builder()
///     .environment(Environment::Tt02)
///     .client_id("0b1c2d3e-client-id-from-samarbeidsportalen")
///     .identity(identity)
///     .build()?;
/// let api = ReqwestContactsApi::builder()
///     .environment(Environment::Tt02)
///     .api_key(std::env::var("ALTINN_API_KEY").unwrap_or_default())
///     .token_provider(Arc::new(maskinporten))
///     .build()?;
/// # Ok::<(), altinn_contacts_reqwest::ConfigError>(())
/// ```
///
/// Errors: a grant Maskinporten refuses (`{"error": .., "error_description": ..}`) is an
/// [`Error::Auth`] with Maskinporten's description; 429 and 5xx keep their usual variants; no
/// answer is an [`Error::Transport`]. Failed token requests are not retried by the provider.
#[derive(Clone)]
pub struct MaskinportenTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    client_id: String,
    scope: String,
    resource: String,
    audience: String,
    token_url: Url,
    exchange_url: Option<Url>,
    /// The base64url JWT header, the same for every grant.
    header: String,
    key_id: Option<String>,
    signer: Signer,
    /// Held across a refresh, so concurrent callers wait for that one request.
    cache: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    token: SecretString,
    refresh_at: Instant,
}

impl MaskinportenTokenProvider {
    /// A builder with the defaults.
    pub fn builder() -> MaskinportenBuilder {
        MaskinportenBuilder::default()
    }

    /// Forgets the cached token, so the next call asks Maskinporten again.
    pub async fn clear(&self) {
        *self.inner.cache.lock().await = None;
    }

    /// Builds and signs a fresh grant.
    fn assertion(&self) -> Result<SecretString, Error> {
        let inner = &*self.inner;
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = serde_json::json!({
            "aud": inner.audience,
            "iss": inner.client_id,
            "scope": inner.scope,
            "resource": inner.resource,
            "iat": iat,
            "exp": iat + GRANT_LIFETIME_SECS,
            "jti": format!("{:032x}", fastrand::u128(..)),
        });
        let signing_input = format!(
            "{}.{}",
            inner.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = inner.signer.sign(signing_input.as_bytes()).map_err(|()| {
            Error::Transport(TransportError::new(
                PLACEHOLDER_OPERATION,
                TransportFailure::Other,
                "Maskinporten: the grant could not be signed",
            ))
        })?;
        Ok(SecretString::from(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }

    /// Asks Maskinporten (and the exchange, when on) for a token and when to refresh it.
    async fn fetch(&self) -> Result<Cached, Error> {
        let inner = &*self.inner;
        let started = Instant::now();
        let assertion = self.assertion()?;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", GRANT_TYPE)
            .append_pair("assertion", assertion.expose_secret())
            .finish();
        let response = inner
            .http
            .post(inner.token_url.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(form)
            .send()
            .await
            .map_err(|e| transport("Maskinporten", e))?;
        let status = response.status().as_u16();
        let body = read_body(response)
            .await
            .map_err(|e| transport("Maskinporten", e))?;
        let secrets = [&assertion];
        if !(200..300).contains(&status) {
            let message = maskinporten_message(&body);
            return Err(refused(
                "Maskinporten refused the token request",
                status,
                &message,
                &secrets,
            ));
        }
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
            Error::Decode(DecodeFailure::new(
                PLACEHOLDER_OPERATION,
                status,
                ".",
                format!(
                    "Maskinporten's answer is not a token response (line {}, column {})",
                    e.line(),
                    e.column()
                ),
                e.is_eof(),
            ))
        })?;
        let token = SecretString::from(answer.access_token);
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(GRANT_LIFETIME_SECS));
        let token = match &inner.exchange_url {
            Some(url) => self.exchange(url, &token).await?,
            None => token,
        };
        tracing::debug!(
            expires_in_s = lifetime.as_secs(),
            exchanged = inner.exchange_url.is_some(),
            "got a Maskinporten token"
        );
        Ok(Cached {
            token,
            refresh_at: started + reuse_for(lifetime),
        })
    }

    /// Trades a Maskinporten token for an Altinn token.
    async fn exchange(&self, url: &Url, token: &SecretString) -> Result<SecretString, Error> {
        let bearer = authorization(token).ok_or_else(|| {
            refused(
                "Maskinporten gave an unusable token",
                502,
                "it is empty or not visible ASCII",
                &[],
            )
        })?;
        let response = self
            .inner
            .http
            .get(url.clone())
            .header(AUTHORIZATION, bearer)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .send()
            .await
            .map_err(|e| transport("Altinn token exchange", e))?;
        let status = response.status().as_u16();
        let body = read_body(response)
            .await
            .map_err(|e| transport("Altinn token exchange", e))?;
        let text = String::from_utf8_lossy(&body);
        let text = text.trim();
        if !(200..300).contains(&status) {
            let message = text.lines().next().unwrap_or("");
            return Err(refused(
                "Altinn token exchange failed",
                status,
                message,
                &[token],
            ));
        }
        // The answer is a JSON string; a bare token is accepted too.
        let exchanged = if text.starts_with('"') {
            serde_json::from_str::<String>(text).ok()
        } else {
            Some(text.to_owned())
        };
        let exchanged = exchanged.map(SecretString::from);
        match exchanged {
            Some(t) if authorization(&t).is_some() => Ok(t),
            _ => Err(Error::Decode(DecodeFailure::new(
                PLACEHOLDER_OPERATION,
                status,
                ".",
                "the Altinn token exchange answered with something that is not a token",
                false,
            ))),
        }
    }
}

#[async_trait]
impl TokenProvider for MaskinportenTokenProvider {
    async fn token(&self) -> Result<SecretString, Error> {
        let mut cache = self.inner.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }
}

impl fmt::Debug for MaskinportenTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("MaskinportenTokenProvider")
            .field("client_id", &inner.client_id)
            .field("scope", &inner.scope)
            .field("resource", &inner.resource)
            .field("audience", &inner.audience)
            .field("token_url", &inner.token_url.as_str())
            .field(
                "exchange_url",
                &inner.exchange_url.as_ref().map(Url::as_str),
            )
            .field("alg", &inner.signer.alg())
            .field("key_id", &inner.key_id)
            .field("private_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// How long a token that lives `lifetime` is reused: all but 10 % of it, at most 60 s less.
fn reuse_for(lifetime: Duration) -> Duration {
    lifetime.saturating_sub((lifetime / 10).min(Duration::from_secs(60)))
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

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(serde::Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// Maskinporten's `error: error_description`, or the body's first line.
fn maskinporten_message(body: &[u8]) -> String {
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(OAuthError {
            error,
            error_description,
        }) => [error, error_description]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": "),
        Err(_) => String::from_utf8_lossy(body)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned(),
    }
}

/// An HTTP refusal: 4xx other than 429 is an authentication error, the rest maps by status.
/// Any of `secrets` the server echoed is masked, before the message is shortened (a shortened
/// secret would no longer be found).
fn refused(what: &str, status: u16, message: &str, secrets: &[&SecretString]) -> Error {
    let message = mask_secrets(&format!("{what}: {message}"), secrets.iter().copied());
    let message: String = message.chars().take(500).collect();
    let failure = HttpFailure::new(PLACEHOLDER_OPERATION, status, message);
    match status {
        403 => Error::Auth {
            kind: AuthFailure::Forbidden,
            failure,
        },
        400..=499 if status != 429 => Error::Auth {
            kind: AuthFailure::Unauthenticated,
            failure,
        },
        _ => Error::from_status(failure, None),
    }
}

/// A failure below HTTP, classified as the API client classifies its own (TLS inside nested
/// I/O errors included), under the name of the step that failed.
fn transport(what: &str, error: reqwest::Error) -> Error {
    let mut failure = crate::client::transport_error(PLACEHOLDER_OPERATION, error);
    failure.message = format!("{what}: {}", failure.message);
    Error::Transport(failure)
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_BODY {
            break;
        }
    }
    Ok(body)
}

fn endpoint_url(given: &str, what: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(given.trim())
        .map_err(|e| invalid(format!("the {what} {given:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(invalid(format!(
            "the {what} {given:?} must be https (http only for a local server)"
        ))),
    }
}

fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::Maskinporten {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_reused_for_most_of_their_lifetime() {
        assert_eq!(
            reuse_for(Duration::from_secs(120)),
            Duration::from_secs(108)
        );
        assert_eq!(
            reuse_for(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(reuse_for(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn environments_have_their_endpoints() {
        assert_eq!(
            maskinporten_endpoints(Environment::Tt02),
            (
                "https://test.maskinporten.no/",
                "https://test.maskinporten.no/token"
            )
        );
        assert_eq!(
            maskinporten_endpoints(Environment::Production).1,
            "https://maskinporten.no/token"
        );
        assert_eq!(
            default_resource(Environment::Tt02),
            "https://tt02.altinn.no/"
        );
        assert_eq!(
            default_resource(Environment::Production),
            "https://www.altinn.no/"
        );
        assert!(
            exchange_endpoint(Environment::Tt02).starts_with("https://platform.tt02.altinn.no/")
        );
    }

    #[test]
    fn error_answers_become_messages() {
        let body = br#"{"error":"invalid_client","error_description":"Unknown client"}"#;
        assert_eq!(maskinporten_message(body), "invalid_client: Unknown client");
        assert_eq!(maskinporten_message(b"Bad gateway\nmore"), "Bad gateway");
        let secret = SecretString::from("eyJ.secret.grant");
        let err = refused("x", 400, "echo eyJ.secret.grant", &[&secret]);
        assert!(matches!(err, Error::Auth { .. }));
        assert!(!err.to_string().contains("secret.grant"), "{err}");
        assert!(matches!(refused("x", 503, "", &[]), Error::Server(_)));
        assert!(matches!(
            refused("x", 429, "", &[]),
            Error::Throttled { .. }
        ));
    }

    #[test]
    fn endpoints_must_be_https_unless_local() {
        assert!(endpoint_url("http://127.0.0.1:9/token", "token URL").is_ok());
        assert!(endpoint_url("https://maskinporten.no/token", "token URL").is_ok());
        assert!(endpoint_url("http://maskinporten.no/token", "token URL").is_err());
        assert!(endpoint_url("maskinporten", "token URL").is_err());
    }
}
