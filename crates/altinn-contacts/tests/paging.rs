//! Paging over `MockContactsApi`: page arithmetic, where the stream stops, error propagation.

use std::sync::{Arc, Mutex};

use altinn_contacts::{
    Client, Error, HttpFailure, MockContactsApi, Operation, OrderBy, Organization,
    OrganizationList, OrganizationsQuery,
};
use futures::{StreamExt, TryStreamExt};

/// What each call asked for: `($top, $skip)`.
type Calls = Arc<Mutex<Vec<(Option<u32>, Option<u64>)>>>;

fn org(i: u64) -> Organization {
    let mut o = Organization::default();
    o.name = Some(format!("ORG {i}"));
    o.organization_number = Some(altinn_contacts::ReportedOrganizationNumber::new(format!(
        "{i:09}"
    )));
    o
}

/// A server holding `total` organizations that honours `$top` (clamped to `max_top`) and `$skip`.
fn server(total: u64, max_top: u32) -> (MockContactsApi, Calls) {
    let calls: Calls = Arc::default();
    let seen = Arc::clone(&calls);
    let mut mock = MockContactsApi::new();
    mock.expect_organizations()
        .returning(move |q: &OrganizationsQuery| {
            seen.lock().unwrap().push((q.top, q.skip));
            let top = u64::from(q.top.unwrap_or(1000).min(max_top));
            let skip = q.skip.unwrap_or(0);
            let items = (skip..total.min(skip + top)).map(org).collect();
            Ok(OrganizationList::from_items(
                "https://www.altinn.no/api/serviceowner/organizations",
                items,
            ))
        });
    (mock, calls)
}

fn numbers(orgs: &[Organization]) -> Vec<u64> {
    orgs.iter()
        .map(|o| {
            o.organization_number
                .as_ref()
                .unwrap()
                .as_str()
                .parse()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn streams_every_organization_across_pages() {
    let (mock, calls) = server(2500, 1000);
    let client = Client::from_api(mock);
    let all: Vec<Organization> = client
        .organizations(OrganizationsQuery::new())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers(&all), (0..2500).collect::<Vec<_>>());
    assert_eq!(
        *calls.lock().unwrap(),
        vec![
            (Some(1000), None),
            (Some(1000), Some(1000)),
            (Some(1000), Some(2000)),
            // The short page of 500 is not the end; the empty page is.
            (Some(1000), Some(2500))
        ]
    );
}

#[tokio::test]
async fn exact_multiple_stops_at_the_empty_page_and_yields_no_empty_page() {
    let (mock, calls) = server(2000, 1000);
    let client = Client::from_api(mock);
    let pages: Vec<OrganizationList> = client
        .organizations(OrganizationsQuery::new())
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p.items().len() == 1000));
    assert_eq!(calls.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn skip_is_the_start_and_limit_caps_the_total() {
    let (mock, calls) = server(10_000, 1000);
    let client = Client::from_api(mock);
    let got: Vec<Organization> = client
        .organizations(OrganizationsQuery::new().skip(300))
        .page_size(500)
        .limit(1200)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers(&got), (300..1500).collect::<Vec<_>>());
    assert_eq!(
        *calls.lock().unwrap(),
        vec![
            (Some(500), Some(300)),
            (Some(500), Some(800)),
            (Some(200), Some(1300))
        ]
    );
}

#[tokio::test]
async fn the_querys_top_is_the_page_size_and_other_options_ride_along() {
    let seen: Arc<Mutex<Vec<OrganizationsQuery>>> = Arc::default();
    let record = Arc::clone(&seen);
    let mut mock = MockContactsApi::new();
    mock.expect_organizations().returning(move |q| {
        record.lock().unwrap().push(q.clone());
        // 3, then a short page of 1, then the empty page that ends the stream.
        let n = match q.skip {
            None => 3,
            Some(3) => 1,
            Some(_) => 0,
        };
        Ok(OrganizationList::from_items("x", (0..n).map(org).collect()))
    });
    let client = Client::from_api(mock);
    let query = OrganizationsQuery::new()
        .top(3)
        .order_by(OrderBy::Name)
        .organization_type("ENK".parse().unwrap())
        .with_official_contacts();
    let got: Vec<_> = client
        .organizations(query.clone())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), 4);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], query);
    assert_eq!(seen[1], query.clone().skip(3));
    assert_eq!(seen[2], query.clone().skip(4));
}

