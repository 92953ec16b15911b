//! The one error type of every [`ContactsApi`](crate::ContactsApi) call.
//!
//! Variants separate what a caller acts on differently: fix the input, fix the credentials, the
//! thing does not exist, slow down, try later, or report a bug. Every variant that had an HTTP
//! answer carries an [`HttpFailure`] with the operation, the status and Altinn's own message (its
//! reason phrase, or the `ErrorMessage` of a JSON body, or the body's first line).
//!
//! Every part is a [`std::error::Error`]. `Display` is one self-contained line: operation, status
//! and Altinn's message, or for a failure below HTTP the kind and the root cause in words. The
//! typed cause stays reachable through [`source()`](std::error::Error::source): a transport
//! failure's source is the transport's own error (for the reqwest transport a `reqwest::Error`,
//! whose chain reaches `std::io::Error` or `rustls::Error`), a credentials failure's source is the
//! token provider's error. Causes are held in an [`Arc`], so errors stay `Clone`.
//!
//! No secret is shown: the API key and tokens are never placed in an error (nor in a cause a
//! transport attaches: reqwest's errors are attached without their URL), and any run of exactly
//! eleven digits (the shape of a national identity number) is masked in every message an error
//! holds.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The cause of a failure, shared so that errors stay cheap to clone.
pub type Cause = Arc<dyn StdError + Send + Sync + 'static>;

/// A cause in `Debug` output, with identity numbers masked (a cause is another crate's error;
/// its `Debug` is not ours to trust).
struct MaskedDebug<'a>(Option<&'a Cause>);

impl fmt::Debug for MaskedDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(cause) => f.write_str(&redact_identity_numbers(&format!("Some({cause:?})"))),
            None => f.write_str("None"),
        }
    }
}

/// `source()` of a part that may hold a cause: the cause itself (not the `Arc`), so a caller can
/// downcast it to its concrete type.
fn cause_of(cause: Option<&Cause>) -> Option<&(dyn StdError + 'static)> {
    cause.map(|c| &**c as &(dyn StdError + 'static))
}

/// Which call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `GET organizations` (one page).
    ListOrganizations,
    /// `GET organizations?email=..&phoneNumber=..`.
    SearchOrganizations,
    /// `GET organizations/{orgno}`.
    GetOrganization,
    /// `GET organizations/{orgno}/officialcontacts`.
    OfficialContacts,
    /// `GET organizations/{orgno}/personalcontacts`.
    PersonalContacts,
    /// `GET organizations/{orgno}/personalcontacts/{personId}/roles`.
    Roles,
}

impl Operation {
    /// A short name, as used in logs and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Operation::ListOrganizations => "list organizations",
            Operation::SearchOrganizations => "search organizations",
            Operation::GetOrganization => "get organization",
            Operation::OfficialContacts => "official contacts",
            Operation::PersonalContacts => "personal contacts",
            Operation::Roles => "roles",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Input that was refused before any request was sent.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidInput {
    what: &'static str,
    given: String,
    reason: String,
}

impl InvalidInput {
    /// `what` names the kind of value ("organization number"), `given` is what was typed (echoed
    /// shortened and with identity numbers masked), `reason` says what is wrong.
    pub fn new(what: &'static str, given: &str, reason: impl Into<String>) -> Self {
        InvalidInput {
            what,
            given: crate::ids::echo(given),
            reason: redact_identity_numbers(&reason.into()),
        }
    }

    /// The kind of value that was refused.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// What is wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} {:?}: {}", self.what, self.given, self.reason)
    }
}

impl fmt::Debug for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidInput")
            .field("what", &self.what)
            .field("given", &self.given)
            .field("reason", &self.reason)
            .finish()
    }
}

impl std::error::Error for InvalidInput {}

/// What the server answered when a call failed with an HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpFailure {
    /// The call that failed.
    pub operation: Operation,
    /// The HTTP status code (for a login redirect, 302).
    pub status: u16,
    /// Altinn's message: the reason phrase when it is not the standard one, else the
    /// `ErrorMessage` of a JSON body, else the first line of the body, else the standard reason.
    pub message: String,
    /// How many attempts were made (retries included).
    pub attempts: u32,
}

impl HttpFailure {
    /// A failure of `operation` with `status` and `message` after one attempt.
    pub fn new(operation: Operation, status: u16, message: impl Into<String>) -> Self {
        HttpFailure {
            operation,
            status,
            message: redact_identity_numbers(&message.into()),
            attempts: 1,
        }
    }

