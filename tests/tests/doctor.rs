//! `altinn-contacts doctor` against a TLS sandbox that requires an enterprise certificate (and
//! runs a Maskinporten token endpoint): all ✓ with a good setup (exit 0); a wrong password, an
//! expired certificate, a key of another certificate and a wrong API key each give their own ✗
//! line (exit 1). No secret (API key, password, key material, token) reaches the output.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use altinn_contacts_sandbox::test_pki::{TestCa, TestIdentity};
use altinn_contacts_sandbox::{MaskinportenConfig, Sandbox};
use common::*;

const PASSWORD: &str = "doctor-pw-5821";
const CLIENT_ID: &str = "e2e-doctor-client";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The sandbox, the CA that issues client certificates, and a file trusting both CAs.
struct Setup {
    sandbox: Sandbox,
    client_ca: TestCa,
    dir: PathBuf,
    ca_file: PathBuf,
}

fn setup(name: &str) -> Setup {
    let server_ca = TestCa::new("Doctor Server CA");
    let client_ca = TestCa::new("Doctor Buypass-like CA");
    let server = server_ca.server_identity();
    let sandbox = Sandbox::builder()
        .organizations(0)
        .tls(server.cert_pem(), server.key_pem())
        .client_ca(client_ca.cert_pem())
        .maskinporten(
            MaskinportenConfig::new(CLIENT_ID).trusted_ca(client_ca.cert_pem().as_bytes().to_vec()),
        )
        .start_blocking()
        .unwrap();
    let dir = scratch(name);
    // The server's CA for TLS, the client CA for the certificate's chain.
    let ca_file = write(
        &dir,
        "ca.pem",
        format!("{}{}", server_ca.cert_pem(), client_ca.cert_pem()).as_bytes(),
    );
    Setup {
        sandbox,
        client_ca,
        dir,
        ca_file,
    }
}

impl Setup {
    /// `doctor` with the sandbox's URL and key, `cert` and the CA file.
    fn doctor(
        &self,
        cert: &Path,
        password: Option<&str>,
        tweak: impl FnOnce(&mut Command),
    ) -> Output {
        let mut cmd = against(&self.sandbox);
        cmd.env("ALTINN_CERT", cert)
            .env("ALTINN_CA_CERT", &self.ca_file);
        if let Some(password) = password {
            cmd.env("ALTINN_CERT_PASSWORD", password);
        }
        tweak(&mut cmd);
        run(cmd, &["doctor"])
    }

    fn p12(&self, identity: &TestIdentity) -> PathBuf {
        write(&self.dir, "virksomhet.p12", &identity.pkcs12(PASSWORD))
    }
}

/// The output of both streams, with no secret in it.
#[track_caller]
fn checked_output(out: &Output, secrets: &[&str]) -> String {
    let text = format!("{}{}", stdout(out), stderr(out));
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!text.contains(secret), "a secret in the output:\n{text}");
    }
    for marker in ["PRIVATE KEY", "sandbox-mp-", "eyJ"] {
        assert!(!text.contains(marker), "{marker} in the output:\n{text}");
    }
    text
}

/// The lines of stdout that start with `mark`.
fn marked(out: &Output, mark: char) -> Vec<String> {
    stdout(out)
        .lines()
        .filter(|l| l.starts_with(mark))
        .map(str::to_owned)
        .collect()
}

fn key_line(identity: &TestIdentity) -> String {
    identity.key_pem().lines().nth(1).unwrap().to_owned()
}

#[test]
fn a_good_setup_passes_every_check() {
    let s = setup("doctor-good");
    let identity = s.client_ca.client_identity();
    let cert = s.p12(&identity);
    let out = s.doctor(&cert, Some(PASSWORD), |_| {});
    let text = checked_output(&out, &[PASSWORD, s.sandbox.api_key(), &key_line(&identity)]);
    assert_code(&out, 0);
    assert!(marked(&out, '✗').is_empty(), "{text}");
    let passed = marked(&out, '✓').join("\n");
    for expected in [
        "opens",
        "valid until",
        "organization number 910021451 (subject organizationIdentifier)",
        "private key matches",
        "chain verifies against --ca-cert",
        "answers (HTTP 200)",
        "clock agrees",
        "API key accepted",
    ] {
        assert!(passed.contains(expected), "no ✓ {expected:?}:\n{text}");
    }
    assert!(text.contains("– Maskinporten: not in use"), "{text}");

    // With Maskinporten: a token is obtained too, and not shown.
    let issuer = s.sandbox.maskinporten_issuer().unwrap();
    let out = s.doctor(&cert, Some(PASSWORD), |cmd| {
        cmd.env("ALTINN_MASKINPORTEN_CLIENT_ID", CLIENT_ID)
            .env("ALTINN_MASKINPORTEN_URL", issuer.trim_end_matches('/'));
    });
    let text = checked_output(&out, &[PASSWORD, s.sandbox.api_key(), &key_line(&identity)]);
    assert_code(&out, 0);
    assert!(
        marked(&out, '✓')
            .iter()
            .any(|l| l.starts_with("✓ Maskinporten: a token was obtained")),
        "{text}"
    );
    assert!(s.sandbox.maskinporten_tokens_issued() >= 1);
}

#[test]
fn a_wrong_password_fails_the_certificate_line() {
    let s = setup("doctor-password");
    let identity = s.client_ca.client_identity();
    let cert = s.p12(&identity);
    let wrong = "not-the-pw-7730";
    let out = s.doctor(&cert, Some(wrong), |_| {});
    let text = checked_output(&out, &[wrong, PASSWORD, s.sandbox.api_key()]);
    assert_code(&out, 1);
    let failed = marked(&out, '✗');
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].starts_with("✗ certificate does not open"),
        "{text}"
    );
    assert!(failed[0].contains("wrong password"), "{text}");
    assert!(text.contains("fix: check the password"), "{text}");
    assert!(stderr(&out).contains("error: 1 check failed"), "{text}");
}

