//! Soak: a bulk job of 20,000 numbers under 10 % mixed injected faults (503, 502, 504, a
//! connection closed mid-body, a truncated body, and a few 429s), killed with SIGKILL at random
//! moments and resumed until it finishes; it must end with exactly one success line per number.
//! The runs are printed (stderr; `--nocapture` shows them).

#![cfg(unix)]

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use altinn_contacts::OrganizationNumber;
use altinn_contacts_sandbox::{Fault, FaultConfig};
use common::*;
use serde_json::Value;

const NUMBERS: usize = 20_000;

/// A small seeded generator (xorshift), so a failing run can be repeated with its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Whole lines of the output: (lines, error lines), asserting that no number appears twice and
/// that only the last line may be torn.
#[track_caller]
fn check_file(text: &str) -> (usize, usize) {
    let mut seen = HashSet::new();
    let mut errors = 0;
    let whole = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    for line in whole.lines() {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let number = value["OrganizationNumber"].as_str().unwrap().to_owned();
        assert!(seen.insert(number.clone()), "{number} appears twice");
        if value.get("Error").is_some() {
            errors += 1;
        }
    }
    (seen.len(), errors)
}

#[test]
fn twenty_thousand_numbers_under_faults_killed_and_resumed_until_done() {
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut rng = Rng(seed);
    let sandbox = sandbox_with(
        NUMBERS + 100,
        FaultConfig::new()
            .mixed_error_rate(
                0.10,
                seed,
                vec![
                    Fault::ServiceUnavailable,
                    Fault::status(502, "Bad Gateway"),
                    Fault::status(504, "Gateway Timeout"),
                    Fault::CloseMidBody,
                    Fault::TruncatedJson,
                ],
            )
            .only_paths_containing("/officialcontacts"),
    );
    let numbers: Vec<String> = sandbox
        .organization_numbers()
        .into_iter()
        .filter(|n| n.parse::<OrganizationNumber>().is_ok())
        .take(NUMBERS)
        .collect();
    assert_eq!(numbers.len(), NUMBERS);
    let dir = scratch("soak");
    let input = dir.join("numbers.txt");
    let output = dir.join("contacts.jsonl");
    std::fs::write(&input, numbers.join("\n")).unwrap();
    let args = [
        "bulk",
        "official-contacts",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--concurrency",
        "32",
        "--retries",
        "2",
        "--resume",
    ];

    eprintln!("soak: seed {seed} (SOAK_SEED={seed} repeats it), {NUMBERS} numbers, 10 % faults");
    let started = Instant::now();
    let (mut kills, mut runs) = (0, 0);
    loop {
        runs += 1;
        assert!(runs <= 20, "not done after 20 runs");
        // A few 429s (Retry-After: 1 s pauses the whole job) early in every run.
        sandbox.faults().rate_limit_next(1, 1);
        let run_started = Instant::now();
        let mut job = Running(against(&sandbox).args(args).spawn().unwrap());
        // The first three runs are killed at a random moment (possibly while a resume rewrites
        // the file, possibly before anything was written).
        let kill_after = (kills < 3).then(|| Duration::from_millis(rng.below(6000)));
        let status = loop {
            if let Some(status) = job.0.try_wait().unwrap() {
                break Some(status);
            }
            if kill_after.is_some_and(|after| run_started.elapsed() >= after) {
                job.0.kill().unwrap(); // SIGKILL
                job.0.wait().unwrap();
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        drop(job);
        let text = std::fs::read_to_string(&output).unwrap_or_default();
        let (lines, errors) = check_file(&text);
        let torn = !text.is_empty() && !text.ends_with('\n');
        match status {
            None => {
                kills += 1;
                eprintln!(
                    "soak: run {runs}: killed (SIGKILL) after {} ms: {lines} lines ({errors} errors){}",
                    run_started.elapsed().as_millis(),
                    if torn { ", last line torn" } else { "" }
                );
            }
            Some(status) => {
                eprintln!(
                    "soak: run {runs}: exit {:?} after {} ms: {lines} lines ({errors} errors)",
                    status.code(),
                    run_started.elapsed().as_millis()
                );
                assert!(!torn, "a finished run left a torn line");
                assert_eq!(lines, NUMBERS, "a finished run must write every number");
                match status.code() {
                    Some(0) => {
                        assert_eq!(errors, 0);
                        break;
                    }
                    Some(1) => assert!(errors > 0, "exit 1 without an error line"),
                    other => panic!("unexpected exit {other:?}"),
                }
            }
        }
    }
    let text = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<Value> = json_lines(&text);
    assert_eq!(lines.len(), NUMBERS);
    let got: HashSet<&str> = lines
        .iter()
        .map(|l| {
            assert!(l["OfficialContacts"].is_array(), "{l}");
            l["OrganizationNumber"].as_str().unwrap()
        })
        .collect();
    let expected: HashSet<&str> = numbers.iter().map(String::as_str).collect();
    assert_eq!(got, expected);
    eprintln!(
        "soak: done in {runs} runs ({kills} killed), {:.1} s, {} faults injected, {} requests",
        started.elapsed().as_secs_f64(),
        sandbox.faults().injected(),
        sandbox.request_count()
    );
}
