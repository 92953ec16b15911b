//! `--backend altinn3`: the CLI over the services that replaced Altinn 2. Every command with
//! `--sandbox --backend altinn3` (the embedded sandbox's successor emulations, no credentials),
//! a bulk job against a sandbox of this test counted in requests (one per 100 organizations),
//! the settings by flag, environment variable and profile (in that order), the subscription key
//! kept out of the config file and out of `config show`, and calls with no successor failing
//! with exit code 3 and a line naming what is missing, before anything is sent.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use altinn_contacts_sandbox::SuccessorEndpoint;
use common::*;
use serde_json::Value;

/// A loopback port nothing listens on: a request there is refused at once.
const DEAD: &str = "http://127.0.0.1:1";

/// Where no request may go: a host under `.invalid` never resolves.
const NOWHERE: &str = "https://platform.example.invalid";

/// Writes `text` as `<dir>/altinn-contacts/config.toml` (the XDG location) and returns its path.
fn config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("altinn-contacts").join("config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// The binary with `dir` as its config home (XDG and HOME).
fn cli(dir: &Path) -> Command {
    let mut cmd = command();
    cmd.env("XDG_CONFIG_HOME", dir).env("HOME", dir);
    cmd
}

fn show(out: &Output) -> String {
    assert_code(out, 0);
    stdout(out)
}

#[test]
fn the_altinn3_settings_come_from_flag_then_environment_then_profile_then_default() {
    let dir = scratch("altinn3-precedence");
    config(
        &dir,
        "profile = \"a3\"\n\n[profiles.a3]\nbackend = \"altinn3\"\n\
         official_contacts_source = \"kofuvi\"\nresource_id = \"res-profile\"\n\
         platform_url = \"https://platform.profile.invalid\"\n\
         kofuvi_url = \"https://kofuvi.profile.invalid\"\n\
         enhetsregisteret_url = \"https://er.profile.invalid\"\n",
    );
    // The profile alone.
    let text = show(&run(cli(&dir), &["config", "show"]));
    for line in [
        "backend = altinn3 (profile a3)",
        "official_contacts_source = kofuvi (profile a3)",
        "resource_id = res-profile (profile a3)",
        "platform_url = https://platform.profile.invalid (profile a3)",
        "kofuvi_url = https://kofuvi.profile.invalid (profile a3)",
        "enhetsregisteret_url = https://er.profile.invalid (profile a3)",
        "subscription_key = (none) (not set)",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    // The environment beats the profile.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_BACKEND", "altinn2")
        .env("ALTINN_OFFICIAL_CONTACTS_SOURCE", "profile")
        .env("ALTINN_RESOURCE_ID", "res-env")
        .env("ALTINN_PLATFORM_URL", "https://platform.env.invalid")
        .env("ALTINN_KOFUVI_URL", "https://kofuvi.env.invalid")
        .env("ALTINN_ENHETSREGISTERET_URL", "https://er.env.invalid");
    let text = show(&run(cmd, &["config", "show"]));
    for line in [
        "backend = altinn2 (env ALTINN_BACKEND)",
        "official_contacts_source = profile (env ALTINN_OFFICIAL_CONTACTS_SOURCE)",
        "resource_id = res-env (env ALTINN_RESOURCE_ID)",
        "platform_url = https://platform.env.invalid (env ALTINN_PLATFORM_URL)",
        "kofuvi_url = https://kofuvi.env.invalid (env ALTINN_KOFUVI_URL)",
        "enhetsregisteret_url = https://er.env.invalid (env ALTINN_ENHETSREGISTERET_URL)",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    // A flag beats the environment.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_BACKEND", "altinn2")
        .env("ALTINN_RESOURCE_ID", "res-env")
        .env("ALTINN_PLATFORM_URL", "https://platform.env.invalid");
    let text = show(&run(
        cmd,
        &[
            "--backend",
            "altinn3",
            "--resource-id",
            "res-flag",
            "--platform-url",
            "https://platform.flag.invalid",
            "--official-contacts-source",
            "profile",
            "config",
            "show",
        ],
    ));
    for line in [
        "backend = altinn3 (flag)",
        "resource_id = res-flag (flag)",
        "platform_url = https://platform.flag.invalid (flag)",
        "official_contacts_source = profile (flag)",
        "kofuvi_url = https://kofuvi.profile.invalid (profile a3)",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    // No file: the defaults.
    let empty = scratch("altinn3-precedence-none");
    let text = show(&run(cli(&empty), &["config", "show"]));
    for line in [
        "backend = altinn2 (default)",
        "official_contacts_source = profile (default)",
        "resource_id = (none) (not set)",
        "platform_url = (none) (not set)",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
}

#[test]
fn bad_backend_or_source_values_are_usage_errors() {
    let out = run(
        command(),
        &["--backend", "altinn4", "official-contacts", "910021451"],
    );
    assert_code(&out, 2);
    let mut cmd = command();
    cmd.env("ALTINN_OFFICIAL_CONTACTS_SOURCE", "ldap");
    let out = run(cmd, &["official-contacts", "910021451"]);
    assert_code(&out, 2);
    let dir = scratch("altinn3-bad-profile");
    config(&dir, "[profiles.default]\nbackend = \"altinn4\"\n");
    let out = run(cli(&dir), &["official-contacts", "910021451"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("backend") && err.contains("altinn4"), "{err}");
}

#[test]
fn a_profile_holding_the_subscription_key_is_refused() {
    let dir = scratch("altinn3-secret-in-profile");
    config(
        &dir,
        "[profiles.default]\nbackend = \"altinn3\"\nsubscription_key = \"sk-in-file-123\"\n",
    );
    let out = run(cli(&dir), &["config", "show"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("subscription_key"), "{err}");
    assert!(
        err.contains("ALTINN_SUBSCRIPTION_KEY") && err.contains("subscription_key_command"),
        "{err}"
    );
    assert!(!err.contains("sk-in-file-123"), "{err}");
    assert!(!stdout(&out).contains("sk-in-file-123"));
}

#[test]
fn config_show_and_help_never_show_the_subscription_key() {
    let dir = scratch("altinn3-secret-shown");
    config(
        &dir,
        "[profiles.default]\nbackend = \"altinn3\"\n\
         subscription_key_command = \"echo sk-from-command-456\"\n",
    );
    // From the profile's command: `config show` does not run it, and masks it.
    let text = show(&run(cli(&dir), &["config", "show"]));
    assert!(
        text.contains("subscription_key = ******** (command, profile default)"),
        "{text}"
    );
    assert!(!text.contains("sk-from-command"), "{text}");
    // From the environment and from a flag.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_SUBSCRIPTION_KEY", "sk-from-env-789");
    let out = run(cmd, &["config", "show"]);
    let text = show(&out);
    assert!(
        text.contains("subscription_key = ******** (env ALTINN_SUBSCRIPTION_KEY)"),
        "{text}"
    );
    assert!(!text.contains("sk-from-env") && !stderr(&out).contains("sk-from-env"));
    let text = show(&run(
        cli(&dir),
        &["--subscription-key", "sk-from-flag-012", "config", "show"],
    ));
    assert!(
        text.contains("subscription_key = ******** (flag)"),
        "{text}"
    );
    assert!(!text.contains("sk-from-flag"), "{text}");
    // `--help` shows the variable's name, not its value.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_SUBSCRIPTION_KEY", "sk-from-env-789");
    let out = run(cmd, &["--help"]);
    let help = show(&out);
    assert!(help.contains("ALTINN_SUBSCRIPTION_KEY"), "{help}");
    assert!(!help.contains("sk-from-env"), "{help}");
}

#[test]
fn a_failing_subscription_key_command_is_a_usage_error_without_its_output() {
    let dir = scratch("altinn3-secret-command-fails");
    config(
        &dir,
        "[profiles.default]\nbackend = \"altinn3\"\n\
         subscription_key_command = \"echo sk-leaked-345; exit 3\"\n",
    );
    let out = run(
        cli(&dir),
        &["--platform-url", NOWHERE, "official-contacts", "910021451"],
    );
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("subscription_key_command"), "{err}");
    assert!(!err.contains("sk-leaked"), "{err}");
}

#[test]
fn calls_without_a_successor_exit_3_naming_what_is_missing_before_any_request() {
    // Search by e-mail or phone: nothing replaces it for service owners.
    for args in [
        &["search", "--email", "post@example.no"][..],
        &["search", "--phone", "+4799999999"][..],
    ] {
        let mut all = vec!["--backend", "altinn3", "--platform-url", NOWHERE];
        all.extend(args);
        let out = run(command(), &all);
        assert_code(&out, 3);
        let err = stderr(&out);
        assert!(err.starts_with("error: search organizations:"), "{err}");
        assert!(
            err.contains("not supported by the altinn3 backend"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(stdout(&out).is_empty());
    }
    // Roles by a personal-contact id (r...): Altinn 3 keys people otherwise.
    let out = run(
        command(),
        &[
            "--backend",
            "altinn3",
            "--platform-url",
            NOWHERE,
            "roles",
            "910021451",
            "r50012345",
        ],
    );
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.starts_with("error: roles:"), "{err}");
    assert!(err.contains("altinn3"), "{err}");
}

#[test]
fn maskinporten_on_altinn3_needs_the_altinn_exchange() {
    let out = run(
        command(),
        &[
            "--backend",
            "altinn3",
            "--platform-url",
            NOWHERE,
            "--maskinporten-client-id",
            "client-1",
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("--altinn-exchange"), "{err}");
}

/// `--sandbox --backend altinn3 --format json` with `args`.
fn embedded(args: &[&str]) -> Output {
    let mut all = vec!["--sandbox", "--backend", "altinn3", "--format", "json"];
    all.extend(args);
    run(command(), &all)
}

fn json(out: &Output) -> Value {
    assert_code(out, 0);
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// A phone number as the altinn3 backend gives it: `+47` and the national digits.
fn normalised(phone: &str) -> String {
    if phone.starts_with('+') {
        phone.to_owned()
    } else {
        format!("+47{phone}")
    }
}

/// The e-mail addresses and (normalised) mobile numbers of a list of contacts.
fn points(list: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    let field = |name: &str| -> BTreeSet<String> {
        items
            .iter()
            .filter_map(|c| c[name].as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mobiles = field("MobileNumber")
        .iter()
        .map(|m| normalised(m))
        .collect();
    (field("EMailAddress"), mobiles)
}

#[test]
fn official_contacts_over_altinn3_are_what_the_sandbox_holds() {
    // The same embedded sandbox over Altinn 2's API and over the successors: the same
    // addresses, phone numbers normalised, no invented change dates.
    for org in ["910021451", "310524824", "817353223"] {
        let altinn2 = json(&run(
            command(),
            &["--sandbox", "--format", "json", "official-contacts", org],
        ));
        let altinn3 = json(&embedded(&["official-contacts", org]));
        assert!(!altinn3.as_array().unwrap().is_empty(), "{org}: {altinn3}");
        assert_eq!(points(&altinn3), points(&altinn2), "{org}");
        for c in altinn3.as_array().unwrap() {
            assert!(c["MobileNumberChanged"].is_null(), "{c}");
            assert!(c["EMailAddressChanged"].is_null(), "{c}");
            if let Some(m) = c["MobileNumber"].as_str() {
                assert!(m.starts_with("+47"), "{c}");
            }
        }
    }
    // KoFuVi as the source gives the same addresses.
    let kofuvi = json(&embedded(&[
        "--official-contacts-source",
        "kofuvi",
        "official-contacts",
        "910021451",
    ]));
    let profile = json(&embedded(&["official-contacts", "910021451"]));
    assert_eq!(points(&kofuvi), points(&profile));
}

#[test]
fn personal_contacts_and_roles_over_altinn3_use_user_ids() {
    let altinn2 = json(&run(
        command(),
        &[
            "--sandbox",
            "--format",
            "json",
            "personal-contacts",
            "910021451",
        ],
    ));
    let people = json(&embedded(&["personal-contacts", "910021451"]));
    let list = people.as_array().unwrap();
    assert!(!list.is_empty(), "{people}");
    assert_eq!(points(&people), points(&altinn2));
    for p in list {
        let id = p["PersonalContactId"].as_str().unwrap();
        assert!(id.starts_with('u') && id[1..].parse::<u64>().is_ok(), "{p}");
        // No source for a name or an identity number: absent, never invented.
        assert!(
            p["Name"].is_null() && p["SocialSecurityNumber"].is_null(),
            "{p}"
        );
    }
    // Roles by the `u` id a personal contact came with.
    let id = list[0]["PersonalContactId"].as_str().unwrap();
    let roles = json(&embedded(&["roles", "910021451", id]));
    let codes: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["RoleDefinitionCode"].as_str())
        .collect();
    assert!(!codes.is_empty(), "{roles}");
    // An r-id has no successor: exit 3 before any request, the line names it.
    let out = embedded(&["roles", "910021451", "r50012345"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("not supported by the altinn3 backend"));
}

#[test]
fn organizations_over_altinn3_come_from_enhetsregisteret_with_the_type_filter() {
    let one = json(&embedded(&["organization", "910021451"]));
    assert_eq!(one["OrganizationNumber"], "910021451", "{one}");
    assert!(one["Name"].as_str().is_some_and(|n| !n.is_empty()), "{one}");
    let page = json(&embedded(&["organizations", "--type", "AS", "--top", "5"]));
    let page = page.as_array().unwrap();
    assert_eq!(page.len(), 5, "{page:?}");
    assert!(page.iter().all(|o| o["Type"] == "AS"), "{page:?}");
    let enk = json(&embedded(&["organizations", "--type", "ENK", "--top", "5"]));
    assert!(
        enk.as_array().unwrap().iter().all(|o| o["Type"] == "ENK"),
        "{enk}"
    );
    // An unknown organization is the same 404 error as on altinn2.
    let out = run(
        command(),
        &[
            "--sandbox",
            "--backend",
            "altinn3",
            "organization",
            "111111111",
        ],
    );
    assert_code(&out, 1);
}

#[test]
fn search_over_altinn3_is_unsupported_with_exit_3() {
    let out = embedded(&["search", "--email", "post@example.no"]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: search organizations: not supported by the altinn3 backend:"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn every_other_command_runs_on_altinn3() {
    let out = run(command(), &["--sandbox", "--backend", "altinn3", "doctor"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("altinn3 backend"), "{}", stdout(&out));
    let out = run(command(), &["--backend", "altinn3", "completions", "bash"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("--backend"));
    assert!(stdout(&out).contains("--resource-id"));
    // The embedded sandbox with its Maskinporten and Altinn's exchange instead of the
    // pre-issued token.
    let out = run(
        command(),
        &[
            "--sandbox",
            "--backend",
            "altinn3",
            "--maskinporten-client-id",
            "client-1",
            "--altinn-exchange",
            "--format",
            "json",
            "official-contacts",
            "910021451",
        ],
    );
    assert!(!json(&out).as_array().unwrap().is_empty());
}

#[test]
fn altinn2_settings_given_to_altinn3_are_named_as_unused_not_silently_dropped() {
    let quiet = embedded(&["official-contacts", "910021451"]);
    assert_code(&quiet, 0);
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));
    let mut cmd = command();
    cmd.env("ALTINN_BASE_URL", "https://altinn.example.invalid")
        .env("ALTINN_API_KEY", "unused-altinn2-key-5521");
    let out = run(
        cmd,
        &[
            "--sandbox",
            "--backend",
            "altinn3",
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("warning: --base-url"), "{err}");
    assert!(err.contains("warning: --api-key"), "{err}");
    assert!(!err.contains("unused-altinn2-key-5521"), "{err}");
    assert!(!err.contains("altinn.example.invalid"), "{err}");
    assert_eq!(
        stdout(&out),
        stdout(&embedded_table(&["official-contacts", "910021451"]))
    );
}

fn embedded_table(args: &[&str]) -> Output {
    let mut all = vec!["--sandbox", "--backend", "altinn3"];
    all.extend(args);
    run(command(), &all)
}

#[test]
fn bulk_over_altinn3_sends_one_request_per_hundred_organizations() {
    let sandbox = sandbox(1_000);
    let numbers = valid_numbers(&sandbox);
    assert!(numbers.len() > 900, "{}", numbers.len());
    let invalid = ["12345", "910021452", "not-a-number"];
    let mut input: Vec<String> = numbers.clone();
    for (i, bad) in invalid.iter().enumerate() {
        input.insert(i * 300, (*bad).to_owned());
    }
    let dir = scratch("altinn3-bulk");
    let file = dir.join("in.txt");
    std::fs::write(&file, input.join("\n")).unwrap();
    let file = file.display().to_string();

    let before = sandbox.successor_requests(SuccessorEndpoint::NotificationAddresses);
    let out = run(
        against_successors(&sandbox),
        &["bulk", "official-contacts", "--input", &file],
    );
    // The invalid numbers are error lines: exit 1, every other line found.
    assert_code(&out, 1);
    let lines = json_lines(&stdout(&out));
    assert_eq!(lines.len(), input.len());
    let by: HashMap<&str, &Value> = lines
        .iter()
        .map(|l| (l["OrganizationNumber"].as_str().unwrap(), l))
        .collect();
    assert_eq!(by.len(), input.len(), "a number appears twice");
    for n in &numbers {
        assert!(
            by[n.as_str()]["OfficialContacts"].is_array(),
            "{}",
            by[n.as_str()]
        );
    }
    for bad in invalid {
        assert!(by[bad]["Error"]["Message"].is_string(), "{}", by[bad]);
    }
    let sent = sandbox.successor_requests(SuccessorEndpoint::NotificationAddresses) - before;
    let batches = numbers.len().div_ceil(100) as u64;
    assert_eq!(sent, batches, "{} organizations", numbers.len());
    // What a lookup on its own gives, the bulk line gives.
    let one = run(
        against_successors(&sandbox),
        &["--format", "json", "official-contacts", "910021451"],
    );
    let one: Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(points(&one), points(&by["910021451"]["OfficialContacts"]));

    // Personal contacts: the contact-point lookup, also per hundred.
    let before = sandbox.successor_requests(SuccessorEndpoint::ContactPoints);
    let out = run(
        against_successors(&sandbox),
        &[
            "bulk",
            "personal-contacts",
            "--input",
            &file,
            "--concurrency",
            "4",
        ],
    );
    assert_code(&out, 1);
    let lines = json_lines(&stdout(&out));
    assert_eq!(lines.len(), input.len());
    let found = lines
        .iter()
        .filter(|l| l["PersonalContacts"].is_array())
        .count();
    assert_eq!(found, numbers.len());
    let sent = sandbox.successor_requests(SuccessorEndpoint::ContactPoints) - before;
    assert_eq!(sent, batches);
}

#[test]
fn the_altinn3_urls_from_the_profile_are_used_unless_the_environment_or_a_flag_says_otherwise() {
    let sandbox = sandbox(0);
    let dir = scratch("altinn3-url-precedence");
    config(
        &dir,
        &format!(
            "[profiles.default]\nbackend = \"altinn3\"\nplatform_url = \"{DEAD}\"\n\
             resource_id = \"{}\"\nretries = 0\n",
            sandbox.resource_id()
        ),
    );
    let token = sandbox.successor_token();
    let key = sandbox.subscription_key().unwrap_or_default();
    let call = ["personal-contacts", "910021451"];
    let with_secrets = |mut cmd: Command| {
        cmd.env("ALTINN_TOKEN", token)
            .env("ALTINN_SUBSCRIPTION_KEY", key);
        cmd
    };
    // The profile's dead platform URL is the one used: the call fails to connect.
    let out = run(with_secrets(cli(&dir)), &call);
    assert_code(&out, 1);
    // The environment beats it.
    let mut cmd = with_secrets(cli(&dir));
    cmd.env("ALTINN_PLATFORM_URL", sandbox.platform_url());
    let out = run(cmd, &call);
    assert_code(&out, 0);
    // A flag beats the environment.
    let mut cmd = with_secrets(cli(&dir));
    cmd.env("ALTINN_PLATFORM_URL", DEAD);
    let mut args = vec!["--platform-url", sandbox.platform_url()];
    args.extend(call);
    let out = run(cmd, &args);
    assert_code(&out, 0);
    // The resource id from the profile is the one sent: another one finds nobody's points.
    let mut cmd = with_secrets(cli(&dir));
    cmd.env("ALTINN_PLATFORM_URL", sandbox.platform_url());
    let out = run(cmd, &["--format", "json", "personal-contacts", "910021451"]);
    let people: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(!people.as_array().unwrap().is_empty(), "{people}");
    // Without the subscription key the platform refuses the call: it is really sent.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_TOKEN", token)
        .env("ALTINN_PLATFORM_URL", sandbox.platform_url());
    let out = run(cmd, &call);
    if sandbox.subscription_key().is_some() {
        assert_code(&out, 1);
        assert!(!stderr(&out).contains(key), "{}", stderr(&out));
    }
}

#[test]
fn bulk_over_altinn3_paces_batches_not_organizations() {
    let sandbox = sandbox(600);
    let numbers: Vec<String> = valid_numbers(&sandbox).into_iter().take(500).collect();
    assert_eq!(numbers.len(), 500);
    let dir = scratch("altinn3-bulk-rate");
    let file = dir.join("in.txt");
    std::fs::write(&file, numbers.join("\n")).unwrap();
    let file = file.display().to_string();
    let before = sandbox.successor_requests(SuccessorEndpoint::NotificationAddresses);
    let start = std::time::Instant::now();
    let out = run(
        against_successors(&sandbox),
        &["bulk", "official-contacts", "--input", &file, "--rate", "2"],
    );
    let took = start.elapsed();
    assert_code(&out, 0);
    assert_eq!(json_lines(&stdout(&out)).len(), 500);
    let sent = sandbox.successor_requests(SuccessorEndpoint::NotificationAddresses) - before;
    assert_eq!(sent, 5);
    // Five batches at two a second: the fifth starts 2 s after the first. Paced per
    // organization, 500 lookups would take over 4 minutes.
    assert!(took >= std::time::Duration::from_secs(2), "{took:?}");
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
}

#[test]
fn doctor_on_altinn3_names_the_settings_each_call_lacks_without_a_request() {
    let out = run(
        command(),
        &["--backend", "altinn3", "--platform-url", NOWHERE, "doctor"],
    );
    // Missing settings are warnings (each call fails naming its own), nothing failed.
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("✓ altinn3 backend: the client is set up"),
        "{text}"
    );
    assert!(text.contains("! altinn3: no Altinn token"), "{text}");
    assert!(text.contains("! altinn3: no subscription key"), "{text}");
    assert!(text.contains("! altinn3: no resource id"), "{text}");
    // KoFuVi without the enterprise certificate cannot work at all.
    let mut cmd = command();
    cmd.env("ALTINN_SUBSCRIPTION_KEY", "sk-doctor-678")
        .env("ALTINN_TOKEN", "tok-doctor-901");
    let out = run(
        cmd,
        &[
            "--backend",
            "altinn3",
            "--platform-url",
            NOWHERE,
            "--official-contacts-source",
            "kofuvi",
            "--resource-id",
            "res-1",
            "doctor",
        ],
    );
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("✓ altinn3: a subscription key is given"),
        "{text}"
    );
    assert!(
        text.contains("✓ altinn3: personal contacts for resource res-1"),
        "{text}"
    );
    assert!(
        text.contains("✗ altinn3: official contacts from KoFuVi need the enterprise certificate"),
        "{text}"
    );
    for secret in ["sk-doctor", "tok-doctor"] {
        assert!(
            !text.contains(secret) && !stderr(&out).contains(secret),
            "{text}"
        );
    }
}
