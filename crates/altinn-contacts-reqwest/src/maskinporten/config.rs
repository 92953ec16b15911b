//! [`MaskinportenBuilder`]: the provider's settings, the environments' endpoints, and the checks
//! made before anything is sent.

use std::fmt;
use std::time::Duration;

use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use url::Url;

use crate::config::{
    ConfigError, DEFAULT_USER_AGENT, check_clear_text, http_client_base, is_loopback, shown_url,
};
use crate::environment::Environment;
use crate::identity::{Certificate, Identity};
use crate::tls;

use super::MaskinportenTokenProvider;
use super::exchange::Requests;
use super::grant::{Claims, Grant};

/// The scope asked for unless another is set.
pub const DEFAULT_SCOPE: &str = "altinn:serviceowner/organizations";

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
    signing_key: Option<SigningKeyPem>,
    key_id: Option<String>,
    send_resource: bool,
    timeout: Duration,
    roots: Vec<Certificate>,
    allow_insecure_http: bool,
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
            signing_key: None,
            key_id: None,
            send_resource: true,
            timeout: Duration::from_secs(30),
            roots: Vec::new(),
            allow_insecure_http: false,
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

    /// Leaves the `resource` claim out of the grant (it is sent by default). Maskinporten then
    /// issues a token without an audience restriction, as a grant with only `aud`, `iss`,
    /// `scope`, `iat`, `exp` and `jti` asks.
    pub fn without_resource(mut self) -> Self {
        self.send_resource = false;
        self
    }

    /// Maskinporten's issuer URL, e.g. `https://test.maskinporten.no/`: the grant's `aud` is the
    /// issuer with exactly one trailing slash, the token endpoint `<issuer>/token`. Overrides the
    /// environment's. `http` is accepted only for loopback hosts.
    pub fn issuer(self, issuer: impl AsRef<str>) -> Self {
        let audience = format!("{}/", issuer.as_ref().trim().trim_end_matches('/'));
        let token_url = format!("{audience}token");
        self.endpoints(audience, token_url)
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

    /// A custom Altinn token exchange endpoint; turns the exchange on. `http` is accepted only
    /// for loopback hosts.
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

    /// Signs the grant with this private key (PEM: PKCS#8, PKCS#1 or SEC1; RSA or ECDSA P-256)
    /// instead of the certificate's. Needs [`key_id`](Self::key_id): the key is one registered on
    /// the client, named by the `kid` header; no certificate is sent. Read in
    /// [`build`](Self::build).
    pub fn signing_key_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.signing_key = Some(SigningKeyPem(std::sync::Arc::new(pem.into())));
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

    /// **Dangerous:** accepts `http://` token and exchange URLs for any host, not only loopback
    /// ones, so the signed grant and the tokens cross the network **in clear text**. Default
    /// `false`: such URLs fail [`build`](Self::build) with [`ConfigError::InsecureHttp`] before
    /// anything is sent. For a trusted test network only.
    pub fn danger_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
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
        let (key, leaf) = match (&self.signing_key, &self.identity) {
            (Some(pem), _) => {
                if self.key_id.is_none() {
                    return Err(invalid(
                        "a signing key needs the key id (kid) it is registered under",
                    ));
                }
                let key = PrivateKeyDer::from_pem_slice(&pem.0).map_err(|_| {
                    invalid("the signing key is not an unencrypted private key in PEM")
                })?;
                (key, None)
            }
            (None, Some(identity)) => (identity.key(), identity.chain().into_iter().next()),
            (None, None) => {
                return Err(invalid(
                    "no identity (enterprise certificate) or signing key to sign the grant",
                ));
            }
        };
        let resource = if self.send_resource {
            Some(
                self.resource
                    .unwrap_or_else(|| default_resource(self.environment).to_owned()),
            )
        } else {
            None
        };
        let (audience, token_url) = match self.endpoints {
            Some((audience, token_url)) => (audience, token_url),
            None => {
                let (a, t) = maskinporten_endpoints(self.environment);
                (a.to_owned(), t.to_owned())
            }
        };
        let allow = self.allow_insecure_http;
        let token_url = endpoint_url(&token_url, "token URL", allow)?;
        let exchange_url = if self.exchange {
            let url = self
                .exchange_url
                .unwrap_or_else(|| exchange_endpoint(self.environment).to_owned());
            Some(endpoint_url(&url, "exchange URL", allow)?)
        } else {
            None
        };

        let claims = Claims {
            client_id,
            scope,
            resource,
            audience,
        };
        let grant = Grant::new(claims, key, leaf, self.key_id)?;

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

        Ok(MaskinportenTokenProvider::new(Requests {
            http,
            token_url,
            exchange_url,
            grant,
        }))
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
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "<redacted>"),
            )
            .field("send_resource", &self.send_resource)
            .field("key_id", &self.key_id)
            .field("timeout", &self.timeout)
            .field("root_certificates", &self.roots)
            .field("danger_allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

/// A private key in PEM, read in `build`; never shown.
#[derive(Clone)]
struct SigningKeyPem(std::sync::Arc<Vec<u8>>);

/// An https URL, or http for a loopback host (any host if `allow_http`).
fn endpoint_url(given: &str, what: &'static str, allow_http: bool) -> Result<Url, ConfigError> {
    let shown = shown_url(given);
    let url = Url::parse(given.trim())
        .map_err(|e| invalid(format!("the {what} {shown:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!(
            "the {what} {shown:?} must be an https URL (http only for a local server)"
        )));
    }
    check_clear_text(&url, what, allow_http)?;
    Ok(url)
}

pub(super) fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::Maskinporten {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn endpoints_must_be_https_unless_local() {
        let url = |given, allow| endpoint_url(given, "token URL", allow);
        assert!(url("http://127.0.0.1:9/token", false).is_ok());
        assert!(url("http://localhost:9/token", false).is_ok());
        assert!(url("https://maskinporten.no/token", false).is_ok());
        assert!(matches!(
            url("http://maskinporten.example.invalid/token", false),
            Err(ConfigError::InsecureHttp {
                what: "token URL",
                ..
            })
        ));
        assert!(url("http://maskinporten.example.invalid/token", true).is_ok());
        assert!(url("maskinporten", true).is_err());
        assert!(url("ftp://maskinporten.example.invalid/", true).is_err());
    }
}
