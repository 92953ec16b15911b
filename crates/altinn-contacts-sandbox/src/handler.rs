//! Answering one request: recording it, injecting faults, authenticating like Altinn, routing
//! to the six calls, and writing HAL with absolute links back to the sandbox (or, to
//! `Accept: application/json` without `application/hal+json`, Altinn 2's plain JSON: a list as a
//! bare array of its items, `_links` as an array of `{Rel, Href, ...}` objects).

use std::borrow::Cow;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use altinn_contacts_model::{
    Links, OfficialContactList, Organization, OrganizationEmbedded, OrganizationList,
    PersonalContact, PersonalContactList, Role, RoleList, is_valid_organization_number,
};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use futures::StreamExt;
use hyper::ext::ReasonPhrase;
use serde::Serialize;

use crate::dataset::Dataset;
use crate::faults::{Fault, Faults};
use crate::messages;
use crate::query::{self, BadRequest, ListQuery, OrderBy, Params};
use crate::recorder::Recorder;
use crate::records::{OrganizationRecord, PersonRecord};

/// The content type of every HAL answer, as Altinn sends it.
pub(crate) const HAL_JSON: &str = "application/hal+json; charset=utf-8";
/// The content type of a plain-JSON answer.
pub(crate) const PLAIN_JSON: &str = "application/json; charset=utf-8";
/// Where the API lives under the base URL.
pub(crate) const API_PREFIX: &str = "/api/serviceowner";
/// Altinn's login page, where [`Fault::LoginRedirect`] points.
pub(crate) const LOGIN_PATH: &str = "/ui/Authentication";

/// Served by [`Fault::TruncatedJson`] and [`Fault::CloseMidBody`] when the real answer has no
/// JSON body to cut (an error, say).
const PLACEHOLDER_JSON: &[u8] =
    br#"{"_links":{"self":{"href":"/api/serviceowner/organizations"}},"_embedded":{"organizations":[]}}"#;

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"nb\">\n<head><meta charset=\"utf-8\"><title>Logg inn i Altinn</title></head>\n<body>\n<h1>Logg inn i Altinn</h1>\n<p>Velg hvordan du vil logge inn. (altinn-contacts-sandbox)</p>\n<form method=\"post\" action=\"/ui/Authentication\"><button type=\"submit\">ID-porten</button></form>\n</body>\n</html>\n";

/// Everything the handler needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) dataset: Dataset,
    pub(crate) api_key: String,
    pub(crate) bearer: Option<String>,
    /// The Maskinporten endpoint, when on; its tokens are accepted as `Bearer`.
    pub(crate) maskinporten: Option<Arc<crate::maskinporten::Maskinporten>>,
    pub(crate) client_ca: bool,
    pub(crate) scheme: &'static str,
    /// `host:port` for links when a request has no usable `Host` header.
    pub(crate) authority: String,
    pub(crate) faults: Faults,
    pub(crate) recorder: Recorder,
    /// The emulations of Altinn 2's successors.
    pub(crate) successors: crate::successors::Successors,
}

/// What the connection knows about the client.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnInfo {
    pub(crate) client_certificate: bool,
}

/// The outcome of the API proper, before faults and wire form.
enum Reply {
    Json {
        body: Bytes,
        content_type: &'static str,
    },
    Error {
        status: StatusCode,
        reason: Cow<'static, str>,
    },
}

fn error(status: StatusCode, reason: impl Into<Cow<'static, str>>) -> Reply {
    Reply::Error {
        status,
        reason: reason.into(),
    }
}

fn bad_request(reason: BadRequest) -> Reply {
    error(StatusCode::BAD_REQUEST, reason)
}

/// Which of Altinn 2's representations a request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Representation {
    /// `application/hal+json`, and the default (no `Accept`, `*/*`, anything else).
    Hal,
    /// `application/json` without `application/hal+json`.
    Plain,
}

impl Representation {
    fn of(headers: &HeaderMap) -> Self {
        let mut json = false;
        for value in headers.get_all(header::ACCEPT) {
            let Ok(text) = value.to_str() else { continue };
            for media in text.split(',') {
                let media = media.split(';').next().unwrap_or("").trim();
                if media.eq_ignore_ascii_case("application/hal+json") {
                    return Representation::Hal;
                }
                json |= media.eq_ignore_ascii_case("application/json");
            }
        }
        if json {
            Representation::Plain
        } else {
            Representation::Hal
        }
    }
}

