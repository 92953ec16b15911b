//! `bulk official-contacts|personal-contacts`: many organizations from a file, JSON Lines out.
//!
//! - Input: one organization number a line; blank lines and `#` comments are skipped, surrounding
//!   white space and a UTF-8 byte-order mark are dropped, a number repeated in the file is looked
//!   up once. The input is streamed: nine-digit numbers are kept as `u32`s (sorted, so repeats
//!   fall out), only lines that are not nine digits as strings; a million numbers take a few MiB.
//! - Output: one JSON object a line per distinct input number, written as results arrive, in
//!   batches of whole lines (at 64 KiB, or 100 ms after a batch's first line, and at the end or
//!   on Ctrl-C), so an interrupted job keeps every finished line (a SIGKILL loses at most the
//!   unwritten batch and tears at most the last line, which `--resume` drops):
//!   `{"OrganizationNumber": "...", "OfficialContacts": [...]}` (or `"PersonalContacts"`), or
//!   `{"OrganizationNumber": "...", "Error": {"Message": "...", "Status": 404}}` (`Status` only
//!   when there was an HTTP answer).
//! - An existing non-empty `--output` is refused (usage error, file untouched) unless `--resume`
//!   continues it or `--force` overwrites it. The output is opened only after the input has been
//!   read and the configuration accepted, so a typo in the key destroys nothing.
//! - `--resume` keeps every line that is final: a success, or an error that another lookup would
//!   only repeat (HTTP 404, HTTP 400, an invalid number); no request is sent for those numbers.
//!   Every other error line (401, 403, 429, 5xx, transport, timeout, decode) is looked up again and
//!   replaced by the new line, and numbers without a line are looked up. When lines have to go
//!   (errors to redo, a last line torn by a kill, blank lines, repeats), the kept lines are copied
//!   byte for byte into a new file in the same directory, which is synced and renamed over the
//!   old one (and the directory synced): a kill at any moment leaves the old file or the new one.
//!   A line that is not a result object means the file is not this command's output: the command
//!   stops with a usage error and leaves the file alone.
//! - The output file may not be the input file (writing it would destroy the input).
//! - A progress bar on stderr when stderr is a terminal (without colors under `NO_COLOR`); a
//!   summary line at the end that counts what the output holds.
//! - Exit 0 when the output holds no error line, 1 when it holds any, 130 on Ctrl-C.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use altinn_contacts::{BulkResult, Error, OrganizationNumber, PersonalContactsFilter, RateLimit};
use futures::{Stream, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::args::{BulkArgs, BulkCommand, Global};
use crate::commands::connect;
use crate::error::CliError;

/// Runs a bulk command.
pub(crate) async fn run(global: &Global, command: BulkCommand) -> Result<(), CliError> {
    let (name, args, personal) = match command {
        BulkCommand::OfficialContacts(args) => ("official-contacts", args, false),
        BulkCommand::PersonalContacts(args) => ("personal-contacts", args, true),
    };
    let BulkArgs {
        input,
        output,
        concurrency,
        rate,
        resume,
        force,
    } = args;
    let rate = rate
        .map(RateLimit::per_second)
        .transpose()
        .map_err(CliError::usage)?;
    if let Some(output) = &output
        && same_file(&input, output)
    {
        return Err(CliError::Usage(format!(
            "--output {} is the --input file; write the results elsewhere",
            output.display()
        )));
    }
    let inputs = read_inputs(&input)?;
    if inputs.duplicates > 0 {
        eprintln!(
            "note: {} repeated number(s) in {} are looked up once",
            inputs.duplicates,
            input.display()
        );
    }
    // Decided before connecting; nothing is written until the configuration is accepted.
    let existing = match &output {
        Some(path) => check_output(path, resume, force, &inputs)?,
        None => Existing::default(),
    };
    let conn = connect(global, Some(concurrency)).await?;
    let mut out = open_output(output.as_deref(), &existing)?;

    let total = inputs.len();
    let todo = inputs.todo(&existing);
    let skipped = total - todo.len();
    let progress = progress_bar(todo.len());
    let started = Instant::now();
    let mut tally = Tally {
        ok: existing.kept_ok,
        failed: existing.kept_failed,
        looked_up: 0,
    };
    let client = &conn.client;
    let finished = if personal {
        let mut job = client
            .bulk_personal_contacts(todo, PersonalContactsFilter::new())
            .concurrency(concurrency);
        if let Some(rate) = rate {
            job = job.rate_limit(rate);
        }
        drive(
            job.stream(),
            "PersonalContacts",
            |l| l.items(),
            &mut out,
            &progress,
            &mut tally,
        )
        .await
    } else {
        let mut job = client.bulk_official_contacts(todo).concurrency(concurrency);
        if let Some(rate) = rate {
            job = job.rate_limit(rate);
        }
        drive(
            job.stream(),
            "OfficialContacts",
            |l| l.items(),
            &mut out,
            &progress,
            &mut tally,
        )
        .await
    };
    progress.finish_and_clear();
    let finished = finished?;

    let elapsed = started.elapsed().as_secs_f64();
    let per_second = if elapsed > 0.0 {
        tally.looked_up as f64 / elapsed
    } else {
        0.0
    };
    eprintln!(
        "bulk {name}: done {}, failed {} (lines in the output), looked up {} and skipped \
         {skipped} (already in the output) in this run, elapsed {elapsed:.2} s, rate \
         {per_second:.1}/s{}",
        tally.ok + tally.failed,
        tally.failed,
        tally.looked_up,
        if finished { "" } else { ", interrupted" },
    );
    if !finished {
        return Err(CliError::Interrupted(format!(
            "interrupted; rerun with --resume to finish ({} looked up in this run)",
            tally.looked_up
        )));
    }
    if tally.failed > 0 {
        return Err(CliError::Failed(format!(
            "{} of {} lines in the output are errors; see their \"Error\"; --resume looks up \
             again those that may pass",
            tally.failed,
            tally.ok + tally.failed
        )));
    }
    Ok(())
}

/// What the output holds: lines that succeeded and lines that failed, and what this run did.
struct Tally {
    ok: u64,
    failed: u64,
    looked_up: u64,
}

/// Writes one line per result until the stream ends (`true`) or Ctrl-C (`false`).
async fn drive<T, I, S>(
    mut results: S,
    key: &str,
    items: impl Fn(&T) -> &[I],
    out: &mut Output,
    progress: &ProgressBar,
    tally: &mut Tally,
) -> Result<bool, CliError>
where
    S: Stream<Item = BulkResult<T>> + Unpin,
    I: Serialize,
{
    let mut lines = Lines::new(out);
    // A hidden bar (stderr not a terminal) still takes a lock and reads the clock per `inc`.
    let shown = !progress.is_hidden();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    // One timer, reset when a batch starts (not one per result: a timer entry per line costs
    // the runtime's timer wheel a registration each).
    let flush_timer = tokio::time::sleep(Lines::MAX_WAIT);
    tokio::pin!(flush_timer);
    let finished = loop {
        let pending = lines.flush_at().is_some();
        tokio::select! {
            next = results.next() => {
                let Some(result) = next else { break true };
                lines
                    .push(&result.input, key, result.outcome.as_ref().map(&items))
                    .map_err(|e| CliError::failed("encoding a result", e))?;
                if !pending && let Some(at) = lines.flush_at() {
                    flush_timer.as_mut().reset(at);
                }
                if lines.full() {
                    // A reader that closed the output (`| head`) ends the job quietly;
                    // dropping the stream cancels the lookups in flight.
                    lines.flush().map_err(CliError::stdout)?;
                }
                tally.looked_up += 1;
                if result.outcome.is_err() {
                    tally.failed += 1;
                } else {
                    tally.ok += 1;
                }
                if shown {
                    progress.inc(1);
                }
            }
            () = &mut flush_timer, if pending => {
                lines.flush().map_err(CliError::stdout)?;
            }
            _ = &mut ctrl_c => break false,
        }
    };
    lines.flush().map_err(CliError::stdout)?;
    Ok(finished)
}

/// Finished lines on their way to the output, written whole and in batches: one write per
/// line cost a system call each (and, to a terminal or pipe, a flush each), a visible share of
/// a fast job's time. A batch goes out when it reaches [`Lines::BATCH`] bytes, when its oldest
/// line has waited [`Lines::MAX_WAIT`] (so a slow job still shows its progress in the file),
/// and when the job ends or is interrupted. Only whole lines are written, so a kill loses at
/// most the unwritten batch and, as before, tears at most the last line (which `--resume`
/// drops); a write that fails ends the job.
struct Lines<'a> {
    out: &'a mut Output,
    buf: Vec<u8>,
    /// When the oldest unwritten line arrived.
    oldest: Option<tokio::time::Instant>,
}

