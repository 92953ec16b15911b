//! Every fault switch, at start and while running.

use std::time::{Duration, Instant};

use altinn_contacts_sandbox::{Fault, FaultConfig, Sandbox};

use crate::common::*;

const PATH: &str = "organizations/910021451/officialcontacts";

#[tokio::test]
async fn error_rate_answers_a_seeded_fraction_503() {
    let sandbox = seed_only().await;
    let client = client();
    let run = |seed| {
        let sandbox = &sandbox;
        let client = &client;
        async move {
            sandbox.faults().set_error_rate_seeded(0.3, seed);
            let mut statuses = Vec::new();
            for _ in 0..200 {
                let response = get_with(client, sandbox, PATH).await;
                if response.status() == 503 {
                    assert_eq!(reason(&response).as_deref(), Some("Service Unavailable"));
                }
                statuses.push(response.status().as_u16());
            }
            statuses
        }
    };
    let first = run(17).await;
    let failures = first.iter().filter(|s| **s == 503).count();
    assert!((30..=90).contains(&failures), "{failures} of 200");
    assert!(first.iter().all(|s| *s == 200 || *s == 503));
    assert_eq!(run(17).await, first, "same seed, same sequence");
    assert_ne!(run(18).await, first);

    sandbox.faults().set_error_rate(0.0);
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
}

#[tokio::test]
async fn next_requests_fail_with_a_given_status_then_recover() {
    let sandbox = seed_only().await;
    sandbox.faults().fail_next_with_status(
        2,
        500,
        "Internal Server Error - the sandbox was told to fail",
    );
    assert_eq!(sandbox.faults().pending(), 2);
    for _ in 0..2 {
        assert_error(
            get(&sandbox, PATH).await,
            500,
            "Internal Server Error - the sandbox was told to fail",
        )
        .await;
    }
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
    assert_eq!(sandbox.faults().pending(), 0);
    assert_eq!(sandbox.faults().injected(), 2);

    sandbox
        .faults()
        .fail_next(1, Fault::status(502, "Bad Gateway"));
    assert_error(get(&sandbox, PATH).await, 502, "Bad Gateway").await;
}

#[tokio::test]
async fn rate_limit_sends_retry_after() {
    let sandbox = seed_only().await;
    sandbox.faults().rate_limit_next(1, 7);
    let response = get(&sandbox, PATH).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_error(response, 429, "Too Many Requests").await;
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
}

#[tokio::test]
async fn latency_delays_answers() {
    let sandbox = seed_only().await;
    sandbox.faults().set_latency(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
    // A lower bound only: the sandbox must wait at least this long (no upper bound is asserted).
    assert!(started.elapsed() >= Duration::from_millis(300));
    sandbox.faults().set_latency(Duration::ZERO);
}

#[tokio::test]
async fn connection_closed_mid_body() {
    let sandbox = seed_only().await;
    sandbox.faults().fail_next(1, Fault::CloseMidBody);
    let response = get(&sandbox, PATH).await;
    assert_eq!(response.status(), 200);
    let declared: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(declared > 100);
    let body = response.bytes().await;
    assert!(body.is_err(), "the body must fail, got {body:?}");

    // On the wire: headers promise more than arrives before the connection ends.
    sandbox.faults().fail_next(1, Fault::CloseMidBody);
    let raw = raw_get(
        &sandbox,
        &format!("/api/serviceowner/{PATH}"),
        &[("ApiKey", sandbox.api_key())],
    )
    .await;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    let length_line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-length:"))
        .unwrap();
    let declared: usize = length_line["content-length:".len()..]
        .trim()
        .parse()
        .unwrap();
    assert!(
        !body.is_empty() && body.len() < declared,
        "{} of {declared}",
        body.len()
    );

    // The sandbox serves on after it.
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
}

#[tokio::test]
async fn truncated_json_is_a_complete_response_with_cut_json() {
    let sandbox = seed_only().await;
    let whole = get(&sandbox, PATH).await.bytes().await.unwrap();
    sandbox.faults().fail_next(1, Fault::TruncatedJson);
    let response = get(&sandbox, PATH).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/hal+json; charset=utf-8"
    );
    let body = response.bytes().await.expect("complete response");
    assert_eq!(body.len(), whole.len() / 2);
    assert_eq!(&body[..], &whole[..body.len()]);
    let error = serde_json::from_slice::<serde_json::Value>(&body).unwrap_err();
    assert!(error.is_eof(), "{error}");
}

