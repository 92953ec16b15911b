//! The API key, tokens, certificate passwords and identity numbers never show: not in `Debug` of
//! the client, the builder or an identity, not in any error, not in tracing output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use altinn_contacts_api::{ContactPointSearch, ContactsApi, Error, PersonalContactsFilter};
use altinn_contacts_reqwest::{Identity, ReqwestContactsApi};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use altinn_contacts_sandbox::test_pki::TestCa;

use crate::support::{API_KEY, RawServer, builder, fixtures, hal, org, raw_response};

const TOKEN: &str = "bearer-secret-77aa01";
const PASSWORD: &str = "p12-password-5c5c";
/// The identity number of the seed sample's first personal contact.
const SSN: &str = "06117701547";
const EMAIL: &str = "hemmelig.person@example.no";
const PHONE: &str = "+4799887766";

fn assert_clean(what: &str, text: &str) {
    for secret in [API_KEY, TOKEN, PASSWORD, SSN, EMAIL, "99887766"] {
        assert!(!text.contains(secret), "{what} shows {secret:?}:\n{text}");
    }
}

#[test]
fn debug_of_builder_client_and_identity_hides_secrets() {
    let enterprise = TestCa::new("altinn-contacts test CA").client_identity();
    let identity = Identity::from_pkcs12_der(&enterprise.pkcs12(PASSWORD), PASSWORD).unwrap();
    let identity_debug = format!("{identity:?}");
    assert_clean("Identity", &identity_debug);
    // Not a byte of the key: the PEM body is long enough that any leak would show a piece of it.
    let key_line = enterprise.key_pem().lines().nth(1).unwrap();
    assert!(!identity_debug.contains(key_line), "{identity_debug}");

    let b = ReqwestContactsApi::builder()
        .api_key(API_KEY)
        .bearer_token(TOKEN)
        .certificate(identity);
    let builder_debug = format!("{b:?} {b:#?}");
    assert_clean("ConfigBuilder", &builder_debug);
    assert!(builder_debug.contains("api_key"), "{builder_debug}");

    let api = b.build().unwrap();
    let client_debug = format!("{api:?} {api:#?}");
    assert_clean("ReqwestContactsApi", &client_debug);
    assert!(
        client_debug.contains("https://www.altinn.no/"),
        "{client_debug}"
    );
}

