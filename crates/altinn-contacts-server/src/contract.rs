//! [`Contract`]: one request of the Altinn 2 ServiceOwner contact API, from method, path and
//! query to a typed [`ContactsApi`] call and back to an [`Answer`].
//!
//! The path words compare case-insensitively, a trailing slash is allowed (Altinn's own
//! examples have one), identifiers in the path are checked exactly as sent (no trimming) with
//! Altinn's error texts, and the query is read by [`crate::params`].

use std::fmt;
use std::sync::Arc;

use altinn_contacts_api::{
    ContactsApi, Expand, OrganizationNumber, PersonId, PersonalContactsFilter, RoleCode,
    ServiceCode, ServiceEdition,
};
use altinn_contacts_model::{OrganizationList, is_valid_organization_number};
use axum::http::{HeaderMap, Method, StatusCode, Uri};

use crate::answer::{API_PREFIX, Answer};
use crate::messages;
use crate::params::{self, ListCall, Params};
use crate::render::{Renderer, Representation};

/// The Altinn 2 contract over one backend: what both the sandbox (over its in-memory dataset)
/// and the gateway (over any backend) answer with.
#[derive(Clone)]
pub struct Contract {
    api: Arc<dyn ContactsApi>,
}

impl fmt::Debug for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contract").finish_non_exhaustive()
    }
}

/// One call of the contract, its input validated.
enum Call {
    List(ListCall),
    Organization(OrganizationNumber, Expand),
    OfficialContacts(OrganizationNumber),
    PersonalContacts(OrganizationNumber, PersonalContactsFilter),
    Roles(OrganizationNumber, PersonId),
}

impl Contract {
    /// The contract over `api`.
    pub fn new(api: Arc<dyn ContactsApi>) -> Self {
        Contract { api }
    }

    /// The backend.
    pub fn api(&self) -> &Arc<dyn ContactsApi> {
        &self.api
    }

    /// Answers one request: anything but `GET` is `405`; then `authenticate` sees the query
    /// (an `Err` is answered as it is); then the path and query become a call of the backend,
    /// whose result is written with links under `base` (`scheme://authority`, no trailing
    /// slash) in the representation `Accept` asks for.
    pub async fn answer<F>(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        base: &str,
        authenticate: F,
    ) -> Answer
    where
        F: FnOnce(&Params) -> Result<(), Answer>,
    {
        if method != Method::GET {
            return Answer::error(StatusCode::METHOD_NOT_ALLOWED, messages::METHOD_NOT_ALLOWED);
        }
        let params = Params::parse(uri.query());
        if let Err(refused) = authenticate(&params) {
            return refused;
        }
        let call = match route(uri.path(), &params) {
            Ok(call) => call,
            Err(answer) => return answer,
        };
        let renderer = Renderer::new(base, Representation::of(headers));
        self.call(call, &renderer).await
    }

