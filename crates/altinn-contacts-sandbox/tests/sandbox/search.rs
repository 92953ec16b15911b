//! Search by contact point, personal-contact filters and roles.

use altinn_contacts_sandbox::{Sandbox, messages};
use serde_json::Value;

use crate::common::*;

fn person_ids(body: &Value) -> Vec<&str> {
    items(body, "personalcontacts")
        .iter()
        .map(|p| p["PersonalContactId"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn search_by_email_phone_and_both() {
    let sandbox = start(Sandbox::builder().organizations(200)).await;
    let by_email = get_json(&sandbox, "organizations?email=regnskap@kystbasen.no").await;
    assert_eq!(numbers(&by_email), ["910514318"]);
    assert_eq!(
        by_email["_links"]["self"]["href"],
        url(&sandbox, "organizations")
    );

    // E-mail addresses compare case-insensitively (the record holds upper-case letters).
    let by_email = get_json(
        &sandbox,
        "organizations?email=kjaersti.saerheim%40saerheim.no",
    )
    .await;
    assert_eq!(numbers(&by_email), ["310524824"]);

    // Official (810748532) and personal (910514318) contact points, `+` sent as %2B.
    let by_phone = get_json(&sandbox, "organizations?phoneNumber=%2B4791234567").await;
    assert_eq!(numbers(&by_phone), ["810748532", "910514318"]);

    // An unencoded `+` decodes to a space, as at Altinn, and matches nothing.
    let unencoded = get_json(&sandbox, "organizations?phoneNumber=+4791234567").await;
    assert!(numbers(&unencoded).is_empty());

    let both = get_json(
        &sandbox,
        "organizations?ForceEIAuthentication&email=eok@br.no&phoneNumber=%2B4791234567",
    )
    .await;
    assert_eq!(numbers(&both), ["810748532", "910021451", "910514318"]);

    // The OData options apply to the hits.
    let ordered = get_json(
        &sandbox,
        "organizations?email=eok@br.no&phoneNumber=%2B4791234567&$orderby=Name&$top=2",
    )
    .await;
    assert_eq!(numbers(&ordered), ["910021451", "910514318"]);
    let expanded = get_json(
        &sandbox,
        "organizations?phoneNumber=%2B4791234567&$expand=OfficialContacts",
    )
    .await;
    assert_eq!(
        items(&expanded, "organizations")[0]["_embedded"]["officialcontacts"][0]["MobileNumber"],
        "+4791234567"
    );

    let nobody = get_json(&sandbox, "organizations?email=nobody@nowhere.no").await;
    assert!(numbers(&nobody).is_empty());
}

#[tokio::test]
async fn search_finds_generated_contact_points() {
    let sandbox = start(
        Sandbox::builder()
            .organizations(500)
            .include_seed_records(false)
            .seed(99),
    )
    .await;
    let list = get_json(&sandbox, "organizations?$expand=OfficialContacts").await;
    let mut checked = 0;
    for org in items(&list, "organizations").iter().take(60) {
        let number = org["OrganizationNumber"].as_str().unwrap();
        for contact in org["_embedded"]["officialcontacts"].as_array().unwrap() {
            let email = contact["EMailAddress"].as_str().unwrap();
            if !email.is_empty() {
                let hits = get_json(&sandbox, &format!("organizations?email={email}")).await;
                assert!(numbers(&hits).iter().any(|n| n == number), "{email}");
                checked += 1;
            }
            let phone = contact["MobileNumber"].as_str().unwrap();
            if !phone.is_empty() {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(phone.as_bytes()).collect();
                let hits =
                    get_json(&sandbox, &format!("organizations?phoneNumber={encoded}")).await;
                assert!(numbers(&hits).iter().any(|n| n == number), "{phone}");
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "{checked}");

    // Personal contact points are searched too.
    let number = &sandbox.organization_numbers()[0];
    let mut found_person = false;
    for number in sandbox.organization_numbers().iter().take(30) {
        let persons = get_json(
            &sandbox,
            &format!("organizations/{number}/personalcontacts"),
        )
        .await;
        if let Some(email) = items(&persons, "personalcontacts")
            .iter()
            .map(|p| p["EMailAddress"].as_str().unwrap())
            .find(|e| !e.is_empty())
        {
            let hits = get_json(&sandbox, &format!("organizations?email={email}")).await;
            assert!(numbers(&hits).contains(number));
            found_person = true;
            break;
        }
    }
    assert!(
        found_person,
        "no generated person with e-mail near {number}"
    );
}

#[tokio::test]
async fn personal_contact_filters() {
    let sandbox = seed_only().await;
    let base = "organizations/910021451/personalcontacts";
    let all = get_json(&sandbox, base).await;
    assert_eq!(person_ids(&all), ["r50022994", "r50041943"]);

    let dagl = get_json(&sandbox, &format!("{base}?roleDefinitionCode=DAGL")).await;
    assert_eq!(person_ids(&dagl), ["r50022994"]);
    let post = get_json(
        &sandbox,
        &format!("{base}/?ForceEIAuthentication&roleDefinitionCode=A0236"),
    )
    .await;
    assert_eq!(person_ids(&post), ["r50041943"]);
    let none = get_json(&sandbox, &format!("{base}?roleDefinitionCode=REVI")).await;
    assert!(person_ids(&none).is_empty());

    // 4936/1 (a-melding) goes with LOPER, UTINN or DAGL: both; 4503/2 with ATTST, REVI or REGNA.
    let a_melding = get_json(
        &sandbox,
        &format!("{base}?serviceCode=4936&serviceEdition=1"),
    )
    .await;
    assert_eq!(person_ids(&a_melding), ["r50022994", "r50041943"]);
    let mva = get_json(
        &sandbox,
        &format!("{base}?serviceCode=4503&serviceEdition=2"),
    )
    .await;
    assert_eq!(person_ids(&mva), ["r50022994"]);
    let unknown = get_json(
        &sandbox,
        &format!("{base}?serviceCode=9999&serviceEdition=1"),
    )
    .await;
    assert!(person_ids(&unknown).is_empty());
    let combined = get_json(
        &sandbox,
        &format!("{base}?roleDefinitionCode=LOPER&serviceCode=4936&serviceEdition=1"),
    )
    .await;
    assert_eq!(person_ids(&combined), ["r50041943"]);

    assert_error(
        get(&sandbox, &format!("{base}?serviceCode=4936")).await,
        400,
        messages::INVALID_SERVICE,
    )
    .await;
    assert_error(
        get(
            &sandbox,
            &format!("{base}?serviceCode=49x6&serviceEdition=1"),
        )
        .await,
        400,
        messages::INVALID_SERVICE,
    )
    .await;
    assert_error(
        get(&sandbox, &format!("{base}?roleDefinitionCode=DA-GL")).await,
        400,
        "Invalid roleDefinitionCode: DA-GL",
    )
    .await;
}

#[tokio::test]
async fn roles_of_the_persons_of_910021451() {
    let sandbox = seed_only().await;
    let body = get_json(
        &sandbox,
        "organizations/910021451/personalcontacts/r50022994/roles/",
    )
    .await;
    let codes: Vec<&str> = items(&body, "roles")
        .iter()
        .map(|r| r["RoleDefinitionCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["DAGL", "ALLEA", "UTINN", "REGNA", "ADMAI"]);
    assert_eq!(items(&body, "roles")[0]["RoleType"], "External");
    // The person of another organization is not found here.
    let response = get(
        &sandbox,
        "organizations/910021451/personalcontacts/r50051516/roles",
    )
    .await;
    assert_eq!(response.status(), 404);
}
