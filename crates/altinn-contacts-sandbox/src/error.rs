//! The error of starting a sandbox.

use std::io;
use std::net::SocketAddr;

/// Why a sandbox did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listen address could not be bound (in use, not local, no permission).
    #[error("sandbox: cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The TLS certificate, key or client CA could not be read or used.
    #[error("sandbox: invalid TLS configuration: {0}")]
    Tls(String),
    /// The builder was given values that cannot work together.
    #[error("sandbox: invalid configuration: {0}")]
    Config(String),
    /// The background runtime of [`SandboxBuilder::start_blocking`](crate::SandboxBuilder::start_blocking)
    /// could not be created.
    #[error("sandbox: cannot start its runtime: {0}")]
    Runtime(#[source] io::Error),
}

/// `Result` with the sandbox's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
