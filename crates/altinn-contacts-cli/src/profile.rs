//! Profiles: named settings in `config.toml`, merged under the command line and the environment.
//!
//! The file is `--config PATH` [ALTINN_CONFIG], else `$XDG_CONFIG_HOME/altinn-contacts/config.toml`,
//! else `$HOME/.config/altinn-contacts/config.toml`. The profile is `--profile NAME`
//! [ALTINN_PROFILE], else the file's top-level `profile = "NAME"`, else a profile named `default`
//! when there is one. Each setting comes from, in this order: a flag, its environment variable,
//! the profile, the built-in default; [`apply`] records which, for `config show`.
//!
//! The file never holds secrets (a key that looks like one is refused): the API key, the
//! certificate password, the token and the altinn3 subscription key come from flags,
//! environment variables or a `*_command` in the profile that prints them (run with `sh -c`,
//! like git's credential helpers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, ValueEnum};
use serde::Deserialize;

use std::io::Write as _;

use crate::args::{
    BackendName, BulkCommand, Cli, Command, EnvName, Format, Global, Secret, SourceName,
};
use crate::error::CliError;

/// The config file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The profile used when no `--profile` is given.
    profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One profile: the settings it may hold, named as the options (`-` as `_`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    env: Option<String>,
    base_url: Option<String>,
    cert: Option<PathBuf>,
    ca_cert: Option<PathBuf>,
    format: Option<String>,
    timeout: Option<f64>,
    retries: Option<u32>,
    concurrency: Option<u16>,
    rate: Option<f64>,
    maskinporten_client_id: Option<String>,
    maskinporten_scope: Option<String>,
    maskinporten_url: Option<String>,
    maskinporten_kid: Option<String>,
    maskinporten_key: Option<PathBuf>,
    altinn_exchange: Option<bool>,
    exchange_url: Option<String>,
    backend: Option<String>,
    official_contacts_source: Option<String>,
    resource_id: Option<String>,
    platform_url: Option<String>,
    kofuvi_url: Option<String>,
    enhetsregisteret_url: Option<String>,
    api_key_command: Option<String>,
    cert_password_command: Option<String>,
    token_command: Option<String>,
    subscription_key_command: Option<String>,
}

/// Where a resolved setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable (its name).
    Env(String),
    /// The profile (its name).
    Profile(String),
    /// The profile's `*_command` (the profile's name).
    Command(String),
    /// The config file's top-level `profile = "NAME"`.
    File,
    /// The built-in default.
    Default,
    /// Not set anywhere.
    Unset,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::Profile(name) => write!(f, "profile {name}"),
            Source::Command(name) => write!(f, "command, profile {name}"),
            Source::File => f.write_str("config file"),
            Source::Default => f.write_str("default"),
            Source::Unset => f.write_str("not set"),
        }
    }
}

/// What [`apply`] resolved, for `config show`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Resolution {
    /// The config file and whether it exists.
    pub(crate) file: Option<(PathBuf, bool)>,
    /// Where the file's path came from.
    pub(crate) file_source: Option<Source>,
    /// The profile in use and where its name came from.
    pub(crate) profile: Option<(String, Source)>,
    /// Each setting's source, by setting name.
    pub(crate) sources: BTreeMap<&'static str, Source>,
    /// The profile's bulk defaults (the bulk options live on the bulk commands).
    pub(crate) concurrency: Option<usize>,
    pub(crate) rate: Option<f64>,
}

impl Resolution {
    /// Where `setting` came from.
    pub(crate) fn source(&self, setting: &str) -> Source {
        self.sources.get(setting).cloned().unwrap_or(Source::Unset)
    }
}

/// The default config file: `$XDG_CONFIG_HOME/altinn-contacts/config.toml`, else
/// `$HOME/.config/altinn-contacts/config.toml` (XDG: a relative `XDG_CONFIG_HOME` is ignored).
fn default_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("altinn-contacts").join("config.toml"))
}

/// The source of the argument `id` when it was typed or came from its environment variable.
fn given(matches: &ArgMatches, id: &str) -> Option<Source> {
    match matches.value_source(id)? {
        ValueSource::CommandLine => Some(Source::Flag),
        ValueSource::EnvVariable => Some(Source::Env(env_name(id))),
        _ => None,
    }
}

