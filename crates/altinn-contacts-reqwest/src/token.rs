//! Bearer tokens: a static one, or a [`TokenProvider`] asked before every attempt, and the
//! provider's own error type, [`TokenError`].

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use altinn_contacts_api::redact_identity_numbers;

/// A source of bearer tokens: the hook for Maskinporten or Altinn token exchange.
///
/// The client calls [`token`](TokenProvider::token) before every attempt of every call and sends
/// the answer as `Authorization: Bearer <token>`, so a provider should cache a token until shortly
/// before it expires ([`MaskinportenTokenProvider`](crate::MaskinportenTokenProvider) does).
///
/// A provider's [`TokenError`] ends the call as an
/// [`Error::Credentials`](altinn_contacts_api::Error::Credentials) under the call's operation, with
/// the provider's error as its `source()`. A [transient](TokenError::transient) one is retried
/// like a failed call, under the same [`RetryPolicy`](crate::RetryPolicy) and deadline. When
/// Altinn answers 401 to a provider's token, the client calls
/// [`invalidate`](TokenProvider::invalidate) with that token and repeats the call once.
///
/// ```
/// use altinn_contacts_reqwest::{SecretString, TokenError, TokenProvider};
///
/// struct FromEnvironment;
///
/// #[altinn_contacts_reqwest::async_trait]
/// impl TokenProvider for FromEnvironment {
///     async fn token(&self) -> Result<SecretString, TokenError> {
///         std::env::var("ALTINN_TOKEN")
///             .map(SecretString::from)
///             .map_err(|e| TokenError::new("ALTINN_TOKEN is not set").with_source(e))
///     }
/// }
/// ```
#[async_trait]
pub trait TokenProvider: Send + Sync + 'static {
    /// A currently valid access token (without the `Bearer ` prefix).
    async fn token(&self) -> Result<SecretString, TokenError>;

    /// Altinn refused `token` (HTTP 401): forget it if it is still the cached one, so that the
    /// next [`token`](TokenProvider::token) gets a new one. The default does nothing.
    fn invalidate(&self, token: &SecretString) {
        let _ = token;
    }
}

/// Why a [`TokenProvider`] could not give a token.
///
/// `Display` is one line saying what failed, never a secret (for Maskinporten, for example
/// `Maskinporten token request failed: 400 invalid_grant: Invalid assertion`); the underlying
/// error, when there is one, is the [`source`](StdError::source). Cheap to clone, so a provider
/// can hand one failure to every caller that waited for it.
#[derive(Clone)]
pub struct TokenError {
    message: String,
    transient: bool,
    status: Option<u16>,
    retry_after: Option<Duration>,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl TokenError {
    /// A failure that repeating the request will not cure (refused credentials, a bad answer).
    /// Identity numbers in `message` are masked; it must hold no secret.
    pub fn new(message: impl Into<String>) -> Self {
        TokenError {
            message: redact_identity_numbers(&message.into()),
            transient: false,
            status: None,
            retry_after: None,
            source: None,
        }
    }

    /// A failure that may pass on its own (the token endpoint was unavailable, throttled or not
    /// reached): the client retries the call under its retry policy.
    pub fn transient(message: impl Into<String>) -> Self {
        TokenError {
            transient: true,
            ..TokenError::new(message)
        }
    }

    /// The HTTP status the token endpoint answered with.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// How long to wait before asking again (a `Retry-After`, or the provider's own backoff).
    #[must_use]
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// Attaches the underlying error, returned by [`source`](StdError::source). It must hold no
    /// secret (for reqwest: call `without_url` first).
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// What failed, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True when the failure may pass on its own.
    pub fn is_transient(&self) -> bool {
        self.transient
    }

    /// The token endpoint's HTTP status, when it answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// How long to wait before asking again, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self
            .source
            .as_ref()
            .map(|s| redact_identity_numbers(&format!("{s:?}")));
        f.debug_struct("TokenError")
            .field("message", &self.message)
            .field("transient", &self.transient)
            .field("status", &self.status)
            .field("retry_after", &self.retry_after)
            .field("source", &source)
            .finish()
    }
}

impl StdError for TokenError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// How the client authorizes with a bearer token, if at all.
#[derive(Clone)]
pub(crate) enum Bearer {
    /// The same token on every request.
    Static(SecretString),
    /// Asked for before every attempt.
    Provider(Arc<dyn TokenProvider>),
}

impl Bearer {
    /// The `Authorization` header value, marked sensitive so hyper never logs or indexes it, and
    /// the token a provider gave (so the caller can mask it in what the server answers, and hand
    /// it back to [`invalidate`](Self::invalidate) on a 401).
    pub(crate) async fn header(&self) -> Result<(HeaderValue, Option<SecretString>), BearerError> {
        match self {
            Bearer::Static(token) => {
                let value = authorization(token).ok_or(BearerError::Invalid)?;
                Ok((value, None))
            }
            Bearer::Provider(provider) => {
                let token = provider.token().await.map_err(BearerError::Provider)?;
                let value = authorization(&token).ok_or(BearerError::Invalid)?;
                Ok((value, Some(token)))
            }
        }
    }

    /// Tells a provider that Altinn refused `token`.
    pub(crate) fn invalidate(&self, token: &SecretString) {
        if let Bearer::Provider(provider) = self {
            provider.invalidate(token);
        }
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bearer::Static(_) => "bearer token",
            Bearer::Provider(_) => "token provider",
        })
    }
}

/// Why no `Authorization` header could be made.
#[derive(Debug)]
pub(crate) enum BearerError {
    /// The provider failed; its error is passed on.
    Provider(TokenError),
    /// The token is empty or holds characters a header cannot carry.
    Invalid,
}

/// `Bearer <token>` as a sensitive header value; `None` when the token cannot be a header value.
pub(crate) fn authorization(token: &SecretString) -> Option<HeaderValue> {
    let token = token.expose_secret().trim();
    if token.is_empty() {
        return None;
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_error_is_one_masked_line_with_its_cause() {
        let io = std::io::Error::other("socket closed");
        let e = TokenError::transient("token endpoint for 06117701547 not reached")
            .with_status(503)
            .with_retry_after(Duration::from_secs(2))
            .with_source(io);
        assert_eq!(e.to_string(), "token endpoint for *********** not reached");
        assert!(e.is_transient());
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        let copy = e.clone();
        assert!(
            copy.source()
                .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
        );
        assert!(!TokenError::new("refused").is_transient());
    }
}
