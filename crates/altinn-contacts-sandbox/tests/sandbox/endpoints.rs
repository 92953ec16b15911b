//! Each of the six calls, in the shape of the API page's samples, with absolute links.

use altinn_contacts_model::{
    OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList, decode,
};
use altinn_contacts_sandbox::{OrganizationRecord, PersonRecord, Sandbox, messages};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn organizations_list_has_the_sample_shape() {
    let sandbox = seed_only().await;
    let base = sandbox.base_url().to_owned();
    let body = get_json(&sandbox, "organizations").await;
    assert_eq!(
        body["_links"]["self"]["href"],
        format!("{base}/api/serviceowner/organizations")
    );
    let herdla = items(&body, "organizations")
        .iter()
        .find(|o| o["OrganizationNumber"] == "010000211")
        .expect("010000211 listed");
    let own = format!("{base}/api/serviceowner/organizations/010000211");
    assert_eq!(
        herdla,
        &json!({
            "Name": "HERDLA OG SAULAND",
            "OrganizationNumber": "010000211",
            "Type": "IS",
            "LastChanged": "2014-11-05T00:00:00",
            "LastConfirmed": null,
            "_links": {
                "self": { "href": own },
                "personalcontacts": { "href": format!("{own}/personalcontacts") },
                "officialcontacts": { "href": format!("{own}/officialcontacts") },
            }
        })
    );
    // The model decodes every record, quirks included.
    let list: OrganizationList = decode(body.to_string().as_bytes()).expect("decodes");
    assert_eq!(list.items().len(), sandbox.organization_count());
    let padded = list
        .items()
        .iter()
        .find(|o| o.organization_number.as_ref().map(|n| n.as_str()) == Some("00210    "))
        .expect("padded quirk listed");
    assert!(padded.organization_type.is_none());
    assert!(!padded.organization_number.as_ref().unwrap().is_valid());
}

#[tokio::test]
async fn one_organization_with_and_without_expand() {
    let sandbox = seed_only().await;
    let plain = get_json(&sandbox, "organizations/910514318").await;
    assert_eq!(plain["Name"], "KYSTBASEN ÅGOTNES OG ILSENG REGNSKAP");
    assert_eq!(plain["Type"], "ASA");
    assert_eq!(plain["LastChanged"], "2015-10-27T12:43:02.23");
    assert_eq!(plain["LastConfirmed"], "2017-03-22T10:42:34.713");
    assert!(plain.get("_embedded").is_none());

    // Altinn's own examples end the path with a slash and carry the valueless flag.
    let slashed = get_json(&sandbox, "organizations/910514318/?ForceEIAuthentication").await;
    assert_eq!(slashed, plain);

    let expanded = get_json(&sandbox, "organizations/910021451?$expand=OfficialContacts").await;
    let embedded = items(&expanded, "officialcontacts");
    assert_eq!(embedded.len(), 2);
    assert_eq!(embedded[1]["EMailAddress"], "eeee@bb.com");
    let org: Organization = decode(expanded.to_string().as_bytes()).expect("decodes");
    assert_eq!(org.official_contacts().len(), 2);

    let response = get(&sandbox, "organizations/910021451?$expand=PersonalContacts").await;
    assert_eq!(response.status(), 400);
    assert!(
        reason(&response)
            .unwrap()
            .starts_with(messages::ODATA_INVALID)
    );
}

#[tokio::test]
async fn official_contacts_match_the_sample() {
    let sandbox = seed_only().await;
    let body = get_json(&sandbox, "organizations/910021451/officialcontacts").await;
    assert_eq!(
        body,
        json!({
            "_links": { "self": { "href": url(&sandbox, "organizations/910021451/officialcontacts") } },
            "_embedded": { "officialcontacts": [
                {
                    "MobileNumber": "22334455",
                    "MobileNumberChanged": "2017-06-15T09:07:20.84",
                    "EMailAddress": "34234324@gg.com",
                    "EMailAddressChanged": "2017-06-15T09:07:20.84"
                },
                {
                    "MobileNumber": "33445566",
                    "MobileNumberChanged": "2017-06-15T09:07:20.84",
                    "EMailAddress": "eeee@bb.com",
                    "EMailAddressChanged": "2017-06-15T09:07:20.84"
                }
            ]}
        })
    );
}