/// The environment variable of the global option `id`.
fn env_name(id: &str) -> String {
    crate::command()
        .get_arguments()
        .find(|a| a.get_id() == id)
        .and_then(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads the config file, picks the profile and merges it into `cli` under the flags and the
/// environment; then runs the profile's `*_command`s for the secrets not given otherwise.
pub(crate) fn apply(cli: &mut Cli, matches: &ArgMatches) -> Result<(), CliError> {
    let mut res = Resolution::default();
    let (path, explicit) = match &cli.global.config {
        Some(path) => (Some(path.clone()), given(matches, "config")),
        None => (default_file(), None),
    };
    let file = match &path {
        Some(path) => read_file(path, explicit.is_some())?,
        None => None,
    };
    res.file = path.clone().map(|p| {
        let exists = file.is_some();
        (p, exists)
    });
    res.file_source = Some(explicit.unwrap_or(Source::Default));
    let shown = |p: &Option<PathBuf>| {
        p.as_ref().map_or(
            "(no config file: neither XDG_CONFIG_HOME nor HOME is set)".into(),
            |p| p.display().to_string(),
        )
    };

    let chosen = match (&cli.global.profile, &file) {
        (Some(name), _) => Some((
            name.clone(),
            given(matches, "profile").unwrap_or(Source::Flag),
        )),
        (None, Some(f)) => match &f.profile {
            Some(name) => Some((name.clone(), Source::File)),
            None => f
                .profiles
                .contains_key("default")
                .then(|| ("default".to_owned(), Source::Default)),
        },
        (None, None) => None,
    };
    let mut profile = Profile::default();
    let mut pname = String::new();
    if let Some((name, source)) = chosen {
        let found = file.as_ref().and_then(|f| f.profiles.get(&name));
        let Some(found) = found else {
            let what = if file.is_some() {
                "is not in"
            } else {
                "is missing: no file"
            };
            return Err(CliError::Usage(format!(
                "profile {name:?} {what} {} (profiles are [profiles.NAME] tables)",
                shown(&path)
            )));
        };
        profile = found.clone();
        pname = name.clone();
        res.profile = Some((name, source));
    }
    let base = path
        .as_ref()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let in_profile = |key: &str, e: &dyn std::fmt::Display| {
        CliError::Usage(format!("{}: profile {pname:?}: {key}: {e}", shown(&path)))
    };

    // Each setting: a flag or its variable wins; else the profile's value; else the default.
    let g = &mut cli.global;
    let mut pick = |id: &'static str, has: bool| -> bool {
        let source = given(matches, id).unwrap_or_else(|| {
            if has {
                Source::Profile(pname.clone())
            } else if matches.value_source(id) == Some(ValueSource::DefaultValue) {
                Source::Default
            } else {
                Source::Unset
            }
        });
        let take = matches!(source, Source::Profile(_));
        res.sources.insert(id, source);
        take
    };
    if pick("env", profile.env.is_some()) {
        let v = profile.env.as_deref().unwrap_or_default();
        g.env = EnvName::from_str(v, true).map_err(|e| in_profile("env", &e))?;
    }
    if pick("base_url", profile.base_url.is_some()) {
        g.base_url = profile.base_url.clone();
    }
    if pick("cert", profile.cert.is_some()) {
        g.cert = profile.cert.as_deref().map(|p| resolve_path(&base, p));
    }
    if pick("ca_cert", profile.ca_cert.is_some()) {
        g.ca_cert = profile.ca_cert.as_deref().map(|p| resolve_path(&base, p));
    }
    if pick("format", profile.format.is_some()) {
        let v = profile.format.as_deref().unwrap_or_default();
        g.format = Format::from_str(v, true).map_err(|e| in_profile("format", &e))?;
    }
    if pick("timeout", profile.timeout.is_some()) {
        let secs = profile.timeout.unwrap_or_default();
        if !(secs.is_finite() && secs > 0.0) {
            return Err(in_profile(
                "timeout",
                &"it must be a positive number of seconds",
            ));
        }
        g.timeout = Some(Duration::try_from_secs_f64(secs).map_err(|e| in_profile("timeout", &e))?);
    }
    if pick("retries", profile.retries.is_some()) {
        g.retries = profile.retries;
    }
    let mp = &mut g.maskinporten;
    if pick(
        "maskinporten_client_id",
        profile.maskinporten_client_id.is_some(),
    ) {
        mp.maskinporten_client_id = profile.maskinporten_client_id.clone();
    }
    if pick("maskinporten_scope", profile.maskinporten_scope.is_some()) {
        mp.maskinporten_scope = profile.maskinporten_scope.clone().unwrap_or_default();
    }
    if pick("maskinporten_url", profile.maskinporten_url.is_some()) {
        mp.maskinporten_url = profile.maskinporten_url.clone();
    }
    if pick("maskinporten_kid", profile.maskinporten_kid.is_some()) {
        mp.maskinporten_kid = profile.maskinporten_kid.clone();
    }
    if pick("maskinporten_key", profile.maskinporten_key.is_some()) {
        mp.maskinporten_key = profile
            .maskinporten_key
            .as_deref()
            .map(|p| resolve_path(&base, p));
    }
    if pick("altinn_exchange", profile.altinn_exchange.is_some()) {
        mp.altinn_exchange = profile.altinn_exchange.unwrap_or_default();
    }
    if pick("exchange_url", profile.exchange_url.is_some()) {
        mp.exchange_url = profile.exchange_url.clone();
    }
    if pick("backend", profile.backend.is_some()) {
        let v = profile.backend.as_deref().unwrap_or_default();
        g.backend = BackendName::from_str(v, true).map_err(|e| in_profile("backend", &e))?;
    }
    let a3 = &mut g.altinn3;
    if pick(
        "official_contacts_source",
        profile.official_contacts_source.is_some(),
    ) {
        let v = profile
            .official_contacts_source
            .as_deref()
            .unwrap_or_default();
        a3.official_contacts_source = SourceName::from_str(v, true)
            .map_err(|e| in_profile("official_contacts_source", &e))?;
    }
    if pick("resource_id", profile.resource_id.is_some()) {
        a3.resource_id = profile.resource_id.clone();
    }
    if pick("platform_url", profile.platform_url.is_some()) {
        a3.platform_url = profile.platform_url.clone();
    }
    if pick("kofuvi_url", profile.kofuvi_url.is_some()) {
        a3.kofuvi_url = profile.kofuvi_url.clone();
    }
    if pick(
        "enhetsregisteret_url",
        profile.enhetsregisteret_url.is_some(),
    ) {
        a3.enhetsregisteret_url = profile.enhetsregisteret_url.clone();
    }
    let mp = &mut g.maskinporten;
    // These pairs are checked here, not by clap: clap sees neither the profile's values nor
    // which layer a value came from.
    if mp.maskinporten_key.is_some() && mp.maskinporten_kid.is_none() {
        return Err(CliError::Usage(
            "--maskinporten-key needs --maskinporten-kid (the id the key is registered under)"
                .into(),
        ));
    }
    if mp.exchange_url.is_some() && !mp.altinn_exchange {
        return Err(CliError::Usage(
            "--exchange-url needs --altinn-exchange (or altinn_exchange = true in the profile)"
                .into(),
        ));
    }

    // Bulk defaults: the options are the bulk commands' own.
    if let Some(rate) = profile.rate {
        altinn_contacts::RateLimit::per_second(rate).map_err(|e| in_profile("rate", &e))?;
    }
    if profile.concurrency == Some(0) {
        return Err(in_profile("concurrency", &"it must be at least 1"));
    }
    res.concurrency = profile.concurrency.map(usize::from);
    res.rate = profile.rate;
    if let (Command::Bulk(bulk), Some(("bulk", m))) = (&mut cli.command, matches.subcommand())
        && let Some((_, m)) = m.subcommand()
    {
        let args = match bulk {
            BulkCommand::OfficialContacts(a) | BulkCommand::PersonalContacts(a) => a,
        };
        if given(m, "concurrency").is_none()
            && let Some(n) = res.concurrency
        {
            args.concurrency = n;
        }
        if given(m, "rate").is_none() && args.rate.is_none() {
            args.rate = res.rate;
        }
    }

    // Secrets: a flag or a variable, else the profile's command (run only when it is needed).
    let run_commands = !cli.global.sandbox
        && !matches!(
            cli.command,
            Command::Config(_) | Command::Completions { .. } | Command::Sandbox(_)
        );
    let g = &mut cli.global;
    for (id, command, slot) in [
        ("api_key", &profile.api_key_command, &mut g.api_key),
        (
            "cert_password",
            &profile.cert_password_command,
            &mut g.cert_password,
        ),
        ("token", &profile.token_command, &mut g.token),
        (
            "subscription_key",
            &profile.subscription_key_command,
            &mut g.altinn3.subscription_key,
        ),
    ] {
        let source = match (given(matches, id), command) {
            (Some(source), _) => source,
            (None, Some(command)) => {
                if run_commands {
                    *slot = Some(run_secret_command(id, command)?);
                }
                Source::Command(pname.clone())
            }
            (None, None) => Source::Unset,
        };
        res.sources.insert(id, source);
    }
    if g.token.is_some() && g.maskinporten.maskinporten_client_id.is_some() {
        return Err(CliError::Usage(format!(
            "a bearer token ({}) and Maskinporten (maskinporten_client_id, {}) exclude each other: \
             Maskinporten fetches the token",
            res.source("token"),
            res.source("maskinporten_client_id")
        )));
    }
    cli.global.resolution = res;
    Ok(())
}

/// `config show`: each setting on a line, `name = value (source)`; secrets as `********`.
pub(crate) fn show(global: &Global) -> Result<(), CliError> {
    let res = &global.resolution;
    let mut lines = Vec::new();
    let mut line = |name: &str, value: String, source: Source| {
        lines.push(format!("{name} = {value} ({source})"));
    };
    let file = match &res.file {
        Some((path, true)) => path.display().to_string(),
        Some((path, false)) => format!("{} (not found)", path.display()),
        None => "(none)".into(),
    };
    line(
        "config",
        file,
        res.file_source.clone().unwrap_or(Source::Default),
    );
    match &res.profile {
        Some((name, source)) => line("profile", name.clone(), source.clone()),
        None => line("profile", "(none)".into(), Source::Unset),
    }
    let opt = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
    let path = |p: &Option<PathBuf>| opt(p.as_ref().map(|p| p.display().to_string()));
    let name = |v: &dyn ValueEnumName| v.name();
    let mp = &global.maskinporten;
    let settings: Vec<(&str, String)> = vec![
        ("env", name(&global.env)),
        ("base_url", opt(global.base_url.clone())),
        ("cert", path(&global.cert)),
        ("ca_cert", path(&global.ca_cert)),
        ("format", name(&global.format)),
        (
            "timeout",
            opt(global.timeout.map(|t| format!("{}", t.as_secs_f64()))),
        ),
        ("retries", opt(global.retries.map(|r| r.to_string()))),
        (
            "maskinporten_client_id",
            opt(mp.maskinporten_client_id.clone()),
        ),
        ("maskinporten_scope", mp.maskinporten_scope.clone()),
        ("maskinporten_url", opt(mp.maskinporten_url.clone())),
        ("maskinporten_kid", opt(mp.maskinporten_kid.clone())),
        ("maskinporten_key", path(&mp.maskinporten_key)),
        ("altinn_exchange", mp.altinn_exchange.to_string()),
        ("exchange_url", opt(mp.exchange_url.clone())),
        ("backend", name(&global.backend)),
        (
            "official_contacts_source",
            name(&global.altinn3.official_contacts_source),
        ),
        ("resource_id", opt(global.altinn3.resource_id.clone())),
        ("platform_url", opt(global.altinn3.platform_url.clone())),
        ("kofuvi_url", opt(global.altinn3.kofuvi_url.clone())),
        (
            "enhetsregisteret_url",
            opt(global.altinn3.enhetsregisteret_url.clone()),
        ),
    ];
    for (setting, value) in settings {
        line(setting, value, res.source(setting));
    }
    let profile_or_default = |has: bool| match (&res.profile, has) {
        (Some((name, _)), true) => Source::Profile(name.clone()),
        _ => Source::Default,
    };
    line(
        "concurrency",
        res.concurrency
            .unwrap_or(altinn_contacts::DEFAULT_CONCURRENCY)
            .to_string(),
        profile_or_default(res.concurrency.is_some()),
    );
    line(
        "rate",
        opt(res.rate.map(|r| r.to_string())),
        if res.rate.is_some() {
            profile_or_default(true)
        } else {
            Source::Unset
        },
    );
    for (setting, set) in [
        ("api_key", global.api_key.is_some()),
        ("cert_password", global.cert_password.is_some()),
        ("token", global.token.is_some()),
        (
            "subscription_key",
            global.altinn3.subscription_key.is_some(),
        ),
    ] {
        let source = res.source(setting);
        // A `*_command` is not run by `config show`: it is shown as set, by the command.
        let value = if set || matches!(source, Source::Command(_)) {
            "********"
        } else {
            "(none)"
        };
        line(setting, value.into(), source);
    }
    let mut out = std::io::stdout().lock();
    for l in lines {
        writeln!(out, "{l}").map_err(CliError::stdout)?;
    }
    out.flush().map_err(CliError::stdout)
}

/// The name an option value is typed as.
trait ValueEnumName {
    fn name(&self) -> String;
}

impl<T: ValueEnum> ValueEnumName for T {
    fn name(&self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// `~/x` is under the home directory; a relative path is relative to the config file.
fn resolve_path(base: &Path, path: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    base.join(path)
}

/// Reads and checks the config file; `None` when it does not exist and was not asked for.
fn read_file(path: &Path, explicit: bool) -> Result<Option<File>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => {
            return Err(CliError::Usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )));
        }
    };
    parse(&text)
        .map(Some)
        .map_err(|e| CliError::Usage(format!("config file {}: {e}", path.display())))
}