/// A resource the sandbox serves, in both representations.
trait Served: Serialize {
    fn plain_json(&self) -> serde_json::Value;
}

macro_rules! served {
    ($($t:ty),*) => {$(
        impl Served for $t {
            fn plain_json(&self) -> serde_json::Value {
                self.to_plain_json()
            }
        }
    )*};
}

served!(
    Organization,
    OrganizationList,
    OfficialContactList,
    PersonalContactList,
    RoleList
);

fn json<T: Served>(value: &T, representation: Representation) -> Reply {
    let (bytes, content_type) = match representation {
        Representation::Hal => (serde_json::to_vec(value), HAL_JSON),
        Representation::Plain => (serde_json::to_vec(&value.plain_json()), PLAIN_JSON),
    };
    match bytes {
        Ok(bytes) => Reply::Json {
            body: Bytes::from(bytes),
            content_type,
        },
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

/// An empty-bodied answer whose message is the reason phrase, as Altinn writes errors.
fn error_response(status: StatusCode, reason: &str) -> Response<Body> {
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

fn hal_response(body: Bytes) -> Response<Body> {
    json_response(body, HAL_JSON)
}

fn json_response(body: Bytes, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn into_response(reply: Reply) -> Response<Body> {
    match reply {
        Reply::Json { body, content_type } => json_response(body, content_type),
        Reply::Error { status, reason } => error_response(status, &reason),
    }
}

fn html_page() -> Response<Body> {
    let mut response = Response::new(Body::from(LOGIN_PAGE));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The `scheme://authority` links point at: the `Host` the client used when it is a plain
/// host name or address, so a sandbox listening on `0.0.0.0` links back the way it was reached.
fn link_base(state: &AppState, headers: &HeaderMap) -> String {
    let authority = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() < 256
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or(&state.authority);
    format!("{}://{}", state.scheme, authority)
}

/// The axum handler for every path.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    Extension(conn): Extension<ConnInfo>,
    request: Request,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    state.recorder.record(&parts, conn.client_certificate);
    let base = link_base(&state, &parts.headers);
    if crate::successors::claims(&state, parts.uri.path()) {
        return crate::successors::handle(&state, conn, parts, body, &base).await;
    }
    if let Some(maskinporten) = &state.maskinporten
        && let Some(answer) = maskinporten_answer(maskinporten, &parts, body, &base).await
    {
        return answer;
    }
    if parts.uri.path().eq_ignore_ascii_case(LOGIN_PATH) {
        return html_page();
    }
    let decision = state.faults.decide(parts.uri.path());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.fault {
        None => into_response(answer(&state, conn, &parts, &base)),
        Some(fault) => fault_response(fault, &state, conn, &parts, &base),
    }
}

/// The Maskinporten token endpoint and the token exchange; `None` for any other path.
pub(crate) async fn maskinporten_answer(
    maskinporten: &crate::maskinporten::Maskinporten,
    parts: &Parts,
    body: Body,
    base: &str,
) -> Option<Response<Body>> {
    use crate::maskinporten::{EXCHANGE_PATH, ISSUER_PATH, TOKEN_PATH};
    let path = parts.uri.path();
    let answer = if path == TOKEN_PATH {
        if parts.method != Method::POST {
            return Some(error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
            ));
        }
        let Ok(body) = axum::body::to_bytes(body, 64 * 1024).await else {
            return Some(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large",
            ));
        };
        maskinporten.token(&format!("{base}{ISSUER_PATH}"), &body)
    } else if path == EXCHANGE_PATH {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        maskinporten.exchange(authorization)
    } else {
        return None;
    };
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Some(response)
}

fn fault_response(
    fault: Fault,
    state: &AppState,
    conn: ConnInfo,
    parts: &Parts,
    base: &str,
) -> Response<Body> {
    let real_json = || match answer(state, conn, parts, base) {
        Reply::Json { body, .. } if body.len() >= 2 => body,
        _ => Bytes::from_static(PLACEHOLDER_JSON),
    };
    match fault {
        Fault::Status { status, reason } => error_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &reason,
        ),
        Fault::ServiceUnavailable => {
            error_response(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Fault::TooManyRequests { retry_after_secs } => {
            let mut response = error_response(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Fault::HtmlPage => html_page(),
        Fault::LoginRedirect => {
            let original = match parts.uri.query() {
                Some(q) => format!("{base}{}?{q}", parts.uri.path()),
                None => format!("{base}{}", parts.uri.path()),
            };
            let go_to: String = url::form_urlencoded::byte_serialize(original.as_bytes()).collect();
            let location = format!("{base}{LOGIN_PATH}?goTo={go_to}");
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::FOUND;
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Fault::TruncatedJson => {
            let body = real_json();
            let cut = body.len() / 2;
            hal_response(body.slice(..cut))
        }
        Fault::CloseMidBody => {
            let body = real_json();
            let full = body.len();
            let half = body.slice(..full / 2);
            let first = futures::stream::iter([Ok::<Bytes, io::Error>(half)]);
            // The pause lets hyper flush the half that was sent before the error closes the
            // connection, so the client sees headers and a short body rather than nothing.
            let abort = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "sandbox fault: connection closed mid-body",
                ))
            });
            let mut response = Response::new(Body::from_stream(first.chain(abort)));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(HAL_JSON));
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            response
        }
        fault @ (Fault::TooManyRequestsDate { .. }
        | Fault::ResetBeforeAnswer
        | Fault::Stall { .. }) => {
            crate::faults::respond(&fault, || into_response(answer(state, conn, parts, base)))
        }
    }
}

/// The API's own answer: method, authentication, then the route.
fn answer(state: &AppState, conn: ConnInfo, parts: &Parts, base: &str) -> Reply {
    if parts.method != Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, messages::METHOD_NOT_ALLOWED);
    }
    let params = Params::parse(parts.uri.query());
    if let Err(reply) = authenticate(state, conn, &parts.headers, &params) {
        return reply;
    }
    let representation = Representation::of(&parts.headers);
    route(
        &state.dataset,
        parts.uri.path(),
        &params,
        base,
        representation,
    )
}

