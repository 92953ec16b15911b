//! `bulk official-contacts|personal-contacts`: many organizations from a file, JSON Lines out.
//!
//! - Input: one organization number a line; blank lines and `#` comments are skipped, surrounding
//!   white space and a UTF-8 byte-order mark are dropped, a number repeated later in the file is
//!   looked up once.
//! - Output: one JSON object a line per input number, written and flushed as each result
//!   arrives, so an interrupted job keeps every finished line: `{"OrganizationNumber": "...",
//!   "OfficialContacts": [...]}` (or `"PersonalContacts"`), or `{"OrganizationNumber": "...",
//!   "Error": {"Message": "...", "Status": 404}}` (`Status` only when there was an HTTP answer).
//!   Each line goes out in one write.
//! - `--resume` keeps the output file, skips the numbers already in it, and appends. A last line
//!   cut off by a killed job (no newline at its end) is cut away first, so its number is looked up
//!   again: no number appears twice, none is missing. A whole line that is not a result object
//!   means the file is not this command's output: the command stops with a usage error and
//!   leaves the file alone (it never truncates what it did not write).
//! - The output file may not be the input file (writing it would destroy the input).
//! - A progress bar on stderr when stderr is a terminal; a summary line at the end.
//! - Exit 1 when any lookup of this run failed (invalid numbers included), 130 on Ctrl-C.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use altinn_contacts::{BulkResult, Error, PersonalContactsFilter, RateLimit};
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
    let (mut out, done) = open_output(output.as_deref(), resume)?;
    let (skipped, todo): (Vec<String>, Vec<String>) =
        inputs.numbers.into_iter().partition(|n| done.contains(n));
    let skipped = skipped.len();

    let conn = connect(global, Some(concurrency)).await?;
    let progress = progress_bar(todo.len() as u64);
    let started = Instant::now();
    let mut tally = Tally::default();
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
        .await?
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
        .await?
    };
    progress.finish_and_clear();

    let elapsed = started.elapsed().as_secs_f64();
    let rate = if elapsed > 0.0 {
        tally.done as f64 / elapsed
    } else {
        0.0
    };
    eprintln!(
        "bulk {name}: done {}, failed {}, skipped {skipped} (already in the output), \
         elapsed {elapsed:.2} s, rate {rate:.1}/s{}",
        tally.done,
        tally.failed,
        if finished { "" } else { ", interrupted" },
    );
    if !finished {
        return Err(CliError::Interrupted(format!(
            "interrupted; rerun with --resume to finish ({} done so far)",
            tally.done
        )));
    }
    if tally.failed > 0 {
        return Err(CliError::Failed(format!(
            "{} of {} lookups failed; see the \"Error\" lines in the output",
            tally.failed, tally.done
        )));
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    done: u64,
    failed: u64,
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
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            next = results.next() => {
                let Some(result) = next else { return Ok(true) };
                let line = render_line(&result.input, key, result.outcome.as_ref().map(&items))
                    .map_err(|e| CliError::failed("encoding a result", e))?;
                out.write_line(line.as_bytes())
                    .map_err(|e| CliError::failed("writing the output", e))?;
                tally.done += 1;
                if result.outcome.is_err() {
                    tally.failed += 1;
                }
                progress.inc(1);
            }
            _ = &mut ctrl_c => return Ok(false),
        }
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

/// One output line, newline included, with `OrganizationNumber` first.
fn render_line<I: Serialize>(
    input: &str,
    key: &str,
    outcome: Result<&[I], &Error>,
) -> serde_json::Result<String> {
    let mut line = String::from("{\"OrganizationNumber\":");
    line.push_str(&serde_json::to_string(input)?);
    match outcome {
        Ok(items) => {
            line.push(',');
            line.push_str(&serde_json::to_string(key)?);
            line.push(':');
            line.push_str(&serde_json::to_string(items)?);
        }
        Err(error) => {
            line.push_str(",\"Error\":");
            line.push_str(&serde_json::to_string(&LineError::new(error))?);
        }
    }
    line.push_str("}\n");
    Ok(line)
}

/// The numbers to look up, in file order, each once.
struct Inputs {
    numbers: Vec<String>,
    duplicates: usize,
}

fn read_inputs(path: &Path) -> Result<Inputs, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(parse_inputs(&text))
}

fn parse_inputs(text: &str) -> Inputs {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut seen = HashSet::new();
    let mut numbers = Vec::new();
    let mut duplicates = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if seen.insert(line) {
            numbers.push(line.to_owned());
        } else {
            duplicates += 1;
        }
    }
    Inputs {
        numbers,
        duplicates,
    }
}

/// Where lines go: standard output or a file, each line in one write, flushed.
enum Output {
    Stdout(io::Stdout),
    File(File),
}

