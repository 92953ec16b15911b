//! The [`ContactsApi`] trait: one async method per call of the API, independent of transport.

use altinn_contacts_model::{
    Link, OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList,
};
use async_trait::async_trait;

use crate::error::Error;
use crate::ids::{OrganizationNumber, PersonId};
use crate::link::{LinkError, LinkRelation, LinkTarget};
use crate::query::{ContactPointSearch, Expand, OrganizationsQuery, PersonalContactsFilter};

/// The Altinn ServiceOwner contact-information API.
///
/// Implemented over HTTP by `altinn-contacts-reqwest`; a test implements it with
/// `MockContactsApi` (feature `mock`) or by hand, and another backend (Altinn 3 services, a
/// cache) can implement it as well. Every method takes validated input, so an implementation only
/// fails for reasons on the far side of the call.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ContactsApi: Send + Sync {
    /// One page of all organizations the service owner may see (`GET organizations`).
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error>;

    /// Organizations with an official or personal contact point matching the search.
    async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error>;

    /// One organization, optionally with its official contacts embedded.
    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error>;

    /// The official contact points of an organization ("Felles kontaktinformasjon").
    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error>;

    /// The people who registered personal contact points for an organization.
    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error>;

    /// The roles a person holds for an organization.
    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error>;

    /// The call a resource's `rel` link leads to; nothing is sent.
    ///
    /// Only the backend knows its URLs, so it is the one to read an href: the HTTPS transport
    /// accepts links on its own base URL whose path is the call for `rel`, and refuses links to
    /// another origin ([`LinkError::ForeignOrigin`]). The default refuses every link
    /// ([`LinkError::Unsupported`]); a backend that serves Altinn's links implements it, and a
    /// test sets an expectation on `MockContactsApi::expect_resolve_link`.
    fn resolve_link(&self, rel: LinkRelation, link: &Link) -> Result<LinkTarget, LinkError> {
        let _ = link;
        Err(LinkError::Unsupported { rel })
    }
}
