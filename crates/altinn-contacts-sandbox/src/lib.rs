//! An in-process fake of the Altinn ServiceOwner contact-information API, over real HTTP on
//! loopback, for integration tests, benchmarks, demos and local development.
//!
//! Altinn has nothing to develop against offline, and the production API needs an enterprise
//! certificate and an API key. The sandbox serves the same HAL+JSON (the types of
//! `altinn-contacts-model`) with Altinn's behaviour, its quirks and its ways of failing.
//!
//! # An integration test
//!
//! Start a sandbox, point your client at [`Sandbox::base_url`] with [`Sandbox::api_key`], and
//! assert on what came back and on what the sandbox received:
//!
//! ```
//! use altinn_contacts_sandbox::{Fault, Sandbox};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // reqwest with `rustls-no-provider` needs a crypto provider; with reqwest's default
//! // features this line is not needed.
//! let _ = rustls::crypto::ring::default_provider().install_default();
//!
//! let sandbox = Sandbox::builder().organizations(50).seed(7).start().await?;
//! let client = reqwest::Client::new();
//!
//! let response = client
//!     .get(format!("{}/api/serviceowner/organizations/910021451/officialcontacts", sandbox.base_url()))
//!     .header("ApiKey", sandbox.api_key())
//!     .header("Accept", "application/hal+json")
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 200);
//! let body: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
//! assert_eq!(body["_embedded"]["officialcontacts"][0]["MobileNumber"], "22334455");
//!
//! // Errors come as Altinn sends them: the message in the reason phrase, an empty body.
//! let response = client
//!     .get(format!("{}/api/serviceowner/organizations", sandbox.base_url()))
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 400);
//! let reason = response.extensions().get::<hyper::ext::ReasonPhrase>().unwrap();
//! assert_eq!(reason.as_bytes(), b"Required header 'ApiKey' is missing.");
//!
//! // Faults are switched on while it runs.
//! sandbox.faults().rate_limit_next(1, 3);
//! let response = client
//!     .get(format!("{}/api/serviceowner/organizations?$top=10", sandbox.base_url()))
//!     .header("ApiKey", sandbox.api_key())
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 429);
//! assert_eq!(response.headers()["retry-after"], "3");
//!
//! // Every request was recorded.
//! let last = sandbox.requests().pop().unwrap();
//! assert_eq!(last.query_param("$top").as_deref(), Some("10"));
//! assert_eq!(last.header("apikey"), Some(sandbox.api_key()));
//! # let _ = Fault::HtmlPage;
//! # Ok(())
//! # }
//! ```
//!
//! The sandbox runs on the tokio runtime that calls [`SandboxBuilder::start`] and stops when the
//! [`Sandbox`] is dropped (or at [`Sandbox::shutdown`]). Code without a runtime uses
//! [`SandboxBuilder::start_blocking`]. A command that serves until Ctrl-C calls
//! [`Sandbox::run_until`] with `tokio::signal::ctrl_c()`.
//!
//! # The API it serves
//!
//! Under `{base_url}/api/serviceowner/`, `GET` only, an optional trailing slash allowed:
//!
//! | path | query |
//! |---|---|
//! | `organizations` | `$top` (default and maximum 1000; larger values are clamped to 1000, `0` to 1), `$skip`, `$orderby=Name\|OrganizationNumber` (default; `asc`/`desc` allowed), `$filter=Type eq 'CODE'`, `$expand=OfficialContacts`, `email`, `phoneNumber` |
//! | `organizations/{orgno}` | `$expand=OfficialContacts` |
//! | `organizations/{orgno}/officialcontacts` | |
//! | `organizations/{orgno}/personalcontacts` | `roleDefinitionCode`, `serviceCode` + `serviceEdition` |
//! | `organizations/{orgno}/personalcontacts/{personId}/roles` | |
//!
//! - Answers are `application/hal+json; charset=utf-8` with absolute `_links` pointing back at
//!   the sandbox (at the `Host` the client used), in the shape of the API page's samples.
//! - `$orderby=Name` sorts as a Norwegian collation would: case-insensitive, Æ Ø Å after Z.
//! - `email` and `phoneNumber` search official and personal contact points; given both, an
//!   organization matching either is returned. E-mail compares case-insensitively, phone numbers
//!   exactly. Queries decode as ASP.NET does: a `+` is a space, so `+47...` must be sent as
//!   `%2B47...`. The OData options apply to search results too.
//! - `roleDefinitionCode` keeps persons holding a role with that code; `serviceCode` +
//!   `serviceEdition` keeps persons who may use the service: granted with
//!   [`PersonRecord::service`], or through a role: 4936/1 (LOPER, UTINN, DAGL), 4491/1 (REGNA,
//!   UTINN, DAGL, REGN), 4503/2 (ATTST, REVI, REGNA), 3906/2 (A0236, DAGL, ADMAI), 2802/1 (SIGNE,
//!   DAGL, LEDE), 5145/1 (A0212, UTINN).
//! - `ForceEIAuthentication` (no value) is accepted everywhere and required with a client CA.
//! - `{base_url}/ui/Authentication` is a login page (HTML), where [`Fault::LoginRedirect`] points.
//!
//! # Errors, as Altinn writes them
//!
//! The message is the HTTP reason phrase and the body is empty (see [`messages`]): a missing
//! `ApiKey` is `400 Required header 'ApiKey' is missing.`, a wrong one `403 Forbidden - The API
//! key is not authorized for this operation`; an invalid organization number in the path `400
//! Invalid organization number: <what was sent>`; an unknown one `404 Organization not found:
//! <number>`; a malformed person id, OData option or filter value `400`; a missing client
//! certificate or `ForceEIAuthentication` flag `401 Enterprise certificate authentication
//! failed, verify that the supplied certificate is valid`; a missing or wrong bearer token `401
//! Authorization failed: There is no authenticated organization number set on this request.`
//! With hyper (and reqwest) the phrase is in the response's extensions as
//! [`hyper::ext::ReasonPhrase`].
//!
//! # Data
//!
//! - The API page's samples: 010000211, 910514318 (with person r50051516 and the page's eighteen
//!   roles), 810748532, and 910021451 (with its official contacts and persons r50022994 and
//!   r50041943, given roles). 910514318 and 810748532 share the phone number `+4791234567`, so
//!   a search finds both, as in the page's search example.
//! - Quirk records: the padded, invalid number `"00210    "` with `Type` null; 310524824 `SÆRHEIM
//!   & SØNNER   ` (trailing spaces) with official contacts holding `""` and
//!   `0001-01-01T00:00:00` halves, `null`s, and both halves empty, and a person with a `+47`
//!   number, an upper-case e-mail address and a Local role with `RoleId`, `Delegator` and
//!   `DelegatedTime`. Several `RoleDescription`s end in `\r\n`.
//! - Generated organizations ([`SandboxBuilder::organizations`], [`SandboxBuilder::seed`]):
//!   valid organization numbers, a weighted mix of `Type` codes (sometimes null), names with æ,
//!   ø and å, phone-only and e-mail-only official contacts written as Altinn writes them,
//!   personal contacts with synthetic national identity numbers (month + 80), and roles. They
//!   are drawn on demand from the seed, so 100,000 start in milliseconds.
//! - Your own records: [`SandboxBuilder::with_organization`] with [`OrganizationRecord`] and
//!   [`PersonRecord`]; [`SandboxBuilder::include_seed_records`]`(false)` leaves the samples out.
//!
//! # Faults and recording
//!
//! [`FaultConfig`] at start and [`Sandbox::faults`] while running: a seeded fraction of `503`s
//! or of a seeded mix of faults ([`Faults::set_mixed_error_rate`]), the next N requests failing with a given status, `429` with `Retry-After`, added latency, a
//! connection closed mid-body, truncated JSON, an HTML page with `200`, a `302` to the login
//! page; optionally only for paths containing a given text. [`Sandbox::requests`] returns the
//! requests received (method, path, raw query, headers) from a bounded log; the `Debug` form of
//! [`RecordedRequest`] hides the `ApiKey` and `Authorization` values.
//!
//! # TLS
//!
//! [`SandboxBuilder::tls`] serves HTTPS (rustls with ring); [`SandboxBuilder::client_ca`]
//! requires a client certificate signed by the given CA plus the `ForceEIAuthentication` flag,
//! as Altinn's enterprise-certificate authentication does. Only HTTP/1.1 is served: the reason
//! phrases Altinn's errors depend on do not exist in HTTP/2.
//!
//! The `test-pki` cargo feature adds the module `test_pki`: a CA, server and client
//! certificates and PKCS#12 archives generated in memory, for testing exactly this.

mod catalogue;
mod dataset;
mod error;
mod faults;
mod generate;
mod handler;
pub mod messages;
mod query;
mod recorder;
mod records;
mod seed;
mod server;
#[cfg(feature = "test-pki")]
pub mod test_pki;

pub use error::{Error, Result};
pub use faults::{Fault, FaultConfig, Faults};
pub use query::MAX_PAGE_SIZE;
pub use recorder::RecordedRequest;
pub use records::{OrganizationRecord, PersonRecord};
pub use server::{
    DEFAULT_API_KEY, DEFAULT_ORGANIZATIONS, DEFAULT_REQUEST_LOG_CAPACITY, DEFAULT_SEED, Sandbox,
    SandboxBuilder,
};