    /// Sets the number of attempts made.
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }
}

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if !self.message.is_empty() {
            write!(f, " {}", self.message)?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// An HTTP answer is the end of the chain: it has no further cause.
impl StdError for HttpFailure {}

/// Why authentication or authorization failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// 401: the certificate or token was missing or not accepted.
    Unauthenticated,
    /// 403: authenticated, but the API key or organization may not do this.
    Forbidden,
    /// 3xx: Altinn redirected to its login page (credentials missing or not accepted).
    LoginRedirect,
    /// 200 with an HTML page instead of HAL+JSON (typically a login page).
    HtmlPage,
}

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailure {
    /// Could not connect (DNS, refused, unreachable).
    Connect,
    /// The TLS handshake failed (certificate not trusted, client certificate refused, ...).
    Tls,
    /// The connect or request timeout, or the total retry deadline, ran out.
    Timeout,
    /// The connection broke while the body was read.
    Body,
    /// Any other failure below HTTP.
    Other,
}

/// A failure below HTTP: no complete answer was received.
///
/// Its [`source`](StdError::source) is the transport's own error when there was one (for the
/// reqwest transport a `reqwest::Error` without its URL), so a caller can downcast it or walk on
/// to the `std::io::Error` below.
#[derive(Clone)]
#[non_exhaustive]
pub struct TransportError {
    /// The call that failed.
    pub operation: Operation,
    /// What kind of failure.
    pub kind: TransportFailure,
    /// The cause chain in words, for the one-line `Display` (never a secret).
    pub message: String,
    /// How many attempts were made (retries included).
    pub attempts: u32,
    source: Option<Cause>,
}

impl TransportError {
    /// A transport failure after one attempt.
    pub fn new(operation: Operation, kind: TransportFailure, message: impl Into<String>) -> Self {
        TransportError {
            operation,
            kind,
            message: redact_identity_numbers(&message.into()),
            attempts: 1,
            source: None,
        }
    }

    /// Attaches the underlying error, returned by [`source`](StdError::source). It must hold no
    /// secret and no identity number (for reqwest: call `without_url` first).
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Sets the number of attempts made.
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("operation", &self.operation)
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("attempts", &self.attempts)
            .field("source", &MaskedDebug(self.source.as_ref()))
            .finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        cause_of(self.source.as_ref())
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            TransportFailure::Connect => "could not connect",
            TransportFailure::Tls => "TLS failed",
            TransportFailure::Timeout => "timed out",
            TransportFailure::Body => "connection broke while reading the response",
            TransportFailure::Other => "transport error",
        };
        write!(f, "{}: {kind}: {}", self.operation, self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// A response that arrived whole but could not be read as the expected resource.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeFailure {
    /// The call whose response did not decode.
    pub operation: Operation,
    /// The HTTP status of the response.
    pub status: u16,
    /// The JSON path of the value that did not fit (`.` for the document as a whole).
    pub path: String,
    /// What did not fit (never quotes the offending value).
    pub message: String,
    /// True when the body ended before the JSON did.
    pub truncated: bool,
}

impl DecodeFailure {
    /// A response of `operation` with `status` that did not decode: `path` is the JSON path of the
    /// value that did not fit, `message` what did not fit (identity numbers are masked in both),
    /// `truncated` whether the body ended before the JSON did.
    pub fn new(
        operation: Operation,
        status: u16,
        path: impl Into<String>,
        message: impl Into<String>,
        truncated: bool,
    ) -> Self {
        DecodeFailure {
            operation,
            status,
            path: redact_identity_numbers(&path.into()),
            message: redact_identity_numbers(&message.into()),
            truncated,
        }
    }
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.truncated {
            write!(
                f,
                "{}: HTTP {}: response body was truncated (JSON ended early at {})",
                self.operation, self.status, self.path
            )
        } else {
            write!(
                f,
                "{}: HTTP {}: could not decode the response at {}: {}",
                self.operation, self.status, self.path, self.message
            )
        }
    }
}

/// The decode failure's text is its cause: serde's own error can quote the offending value, so
/// it is not kept.
impl StdError for DecodeFailure {}

/// No bearer token could be had for a call: the token provider failed.
///
/// Its [`source`](StdError::source) is the provider's own error (for the providers of the reqwest
/// transport a `TokenError`, whose chain may reach a `reqwest::Error`).
#[derive(Clone)]
#[non_exhaustive]
pub struct CredentialsFailure {
    /// The call that needed the token.
    pub operation: Operation,
    /// The provider's error in words (identity numbers masked).
    pub message: String,
    /// True when the provider's failure may pass on its own (its endpoint was unavailable,
    /// throttled or not reached); such failures are retried like a call's.
    pub transient: bool,
    /// How many attempts of the call were made.
    pub attempts: u32,
    source: Option<Cause>,
}