fn authenticate(
    state: &AppState,
    conn: ConnInfo,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(), Reply> {
    match headers.get("apikey") {
        None => return Err(error(StatusCode::BAD_REQUEST, messages::API_KEY_MISSING)),
        Some(v) if v.is_empty() => {
            return Err(error(StatusCode::BAD_REQUEST, messages::API_KEY_MISSING));
        }
        Some(v) if v.as_bytes() != state.api_key.as_bytes() => {
            return Err(error(StatusCode::FORBIDDEN, messages::API_KEY_FORBIDDEN));
        }
        Some(_) => {}
    }
    let bearer = state.bearer.as_deref();
    let tokens_required = bearer.is_some() || state.maskinporten.is_some();
    if !state.client_ca && !tokens_required {
        return Ok(());
    }
    let certificate_ok =
        state.client_ca && conn.client_certificate && params.has("ForceEIAuthentication");
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, sent)| sent.trim());
    let bearer_ok = sent.is_some_and(|sent| {
        bearer.is_some_and(|token| sent == token)
            || state.maskinporten.as_ref().is_some_and(|m| m.accepts(sent))
    });
    if certificate_ok || bearer_ok {
        Ok(())
    } else if state.client_ca && (conn.client_certificate || !tokens_required) {
        Err(error(
            StatusCode::UNAUTHORIZED,
            messages::ENTERPRISE_CERTIFICATE_FAILED,
        ))
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            messages::NO_AUTHENTICATED_ORGANIZATION,
        ))
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Decodes `%XX` escapes of a path segment (a `+` stays a `+` in a path).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(
    dataset: &Dataset,
    path: &str,
    params: &Params,
    base: &str,
    representation: Representation,
) -> Reply {
    let not_found = || error(StatusCode::NOT_FOUND, messages::NO_SUCH_RESOURCE);
    let Some(rest) = strip_prefix_ignore_case(path, API_PREFIX).and_then(|r| r.strip_prefix('/'))
    else {
        return not_found();
    };
    let mut segments: Vec<&str> = rest.split('/').collect();
    // Altinn's own examples end some paths with a slash.
    if segments.len() > 1 && segments.last() == Some(&"") {
        segments.pop();
    }
    let is = |segment: &str, word: &str| segment.eq_ignore_ascii_case(word);
    let links = LinkBase::new(base, representation);
    match segments.as_slice() {
        [o] if is(o, "organizations") => organizations(dataset, params, &links),
        [o, number] if is(o, "organizations") => one_organization(dataset, number, params, &links),
        [o, number, c] if is(o, "organizations") && is(c, "officialcontacts") => {
            official_contacts(dataset, number, &links)
        }
        [o, number, c] if is(o, "organizations") && is(c, "personalcontacts") => {
            personal_contacts(dataset, number, params, &links)
        }
        [o, number, c, person, r]
            if is(o, "organizations") && is(c, "personalcontacts") && is(r, "roles") =>
        {
            roles(dataset, number, person, &links)
        }
        _ => not_found(),
    }
}

