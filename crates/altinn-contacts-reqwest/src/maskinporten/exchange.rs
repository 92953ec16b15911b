//! The requests: the signed grant traded at Maskinporten's token endpoint, and the Maskinporten
//! token traded at Altinn's exchange, each answer read (bounded) and checked.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::token::{TokenError, authorization};

use super::cache::Fresh;
use super::errors::{self, EXCHANGE, MASKINPORTEN};
use super::grant::{GRANT_LIFETIME_SECS, Grant};

/// The grant type of a JWT bearer grant (RFC 7523).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The most read of a token or error answer.
const MAX_BODY: usize = 64 * 1024;
/// The longest lifetime believed, whatever `expires_in` says (Maskinporten's are minutes).
const MAX_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// Everything a refresh needs.
pub(super) struct Requests {
    pub(super) http: reqwest::Client,
    pub(super) token_url: Url,
    pub(super) exchange_url: Option<Url>,
    pub(super) grant: Grant,
}

/// A complete answer: status, headers and (the first [`MAX_BODY`] bytes of) the body.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Requests {
    /// Asks Maskinporten (and the exchange, when on) for a token and says when to refresh it.
    pub(super) async fn fetch(&self) -> Result<Fresh, TokenError> {
        let started = Instant::now();
        let assertion = self.grant.sign()?;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", GRANT_TYPE)
            .append_pair("assertion", assertion.expose_secret())
            .finish();
        let request = self
            .http
            .post(self.token_url.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(form);
        let answer = send(request, MASKINPORTEN).await?;
        if !(200..300).contains(&answer.status) {
            let message = errors::maskinporten_message(&answer.body);
            return Err(errors::refused(
                MASKINPORTEN,
                answer.status,
                &answer.headers,
                &message,
                &[&assertion],
            ));
        }
        let (token, lifetime) = token_answer(&answer.body)
            .map_err(|what| errors::bad_answer(MASKINPORTEN, answer.status, &what))?;
        let token = match &self.exchange_url {
            Some(url) => self.exchange(url, &token).await?,
            None => token,
        };
        tracing::debug!(
            expires_in_s = lifetime.as_secs(),
            exchanged = self.exchange_url.is_some(),
            "got a Maskinporten token"
        );
        Ok(Fresh {
            token,
            refresh_at: started.checked_add(reuse_for(lifetime)).unwrap_or(started),
        })
    }

    /// Trades a Maskinporten token for an Altinn token.
    async fn exchange(&self, url: &Url, token: &SecretString) -> Result<SecretString, TokenError> {
        let request = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, bearer(token)?)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        let answer = send(request, EXCHANGE).await?;
        let text = String::from_utf8_lossy(&answer.body);
        let text = text.trim();
        if !(200..300).contains(&answer.status) {
            let message = text.lines().next().unwrap_or("");
            return Err(errors::refused(
                EXCHANGE,
                answer.status,
                &answer.headers,
                message,
                &[token],
            ));
        }
        // The answer is a JSON string; a bare token is accepted too.
        let exchanged = if text.starts_with('"') {
            serde_json::from_str::<String>(text).ok()
        } else {
            Some(text.to_owned())
        };
        match exchanged.map(SecretString::from) {
            Some(t) if authorization(&t).is_some() => Ok(t),
            _ => Err(errors::bad_answer(
                EXCHANGE,
                answer.status,
                "the answer is not a token",
            )),
        }
    }
}

/// The `Authorization` header of a Maskinporten token.
fn bearer(token: &SecretString) -> Result<HeaderValue, TokenError> {
    authorization(token).ok_or_else(|| {
        TokenError::new(format!(
            "{MASKINPORTEN}: the access token is empty or not visible ASCII"
        ))
    })
}

/// Sends a request and reads its answer, or says why there is none.
async fn send(request: reqwest::RequestBuilder, what: &str) -> Result<Answer, TokenError> {
    let mut response = request
        .send()
        .await
        .map_err(|e| errors::transport(what, e))?;
    let status = response.status().as_u16();
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| errors::transport(what, e))?
    {
        let room = MAX_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_BODY {
            break;
        }
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// The access token and its lifetime from a token response; `Err` says what is wrong with it.
fn token_answer(body: &[u8]) -> Result<(SecretString, Duration), String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "the answer is not a token response (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let token = value
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .ok_or("the answer has no access_token")?;
    Ok((
        SecretString::from(token.to_owned()),
        lifetime(value.get("expires_in")),
    ))
}

/// `expires_in` as a lifetime, clamped: negative is 0, more than a day is a day, and missing or
/// not a number is taken as the grant's 120 s (a guess that errs on the short side).
fn lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    use serde_json::Value;
    let seconds = match expires_in {
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(s), _, _) => Some(s),
            (None, Some(_), _) => Some(0),
            // Fractional or beyond i64: `as` saturates, and NaN becomes 0.
            (None, None, Some(f)) => Some(f.max(0.0) as u64),
            _ => None,
        },
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    Duration::from_secs(
        seconds
            .unwrap_or(GRANT_LIFETIME_SECS)
            .min(MAX_LIFETIME_SECS),
    )
}

/// How long a token that lives `lifetime` is reused: all but 10 % of it, at most 60 s less.
fn reuse_for(lifetime: Duration) -> Duration {
    lifetime.saturating_sub((lifetime / 10).min(Duration::from_secs(60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_reused_for_most_of_their_lifetime() {
        assert_eq!(
            reuse_for(Duration::from_secs(120)),
            Duration::from_secs(108)
        );
        assert_eq!(
            reuse_for(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(reuse_for(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn any_expires_in_is_clamped() {
        let of = |json: &str| {
            let body = format!(r#"{{"access_token":"t","expires_in":{json}}}"#);
            token_answer(body.as_bytes()).unwrap().1
        };
        let day = Duration::from_secs(MAX_LIFETIME_SECS);
        let default = Duration::from_secs(GRANT_LIFETIME_SECS);
        assert_eq!(of("0"), Duration::ZERO);
        assert_eq!(of("-5"), Duration::ZERO);
        assert_eq!(of("-9223372036854775808"), Duration::ZERO);
        assert_eq!(of("18446744073709551615"), day);
        assert_eq!(of("1e300"), day);
        assert_eq!(of("-1e300"), Duration::ZERO);
        assert_eq!(of("119.9"), Duration::from_secs(119));
        assert_eq!(of("\"300\""), Duration::from_secs(300));
        assert_eq!(of("\"soon\""), default);
        assert_eq!(of("null"), default);
        assert_eq!(of("[1]"), default);
        assert_eq!(of("3600"), Duration::from_secs(3600));
        let missing = token_answer(br#"{"access_token":"t"}"#).unwrap().1;
        assert_eq!(missing, default);
        // Every clamped lifetime can be added to now.
        for json in ["0", "-5", "18446744073709551615", "1e300", "null"] {
            assert!(Instant::now().checked_add(reuse_for(of(json))).is_some());
        }
    }

    #[test]
    fn answers_without_a_token_are_refused() {
        assert!(token_answer(b"{}").is_err());
        assert!(token_answer(br#"{"access_token":"  "}"#).is_err());
        assert!(token_answer(br#"{"access_token":5}"#).is_err());
        assert!(
            token_answer(b"<html>")
                .unwrap_err()
                .contains("line 1, column 1")
        );
    }
}
