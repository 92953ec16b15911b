//! Maskinporten access tokens for the ServiceOwner API: [`MaskinportenTokenProvider`].
//!
//! The provider signs a JWT grant (RFC 7523) with the key of the enterprise certificate, trades it
//! at Maskinporten's token endpoint for an access token and, when asked to, exchanges that for an
//! Altinn token. The private key, the signed grant and the tokens never appear in `Debug`, logs or
//! error text.
//!
//! - [`config`]: [`MaskinportenBuilder`], the environments' endpoints, URL checks.
//! - [`grant`]: the signing key and the signed grant.
//! - [`cache`]: the token cache: one refresh at a time, failures remembered for a moment.
//! - [`exchange`]: the HTTP requests to Maskinporten and Altinn's token exchange.
//! - [`errors`]: what those requests' failures become ([`TokenError`]s).

mod cache;
mod config;
mod errors;
mod exchange;
mod grant;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use crate::token::{TokenError, TokenProvider};

pub use config::{DEFAULT_SCOPE, MaskinportenBuilder};

/// A [`TokenProvider`] that gets access tokens from Maskinporten with a JWT grant signed by the
/// enterprise certificate, optionally exchanged for an Altinn token.
///
/// The token is reused until 10 % of its lifetime (at most 60 s) is left. Concurrent callers wait
/// for one refresh instead of each asking Maskinporten, and nobody holds a lock while it runs. A
/// failed refresh is remembered for a moment (one second, or the endpoint's `Retry-After`), and
/// callers in that moment get the same error at once. When Altinn refuses a token (401), the client
/// [invalidates](TokenProvider::invalidate) it and the next call gets a fresh one. Cheap to clone
/// (clones share the cache).
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
/// Errors are [`TokenError`]s saying which step failed and how, for example
/// `Maskinporten token request failed: 400 invalid_grant: Invalid assertion`. Refusals (4xx other
/// than 429) are final; 429, 5xx, connect errors and timeouts are
/// [transient](TokenError::is_transient): the provider does not retry them itself, the client
/// retries the call that needed the token under its [`RetryPolicy`](crate::RetryPolicy).
#[derive(Clone)]
pub struct MaskinportenTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    requests: exchange::Requests,
    cache: cache::TokenCache,
}

impl MaskinportenTokenProvider {
    /// A builder with the defaults.
    pub fn builder() -> MaskinportenBuilder {
        MaskinportenBuilder::default()
    }

    fn new(requests: exchange::Requests) -> Self {
        MaskinportenTokenProvider {
            inner: Arc::new(Inner {
                requests,
                cache: cache::TokenCache::default(),
            }),
        }
    }

    /// Forgets the cached token and any remembered failure, so the next call asks Maskinporten
    /// again.
    pub fn clear(&self) {
        self.inner.cache.clear();
    }
}

#[async_trait]
impl TokenProvider for MaskinportenTokenProvider {
    async fn token(&self) -> Result<SecretString, TokenError> {
        let inner = &self.inner;
        inner.cache.get(|| inner.requests.fetch()).await
    }

    fn invalidate(&self, token: &SecretString) {
        self.inner.cache.invalidate(token);
    }
}

impl fmt::Debug for MaskinportenTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.inner.requests;
        f.debug_struct("MaskinportenTokenProvider")
            .field("client_id", &r.grant.client_id())
            .field("scope", &r.grant.scope())
            .field("resource", &r.grant.resource())
            .field("audience", &r.grant.audience())
            .field("token_url", &r.token_url.as_str())
            .field("exchange_url", &r.exchange_url.as_ref().map(Url::as_str))
            .field("alg", &r.grant.alg())
            .field("key_id", &r.grant.key_id())
            .field("private_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}
