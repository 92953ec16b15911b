//! Altinn 2's wire format on the client side, in one place: the paths of the six calls, their
//! query names and OData syntax, and how a HAL href maps back to a call.
//!
//! The crates above the transport hold typed values only ([`OrganizationsQuery`],
//! [`LinkTarget`], ...); this module is where those meet URLs.
//!
//! # Requests
//! Every call is `{base}api/serviceowner/organizations[...]`, every path segment and query value
//! percent-encoded (`+` as `%2B`, a space as `%20`), and with a certificate
//! `ForceEIAuthentication` first and without a value, as Altinn documents it:
//!
//! | call | path after `api/serviceowner/` | query |
//! |---|---|---|
//! | organizations | `organizations` | `$top`, `$skip`, `$orderby=OrganizationNumber\|Name`, `$filter=Type eq '<code>'`, `$expand=OfficialContacts` |
//! | search | `organizations` | `email`, `phoneNumber` |
//! | organization | `organizations/{orgno}` | `$expand=OfficialContacts` |
//! | official contacts | `organizations/{orgno}/officialcontacts` | - |
//! | personal contacts | `organizations/{orgno}/personalcontacts` | `roleDefinitionCode`, `serviceCode` and `serviceEdition` |
//! | roles | `organizations/{orgno}/personalcontacts/{personId}/roles` | - |
//!
//! # Links
//! [`resolve_link`] turns a resource's `_links` entry into a [`LinkTarget`] by *parsing* its
//! href into validated identifiers; the caller then makes the typed call, so the request goes to
//! the transport's own server with its own credentials and error mapping, never to the href.
//! - With an origin (the transport's base URL), an absolute href must have the same scheme, host
//!   and port, and its path must start with the base URL's path; otherwise it is refused with
//!   [`LinkError::ForeignOrigin`].
//! - Without one (an offline replay), only the path is read, whatever host the href names; what
//!   precedes `api/serviceowner` is taken as the prefix.
//! - A relative href (`/api/serviceowner/...`) is read against the origin (or as a bare path).
//! - The path must be the call of the relation asked for (the table above), with identifiers
//!   that pass the same validation as typed input; path words are compared without regard to
//!   ASCII case (IIS-hosted Altinn ignores it). A URI template, another path or another scheme
//!   is [`LinkError::Unrecognized`]. The href's query string is ignored.
//! - Hrefs in errors are bounded and have identity numbers masked.

use altinn_contacts_api::{
    ContactPointSearch, Expand, InvalidInput, LinkError, LinkRelation, LinkTarget, OrderBy,
    OrganizationNumber, OrganizationsQuery, PersonId, PersonIdKind, PersonalContactsFilter,
    redact_identity_numbers,
};
use altinn_contacts_model::Link;
use url::Url;

/// The path every call is under, after the base URL.
pub(crate) const API_PATH: [&str; 2] = ["api", "serviceowner"];
/// [`API_PATH`] as a base URL's path may end with it (a base URL given with it is tolerated).
pub(crate) const API_PREFIX: &str = "api/serviceowner/";
const ORGANIZATIONS: &str = "organizations";
const OFFICIAL_CONTACTS: &str = "officialcontacts";
const PERSONAL_CONTACTS: &str = "personalcontacts";
const ROLES: &str = "roles";

/// The query flag that makes Altinn ask for the enterprise certificate.
const FORCE_EI_AUTHENTICATION: &str = "ForceEIAuthentication";

/// One call's path (after `api/serviceowner/`) and query parameters, unencoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Endpoint<'a> {
    segments: Vec<&'a str>,
    pairs: Vec<(&'static str, String)>,
}

impl Endpoint<'_> {
    /// `{base}api/serviceowner/{segments...}?[ForceEIAuthentication&]{pairs}`, every segment
    /// and query value percent-encoded.
    pub(crate) fn url(&self, base: &Url, force_ei_authentication: bool) -> Url {
        let mut url = base.clone();
        // A validated base URL is http(s) with a host, so it can always take path segments.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(API_PATH).extend(&self.segments);
        }
        let mut query = String::new();
        if force_ei_authentication {
            // First and without a value, as Altinn documents it.
            query.push_str(FORCE_EI_AUTHENTICATION);
        }
        for (name, value) in &self.pairs {
            if !query.is_empty() {
                query.push('&');
            }
            encode_into(&mut query, name, true);
            query.push('=');
            encode_into(&mut query, value, false);
        }
        url.set_query((!query.is_empty()).then_some(query.as_str()));
        url
    }
}

