//! Reading Altinn's answers: its message for a failed call, login pages disguised as success,
//! and bodies that are not the expected HAL+JSON.
//!
//! Altinn puts its error text in the HTTP reason phrase (`400 Required header 'ApiKey' is
//! missing.`) and usually sends no body; newer endpoints send `{"ErrorCode":n,"ErrorMessage":".."}`.
//! Without valid credentials it may answer with a redirect to its login page, or with that page
//! and status 200.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

use altinn_contacts_api::{AuthFailure, DecodeFailure, Error, HttpFailure, Operation};

use crate::redact::mask_secrets;

/// The longest message taken from a server; the rest is cut with `…`.
const MAX_MESSAGE_CHARS: usize = 300;

/// A complete answer of one attempt.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// hyper's `ReasonPhrase`: present only when the server sent a non-standard reason.
    pub(crate) reason: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The answer of a failed call as an error (attempts are set by the caller).
    pub(crate) fn into_error(self, op: Operation, request_url: &Url) -> Error {
        let status = self.status.as_u16();
        let message = if self.status.is_redirection() {
            redirect_message(self.headers.get(LOCATION), request_url)
        } else {
            altinn_message(self.status, self.reason.as_deref(), &self.body)
        };
        Error::from_status(HttpFailure::new(op, status, message), self.retry_after())
    }

    /// True when the answer is one whose text can end in an error message: a failure, or an
    /// HTML page instead of HAL+JSON. (A HAL+JSON success is decoded, and decode errors never
    /// quote values, so its body is not searched: it can be megabytes.)
    pub(crate) fn may_become_a_message(&self) -> bool {
        !self.status.is_success() || is_html(&self.headers, &self.body)
    }

    /// Masks `secrets` in the reason phrase and the body, before any of it is shortened into a
    /// message.
    pub(crate) fn mask_secrets(&mut self, secrets: &[&SecretString]) {
        if let Some(reason) = &self.reason {
            self.reason = Some(mask_secrets(reason, secrets.iter().copied()));
        }
        let body = String::from_utf8_lossy(&self.body);
        let masked = mask_secrets(&body, secrets.iter().copied());
        if masked != body {
            self.body = masked.into_bytes();
        }
    }

    /// The server's `Retry-After`, when it sent one.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        crate::retry::retry_after(&self.headers)
    }

    /// Decodes a successful answer, or says why it is not the expected resource.
    pub(crate) fn decode<T: DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        let status = self.status.as_u16();
        if is_html(&self.headers, &self.body) {
            let message = match html_title(&self.body) {
                Some(title) => format!("an HTML page ({title:?}) instead of HAL+JSON"),
                None => "an HTML page instead of HAL+JSON".to_owned(),
            };
            return Err(Error::Auth {
                kind: AuthFailure::HtmlPage,
                failure: HttpFailure::new(op, status, message),
            });
        }
        let body = self
            .body
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.body);
        altinn_contacts_model::decode::<T>(body).map_err(|e| {
            Error::Decode(DecodeFailure::new(
                op,
                status,
                e.path,
                e.message,
                e.truncated,
            ))
        })
    }
}

/// Altinn's message for a failed call: a non-standard reason phrase, else the `ErrorMessage` of a
/// JSON body, else the body's first non-empty line (an HTML page reduced to its title), else the
/// standard reason.
pub(crate) fn altinn_message(status: StatusCode, reason: Option<&str>, body: &[u8]) -> String {
    if let Some(reason) = reason.map(clean).filter(|r| !r.is_empty()) {
        return reason;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if let Some(message) = json_message(text) {
        return message;
    }
    let from_body = if text.starts_with('<') {
        html_title(body).unwrap_or_default()
    } else {
        text.lines()
            .map(clean)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
    };
    if !from_body.is_empty() {
        return from_body;
    }
    status.canonical_reason().unwrap_or_default().to_owned()
}

/// The message of a JSON error body: Altinn's `ErrorMessage`, or ASP.NET's `Message`.
fn json_message(text: &str) -> Option<String> {
    if !text.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    ["ErrorMessage", "errorMessage", "Message", "message"]
        .iter()
        .find_map(|key| object.get(*key)?.as_str())
        .map(clean)
        .filter(|m| !m.is_empty())
}

/// Where a redirect points, by host only: its path and query may carry tokens or return URLs.
fn redirect_message(location: Option<&HeaderValue>, request_url: &Url) -> String {
    let target = location
        .and_then(|l| l.to_str().ok())
        .and_then(|l| request_url.join(l.trim()).ok());
    match target.as_ref().and_then(Url::host_str) {
        Some(host) => format!("redirected to {}", clean(host)),
        None => "redirected (no usable Location)".to_owned(),
    }
}

/// True when a body is an HTML page rather than JSON.
fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let html_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("text/html") || t.contains("application/xhtml")
        });
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    html_type || body.trim_ascii_start().starts_with(b"<")
}

/// The text of an HTML page's `<title>`, cleaned; `None` when it has none.
fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = clean(&text[start..end]);
    (!title.is_empty()).then_some(title)
}

/// One line of plain text: control characters and runs of white space become one space, at most
/// [`MAX_MESSAGE_CHARS`] characters.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if count > 0 {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= MAX_MESSAGE_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_precedence() {
        let s = StatusCode::BAD_REQUEST;
        let json = br#"{"ErrorCode":7,"ErrorMessage":"Invalid organization number: 0000000"}"#;
        assert_eq!(
            altinn_message(s, Some("Required header 'ApiKey' is missing."), json),
            "Required header 'ApiKey' is missing."
        );
        assert_eq!(
            altinn_message(s, None, json),
            "Invalid organization number: 0000000"
        );
        assert_eq!(
            altinn_message(s, None, b"\r\n\r\n  first line \r\nsecond"),
            "first line"
        );
        assert_eq!(
            altinn_message(
                s,
                None,
                b"<!DOCTYPE html><html><head><TITLE>Logg inn\n - Altinn</TITLE></head></html>"
            ),
            "Logg inn - Altinn"
        );
        assert_eq!(
            altinn_message(s, None, b"<html><body>x</body></html>"),
            "Bad Request"
        );
        assert_eq!(altinn_message(s, None, b""), "Bad Request");
        assert_eq!(altinn_message(s, Some("  "), b""), "Bad Request");
        let long = "x".repeat(1000);
        assert_eq!(
            altinn_message(s, None, long.as_bytes()).chars().count(),
            MAX_MESSAGE_CHARS + 1
        );
    }

    #[test]
    fn redirects_name_the_host_only() {
        let url = Url::parse("https://www.altinn.no/api/serviceowner/organizations").unwrap();
        let loc = HeaderValue::from_static(
            "https://login.altinn.no/ui/Authentication?goTo=secret-return&token=abc",
        );
        let m = redirect_message(Some(&loc), &url);
        assert_eq!(m, "redirected to login.altinn.no");
        let rel = HeaderValue::from_static("/ui/login?x=1");
        assert_eq!(
            redirect_message(Some(&rel), &url),
            "redirected to www.altinn.no"
        );
        assert_eq!(
            redirect_message(None, &url),
            "redirected (no usable Location)"
        );
    }

    #[test]
    fn html_is_recognized() {
        let mut h = HeaderMap::new();
        assert!(is_html(&h, b"  \n<html>"));
        assert!(!is_html(&h, b"{\"a\":1}"));
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        assert!(is_html(&h, b"hello"));
    }
}
