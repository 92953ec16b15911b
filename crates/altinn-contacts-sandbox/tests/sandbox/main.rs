//! Integration tests of the sandbox over real HTTP on loopback, with plain reqwest (not through
//! the project's transport), raw TCP where the wire form matters, and rustls for TLS.
//!
//! One test binary with modules, so the suite links once.

mod common;

mod auth;
mod endpoints;
mod faults;
mod lifecycle;
mod maskinporten;
mod paging;
mod representations;
mod search;
mod tls;
mod wire;
