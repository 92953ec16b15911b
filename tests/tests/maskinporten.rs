//! Maskinporten in the CLI, end to end against the sandbox's token endpoint (which verifies
//! grants for real): the grant signed with the `--cert` key (x5c) or a registered key (kid),
//! API calls with the token and the API key but no client certificate and no
//! `ForceEIAuthentication`, one token for a bulk job, a refused grant (exit 1, Maskinporten's
//! error, no API request) and a 401 answered by one new token and one retry. No token, key or
//! password may reach the output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use altinn_contacts_sandbox::test_pki::TestCa;
use altinn_contacts_sandbox::{MaskinportenConfig, RecordedRequest, Sandbox};
use common::*;

const CLIENT_ID: &str = "e2e-maskinporten-client";
/// A self-signed RSA certificate and key made for tests only (shared with the transport tests).
const RSA_CERT: &str = include_str!(
    "../../crates/altinn-contacts-reqwest/tests/fixtures/test-only-maskinporten-rsa.cert.pem"
);
const RSA_KEY: &str = include_str!(
    "../../crates/altinn-contacts-reqwest/tests/fixtures/test-only-maskinporten-rsa.key.pem"
);

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn api_requests(sandbox: &Sandbox) -> Vec<RecordedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path().starts_with("/api/"))
        .collect()
}

/// Every API request carried a Maskinporten token and the API key, no client certificate and no
/// `ForceEIAuthentication`; returns the tokens seen.
#[track_caller]
fn assert_bearer_only(sandbox: &Sandbox) -> Vec<String> {
    let requests = api_requests(sandbox);
    assert!(!requests.is_empty());
    let mut tokens = Vec::new();
    for r in &requests {
        let auth = r.header("authorization").expect("an Authorization header");
        let token = auth.strip_prefix("Bearer ").expect("a Bearer token");
        assert!(token.starts_with("sandbox-"), "{auth}");
        assert_eq!(r.header("apikey"), Some(sandbox.api_key()));
        assert!(!r.client_certificate(), "no certificate in TLS");
        assert!(r.query_param("ForceEIAuthentication").is_none());
        if !tokens.iter().any(|t| t == token) {
            tokens.push(token.to_owned());
        }
    }
    tokens
}

/// None of `secrets` (nor any PEM private key) is in the output.
#[track_caller]
fn assert_no_secrets(out: &Output, secrets: &[&str]) {
    let text = format!("{}{}", stdout(out), stderr(out));
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!text.contains(secret), "a secret in the output:\n{text}");
    }
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    assert!(
        !text.contains("sandbox-mp-"),
        "a token in the output:\n{text}"
    );
    assert!(!text.contains("eyJ"), "a JWT in the output:\n{text}");
}

/// The second line of a PEM key: key material that must never be shown.
fn key_line(pem: &str) -> &str {
    pem.lines().nth(1).unwrap()
}