/// Parses the file's text: secrets first (with a message saying where they go), then the
/// settings (an unknown key is named).
fn parse(text: &str) -> Result<File, String> {
    let located = |e: toml::de::Error| {
        let message = e.message().trim().to_owned();
        match e.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or(text);
                format!("line {}: {message}", before.lines().count().max(1))
            }
            None => message,
        }
    };
    let table: toml::Table = toml::from_str(text).map_err(located)?;
    refuse_secrets(&table, "")?;
    toml::from_str(text).map_err(located)
}

/// Refuses a key that holds a secret, anywhere in the file.
fn refuse_secrets(table: &toml::Table, within: &str) -> Result<(), String> {
    for (key, value) in table {
        if is_secret(key) {
            let place = if within.is_empty() {
                String::new()
            } else {
                format!(" in [{within}]")
            };
            return Err(format!(
                "`{key}`{place} is a secret, and secrets are never kept in the config file: {}",
                where_secrets_go(key)
            ));
        }
        if let toml::Value::Table(inner) = value {
            let name = if within.is_empty() {
                key.clone()
            } else {
                format!("{within}.{key}")
            };
            refuse_secrets(inner, &name)?;
        }
    }
    Ok(())
}

fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    !key.ends_with("_command")
        && [
            "api_key",
            "apikey",
            "password",
            "passphrase",
            "token",
            "secret",
            "subscription_key",
            "subscriptionkey",
        ]
        .iter()
        .any(|word| key.contains(word))
}