impl Output {
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
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

/// Opens the output: standard output, a fresh file, or (with `--resume`) the existing file
/// repaired and opened for appending, with the numbers it already holds.
fn open_output(path: Option<&Path>, resume: bool) -> Result<(Output, HashSet<String>), CliError> {
    let Some(path) = path else {
        return Ok((Output::Stdout(io::stdout()), HashSet::new()));
    };
    let cannot = |e: io::Error| CliError::Usage(format!("cannot open {}: {e}", path.display()));
    if !resume || !path.exists() {
        return Ok((
            Output::File(File::create(path).map_err(cannot)?),
            HashSet::new(),
        ));
    }
    let repaired = repair(path)?;
    if repaired.dropped_bytes > 0 {
        eprintln!(
            "note: cut {} byte(s) of unfinished output at the end of {}; those numbers are looked up again",
            repaired.dropped_bytes,
            path.display()
        );
    }
    let file = OpenOptions::new().append(true).open(path).map_err(cannot)?;
    Ok((Output::File(file), repaired.done))
}

/// What a resumed output file held.
struct Repaired {
    done: HashSet<String>,
    dropped_bytes: u64,
}

/// True when both paths name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Reads the result lines of `path` and truncates a torn last line; a file that is not bulk
/// output is refused unchanged.
fn repair(path: &Path) -> Result<Repaired, CliError> {
    let cannot = |e: io::Error| CliError::Usage(format!("cannot resume {}: {e}", path.display()));
    let bytes = std::fs::read(path).map_err(cannot)?;
    let (done, good) = scan(&bytes).map_err(|line| {
        CliError::Usage(format!(
            "cannot resume {}: line {line} is not a bulk result line, so it is not this \
             command's output (it was left unchanged)",
            path.display()
        ))
    })?;
    let dropped_bytes = (bytes.len() - good) as u64;
    if dropped_bytes > 0 {
        OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|file| file.set_len(good as u64))
            .map_err(cannot)?;
    }
    Ok(Repaired {
        done,
        dropped_bytes,
    })
}

/// The numbers of the result lines of `bytes`, and how many bytes the whole lines take: a last
/// line without its newline (cut off mid-write) is not counted. A whole line that is neither
/// blank nor a result object is an error: its line number (from 1).
fn scan(bytes: &[u8]) -> Result<(HashSet<String>, usize), usize> {
    #[derive(Deserialize)]
    struct Seen {
        #[serde(rename = "OrganizationNumber")]
        organization_number: String,
    }
    let mut done = HashSet::new();
    let mut good = 0;
    for (index, chunk) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(line) = chunk.strip_suffix(b"\n") else {
            break;
        };
        if !line.iter().all(u8::is_ascii_whitespace) {
            let seen = serde_json::from_slice::<Seen>(line).map_err(|_| index + 1)?;
            done.insert(seen.organization_number);
        }
        good += chunk.len();
    }
    Ok((done, good))
}

fn progress_bar(total: u64) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{bar:40.cyan/blue} {pos}/{len} {per_sec} elapsed {elapsed} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts::{HttpFailure, OfficialContact, Operation};
    use std::path::PathBuf;

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("altinn-contacts-cli-{}-{name}", std::process::id()))
    }

    #[test]
    fn inputs_skip_blanks_comments_bom_and_repeats() {
        let inputs =
            parse_inputs("\u{feff}910021451\r\n\n# a comment\n  310524832  \n910021451\nabc\n");
        assert_eq!(inputs.numbers, ["910021451", "310524832", "abc"]);
        assert_eq!(inputs.duplicates, 1);
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
    fn scan_cuts_a_torn_last_line_and_refuses_a_foreign_one() {
        let whole = "{\"OrganizationNumber\":\"1\",\"OfficialContacts\":[]}\n\n{\"OrganizationNumber\":\"2\",\"Error\":{\"Message\":\"x\"}}\r\n";
        let (done, good) = scan(whole.as_bytes()).unwrap();
        assert_eq!(good, whole.len());
        assert_eq!(done.len(), 2);
        let torn = format!("{whole}{{\"OrganizationNumber\":\"3\",\"Offi");
        let (done, good) = scan(torn.as_bytes()).unwrap();
        assert_eq!((done.len(), good), (2, whole.len()));
        // A whole JSON object without its newline was cut off mid-write: redo it.
        let no_newline = format!("{whole}{{\"OrganizationNumber\":\"3\",\"OfficialContacts\":[]}}");
        assert_eq!(scan(no_newline.as_bytes()).unwrap().1, whole.len());
        // Whole lines that are not results: another file, refused wherever they are.
        let garbage = format!("{{\"OrganizationNumber\":\"1\"}}\nnot json\n{whole}");
        assert_eq!(scan(garbage.as_bytes()), Err(2));
        assert_eq!(scan(format!("{whole}910021451\n").as_bytes()), Err(4));
        assert_eq!(scan(b"910021451\n310524832"), Err(1));
        assert_eq!(scan(b"{\"OrganizationNumber\":910021451}\n"), Err(1));
        assert_eq!(scan(b"").unwrap().1, 0);
    }

    #[test]
    fn repair_leaves_a_foreign_file_alone() {
        let path = temp_path("foreign");
        let text = "910021451\n310524832\n# my list\n";
        std::fs::write(&path, text).unwrap();
        let err = repair(&path).err().unwrap();
        assert_eq!(err.exit_code(), 2);
        assert!(err.line().contains("line 1"), "{}", err.line());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn repair_truncates_the_file() {
        let path = temp_path("repair");
        std::fs::write(&path, "{\"OrganizationNumber\":\"1\"}\n{\"Organiz").unwrap();
        let repaired = repair(&path).unwrap();
        assert_eq!(repaired.dropped_bytes, 9);
        assert!(repaired.done.contains("1"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"OrganizationNumber\":\"1\"}\n"
        );
        std::fs::remove_file(&path).unwrap();
    }
}