/// Builds the absolute hrefs of the API's links, and writes answers in the representation
/// the request asked for.
struct LinkBase {
    organizations: String,
    api: String,
    representation: Representation,
}

impl LinkBase {
    fn new(base: &str, representation: Representation) -> Self {
        LinkBase {
            organizations: format!("{base}{API_PREFIX}/organizations"),
            api: format!("{base}{API_PREFIX}"),
            representation,
        }
    }

    /// The answer holding `value`, HAL or plain JSON.
    fn reply<T: Served>(&self, value: &T) -> Reply {
        json(value, self.representation)
    }

    fn organization(&self, number: &str) -> Links {
        let own = format!("{}/{number}", self.organizations);
        Links::new()
            .with("self", own.clone())
            .with("personalcontacts", format!("{own}/personalcontacts"))
            .with("officialcontacts", format!("{own}/officialcontacts"))
    }

    fn person(&self, number: &str, person: &PersonRecord) -> PersonalContact {
        let mut contact = person.contact.clone();
        contact.links = match &contact.personal_contact_id {
            Some(id) => Links::new().with(
                "roles",
                format!(
                    "{}/{number}/personalcontacts/{id}/roles",
                    self.organizations
                ),
            ),
            None => Links::new(),
        };
        contact
    }

    fn role(&self, role: &Role) -> Role {
        let mut role = role.clone();
        role.links = match role.role_definition_id {
            Some(id) => Links::new().with(
                "roledefinition",
                format!("{}/roledefinitions/{id}", self.api),
            ),
            None => Links::new(),
        };
        role
    }
}

/// The organization at `pos` as served: links, and official contacts when expanded.
fn served_organization(
    dataset: &Dataset,
    pos: u32,
    expand: bool,
    links: &LinkBase,
) -> Organization {
    let mut org = if expand {
        let record = dataset.record(pos);
        let mut org = record.organization.clone();
        let mut embedded = OrganizationEmbedded::default();
        embedded.official_contacts = record.official_contacts.clone();
        org.embedded = Some(embedded);
        org
    } else {
        dataset.organization(pos).into_owned()
    };
    org.links = links.organization(org.organization_number.as_ref().map_or("", |n| n.as_str()));
    org
}

fn page(positions: impl Iterator<Item = u32>, q: &ListQuery, dataset: &Dataset) -> Vec<u32> {
    match &q.type_filter {
        Some(code) => positions
            .filter(|&pos| dataset.has_type(pos, code))
            .skip(q.skip)
            .take(q.top)
            .collect(),
        None => positions.skip(q.skip).take(q.top).collect(),
    }
}

fn organizations(dataset: &Dataset, params: &Params, links: &LinkBase) -> Reply {
    let q = match query::parse_list(params) {
        Ok(q) => q,
        Err(reason) => return bad_request(reason),
    };
    let all = 0..dataset.len() as u32;
    let positions = if q.email.is_some() || q.phone.is_some() {
        let mut hits = dataset.search(q.email.as_deref(), q.phone.as_deref());
        if q.order == OrderBy::Name {
            dataset.sort_by_name(&mut hits);
        }
        if q.descending {
            hits.reverse();
        }
        page(hits.into_iter(), &q, dataset)
    } else {
        match (q.order, q.descending) {
            (OrderBy::Number, false) => page(all, &q, dataset),
            (OrderBy::Number, true) => page(all.rev(), &q, dataset),
            (OrderBy::Name, false) => page(dataset.name_order().iter().copied(), &q, dataset),
            (OrderBy::Name, true) => page(dataset.name_order().iter().rev().copied(), &q, dataset),
        }
    };
    let items = positions
        .into_iter()
        .map(|pos| served_organization(dataset, pos, q.expand, links))
        .collect();
    links.reply(&OrganizationList::from_items(
        links.organizations.clone(),
        items,
    ))
}

