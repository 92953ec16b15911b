//! The log of requests a sandbox received, for tests to assert on.
//!
//! Headers are kept as received, since tests check that the `ApiKey` and `Authorization` headers
//! were sent; [`RecordedRequest`]'s `Debug` hides their values so a failing assertion does not
//! print a secret.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::http;

/// Header names whose values `Debug` hides.
const SECRET_HEADERS: &[&str] = &[
    "apikey",
    "authorization",
    "cookie",
    "proxy-authorization",
    "ocp-apim-subscription-key",
];

/// One request as the sandbox received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    client_certificate: bool,
}

impl RecordedRequest {
    /// The method, e.g. `"GET"`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path as sent (still percent-encoded), e.g. `/api/serviceowner/organizations`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string as sent (without `?`), if there was one.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The decoded query parameters in order (`+` decodes to a space, as at Altinn).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The decoded value of query parameter `name` (case-insensitive), `Some("")` for a flag
    /// without a value such as `ForceEIAuthentication`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The headers as `(lower-case name, value)`, in the order received (values that are not
    /// UTF-8 are converted lossily).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True when the request came over TLS with a client certificate.
    pub fn client_certificate(&self) -> bool {
        self.client_certificate
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                        map.entry(name, &"<redacted>");
                    } else {
                        map.entry(name, value);
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &Headers(&self.headers))
            .field("client_certificate", &self.client_certificate)
            .finish()
    }
}

/// A bounded ring buffer of requests: when full, the oldest is dropped.
#[derive(Debug)]
pub(crate) struct Recorder {
    capacity: usize,
    requests: Mutex<VecDeque<RecordedRequest>>,
    total: AtomicU64,
}

impl Recorder {
    pub(crate) fn new(capacity: usize) -> Self {
        Recorder {
            capacity,
            requests: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            total: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record(&self, parts: &http::request::Parts, client_certificate: bool) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if self.capacity == 0 {
            return;
        }
        let request = RecordedRequest {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            client_certificate,
        };
        let mut requests = self.lock();
        if requests.len() >= self.capacity {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.lock().iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    pub(crate) fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> http::request::Parts {
        let (parts, ()) = http::Request::get(uri)
            .header("ApiKey", "very-secret")
            .header("Authorization", "Bearer tok-123")
            .header("Accept", "application/hal+json")
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    #[test]
    fn ring_buffer_keeps_the_newest() {
        let r = Recorder::new(2);
        for i in 0..5 {
            r.record(
                &parts(&format!("/p{i}?ForceEIAuthentication&phoneNumber=%2B47")),
                false,
            );
        }
        let got = r.snapshot();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].path(), "/p3");
        assert_eq!(got[1].path(), "/p4");
        assert_eq!(r.total(), 5);
        assert_eq!(
            got[1].query_param("forceeiauthentication").as_deref(),
            Some("")
        );
        assert_eq!(got[1].query_param("phoneNumber").as_deref(), Some("+47"));
        assert_eq!(got[1].header("APIKEY"), Some("very-secret"));
        r.clear();
        assert!(r.snapshot().is_empty());
    }

    #[test]
    fn debug_hides_secrets() {
        let r = Recorder::new(1);
        r.record(&parts("/x"), false);
        let text = format!("{:?} {:#?}", r.snapshot()[0], r.snapshot());
        assert!(!text.contains("very-secret"), "{text}");
        assert!(!text.contains("tok-123"), "{text}");
        assert!(text.contains("application/hal+json"));
    }
}
