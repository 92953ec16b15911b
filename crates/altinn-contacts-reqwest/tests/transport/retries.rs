//! Retries: which failures are repeated, how often, how long the client waits, and what the final
//! error says.

use std::time::{Duration, Instant};

use altinn_contacts_api::{ContactsApi, Error, TransportFailure};
use altinn_contacts_reqwest::RetryPolicy;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{RawServer, builder, client, fast_retry, fixtures, hal, org};

const OFFICIAL: &str = "/api/serviceowner/organizations/910021451/officialcontacts";

#[tokio::test]
async fn two_503s_then_success_succeeds_on_the_third_attempt() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path(OFFICIAL))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(1)
        .mount(&server)
        .await;
    let list = client(&server.uri())
        .official_contacts(&org())
        .await
        .expect("the third attempt succeeds");
    assert_eq!(list.items().len(), 2);
    server.verify().await;
}

#[tokio::test]
async fn persistent_503_fails_saying_how_many_attempts_were_made() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(503))
        .expect(4)
        .mount(&server)
        .await;
    let api = builder(&server.uri()).retry(fast_retry(4)).build().unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Server(failure) = &err else {
        panic!("expected a server error, got {err:?}");
    };
    assert_eq!(failure.status, 503);
    assert_eq!(failure.attempts, 4);
    assert!(err.to_string().contains("after 4 attempts"), "{err}");
    server.verify().await;
}

#[tokio::test]
async fn every_transient_status_is_retried() {
    for status in [429, 502, 503, 504] {
        let server = MockServer::start().await;
        Mock::given(path(OFFICIAL))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path(OFFICIAL))
            .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
            .expect(1)
            .mount(&server)
            .await;
        client(&server.uri())
            .official_contacts(&org())
            .await
            .unwrap_or_else(|e| panic!("{status} then 200 must succeed: {e}"));
        server.verify().await;
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(OFFICIAL))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server.uri())
        .official_contacts(&org())
        .await
        .unwrap();
    // A behavioural lower bound, not a speed measurement: the client must not come back sooner.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    server.verify().await;
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_ends_the_call_at_once() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .retry(fast_retry(5).deadline(Some(Duration::from_secs(30))))
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Throttled { retry_after, .. } = &err else {
        panic!("expected throttling, got {err:?}");
    };
    assert_eq!(*retry_after, Some(Duration::from_secs(3600)));
    assert!(err.to_string().contains("retry after 3600 s"), "{err}");
    server.verify().await;
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 500] {
        let server = MockServer::start().await;
        Mock::given(path(OFFICIAL))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let api = builder(&server.uri()).retry(fast_retry(5)).build().unwrap();
        let err = api.official_contacts(&org()).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        server.verify().await;
    }
}

#[tokio::test]
async fn a_body_cut_by_the_connection_is_retried_as_a_transport_error() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: 5000\r\n\r\n{\"_links\":{".to_vec();
    let server = RawServer::start(vec![cut]).await;
    let err = client(&server.url())
        .official_contacts(&org())
        .await
        .unwrap_err();
    let Error::Transport(failure) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(failure.kind, TransportFailure::Body, "{failure:?}");
    assert_eq!(failure.attempts, 3);
    assert_eq!(server.requests().len(), 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn a_cut_body_then_a_whole_one_succeeds() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{".to_vec();
    let whole = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        fixtures::OFFICIAL_CONTACTS.len(),
        fixtures::OFFICIAL_CONTACTS
    );
    let server = RawServer::start(vec![cut, whole.into_bytes()]).await;
    let list = client(&server.url())
        .official_contacts(&org())
        .await
        .unwrap();
    assert_eq!(list.items().len(), 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn connect_errors_are_retried_and_counted() {
    // A port nobody listens on: bind, note it, close.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let api = builder(&format!("http://{addr}/"))
        .retry(fast_retry(2))
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Transport(failure) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(failure.kind, TransportFailure::Connect, "{failure:?}");
    assert_eq!(failure.attempts, 2);
    assert!(err.is_transient());
    // The URL is not in the message (a search's query would carry personal data).
    assert!(!failure.message.contains("officialcontacts"), "{failure:?}");
}

#[tokio::test]
async fn a_slow_server_times_out_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .request_timeout(Duration::from_millis(200))
        .retry(fast_retry(2))
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Transport(failure) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(failure.kind, TransportFailure::Timeout, "{failure:?}");
    assert_eq!(failure.attempts, 2);
}

#[tokio::test]
async fn the_deadline_stops_retries() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "2"))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .retry(fast_retry(10).deadline(Some(Duration::from_millis(500))))
        .build()
        .unwrap();
    // The server's wait does not fit before the deadline: the first answer is the last.
    let err = api.official_contacts(&org()).await.unwrap_err();
    let Error::Server(failure) = &err else {
        panic!("expected a server error, got {err:?}");
    };
    assert_eq!(failure.attempts, 1);
    server.verify().await;
}

#[tokio::test]
async fn retry_policy_none_makes_one_attempt() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert_eq!(err.http().unwrap().attempts, 1);
    server.verify().await;
}

#[tokio::test]
async fn durations_too_large_to_add_to_a_clock_do_not_panic() {
    // No deadline in practice, no timeouts in practice: 503 then 200 still succeeds.
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(OFFICIAL))
        .respond_with(hal(fixtures::OFFICIAL_CONTACTS))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .connect_timeout(Duration::MAX)
        .request_timeout(Duration::MAX)
        .retry(fast_retry(3).deadline(Some(Duration::MAX)))
        .build()
        .unwrap();
    api.official_contacts(&org()).await.unwrap();
    server.verify().await;

    // A backoff that cannot be added to the clock ends the call at the deadline instead.
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let api = builder(&server.uri())
        .retry(
            RetryPolicy::new()
                .max_attempts(u32::MAX)
                .initial_backoff(Duration::MAX)
                .max_backoff(Duration::MAX)
                .deadline(Some(Duration::from_secs(5))),
        )
        .build()
        .unwrap();
    let err = api.official_contacts(&org()).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    server.verify().await;
}