impl<'a> Lines<'a> {
    const BATCH: usize = 64 * 1024;
    const MAX_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

    fn new(out: &'a mut Output) -> Self {
        Lines {
            out,
            buf: Vec::with_capacity(Self::BATCH + 4096),
            oldest: None,
        }
    }

    /// Renders one result's line at the end of the batch (nothing of it when encoding fails).
    fn push<I: Serialize>(
        &mut self,
        input: &str,
        key: &str,
        outcome: Result<&[I], &Error>,
    ) -> serde_json::Result<()> {
        let start = self.buf.len();
        if let Err(e) = render_line(&mut self.buf, input, key, outcome) {
            self.buf.truncate(start);
            return Err(e);
        }
        self.oldest.get_or_insert_with(tokio::time::Instant::now);
        Ok(())
    }

    fn full(&self) -> bool {
        self.buf.len() >= Self::BATCH
    }

    /// When the batch must be written at the latest; `None` when it is empty.
    fn flush_at(&self) -> Option<tokio::time::Instant> {
        self.oldest.map(|t| t + Self::MAX_WAIT)
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.out.write_lines(&self.buf)?;
            self.buf.clear();
        }
        self.oldest = None;
        Ok(())
    }
}

/// The `"Error"` object of a line.
#[derive(Serialize)]
struct LineError {
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
}

