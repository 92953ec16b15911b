//! OData paging arithmetic, clamping, ordering, the Type filter and determinism.

use std::collections::HashSet;

use altinn_contacts_model::is_valid_organization_number;
use altinn_contacts_sandbox::{OrganizationRecord, Sandbox, messages};

use crate::common::*;

#[tokio::test]
async fn organizations_2345_read_in_exactly_three_pages() {
    let sandbox = start(
        Sandbox::builder()
            .organizations(2345)
            .include_seed_records(false),
    )
    .await;
    assert_eq!(sandbox.organization_count(), 2345);

    // A client's loop: ask for pages of 1000 until a short page.
    let mut pages = 0;
    let mut all: Vec<String> = Vec::new();
    loop {
        let body = get_json(
            &sandbox,
            &format!("organizations?$top=1000&$skip={}", all.len()),
        )
        .await;
        let page = numbers(&body);
        pages += 1;
        let short = page.len() < 1000;
        all.extend(page);
        if short {
            break;
        }
        assert!(pages < 10, "runaway paging");
    }
    assert_eq!(pages, 3);
    assert_eq!(all.len(), 2345);
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 2345, "no duplicates");
    assert_eq!(
        all,
        sandbox.organization_numbers(),
        "none missing, in number order"
    );
    assert!(all.iter().all(|n| is_valid_organization_number(n)));

    // Past the end is an empty page, not an error.
    let body = get_json(&sandbox, "organizations?$top=1000&$skip=3000").await;
    assert!(numbers(&body).is_empty());
}

#[tokio::test]
async fn top_is_clamped_to_1_through_1000() {
    let sandbox = start(Sandbox::builder().organizations(1500)).await;
    assert_eq!(
        numbers(&get_json(&sandbox, "organizations?$top=5000").await).len(),
        1000
    );
    assert_eq!(
        numbers(&get_json(&sandbox, "organizations?$top=0").await).len(),
        1
    );
    assert_eq!(
        numbers(&get_json(&sandbox, "organizations").await).len(),
        1000
    );
    assert_eq!(
        numbers(&get_json(&sandbox, "organizations?$top=7&$skip=1499").await).len(),
        7
    );
    let response = get(&sandbox, "organizations?$top=-1").await;
    assert_eq!(response.status(), 400);
    assert!(reason(&response).unwrap().contains("$top"));
    let response = get(&sandbox, "organizations?$skip=abc").await;
    assert_eq!(response.status(), 400);
    assert!(reason(&response).unwrap().contains("$skip"));
}

#[tokio::test]
async fn ordering_by_number_and_by_name() {
    let sandbox = start(Sandbox::builder().organizations(800).seed(11)).await;
    let by_number = numbers(&get_json(&sandbox, "organizations?$orderby=OrganizationNumber").await);
    let mut sorted = by_number.clone();
    sorted.sort();
    assert_eq!(by_number, sorted);
    assert_eq!(
        by_number,
        numbers(&get_json(&sandbox, "organizations").await)
    );
    let mut descending =
        numbers(&get_json(&sandbox, "organizations?$orderby=OrganizationNumber desc").await);
    descending.reverse();
    assert_eq!(descending, by_number);

    let body = get_json(&sandbox, "organizations?$orderby=Name").await;
    let names: Vec<String> = items(&body, "organizations")
        .iter()
        .map(|o| o["Name"].as_str().unwrap().to_owned())
        .collect();
    let key = |name: &str| -> Vec<u32> {
        name.trim_end()
            .chars()
            .map(|c| match c {
                'Æ' | 'æ' => 'Z' as u32 + 1,
                'Ø' | 'ø' => 'Z' as u32 + 2,
                'Å' | 'å' => 'Z' as u32 + 3,
                c => c.to_ascii_uppercase() as u32,
            })
            .collect()
    };
    assert!(
        names.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "not in name order"
    );
    // Paging by name covers everyone once.
    let second = numbers(&get_json(&sandbox, "organizations?$orderby=Name&$skip=1000").await);
    let mut all: Vec<String> = numbers(&body).into_iter().chain(second).collect();
    all.sort();
    assert_eq!(all, sandbox.organization_numbers());

    let response = get(&sandbox, "organizations?$orderby=Type").await;
    assert_eq!(response.status(), 400);
    assert!(
        reason(&response)
            .unwrap()
            .starts_with(messages::ODATA_INVALID)
    );
}

