//! `bulk`: a thousand organizations with injected 503s and unknown numbers, standard output,
//! and `--resume` after a job killed halfway.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use altinn_contacts::OrganizationNumber;
use altinn_contacts_sandbox::{FaultConfig, Sandbox};
use common::*;
use serde_json::Value;

/// Valid organization numbers the sandbox does not serve.
fn unknown_numbers(sandbox: &Sandbox, count: usize) -> Vec<String> {
    let served: HashSet<String> = sandbox.organization_numbers().into_iter().collect();
    (11_111_111u32..)
        .filter_map(|base| {
            (0..10)
                .map(|d| format!("{base}{d}"))
                .find(|n| n.parse::<OrganizationNumber>().is_ok())
        })
        .filter(|n| !served.contains(n))
        .take(count)
        .collect()
}

/// Output lines by `OrganizationNumber`, asserting that none appears twice.
#[track_caller]
fn by_number(lines: &[Value]) -> HashMap<String, Value> {
    let mut map = HashMap::new();
    for line in lines {
        let n = line["OrganizationNumber"]
            .as_str()
            .expect("OrganizationNumber")
            .to_owned();
        assert!(
            map.insert(n.clone(), line.clone()).is_none(),
            "{n} appears twice"
        );
    }
    map
}

/// A bulk official-contacts job over a sandbox whose answers are slowed by `latency`, so a
/// test can stop it halfway: the sandbox, its valid numbers, the output file and the arguments.
struct SlowJob {
    sandbox: Sandbox,
    numbers: Vec<String>,
    output: PathBuf,
    args: Vec<String>,
}

impl SlowJob {
    fn new(name: &str, organizations: usize, latency: Duration, concurrency: usize) -> SlowJob {
        let sandbox = sandbox_with(
            organizations,
            FaultConfig::new()
                .latency(latency)
                .only_paths_containing("/officialcontacts"),
        );
        let numbers = valid_numbers(&sandbox);
        let dir = scratch(name);
        let input = dir.join("numbers.txt");
        let output = dir.join("contacts.jsonl");
        std::fs::write(&input, numbers.join("\n")).unwrap();
        let args = vec![
            "bulk".to_owned(),
            "official-contacts".to_owned(),
            "--input".to_owned(),
            input.to_str().unwrap().to_owned(),
            "--output".to_owned(),
            output.to_str().unwrap().to_owned(),
            "--concurrency".to_owned(),
            concurrency.to_string(),
        ];
        SlowJob {
            sandbox,
            numbers,
            output,
            args,
        }
    }

    fn args(&self) -> Vec<&str> {
        self.args.iter().map(String::as_str).collect()
    }

