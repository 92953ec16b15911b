#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`ReqwestContactsApi`] and its [`ConfigBuilder`] (errors: [`ConfigError`]).
//! - Credentials: [`Identity`], [`Certificate`], [`TokenProvider`],
//!   [`MaskinportenTokenProvider`] (built by [`MaskinportenBuilder`]).
//! - [`Environment`], [`RetryPolicy`], and pacing ([`pacer`]: [`Pacer`], [`Throttle`],
//!   [`RateLimit`]): request rate and server-asked pauses, retries included.
//! - [`shared`]: this transport's HTTP rules (TLS, clear-text refusal, retry waits, pacing,
//!   transport-error classification, secret masking) for other HTTP backends.
//! - [`wire`]: Altinn 2's paths, query names and OData syntax, and [`wire::resolve_link`] from a
//!   HAL href back to a call.

mod client;
mod config;
mod environment;
mod identity;
mod maskinporten;
pub mod pacer;
mod redact;
mod response;
mod retry;
pub mod shared;
mod tls;
mod token;
pub mod wire;

pub use client::{Probe, ReqwestContactsApi};
pub use config::{ConfigBuilder, ConfigError, DEFAULT_USER_AGENT};
pub use environment::Environment;
pub use identity::{Certificate, Identity};
pub use maskinporten::{DEFAULT_SCOPE, MaskinportenBuilder, MaskinportenTokenProvider};
pub use pacer::{Pacer, RateLimit, Throttle};
pub use retry::RetryPolicy;
pub use token::{TokenError, TokenProvider};

/// The attribute that implements [`TokenProvider`], re-exported so implementors need not name
/// `async-trait` in their own manifest.
pub use async_trait::async_trait;
/// The secret type of [`TokenProvider::token`], re-exported for the same reason.
pub use secrecy::SecretString;
