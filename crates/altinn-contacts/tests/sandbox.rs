//! The facade over real HTTP: `ReqwestContactsApi` against the in-process sandbox. Bulk with
//! injected `503`s and unknown and invalid inputs, paging over every organization, and HAL
//! navigation through the sandbox's own links.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use altinn_contacts::{
    Client, ConfigBuilderExt, Error, OrganizationNumber, OrganizationsQuery,
    PersonalContactsFilter, RetryPolicy,
};
use altinn_contacts_sandbox::{FaultConfig, Sandbox};
use futures::{StreamExt, TryStreamExt};

fn client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .retry(
            RetryPolicy::new()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
        .build_client()
        .unwrap()
}

/// Valid organization numbers the sandbox does not serve.
fn unknown_numbers(served: &HashSet<String>, count: usize) -> Vec<String> {
    (10_000_000u32..)
        .filter_map(|base| {
            (0..10)
                .map(|d| format!("{base}{d}"))
                .find(|n| n.parse::<OrganizationNumber>().is_ok())
        })
        .filter(|n| !served.contains(n))
        .take(count)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_with_503s_unknown_and_invalid_inputs_yields_every_input_once() {
    let sandbox = Sandbox::builder()
        .organizations(1200)
        .faults(FaultConfig::new().error_rate(0.1, 7))
        .start()
        .await
        .unwrap();
    let served: HashSet<String> = sandbox.organization_numbers().into_iter().collect();
    let valid: Vec<String> = sandbox
        .organization_numbers()
        .into_iter()
        .filter(|n| n.parse::<OrganizationNumber>().is_ok())
        .take(1000)
        .collect();
    let unknown = unknown_numbers(&served, 40);
    let invalid = [
        "",
        "12345678",
        "910021452",
        "abc",
        "91002145 1",
        "06117701547",
    ];
    let mut inputs: Vec<String> = valid.clone();
    inputs.extend(unknown.iter().cloned());
    inputs.extend(invalid.iter().map(|s| s.to_string()));
    // Interleave, so invalid and unknown inputs sit among the valid ones.
    let n = inputs.len();
    inputs = (0..n).map(|i| inputs[(i * 7919) % n].clone()).collect();
    assert_eq!(
        inputs.iter().collect::<HashSet<_>>().len(),
        n,
        "7919 is coprime to {n}"
    );

    let client = client(&sandbox);
    let results: Vec<_> = client
        .bulk_official_contacts(inputs.clone())
        .concurrency(32)
        .stream()
        .collect()
        .await;

    assert_eq!(results.len(), inputs.len());
    let by_input: HashMap<&str, _> = results.iter().map(|r| (r.input.as_str(), r)).collect();
    assert_eq!(by_input.len(), inputs.len(), "an input came back twice");
    for r in &results {
        assert_eq!(inputs[r.index], r.input);
    }
    for v in &valid {
        let r = by_input[v.as_str()];
        assert!(r.outcome.is_ok(), "{v}: {:?}", r.outcome);
    }
    for u in &unknown {
        assert_eq!(
            by_input[u.as_str()].outcome.as_ref().unwrap_err().status(),
            Some(404),
            "{u}"
        );
    }
    for i in invalid {
        assert!(
            matches!(by_input[i].outcome, Err(Error::InvalidInput(_))),
            "{i:?}"
        );
    }
    assert!(sandbox.faults().injected() > 0, "no 503 was injected");
    // Nothing was sent for an invalid input: every request named a valid number.
    for req in sandbox.requests() {
        let org = req.path().split('/').nth(4).unwrap_or_default();
        assert!(org.parse::<OrganizationNumber>().is_ok(), "{}", req.path());
    }
}

#[tokio::test]
async fn bulk_personal_contacts_over_http() {
    let sandbox = Sandbox::builder().organizations(50).start().await.unwrap();
    let client = client(&sandbox);
    let results: Vec<_> = client
        .bulk_personal_contacts(
            ["910021451", "910514318", "nope"],
            PersonalContactsFilter::new(),
        )
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    for r in results {
        match r.input.as_str() {
            "910021451" => assert_eq!(r.outcome.unwrap().items().len(), 2),
            "910514318" => assert!(!r.outcome.unwrap().items().is_empty()),
            _ => assert!(matches!(r.outcome, Err(Error::InvalidInput(_)))),
        }
    }
}

#[tokio::test]
async fn paging_over_every_organization_and_following_links() {
    let sandbox = Sandbox::builder()
        .organizations(2345)
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let all: Vec<_> = client
        .organizations(OrganizationsQuery::new())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), sandbox.organization_count());
    let numbers: Vec<String> = all
        .iter()
        .map(|o| o.organization_number.as_ref().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(numbers, sandbox.organization_numbers());

    let digdir = all
        .iter()
        .find(|o| o.organization_number.as_ref().unwrap().as_str() == "910021451")
        .unwrap();
    let official = client.follow_official_contacts(digdir).await.unwrap();
    assert!(!official.items().is_empty());
    let people = client
        .follow_personal_contacts(digdir, &PersonalContactsFilter::new())
        .await
        .unwrap();
    let roles = client.follow_roles(&people.items()[0]).await.unwrap();
    assert!(!roles.items().is_empty());
}

#[tokio::test]
async fn the_builder_sets_the_origin_from_the_base_url() {
    let sandbox = Sandbox::builder().organizations(1).start().await.unwrap();
    let client = client(&sandbox);
    let origin = client.api().base_url();
    assert_eq!(origin.as_str().trim_end_matches('/'), sandbox.base_url());
    // A link on the same host but another port is another origin.
    let mut org = altinn_contacts::Organization::default();
    org.links = altinn_contacts::Links::new().with(
        "officialcontacts",
        format!(
            "http://127.0.0.1:{}/api/serviceowner/organizations/910021451/officialcontacts",
            sandbox.local_addr().port().wrapping_add(1)
        ),
    );
    let err = client.follow_official_contacts(&org).await.unwrap_err();
    assert!(
        matches!(err, altinn_contacts::NavigationError::ForeignOrigin { .. }),
        "{err}"
    );
    assert_eq!(sandbox.request_count(), 0);
}
