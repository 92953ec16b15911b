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
    /// differs: the Altinn 2 transport sends personal-contact ids (`r...` from Altinn, `u...`
    /// from the gateway) and refuses national identity numbers, which must not travel in a URL
    /// path; the Altinn 3 backend takes user ids (`u...`) and national identity numbers and
    /// refuses `r...` ids, which no successor knows. A refusal is [`Error::Unsupported`], before
    /// anything is sent.
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

/// A shared backend is a backend: `Arc<dyn ContactsApi>` lets a program pick its backend at run
/// time (the CLI's `--backend`, a gateway serving any of them) and still use the facade's
/// generic `Client<A>`. Every method forwards, the batch methods and `resolve_link` included.
macro_rules! forward_contacts_api {
    ($wrapper:ident) => {
        #[async_trait]
        impl<T: ContactsApi + ?Sized> ContactsApi for std::sync::$wrapper<T> {
            async fn organizations(
                &self,
                query: &OrganizationsQuery,
            ) -> Result<OrganizationList, Error> {
                (**self).organizations(query).await
            }

            async fn search_organizations(
                &self,
                search: &ContactPointSearch,
            ) -> Result<OrganizationList, Error> {
                (**self).search_organizations(search).await
            }

            async fn organization(
                &self,
                org: &OrganizationNumber,
                expand: Expand,
            ) -> Result<Organization, Error> {
                (**self).organization(org, expand).await
            }

            async fn official_contacts(
                &self,
                org: &OrganizationNumber,
            ) -> Result<OfficialContactList, Error> {
                (**self).official_contacts(org).await
            }

            async fn personal_contacts(
                &self,
                org: &OrganizationNumber,
                filter: &PersonalContactsFilter,
            ) -> Result<PersonalContactList, Error> {
                (**self).personal_contacts(org, filter).await
            }

            async fn roles(
                &self,
                org: &OrganizationNumber,
                person: &PersonId,
            ) -> Result<RoleList, Error> {
                (**self).roles(org, person).await
            }

            fn batch_limit(&self, operation: Operation) -> usize {
                (**self).batch_limit(operation)
            }

            async fn official_contacts_batch(
                &self,
                orgs: &[OrganizationNumber],
            ) -> Vec<Result<OfficialContactList, Error>> {
                (**self).official_contacts_batch(orgs).await
            }

            async fn personal_contacts_batch(
                &self,
                orgs: &[OrganizationNumber],
                filter: &PersonalContactsFilter,
            ) -> Vec<Result<PersonalContactList, Error>> {
                (**self).personal_contacts_batch(orgs, filter).await
            }

            fn resolve_link(
                &self,
                rel: LinkRelation,
                link: &Link,
            ) -> Result<LinkTarget, LinkError> {
                (**self).resolve_link(rel, link)
            }
        }
    };
}

forward_contacts_api!(Arc);

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    #[async_trait]
    impl ContactsApi for Fixed {
        async fn organizations(&self, _: &OrganizationsQuery) -> Result<OrganizationList, Error> {
            Ok(OrganizationList::default())
        }
        async fn search_organizations(
            &self,
            _: &ContactPointSearch,
        ) -> Result<OrganizationList, Error> {
            Ok(OrganizationList::default())
        }
        async fn organization(
            &self,
            _: &OrganizationNumber,
            _: Expand,
        ) -> Result<Organization, Error> {
            Ok(Organization::default())
        }
        async fn official_contacts(
            &self,
            _: &OrganizationNumber,
        ) -> Result<OfficialContactList, Error> {
            Ok(OfficialContactList::default())
        }
        async fn personal_contacts(
            &self,
            _: &OrganizationNumber,
            _: &PersonalContactsFilter,
        ) -> Result<PersonalContactList, Error> {
            Ok(PersonalContactList::default())
        }
        async fn roles(&self, _: &OrganizationNumber, _: &PersonId) -> Result<RoleList, Error> {
            Ok(RoleList::default())
        }
        fn batch_limit(&self, operation: Operation) -> usize {
            if operation == Operation::PersonalContacts {
                100
            } else {
                1
            }
        }
    }

    #[test]
    fn an_arc_of_dyn_forwards_overridden_methods_and_defaults() {
        let api: std::sync::Arc<dyn ContactsApi> = std::sync::Arc::new(Fixed);
        assert_eq!(api.batch_limit(Operation::PersonalContacts), 100);
        assert_eq!(api.batch_limit(Operation::OfficialContacts), 1);
        let orgs: Vec<OrganizationNumber> =
            vec!["910021451".parse().unwrap(), "310524832".parse().unwrap()];
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let results = rt.block_on(api.official_contacts_batch(&orgs));
        assert_eq!(results.len(), 2);
        assert!(results.iter().all(Result::is_ok));
    }
}