#[tokio::test]
async fn a_server_that_clamps_top_ends_the_stream_early_only_when_asked_for_more_than_1000() {
    // $top above 1000 is refused before any request, since a clamped page would look short.
    let (mock, calls) = server(5000, 1000);
    let client = Client::from_api(mock);
    let items: Vec<Result<Organization, Error>> = client
        .organizations(OrganizationsQuery::new())
        .page_size(1001)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(matches!(items[0], Err(Error::InvalidInput(_))), "{items:?}");
    let items: Vec<Result<Organization, Error>> = client
        .organizations(OrganizationsQuery::new())
        .page_size(0)
        .stream()
        .collect()
        .await;
    assert!(matches!(items[..], [Err(Error::InvalidInput(_))]));
    assert!(calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_error_is_yielded_after_the_items_before_it_and_ends_the_stream() {
    let mut mock = MockContactsApi::new();
    let mut seq = mockall::Sequence::new();
    mock.expect_organizations()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Ok(OrganizationList::from_items(
                "x",
                (0..1000).map(org).collect(),
            ))
        });
    mock.expect_organizations()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Err(Error::from_status(
                HttpFailure::new(Operation::ListOrganizations, 503, "Service Unavailable"),
                None,
            ))
        });
    // No third call is expected: mockall fails the test if one is made.
    let client = Client::from_api(mock);
    let items: Vec<Result<Organization, Error>> = client
        .organizations(OrganizationsQuery::new())
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1001);
    assert!(items[..1000].iter().all(Result::is_ok));
    assert_eq!(items[1000].as_ref().unwrap_err().status(), Some(503));
}

#[tokio::test]
async fn limit_zero_sends_nothing_and_a_server_ignoring_top_is_trimmed() {
    let mut mock = MockContactsApi::new();
    mock.expect_organizations().times(1).returning(|_| {
        Ok(OrganizationList::from_items(
            "x",
            (0..50).map(org).collect(),
        ))
    });
    let client = Client::from_api(mock);
    let none: Vec<_> = client
        .organizations(OrganizationsQuery::new())
        .limit(0)
        .stream()
        .collect()
        .await;
    assert!(none.is_empty());
    let some: Vec<_> = client
        .organizations(OrganizationsQuery::new())
        .limit(7)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(numbers(&some), (0..7).collect::<Vec<_>>());
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let (mock, calls) = server(100_000, 1000);
    let client = Client::from_api(mock);
    let first_three: Vec<_> = client
        .organizations(OrganizationsQuery::new())
        .stream()
        .take(1001)
        .collect()
        .await;
    assert_eq!(first_three.len(), 1001);
    assert_eq!(calls.lock().unwrap().len(), 2);
}

/// A server that answers each call with the next page size of `sizes` (whatever `$top` asked),
/// numbering organizations by `$skip`; it records `($top, $skip)`.
fn scripted(sizes: Vec<u64>) -> (MockContactsApi, Calls) {
    let calls: Calls = Arc::default();
    let seen = Arc::clone(&calls);
    let sizes = Mutex::new(sizes.into_iter());
    let mut mock = MockContactsApi::new();
    mock.expect_organizations()
        .returning(move |q: &OrganizationsQuery| {
            seen.lock().unwrap().push((q.top, q.skip));
            let n = sizes
                .lock()
                .unwrap()
                .next()
                .expect("a call after the empty page");
            let skip = q.skip.unwrap_or(0);
            Ok(OrganizationList::from_items(
                "x",
                (skip..skip + n).map(org).collect(),
            ))
        });
    (mock, calls)
}

#[tokio::test]
async fn short_pages_do_not_end_the_stream_only_an_empty_page_does() {
    // 1000 asked for; the server caps pages at its own whim: 100, 37, 1, then nothing.
    let (mock, calls) = scripted(vec![100, 37, 1, 0]);
    let client = Client::from_api(mock);
    let got: Vec<Organization> = client
        .organizations(OrganizationsQuery::new().top(1000))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers(&got), (0..138).collect::<Vec<_>>());
    assert_eq!(
        *calls.lock().unwrap(),
        vec![
            (Some(1000), None),
            (Some(1000), Some(100)),
            (Some(1000), Some(137)),
            (Some(1000), Some(138)),
        ]
    );
}

#[tokio::test]
async fn a_limit_holds_across_short_pages() {
    // A server that caps `$top` at 100 holds 500 organizations; 250 are asked for.
    let (mock, calls) = server(500, 100);
    let client = Client::from_api(mock);
    let got: Vec<Organization> = client
        .organizations(OrganizationsQuery::new())
        .limit(250)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers(&got), (0..250).collect::<Vec<_>>());
    assert_eq!(
        *calls.lock().unwrap(),
        vec![
            (Some(250), None),
            (Some(150), Some(100)),
            (Some(50), Some(200))
        ]
    );
    // Without a limit, every one of the 500 arrives, and the empty page ends the stream.
    let (mock, calls) = server(500, 100);
    let all: Vec<Organization> = Client::from_api(mock)
        .organizations(OrganizationsQuery::new())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers(&all), (0..500).collect::<Vec<_>>());
    assert_eq!(calls.lock().unwrap().len(), 6);
}
