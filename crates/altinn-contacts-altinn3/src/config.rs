//! Building the backend: [`Altinn3Builder`], the choice of [`OfficialContactsSource`], and the
//! [`BuildError`]s `build()` can fail with.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use altinn_contacts_reqwest::{
    Certificate, ConfigError, DEFAULT_USER_AGENT, Environment, Identity, Pacer, RetryPolicy,
    TokenProvider, shared,
};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::api::{Altinn3Api, Inner, Service};

/// Where official contacts ("Felles kontaktinformasjon", the organizations' notification
/// addresses) are read from. Both serve the same register (Brønnøysund's KoFuVi; Altinn 3
/// Profile keeps a copy synced about every 10 minutes); who may call them differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OfficialContactsSource {
    /// Altinn 3 Profile's notification-address lookup
    /// (`POST {platform}/profile/api/v1/correspondence/organizations/notificationaddresses/lookup`):
    /// an Altinn token (from a Maskinporten exchange) with the scope
    /// `altinn:profile/correspondence.notificationsettings.read` and a subscription key; up to
    /// 100 organizations per request. The default.
    #[default]
    Profile,
    /// Brønnøysund's KoFuVi (`GET {kofuvi}/api/varslingsadresser/{orgnr}`): the enterprise
    /// certificate as TLS client certificate, for public-sector callers; one organization per
    /// request.
    Kofuvi,
}

impl OfficialContactsSource {
    /// The source's name, as accepted by [`FromStr`]: `profile` or `kofuvi`.
    pub fn name(self) -> &'static str {
        match self {
            OfficialContactsSource::Profile => "profile",
            OfficialContactsSource::Kofuvi => "kofuvi",
        }
    }
}

impl fmt::Display for OfficialContactsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OfficialContactsSource {
    type Err = BuildError;

    /// Accepts `profile` or `kofuvi` (any case).
    fn from_str(s: &str) -> Result<Self, BuildError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "profile" => Ok(OfficialContactsSource::Profile),
            "kofuvi" => Ok(OfficialContactsSource::Kofuvi),
            _ => Err(BuildError::InvalidSetting {
                setting: "official contacts source",
                reason: format!(
                    "{:?} is not a source: use profile or kofuvi",
                    s.chars().take(40).collect::<String>()
                ),
            }),
        }
    }
}

/// Why the backend could not be built. Never shows the subscription key, a token or a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A URL is not an absolute `http`/`https` URL without credentials, query or fragment.
    #[error("invalid {what} {url:?}: {reason}")]
    InvalidUrl {
        /// Which URL: "platform URL", "KoFuVi URL", "Enhetsregisteret URL".
        what: &'static str,
        /// The URL as given (credentials, query and fragment not shown).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting has a value that cannot be used (a resource id or subscription key that cannot
    /// be sent, an unknown source name).
    #[error("{setting}: {reason}")]
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// What is wrong (never the value of a secret).
        reason: String,
    },
    /// The HTTP layer refused the configuration: clear-text HTTP to a host that is not this
    /// machine ([`ConfigError::InsecureHttp`]), the client certificate, the TLS roots.
    #[error(transparent)]
    Transport(#[from] ConfigError),
}

/// The test host of KoFuVi is not published; this is a guess by analogy with other Brønnøysund
/// certificate services (`konkursvarsel.ppe-vcert.brreg.no`). Set `kofuvi_url` to be sure.
const KOFUVI_TT02_GUESS: &str = "https://kofuvi.ppe-vcert.brreg.no";

/// The three hosts of an environment: Altinn 3 platform, KoFuVi, Enhetsregisteret.
fn hosts(env: Environment) -> (&'static str, &'static str, &'static str) {
    match env {
        Environment::Tt02 => (
            "https://platform.tt02.altinn.no",
            KOFUVI_TT02_GUESS,
            "https://data.ppe.brreg.no",
        ),
        _ => (
            "https://platform.altinn.no",
            "https://kofuvi.vcert.brreg.no",
            "https://data.brreg.no",
        ),
    }
}

