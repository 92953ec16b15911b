//! `altinn-contacts serve --backend altinn3` in front of the sandbox's successor emulations: a
//! system that only speaks Altinn 2 (here the CLI on its default altinn2 backend) changes its base
//! URL and gets what the altinn3 backend gets directly; a call without a successor is a 501 that
//! names what is missing; the caller's key never reaches a successor.

mod common;

use std::process::{Command, Output};

use altinn_contacts_sandbox::Sandbox;
use common::*;
use serde_json::Value;

/// The key the gateway's callers use.
const CALLER_KEY: &str = "gateway-altinn3-caller-7e21";

/// `serve --backend altinn3` over the sandbox's successors, on a free loopback port.
fn gateway(sandbox: &Sandbox, name: &str) -> Gateway {
    let mut cmd = against_successors(sandbox);
    // The environment says altinn3 already; the flag is what an operator types.
    cmd.env_remove("ALTINN_BACKEND");
    Gateway::start(cmd, name, CALLER_KEY, &["--backend", "altinn3"])
}

/// The binary on its default altinn2 backend, pointed at the gateway with the caller's key.
fn through(gateway: &Gateway) -> Command {
    gateway.client(CALLER_KEY)
}

/// JSON output without `_links`: the gateway adds links to its own URLs, the altinn3 backend
/// has none to give.
fn without_links(out: &Output) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("_links");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    strip(&mut value);
    value
}

#[test]
fn official_contacts_through_the_gateway_are_what_altinn3_gives_directly() {
    let sandbox = sandbox(60);
    let gateway = gateway(&sandbox, "gateway-altinn3-official");
    let mut numbers = valid_numbers(&sandbox);
    // A valid number nobody registered: no contacts, not an error, either way.
    numbers.push("974760673".to_owned());
    let mut with_contacts = 0;
    let mut fallbacks = 0;
    for org in &numbers {
        let direct = run(
            against_successors(&sandbox),
            &["--format", "json", "official-contacts", org],
        );
        let via = run(
            through(&gateway),
            &["--format", "json", "official-contacts", org],
        );
        assert_code(&direct, 0);
        assert_code(&via, 0);
        // A sub-unit answered with its main unit's addresses says so, through the gateway too
        // (its `AddressOrigin` travels in the Altinn 2 HAL answer).
        assert_eq!(stderr(&via), stderr(&direct), "{org}");
        if stderr(&direct).contains("has no addresses of its own") {
            fallbacks += 1;
        }
        let direct = without_links(&direct);
        assert_eq!(without_links(&via), direct, "{org}");
        if direct.as_array().is_some_and(|items| !items.is_empty()) {
            with_contacts += 1;
        }
        for format in ["table", "csv"] {
            let args = ["--format", format, "official-contacts", org];
            let direct = run(against_successors(&sandbox), &args);
            let via = run(through(&gateway), &args);
            assert_eq!(stdout(&via), stdout(&direct), "{org} {format}");
        }
    }
    assert!(with_contacts > 10, "{with_contacts} of {}", numbers.len());
    assert!(
        fallbacks > 0,
        "no sub-unit fell back to its main unit among {numbers:?}"
    );

    // A bulk job through the gateway: the same numbers, the same contacts.
    let dir = scratch("gateway-altinn3-bulk");
    let input = dir.join("orgs.txt");
    std::fs::write(&input, numbers.join("\n") + "\n12345\n").unwrap();
    let bulk = [
        "bulk",
        "official-contacts",
        "--input",
        input.to_str().unwrap(),
    ];
    let direct = run(against_successors(&sandbox), &bulk);
    let via = run(through(&gateway), &bulk);
    assert_eq!(via.status.code(), direct.status.code(), "{}", stderr(&via));
    // One JSON line per number, in the order lookups finished: compare them sorted.
    let by_org = |out: &Output| {
        let mut lines: Vec<String> = json_lines(&stdout(out))
            .iter()
            .map(Value::to_string)
            .collect();
        lines.sort();
        lines
    };
    let (direct, via) = (by_org(&direct), by_org(&via));
    assert_eq!(direct.len(), numbers.len() + 1);
    assert_eq!(via, direct);
}

#[test]
fn the_altinn2_scenarios_with_a_successor_pass_through_and_the_rest_are_501() {
    let sandbox = sandbox(60);
    let gateway = gateway(&sandbox, "gateway-altinn3-scenarios");
    let cases: &[&[&str]] = &[
        &["personal-contacts", "910021451"],
        &["roles", "910021451", "u50022994"],
        &["organization", "910021451"],
        &["organizations", "--top", "5"],
        &["organizations", "--type", "AS", "--top", "5"],
        &["organizations", "--type", "BEDR", "--top", "5"],
        &[
            "organizations",
            "--type",
            "AS",
            "--with-official-contacts",
            "--top",
            "3",
        ],
    ];
    for args in cases {
        let args = [&["--format", "json"][..], args].concat();
        let direct = run(against_successors(&sandbox), &args);
        let via = run(through(&gateway), &args);
        assert_code(&direct, 0);
        assert_code(&via, 0);
        assert_eq!(without_links(&via), without_links(&direct), "{args:?}");
    }

    // No successor: the gateway answers 501 with a reason phrase naming what is missing, which
    // the Altinn 2 client shows in its error line.
    for (args, missing) in [
        (&["search", "--email", "post@example.no"][..], "search"),
        (&["roles", "910021451", "r50022994"], "roles"),
    ] {
        let via = run(through(&gateway), args);
        assert_code(&via, 1);
        let line = stderr(&via);
        assert!(line.contains("501"), "{args:?}: {line}");
        assert!(line.contains(missing), "{args:?}: {line}");
        assert!(line.contains("altinn3"), "{args:?}: {line}");
    }

    // The caller's key is the gateway's business only: no successor request carries it.
    let received = sandbox.requests();
    assert!(received.len() > cases.len(), "{}", received.len());
    for request in &received {
        for (name, value) in request.headers() {
            assert!(!value.contains(CALLER_KEY), "{name} of {}", request.path());
        }
        assert!(!request.query().unwrap_or_default().contains(CALLER_KEY));
    }
    let log = std::fs::read_to_string(&gateway.log).unwrap();
    assert!(!log.contains(CALLER_KEY), "{log}");
    assert!(!log.contains(sandbox.successor_token()), "{log}");
}
