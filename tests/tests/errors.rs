//! Exit codes and the `error:` line: Altinn's errors (reason phrases), usage errors before any
//! request, transport failures, and `-v` request logging without secrets.

mod common;

use std::time::Duration;

use altinn_contacts_sandbox::{Fault, FaultConfig, Sandbox};
use common::*;

/// Stderr is exactly one line, starting with `error:`.
#[track_caller]
fn one_error_line(out: &std::process::Output) -> String {
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    err.trim_end().to_owned()
}

#[test]
fn an_altinn_400_shows_status_and_reason_phrase() {
    let sandbox = sandbox(5);
    sandbox
        .faults()
        .fail_next_with_status(1, 400, "Invalid organization number: 0000000");
    let out = run_against(&sandbox, &["official-contacts", "910021451"]);
    assert_code(&out, 1);
    assert_eq!(
        one_error_line(&out),
        "error: official contacts: HTTP 400 Invalid organization number: 0000000"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn not_found_and_forbidden_exit_1_with_altinns_message() {
    let sandbox = sandbox(5);
    let out = run_against(&sandbox, &["organization", "123456785"]);
    assert_code(&out, 1);
    let line = one_error_line(&out);
    assert!(
        line.contains("HTTP 404") && line.contains("Organization not found"),
        "{line}"
    );

    let out = run(
        command(),
        &[
            "--base-url",
            sandbox.base_url(),
            "--api-key",
            "wrong-key-4711",
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 1);
    let line = one_error_line(&out);
    assert!(
        line.contains("HTTP 403") && line.contains("The API key is not authorized"),
        "{line}"
    );
    assert!(!line.contains("wrong-key-4711"), "{line}");
}

#[test]
fn invalid_input_exits_2_before_any_request() {
    let sandbox = sandbox(5);
    for args in [
        &["official-contacts", "910021452"][..],
        &["organization", "12345678"],
        &["personal-contacts", "91002145x"],
        &["personal-contacts", "910021451", "--role", "DA GL"],
        &[
            "personal-contacts",
            "910021451",
            "--service-code",
            "49x",
            "--service-edition",
            "1",
        ],
        &["roles", "910021451", "50022994"],
        &["search", "--email", ""],
        &["search", "--phone", "12ab"],
        &["organizations", "--top", "0"],
        &["organizations", "--top", "1001"],
        &["organizations", "--type", "AS' or 1 eq 1"],
    ] {
        let out = run_against(&sandbox, args);
        assert_code(&out, 2);
        let line = one_error_line(&out);
        assert!(!line.contains("06117701547"), "{line}");
    }
    // A national identity number is a valid person id since Altinn 3 keys roles by it, but
    // Altinn 2 never took one: the altinn2 backend refuses it as unsupported (exit 3), still
    // before any request and without showing the number.
    let before = sandbox.request_count();
    let out = run_against(&sandbox, &["roles", "910021451", "06117701547"]);
    assert_code(&out, 3);
    let line = one_error_line(&out);
    assert!(
        line.contains("not supported by the altinn2 backend"),
        "{line}"
    );
    assert!(!line.contains("06117701547"), "{line}");
    assert_eq!(sandbox.request_count(), before);
    // clap's own usage errors (several lines of usage help) exit 2 as well.
    for args in [
        &["roles", "910021451"][..],
        &["search"],
        &["personal-contacts", "910021451", "--service-code", "4936"],
        &["--format", "xml", "organizations"],
        &["--env", "staging", "organizations"],
        &["no-such-command"],
        &["bulk", "official-contacts", "--input", "x", "--resume"],
        &["bulk", "official-contacts", "--input", "x", "--rate", "0"],
        &[
            "bulk",
            "official-contacts",
            "--input",
            "x",
            "--concurrency",
            "0",
        ],
    ] {
        let out = run_against(&sandbox, args);
        assert_code(&out, 2);
        assert!(stderr(&out).starts_with("error:"), "{}", stderr(&out));
    }
    let out = run_against(
        &sandbox,
        &["bulk", "official-contacts", "--input", "/no/such/file"],
    );
    assert_code(&out, 2);
    one_error_line(&out);
    assert_eq!(
        sandbox.request_count(),
        0,
        "a request was sent for invalid input"
    );

    // So is a sandbox larger than it can generate; it never starts.
    let out = run(command(), &["sandbox", "--organizations", "99999999"]);
    assert_code(&out, 2);
    assert!(one_error_line(&out).contains("99999999"));

    // No API key at all is a usage error too.
    let out = run(command(), &["official-contacts", "910021451"]);
    assert_code(&out, 2);
    assert!(one_error_line(&out).contains("ALTINN_API_KEY"));
}

#[test]
fn transient_failures_are_retried_and_reported_when_they_persist() {
    let sandbox = sandbox(5);
    sandbox.faults().fail_next(2, Fault::ServiceUnavailable);
    let out = run_against(&sandbox, &["official-contacts", "910021451"]);
    assert_code(&out, 0);

    sandbox.faults().set_always(Some(Fault::ServiceUnavailable));
    let out = run_against(
        &sandbox,
        &["--retries", "1", "official-contacts", "910021451"],
    );
    assert_code(&out, 1);
    let line = one_error_line(&out);
    assert!(
        line.contains("HTTP 503") && line.contains("2 attempts"),
        "{line}"
    );

    sandbox.faults().set_always(Some(Fault::HtmlPage));
    let out = run_against(
        &sandbox,
        &["--retries", "0", "official-contacts", "910021451"],
    );
    assert_code(&out, 1);
    assert!(one_error_line(&out).contains("HTML"), "{}", stderr(&out));

    sandbox.faults().set_always(Some(Fault::TruncatedJson));
    let out = run_against(
        &sandbox,
        &["--retries", "0", "official-contacts", "910021451"],
    );
    assert_code(&out, 1);
    assert!(
        one_error_line(&out).contains("truncated"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_timeout_is_a_transport_error() {
    let sandbox = sandbox_with(5, FaultConfig::new().latency(Duration::from_secs(3)));
    let out = run_against(
        &sandbox,
        &[
            "--timeout",
            "0.2",
            "--retries",
            "0",
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 1);
    assert!(
        one_error_line(&out).contains("timed out"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verbose_logs_each_request_without_secrets() {
    let sandbox = Sandbox::builder()
        .organizations(5)
        .api_key("e2e-very-secret-key")
        .start_blocking()
        .unwrap();
    let out = run_against(&sandbox, &["-v", "personal-contacts", "910021451"]);
    assert_code(&out, 0);
    let log = stderr(&out);
    assert!(log.contains("GET"), "{log}");
    assert!(
        log.contains("/api/serviceowner/organizations/910021451/personalcontacts"),
        "{log}"
    );
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("duration_ms="), "{log}");
    assert!(!log.contains("e2e-very-secret-key"), "{log}");
    // The identity numbers in the response never reach the log.
    let ssn = json_lines(&stdout(&run_against(
        &sandbox,
        &["--format", "jsonl", "personal-contacts", "910021451"],
    )))[0]["SocialSecurityNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!log.contains(&ssn), "{log}");
    // Without -v, nothing but the output.
    let out = run_against(&sandbox, &["personal-contacts", "910021451"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}
