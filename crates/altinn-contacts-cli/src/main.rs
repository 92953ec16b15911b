//! The `altinn-contacts` binary; everything is in the library (`src/lib.rs`).

fn main() -> std::process::ExitCode {
    altinn_contacts_cli::main()
}