fn where_secrets_go(key: &str) -> String {
    let (flag, env, command) = match key.to_ascii_lowercase().as_str() {
        "api_key" | "apikey" => ("--api-key", "ALTINN_API_KEY", "api_key_command"),
        "token" => ("--token", "ALTINN_TOKEN", "token_command"),
        "subscription_key" | "subscriptionkey" => (
            "--subscription-key",
            "ALTINN_SUBSCRIPTION_KEY",
            "subscription_key_command",
        ),
        k if k.contains("password") => (
            "--cert-password",
            "ALTINN_CERT_PASSWORD",
            "cert_password_command",
        ),
        _ => {
            return "give secrets with their flag or environment variable (--api-key / \
                    ALTINN_API_KEY, --cert-password / ALTINN_CERT_PASSWORD, --token / \
                    ALTINN_TOKEN), or a *_command in the profile that prints them"
                .into();
        }
    };
    format!(
        "give it with {flag} or {env}, or set {command} = \"...\" in the profile to a command \
         that prints it (e.g. {command} = \"pass show altinn/{}\")",
        key.replace('_', "-")
    )
}

/// Runs a profile's `*_command` with `sh -c` and returns its trimmed standard output. Its output
/// is a secret: no error shows it, nor its stderr (which may echo it), nor the command line
/// (which may hold the secret itself).
fn run_secret_command(id: &str, command: &str) -> Result<Secret, CliError> {
    let fail = |why: String| {
        CliError::Usage(format!(
            "the profile's {id}_command {why}; run it yourself to see why"
        ))
    };
    let out = Process::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| fail(format!("could not be started ({e})")))?;
    if !out.status.success() {
        return Err(fail(format!("failed ({})", out.status)));
    }
    let text = String::from_utf8(out.stdout)
        .map_err(|_| fail("printed something that is not UTF-8".into()))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(fail("printed nothing".into()));
    }
    Ok(Secret::new(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_profiles_parses() {
        let file = parse(
            "profile = \"test\"\n[profiles.test]\nenv = \"tt02\"\ntimeout = 30\nrate = 2.5\n\
             api_key_command = \"pass show altinn/key\"\n",
        )
        .unwrap();
        assert_eq!(file.profile.as_deref(), Some("test"));
        let p = &file.profiles["test"];
        assert_eq!(p.env.as_deref(), Some("tt02"));
        assert_eq!(p.timeout, Some(30.0));
        assert_eq!(p.api_key_command.as_deref(), Some("pass show altinn/key"));
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = parse("[profiles.x]\nbase_ulr = \"http://x\"\n").unwrap_err();
        assert!(e.contains("base_ulr"), "{e}");
        let e = parse("colour = true\n").unwrap_err();
        assert!(e.contains("colour"), "{e}");
        let e = parse("[profiles.x]\nenv = \n").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
    }

    #[test]
    fn secrets_are_refused_with_where_they_go() {
        for (text, hint) in [
            ("[profiles.x]\napi_key = \"k-123\"\n", "ALTINN_API_KEY"),
            (
                "[profiles.x]\ncert_password = \"pw\"\n",
                "ALTINN_CERT_PASSWORD",
            ),
            ("[profiles.x]\ntoken = \"t\"\n", "token_command"),
            (
                "[profiles.x]\nsubscription_key = \"k-123\"\n",
                "subscription_key_command",
            ),
            ("api_key = \"k-123\"\n", "api_key_command"),
            ("[profiles.x]\nclient_secret = \"s\"\n", "*_command"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains("secret") && e.contains(hint), "{text}: {e}");
            assert!(!e.contains("k-123"), "{e}");
        }
        assert!(parse("[profiles.x]\ntoken_command = \"echo t\"\n").is_ok());
    }

    /// Parses `args` and applies the config file `text`.
    fn applied(text: &str, args: &[&str]) -> Result<Cli, CliError> {
        use clap::{CommandFactory, FromArgMatches};
        let dir = std::env::temp_dir().join(format!(
            "altinn-contacts-profile-unit-{}-{}",
            std::process::id(),
            args.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("c{}.toml", text.len()));
        std::fs::write(&path, text).unwrap();
        let mut full = vec!["altinn-contacts", "--config", path.to_str().unwrap()];
        full.extend(args);
        let matches = Cli::command().try_get_matches_from(full).unwrap();
        let mut cli = Cli::from_arg_matches(&matches).unwrap();
        apply(&mut cli, &matches).map(|()| cli)
    }

    #[test]
    fn bulk_defaults_come_from_the_profile_unless_typed() {
        let text = "[profiles.default]\nconcurrency = 3\nrate = 2.5\n";
        let bulk = |cli: Cli| match cli.command {
            Command::Bulk(BulkCommand::OfficialContacts(a)) => (a.concurrency, a.rate),
            _ => unreachable!(),
        };
        let cli = applied(
            text,
            &["--sandbox", "bulk", "official-contacts", "--input", "x"],
        )
        .unwrap();
        assert_eq!(bulk(cli), (3, Some(2.5)));
        let cli = applied(
            text,
            &[
                "--sandbox",
                "bulk",
                "official-contacts",
                "--input",
                "x",
                "--concurrency",
                "7",
                "--rate",
                "1",
            ],
        )
        .unwrap();
        assert_eq!(bulk(cli), (7, Some(1.0)));
        let bad = applied(
            "[profiles.default]\nconcurrency = 0\n",
            &["--sandbox", "organizations"],
        );
        assert_eq!(bad.unwrap_err().exit_code(), 2);
    }

    #[test]
    fn paths_are_relative_to_the_file() {
        let base = Path::new("/etc/altinn");
        assert_eq!(
            resolve_path(base, Path::new("v.p12")),
            Path::new("/etc/altinn/v.p12")
        );
        assert_eq!(
            resolve_path(base, Path::new("/x/v.p12")),
            Path::new("/x/v.p12")
        );
    }
}
