#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`Client`]: the plain calls, [`Client::builder`] and [`ConfigBuilderExt::build_client`],
//!   [`Client::new`], [`Client::from_api`].
//! - [`paging`]: [`Client::organizations`] and [`OrganizationPager`].
//! - [`navigation`]: [`Client::follow_official_contacts`], [`Client::follow_personal_contacts`],
//!   [`Client::follow_roles`], [`NavigationError`]; the backend resolves links
//!   ([`ContactsApi::resolve_link`], [`LinkRelation`], [`LinkTarget`], [`LinkError`]).
//! - [`bulk`]: [`Client::bulk_official_contacts`], [`Client::bulk_personal_contacts`],
//!   [`BulkJob`], [`BulkResult`], [`RateLimit`].
//! - `recording` (feature `record-replay`): `Recorder`, `Replayer`.
//! - Re-exported: the [`ContactsApi`] trait, identifiers, queries and [`Error`]; the [`model`]
//!   types; the transport's [`ConfigBuilder`] and its settings.
//!
//! [`Client`] is cheap to clone (an `Arc` inside); paging streams and bulk jobs hold a clone, so
//! they are `'static + Send` and can be spawned on a task or returned from a function.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
pub mod bulk;
mod client;
pub mod navigation;
pub mod paging;
#[cfg(feature = "record-replay")]
#[cfg_attr(docsrs, doc(cfg(feature = "record-replay")))]
pub mod recording;

pub use builder::ConfigBuilderExt;
pub use bulk::{
    BulkJob, BulkOperation, BulkResult, DEFAULT_CONCURRENCY, MAX_BATCH, OfficialContactsLookup,
    Pacer, PersonalContactsLookup, RateLimit, Throttle,
};
pub use client::Client;
pub use navigation::NavigationError;
pub use paging::{DEFAULT_PAGE_SIZE, OrganizationPager};

// The API: the trait, identifiers, queries, errors.
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use altinn_contacts_api::MockContactsApi;
pub use altinn_contacts_api::{
    AuthFailure, ContactPointSearch, ContactsApi, CredentialsFailure, DecodeFailure, Email, Error,
    Expand, HttpFailure, InvalidInput, LinkError, LinkRelation, LinkTarget, MAX_PAGE_SIZE,
    Operation, OrderBy, OrganizationNumber, OrganizationsQuery, PersonId, PersonIdKind,
    PersonalContactsFilter, PhoneNumber, RoleCode, ServiceCode, ServiceEdition, TransportError,
    TransportFailure, TypeCode, Unsupported, is_valid_national_identity_number,
    redact_identity_numbers,
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
    MaskinportenBuilder, MaskinportenTokenProvider, Probe, ReqwestContactsApi, RetryPolicy,
    SecretString, TokenError, TokenProvider,
};
pub use url::Url;

/// The whole model crate, for what the top-level re-exports leave out (its `timestamp` and
/// `values` modules, serde helpers).
pub use altinn_contacts_model as model;
