//! Emulations of the services that replaced Altinn 2's contact API, over the sandbox's own
//! data, for testing a client of the successors without credentials or network.
//!
//! Built from the services' published code and documentation (see the crate README, section
//! "Successor emulations"); not verified against the live services. What is served:
//!
//! - Altinn 3 Profile, the correspondence lookups (module `profile`): official contacts as
//!   organisation notification addresses, personal contacts as user-registered contact points.
//! - Access Management: authorized parties and the role metadata (module `access_management`).
//! - Brønnøysund KoFuVi, notification addresses for public administration (module `kofuvi`).
//! - Brønnøysund's open Enhetsregisteret: units, sub-units and the unit search
//!   (module `enhetsregisteret`).
//! - Altinn's token exchange and a Maskinporten token endpoint, from the sandbox's Maskinporten
//!   when one is configured, else from one of this module's own (client
//!   [`DEFAULT_CLIENT_ID`], any `x5c` certificate), which the Altinn 2 API does not require.
//!
//! Each request meets the same faults as the Altinn 2 API (latency, queued and standing faults,
//! the error rate, the path filter) before it is answered.

mod access_management;
mod enhetsregisteret;
mod kofuvi;
mod problem;
mod profile;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use hyper::ext::ReasonPhrase;
use serde_json::Value;

use crate::error::Result;
use crate::faults::{CutBody, Fault, FaultStyle};
use crate::handler::{AppState, ConnInfo};
use crate::maskinporten::{EXCHANGE_PATH, Maskinporten, MaskinportenConfig, TOKEN_PATH};

/// The scope Profile's correspondence lookups require.
pub const PROFILE_SCOPE: &str = "altinn:profile/correspondence.notificationsettings.read";
/// The scope Access Management's authorized parties (service-owner route) requires.
pub const AUTHORIZED_PARTIES_SCOPE: &str =
    "altinn:accessmanagement/authorizedparties.resourceowner";
/// The admin scope Access Management's authorized parties also accepts.
pub const AUTHORIZED_PARTIES_ADMIN_SCOPE: &str = "altinn:accessmanagement/authorizedparties.admin";
/// The resource id the sandbox's persons registered their contact points for, unless told
/// otherwise.
pub const DEFAULT_RESOURCE_ID: &str = "altinn-contacts-sandbox";
/// The `Ocp-Apim-Subscription-Key` the Altinn 3 emulations require unless told otherwise.
pub const DEFAULT_SUBSCRIPTION_KEY: &str = "sandbox-subscription-key";
/// The Maskinporten client id of the successors' own Maskinporten (when the sandbox has none
/// configured): any grant from it signed with an `x5c` certificate is accepted.
pub const DEFAULT_CLIENT_ID: &str = "altinn-contacts-sandbox-client";
/// How many distinct organization numbers one personal-contact lookup may hold: Profile asks
/// Register for all of them in one query, and Register refuses more than 100.
pub const MAX_CONTACT_POINT_LOOKUP: usize = 100;

/// The largest `size` an Enhetsregisteret search accepts (inferred).
pub const ENHETSREGISTERET_MAX_SIZE: usize = 10_000;
/// How far an Enhetsregisteret search pages: `(page + 1) * size` may not pass this (inferred).
pub const ENHETSREGISTERET_MAX_RESULTS: usize = 10_000;

/// Profile: organisation notification addresses (official contacts).
pub const NOTIFICATION_ADDRESSES_PATH: &str =
    "/profile/api/v1/correspondence/organizations/notificationaddresses/lookup";
/// Profile: user-registered contact points (personal contacts).
pub const CONTACT_POINTS_PATH: &str = "/profile/api/v1/correspondence/units/contactpoint/lookup";
/// Access Management: authorized parties (service-owner route).
pub const AUTHORIZED_PARTIES_PATH: &str = "/accessmanagement/api/v1/serviceowner/authorizedparties";
/// Access Management: authorized parties (the older resource-owner route, same action).
pub const AUTHORIZED_PARTIES_LEGACY_PATH: &str =
    "/accessmanagement/api/v1/resourceowner/authorizedparties";