#[test]
fn x5c_mode_signs_with_the_certificate_and_does_not_present_it_in_tls() {
    // A TLS sandbox that would also take an enterprise certificate: the CLI must use the token.
    let server_ca = TestCa::new("E2E Server CA");
    let client_ca = TestCa::new("E2E Client CA");
    let server = server_ca.server_identity();
    let sandbox = Sandbox::builder()
        .organizations(0)
        .tls(server.cert_pem(), server.key_pem())
        .client_ca(client_ca.cert_pem())
        .maskinporten(MaskinportenConfig::new(CLIENT_ID))
        .start_blocking()
        .unwrap();
    let dir = scratch("maskinporten-x5c");
    let cert = write(&dir, "virksomhet.pem", &format!("{RSA_CERT}{RSA_KEY}"));
    let ca = write(&dir, "ca.pem", server_ca.cert_pem());
    let issuer = sandbox.maskinporten_issuer().unwrap();
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_CERT", &cert)
        .env("ALTINN_CA_CERT", &ca)
        .env("ALTINN_MASKINPORTEN_CLIENT_ID", CLIENT_ID)
        // Without its trailing slash: the CLI's aud has exactly one.
        .env("ALTINN_MASKINPORTEN_URL", issuer.trim_end_matches('/'));
    let out = run(cmd, &["--format", "json", "organization", "910021451"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("910021451"));
    assert_eq!(sandbox.maskinporten_token_requests(), 1);
    let tokens = assert_bearer_only(&sandbox);
    assert_eq!(tokens.len(), 1);
    let token = tokens[0].as_str();
    assert_no_secrets(&out, &[token, key_line(RSA_KEY), sandbox.api_key()]);

    // With --altinn-exchange the API gets the exchanged token, not Maskinporten's.
    sandbox.clear_requests();
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_CERT", &cert).env("ALTINN_CA_CERT", &ca);
    let exchange = sandbox.exchange_url().unwrap();
    let out = run(
        cmd,
        &[
            "--maskinporten-client-id",
            CLIENT_ID,
            "--maskinporten-url",
            &issuer,
            "--altinn-exchange",
            "--exchange-url",
            &exchange,
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 0);
    let tokens = assert_bearer_only(&sandbox);
    assert!(tokens[0].starts_with("sandbox-altinn-"), "{tokens:?}");
    assert_eq!(sandbox.maskinporten_tokens_issued(), 3);
    assert_no_secrets(&out, &[tokens[0].as_str(), key_line(RSA_KEY)]);
}

#[test]
fn kid_mode_signs_with_the_registered_key() {
    let ca = TestCa::new("E2E Client CA");
    let registered = ca.client_identity();
    let sandbox = Sandbox::builder()
        .organizations(0)
        .maskinporten(
            MaskinportenConfig::new(CLIENT_ID)
                .registered_key("e2e-kid", registered.cert_pem().as_bytes().to_vec()),
        )
        .start_blocking()
        .unwrap();
    let dir = scratch("maskinporten-kid");
    let key = write(&dir, "registered.key.pem", registered.key_pem());
    let issuer = sandbox.maskinporten_issuer().unwrap();
    let args = |kid: &'static str| {
        [
            "--maskinporten-client-id",
            CLIENT_ID,
            "--maskinporten-url",
            &issuer,
            "--maskinporten-key",
            key.to_str().unwrap(),
            "--maskinporten-kid",
            kid,
            "organization",
            "910021451",
        ]
        .map(str::to_owned)
    };
    let run_with = |kid| {
        let args = args(kid);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(against(&sandbox), &args)
    };
    let out = run_with("e2e-kid");
    assert_code(&out, 0);
    let tokens = assert_bearer_only(&sandbox);
    assert_no_secrets(&out, &[tokens[0].as_str(), key_line(registered.key_pem())]);

    // The same key under a kid the client did not register: refused by Maskinporten.
    sandbox.clear_requests();
    let out = run_with("other-kid");
    assert_code(&out, 1);
    assert!(stderr(&out).contains("invalid_grant"), "{}", stderr(&out));
    assert!(api_requests(&sandbox).is_empty());

    // --maskinporten-key without --maskinporten-kid is a usage error.
    let out = run(
        against(&sandbox),
        &[
            "--maskinporten-client-id",
            CLIENT_ID,
            "--maskinporten-key",
            key.to_str().unwrap(),
            "organization",
            "910021451",
        ],
    );
    assert_code(&out, 2);
}

#[test]
fn a_bulk_job_asks_for_one_token() {
    let sandbox = Sandbox::builder()
        .organizations(200)
        .include_seed_records(false)
        .maskinporten(MaskinportenConfig::new(CLIENT_ID))
        .start_blocking()
        .unwrap();
    let numbers = sandbox.organization_numbers();
    assert_eq!(numbers.len(), 200);
    let dir = scratch("maskinporten-bulk");
    let input = write(&dir, "numbers.txt", &numbers.join("\n"));
    let output = dir.join("out.jsonl");
    let cert = write(&dir, "virksomhet.pem", &format!("{RSA_CERT}{RSA_KEY}"));
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_CERT", &cert)
        .env("ALTINN_MASKINPORTEN_CLIENT_ID", CLIENT_ID)
        .env(
            "ALTINN_MASKINPORTEN_URL",
            sandbox.maskinporten_issuer().unwrap(),
        );
    let out = run(
        cmd,
        &[
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--concurrency",
            "16",
        ],
    );
    assert_code(&out, 0);
    let lines = json_lines(&std::fs::read_to_string(&output).unwrap());
    assert_eq!(lines.len(), 200);
    assert_eq!(
        sandbox.maskinporten_token_requests(),
        1,
        "one token, 200 calls"
    );
    let tokens = assert_bearer_only(&sandbox);
    assert_eq!(tokens.len(), 1);
    assert_no_secrets(&out, &[tokens[0].as_str(), key_line(RSA_KEY)]);
}

#[test]
fn a_refused_grant_exits_1_with_maskinportens_error_and_sends_nothing_to_the_api() {
    let sandbox = Sandbox::builder()
        .organizations(0)
        .maskinporten(MaskinportenConfig::new("the-registered-client"))
        .start_blocking()
        .unwrap();
    let dir = scratch("maskinporten-refused");
    let cert = write(&dir, "virksomhet.pem", &format!("{RSA_CERT}{RSA_KEY}"));
    let input = write(&dir, "numbers.txt", "910021451\n310000001\n");
    let issuer = sandbox.maskinporten_issuer().unwrap();
    for args in [
        &["organization", "910021451"][..],
        &[
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
        ][..],
    ] {
        let mut cmd = against(&sandbox);
        cmd.env("ALTINN_CERT", &cert)
            .env("ALTINN_MASKINPORTEN_CLIENT_ID", CLIENT_ID)
            .env("ALTINN_MASKINPORTEN_URL", &issuer);
        let out = run(cmd, args);
        assert_code(&out, 1);
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.starts_with("error: "))
            .expect("an error line");
        assert!(
            line.contains("400 invalid_grant: Invalid assertion. Client authentication failed"),
            "{line}"
        );
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        assert_no_secrets(&out, &[key_line(RSA_KEY)]);
    }
    assert_eq!(sandbox.maskinporten_token_requests(), 2);
    assert!(api_requests(&sandbox).is_empty(), "no API request");
}

