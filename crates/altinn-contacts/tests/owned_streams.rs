//! Paging streams and bulk jobs own a clone of the client: they are `'static + Send`, so they
//! run on spawned tasks and can be returned from functions after the client is gone.

use altinn_contacts::{
    BulkResult, Client, ConfigBuilderExt, OfficialContactList, Organization, OrganizationsQuery,
};
use altinn_contacts_sandbox::Sandbox;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};

fn client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .build_client()
        .unwrap()
}

/// A stream returned from a function that made (and dropped) its own client.
fn every_organization(
    sandbox: &Sandbox,
) -> BoxStream<'static, Result<Organization, altinn_contacts::Error>> {
    let client = client(sandbox);
    client
        .organizations(OrganizationsQuery::new())
        .page_size(7)
        .stream()
}

/// A bulk stream returned from a function, its client dropped.
fn lookups(
    sandbox: &Sandbox,
    numbers: Vec<String>,
) -> impl futures::Stream<Item = BulkResult<OfficialContactList>> + Send + 'static {
    client(sandbox)
        .bulk_official_contacts(numbers)
        .concurrency(4)
        .stream()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_and_bulk_streams_run_on_spawned_tasks_and_outlive_their_client() {
    let sandbox = Sandbox::builder().organizations(40).start().await.unwrap();
    let total = sandbox.organization_count();

    let paging = tokio::spawn(every_organization(&sandbox).try_collect::<Vec<_>>());
    let numbers: Vec<String> = sandbox
        .organization_numbers()
        .into_iter()
        .take(25)
        .collect();
    let bulk = tokio::spawn(lookups(&sandbox, numbers.clone()).collect::<Vec<_>>());

    // A stream made from a client that is then moved into another task and dropped.
    let client = client(&sandbox);
    let pages = client
        .organizations(OrganizationsQuery::new())
        .page_size(10)
        .pages();
    drop(client);
    let pages = tokio::spawn(pages.try_collect::<Vec<_>>());

    let orgs = paging.await.unwrap().unwrap();
    assert_eq!(orgs.len(), total);
    let results = bulk.await.unwrap();
    assert_eq!(results.len(), numbers.len());
    let mut inputs: Vec<&str> = results.iter().map(|r| r.input.as_str()).collect();
    inputs.sort_unstable();
    let mut expected: Vec<&str> = numbers.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(inputs, expected);
    let pages = pages.await.unwrap().unwrap();
    assert_eq!(pages.iter().map(|p| p.items().len()).sum::<usize>(), total);
}

#[test]
fn clones_share_the_transport() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/")
        .api_key("k")
        .build_client()
        .unwrap();
    let copy = client.clone();
    assert!(std::sync::Arc::ptr_eq(
        &client.shared_api(),
        &copy.shared_api()
    ));
}
