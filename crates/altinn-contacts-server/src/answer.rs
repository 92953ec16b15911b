//! [`Answer`]: the outcome of one request before it becomes an HTTP response, and the response
//! shapes of the contract (HAL or plain JSON bodies; errors as an empty body with the message in
//! the reason phrase, as Altinn writes them).

use std::borrow::Cow;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use hyper::ext::ReasonPhrase;

/// The content type of every HAL answer, as Altinn sends it.
pub const HAL_JSON: &str = "application/hal+json; charset=utf-8";
/// The content type of a plain-JSON answer (`Accept: application/json`).
pub const PLAIN_JSON: &str = "application/json; charset=utf-8";
/// Where the API lives under the base URL.
pub const API_PREFIX: &str = "/api/serviceowner";

/// What the contract answers to one request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Answer {
    /// `200` with a JSON body.
    Json {
        /// The serialized resource.
        body: Bytes,
        /// [`HAL_JSON`] or [`PLAIN_JSON`].
        content_type: &'static str,
    },
    /// An error: an empty body, the message as the reason phrase.
    Error {
        /// The HTTP status.
        status: StatusCode,
        /// The reason phrase (control characters are replaced when it is sent).
        reason: Cow<'static, str>,
        /// `Retry-After` in seconds, for a `429` or `503`.
        retry_after: Option<u64>,
    },
}

impl Answer {
    /// An error answer with `status` and the message `reason`.
    pub fn error(status: StatusCode, reason: impl Into<Cow<'static, str>>) -> Self {
        Answer::Error {
            status,
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// The JSON body, for a successful answer.
    pub fn json_body(&self) -> Option<&Bytes> {
        match self {
            Answer::Json { body, .. } => Some(body),
            Answer::Error { .. } => None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Answer::Json { .. } => StatusCode::OK,
            Answer::Error { status, .. } => *status,
        }
    }

    /// The HTTP response.
    pub fn into_response(self) -> Response<Body> {
        match self {
            Answer::Json { body, content_type } => json_response(body, content_type),
            Answer::Error {
                status,
                reason,
                retry_after,
            } => {
                let mut response = error_response(status, &reason);
                if let Some(secs) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                response
            }
        }
    }
}

/// An empty-bodied answer whose message is the reason phrase, as Altinn writes errors.
pub fn error_response(status: StatusCode, reason: &str) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    // A reason phrase may hold no control characters; what a client sent is echoed in some.
    let bytes: Vec<u8> = reason
        .bytes()
        .map(|b| {
            if (b < 0x20 && b != b'\t') || b == 0x7f {
                b' '
            } else {
                b
            }
        })
        .collect();
    if let Ok(phrase) = ReasonPhrase::try_from(bytes) {
        response.extensions_mut().insert(phrase);
    }
    response
}

/// A `200` with `body` of `content_type`.
pub fn json_response(body: Bytes, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The `scheme://authority` links point at: the `Host` the client used when it is a plain
/// host name or address (so a server listening on `0.0.0.0` links back the way it was reached),
/// else `fallback_authority`.
pub fn link_base(scheme: &str, fallback_authority: &str, headers: &HeaderMap) -> String {
    let authority = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() < 256
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or(fallback_authority);
    format!("{scheme}://{authority}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_phrases_lose_control_characters() {
        let response = error_response(
            StatusCode::BAD_REQUEST,
            "Invalid organization number: a\r\nb",
        );
        let phrase = response.extensions().get::<ReasonPhrase>().unwrap();
        assert_eq!(phrase.as_bytes(), b"Invalid organization number: a  b");
    }

    #[test]
    fn links_follow_a_plain_host_header_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            link_base("http", "127.0.0.1:1", &headers),
            "http://127.0.0.1:1"
        );
        headers.insert(header::HOST, HeaderValue::from_static("gw.example:8443"));
        assert_eq!(
            link_base("https", "127.0.0.1:1", &headers),
            "https://gw.example:8443"
        );
        headers.insert(header::HOST, HeaderValue::from_static("evil/x?y"));
        assert_eq!(
            link_base("http", "127.0.0.1:1", &headers),
            "http://127.0.0.1:1"
        );
    }
}