/// Access Management: role metadata.
pub const ROLES_PATH: &str = "/accessmanagement/api/v1/meta/info/roles";
/// KoFuVi: `{KOFUVI_PATH}/{orgnr}`.
pub const KOFUVI_PATH: &str = "/api/varslingsadresser";
/// Enhetsregisteret's API root.
pub const ENHETSREGISTERET_PATH: &str = "/enhetsregisteret/api";

/// How long the pre-issued test token lives (until the sandbox stops, in practice).
const TEST_TOKEN_LIFETIME: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
/// What [`Fault::HtmlPage`] answers on the successors' paths: a gateway's HTML page.
const HTML_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"nb\">\n<head><meta charset=\"utf-8\"><title>Altinn</title></head>\n<body>\n<h1>Logg inn i Altinn</h1>\n<p>Siden krever innlogging. (altinn-contacts-sandbox)</p>\n</body>\n</html>\n";
/// The largest request body the emulations read.
const MAX_BODY: usize = 1024 * 1024;

/// The settings of the successor emulations, given to
/// [`SandboxBuilder::successors`](crate::SandboxBuilder::successors). The defaults serve
/// everything with the sandbox's own test credentials.
#[derive(Clone)]
#[must_use]
pub struct SuccessorsConfig {
    resource_id: String,
    subscription_key: Option<String>,
    kofuvi_client_certificate: bool,
    max_contact_point_lookup: usize,
}

impl Default for SuccessorsConfig {
    fn default() -> Self {
        SuccessorsConfig {
            resource_id: DEFAULT_RESOURCE_ID.to_owned(),
            subscription_key: Some(DEFAULT_SUBSCRIPTION_KEY.to_owned()),
            kofuvi_client_certificate: true,
            max_contact_point_lookup: MAX_CONTACT_POINT_LOOKUP,
        }
    }
}

impl fmt::Debug for SuccessorsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The subscription key is a secret: only whether there is one.
        f.debug_struct("SuccessorsConfig")
            .field("resource_id", &self.resource_id)
            .field("subscription_key", &self.subscription_key.is_some())
            .field("kofuvi_client_certificate", &self.kofuvi_client_certificate)
            .field("max_contact_point_lookup", &self.max_contact_point_lookup)
            .finish()
    }
}

impl SuccessorsConfig {
    /// The defaults: resource [`DEFAULT_RESOURCE_ID`], subscription key
    /// [`DEFAULT_SUBSCRIPTION_KEY`], KoFuVi requiring a client certificate when the sandbox has a
    /// client CA, at most [`MAX_CONTACT_POINT_LOOKUP`] organizations per personal-contact lookup.
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource id the sandbox's persons with explicit service grants
    /// ([`PersonRecord::service`](crate::PersonRecord::service)) registered their contact points
    /// for (besides `se_{code}_{edition}` per service); persons without grants registered theirs
    /// for every resource.
    pub fn resource_id(mut self, id: impl Into<String>) -> Self {
        self.resource_id = id.into();
        self
    }

    /// Requires this `Ocp-Apim-Subscription-Key` on the Altinn 3 calls (`None`: no key needed,
    /// as it is unconfirmed that Altinn's API gateway requires one on these routes).
    pub fn subscription_key(mut self, key: Option<String>) -> Self {
        self.subscription_key = key;
        self
    }

    /// Whether KoFuVi requires a client certificate (default `true`). It can only check one when
    /// the sandbox serves TLS with a client CA ([`SandboxBuilder::client_ca`](crate::SandboxBuilder::client_ca));
    /// without, KoFuVi is served to anyone.
    pub fn kofuvi_client_certificate(mut self, required: bool) -> Self {
        self.kofuvi_client_certificate = required;
        self
    }

