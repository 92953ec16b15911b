//! Rust SDK for the Altinn ServiceOwner contact-information API (placeholder docs, WIP).

pub mod bulk;
mod client;
pub mod navigation;
pub mod paging;

#[cfg(feature = "mock")]
pub use altinn_contacts_api::MockContactsApi;
pub use altinn_contacts_api::*;
pub use altinn_contacts_model::*;
pub use bulk::{BulkJob, BulkOperation, BulkResult, RateLimit};
pub use client::Client;
pub use navigation::{LinkTarget, NavigationError};
pub use paging::OrganizationPager;
pub use url::Url;
