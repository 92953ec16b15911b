//! The gateway's logs hold no key, no query value and no identity number. A test binary of its
//! own: a scoped subscriber sees only its own thread, and tracing caches a call site's interest
//! the first time any thread passes it, so another test running at the same time could hide
//! these events.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use altinn_contacts_api::{Error, Operation, TransportError, TransportFailure};
use support::*;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_key_no_query_value_and_no_identity_number() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // Current-thread runtime: the server's tasks log on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);
    let (server, fake) = default_gateway().await;
    get(
        &server,
        "organizations?email=kari.secret%40firma.no",
        &[("ApiKey", KEY)],
    )
    .await;
    get(
        &server,
        "organizations?phoneNumber=%2B4791234567",
        &[("ApiKey", KEY)],
    )
    .await;
    get(&server, "organizations", &[("ApiKey", "wrong-key-77aa")]).await;
    get(
        &server,
        "organizations/910021451/personalcontacts/06117701547/roles",
        &[("ApiKey", KEY)],
    )
    .await;
    *fake.fail.lock().unwrap() = Some(Error::Transport(TransportError::new(
        Operation::OfficialContacts,
        TransportFailure::Connect,
        "refused by 06117701547",
    )));
    get(
        &server,
        "organizations/910021451/officialcontacts",
        &[("ApiKey", KEY)],
    )
    .await;
    server.shutdown().await;
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("status=403"), "{log}");
    assert!(log.contains("status=502"), "{log}");
    for secret in [
        KEY,
        "wrong-key-77aa",
        "kari.secret",
        "4791234567",
        "06117701547",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}