/// `GET organizations` with the OData options of `query`, after its validation.
pub(crate) fn organizations(query: &OrganizationsQuery) -> Result<Endpoint<'static>, InvalidInput> {
    let mut pairs = Vec::with_capacity(5);
    list_options(query, &mut pairs)?;
    Ok(Endpoint {
        segments: vec![ORGANIZATIONS],
        pairs,
    })
}

/// The OData options of the organizations list (also applied to a search's hits).
fn list_options(
    query: &OrganizationsQuery,
    pairs: &mut Vec<(&'static str, String)>,
) -> Result<(), InvalidInput> {
    query.validate()?;
    if let Some(top) = query.top {
        pairs.push(("$top", top.to_string()));
    }
    if let Some(skip) = query.skip {
        pairs.push(("$skip", skip.to_string()));
    }
    match (query.order_by, query.descending) {
        (Some(order), false) => pairs.push(("$orderby", order_by(order)?.to_owned())),
        (order, true) => {
            let order = order_by(order.unwrap_or_default())?;
            pairs.push(("$orderby", format!("{order} desc")));
        }
        (None, false) => {}
    }
    if let Some(code) = &query.type_filter {
        // `TypeCode` admits no quote, so the value cannot end the OData string early.
        pairs.push(("$filter", format!("Type eq '{}'", code.as_str())));
    }
    pairs.extend(expand(query.expand));
    Ok(())
}

/// `GET organizations?email=..&phoneNumber=..`, with the list options of the search, if any.
pub(crate) fn search(search: &ContactPointSearch) -> Result<Endpoint<'static>, InvalidInput> {
    let mut pairs = Vec::with_capacity(2);
    if let Some(email) = search.email_address() {
        pairs.push(("email", email.as_str().to_owned()));
    }
    if let Some(phone) = search.phone_number() {
        pairs.push(("phoneNumber", phone.as_str().to_owned()));
    }
    list_options(search.options(), &mut pairs)?;
    Ok(Endpoint {
        segments: vec![ORGANIZATIONS],
        pairs,
    })
}

/// `GET organizations/{orgno}[?$expand=OfficialContacts]`.
pub(crate) fn organization(org: &OrganizationNumber, with: Expand) -> Endpoint<'_> {
    Endpoint {
        segments: vec![ORGANIZATIONS, org.as_str()],
        pairs: expand(with).into_iter().collect(),
    }
}

/// `GET organizations/{orgno}/officialcontacts`.
pub(crate) fn official_contacts(org: &OrganizationNumber) -> Endpoint<'_> {
    Endpoint {
        segments: vec![ORGANIZATIONS, org.as_str(), OFFICIAL_CONTACTS],
        pairs: Vec::new(),
    }
}

/// `GET organizations/{orgno}/personalcontacts` with the filter's query names.
pub(crate) fn personal_contacts<'a>(
    org: &'a OrganizationNumber,
    filter: &PersonalContactsFilter,
) -> Endpoint<'a> {
    let mut pairs = Vec::with_capacity(3);
    if let Some(role) = &filter.role {
        pairs.push(("roleDefinitionCode", role.as_str().to_owned()));
    }
    if let Some((code, edition)) = &filter.service {
        pairs.push(("serviceCode", code.as_str().to_owned()));
        pairs.push(("serviceEdition", edition.as_str().to_owned()));
    }
    Endpoint {
        segments: vec![ORGANIZATIONS, org.as_str(), PERSONAL_CONTACTS],
        pairs,
    }
}

/// `GET organizations/{orgno}/personalcontacts/{personId}/roles`.
pub(crate) fn roles<'a>(org: &'a OrganizationNumber, person: &'a PersonId) -> Endpoint<'a> {
    Endpoint {
        segments: vec![
            ORGANIZATIONS,
            org.as_str(),
            PERSONAL_CONTACTS,
            person.as_str(),
            ROLES,
        ],
        pairs: Vec::new(),
    }
}

/// The `$orderby` value.
fn order_by(order: OrderBy) -> Result<&'static str, InvalidInput> {
    match order {
        OrderBy::OrganizationNumber => Ok("OrganizationNumber"),
        OrderBy::Name => Ok("Name"),
        // A sort order added to the API crate before this transport learned its OData name.
        other => Err(InvalidInput::new(
            "sort order ($orderby)",
            &format!("{other:?}"),
            "this transport cannot send it",
        )),
    }
}