/// Configuration of an [`Altinn3Api`]; start with [`Altinn3Api::builder`].
///
/// Nothing is required at build time: each call needs only its own settings, and a call whose
/// setting is missing fails with an error naming it (personal contacts without
/// [`resource_id`](Self::resource_id), for one). Organizations come from Enhetsregisteret's open
/// API and need no credentials at all.
///
/// ```no_run
/// use std::sync::Arc;
/// use altinn_contacts_altinn3::{Altinn3Api, OfficialContactsSource};
/// use altinn_contacts_reqwest::{Environment, Identity, MaskinportenTokenProvider};
///
/// # fn run(altinn_token: Arc<MaskinportenTokenProvider>) -> Result<(), Box<dyn std::error::Error>> {
/// let api = Altinn3Api::builder()
///     .environment(Environment::Tt02)
///     .official_contacts_source(OfficialContactsSource::Profile)
///     .resource_id("app_ttd_my-service")
///     .subscription_key(std::env::var("ALTINN_SUBSCRIPTION_KEY")?)
///     .token_provider(altinn_token)
///     .build()?;
/// # Ok(())
/// # }
/// ```
///
/// `Debug` shows the settings but never the subscription key, a token or key material.
#[must_use]
#[derive(Clone)]
pub struct Altinn3Builder {
    environment: Environment,
    platform_url: Option<String>,
    kofuvi_url: Option<String>,
    enhetsregisteret_url: Option<String>,
    source: OfficialContactsSource,
    resource_id: Option<String>,
    subscription_key: Option<SecretString>,
    token_provider: Option<Arc<dyn TokenProvider>>,
    identity: Option<Identity>,
    roots: Vec<Certificate>,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    allow_insecure_http: bool,
    pacer: Option<Arc<dyn Pacer>>,
}

impl Default for Altinn3Builder {
    fn default() -> Self {
        Altinn3Builder {
            environment: Environment::Production,
            platform_url: None,
            kofuvi_url: None,
            enhetsregisteret_url: None,
            source: OfficialContactsSource::default(),
            resource_id: None,
            subscription_key: None,
            token_provider: None,
            identity: None,
            roots: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::new(),
            allow_insecure_http: false,
            pacer: None,
        }
    }
}