    /// How many distinct organization numbers one personal-contact lookup may hold before it
    /// fails with `500` (default [`MAX_CONTACT_POINT_LOOKUP`]).
    pub fn max_contact_point_lookup(mut self, n: usize) -> Self {
        self.max_contact_point_lookup = n;
        self
    }
}

/// One emulated endpoint, for [`Sandbox::successor_requests`](crate::Sandbox::successor_requests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuccessorEndpoint {
    /// Profile `POST .../organizations/notificationaddresses/lookup`.
    NotificationAddresses,
    /// Profile `POST .../units/contactpoint/lookup`.
    ContactPoints,
    /// Access Management `POST .../authorizedparties` (either route).
    AuthorizedParties,
    /// Access Management `GET .../meta/info/roles`.
    Roles,
    /// KoFuVi `GET /api/varslingsadresser/{orgnr}`.
    Kofuvi,
    /// Enhetsregisteret `GET /enhetsregisteret/api/enheter/{orgnr}`.
    Unit,
    /// Enhetsregisteret `GET /enhetsregisteret/api/underenheter/{orgnr}`.
    SubUnit,
    /// Enhetsregisteret `GET /enhetsregisteret/api/enheter` (the search).
    UnitSearch,
    /// Enhetsregisteret `GET /enhetsregisteret/api/underenheter` (the search of sub-units).
    SubUnitSearch,
    /// Altinn's token exchange (when served by the successors' own Maskinporten).
    TokenExchange,
}

impl SuccessorEndpoint {
    const COUNT: usize = 10;

    fn index(self) -> usize {
        self as usize
    }
}

/// The running emulations' state.
pub(crate) struct Successors {
    config: SuccessorsConfig,
    /// The sandbox's Maskinporten, or the successors' own when it has none.
    maskinporten: Arc<Maskinporten>,
    /// True when `maskinporten` is the successors' own.
    own_maskinporten: bool,
    /// An Altinn token with the successors' scopes, issued at start.
    test_token: String,
    requests: [AtomicU64; SuccessorEndpoint::COUNT],
}

impl fmt::Debug for Successors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Successors")
            .field("config", &self.config)
            .field("own_maskinporten", &self.own_maskinporten)
            .finish_non_exhaustive()
    }
}

impl Successors {
    /// `shared` is the sandbox's Maskinporten, if configured.
    pub(crate) fn new(
        config: SuccessorsConfig,
        shared: Option<&Arc<Maskinporten>>,
    ) -> Result<Successors> {
        let (maskinporten, own_maskinporten) = match shared {
            Some(m) => (Arc::clone(m), false),
            None => {
                let own = MaskinportenConfig::new(DEFAULT_CLIENT_ID).scopes([
                    crate::maskinporten::DEFAULT_SCOPE,
                    PROFILE_SCOPE,
                    AUTHORIZED_PARTIES_SCOPE,
                ]);
                (Arc::new(Maskinporten::new(own)?), true)
            }
        };
        let test_token = maskinporten.issue_altinn_token(
            &format!("{PROFILE_SCOPE} {AUTHORIZED_PARTIES_SCOPE}"),
            TEST_TOKEN_LIFETIME,
        );
        Ok(Successors {
            config,
            maskinporten,
            own_maskinporten,
            test_token,
            requests: Default::default(),
        })
    }

    pub(crate) fn config(&self) -> &SuccessorsConfig {
        &self.config
    }

    pub(crate) fn subscription_key(&self) -> Option<&str> {
        self.config.subscription_key.as_deref()
    }

    pub(crate) fn resource_id(&self) -> &str {
        &self.config.resource_id
    }

    pub(crate) fn test_token(&self) -> &str {
        &self.test_token
    }

    pub(crate) fn client_id(&self) -> &str {
        self.maskinporten.client_id()
    }

