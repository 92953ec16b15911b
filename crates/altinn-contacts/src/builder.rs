//! [`ClientBuilder`]: a [`Client`] over the reqwest transport, configured in one place.
//!
//! Every setting is forwarded to the transport's
//! [`ConfigBuilder`](altinn_contacts_reqwest::ConfigBuilder); the built client checks HAL links
//! against the transport's base URL.

use std::sync::Arc;
use std::time::Duration;

use altinn_contacts_reqwest::{
    Certificate, ConfigBuilder, ConfigError, Environment, Identity, ReqwestContactsApi,
    RetryPolicy, TokenProvider,
};

use crate::Client;

/// Configures a [`Client`] over [`ReqwestContactsApi`]; made by [`Client::builder`].
///
/// ```no_run
/// use altinn_contacts::{Client, Environment, Identity, RetryPolicy};
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder()
///     .environment(Environment::Tt02)
///     .api_key(std::env::var("ALTINN_API_KEY")?)
///     .certificate(Identity::from_file("virksomhetssertifikat.p12", Some("password"))?)
///     .retry(RetryPolicy::new().max_attempts(5))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// `Debug` never shows the API key, a token or key material.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    config: ConfigBuilder,
}

impl ClientBuilder {
    /// Starts from a transport configuration made elsewhere.
    pub fn from_config(config: ConfigBuilder) -> Self {
        ClientBuilder { config }
    }

    /// The Altinn environment (default production).
    pub fn environment(self, env: Environment) -> Self {
        self.map(|c| c.environment(env))
    }

    /// A base URL instead of the environment's, e.g. a sandbox's.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.map(|c| c.base_url(url))
    }

    /// The service owner's API key (required).
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.map(|c| c.api_key(key))
    }

    /// The enterprise certificate, sent as the TLS client certificate.
    pub fn certificate(self, identity: Identity) -> Self {
        self.map(|c| c.certificate(identity))
    }

    /// A static bearer token (Maskinporten or Altinn token).
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.map(|c| c.bearer_token(token))
    }

    /// A source of bearer tokens, asked before every attempt.
    pub fn token_provider(self, provider: Arc<dyn TokenProvider>) -> Self {
        self.map(|c| c.token_provider(provider))
    }

    /// Trusts another root certificate (test CAs, a local TLS sandbox).
    pub fn add_root_certificate(self, cert: Certificate) -> Self {
        self.map(|c| c.add_root_certificate(cert))
    }

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(self, d: Duration) -> Self {
        self.map(|c| c.connect_timeout(d))
    }

    /// The timeout of one attempt (default 30 s).
    pub fn request_timeout(self, d: Duration) -> Self {
        self.map(|c| c.request_timeout(d))
    }

    /// How transient failures are retried.
    pub fn retry(self, policy: RetryPolicy) -> Self {
        self.map(|c| c.retry(policy))
    }

    /// The `User-Agent` header.
    pub fn user_agent(self, ua: impl Into<String>) -> Self {
        self.map(|c| c.user_agent(ua))
    }

    /// How many idle connections per host the pool keeps; raise it with bulk concurrency.
    pub fn pool_max_idle_per_host(self, n: usize) -> Self {
        self.map(|c| c.pool_max_idle_per_host(n))
    }

    /// **Dangerous:** allows `http://` for hosts other than loopback ones (see
    /// [`ConfigBuilder::danger_allow_insecure_http`]).
    pub fn danger_allow_insecure_http(self, allow: bool) -> Self {
        self.map(|c| c.danger_allow_insecure_http(allow))
    }

    /// Builds the transport and the client; HAL links must then be on the base URL's origin.
    pub fn build(self) -> Result<Client, ConfigError> {
        Ok(Client::new(self.config.build()?))
    }

    fn map(self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        ClientBuilder {
            config: f(self.config),
        }
    }
}

impl Client<ReqwestContactsApi> {
    /// A builder for a client over the reqwest transport.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client over an already built transport; HAL links must be on its base URL's origin.
    pub fn new(api: ReqwestContactsApi) -> Self {
        let origin = api.base_url().clone();
        Client::from_api(api).with_origin(origin)
    }
}

impl From<ReqwestContactsApi> for Client<ReqwestContactsApi> {
    fn from(api: ReqwestContactsApi) -> Self {
        Client::new(api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_and_the_origin_is_the_base_url() {
        let builder = Client::builder()
            .base_url("http://127.0.0.1:9/prefix/")
            .api_key("key-that-must-not-show")
            .bearer_token("token-that-must-not-show");
        let client = builder.clone().build().unwrap();
        for shown in [format!("{builder:?}"), format!("{client:?}")] {
            assert!(!shown.contains("must-not-show"), "{shown}");
        }
        assert_eq!(
            client.origin().unwrap().as_str(),
            "http://127.0.0.1:9/prefix/"
        );
    }

    #[test]
    fn build_fails_without_an_api_key() {
        assert!(matches!(
            Client::builder().build(),
            Err(ConfigError::MissingApiKey)
        ));
    }
}
