//! Starting, stopping, and running without an async runtime.

use std::io::{Read, Write};
use std::time::Duration;

use altinn_contacts_sandbox::{Error, Sandbox};

use crate::common::*;

/// Polls until nothing accepts connections at `addr` (the stop is asynchronous).
async fn assert_stops_listening(addr: std::net::SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{addr} still accepts connections");
}

#[tokio::test]
async fn drop_stops_the_server() {
    let sandbox = seed_only().await;
    let addr = sandbox.local_addr();
    assert_eq!(get(&sandbox, "organizations").await.status(), 200);
    drop(sandbox);
    assert_stops_listening(addr).await;
}

#[tokio::test]
async fn shutdown_and_run_until() {
    let sandbox = seed_only().await;
    let addr = sandbox.local_addr();
    sandbox.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let sandbox = seed_only().await;
    let addr = sandbox.local_addr();
    let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
    let base = sandbox.base_url().to_owned();
    let key = sandbox.api_key().to_owned();
    let running = tokio::spawn(sandbox.run_until(async { rx.await.unwrap_or(0) }));
    let response = client()
        .get(format!("{base}/api/serviceowner/organizations/010000211"))
        .header("ApiKey", key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    tx.send(42).unwrap();
    assert_eq!(running.await.unwrap(), 42);
    assert_stops_listening(addr).await;
}

#[tokio::test]
async fn listen_address_is_taken() {
    let first = seed_only().await;
    let error = Sandbox::builder()
        .listen(first.local_addr())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Bind { .. }), "{error}");
    assert!(error.to_string().contains(&first.local_addr().to_string()));
}

#[tokio::test]
async fn start_blocking_refuses_to_run_inside_a_runtime() {
    let error = Sandbox::builder().start_blocking().unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error}");
}

#[tokio::test]
async fn hundred_thousand_organizations_start_and_serve() {
    let sandbox = start(Sandbox::builder().organizations(100_000)).await;
    assert_eq!(sandbox.organization_count(), 100_000 + 6);
    let last = sandbox.organization_numbers().pop().unwrap();
    let body = get_json(&sandbox, &format!("organizations?$skip={}", 100_000 + 5)).await;
    assert_eq!(numbers(&body), [last]);
}

#[test]
fn start_blocking_serves_plain_blocking_code() {
    let sandbox = Sandbox::builder()
        .organizations(0)
        .start_blocking()
        .unwrap();
    let mut stream = std::net::TcpStream::connect(sandbox.local_addr()).unwrap();
    write!(
        stream,
        "GET /api/serviceowner/organizations/910021451 HTTP/1.1\r\nHost: x\r\nApiKey: {}\r\nConnection: close\r\n\r\n",
        sandbox.api_key()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("BJØRNEVATN OG RØSTAD AS"));
    let addr = sandbox.local_addr();
    drop(sandbox);
    // Dropping shuts the runtime down in the background; the port closes shortly after.
    let closed = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        std::net::TcpStream::connect(addr).is_err()
    });
    assert!(closed);
}