    /// Waits until the running `job` has written `lines` whole lines, failing the test if it
    /// ends first or makes no progress within a minute.
    fn wait_for_lines(&self, job: &mut Running, lines: usize) {
        let started = Instant::now();
        while std::fs::read(&self.output)
            .map(|b| b.iter().filter(|c| **c == b'\n').count())
            .unwrap_or(0)
            < lines
        {
            assert!(
                job.0.try_wait().unwrap().is_none(),
                "the job ended before it was stopped"
            );
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the job wrote too little"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The same job again with `--resume`, without the slowdown.
    fn resume(&self) -> std::process::Output {
        self.sandbox.faults().set_latency(Duration::ZERO);
        run_against(&self.sandbox, &[&self.args()[..], &["--resume"]].concat())
    }
}

#[test]
fn a_thousand_organizations_with_503s_and_unknown_numbers() {
    let sandbox = sandbox_with(
        1000,
        FaultConfig::new()
            .error_rate(0.1, 42)
            .only_paths_containing("/officialcontacts"),
    );
    let known: Vec<String> = valid_numbers(&sandbox);
    assert!(known.len() >= 1000);
    let unknown = unknown_numbers(&sandbox, 25);
    let invalid = ["12345", "910021452", "not-a-number"];

    let dir = scratch("bulk-1000");
    let input = dir.join("numbers.txt");
    let output = dir.join("contacts.jsonl");
    let mut text = String::from("# organizations to notify\n\n");
    for (i, n) in known.iter().enumerate() {
        text.push_str(n);
        text.push('\n');
        if i % 40 == 0 {
            text.push_str(&unknown[(i / 40) % unknown.len()]);
            text.push('\n');
        }
    }
    text.push_str(&unknown.join("\n"));
    text.push('\n');
    for bad in invalid {
        text.push_str(&format!("  {bad}  \n# comment\n\n"));
    }
    std::fs::write(&input, text).unwrap();

    let out = run_against(
        &sandbox,
        &[
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--concurrency",
            "32",
            "--retries",
            "10",
        ],
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    let total = known.len() + unknown.len() + invalid.len();
    assert!(
        err.contains(&format!(
            "done {total}, failed {}",
            unknown.len() + invalid.len()
        )),
        "{err}"
    );
    assert!(err.contains("elapsed") && err.contains("rate"), "{err}");
    assert!(err.lines().last().unwrap().starts_with("error:"), "{err}");
    assert!(stdout(&out).is_empty());
    assert!(
        sandbox.faults().injected() > 10,
        "too few 503s were injected"
    );

    let lines = json_lines(&std::fs::read_to_string(&output).unwrap());
    assert_eq!(lines.len(), total);
    let map = by_number(&lines);
    for n in &known {
        let line = &map[n];
        assert!(line["OfficialContacts"].is_array(), "{line}");
        assert!(line.get("Error").is_none(), "{line}");
    }
    for n in &unknown {
        assert_eq!(map[n]["Error"]["Status"], 404, "{}", map[n]);
        assert!(
            map[n]["Error"]["Message"]
                .as_str()
                .unwrap()
                .contains("not found"),
            "{}",
            map[n]
        );
    }
    for bad in invalid {
        let line = &map[bad];
        assert!(line["Error"].get("Status").is_none(), "{line}");
        assert!(
            line["Error"]["Message"]
                .as_str()
                .unwrap()
                .contains("invalid organization number"),
            "{line}"
        );
    }
    // The contacts are the sandbox's own.
    assert_eq!(
        map["910021451"]["OfficialContacts"][0]["MobileNumber"],
        "22334455"
    );
}

#[test]
fn personal_contacts_to_standard_output() {
    let sandbox = sandbox(20);
    let dir = scratch("bulk-stdout");
    let input = dir.join("numbers.txt");
    let numbers = valid_numbers(&sandbox);
    std::fs::write(&input, numbers.join("\n")).unwrap();
    let out = run_against(
        &sandbox,
        &[
            "bulk",
            "personal-contacts",
            "--input",
            input.to_str().unwrap(),
            "--rate",
            "500",
        ],
    );
    assert_code(&out, 0);
    let lines = json_lines(&stdout(&out));
    let map = by_number(&lines);
    assert_eq!(map.len(), numbers.len());
    assert!(map.values().all(|l| l["PersonalContacts"].is_array()));
    assert_eq!(
        map["910021451"]["PersonalContacts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        stderr(&out).contains(&format!("done {}, failed 0", numbers.len())),
        "{}",
        stderr(&out)
    );
    // Stderr is not a terminal here: no progress bar, only the summary line.
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn rate_spaces_the_requests() {
    let sandbox = sandbox(0);
    let dir = scratch("bulk-rate");
    let input = dir.join("numbers.txt");
    let numbers = valid_numbers(&sandbox);
    assert!(numbers.len() >= 5);
    std::fs::write(&input, numbers[..5].join("\n")).unwrap();
    let started = Instant::now();
    let out = run_against(
        &sandbox,
        &[
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
            "--rate",
            "20",
            "--concurrency",
            "5",
        ],
    );
    let elapsed = started.elapsed();
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 5);
    // Five calls at most 20 a second start over at least 4 x 50 ms; without the limit, five
    // concurrent calls to a loopback sandbox take a few milliseconds. A lower bound only.
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
}

#[test]
fn resume_after_a_job_killed_halfway() {
    // Slow answers, so the job is surely still running when it is killed.
    let job_spec = SlowJob::new("bulk-resume", 2000, Duration::from_millis(4), 4);
    let (numbers, output) = (&job_spec.numbers, &job_spec.output);

    let mut job = Running(
        against(&job_spec.sandbox)
            .args(job_spec.args())
            .spawn()
            .unwrap(),
    );
    job_spec.wait_for_lines(&mut job, 300);
    job.0.kill().unwrap();
    job.0.wait().unwrap();
    drop(job);

    let before = std::fs::read_to_string(output).unwrap();
    let finished_before = before
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).is_ok())
        .count();
    assert!(finished_before < numbers.len(), "the job was not halfway");
    // A kill can cut a line in two; make sure the resumed job meets one.
    let mut torn = before.clone();
    if torn.ends_with('\n') {
        torn.push_str("{\"OrganizationNumber\":\"9100");
    }
    std::fs::write(output, &torn).unwrap();

    let out = job_spec.resume();
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("unfinished output"), "{err}");
    assert!(err.contains(&format!("skipped {finished_before}")), "{err}");

    let lines = json_lines(&std::fs::read_to_string(output).unwrap());
    let map = by_number(&lines);
    let expected: HashSet<&String> = numbers.iter().collect();
    let got: HashSet<&String> = map.keys().collect();
    assert_eq!(got, expected, "numbers missing or extra");
    assert_eq!(lines.len(), numbers.len());
    assert!(map.values().all(|l| l["OfficialContacts"].is_array()));
}

#[test]
fn resume_never_truncates_a_file_it_did_not_write() {
    let sandbox = sandbox(5);
    let dir = scratch("bulk-foreign");
    let input = dir.join("numbers.txt");
    let list = "910021451\n310524832\n# my list\n";
    std::fs::write(&input, list).unwrap();
    let notes = dir.join("notes.txt");
    let text = "{\"OrganizationNumber\":\"910021451\",\"OfficialContacts\":[]}\nmy notes\n";
    std::fs::write(&notes, text).unwrap();
    let bulk = |output: &std::path::Path, resume: bool| {
        let mut args = vec![
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ];
        if resume {
            args.push("--resume");
        }
        run_against(&sandbox, &args)
    };

    // Another file as --output with --resume: usage error, the file untouched, nothing sent.
    let out = bulk(&notes, true);
    assert_code(&out, 2);
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), text);

    // The input file as the output, with or without --resume: refused, the input kept.
    for resume in [false, true] {
        let out = bulk(&input, resume);
        assert_code(&out, 2);
        assert_eq!(std::fs::read_to_string(&input).unwrap(), list);
    }
    assert_eq!(sandbox.request_count(), 0);
}

