//! What a failed token request becomes: a [`TokenError`] naming the step, the status and the
//! server's message, transient for 429, 5xx and a connection that failed or timed out.

use reqwest::header::HeaderMap;
use secrecy::SecretString;

use altinn_contacts_api::TransportFailure;

use crate::redact::mask_secrets;
use crate::token::TokenError;

/// The steps, as error messages name them.
pub(super) const MASKINPORTEN: &str = "Maskinporten token request failed";
pub(super) const EXCHANGE: &str = "Altinn token exchange failed";

/// The longest server message kept.
const MAX_MESSAGE_CHARS: usize = 500;

#[derive(serde::Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// Maskinporten's `error: error_description`, or the body's first line.
pub(super) fn maskinporten_message(body: &[u8]) -> String {
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

/// An HTTP refusal of step `what`: transient for 429 and 5xx (with the `Retry-After`), final
/// otherwise. Any of `secrets` the server echoed is masked before the message is shortened (a
/// shortened secret would no longer be found).
pub(super) fn refused(
    what: &str,
    status: u16,
    headers: &HeaderMap,
    message: &str,
    secrets: &[&SecretString],
) -> TokenError {
    let message = mask_secrets(message, secrets.iter().copied());
    let message = crate::response::clean(&message);
    let message: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let text = if message.is_empty() {
        format!("{what}: {status}")
    } else {
        format!("{what}: {status} {message}")
    };
    let error = if status == 429 || (500..=599).contains(&status) {
        let error = TokenError::transient(text);
        match crate::retry::retry_after(headers) {
            Some(wait) => error.with_retry_after(wait),
            None => error,
        }
    } else {
        TokenError::new(text)
    };
    error.with_status(status)
}

/// A successful status with an answer that is not what step `what` expects.
pub(super) fn bad_answer(what: &str, status: u16, problem: &str) -> TokenError {
    TokenError::new(format!("{what}: {status} {problem}")).with_status(status)
}

/// No answer to step `what`: classified as the API client classifies its own failures (TLS
/// inside nested I/O errors included); reqwest's error (without its URL) is the source.
pub(super) fn transport(what: &str, error: reqwest::Error) -> TokenError {
    let (kind, message, cause) = crate::client::describe_transport_error(error);
    let how = match kind {
        TransportFailure::Connect => "could not connect",
        TransportFailure::Tls => "TLS failed",
        TransportFailure::Timeout => "timed out",
        TransportFailure::Body => "connection broke while reading the response",
        _ => "transport error",
    };
    let text = format!("{what}: {how}: {message}");
    let error = if matches!(
        kind,
        TransportFailure::Connect | TransportFailure::Timeout | TransportFailure::Body
    ) {
        TokenError::transient(text)
    } else {
        TokenError::new(text)
    };
    error.with_source(cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_become_messages() {
        let body = br#"{"error":"invalid_client","error_description":"Unknown client"}"#;
        assert_eq!(maskinporten_message(body), "invalid_client: Unknown client");
        assert_eq!(maskinporten_message(b"Bad gateway\nmore"), "Bad gateway");
    }

    #[test]
    fn refusals_are_final_and_unavailability_is_transient() {
        let none = HeaderMap::new();
        let secret = SecretString::from("eyJ.secret.grant");
        let err = refused(
            MASKINPORTEN,
            400,
            &none,
            "echo eyJ.secret.grant",
            &[&secret],
        );
        assert!(!err.is_transient());
        assert_eq!(err.status(), Some(400));
        assert_eq!(
            err.to_string(),
            "Maskinporten token request failed: 400 echo <redacted>"
        );
        for status in [429, 500, 502, 503, 504] {
            assert!(refused(EXCHANGE, status, &none, "", &[]).is_transient());
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::RETRY_AFTER,
            reqwest::header::HeaderValue::from_static("7"),
        );
        let throttled = refused(MASKINPORTEN, 429, &headers, "slow down", &[]);
        assert_eq!(
            throttled.retry_after(),
            Some(std::time::Duration::from_secs(7))
        );
        assert!(!refused(EXCHANGE, 401, &none, "", &[]).is_transient());
        assert_eq!(
            refused(EXCHANGE, 401, &none, "", &[]).to_string(),
            "Altinn token exchange failed: 401"
        );
    }
}
