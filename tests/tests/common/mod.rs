//! Shared by the end-to-end tests: finding the `altinn-contacts` binary, running it against a
//! sandbox, and reading its output.

#![allow(dead_code)] // Each test file uses a different part of this module.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use altinn_contacts_sandbox::{FaultConfig, Sandbox};
use serde_json::Value;

/// The `altinn-contacts` binary: `$ALTINN_CONTACTS_BIN`, else `<target>/<profile>/altinn-contacts`
/// next to this test's own `deps/` directory. `cargo test --workspace` builds it (the CLI package
/// has an integration test of its own); when it is missing, it is built here once.
pub(crate) fn bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("ALTINN_CONTACTS_BIN") {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "ALTINN_CONTACTS_BIN={} is not a file",
                path.display()
            );
            return path;
        }
        let exe = std::env::current_exe().expect("the test binary knows its path");
        // <target>/debug/deps/<test>-<hash>  ->  <target>/debug/altinn-contacts
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("the test binary lives in <target>/<profile>/deps");
        let path = profile_dir.join(format!("altinn-contacts{}", std::env::consts::EXE_SUFFIX));
        if !path.is_file() {
            build_cli();
        }
        assert!(
            path.is_file(),
            "the altinn-contacts binary is missing at {}: run `cargo build -p altinn-contacts-cli` \
             (or `cargo test --workspace`), or set ALTINN_CONTACTS_BIN",
            path.display()
        );
        path
    })
    .clone()
}

/// Builds the CLI with the cargo that runs these tests (only when its binary is missing).
fn build_cli() {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return;
    };
    let status = Command::new(cargo)
        .args([
            "build",
            "-p",
            "altinn-contacts-cli",
            "--bin",
            "altinn-contacts",
        ])
        .status();
    assert!(
        matches!(status, Ok(s) if s.success()),
        "`cargo build -p altinn-contacts-cli` failed: {status:?}"
    );
}

/// A sandbox on 127.0.0.1:0 with its own runtime (the binary runs as a child process).
pub(crate) fn sandbox(organizations: usize) -> Sandbox {
    sandbox_with(organizations, FaultConfig::new())
}

pub(crate) fn sandbox_with(organizations: usize, faults: FaultConfig) -> Sandbox {
    Sandbox::builder()
        .organizations(organizations)
        .faults(faults)
        .start_blocking()
        .expect("the sandbox starts")
}

/// The binary with no `ALTINN_*` variables from the environment of the test run, and no config
/// file.
pub(crate) fn command() -> Command {
    let mut cmd = Command::new(bin());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ALTINN_") {
            cmd.env_remove(name);
        }
    }
    // No profile from the machine's own config file: a config home that does not exist.
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("altinn-contacts-e2e-no-config-home"),
    );
    cmd.stdin(Stdio::null());
    cmd
}

/// The binary pointed at `sandbox` through the environment variables.
pub(crate) fn against(sandbox: &Sandbox) -> Command {
    let mut cmd = command();
    cmd.env("ALTINN_BASE_URL", sandbox.base_url())
        .env("ALTINN_API_KEY", sandbox.api_key());
    cmd
}

/// Runs `cmd` with `args` to the end.
pub(crate) fn run(mut cmd: Command, args: &[&str]) -> Output {
    cmd.args(args).output().expect("the binary runs")
}

/// Runs the binary against `sandbox` with `args`.
pub(crate) fn run_against(sandbox: &Sandbox, args: &[&str]) -> Output {
    run(against(sandbox), args)
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing stderr when it differs.
#[track_caller]
pub(crate) fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Every line of the output as a JSON value.
pub(crate) fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

/// A child process that is killed when dropped (a failed assertion must not leave it running).
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A scratch directory in the system temp directory, emptied first.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("altinn-contacts-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The served numbers that are valid organization numbers (the quirk record `"00210    "` is not).
pub(crate) fn valid_numbers(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .organization_numbers()
        .into_iter()
        .filter(|n| n.parse::<altinn_contacts::OrganizationNumber>().is_ok())
        .collect()
}

/// The binary on `--backend altinn3` pointed at `sandbox`'s successor emulations through the
/// environment variables (its URLs, resource id, subscription key and pre-issued token).
pub(crate) fn against_successors(sandbox: &Sandbox) -> Command {
    let mut cmd = command();
    cmd.env("ALTINN_BACKEND", "altinn3")
        .env("ALTINN_PLATFORM_URL", sandbox.platform_url())
        .env("ALTINN_KOFUVI_URL", sandbox.kofuvi_url())
        .env(
            "ALTINN_ENHETSREGISTERET_URL",
            sandbox.enhetsregisteret_url(),
        )
        .env("ALTINN_RESOURCE_ID", sandbox.resource_id())
        .env("ALTINN_TOKEN", sandbox.successor_token());
    if let Some(key) = sandbox.subscription_key() {
        cmd.env("ALTINN_SUBSCRIPTION_KEY", key);
    }
    cmd
}

/// A running `altinn-contacts serve`: the child process, its base URL, and the file its stderr
/// (the log) goes to.
pub(crate) struct Gateway {
    pub(crate) child: Running,
    pub(crate) base_url: String,
    pub(crate) log: PathBuf,
}

impl Gateway {
    /// Starts `cmd` (the binary with its backend configured) as `-v serve --listen
    /// 127.0.0.1:0 --gateway-api-key caller_key` plus `extra`, and waits for the line with its
    /// URL.
    pub(crate) fn start(mut cmd: Command, name: &str, caller_key: &str, extra: &[&str]) -> Self {
        use std::io::{BufRead, BufReader};
        let log = scratch(name).join("serve.log");
        cmd.args([
            "-v",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--gateway-api-key",
            caller_key,
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap());
        let mut child = Running(cmd.spawn().expect("serve starts"));
        let mut first = String::new();
        BufReader::new(child.0.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let base_url = first
            .split_once(" at ")
            .and_then(|(_, rest)| rest.split_once("/api/serviceowner/"))
            .map(|(url, _)| url.to_owned())
            .unwrap_or_else(|| {
                panic!(
                    "no URL in {first:?}; log: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        Gateway {
            child,
            base_url,
            log,
        }
    }

    /// The binary on its default altinn2 backend, pointed at this gateway with `caller_key`.
    pub(crate) fn client(&self, caller_key: &str) -> Command {
        let mut cmd = command();
        cmd.env("ALTINN_BASE_URL", &self.base_url)
            .env("ALTINN_API_KEY", caller_key);
        cmd
    }

    /// Ctrl-C, then the exit code and the whole log.
    pub(crate) fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.child.0.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let status = self.child.0.wait().unwrap();
        (
            status.code(),
            std::fs::read_to_string(&self.log).unwrap_or_default(),
        )
    }
}
