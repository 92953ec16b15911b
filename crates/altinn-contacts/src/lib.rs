//! Rust SDK for the Altinn ServiceOwner contact-information API: who to notify at a Norwegian
//! organization, looked up one at a time, page by page, or for tens of thousands at once.
//!
//! This is the crate to depend on. It re-exports the models (`altinn-contacts-model`), the
//! identifiers, queries and error (`altinn-contacts-api`) and the transport's configuration
//! types (`altinn-contacts-reqwest`), and adds on top of the plain calls:
//!
//! - [`Client`], generic over the transport: [`Client::builder`] for HTTPS to Altinn,
//!   [`Client::from_api`] for any [`ContactsApi`] (a mock, a fake, another backend).
//! - Paging ([`paging`]): [`Client::organizations`] streams every organization across
//!   `$top`/`$skip` pages.
//! - HAL navigation ([`navigation`]): [`Client::follow_official_contacts`],
//!   [`Client::follow_personal_contacts`], [`Client::follow_roles`] follow a resource's own
//!   `_links`, refusing links to another origin.
//! - Bulk lookups ([`bulk`]): [`Client::bulk_official_contacts`] and
//!   [`Client::bulk_personal_contacts`] with a concurrency limit and a request-rate limit
//!   (retries included; a `429` pauses the whole job), yielding one [`BulkResult`] per input as
//!   each finishes.
//!
//! [`Client`] is cheap to clone (an `Arc` inside); paging streams and bulk jobs hold a clone, so
//! they are `'static + Send` and can be spawned on a task or returned from a function.
//!
//! ```no_run
//! use altinn_contacts::{Client, Environment, Identity, OrganizationNumber};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .environment(Environment::Tt02)
//!     .api_key(std::env::var("ALTINN_API_KEY")?)
//!     .certificate(Identity::from_file("virksomhetssertifikat.p12", Some("password"))?)
//!     .build()?;
//! let org: OrganizationNumber = "910021451".parse()?;
//! for contact in client.official_contacts(&org).await?.items() {
//!     println!("{:?} {:?}", contact.mobile(), contact.email());
//! }
//! # Ok(()) }
//! ```
//!
//! The examples in `examples/` run against the embedded sandbox (`altinn-contacts-sandbox`),
//! without any Altinn credentials. With the `mock` feature, [`MockContactsApi`] (a mockall mock
//! of the trait) is re-exported for tests of code written against [`Client`].

mod builder;
pub mod bulk;
mod client;
pub mod navigation;
pub mod paging;

pub use builder::ClientBuilder;
pub use bulk::{
    BulkJob, BulkOperation, BulkResult, DEFAULT_CONCURRENCY, OfficialContactsLookup, Pacer,
    PersonalContactsLookup, RateLimit, Throttle,
};
pub use client::Client;
pub use navigation::{LinkTarget, NavigationError};
pub use paging::{DEFAULT_PAGE_SIZE, OrganizationPager};

// The API: the trait, identifiers, queries, errors.
#[cfg(feature = "mock")]
pub use altinn_contacts_api::MockContactsApi;
pub use altinn_contacts_api::{
    AuthFailure, ContactPointSearch, ContactsApi, DecodeFailure, Email, Error, Expand, HttpFailure,
    InvalidInput, MAX_PAGE_SIZE, Operation, OrderBy, OrganizationNumber, OrganizationsQuery,
    PersonId, PersonalContactsFilter, PhoneNumber, RoleCode, ServiceCode, ServiceEdition,
    TransportError, TransportFailure, TypeCode, redact_identity_numbers,
};
// The models.
pub use altinn_contacts_model::{
    DecodeError, Link, LinkValue, Links, NationalIdentityNumber, OfficialContact,
    OfficialContactList, OfficialContactListEmbedded, Organization, OrganizationEmbedded,
    OrganizationList, OrganizationListEmbedded, OrganizationType, PersonalContact,
    PersonalContactList, PersonalContactListEmbedded, ReportedOrganizationNumber, Role, RoleList,
    RoleListEmbedded, RoleType, Timestamp, decode, is_valid_organization_number,
};
// The transport and its configuration.
pub use altinn_contacts_reqwest::{
    Certificate, ConfigBuilder, ConfigError, DEFAULT_USER_AGENT, Environment, Identity,
    MaskinportenBuilder, MaskinportenTokenProvider, ReqwestContactsApi, RetryPolicy, SecretString,
    TokenProvider,
};
pub use url::Url;

/// The whole model crate, for what the top-level re-exports leave out (its `timestamp` and
/// `values` modules, serde helpers).
pub use altinn_contacts_model as model;
