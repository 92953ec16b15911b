//! `--backend altinn3`: the CLI over the services that replaced Altinn 2. Its settings by flag,
//! environment variable and profile (in that order), the subscription key kept out of the
//! config file and out of `config show`, and calls with no successor failing with exit code 3
//! and a line naming what is missing, before anything is sent.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

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
