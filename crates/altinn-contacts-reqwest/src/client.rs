//! [`ReqwestContactsApi`]: the [`ContactsApi`] over HTTPS, with retries, error mapping and
//! tracing.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, CredentialsFailure, Error, Expand, LinkError, LinkRelation,
    LinkTarget, Operation, OrganizationNumber, OrganizationsQuery, PersonId, PersonIdKind,
    PersonalContactsFilter, TransportError, TransportFailure, Unsupported,
};
use altinn_contacts_model::{
    Link, OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList,
};

use crate::config::ConfigBuilder;
use crate::response::Answer;
use crate::retry::RetryPolicy;
use crate::token::{Bearer, BearerError, TokenError};
use crate::wire;

/// The largest successful body read (a page of 1000 organizations with their official contacts
/// is a few megabytes).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How much of an error body is read for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The header Altinn reads the API key from (header names are case-insensitive).
const API_KEY: &str = "apikey";
/// HAL, not plain JSON: Altinn answers `application/json` with a different shape.
const HAL_JSON: &str = "application/hal+json";

/// The Altinn ServiceOwner contact API over HTTPS (reqwest, rustls with ring).
///
/// Cheap to clone: clones share one connection pool. Build one with [`builder`](Self::builder).
///
/// ```no_run
/// use altinn_contacts_api::{ContactsApi, OrganizationNumber};
/// use altinn_contacts_reqwest::{Identity, ReqwestContactsApi};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let api = ReqwestContactsApi::builder()
///     .api_key("my-api-key")
///     .certificate(Identity::from_file("virksomhetssertifikat.p12", Some("password"))?)
///     .build()?;
/// let org: OrganizationNumber = "910021451".parse()?;
/// let contacts = api.official_contacts(&org).await?;
/// println!("{} official contacts", contacts.items().len());
/// # Ok(())
/// # }
/// ```
///
/// Every call sends `Accept: application/hal+json` and the `ApiKey` header, plus
/// `ForceEIAuthentication` with a certificate and `Authorization: Bearer` with a token. Redirects
/// are not followed. Failures that may pass (connect errors, timeouts, broken connections, 429,
/// 502, 503, 504) are retried by the [`RetryPolicy`]. Each call runs in a `tracing` span named
/// `altinn_contacts` with its operation and organization number and an event per attempt; no
/// secret, search value or identity number is logged.
#[derive(Clone)]
pub struct ReqwestContactsApi {
    inner: Arc<Inner>,
}

/// The shared state of a client.
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    /// The `ApiKey` header value, marked sensitive.
    pub(crate) api_key: HeaderValue,
    pub(crate) force_ei_authentication: bool,
    pub(crate) bearer: Option<Bearer>,
    /// Secrets masked in any text taken from a server (a misconfigured proxy may echo them).
    pub(crate) secrets: Vec<SecretString>,
    pub(crate) retry: RetryPolicy,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) user_agent: String,
    /// Asked before every attempt; see [`crate::pacer`].
    pub(crate) pacer: Option<Arc<dyn crate::Pacer>>,
}

