//! The fixed records: the API page's samples and the quirks seen in real responses.
//!
//! Samples (`kontaktinformasjon.md`): organizations 010000211, 910514318, 810748532 and 910021451
//! with the page's official and personal contacts, and person r50051516 of 910514318 with the
//! page's eighteen roles. Where the page leaves a value out (910021451's name, the contact points
//! behind its search example), the values here are made up and stable.
//!
//! Quirks: a padded, invalid organization number `"00210    "` with `Type` null; official contacts
//! with `""` / `0001-01-01T00:00:00` halves and with `null`s; names with trailing spaces; a Local
//! role with `RoleId`, `Delegator` and `DelegatedTime`; `\r\n` inside `RoleDescription`s; a
//! `+47` phone number and an upper-case e-mail address for search.

use altinn_contacts_model::{OfficialContact, Role, RoleType};

use crate::records::{OrganizationRecord, PersonRecord, sentinel, timestamp};

/// A phone number shared by 910514318 (personal) and 810748532 (official), so one search finds
/// both, as in the page's search example.
pub(crate) const SHARED_PHONE: &str = "+4791234567";

fn official(
    mobile: &str,
    mobile_changed: &str,
    email: &str,
    email_changed: &str,
) -> OfficialContact {
    let mut c = OfficialContact::default();
    c.mobile_number = Some(mobile.to_owned());
    c.mobile_number_changed = timestamp(mobile_changed);
    c.email_address = Some(email.to_owned());
    c.email_address_changed = timestamp(email_changed);
    c
}

fn with_changed(
    mut person: PersonRecord,
    mobile_changed: &str,
    email_changed: &str,
) -> PersonRecord {
    person.contact.mobile_number_changed = timestamp(mobile_changed);
    person.contact.email_address_changed = timestamp(email_changed);
    person
}

/// The Local role of the quirk records: `RoleDefinitionId` 0, no code, and delegation fields.
fn local_delegated_role() -> Role {
    let mut role = Role::default();
    role.role_type = Some(RoleType::LOCAL);
    role.role_definition_id = Some(0);
    role.role_name = Some("Innkjøp og fakturagodkjenning".to_owned());
    role.role_description =
        Some("Lokal rolle opprettet av virksomheten.\r\nGir tilgang til innkjøp.".to_owned());
    role.role_definition_code = None;
    role.role_id = Some(1_234_567);
    role.delegator = Some("BJØRN ROLF".to_owned());
    role.delegated_time = timestamp("2018-02-14T08:30:12.5");
    role
}

/// The sample and quirk records, in no particular order.
pub(crate) fn records() -> Vec<OrganizationRecord> {
    let mut out = Vec::new();

    let mut herdla =
        OrganizationRecord::new("010000211", "HERDLA OG SAULAND").organization_type("IS");
    herdla.organization.last_changed = timestamp("2014-11-05T00:00:00");
    out.push(herdla.official_email("post@herdla-sauland.no"));

    let mut r50051516 = with_changed(
        PersonRecord::new("r50051516", "ÅGOTNES ÅSE MARIT")
            .social_security_number("01827312345")
            .mobile(SHARED_PHONE)
            .email("regnskap@kystbasen.no"),
        "2017-03-22T10:42:34.713",
        "2017-03-22T10:42:34.713",
    );
    for def in crate::catalogue::ROLES.iter().filter(|d| d.0 == "Altinn") {
        r50051516.roles.push(crate::catalogue::role(def));
    }
    let mut kystbasen =
        OrganizationRecord::new("910514318", "KYSTBASEN ÅGOTNES OG ILSENG REGNSKAP")
            .organization_type("ASA");
    kystbasen.organization.last_changed = timestamp("2015-10-27T12:43:02.23");
    kystbasen.organization.last_confirmed = timestamp("2017-03-22T10:42:34.713");
    out.push(
        kystbasen
            .official_contact(official(
                "55667788",
                "2015-10-27T12:43:02.23",
                "",
                "0001-01-01T00:00:00",
            ))
            .personal_contact(r50051516),
    );

    out.push(
        OrganizationRecord::new("810748532", "LEINSTRAND OG HOMBORSUND")
            .organization_type("BEDR")
            // A BEDR is a sub-unit; the successor emulations show its main unit.
            .main_unit("910514318")
            .official_contact(official(
                SHARED_PHONE,
                "2016-01-04T07:55:00",
                "",
                "0001-01-01T00:00:00",
            )),
    );

    let rolf = with_changed(
        PersonRecord::new("r50022994", "ROLF BJØRN               ")
            .social_security_number("06117701547")
            .mobile("12345678")
            .email("eok@br.no")
            .role_code("DAGL")
            .role_code("ALLEA")
            .role_code("UTINN")
            .role_code("REGNA")
            .role_code("ADMAI"),
        "2017-06-15T09:05:00.86",
        "2017-06-15T09:05:00.86",
    );
    let tarald = with_changed(
        PersonRecord::new("r50041943", "DRAGE TARALD")
            .social_security_number("11106700992")
            .mobile("12345678")
            .email("pubg@gg.kd")
            .role_code("ALLEA")
            .role_code("A0236")
            .role_code("LOPER")
            .role(local_delegated_role()),
        "2016-06-22T14:17:11.23",
        "2016-06-22T14:17:11.23",
    );
    let mut bjornevatn =
        OrganizationRecord::new("910021451", "BJØRNEVATN OG RØSTAD AS").organization_type("AS");
    bjornevatn.organization.last_changed = timestamp("2017-06-15T09:07:20.84");
    out.push(
        bjornevatn
            .official_contact(official(
                "22334455",
                "2017-06-15T09:07:20.84",
                "34234324@gg.com",
                "2017-06-15T09:07:20.84",
            ))
            .official_contact(official(
                "33445566",
                "2017-06-15T09:07:20.84",
                "eeee@bb.com",
                "2017-06-15T09:07:20.84",
            ))
            .personal_contact(rolf)
            .personal_contact(tarald),
    );

    // Quirks.
    out.push(OrganizationRecord::new(
        "00210    ",
        "TESTORGANISASJON MED PADDET NUMMER",
    ));

    let mut nulls = OfficialContact::default();
    nulls.mobile_number = None;
    nulls.mobile_number_changed = None;
    nulls.email_address = Some("faktura@saerheim.no".to_owned());
    nulls.email_address_changed = timestamp("2019-09-01T10:00:00");
    let mut empty_both = OfficialContact::default();
    empty_both.mobile_number = Some(String::new());
    empty_both.mobile_number_changed = sentinel();
    empty_both.email_address = Some(String::new());
    empty_both.email_address_changed = sentinel();
    let mut saerheim =
        OrganizationRecord::new("310524824", "SÆRHEIM & SØNNER   ").organization_type("ENK");
    saerheim.organization.last_changed = timestamp("2019-09-01T10:00:00.1");
    out.push(
        saerheim
            .official_contact(official(
                "41234567",
                "2019-09-01T10:00:00",
                "",
                "0001-01-01T00:00:00",
            ))
            .official_contact(official(
                "",
                "0001-01-01T00:00:00",
                "post@saerheim.no",
                "2019-09-01T10:00:00",
            ))
            .official_contact(nulls)
            .official_contact(empty_both)
            .personal_contact(
                PersonRecord::new("r50099001", "SÆRHEIM KJÆRSTI  ")
                    .social_security_number("24897512345")
                    .mobile("+4798765432")
                    .email("Kjaersti.Saerheim@Saerheim.NO")
                    .role_code("DAGL")
                    .role_code("LOPER")
                    .role(local_delegated_role()),
            ),
    );

    out
}