impl LineError {
    fn new(error: &Error) -> Self {
        // Altinn's own message when there is one; else the whole description.
        let message = error
            .http()
            .map(|h| h.message.trim().to_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| error.to_string());
        LineError {
            message: altinn_contacts::redact_identity_numbers(&message),
            status: error.status(),
        }
    }
}

/// One output line, newline included, with `OrganizationNumber` first, appended to `line`.
fn render_line<I: Serialize>(
    line: &mut Vec<u8>,
    input: &str,
    key: &str,
    outcome: Result<&[I], &Error>,
) -> serde_json::Result<()> {
    line.extend_from_slice(b"{\"OrganizationNumber\":");
    serde_json::to_writer(&mut *line, input)?;
    match outcome {
        Ok(items) => {
            line.push(b',');
            serde_json::to_writer(&mut *line, key)?;
            line.push(b':');
            serde_json::to_writer(&mut *line, items)?;
        }
        Err(error) => {
            line.extend_from_slice(b",\"Error\":");
            serde_json::to_writer(&mut *line, &LineError::new(error))?;
        }
    }
    line.extend_from_slice(b"}\n");
    Ok(())
}

/// The numbers to look up, each once: nine-digit lines as numbers (sorted), other lines (never
/// valid, answered without a request) as strings in file order.
#[derive(Debug, Default)]
struct Inputs {
    digits: Vec<u32>,
    odd: Vec<String>,
    /// The same lines as `odd`, to look them up (they are few, so twice is cheap).
    odd_set: HashSet<String>,
    duplicates: u64,
}

impl Inputs {
    fn len(&self) -> u64 {
        (self.digits.len() + self.odd.len()) as u64
    }

    fn contains(&self, number: &Number) -> bool {
        match number {
            Number::Digits(n) => self.digits.binary_search(n).is_ok(),
            Number::Odd(s) => self.odd_set.contains(s),
        }
    }

    /// The inputs without a final line in the output, as the strings the job looks up, produced
    /// one at a time.
    fn todo(self, existing: &Existing) -> Todo {
        let done = &existing.done_digits;
        let mut d = 0;
        let digits: Vec<u32> = self
            .digits
            .into_iter()
            .filter(|n| {
                // Both sorted: one merge walk.
                while d < done.len() && done[d] < *n {
                    d += 1;
                }
                !(d < done.len() && done[d] == *n)
            })
            .collect();
        let odd: Vec<String> = self
            .odd
            .into_iter()
            .filter(|s| !existing.done_odd.contains(s))
            .collect();
        Todo {
            len: (digits.len() + odd.len()) as u64,
            odd: odd.into_iter(),
            digits: digits.into_iter(),
        }
    }
}