#[test]
fn a_401_gets_one_new_token_and_one_retry() {
    // The sandbox revokes every token right after the first API request it authenticates.
    let sandbox = Sandbox::builder()
        .organizations(3)
        .include_seed_records(false)
        .maskinporten(MaskinportenConfig::new(CLIENT_ID).revoke_tokens_after(1))
        .start_blocking()
        .unwrap();
    let numbers = sandbox.organization_numbers();
    let dir = scratch("maskinporten-401");
    let input = write(&dir, "numbers.txt", &numbers.join("\n"));
    let output = dir.join("out.jsonl");
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_MASKINPORTEN_CLIENT_ID", CLIENT_ID)
        .env(
            "ALTINN_MASKINPORTEN_URL",
            sandbox.maskinporten_issuer().unwrap(),
        )
        .env(
            "ALTINN_CERT",
            write(&dir, "virksomhet.pem", &format!("{RSA_CERT}{RSA_KEY}")),
        );
    let out = run(
        cmd,
        &[
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--concurrency",
            "1",
        ],
    );
    assert_code(&out, 0);
    let lines = json_lines(&std::fs::read_to_string(&output).unwrap());
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.get("error").is_none()), "{lines:?}");
    // Token 1 served one call and was revoked; the next call got a 401, one new token, and its
    // retry succeeded with it, as did the last call.
    assert_eq!(sandbox.maskinporten_token_requests(), 2);
    let requests = api_requests(&sandbox);
    assert_eq!(requests.len(), 4, "3 calls and one retry");
    let tokens = assert_bearer_only(&sandbox);
    assert_eq!(tokens.len(), 2);
    let auth = |i: usize| requests[i].header("authorization").unwrap().to_owned();
    assert_eq!(requests[1].path(), requests[2].path(), "the retry");
    assert_eq!(auth(0), auth(1));
    assert_ne!(auth(1), auth(2));
    assert_eq!(auth(2), auth(3));
    assert_no_secrets(&out, &[tokens[0].as_str(), tokens[1].as_str()]);
}

