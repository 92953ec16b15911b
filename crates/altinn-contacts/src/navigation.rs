//! HAL navigation: following a resource's own `_links` to related resources.
//!
//! Altinn's resources link to each other (`officialcontacts` and `personalcontacts` on an
//! organization, `roles` on a personal contact). The facade follows such a link by *parsing* its
//! href into validated identifiers and calling the [`ContactsApi`](crate::ContactsApi) method for
//! it, never by sending a request to the href itself. That keeps the transport's one configured
//! host, credentials and error mapping in charge, and it lets a mock or another backend serve the
//! same navigation.
//!
//! The href is checked first:
//! - When the client knows its origin (always with the reqwest transport: the configured base
//!   URL; with [`Client::from_api`](crate::Client::from_api) after
//!   [`Client::with_origin`](crate::Client::with_origin)), an absolute href must have the same
//!   scheme, host and port, and its path must start with the base URL's path. A link to another
//!   origin is refused with [`NavigationError::ForeignOrigin`]: it is never followed.
//! - When no origin is set, only the path is read, whatever host the href names. Nothing is ever
//!   sent to the href's host in either case (the request goes to the backend's own server), so the
//!   API key cannot leak; the origin check guards against following links a response should not
//!   hold.
//! - A relative href (`/api/serviceowner/...`) is read against the origin (or as a bare path).
//! - The path must be `…/api/serviceowner/organizations/{orgno}/officialcontacts`,
//!   `…/personalcontacts` or `…/personalcontacts/{personId}/roles` for the relation asked for,
//!   with identifiers that pass the same validation as typed input. Anything else is a
//!   [`NavigationError::UnrecognizedLink`]. The href's query string is ignored.

use altinn_contacts_api::{Error, OrganizationNumber, PersonId, redact_identity_numbers};
use altinn_contacts_model::Links;
use url::Url;

