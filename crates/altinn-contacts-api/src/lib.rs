#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`ContactsApi`]: one async method per call.
//! - [`ids`]: validated identifiers users type ([`OrganizationNumber`], [`PersonId`], ...).
//! - [`query`]: options of the list and search calls.
//! - [`link`]: HAL navigation as typed values ([`LinkRelation`], [`LinkTarget`], [`LinkError`]).
//! - [`error`]: the one [`Error`] type of every call.
//!
//! # Testing code written against the trait
//!
//! With the `mock` feature, `MockContactsApi` is a [mockall](https://docs.rs/mockall) mock:
//!
//! ```
//! # #[cfg(feature = "mock")]
//! # {
//! use altinn_contacts_api::{ContactsApi, MockContactsApi, OrganizationNumber, Error};
//! use altinn_contacts_model::OfficialContactList;
//!
//! /// Code under test: counts the e-mail addresses among an organization's official contacts.
//! async fn count_emails(api: &dyn ContactsApi, org: &OrganizationNumber) -> Result<usize, Error> {
//!     let list = api.official_contacts(org).await?;
//!     Ok(list.items().iter().filter(|c| c.email().is_some()).count())
//! }
//!
//! let mut mock = MockContactsApi::new();
//! mock.expect_official_contacts()
//!     .withf(|org| org.as_str() == "910021451")
//!     .times(1)
//!     .returning(|_| {
//!         let body = r#"{"_embedded":{"officialcontacts":[
//!             {"MobileNumber":"22334455","EMailAddress":""},
//!             {"MobileNumber":"","EMailAddress":"post@firma.no"}]}}"#;
//!         Ok(altinn_contacts_model::decode::<OfficialContactList>(body.as_bytes()).unwrap())
//!     });
//! let org: OrganizationNumber = "910021451".parse().unwrap();
//! let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! assert_eq!(rt.block_on(count_emails(&mock, &org)).unwrap(), 1);
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
pub mod error;
pub mod ids;
pub mod link;
pub mod query;

pub use api::ContactsApi;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use api::MockContactsApi;
pub use error::{
    AuthFailure, Cause, CredentialsFailure, DecodeFailure, Error, HttpFailure, InvalidInput,
    Operation, TransportError, TransportFailure, Unsupported, redact_identity_numbers,
};
pub use ids::{
    Email, OrganizationNumber, PersonId, PersonIdKind, PhoneNumber, RoleCode, ServiceCode,
    ServiceEdition, TypeCode, is_valid_national_identity_number,
};
pub use link::{LinkError, LinkRelation, LinkTarget};
pub use query::{
    ContactPointSearch, Expand, MAX_PAGE_SIZE, OrderBy, OrganizationsQuery, PersonalContactsFilter,
};