#[tokio::test]
async fn html_page_with_200() {
    let sandbox = seed_only().await;
    sandbox.faults().fail_next(1, Fault::HtmlPage);
    let response = get(&sandbox, PATH).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.contains("Logg inn"));
}

#[tokio::test]
async fn login_redirect() {
    let sandbox = seed_only().await;
    sandbox.faults().fail_next(2, Fault::LoginRedirect);
    let response = get(&sandbox, &format!("{PATH}?ForceEIAuthentication")).await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let prefix = format!("{}/ui/Authentication?goTo=", sandbox.base_url());
    assert!(location.starts_with(&prefix), "{location}");
    let go_to: String = url::form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "goTo")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        go_to,
        format!("{}?ForceEIAuthentication", url(&sandbox, PATH))
    );

    // A client that follows redirects lands on an HTML login page with 200.
    install_crypto();
    let following = reqwest::Client::new()
        .get(url(&sandbox, PATH))
        .header("ApiKey", sandbox.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(following.status(), 200);
    assert_eq!(
        following.headers()["content-type"],
        "text/html; charset=utf-8"
    );
}

#[tokio::test]
async fn always_and_path_scope() {
    let sandbox = seed_only().await;
    sandbox.faults().set_always(Some(Fault::ServiceUnavailable));
    sandbox
        .faults()
        .set_path_filter(Some("/officialcontacts".to_owned()));
    for _ in 0..3 {
        assert_eq!(get(&sandbox, PATH).await.status(), 503);
    }
    assert_eq!(get(&sandbox, "organizations/910021451").await.status(), 200);
    sandbox.faults().set_always(None);
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
    sandbox.faults().set_always(Some(Fault::HtmlPage));
    sandbox.faults().clear();
    assert_eq!(get(&sandbox, PATH).await.status(), 200);
    assert_eq!(sandbox.faults().injected(), 3);
}

#[tokio::test]
async fn faults_configured_at_start() {
    let sandbox = start(
        Sandbox::builder().organizations(0).faults(
            FaultConfig::new()
                .fail_next(1, Fault::too_many_requests(2))
                .fail_next(1, Fault::TruncatedJson)
                .only_paths_containing("/personalcontacts"),
        ),
    )
    .await;
    assert_eq!(get(&sandbox, PATH).await.status(), 200, "out of scope");
    let persons = "organizations/910021451/personalcontacts";
    assert_eq!(get(&sandbox, persons).await.status(), 429);
    let truncated = get(&sandbox, persons).await.bytes().await.unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&truncated).is_err());
    assert_eq!(get(&sandbox, persons).await.status(), 200);

    let always = start(
        Sandbox::builder().organizations(0).faults(
            FaultConfig::new()
                .always(Fault::LoginRedirect)
                .error_rate(1.0, 3),
        ),
    )
    .await;
    assert_eq!(get(&always, PATH).await.status(), 302);
}

#[tokio::test]
async fn mixed_error_rate_answers_a_seeded_mix_of_faults() {
    let sandbox = seed_only().await;
    let client = client();
    let kinds = vec![
        Fault::ServiceUnavailable,
        Fault::too_many_requests(4),
        Fault::status(502, "Bad Gateway"),
    ];
    let run = |seed| {
        let (sandbox, client, kinds) = (&sandbox, &client, kinds.clone());
        async move {
            sandbox.faults().set_mixed_error_rate(0.3, seed, kinds);
            let mut statuses = Vec::new();
            for _ in 0..300 {
                let response = get_with(client, sandbox, PATH).await;
                if response.status() == 429 {
                    assert_eq!(response.headers()["retry-after"], "4");
                }
                statuses.push(response.status().as_u16());
            }
            statuses
        }
    };
    let first = run(5).await;
    let failed = first.iter().filter(|s| **s != 200).count();
    assert!((50..=130).contains(&failed), "{failed} of 300");
    for status in [503, 429, 502] {
        assert!(first.contains(&status), "no {status} in {first:?}");
    }
    assert!(first.iter().all(|s| [200, 503, 429, 502].contains(s)));
    assert_eq!(run(5).await, first, "same seed, same sequence");
    assert_eq!(sandbox.faults().injected() as usize, 2 * failed);

    // At start, too.
    let configured = start(
        Sandbox::builder()
            .organizations(0)
            .faults(FaultConfig::new().mixed_error_rate(1.0, 1, vec![Fault::HtmlPage])),
    )
    .await;
    let response = get(&configured, PATH).await;
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
}
