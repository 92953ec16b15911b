//! Altinn 3 Profile's correspondence lookups, from the sandbox's organizations.
//!
//! - Official contacts → notification addresses: `{"contactPointsList": [{organizationNumber,
//!   addressOrigin, partyId (always 0, as Profile never sets it), mobileNumberList,
//!   emailList}]}`. Mobile numbers carry the country code (`+47` added to national numbers, `00`
//!   turned into `+`), as Profile stores the full address. An organization with official
//!   contacts is answered even when none is usable (empty lists); one without is treated as
//!   missing from Profile's copy and answered with its main unit's addresses (`addressOrigin` =
//!   the main unit) when it is a sub-unit whose main unit has some; else it is left out, as an
//!   organization the sandbox does not know is.
//! - Personal contacts → user-registered contact points: `{"contactPointsList":
//!   [{organizationNumber, partyId, userContactPoints: [{userId, email, mobileNumber}]}]}`, the
//!   user id being the digits of the Altinn 2 `PersonalContactId` (`r50022994` → `50022994`).
//!   No name, no national identity number, no dates: Profile has none here. A person is
//!   answered for the requested resource when it registered for every resource (no explicit
//!   service grants) or for that one (the configured resource id, or `se_{code}_{edition}` of
//!   a granted service). Organizations without matching persons are left out.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{JSON, Reply, SuccessorsConfig, field, official_addresses, party_id, problem};
use crate::dataset::Dataset;
use crate::records::PersonRecord;

/// What `urn:altinn:resource:` resource ids lose.
const RESOURCE_PREFIX: &str = "urn:altinn:resource:";

const INVALID_ORGANIZATION_NUMBERS: &str =
    "OrganizationNumbers must contain a list of valid organization number values";

/// The request body as an object, or ASP.NET's validation answer.
fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(problem::validation(&[(
            "",
            "A non-empty request body is required.",
        )]));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(Value::Null) => Err(problem::validation(&[(
            "",
            "A non-empty request body is required.",
        )])),
        Ok(_) | Err(_) => Err(problem::validation(&[(
            "$",
            "The JSON value could not be converted to the request type. Path: $",
        )])),
    }
}

/// `organizationNumbers` as strings; `Err` when missing, null or not a list of strings.
fn organization_numbers(object: &serde_json::Map<String, Value>) -> Result<Vec<String>, Reply> {
    match field(object, "organizationNumbers") {
        None | Some(Value::Null) => Err(problem::validation(&[(
            "OrganizationNumbers",
            "The OrganizationNumbers field is required.",
        )])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                // A null entry binds, and is then blank.
                Value::Null => Ok(String::new()),
                _ => Err(problem::validation(&[(
                    "$.organizationNumbers",
                    "The JSON value could not be converted to System.String. Path: $.organizationNumbers",
                )])),
            })
            .collect(),
        Some(_) => Err(problem::validation(&[(
            "$.organizationNumbers",
            "The JSON value could not be converted to System.Collections.Generic.List`1[System.String]. Path: $.organizationNumbers",
        )])),
    }
}

