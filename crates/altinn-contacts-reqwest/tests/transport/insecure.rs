//! `http://` only for loopback hosts: any other host is refused when building, before a client
//! exists that could send anything, unless `danger_allow_insecure_http(true)` opts in. The
//! refused hosts are under `.invalid`, and nothing here sends a request.

use altinn_contacts_reqwest::{ConfigError, MaskinportenTokenProvider, ReqwestContactsApi};

use crate::maskinporten::rsa_identity;
use crate::support::API_KEY;

fn api(base_url: &str) -> altinn_contacts_reqwest::ConfigBuilder {
    ReqwestContactsApi::builder()
        .base_url(base_url)
        .api_key(API_KEY)
        .bearer_token("token-for-clear-text-test")
}

#[test]
fn an_http_base_url_for_another_host_is_refused() {
    for url in [
        "http://altinn.example.invalid",
        "http://altinn.example.invalid:8080/prefix/",
        "http://localhost.example.invalid/",
        "http://127.0.0.1.example.invalid/",
    ] {
        let err = api(url).build().unwrap_err();
        let ConfigError::InsecureHttp { what, url: shown } = &err else {
            panic!("{url}: expected InsecureHttp, got {err:?}");
        };
        assert_eq!(*what, "base URL");
        assert!(shown.starts_with("http://"), "{shown}");
        let text = format!("{err} {err:?}");
        assert!(text.contains("clear text"), "{text}");
        assert!(text.contains("danger_allow_insecure_http"), "{text}");
        assert!(!text.contains(API_KEY), "{text}");
    }
    // Credentials and a query are not echoed.
    let err = api("http://altinn.example.invalid/?apikey=hunter2")
        .build()
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
}

#[test]
fn loopback_hosts_may_use_http() {
    for url in [
        "http://127.0.0.1:1/",
        "http://127.42.0.9:1/",
        "http://[::1]:1/",
        "http://localhost:1/",
        "http://LOCALHOST/",
    ] {
        let api = api(url).build().unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(api.base_url().scheme(), "http");
    }
    // https for any host, as before.
    api("https://altinn.example.invalid/").build().unwrap();
}

#[test]
fn the_danger_option_opts_in_and_shows_in_debug() {
    let builder = api("http://altinn.example.invalid/").danger_allow_insecure_http(true);
    assert!(format!("{builder:?}").contains("danger_allow_insecure_http: true"));
    let api = builder.build().unwrap();
    assert_eq!(api.base_url().as_str(), "http://altinn.example.invalid/");
    // Turning it off again refuses.
    assert!(matches!(
        self::api("http://altinn.example.invalid/")
            .danger_allow_insecure_http(true)
            .danger_allow_insecure_http(false)
            .build(),
        Err(ConfigError::InsecureHttp { .. })
    ));
}

#[test]
fn maskinporten_token_and_exchange_urls_follow_the_same_rule() {
    let provider = || {
        MaskinportenTokenProvider::builder()
            .client_id("3f1c0b8e-test-client")
            .identity(rsa_identity())
    };
    let err = provider()
        .endpoints(
            "https://maskinporten.example.invalid/",
            "http://maskinporten.example.invalid/token",
        )
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InsecureHttp {
                what: "token URL",
                ..
            }
        ),
        "{err:?}"
    );
    let err = provider()
        .exchange_url("http://platform.example.invalid/exchange")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InsecureHttp {
                what: "exchange URL",
                ..
            }
        ),
        "{err:?}"
    );
    provider()
        .endpoints(
            "https://maskinporten.example.invalid/",
            "http://maskinporten.example.invalid/token",
        )
        .exchange_url("http://platform.example.invalid/exchange")
        .danger_allow_insecure_http(true)
        .build()
        .unwrap();
    provider()
        .endpoints("http://localhost/", "http://[::1]:1/token")
        .exchange_url("http://127.0.0.1:1/exchange")
        .build()
        .unwrap();
}
