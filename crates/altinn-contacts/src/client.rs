//! [`Client`]: the facade over a [`ContactsApi`] implementation.
//!
//! The client adds what no single call does: paging ([`Client::organizations`]), HAL navigation
//! ([`Client::follow_official_contacts`] and friends) and bulk lookups (see [`crate::bulk`]).
//! Plain calls pass straight through to the implementation.

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, Error, Expand, LinkRelation, LinkTarget, OrganizationNumber,
    OrganizationsQuery, PersonId, PersonalContactsFilter,
};
use altinn_contacts_model::{
    Links, OfficialContactList, Organization, OrganizationList, PersonalContact,
    PersonalContactList, RoleList,
};
use std::sync::Arc;

use crate::navigation::NavigationError;
use crate::paging::OrganizationPager;

/// The Altinn contact-information client.
///
/// `A` is the transport: [`ReqwestContactsApi`](crate::ReqwestContactsApi) by default (made by
/// [`Client::builder`]), or any [`ContactsApi`] through [`Client::from_api`] (a mock, a fake,
/// another backend).
///
/// Cheap to clone: the transport is shared (`Arc`), so paging streams and bulk
/// jobs hold a clone of their own and are `'static` (spawn them on a task, return them from a
/// function).
#[derive(Debug)]
pub struct Client<A = crate::ReqwestContactsApi> {
    api: Arc<A>,
}

impl<A> Clone for Client<A> {
    fn clone(&self) -> Self {
        Client {
            api: Arc::clone(&self.api),
        }
    }
}

impl<A: ContactsApi> Client<A> {
    /// A client over any implementation of the API. HAL links are followed as the
    /// implementation resolves them (see [`crate::navigation`]).
    pub fn from_api(api: A) -> Self {
        Client { api: Arc::new(api) }
    }

    /// The implementation underneath, for calls the facade does not wrap.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// The implementation underneath, shared with every clone of this client.
    pub fn shared_api(&self) -> Arc<A> {
        Arc::clone(&self.api)
    }

    /// Pages through every organization matching `query` (see [`OrganizationPager`]). The pager
    /// holds a clone of the client, so it outlives this borrow.
    pub fn organizations(&self, query: OrganizationsQuery) -> OrganizationPager<A> {
        OrganizationPager::new(self.clone(), query)
    }

    /// One page of organizations, exactly as `query` asks (no paging).
    pub async fn organizations_page(
        &self,
        query: &OrganizationsQuery,
    ) -> Result<OrganizationList, Error> {
        self.api.organizations(query).await
    }

    /// Organizations with a contact point matching `search`.
    pub async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        self.api.search_organizations(search).await
    }

    /// One organization, optionally with its official contacts embedded.
    pub async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        self.api.organization(org, expand).await
    }

    /// The official contacts of an organization.
    pub async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        self.api.official_contacts(org).await
    }

    /// The personal contacts of an organization, filtered.
    pub async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        self.api.personal_contacts(org, filter).await
    }

    /// The roles a person holds for an organization.
    pub async fn roles(
        &self,
        org: &OrganizationNumber,
        person: &PersonId,
    ) -> Result<RoleList, Error> {
        self.api.roles(org, person).await
    }

    /// Where the `rel` link of `links` leads, as the backend reads it
    /// ([`ContactsApi::resolve_link`]; see [`crate::navigation`]); nothing is sent.
    pub fn resolve_link(
        &self,
        links: &Links,
        rel: LinkRelation,
    ) -> Result<LinkTarget, NavigationError> {
        let link = links
            .get(rel.as_str())
            .ok_or(NavigationError::MissingLink { rel: rel.as_str() })?;
        let target = self.api.resolve_link(rel, link)?;
        if target.relation() != rel {
            return Err(unexpected(rel, &target));
        }
        Ok(target)
    }

    /// Follows an organization's `officialcontacts` link.
    pub async fn follow_official_contacts(
        &self,
        organization: &Organization,
    ) -> Result<OfficialContactList, NavigationError> {
        let rel = LinkRelation::OfficialContacts;
        match self.resolve_link(&organization.links, rel)? {
            LinkTarget::OfficialContacts(org) => Ok(self.api.official_contacts(&org).await?),
            other => Err(unexpected(rel, &other)),
        }
    }

    /// Follows an organization's `personalcontacts` link, with `filter` as the query.
    pub async fn follow_personal_contacts(
        &self,
        organization: &Organization,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, NavigationError> {
        let rel = LinkRelation::PersonalContacts;
        match self.resolve_link(&organization.links, rel)? {
            LinkTarget::PersonalContacts(org) => {
                Ok(self.api.personal_contacts(&org, filter).await?)
            }
            other => Err(unexpected(rel, &other)),
        }
    }

    /// Follows a personal contact's `roles` link.
    pub async fn follow_roles(
        &self,
        contact: &PersonalContact,
    ) -> Result<RoleList, NavigationError> {
        let rel = LinkRelation::Roles;
        match self.resolve_link(&contact.links, rel)? {
            LinkTarget::Roles(org, person) => Ok(self.api.roles(&org, &person).await?),
            other => Err(unexpected(rel, &other)),
        }
    }
}

/// A backend that resolved a link to another kind of call than its relation's: refused, so a
/// `roles` link never turns into, say, a personal-contacts call.
fn unexpected(rel: LinkRelation, target: &LinkTarget) -> NavigationError {
    NavigationError::UnrecognizedLink {
        rel: rel.as_str(),
        href: String::new(),
        reason: format!(
            "the backend resolved it to a \"{}\" call",
            target.relation()
        ),
    }
}
