//! The fault matrix through the binary: each fault kind × each command (the six calls, one page
//! and `organizations --all`, both bulk commands) against a sandbox of its own, checking the exit
//! code, the `error:` line or the output, and how many requests the sandbox saw.
//!
//! Each cell first runs its command without faults (the baseline), then with the fault: a fault
//! the retries should get past must give the baseline's output and exit 0, with exactly the
//! requests the fault cost on top; a fault that must end the command exits 1 with the right
//! error and attempts. Unlike the library's matrix (`crates/altinn-contacts/tests/fault_matrix.rs`)
//! the fault is switched on before the command starts, so paging fails on its first page. Rows
//! that need a token provider whose token goes stale (401 then success) are the library
//! matrix's: the binary's tokens come from Maskinporten or the command line.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use altinn_contacts_sandbox::messages::{API_KEY_FORBIDDEN, NO_AUTHENTICATED_ORGANIZATION};
use altinn_contacts_sandbox::{Fault, Sandbox};
use common::*;
use serde_json::Value;

/// `--retries`: attempts in all are one more.
const RETRIES: u32 = 2;
const ATTEMPTS: u32 = RETRIES + 1;
/// `--timeout` in seconds; a stall lasts longer.
const TIMEOUT_SECS: &str = "2";
const STALL: Duration = Duration::from_secs(5);
/// The page cap of the short-pages row, and the page size asked for.
const CAP: usize = 4;
const PAGE: &str = "10";
/// The bulk input: three served organizations.
const BULK_INPUT: &str = "910021451\n910514318\n310524824\n";
const BULK_VALID: u64 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Plain,
    Paging,
    Bulk,
}

/// A command of the matrix: its name in failure messages, its arguments, its mode.
struct Command {
    name: &'static str,
    args: &'static [&'static str],
    mode: Mode,
}

const COMMANDS: [Command; 9] = [
    Command {
        name: "organizations",
        args: &["organizations", "--top", PAGE],
        mode: Mode::Plain,
    },
    Command {
        name: "search",
        args: &["search", "--phone", "+4791234567"],
        mode: Mode::Plain,
    },
    Command {
        name: "organization",
        args: &["organization", "910021451"],
        mode: Mode::Plain,
    },
    Command {
        name: "official-contacts",
        args: &["official-contacts", "910021451"],
        mode: Mode::Plain,
    },
    Command {
        name: "personal-contacts",
        args: &["personal-contacts", "910021451"],
        mode: Mode::Plain,
    },
    Command {
        name: "roles",
        args: &["roles", "910021451", "r50022994"],
        mode: Mode::Plain,
    },
    Command {
        name: "organizations --all",
        args: &["organizations", "--all", "--top", PAGE],
        mode: Mode::Paging,
    },
    Command {
        name: "bulk official-contacts",
        args: &["bulk", "official-contacts"],
        mode: Mode::Bulk,
    },
    Command {
        name: "bulk personal-contacts",
        args: &["bulk", "personal-contacts"],
        mode: Mode::Bulk,
    },
];

#[derive(Clone)]
enum Inject {
    Once(Fault),
    Always(Fault),
    /// The binary is pointed at a loopback port nothing listens on.
    Refused,
    /// Pages of at most [`CAP`] organizations whatever `--top` asks.
    PageCap,
}

enum Expect {
    Recovers,
    /// Exit 1; the `error:` line holds every fragment; a bulk line's `Error.Status` is `status`,
    /// and without a status (no HTTP answer) its `Error.Message` holds every fragment.
    Fails {
        fragments: &'static [&'static str],
        status: Option<u16>,
        attempts: u32,
    },
}

struct Row {
    name: &'static str,
    inject: Inject,
    expect: Expect,
}

fn fails(fragments: &'static [&'static str], status: Option<u16>, attempts: u32) -> Expect {
    Expect::Fails {
        fragments,
        status,
        attempts,
    }
}

/// A loopback port held bound but not listening: connecting to it is refused.
fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .expect("bind");
    let port = socket.local_addr().expect("address").port();
    (socket, port)
}