impl ReqwestContactsApi {
    /// A builder with the defaults: production, 10 s connect timeout, 30 s per attempt,
    /// [`RetryPolicy::new`].
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        ReqwestContactsApi {
            inner: Arc::new(inner),
        }
    }

    /// The base URL calls are made under: origin and path prefix, without `api/serviceowner/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// One request for diagnostics (`altinn-contacts doctor`): `organizations?$top=1` with every
    /// credential, a single attempt, no retry. Any complete HTTP answer is `Ok`, whatever its
    /// status, with the server's `Date`; no connection, a TLS failure or no token is `Err`.
    pub async fn probe(&self) -> Result<Probe, Error> {
        let op = Operation::ListOrganizations;
        let url = self.url(&wire::organizations(
            &altinn_contacts_api::OrganizationsQuery::new().top(1),
        )?);
        let deadline = Instant::now().checked_add(self.inner.request_timeout);
        match self
            .attempt(op, &url, self.inner.request_timeout, deadline)
            .await
        {
            Attempt::Answered(answer, _) => {
                let date = answer
                    .headers
                    .get(reqwest::header::DATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| {
                        jiff::fmt::rfc2822::DateTimeParser::new()
                            .parse_timestamp(v.trim())
                            .ok()
                    })
                    .and_then(|at| std::time::SystemTime::try_from(at).ok());
                let status = answer.status.as_u16();
                let error = (!answer.status.is_success()).then(|| answer.into_error(op, &url));
                Ok(Probe {
                    status,
                    date,
                    error,
                })
            }
            Attempt::Failed(error) => Err(Error::Transport(error)),
            Attempt::Token(error) => {
                let transient = error.is_transient();
                Err(Error::Credentials(CredentialsFailure::new(
                    op, error, transient,
                )))
            }
        }
    }

    /// The URL of a call made under this client's base URL.
    fn url(&self, endpoint: &wire::Endpoint<'_>) -> Url {
        endpoint.url(&self.inner.base_url, self.inner.force_ei_authentication)
    }

    /// One call: attempts, waits and the final error, inside the call's span.
    async fn get<T: DeserializeOwned>(
        &self,
        op: Operation,
        org: Option<&OrganizationNumber>,
        url: Url,
    ) -> Result<T, Error> {
        let span = tracing::info_span!(
            "altinn_contacts",
            operation = op.name(),
            org = org.map(OrganizationNumber::as_str),
            // The path holds only validated identifiers; search values are in the query, which
            // is not logged.
            method = "GET",
            path = url.path(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let started = Instant::now();
        let mut progress = Progress::default();
        let result = self
            .get_with_retries(op, url, &mut progress)
            .instrument(span.clone())
            .await;
        // Recorded once, at the end: a subscriber that appends recorded fields would otherwise
        // repeat them for every attempt.
        span.record("attempts", progress.attempts);
        if let Some(status) = progress.status {
            span.record("status", status);
        }
        span.in_scope(|| {
            let duration_ms = millis(started.elapsed());
            match &result {
                Ok(_) => tracing::debug!(duration_ms, "call succeeded"),
                Err(error) => {
                    tracing::debug!(duration_ms, error = error_kind(error), "call failed")
                }
            }
        });
        result
    }

    async fn get_with_retries<T: DeserializeOwned>(
        &self,
        op: Operation,
        url: Url,
        progress: &mut Progress,
    ) -> Result<T, Error> {
        let policy = &self.inner.retry;
        // The first wait for the pacer is not the call's time yet; later ones are.
        crate::pacer::before_attempt(self.inner.pacer.as_ref()).await;
        let started = Instant::now();
        // A deadline too far away to represent (`Duration::MAX`) is no deadline at all; adding it
        // to an `Instant` would panic.
        let deadline = policy.deadline.and_then(|d| started.checked_add(d));
        let mut max_attempts = policy.attempts();
        // A provider's token refused with 401 is dropped and the call repeated once.
        let mut reauthorized = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            progress.attempts = attempt;
            let timeout = match deadline {
                Some(deadline) => deadline
                    .saturating_duration_since(Instant::now())
                    .min(self.inner.request_timeout),
                None => self.inner.request_timeout,
            };
            let attempt_started = Instant::now();
            let outcome = self.attempt(op, &url, timeout, deadline).await;
            let duration_ms = millis(attempt_started.elapsed());
            let (error, retry_after) = match outcome {
                Attempt::Answered(answer, provided) => {
                    let status = answer.status.as_u16();
                    tracing::debug!(attempt, status, duration_ms, "answered");
                    progress.status = Some(status);
                    if answer.status.is_success() {
                        return answer.decode(op);
                    }
                    if status == 401
                        && !reauthorized
                        && let (Some(token), Some(bearer)) = (provided, &self.inner.bearer)
                        && deadline.is_none_or(|deadline| Instant::now() < deadline)
                    {
                        // The token may have been revoked or may have expired early: the
                        // provider forgets it, and one more attempt (beyond the retry policy's)
                        // is made with a fresh one.
                        reauthorized = true;
                        max_attempts = max_attempts.saturating_add(1);
                        bearer.invalidate(&token);
                        tracing::info!(attempt, "token refused, retrying with a new one");
                        continue;
                    }
                    let retry_after = answer.retry_after();
                    if status == 429 || (retryable_status(status) && retry_after.is_some()) {
                        // The server throttles the client, not this call: pause every call.
                        let pause = retry_after.unwrap_or_else(|| policy.wait(attempt, None));
                        crate::pacer::pause(self.inner.pacer.as_ref(), pause);
                    }
                    let error = answer.into_error(op, &url);
                    if !retryable_status(status) {
                        return Err(error.with_attempts(attempt));
                    }
                    (error, retry_after)
                }
                Attempt::Failed(error) => {
                    tracing::debug!(attempt, kind = ?error.kind, duration_ms, "failed");
                    let retryable = matches!(
                        error.kind,
                        TransportFailure::Connect
                            | TransportFailure::Timeout
                            | TransportFailure::Body
                    );
                    let error = Error::Transport(error);
                    if !retryable {
                        return Err(error.with_attempts(attempt));
                    }
                    (error, None)
                }
                Attempt::Token(error) => {
                    tracing::debug!(attempt, transient = error.is_transient(), "no token");
                    let retry_after = error.retry_after();
                    let transient = error.is_transient();
                    let error = Error::Credentials(CredentialsFailure::new(op, error, transient));
                    if !transient {
                        return Err(error.with_attempts(attempt));
                    }
                    (error, retry_after)
                }
            };
            if attempt >= max_attempts {
                return Err(error.with_attempts(attempt));
            }
            let wait = policy.wait(attempt, retry_after);
            let wait_ends = Instant::now().checked_add(wait);
            if deadline.is_some_and(|deadline| wait_ends.is_none_or(|end| end >= deadline)) {
                tracing::debug!(attempt, "deadline reached, not retrying");
                return Err(error.with_attempts(attempt));
            }
            tracing::info!(attempt, wait_ms = millis(wait), "retrying");
            tokio::time::sleep(wait).await;
            crate::pacer::before_attempt(self.inner.pacer.as_ref()).await;
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                return Err(error.with_attempts(attempt));
            }
        }
    }

    /// One attempt: the token, the request, and the whole body (bounded). The token may take
    /// until the call's deadline; the request, `timeout`.
    async fn attempt(
        &self,
        op: Operation,
        url: &Url,
        timeout: Duration,
        deadline: Option<Instant>,
    ) -> Attempt {
        let mut request = self
            .inner
            .http
            .get(url.clone())
            .timeout(timeout)
            .header(ACCEPT, HeaderValue::from_static(HAL_JSON))
            .header(HeaderName::from_static(API_KEY), self.inner.api_key.clone());
        // A provider's token changes over time, so it is not in `Inner::secrets`; it is masked in
        // this attempt's answer instead.
        let mut provided = None;
        if let Some(bearer) = &self.inner.bearer {
            let header = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline.into(), bearer.header())
                    .await
                    .unwrap_or_else(|_| {
                        Err(BearerError::Provider(TokenError::transient(
                            "the token provider did not answer before the call's deadline",
                        )))
                    }),
                None => bearer.header().await,
            };
            match header {
                Ok((value, token)) => {
                    request = request.header(AUTHORIZATION, value);
                    provided = token;
                }
                Err(BearerError::Provider(error)) => return Attempt::Token(error),
                Err(BearerError::Invalid) => {
                    return Attempt::Failed(TransportError::new(
                        op,
                        TransportFailure::Other,
                        "the token provider gave a token that cannot be sent as a header",
                    ));
                }
            }
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(transport_error(op, e)),
        };
        let status = response.status();
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned());
        let headers = std::mem::take(response.headers_mut());
        let limit = if status.is_success() {
            MAX_BODY
        } else {
            MAX_ERROR_BODY
        };
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        if status.is_success() {
                            return Attempt::Failed(TransportError::new(
                                op,
                                TransportFailure::Other,
                                format!("the response body is larger than {} MiB", MAX_BODY >> 20),
                            ));
                        }
                        // An error's message is at its start; the rest is not needed.
                        body.extend_from_slice(&chunk[..limit - body.len()]);
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Attempt::Failed(transport_error(op, e)),
            }
        }
        let mut answer = Answer {
            status,
            headers,
            reason,
            body,
        };
        if answer.may_become_a_message() {
            let secrets: Vec<&SecretString> =
                self.inner.secrets.iter().chain(provided.as_ref()).collect();
            answer.mask_secrets(&secrets);
        }
        Attempt::Answered(answer, provided)
    }
}