impl CredentialsFailure {
    /// The provider's error `cause` ended `operation`; `transient` says whether it may pass.
    pub fn new(
        operation: Operation,
        cause: impl StdError + Send + Sync + 'static,
        transient: bool,
    ) -> Self {
        CredentialsFailure {
            operation,
            message: redact_identity_numbers(&cause.to_string()),
            transient,
            attempts: 1,
            source: Some(Arc::new(cause)),
        }
    }

    /// Sets the number of attempts made.
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }
}

impl fmt::Display for CredentialsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: no access token: {}", self.operation, self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl fmt::Debug for CredentialsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsFailure")
            .field("operation", &self.operation)
            .field("message", &self.message)
            .field("transient", &self.transient)
            .field("attempts", &self.attempts)
            .field("source", &MaskedDebug(self.source.as_ref()))
            .finish()
    }
}

impl StdError for CredentialsFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        cause_of(self.source.as_ref())
    }
}

/// Every failure of a [`ContactsApi`](crate::ContactsApi) call.
///
/// `Clone` (causes are shared); compare errors with `matches!` and the accessors
/// ([`status`](Self::status), [`operation`](Self::operation), ...).
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input was refused before anything was sent.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// 401, 403, a login redirect, or an HTML page: the credentials need attention.
    #[error("{failure} [{kind}]", kind = auth_hint(*.kind))]
    Auth {
        /// What failed.
        kind: AuthFailure,
        /// The server's answer.
        failure: HttpFailure,
    },
    /// 404: the organization, person or resource does not exist (or is not visible).
    #[error("{0}")]
    NotFound(HttpFailure),
    /// 400 or another 4xx the caller must fix.
    #[error("{0}")]
    BadRequest(HttpFailure),
    /// 429: too many requests; `retry_after` is the server's `Retry-After`, when it sent one.
    #[error("{failure}{}", retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    Throttled {
        /// The server's answer.
        failure: HttpFailure,
        /// How long the server asked the client to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed.
    #[error("{0}")]
    Server(HttpFailure),
    /// No complete HTTP answer: connect, TLS, timeout or a broken connection. Its `source()` is
    /// the transport's error.
    #[error(transparent)]
    Transport(TransportError),
    /// The token provider could not give a bearer token; nothing was sent to Altinn on that
    /// attempt. Its `source()` is the provider's error.
    #[error(transparent)]
    Credentials(CredentialsFailure),
    /// The answer came but was not the expected HAL+JSON.
    #[error("{0}")]
    Decode(DecodeFailure),
    /// The backend has no way to make this call: nothing was sent. The Altinn 3 backend answers
    /// this for the calls Altinn 2 had and its successors do not (search by e-mail or phone, for
    /// one); the Altinn 2 transport for keys Altinn 2 never had (a national identity number).
    #[error("{0}")]
    Unsupported(Unsupported),
}

/// A call a backend cannot make ([`Error::Unsupported`]): which call, which backend, and what
/// is missing, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unsupported {
    /// The call that was asked for.
    pub operation: Operation,
    /// The backend that refused it (`altinn2`, `altinn3`, ...).
    pub backend: &'static str,
    /// What has no successor or no source, for instance "Altinn 3 has no search of
    /// organizations by e-mail or phone for service owners".
    pub reason: String,
}

impl Unsupported {
    /// A refusal of `operation` by `backend`, for `reason` (no identity numbers in it: it is
    /// shown as is).
    pub fn new(operation: Operation, backend: &'static str, reason: impl Into<String>) -> Self {
        Unsupported {
            operation,
            backend,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: not supported by the {} backend: {}",
            self.operation,
            self.backend,
            redact_identity_numbers(&self.reason)
        )
    }
}

impl StdError for Unsupported {}

fn auth_hint(kind: AuthFailure) -> &'static str {
    match kind {
        AuthFailure::Unauthenticated => "check the certificate or token",
        AuthFailure::Forbidden => "check the API key and the service owner's rights",
        AuthFailure::LoginRedirect => "redirected to a login page: credentials missing or refused",
        AuthFailure::HtmlPage => {
            "got an HTML page instead of HAL+JSON: credentials missing or refused"
        }
    }
}

