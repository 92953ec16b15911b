//! Hand-written conveniences on the generated resource types.
//!
//! Accessors never make up a value: what the server did not send is `None` (or an empty slice
//! for a list).

use serde::Serialize;
use serde_json::Value;

use crate::generated::*;

impl Organization {
    /// The official contacts embedded by `$expand=OfficialContacts` (empty when not expanded).
    pub fn official_contacts(&self) -> &[OfficialContact] {
        self.embedded
            .as_ref()
            .map(|e| e.official_contacts.as_slice())
            .unwrap_or(&[])
    }

    /// The name without the padding Altinn sometimes sends; `None` when the response had none.
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().map(str::trim)
    }

    /// Altinn 2's plain-JSON form of this organization (`Accept: application/json`): the same
    /// fields, with `_links` as an array of `{Rel, Href, ...}` objects.
    pub fn to_plain_json(&self) -> Value {
        plain_resource(self)
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

    /// The name without the padding Altinn sometimes sends; `None` when the response had none.
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().map(str::trim)
    }
}

/// A resource serialized as HAL, with every `_links` object turned into the plain-JSON array.
fn plain_resource<T: Serialize>(resource: &T) -> Value {
    let mut value = serde_json::to_value(resource).unwrap_or(Value::Null);
    plain_links(&mut value);
    value
}

/// Replaces every `_links` map below `value` with its plain-JSON array.
fn plain_links(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "_links" {
                    if let Ok(links) = serde_json::from_value::<crate::Links>(child.take()) {
                        *child = links.to_plain_json();
                    }
                } else {
                    plain_links(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(plain_links),
        _ => {}
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

            /// Altinn 2's plain-JSON form of this list (`Accept: application/json`): a bare
            /// array of the items, each with `_links` as an array of `{Rel, Href, ...}` objects.
            /// The list's own links have no place in that form and are left out.
            pub fn to_plain_json(&self) -> Value {
                Value::Array(self.items().iter().map(plain_resource).collect())
            }
        }
    };
}

list_items!(OrganizationList, organizations, Organization);
list_items!(OfficialContactList, official_contacts, OfficialContact);
list_items!(PersonalContactList, personal_contacts, PersonalContact);
list_items!(RoleList, roles, Role);
