//! Peak memory of `bulk official-contacts` over a million-number input.
//!
//! Runs the `altinn-contacts` binary as a child process against an in-process sandbox and polls
//! the child's `VmHWM` (peak resident set) from `/proc/<pid>/status` every few milliseconds
//! (Linux only). Two runs are measured: a fresh job over the whole input, and a `--resume` of
//! its finished output (which reads the million lines back). The input holds
//! `BULK_MEMORY_NUMBERS` distinct nine-digit numbers (default 1,000,000) plus 5 % repeats; one
//! in `BULK_MEMORY_VALID_EVERY` (default 20) is a valid number the sandbox is asked for (and
//! answers 404), the others fail the mod-11 check and are answered without a request, so the
//! run measures reading, de-duplicating and writing rather than the network.
//!
//! Set `BULK_MEMORY_BASELINE_BIN` to another build of the binary (say, of the previous commit)
//! to measure it in the same run, interleaved, for a ratio.
//!
//! Measured on the 2-core build machine (release, baseline = the commit before streaming):
//!
//! ```text
//! bulk_memory: 1000000 distinct numbers (+5 % repeats), 45454 of them looked up, input 10.0 MiB
//!   baseline: fresh run peak RSS  115.1 MiB in   8.2 s; --resume of its output peak RSS  293.6 MiB in   3.2 s
//! this build: fresh run peak RSS   13.6 MiB in   7.3 s; --resume of its output peak RSS   24.2 MiB in   0.7 s
//! ```
//!
//! ```text
//! cargo bench -p altinn-contacts-cli --bench bulk_memory
//! BULK_MEMORY_BASELINE_BIN=/tmp/old/altinn-contacts cargo bench -p altinn-contacts-cli --bench bulk_memory
//! ```
#![allow(clippy::print_stdout)] // A benchmark prints its figures.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use altinn_contacts_sandbox::Sandbox;

fn main() {
    if !Path::new("/proc/self/status").exists() {
        println!("bulk_memory: needs /proc (Linux); skipped");
        return;
    }
    let count: u32 = env_or("BULK_MEMORY_NUMBERS", 1_000_000);
    let valid_every: u32 = env_or("BULK_MEMORY_VALID_EVERY", 20).max(1);
    let sandbox = Sandbox::builder()
        .organizations(100)
        .start_blocking()
        .expect("the sandbox starts");
    let dir = std::env::temp_dir().join(format!(
        "altinn-contacts-bulk-memory-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let input = dir.join("numbers.txt");
    let requests = write_input(&input, count, valid_every);
    println!(
        "bulk_memory: {count} distinct numbers (+5 % repeats), {requests} of them looked up, \
         input {:.1} MiB",
        mib(std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0) / 1024)
    );

    let mut binaries = vec![(
        "this build",
        PathBuf::from(env!("CARGO_BIN_EXE_altinn-contacts")),
    )];
    if let Some(base) = std::env::var_os("BULK_MEMORY_BASELINE_BIN") {
        binaries.insert(0, ("baseline", PathBuf::from(base)));
    }
    for (name, bin) in &binaries {
        let output = dir.join(format!("out-{}.jsonl", name.replace(' ', "-")));
        let _ = std::fs::remove_file(&output);
        let fresh = measure(bin, &sandbox, &input, &output);
        let resumed = measure_resume(bin, &sandbox, &input, &output);
        println!(
            "{name:>10}: fresh run peak RSS {:6.1} MiB in {:5.1} s; --resume of its output peak RSS {:6.1} MiB in {:5.1} s",
            mib(fresh.0),
            fresh.1.as_secs_f64(),
            mib(resumed.0),
            resumed.1.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Writes the input; returns how many numbers are valid (and so looked up).
fn write_input(path: &Path, count: u32, valid_every: u32) -> u32 {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("the input file"));
    let mut valid = 0;
    let mut base = 10_000_000_u32;
    for i in 0..count {
        // Eight digits and a check digit: the right one for every `valid_every`th number, a
        // wrong one for the rest (each base is used once, so every number is distinct).
        base += 1;
        let digits = format!("{base:08}");
        let good = check_digit(&digits);
        let number = match good {
            Some(d) if i % valid_every == 0 => {
                valid += 1;
                format!("{digits}{d}")
            }
            Some(d) => format!("{digits}{}", (d + 1) % 10),
            None => format!("{digits}0"),
        };
        writeln!(out, "{number}").expect("writing the input");
        if i % 20 == 0 {
            // Repeats, to be de-duplicated.
            writeln!(out, "{number}").expect("writing the input");
        }
    }
    out.flush().expect("writing the input");
    valid
}

/// The mod-11 check digit of eight digits, `None` when there is none (remainder 1).
fn check_digit(digits: &str) -> Option<u32> {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        d => Some(d),
    }
}

fn measure(bin: &Path, sandbox: &Sandbox, input: &Path, output: &Path) -> (u64, Duration) {
    run(bin, sandbox, input, output, false)
}

fn measure_resume(bin: &Path, sandbox: &Sandbox, input: &Path, output: &Path) -> (u64, Duration) {
    run(bin, sandbox, input, output, true)
}

/// Runs one job; returns the child's peak RSS in KiB and the wall time.
fn run(
    bin: &Path,
    sandbox: &Sandbox,
    input: &Path,
    output: &Path,
    resume: bool,
) -> (u64, Duration) {
    let mut cmd = Command::new(bin);
    cmd.env("ALTINN_BASE_URL", sandbox.base_url())
        .env("ALTINN_API_KEY", sandbox.api_key())
        .args([
            "bulk",
            "official-contacts",
            "--concurrency",
            "32",
            "--input",
        ])
        .arg(input)
        .arg("--output")
        .arg(output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if resume {
        cmd.arg("--resume");
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("the binary runs");
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = 0;
    loop {
        if let Some(hwm) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_hwm_kib(&s))
        {
            peak = peak.max(hwm);
        }
        if child.try_wait().expect("waiting for the child").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (peak, started.elapsed())
}

fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
