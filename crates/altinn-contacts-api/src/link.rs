//! HAL navigation as typed values: which relation is followed ([`LinkRelation`]), the call a
//! link leads to ([`LinkTarget`]) and why a link cannot be followed ([`LinkError`]).
//!
//! Nothing here knows a URL: how an href maps to a call is the backend's business
//! ([`ContactsApi::resolve_link`](crate::ContactsApi::resolve_link)); the HTTPS transport reads
//! Altinn 2's paths and checks the href against its own base URL.

use crate::ids::{OrganizationNumber, PersonId};

/// A relation in a resource's `_links` that leads to another call of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinkRelation {
    /// An organization's official contacts (`officialcontacts`).
    OfficialContacts,
    /// An organization's personal contacts (`personalcontacts`).
    PersonalContacts,
    /// A personal contact's roles (`roles`).
    Roles,
}

impl LinkRelation {
    /// The relation's name, the key in `_links`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkRelation::OfficialContacts => "officialcontacts",
            LinkRelation::PersonalContacts => "personalcontacts",
            LinkRelation::Roles => "roles",
        }
    }
}

impl std::fmt::Display for LinkRelation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The call a link leads to, with validated identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkTarget {
    /// [`ContactsApi::official_contacts`](crate::ContactsApi::official_contacts) of the
    /// organization.
    OfficialContacts(OrganizationNumber),
    /// [`ContactsApi::personal_contacts`](crate::ContactsApi::personal_contacts) of the
    /// organization.
    PersonalContacts(OrganizationNumber),
    /// [`ContactsApi::roles`](crate::ContactsApi::roles) of the person for the organization.
    Roles(OrganizationNumber, PersonId),
}

impl LinkTarget {
    /// The relation whose links lead to this kind of call.
    pub fn relation(&self) -> LinkRelation {
        match self {
            LinkTarget::OfficialContacts(_) => LinkRelation::OfficialContacts,
            LinkTarget::PersonalContacts(_) => LinkRelation::PersonalContacts,
            LinkTarget::Roles(..) => LinkRelation::Roles,
        }
    }
}

/// Why a backend would not turn a link into a call. Hrefs are shown bounded, with identity
/// numbers masked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The backend does not follow links (the default of
    /// [`ContactsApi::resolve_link`](crate::ContactsApi::resolve_link)).
    #[error("this backend cannot follow links (the \"{rel}\" link was not followed)")]
    Unsupported {
        /// The relation asked for.
        rel: LinkRelation,
    },
    /// The link points to another origin than the backend's own; it was not followed.
    #[error(
        "refused to follow the \"{rel}\" link to {href:?}: it is not on the configured origin {expected}"
    )]
    ForeignOrigin {
        /// The relation of the link.
        rel: LinkRelation,
        /// The link's href (identity numbers masked).
        href: String,
        /// The backend's origin.
        expected: String,
    },
    /// The href is not a link the backend knows how to follow for the relation.
    #[error("cannot follow the \"{rel}\" link {href:?}: {reason}")]
    Unrecognized {
        /// The relation of the link.
        rel: LinkRelation,
        /// The link's href (identity numbers masked).
        href: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl LinkError {
    /// The relation of the link that was not followed.
    pub fn relation(&self) -> LinkRelation {
        match self {
            LinkError::Unsupported { rel }
            | LinkError::ForeignOrigin { rel, .. }
            | LinkError::Unrecognized { rel, .. } => *rel,
        }
    }
}