impl Error {
    /// Maps an HTTP failure to its variant by status: 401/403/3xx to [`Error::Auth`], 404 to
    /// [`Error::NotFound`], 429 to [`Error::Throttled`], other 4xx to [`Error::BadRequest`] and
    /// everything else to [`Error::Server`].
    pub fn from_status(failure: HttpFailure, retry_after: Option<Duration>) -> Self {
        match failure.status {
            401 => Error::Auth {
                kind: AuthFailure::Unauthenticated,
                failure,
            },
            403 => Error::Auth {
                kind: AuthFailure::Forbidden,
                failure,
            },
            300..=399 => Error::Auth {
                kind: AuthFailure::LoginRedirect,
                failure,
            },
            404 => Error::NotFound(failure),
            429 => Error::Throttled {
                failure,
                retry_after,
            },
            400..=499 => Error::BadRequest(failure),
            _ => Error::Server(failure),
        }
    }

    /// The call that failed (`None` for invalid input, which fails before any call).
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Error::InvalidInput(_) => None,
            Error::Transport(t) => Some(t.operation),
            Error::Decode(d) => Some(d.operation),
            Error::Credentials(c) => Some(c.operation),
            Error::Unsupported(u) => Some(u.operation),
            other => other.http().map(|h| h.operation),
        }
    }

    /// The server's answer, for the variants that had one.
    pub fn http(&self) -> Option<&HttpFailure> {
        match self {
            Error::Auth { failure, .. }
            | Error::Throttled { failure, .. }
            | Error::NotFound(failure)
            | Error::BadRequest(failure)
            | Error::Server(failure) => Some(failure),
            _ => None,
        }
    }

    /// The server's answer, mutable: for transports that refine the message (for instance to
    /// mask a secret a proxy echoed back).
    pub fn http_mut(&mut self) -> Option<&mut HttpFailure> {
        match self {
            Error::Auth { failure, .. }
            | Error::Throttled { failure, .. }
            | Error::NotFound(failure)
            | Error::BadRequest(failure)
            | Error::Server(failure) => Some(failure),
            _ => None,
        }
    }

    /// Records how many attempts were made, on the variants that count them (HTTP answers and
    /// transport failures); others are returned unchanged.
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        if let Error::Transport(t) = &mut self {
            t.attempts = attempts;
        } else if let Error::Credentials(c) = &mut self {
            c.attempts = attempts;
        } else if let Some(failure) = self.http_mut() {
            failure.attempts = attempts;
        }
        self
    }

    /// The HTTP status, when Altinn answered (a token endpoint's status is not Altinn's: see the
    /// provider's error in the source of [`Error::Credentials`]).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode(d) => Some(d.status),
            other => other.http().map(|h| h.status),
        }
    }

    /// Altinn's message (or the decode/transport description); for invalid input, the reason.
    pub fn message(&self) -> String {
        match self {
            Error::InvalidInput(i) => i.to_string(),
            Error::Transport(t) => t.message.clone(),
            Error::Credentials(c) => c.message.clone(),
            Error::Decode(d) => d.to_string(),
            Error::Unsupported(u) => redact_identity_numbers(&u.reason),
            other => other.http().map(|h| h.message.clone()).unwrap_or_default(),
        }
    }

    /// True for failures that may pass when the same request is repeated later: throttling,
    /// 502/503/504, connect errors, timeouts and connections broken mid-body (every call is an
    /// idempotent GET, so repeating it is safe), and token providers whose endpoint failed in one
    /// of these ways.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Throttled { .. } => true,
            Error::Credentials(c) => c.transient,
            Error::Server(h) => matches!(h.status, 502..=504),
            Error::Transport(t) => matches!(
                t.kind,
                TransportFailure::Connect | TransportFailure::Timeout | TransportFailure::Body
            ),
            _ => false,
        }
    }
}

