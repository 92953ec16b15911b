#![doc = include_str!("../README.md")]
//!
//! # Where things are
//!
//! - [`Contract`]: one request to an [`Answer`] over a backend (routing and OData in `params`,
//!   rendering with regenerated links, [`errors`] for a backend's failures).
//! - [`ApiKeys`]: the `ApiKey` check. [`messages`]: Altinn's error texts.
//! - [`Gateway`], [`serve`], [`RunningServer`], [`TlsConfig`]: the server itself.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod answer;
mod auth;
mod contract;
pub mod errors;
mod gateway;
pub mod messages;
mod params;
mod render;
mod tls;

pub use answer::{
    API_PREFIX, Answer, HAL_JSON, PLAIN_JSON, error_response, json_response, link_base,
};
pub use auth::{ApiKeys, NoApiKeys};
pub use contract::{Contract, is_organizations_list};
pub use gateway::{ConnectionInfo, Gateway, RunningServer, ServeError, serve};
pub use params::{MAX_PAGE_SIZE, Params};
pub use tls::{TlsConfig, TlsError};
