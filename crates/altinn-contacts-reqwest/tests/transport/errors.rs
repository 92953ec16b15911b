//! How answers that are not the expected resource become typed errors.

use altinn_contacts_api::{
    AuthFailure, ContactsApi, Error, Operation, OrganizationsQuery, PersonalContactsFilter,
};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{RawServer, client, org, raw_response};

const OFFICIAL: &str = "/api/serviceowner/organizations/910021451/officialcontacts";

async fn official_contacts_answered_with(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(response)
        .mount(&server)
        .await;
    client(&server.uri())
        .official_contacts(&org())
        .await
        .expect_err("the call must fail")
}

#[tokio::test]
async fn a_non_standard_reason_phrase_reaches_the_message() {
    let server = RawServer::start(vec![raw_response(
        "400 Required header 'ApiKey' is missing.",
        "",
    )])
    .await;
    let err = client(&server.url())
        .official_contacts(&org())
        .await
        .unwrap_err();
    let Error::BadRequest(failure) = &err else {
        panic!("expected BadRequest, got {err:?}");
    };
    assert_eq!(failure.status, 400);
    assert_eq!(failure.message, "Required header 'ApiKey' is missing.");
    assert_eq!(failure.operation, Operation::OfficialContacts);
    assert_eq!(
        err.to_string(),
        "official contacts: HTTP 400 Required header 'ApiKey' is missing."
    );
    assert_eq!(server.requests().len(), 1, "400 is not retried");
}