/// Runs `command` against `base_url`; bulk output goes to `output`, which is returned as its
/// sorted lines (the order of bulk results varies).
fn run_command(
    sandbox: &Sandbox,
    base_url: &str,
    command: &Command,
    dir: &Path,
    label: &str,
) -> (Output, Vec<String>) {
    let mut args: Vec<String> = [
        "--format",
        "json",
        "--retries",
        &RETRIES.to_string(),
        "--timeout",
        TIMEOUT_SECS,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(command.args.iter().map(|s| s.to_string()));
    let output = dir.join(format!("{label}.jsonl"));
    if command.mode == Mode::Bulk {
        let input = dir.join("input.txt");
        std::fs::write(&input, BULK_INPUT).expect("input file");
        args.extend([
            "--input".to_owned(),
            input.display().to_string(),
            "--output".to_owned(),
            output.display().to_string(),
            "--concurrency".to_owned(),
            "4".to_owned(),
        ]);
    }
    let mut cmd = common::command();
    cmd.env("ALTINN_BASE_URL", base_url)
        .env("ALTINN_API_KEY", sandbox.api_key());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(cmd, &args);
    let lines = std::fs::read_to_string(&output)
        .map(|text| {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            lines.sort();
            lines
        })
        .unwrap_or_default();
    (out, lines)
}

fn cell(row: &Row, command: &Command, dir: &Path) -> Result<(), String> {
    let sandbox = sandbox(20);
    let (baseline, baseline_lines) = run_command(&sandbox, sandbox.base_url(), command, dir, "a");
    let baseline_requests = sandbox.request_count();
    if baseline.status.code() != Some(0) {
        return Err(format!(
            "the fault-free run exited {:?}: {}",
            baseline.status.code(),
            stderr(&baseline)
        ));
    }

    let faults = sandbox.faults();
    let (_held, refused_url);
    let base_url = match &row.inject {
        Inject::Once(fault) => {
            faults.fail_next(1, fault.clone());
            sandbox.base_url()
        }
        Inject::Always(fault) => {
            faults.set_always(Some(fault.clone()));
            sandbox.base_url()
        }
        Inject::PageCap => {
            faults.set_max_page_size(Some(CAP));
            sandbox.base_url()
        }
        Inject::Refused => {
            let (socket, port) = closed_port();
            _held = socket;
            refused_url = format!("http://127.0.0.1:{port}");
            &refused_url
        }
    };
    let (out, lines) = run_command(&sandbox, base_url, command, dir, "b");
    let requests = sandbox.request_count() - baseline_requests;

    match &row.expect {
        Expect::Recovers => {
            if out.status.code() != baseline.status.code()
                || stdout(&out) != stdout(&baseline)
                || lines != baseline_lines
            {
                return Err(format!(
                    "expected the fault-free output, exit {:?}, stderr {}",
                    out.status.code(),
                    stderr(&out)
                ));
            }
            let expected = match row.inject {
                // Pages of CAP, a short one, then the empty page that ends the listing.
                Inject::PageCap => sandbox.organization_count().div_ceil(CAP) as u64 + 1,
                _ => baseline_requests + 1,
            };
            if requests != expected {
                return Err(format!(
                    "recovered, but the sandbox saw {requests} requests, expected {expected} \
                     (the fault-free run took {baseline_requests})"
                ));
            }
            Ok(())
        }
        Expect::Fails {
            fragments,
            status,
            attempts,
        } => {
            if out.status.code() != Some(1) {
                return Err(format!(
                    "expected exit 1, got {:?}: {}",
                    out.status.code(),
                    stderr(&out)
                ));
            }
            let expected_requests = match command.mode {
                Mode::Plain | Mode::Paging => {
                    let err = stderr(&out);
                    let line = err.lines().last().unwrap_or_default();
                    if !line.starts_with("error: ") || !fragments.iter().all(|f| line.contains(f)) {
                        return Err(format!("expected an error line with {fragments:?}: {err}"));
                    }
                    let counted = format!("after {attempts} attempts");
                    if *attempts > 1 && !line.contains(&counted) {
                        return Err(format!("expected `{counted}` in: {line}"));
                    }
                    u64::from(*attempts)
                }
                Mode::Bulk => {
                    if lines.len() != baseline_lines.len() {
                        return Err(format!(
                            "{} lines for {} inputs",
                            lines.len(),
                            baseline_lines.len()
                        ));
                    }
                    let mut failed = 0u64;
                    for line in &lines {
                        if baseline_lines.contains(line) {
                            continue;
                        }
                        let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
                        let error = &value["Error"];
                        let message = error["Message"].as_str().unwrap_or_default();
                        if error["Status"].as_u64() != status.map(u64::from)
                            || (status.is_none() && !fragments.iter().all(|f| message.contains(f)))
                        {
                            return Err(format!(
                                "expected an error line with status {status:?} and \
                                 {fragments:?}: {line}"
                            ));
                        }
                        failed += 1;
                    }
                    let expected_failed = match row.inject {
                        Inject::Once(_) => 1,
                        _ => BULK_VALID,
                    };
                    if failed != expected_failed {
                        return Err(format!(
                            "{failed} error lines, expected {expected_failed}: {lines:?}"
                        ));
                    }
                    (BULK_VALID - failed) + failed * u64::from(*attempts)
                }
            };
            let expected_requests = match row.inject {
                Inject::Refused => 0,
                _ => expected_requests,
            };
            if requests != expected_requests {
                return Err(format!(
                    "the sandbox saw {requests} requests, expected {expected_requests}"
                ));
            }
            Ok(())
        }
    }
}

fn run_row(test: &str, row: Row) {
    let commands: Vec<&Command> = COMMANDS
        .iter()
        .filter(|c| !matches!(row.inject, Inject::PageCap) || c.mode == Mode::Paging)
        .collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .iter()
            .enumerate()
            .map(|(i, command)| {
                let row = &row;
                scope.spawn(move || {
                    let dir = scratch(&format!("matrix-{test}-{i}"));
                    let result = cell(row, command, &dir)
                        .map_err(|m| format!("{} × {}: {m}", row.name, command.name));
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().expect("cell thread").err())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cells failed:\n{}",
        failures.len(),
        commands.len(),
        failures.join("\n")
    );
}

macro_rules! fault_rows {
    ($($test:ident => $name:expr, $inject:expr, $expect:expr;)*) => {
        $(
            #[test]
            fn $test() {
                run_row(stringify!($test), Row { name: $name, inject: $inject, expect: $expect });
            }
        )*
    };
}

fault_rows! {
    status_503_once => "503 once", Inject::Once(Fault::ServiceUnavailable), Expect::Recovers;
    status_503_always => "503 always", Inject::Always(Fault::ServiceUnavailable),
        fails(&["HTTP 503"], Some(503), ATTEMPTS);
    status_502_once => "502 once", Inject::Once(Fault::status(502, "Bad Gateway")), Expect::Recovers;
    status_502_always => "502 always", Inject::Always(Fault::status(502, "Bad Gateway")),
        fails(&["HTTP 502"], Some(502), ATTEMPTS);
    status_504_once => "504 once", Inject::Once(Fault::status(504, "Gateway Timeout")), Expect::Recovers;
    status_504_always => "504 always", Inject::Always(Fault::status(504, "Gateway Timeout")),
        fails(&["HTTP 504"], Some(504), ATTEMPTS);
    throttled_seconds_once => "429 Retry-After: 1 once", Inject::Once(Fault::too_many_requests(1)),
        Expect::Recovers;
    throttled_seconds_always => "429 Retry-After: 1 always", Inject::Always(Fault::too_many_requests(1)),
        fails(&["HTTP 429"], Some(429), ATTEMPTS);
    throttled_date_once => "429 Retry-After: <date> once", Inject::Once(Fault::too_many_requests_until(1)),
        Expect::Recovers;
    throttled_date_always => "429 Retry-After: <date> always",
        Inject::Always(Fault::too_many_requests_until(1)),
        fails(&["HTTP 429"], Some(429), ATTEMPTS);
    connection_refused => "connection refused", Inject::Refused,
        fails(&["could not connect"], None, ATTEMPTS);
    reset_before_answer_once => "reset before the answer once", Inject::Once(Fault::ResetBeforeAnswer),
        Expect::Recovers;
    reset_before_answer_always => "reset before the answer always",
        Inject::Always(Fault::ResetBeforeAnswer),
        fails(&["connection broke"], None, ATTEMPTS);
    reset_mid_body_once => "reset mid-body once", Inject::Once(Fault::CloseMidBody), Expect::Recovers;
    reset_mid_body_always => "reset mid-body always", Inject::Always(Fault::CloseMidBody),
        fails(&["connection broke"], None, ATTEMPTS);
    stall_once => "stall past the timeout once", Inject::Once(Fault::stall(STALL)), Expect::Recovers;
    stall_always => "stall past the timeout always", Inject::Always(Fault::stall(STALL)),
        fails(&["timed out"], None, ATTEMPTS);
    truncated_body => "truncated body", Inject::Once(Fault::TruncatedJson),
        fails(&["truncated"], Some(200), 1);
    html_login_page => "HTML login page", Inject::Once(Fault::HtmlPage),
        fails(&["HTML"], Some(200), 1);
    login_redirect => "302 to the login page", Inject::Once(Fault::LoginRedirect),
        fails(&["HTTP 302"], Some(302), 1);
    unauthorized_api_key_only => "401 with an API key only",
        Inject::Once(Fault::status(401, NO_AUTHENTICATED_ORGANIZATION)),
        fails(&["HTTP 401"], Some(401), 1);
    forbidden => "403", Inject::Once(Fault::status(403, API_KEY_FORBIDDEN)),
        fails(&["HTTP 403"], Some(403), 1);
    short_pages => "pages capped at 4", Inject::PageCap, Expect::Recovers;
}
