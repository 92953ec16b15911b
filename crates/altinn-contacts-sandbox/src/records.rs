//! Records a user loads into the sandbox: an organization with its official and personal
//! contacts, and a person with roles and service rights.
//!
//! The sandbox fills in every `_links` itself (absolute hrefs to where it listens), so records
//! carry data only. The model types are `#[non_exhaustive]`; the builders here save writing
//! `Default` + field assignment for the common cases, and [`OrganizationRecord::official_contact`]
//! / [`PersonRecord::from_contact`] take model values for everything else.

use altinn_contacts_model::{
    NationalIdentityNumber, OfficialContact, Organization, OrganizationType, PersonalContact,
    ReportedOrganizationNumber, Role, RoleType, Timestamp,
};

/// The date-time written for a contact point's change time when the builder is not told one.
const DEFAULT_CHANGED: &str = "2020-01-01T12:00:00";

/// Altinn's "never changed" value, written for the unused half of an official contact.
pub(crate) fn sentinel() -> Option<Timestamp> {
    "0001-01-01T00:00:00".parse().ok()
}

pub(crate) fn timestamp(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// An organization the sandbox serves, with its contacts.
///
/// ```
/// use altinn_contacts_sandbox::{OrganizationRecord, PersonRecord};
/// let org = OrganizationRecord::new("310524832", "FJORDBRIS ØKONOMI AS")
///     .organization_type("AS")
///     .official_mobile("41234567")
///     .official_email("post@fjordbris.no")
///     .personal_contact(
///         PersonRecord::new("r70000001", "NÆSS ÅSE")
///             .mobile("+4799887766")
///             .email("ase@fjordbris.no")
///             .role_code("UTINN")
///             .service("4936", "1"),
///     );
/// assert_eq!(org.organization_number(), "310524832");
/// ```
#[derive(Clone, Debug)]
pub struct OrganizationRecord {
    pub(crate) organization: Organization,
    pub(crate) official_contacts: Vec<OfficialContact>,
    pub(crate) personal_contacts: Vec<PersonRecord>,
    /// The organization number of the main unit, when this is a sub-unit (Altinn 2 had no such
    /// field; the successor emulations use it for the main-unit fallback).
    pub(crate) main_unit: Option<String>,
}

impl OrganizationRecord {
    /// An organization with this number and name, no `Type`, no dates and no contacts.
    ///
    /// The number is served as given, even when it is not a valid organization number (Altinn's
    /// test data has such records); only valid numbers can be fetched by path, since the sandbox
    /// answers `400 Invalid organization number` for anything else, as Altinn does.
    pub fn new(organization_number: impl Into<String>, name: impl Into<String>) -> Self {
        let mut organization = Organization::default();
        organization.organization_number =
            Some(ReportedOrganizationNumber::new(organization_number));
        organization.name = Some(name.into());
        Self::from_organization(organization)
    }

    /// A record from a model value; its `_links` and `_embedded` are ignored.
    pub fn from_organization(mut organization: Organization) -> Self {
        organization.links = Default::default();
        organization.embedded = None;
        OrganizationRecord {
            organization,
            official_contacts: Vec::new(),
            personal_contacts: Vec::new(),
            main_unit: None,
        }
    }

    /// Makes this a sub-unit (underenhet) of the organization numbered `main_unit`: the
    /// successor emulations (Enhetsregisteret's `overordnetEnhet`, the main-unit fallback of
    /// Altinn 3 Profile and KoFuVi) follow it. The Altinn 2 API does not show it.
    #[must_use]
    pub fn main_unit(mut self, main_unit: impl Into<String>) -> Self {
        self.main_unit = Some(main_unit.into());
        self
    }

    /// The organization number of the main unit, when this is a sub-unit.
    pub fn main_unit_number(&self) -> Option<&str> {
        self.main_unit.as_deref()
    }

    /// Sets `Type` (the Enhetsregisteret organisation form code, e.g. `"AS"`).
    #[must_use]
    pub fn organization_type(mut self, code: impl Into<String>) -> Self {
        self.organization.organization_type = Some(OrganizationType::new(code.into()));
        self
    }

    /// Sets `LastChanged`.
    #[must_use]
    pub fn last_changed(mut self, at: Timestamp) -> Self {
        self.organization.last_changed = Some(at);
        self
    }

    /// Sets `LastConfirmed`.
    #[must_use]
    pub fn last_confirmed(mut self, at: Timestamp) -> Self {
        self.organization.last_confirmed = Some(at);
        self
    }

    /// Adds an official contact as given.
    #[must_use]
    pub fn official_contact(mut self, contact: OfficialContact) -> Self {
        self.official_contacts.push(contact);
        self
    }

    /// Adds a phone-only official contact the way Altinn writes one: `EMailAddress` is `""` and
    /// its change time `0001-01-01T00:00:00`.
    #[must_use]
    pub fn official_mobile(self, number: impl Into<String>) -> Self {
        let mut contact = OfficialContact::default();
        contact.mobile_number = Some(number.into());
        contact.mobile_number_changed = timestamp(DEFAULT_CHANGED);
        contact.email_address = Some(String::new());
        contact.email_address_changed = sentinel();
        self.official_contact(contact)
    }

    /// Adds an e-mail-only official contact the way Altinn writes one: `MobileNumber` is `""`
    /// and its change time `0001-01-01T00:00:00`.
    #[must_use]
    pub fn official_email(self, address: impl Into<String>) -> Self {
        let mut contact = OfficialContact::default();
        contact.mobile_number = Some(String::new());
        contact.mobile_number_changed = sentinel();
        contact.email_address = Some(address.into());
        contact.email_address_changed = timestamp(DEFAULT_CHANGED);
        self.official_contact(contact)
    }

    /// Adds a person with contact points registered for this organization.
    #[must_use]
    pub fn personal_contact(mut self, person: PersonRecord) -> Self {
        self.personal_contacts.push(person);
        self
    }

    /// The organization number as it will be served.
    pub fn organization_number(&self) -> &str {
        self.organization
            .organization_number
            .as_ref()
            .map_or("", |n| n.as_str())
    }

    /// The organization as it will be served, without `_links`.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// The official contacts.
    pub fn official_contacts(&self) -> &[OfficialContact] {
        &self.official_contacts
    }

    /// The personal contacts.
    pub fn personal_contacts(&self) -> &[PersonRecord] {
        &self.personal_contacts
    }
}

/// A person registered as a contact of an organization: the personal contact, its roles, and
/// the services it may use (for the `serviceCode` + `serviceEdition` filter).
///
/// A person may use a service when it was granted explicitly with [`PersonRecord::service`] or
/// when one of its roles gives access to it in the sandbox's service table (see the crate docs).
#[derive(Clone, Debug)]
pub struct PersonRecord {
    pub(crate) contact: PersonalContact,
    pub(crate) roles: Vec<Role>,
    pub(crate) services: Vec<(String, String)>,
}

impl PersonRecord {
    /// A person with this `PersonalContactId` (`r` + digits) and name, no contact points.
    pub fn new(person_id: impl Into<String>, name: impl Into<String>) -> Self {
        let mut contact = PersonalContact::default();
        contact.personal_contact_id = Some(person_id.into());
        contact.name = Some(name.into());
        Self::from_contact(contact)
    }

    /// A person from a model value; its `_links` are ignored.
    pub fn from_contact(mut contact: PersonalContact) -> Self {
        contact.links = Default::default();
        PersonRecord {
            contact,
            roles: Vec::new(),
            services: Vec::new(),
        }
    }

    /// Sets `SocialSecurityNumber`.
    #[must_use]
    pub fn social_security_number(mut self, number: impl Into<String>) -> Self {
        self.contact.social_security_number = Some(NationalIdentityNumber::new(number));
        self
    }

    /// Sets `MobileNumber` (and a change time).
    #[must_use]
    pub fn mobile(mut self, number: impl Into<String>) -> Self {
        self.contact.mobile_number = Some(number.into());
        self.contact.mobile_number_changed = timestamp(DEFAULT_CHANGED);
        self
    }

    /// Sets `EMailAddress` (and a change time).
    #[must_use]
    pub fn email(mut self, address: impl Into<String>) -> Self {
        self.contact.email_address = Some(address.into());
        self.contact.email_address_changed = timestamp(DEFAULT_CHANGED);
        self
    }

    /// Adds a role as given (its `_links` are replaced by the sandbox's).
    #[must_use]
    pub fn role(mut self, mut role: Role) -> Self {
        role.links = Default::default();
        self.roles.push(role);
        self
    }

    /// Adds the role with this `RoleDefinitionCode` from the sandbox's catalogue (the Altinn roles
    /// of the API page, and `DAGL`, `LEDE`, `MEDL`, `REGN`, `REVI` from Enhetsregisteret). A code
    /// the catalogue lacks becomes an `External` role without `RoleDefinitionId` and with the
    /// code as its name.
    #[must_use]
    pub fn role_code(self, code: &str) -> Self {
        let role = crate::catalogue::role_by_code(code).unwrap_or_else(|| {
            let mut role = Role::default();
            role.role_type = Some(RoleType::EXTERNAL);
            role.role_name = Some(code.to_owned());
            role.role_definition_code = Some(code.to_owned());
            role
        });
        self.role(role)
    }

    /// Grants the use of service `code`, edition `edition`.
    #[must_use]
    pub fn service(mut self, code: impl Into<String>, edition: impl Into<String>) -> Self {
        self.services.push((code.into(), edition.into()));
        self
    }

    /// The `PersonalContactId`.
    pub fn person_id(&self) -> &str {
        self.contact
            .personal_contact_id
            .as_deref()
            .unwrap_or_default()
    }

    /// The personal contact as it will be served, without `_links`.
    pub fn contact(&self) -> &PersonalContact {
        &self.contact
    }

    /// The roles.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// True when this person holds a role with `code` (case-insensitive).
    pub(crate) fn has_role_code(&self, code: &str) -> bool {
        self.roles.iter().any(|r| {
            r.role_definition_code
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(code))
        })
    }

    /// True when this person may use the service, explicitly or through a role.
    pub(crate) fn may_use_service(&self, code: &str, edition: &str) -> bool {
        self.services.iter().any(|(c, e)| c == code && e == edition)
            || crate::catalogue::service_allows(
                code,
                edition,
                self.roles
                    .iter()
                    .filter_map(|r| r.role_definition_code.as_deref()),
            )
    }
}
