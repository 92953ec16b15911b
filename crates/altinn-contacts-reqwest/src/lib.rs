//! The Altinn ServiceOwner contact-information API over HTTPS: [`ReqwestContactsApi`], an
//! implementation of [`altinn_contacts_api::ContactsApi`] on reqwest with rustls (ring).
//!
//! - [`ConfigBuilder`]: environment or base URL, API key, enterprise certificate ([`Identity`],
//!   PKCS#12 or PEM) or bearer token ([`TokenProvider`], for example
//!   [`MaskinportenTokenProvider`]), extra roots ([`Certificate`]),
//!   timeouts, [`RetryPolicy`], user agent, a [`Pacer`] (request rate and server-asked pauses,
//!   retries included; see [`pacer`]).
//! - Requests: `Accept: application/hal+json`, the `ApiKey` header (marked sensitive),
//!   `ForceEIAuthentication` with a certificate, every path segment and query value
//!   percent-encoded.
//! - Answers: Altinn's message is taken from the reason phrase, a JSON error body or the body's
//!   first line; redirects and HTML pages are authentication errors; bodies that are not the
//!   expected HAL+JSON are decode errors with the JSON path.
//!
//! ```no_run
//! use altinn_contacts_api::{ContactsApi, OrganizationsQuery};
//! use altinn_contacts_reqwest::{Environment, Identity, ReqwestContactsApi, RetryPolicy};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let api = ReqwestContactsApi::builder()
//!     .environment(Environment::Tt02)
//!     .api_key(std::env::var("ALTINN_API_KEY")?)
//!     .certificate(Identity::from_file("test-virksomhet.p12", Some("password"))?)
//!     .retry(RetryPolicy::new().max_attempts(5))
//!     .build()?;
//! let page = api.organizations(&OrganizationsQuery::new().top(100)).await?;
//! for org in page.items() {
//!     println!("{}", org.display_name());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Nothing secret is shown: `Debug` of the client, the builder and [`Identity`] hides the API key,
//! tokens and key material; errors never carry them; tracing records operation, organization
//! number, attempt, status and duration, never search values or identity numbers.

mod client;
mod config;
mod environment;
mod identity;
mod maskinporten;
pub mod pacer;
mod redact;
mod response;
mod retry;
mod tls;
mod token;

pub use client::ReqwestContactsApi;
pub use config::{ConfigBuilder, ConfigError, DEFAULT_USER_AGENT};
pub use environment::Environment;
pub use identity::{Certificate, Identity};
pub use maskinporten::{DEFAULT_SCOPE, MaskinportenBuilder, MaskinportenTokenProvider};
pub use pacer::{Pacer, RateLimit, Throttle};
pub use retry::RetryPolicy;
pub use token::TokenProvider;

/// The attribute that implements [`TokenProvider`], re-exported so implementors need not name
/// `async-trait` in their own manifest.
pub use async_trait::async_trait;
/// The secret type of [`TokenProvider::token`], re-exported for the same reason.
pub use secrecy::SecretString;
