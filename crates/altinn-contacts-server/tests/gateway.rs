//! The gateway over a hand-written backend, over real HTTP on loopback: routing of the six
//! calls and their OData options into typed calls, links regenerated at the gateway, each
//! `Error` variant's status and reason, and the `ApiKey` check (logs without secrets: `logs.rs`).

use std::time::Duration;

mod support;

use altinn_contacts_api::{
    AuthFailure, CredentialsFailure, DecodeFailure, Error, HttpFailure, InvalidInput, Operation,
    OrderBy, OrganizationsQuery, TransportError, TransportFailure, Unsupported,
};
use altinn_contacts_server::{Gateway, errors, messages};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::*;

#[tokio::test]
async fn the_six_calls_and_their_odata_options_become_typed_calls() {
    let (server, fake) = default_gateway().await;
    let cases: &[(&str, &str)] = &[
        (
            "organizations",
            "organizations OrganizationsQuery { top: None, skip: None, order_by: None, descending: false, type_filter: None, expand: None }",
        ),
        (
            "organizations?$top=5&$skip=10&$orderby=Name%20desc&$filter=Type%20eq%20%27ENK%27&$expand=OfficialContacts",
            "organizations OrganizationsQuery { top: Some(5), skip: Some(10), order_by: Some(Name), descending: true, type_filter: Some(TypeCode(\"ENK\")), expand: OfficialContacts }",
        ),
        (
            "organizations?$top=0",
            "organizations OrganizationsQuery { top: Some(1), skip: None, order_by: None, descending: false, type_filter: None, expand: None }",
        ),
        (
            "organizations?email=post%40firma.no&phoneNumber=%2B4799999999&$top=2&$orderby=OrganizationNumber",
            "search ContactPointSearch { email: Some(Email(\"post@firma.no\")), phone: Some(PhoneNumber(\"+4799999999\")), options: OrganizationsQuery { top: Some(2), skip: None, order_by: Some(OrganizationNumber), descending: false, type_filter: None, expand: None } }",
        ),
        (
            "organizations/910021451?$expand=OfficialContacts",
            "organization 910021451 OfficialContacts",
        ),
        ("Organizations/910021451/", "organization 910021451 None"),
        (
            "organizations/910021451/officialcontacts",
            "official 910021451",
        ),
        (
            "organizations/910021451/personalcontacts?roleDefinitionCode=DAGL&serviceCode=4503&serviceEdition=2",
            "personal 910021451 PersonalContactsFilter { role: Some(RoleCode(\"DAGL\")), service: Some((ServiceCode(\"4503\"), ServiceEdition(\"2\"))) }",
        ),
        (
            "organizations/910021451/personalcontacts/r50022994/roles",
            "roles 910021451 r50022994",
        ),
        (
            "organizations/910021451/personalcontacts/u20001234/roles",
            "roles 910021451 u20001234",
        ),
    ];
    for (path, call) in cases {
        get_ok(&server, path).await;
        assert_eq!(fake.calls(), [*call], "{path}");
    }
    // Something nothing can match is an empty list without asking the backend.
    for path in [
        "organizations?phoneNumber=+4799999999",
        "organizations?$filter=Type%20eq%20%27O''B%27",
    ] {
        let body = get_ok(&server, path).await;
        assert_eq!(body["_embedded"]["organizations"], serde_json::json!([]));
        assert!(fake.calls().is_empty(), "{path}");
    }
}

