//! The successors' answers into Altinn 2's models, and nothing invented on the way: a field the
//! successor does not have stays `None`.
//!
//! The wire types read leniently (unknown fields ignored, `null` where a list belongs read as
//! empty), as the rest of the SDK reads Altinn 2.

use std::collections::HashMap;

use altinn_contacts_model::{
    OfficialContact, OfficialContactList, Organization, OrganizationType, PersonalContact,
    PersonalContactList, ReportedOrganizationNumber, Role, RoleList,
};
use serde::Deserialize;
use serde_json::Value;

/// A phone number as `+47...` where it is Norwegian: `+47`, `0047` and `47` prefixes become
/// `+47`, an eight-digit national number gets `+47`; other `00` prefixes become `+`. Spaces,
/// dots, dashes and parentheses are dropped. A value that is none of these is kept as sent
/// (trimmed): a number is never guessed.
pub fn normalize_phone(raw: &str) -> String {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = compact.strip_prefix('+') {
        if digits(rest) {
            return compact;
        }
    } else if let Some(rest) = compact.strip_prefix("00") {
        if digits(rest) {
            return format!("+{rest}");
        }
    } else if digits(&compact) {
        if compact.len() == 8 {
            return format!("+47{compact}");
        }
        if compact.len() == 10 && compact.starts_with("47") {
            return format!("+{compact}");
        }
    }
    raw.trim().to_owned()
}

/// A country prefix (`47`, `+47`, `0047`) and a national number as one normalized number.
fn join_phone(prefix: Option<&str>, national: &str) -> String {
    let prefix = prefix.map(str::trim).unwrap_or_default();
    let prefix = prefix
        .strip_prefix('+')
        .or_else(|| prefix.strip_prefix("00"))
        .unwrap_or(prefix);
    if prefix.is_empty() {
        normalize_phone(national)
    } else {
        normalize_phone(&format!("+{prefix}{}", national.trim()))
    }
}