#[tokio::test]
async fn norwegian_letters_sort_after_z() {
    let names = [
        "ÅSEN AS",
        "ØYA AS",
        "ÆRFUGL AS",
        "ZETA AS",
        "alfa as",
        "BETA AS",
    ];
    let numbers_for = [
        "310524832",
        "310524840",
        "310524859",
        "310524867",
        "310524875",
        "310524883",
    ];
    let mut builder = Sandbox::builder()
        .organizations(0)
        .include_seed_records(false);
    for (name, number) in names.iter().zip(numbers_for) {
        builder = builder.with_organization(OrganizationRecord::new(number, *name));
    }
    let sandbox = start(builder).await;
    let body = get_json(&sandbox, "organizations?$orderby=Name").await;
    let got: Vec<&str> = items(&body, "organizations")
        .iter()
        .map(|o| o["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [
            "alfa as",
            "BETA AS",
            "ZETA AS",
            "ÆRFUGL AS",
            "ØYA AS",
            "ÅSEN AS"
        ]
    );
    let body = get_json(&sandbox, "organizations?$orderby=Name%20desc&$top=2").await;
    assert_eq!(items(&body, "organizations")[0]["Name"], "ÅSEN AS");
}

#[tokio::test]
async fn type_filter_and_rejected_filters() {
    let sandbox = start(Sandbox::builder().organizations(900)).await;
    let everything = get_json(&sandbox, "organizations").await;
    let expected: Vec<String> = items(&everything, "organizations")
        .iter()
        .filter(|o| o["Type"] == "ENK")
        .map(|o| o["OrganizationNumber"].as_str().unwrap().to_owned())
        .collect();
    assert!(expected.len() > 50, "{}", expected.len());
    let filtered = get_json(&sandbox, "organizations?$filter=Type eq 'ENK'").await;
    assert_eq!(numbers(&filtered), expected);
    // Paging applies after filtering.
    let page = get_json(
        &sandbox,
        "organizations?$filter=Type%20eq%20%27ENK%27&$top=10&$skip=5",
    )
    .await;
    assert_eq!(numbers(&page), expected[5..15]);
    let none = get_json(&sandbox, "organizations?$filter=Type eq 'NOPE'").await;
    assert!(numbers(&none).is_empty());

    for bad in [
        "$filter=Name eq 'X'",
        "$filter=Type ne 'ENK'",
        "$filter=Type eq ENK",
        "$filter=Type eq 'AS' or Type eq 'ENK'",
        "$filter=startswith(Name,'A')",
    ] {
        let response = get(&sandbox, &format!("organizations?{bad}")).await;
        assert_eq!(response.status(), 400, "{bad}");
        let phrase = reason(&response).unwrap();
        assert!(phrase.starts_with(messages::ODATA_INVALID), "{phrase}");
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let response = get(&sandbox, "organizations?$select=Name").await;
    assert_error(
        response,
        400,
        "The query parameter '$select' is not supported.",
    )
    .await;
}

#[tokio::test]
async fn expand_embeds_official_contacts_in_every_listed_organization() {
    let sandbox = start(Sandbox::builder().organizations(40)).await;
    let body = get_json(&sandbox, "organizations?$expand=OfficialContacts").await;
    let orgs = items(&body, "organizations");
    assert!(
        orgs.iter()
            .all(|o| o["_embedded"]["officialcontacts"].is_array())
    );
    let with_contacts = orgs
        .iter()
        .filter(|o| {
            !o["_embedded"]["officialcontacts"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .count();
    assert!(with_contacts > 20, "{with_contacts}");
    let plain = get_json(&sandbox, "organizations").await;
    assert!(
        items(&plain, "organizations")
            .iter()
            .all(|o| o.get("_embedded").is_none())
    );
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    let a = start(Sandbox::builder().organizations(300).seed(5)).await;
    let b = start(Sandbox::builder().organizations(300).seed(5)).await;
    let c = start(Sandbox::builder().organizations(300).seed(6)).await;
    let path = "organizations?$expand=OfficialContacts";
    let strip = |mut v: serde_json::Value, base: &str| {
        // Links carry each sandbox's port; compare the data.
        let text = v.to_string().replace(base, "BASE");
        v = serde_json::from_str(&text).unwrap();
        v
    };
    let va = strip(get_json(&a, path).await, a.base_url());
    let vb = strip(get_json(&b, path).await, b.base_url());
    let vc = strip(get_json(&c, path).await, c.base_url());
    assert_eq!(va, vb);
    assert_ne!(va, vc);
    let names: HashSet<String> = items(&va, "organizations")
        .iter()
        .map(|o| o["Name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains(['Æ', 'Ø', 'Å'])));
    let types: HashSet<String> = items(&va, "organizations")
        .iter()
        .map(|o| o["Type"].to_string())
        .collect();
    assert!(types.len() >= 8, "{types:?}");
}
