//! Request options of the list and search calls, validated before anything is sent.
//!
//! Each type knows its query parameters ([`OrganizationsQuery::to_pairs`] and friends), so every
//! transport sends the same names and values; the transport only percent-encodes them.

use crate::error::InvalidInput;
use crate::ids::{Email, PhoneNumber, RoleCode, ServiceCode, ServiceEdition, TypeCode};

/// The most items Altinn returns in one page; a larger `$top` is clamped by the server.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Sort order of an organization list (`$orderby`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OrderBy {
    /// By organization number (Altinn's default).
    #[default]
    OrganizationNumber,
    /// By name.
    Name,
}

impl OrderBy {
    /// The `$orderby` value.
    pub fn as_odata(self) -> &'static str {
        match self {
            OrderBy::OrganizationNumber => "OrganizationNumber",
            OrderBy::Name => "Name",
        }
    }
}

/// Whether to embed related resources (`$expand`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Expand {
    /// Only the organization itself.
    #[default]
    None,
    /// Embed each organization's official contacts (`$expand=OfficialContacts`).
    OfficialContacts,
}

/// One page of `GET organizations`: `$top`, `$skip`, `$orderby`, `$filter` on Type, `$expand`.
///
/// ```
/// # use altinn_contacts_api::{OrganizationsQuery, OrderBy};
/// let q = OrganizationsQuery::new()
///     .top(500)
///     .skip(1000)
///     .order_by(OrderBy::Name)
///     .organization_type("ENK".parse().unwrap())
///     .with_official_contacts();
/// assert_eq!(
///     q.to_pairs().unwrap(),
///     vec![
///         ("$top", "500".to_string()),
///         ("$skip", "1000".to_string()),
///         ("$orderby", "Name".to_string()),
///         ("$filter", "Type eq 'ENK'".to_string()),
///         ("$expand", "OfficialContacts".to_string()),
///     ]
/// );
/// assert!(OrganizationsQuery::new().top(0).to_pairs().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationsQuery {
    /// Page size, 1 to [`MAX_PAGE_SIZE`]; `None` leaves it to the server.
    pub top: Option<u32>,
    /// How many items to skip.
    pub skip: Option<u64>,
    /// Sort order; `None` leaves it to the server (by organization number).
    pub order_by: Option<OrderBy>,
    /// Only organizations of this organisation form.
    pub type_filter: Option<TypeCode>,
    /// Embed official contacts.
    pub expand: Expand,
}

impl OrganizationsQuery {
    /// Every organization, server defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `$top`.
    #[must_use]
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// Sets `$skip`.
    #[must_use]
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = Some(skip);
        self
    }

    /// Sets `$orderby`.
    #[must_use]
    pub fn order_by(mut self, order: OrderBy) -> Self {
        self.order_by = Some(order);
        self
    }

    /// Sets `$filter=Type eq '<code>'`.
    #[must_use]
    pub fn organization_type(mut self, code: TypeCode) -> Self {
        self.type_filter = Some(code);
        self
    }

    /// Sets `$expand=OfficialContacts`.
    #[must_use]
    pub fn with_official_contacts(mut self) -> Self {
        self.expand = Expand::OfficialContacts;
        self
    }

    /// Checks the values a user could get wrong (`$top` out of 1..=1000).
    pub fn validate(&self) -> Result<(), InvalidInput> {
        if let Some(top) = self.top
            && (top == 0 || top > MAX_PAGE_SIZE)
        {
            return Err(InvalidInput::new(
                "page size ($top)",
                &top.to_string(),
                format!("it must be from 1 to {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(())
    }

    /// The query parameters, unencoded, after [`validate`](Self::validate).
    pub fn to_pairs(&self) -> Result<Vec<(&'static str, String)>, InvalidInput> {
        self.validate()?;
        let mut pairs = Vec::with_capacity(5);
        if let Some(top) = self.top {
            pairs.push(("$top", top.to_string()));
        }
        if let Some(skip) = self.skip {
            pairs.push(("$skip", skip.to_string()));
        }
        if let Some(order) = self.order_by {
            pairs.push(("$orderby", order.as_odata().to_owned()));
        }
        if let Some(code) = &self.type_filter {
            pairs.push(("$filter", format!("Type eq '{}'", code.as_str())));
        }
        if self.expand == Expand::OfficialContacts {
            pairs.push(("$expand", "OfficialContacts".to_owned()));
        }
        Ok(pairs)
    }
}

/// A search for organizations by contact point: an e-mail address, a phone number, or both.
/// Altinn matches official and personal contact points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPointSearch {
    email: Option<Email>,
    phone: Option<PhoneNumber>,
}

impl ContactPointSearch {
    /// Search by e-mail address.
    pub fn email(email: Email) -> Self {
        ContactPointSearch {
            email: Some(email),
            phone: None,
        }
    }

    /// Search by phone number.
    pub fn phone(phone: PhoneNumber) -> Self {
        ContactPointSearch {
            email: None,
            phone: Some(phone),
        }
    }

    /// Search by both. Altinn does not document whether both must match; the sandbox returns
    /// organizations that match either.
    pub fn email_and_phone(email: Email, phone: PhoneNumber) -> Self {
        ContactPointSearch {
            email: Some(email),
            phone: Some(phone),
        }
    }

    /// From optional parts; fails when both are `None`.
    pub fn new(email: Option<Email>, phone: Option<PhoneNumber>) -> Result<Self, InvalidInput> {
        if email.is_none() && phone.is_none() {
            return Err(InvalidInput::new(
                "search",
                "",
                "give an e-mail address, a phone number, or both",
            ));
        }
        Ok(ContactPointSearch { email, phone })
    }

    /// The e-mail address searched for.
    pub fn email_address(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// The phone number searched for.
    pub fn phone_number(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
    }

    /// The query parameters, unencoded.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::with_capacity(2);
        if let Some(email) = &self.email {
            pairs.push(("email", email.as_str().to_owned()));
        }
        if let Some(phone) = &self.phone {
            pairs.push(("phoneNumber", phone.as_str().to_owned()));
        }
        pairs
    }
}

/// Filters of `GET organizations/{orgno}/personalcontacts`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PersonalContactsFilter {
    /// Only people with this role (`roleDefinitionCode`).
    pub role: Option<RoleCode>,
    /// Only people with rights to this service (`serviceCode` and `serviceEdition`).
    pub service: Option<(ServiceCode, ServiceEdition)>,
}

impl PersonalContactsFilter {
    /// No filter: everyone who registered a contact point.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only people with `role`.
    #[must_use]
    pub fn role(mut self, role: RoleCode) -> Self {
        self.role = Some(role);
        self
    }

    /// Only people with rights to a service edition.
    #[must_use]
    pub fn service(mut self, code: ServiceCode, edition: ServiceEdition) -> Self {
        self.service = Some((code, edition));
        self
    }

    /// The query parameters, unencoded.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::with_capacity(3);
        if let Some(role) = &self.role {
            pairs.push(("roleDefinitionCode", role.as_str().to_owned()));
        }
        if let Some((code, edition)) = &self.service {
            pairs.push(("serviceCode", code.as_str().to_owned()));
            pairs.push(("serviceEdition", edition.as_str().to_owned()));
        }
        pairs
    }
}
