//! Profiles in `config.toml`: the order flag > environment > profile > default, a missing
//! profile or file, secrets refused in the file, `api_key_command`, and `config show`. Each test
//! has its own config directory (`XDG_CONFIG_HOME`, and `HOME` for the fallback).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// A loopback port nothing listens on: a request there is refused at once.
const DEAD: &str = "http://127.0.0.1:1";

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
fn flag_beats_environment_beats_profile_beats_default() {
    let sandbox = sandbox(0);
    let dir = scratch("profiles-precedence");
    config(
        &dir,
        &format!(
            "profile = \"work\"\n\n[profiles.work]\nbase_url = \"{}\"\nretries = 0\n\
             format = \"jsonl\"\n\n[profiles.dead]\nbase_url = \"{DEAD}\"\nretries = 0\n",
            sandbox.base_url()
        ),
    );
    let call = ["official-contacts", "910021451"];

    // Neither flag nor variable: the profile's base URL and format are used.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_API_KEY", sandbox.api_key())
        .env("ALTINN_PROFILE", "work");
    let out = run(cmd, &call);
    assert_code(&out, 0);
    assert!(!json_lines(&stdout(&out)).is_empty(), "{}", stdout(&out));

    // The dead profile alone fails: its URL is really the one used...
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_API_KEY", sandbox.api_key());
    let out = run(
        cmd,
        &["--profile", "dead", "official-contacts", "910021451"],
    );
    assert_code(&out, 1);
    // ...and the environment overrides it,
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_API_KEY", sandbox.api_key())
        .env("ALTINN_BASE_URL", sandbox.base_url());
    let out = run(
        cmd,
        &["--profile", "dead", "official-contacts", "910021451"],
    );
    assert_code(&out, 0);
    // ...and a flag overrides the environment.
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_API_KEY", sandbox.api_key())
        .env("ALTINN_BASE_URL", DEAD);
    let base = sandbox.base_url();
    let out = run(
        cmd,
        &[
            "--base-url",
            base,
            "--profile",
            "dead",
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 0);

    // `config show` names each source.
    let text = show(&run(cli(&dir), &["config", "show"]));
    assert!(text.contains("profile = work (config file)"), "{text}");
    assert!(
        text.contains(&format!("base_url = {} (profile work)", sandbox.base_url())),
        "{text}"
    );
    assert!(text.contains("format = jsonl (profile work)"), "{text}");
    assert!(text.contains("env = production (default)"), "{text}");
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_BASE_URL", DEAD).env("ALTINN_ENV", "tt02");
    let text = show(&run(cmd, &["config", "show", "--format", "csv"]));
    assert!(
        text.contains(&format!("base_url = {DEAD} (env ALTINN_BASE_URL)")),
        "{text}"
    );
    assert!(text.contains("env = tt02 (env ALTINN_ENV)"), "{text}");
    assert!(text.contains("format = csv (flag)"), "{text}");
    assert!(text.contains("retries = 0 (profile work)"), "{text}");
}

#[test]
fn a_default_profile_is_used_without_a_choice() {
    let dir = scratch("profiles-default");
    let file = config(
        &dir,
        "[profiles.default]\nenv = \"tt02\"\ncert = \"certs/v.p12\"\nconcurrency = 3\n",
    );
    let text = show(&run(cli(&dir), &["config", "show"]));
    assert!(text.contains("profile = default (default)"), "{text}");
    assert!(text.contains("env = tt02 (profile default)"), "{text}");
    assert!(text.contains("concurrency = 3 (profile default)"), "{text}");
    // A relative path is relative to the config file.
    let cert = file.parent().unwrap().join("certs").join("v.p12");
    assert!(
        text.contains(&format!("cert = {} (profile default)", cert.display())),
        "{text}"
    );
    // No file at all is fine: the built-in defaults.
    let empty = scratch("profiles-none");
    let text = show(&run(cli(&empty), &["config", "show"]));
    assert!(text.contains("(not found)"), "{text}");
    assert!(text.contains("env = production (default)"), "{text}");
}

#[test]
fn a_missing_profile_or_file_is_a_usage_error_naming_it() {
    let dir = scratch("profiles-missing");
    let file = config(&dir, "[profiles.work]\nenv = \"tt02\"\n");
    for (flags, env) in [(&["--profile", "nope"][..], None), (&[][..], Some("nope"))] {
        let mut cmd = cli(&dir);
        if let Some(name) = env {
            cmd.env("ALTINN_PROFILE", name);
        }
        let mut args = flags.to_vec();
        args.extend(["official-contacts", "910021451"]);
        let out = run(cmd, &args);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("\"nope\""), "{err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
    }
    // A profile asked for with no file at all.
    let empty = scratch("profiles-missing-nofile");
    let out = run(cli(&empty), &["--profile", "work", "config", "show"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("config.toml"), "{}", stderr(&out));
    // A --config file that does not exist.
    let gone = dir.join("gone.toml");
    let gone_text = gone.display().to_string();
    let out = run(cli(&dir), &["--config", &gone_text, "config", "show"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains(&gone_text), "{}", stderr(&out));
    // An unknown key is named.
    let typo = dir.join("typo.toml");
    std::fs::write(&typo, "[profiles.work]\nbase_ulr = \"x\"\n").unwrap();
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_CONFIG", &typo);
    let out = run(cmd, &["config", "show"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("base_ulr"), "{}", stderr(&out));
}

#[test]
fn a_profile_holding_a_secret_is_refused_with_where_secrets_go() {
    let dir = scratch("profiles-secret");
    for (key, hint) in [
        ("api_key", "ALTINN_API_KEY"),
        ("cert_password", "ALTINN_CERT_PASSWORD"),
        ("token", "ALTINN_TOKEN"),
    ] {
        config(
            &dir,
            &format!("[profiles.default]\nenv = \"tt02\"\n{key} = \"hush-1234\"\n"),
        );
        let out = run(cli(&dir), &["official-contacts", "910021451"]);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.contains(key) && err.contains("secret"), "{err}");
        assert!(err.contains(hint), "{err}");
        assert!(err.contains(&format!("{key}_command")), "{err}");
        assert!(!err.contains("hush-1234"), "{err}");
    }
}

#[test]
fn api_key_command_supplies_the_key_and_a_failing_one_is_a_usage_error() {
    let sandbox = sandbox(0);
    let dir = scratch("profiles-command");
    let with_command = |command: &str| {
        config(
            &dir,
            &format!(
                "[profiles.default]\nbase_url = \"{}\"\nretries = 0\napi_key_command = {command:?}\n",
                sandbox.base_url()
            ),
        );
    };
    with_command(&format!("printf '%s\\n' '{}'", sandbox.api_key()));
    let out = run(
        cli(&dir),
        &["--format", "jsonl", "official-contacts", "910021451"],
    );
    assert_code(&out, 0);
    // A wrong key from the command is really sent (and refused by the sandbox).
    with_command("echo not-the-key");
    let out = run(cli(&dir), &["official-contacts", "910021451"]);
    assert_code(&out, 1);
    // The environment wins over the command (which is then not run).
    with_command("exit 7");
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_API_KEY", sandbox.api_key());
    assert_code(&run(cmd, &["official-contacts", "910021451"]), 0);
    // A failing command: exit 2, its output not echoed.
    for failing in [
        "echo leaked-out-42; exit 3",
        "echo leaked-out-42 >&2; exit 1",
        "true",
    ] {
        with_command(failing);
        let out = run(cli(&dir), &["official-contacts", "910021451"]);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("api_key_command"), "{err}");
        assert!(!err.contains("leaked-out-42"), "{err}");
        assert!(!stdout(&out).contains("leaked-out-42"));
    }
    // `config show` does not run it, and shows the key as set by the command.
    with_command("echo leaked-out-42");
    let text = show(&run(cli(&dir), &["config", "show"]));
    assert!(
        text.contains("api_key = ******** (command, profile default)"),
        "{text}"
    );
    assert!(!text.contains("leaked-out-42"), "{text}");
}

#[test]
fn config_show_masks_secrets_and_names_their_sources() {
    let dir = scratch("profiles-show");
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_API_KEY", "sekret-key-777")
        .env("ALTINN_CERT_PASSWORD", "sekret-pw-888");
    let out = run(cmd, &["--token", "sekret-tok-999", "config", "show"]);
    let text = show(&out);
    assert!(
        text.contains("api_key = ******** (env ALTINN_API_KEY)"),
        "{text}"
    );
    assert!(
        text.contains("cert_password = ******** (env ALTINN_CERT_PASSWORD)"),
        "{text}"
    );
    assert!(text.contains("token = ******** (flag)"), "{text}");
    for secret in ["sekret-key-777", "sekret-pw-888", "sekret-tok-999"] {
        assert!(!text.contains(secret), "{text}");
        assert!(!stderr(&out).contains(secret));
    }
}

#[test]
fn a_profile_completes_options_that_need_each_other() {
    let dir = scratch("profiles-pairs");
    config(&dir, "[profiles.default]\naltinn_exchange = true\n");
    let exchange = format!("{DEAD}/exchange");
    let text = show(&run(
        cli(&dir),
        &["--exchange-url", &exchange, "config", "show"],
    ));
    assert!(
        text.contains("altinn_exchange = true (profile default)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("exchange_url = {exchange} (flag)")),
        "{text}"
    );
    // Without the profile, --exchange-url alone is still a usage error.
    config(&dir, "[profiles.default]\nenv = \"tt02\"\n");
    let out = run(cli(&dir), &["--exchange-url", &exchange, "config", "show"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("--altinn-exchange"),
        "{}",
        stderr(&out)
    );
    // A token and Maskinporten exclude each other whichever layer each comes from.
    config(
        &dir,
        "[profiles.default]\nmaskinporten_client_id = \"abc\"\n",
    );
    let mut cmd = cli(&dir);
    cmd.env("ALTINN_TOKEN", "tok-secret-55");
    let out = run(cmd, &["official-contacts", "910021451"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("exclude each other"), "{err}");
    assert!(!err.contains("tok-secret-55"), "{err}");
}