/// Ctrl-C (SIGINT) stops a bulk job cleanly: exit 130, a summary that says so, and only whole
/// result lines in the output, which `--resume` then completes.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_with_130_and_whole_lines() {
    let job_spec = SlowJob::new("bulk-sigint", 600, Duration::from_millis(5), 2);
    let (numbers, output) = (&job_spec.numbers, &job_spec.output);
    let mut job = Running(
        against(&job_spec.sandbox)
            .args(job_spec.args())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    job_spec.wait_for_lines(&mut job, 20);
    let pid = job.0.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = job.0.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut job.0.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(err.lines().last().unwrap().starts_with("error: "), "{err}");
    let text = std::fs::read_to_string(output).unwrap();
    assert!(text.ends_with('\n'), "a torn line after Ctrl-C");
    let lines = json_lines(&text);
    assert!(lines.len() < numbers.len(), "the job was not interrupted");
    by_number(&lines);

    let out = job_spec.resume();
    assert_code(&out, 0);
    let lines = json_lines(&std::fs::read_to_string(output).unwrap());
    assert_eq!(by_number(&lines).len(), numbers.len());
    assert_eq!(lines.len(), numbers.len());
}

#[test]
fn rate_counts_retries() {
    // Half the lookups fail once or more and are retried; at --rate 10 every request, retries
    // included, takes a slot of 100 ms.
    let sandbox = sandbox_with(
        40,
        FaultConfig::new()
            .error_rate(0.5, 3)
            .only_paths_containing("/officialcontacts"),
    );
    let dir = scratch("bulk-rate-retries");
    let input = dir.join("numbers.txt");
    let numbers = valid_numbers(&sandbox);
    std::fs::write(&input, numbers[..20].join("\n")).unwrap();
    let started = Instant::now();
    let out = run_against(
        &sandbox,
        &[
            "bulk",
            "official-contacts",
            "--input",
            input.to_str().unwrap(),
            "--rate",
            "10",
            "--concurrency",
            "8",
            "--retries",
            "10",
        ],
    );
    let elapsed = started.elapsed();
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 20);
    let requests = sandbox.request_count();
    assert!(requests >= 30, "too few retries: {requests}");
    // n requests at most 10 a second take at least (n - 1) x 100 ms.
    let least = Duration::from_millis(100) * (requests as u32 - 1);
    assert!(
        elapsed >= least,
        "{requests} requests in {elapsed:?} at --rate 10"
    );
}