/// The `$expand` pair, if any.
fn expand(expand: Expand) -> Option<(&'static str, String)> {
    (expand == Expand::OfficialContacts).then(|| ("$expand", "OfficialContacts".to_owned()))
}

/// Percent-encodes `text` into `out`: everything but ASCII letters, digits and `-._~` (and `$`
/// in parameter names, for OData's `$top`), so `+` goes out as `%2B` and a space as `%20`.
fn encode_into(out: &mut String, text: &str, name: bool) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (name && b == b'$')
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Where the `rel` link leads, as validated identifiers; nothing is sent.
///
/// `origin` is the base URL the link must be under (scheme, host, port and path prefix), as the
/// transport's own base URL; `None` reads the path only, whatever host the href names (for
/// backends that send nothing, such as a replayed recording). See the [module docs](self).
///
/// ```
/// use altinn_contacts_api::{LinkRelation, LinkTarget};
/// use altinn_contacts_model::Link;
/// use altinn_contacts_reqwest::wire::resolve_link;
/// use url::Url;
///
/// let origin = Url::parse("https://www.altinn.no/").unwrap();
/// let link = Link::new("https://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts");
/// let target = resolve_link(Some(&origin), LinkRelation::OfficialContacts, &link).unwrap();
/// assert_eq!(target, LinkTarget::OfficialContacts("910021451".parse().unwrap()));
///
/// let elsewhere = Link::new("https://altinn.example.invalid/api/serviceowner/organizations/910021451/officialcontacts");
/// assert!(resolve_link(Some(&origin), LinkRelation::OfficialContacts, &elsewhere).is_err());
/// ```
pub fn resolve_link(
    origin: Option<&Url>,
    rel: LinkRelation,
    link: &Link,
) -> Result<LinkTarget, LinkError> {
    let href = link.href.trim();
    let unrecognized = |reason: &str| LinkError::Unrecognized {
        rel,
        href: shown(href),
        reason: reason.to_owned(),
    };
    if href.is_empty() {
        return Err(unrecognized("the href is empty"));
    }
    if link.is_templated() {
        return Err(unrecognized("it is a URI template"));
    }
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            // A relative href is read against the origin; without one, against a placeholder
            // whose host is never used (only the path is read then).
            let base = match origin {
                Some(origin) => origin.clone(),
                None => Url::parse("http://origin.invalid/").map_err(|e| {
                    unrecognized(&format!("internal: placeholder URL does not parse: {e}"))
                })?,
            };
            base.join(href)
                .map_err(|e| unrecognized(&format!("it is not a valid URL: {e}")))?
        }
        Err(e) => return Err(unrecognized(&format!("it is not a valid URL: {e}"))),
    };
    if let Some(origin) = origin
        && !same_origin(&url, origin)
    {
        return Err(LinkError::ForeignOrigin {
            rel,
            href: shown(href),
            expected: origin.origin().ascii_serialization(),
        });
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(unrecognized("it is not an http(s) URL"));
    }
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    let start = match origin {
        Some(origin) => {
            let prefix: Vec<&str> = origin.path().split('/').filter(|s| !s.is_empty()).collect();
            if segments.len() < prefix.len() || segments[..prefix.len()] != prefix[..] {
                return Err(LinkError::ForeignOrigin {
                    rel,
                    href: shown(href),
                    expected: shown(origin.as_str()),
                });
            }
            prefix.len()
        }
        // Without an origin, whatever precedes `api/serviceowner` is taken as the prefix.
        None => segments
            .windows(2)
            .position(|w| is(w[0], API_PATH[0]) && is(w[1], API_PATH[1]))
            .ok_or_else(|| unrecognized("its path has no /api/serviceowner/ part"))?,
    };
    let target = parse_path(&segments[start..]).map_err(|reason| unrecognized(&reason))?;
    if target.relation() != rel {
        return Err(unrecognized(&format!(
            "it leads to another kind of resource than \"{rel}\""
        )));
    }
    Ok(target)
}