    async fn call(&self, call: Call, renderer: &Renderer) -> Answer {
        let api = &*self.api;
        let failed = |e: altinn_contacts_api::Error| {
            use altinn_contacts_api::Error as E;
            // The caller's own misses are routine; the backend failing is the operator's
            // business. `Display` of an `Error` holds no secret and masks identity numbers.
            match &e {
                E::NotFound(_)
                | E::BadRequest(_)
                | E::Throttled { .. }
                | E::InvalidInput(_)
                | E::Unsupported(_) => {
                    tracing::debug!(target: "altinn_contacts_server", error = %e, "backend call failed");
                }
                _ => {
                    tracing::warn!(target: "altinn_contacts_server", error = %e, "backend call failed")
                }
            }
            crate::errors::answer(&e)
        };
        match call {
            Call::List(ListCall::List(query)) => match api.organizations(&query).await {
                Ok(list) => renderer.organizations(list),
                Err(e) => failed(e),
            },
            Call::List(ListCall::Search(search)) => match api.search_organizations(&search).await {
                Ok(list) => renderer.organizations(list),
                Err(e) => failed(e),
            },
            Call::List(ListCall::Nothing) => {
                renderer.organizations(OrganizationList::from_items("", Vec::new()))
            }
            Call::Organization(org, expand) => match api.organization(&org, expand).await {
                Ok(organization) => renderer.organization(organization),
                Err(e) => failed(e),
            },
            Call::OfficialContacts(org) => match api.official_contacts(&org).await {
                Ok(list) => renderer.official_contacts(org.as_str(), list),
                Err(e) => failed(e),
            },
            Call::PersonalContacts(org, filter) => {
                match api.personal_contacts(&org, &filter).await {
                    Ok(list) => renderer.personal_contacts(org.as_str(), list),
                    Err(e) => failed(e),
                }
            }
            Call::Roles(org, person) => match api.roles(&org, &person).await {
                Ok(list) => renderer.roles(org.as_str(), person.as_str(), list),
                Err(e) => failed(e),
            },
        }
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

/// True for `GET {api}/organizations` (the list and the search: the only paged call).
pub fn is_organizations_list(method: &Method, path: &str) -> bool {
    let path = path.strip_suffix('/').unwrap_or(path).as_bytes();
    let (prefix, rest) = path.split_at(API_PREFIX.len().min(path.len()));
    method == Method::GET
        && prefix.eq_ignore_ascii_case(API_PREFIX.as_bytes())
        && rest.eq_ignore_ascii_case(b"/organizations")
}

fn bad_request(reason: impl Into<std::borrow::Cow<'static, str>>) -> Answer {
    Answer::error(StatusCode::BAD_REQUEST, reason)
}

fn route(path: &str, params: &Params) -> Result<Call, Answer> {
    let not_found = || Answer::error(StatusCode::NOT_FOUND, messages::NO_SUCH_RESOURCE);
    let Some(rest) = strip_prefix_ignore_case(path, API_PREFIX).and_then(|r| r.strip_prefix('/'))
    else {
        return Err(not_found());
    };
    let mut segments: Vec<&str> = rest.split('/').collect();
    if segments.len() > 1 && segments.last() == Some(&"") {
        segments.pop();
    }
    let is = |segment: &str, word: &str| segment.eq_ignore_ascii_case(word);
    match segments.as_slice() {
        [o] if is(o, "organizations") => params::parse_list(params)
            .map(Call::List)
            .map_err(bad_request),
        [o, number] if is(o, "organizations") => {
            let org = organization_number(number)?;
            let expand = params::parse_expand(params).map_err(bad_request)?;
            Ok(Call::Organization(org, expand))
        }
        [o, number, c] if is(o, "organizations") && is(c, "officialcontacts") => {
            Ok(Call::OfficialContacts(organization_number(number)?))
        }
        [o, number, c] if is(o, "organizations") && is(c, "personalcontacts") => {
            let org = organization_number(number)?;
            Ok(Call::PersonalContacts(org, personal_filter(params)?))
        }
        [o, number, c, person, r]
            if is(o, "organizations") && is(c, "personalcontacts") && is(r, "roles") =>
        {
            let org = organization_number(number)?;
            Ok(Call::Roles(org, person_id(person)?))
        }
        _ => Err(not_found()),
    }
}

/// The `{orgno}` of a path: nine digits with a valid check digit, exactly as sent.
fn organization_number(raw: &str) -> Result<OrganizationNumber, Answer> {
    let number = percent_decode(raw);
    if is_valid_organization_number(&number)
        && let Ok(org) = number.parse::<OrganizationNumber>()
    {
        return Ok(org);
    }
    Err(bad_request(messages::invalid_organization_number(&number)))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The `{personId}` of a path: Altinn 2's `r` and digits, or a successor's `u` and digits (an
/// Altinn 3 user id), exactly as sent. A national identity number is refused: it has no place
/// in a URL, which proxies and servers log.
fn person_id(raw: &str) -> Result<PersonId, Answer> {
    let id = percent_decode(raw);
    let well_formed = id
        .strip_prefix('r')
        .or_else(|| id.strip_prefix('u'))
        .is_some_and(|digits| all_digits(digits) && digits.len() <= 18);
    match id.parse::<PersonId>() {
        Ok(person) if well_formed && person.as_str() == id => Ok(person),
        _ => Err(bad_request(messages::INVALID_PERSON_ID)),
    }
}

fn personal_filter(params: &Params) -> Result<PersonalContactsFilter, Answer> {
    let mut filter = PersonalContactsFilter::new();
    if let Some(code) = params.non_empty("roleDefinitionCode") {
        match code.parse::<RoleCode>() {
            Ok(role) if role.as_str() == code => filter = filter.role(role),
            _ => return Err(bad_request(messages::invalid_role_definition_code(code))),
        }
    }
    match (
        params.non_empty("serviceCode"),
        params.non_empty("serviceEdition"),
    ) {
        (None, None) => {}
        (Some(code), Some(edition)) if all_digits(code) && all_digits(edition) => {
            match (
                code.parse::<ServiceCode>(),
                edition.parse::<ServiceEdition>(),
            ) {
                (Ok(code), Ok(edition)) => filter = filter.service(code, edition),
                _ => return Err(bad_request(messages::INVALID_SERVICE)),
            }
        }
        _ => return Err(bad_request(messages::INVALID_SERVICE)),
    }
    Ok(filter)
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
    fn only_the_organizations_list_is_paged() {
        let get = |path| is_organizations_list(&Method::GET, path);
        assert!(get("/api/serviceowner/organizations"));
        assert!(get("/API/ServiceOwner/Organizations/"));
        assert!(!get("/api/serviceowner/organizations/910021451"));
        assert!(!get("/api/serviceowner/organization"));
        assert!(!get("/api/serviceowner"));
        assert!(!get("/æ"));
        assert!(!get(""));
        assert!(!is_organizations_list(
            &Method::POST,
            "/api/serviceowner/organizations"
        ));
    }

    #[test]
    fn person_ids_in_paths() {
        assert!(person_id("r50022994").is_ok());
        assert!(person_id("06117701547").is_err());
        assert!(person_id("r").is_err());
        assert!(person_id("%20r1").is_err());
        assert!(person_id("r1234567890123456789").is_err());
    }
}
