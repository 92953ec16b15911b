//! Tests of `ReqwestContactsApi` against loopback servers: wiremock for requests and error
//! mapping, tiny raw TCP servers for what wiremock cannot send (reason phrases, broken bodies),
//! and a TLS server that requires a client certificate.
//!
//! One test binary with modules keeps link time down on small CI machines.

mod causes;
mod errors;
mod insecure;
mod maskinporten;
mod requests;
mod retries;
mod secrets;
mod support;
mod tls;
mod tokens;
