//! How a command fails: the one `error:` line on stderr and the exit code.

use std::fmt::Display;

/// Exit code of a usage error or invalid input, found before any request.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code of an API, transport or decode error (bulk: an error line in the output).
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit code of a call the backend has no way to make (`Error::Unsupported`: a call of
/// Altinn 2 with no successor on `--backend altinn3`, an id kind a backend does not know).
pub(crate) const EXIT_UNSUPPORTED: u8 = 3;
/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// A failed command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Wrong usage or invalid input; nothing was sent.
    Usage(String),
    /// A call failed.
    Api(altinn_contacts::Error),
    /// Anything else that failed after the input was accepted (I/O, the sandbox).
    Failed(String),
    /// Ctrl-C.
    Interrupted(String),
    /// The reader closed standard output (`| head`): the command stops early and quietly, with
    /// exit 0, as `cat`, `grep` and ripgrep do.
    OutputClosed,
}

impl CliError {
    /// A usage error from anything displayable (an `InvalidInput`, a `ConfigError` ...).
    pub(crate) fn usage(e: impl Display) -> Self {
        CliError::Usage(e.to_string())
    }

    /// A failure with some context.
    pub(crate) fn failed(context: &str, e: impl Display) -> Self {
        CliError::Failed(format!("{context}: {e}"))
    }

    /// An error writing standard output: a reader that went away (broken pipe) is
    /// [`CliError::OutputClosed`], anything else a failure.
    pub(crate) fn stdout(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::OutputClosed
        } else {
            CliError::failed("writing the output", e)
        }
    }

    /// Whether the command ends without an `error:` line.
    pub(crate) fn is_quiet(&self) -> bool {
        matches!(self, CliError::OutputClosed)
    }

    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::OutputClosed => 0,
            CliError::Usage(_) => EXIT_USAGE,
            // The API layer refuses bad input before sending, like the CLI's own checks.
            CliError::Api(altinn_contacts::Error::InvalidInput(_)) => EXIT_USAGE,
            CliError::Api(altinn_contacts::Error::Unsupported(_)) => EXIT_UNSUPPORTED,
            CliError::Api(_) | CliError::Failed(_) => EXIT_FAILED,
            CliError::Interrupted(_) => EXIT_INTERRUPTED,
        }
    }

    /// The `error: ...` line: one line, identity numbers masked. [`CliError::OutputClosed`]
    /// has one too, but [`crate::main`] does not print it.
    pub(crate) fn line(&self) -> String {
        let text = match self {
            CliError::OutputClosed => "the reader closed standard output".to_owned(),
            CliError::Usage(m) | CliError::Failed(m) | CliError::Interrupted(m) => m.clone(),
            CliError::Api(e) => e.to_string(),
        };
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "error: {}",
            altinn_contacts::redact_identity_numbers(flat.trim())
        )
    }
}

impl From<altinn_contacts::Error> for CliError {
    fn from(e: altinn_contacts::Error) -> Self {
        CliError::Api(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts::{Error, HttpFailure, Operation};

    #[test]
    fn api_errors_make_one_line_with_status_and_message() {
        let e = CliError::from(Error::from_status(
            HttpFailure::new(
                Operation::GetOrganization,
                400,
                "Invalid organization number:\r\n0000000",
            ),
            None,
        ));
        assert_eq!(e.exit_code(), 1);
        let line = e.line();
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        assert!(line.starts_with("error: get organization: HTTP 400 Invalid organization number:"));
    }

    #[test]
    fn invalid_input_is_a_usage_error() {
        let bad = "12"
            .parse::<altinn_contacts::OrganizationNumber>()
            .unwrap_err();
        assert_eq!(CliError::Api(Error::InvalidInput(bad)).exit_code(), 2);
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert!(
            !CliError::Failed("id 06117701547".into())
                .line()
                .contains("0611770")
        );
    }

    #[test]
    fn an_unsupported_call_has_its_own_exit_code_and_names_what_is_missing() {
        let e = CliError::from(Error::Unsupported(altinn_contacts::Unsupported::new(
            Operation::SearchOrganizations,
            "altinn3",
            "Altinn 3 has no search of organizations by e-mail or phone for service owners",
        )));
        assert_eq!(e.exit_code(), 3);
        assert_eq!(
            e.line(),
            "error: search organizations: not supported by the altinn3 backend: Altinn 3 has no \
             search of organizations by e-mail or phone for service owners"
        );
    }

    #[test]
    fn a_closed_stdout_ends_quietly_with_exit_0() {
        let closed = CliError::stdout(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(matches!(closed, CliError::OutputClosed));
        assert_eq!(closed.exit_code(), 0);
        assert!(closed.is_quiet());
        let full = CliError::stdout(std::io::Error::other("disk full"));
        assert_eq!(full.exit_code(), 1);
        assert!(!full.is_quiet());
        assert_eq!(full.line(), "error: writing the output: disk full");
    }
}