/// A `MakeWriter` that appends everything to a shared buffer.
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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn errors_and_tracing_output_hold_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    let personal = "/api/serviceowner/organizations/910021451/personalcontacts";
    Mock::given(path(personal))
        .respond_with(hal(fixtures::PERSONAL_CONTACTS))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // A server that echoes the person and the key in its error message.
    Mock::given(path(personal))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            format!(r#"{{"ErrorCode":1,"ErrorMessage":"No person {SSN} for key {API_KEY} / {TOKEN}"}}"#)
                .into_bytes(),
            "application/json",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // A body whose bad value is an identity number.
    Mock::given(path(personal))
        .respond_with(hal(&fixtures::PERSONAL_CONTACTS.replacen(
            "\"2017-06-15T09:05:00.86\"",
            &format!("\"{SSN}\""),
            1,
        )))
        .mount(&server)
        .await;
    Mock::given(path("/api/serviceowner/organizations"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let api = builder(&server.uri()).bearer_token(TOKEN).build().unwrap();
    let mut errors: Vec<Error> = Vec::new();

    let list = api
        .personal_contacts(&org(), &PersonalContactsFilter::new())
        .await
        .unwrap();
    assert_eq!(
        list.items()[0]
            .social_security_number
            .as_ref()
            .unwrap()
            .reveal(),
        SSN
    );
    errors.push(
        api.personal_contacts(&org(), &PersonalContactsFilter::new())
            .await
            .unwrap_err(),
    );
    errors.push(
        api.personal_contacts(&org(), &PersonalContactsFilter::new())
            .await
            .unwrap_err(),
    );
    let search =
        ContactPointSearch::email_and_phone(EMAIL.parse().unwrap(), PHONE.parse().unwrap());
    errors.push(api.search_organizations(&search).await.unwrap_err());

    // A reason phrase with the identity number and the key, through the raw server.
    let raw = RawServer::start(vec![raw_response(
        &format!("400 Person {SSN} unknown (ApiKey {API_KEY})"),
        "",
    )])
    .await;
    let raw_api = builder(&raw.url()).bearer_token(TOKEN).build().unwrap();
    errors.push(raw_api.search_organizations(&search).await.unwrap_err());

    // A refused connection, whose cause chain could have carried the URL with the search.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let closed_api = builder(&format!("http://{closed}/")).build().unwrap();
    errors.push(closed_api.search_organizations(&search).await.unwrap_err());

    assert!(matches!(errors[0], Error::NotFound(_)), "{:?}", errors[0]);
    assert!(matches!(errors[1], Error::Decode(_)), "{:?}", errors[1]);
    assert!(matches!(errors[2], Error::Server(_)), "{:?}", errors[2]);
    assert!(matches!(errors[3], Error::BadRequest(_)), "{:?}", errors[3]);
    assert!(matches!(errors[4], Error::Transport(_)), "{:?}", errors[4]);
    assert!(
        errors[0].to_string().contains("No person ***********"),
        "{}",
        errors[0]
    );
    for error in &errors {
        assert_clean("an error", &format!("{error} | {error:?}"));
    }

    drop(_guard);
    let logs = captured.text();
    // The capture works and holds the span and the attempts ...
    assert!(logs.contains("altinn_contacts"), "{logs}");
    assert!(logs.contains("attempt="), "{logs}");
    assert!(logs.contains("status=404"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(
        logs.contains("org=\"910021451\"") || logs.contains("org=910021451"),
        "{logs}"
    );
    // ... and nothing secret or personal.
    assert_clean("tracing output", &logs);
    assert!(!logs.contains("hemmelig"), "{logs}");
}

/// A provider that hands out one fixed token.
struct FixedProvider;

#[async_trait::async_trait]
impl altinn_contacts_reqwest::TokenProvider for FixedProvider {
    async fn token(
        &self,
    ) -> Result<altinn_contacts_reqwest::SecretString, altinn_contacts_reqwest::TokenError> {
        Ok(altinn_contacts_reqwest::SecretString::from(format!(
            " {TOKEN} "
        )))
    }
}

#[tokio::test]
async fn a_token_from_a_provider_is_masked_in_what_the_server_echoes() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .respond_with(ResponseTemplate::new(401).set_body_raw(
        format!(r#"{{"ErrorMessage":"Token {TOKEN} has expired"}}"#).into_bytes(),
        "application/json",
    ))
    .mount(&server)
    .await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/personalcontacts",
    ))
    .respond_with(ResponseTemplate::new(200).set_body_raw(
        format!("<html><title>Token {TOKEN} refused</title></html>").into_bytes(),
        "text/html",
    ))
    .mount(&server)
    .await;
    let api = builder(&server.uri())
        .token_provider(std::sync::Arc::new(FixedProvider))
        .build()
        .unwrap();
    let errors = [
        api.official_contacts(&org()).await.unwrap_err(),
        api.personal_contacts(&org(), &PersonalContactsFilter::new())
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
        let shown = format!("{err} | {err:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert_clean("an error", &shown);
    }
}

#[tokio::test]
async fn a_key_cut_by_the_message_length_limit_leaves_no_piece() {
    // The message is shortened to 300 characters; a key straddling that point must be masked
    // before the cut, or most of it would show.
    let kept = API_KEY.len() - 3;
    let padding = "x".repeat(300 - 1 - kept);
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/officialcontacts",
    ))
    .respond_with(ResponseTemplate::new(403).set_body_raw(
        format!("{padding} {API_KEY} rejected").into_bytes(),
        "text/plain",
    ))
    .mount(&server)
    .await;
    let err = builder(&server.uri())
        .build()
        .unwrap()
        .official_contacts(&org())
        .await
        .unwrap_err();
    let shown = format!("{err} | {err:?}");
    let piece = &API_KEY[..kept];
    assert!(!shown.contains(piece), "a piece of the key shows:\n{shown}");
    assert_clean("an error", &shown);
}
