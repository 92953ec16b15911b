//! Request options of the list and search calls, validated before anything is sent.
//!
//! These are typed values only: how a backend sends them (Altinn 2's OData `$top`, `$filter`,
//! query names) is the backend's business; the HTTPS transport renders them in its `wire` module.

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

/// Whether to embed related resources (`$expand`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Expand {
    /// Only the organization itself.
    #[default]
    None,
    /// Embed each organization's official contacts.
    OfficialContacts,
}

/// One page of the organization list: page size, offset, sort order, organisation form, and
/// whether to embed official contacts.
///
/// ```
/// # use altinn_contacts_api::{OrganizationsQuery, OrderBy};
/// let q = OrganizationsQuery::new()
///     .top(500)
///     .skip(1000)
///     .order_by(OrderBy::Name)
///     .organization_type("ENK".parse().unwrap())
///     .with_official_contacts();
/// assert_eq!(q.top, Some(500));
/// assert_eq!(q.order_by, Some(OrderBy::Name));
/// assert!(q.validate().is_ok());
/// assert!(OrganizationsQuery::new().top(0).validate().is_err());
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
    /// Reverse the sort order (OData's `desc`); with no `order_by`, by organization number.
    pub descending: bool,
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

    /// Sets the page size (Altinn's `$top`).
    #[must_use]
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// Sets how many items to skip (Altinn's `$skip`).
    #[must_use]
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = Some(skip);
        self
    }

    /// Sets the sort order (Altinn's `$orderby`).
    #[must_use]
    pub fn order_by(mut self, order: OrderBy) -> Self {
        self.order_by = Some(order);
        self
    }

    /// Reverses the sort order (Altinn's `$orderby=... desc`).
    #[must_use]
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// Only organizations of this organisation form (a filter on Altinn's `Type`).
    #[must_use]
    pub fn organization_type(mut self, code: TypeCode) -> Self {
        self.type_filter = Some(code);
        self
    }

    /// Embeds each organization's official contacts (Altinn's `$expand`).
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
}

/// A search for organizations by contact point: an e-mail address, a phone number, or both.
/// Altinn matches official and personal contact points.
///
/// Altinn 2 applies the list's OData options to the hits as well (`$top`, `$skip`, `$orderby`,
/// `$filter`, `$expand`); [`with_options`](Self::with_options) sets them. Most callers leave them
/// at the server's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPointSearch {
    email: Option<Email>,
    phone: Option<PhoneNumber>,
    options: OrganizationsQuery,
}

impl ContactPointSearch {
    /// Search by e-mail address.
    pub fn email(email: Email) -> Self {
        ContactPointSearch {
            email: Some(email),
            phone: None,
            options: OrganizationsQuery::new(),
        }
    }

    /// Search by phone number.
    pub fn phone(phone: PhoneNumber) -> Self {
        ContactPointSearch {
            email: None,
            phone: Some(phone),
            options: OrganizationsQuery::new(),
        }
    }

    /// Search by both. Altinn does not document whether both must match; the sandbox returns
    /// organizations that match either.
    pub fn email_and_phone(email: Email, phone: PhoneNumber) -> Self {
        ContactPointSearch {
            email: Some(email),
            phone: Some(phone),
            options: OrganizationsQuery::new(),
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
        Ok(ContactPointSearch {
            email,
            phone,
            options: OrganizationsQuery::new(),
        })
    }

    /// Applies the list's options (page, order, type filter, expand) to the hits.
    #[must_use]
    pub fn with_options(mut self, options: OrganizationsQuery) -> Self {
        self.options = options;
        self
    }

    /// The list options applied to the hits (server defaults unless
    /// [`with_options`](Self::with_options) set them).
    pub fn options(&self) -> &OrganizationsQuery {
        &self.options
    }

    /// The e-mail address searched for.
    pub fn email_address(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// The phone number searched for.
    pub fn phone_number(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
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
}
