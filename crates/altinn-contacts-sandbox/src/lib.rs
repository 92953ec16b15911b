#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`Sandbox`] and its [`SandboxBuilder`]: start, [`Sandbox::base_url`], [`Sandbox::api_key`],
//!   [`Sandbox::shutdown`], [`Sandbox::run_until`], [`SandboxBuilder::start_blocking`].
//! - Data: [`OrganizationRecord`], [`PersonRecord`].
//! - Faults: [`FaultConfig`], [`Sandbox::faults`], [`Fault`].
//! - Maskinporten: [`SandboxBuilder::maskinporten`], [`maskinporten::MaskinportenConfig`].
//! - What it received: [`Sandbox::requests`], [`RecordedRequest`].
//! - Altinn's error texts: [`messages`].
//! - The services that replaced Altinn 2 (Profile, Access Management, KoFuVi, Enhetsregisteret):
//!   [`successors`], [`SandboxBuilder::successors`], [`Sandbox::platform_url`].
#![cfg_attr(docsrs, feature(doc_cfg))]

mod catalogue;
mod dataset;
mod error;
mod faults;
mod generate;
mod handler;
pub mod maskinporten;
mod memory;
mod recorder;
mod records;
mod seed;
mod server;
pub mod successors;
#[cfg(feature = "test-pki")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-pki")))]
pub mod test_pki;

/// The largest page `$top` allows; larger values are clamped to it.
pub use altinn_contacts_server::MAX_PAGE_SIZE;
/// Altinn's error texts, sent as reason phrases (the contract's, shared with the gateway).
pub use altinn_contacts_server::messages;
pub use error::{Error, Result};
pub use faults::{Fault, FaultConfig, Faults};
pub use maskinporten::MaskinportenConfig;
pub use recorder::RecordedRequest;
pub use records::{OrganizationRecord, PersonRecord};
pub use server::{
    DEFAULT_API_KEY, DEFAULT_ORGANIZATIONS, DEFAULT_REQUEST_LOG_CAPACITY, DEFAULT_SEED, Sandbox,
    SandboxBuilder,
};
pub use successors::{SuccessorEndpoint, SuccessorsConfig};
