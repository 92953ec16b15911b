//! HAL+JSON model types of the Altinn ServiceOwner contact-information API.
//!
//! - [`hal`]: the hand-written HAL primitives [`Link`] and [`Links`].
//! - [`generated`]: the resource types ([`Organization`], [`OfficialContact`],
//!   [`PersonalContact`], [`Role`] and their list wrappers), written by `cargo xtask codegen` from
//!   the sample responses in `samples/`. Never edit them by hand.
//! - [`values`]: typed values inside resources, lenient on what the server sends.
//! - [`timestamp`]: Altinn's offset-less date-times.
//! - [`decode()`]: decoding a body with the JSON path of the first mismatch.
//!
//! Decoding is lenient: unknown fields are ignored, `null` in a required field reads as its
//! default, Altinn's "never" timestamps read as `None`. Serializing writes Altinn's field names.
//!
//! ```
//! use altinn_contacts_model::{decode, OfficialContactList};
//! let body = br#"{"_links":{"self":{"href":"https://x/officialcontacts"}},
//!   "_embedded":{"officialcontacts":[{"MobileNumber":"","MobileNumberChanged":"0001-01-01T00:00:00",
//!   "EMailAddress":"post@firma.no","EMailAddressChanged":"2017-06-15T09:07:20.84"}]}}"#;
//! let list: OfficialContactList = decode(body).unwrap();
//! let contact = &list.items()[0];
//! assert_eq!(contact.mobile(), None);
//! assert_eq!(contact.email(), Some("post@firma.no"));
//! assert!(contact.mobile_number_changed.is_none());
//! ```

mod de;
pub mod decode;
pub mod generated;
pub mod hal;
pub mod lenient;
mod resources;
pub mod timestamp;
pub mod values;

pub use decode::{DecodeError, decode};
pub use generated::*;
pub use hal::{Link, LinkValue, Links};
pub use timestamp::Timestamp;
pub use values::{
    NationalIdentityNumber, OrganizationType, ReportedOrganizationNumber, RoleType,
    is_valid_organization_number,
};