#[tokio::test]
async fn bad_input_gets_altinns_texts_and_never_reaches_the_backend() {
    let (server, fake) = default_gateway().await;
    let cases: &[(&str, u16, &str)] = &[
        (
            "organizations/12345",
            400,
            "Invalid organization number: 12345",
        ),
        (
            "organizations/06117701547",
            400,
            "Invalid organization number: ***********",
        ),
        (
            "organizations/910021451/personalcontacts/06117701547/roles",
            400,
            messages::INVALID_PERSON_ID,
        ),
        (
            "organizations/910021451/personalcontacts?serviceCode=4503",
            400,
            messages::INVALID_SERVICE,
        ),
        (
            "organizations?$select=Name",
            400,
            "The query parameter '$select' is not supported.",
        ),
        ("roledefinitions/3", 404, messages::NO_SUCH_RESOURCE),
    ];
    for (path, status, reason) in cases {
        let raw = get(&server, path, &[("ApiKey", KEY)]).await;
        assert_eq!((raw.status(), raw.reason()), (*status, *reason), "{path}");
        assert!(raw.body.is_empty());
    }
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn links_point_at_the_gateway_never_at_the_backend() {
    let (server, _fake) = default_gateway().await;
    let base = format!("{}/api/serviceowner", server.base_url());
    for path in [
        "organizations",
        "organizations?email=post%40firma.no",
        "organizations/910021451",
        "organizations/910021451/officialcontacts",
        "organizations/910021451/personalcontacts",
        "organizations/910021451/personalcontacts/r50022994/roles",
    ] {
        let raw = get(&server, path, &[("ApiKey", KEY)]).await;
        let text = String::from_utf8(raw.body.clone()).unwrap();
        assert!(!text.contains("backend"), "{path}: {text}");
        assert!(text.contains(&base), "{path}: {text}");
        assert_eq!(
            raw.header("content-type"),
            Some("application/hal+json; charset=utf-8")
        );
    }
    let list = get_ok(&server, "organizations").await;
    assert_eq!(
        list["_embedded"]["organizations"][1]["_links"]["officialcontacts"]["href"],
        format!("{base}/organizations/810748532/officialcontacts")
    );
    let persons = get_ok(&server, "organizations/910021451/personalcontacts").await;
    assert_eq!(
        persons["_embedded"]["personalcontacts"][0]["_links"]["roles"]["href"],
        format!("{base}/organizations/910021451/personalcontacts/r50022994/roles")
    );
    let roles = get_ok(
        &server,
        "organizations/910021451/personalcontacts/r50022994/roles",
    )
    .await;
    assert_eq!(
        roles["_embedded"]["roles"][0]["_links"]["roledefinition"]["href"],
        format!("{base}/roledefinitions/89")
    );

    // Plain JSON to `Accept: application/json`, links as `{Rel, Href}`.
    let raw = get(
        &server,
        "organizations/910021451/officialcontacts",
        &[("ApiKey", KEY), ("Accept", "application/json")],
    )
    .await;
    assert_eq!(
        raw.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(raw.json()[0]["MobileNumber"], "22334455");

    // A public URL wins over the Host header.
    let (public, _) =
        start(|fake| Gateway::new(fake, keys()).public_url("https://contacts.example.invalid/"))
            .await;
    let org = get_ok(&public, "organizations/910021451").await;
    assert_eq!(
        org["_links"]["self"]["href"],
        "https://contacts.example.invalid/api/serviceowner/organizations/910021451"
    );
}

#[tokio::test]
async fn each_backend_error_has_its_status_and_reason() {
    let (server, fake) = default_gateway().await;
    let http =
        |status, message: &str| HttpFailure::new(Operation::OfficialContacts, status, message);
    let secret_words = "connect to https://backend.example.invalid/?code=backend-secret failed";
    let cases: Vec<(Error, u16, String)> = vec![
        (
            Error::from_status(http(404, "Organization not found: 910021451"), None),
            404,
            "Organization not found: 910021451".into(),
        ),
        (
            Error::from_status(http(400, "Something was wrong"), None),
            400,
            "Something was wrong".into(),
        ),
        (
            Error::from_status(http(409, "Conflict here"), None),
            409,
            "Conflict here".into(),
        ),
        (
            Error::Throttled {
                failure: http(429, "Too Many Requests"),
                retry_after: Some(Duration::from_secs(7)),
            },
            429,
            "Too Many Requests".into(),
        ),
        (
            Error::from_status(http(503, "Service Unavailable"), None),
            503,
            "Service Unavailable".into(),
        ),
        (
            Error::Auth {
                kind: AuthFailure::Forbidden,
                failure: http(403, "Forbidden - The API key is not authorized for this operation"),
            },
            502,
            errors::BACKEND_CREDENTIALS_REFUSED.into(),
        ),
        (
            Error::Transport(TransportError::new(
                Operation::OfficialContacts,
                TransportFailure::Connect,
                secret_words,
            )),
            502,
            errors::BACKEND_UNREACHABLE.into(),
        ),
        (
            Error::Transport(TransportError::new(
                Operation::OfficialContacts,
                TransportFailure::Timeout,
                secret_words,
            )),
            504,
            errors::BACKEND_TIMEOUT.into(),
        ),
        (
            Error::Credentials(CredentialsFailure::new(
                Operation::OfficialContacts,
                std::io::Error::other(secret_words),
                true,
            )),
            503,
            errors::BACKEND_TOKEN_UNAVAILABLE.into(),
        ),
        (
            Error::Credentials(CredentialsFailure::new(
                Operation::OfficialContacts,
                std::io::Error::other(secret_words),
                false,
            )),
            502,
            errors::BACKEND_TOKEN_REFUSED.into(),
        ),
        (
            Error::Decode(DecodeFailure::new(
                Operation::OfficialContacts,
                200,
                ".x",
                secret_words,
                false,
            )),
            502,
            errors::BACKEND_ANSWER_UNREADABLE.into(),
        ),
        (
            Error::InvalidInput(InvalidInput::new("thing", "x", "it is wrong")),
            400,
            "invalid thing \"x\": it is wrong".into(),
        ),
        (
            Error::Unsupported(Unsupported::new(
                Operation::OfficialContacts,
                "altinn3",
                "no successor service gives official contacts to this caller",
            )),
            501,
            "official contacts: not supported by the altinn3 backend: no successor service gives official contacts to this caller".into(),
        ),
    ];
    for (error, status, reason) in cases {
        *fake.fail.lock().unwrap() = Some(error.clone());
        let raw = get(
            &server,
            "organizations/910021451/officialcontacts",
            &[("ApiKey", KEY)],
        )
        .await;
        assert_eq!(
            (raw.status(), raw.reason()),
            (status, reason.as_str()),
            "{error:?}"
        );
        assert!(raw.body.is_empty());
        assert!(!raw.status_line.contains("backend-secret"));
        if status == 429 {
            assert_eq!(raw.header("retry-after"), Some("7"));
        }
    }
}

#[tokio::test]
async fn the_api_key_is_checked_before_anything_else() {
    let (server, fake) = default_gateway().await;
    let missing = get(&server, "organizations", &[]).await;
    assert_eq!(
        (missing.status(), missing.reason()),
        (400, messages::API_KEY_MISSING)
    );
    let empty = get(&server, "organizations", &[("ApiKey", "")]).await;
    assert_eq!(empty, missing);
    let wrong = get(&server, "organizations/12345", &[("ApiKey", "not-a-key")]).await;
    assert_eq!(
        (wrong.status(), wrong.reason()),
        (403, messages::API_KEY_FORBIDDEN)
    );
    assert!(wrong.body.is_empty());
    // Both configured keys are accepted.
    for key in [KEY, "another-key"] {
        assert_eq!(
            get(&server, "organizations", &[("ApiKey", key)])
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        fake.calls().len(),
        2,
        "refused requests never reach the backend"
    );
    // Only GET.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /api/serviceowner/organizations HTTP/1.1\r\nHost: x\r\nApiKey: caller-key-5b1f0d\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    assert!(
        text.starts_with(&format!("HTTP/1.1 405 {}", messages::METHOD_NOT_ALLOWED)),
        "{text}"
    );
}

#[tokio::test]
async fn shutdown_is_graceful_and_stops_listening() {
    let (server, _fake) = default_gateway().await;
    let addr = server.local_addr();
    assert_eq!(
        get(&server, "organizations", &[("ApiKey", KEY)])
            .await
            .status(),
        200
    );
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

#[test]
fn orderby_without_a_field_is_not_a_query() {
    // The typed query the gateway builds for `desc` alone is by organization number.
    let q = OrganizationsQuery::new().descending();
    assert_eq!(q.order_by.unwrap_or_default(), OrderBy::OrganizationNumber);
}
