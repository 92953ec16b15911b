//! Altinn 2's two representations: `Accept: application/json` gets the plain-JSON form (a list
//! as a bare array of its items, `_links` as an array of `{Rel, Href, ...}` objects), anything
//! else HAL; both decode to the same models.

use altinn_contacts_model::{
    OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList, decode,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::common::*;

/// GETs `path` with `accept` (none when `None`); returns the content type and the body.
async fn get_accepting(
    sandbox: &altinn_contacts_sandbox::Sandbox,
    path: &str,
    accept: Option<&str>,
) -> (String, Vec<u8>) {
    let mut request = client()
        .get(url(sandbox, path))
        .header("ApiKey", sandbox.api_key());
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), 200, "GET {path}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.bytes().await.expect("body").to_vec())
}

/// Every `_links` in `v` is an array of plain link objects; returns how many links were seen.
fn plain_links_only(v: &Value) -> usize {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, child)| {
                if k == "_links" {
                    let links = child
                        .as_array()
                        .unwrap_or_else(|| panic!("_links not an array: {child}"));
                    for link in links {
                        assert!(
                            link["Rel"].is_string() && link["Href"].is_string(),
                            "{link}"
                        );
                        assert_eq!(link["IsTemplated"], false);
                    }
                    links.len()
                } else {
                    plain_links_only(child)
                }
            })
            .sum(),
        Value::Array(items) => items.iter().map(plain_links_only).sum(),
        _ => 0,
    }
}

/// The HAL and the plain answer of `path` decode to the same items (lists) or resource.
async fn same_data<T, I>(
    sandbox: &altinn_contacts_sandbox::Sandbox,
    path: &str,
    list: bool,
    items: fn(&T) -> Vec<I>,
) -> usize
where
    T: DeserializeOwned,
    I: PartialEq + std::fmt::Debug,
{
    let (hal_type, hal_body) = get_accepting(sandbox, path, Some("application/hal+json")).await;
    assert_eq!(hal_type, "application/hal+json; charset=utf-8");
    let (plain_type, plain_body) = get_accepting(sandbox, path, Some("application/json")).await;
    assert_eq!(plain_type, "application/json; charset=utf-8", "{path}");
    let plain_value: Value = serde_json::from_slice(&plain_body).unwrap();
    assert_eq!(plain_value.is_array(), list, "{path}: {plain_value}");
    let links = plain_links_only(&plain_value);
    let hal: T = decode(&hal_body).unwrap_or_else(|e| panic!("{path} HAL: {e}"));
    let plain: T = decode(&plain_body).unwrap_or_else(|e| panic!("{path} plain: {e}"));
    let (hal, plain) = (items(&hal), items(&plain));
    assert!(!hal.is_empty(), "{path}: nothing to compare");
    assert_eq!(plain, hal, "{path}");
    links
}

#[tokio::test]
async fn every_call_answers_plain_json_to_accept_application_json() {
    let sandbox = seed_only().await;
    let mut links = 0;
    links += same_data(&sandbox, "organizations", true, |l: &OrganizationList| {
        l.items().to_vec()
    })
    .await;
    links += same_data(
        &sandbox,
        "organizations?email=post%40herdla-sauland.no",
        true,
        |l: &OrganizationList| l.items().to_vec(),
    )
    .await;
    links += same_data(
        &sandbox,
        "organizations/910021451",
        false,
        |o: &Organization| vec![o.clone()],
    )
    .await;
    links += same_data(
        &sandbox,
        "organizations/010000211?$expand=OfficialContacts",
        false,
        |o: &Organization| vec![o.clone()],
    )
    .await;
    links += same_data(
        &sandbox,
        "organizations/910021451/officialcontacts",
        true,
        |l: &OfficialContactList| l.items().to_vec(),
    )
    .await;
    links += same_data(
        &sandbox,
        "organizations/910021451/personalcontacts",
        true,
        |l: &PersonalContactList| l.items().to_vec(),
    )
    .await;
    let people: PersonalContactList = decode(
        &get_accepting(&sandbox, "organizations/910021451/personalcontacts", None)
            .await
            .1,
    )
    .unwrap();
    let person = people.items()[0].personal_contact_id.clone().unwrap();
    links += same_data(
        &sandbox,
        &format!("organizations/910021451/personalcontacts/{person}/roles"),
        true,
        |l: &RoleList| l.items().to_vec(),
    )
    .await;
    assert!(links > 10, "only {links} plain links seen");
}

#[tokio::test]
async fn hal_is_the_default_and_wins_when_both_are_accepted() {
    let sandbox = seed_only().await;
    for accept in [
        None,
        Some("*/*"),
        Some("application/hal+json"),
        Some("application/json, application/hal+json;q=0.9"),
        Some("text/html"),
    ] {
        let (content_type, body) = get_accepting(&sandbox, "organizations", accept).await;
        assert_eq!(
            content_type, "application/hal+json; charset=utf-8",
            "{accept:?}"
        );
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert!(value["_embedded"]["organizations"].is_array(), "{accept:?}");
    }
    let (content_type, _) = get_accepting(
        &sandbox,
        "organizations",
        Some("Application/JSON; charset=utf-8"),
    )
    .await;
    assert_eq!(content_type, "application/json; charset=utf-8");
}