impl Altinn3Builder {
    /// The same as [`Altinn3Api::builder`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The environment (default production): production is `https://platform.altinn.no`,
    /// `https://kofuvi.vcert.brreg.no` and `https://data.brreg.no`; tt02 is
    /// `https://platform.tt02.altinn.no`, `https://kofuvi.ppe-vcert.brreg.no` (a guess: the test
    /// host of KoFuVi is not published; set [`kofuvi_url`](Self::kofuvi_url)) and
    /// `https://data.ppe.brreg.no`. Each URL set explicitly wins.
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = env;
        self
    }

    /// The Altinn 3 platform (Profile and Access Management), for example a sandbox; overrides
    /// the environment's. A path prefix is kept.
    pub fn platform_url(mut self, url: impl Into<String>) -> Self {
        self.platform_url = Some(url.into());
        self
    }

    /// KoFuVi's host (`/api/varslingsadresser/...` is added); overrides the environment's.
    pub fn kofuvi_url(mut self, url: impl Into<String>) -> Self {
        self.kofuvi_url = Some(url.into());
        self
    }

    /// Enhetsregisteret's open API host (`/enhetsregisteret/api/...` is added); overrides the
    /// environment's.
    pub fn enhetsregisteret_url(mut self, url: impl Into<String>) -> Self {
        self.enhetsregisteret_url = Some(url.into());
        self
    }

    /// Where official contacts come from (default [`OfficialContactsSource::Profile`]).
    pub fn official_contacts_source(mut self, source: OfficialContactsSource) -> Self {
        self.source = source;
        self
    }

    /// The Altinn 3 resource whose contact points personal contacts are (Profile's unit
    /// contact-point lookup requires one: a person's contact point counts when it names no
    /// resources or names this one). A leading `urn:altinn:resource:` is accepted. Altinn 2's
    /// service code and edition have no automatic mapping to a resource.
    pub fn resource_id(mut self, id: impl Into<String>) -> Self {
        self.resource_id = Some(id.into());
        self
    }

    /// The API Management subscription key, sent as `Ocp-Apim-Subscription-Key` to Profile and
    /// Access Management (marked sensitive; never shown).
    pub fn subscription_key(mut self, key: impl Into<String>) -> Self {
        self.subscription_key = Some(SecretString::from(key.into()));
        self
    }

    /// The source of the Altinn token sent to Profile and Access Management (for example a
    /// `MaskinportenTokenProvider` with the Altinn exchange). Without one, those calls are sent
    /// without `Authorization` and the service decides (Altinn answers 401).
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.token_provider = Some(provider);
        self
    }

    /// The enterprise certificate, presented as TLS client certificate to KoFuVi only.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Trusts `cert` as a root for every service, in addition to the operating system's roots.
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

    /// When and how to retry (default [`RetryPolicy::new`]). The lookups are `POST`s that change
    /// nothing, so they are retried like `GET`s.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// **Dangerous:** accepts `http://` URLs for any host, not only loopback ones, so tokens and
    /// the subscription key cross the network in clear text. Default `false`: such URLs are
    /// refused at [`build`](Self::build) with [`ConfigError::InsecureHttp`].
    pub fn danger_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Waits for `pacer` before every attempt of every call (a bulk job's task-local pacer is
    /// awaited anyway), and tells it of pauses the services ask for.
    pub fn pacer(mut self, pacer: Arc<dyn Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// Checks the configuration and builds the backend.
    pub fn build(self) -> Result<Altinn3Api, BuildError> {
        let (platform, kofuvi, brreg) = hosts(self.environment);
        let insecure = self.allow_insecure_http;
        let platform_url = parse_url(
            self.platform_url.as_deref().unwrap_or(platform),
            "platform URL",
            "",
            insecure,
        )?;
        let kofuvi_url = parse_url(
            self.kofuvi_url.as_deref().unwrap_or(kofuvi),
            "KoFuVi URL",
            "api/varslingsadresser/",
            insecure,
        )?;
        let brreg_url = parse_url(
            self.enhetsregisteret_url.as_deref().unwrap_or(brreg),
            "Enhetsregisteret URL",
            "enhetsregisteret/api/",
            insecure,
        )?;

        let resource_id = match self.resource_id {
            None => None,
            Some(id) => Some(check_resource_id(&id)?),
        };
        let subscription_key = match self.subscription_key {
            None => None,
            Some(key) => {
                let text = key.expose_secret().trim();
                if text.is_empty() {
                    None
                } else {
                    let mut value = reqwest::header::HeaderValue::from_str(text).map_err(|_| {
                        BuildError::InvalidSetting {
                            setting: "subscription key",
                            reason: "it cannot be sent as a header: it must be visible ASCII \
                                     without spaces"
                                .to_owned(),
                        }
                    })?;
                    value.set_sensitive(true);
                    Some((value, SecretString::from(text)))
                }
            }
        };

        // One HTTP client per kind (loopback or not, client certificate or not): building one
        // loads the system's roots, and clients of one kind can share their pool.
        let mut clients: Vec<((bool, bool, bool), reqwest::Client)> = Vec::new();
        let mut service = |url: Url, identity: Option<&Identity>| -> Result<Service, BuildError> {
            let kind = (
                shared::is_loopback(&url),
                url.scheme() == "https",
                identity.is_some(),
            );
            let http = match clients.iter().find(|(k, _)| *k == kind) {
                Some((_, http)) => http.clone(),
                None => {
                    let http = shared::http_client(
                        &url,
                        identity,
                        &self.roots,
                        self.connect_timeout,
                        DEFAULT_USER_AGENT,
                    )?;
                    clients.push((kind, http.clone()));
                    http
                }
            };
            Ok(Service { http, base: url })
        };
        let platform = service(platform_url, None)?;
        let brreg = service(brreg_url, None)?;
        let kofuvi = service(kofuvi_url, self.identity.as_ref())?;

        Ok(Altinn3Api::from_inner(Inner {
            platform,
            kofuvi,
            brreg,
            source: self.source,
            resource_id,
            subscription_key,
            token_provider: self.token_provider,
            has_identity: self.identity.is_some(),
            retry: self.retry,
            request_timeout: self.request_timeout,
            pacer: self.pacer,
            role_names: tokio::sync::OnceCell::new(),
        }))
    }
}

impl fmt::Debug for Altinn3Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Altinn3Builder")
            .field("environment", &self.environment)
            .field(
                "platform_url",
                &self.platform_url.as_deref().map(shared::shown_url),
            )
            .field(
                "kofuvi_url",
                &self.kofuvi_url.as_deref().map(shared::shown_url),
            )
            .field(
                "enhetsregisteret_url",
                &self.enhetsregisteret_url.as_deref().map(shared::shown_url),
            )
            .field("official_contacts_source", &self.source)
            .field("resource_id", &self.resource_id)
            .field(
                "subscription_key",
                &self.subscription_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "token_provider",
                &self.token_provider.as_ref().map(|_| "<provider>"),
            )
            .field("identity", &self.identity)
            .field("root_certificates", &self.roots)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("danger_allow_insecure_http", &self.allow_insecure_http)
            .field("pacer", &self.pacer)
            .finish()
    }
}

