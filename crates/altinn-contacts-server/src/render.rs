//! Models into the wire: HAL+JSON, or Altinn 2's plain JSON to `Accept: application/json`
//! without `application/hal+json` (a list as a bare array of its items, `_links` as an array of
//! `{Rel, Href, ...}` objects).
//!
//! Every `_links` is regenerated here from the resource's identifiers and this server's base
//! URL, so no link of the backend (another origin, perhaps a URL the caller must not see)
//! reaches the caller.

use altinn_contacts_model::{
    Links, OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList,
};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Serialize;

use crate::answer::{API_PREFIX, Answer, HAL_JSON, PLAIN_JSON};

/// Which of Altinn 2's representations a request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Representation {
    /// `application/hal+json`, and the default (no `Accept`, `*/*`, anything else).
    Hal,
    /// `application/json` without `application/hal+json`.
    Plain,
}

impl Representation {
    pub(crate) fn of(headers: &HeaderMap) -> Self {
        let mut json = false;
        for value in headers.get_all(header::ACCEPT) {
            let Ok(text) = value.to_str() else { continue };
            for media in text.split(',') {
                let media = media.split(';').next().unwrap_or("").trim();
                if media.eq_ignore_ascii_case("application/hal+json") {
                    return Representation::Hal;
                }
                json |= media.eq_ignore_ascii_case("application/json");
            }
        }
        if json {
            Representation::Plain
        } else {
            Representation::Hal
        }
    }
}

/// A resource served in both representations.
pub(crate) trait Served: Serialize {
    fn plain_json(&self) -> serde_json::Value;
}

macro_rules! served {
    ($($t:ty),*) => {$(
        impl Served for $t {
            fn plain_json(&self) -> serde_json::Value {
                self.to_plain_json()
            }
        }
    )*};
}

served!(
    Organization,
    OrganizationList,
    OfficialContactList,
    PersonalContactList,
    RoleList
);

/// Builds the absolute hrefs of the API's links, and writes answers in the representation
/// the request asked for.
pub(crate) struct Renderer {
    organizations: String,
    api: String,
    representation: Representation,
}

impl Renderer {
    pub(crate) fn new(base: &str, representation: Representation) -> Self {
        Renderer {
            organizations: format!("{base}{API_PREFIX}/organizations"),
            api: format!("{base}{API_PREFIX}"),
            representation,
        }
    }

    /// The answer holding `value`, HAL or plain JSON.
    fn reply<T: Served>(&self, value: &T) -> Answer {
        let (bytes, content_type) = match self.representation {
            Representation::Hal => (serde_json::to_vec(value), HAL_JSON),
            Representation::Plain => (serde_json::to_vec(&value.plain_json()), PLAIN_JSON),
        };
        match bytes {
            Ok(bytes) => Answer::Json {
                body: Bytes::from(bytes),
                content_type,
            },
            Err(_) => Answer::error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        }
    }

    fn organization_links(&self, org: &mut Organization) {
        let number = org.organization_number.as_ref().map_or("", |n| n.as_str());
        let own = format!("{}/{number}", self.organizations);
        org.links = Links::new()
            .with("self", own.clone())
            .with("personalcontacts", format!("{own}/personalcontacts"))
            .with("officialcontacts", format!("{own}/officialcontacts"));
    }

    pub(crate) fn organization(&self, mut org: Organization) -> Answer {
        self.organization_links(&mut org);
        self.reply(&org)
    }

    pub(crate) fn organizations(&self, mut list: OrganizationList) -> Answer {
        list.links = Links::new().with("self", self.organizations.clone());
        for org in &mut list.embedded.organizations {
            self.organization_links(org);
        }
        self.reply(&list)
    }

    pub(crate) fn official_contacts(&self, number: &str, mut list: OfficialContactList) -> Answer {
        list.links = Links::new().with(
            "self",
            format!("{}/{number}/officialcontacts", self.organizations),
        );
        self.reply(&list)
    }

    pub(crate) fn personal_contacts(&self, number: &str, mut list: PersonalContactList) -> Answer {
        list.links = Links::new().with(
            "self",
            format!("{}/{number}/personalcontacts", self.organizations),
        );
        for contact in &mut list.embedded.personal_contacts {
            contact.links = match &contact.personal_contact_id {
                Some(id) => Links::new().with(
                    "roles",
                    format!(
                        "{}/{number}/personalcontacts/{id}/roles",
                        self.organizations
                    ),
                ),
                None => Links::new(),
            };
        }
        self.reply(&list)
    }

    pub(crate) fn roles(&self, number: &str, person: &str, mut list: RoleList) -> Answer {
        list.links = Links::new().with(
            "self",
            format!(
                "{}/{number}/personalcontacts/{person}/roles",
                self.organizations
            ),
        );
        for role in &mut list.embedded.roles {
            role.links = match role.role_definition_id {
                Some(id) => Links::new().with(
                    "roledefinition",
                    format!("{}/roledefinitions/{id}", self.api),
                ),
                None => Links::new(),
            };
        }
        self.reply(&list)
    }
}