/// The numbers a job looks up: invalid lines first (answered at once), then the numbers.
struct Todo {
    len: u64,
    odd: std::vec::IntoIter<String>,
    digits: std::vec::IntoIter<u32>,
}

impl Todo {
    fn len(&self) -> u64 {
        self.len
    }
}

impl Iterator for Todo {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        self.odd
            .next()
            .or_else(|| self.digits.next().map(|n| format!("{n:09}")))
    }
}

/// An input number: nine ASCII digits as a number, anything else as the trimmed text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Number {
    Digits(u32),
    Odd(String),
}

impl Number {
    fn new(text: &str) -> Number {
        if text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) {
            // Nine digits are below 10^9 < 2^32.
            if let Ok(n) = text.parse::<u32>() {
                return Number::Digits(n);
            }
        }
        Number::Odd(text.to_owned())
    }
}

fn read_inputs(path: &Path) -> Result<Inputs, CliError> {
    let cannot = |e: io::Error| CliError::Usage(format!("cannot read {}: {e}", path.display()));
    let file = File::open(path).map_err(cannot)?;
    parse_inputs(BufReader::with_capacity(1 << 16, file)).map_err(cannot)
}

fn parse_inputs(mut reader: impl BufRead) -> io::Result<Inputs> {
    let mut digits = Vec::new();
    let mut odd = Vec::new();
    let mut odd_set = HashSet::new();
    let mut duplicates = 0;
    let mut line = Vec::new();
    let mut first = true;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let mut text: &str = &text;
        if first {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
            first = false;
        }
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        match Number::new(text) {
            Number::Digits(n) => digits.push(n),
            Number::Odd(s) => {
                if odd_set.insert(s.clone()) {
                    odd.push(s);
                } else {
                    duplicates += 1;
                }
            }
        }
    }
    let read = digits.len();
    digits.sort_unstable();
    digits.dedup();
    digits.shrink_to_fit();
    duplicates += (read - digits.len()) as u64;
    Ok(Inputs {
        digits,
        odd,
        odd_set,
        duplicates,
    })
}

/// Where lines go: standard output or a file, each batch of whole lines in one write, flushed.
enum Output {
    Stdout(io::Stdout),
    File(File),
}

impl Output {
    fn write_lines(&mut self, line: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(out) => {
                let mut lock = out.lock();
                lock.write_all(line)?;
                lock.flush()
            }
            Output::File(file) => file.write_all(line),
        }
    }
}

/// What an existing output file holds and what to do with it.
#[derive(Debug, Default)]
struct Existing {
    /// The file to continue (`--resume` of an existing file); `None` starts a new file.
    path: Option<PathBuf>,
    /// Input numbers with a final line: not looked up again (sorted).
    done_digits: Vec<u32>,
    done_odd: HashSet<String>,
    /// Which whole lines to keep, by index; `None` keeps the file as it is (append).
    keep: Option<Vec<u64>>,
    /// Bytes of whole lines; anything after is a line torn by a kill.
    whole: u64,
    kept_ok: u64,
    kept_failed: u64,
    /// Error lines of input numbers that are looked up again.
    redo: u64,
}

/// How a line counts on `--resume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A success.
    Found,
    /// An error another lookup would only repeat: HTTP 404, HTTP 400, an invalid number.
    Final,
    /// Any other error: looked up again.
    Retry,
}

fn classify(number: &str, status: Option<u16>, error: bool) -> Class {
    if !error {
        Class::Found
    } else if matches!(status, Some(400 | 404)) || number.parse::<OrganizationNumber>().is_err() {
        Class::Final
    } else {
        Class::Retry
    }
}