/// Parses `api/serviceowner/organizations/{orgno}/...` into a target.
fn parse_path(segments: &[&str]) -> Result<LinkTarget, String> {
    let shape = "the path is not /api/serviceowner/organizations/{orgno}/officialcontacts, \
                 …/personalcontacts or …/personalcontacts/{personId}/roles";
    match segments {
        [api, so, orgs, org, rest @ ..]
            if is(api, API_PATH[0]) && is(so, API_PATH[1]) && is(orgs, ORGANIZATIONS) =>
        {
            let org: OrganizationNumber = org.parse().map_err(|e| format!("{e}"))?;
            match rest {
                [oc] if is(oc, OFFICIAL_CONTACTS) => Ok(LinkTarget::OfficialContacts(org)),
                [pc] if is(pc, PERSONAL_CONTACTS) => Ok(LinkTarget::PersonalContacts(org)),
                [pc, person, roles] if is(pc, PERSONAL_CONTACTS) && is(roles, ROLES) => {
                    let person: PersonId = person.parse().map_err(|e| format!("{e}"))?;
                    // Links carry personal-contact ids (`r` from Altinn, `u` from the
                    // gateway), never an identity number.
                    if person.kind() == PersonIdKind::NationalIdentityNumber {
                        return Err(
                            "the person in a roles link must be a personal contact's id".to_owned()
                        );
                    }
                    Ok(LinkTarget::Roles(org, person))
                }
                _ => Err(shape.to_owned()),
            }
        }
        _ => Err(shape.to_owned()),
    }
}

/// Path words are compared without regard to ASCII case (IIS-hosted Altinn ignores it).
fn is(segment: &str, word: &str) -> bool {
    segment.eq_ignore_ascii_case(word)
}

fn same_origin(url: &Url, origin: &Url) -> bool {
    url.scheme() == origin.scheme()
        && url.host() == origin.host()
        && url.port_or_known_default() == origin.port_or_known_default()
}

