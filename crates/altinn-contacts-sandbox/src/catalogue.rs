//! The role definitions and services the sandbox knows.
//!
//! The Altinn roles are the ones of the API page's sample (texts verbatim, `\r\n` included); the
//! External roles are Enhetsregisteret's common ones; the service table says which role codes
//! give access to which service, so `serviceCode` + `serviceEdition` filters have something to
//! match.

use altinn_contacts_model::{Role, RoleType};

/// One role definition: `(RoleType, RoleDefinitionId, RoleName, RoleDescription, code)`.
type RoleDef = (&'static str, i64, &'static str, &'static str, &'static str);

/// Every role definition the sandbox hands out, Altinn roles first.
pub(crate) const ROLES: &[RoleDef] = &[
    (
        "Altinn",
        89,
        "Basisrolle",
        "Rolle som følger automatisk med når en bruker får en annen Altinn-rolle",
        "ALLEA",
    ),
    (
        "Altinn",
        8,
        "Begrenset signeringsrettighet",
        "Tilgang til å signere utvalgte skjema og tjenester",
        "SISKD",
    ),
    (
        "Altinn",
        12,
        "Energi, miljø og klima",
        "Tilgang til tjenester relatert til energi, miljø og klima",
        "UTOMR",
    ),
    (
        "Altinn",
        131,
        "Helse-, sosial- og velferdstjenester",
        "Tilgang til helse-, sosial- og velferdsrelaterte tjenester",
        "UIHTL",
    ),
    (
        "Altinn",
        15,
        "Klientadministrator",
        "Tilgang til å administrere klientroller for regnskapsførere og revisorer",
        "KLADM",
    ),
    (
        "Altinn",
        134,
        "Kommunale tjenester",
        "Rolle for kommunale tjenester",
        "KOMAB",
    ),
    (
        "Altinn",
        3,
        "Lønn og personalmedarbeider",
        "Denne rollen gir rettighet til lønns- og personalrelaterte tjenester.\r\n",
        "LOPER",
    ),
    (
        "Altinn",
        5576,
        "Parallell signering",
        "Denne rollen gir rettighet til å signere elementer fra andre avgivere.\r\n",
        "PASIG",
    ),
    (
        "Altinn",
        87,
        "Patent, varemerke og design",
        "Denne rollen gir rettighet til tjenester relatert til patent, varemerke og design.",
        "PAVAD",
    ),
    (
        "Altinn",
        5603,
        "Post/arkiv",
        "Denne rollen gir rettighet til å lese meldinger som blir sendt til brukerens meldingsboks.\r\n",
        "A0236",
    ),
    (
        "Altinn",
        272,
        "Primærnæring og næringsmiddel",
        "Denne rollen gir rettighet til tjenester innen import, foredling, produksjon og/eller salg av primærnæringsprodukter og andre næringsmiddel, samt dyrehold, akvakultur, planter og kosmetikk.",
        "A0212",
    ),
    (
        "Altinn",
        6,
        "Regnskapsmedarbeider",
        "Denne rollen gir rettighet til regnskapsrelaterte skjema og tjenester.",
        "REGNA",
    ),
    (
        "Altinn",
        85,
        "Revisorattesterer - MVA kompensasjon",
        "Denne rollen gir revisor rettighet til å attestere tjenesten Merverdiavgift - søknad om kompensasjon (RF-0009).",
        "ATTST",
    ),
    (
        "Altinn",
        10,
        "Samferdsel",
        "Rollen gir rettighet til tjenester relatert til samferdsel. For eksempel tjenester fra Statens Vegvesen, Sjøfartsdirektoratet og Luftfartstilsynet.",
        "UILUF",
    ),
    (
        "Altinn",
        130,
        "Signerer av Samordnet registermelding",
        "Denne rollen gir rettighet til tjenester på vegne av enheter/foretak.\r\n",
        "SIGNE",
    ),
    (
        "Altinn",
        4,
        "Tilgangsstyring",
        "Denne rollen gir administratortilgang til å gi videre rettigheter til andre.\r\n",
        "ADMAI",
    ),
    (
        "Altinn",
        11,
        "Utfyller/Innsender",
        "Denne rollen gir rettighet til utvalgte skjema og tjenester.\r\n",
        "UTINN",
    ),
    (
        "Altinn",
        86,
        "Økokrim rapportering",
        "Tilgang til tjenester fra Økokrim",
        "HVASK",
    ),
    (
        "External",
        30000,
        "Daglig leder",
        "Ekstern rolle (fra Enhetsregisteret)",
        "DAGL",
    ),
    (
        "External",
        30001,
        "Styrets leder",
        "Ekstern rolle (fra Enhetsregisteret)",
        "LEDE",
    ),
    (
        "External",
        30002,
        "Styremedlem",
        "Ekstern rolle (fra Enhetsregisteret)",
        "MEDL",
    ),
    (
        "External",
        30003,
        "Regnskapsfører",
        "Ekstern rolle (fra Enhetsregisteret)",
        "REGN",
    ),
    (
        "External",
        30004,
        "Revisor",
        "Ekstern rolle (fra Enhetsregisteret)",
        "REVI",
    ),
];