/// The answer to [`ReqwestContactsApi::probe`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Probe {
    /// The HTTP status.
    pub status: u16,
    /// The server's `Date` header, when it sent a valid one.
    pub date: Option<std::time::SystemTime>,
    /// The status as the error a call would have returned (secrets masked), unless it was a
    /// success.
    pub error: Option<Error>,
}

/// How far a call got, for its span.
#[derive(Default)]
struct Progress {
    attempts: u32,
    status: Option<u16>,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A short, data-free name of an error's kind, for logs.
fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::InvalidInput(_) => "invalid input",
        Error::Auth { .. } => "auth",
        Error::NotFound(_) => "not found",
        Error::BadRequest(_) => "bad request",
        Error::Throttled { .. } => "throttled",
        Error::Server(_) => "server",
        Error::Transport(_) => "transport",
        Error::Decode(_) => "decode",
        Error::Credentials(_) => "credentials",
        _ => "other",
    }
}

/// What one attempt came to.
enum Attempt {
    /// A complete HTTP answer, whatever its status (secrets it echoed already masked), and the
    /// token a provider gave for it.
    Answered(Answer, Option<SecretString>),
    /// No complete answer.
    Failed(TransportError),
    /// The token provider failed.
    Token(TokenError),
}

fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502..=504)
}

