//! `altinn-contacts serve` as a gateway in front of the sandbox: the CLI's own commands through
//! the gateway print what they print against the sandbox directly; the caller's key never
//! reaches the backend; refusals are the sandbox's byte for byte; the log holds no secret;
//! TLS with client certificates; Ctrl-C ends it with exit 0.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use altinn_contacts_sandbox::Sandbox;
use altinn_contacts_sandbox::messages;
use altinn_contacts_sandbox::test_pki::TestCa;
use common::*;

/// The key the gateway's callers use; never the backend's.
const CALLER_KEY: &str = "gateway-caller-key-3c9e";

/// `serve` with `backend` configured as its Altinn (URL and the sandbox's key) and `extra`
/// arguments.
fn gateway(backend: &Sandbox, name: &str, extra: &[&str]) -> Gateway {
    Gateway::start(against(backend), name, CALLER_KEY, extra)
}

/// The binary pointed at the gateway with the caller's key.
fn through(gateway: &Gateway) -> Command {
    gateway.client(CALLER_KEY)
}

#[test]
fn the_clis_commands_print_the_same_through_the_gateway() {
    let sandbox = sandbox(60);
    let gateway = gateway(&sandbox, "gateway-same", &[]);
    let cases: &[&[&str]] = &[
        &["official-contacts", "910021451"],
        &["personal-contacts", "910021451"],
        &["personal-contacts", "910021451", "--role", "DAGL"],
        &[
            "personal-contacts",
            "910021451",
            "--service-code",
            "4936",
            "--service-edition",
            "1",
        ],
        &["roles", "910021451", "r50022994"],
        &["organization", "910021451"],
        &["organizations"],
        &[
            "organizations",
            "--top",
            "7",
            "--skip",
            "3",
            "--order-by",
            "name",
        ],
        &["organizations", "--all", "--top", "13"],
        &[
            "organizations",
            "--type",
            "AS",
            "--with-official-contacts",
            "--top",
            "5",
        ],
        &["search", "--email", "eok@br.no", "--phone", "+4791234567"],
        &["search", "--phone", "+4791234567"],
        // Errors: the same line and exit code.
        &["organization", "974760673"],
        &["roles", "910021451", "r123"],
    ];
    let mut links_seen = 0;
    for args in cases {
        for format in ["json", "table"] {
            let args = [&["--format", format][..], args].concat();
            let direct = run(against(&sandbox), &args);
            let via = run(through(&gateway), &args);
            assert_eq!(
                via.status.code(),
                direct.status.code(),
                "{args:?}: {}",
                stderr(&via)
            );
            // Links point at whoever answered: the gateway's at the gateway.
            let via_out = stdout(&via);
            if stdout(&direct).contains(sandbox.base_url()) {
                assert!(via_out.contains(&gateway.base_url), "{args:?}");
                links_seen += 1;
            }
            assert!(!via_out.contains(sandbox.base_url()), "{args:?}: {via_out}");
            assert_eq!(
                via_out.replace(&gateway.base_url, sandbox.base_url()),
                stdout(&direct),
                "{args:?}"
            );
            assert_eq!(stderr(&via), stderr(&direct), "{args:?}");
        }
    }
    assert!(links_seen > 5, "{links_seen}");

    // A bulk job through the gateway gives the same lines.
    let dir = scratch("gateway-bulk");
    let input = dir.join("orgs.txt");
    std::fs::write(&input, "910021451\n810748532\n974760673\n12345\n").unwrap();
    let bulk = [
        "bulk",
        "official-contacts",
        "--input",
        input.to_str().unwrap(),
    ];
    let direct = run(against(&sandbox), &bulk);
    let via = run(through(&gateway), &bulk);
    assert_eq!(via.status.code(), direct.status.code());
    let sorted = |text: String| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(stdout(&via)), sorted(stdout(&direct)));

    let (code, _) = gateway.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn the_callers_key_never_reaches_the_backend_and_no_secret_is_logged() {
    let sandbox = sandbox(10);
    let gateway = gateway(&sandbox, "gateway-keys", &[]);
    sandbox.clear_requests();
    for args in [
        &["official-contacts", "910021451"][..],
        &["search", "--email", "regnskap@kystbasen.no"],
        &["personal-contacts", "910021451"],
    ] {
        assert_code(&run(through(&gateway), args), 0);
    }
    let refused = run(
        {
            let mut cmd = through(&gateway);
            cmd.env("ALTINN_API_KEY", "an-unknown-caller-key");
            cmd
        },
        &["official-contacts", "910021451"],
    );
    assert_code(&refused, 1);
    assert!(stderr(&refused).contains(messages::API_KEY_FORBIDDEN));

    let received = sandbox.requests();
    assert_eq!(received.len(), 3, "the refused request reached nobody");
    for request in &received {
        assert_eq!(request.header("apikey"), Some(sandbox.api_key()));
        for (name, value) in request.headers() {
            assert!(!value.contains(CALLER_KEY), "{name}");
        }
        assert!(!request.query().unwrap_or_default().contains(CALLER_KEY));
    }

    let (code, log) = gateway.interrupt();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("status=403"), "{log}");
    for secret in [
        CALLER_KEY,
        "an-unknown-caller-key",
        sandbox.api_key(),
        "regnskap",
        "kystbasen",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

/// One raw request: the whole answer, without its `date` header.
fn raw_get(base_url: &str, path: &str, api_key: Option<&str>) -> String {
    let authority = base_url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "GET /api/serviceowner/{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n"
    );
    if let Some(key) = api_key {
        request.push_str(&format!("ApiKey: {key}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split("\r\n")
        .filter(|line| !line.to_ascii_lowercase().starts_with("date:"))
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn refusals_are_the_sandboxs_byte_for_byte() {
    let sandbox = sandbox(0);
    let gateway = gateway(&sandbox, "gateway-refusals", &[]);
    for (path, key) in [
        ("organizations", None),
        ("organizations/910021451/officialcontacts", Some("")),
        ("organizations", Some("not-the-key")),
        ("organizations/12345", Some("not-the-key")),
    ] {
        let from_sandbox = raw_get(sandbox.base_url(), path, key);
        let from_gateway = raw_get(&gateway.base_url, path, key);
        assert!(from_sandbox.starts_with("HTTP/1.1 4"), "{from_sandbox}");
        assert_eq!(from_gateway, from_sandbox, "{path} {key:?}");
    }
    // With the right keys, the same answer too (links aside; header order may differ: axum
    // sets the sandbox's content length before hyper adds its own headers).
    let own = raw_get(
        sandbox.base_url(),
        "organizations/910021451/officialcontacts",
        Some(sandbox.api_key()),
    );
    let via = raw_get(
        &gateway.base_url,
        "organizations/910021451/officialcontacts",
        Some(CALLER_KEY),
    );
    let sorted_head = |answer: &str| {
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let mut lines: Vec<&str> = head.split("\r\n").collect();
        lines[1..].sort_unstable();
        (lines.join("\r\n"), body.to_owned())
    };
    assert_eq!(
        sorted_head(&via.replace(&gateway.base_url, sandbox.base_url())),
        sorted_head(&own)
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn tls_with_required_client_certificates() {
    let sandbox = sandbox(0);
    let dir = scratch("gateway-tls");
    let server_ca = TestCa::new("E2E Gateway Server CA");
    let client_ca = TestCa::new("E2E Gateway Client CA");
    let server = server_ca.server_identity();
    let cert = write(&dir, "server.pem", &server.chain_pem());
    let key = write(&dir, "server-key.pem", server.key_pem());
    let ca = write(&dir, "client-ca.pem", client_ca.cert_pem());
    let trusted = write(&dir, "server-ca.pem", server_ca.cert_pem());
    let client = client_ca.client_identity();
    let identity = write(
        &dir,
        "client.pem",
        &format!("{}{}", client.cert_pem(), client.key_pem()),
    );
    let gateway = gateway(
        &sandbox,
        "gateway-tls-run",
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--client-ca",
            ca.to_str().unwrap(),
        ],
    );
    assert!(
        gateway.base_url.starts_with("https://"),
        "{}",
        gateway.base_url
    );
    let args = ["--format", "jsonl", "official-contacts", "910021451"];
    let with_cert = run(
        through(&gateway),
        &[
            &[
                "--ca-cert",
                trusted.to_str().unwrap(),
                "--cert",
                identity.to_str().unwrap(),
            ][..],
            &args,
        ]
        .concat(),
    );
    assert_code(&with_cert, 0);
    assert_eq!(
        json_lines(&stdout(&with_cert))[0]["MobileNumber"],
        "22334455"
    );
    let without = run(
        through(&gateway),
        &[&["--ca-cert", trusted.to_str().unwrap()][..], &args].concat(),
    );
    assert_code(&without, 1);
    assert!(
        stderr(&without).contains(messages::ENTERPRISE_CERTIFICATE_FAILED),
        "{}",
        stderr(&without)
    );
    // The backend was reached only by the gateway, with its own key, over plain loopback.
    assert!(
        sandbox
            .requests()
            .iter()
            .all(|r| r.header("apikey") == Some(sandbox.api_key()))
    );
}

#[test]
fn serve_needs_a_key_for_its_callers() {
    let sandbox = sandbox(0);
    let out = run(against(&sandbox), &["serve", "--listen", "127.0.0.1:0"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("--gateway-api-key"),
        "{}",
        stderr(&out)
    );
    // From the environment, comma separated, and from a file.
    let dir = scratch("gateway-key-sources");
    let file = write(&dir, "keys", "# callers\nfile-key-1\n");
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_GATEWAY_API_KEYS", "env-key-1,env-key-2")
        .args(["serve", "--gateway-api-keys-file", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Running(cmd.spawn().unwrap());
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("(3 API keys accepted)"), "{first}");
}
