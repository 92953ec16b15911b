#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`hal`]: the hand-written HAL primitives [`Link`] and [`Links`].
//! - [`generated`]: the resource types ([`Organization`], [`OfficialContact`],
//!   [`PersonalContact`], [`Role`] and their list wrappers), written by `cargo xtask codegen` from
//!   the sample responses in `samples/`. Never edit them by hand.
//! - [`values`]: typed values inside resources, lenient on what the server sends.
//! - [`timestamp`]: Altinn's date-times (Norwegian local time unless an offset is sent).
//! - [`decode()`]: decoding a body with the JSON path of the first mismatch.
//!
//! # Two representations
//! Altinn 2 answered in the format the `Accept` header asked for, and both decode into the same
//! models:
//! - HAL (`application/hal+json`, what the client sends): a list is an object with
//!   `_embedded.<rel>`; `_links` is an object of relations, each one link or an array of links.
//! - Plain JSON (`application/json`, what generic JSON clients and some proxies get): a list is a
//!   bare array of its items; `_links` is an array of `{"Rel", "Href", "Title", ...}` objects,
//!   mapped by `Rel` into [`Links`]. A list decoded from a bare array has no links of its own.
//!
//! Serializing always writes HAL with Altinn's field names; `to_plain_json()` on
//! [`Organization`] and the lists writes the plain form.
//!
//! # Nothing invented, nothing filled by position
//! - A field the server did not send, or sent as `null`, is `None`: every scalar field is an
//!   `Option`, since a default (`0`, `""`) would be a made-up value (`0` is a real role id).
//!   Collections are the exception: a missing or `null` `_links`, `_embedded` of a list, or
//!   array of records reads as empty. Each field's doc says which samples carry it. Serializing
//!   writes `None` as `null` (fields only some responses carry are left out).
//! - Every struct decodes from a JSON object only: an array or a scalar where an object belongs
//!   is a [`DecodeError`] at that JSON path, never a struct filled by position (serde's derive
//!   would allow that; the generated types derive `Deserialize` on a hidden repr and read it
//!   through a map).
//! - A record ([`Organization`], [`OfficialContact`], [`PersonalContact`], [`Role`]) given as an
//!   object that holds none of its fields is refused too, rather than read as a record of
//!   nothing: `[{}, {"officialcontacts": [...]}]` (a HAL list by position) is an error at `[0]`.
//!
//! # Lenient on what the server sends
//! - Unknown fields are ignored everywhere; unknown link relations are kept.
//! - Timestamps: 0 to 9 fraction digits and an optional `Z` or `±HH:MM` offset (ASP.NET writes
//!   `2016-10-10T09:16:30.0784402+02:00`); the offset is kept as written, and offset-less values
//!   are Norwegian local time ([`Timestamp::to_zoned`] gives the instant in Europe/Oslo).
//!   Altinn's "never" (`""`, `0001-01-01T00:00:00`) reads as `None`.
//! - Integers also read from a JSON string of digits (`"4"`).
//! - Malformed organization numbers are kept ([`ReportedOrganizationNumber`]); open codes
//!   ([`OrganizationType`], [`RoleType`]) keep values this crate has no constant for.
//!
//! Decode errors carry the JSON path and never quote a value from the body: quoted strings,
//! values in backticks and runs of seven or more digits are masked, so no identity number reaches
//! an error message.
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