    pub(crate) fn requests(&self, endpoint: SuccessorEndpoint) -> u64 {
        self.requests[endpoint.index()].load(Ordering::Relaxed)
    }

    /// Revokes the tokens of the successors' own Maskinporten (the sandbox's are revoked by
    /// the sandbox).
    pub(crate) fn revoke_own_tokens(&self) {
        if self.own_maskinporten {
            self.maskinporten.revoke_all();
        }
    }

    fn count(&self, endpoint: SuccessorEndpoint) {
        self.requests[endpoint.index()].fetch_add(1, Ordering::Relaxed);
    }
}

/// An answer before faults: status, content type, body.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) body: Bytes,
    /// Extra headers (APIM's `WWW-Authenticate`, say).
    pub(crate) headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Reply {
    /// A JSON body of `value` with this status and content type.
    pub(crate) fn json(status: StatusCode, content_type: &'static str, value: &Value) -> Reply {
        Reply {
            status,
            content_type: Some(content_type),
            body: Bytes::from(value.to_string()),
            headers: Vec::new(),
        }
    }

    /// `200` with a JSON body.
    pub(crate) fn ok(content_type: &'static str, value: &Value) -> Reply {
        Reply::json(StatusCode::OK, content_type, value)
    }

    /// This status, no body.
    pub(crate) fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            content_type: None,
            body: Bytes::new(),
            headers: Vec::new(),
        }
    }

    fn into_response(self) -> Response<Body> {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        if let Some(content_type) = self.content_type {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// The content type of the Altinn 3 JSON answers.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// Which emulation a path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Profile,
    AccessManagement,
    Kofuvi,
    Enhetsregisteret,
    /// The token endpoint and the exchange of the successors' own Maskinporten.
    OwnMaskinporten,
}

fn starts_with_ignore_case(path: &str, prefix: &str) -> bool {
    path.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn family(state: &AppState, path: &str) -> Option<Family> {
    if starts_with_ignore_case(path, "/profile/api/v1/correspondence/") {
        Some(Family::Profile)
    } else if starts_with_ignore_case(path, "/accessmanagement/api/v1/") {
        Some(Family::AccessManagement)
    } else if starts_with_ignore_case(path, KOFUVI_PATH)
        && path[KOFUVI_PATH.len()..].is_empty_or_slash()
    {
        Some(Family::Kofuvi)
    } else if starts_with_ignore_case(path, ENHETSREGISTERET_PATH)
        && path[ENHETSREGISTERET_PATH.len()..].is_empty_or_slash()
    {
        Some(Family::Enhetsregisteret)
    } else if state.maskinporten.is_none() && (path == TOKEN_PATH || path == EXCHANGE_PATH) {
        Some(Family::OwnMaskinporten)
    } else {
        None
    }
}

trait PathRest {
    /// True when the rest of a path after a prefix is empty or starts a new segment.
    fn is_empty_or_slash(&self) -> bool;
}

impl PathRest for str {
    fn is_empty_or_slash(&self) -> bool {
        self.is_empty() || self.starts_with('/')
    }
}

/// True when the successors answer this path (the handler's one dispatch point asks).
pub(crate) fn claims(state: &AppState, path: &str) -> bool {
    family(state, path).is_some()
}

/// Answers a request [`claims`] said is the successors': faults first, as for the Altinn 2
/// API, then the emulation.
pub(crate) async fn handle(
    state: &AppState,
    conn: ConnInfo,
    parts: Parts,
    body: Body,
    base: &str,
) -> Response<Body> {
    let path = parts.uri.path().to_owned();
    let Some(family) = family(state, &path) else {
        return Reply::empty(StatusCode::NOT_FOUND).into_response();
    };
    let successors = &state.successors;
    if family == Family::OwnMaskinporten {
        if path == EXCHANGE_PATH {
            successors.count(SuccessorEndpoint::TokenExchange);
        }
        return crate::handler::maskinporten_answer(&successors.maskinporten, &parts, body, base)
            .await
            .unwrap_or_else(|| Reply::empty(StatusCode::NOT_FOUND).into_response());
    }
    if let Some(endpoint) = endpoint_of(family, &parts.method, &path) {
        successors.count(endpoint);
    }
    let decision = state.faults.decide(&path);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let real = answer(state, conn, family, &parts, body, base).await;
    match decision.fault {
        None => real.into_response(),
        Some(fault) => with_fault(fault, real, &parts, base).await,
    }
}

/// The endpoint a request is for, when it names one (for the counters).
fn endpoint_of(family: Family, method: &Method, path: &str) -> Option<SuccessorEndpoint> {
    let path = path.strip_suffix('/').unwrap_or(path);
    let is = |p: &str| path.eq_ignore_ascii_case(p);
    match family {
        Family::Profile if is(NOTIFICATION_ADDRESSES_PATH) => {
            Some(SuccessorEndpoint::NotificationAddresses)
        }
        Family::Profile if is(CONTACT_POINTS_PATH) => Some(SuccessorEndpoint::ContactPoints),
        Family::AccessManagement
            if is(AUTHORIZED_PARTIES_PATH) || is(AUTHORIZED_PARTIES_LEGACY_PATH) =>
        {
            Some(SuccessorEndpoint::AuthorizedParties)
        }
        Family::AccessManagement if is(ROLES_PATH) => Some(SuccessorEndpoint::Roles),
        Family::Kofuvi => Some(SuccessorEndpoint::Kofuvi),
        Family::Enhetsregisteret if method == Method::GET => {
            let rest = &path[ENHETSREGISTERET_PATH.len()..];
            let lower = rest.to_ascii_lowercase();
            if lower == "/enheter" {
                Some(SuccessorEndpoint::UnitSearch)
            } else if lower == "/underenheter" {
                Some(SuccessorEndpoint::SubUnitSearch)
            } else if lower.starts_with("/enheter/") {
                Some(SuccessorEndpoint::Unit)
            } else if lower.starts_with("/underenheter/") {
                Some(SuccessorEndpoint::SubUnit)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The emulation's own answer.
async fn answer(
    state: &AppState,
    conn: ConnInfo,
    family: Family,
    parts: &Parts,
    body: Body,
    base: &str,
) -> Reply {
    let path = parts.uri.path();
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let is = |p: &str| trimmed.eq_ignore_ascii_case(p);
    let dataset: &crate::dataset::Dataset = &state.dataset;
    let successors = &state.successors;
    match family {
        Family::Profile => {
            let notification = is(NOTIFICATION_ADDRESSES_PATH);
            if !notification && !is(CONTACT_POINTS_PATH) {
                return Reply::empty(StatusCode::NOT_FOUND);
            }
            if parts.method != Method::POST {
                return Reply::empty(StatusCode::METHOD_NOT_ALLOWED);
            }
            if let Err(refused) = platform_auth(successors, &parts.headers, &[PROFILE_SCOPE]) {
                return refused;
            }
            let body = match read_body(body).await {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            if notification {
                profile::notification_addresses(dataset, &body)
            } else {
                profile::contact_points(dataset, successors.config(), &body)
            }
        }
        Family::AccessManagement => {
            if is(ROLES_PATH) {
                if parts.method != Method::GET {
                    return Reply::empty(StatusCode::METHOD_NOT_ALLOWED);
                }
                return access_management::roles();
            }
            if !is(AUTHORIZED_PARTIES_PATH) && !is(AUTHORIZED_PARTIES_LEGACY_PATH) {
                return Reply::empty(StatusCode::NOT_FOUND);
            }
            if parts.method != Method::POST {
                return Reply::empty(StatusCode::METHOD_NOT_ALLOWED);
            }
            if let Err(refused) = platform_auth(
                successors,
                &parts.headers,
                &[AUTHORIZED_PARTIES_SCOPE, AUTHORIZED_PARTIES_ADMIN_SCOPE],
            ) {
                return refused;
            }
            match read_body(body).await {
                Ok(body) => access_management::authorized_parties(dataset, &body),
                Err(reply) => reply,
            }
        }
        Family::Kofuvi => {
            if parts.method != Method::GET {
                return Reply::empty(StatusCode::METHOD_NOT_ALLOWED);
            }
            let certificate_required =
                successors.config().kofuvi_client_certificate && state.client_ca;
            if certificate_required && !conn.client_certificate {
                return Reply::empty(StatusCode::UNAUTHORIZED);
            }
            kofuvi::addresses(dataset, &path[KOFUVI_PATH.len()..], base, path)
        }
        Family::Enhetsregisteret => {
            if parts.method != Method::GET {
                return Reply::empty(StatusCode::METHOD_NOT_ALLOWED);
            }
            enhetsregisteret::answer(
                dataset,
                &path[ENHETSREGISTERET_PATH.len()..],
                parts.uri.query(),
                base,
            )
        }
        Family::OwnMaskinporten => Reply::empty(StatusCode::NOT_FOUND),
    }
}

async fn read_body(body: Body) -> std::result::Result<Bytes, Reply> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Reply::empty(StatusCode::PAYLOAD_TOO_LARGE))
}

/// An Azure API Management refusal: `401` with its JSON message.
fn apim_refusal(message: &str) -> Reply {
    Reply::json(
        StatusCode::UNAUTHORIZED,
        JSON,
        &serde_json::json!({ "statusCode": 401, "message": message }),
    )
}

/// The platform's checks, in the order a request meets them: the API gateway's subscription
/// key, then the bearer Altinn token (`401`, empty body, when missing, not an Altinn token,
/// expired or revoked) and one of `scopes` in it (`403`, empty body).
fn platform_auth(
    successors: &Successors,
    headers: &HeaderMap,
    scopes: &[&str],
) -> std::result::Result<(), Reply> {
    if let Some(expected) = successors.subscription_key() {
        match headers.get("ocp-apim-subscription-key") {
            None => {
                return Err(apim_refusal(
                    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
                ));
            }
            Some(sent) if sent.as_bytes() != expected.as_bytes() => {
                return Err(apim_refusal(
                    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
                ));
            }
            Some(_) => {}
        }
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, token)| token.trim());
    let Some(granted) = token.and_then(|t| successors.maskinporten.altinn_token_scope(t)) else {
        let mut refused = Reply::empty(StatusCode::UNAUTHORIZED);
        refused
            .headers
            .push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        return Err(refused);
    };
    if granted.split(' ').any(|s| scopes.contains(&s)) {
        Ok(())
    } else {
        Err(Reply::empty(StatusCode::FORBIDDEN))
    }
}

/// An empty-bodied answer with a reason phrase, as the sandbox's status faults are written.
fn status_response(status: StatusCode, reason: &str) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    let bytes: Vec<u8> = reason
        .bytes()
        .map(|b| if b < 0x20 || b == 0x7f { b' ' } else { b })
        .collect();
    if let Ok(phrase) = ReasonPhrase::try_from(bytes) {
        response.extensions_mut().insert(phrase);
    }
    response
}

/// The successors' way of writing fault answers: bare statuses, a page of their own.
const SUCCESSOR_FAULTS: FaultStyle = FaultStyle {
    status: status_response,
    html_page: successor_html_page,
};

fn successor_html_page() -> Response<Body> {
    let mut response = Response::new(Body::from(HTML_PAGE));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The fault's answer instead of (or made from) the real one.
async fn with_fault(fault: Fault, real: Reply, parts: &Parts, base: &str) -> Response<Body> {
    let cut = CutBody {
        status: real.status,
        content_type: real.content_type.unwrap_or(JSON),
        body: json_or_placeholder(&real),
    };
    match crate::faults::answer_with_fault(fault, &SUCCESSOR_FAULTS, parts, base, async { cut })
        .await
    {
        Some(response) => response,
        None => real.into_response(),
    }
}

/// The real answer's body when it is JSON worth cutting, else a small JSON object.
fn json_or_placeholder(real: &Reply) -> Bytes {
    if real.body.len() >= 2 {
        real.body.clone()
    } else {
        Bytes::from_static(br#"{"contactPointsList":[]}"#)
    }
}

/// A stable party id for an organization number (Register's `partyId`; synthetic).
pub(crate) fn party_id(organization_number: &str) -> i64 {
    let n: i64 = organization_number.parse().unwrap_or(0);
    50_000_000 + n % 50_000_000
}

/// A stable UUID-shaped id for `text` (FNV-1a; synthetic, not a real party's uuid).
pub(crate) fn stable_uuid(kind: &str, text: &str) -> String {
    let hash = |seed: u64| {
        let mut h = seed;
        for b in kind.bytes().chain([0]).chain(text.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// The addresses of an organization's official contacts: non-empty e-mail addresses and mobile
/// numbers, trimmed, in order.
pub(crate) fn official_addresses(
    record: &crate::records::OrganizationRecord,
) -> (Vec<String>, Vec<String>) {
    let mut emails = Vec::new();
    let mut mobiles = Vec::new();
    for contact in &record.official_contacts {
        if let Some(email) = contact.email_address.as_deref().map(str::trim)
            && !email.is_empty()
        {
            emails.push(email.to_owned());
        }
        if let Some(mobile) = contact.mobile_number.as_deref().map(str::trim)
            && !mobile.is_empty()
        {
            mobiles.push(mobile.to_owned());
        }
    }
    (emails, mobiles)
}

/// Where an organization's notification addresses come from, as Profile and KoFuVi decide: its
/// own official contacts when it has any (even if none is usable); else, for a sub-unit, its
/// main unit's when those hold a usable address; else nowhere (`None`). `Some((position of the
/// organization whose addresses are used, its number))`.
pub(crate) fn address_source(dataset: &crate::dataset::Dataset, pos: u32) -> Option<(u32, String)> {
    let record = dataset.record(pos);
    if !record.official_contacts.is_empty() {
        return Some((pos, record.organization_number().to_owned()));
    }
    let main = dataset.main_unit(pos)?;
    let main_record = dataset.record(main);
    let (emails, mobiles) = official_addresses(&main_record);
    if emails.is_empty() && mobiles.is_empty() {
        return None;
    }
    Some((main, main_record.organization_number().to_owned()))
}

/// A field of a JSON object, its name compared case-insensitively (as ASP.NET binds).
pub(crate) fn field<'a>(
    object: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_uuids_are_uuid_shaped_and_stable() {
        let a = stable_uuid("party", "910021451");
        assert_eq!(a, stable_uuid("party", "910021451"));
        assert_ne!(a, stable_uuid("party", "910514318"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn endpoints_by_path() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(
            endpoint_of(Family::Profile, &post, &format!("{CONTACT_POINTS_PATH}/")),
            Some(SuccessorEndpoint::ContactPoints)
        );
        assert_eq!(
            endpoint_of(
                Family::Enhetsregisteret,
                &get,
                "/enhetsregisteret/api/underenheter/974760673"
            ),
            Some(SuccessorEndpoint::SubUnit)
        );
        assert_eq!(
            endpoint_of(
                Family::Enhetsregisteret,
                &get,
                "/enhetsregisteret/api/enheter"
            ),
            Some(SuccessorEndpoint::UnitSearch)
        );
        assert_eq!(
            endpoint_of(Family::Profile, &post, "/profile/api/v1/correspondence/x"),
            None
        );
    }
}
