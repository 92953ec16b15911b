//! RFC 7807 problem details as ASP.NET Core writes them (Altinn 3 Profile and Access
//! Management): `ValidationProblemDetails` for a rejected request body, `ProblemDetails` for an
//! unhandled error, both `application/problem+json` with a W3C `traceId`.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Reply;

/// The content type of a problem-details body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json; charset=utf-8";

/// A W3C trace-context id, as ASP.NET puts in `traceId`.
fn trace_id() -> String {
    format!(
        "00-{:032x}-{:016x}-00",
        fastrand::u128(..),
        fastrand::u64(..)
    )
}

/// `400` with ASP.NET's `ValidationProblemDetails`: `errors` maps each field to its messages.
pub(crate) fn validation(errors: &[(&str, &str)]) -> Reply {
    let mut map = Map::new();
    for (field, message) in errors {
        let entry = map
            .entry((*field).to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(messages) = entry {
            messages.push(Value::String((*message).to_owned()));
        }
    }
    let body = json!({
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": map,
        "traceId": trace_id(),
    });
    Reply::json(StatusCode::BAD_REQUEST, PROBLEM_JSON, &body)
}

/// `500` with the `ProblemDetails` of ASP.NET's `Problem()` (no `detail`), as Profile's error
/// controller answers an unhandled exception.
pub(crate) fn internal_server_error() -> Reply {
    let body = json!({
        "type": "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        "title": "An error occurred while processing your request.",
        "status": 500,
        "traceId": trace_id(),
    });
    Reply::json(StatusCode::INTERNAL_SERVER_ERROR, PROBLEM_JSON, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_groups_messages_by_field() {
        let reply = validation(&[("A", "one"), ("A", "two"), ("B", "three")]);
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let body: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["errors"]["A"], json!(["one", "two"]));
        assert_eq!(body["errors"]["B"], json!(["three"]));
        assert_eq!(body["status"], 400);
        assert!(body["traceId"].as_str().unwrap().starts_with("00-"));
    }
}