#[tokio::test]
async fn a_reason_phrase_wins_over_the_body() {
    let server = RawServer::start(vec![raw_response(
        "401 Authorization failed: There is no authenticated organization number set on this request.",
        "<html><head><title>Error</title></head></html>",
    )])
    .await;
    let err = client(&server.url())
        .organizations(&OrganizationsQuery::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Auth {
                kind: AuthFailure::Unauthenticated,
                failure
            } if failure.message.starts_with("Authorization failed: There is no authenticated")
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_redirect_is_a_login_redirect_naming_only_the_host() {
    let err = official_contacts_answered_with(ResponseTemplate::new(302).insert_header(
        "Location",
        "https://login.altinn.no/ui/Authentication?goTo=https%3a%2f%2fwww.altinn.no%2fsecret",
    ))
    .await;
    let Error::Auth {
        kind: AuthFailure::LoginRedirect,
        failure,
    } = &err
    else {
        panic!("expected a login redirect, got {err:?}");
    };
    assert_eq!(failure.status, 302);
    let text = err.to_string();
    assert!(text.contains("login.altinn.no"), "{text}");
    assert!(!text.contains("goTo") && !text.contains("secret"), "{text}");
}

#[tokio::test]
async fn an_html_page_with_status_200_is_an_auth_error() {
    let page = "<!DOCTYPE html>\n<html><head><title>Logg inn - Altinn</title></head><body>...</body></html>";
    let err = official_contacts_answered_with(
        ResponseTemplate::new(200).set_body_raw(page.as_bytes(), "text/html; charset=utf-8"),
    )
    .await;
    assert!(
        matches!(
            &err,
            Error::Auth { kind: AuthFailure::HtmlPage, failure } if failure.status == 200
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Logg inn - Altinn"), "{err}");

    // Mislabelled as JSON, it is still recognized by its first character.
    let err = official_contacts_answered_with(
        ResponseTemplate::new(200).set_body_raw(page.as_bytes(), "application/hal+json"),
    )
    .await;
    assert!(
        matches!(
            err,
            Error::Auth {
                kind: AuthFailure::HtmlPage,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_json_is_a_truncated_decode_error() {
    let body = &crate::support::fixtures::OFFICIAL_CONTACTS[..200];
    let err = official_contacts_answered_with(
        ResponseTemplate::new(200).set_body_raw(body.as_bytes(), "application/hal+json"),
    )
    .await;
    let Error::Decode(failure) = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(failure.truncated, "{failure:?}");
    assert_eq!(failure.status, 200);
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[tokio::test]
async fn malformed_json_names_the_json_path() {
    let body = r#"{"_embedded":{"officialcontacts":[
        {"MobileNumber":"22334455","MobileNumberChanged":"2017-06-15T09:07:20.84"},
        {"MobileNumber":"33445566","MobileNumberChanged":"last tuesday"}]}}"#;
    let err = official_contacts_answered_with(
        ResponseTemplate::new(200).set_body_raw(body.as_bytes(), "application/hal+json"),
    )
    .await;
    let Error::Decode(failure) = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(!failure.truncated);
    assert_eq!(
        failure.path,
        "_embedded.officialcontacts[1].MobileNumberChanged"
    );
    assert!(
        err.to_string()
            .contains("_embedded.officialcontacts[1].MobileNumberChanged"),
        "{err}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    let err = official_contacts_answered_with(
        ResponseTemplate::new(200).set_body_raw("OK".as_bytes(), "text/plain"),
    )
    .await;
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn statuses_map_to_their_variants() {
    for (status, check) in [
        (
            401,
            (|e: &Error| {
                matches!(
                    e,
                    Error::Auth {
                        kind: AuthFailure::Unauthenticated,
                        ..
                    }
                )
            }) as fn(&Error) -> bool,
        ),
        (403, |e| {
            matches!(
                e,
                Error::Auth {
                    kind: AuthFailure::Forbidden,
                    ..
                }
            )
        }),
        (404, |e| matches!(e, Error::NotFound(_))),
        (409, |e| matches!(e, Error::BadRequest(_))),
        (500, |e| matches!(e, Error::Server(_))),
    ] {
        let err = official_contacts_answered_with(ResponseTemplate::new(status)).await;
        assert!(check(&err), "{status}: {err:?}");
        assert_eq!(err.status(), Some(status));
        let http = err.http().unwrap();
        // With no reason phrase and no body, the message is the standard reason.
        let canonical = reqwest::StatusCode::from_u16(status)
            .unwrap()
            .canonical_reason()
            .unwrap();
        assert_eq!(http.message, canonical, "{status}");
        assert_eq!(http.attempts, 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn a_json_error_body_gives_its_error_message() {
    let err = official_contacts_answered_with(
        ResponseTemplate::new(400).set_body_raw(
            r#"{"ErrorCode": 40001, "ErrorMessage": "Invalid organization number: 0000000"}"#
                .as_bytes(),
            "application/json",
        ),
    )
    .await;
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "official contacts: HTTP 400 Invalid organization number: 0000000"
    );
}

#[tokio::test]
async fn a_plain_body_gives_its_first_line() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/api/serviceowner/organizations/910021451/personalcontacts",
    ))
    .respond_with(ResponseTemplate::new(403).set_body_string(
        "\n  Forbidden - The API key is not authorized for this operation\nTrace: 1234\n",
    ))
    .mount(&server)
    .await;
    let err = client(&server.uri())
        .personal_contacts(&org(), &PersonalContactsFilter::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.http().unwrap().message,
        "Forbidden - The API key is not authorized for this operation"
    );
}

#[tokio::test]
async fn a_reason_phrase_that_is_not_utf8_falls_back_to_the_body() {
    // Latin-1 "æøå": bytes HTTP allows in a reason phrase (obs-text) but not valid UTF-8. The
    // HTTP parser (httparse) drops such a phrase, so the message comes from the body, and
    // without a body it is the standard reason; either way, no panic.
    let status_line = b"HTTP/1.1 400 Ugyldig organisasjonsnummer \xe6\xf8\xe5\r\n".to_vec();
    for (body, expected) in [
        (
            "Organisasjonsnummeret er ugyldig",
            "Organisasjonsnummeret er ugyldig",
        ),
        ("", "Bad Request"),
    ] {
        let mut response = status_line.clone();
        response.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        let server = RawServer::start(vec![response]).await;
        let err = client(&server.url())
            .official_contacts(&org())
            .await
            .unwrap_err();
        let Error::BadRequest(failure) = &err else {
            panic!("expected BadRequest, got {err:?}");
        };
        assert_eq!(failure.message, expected, "{failure:?}");
    }
}

#[tokio::test]
async fn a_body_with_a_byte_order_mark_decodes() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(crate::support::fixtures::OFFICIAL_CONTACTS.as_bytes());
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/hal+json"))
        .mount(&server)
        .await;
    let list = client(&server.uri())
        .official_contacts(&org())
        .await
        .expect("a BOM before the JSON is not an error");
    assert_eq!(list.items().len(), 2);

    // An error body with a BOM still gives its ErrorMessage.
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"ErrorCode":3,"ErrorMessage":"Organization not found"}"#);
    let err = official_contacts_answered_with(
        ResponseTemplate::new(404).set_body_raw(body, "application/json"),
    )
    .await;
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.http().unwrap().message, "Organization not found");
}

#[tokio::test]
async fn bodies_that_are_not_utf8_or_empty_are_decode_errors() {
    for body in [
        &b""[..],
        b"\xff\xfe{\x00}",
        b"{\"_embedded\":{\"officialcontacts\":[{\"EMailAddress\":\"\xff\"}]}}",
    ] {
        let err = official_contacts_answered_with(
            ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/hal+json"),
        )
        .await;
        assert!(matches!(err, Error::Decode(_)), "{body:?}: {err:?}");
    }
}

#[tokio::test]
async fn the_title_of_an_html_page_never_shows_the_api_key() {
    let page = format!(
        "<html><head><title>Ugyldig nøkkel {}</title></head></html>",
        crate::support::API_KEY
    );
    let err = official_contacts_answered_with(
        ResponseTemplate::new(200).set_body_raw(page.into_bytes(), "text/html"),
    )
    .await;
    assert!(
        matches!(
            &err,
            Error::Auth {
                kind: AuthFailure::HtmlPage,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("Ugyldig nøkkel"), "{shown}");
    assert!(!shown.contains(crate::support::API_KEY), "{shown}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_even_to_the_same_host() {
    let server = MockServer::start().await;
    Mock::given(path(OFFICIAL))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/ui/login", server.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    // Following the redirect would end here, with the API key, and read a login page.
    Mock::given(path("/ui/login"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(&b"<html><title>Logg inn</title></html>"[..], "text/html"),
        )
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .official_contacts(&org())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Auth {
                kind: AuthFailure::LoginRedirect,
                failure
            } if failure.status == 302 && failure.attempts == 1
        ),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    server.verify().await;
}
