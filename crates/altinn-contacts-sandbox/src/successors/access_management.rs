//! Access Management's authorized parties and role metadata, from the sandbox's persons and roles.
//!
//! A person is found by its `SocialSecurityNumber` (`urn:altinn:person:identifier-no`) or by
//! the digits of its `PersonalContactId` (`urn:altinn:userid`, as Profile's `userId`). Its
//! parties are the organizations it is a personal contact of (only those named by
//! `partyFilter`, when given), each with the codes of its roles in `authorizedRoles`: the new
//! lower-case form where one is known (`daglig-leder`) and the legacy code lower-cased
//! (`dagl`). Local roles (no code) give none. A person the sandbox does not know has no parties
//! (`[]`).

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{JSON, Reply, field, party_id, problem, stable_uuid};
use crate::dataset::Dataset;

const PERSON_IDENTIFIER: &str = "urn:altinn:person:identifier-no";
const USER_ID: &str = "urn:altinn:userid";
const ORGANIZATION_IDENTIFIER: &str = "urn:altinn:organization:identifier-no";

/// Enhetsregisteret roles with their Altinn 3 codes (the rest have only their legacy code).
const NEW_CODES: &[(&str, &str)] = &[
    ("DAGL", "daglig-leder"),
    ("LEDE", "styreleder"),
    ("MEDL", "styremedlem"),
    ("REGN", "regnskapsforer"),
    ("REVI", "revisor"),
];

/// The Altinn 3 code of a legacy role code, when it has one.
fn new_code(legacy: &str) -> Option<&'static str> {
    NEW_CODES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(legacy))
        .map(|(_, new)| *new)
}

fn text<'a>(object: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    field(object, name).and_then(Value::as_str)
}

/// Which person the request is about.
enum Subject {
    NationalIdentityNumber(String),
    PersonId(String),
}

/// `POST .../authorizedparties`.
pub(super) fn authorized_parties(dataset: &Dataset, body: &[u8]) -> Reply {
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        _ => {
            return problem::validation(&[("", "A non-empty request body is required.")]);
        }
    };
    let mut errors = Vec::new();
    let kind = text(&object, "type")
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let value = text(&object, "value")
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if kind.is_none() {
        errors.push(("Type", "The Type field is required."));
    }
    if value.is_none() {
        errors.push(("Value", "The Value field is required."));
    }
    let (Some(kind), Some(value)) = (kind, value) else {
        return problem::validation(&errors);
    };
    let subject = if kind.eq_ignore_ascii_case(PERSON_IDENTIFIER) {
        if value.len() != 11 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return problem::validation(&[(
                "Value",
                "The value is not a valid national identity number.",
            )]);
        }
        Subject::NationalIdentityNumber(value.to_owned())
    } else if kind.eq_ignore_ascii_case(USER_ID) {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return problem::validation(&[("Value", "The value is not a valid user id.")]);
        }
        Subject::PersonId(format!("r{value}"))
    } else {
        return problem::validation(&[(
            "Type",
            "The sandbox emulates the subject types urn:altinn:person:identifier-no and urn:altinn:userid only.",
        )]);
    };
    let filter = match field(&object, "partyFilter") {
        None | Some(Value::Null) => None,
        Some(Value::Array(entries)) => {
            let mut numbers = Vec::new();
            for entry in entries {
                let Some(entry) = entry.as_object() else {
                    return problem::validation(&[("PartyFilter", "Invalid party filter.")]);
                };
                match (text(entry, "type"), text(entry, "value")) {
                    (Some(t), Some(v)) if t.eq_ignore_ascii_case(ORGANIZATION_IDENTIFIER) => {
                        numbers.push(v.trim().to_owned());
                    }
                    _ => {
                        return problem::validation(&[(
                            "PartyFilter",
                            "The sandbox emulates party filters of type urn:altinn:organization:identifier-no only.",
                        )]);
                    }
                }
            }
            Some(numbers)
        }
        Some(_) => return problem::validation(&[("PartyFilter", "Invalid party filter.")]),
    };
    let positions: Vec<u32> = match &filter {
        Some(numbers) => {
            let mut seen = HashSet::new();
            numbers
                .iter()
                .filter_map(|n| dataset.find(n))
                .filter(|pos| seen.insert(*pos))
                .collect()
        }
        None => (0..dataset.len() as u32).collect(),
    };
    let mut parties = Vec::new();
    for pos in positions {
        let record = dataset.record(pos);
        let mut roles: Vec<String> = Vec::new();
        let mut found = false;
        for person in &record.personal_contacts {
            let matches = match &subject {
                Subject::NationalIdentityNumber(n) => person
                    .contact
                    .social_security_number
                    .as_ref()
                    .is_some_and(|s| s.reveal() == n),
                Subject::PersonId(id) => person.person_id() == id,
            };
            if !matches {
                continue;
            }
            found = true;
            for role in &person.roles {
                let Some(code) = role.role_definition_code.as_deref() else {
                    continue;
                };
                let forms = new_code(code)
                    .map(str::to_owned)
                    .into_iter()
                    .chain([code.to_ascii_lowercase()]);
                for form in forms {
                    if !roles.contains(&form) {
                        roles.push(form);
                    }
                }
            }
        }
        if !found {
            continue;
        }
        let number = record.organization_number().to_owned();
        let parent = dataset.main_unit(pos).map(|main| {
            let main = dataset.record(main);
            stable_uuid("party", main.organization_number())
        });
        parties.push(json!({
            "partyUuid": stable_uuid("party", &number),
            "name": record.organization.name.as_deref().map(str::trim_end),
            "organizationNumber": number,
            "parentId": parent,
            "personId": null,
            "dateOfBirth": null,
            "partyId": party_id(&number),
            "type": "Organization",
            "unitType": record.organization.organization_type.as_ref().map(|t| t.as_str()),
            "isDeleted": false,
            "onlyHierarchyElementWithNoAccess": false,
            "authorizedAccessPackages": [],
            "authorizedResources": [],
            "authorizedRoles": roles,
            "authorizedInstances": [],
            "subunits": [],
        }));
    }
    Reply::ok(JSON, &Value::Array(parties))
}

/// `GET .../meta/info/roles`: the sandbox's role catalogue in Access Management's shape.
pub(super) fn roles() -> Reply {
    let roles: Vec<Value> = crate::catalogue::ROLES
        .iter()
        .map(|&(role_type, _, name, description, legacy)| {
            let external = role_type == "External";
            let code = new_code(legacy)
                .map(str::to_owned)
                .unwrap_or_else(|| legacy.to_ascii_lowercase());
            let (urn, provider) = if external {
                (
                    format!("urn:altinn:external-role:ccr:{code}"),
                    json!({ "name": "Enhetsregisteret", "code": "sys-ccr" }),
                )
            } else {
                (
                    format!("urn:altinn:role:{code}"),
                    json!({ "name": "Altinn 2", "code": "sys-altinn2" }),
                )
            };
            json!({
                "id": stable_uuid("role", legacy),
                "name": name,
                "code": code,
                "description": description.trim_end(),
                "isKeyRole": matches!(legacy, "DAGL" | "LEDE"),
                "urn": urn,
                "legacyRoleCode": legacy,
                "legacyUrn": format!("urn:altinn:rolecode:{legacy}"),
                "provider": provider,
            })
        })
        .collect();
    Reply::ok(JSON, &Value::Array(roles))
}