/// Checks an `--output` before anything is sent: a non-empty file is refused unless `--force`
/// (start over) or `--resume` (read it: which lines stay, which numbers are done).
fn check_output(
    path: &Path,
    resume: bool,
    force: bool,
    inputs: &Inputs,
) -> Result<Existing, CliError> {
    let len = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => {
            return Err(CliError::Usage(format!(
                "cannot open {}: {e}",
                path.display()
            )));
        }
    };
    if len == 0 || force {
        return Ok(Existing::default());
    }
    if !resume {
        return Err(CliError::Usage(format!(
            "--output {} exists and is not empty (it was left unchanged); continue it with \
             --resume or overwrite it with --force",
            path.display()
        )));
    }
    let existing = scan_file(path, inputs)?;
    if existing.whole < len {
        eprintln!(
            "note: {} byte(s) of unfinished output at the end of {} are dropped; those numbers \
             are looked up again",
            len - existing.whole,
            path.display()
        );
    }
    if existing.redo > 0 {
        eprintln!(
            "note: {} error line(s) in {} that may pass now (not 404, 400 or an invalid number) \
             are looked up again",
            existing.redo,
            path.display()
        );
    }
    Ok(existing)
}

/// Opens the output: standard output, a new file, the existing file for appending, or the
/// existing file rewritten crash-safe without the lines that go.
fn open_output(path: Option<&Path>, existing: &Existing) -> Result<Output, CliError> {
    let Some(path) = path else {
        return Ok(Output::Stdout(io::stdout()));
    };
    let cannot = |e: io::Error| CliError::failed(&format!("cannot write {}", path.display()), e);
    if existing.path.is_none() {
        return Ok(Output::File(File::create(path).map_err(cannot)?));
    }
    match &existing.keep {
        None => Ok(Output::File(
            OpenOptions::new().append(true).open(path).map_err(cannot)?,
        )),
        Some(keep) => Ok(Output::File(
            rewrite(path, existing.whole, keep).map_err(cannot)?,
        )),
    }
}

/// The whole lines of a file, one at a time, with their index (blank lines included).
fn whole_lines(
    path: &Path,
    whole: u64,
    mut each: impl FnMut(usize, &[u8]) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let cannot = |e: io::Error| CliError::Usage(format!("cannot resume {}: {e}", path.display()));
    let file = File::open(path).map_err(cannot)?;
    let mut reader = BufReader::with_capacity(1 << 16, io::Read::take(file, whole));
    let mut line = Vec::new();
    let mut index = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(cannot)? == 0 {
            return Ok(());
        }
        each(index, &line)?;
        index += 1;
    }
}

/// A bulk result line, as far as `--resume` reads it.
#[derive(Deserialize)]
struct Seen {
    #[serde(rename = "OrganizationNumber")]
    organization_number: String,
    #[serde(rename = "Error")]
    error: Option<SeenError>,
}

#[derive(Deserialize)]
struct SeenError {
    #[serde(rename = "Status")]
    status: Option<u16>,
}

