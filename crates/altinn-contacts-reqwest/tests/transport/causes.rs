//! Error causes: a transport failure keeps reqwest's error as its `source()`, so a caller can
//! downcast it and walk on to the `std::io::Error` (and rustls' error) below; configuration errors
//! keep theirs; and no secret, search value or identity number shows anywhere in the chain.

use std::error::Error as _;

use altinn_contacts_api::{ContactPointSearch, ContactsApi, Error, TransportFailure};
use altinn_contacts_reqwest::{ConfigError, Identity};
use altinn_contacts_sandbox::test_pki::TestCa;

use crate::support::{API_KEY, builder, fast_retry, org};

const TOKEN: &str = "bearer-token-5be1c0de";
const EMAIL: &str = "kari.nordmann@example.no";
const PHONE: &str = "98765432";
const IDENTITY_NUMBER: &str = "06117701547";

/// `Display` and `Debug` of every error down the chain.
fn whole_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(e) = next {
        text.push_str(&format!("{e}\n{e:?}\n"));
        next = e.source();
    }
    text
}

/// The first error of type `T` in the chain, looking inside `io::Error`s too (they hide what
/// they wrap from `source()`).
fn find<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            && let Some(found) = find::<T>(inner)
        {
            return Some(found);
        }
        next = e.source();
    }
    None
}

fn assert_nothing_secret(text: &str) {
    for secret in [API_KEY, TOKEN, EMAIL, PHONE, IDENTITY_NUMBER] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[tokio::test]
async fn a_refused_connection_downcasts_to_reqwest_and_io_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let api = builder(&format!("http://{addr}/"))
        .bearer_token(TOKEN)
        .retry(fast_retry(1))
        .build()
        .unwrap();
    let search =
        ContactPointSearch::email_and_phone(EMAIL.parse().unwrap(), PHONE.parse().unwrap());
    let err = api.search_organizations(&search).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportFailure::Connect),
        "{err:?}"
    );

    let reqwest_error = err
        .source()
        .and_then(|s| s.downcast_ref::<reqwest::Error>())
        .expect("the source is reqwest's error");
    assert!(reqwest_error.is_connect());
    assert!(
        reqwest_error.url().is_none(),
        "the URL (and its query) is left out"
    );
    let io = find::<std::io::Error>(&err).expect("an io::Error in the chain");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);

    // The clone keeps the cause.
    let copy = err.clone();
    assert!(copy.source().is_some());
    let display = err.to_string();
    assert!(!display.contains('\n'), "{display}");
    assert!(
        display.starts_with("search organizations: could not connect"),
        "{display}"
    );
    assert_nothing_secret(&whole_chain(&err));
}

#[tokio::test]
async fn a_tls_failure_downcasts_to_the_rustls_error() {
    let ca = TestCa::new("altinn-contacts test CA");
    let addr = crate::tls::start_server(&ca).await;
    // No client certificate: the server ends the handshake.
    let api = crate::tls::builder(addr, &ca)
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    let err = api
        .roles(&org(), &"r50022994".parse().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportFailure::Tls),
        "{err:?}"
    );
    assert!(
        err.source()
            .is_some_and(|s| s.downcast_ref::<reqwest::Error>().is_some()),
        "{err:?}"
    );
    assert!(find::<std::io::Error>(&err).is_some(), "{err:?}");
    assert!(find::<rustls::Error>(&err).is_some(), "{err:?}");
    assert_nothing_secret(&whole_chain(&err));
}

#[tokio::test]
async fn configuration_errors_keep_their_cause_without_the_password() {
    let ca = TestCa::new("altinn-contacts test CA");
    let p12 = ca.client_identity().pkcs12("right-password-77");
    let err = Identity::from_pkcs12_der(&p12, "wrong-password-77").unwrap_err();
    assert!(
        matches!(
            &err,
            ConfigError::Identity {
                source: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.source().is_some());
    let text = whole_chain(&err);
    assert!(!text.contains("password-77"), "{text}");
}
