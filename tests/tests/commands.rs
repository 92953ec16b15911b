//! Every command in every output format, run as the built binary against the sandbox.

mod common;

use altinn_contacts_sandbox::Sandbox;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

const FORMATS: [&str; 4] = ["table", "json", "jsonl", "csv"];

/// The commands, each with what its JSON must look like.
fn cases() -> Vec<(Vec<&'static str>, Shape)> {
    vec![
        (vec!["organizations"], Shape::List),
        (
            vec![
                "organizations",
                "--type",
                "AS",
                "--order-by",
                "name",
                "--top",
                "5",
                "--skip",
                "2",
                "--with-official-contacts",
            ],
            Shape::List,
        ),
        (
            vec!["organizations", "--order-by", "number", "--top", "3"],
            Shape::List,
        ),
        (vec!["search", "--email", "34234324@gg.com"], Shape::List),
        (vec!["search", "--phone", "+4791234567"], Shape::List),
        (
            vec!["search", "--email", "eok@br.no", "--phone", "12345678"],
            Shape::List,
        ),
        (vec!["organization", "910021451"], Shape::One),
        (vec!["official-contacts", "910021451"], Shape::List),
        (vec!["personal-contacts", "910021451"], Shape::List),
        (
            vec!["personal-contacts", "910021451", "--role", "DAGL"],
            Shape::List,
        ),
        (
            vec![
                "personal-contacts",
                "910021451",
                "--service-code",
                "4936",
                "--service-edition",
                "1",
            ],
            Shape::List,
        ),
        (vec!["roles", "910021451", "r50022994"], Shape::List),
    ]
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Shape {
    List,
    One,
}

fn run_format(sandbox: &Sandbox, args: &[&str], format: &str) -> String {
    let mut full = vec!["--format", format];
    full.extend_from_slice(args);
    let out = run_against(sandbox, &full);
    assert_code(&out, 0);
    assert!(
        stderr(&out).is_empty(),
        "{args:?} {format}: {}",
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn every_command_in_every_format() {
    let sandbox = sandbox(60);
    for (args, shape) in cases() {
        let json: Value = serde_json::from_str(&run_format(&sandbox, &args, "json")).unwrap();
        let records: Vec<Value> = match shape {
            Shape::One => vec![json.clone()],
            Shape::List => json
                .as_array()
                .unwrap_or_else(|| panic!("{args:?}: {json}"))
                .clone(),
        };
        assert!(!records.is_empty(), "{args:?} found nothing");

        let jsonl = json_lines(&run_format(&sandbox, &args, "jsonl"));
        assert_eq!(jsonl, records, "{args:?}: jsonl differs from json");

        let csv_text = run_format(&sandbox, &args, "csv");
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), records.len(), "{args:?}: csv rows");
        // CSV columns are Altinn's field names and hold the JSON's values.
        for (row, record) in rows.iter().zip(&records) {
            for (name, cell) in header.iter().zip(row.iter()) {
                if let Some(value) = record.get(name) {
                    let expected = match value {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    assert_eq!(cell, expected, "{args:?}: column {name}");
                }
            }
        }

        let table = run_format(&sandbox, &args, "table");
        assert_eq!(
            table.lines().count(),
            records.len() + 1,
            "{args:?}: table\n{table}"
        );
    }
}

#[test]
fn json_carries_altinns_field_names_and_the_data() {
    let sandbox = sandbox(10);
    let org: Value = serde_json::from_str(&run_format(
        &sandbox,
        &["organization", "910021451"],
        "json",
    ))
    .unwrap();
    assert_eq!(org["OrganizationNumber"], "910021451");
    assert!(
        org["_links"]["officialcontacts"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/officialcontacts")
    );

    let contacts = json_lines(&run_format(
        &sandbox,
        &["official-contacts", "910021451"],
        "jsonl",
    ));
    assert_eq!(contacts[0]["MobileNumber"], "22334455");
    assert_eq!(contacts[1]["EMailAddress"], "eeee@bb.com");

    let phone = json_lines(&run_format(
        &sandbox,
        &["search", "--phone", "+4791234567"],
        "jsonl",
    ));
    let mut found: Vec<&str> = phone
        .iter()
        .map(|o| o["OrganizationNumber"].as_str().unwrap())
        .collect();
    found.sort();
    assert_eq!(found, ["810748532", "910514318"]);

    let expanded = json_lines(&run_format(
        &sandbox,
        &["organizations", "--with-official-contacts", "--top", "1000"],
        "jsonl",
    ));
    let digdir = expanded
        .iter()
        .find(|o| o["OrganizationNumber"] == "910021451")
        .unwrap();
    assert_eq!(
        digdir["_embedded"]["officialcontacts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let table = run_format(
        &sandbox,
        &["organizations", "--with-official-contacts", "--top", "1000"],
        "table",
    );
    let line = table.lines().find(|l| l.starts_with("910021451")).unwrap();
    assert!(line.contains("22334455; 33445566"), "{line}");
}

#[test]
fn identity_numbers_are_masked_in_tables_unless_revealed() {
    let sandbox = sandbox(10);
    let json = json_lines(&run_format(
        &sandbox,
        &["personal-contacts", "910021451"],
        "jsonl",
    ));
    let ssn = json[0]["SocialSecurityNumber"].as_str().unwrap().to_owned();
    assert_eq!(ssn.len(), 11);
    let table = run_format(&sandbox, &["personal-contacts", "910021451"], "table");
    assert!(!table.contains(&ssn), "{table}");
    assert!(table.contains("***********"), "{table}");
    let revealed = run_format(
        &sandbox,
        &["--reveal-ssn", "personal-contacts", "910021451"],
        "table",
    );
    assert!(revealed.contains(&ssn), "{revealed}");
}

#[test]
fn options_from_flags_instead_of_environment_and_the_embedded_sandbox() {
    let sandbox = sandbox(5);
    let out = run(
        command(),
        &[
            "--base-url",
            sandbox.base_url(),
            "--api-key",
            sandbox.api_key(),
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 3);

    let out = run(
        command(),
        &[
            "--sandbox",
            "--format",
            "jsonl",
            "personal-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 2);
}

#[test]
fn the_sandbox_command_serves_until_killed() {
    for format in FORMATS {
        let mut child = command()
            .args([
                "--format",
                format,
                "sandbox",
                "--listen",
                "127.0.0.1:0",
                "--organizations",
                "7",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let child_out = child.stdout.take().unwrap();
        let running = Running(child);
        let mut reader = BufReader::new(child_out);
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let (base_url, api_key) = match format {
            "json" | "jsonl" => {
                let mut text = first.clone();
                if format == "json" {
                    // Pretty JSON: read up to the closing brace.
                    while !text.trim_end().ends_with('}') {
                        reader.read_line(&mut text).unwrap();
                    }
                }
                let v: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    v["Organizations"].as_u64().unwrap() as usize,
                    7 + seed_records()
                );
                (
                    v["BaseUrl"].as_str().unwrap().to_owned(),
                    v["ApiKey"].as_str().unwrap().to_owned(),
                )
            }
            "csv" => {
                let mut row = String::new();
                reader.read_line(&mut row).unwrap();
                assert_eq!(first.trim(), "BaseUrl,ApiKey,Organizations");
                let cells: Vec<&str> = row.trim().split(',').collect();
                (cells[0].to_owned(), cells[1].to_owned())
            }
            _ => {
                // "Altinn sandbox at http://127.0.0.1:PORT (API key: KEY), N organizations."
                let url = first.split_whitespace().nth(3).unwrap().to_owned();
                let key = first
                    .split("API key: ")
                    .nth(1)
                    .unwrap()
                    .split(')')
                    .next()
                    .unwrap()
                    .to_owned();
                (url, key)
            }
        };
        assert!(
            base_url.starts_with("http://127.0.0.1:"),
            "{format}: {first}"
        );
        let out = run(
            command(),
            &[
                "--base-url",
                &base_url,
                "--api-key",
                &api_key,
                "--format",
                "jsonl",
                "roles",
                "910021451",
                "r50022994",
            ],
        );
        assert_code(&out, 0);
        assert!(!json_lines(&stdout(&out)).is_empty());
        drop(running);
    }
}

/// `sandbox --maskinporten-client-id ID --write-test-pki DIR` serves a Maskinporten that
/// verifies grants: a client in another process, given the printed issuer and the written
/// certificate, gets a token and its call succeeds (the API refuses calls without one); a grant
/// from another client id or signed by a certificate of another CA is refused.
#[test]
fn the_sandbox_command_serves_maskinporten() {
    const ID: &str = "e2e-sandbox-command-client";
    let dir = scratch("sandbox-command-pki");
    let mut child = command()
        .args([
            "--format",
            "jsonl",
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--organizations",
            "3",
            "--maskinporten-client-id",
            ID,
            "--maskinporten-kid",
            "e2e-kid",
            "--write-test-pki",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child_out = child.stdout.take().unwrap();
    let running = Running(child);
    let mut first = String::new();
    BufReader::new(child_out).read_line(&mut first).unwrap();
    let v: Value = serde_json::from_str(&first).unwrap();
    let base_url = v["BaseUrl"].as_str().unwrap();
    let api_key = v["ApiKey"].as_str().unwrap();
    let issuer = v["MaskinportenIssuer"].as_str().unwrap();
    assert_eq!(issuer, format!("{base_url}/maskinporten/"));
    assert_eq!(
        v["ExchangeUrl"].as_str().unwrap(),
        format!("{base_url}/authentication/api/v1/exchange/maskinporten")
    );
    assert_eq!(v["MaskinportenClientId"], ID);

    let password = std::fs::read_to_string(dir.join("client.p12.password")).unwrap();
    assert!(password.len() >= 16);
    assert!(!first.contains(&password), "{first}");
    assert!(!first.contains("PRIVATE"), "{first}");
    #[cfg(unix)]
    for name in [
        "client.p12",
        "client.p12.password",
        "client.pem",
        "client-key.pem",
    ] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }

    let p12 = dir.join("client.p12");
    let call = |client_id: &str, cert: &std::path::Path, extra: &[&str]| {
        let mut cmd = command();
        cmd.env("ALTINN_CERT_PASSWORD", &password);
        let mut args = vec![
            "--base-url",
            base_url,
            "--api-key",
            api_key,
            "--maskinporten-url",
            issuer,
            "--maskinporten-client-id",
            client_id,
            "--cert",
            cert.to_str().unwrap(),
            "--format",
            "jsonl",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["official-contacts", "910021451"]);
        run(cmd, &args)
    };
    // x5c: the written PKCS#12 certificate.
    let out = call(ID, &p12, &[]);
    assert_code(&out, 0);
    assert!(!json_lines(&stdout(&out)).is_empty());
    // kid: the written key, registered under the kid.
    let out = call(
        ID,
        &p12,
        &[
            "--maskinporten-key",
            dir.join("client-key.pem").to_str().unwrap(),
            "--maskinporten-kid",
            "e2e-kid",
        ],
    );
    assert_code(&out, 0);
    // Without a token the API refuses: the successes above carried the sandbox's tokens.
    let out = run(
        command(),
        &[
            "--base-url",
            base_url,
            "--api-key",
            api_key,
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 1);
    // Another client id, and a certificate of another CA: refused by the token endpoint.
    let out = call("someone-else", &p12, &[]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("invalid_grant"), "{}", stderr(&out));
    let rogue = altinn_contacts_sandbox::test_pki::TestCa::new("rogue CA").client_identity();
    let rogue_pem = dir.join("rogue.pem");
    std::fs::write(
        &rogue_pem,
        format!("{}{}", rogue.cert_pem(), rogue.key_pem()),
    )
    .unwrap();
    let out = call(ID, &rogue_pem, &[]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("invalid_grant"), "{}", stderr(&out));
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Maskinporten options the `sandbox` command cannot use are refused, not ignored.
#[test]
fn the_sandbox_command_refuses_maskinporten_options_it_cannot_use() {
    let dir = scratch("sandbox-command-refused");
    let pki = dir.join("pki");
    let pki = pki.to_str().unwrap();
    for args in [
        &["--maskinporten-url", "http://127.0.0.1:1/maskinporten/"][..],
        &["--maskinporten-client-id", "c", "--altinn-exchange"],
        &[
            "--maskinporten-client-id",
            "c",
            "--altinn-exchange",
            "--exchange-url",
            "http://127.0.0.1:1/x",
        ],
        &["--maskinporten-kid", "k", "--maskinporten-key", pki],
        &["--maskinporten-scope", "altinn:serviceowner"],
        &["--maskinporten-client-id", "c", "--maskinporten-kid", "k"],
        &["--write-test-pki", pki],
    ] {
        let mut all = vec!["sandbox", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        // Spawned, not run to the end: a sandbox that ignored the option would serve forever.
        let mut child = command()
            .args(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(30) {
                drop(Running(child));
                panic!("{args:?}: the sandbox started instead of refusing the option");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert_code(&out, 2);
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    assert!(!std::path::Path::new(pki).exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A profile describes a client: its Maskinporten settings (a production issuer, say) neither
/// switch the sandbox command's Maskinporten on nor make it refuse to start.
#[test]
fn the_sandbox_command_does_not_read_maskinporten_from_a_profile() {
    let dir = scratch("sandbox-command-profile");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[profiles.default]\nmaskinporten_client_id = \"prod-client\"\n\
         maskinporten_url = \"https://maskinporten.example.invalid/\"\n\
         maskinporten_scope = \"altinn:serviceowner\"\naltinn_exchange = true\n",
    )
    .unwrap();
    let mut child = command()
        .arg("--config")
        .arg(&config)
        .args(["--format", "jsonl", "sandbox", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child_out = child.stdout.take().unwrap();
    let running = Running(child);
    let mut first = String::new();
    BufReader::new(child_out).read_line(&mut first).unwrap();
    let v: Value = serde_json::from_str(&first).unwrap();
    assert!(v["BaseUrl"].as_str().is_some(), "{first}");
    assert!(v.get("MaskinportenIssuer").is_none(), "{first}");
    assert!(v.get("MaskinportenClientId").is_none(), "{first}");
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

/// How many sample and quirk records a sandbox serves besides the generated ones.
fn seed_records() -> usize {
    let sandbox = sandbox(0);
    sandbox.organization_count()
}