#[tokio::test]
async fn official_contacts_quirks_are_served_as_altinn_writes_them() {
    let sandbox = seed_only().await;
    let body = get_json(&sandbox, "organizations/310524824/officialcontacts/").await;
    let contacts = items(&body, "officialcontacts");
    assert_eq!(contacts[0]["EMailAddress"], "");
    assert_eq!(contacts[0]["EMailAddressChanged"], "0001-01-01T00:00:00");
    assert_eq!(contacts[1]["MobileNumber"], "");
    assert_eq!(contacts[1]["MobileNumberChanged"], "0001-01-01T00:00:00");
    assert_eq!(contacts[2]["MobileNumber"], Value::Null);
    let list: OfficialContactList = decode(body.to_string().as_bytes()).expect("decodes");
    assert_eq!(list.items()[0].email(), None);
    assert_eq!(list.items()[1].email(), Some("post@saerheim.no"));
    assert_eq!(list.items()[3].mobile(), None);

    let org = get_json(&sandbox, "organizations/310524824").await;
    assert_eq!(org["Name"], "SÆRHEIM & SØNNER   ");
}

#[tokio::test]
async fn personal_contacts_match_the_sample() {
    let sandbox = seed_only().await;
    let body = get_json(&sandbox, "organizations/910021451/personalcontacts").await;
    assert_eq!(
        body["_links"]["self"]["href"],
        url(&sandbox, "organizations/910021451/personalcontacts")
    );
    let persons = items(&body, "personalcontacts");
    assert_eq!(persons.len(), 2);
    assert_eq!(
        persons[0],
        json!({
            "PersonalContactId": "r50022994",
            "Name": "ROLF BJØRN               ",
            "SocialSecurityNumber": "06117701547",
            "MobileNumber": "12345678",
            "MobileNumberChanged": "2017-06-15T09:05:00.86",
            "EMailAddress": "eok@br.no",
            "EMailAddressChanged": "2017-06-15T09:05:00.86",
            "_links": { "roles": { "href": url(&sandbox, "organizations/910021451/personalcontacts/r50022994/roles") } }
        })
    );
    assert_eq!(persons[1]["PersonalContactId"], "r50041943");
    assert_eq!(persons[1]["Name"], "DRAGE TARALD");
    let list: PersonalContactList = decode(body.to_string().as_bytes()).expect("decodes");
    assert_eq!(list.items()[0].display_name(), Some("ROLF BJØRN"));
}

#[tokio::test]
async fn roles_match_the_sample() {
    let sandbox = seed_only().await;
    let body = get_json(
        &sandbox,
        "organizations/910514318/personalcontacts/r50051516/roles",
    )
    .await;
    assert_eq!(
        body["_links"]["self"]["href"],
        url(
            &sandbox,
            "organizations/910514318/personalcontacts/r50051516/roles"
        )
    );
    let roles = items(&body, "roles");
    let codes: Vec<&str> = roles
        .iter()
        .map(|r| r["RoleDefinitionCode"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "ALLEA", "SISKD", "UTOMR", "UIHTL", "KLADM", "KOMAB", "LOPER", "PASIG", "PAVAD",
            "A0236", "A0212", "REGNA", "ATTST", "UILUF", "SIGNE", "ADMAI", "UTINN", "HVASK"
        ]
    );
    assert_eq!(
        roles[6],
        json!({
            "RoleType": "Altinn",
            "RoleDefinitionId": 3,
            "RoleName": "Lønn og personalmedarbeider",
            "RoleDescription": "Denne rollen gir rettighet til lønns- og personalrelaterte tjenester.\r\n",
            "RoleDefinitionCode": "LOPER",
            "_links": { "roledefinition": { "href": url(&sandbox, "roledefinitions/3") } }
        })
    );
    let list: RoleList = decode(body.to_string().as_bytes()).expect("decodes");
    assert_eq!(list.items().len(), 18);
}

#[tokio::test]
async fn local_delegated_role_carries_its_extra_fields() {
    let sandbox = seed_only().await;
    let body = get_json(
        &sandbox,
        "organizations/910021451/personalcontacts/r50041943/roles",
    )
    .await;
    let local = items(&body, "roles")
        .iter()
        .find(|r| r["RoleType"] == "Local")
        .expect("a Local role");
    assert_eq!(local["RoleDefinitionId"], 0);
    assert_eq!(local["RoleId"], 1_234_567);
    assert_eq!(local["Delegator"], "BJØRN ROLF");
    assert_eq!(local["DelegatedTime"], "2018-02-14T08:30:12.5");
    assert!(local["RoleDescription"].as_str().unwrap().contains("\r\n"));
}

