//! `completions SHELL`: the shell completion script (clap_complete), printed to standard output.

use std::io::Write;

use clap_complete::Shell;

use crate::error::CliError;

/// The binary's name, as the scripts complete it.
const BIN: &str = "altinn-contacts";

/// The completion script of `shell` for the whole command line.
pub(crate) fn script(shell: Shell) -> Vec<u8> {
    // Generated into memory: clap_complete panics when its writer fails, and a reader that
    // closes standard output early must end the command quietly instead.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::command(), BIN, &mut script);
    script
}

/// Prints the completion script of `shell`.
pub(crate) fn run(shell: Shell) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(&script(shell))
        .and_then(|()| out.flush())
        .map_err(CliError::stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_binary_and_its_commands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let text = String::from_utf8(script(shell)).unwrap();
            assert!(text.contains(BIN), "{shell}: {text}");
            for command in ["official-contacts", "organizations", "bulk", "completions"] {
                assert!(text.contains(command), "{shell}: no {command}");
            }
            // Options too, global ones included.
            assert!(text.contains("api-key"), "{shell}: no --api-key");
        }
    }
}
