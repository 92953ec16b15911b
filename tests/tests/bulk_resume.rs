//! The bulk output file's rules: `--resume` keeps final lines (success, 404, 400, invalid) byte
//! for byte and looks up every other error again; an existing output is refused without
//! `--resume` or `--force`; the output is not touched before the configuration is accepted; the
//! exit code and the summary speak of what the file holds.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use altinn_contacts::OrganizationNumber;
use altinn_contacts_sandbox::{FaultConfig, Sandbox};
use common::*;
use serde_json::Value;

/// Served numbers that are valid organization numbers.
fn valid_numbers(sandbox: &Sandbox, count: usize) -> Vec<String> {
    sandbox
        .organization_numbers()
        .into_iter()
        .filter(|n| n.parse::<OrganizationNumber>().is_ok())
        .take(count)
        .collect()
}

/// Valid numbers the sandbox does not serve (answered 404).
fn unknown_numbers(sandbox: &Sandbox, count: usize) -> Vec<String> {
    let served: HashSet<String> = sandbox.organization_numbers().into_iter().collect();
    (12_222_222u32..)
        .filter_map(|base| {
            (0..10)
                .map(|d| format!("{base}{d}"))
                .find(|n| n.parse::<OrganizationNumber>().is_ok())
        })
        .filter(|n| !served.contains(n))
        .take(count)
        .collect()
}

struct Job {
    input: PathBuf,
    output: PathBuf,
}

impl Job {
    fn new(name: &str, numbers: &[String]) -> Job {
        let dir = scratch(name);
        let input = dir.join("numbers.txt");
        std::fs::write(&input, numbers.join("\n")).unwrap();
        Job {
            input,
            output: dir.join("contacts.jsonl"),
        }
    }

    fn args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "bulk",
            "official-contacts",
            "--input",
            self.input.to_str().unwrap(),
            "--output",
            self.output.to_str().unwrap(),
            "--concurrency",
            "8",
        ];
        args.extend_from_slice(extra);
        args
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap()
    }
}

/// Lines by number, each number once (asserted), with their raw text.
#[track_caller]
fn lines_by_number(text: &str) -> HashMap<String, (String, Value)> {
    let mut map = HashMap::new();
    for raw in text.lines() {
        let value: Value = serde_json::from_str(raw).unwrap();
        let number = value["OrganizationNumber"].as_str().unwrap().to_owned();
        assert!(
            map.insert(number.clone(), (raw.to_owned(), value))
                .is_none(),
            "{number} appears twice"
        );
    }
    map
}

fn status(line: &Value) -> Option<u64> {
    line.get("Error").map(|e| e["Status"].as_u64().unwrap_or(0))
}

fn successes(map: &HashMap<String, (String, Value)>) -> HashMap<String, String> {
    map.iter()
        .filter(|(_, (_, v))| v.get("Error").is_none())
        .map(|(n, (raw, _))| (n.clone(), raw.clone()))
        .collect()
}

