//! The sandbox's data as a [`ContactsApi`] backend: the six calls answered from the in-memory
//! [`Dataset`], with Altinn's paging, ordering, filter and search semantics and its not-found
//! messages. The wire format (routing, OData syntax, HAL, links, errors as reason phrases) is
//! `altinn-contacts-server`'s, shared with the gateway; links here are relative, since the
//! server writes its own.

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, Error, Expand, HttpFailure, MAX_PAGE_SIZE, Operation, OrderBy,
    OrganizationNumber, OrganizationsQuery, PersonId, PersonalContactsFilter,
};
use altinn_contacts_model::{
    OfficialContactList, Organization, OrganizationEmbedded, OrganizationList, PersonalContactList,
    RoleList,
};
use altinn_contacts_server::{API_PREFIX, messages};
use async_trait::async_trait;

use crate::dataset::Dataset;

fn not_found(operation: Operation, message: String) -> Error {
    Error::NotFound(HttpFailure::new(operation, 404, message))
}

impl Dataset {
    fn position(&self, operation: Operation, org: &OrganizationNumber) -> Result<u32, Error> {
        self.find(org.as_str())
            .ok_or_else(|| not_found(operation, messages::organization_not_found(org.as_str())))
    }

    /// The organization at `pos`, with its official contacts embedded when expanded.
    fn served_organization(&self, pos: u32, expand: Expand) -> Organization {
        if expand == Expand::OfficialContacts {
            let record = self.record(pos);
            let mut org = record.organization.clone();
            let mut embedded = OrganizationEmbedded::default();
            embedded.official_contacts = record.official_contacts.clone();
            org.embedded = Some(embedded);
            org
        } else {
            self.organization(pos).into_owned()
        }
    }

    /// One page of `positions` (already in order) after the type filter.
    fn page(
        &self,
        positions: impl Iterator<Item = u32>,
        query: &OrganizationsQuery,
    ) -> OrganizationList {
        let top = query
            .top
            .map_or(MAX_PAGE_SIZE, |t| t.clamp(1, MAX_PAGE_SIZE)) as usize;
        let skip = usize::try_from(query.skip.unwrap_or(0)).unwrap_or(usize::MAX);
        let chosen: Vec<u32> = match &query.type_filter {
            Some(code) => positions
                .filter(|&pos| self.has_type(pos, code.as_str()))
                .skip(skip)
                .take(top)
                .collect(),
            None => positions.skip(skip).take(top).collect(),
        };
        let items = chosen
            .into_iter()
            .map(|pos| self.served_organization(pos, query.expand))
            .collect();
        OrganizationList::from_items(format!("{API_PREFIX}/organizations"), items)
    }
}

#[async_trait]
impl ContactsApi for Dataset {
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        let all = 0..self.len() as u32;
        let order = query.order_by.unwrap_or_default();
        Ok(match (order, query.descending) {
            (OrderBy::Name, false) => self.page(self.name_order().iter().copied(), query),
            (OrderBy::Name, true) => self.page(self.name_order().iter().rev().copied(), query),
            (_, false) => self.page(all, query),
            (_, true) => self.page(all.rev(), query),
        })
    }

    async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        let query = search.options();
        let mut hits = self.search(
            search.email_address().map(|e| e.as_str()),
            search.phone_number().map(|p| p.as_str()),
        );
        if query.order_by == Some(OrderBy::Name) {
            self.sort_by_name(&mut hits);
        }
        if query.descending {
            hits.reverse();
        }
        Ok(self.page(hits.into_iter(), query))
    }

    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        let pos = self.position(Operation::GetOrganization, org)?;
        Ok(self.served_organization(pos, expand))
    }

    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        let pos = self.position(Operation::OfficialContacts, org)?;
        Ok(OfficialContactList::from_items(
            format!("{API_PREFIX}/organizations/{org}/officialcontacts"),
            self.record(pos).official_contacts.clone(),
        ))
    }

    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        let pos = self.position(Operation::PersonalContacts, org)?;
        let record = self.record(pos);
        let role = filter.role.as_ref().map(|r| r.as_str());
        let service = filter
            .service
            .as_ref()
            .map(|(code, edition)| (code.as_str(), edition.as_str()));
        let items = record
            .personal_contacts
            .iter()
            .filter(|p| role.is_none_or(|code| p.has_role_code(code)))
            .filter(|p| service.is_none_or(|(code, edition)| p.may_use_service(code, edition)))
            .map(|p| p.contact.clone())
            .collect();
        Ok(PersonalContactList::from_items(
            format!("{API_PREFIX}/organizations/{org}/personalcontacts"),
            items,
        ))
    }

    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error> {
        let pos = self.position(Operation::Roles, org)?;
        let record = self.record(pos);
        let Some(found) = record
            .personal_contacts
            .iter()
            .find(|p| p.person_id() == person.as_str())
        else {
            return Err(not_found(
                Operation::Roles,
                messages::personal_contact_not_found(person.as_str(), org.as_str()),
            ));
        };
        Ok(RoleList::from_items(
            format!(
                "{API_PREFIX}/organizations/{org}/personalcontacts/{}/roles",
                person.as_str()
            ),
            found.roles.clone(),
        ))
    }
}
