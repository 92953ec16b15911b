//! A backend's [`Error`] as the Altinn 2 contract writes it: a status and a reason phrase.
//!
//! What the caller got wrong or asked for in vain (not found, bad request, throttled) passes
//! through with the backend's status and message. A call the backend cannot make at all
//! ([`Error::Unsupported`]: no successor service) is `501` with a reason naming what is missing. What went wrong between this server and its
//! backend (the backend's credentials refused, no token, the backend unreachable, slow, or
//! answering nonsense) is this server's failure, not the caller's: `502`, `503` or `504` with a
//! fixed message. The backend's own words stay in this server's log (an [`Error`]'s `Display`
//! holds no secret and masks identity numbers), never in the answer: they may name the backend's
//! URLs or hosts.

use altinn_contacts_api::{Error, TransportFailure};
use axum::http::StatusCode;

use crate::answer::Answer;

/// `502` when the backend refused this server's own credentials.
pub const BACKEND_CREDENTIALS_REFUSED: &str =
    "Bad Gateway: the backend refused the gateway's credentials";
/// `502` when the backend could not be reached or broke off.
pub const BACKEND_UNREACHABLE: &str = "Bad Gateway: the backend could not be reached";
/// `502` when the backend's answer could not be read.
pub const BACKEND_ANSWER_UNREADABLE: &str = "Bad Gateway: the backend's answer could not be read";
/// `503` when no access token for the backend could be had, for now.
pub const BACKEND_TOKEN_UNAVAILABLE: &str =
    "Service Unavailable: the gateway could not get an access token for the backend";
/// `502` when no access token for the backend could be had (a configuration error).
pub const BACKEND_TOKEN_REFUSED: &str =
    "Bad Gateway: the gateway could not get an access token for the backend";
/// `504` when the backend did not answer in time.
pub const BACKEND_TIMEOUT: &str = "Gateway Timeout: the backend did not answer in time";

/// The answer to a call that failed with `error`.
pub(crate) fn answer(error: &Error) -> Answer {
    match error {
        Error::InvalidInput(input) => Answer::error(StatusCode::BAD_REQUEST, input.to_string()),
        Error::NotFound(failure) | Error::BadRequest(failure) => Answer::error(
            StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST),
            failure.message.clone(),
        ),
        Error::Throttled {
            failure,
            retry_after,
        } => Answer::Error {
            status: StatusCode::TOO_MANY_REQUESTS,
            reason: failure.message.clone().into(),
            retry_after: retry_after.map(|d| d.as_secs().max(1)),
        },
        Error::Server(failure) => Answer::error(
            StatusCode::from_u16(failure.status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::BAD_GATEWAY),
            failure.message.clone(),
        ),
        // The backend's 401/403 or login page concern this server's credentials, not the
        // caller's key (already accepted here): the caller cannot fix them.
        Error::Auth { .. } => Answer::error(StatusCode::BAD_GATEWAY, BACKEND_CREDENTIALS_REFUSED),
        Error::Transport(t) if t.kind == TransportFailure::Timeout => {
            Answer::error(StatusCode::GATEWAY_TIMEOUT, BACKEND_TIMEOUT)
        }
        Error::Transport(_) => Answer::error(StatusCode::BAD_GATEWAY, BACKEND_UNREACHABLE),
        Error::Credentials(c) if c.transient => {
            Answer::error(StatusCode::SERVICE_UNAVAILABLE, BACKEND_TOKEN_UNAVAILABLE)
        }
        Error::Credentials(_) => Answer::error(StatusCode::BAD_GATEWAY, BACKEND_TOKEN_REFUSED),
        Error::Decode(_) => Answer::error(StatusCode::BAD_GATEWAY, BACKEND_ANSWER_UNREADABLE),
        // A call the backend has no successor for: the reason names what is missing (its
        // `Display` masks identity numbers).
        Error::Unsupported(unsupported) => {
            Answer::error(StatusCode::NOT_IMPLEMENTED, unsupported.to_string())
        }
        // A variant added to the API crate later: the server failed, say no more.
        _ => Answer::error(StatusCode::BAD_GATEWAY, "Bad Gateway"),
    }
}