#[test]
fn resume_looks_up_transient_errors_again_and_keeps_final_lines() {
    let sandbox = sandbox_with(
        200,
        FaultConfig::new()
            .error_rate(0.3, 11)
            .only_paths_containing("/officialcontacts"),
    );
    let known = valid_numbers(&sandbox, 150);
    let unknown = unknown_numbers(&sandbox, 10);
    let invalid = ["12345".to_owned(), "910021452".to_owned()];
    let all: Vec<String> = [&known[..], &unknown[..], &invalid[..]].concat();
    let job = Job::new("resume-transient", &all);

    let out = run_against(&sandbox, &job.args(&["--retries", "0"]));
    assert_code(&out, 1);
    let first = lines_by_number(&job.text());
    assert_eq!(first.len(), all.len());
    let transient: Vec<&String> = first
        .iter()
        .filter(|(_, (_, v))| status(v) == Some(503))
        .map(|(n, _)| n)
        .collect();
    assert!(transient.len() >= 10, "too few 503s: {}", transient.len());
    let found_before = successes(&first);

    sandbox.faults().set_error_rate(0.0);
    let sent_before = sandbox.request_count();
    let out = run_against(&sandbox, &job.args(&["--resume", "--retries", "0"]));
    // The 404s and the invalid numbers stay: they are errors, so the exit code is 1.
    assert_code(&out, 1);
    let err = stderr(&out);
    let final_errors = unknown.len() + invalid.len();
    assert!(
        err.contains(&format!("done {}, failed {final_errors}", all.len())),
        "{err}"
    );
    assert!(err.contains("looked up again"), "{err}");
    // Only the numbers whose line was a 503 were asked for again.
    assert_eq!(
        sandbox.request_count() - sent_before,
        transient.len() as u64
    );

    let second = lines_by_number(&job.text());
    assert_eq!(second.len(), all.len());
    assert_eq!(job.text().lines().count(), all.len());
    for (number, raw) in &found_before {
        assert_eq!(&second[number].0, raw, "a success line changed");
    }
    for number in &transient {
        // A 503 of an unknown number became its 404; of a known one, its contacts.
        if known.contains(number) {
            assert!(second[*number].1["OfficialContacts"].is_array(), "{number}");
        }
    }
    for number in &unknown {
        assert_eq!(status(&second[number].1), Some(404));
    }
    for number in &invalid {
        assert_eq!(status(&second[number].1), Some(0), "{}", second[number].0);
    }

    // A third run has nothing to look up: no request at all.
    let sent_before = sandbox.request_count();
    let out = run_against(&sandbox, &job.args(&["--resume"]));
    assert_code(&out, 1);
    assert_eq!(sandbox.request_count(), sent_before);
    assert!(
        stderr(&out).contains(&format!("skipped {}", all.len())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_resume_whose_lookups_all_fail_keeps_every_success_line() {
    let sandbox = sandbox_with(
        120,
        FaultConfig::new()
            .error_rate(0.4, 5)
            .only_paths_containing("/officialcontacts"),
    );
    let known = valid_numbers(&sandbox, 100);
    let job = Job::new("resume-wrong-key", &known);
    let out = run_against(&sandbox, &job.args(&["--retries", "0"]));
    assert_code(&out, 1);
    let before = job.text();
    let found_before = successes(&lines_by_number(&before));
    assert!(found_before.len() < known.len() && !found_before.is_empty());

    // A wrong key: every lookup is refused (403).
    sandbox.faults().set_error_rate(0.0);
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_API_KEY", "a-wrong-key");
    let out = run(cmd, &job.args(&["--resume"]));
    assert_code(&out, 1);
    let after = lines_by_number(&job.text());
    assert_eq!(after.len(), known.len());
    assert_eq!(job.text().lines().count(), known.len());
    for (number, raw) in &found_before {
        assert_eq!(&after[number].0, raw, "a success line changed");
    }
    for (number, (_, line)) in &after {
        if !found_before.contains_key(number) {
            assert_eq!(status(line), Some(403), "{line}");
        }
    }
    // Every earlier success line is in the file byte for byte, in the same order.
    let text = job.text();
    let success_lines = |t: &'_ str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.contains("\"Error\""))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(success_lines(&text), success_lines(&before));

    // With the right key the file is completed: one success line per number, exit 0.
    let out = run_against(&sandbox, &job.args(&["--resume"]));
    assert_code(&out, 0);
    let done = lines_by_number(&job.text());
    assert_eq!(done.len(), known.len());
    assert!(done.values().all(|(_, v)| v["OfficialContacts"].is_array()));
    assert!(
        stderr(&out).contains(&format!("done {}, failed 0", known.len())),
        "{}",
        stderr(&out)
    );
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn an_existing_output_is_refused_unless_resume_or_force_and_untouched_by_a_bad_configuration() {
    let sandbox = sandbox(20);
    let known = valid_numbers(&sandbox, 10);
    let job = Job::new("refuse-overwrite", &known);
    let yesterday = "{\"OrganizationNumber\":\"910021451\",\"OfficialContacts\":[]}\n";
    std::fs::write(&job.output, yesterday).unwrap();

    // Without --resume or --force: a usage error, nothing sent, the file unchanged.
    let out = run_against(&sandbox, &job.args(&[]));
    assert_code(&out, 2);
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(job.text(), yesterday);
    assert_eq!(sandbox.request_count(), 0);

    // --force with a configuration that is refused: the file is not opened.
    let mut cmd = against(&sandbox);
    cmd.env("ALTINN_BASE_URL", "ftp://altinn.example.invalid/");
    let out = run(cmd, &job.args(&["--force"]));
    assert_code(&out, 2);
    assert_eq!(job.text(), yesterday);
    // --force and --resume contradict each other.
    let out = run_against(&sandbox, &job.args(&["--force", "--resume"]));
    assert_code(&out, 2);
    assert_eq!(job.text(), yesterday);
    assert_eq!(sandbox.request_count(), 0);

    // --force overwrites.
    let out = run_against(&sandbox, &job.args(&["--force"]));
    assert_code(&out, 0);
    let map = lines_by_number(&job.text());
    assert_eq!(map.len(), known.len());
    assert!(file_len(&job.output) > yesterday.len() as u64);

    // An empty file is no result to protect.
    std::fs::write(&job.output, "").unwrap();
    let out = run_against(&sandbox, &job.args(&[]));
    assert_code(&out, 0);
    assert_eq!(lines_by_number(&job.text()).len(), known.len());
}

/// Valid organization numbers from `from` upwards (served or not).
fn valid_from(from: u32, count: usize) -> Vec<String> {
    (from..)
        .filter_map(|base| {
            (0..10)
                .map(|d| format!("{base}{d}"))
                .find(|n| n.parse::<OrganizationNumber>().is_ok())
        })
        .take(count)
        .collect()
}

/// A `--resume` that must rewrite a large file is killed (SIGKILL) at many moments: each time
/// the file is either the old one, byte for byte, or the new one (the kept lines, then whole
/// new lines and at most one torn last line), never a mix or a truncated copy.
#[cfg(unix)]
#[test]
fn a_kill_during_the_rewrite_leaves_the_old_file_or_the_new_one() {
    let sandbox = sandbox_with(
        10,
        FaultConfig::new()
            .latency(std::time::Duration::from_millis(20))
            .only_paths_containing("/officialcontacts"),
    );
    let numbers = valid_from(13_000_000, 20_000);
    let job = Job::new("resume-kill-rewrite", &numbers);
    let mut old = String::new();
    let mut kept = String::new();
    for (i, n) in numbers.iter().enumerate() {
        let line = if i % 2 == 0 {
            format!("{{\"OrganizationNumber\":\"{n}\",\"OfficialContacts\":[]}}\n")
        } else {
            format!(
                "{{\"OrganizationNumber\":\"{n}\",\"Error\":{{\"Message\":\"Service Unavailable\",\"Status\":503}}}}\n"
            )
        };
        if i % 2 == 0 {
            kept.push_str(&line);
        }
        old.push_str(&line);
    }
    let (mut saw_old, mut saw_new) = (0, 0);
    for round in 0..16u64 {
        std::fs::write(&job.output, &old).unwrap();
        let mut child = Running(
            against(&sandbox)
                .args(job.args(&["--resume"]))
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(std::time::Duration::from_millis(round * 30));
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        drop(child);
        let now = std::fs::read_to_string(&job.output).unwrap();
        if now == old {
            saw_old += 1;
            continue;
        }
        assert!(
            now.starts_with(&kept),
            "round {round}: neither the old file nor the kept lines ({} bytes)",
            now.len()
        );
        saw_new += 1;
        let rest = &now[kept.len()..];
        let whole = rest.rfind('\n').map_or("", |end| &rest[..=end]);
        for line in whole.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(status(&v), Some(404), "{line}");
        }
    }
    eprintln!("kills during --resume: {saw_old} left the old file, {saw_new} the new one");
    assert_eq!(saw_old + saw_new, 16);
}
