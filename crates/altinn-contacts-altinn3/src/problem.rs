//! Failed answers into the API's [`Error`]: RFC 7807 problem details (what Altinn 3's ASP.NET
//! services send, `application/problem+json` with `title`, `detail`, `status`, `errors`), Spring's
//! error bodies (Brønnøysund's services), or plain text, with the same variants as the Altinn 2
//! transport (401/403 → `Auth`, 404 → `NotFound`, 429 → `Throttled`, ...).

use std::time::Duration;

use altinn_contacts_api::{Error, HttpFailure, Operation};
use altinn_contacts_reqwest::shared;
use serde_json::Value;

/// The message of a failed answer: the problem's `detail`, else its `title`, followed by its
/// validation `errors` (`field: message`); Spring's `message`/`feilmelding`/`error`; else the
/// body's first non-empty line; else the standard reason of `status`. Always one line.
pub fn message(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if let Ok(Value::Object(problem)) = serde_json::from_str::<Value>(text) {
        let field = |name: &str| {
            problem
                .get(name)
                .and_then(Value::as_str)
                .map(shared::one_line)
                .filter(|s| !s.is_empty())
        };
        let mut message = field("detail")
            .or_else(|| field("title"))
            .or_else(|| field("message"))
            .or_else(|| field("feilmelding"))
            .or_else(|| field("error"))
            .unwrap_or_default();
        if let Some(Value::Object(errors)) = problem.get("errors") {
            let listed: Vec<String> = errors
                .iter()
                .map(|(field, messages)| {
                    let messages: Vec<&str> = match messages {
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        Value::String(s) => vec![s.as_str()],
                        _ => Vec::new(),
                    };
                    if messages.is_empty() {
                        field.clone()
                    } else {
                        format!("{field}: {}", messages.join(" "))
                    }
                })
                .collect();
            if !listed.is_empty() {
                if !message.is_empty() {
                    message.push_str(" (");
                    message.push_str(&listed.join("; "));
                    message.push(')');
                } else {
                    message = listed.join("; ");
                }
            }
        }
        let message = shared::one_line(&message);
        if !message.is_empty() {
            return message;
        }
    } else if !text.starts_with('<')
        && let Some(line) = text.lines().map(shared::one_line).find(|l| !l.is_empty())
    {
        return line;
    }
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_owned()
}

/// The error of a failed answer of `op` (after one attempt; the caller sets the attempts). A
/// `410 Gone` (Enhetsregisteret's answer for a deleted unit) is `NotFound`, like Altinn 2's
/// answer for an organization that no longer exists.
pub fn error(op: Operation, status: u16, body: &[u8], retry_after: Option<Duration>) -> Error {
    let failure = HttpFailure::new(op, status, message(status, body));
    if status == 410 {
        return Error::NotFound(failure);
    }
    Error::from_status(failure, retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts_api::AuthFailure;

    #[test]
    fn problem_details_give_detail_then_title_then_errors() {
        let body = br#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "title":"One or more validation errors occurred.","status":400,
            "errors":{"OrganizationNumbers":["The field OrganizationNumbers must be a non-empty list."]}}"#;
        assert_eq!(
            message(400, body),
            "One or more validation errors occurred. (OrganizationNumbers: The field OrganizationNumbers must be a non-empty list.)"
        );
        let body = br#"{"title":"Internal Server Error","status":500,"detail":"Could not retrieve contact points"}"#;
        let e = error(Operation::PersonalContacts, 500, body, None);
        assert!(matches!(e, Error::Server(_)), "{e:?}");
        assert_eq!(e.message(), "Could not retrieve contact points");
        assert_eq!(
            e.to_string(),
            "personal contacts: HTTP 500 Could not retrieve contact points"
        );
    }

    #[test]
    fn empty_auth_answers_are_auth_errors_with_the_standard_reason() {
        let e = error(Operation::Roles, 401, b"", None);
        assert!(
            matches!(
                e,
                Error::Auth {
                    kind: AuthFailure::Unauthenticated,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.message(), "Unauthorized");
        let e = error(Operation::OfficialContacts, 403, b"  ", None);
        assert!(matches!(
            e,
            Error::Auth {
                kind: AuthFailure::Forbidden,
                ..
            }
        ));
        assert_eq!(e.message(), "Forbidden");
    }

    #[test]
    fn other_shapes_and_statuses() {
        assert_eq!(message(404, b"\n  not here \nmore"), "not here");
        assert_eq!(
            message(502, b"<html><body>bad</body></html>"),
            "Bad Gateway"
        );
        assert_eq!(
            message(400, br#"{"feilmelding":"Ugyldig organisasjonsnummer"}"#),
            "Ugyldig organisasjonsnummer"
        );
        assert!(matches!(
            error(Operation::GetOrganization, 410, b"{}", None),
            Error::NotFound(_)
        ));
        let e = error(
            Operation::OfficialContacts,
            429,
            b"",
            Some(Duration::from_secs(3)),
        );
        assert!(matches!(
            e,
            Error::Throttled {
                retry_after: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn identity_numbers_in_a_detail_are_masked() {
        let body = br#"{"title":"Bad Request","detail":"No person 01017012343 found"}"#;
        let e = error(Operation::Roles, 400, body, None);
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("01017012343"), "{shown}");
        assert!(shown.contains("***********"), "{shown}");
    }
}