/// A string that is not empty after trimming.
fn present(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Profile: organizations' notification addresses (official contacts)

/// `{"contactPointsList": [...]}` of Profile's notification-address lookup.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgAddressesResponse {
    contact_points_list: Option<Vec<OrgAddresses>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OrgAddresses {
    organization_number: Option<String>,
    address_origin: Option<String>,
    mobile_number_list: Option<Vec<Option<String>>>,
    email_list: Option<Vec<Option<String>>>,
}

/// The official contacts of each organization in the answer, by organization number. An
/// organization the answer leaves out has none (Profile omits what it does not know).
pub fn official_contacts_from_profile(
    response: OrgAddressesResponse,
) -> HashMap<String, OfficialContactList> {
    let mut out = HashMap::new();
    for item in response.contact_points_list.unwrap_or_default() {
        let Some(org) = present(item.organization_number.as_deref()) else {
            continue;
        };
        let mut list = OfficialContactList::default();
        for mobile in item.mobile_number_list.unwrap_or_default().iter().flatten() {
            if let Some(mobile) = present(Some(mobile)) {
                let mut c = OfficialContact::default();
                c.mobile_number = Some(normalize_phone(&mobile));
                list.embedded.official_contacts.push(c);
            }
        }
        for email in item.email_list.unwrap_or_default().iter().flatten() {
            if let Some(email) = present(Some(email)) {
                let mut c = OfficialContact::default();
                c.email_address = Some(email);
                list.embedded.official_contacts.push(c);
            }
        }
        list.address_origin = present(item.address_origin.as_deref())
            .filter(|origin| *origin != org)
            .map(ReportedOrganizationNumber::new);
        out.insert(org, list);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// KoFuVi (HAL)

/// The official contacts of `asked` in KoFuVi's HAL answer. The addresses sit in
/// `_embedded.varsling.varslingsadresser` (as data.altinn.no's client reads them; also accepted:
/// `_embedded.varslingsadresser`), each a `kontaktinformasjon` with
/// `digitalVarslingsinformasjon.epostadresse` or `.mobiltelefon`. When the addresses belong to
/// another unit (`kontaktinformasjonForEnhet.enhetsidentifikator.verdi`, a sub-unit answered with
/// its main unit's), that unit is the `address_origin`.
pub fn official_contacts_from_kofuvi(asked: &str, body: &Value) -> OfficialContactList {
    let embedded = body.get("_embedded");
    let items = embedded
        .and_then(|e| e.pointer("/varsling/varslingsadresser"))
        .or_else(|| embedded.and_then(|e| e.get("varslingsadresser")))
        .or_else(|| body.get("varslingsadresser"))
        .and_then(Value::as_array);
    let mut list = OfficialContactList::default();
    let mut origin = None;
    for item in items.into_iter().flatten() {
        let info = item.get("kontaktinformasjon").unwrap_or(item);
        if origin.is_none() {
            origin = info
                .pointer("/kontaktinformasjonForEnhet/enhetsidentifikator/verdi")
                .and_then(Value::as_str)
                .and_then(|s| present(Some(s)));
        }
        let Some(digital) = info.get("digitalVarslingsinformasjon") else {
            continue;
        };
        if let Some(email) = digital.get("epostadresse") {
            let full = email
                .get("fullstendigAdresse")
                .and_then(Value::as_str)
                .and_then(|s| present(Some(s)))
                .or_else(|| {
                    let user = email.get("brukernavn").and_then(Value::as_str)?;
                    let domain = email.get("domenenavn").and_then(Value::as_str)?;
                    present(Some(&format!("{}@{}", user.trim(), domain.trim())))
                });
            if let Some(full) = full {
                let mut c = OfficialContact::default();
                c.email_address = Some(full);
                list.embedded.official_contacts.push(c);
            }
        }
        if let Some(mobile) = digital.get("mobiltelefon") {
            let number = mobile
                .get("fullstendigNummer")
                .and_then(Value::as_str)
                .and_then(|s| present(Some(s)))
                .map(|s| normalize_phone(&s))
                .or_else(|| {
                    let national = mobile.get("nasjonaltNummer").and_then(Value::as_str)?;
                    let national = present(Some(national))?;
                    let prefix = mobile.get("internasjonaltPrefiks").and_then(Value::as_str);
                    Some(join_phone(prefix, &national))
                });
            if let Some(number) = number {
                let mut c = OfficialContact::default();
                c.mobile_number = Some(number);
                list.embedded.official_contacts.push(c);
            }
        }
    }
    list.address_origin = origin
        .filter(|o| o != asked)
        .map(ReportedOrganizationNumber::new);
    list
}

// ---------------------------------------------------------------------------------------------
// Profile: units' user-registered contact points (personal contacts)

/// `{"contactPointsList": [...]}` of Profile's unit contact-point lookup.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UnitContactPointsResponse {
    contact_points_list: Option<Vec<UnitContactPoints>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UnitContactPoints {
    organization_number: Option<String>,
    user_contact_points: Option<Vec<UserContactPoint>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UserContactPoint {
    user_id: Option<Value>,
    email: Option<String>,
    mobile_number: Option<String>,
}

/// An integer id sent as a number or a string of digits.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_owned())
        }
        _ => None,
    }
}

/// The personal contacts of each organization in the answer, by organization number: the
/// `PersonalContactId` is `u{userId}` (an Altinn 3 user id, which `roles` takes); name, national
/// identity number and the changed dates have no source and stay `None`. An organization the
/// answer leaves out has none.
pub fn personal_contacts_from_profile(
    response: UnitContactPointsResponse,
) -> HashMap<String, PersonalContactList> {
    let mut out: HashMap<String, PersonalContactList> = HashMap::new();
    for unit in response.contact_points_list.unwrap_or_default() {
        let Some(org) = present(unit.organization_number.as_deref()) else {
            continue;
        };
        let list = out.entry(org).or_default();
        for user in unit.user_contact_points.unwrap_or_default() {
            let mut c = PersonalContact::default();
            c.personal_contact_id = id_text(user.user_id.as_ref()).map(|id| format!("u{id}"));
            c.email_address = present(user.email.as_deref());
            c.mobile_number = present(user.mobile_number.as_deref()).map(|m| normalize_phone(&m));
            list.embedded.personal_contacts.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Access Management: authorized parties and the role catalogue

/// One party of Access Management's authorized-parties answer (the fields used here).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizedParty {
    organization_number: Option<String>,
    authorized_roles: Option<Vec<Option<String>>>,
    subunits: Option<Vec<AuthorizedParty>>,
}

/// One role of `meta/info/roles` (the fields used here).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleInfo {
    code: Option<String>,
    name: Option<String>,
    description: Option<String>,
    legacy_role_code: Option<String>,
}

/// The roles a person holds for `org` in Access Management's answer, as Altinn 2 roles.
///
/// Access Management lists each role in its new form and, where one exists, its legacy
/// (Altinn 2) form (`"daglig-leder"` and `"dagl"`). Each legacy code becomes one role whose
/// `RoleDefinitionCode` is that code upper-cased (`DAGL`); `RoleName` and `RoleDescription` come
/// from the role catalogue (`meta/info/roles`) when it was available and absent otherwise. A
/// new-form code whose role has a legacy code is that role again and is skipped; a role with no
/// legacy code at all has no Altinn 2 code and is listed with its catalogue name only. Without the
/// catalogue, a code with a `-` is taken as a new-form code (Access Management's convention) and
/// skipped.
pub fn roles_from_parties(
    org: &str,
    parties: &[AuthorizedParty],
    catalogue: &[RoleInfo],
) -> RoleList {
    fn collect<'a>(org: &str, parties: &'a [AuthorizedParty], out: &mut Vec<&'a str>) {
        for party in parties {
            if party.organization_number.as_deref().map(str::trim) == Some(org) {
                for code in party.authorized_roles.iter().flatten().flatten() {
                    out.push(code.trim());
                }
            }
            if let Some(subunits) = &party.subunits {
                collect(org, subunits, out);
            }
        }
    }
    let mut codes = Vec::new();
    collect(org, parties, &mut codes);

    let eq = |a: Option<&str>, b: &str| a.is_some_and(|a| a.trim().eq_ignore_ascii_case(b));
    let mut seen: Vec<String> = Vec::new();
    let mut list = RoleList::default();
    for code in codes.into_iter().filter(|c| !c.is_empty()) {
        let by_legacy = catalogue
            .iter()
            .find(|r| eq(r.legacy_role_code.as_deref(), code));
        let by_code = catalogue.iter().find(|r| eq(r.code.as_deref(), code));
        let (legacy, info) = match (by_legacy, by_code) {
            (Some(info), _) => (Some(code.to_ascii_uppercase()), Some(info)),
            (None, Some(info)) => match present(info.legacy_role_code.as_deref()) {
                // The new form of a role with a legacy code: the legacy form names it.
                Some(legacy) => (Some(legacy.to_ascii_uppercase()), Some(info)),
                None => (None, Some(info)),
            },
            (None, None) if catalogue.is_empty() && code.contains('-') => continue,
            (None, None) => (Some(code.to_ascii_uppercase()), None),
        };
        let key = legacy
            .clone()
            .unwrap_or_else(|| format!("-{}", code.to_ascii_lowercase()));
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let mut role = Role::default();
        role.role_definition_code = legacy;
        role.role_name = info.and_then(|i| present(i.name.as_deref()));
        role.role_description = info.and_then(|i| present(i.description.as_deref()));
        list.embedded.roles.push(role);
    }
    list
}

// ---------------------------------------------------------------------------------------------
// Enhetsregisteret

/// One unit (`enhet` or `underenhet`) of Enhetsregisteret's open API (the fields used here).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Unit {
    organisasjonsnummer: Option<String>,
    navn: Option<String>,
    organisasjonsform: Option<UnitForm>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnitForm {
    kode: Option<String>,
}

/// A page of `enheter` or `underenheter` search results.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitPage {
    #[serde(rename = "_embedded")]
    embedded: Option<UnitPageEmbedded>,
    page: Option<PageInfo>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnitPageEmbedded {
    enheter: Option<Vec<Unit>>,
    underenheter: Option<Vec<Unit>>,
}

/// Spring's page block: `{size, totalElements, totalPages, number}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PageInfo {
    total_elements: Option<u64>,
}

