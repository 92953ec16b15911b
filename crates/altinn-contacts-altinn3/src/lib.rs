#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`Altinn3Api`]: the [`ContactsApi`](altinn_contacts_api::ContactsApi) over the successors,
//!   built by [`Altinn3Builder`] (errors: [`BuildError`]); [`OfficialContactsSource`] picks
//!   Profile or KoFuVi for official contacts.
//! - [`map`]: the successors' answers into Altinn 2's models (pure functions, phone numbers
//!   normalised).
//! - [`problem`]: RFC 7807 problem details (and other error bodies) into the API's `Error`.

mod api;
mod config;
pub mod map;
pub mod problem;

pub use api::{Altinn3Api, BACKEND, PROFILE_BATCH_LIMIT};
pub use config::{Altinn3Builder, BuildError, OfficialContactsSource};