/// Why a link could not be followed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NavigationError {
    /// The resource has no link of this relation.
    #[error("the resource has no {rel:?} link to follow")]
    MissingLink {
        /// The relation that was looked for.
        rel: &'static str,
    },
    /// The link points to another origin than the configured one; it was not followed.
    #[error(
        "refused to follow the {rel:?} link to {href:?}: it is not on the configured origin {expected}"
    )]
    ForeignOrigin {
        /// The relation of the link.
        rel: &'static str,
        /// The link's href (identity numbers masked).
        href: String,
        /// The configured origin.
        expected: String,
    },
    /// The link's href is not a path this client knows how to follow for the relation.
    #[error("cannot follow the {rel:?} link {href:?}: {reason}")]
    UnrecognizedLink {
        /// The relation of the link.
        rel: &'static str,
        /// The link's href (identity numbers masked).
        href: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The link was fine; the call it led to failed.
    #[error(transparent)]
    Api(#[from] Error),
}

impl NavigationError {
    /// The API error, when the call itself failed.
    pub fn api_error(&self) -> Option<&Error> {
        match self {
            NavigationError::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// Where a link leads, as validated identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkTarget {
    /// `organizations/{orgno}/officialcontacts`.
    OfficialContacts(OrganizationNumber),
    /// `organizations/{orgno}/personalcontacts`.
    PersonalContacts(OrganizationNumber),
    /// `organizations/{orgno}/personalcontacts/{personId}/roles`.
    Roles(OrganizationNumber, PersonId),
}

/// The relations the facade follows.
pub(crate) const OFFICIAL_CONTACTS: &str = "officialcontacts";
pub(crate) const PERSONAL_CONTACTS: &str = "personalcontacts";
pub(crate) const ROLES: &str = "roles";

/// Finds the `rel` link in `links` and parses it into a target, checking it against `origin`.
pub(crate) fn resolve(
    origin: Option<&Url>,
    links: &Links,
    rel: &'static str,
) -> Result<LinkTarget, NavigationError> {
    let link = links.get(rel).ok_or(NavigationError::MissingLink { rel })?;
    let href = link.href.trim();
    let unrecognized = |reason: &str| NavigationError::UnrecognizedLink {
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
        return Err(NavigationError::ForeignOrigin {
            rel,
            href: shown(href),
            expected: origin.origin().ascii_serialization(),
        });
    }
    let base_path = origin.map(Url::path);
    if !matches!(url.scheme(), "http" | "https") {
        return Err(unrecognized("it is not an http(s) URL"));
    }
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    let start = match base_path {
        Some(base) => {
            let prefix: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
            if segments.len() < prefix.len() || segments[..prefix.len()] != prefix[..] {
                return Err(NavigationError::ForeignOrigin {
                    rel,
                    href: shown(href),
                    expected: shown(origin.map(Url::as_str).unwrap_or_default()),
                });
            }
            prefix.len()
        }
        // Without an origin, whatever precedes `api/serviceowner` is taken as the prefix.
        None => segments
            .windows(2)
            .position(|w| is(w[0], "api") && is(w[1], "serviceowner"))
            .ok_or_else(|| unrecognized("its path has no /api/serviceowner/ part"))?,
    };
    let target = parse_path(&segments[start..]).map_err(|reason| unrecognized(&reason))?;
    let matches_rel = matches!(
        (&target, rel),
        (LinkTarget::OfficialContacts(_), OFFICIAL_CONTACTS)
            | (LinkTarget::PersonalContacts(_), PERSONAL_CONTACTS)
            | (LinkTarget::Roles(..), ROLES)
    );
    if !matches_rel {
        return Err(unrecognized(&format!(
            "it leads to another kind of resource than {rel:?}"
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
            if is(api, "api") && is(so, "serviceowner") && is(orgs, "organizations") =>
        {
            let org: OrganizationNumber = org.parse().map_err(|e| format!("{e}"))?;
            match rest {
                [oc] if is(oc, OFFICIAL_CONTACTS) => Ok(LinkTarget::OfficialContacts(org)),
                [pc] if is(pc, PERSONAL_CONTACTS) => Ok(LinkTarget::PersonalContacts(org)),
                [pc, person, roles] if is(pc, PERSONAL_CONTACTS) && is(roles, ROLES) => {
                    let person: PersonId = person.parse().map_err(|e| format!("{e}"))?;
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

    fn links(rel: &str, href: &str) -> Links {
        Links::new().with(rel, href)
    }

    fn origin(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const OC: &str =
        "https://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts";

    #[test]
    fn same_origin_link_is_followed() {
        let o = origin("https://www.altinn.no/");
        let t = resolve(Some(&o), &links(OFFICIAL_CONTACTS, OC), OFFICIAL_CONTACTS).unwrap();
        assert_eq!(
            t,
            LinkTarget::OfficialContacts("910021451".parse().unwrap())
        );
    }

    #[test]
    fn roles_link_with_trailing_slash_and_query() {
        let o = origin("https://www.altinn.no");
        let href = "https://www.altinn.no:443/api/ServiceOwner/organizations/910021451/personalcontacts/r50022994/roles/?ForceEIAuthentication";
        let t = resolve(Some(&o), &links(ROLES, href), ROLES).unwrap();
        assert_eq!(
            t,
            LinkTarget::Roles("910021451".parse().unwrap(), "r50022994".parse().unwrap())
        );
    }

    #[test]
    fn foreign_origins_are_refused() {
        let o = origin("https://www.altinn.no/");
        for href in [
            "https://evil.example/api/serviceowner/organizations/910021451/officialcontacts",
            "http://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts",
            "https://www.altinn.no:8443/api/serviceowner/organizations/910021451/officialcontacts",
            "https://www.altinn.no.evil.example/api/serviceowner/organizations/910021451/officialcontacts",
            "//evil.example/api/serviceowner/organizations/910021451/officialcontacts",
        ] {
            let err =
                resolve(Some(&o), &links(OFFICIAL_CONTACTS, href), OFFICIAL_CONTACTS).unwrap_err();
            assert!(
                matches!(err, NavigationError::ForeignOrigin { .. }),
                "{href}: {err}"
            );
        }
    }

    #[test]
    fn base_path_prefix_must_match() {
        let o = origin("http://127.0.0.1:8080/altinn/");
        let ok = "http://127.0.0.1:8080/altinn/api/serviceowner/organizations/910021451/officialcontacts";
        assert!(resolve(Some(&o), &links(OFFICIAL_CONTACTS, ok), OFFICIAL_CONTACTS).is_ok());
        let other =
            "http://127.0.0.1:8080/other/api/serviceowner/organizations/910021451/officialcontacts";
        let err = resolve(
            Some(&o),
            &links(OFFICIAL_CONTACTS, other),
            OFFICIAL_CONTACTS,
        )
        .unwrap_err();
        assert!(
            matches!(err, NavigationError::ForeignOrigin { .. }),
            "{err}"
        );
    }

    #[test]
    fn relative_links() {
        let rel = "/api/serviceowner/organizations/910021451/personalcontacts";
        let o = origin("http://127.0.0.1:9/");
        assert!(resolve(Some(&o), &links(PERSONAL_CONTACTS, rel), PERSONAL_CONTACTS).is_ok());
        assert!(resolve(None, &links(PERSONAL_CONTACTS, rel), PERSONAL_CONTACTS).is_ok());
    }

    #[test]
    fn without_origin_any_host_is_read_by_path() {
        let href = "http://127.0.0.1:1234/prefix/api/serviceowner/organizations/910021451/officialcontacts";
        assert!(resolve(None, &links(OFFICIAL_CONTACTS, href), OFFICIAL_CONTACTS).is_ok());
    }

    #[test]
    fn bad_links_are_clear_errors() {
        let o = origin("https://www.altinn.no/");
        let missing = resolve(Some(&o), &Links::new(), OFFICIAL_CONTACTS).unwrap_err();
        assert!(matches!(
            missing,
            NavigationError::MissingLink {
                rel: "officialcontacts"
            }
        ));
        for (rel, href) in [
            (OFFICIAL_CONTACTS, ""),
            (
                OFFICIAL_CONTACTS,
                "https://www.altinn.no/api/serviceowner/organizations/910021452/officialcontacts",
            ),
            (
                OFFICIAL_CONTACTS,
                "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts",
            ),
            (
                OFFICIAL_CONTACTS,
                "https://www.altinn.no/api/serviceowner/organizations/910021451",
            ),
            (
                OFFICIAL_CONTACTS,
                "https://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts/extra",
            ),
            (
                ROLES,
                "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts/x1/roles",
            ),
            (
                ROLES,
                "https://www.altinn.no/api/serviceowner/roledefinitions/89",
            ),
            (
                OFFICIAL_CONTACTS,
                "ftp://www.altinn.no/api/serviceowner/organizations/910021451/officialcontacts",
            ),
            (
                OFFICIAL_CONTACTS,
                "https://www.altinn.no/api/serviceowner/organizations/%39%31%30021451/officialcontacts",
            ),
        ] {
            let err = resolve(Some(&o), &links(rel, href), rel).unwrap_err();
            assert!(
                matches!(
                    err,
                    NavigationError::UnrecognizedLink { .. }
                        | NavigationError::ForeignOrigin { .. }
                ),
                "{href}: {err}"
            );
        }
        let mut templated = altinn_contacts_model::Link::new(
            "https://www.altinn.no/api/serviceowner/organizations/{orgno}/officialcontacts",
        );
        templated.templated = Some(true);
        let mut l = Links::new();
        l.insert(OFFICIAL_CONTACTS, templated);
        let err = resolve(Some(&o), &l, OFFICIAL_CONTACTS).unwrap_err();
        assert!(err.to_string().contains("template"), "{err}");
    }

    #[test]
    fn identity_numbers_in_hrefs_are_masked() {
        let o = origin("https://www.altinn.no/");
        let href = "https://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts/06117701547/roles";
        let err = resolve(Some(&o), &links(ROLES, href), ROLES).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("06117701547"), "{text}");
    }
}
