//! Bearer tokens: a static one, or a [`TokenProvider`] asked before every attempt.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use altinn_contacts_api::Error;

/// A source of bearer tokens: the hook for Maskinporten or Altinn token exchange.
///
/// The client calls [`token`](TokenProvider::token) before every attempt of every call and sends
/// the answer as `Authorization: Bearer <token>`, so a provider should cache a token until shortly
/// before it expires ([`MaskinportenTokenProvider`](crate::MaskinportenTokenProvider) does). An
/// error from the provider ends the call with that error, attributed to the call's operation.
///
/// ```
/// use altinn_contacts_reqwest::TokenProvider;
/// use secrecy::SecretString;
///
/// struct FromEnvironment;
///
/// #[async_trait::async_trait]
/// impl TokenProvider for FromEnvironment {
///     async fn token(&self) -> Result<SecretString, altinn_contacts_api::Error> {
///         Ok(SecretString::from(std::env::var("ALTINN_TOKEN").unwrap_or_default()))
///     }
/// }
/// ```
#[async_trait]
pub trait TokenProvider: Send + Sync + 'static {
    /// A currently valid access token (without the `Bearer ` prefix).
    async fn token(&self) -> Result<SecretString, Error>;
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
    /// the token a provider gave (so the caller can mask it in what the server answers).
    pub(crate) async fn header(&self) -> Result<(HeaderValue, Option<SecretString>), TokenError> {
        match self {
            Bearer::Static(token) => {
                let value = authorization(token).ok_or(TokenError::Invalid)?;
                Ok((value, None))
            }
            Bearer::Provider(provider) => {
                let token = provider.token().await.map_err(TokenError::Provider)?;
                let value = authorization(&token).ok_or(TokenError::Invalid)?;
                Ok((value, Some(token)))
            }
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
pub(crate) enum TokenError {
    /// The provider failed; its error is passed on.
    Provider(Error),
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