/// Masks every run of exactly eleven digits (the shape of a national identity number) with
/// `***********`. Longer or shorter digit runs are left alone.
pub fn redact_identity_numbers(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 11 {
                out.push_str(&text[last..start]);
                out.push_str("***********");
                last = i;
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_operation_status_and_message() {
        let e = Error::from_status(
            HttpFailure::new(
                Operation::GetOrganization,
                400,
                "Invalid organization number: 0000000",
            ),
            None,
        );
        assert!(matches!(e, Error::BadRequest(_)));
        assert_eq!(
            e.to_string(),
            "get organization: HTTP 400 Invalid organization number: 0000000"
        );
        assert_eq!(e.status(), Some(400));
    }

    #[test]
    fn statuses_map_to_variants() {
        let f = |s| Error::from_status(HttpFailure::new(Operation::Roles, s, "x"), None);
        assert!(matches!(
            f(401),
            Error::Auth {
                kind: AuthFailure::Unauthenticated,
                ..
            }
        ));
        assert!(matches!(
            f(403),
            Error::Auth {
                kind: AuthFailure::Forbidden,
                ..
            }
        ));
        assert!(matches!(
            f(302),
            Error::Auth {
                kind: AuthFailure::LoginRedirect,
                ..
            }
        ));
        assert!(matches!(f(404), Error::NotFound(_)));
        assert!(matches!(f(429), Error::Throttled { .. }));
        assert!(matches!(f(409), Error::BadRequest(_)));
        assert!(matches!(f(500), Error::Server(_)));
        assert!(f(503).is_transient());
        assert!(!f(500).is_transient());
    }

    /// Every public part of the error is a `std::error::Error`, `Send`, `Sync` and `Clone`.
    #[test]
    fn every_part_is_a_std_error() {
        fn part<E: StdError + Send + Sync + Clone + 'static>() {}
        part::<Error>();
        part::<InvalidInput>();
        part::<HttpFailure>();
        part::<TransportError>();
        part::<DecodeFailure>();
        part::<CredentialsFailure>();
    }

    /// All messages an error can show, and every `Display` and `Debug` down its source chain.
    fn whole_chain(error: &(dyn StdError + 'static)) -> String {
        let mut text = String::new();
        let mut next = Some(error);
        while let Some(e) = next {
            text.push_str(&format!("{e}\n{e:?}\n"));
            next = e.source();
        }
        text
    }

    #[test]
    fn a_transport_cause_is_kept_through_clones_and_can_be_downcast() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::Transport(
            TransportError::new(Operation::Roles, TransportFailure::Connect, "refused")
                .with_source(io),
        )
        .with_attempts(3);
        let copy = e.clone();
        let cause = copy.source().expect("a source");
        let io = cause
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            e.to_string(),
            "roles: could not connect: refused (after 3 attempts)"
        );
        assert!(!e.to_string().contains('\n'));
        // An HTTP answer ends the chain.
        let http = Error::from_status(HttpFailure::new(Operation::Roles, 503, "Down"), None);
        assert!(http.source().is_none());
    }

    #[derive(Debug)]
    struct ProviderFailed(&'static str);

    impl fmt::Display for ProviderFailed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for ProviderFailed {}

    #[test]
    fn a_credentials_failure_names_the_call_and_keeps_the_providers_error() {
        let e = Error::Credentials(CredentialsFailure::new(
            Operation::OfficialContacts,
            ProviderFailed("token endpoint said 503 for 06117701547"),
            true,
        ));
        assert_eq!(e.operation(), Some(Operation::OfficialContacts));
        assert_eq!(
            e.status(),
            None,
            "the token endpoint's status is not Altinn's"
        );
        assert!(e.is_transient());
        assert_eq!(
            e.to_string(),
            "official contacts: no access token: token endpoint said 503 for ***********"
        );
        assert!(
            e.source()
                .unwrap()
                .downcast_ref::<ProviderFailed>()
                .is_some()
        );
        // The provider's own `Debug` is masked where the error shows it.
        assert!(!format!("{e:?}").contains("06117701547"), "{e:?}");
        assert!(
            e.with_attempts(2)
                .to_string()
                .ends_with(" (after 2 attempts)")
        );
    }

    #[test]
    fn no_identity_number_anywhere_in_a_chain() {
        let io = std::io::Error::other("peer 06117701547 reset");
        let e = Error::Transport(
            TransportError::new(
                Operation::PersonalContacts,
                TransportFailure::Body,
                "reset by 06117701547",
            )
            .with_source(io),
        );
        let debug = format!("{e:?}");
        assert!(!debug.contains("06117701547"), "{debug}");
        assert!(!e.to_string().contains("06117701547"));
        let e = Error::from_status(
            HttpFailure::new(Operation::Roles, 404, "No person 06117701547"),
            None,
        );
        assert!(!whole_chain(&e).contains("06117701547"));
    }

    #[test]
    fn identity_numbers_are_masked() {
        assert_eq!(
            redact_identity_numbers("person 06117701547 in 910021451, id 123456789012"),
            "person *********** in 910021451, id 123456789012"
        );
        let e = Error::from_status(
            HttpFailure::new(Operation::PersonalContacts, 404, "No person 06117701547"),
            None,
        );
        assert!(!format!("{e} {e:?}").contains("06117701547"));
    }
}