#[test]
fn an_expired_certificate_fails_its_dates_line() {
    let s = setup("doctor-expired");
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    let identity = s
        .client_ca
        .client_identity_valid(now - 400 * day, now - 2 * day);
    let cert = write(
        &s.dir,
        "expired.pem",
        format!("{}{}", identity.cert_pem(), identity.key_pem()).as_bytes(),
    );
    let out = s.doctor(&cert, None, |_| {});
    let text = checked_output(&out, &[s.sandbox.api_key(), &key_line(&identity)]);
    assert_code(&out, 1);
    let failed = marked(&out, '✗');
    assert!(
        failed
            .iter()
            .any(|l| l.starts_with("✗ the certificate expired on ")),
        "{text}"
    );
    assert!(
        text.contains("fix: order a new enterprise certificate"),
        "{text}"
    );
    // The rest of the certificate is fine.
    assert!(text.contains("✓ the private key matches"), "{text}");
    assert!(text.contains("✓ organization number 910021451"), "{text}");

    // One that expires in a week passes with a warning.
    let soon = s.client_ca.client_identity_valid(now - day, now + 7 * day);
    let cert = write(
        &s.dir,
        "soon.pem",
        format!("{}{}", soon.cert_pem(), soon.key_pem()).as_bytes(),
    );
    let out = s.doctor(&cert, None, |_| {});
    let text = checked_output(&out, &[s.sandbox.api_key(), &key_line(&soon)]);
    assert_code(&out, 0);
    assert!(
        text.contains("! the certificate expires soon, on "),
        "{text}"
    );
}

#[test]
fn a_key_of_another_certificate_fails_the_key_line() {
    let s = setup("doctor-key");
    let identity = s.client_ca.client_identity();
    let other = s.client_ca.client_identity();
    let cert = write(
        &s.dir,
        "mismatched.pem",
        format!("{}{}", identity.cert_pem(), other.key_pem()).as_bytes(),
    );
    let out = s.doctor(&cert, None, |_| {});
    let text = checked_output(&out, &[s.sandbox.api_key(), &key_line(&other)]);
    assert_code(&out, 1);
    let failed = marked(&out, '✗');
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].starts_with("✗ key: ")
            && failed[0].contains("does not belong to the certificate"),
        "{text}"
    );
    assert!(text.contains("✓ the certificate chain verifies"), "{text}");
}

#[test]
fn a_wrong_api_key_fails_the_api_key_line() {
    let s = setup("doctor-api-key");
    let identity = s.client_ca.client_identity();
    let cert = s.p12(&identity);
    let wrong = "wrong-api-key-4417";
    let out = s.doctor(&cert, Some(PASSWORD), |cmd| {
        cmd.env("ALTINN_API_KEY", wrong);
    });
    let text = checked_output(&out, &[wrong, PASSWORD, s.sandbox.api_key()]);
    assert_code(&out, 1);
    let failed = marked(&out, '✗');
    assert_eq!(failed, ["✗ API key not accepted (HTTP 403)"], "{text}");
    // The certificate and the connection are fine.
    assert!(text.contains("✓ the certificate chain verifies"), "{text}");
    assert!(text.contains("answers (HTTP 403)"), "{text}");
}

#[test]
fn without_a_certificate_its_checks_are_skipped() {
    let sandbox = sandbox(0);
    let out = run_against(&sandbox, &["doctor"]);
    let text = checked_output(&out, &[sandbox.api_key()]);
    assert_code(&out, 0);
    assert!(text.contains("– certificate: none given"), "{text}");
    assert!(text.contains("✓ API key accepted"), "{text}");
}

#[test]
fn a_certificate_of_another_ca_fails_the_chain_line() {
    let s = setup("doctor-chain");
    let rogue = TestCa::new("Doctor Rogue CA").client_identity();
    let cert = write(
        &s.dir,
        "rogue.pem",
        format!("{}{}", rogue.cert_pem(), rogue.key_pem()).as_bytes(),
    );
    let out = s.doctor(&cert, None, |_| {});
    let text = checked_output(&out, &[s.sandbox.api_key(), &key_line(&rogue)]);
    assert_code(&out, 1);
    assert!(
        marked(&out, '✗')
            .iter()
            .any(|l| l.starts_with("✗ the certificate chain does not verify against --ca-cert")),
        "{text}"
    );
    assert!(
        text.contains("fix: include the intermediate certificates"),
        "{text}"
    );
}

#[test]
fn a_refused_maskinporten_grant_fails_the_maskinporten_line() {
    let s = setup("doctor-maskinporten");
    let identity = s.client_ca.client_identity();
    let cert = s.p12(&identity);
    let issuer = s.sandbox.maskinporten_issuer().unwrap();
    let out = s.doctor(&cert, Some(PASSWORD), |cmd| {
        cmd.env(
            "ALTINN_MASKINPORTEN_CLIENT_ID",
            "a-client-maskinporten-does-not-know",
        )
        .env("ALTINN_MASKINPORTEN_URL", issuer.trim_end_matches('/'));
    });
    let text = checked_output(&out, &[PASSWORD, s.sandbox.api_key(), &key_line(&identity)]);
    assert_code(&out, 1);
    let failed = marked(&out, '✗');
    assert_eq!(failed.len(), 1, "{text}");
    assert!(failed[0].starts_with("✗ Maskinporten: no token"), "{text}");
    assert!(text.contains("(Maskinporten gave no token)"), "{text}");
    assert!(text.contains("fix: check the client id"), "{text}");
    assert_eq!(s.sandbox.maskinporten_tokens_issued(), 0);
}