/// Reads an output file to resume: which lines stay and which input numbers are done. A whole
/// line that is neither blank nor a result object refuses the file (left unchanged).
fn scan_file(path: &Path, inputs: &Inputs) -> Result<Existing, CliError> {
    let whole = whole_length(path)?;
    // Per line with a number: (number, line index, class). Nine-digit numbers compactly.
    let mut digits: Vec<(u32, u32, Class)> = Vec::new();
    let mut odd: HashMap<String, Vec<(u32, Class)>> = HashMap::new();
    let mut lines = 0usize;
    whole_lines(path, whole, |index, line| {
        lines = index + 1;
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let seen: Seen = serde_json::from_slice(body).map_err(|_| {
            CliError::Usage(format!(
                "cannot resume {}: line {} is not a bulk result line, so it is not this \
                 command's output (it was left unchanged)",
                path.display(),
                index + 1
            ))
        })?;
        let index = u32::try_from(index).map_err(|_| {
            CliError::Usage(format!("cannot resume {}: too many lines", path.display()))
        })?;
        let number = seen.organization_number.trim();
        let class = classify(
            number,
            seen.error.as_ref().and_then(|e| e.status),
            seen.error.is_some(),
        );
        match Number::new(number) {
            Number::Digits(n) => digits.push((n, index, class)),
            Number::Odd(s) => odd.entry(s).or_default().push((index, class)),
        }
        Ok(())
    })?;
    digits.sort_unstable_by_key(|&(n, line, _)| (n, line));

    let mut existing = Existing {
        path: Some(path.to_owned()),
        whole,
        ..Existing::default()
    };
    let mut keep = vec![0u64; lines.div_ceil(64)];
    let mut kept_lines = 0usize;
    let mut choose = |number: &Number, group: &mut dyn Iterator<Item = (u32, Class)>| {
        let group: Vec<(u32, Class)> = group.collect();
        let wanted = inputs.contains(number);
        // The first final line wins; a number not in this input keeps its first line whatever
        // it says (it is not looked up, so nothing would replace it).
        let chosen = group
            .iter()
            .find(|(_, c)| *c != Class::Retry)
            .or_else(|| (!wanted).then(|| &group[0]))
            .copied();
        match chosen {
            Some((line, class)) => {
                keep[line as usize / 64] |= 1 << (line % 64);
                kept_lines += 1;
                if class == Class::Found {
                    existing.kept_ok += 1;
                } else {
                    existing.kept_failed += 1;
                }
                class != Class::Retry
            }
            None => {
                existing.redo += 1;
                false
            }
        }
    };
    let mut done_digits = Vec::new();
    let mut start = 0;
    while start < digits.len() {
        let n = digits[start].0;
        let end = start + digits[start..].iter().take_while(|e| e.0 == n).count();
        let mut group = digits[start..end]
            .iter()
            .map(|&(_, line, class)| (line, class));
        if choose(&Number::Digits(n), &mut group) {
            done_digits.push(n);
        }
        start = end;
    }
    let mut done_odd = HashSet::new();
    for (s, entries) in odd {
        let number = Number::Odd(s);
        if choose(&number, &mut entries.into_iter())
            && let Number::Odd(s) = number
        {
            done_odd.insert(s);
        }
    }
    drop(digits);
    existing.done_digits = done_digits;
    existing.done_odd = done_odd;
    // Kept as it is when every whole line stays and nothing is torn.
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(whole);
    if kept_lines < lines || whole < file_len {
        existing.keep = Some(keep);
    }
    Ok(existing)
}