/// An absolute http(s) URL with a host and without credentials, query or fragment; its path
/// ends with `/` so that relative paths join under it, without a trailing `api_path` (the path
/// this crate adds itself, tolerated when a user gives the API's full URL); clear text only for
/// loopback hosts.
fn parse_url(
    given: &str,
    what: &'static str,
    api_path: &str,
    insecure: bool,
) -> Result<Url, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidUrl {
        what,
        url: shared::shown_url(given),
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
        return Err(invalid("credentials in the URL are not supported"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    let mut path = url.path().to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    if !api_path.is_empty()
        && let Some(prefix) = path.strip_suffix(api_path)
    {
        path = prefix.to_owned();
    }
    url.set_path(&path);
    shared::check_clear_text(&url, what, insecure)?;
    Ok(url)
}

/// A resource id as Profile takes it: without the `urn:altinn:resource:` prefix (Profile strips
/// it too), not empty, letters, digits, `-`, `_` and `.` only (it travels in a JSON body, but a
/// typo should fail here, not as Profile's 400).
fn check_resource_id(given: &str) -> Result<String, BuildError> {
    let t = given.trim();
    let id = t.strip_prefix("urn:altinn:resource:").unwrap_or(t);
    let invalid = |reason: &str| BuildError::InvalidSetting {
        setting: "resource id",
        reason: reason.to_owned(),
    };
    if id.is_empty() {
        return Err(invalid("it is empty"));
    }
    if id.len() > 200 {
        return Err(invalid("it is longer than 200 characters"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(invalid(
            "it may hold only letters, digits, '-', '_' and '.' (an Altinn 3 resource id such as app_ttd_my-app)",
        ));
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_end_with_a_slash() {
        assert_eq!(
            parse_url("http://127.0.0.1:9/x", "platform URL", "", false)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/x/"
        );
        assert_eq!(
            parse_url(
                "https://data.brreg.no/enhetsregisteret/api",
                "Enhetsregisteret URL",
                "enhetsregisteret/api/",
                false
            )
            .unwrap()
            .as_str(),
            "https://data.brreg.no/"
        );
        let err =
            parse_url("http://platform.example.invalid", "platform URL", "", false).unwrap_err();
        assert!(
            matches!(
                err,
                BuildError::Transport(ConfigError::InsecureHttp {
                    what: "platform URL",
                    ..
                })
            ),
            "{err:?}"
        );
        assert!(parse_url("http://platform.example.invalid", "platform URL", "", true).is_ok());
        let err = parse_url(
            "https://u:hunter2@x.invalid/?k=hunter2",
            "KoFuVi URL",
            "",
            false,
        )
        .unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
        assert!(parse_url("ftp://x.invalid", "KoFuVi URL", "", false).is_err());
    }

    #[test]
    fn resource_ids_lose_their_urn_prefix_and_must_be_plain() {
        assert_eq!(
            check_resource_id(" urn:altinn:resource:app_ttd_x-y ").unwrap(),
            "app_ttd_x-y"
        );
        assert!(check_resource_id("  ").is_err());
        assert!(check_resource_id("a b").is_err());
        assert!(check_resource_id("urn:altinn:resource:").is_err());
    }

    #[test]
    fn sources_parse_by_name() {
        assert_eq!(
            "KoFuVi".parse::<OfficialContactsSource>().unwrap(),
            OfficialContactsSource::Kofuvi
        );
        assert_eq!(
            "profile".parse::<OfficialContactsSource>().unwrap(),
            OfficialContactsSource::Profile
        );
        assert!("altinn".parse::<OfficialContactsSource>().is_err());
    }

    #[test]
    fn debug_never_shows_the_subscription_key() {
        let b = Altinn3Builder::new().subscription_key("sub-key-4711");
        assert!(!format!("{b:?}").contains("4711"));
        let api = b.build().unwrap();
        assert!(!format!("{api:?}").contains("4711"));
    }
}
