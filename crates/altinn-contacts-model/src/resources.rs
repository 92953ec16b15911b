//! Hand-written conveniences on the generated resource types.

use crate::generated::*;

impl Organization {
    /// The official contacts embedded by `$expand=OfficialContacts` (empty when not expanded).
    pub fn official_contacts(&self) -> &[OfficialContact] {
        self.embedded
            .as_ref()
            .map(|e| e.officialcontacts.as_slice())
            .unwrap_or(&[])
    }

    /// The name without the padding Altinn sometimes sends.
    pub fn display_name(&self) -> &str {
        self.name.trim()
    }
}

/// Altinn writes an unused contact point as `""` or `null`; both mean "none".
fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl OfficialContact {
    /// The mobile number, `None` when empty or absent.
    pub fn mobile(&self) -> Option<&str> {
        non_empty(&self.mobile_number)
    }

    /// The e-mail address, `None` when empty or absent.
    pub fn email(&self) -> Option<&str> {
        non_empty(&self.email_address)
    }
}

impl PersonalContact {
    /// The mobile number, `None` when empty or absent.
    pub fn mobile(&self) -> Option<&str> {
        non_empty(&self.mobile_number)
    }

    /// The e-mail address, `None` when empty or absent.
    pub fn email(&self) -> Option<&str> {
        non_empty(&self.email_address)
    }

    /// The name without the padding Altinn sometimes sends.
    pub fn display_name(&self) -> &str {
        self.name.trim()
    }
}

macro_rules! list_items {
    ($list:ident, $field:ident, $item:ident) => {
        impl $list {
            /// The items of this list.
            pub fn items(&self) -> &[$item] {
                &self.embedded.$field
            }

            /// The items of this list, owned.
            pub fn into_items(self) -> Vec<$item> {
                self.embedded.$field
            }

            /// A list holding `items`, with a `self` link to `self_href`.
            pub fn from_items(self_href: impl Into<String>, items: Vec<$item>) -> Self {
                let mut list = $list::default();
                list.links = crate::Links::new().with("self", self_href);
                list.embedded.$field = items;
                list
            }
        }
    };
}

list_items!(OrganizationList, organizations, Organization);
list_items!(OfficialContactList, officialcontacts, OfficialContact);
list_items!(PersonalContactList, personalcontacts, PersonalContact);
list_items!(RoleList, roles, Role);