/// Bytes up to and including the last newline.
fn whole_length(path: &Path) -> Result<u64, CliError> {
    let cannot = |e: io::Error| CliError::Usage(format!("cannot resume {}: {e}", path.display()));
    let mut file = File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    // Read back from the end in blocks until a newline.
    let mut end = len;
    let mut block = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(block.len() as u64);
        let buf = &mut block[..(end - start) as usize];
        io::Seek::seek(&mut file, io::SeekFrom::Start(start)).map_err(cannot)?;
        io::Read::read_exact(&mut file, buf).map_err(cannot)?;
        if let Some(at) = buf.iter().rposition(|b| *b == b'\n') {
            return Ok(start + at as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// Writes the kept whole lines of `path` into a new file beside it, syncs it, renames it over
/// `path` and syncs the directory: a kill at any moment leaves the old or the new file. Returns
/// the new file, open for writing at its end.
fn rewrite(path: &Path, whole: u64, keep: &[u64]) -> io::Result<File> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // One fixed name: a run killed while writing it leaves it behind, and the next one reuses it.
    let tmp = dir.join(format!(".{name}.resume-tmp"));
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    let mut writer = BufWriter::with_capacity(1 << 16, file);
    let copied = whole_lines(path, whole, |index, line| {
        if keep
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
        {
            writer
                .write_all(line)
                .map_err(|e| CliError::failed("copying", e))?;
        }
        Ok(())
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(io::Error::other(e.line()));
    }
    let file = writer
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable only once the directory is synced (where that is possible).
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(file)
}

/// True when both paths name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn progress_bar(total: u64) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    // Plain bar characters under NO_COLOR (the bar itself still redraws in place).
    let template = if crate::colors_on_stderr() {
        "{bar:40.cyan/blue} {pos}/{len} {per_sec} elapsed {elapsed} eta {eta}"
    } else {
        "{bar:40} {pos}/{len} {per_sec} elapsed {elapsed} eta {eta}"
    };
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts::{HttpFailure, OfficialContact, Operation};

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("altinn-contacts-cli-{}-{name}", std::process::id()))
    }

    #[test]
    fn inputs_skip_blanks_comments_bom_and_repeats() {
        let inputs = parse_inputs(
            &b"\xef\xbb\xbf910021451\r\n\n# a comment\n  310524832  \n910021451\nabc\nabc\n012345678"[..],
        )
        .unwrap();
        assert_eq!(inputs.digits, [12_345_678, 310_524_832, 910_021_451]);
        assert_eq!(inputs.odd, ["abc"]);
        assert_eq!(inputs.duplicates, 2);
        let todo: Vec<String> = inputs.todo(&Existing::default()).collect();
        // Leading zeros come back; the other lines first, as they need no request.
        assert_eq!(todo, ["abc", "012345678", "310524832", "910021451"]);
    }

    /// One rendered line as text.
    fn render_line<I: Serialize>(
        input: &str,
        key: &str,
        outcome: Result<&[I], &Error>,
    ) -> serde_json::Result<String> {
        let mut line = Vec::new();
        super::render_line(&mut line, input, key, outcome)?;
        Ok(String::from_utf8(line).expect("JSON is UTF-8"))
    }

    #[test]
    fn lines_are_written_whole_in_batches() {
        let path = temp_path("batches");
        let mut out = Output::File(File::create(&path).unwrap());
        let mut lines = Lines::new(&mut out);
        let none: &[OfficialContact] = &[];
        lines
            .push("910021451", "OfficialContacts", Ok(none))
            .unwrap();
        assert!(lines.flush_at().is_some() && !lines.full());
        // Not written until the batch is flushed.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        lines.flush().unwrap();
        assert!(lines.flush_at().is_none());
        let one = "{\"OrganizationNumber\":\"910021451\",\"OfficialContacts\":[]}\n";
        assert_eq!(std::fs::read_to_string(&path).unwrap(), one);
        let mut pushed = 1;
        while !lines.full() {
            lines
                .push("910021451", "OfficialContacts", Ok(none))
                .unwrap();
            pushed += 1;
        }
        lines.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), one.repeat(pushed));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn lines_carry_the_input_and_contacts_or_an_error() {
        let mut c = OfficialContact::default();
        c.email_address = Some("post@firma.no".into());
        let ok = render_line(" 910021451", "OfficialContacts", Ok(&[c][..])).unwrap();
        assert!(ok.ends_with("}\n") && ok.matches('\n').count() == 1);
        let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
        assert_eq!(v["OrganizationNumber"], " 910021451");
        assert_eq!(v["OfficialContacts"][0]["EMailAddress"], "post@firma.no");
        assert!(ok.starts_with("{\"OrganizationNumber\""));

        let e = Error::from_status(
            HttpFailure::new(
                Operation::OfficialContacts,
                404,
                "Organization not found: 910021451",
            ),
            None,
        );
        let line =
            render_line::<OfficialContact>("910021451", "OfficialContacts", Err(&e)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["Error"]["Status"], 404);
        assert_eq!(v["Error"]["Message"], "Organization not found: 910021451");

        let invalid = Error::InvalidInput(
            "x".parse::<altinn_contacts::OrganizationNumber>()
                .unwrap_err(),
        );
        let line = render_line::<OfficialContact>("x", "OfficialContacts", Err(&invalid)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(v["Error"].get("Status").is_none());
        assert!(
            v["Error"]["Message"]
                .as_str()
                .unwrap()
                .contains("organization number")
        );
    }

    #[test]
    fn only_404_400_and_invalid_numbers_are_final() {
        assert_eq!(classify("910021451", None, false), Class::Found);
        assert_eq!(classify("910021451", Some(404), true), Class::Final);
        assert_eq!(classify("910021451", Some(400), true), Class::Final);
        assert_eq!(classify("910021452", None, true), Class::Final);
        assert_eq!(classify("x", None, true), Class::Final);
        for status in [
            None,
            Some(401),
            Some(403),
            Some(429),
            Some(500),
            Some(503),
            Some(200),
        ] {
            assert_eq!(
                classify("910021451", status, true),
                Class::Retry,
                "{status:?}"
            );
        }
    }

    const FOUND_A: &str =
        "{\"OrganizationNumber\":\"910021451\",\"OfficialContacts\":[{\"x\":1}]}\n";
    const RETRY_B: &str = "{\"OrganizationNumber\":\"310524832\",\"Error\":{\"Message\":\"Service Unavailable\",\"Status\":503}}\n";
    const FINAL_C: &str = "{\"OrganizationNumber\":\"974760673\",\"Error\":{\"Message\":\"not found\",\"Status\":404}}\n";
    const INVALID: &str =
        "{\"OrganizationNumber\":\"x\",\"Error\":{\"Message\":\"invalid organization number\"}}\n";
    const RETRY_OTHER: &str =
        "{\"OrganizationNumber\":\"991825827\",\"Error\":{\"Message\":\"timed out\"}}\n";

    #[test]
    fn resume_keeps_final_lines_byte_for_byte_and_drops_the_rest() {
        let path = temp_path("scan");
        let inputs = parse_inputs(&b"910021451\n310524832\n974760673\nx\n123456785\n"[..]).unwrap();
        // A success, a 503 (redo), a 404, an invalid number, a timeout of a number that is not
        // in this input (kept: nothing would replace it), a blank line, a repeated success
        // line, a retry line for a found number, and a torn last line.
        let text = format!(
            "{FOUND_A}{RETRY_B}{FINAL_C}{INVALID}{RETRY_OTHER}\n{FOUND_A}{}{{\"Organiz",
            RETRY_B.replace("310524832", "910021451")
        );
        std::fs::write(&path, &text).unwrap();
        let existing = check_output(&path, true, false, &inputs).unwrap();
        assert_eq!(existing.done_digits, [910_021_451, 974_760_673]);
        assert!(existing.done_odd.contains("x"));
        assert_eq!(
            (existing.kept_ok, existing.kept_failed, existing.redo),
            (1, 3, 1)
        );
        let todo: Vec<String> = inputs.todo(&existing).collect();
        assert_eq!(todo, ["123456785", "310524832"]);
        // Nothing is written before the output is opened.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        let Output::File(mut file) = open_output(Some(&path), &existing).unwrap() else {
            panic!("not a file")
        };
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{FOUND_A}{FINAL_C}{INVALID}{RETRY_OTHER}")
        );
        // The handle writes at the end of the new file.
        file.write_all(b"{\"OrganizationNumber\":\"310524832\",\"OfficialContacts\":[]}\n")
            .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("[]}\n"));
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!dir.join(format!(".{name}.resume-tmp")).exists());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_file_with_only_final_lines_is_appended_to_unchanged() {
        let path = temp_path("append");
        let inputs = parse_inputs(&b"910021451\n974760673\n310524832\n"[..]).unwrap();
        std::fs::write(&path, format!("{FOUND_A}{FINAL_C}")).unwrap();
        let existing = check_output(&path, true, false, &inputs).unwrap();
        assert!(existing.keep.is_none());
        assert_eq!(inputs.todo(&existing).collect::<Vec<_>>(), ["310524832"]);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn an_existing_output_is_refused_without_resume_or_force_and_a_foreign_one_always() {
        let path = temp_path("refuse");
        let inputs = parse_inputs(&b"910021451\n"[..]).unwrap();
        std::fs::write(&path, FOUND_A).unwrap();
        let err = check_output(&path, false, false, &inputs).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.line().contains("--force"), "{}", err.line());
        assert!(
            check_output(&path, false, true, &inputs)
                .unwrap()
                .path
                .is_none()
        );
        // An empty file is no result file to protect.
        std::fs::write(&path, "").unwrap();
        assert!(check_output(&path, false, false, &inputs).is_ok());

        let text = "910021451\n310524832\n# my list\n";
        std::fs::write(&path, text).unwrap();
        let err = check_output(&path, true, false, &inputs).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.line().contains("line 1"), "{}", err.line());
        let garbage = format!("{FOUND_A}not json\n");
        std::fs::write(&path, &garbage).unwrap();
        assert!(
            check_output(&path, true, false, &inputs)
                .unwrap_err()
                .line()
                .contains("line 2")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), garbage);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn whole_length_ends_at_the_last_newline() {
        let path = temp_path("whole");
        for (text, whole) in [("", 0), ("abc", 0), ("a\nb", 2), ("a\nb\n", 4)] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(whole_length(&path).unwrap(), whole, "{text:?}");
        }
        let long = format!("{}\n{}", "x".repeat(200_000), "y".repeat(100_000));
        std::fs::write(&path, &long).unwrap();
        assert_eq!(whole_length(&path).unwrap(), 200_001);
        std::fs::remove_file(&path).unwrap();
    }
}
