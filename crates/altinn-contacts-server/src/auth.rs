//! The `ApiKey` header, checked as Altinn checks it: missing or empty is `400 Required header
//! 'ApiKey' is missing.`, any key not configured is `403 Forbidden - The API key is not
//! authorized for this operation`.
//!
//! Keys are secrets: [`ApiKeys`]' `Debug` shows only how many there are, and the comparison
//! takes the same time wherever two keys of equal length differ.

use std::fmt;

use axum::http::{HeaderMap, StatusCode};

use crate::answer::Answer;
use crate::messages;

/// The API keys a server accepts in the `ApiKey` header.
#[derive(Clone)]
pub struct ApiKeys {
    keys: Vec<Box<[u8]>>,
}

/// No API key was configured, so no request could ever be accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at least one non-empty API key must be configured")]
pub struct NoApiKeys;

impl ApiKeys {
    /// The keys to accept, compared byte for byte; empty ones are ignored. Fails when none is
    /// left.
    pub fn new<I, K>(keys: I) -> Result<Self, NoApiKeys>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<str>,
    {
        let keys: Vec<Box<[u8]>> = keys
            .into_iter()
            .filter(|k| !k.as_ref().is_empty())
            .map(|k| k.as_ref().as_bytes().into())
            .collect();
        if keys.is_empty() {
            return Err(NoApiKeys);
        }
        Ok(ApiKeys { keys })
    }

    /// Accepts no key at all: every request with an `ApiKey` is forbidden. For a server that
    /// was configured with an empty key (the sandbox allows that, and refuses everyone).
    pub fn none() -> Self {
        ApiKeys { keys: Vec::new() }
    }

    /// How many keys are accepted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True only for [`ApiKeys::none`].
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// True when `sent` is one of the keys.
    pub fn accepts(&self, sent: &[u8]) -> bool {
        // Every key is compared, so the time taken does not tell which one matched.
        self.keys
            .iter()
            .fold(false, |found, key| found | constant_time_eq(key, sent))
    }

    /// Checks the `ApiKey` header of a request: `Ok` when it holds one of the keys, else
    /// Altinn's answer.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Answer> {
        match headers.get("apikey") {
            None => Err(Answer::error(
                StatusCode::BAD_REQUEST,
                messages::API_KEY_MISSING,
            )),
            Some(v) if v.is_empty() => Err(Answer::error(
                StatusCode::BAD_REQUEST,
                messages::API_KEY_MISSING,
            )),
            Some(v) if !self.accepts(v.as_bytes()) => Err(Answer::error(
                StatusCode::FORBIDDEN,
                messages::API_KEY_FORBIDDEN,
            )),
            Some(_) => Ok(()),
        }
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("count", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn keys_are_checked_and_never_shown() {
        let keys = ApiKeys::new(["first-secret", "", "second-secret"]).unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys.accepts(b"second-secret"));
        assert!(!keys.accepts(b"second-secreT"));
        assert!(!keys.accepts(b""));
        assert!(!format!("{keys:?}").contains("secret"));
        assert_eq!(ApiKeys::new([""; 0]).unwrap_err(), NoApiKeys);
        assert_eq!(ApiKeys::new([""]).unwrap_err(), NoApiKeys);
        assert!(!ApiKeys::none().accepts(b""));

        let mut headers = HeaderMap::new();
        assert_eq!(
            keys.check(&headers).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        headers.insert("ApiKey", HeaderValue::from_static("nope"));
        assert_eq!(
            keys.check(&headers).unwrap_err().status(),
            StatusCode::FORBIDDEN
        );
        headers.insert("ApiKey", HeaderValue::from_static("first-secret"));
        assert!(keys.check(&headers).is_ok());
    }
}
