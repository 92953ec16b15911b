#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`hal`]: the hand-written HAL primitives [`Link`] and [`Links`].
//! - [`generated`]: the resource types ([`Organization`], [`OfficialContact`],
//!   [`PersonalContact`], [`Role`] and their list wrappers), written by `cargo xtask codegen` from
//!   the sample responses in `samples/`. Never edit them by hand.
//! - [`values`]: typed values inside resources, lenient on what the server sends.
//! - [`timestamp`]: Altinn's offset-less date-times.
//! - [`decode()`]: decoding a body with the JSON path of the first mismatch.

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