/// An href as shown in an error: bounded, identity numbers masked.
fn shown(href: &str) -> String {
    let mut s: String = href.chars().take(200).collect();
    if href.chars().count() > 200 {
        s.push('…');
    }
    redact_identity_numbers(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> OrganizationNumber {
        s.parse().unwrap()
    }

    fn base(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    // --- requests ---

    #[test]
    fn query_values_are_percent_encoded() {
        let mut out = String::new();
        encode_into(&mut out, "$filter", true);
        out.push('=');
        encode_into(&mut out, "Type eq 'ENK'", false);
        assert_eq!(out, "$filter=Type%20eq%20%27ENK%27");
        let mut out = String::new();
        encode_into(&mut out, "+47 987/65?&=ø", false);
        assert_eq!(out, "%2B47%20987%2F65%3F%26%3D%C3%B8");
        let mut out = String::new();
        encode_into(&mut out, "$x", false);
        assert_eq!(out, "%24x");
    }

    #[test]
    fn organizations_query_renders_odata_in_order() {
        let q = OrganizationsQuery::new()
            .top(500)
            .skip(1000)
            .order_by(OrderBy::Name)
            .organization_type("ENK".parse().unwrap())
            .with_official_contacts();
        let endpoint = organizations(&q).unwrap();
        assert_eq!(
            endpoint.pairs,
            vec![
                ("$top", "500".to_string()),
                ("$skip", "1000".to_string()),
                ("$orderby", "Name".to_string()),
                ("$filter", "Type eq 'ENK'".to_string()),
                ("$expand", "OfficialContacts".to_string()),
            ]
        );
        let url = endpoint.url(&base("https://www.altinn.no/"), true);
        assert_eq!(
            url.as_str(),
            "https://www.altinn.no/api/serviceowner/organizations?ForceEIAuthentication\
             &$top=500&$skip=1000&$orderby=Name&$filter=Type%20eq%20%27ENK%27\
             &$expand=OfficialContacts"
        );
        let by_number = OrganizationsQuery::new().order_by(OrderBy::OrganizationNumber);
        assert_eq!(
            organizations(&by_number).unwrap().pairs,
            vec![("$orderby", "OrganizationNumber".to_string())]
        );
        assert!(
            organizations(&OrganizationsQuery::new())
                .unwrap()
                .pairs
                .is_empty()
        );
    }

    #[test]
    fn an_invalid_page_size_is_refused_before_rendering() {
        for top in [0, MAX + 1] {
            let err = organizations(&OrganizationsQuery::new().top(top)).unwrap_err();
            assert_eq!(err.what(), "page size ($top)");
        }
    }

    const MAX: u32 = altinn_contacts_api::MAX_PAGE_SIZE;

    #[test]
    fn search_and_filter_query_names() {
        let both = ContactPointSearch::email_and_phone(
            "post@firma.no".parse().unwrap(),
            "+4799999999".parse().unwrap(),
        );
        assert_eq!(
            search(&both).unwrap().pairs,
            vec![
                ("email", "post@firma.no".to_string()),
                ("phoneNumber", "+4799999999".to_string()),
            ]
        );
        // The list's options apply to a search's hits, descending order included.
        let paged = both.with_options(
            OrganizationsQuery::new()
                .top(2)
                .order_by(OrderBy::Name)
                .descending(),
        );
        assert_eq!(
            search(&paged).unwrap().pairs[2..],
            [
                ("$top", "2".to_string()),
                ("$orderby", "Name desc".to_string()),
            ]
        );
        let descending = OrganizationsQuery::new().descending();
        assert_eq!(
            organizations(&descending).unwrap().pairs,
            [("$orderby", "OrganizationNumber desc".to_string())]
        );
        assert!(
            search(&paged.with_options(OrganizationsQuery::new().top(0))).is_err(),
            "options are validated"
        );
        let o = org("910021451");
        let filter = PersonalContactsFilter::new()
            .role("DAGL".parse().unwrap())
            .service("4503".parse().unwrap(), "2".parse().unwrap());
        let endpoint = personal_contacts(&o, &filter);
        assert_eq!(
            endpoint
                .url(&base("http://127.0.0.1:9/prefix/"), false)
                .as_str(),
            "http://127.0.0.1:9/prefix/api/serviceowner/organizations/910021451/personalcontacts\
             ?roleDefinitionCode=DAGL&serviceCode=4503&serviceEdition=2"
        );
    }

    #[test]
    fn paths_of_the_single_resource_calls() {
        let o = org("910021451");
        let person: PersonId = "r50022994".parse().unwrap();
        let b = base("https://www.altinn.no/");
        let urls = [
            organization(&o, Expand::None).url(&b, false),
            organization(&o, Expand::OfficialContacts).url(&b, false),
            official_contacts(&o).url(&b, false),
            roles(&o, &person).url(&b, true),
        ];
        let expected = [
            "https://www.altinn.no/api/serviceowner/organizations/910021451",
            "https://www.altinn.no/api/serviceowner/organizations/910021451?$expand=OfficialContacts",
            "https://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts",
            "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts/r50022994/roles?ForceEIAuthentication",
        ];
        for (url, expected) in urls.iter().zip(expected) {
            assert_eq!(url.as_str(), expected);
        }
    }

    #[test]
    fn every_call_path_resolves_back_to_its_call() {
        // The two directions agree: a link to the URL a call is made with leads to that call.
        let o = org("910021451");
        let person: PersonId = "r50022994".parse().unwrap();
        let b = base("http://127.0.0.1:9/prefix/");
        let cases = [
            (
                official_contacts(&o),
                LinkRelation::OfficialContacts,
                LinkTarget::OfficialContacts(o.clone()),
            ),
            (
                personal_contacts(&o, &PersonalContactsFilter::new()),
                LinkRelation::PersonalContacts,
                LinkTarget::PersonalContacts(o.clone()),
            ),
            (
                roles(&o, &person),
                LinkRelation::Roles,
                LinkTarget::Roles(o.clone(), person.clone()),
            ),
        ];
        for (endpoint, rel, target) in cases {
            let link = Link::new(endpoint.url(&b, true).as_str());
            assert_eq!(resolve_link(Some(&b), rel, &link).unwrap(), target);
        }
    }

    // --- links ---

    fn resolve(
        origin: Option<&Url>,
        rel: LinkRelation,
        href: &str,
    ) -> Result<LinkTarget, LinkError> {
        resolve_link(origin, rel, &Link::new(href))
    }

    const OC: &str =
        "https://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts";

    #[test]
    fn same_origin_link_is_followed() {
        let o = base("https://www.altinn.no/");
        let t = resolve(Some(&o), LinkRelation::OfficialContacts, OC).unwrap();
        assert_eq!(t, LinkTarget::OfficialContacts(org("910021451")));
    }

    #[test]
    fn roles_link_with_trailing_slash_and_query() {
        let o = base("https://www.altinn.no");
        let href = "https://www.altinn.no:443/api/ServiceOwner/organizations/910021451/personalcontacts/r50022994/roles/?ForceEIAuthentication";
        let t = resolve(Some(&o), LinkRelation::Roles, href).unwrap();
        assert_eq!(
            t,
            LinkTarget::Roles(org("910021451"), "r50022994".parse().unwrap())
        );
    }

    #[test]
    fn path_words_ignore_ascii_case() {
        let o = base("https://www.altinn.no/");
        let href =
            "https://www.altinn.no/API/ServiceOwner/Organizations/910021451/OfficialContacts";
        assert!(resolve(Some(&o), LinkRelation::OfficialContacts, href).is_ok());
    }

    #[test]
    fn foreign_origins_are_refused() {
        let o = base("https://www.altinn.no/");
        for href in [
            "https://evil.example/api/serviceowner/organizations/910021451/officialcontacts",
            "http://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts",
            "https://www.altinn.no:8443/api/serviceowner/organizations/910021451/officialcontacts",
            "https://www.altinn.no.evil.example/api/serviceowner/organizations/910021451/officialcontacts",
            "//evil.example/api/serviceowner/organizations/910021451/officialcontacts",
        ] {
            let err = resolve(Some(&o), LinkRelation::OfficialContacts, href).unwrap_err();
            assert!(
                matches!(err, LinkError::ForeignOrigin { .. }),
                "{href}: {err}"
            );
            assert_eq!(err.relation(), LinkRelation::OfficialContacts);
        }
    }

    #[test]
    fn base_path_prefix_must_match() {
        let o = base("http://127.0.0.1:8080/altinn/");
        let ok = "http://127.0.0.1:8080/altinn/api/serviceowner/organizations/910021451/officialcontacts";
        assert!(resolve(Some(&o), LinkRelation::OfficialContacts, ok).is_ok());
        let other =
            "http://127.0.0.1:8080/other/api/serviceowner/organizations/910021451/officialcontacts";
        let err = resolve(Some(&o), LinkRelation::OfficialContacts, other).unwrap_err();
        assert!(matches!(err, LinkError::ForeignOrigin { .. }), "{err}");
    }

    #[test]
    fn relative_links() {
        let rel = "/api/serviceowner/organizations/910021451/personalcontacts";
        let o = base("http://127.0.0.1:9/");
        assert!(resolve(Some(&o), LinkRelation::PersonalContacts, rel).is_ok());
        assert!(resolve(None, LinkRelation::PersonalContacts, rel).is_ok());
    }

    #[test]
    fn without_origin_any_host_is_read_by_path() {
        let href = "http://127.0.0.1:1234/prefix/api/serviceowner/organizations/910021451/officialcontacts";
        assert!(resolve(None, LinkRelation::OfficialContacts, href).is_ok());
        let no_api = "http://127.0.0.1:1234/organizations/910021451/officialcontacts";
        let err = resolve(None, LinkRelation::OfficialContacts, no_api).unwrap_err();
        assert!(matches!(err, LinkError::Unrecognized { .. }), "{err}");
    }

    #[test]
    fn bad_links_are_clear_errors() {
        use LinkRelation::{OfficialContacts as Oc, Roles};
        let o = base("https://www.altinn.no/");
        for (rel, href) in [
            (Oc, ""),
            (
                Oc,
                "https://www.altinn.no/api/serviceowner/organizations/910021452/officialcontacts",
            ),
            (
                Oc,
                "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts",
            ),
            (
                Oc,
                "https://www.altinn.no/api/serviceowner/organizations/910021451",
            ),
            (
                Oc,
                "https://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts/extra",
            ),
            (
                Roles,
                "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts/x1/roles",
            ),
            (
                Roles,
                "https://www.altinn.no/api/serviceowner/roledefinitions/89",
            ),
            (
                Oc,
                "ftp://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts",
            ),
            (
                Oc,
                "https://www.altinn.no/api/serviceowner/organizations/%39%31%30021451/officialcontacts",
            ),
        ] {
            let err = resolve(Some(&o), rel, href).unwrap_err();
            assert!(
                matches!(
                    err,
                    LinkError::Unrecognized { .. } | LinkError::ForeignOrigin { .. }
                ),
                "{href}: {err}"
            );
        }
        let mut templated = Link::new(
            "https://www.altinn.no/api/serviceowner/organizations/{orgno}/officialcontacts",
        );
        templated.templated = Some(true);
        let err = resolve_link(Some(&o), Oc, &templated).unwrap_err();
        assert!(err.to_string().contains("template"), "{err}");
    }

    #[test]
    fn identity_numbers_in_hrefs_are_masked() {
        let o = base("https://www.altinn.no/");
        let href = "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts/06117701547/roles";
        let err = resolve(Some(&o), LinkRelation::Roles, href).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("06117701547"), "{text}");
        let foreign = "https://altinn.example.invalid/api/serviceowner/organizations/910021451/personalcontacts/06117701547/roles";
        let err = resolve(Some(&o), LinkRelation::Roles, foreign).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("06117701547"), "{text}");
    }
}