/// Checks the `{orgno}` of a path and finds the organization: `(position, number)`.
fn lookup(dataset: &Dataset, raw: &str) -> Result<(u32, String), Reply> {
    let number = percent_decode(raw);
    if !is_valid_organization_number(&number) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            messages::invalid_organization_number(&number),
        ));
    }
    match dataset.find(&number) {
        Some(pos) => Ok((pos, number)),
        None => Err(error(
            StatusCode::NOT_FOUND,
            messages::organization_not_found(&number),
        )),
    }
}

fn one_organization(dataset: &Dataset, raw: &str, params: &Params, links: &LinkBase) -> Reply {
    let (pos, _) = match lookup(dataset, raw) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    match query::parse_expand(params) {
        Ok(expand) => links.reply(&served_organization(dataset, pos, expand, links)),
        Err(reason) => bad_request(reason),
    }
}

fn official_contacts(dataset: &Dataset, raw: &str, links: &LinkBase) -> Reply {
    let (pos, number) = match lookup(dataset, raw) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let record = dataset.record(pos);
    links.reply(&OfficialContactList::from_items(
        format!("{}/{number}/officialcontacts", links.organizations),
        record.official_contacts.clone(),
    ))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn personal_contacts(dataset: &Dataset, raw: &str, params: &Params, links: &LinkBase) -> Reply {
    let (pos, number) = match lookup(dataset, raw) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let role_code = params.non_empty("roleDefinitionCode");
    if let Some(code) = role_code
        && !code.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return error(
            StatusCode::BAD_REQUEST,
            messages::invalid_role_definition_code(code),
        );
    }
    let service = match (
        params.non_empty("serviceCode"),
        params.non_empty("serviceEdition"),
    ) {
        (None, None) => None,
        (Some(code), Some(edition)) if all_digits(code) && all_digits(edition) => {
            Some((code, edition))
        }
        _ => return error(StatusCode::BAD_REQUEST, messages::INVALID_SERVICE),
    };
    let record = dataset.record(pos);
    let items = persons(&record)
        .filter(|p| role_code.is_none_or(|code| p.has_role_code(code)))
        .filter(|p| service.is_none_or(|(code, edition)| p.may_use_service(code, edition)))
        .map(|p| links.person(&number, p))
        .collect();
    links.reply(&PersonalContactList::from_items(
        format!("{}/{number}/personalcontacts", links.organizations),
        items,
    ))
}

fn persons(record: &OrganizationRecord) -> impl Iterator<Item = &PersonRecord> {
    record.personal_contacts.iter()
}

fn roles(dataset: &Dataset, raw: &str, raw_person: &str, links: &LinkBase) -> Reply {
    let (pos, number) = match lookup(dataset, raw) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let person_id = percent_decode(raw_person);
    let well_formed = person_id
        .strip_prefix('r')
        .is_some_and(|digits| all_digits(digits) && digits.len() <= 18);
    if !well_formed {
        return error(StatusCode::BAD_REQUEST, messages::INVALID_PERSON_ID);
    }
    let record = dataset.record(pos);
    let Some(person) = persons(&record).find(|p| p.person_id() == person_id) else {
        return error(
            StatusCode::NOT_FOUND,
            messages::personal_contact_not_found(&person_id, &number),
        );
    };
    let items = person.roles.iter().map(|r| links.role(r)).collect();
    links.reply(&RoleList::from_items(
        format!(
            "{}/{number}/personalcontacts/{person_id}/roles",
            links.organizations
        ),
        items,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_of_path_segments() {
        assert_eq!(percent_decode("00210%20%20%20%20"), "00210    ");
        assert_eq!(percent_decode("a+b%2"), "a+b%2");
        assert_eq!(percent_decode("%C3%A6%zz"), "æ%zz");
    }

    #[test]
    fn reason_phrases_lose_control_characters() {
        let response = error_response(
            StatusCode::BAD_REQUEST,
            "Invalid organization number: a\r\nb",
        );
        let phrase = response.extensions().get::<ReasonPhrase>().unwrap();
        assert_eq!(phrase.as_bytes(), b"Invalid organization number: a  b");
    }
}
