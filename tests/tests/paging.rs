//! `organizations --all` over more than two thousand organizations, in every format.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn all_organizations_across_pages_in_every_format() {
    let sandbox = sandbox(2200);
    let total = sandbox.organization_count();
    assert!(total > 2000);

    let out = run_against(&sandbox, &["--format", "jsonl", "organizations", "--all"]);
    assert_code(&out, 0);
    let lines = json_lines(&stdout(&out));
    let numbers: Vec<String> = lines
        .iter()
        .map(|o| o["OrganizationNumber"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(numbers, sandbox.organization_numbers());
    // Three pages of at most 1000 each, then the empty page that ends the stream (a short page
    // does not: a server may cap `$top`), and nothing more.
    assert_eq!(sandbox.request_count(), 4);

    let out = run_against(&sandbox, &["--format", "json", "organizations", "--all"]);
    assert_code(&out, 0);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json.as_array().unwrap(), &lines);

    let out = run_against(&sandbox, &["--format", "csv", "organizations", "--all"]);
    assert_code(&out, 0);
    assert_eq!(
        csv::Reader::from_reader(stdout(&out).as_bytes())
            .records()
            .count(),
        total
    );

    let out = run_against(&sandbox, &["organizations", "--all"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out).lines().count(), total + 1);
}

#[test]
fn all_with_page_size_start_filter_and_expansion() {
    let sandbox = sandbox(2100);
    let all = json_lines(&stdout(&run_against(
        &sandbox,
        &["--format", "jsonl", "organizations", "--all"],
    )));

    let out = run_against(
        &sandbox,
        &[
            "--format",
            "jsonl",
            "organizations",
            "--all",
            "--top",
            "300",
            "--skip",
            "150",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)), all[150..]);

    let out = run_against(
        &sandbox,
        &[
            "--format",
            "jsonl",
            "organizations",
            "--all",
            "--type",
            "ENK",
            "--with-official-contacts",
            "--top",
            "100",
        ],
    );
    assert_code(&out, 0);
    let enk = json_lines(&stdout(&out));
    let expected = all.iter().filter(|o| o["Type"] == "ENK").count();
    assert!(expected > 100, "want several pages of ENK");
    assert_eq!(enk.len(), expected);
    assert!(
        enk.iter()
            .all(|o| o["Type"] == "ENK" && o.get("_embedded").is_some())
    );

    let out = run_against(
        &sandbox,
        &[
            "--format",
            "jsonl",
            "organizations",
            "--all",
            "--order-by",
            "name",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), all.len());
}

#[test]
fn a_failure_midway_keeps_the_output_well_formed_and_exits_1() {
    use std::io::{BufRead, BufReader, Read};
    let sandbox = sandbox(2500);
    let mut child = against(&sandbox)
        .args([
            "--format",
            "json",
            "--retries",
            "0",
            "organizations",
            "--all",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    // The first page is being printed; the second is fetched only once it is all written, and
    // the pipe holds far less than a page, so the fault is in place before page two is asked for.
    while printed.lines().count() < 10 {
        reader.read_line(&mut printed).unwrap();
    }
    assert_eq!(sandbox.request_count(), 1);
    sandbox
        .faults()
        .set_always(Some(altinn_contacts_sandbox::Fault::ServiceUnavailable));
    reader.read_to_string(&mut printed).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: list organizations: HTTP 503"),
        "{err}"
    );
    // What came before the failure is a complete JSON array of the first page.
    let json: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1000);
}
