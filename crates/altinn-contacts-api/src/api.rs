//! The [`ContactsApi`] trait: one async method per call of the API, independent of transport.

use altinn_contacts_model::{
    Link, OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList,
};
use async_trait::async_trait;

use crate::error::{Error, Operation};
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

    /// The roles a person holds for an organization. Which [`PersonId`] kinds a backend takes
    /// differs: Altinn 2 knows personal-contact ids (`r...`); the Altinn 3 backend knows user
    /// ids (`u...`) and national identity numbers. Another kind fails with
    /// [`Error::Unsupported`] before anything is sent.
    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error>;

    /// How many organizations one call of the `*_batch` method of `operation`
    /// ([`Operation::OfficialContacts`] or [`Operation::PersonalContacts`]) should carry at
    /// most: 1 (the default) when the backend has no service that takes many, so a batch is one
    /// call per organization. A bulk job cuts its input into batches of this size. It may differ
    /// by call: the Altinn 3 backend batches personal contacts always, official contacts only
    /// when they come from a service that takes many.
    fn batch_limit(&self, operation: Operation) -> usize {
        let _ = operation;
        1
    }

    /// The official contacts of each organization in `orgs`: one result per organization, in
    /// the order given (an implementation that answers a different number of results breaks
    /// this contract; the facade turns any shortfall into errors, never drops an input).
    ///
    /// The default makes one [`official_contacts`](Self::official_contacts) call after the
    /// other; a backend whose service takes many organizations per request overrides it (and
    /// [`batch_limit`](Self::batch_limit)). When the one request fails as a whole, every
    /// organization of the batch gets that error.
    async fn official_contacts_batch(
        &self,
        orgs: &[OrganizationNumber],
    ) -> Vec<Result<OfficialContactList, Error>> {
        let mut out = Vec::with_capacity(orgs.len());
        for org in orgs {
            out.push(self.official_contacts(org).await);
        }
        out
    }

    /// The personal contacts of each organization in `orgs`, filtered: one result per
    /// organization, in the order given. See
    /// [`official_contacts_batch`](Self::official_contacts_batch) for the contract.
    async fn personal_contacts_batch(
        &self,
        orgs: &[OrganizationNumber],
        filter: &PersonalContactsFilter,
    ) -> Vec<Result<PersonalContactList, Error>> {
        let mut out = Vec::with_capacity(orgs.len());
        for org in orgs {
            out.push(self.personal_contacts(org, filter).await);
        }
        out
    }

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