#[tokio::test]
async fn user_records_replace_samples_and_are_served() {
    let sandbox = start(
        Sandbox::builder().organizations(0).with_organization(
            OrganizationRecord::new("910021451", "ERSTATTET AS")
                .organization_type("AS")
                .official_email("ny@erstattet.no")
                .personal_contact(
                    PersonRecord::new("r70000001", "NY PERSON")
                        .mobile("90000001")
                        .role_code("REVI"),
                ),
        ),
    )
    .await;
    let org = get_json(&sandbox, "organizations/910021451").await;
    assert_eq!(org["Name"], "ERSTATTET AS");
    let official = get_json(&sandbox, "organizations/910021451/officialcontacts").await;
    assert_eq!(
        items(&official, "officialcontacts")[0]["EMailAddress"],
        "ny@erstattet.no"
    );
    assert_eq!(
        items(&official, "officialcontacts")[0]["MobileNumberChanged"],
        "0001-01-01T00:00:00"
    );
    let roles = get_json(
        &sandbox,
        "organizations/910021451/personalcontacts/r70000001/roles",
    )
    .await;
    assert_eq!(items(&roles, "roles")[0]["RoleType"], "External");
}

#[tokio::test]
async fn path_errors_are_altinn_style() {
    let sandbox = seed_only().await;
    assert_error(
        get(&sandbox, "organizations/12345").await,
        400,
        "Invalid organization number: 12345",
    )
    .await;
    assert_error(
        get(&sandbox, "organizations/910021452/officialcontacts").await,
        400,
        "Invalid organization number: 910021452",
    )
    .await;
    // A national identity number sent by mistake is not echoed back.
    assert_error(
        get(&sandbox, "organizations/06117701547").await,
        400,
        "Invalid organization number: ***********",
    )
    .await;
    assert_error(
        get(&sandbox, "organizations/974760673").await,
        404,
        "Organization not found: 974760673",
    )
    .await;
    assert_error(
        get(&sandbox, "organizations/974760673/personalcontacts").await,
        404,
        "Organization not found: 974760673",
    )
    .await;
    assert_error(
        get(
            &sandbox,
            "organizations/910021451/personalcontacts/06117701547/roles",
        )
        .await,
        400,
        messages::INVALID_PERSON_ID,
    )
    .await;
    assert_error(
        get(
            &sandbox,
            "organizations/910021451/personalcontacts/r123/roles",
        )
        .await,
        404,
        "Personal contact r123 not found for organization 910021451",
    )
    .await;
    assert_error(
        get(&sandbox, "organisations").await,
        404,
        messages::NO_SUCH_RESOURCE,
    )
    .await;
    assert_error(
        get(&sandbox, "roledefinitions/3").await,
        404,
        messages::NO_SUCH_RESOURCE,
    )
    .await;
    let post = client()
        .post(url(&sandbox, "organizations"))
        .header("ApiKey", sandbox.api_key())
        .send()
        .await
        .unwrap();
    assert_error(post, 405, messages::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn links_follow_the_host_the_client_used() {
    let sandbox = seed_only().await;
    let host = format!("localhost:{}", sandbox.local_addr().port());
    let response = client()
        .get(url(&sandbox, "organizations/010000211"))
        .header("ApiKey", sandbox.api_key())
        .header("Host", &host)
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(
        body["_links"]["self"]["href"],
        format!("http://{host}/api/serviceowner/organizations/010000211")
    );
}

#[tokio::test]
async fn generated_links_can_be_followed() {
    let sandbox = start(
        Sandbox::builder()
            .organizations(30)
            .include_seed_records(false),
    )
    .await;
    let list = get_json(&sandbox, "organizations").await;
    let mut persons_seen = 0;
    for org in items(&list, "organizations") {
        let href = org["_links"]["personalcontacts"]["href"].as_str().unwrap();
        assert!(href.starts_with(sandbox.base_url()));
        let persons: Value = serde_json::from_slice(
            &client()
                .get(href)
                .header("ApiKey", sandbox.api_key())
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        )
        .unwrap();
        for person in items(&persons, "personalcontacts") {
            persons_seen += 1;
            let roles_href = person["_links"]["roles"]["href"].as_str().unwrap();
            let response = client()
                .get(roles_href)
                .header("ApiKey", sandbox.api_key())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let roles: RoleList = decode(&response.bytes().await.unwrap()).unwrap();
            assert!(!roles.items().is_empty());
        }
    }
    assert!(persons_seen > 10, "{persons_seen}");
}