/// Classifies a reqwest error as a call's transport failure; reqwest's error (without its URL)
/// is its source.
pub(crate) fn transport_error(op: Operation, error: reqwest::Error) -> TransportError {
    let (kind, message, error) = describe_transport_error(error);
    TransportError::new(op, kind, message).with_source(error)
}

/// Classifies a reqwest error and describes its cause chain in one line, without the URL (its
/// query may hold an e-mail address or phone number); returns the error without its URL, to be
/// kept as a source (reqwest never puts headers, so never the key or a token, in an error).
pub(crate) fn describe_transport_error(
    error: reqwest::Error,
) -> (TransportFailure, String, reqwest::Error) {
    let error = error.without_url();
    let mut tls = false;
    let mut incomplete = false;
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = Some(&error);
    while let Some(e) = next {
        tls |= is_tls(e);
        if e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
            || is_broken_connection(e)
        {
            incomplete = true;
        }
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    let kind = if tls {
        TransportFailure::Tls
    } else if error.is_timeout() {
        TransportFailure::Timeout
    } else if error.is_connect() {
        TransportFailure::Connect
    } else if error.is_body() || error.is_decode() || incomplete {
        TransportFailure::Body
    } else {
        TransportFailure::Other
    };
    let message = crate::response::clean(&parts.join(": "));
    (kind, message, error)
}

/// True when `e` says the connection was reset or cut after it was made: like a close before the
/// whole answer came (hyper's "incomplete message"), the answer is lost and a repeat of the GET
/// may well succeed. (A reset while connecting is a connect error and is classified as one first.)
fn is_broken_connection(e: &(dyn StdError + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>().is_some_and(|io| {
        matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof
        )
    })
}

/// True when `e` is a rustls error, possibly inside (nested) `io::Error`s, which hide what they
/// wrap from `source()`.
fn is_tls(e: &(dyn StdError + 'static)) -> bool {
    if e.is::<rustls::Error>() {
        return true;
    }
    match e
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        Some(inner) => is_tls(inner),
        None => false,
    }
}

#[async_trait]
impl ContactsApi for ReqwestContactsApi {
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        let url = self.url(&wire::organizations(query)?);
        self.get(Operation::ListOrganizations, None, url).await
    }

    async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        let url = self.url(&wire::search(search)?);
        self.get(Operation::SearchOrganizations, None, url).await
    }

    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        let url = self.url(&wire::organization(org, expand));
        self.get(Operation::GetOrganization, Some(org), url).await
    }

    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        let url = self.url(&wire::official_contacts(org));
        self.get(Operation::OfficialContacts, Some(org), url).await
    }

    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        let url = self.url(&wire::personal_contacts(org, filter));
        self.get(Operation::PersonalContacts, Some(org), url).await
    }

    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error> {
        if person.kind() == PersonIdKind::NationalIdentityNumber {
            // Altinn 2 keys roles by the personal-contact id; a national identity number must
            // not travel in a URL path that proxies and access logs keep. A `u` id is sent:
            // the gateway (`altinn-contacts serve`) hands them out in its links.
            return Err(Error::Unsupported(Unsupported::new(
                Operation::Roles,
                "altinn2",
                "the Altinn 2 contract looks up roles by a personal contact's id, \
                 not by a national identity number",
            )));
        }
        let url = self.url(&wire::roles(org, person));
        self.get(Operation::Roles, Some(org), url).await
    }

    /// Reads the href with [`wire::resolve_link`], the base URL as the origin: a link to another
    /// scheme, host, port or path prefix is refused.
    fn resolve_link(&self, rel: LinkRelation, link: &Link) -> Result<LinkTarget, LinkError> {
        wire::resolve_link(Some(&self.inner.base_url), rel, link)
    }
}

impl fmt::Debug for ReqwestContactsApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("ReqwestContactsApi")
            .field("base_url", &inner.base_url.as_str())
            .field("api_key", &"<redacted>")
            .field("certificate", &inner.force_ei_authentication)
            .field("bearer", &inner.bearer)
            .field("connect_timeout", &inner.connect_timeout)
            .field("request_timeout", &inner.request_timeout)
            .field("retry", &inner.retry)
            .field("user_agent", &inner.user_agent)
            .finish()
    }
}