/// The distinct numbers, in the order first asked.
fn distinct(numbers: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    numbers
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// A mobile number with its country code, as Profile stores a notification address.
fn with_country_code(number: &str) -> String {
    let compact: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with('+') {
        compact
    } else if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else {
        format!("+47{compact}")
    }
}

/// `POST .../organizations/notificationaddresses/lookup`.
pub(super) fn notification_addresses(dataset: &Dataset, body: &[u8]) -> Reply {
    let numbers = match object(body).and_then(|o| organization_numbers(&o)) {
        Ok(numbers) => numbers,
        Err(reply) => return reply,
    };
    if numbers.is_empty() || numbers.iter().any(|n| n.trim().is_empty()) {
        return problem::validation(&[("OrganizationNumbers", INVALID_ORGANIZATION_NUMBERS)]);
    }
    let mut items = Vec::new();
    for number in distinct(numbers) {
        let Some(pos) = dataset.find(&number) else {
            continue;
        };
        let Some((source, origin)) = super::address_source(dataset, pos) else {
            continue;
        };
        let (emails, mobiles) = official_addresses(&dataset.record(source));
        let mobiles: Vec<String> = mobiles.iter().map(|m| with_country_code(m)).collect();
        items.push(json!({
            "organizationNumber": number,
            "addressOrigin": origin,
            "partyId": 0,
            "mobileNumberList": mobiles,
            "emailList": emails,
        }));
    }
    Reply::ok(JSON, &json!({ "contactPointsList": items }))
}

/// The Altinn 3 user id of an Altinn 2 personal contact: the digits of `r<digits>`.
pub(crate) fn user_id(person: &PersonRecord) -> Option<i64> {
    person
        .person_id()
        .strip_prefix('r')
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
}

/// The resources a person registered its contact points for; `None` for all of them.
fn resources(person: &PersonRecord, config: &SuccessorsConfig) -> Option<Vec<String>> {
    if person.services.is_empty() {
        return None;
    }
    let mut list = vec![config.resource_id.clone()];
    list.extend(
        person
            .services
            .iter()
            .map(|(code, edition)| format!("se_{code}_{edition}")),
    );
    Some(list)
}

fn non_empty(value: Option<&str>) -> Value {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Value::String(v.to_owned()),
        _ => Value::Null,
    }
}

/// `POST .../units/contactpoint/lookup`.
pub(super) fn contact_points(dataset: &Dataset, config: &SuccessorsConfig, body: &[u8]) -> Reply {
    let object = match object(body) {
        Ok(object) => object,
        Err(reply) => return reply,
    };
    let numbers = organization_numbers(&object);
    let resource = match field(&object, "resourceId") {
        Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
        _ => None,
    };
    let mut errors = Vec::new();
    let numbers = match numbers {
        Ok(numbers) => {
            // Blanks are dropped, numbers trimmed and de-duplicated.
            let numbers = distinct(
                numbers
                    .into_iter()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            );
            if numbers.is_empty() {
                errors.push(("OrganizationNumbers", INVALID_ORGANIZATION_NUMBERS));
            }
            numbers
        }
        Err(reply) => return reply,
    };
    if resource.is_none() {
        errors.push(("ResourceId", "The ResourceId field is required."));
    }
    if !errors.is_empty() {
        return problem::validation(&errors);
    }
    let Some(resource) = resource else {
        return problem::internal_server_error();
    };
    if numbers.len() > config.max_contact_point_lookup {
        // Profile asks Register for every number in one query; Register refuses more than 100
        // and Profile turns that into an unhandled error.
        return problem::internal_server_error();
    }
    let resource = resource
        .strip_prefix(RESOURCE_PREFIX)
        .unwrap_or(&resource)
        .to_owned();
    let mut items = Vec::new();
    for number in numbers {
        let Some(pos) = dataset.find(&number) else {
            continue;
        };
        let record = dataset.record(pos);
        let users: Vec<Value> = record
            .personal_contacts
            .iter()
            .filter(|p| resources(p, config).is_none_or(|list| list.contains(&resource)))
            .filter_map(|p| {
                let id = user_id(p)?;
                let email = non_empty(p.contact.email_address.as_deref());
                let mobile = non_empty(p.contact.mobile_number.as_deref());
                (!email.is_null() || !mobile.is_null())
                    .then(|| json!({ "userId": id, "email": email, "mobileNumber": mobile }))
            })
            .collect();
        if users.is_empty() {
            continue;
        }
        items.push(json!({
            "organizationNumber": number,
            "partyId": party_id(&number),
            "userContactPoints": users,
        }));
    }
    Reply::ok(JSON, &json!({ "contactPointsList": items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes() {
        assert_eq!(with_country_code("55667788"), "+4755667788");
        assert_eq!(with_country_code("+4791234567"), "+4791234567");
        assert_eq!(with_country_code("004612345678"), "+4612345678");
        assert_eq!(with_country_code("412 34 567"), "+4741234567");
    }

    #[test]
    fn user_ids_are_the_digits_of_the_person_id() {
        assert_eq!(
            user_id(&PersonRecord::new("r50022994", "X")),
            Some(50_022_994)
        );
        assert_eq!(user_id(&PersonRecord::new("x1", "X")), None);
        assert_eq!(user_id(&PersonRecord::new("r", "X")), None);
    }
}
