//! Building a client: [`ConfigBuilder`] and the [`ConfigError`]s it can fail with.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::client::{Inner, ReqwestContactsApi};
use crate::environment::Environment;
use crate::identity::{Certificate, Identity};
use crate::pacer::Pacer;
use crate::retry::RetryPolicy;
use crate::tls;
use crate::token::{Bearer, TokenProvider, authorization};

/// Why a client could not be built. Never shows the API key, a token or a password.
///
/// Where another crate's error was the cause (rustls, reqwest, the PKCS#12 reader, the file
/// system) it is kept as [`source`](std::error::Error::source); PEM parse errors are not kept,
/// as they may quote bytes of a private key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key was given; every call needs the service owner's API key.
    #[error("no API key: every call needs the service owner's API key")]
    MissingApiKey,
    /// The API key holds characters an HTTP header cannot carry.
    #[error("the API key cannot be sent as a header: it must be visible ASCII without spaces")]
    InvalidApiKey,
    /// The bearer token is empty or holds characters an HTTP header cannot carry.
    #[error("the bearer token cannot be sent as a header: it is empty or not visible ASCII")]
    InvalidToken,
    /// The user agent holds characters an HTTP header cannot carry.
    #[error("the user agent cannot be sent as a header: it must be visible ASCII")]
    InvalidUserAgent,
    /// The base URL is not an absolute `http`/`https` URL without credentials, query or fragment.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as given (credentials, if any, are not shown).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An `http://` URL for a host that is not this machine: the API key, a token or a grant
    /// would cross the network in clear text. Only loopback hosts (`127.0.0.0/8`, `::1`,
    /// `localhost`) may use `http` unless the builder's `danger_allow_insecure_http(true)` says
    /// otherwise.
    #[error(
        "refusing the {what} {url:?}: http:// would send the API key and tokens in clear text; use https (http is accepted only for 127.0.0.0/8, ::1 and localhost), or opt in explicitly with danger_allow_insecure_http"
    )]
    InsecureHttp {
        /// Which URL: "base URL", "token URL", "exchange URL".
        what: &'static str,
        /// The URL as given (credentials, query and fragment not shown).
        url: String,
    },
    /// The environment name is not one of `production`, `prod`, `tt02`, `test`.
    #[error("unknown environment {given:?}: use production (prod) or tt02 (test)")]
    UnknownEnvironment {
        /// The name as given.
        given: String,
    },
    /// The client certificate or its key could not be read or used.
    #[error("client certificate: {reason}")]
    Identity {
        /// What went wrong (wrong password, no key, unsupported key type ...).
        reason: String,
        /// The underlying error, when another crate reported it.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// An extra root certificate could not be read.
    #[error("root certificate: {reason}")]
    Certificate {
        /// What went wrong.
        reason: String,
    },
    /// A certificate file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS configuration could not be built (for example: no trusted root certificates).
    #[error("TLS setup failed: {reason}")]
    Tls {
        /// What went wrong.
        reason: String,
        /// The underlying error (rustls'), when there was one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The Maskinporten token provider is misconfigured (no client id, no identity, a bad URL).
    #[error("Maskinporten: {reason}")]
    Maskinporten {
        /// What is wrong.
        reason: String,
    },
    /// reqwest refused the configuration.
    #[error("the HTTP client could not be built: {reason}")]
    Client {
        /// reqwest's description.
        reason: String,
        /// reqwest's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl ConfigError {
    /// reqwest refused to build a client.
    pub(crate) fn client(e: reqwest::Error) -> Self {
        ConfigError::Client {
            reason: e.to_string(),
            source: Some(Box::new(e)),
        }
    }
}

/// The default user agent, `altinn-contacts/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("altinn-contacts/", env!("CARGO_PKG_VERSION"));

/// Configuration of a [`ReqwestContactsApi`]; start with [`ReqwestContactsApi::builder`].
///
/// ```no_run
/// use altinn_contacts_reqwest::{Environment, Identity, ReqwestContactsApi};
///
/// let api = ReqwestContactsApi::builder()
///     .environment(Environment::Tt02)
///     .api_key(std::env::var("ALTINN_API_KEY").unwrap_or_default())
///     .certificate(Identity::from_file("virksomhetssertifikat.p12", Some("password"))?)
///     .build()?;
/// # Ok::<(), altinn_contacts_reqwest::ConfigError>(())
/// ```
///
/// `Debug` shows the settings but never the API key, a token or key material.
#[must_use]
#[derive(Clone)]
pub struct ConfigBuilder {
    environment: Environment,
    base_url: Option<String>,
    api_key: Option<SecretString>,
    identity: Option<Identity>,
    bearer: Option<Bearer>,
    roots: Vec<Certificate>,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    pool_max_idle_per_host: Option<usize>,
    allow_insecure_http: bool,
    pacer: Option<Arc<dyn Pacer>>,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        ConfigBuilder {
            environment: Environment::Production,
            base_url: None,
            api_key: None,
            identity: None,
            bearer: None,
            roots: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::new(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            pool_max_idle_per_host: None,
            allow_insecure_http: false,
            pacer: None,
        }
    }
}

impl ConfigBuilder {
    /// The same as [`ReqwestContactsApi::builder`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The Altinn environment (default [`Environment::Production`]).
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = env;
        self
    }

    /// Any base URL, for example a sandbox or a proxy; overrides the environment. It may carry a
    /// path prefix (`https://proxy.example/altinn/`), which is kept; a trailing
    /// `api/serviceowner/` is tolerated. Checked in [`build`](Self::build).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The service owner's API key (required), sent as the `ApiKey` header, marked sensitive.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// Authenticates with an enterprise certificate as TLS client certificate; every call then
    /// carries the `ForceEIAuthentication` flag Altinn requires for it.
    pub fn certificate(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Sends `Authorization: Bearer <token>` with every call (replaces a token provider).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(Bearer::Static(SecretString::from(token.into())));
        self
    }

    /// Asks `provider` for a bearer token before every attempt (replaces a static token).
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.bearer = Some(Bearer::Provider(provider));
        self
    }

    /// Trusts `cert` as a root, in addition to the operating system's roots.
    pub fn add_root_certificate(mut self, cert: Certificate) -> Self {
        self.roots.push(cert);
        self
    }

    /// Time allowed to connect, TLS handshake included (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for one attempt, from connecting to the end of the body (default 30 s).
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// When and how to retry (default [`RetryPolicy::new`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// How many idle connections per host the pool keeps (reqwest's default: no limit). Raise
    /// it together with the concurrency of bulk jobs; lower it to free sockets.
    pub fn pool_max_idle_per_host(mut self, n: usize) -> Self {
        self.pool_max_idle_per_host = Some(n);
        self
    }

    /// **Dangerous:** accepts an `http://` base URL for any host, not only loopback ones, so the
    /// API key and any bearer token cross the network **in clear text**, readable and reusable by
    /// anyone on the way. Default `false`: `http` is refused for hosts other than `127.0.0.0/8`,
    /// `::1` and `localhost` with [`ConfigError::InsecureHttp`], before anything is sent. Meant for
    /// a trusted test network only; never for Altinn itself, which is https only.
    pub fn danger_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Waits for `pacer` before every attempt of every call (retries included) and tells it of
    /// every pause the server asks for (see [`crate::pacer`]); for example a shared
    /// [`Throttle`](crate::Throttle) with a [`RateLimit`](crate::RateLimit).
    pub fn pacer(mut self, pacer: Arc<dyn Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<ReqwestContactsApi, ConfigError> {
        let base_url = parse_base_url(
            self.base_url
                .as_deref()
                .unwrap_or(self.environment.base_url()),
        )?;
        check_clear_text(&base_url, "base URL", self.allow_insecure_http)?;

        let api_key = self.api_key.ok_or(ConfigError::MissingApiKey)?;
        let key_text = api_key.expose_secret().trim();
        if key_text.is_empty() {
            return Err(ConfigError::MissingApiKey);
        }
        let mut api_key_header =
            HeaderValue::from_str(key_text).map_err(|_| ConfigError::InvalidApiKey)?;
        api_key_header.set_sensitive(true);

        let mut secrets = vec![SecretString::from(key_text)];
        if let Some(Bearer::Static(token)) = &self.bearer {
            authorization(token).ok_or(ConfigError::InvalidToken)?;
            secrets.push(token.clone());
        }

        let user_agent =
            HeaderValue::from_str(&self.user_agent).map_err(|_| ConfigError::InvalidUserAgent)?;

        let tls = tls::client_config(
            self.identity.as_ref(),
            &self.roots,
            base_url.scheme() == "https",
        )?;
        // A 3xx from Altinn is its login page; following it would also carry the API key to
        // another host (http_client_base follows none).
        let mut http = http_client_base(tls, is_loopback(&base_url))
            .connect_timeout(self.connect_timeout)
            .user_agent(user_agent);
        if let Some(n) = self.pool_max_idle_per_host {
            http = http.pool_max_idle_per_host(n);
        }
        let http = http.build().map_err(ConfigError::client)?;

        Ok(ReqwestContactsApi::from_inner(Inner {
            http,
            base_url,
            api_key: api_key_header,
            force_ei_authentication: self.identity.is_some(),
            bearer: self.bearer,
            secrets,
            retry: self.retry,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            user_agent: self.user_agent,
            pacer: self.pacer,
        }))
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("environment", &self.environment)
            .field("base_url", &self.base_url.as_deref().map(shown_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("certificate", &self.identity)
            .field("bearer", &self.bearer)
            .field("root_certificates", &self.roots)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("danger_allow_insecure_http", &self.allow_insecure_http)
            .field("pacer", &self.pacer)
            .finish()
    }
}

/// What every HTTP client of this crate shares: our rustls configuration, no redirects (a
/// redirect would carry the API key, a grant or a token to another place), and, for a `local`
/// server (the sandbox, a test server), no proxy from `HTTP(S)_PROXY`, which names the way to the
/// outside world.
pub(crate) fn http_client_base(tls: rustls::ClientConfig, local: bool) -> reqwest::ClientBuilder {
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none());
    if local { http.no_proxy() } else { http }
}

/// Parses and normalizes a base URL: absolute http(s), a host, no credentials, query or
/// fragment; the path ends with `/` and has no trailing `api/serviceowner/`.
fn parse_base_url(given: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: shown_url(given),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(given.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "the scheme must be https (or http for a local server)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials in the URL are not supported: use the API key and a certificate or token",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    let mut path = url.path().to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    if let Some(prefix) = path.strip_suffix(crate::wire::API_PREFIX) {
        path = prefix.to_owned();
    }
    url.set_path(&path);
    Ok(url)
}

/// Refuses `http` for a host that is not this machine, unless `allowed`.
pub(crate) fn check_clear_text(
    url: &Url,
    what: &'static str,
    allowed: bool,
) -> Result<(), ConfigError> {
    if url.scheme() == "http" && !is_loopback(url) && !allowed {
        return Err(ConfigError::InsecureHttp {
            what,
            url: shown_url(url.as_str()),
        });
    }
    Ok(())
}

/// True when the URL's host is this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A URL as it may be shown: without anything before an `@` in its authority, and without its
/// query and fragment, where a key or token is often put (`?apikey=...`).
pub(crate) fn shown_url(given: &str) -> String {
    let given: String = given.chars().take(200).collect();
    match Url::parse(&given) {
        Ok(mut url) => {
            let hidden = !url.username().is_empty()
                || url.password().is_some()
                || url.query().is_some()
                || url.fragment().is_some();
            if !hidden {
                return given;
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
            let (query, fragment) = (url.query().is_some(), url.fragment().is_some());
            url.set_query(None);
            url.set_fragment(None);
            let mut shown = url.to_string();
            if query {
                shown.push_str("?…");
            }
            if fragment {
                shown.push_str("#…");
            }
            shown
        }
        Err(_) if given.contains(['@', '?', '#']) => "<a malformed URL>".to_owned(),
        Err(_) => given,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalized() {
        for (given, want) in [
            ("https://www.altinn.no", "https://www.altinn.no/"),
            (
                "https://proxy.example/altinn",
                "https://proxy.example/altinn/",
            ),
            ("http://127.0.0.1:8080/x/", "http://127.0.0.1:8080/x/"),
            (
                "https://tt02.altinn.no/api/serviceowner/",
                "https://tt02.altinn.no/",
            ),
        ] {
            assert_eq!(parse_base_url(given).unwrap().as_str(), want, "{given}");
        }
    }

    #[test]
    fn keys_tokens_and_user_agents_are_checked_without_echoing_them() {
        let base = || ConfigBuilder::new().base_url("http://127.0.0.1:1/");
        assert!(matches!(
            base().build().unwrap_err(),
            ConfigError::MissingApiKey
        ));
        assert!(matches!(
            base().api_key("  ").build().unwrap_err(),
            ConfigError::MissingApiKey
        ));
        let err = base().api_key("key-\n-4711").build().unwrap_err();
        assert!(matches!(err, ConfigError::InvalidApiKey), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("4711"));
        let err = base()
            .api_key("k")
            .bearer_token("tok\r\nX-Injected: 1")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidToken), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("Injected"));
        assert!(matches!(
            base().api_key("k").bearer_token("").build().unwrap_err(),
            ConfigError::InvalidToken
        ));
        assert!(matches!(
            base().api_key("k").user_agent("a\nb").build().unwrap_err(),
            ConfigError::InvalidUserAgent
        ));
        let api = base().api_key(" k ").build().unwrap();
        assert_eq!(api.base_url().as_str(), "http://127.0.0.1:1/");
    }

    #[test]
    fn loopback_hosts_are_recognized() {
        for (url, local) in [
            ("http://127.0.0.1:8080/", true),
            ("http://[::1]:8080/", true),
            ("http://LOCALHOST/", true),
            ("https://www.altinn.no/", false),
            ("http://10.0.0.1/", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(url).unwrap()), local, "{url}");
        }
    }

    #[test]
    fn bad_base_urls_are_refused_without_echoing_credentials() {
        for bad in [
            "www.altinn.no",
            "ftp://www.altinn.no",
            "https://www.altinn.no/?x=1",
            "https://www.altinn.no/#top",
            "https://user:hunter2@www.altinn.no/",
            "https://www.altinn.no/?ApiKey=hunter2",
            "https://www.altinn.no/#token=hunter2",
            "https:/hunter2@",
            "www.altinn.no?apikey=hunter2",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{bad}");
            assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
        }
        let err = parse_base_url("https://www.altinn.no/?x=1").unwrap_err();
        assert!(
            err.to_string().contains("\"https://www.altinn.no/?…\""),
            "{err}"
        );
    }
}