/// Services and the role codes that give access to them: `(serviceCode, serviceEdition, codes)`.
pub(crate) const SERVICES: &[(&str, &str, &[&str])] = &[
    // A-melding.
    ("4936", "1", &["LOPER", "UTINN", "DAGL"]),
    // Skattemelding for næringsdrivende.
    ("4491", "1", &["REGNA", "UTINN", "DAGL", "REGN"]),
    // Merverdiavgift, kompensasjon.
    ("4503", "2", &["ATTST", "REVI", "REGNA"]),
    // Meldingsboks (Post/arkiv).
    ("3906", "2", &["A0236", "DAGL", "ADMAI"]),
    // Samordnet registermelding.
    ("2802", "1", &["SIGNE", "DAGL", "LEDE"]),
    // Mattilsynet, primærnæring.
    ("5145", "1", &["A0212", "UTINN"]),
];

/// Builds the [`Role`] of a definition (without `_links`, which depend on the base URL).
pub(crate) fn role(def: &RoleDef) -> Role {
    let (role_type, id, name, description, code) = *def;
    let mut role = Role::default();
    role.role_type = Some(RoleType::new(role_type));
    role.role_definition_id = Some(id);
    role.role_name = Some(name.to_owned());
    role.role_description = Some(description.to_owned());
    role.role_definition_code = Some(code.to_owned());
    role
}

/// The role with code `code` (case-insensitive), if the catalogue has it.
pub(crate) fn role_by_code(code: &str) -> Option<Role> {
    ROLES
        .iter()
        .find(|def| def.4.eq_ignore_ascii_case(code))
        .map(role)
}

/// True when a person holding roles with `codes` may use service `code`/`edition`.
pub(crate) fn service_allows<'a>(
    code: &str,
    edition: &str,
    mut codes: impl Iterator<Item = &'a str>,
) -> bool {
    let Some((_, _, granting)) = SERVICES
        .iter()
        .find(|(c, e, _)| *c == code && *e == edition)
    else {
        return false;
    };
    codes.any(|held| granting.iter().any(|g| g.eq_ignore_ascii_case(held)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        for (i, a) in ROLES.iter().enumerate() {
            for b in &ROLES[i + 1..] {
                assert_ne!(a.4, b.4);
            }
        }
    }

    #[test]
    fn services_follow_role_codes() {
        assert!(service_allows("4936", "1", ["ALLEA", "loper"].into_iter()));
        assert!(!service_allows("4936", "1", ["ALLEA"].into_iter()));
        assert!(!service_allows("4936", "2", ["LOPER"].into_iter()));
        assert_eq!(role_by_code("utinn").unwrap().role_definition_id, Some(11));
    }
}