#[test]
fn the_embedded_sandbox_serves_maskinporten_without_credentials() {
    // x5c with a test certificate made on the spot, and kid mode with that certificate's key.
    for extra in [&[][..], &["--maskinporten-kid", "sandbox-kid"][..]] {
        let mut args = vec![
            "--sandbox",
            "--maskinporten-client-id",
            "demo-client",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["official-contacts", "910021451"]);
        let out = run(command(), &args);
        assert_code(&out, 0);
        assert!(stdout(&out).contains("MobileNumber"), "{}", stdout(&out));
        assert_no_secrets(&out, &[]);
    }
    // Maskinporten without any key to sign with is a usage error (outside --sandbox).
    let out = run(
        command(),
        &[
            "--api-key",
            "k",
            "--base-url",
            "http://127.0.0.1:9",
            "--maskinporten-client-id",
            "c",
            "organization",
            "910021451",
        ],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("--cert"), "{}", stderr(&out));
    // Maskinporten and a ready-made token conflict.
    let out = run(
        command(),
        &[
            "--sandbox",
            "--maskinporten-client-id",
            "c",
            "--token",
            "t",
            "organization",
            "910021451",
        ],
    );
    assert_code(&out, 2);
}

#[test]
fn a_clear_text_maskinporten_url_off_this_machine_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::builder()
        .organizations(0)
        .maskinporten(MaskinportenConfig::new(CLIENT_ID))
        .start_blocking()
        .unwrap();
    let dir = scratch("maskinporten-insecure");
    let cert = write(&dir, "virksomhet.pem", &format!("{RSA_CERT}{RSA_KEY}"));
    for url_option in ["--maskinporten-url", "--exchange-url"] {
        let mut args = vec![
            "--maskinporten-client-id",
            CLIENT_ID,
            url_option,
            "http://maskinporten.example.invalid/",
            "organization",
            "910021451",
        ];
        if url_option == "--exchange-url" {
            args.insert(0, "--altinn-exchange");
        }
        let mut cmd = against(&sandbox);
        cmd.env("ALTINN_CERT", &cert);
        let out = run(cmd, &args);
        assert_code(&out, 2);
        assert!(
            stderr(&out).contains("--danger-allow-insecure-http"),
            "{}",
            stderr(&out)
        );
    }
    assert!(sandbox.requests().is_empty(), "nothing sent");
}

#[test]
fn an_unreachable_maskinporten_is_retried_then_fails_without_an_api_request() {
    let sandbox = Sandbox::builder()
        .organizations(0)
        .maskinporten(MaskinportenConfig::new(CLIENT_ID))
        .start_blocking()
        .unwrap();
    let dir = scratch("maskinporten-unreachable");
    let cert = write(&dir, "virksomhet.pem", &format!("{RSA_CERT}{RSA_KEY}"));
    // A closed port on this machine: a transient failure, retried under the retry policy.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_CERT", &cert);
    let out = run(
        cmd,
        &[
            "--maskinporten-client-id",
            CLIENT_ID,
            "--maskinporten-url",
            &format!("http://{closed}/"),
            "--retries",
            "1",
            "organization",
            "910021451",
        ],
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("Maskinporten token request failed: could not connect"),
        "{err}"
    );
    assert!(err.contains("after 2 attempts"), "{err}");
    assert!(sandbox.requests().is_empty(), "no API request");
    assert_no_secrets(&out, &[key_line(RSA_KEY)]);
}