impl UnitPage {
    /// The page's units (main units or sub-units, whichever the page holds).
    pub fn into_units(self) -> Vec<Unit> {
        let embedded = self.embedded.unwrap_or_default();
        let mut units = embedded.enheter.unwrap_or_default();
        units.extend(embedded.underenheter.unwrap_or_default());
        units
    }

    /// How many units match in all, when the page says.
    pub fn total(&self) -> Option<u64> {
        self.page.as_ref().and_then(|p| p.total_elements)
    }
}

/// A unit as an Altinn 2 organization: `Name` ← `navn`, `OrganizationNumber` ←
/// `organisasjonsnummer`, `Type` ← `organisasjonsform.kode`. `LastChanged` and `LastConfirmed`
/// (of the contact information) have no source and stay `None`; no links.
pub fn organization_from_unit(unit: Unit) -> Organization {
    let mut org = Organization::default();
    org.name = present(unit.navn.as_deref());
    org.organization_number =
        present(unit.organisasjonsnummer.as_deref()).map(ReportedOrganizationNumber::new);
    org.organization_type = unit
        .organisasjonsform
        .and_then(|f| present(f.kode.as_deref()))
        .map(OrganizationType::new);
    org
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_get_plus_47() {
        for (given, want) in [
            ("+4799999999", "+4799999999"),
            ("004799999999", "+4799999999"),
            ("4799999999", "+4799999999"),
            ("98765432", "+4798765432"),
            (" 987 65 432 ", "+4798765432"),
            ("+47 987-65-432", "+4798765432"),
            ("0046701234567", "+46701234567"),
            ("+46701234567", "+46701234567"),
            ("12345", "12345"),
            ("not a number", "not a number"),
            ("", ""),
        ] {
            assert_eq!(normalize_phone(given), want, "{given:?}");
        }
        assert_eq!(join_phone(Some("47"), "98765432"), "+4798765432");
        assert_eq!(join_phone(Some("+47"), "98765432"), "+4798765432");
        assert_eq!(join_phone(Some("0047"), "98765432"), "+4798765432");
        assert_eq!(join_phone(None, "98765432"), "+4798765432");
    }

    #[test]
    fn profile_official_contacts_map_one_contact_per_address_with_the_origin() {
        let body = r#"{"contactPointsList":[
            {"organizationNumber":"910021451","addressOrigin":"910021451","partyId":0,
             "mobileNumberList":["+4799999999","004791234567", null],"emailList":["post@firma.no",""]},
            {"organizationNumber":"310524832","addressOrigin":"910021451",
             "mobileNumberList":null,"emailList":["main@firma.no"]},
            {"organizationNumber":"311111111"}]}"#;
        let map = official_contacts_from_profile(serde_json::from_str(body).unwrap());
        let own = &map["910021451"];
        assert_eq!(own.address_origin, None);
        let items = &own.embedded.official_contacts;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].mobile_number.as_deref(), Some("+4799999999"));
        assert_eq!(items[1].mobile_number.as_deref(), Some("+4791234567"));
        assert_eq!(items[2].email_address.as_deref(), Some("post@firma.no"));
        for c in items {
            assert!(c.mobile_number_changed.is_none() && c.email_address_changed.is_none());
        }
        assert_eq!(items[0].email_address, None);
        let sub = &map["310524832"];
        assert_eq!(
            sub.address_origin.as_ref().map(|o| o.as_str()),
            Some("910021451")
        );
        assert!(map["311111111"].embedded.official_contacts.is_empty());
    }

    #[test]
    fn kofuvi_hal_maps_emails_phones_and_the_origin() {
        let body: Value = serde_json::from_str(
            r#"{"_embedded":{"varsling":{"varslingsadresser":[
              {"kontaktinformasjon":{"identifikator":"a1",
                "digitalVarslingsinformasjon":{"epostadresse":{"fullstendigAdresse":"post@example.no"}},
                "kontaktinformasjonForEnhet":{"enhetsidentifikator":{"verdi":"910021451","type":"ORGANISASJONSNUMMER"}}}},
              {"kontaktinformasjon":{"digitalVarslingsinformasjon":{"mobiltelefon":
                {"internasjonaltPrefiks":"0047","nasjonaltNummer":"98765432"}}}},
              {"kontaktinformasjon":{"digitalVarslingsinformasjon":{"epostadresse":
                {"brukernavn":"varsel","domenenavn":"example.no"}}}}]}},
              "_links":{"self":{"href":"x"}}}"#,
        )
        .unwrap();
        let list = official_contacts_from_kofuvi("310524832", &body);
        let items = &list.embedded.official_contacts;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].email_address.as_deref(), Some("post@example.no"));
        assert_eq!(items[1].mobile_number.as_deref(), Some("+4798765432"));
        assert_eq!(items[2].email_address.as_deref(), Some("varsel@example.no"));
        assert_eq!(
            list.address_origin.as_ref().map(|o| o.as_str()),
            Some("910021451")
        );
        let own = official_contacts_from_kofuvi("910021451", &body);
        assert_eq!(own.address_origin, None);
        let empty = official_contacts_from_kofuvi("910021451", &serde_json::json!({}));
        assert!(empty.embedded.official_contacts.is_empty());
    }

    #[test]
    fn personal_contacts_get_u_ids_and_nothing_invented() {
        let body = r#"{"contactPointsList":[{"organizationNumber":"910021451","partyId":50001,
            "userContactPoints":[{"mobileNumber":"98765432","email":"user@email.com","userId":20001},
                                 {"mobileNumber":null,"email":"","userId":"20002"}]}]}"#;
        let map = personal_contacts_from_profile(serde_json::from_str(body).unwrap());
        let items = &map["910021451"].embedded.personal_contacts;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].personal_contact_id.as_deref(), Some("u20001"));
        assert_eq!(items[0].mobile_number.as_deref(), Some("+4798765432"));
        assert_eq!(items[0].email_address.as_deref(), Some("user@email.com"));
        assert!(items[0].name.is_none() && items[0].social_security_number.is_none());
        assert!(
            items[0].mobile_number_changed.is_none() && items[0].email_address_changed.is_none()
        );
        assert_eq!(items[1].personal_contact_id.as_deref(), Some("u20002"));
        assert_eq!(items[1].email_address, None);
        assert_eq!(items[1].mobile_number, None);
    }

    fn parties() -> Vec<AuthorizedParty> {
        serde_json::from_str(
            r#"[{"name":"MAIN","organizationNumber":"910021451","authorizedRoles":["daglig-leder","dagl","ECKEYROLE"],
                 "subunits":[{"organizationNumber":"310524832","authorizedRoles":["regn"]}]},
                {"organizationNumber":"311111111","authorizedRoles":["lede"]}]"#,
        )
        .unwrap()
    }

    #[test]
    fn roles_use_legacy_codes_upper_cased_with_catalogue_names() {
        let catalogue: Vec<RoleInfo> = serde_json::from_str(
            r#"[{"id":"x","code":"daglig-leder","name":"Daglig leder","description":"Leder","legacyRoleCode":"DAGL"},
                {"code":"regnskapsforer","name":"Regnskapsfører","legacyRoleCode":"REGN"},
                {"code":"ny-rolle","name":"Ny rolle"}]"#,
        )
        .unwrap();
        let list = roles_from_parties("910021451", &parties(), &catalogue);
        let roles = &list.embedded.roles;
        assert_eq!(roles.len(), 2, "{roles:?}");
        assert_eq!(roles[0].role_definition_code.as_deref(), Some("DAGL"));
        assert_eq!(roles[0].role_name.as_deref(), Some("Daglig leder"));
        assert_eq!(roles[0].role_description.as_deref(), Some("Leder"));
        assert!(roles[0].role_definition_id.is_none() && roles[0].role_type.is_none());
        assert_eq!(roles[1].role_definition_code.as_deref(), Some("ECKEYROLE"));
        assert_eq!(roles[1].role_name, None);
        let sub = roles_from_parties("310524832", &parties(), &catalogue);
        assert_eq!(
            sub.embedded.roles[0].role_definition_code.as_deref(),
            Some("REGN")
        );
        assert_eq!(
            sub.embedded.roles[0].role_name.as_deref(),
            Some("Regnskapsfører")
        );
        assert!(
            roles_from_parties("999999999", &parties(), &catalogue)
                .embedded
                .roles
                .is_empty()
        );
    }

    #[test]
    fn roles_without_the_catalogue_have_codes_and_no_names() {
        let list = roles_from_parties("910021451", &parties(), &[]);
        let codes: Vec<_> = list
            .embedded
            .roles
            .iter()
            .map(|r| r.role_definition_code.as_deref().unwrap())
            .collect();
        assert_eq!(codes, ["DAGL", "ECKEYROLE"]);
        assert!(list.embedded.roles.iter().all(|r| r.role_name.is_none()));
    }

    #[test]
    fn units_become_organizations() {
        let unit: Unit = serde_json::from_str(
            r#"{"organisasjonsnummer":"910021451","navn":"FIRMA AS",
                "organisasjonsform":{"kode":"AS","beskrivelse":"Aksjeselskap"},"registreringsdatoEnhetsregisteret":"2017-01-01"}"#,
        )
        .unwrap();
        let org = organization_from_unit(unit);
        assert_eq!(org.name.as_deref(), Some("FIRMA AS"));
        assert_eq!(
            org.organization_number.as_ref().map(|o| o.as_str()),
            Some("910021451")
        );
        assert_eq!(
            org.organization_type.as_ref().map(|t| t.as_str()),
            Some("AS")
        );
        assert!(org.last_changed.is_none() && org.last_confirmed.is_none());
        let page: UnitPage = serde_json::from_str(
            r#"{"_embedded":{"enheter":[{"organisasjonsnummer":"1"},{"organisasjonsnummer":"2"}]},
                "page":{"size":2,"totalElements":5,"totalPages":3,"number":0}}"#,
        )
        .unwrap();
        assert_eq!(page.total(), Some(5));
        assert_eq!(page.into_units().len(), 2);
        let empty: UnitPage = serde_json::from_str(r#"{"page":{"totalElements":0}}"#).unwrap();
        assert!(empty.into_units().is_empty());
    }
}
