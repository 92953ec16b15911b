//! Making a [`Client`] over the reqwest transport: one builder, the transport's own.
//!
//! [`Client::builder`] returns the transport's [`ConfigBuilder`] itself, so every transport
//! setting (environment, base URL, API key, certificate, tokens, roots, timeouts, retries, pool
//! and whatever the transport adds later) is reached without a copy here;
//! [`ConfigBuilderExt::build_client`] finishes it as a [`Client`]. The other path builds the
//! transport first and hands it to [`Client::new`]. Both give a client that checks HAL links
//! against the transport's base URL.

use altinn_contacts_reqwest::{ConfigBuilder, ConfigError, ReqwestContactsApi};

use crate::Client;

impl Client<ReqwestContactsApi> {
    /// The transport's [`ConfigBuilder`], finished with
    /// [`build_client`](ConfigBuilderExt::build_client) (import [`ConfigBuilderExt`]).
    ///
    /// ```
    /// use altinn_contacts::{Client, ConfigBuilderExt, RetryPolicy};
    /// use std::time::Duration;
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// // A sandbox on loopback; against Altinn, `.environment(Environment::Tt02)` instead.
    /// let client = Client::builder()
    ///     .base_url("http://127.0.0.1:8080/")
    ///     .api_key("sandbox-key")
    ///     .request_timeout(Duration::from_secs(20))
    ///     .retry(RetryPolicy::new().max_attempts(5))
    ///     .build_client()?;
    /// assert_eq!(client.api().base_url().as_str(), "http://127.0.0.1:8080/");
    /// # Ok(()) }
    /// # run().unwrap();
    /// ```
    ///
    /// With an enterprise certificate (`Identity::from_file` reads a PKCS#12 or PEM file):
    ///
    /// ```no_run
    /// use altinn_contacts::{Client, ConfigBuilderExt, Environment, Identity};
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::builder()
    ///     .environment(Environment::Tt02)
    ///     .api_key(std::env::var("ALTINN_API_KEY")?)
    ///     .certificate(Identity::from_file("virksomhetssertifikat.p12", Some("password"))?)
    ///     .build_client()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new()
    }

    /// A client over an already built transport; HAL links must be on its base URL's origin (the
    /// transport's [`resolve_link`](altinn_contacts_api::ContactsApi::resolve_link) checks them).
    ///
    /// ```
    /// use altinn_contacts::{Client, ReqwestContactsApi};
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let transport = ReqwestContactsApi::builder()
    ///     .base_url("http://127.0.0.1:8080/")
    ///     .api_key("sandbox-key")
    ///     .build()?;
    /// let client = Client::new(transport);
    /// assert_eq!(client.api().base_url().as_str(), "http://127.0.0.1:8080/");
    /// # Ok(()) }
    /// # run().unwrap();
    /// ```
    pub fn new(api: ReqwestContactsApi) -> Self {
        Client::from_api(api)
    }
}

impl From<ReqwestContactsApi> for Client<ReqwestContactsApi> {
    fn from(api: ReqwestContactsApi) -> Self {
        Client::new(api)
    }
}

/// Finishes the transport's [`ConfigBuilder`] as a [`Client`]: the one method the facade adds
/// to it. Sealed: only [`ConfigBuilder`] implements it.
pub trait ConfigBuilderExt: sealed::Sealed {
    /// Builds the transport ([`ConfigBuilder::build`], with its checks) and a [`Client`] over it
    /// ([`Client::new`]).
    fn build_client(self) -> Result<Client, ConfigError>;
}

impl ConfigBuilderExt for ConfigBuilder {
    fn build_client(self) -> Result<Client, ConfigError> {
        self.build().map(Client::new)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for altinn_contacts_reqwest::ConfigBuilder {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_builder_is_the_transports_builder() {
        // Not a copy: a setting the transport adds is reachable here with no code in this file.
        let builder: ConfigBuilder = Client::builder();
        let client = builder
            .base_url("http://127.0.0.1:9/prefix/")
            .api_key("key")
            .build_client()
            .unwrap();
        assert_eq!(
            client.api().base_url().as_str(),
            "http://127.0.0.1:9/prefix/"
        );
    }

    #[test]
    fn both_paths_give_the_same_base_url() {
        let configure = || {
            Client::builder()
                .base_url("http://127.0.0.1:9/prefix/")
                .api_key("key")
        };
        let built = configure().build_client().unwrap();
        let wrapped = Client::new(configure().build().unwrap());
        let converted: Client = configure().build().unwrap().into();
        assert_eq!(built.api().base_url(), wrapped.api().base_url());
        assert_eq!(built.api().base_url(), converted.api().base_url());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let builder = Client::builder()
            .base_url("http://127.0.0.1:9/prefix/")
            .api_key("key-that-must-not-show")
            .bearer_token("token-that-must-not-show");
        let client = builder.clone().build_client().unwrap();
        for shown in [format!("{builder:?}"), format!("{client:?}")] {
            assert!(!shown.contains("must-not-show"), "{shown}");
        }
    }

    #[test]
    fn build_client_fails_without_an_api_key() {
        assert!(matches!(
            Client::builder().build_client(),
            Err(ConfigError::MissingApiKey)
        ));
    }
}
