//! Credentials on the command line and in the environment: `--cert`/`ALTINN_CERT` (a PEM file
//! with certificate and key, or PKCS#12 with `--cert-password`/`ALTINN_CERT_PASSWORD`) and
//! `--ca-cert`/`ALTINN_CA_CERT` against a TLS sandbox that requires an enterprise certificate,
//! `--token`/`ALTINN_TOKEN` against one that requires a bearer token, and `ALTINN_ENV`.
//! Certificates come from the sandbox's `test_pki`; none of the secrets may reach stderr.

mod common;

use std::path::{Path, PathBuf};

use altinn_contacts_sandbox::Sandbox;
use altinn_contacts_sandbox::test_pki::TestCa;
use common::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn enterprise_certificate_and_ca_from_flags_and_environment() {
    let server_ca = TestCa::new("E2E Server CA");
    let client_ca = TestCa::new("E2E Buypass-like CA");
    let server = server_ca.server_identity();
    let sandbox = Sandbox::builder()
        .organizations(0)
        .tls(server.cert_pem(), server.key_pem())
        .client_ca(client_ca.cert_pem())
        .start_blocking()
        .unwrap();
    assert!(sandbox.base_url().starts_with("https://"));

    let dir = scratch("credentials-cert");
    let client = client_ca.client_identity();
    let identity = write(
        &dir,
        "virksomhet.pem",
        &format!("{}{}", client.cert_pem(), client.key_pem()),
    );
    let trusted = write(&dir, "server-ca.pem", server_ca.cert_pem());
    let rogue_identity = TestCa::new("Rogue CA").client_identity();
    let rogue = write(
        &dir,
        "rogue.pem",
        &format!("{}{}", rogue_identity.cert_pem(), rogue_identity.key_pem()),
    );
    let args = ["--format", "jsonl", "official-contacts", "910021451"];

    // Flags.
    let out = run(
        against(&sandbox),
        &[
            &[
                "--cert",
                identity.to_str().unwrap(),
                "--cert-password",
                "pw-not-needed-for-pem",
                "--ca-cert",
                trusted.to_str().unwrap(),
            ][..],
            &args,
        ]
        .concat(),
    );
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out))[0]["MobileNumber"], "22334455");
    // The transport sent the flag Altinn requires with a certificate, over a verified handshake.
    let last = sandbox.requests().pop().unwrap();
    assert!(last.client_certificate());
    assert!(last.query_param("ForceEIAuthentication").is_some());

    // The same from the environment.
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_CERT", &identity)
        .env("ALTINN_CERT_PASSWORD", "pw-not-needed-for-pem")
        .env("ALTINN_CA_CERT", &trusted);
    let out = run(cmd, &args);
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 2);

    // A PKCS#12 file (as enterprise certificates are handed out), with its password from the
    // flag or the environment; a wrong password is a usage error that does not show it.
    let p12 = dir.join("virksomhet.p12");
    std::fs::write(&p12, client.pkcs12("e2e-p12-secret-pw")).unwrap();
    let p12_args = [
        "--cert",
        p12.to_str().unwrap(),
        "--ca-cert",
        trusted.to_str().unwrap(),
    ];
    let out = run(
        against(&sandbox),
        &[
            &p12_args[..],
            &["--cert-password", "e2e-p12-secret-pw"],
            &args,
        ]
        .concat(),
    );
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 2);
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_CERT_PASSWORD", "e2e-p12-secret-pw");
    let out = run(cmd, &[&p12_args[..], &["-vv"], &args].concat());
    assert_code(&out, 0);
    assert!(
        !stderr(&out).contains("e2e-p12-secret-pw"),
        "{}",
        stderr(&out)
    );
    let before = sandbox.request_count();
    let out = run(
        against(&sandbox),
        &[
            &p12_args[..],
            &["--cert-password", "e2e-wrong-pw-4711"],
            &args,
        ]
        .concat(),
    );
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
    assert!(err.contains("password"), "{err}");
    assert!(!err.contains("e2e-wrong-pw-4711"), "{err}");
    assert_eq!(sandbox.request_count(), before);

    // Without a certificate: Altinn's 401, as one error line.
    let out = run(
        against(&sandbox),
        &[&["--ca-cert", trusted.to_str().unwrap()][..], &args].concat(),
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: ") && err.contains("401") && err.lines().count() == 1,
        "{err}"
    );

    // A certificate of another CA is refused in the handshake; the server's CA not trusted
    // fails too. Both are transport errors (1), and no key material reaches stderr.
    for extra in [
        vec![
            "--cert",
            rogue.to_str().unwrap(),
            "--ca-cert",
            trusted.to_str().unwrap(),
        ],
        vec!["--cert", identity.to_str().unwrap()],
    ] {
        let out = run(
            against(&sandbox),
            &[&["--retries", "0"][..], &extra, &args].concat(),
        );
        assert_code(&out, 1);
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{extra:?}: {err}");
        assert!(!err.contains("PRIVATE KEY"), "{err}");
    }

    // Unreadable or malformed certificate files are usage errors, before any request.
    let before = sandbox.request_count();
    let not_pem = write(&dir, "not-a-cert.pem", "hello");
    for (flag, path) in [
        ("--cert", dir.join("missing.p12")),
        ("--cert", not_pem.clone()),
        ("--ca-cert", dir.join("missing.pem")),
        ("--ca-cert", not_pem),
    ] {
        let out = run(
            against(&sandbox),
            &[&[flag, path.to_str().unwrap()][..], &args].concat(),
        );
        assert_code(&out, 2);
        assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    }
    assert_eq!(sandbox.request_count(), before);
}

#[test]
fn bearer_token_from_flag_and_environment_never_shown() {
    let token = "e2e-secret-bearer-token-0815";
    let sandbox = Sandbox::builder()
        .organizations(0)
        .bearer_token(token)
        .start_blocking()
        .unwrap();
    let args = ["--format", "jsonl", "official-contacts", "910021451"];

    let out = run(
        against(&sandbox),
        &[&["--token", token][..], &args].concat(),
    );
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 2);

    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_TOKEN", token);
    let out = run(cmd, &[&["-vv"][..], &args].concat());
    assert_code(&out, 0);
    assert!(!stderr(&out).contains(token), "{}", stderr(&out));

    // A wrong token: Altinn's 401 on one line, and the token is not in it.
    let out = run(
        against(&sandbox),
        &[&["--token", "e2e-wrong-token-4711"][..], &args].concat(),
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("401") && err.lines().count() == 1, "{err}");
    assert!(!err.contains("e2e-wrong-token-4711"), "{err}");

    // No token at all.
    let out = run(against(&sandbox), &args);
    assert_code(&out, 1);
}

#[test]
fn environment_variables_are_read() {
    let sandbox = sandbox(0);
    // ALTINN_ENV is read: an unknown environment is a usage error.
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_ENV", "staging");
    let out = run(cmd, &["official-contacts", "910021451"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("staging"), "{}", stderr(&out));
    // A valid one with ALTINN_BASE_URL: the base URL wins, so the sandbox answers.
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_ENV", "tt02");
    let out = run(cmd, &["official-contacts", "910021451"]);
    assert_code(&out, 0);
    // ALTINN_API_KEY is read: a wrong one is Altinn's 403, and it is not shown.
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_API_KEY", "e2e-wrong-key-from-env");
    let out = run(cmd, &["-v", "official-contacts", "910021451"]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("403"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("e2e-wrong-key-from-env"));
}
