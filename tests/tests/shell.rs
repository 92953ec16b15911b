//! Shell conventions, run as the built binary: a reader that closes standard output early
//! (`| head -1`) ends the command quietly with exit 0 and stops its work; `-v` logs written to a
//! pipe carry no terminal escape codes.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use common::*;

/// Organizations in the sandbox: every format's output is far beyond a 64 KiB pipe buffer, so
/// the binary is still writing when the reader goes away.
const ORGANIZATIONS: usize = 3000;

/// Spawns `cmd` with stdout and stderr piped, reads the first line of stdout, closes stdout and
/// returns (first line, exit code, stderr).
fn head_1(mut cmd: Command) -> (String, Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("the first line");
    // What `head -1` does: the read end closes, the next write of the binary fails (EPIPE).
    drop(reader);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("the binary ends");
    (first, status.code(), err)
}

#[test]
fn a_closed_stdout_ends_organizations_all_quietly_in_every_format() {
    let sandbox = sandbox(ORGANIZATIONS);
    let total_pages = ORGANIZATIONS.div_ceil(100) as u64;
    for format in ["csv", "json", "jsonl", "table"] {
        sandbox.clear_requests();
        let mut cmd = against(&sandbox);
        cmd.args(["organizations", "--all", "--top", "100", "--format", format]);
        let (first, code, err) = head_1(cmd);
        assert!(!first.is_empty(), "{format}: no first line");
        assert_eq!(code, Some(0), "{format}: stderr {err}");
        assert!(err.is_empty(), "{format}: stderr {err:?}");
        if format != "table" {
            // Streamed formats stop paging once the reader is gone (a table needs every page
            // before its first line).
            let fetched = sandbox.request_count();
            assert!(
                fetched < total_pages,
                "{format}: {fetched} of {total_pages} pages fetched after stdout closed"
            );
        }
    }
}

#[test]
fn a_closed_stdout_ends_the_embedded_sandbox_run_quietly() {
    // `--sandbox` with the default data: a single line is read, the rest is dropped.
    let mut cmd = command();
    cmd.args([
        "--sandbox",
        "organizations",
        "--all",
        "--top",
        "5",
        "--format",
        "json",
    ]);
    let (first, code, err) = head_1(cmd);
    assert_eq!(first.trim(), "[");
    assert_eq!(code, Some(0), "stderr {err}");
    assert!(err.is_empty(), "stderr {err:?}");
}

#[test]
fn a_closed_stdout_ends_a_bulk_job_quietly() {
    let sandbox = sandbox(ORGANIZATIONS);
    let dir = std::env::temp_dir().join(format!("altinn-contacts-shell-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("numbers.txt");
    std::fs::write(&input, sandbox.organization_numbers().join("\n")).unwrap();
    let mut cmd = against(&sandbox);
    cmd.args(["bulk", "official-contacts", "--concurrency", "4", "--input"])
        .arg(&input);
    let (first, code, err) = head_1(cmd);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(first.starts_with("{\"OrganizationNumber\""), "{first}");
    assert_eq!(code, Some(0), "stderr {err}");
    assert!(err.is_empty(), "stderr {err:?}");
    // The job stopped: far fewer lookups than numbers.
    let looked_up = sandbox.request_count();
    assert!(
        looked_up < sandbox.organization_count() as u64 / 2,
        "{looked_up} lookups after stdout closed"
    );
}

#[test]
fn verbose_logs_to_a_pipe_have_no_escape_codes() {
    let sandbox = sandbox(10);
    for extra in [&[][..], &["-vv"][..]] {
        let mut cmd = against(&sandbox);
        // Even when a terminal is claimed by the environment, a pipe gets plain text.
        cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
        cmd.args(["-v", "official-contacts", "910021451"])
            .args(extra);
        let out = cmd.output().expect("the binary runs");
        assert_code(&out, 0);
        let err = stderr(&out);
        assert!(!err.is_empty(), "-v logged nothing");
        assert!(!out.stderr.contains(&0x1b), "ESC in {err:?}");
        assert!(!out.stdout.contains(&0x1b), "ESC in the table");
    }
}

/// Runs the binary with `args` under a pseudo-terminal (util-linux `script`), so its stderr is a
/// terminal; `None` where `script` is not installed.
fn in_a_terminal(env: &[(&str, &str)], args: &str) -> Option<Vec<u8>> {
    let bin = bin().display().to_string().replace('\'', r"'\''");
    let mut cmd = command();
    cmd.args(["-qec", &format!("'{bin}' {args}"), "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    // `command()` runs our binary; run `script` with the same environment instead.
    let mut script = Command::new("script");
    script.args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(value) => script.env(name, value),
            None => script.env_remove(name),
        };
    }
    for (name, value) in env {
        script.env(name, value);
    }
    script.stdin(Stdio::null());
    let out = script.output().ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

#[test]
fn no_color_turns_escape_codes_off_in_a_terminal() {
    let sandbox = sandbox(10);
    let env = [
        ("ALTINN_BASE_URL", sandbox.base_url()),
        ("ALTINN_API_KEY", sandbox.api_key()),
    ];
    // The -v log, and clap's help.
    for (args, shows) in [
        ("-v official-contacts 910021451", "answered"),
        ("organizations --help", "Global options"),
    ] {
        // `script` ships with every Debian (bsdutils is essential): a missing one is a broken
        // machine, not a reason to check nothing.
        let colored = in_a_terminal(&env, args)
            .expect("util-linux `script` (Debian: bsdutils) runs the terminal case");
        // In a terminal the text is colored (so the check below means something) ...
        let text = String::from_utf8_lossy(&colored);
        assert!(text.contains(shows), "{args}: {text}");
        assert!(
            colored.contains(&0x1b),
            "{args}: no colors in a terminal: {text}"
        );
        // ... and NO_COLOR turns the colors off; so does TERM=dumb.
        for (name, value) in [("NO_COLOR", "1"), ("TERM", "dumb")] {
            let mut env = env.to_vec();
            env.push((name, value));
            let plain = in_a_terminal(&env, args).expect("script ran before");
            let text = String::from_utf8_lossy(&plain);
            assert!(text.contains(shows), "{args} {name}={value}: {text}");
            assert!(
                !plain.contains(&0x1b),
                "{args} {name}={value}: ESC in {text:?}"
            );
        }
    }
}
