//! This transport's HTTP rules, for another backend that talks to other services over HTTP.
//!
//! The Altinn 3 backend (`altinn-contacts-altinn3`) calls Profile, Access Management, KoFuVi and
//! Enhetsregisteret rather than Altinn 2, but must follow the same rules as this transport: the
//! same rustls setup (ring, platform roots plus extra ones, an enterprise certificate as client
//! certificate), no redirects, clear-text HTTP for loopback hosts only, the same
//! [`RetryPolicy`] waits and `Retry-After` reading, the same [`Pacer`] gate (a bulk job's
//! task-local pacer included), transport failures classified the same way, and secrets masked in
//! text a server sent. These functions expose exactly those pieces; nothing here knows Altinn 2's
//! wire format.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use secrecy::SecretString;
use url::Url;

use altinn_contacts_api::{Operation, TransportError};

use crate::config::ConfigError;
use crate::identity::{Certificate, Identity};
use crate::pacer::Pacer;
use crate::retry::RetryPolicy;

/// An HTTP client configured like this transport's for a service at `url`: rustls with ring,
/// the platform's roots plus `roots`, `identity` as the TLS client certificate, redirects never
/// followed, no proxy from the environment when `url` is a loopback host, and the given connect
/// timeout and user agent. A client without trusted roots fails here only when `url` is https.
pub fn http_client(
    url: &Url,
    identity: Option<&Identity>,
    roots: &[Certificate],
    connect_timeout: Duration,
    user_agent: &str,
) -> Result<reqwest::Client, ConfigError> {
    let tls = crate::tls::client_config(identity, roots, url.scheme() == "https")?;
    let user_agent = reqwest::header::HeaderValue::from_str(user_agent)
        .map_err(|_| ConfigError::InvalidUserAgent)?;
    crate::config::http_client_base(tls, is_loopback(url))
        .connect_timeout(connect_timeout)
        .user_agent(user_agent)
        .build()
        .map_err(ConfigError::client)
}

/// Refuses an `http://` URL for a host that is not this machine ([`ConfigError::InsecureHttp`]
/// naming `what`), unless `allowed` (a builder's `danger_allow_insecure_http`).
pub fn check_clear_text(url: &Url, what: &'static str, allowed: bool) -> Result<(), ConfigError> {
    crate::config::check_clear_text(url, what, allowed)
}

/// True when the URL's host is this machine (`127.0.0.0/8`, `::1`, `localhost`).
pub fn is_loopback(url: &Url) -> bool {
    crate::config::is_loopback(url)
}

/// A URL as it may be shown in an error: without credentials, query or fragment.
pub fn shown_url(given: &str) -> String {
    crate::config::shown_url(given)
}

/// Waits before an attempt: for the pacer of the surrounding [`paced`](crate::pacer::paced)
/// scope (a bulk job's), and for `own` (a client's own pacer) unless it is the same one.
pub async fn before_attempt(own: Option<&Arc<dyn Pacer>>) {
    crate::pacer::before_attempt(own).await;
}

/// Tells the scope's pacer and `own` that the server asked for a pause (a `429`, or a
/// `Retry-After` on another retryable answer).
pub fn pause(own: Option<&Arc<dyn Pacer>>, pause: Duration) {
    crate::pacer::pause(own, pause);
}

/// How many attempts `policy` allows in all (at least one).
pub fn retry_attempts(policy: &RetryPolicy) -> u32 {
    policy.attempts()
}

/// The wait before the next attempt after `failed` attempts failed: capped exponential backoff
/// with full jitter, never less than the server's `retry_after`.
pub fn retry_wait(policy: &RetryPolicy, failed: u32, retry_after: Option<Duration>) -> Duration {
    policy.wait(failed, retry_after)
}

/// The `Retry-After` header as a wait (seconds or an HTTP date; at most a day).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    crate::retry::retry_after(headers)
}

/// A reqwest error as a call's [`TransportError`]: connect, TLS, timeout, broken body or other,
/// with the cause chain in words and reqwest's error (without its URL) as the source.
pub fn transport_error(op: Operation, error: reqwest::Error) -> TransportError {
    crate::client::transport_error(op, error)
}

/// `text` with every occurrence of any of `secrets` (four characters or longer) replaced by
/// `<redacted>`; mask before shortening.
pub fn mask_secrets(text: &str, secrets: &[&SecretString]) -> String {
    crate::redact::mask_secrets(text, secrets.iter().copied())
}

/// One line of plain text from a server: control characters and runs of white space become one
/// space, at most 300 characters (then `…`).
pub fn one_line(text: &str) -> String {
    crate::response::clean(text)
}
