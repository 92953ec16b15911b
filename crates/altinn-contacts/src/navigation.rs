//! HAL navigation: following a resource's own `_links` to related resources.
//!
//! Altinn's resources link to each other (`officialcontacts` and `personalcontacts` on an
//! organization, `roles` on a personal contact). [`Client::follow_official_contacts`],
//! [`Client::follow_personal_contacts`] and [`Client::follow_roles`] find the link and ask the
//! backend where it leads ([`ContactsApi::resolve_link`]), then make that typed call; a request
//! is never sent to the href itself. The facade knows no URL: the backend that builds the paths
//! is the one that reads them back, so its one configured host, credentials and error mapping
//! stay in charge.
//!
//! What the backends do with a link:
//! - The HTTPS transport ([`ReqwestContactsApi`](crate::ReqwestContactsApi)) accepts a link on its
//!   own base URL (same scheme, host and port, path under the base path; a relative href is read
//!   against it) whose path is the call for the relation, with identifiers that pass the same
//!   validation as typed input. A link to another origin is refused
//!   ([`NavigationError::ForeignOrigin`]), anything else it cannot read is
//!   [`NavigationError::UnrecognizedLink`]. The rules are in
//!   [`altinn_contacts_reqwest::wire`].
//! - A [`Recorder`](crate::recording::Recorder) asks the backend it wraps; a
//!   [`Replayer`](crate::recording::Replayer) reads the path only (it sends nothing anywhere).
//! - `MockContactsApi` answers what the test expects (`expect_resolve_link`).
//! - Any other backend refuses links unless it implements the method
//!   ([`NavigationError::Unsupported`]).
//!
//! [`Client::follow_official_contacts`]: crate::Client::follow_official_contacts
//! [`Client::follow_personal_contacts`]: crate::Client::follow_personal_contacts
//! [`Client::follow_roles`]: crate::Client::follow_roles
//! [`ContactsApi::resolve_link`]: altinn_contacts_api::ContactsApi::resolve_link

use altinn_contacts_api::Error;
pub use altinn_contacts_api::{LinkError, LinkRelation, LinkTarget};

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
    /// The link points to another origin than the backend's; it was not followed.
    #[error(
        "refused to follow the {rel:?} link to {href:?}: it is not on the configured origin {expected}"
    )]
    ForeignOrigin {
        /// The relation of the link.
        rel: &'static str,
        /// The link's href (identity numbers masked).
        href: String,
        /// The backend's origin.
        expected: String,
    },
    /// The link's href is not a path the backend knows how to follow for the relation.
    #[error("cannot follow the {rel:?} link {href:?}: {reason}")]
    UnrecognizedLink {
        /// The relation of the link.
        rel: &'static str,
        /// The link's href (identity numbers masked).
        href: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The backend does not follow links (it keeps the default of
    /// [`ContactsApi::resolve_link`](altinn_contacts_api::ContactsApi::resolve_link)).
    #[error("this backend cannot follow links (the {rel:?} link was not followed)")]
    Unsupported {
        /// The relation of the link.
        rel: &'static str,
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

impl From<LinkError> for NavigationError {
    fn from(error: LinkError) -> Self {
        let rel = error.relation().as_str();
        match error {
            LinkError::ForeignOrigin { href, expected, .. } => NavigationError::ForeignOrigin {
                rel,
                href,
                expected,
            },
            LinkError::Unrecognized { href, reason, .. } => {
                NavigationError::UnrecognizedLink { rel, href, reason }
            }
            // `Unsupported`, and whatever a later API version adds: not followed.
            _ => NavigationError::Unsupported { rel },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_errors_keep_their_kind_and_relation() {
        let foreign = NavigationError::from(LinkError::ForeignOrigin {
            rel: LinkRelation::Roles,
            href: "https://altinn.example.invalid/x".into(),
            expected: "https://www.altinn.no".into(),
        });
        assert!(
            matches!(&foreign, NavigationError::ForeignOrigin { rel: "roles", href, .. }
                if href.contains("example.invalid")),
            "{foreign:?}"
        );
        let unrecognized = NavigationError::from(LinkError::Unrecognized {
            rel: LinkRelation::OfficialContacts,
            href: String::new(),
            reason: "it is a URI template".into(),
        });
        assert!(unrecognized.to_string().contains("URI template"));
        let unsupported = NavigationError::from(LinkError::Unsupported {
            rel: LinkRelation::PersonalContacts,
        });
        assert!(matches!(
            unsupported,
            NavigationError::Unsupported {
                rel: "personalcontacts"
            }
        ));
        assert!(unsupported.api_error().is_none());
    }
}
