//! [`Altinn3Api`]: the [`ContactsApi`] composed from the successors, and the one request loop
//! they share (token, subscription key, pacing, retries, problem details).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::json;
use tracing::Instrument;
use url::Url;

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, CredentialsFailure, DecodeFailure, Error, Expand, Operation,
    OrderBy, OrganizationNumber, OrganizationsQuery, PersonId, PersonIdKind,
    PersonalContactsFilter, TransportError, TransportFailure, Unsupported,
};
use altinn_contacts_model::{
    OfficialContactList, Organization, OrganizationEmbedded, OrganizationList, PersonalContactList,
    RoleList,
};
use altinn_contacts_reqwest::{Pacer, RetryPolicy, TokenError, TokenProvider, shared};

use crate::config::{Altinn3Builder, OfficialContactsSource};
use crate::map::{
    self, AuthorizedParty, OrgAddressesResponse, RoleInfo, UnitContactPointsResponse,
};
use crate::problem;

/// The name this backend gives in [`Unsupported`] errors.
pub const BACKEND: &str = "altinn3";

/// The most organizations one Profile lookup carries: Profile asks Register about all of them in
/// one query, and Register refuses more than 100 identifiers (Profile then answers 500).
pub const PROFILE_BATCH_LIMIT: usize = 100;

/// The largest successful body read.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How much of an error body is read for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The page size of the organization list when the query names none (Altinn 2's largest).
const DEFAULT_PAGE_SIZE: u32 = altinn_contacts_api::MAX_PAGE_SIZE;

const SUBSCRIPTION_KEY: &str = "ocp-apim-subscription-key";

const PROFILE_ORG_ADDRESSES: &str =
    "profile/api/v1/correspondence/organizations/notificationaddresses/lookup";
const PROFILE_UNIT_CONTACT_POINTS: &str = "profile/api/v1/correspondence/units/contactpoint/lookup";
const AM_AUTHORIZED_PARTIES: &str = "accessmanagement/api/v1/serviceowner/authorizedparties";
const AM_ROLES: &str = "accessmanagement/api/v1/meta/info/roles";
const KOFUVI: &str = "api/varslingsadresser/";
const BRREG_UNITS: &str = "enhetsregisteret/api/enheter";
const BRREG_SUB_UNITS: &str = "enhetsregisteret/api/underenheter";

/// The [`ContactsApi`] over the services that replaced Altinn 2's contact API.
///
/// | call | service |
/// |---|---|
/// | `official_contacts` | Profile's notification-address lookup or KoFuVi ([`OfficialContactsSource`]) |
/// | `personal_contacts` | Profile's unit contact-point lookup, for the configured resource |
/// | `organization`, `organizations` | Enhetsregisteret's open API (anonymous) |
/// | `roles` | Access Management's authorized parties (by user id `u...` or national identity number) |
/// | `search_organizations` | none: [`Error::Unsupported`] |
///
/// Cheap to clone (clones share connection pools and the role catalogue). Build one with
/// [`builder`](Self::builder). See the crate docs for what each call loses on the way.
#[derive(Clone)]
pub struct Altinn3Api {
    inner: Arc<Inner>,
}

/// One service's HTTP client and base URL.
pub(crate) struct Service {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
}

/// The shared state of a backend.
pub(crate) struct Inner {
    pub(crate) platform: Service,
    pub(crate) kofuvi: Service,
    pub(crate) brreg: Service,
    pub(crate) source: OfficialContactsSource,
    pub(crate) resource_id: Option<String>,
    /// The header value (sensitive) and the key, to mask it in server text.
    pub(crate) subscription_key: Option<(HeaderValue, SecretString)>,
    pub(crate) token_provider: Option<Arc<dyn TokenProvider>>,
    pub(crate) has_identity: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Duration,
    pub(crate) pacer: Option<Arc<dyn Pacer>>,
    /// Access Management's role catalogue, once it was read.
    pub(crate) role_names: tokio::sync::OnceCell<Vec<RoleInfo>>,
}

/// Which service a request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Profile and Access Management: Altinn token and subscription key.
    Platform,
    /// KoFuVi: the enterprise certificate in TLS, nothing in headers.
    Kofuvi,
    /// Enhetsregisteret: anonymous.
    Brreg,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Platform => "altinn3 platform",
            Target::Kofuvi => "kofuvi",
            Target::Brreg => "enhetsregisteret",
        }
    }
}

/// One request: where, what, and which failure statuses the caller reads itself.
struct Request<'a> {
    op: Operation,
    target: Target,
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    /// Statuses answered as `Ok` (for example 404 where it means "none").
    accept: &'a [u16],
}

/// What one attempt came to.
enum Attempt {
    Answered {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
        token: Option<SecretString>,
    },
    Failed(TransportError),
    Token(TokenError),
}

fn unsupported(op: Operation, reason: impl Into<String>) -> Error {
    Error::Unsupported(Unsupported::new(op, BACKEND, reason))
}

/// True when a 401 is Azure API Management refusing the subscription key
/// (`{"statusCode": 401, "message": "Access denied due to ... subscription key ..."}`): a new
/// token would not help, and asking for one on every call would only load Maskinporten.
fn refuses_the_subscription_key(body: &[u8]) -> bool {
    String::from_utf8_lossy(body)
        .to_ascii_lowercase()
        .contains("subscription key")
}

fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502..=504)
}

/// A success body as `T`; a body that does not fit is a decode error that never quotes a value.
fn decode<T: DeserializeOwned>(op: Operation, status: u16, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| {
        let truncated = e.is_eof();
        let what = match e.classify() {
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Eof => "JSON ended early",
            _ => "not the expected shape",
        };
        Error::Decode(DecodeFailure::new(
            op,
            status,
            ".",
            format!("{what} (line {}, column {})", e.line(), e.column()),
            truncated,
        ))
    })
}

impl Altinn3Api {
    /// A builder with the defaults: production, official contacts from Profile, 10 s connect
    /// timeout, 30 s per attempt, [`RetryPolicy::new`].
    pub fn builder() -> Altinn3Builder {
        Altinn3Builder::new()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Altinn3Api {
            inner: Arc::new(inner),
        }
    }

    /// Where official contacts come from.
    pub fn official_contacts_source(&self) -> OfficialContactsSource {
        self.inner.source
    }

    /// The resource personal contacts are looked up for, when one is set.
    pub fn resource_id(&self) -> Option<&str> {
        self.inner.resource_id.as_deref()
    }

    /// The Altinn 3 platform's base URL (Profile, Access Management).
    pub fn platform_url(&self) -> &Url {
        &self.inner.platform.base
    }

    /// KoFuVi's base URL.
    pub fn kofuvi_url(&self) -> &Url {
        &self.inner.kofuvi.base
    }

    /// Enhetsregisteret's base URL.
    pub fn enhetsregisteret_url(&self) -> &Url {
        &self.inner.brreg.base
    }

    fn service(&self, target: Target) -> &Service {
        match target {
            Target::Platform => &self.inner.platform,
            Target::Kofuvi => &self.inner.kofuvi,
            Target::Brreg => &self.inner.brreg,
        }
    }

    /// One request with retries: a success (or an `accept`ed status) as status and body, else
    /// the error, after the [`RetryPolicy`], with the pacer awaited before every attempt.
    async fn send(&self, req: &Request<'_>) -> Result<(u16, Vec<u8>), Error> {
        // The path holds organization numbers at most; bodies (which may hold a national
        // identity number) and query values are never logged.
        let span = tracing::info_span!(
            "altinn_contacts",
            operation = req.op.name(),
            service = req.target.name(),
            method = req.method.as_str(),
            path = req.path.as_str(),
        );
        let started = Instant::now();
        let result = self.send_with_retries(req).instrument(span.clone()).await;
        span.in_scope(|| {
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &result {
                Ok(_) => tracing::debug!(duration_ms, "call succeeded"),
                Err(error) => tracing::debug!(duration_ms, error = %error, "call failed"),
            }
        });
        result
    }

    async fn send_with_retries(&self, req: &Request<'_>) -> Result<(u16, Vec<u8>), Error> {
        let inner = &self.inner;
        let policy = &inner.retry;
        let op = req.op;
        shared::before_attempt(inner.pacer.as_ref()).await;
        let started = Instant::now();
        let deadline = policy.deadline.and_then(|d| started.checked_add(d));
        let mut max_attempts = shared::retry_attempts(policy);
        let mut reauthorized = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timeout = match deadline {
                Some(deadline) => deadline
                    .saturating_duration_since(Instant::now())
                    .min(inner.request_timeout),
                None => inner.request_timeout,
            };
            let outcome = self.attempt(req, timeout, deadline).await;
            let (error, retry_after) = match outcome {
                Attempt::Answered {
                    status,
                    headers,
                    body,
                    token,
                } => {
                    tracing::debug!(
                        operation = op.name(),
                        service = req.target.name(),
                        attempt,
                        status,
                        "answered"
                    );
                    if (200..300).contains(&status) || req.accept.contains(&status) {
                        return Ok((status, body));
                    }
                    if status == 401
                        && !reauthorized
                        && !refuses_the_subscription_key(&body)
                        && let (Some(token), Some(provider)) = (&token, &inner.token_provider)
                        && deadline.is_none_or(|d| Instant::now() < d)
                    {
                        // The token may have been revoked or expired early: one more attempt
                        // with a fresh one, beyond the retry policy's.
                        reauthorized = true;
                        max_attempts = max_attempts.saturating_add(1);
                        provider.invalidate(token);
                        continue;
                    }
                    let retry_after = shared::retry_after(&headers);
                    if status == 429 || (retryable_status(status) && retry_after.is_some()) {
                        let pause = retry_after
                            .unwrap_or_else(|| shared::retry_wait(policy, attempt, None));
                        shared::pause(inner.pacer.as_ref(), pause);
                    }
                    let text = String::from_utf8_lossy(&body);
                    let mut secrets: Vec<&SecretString> = Vec::new();
                    if let Some((_, key)) = &inner.subscription_key {
                        secrets.push(key);
                    }
                    if let Some(token) = &token {
                        secrets.push(token);
                    }
                    let masked = shared::mask_secrets(&text, &secrets);
                    let error = problem::error(op, status, masked.as_bytes(), retry_after);
                    if !retryable_status(status) {
                        return Err(error.with_attempts(attempt));
                    }
                    (error, retry_after)
                }
                Attempt::Failed(error) => {
                    tracing::debug!(operation = op.name(), service = req.target.name(), attempt, kind = ?error.kind, "failed");
                    let retryable = matches!(
                        error.kind,
                        TransportFailure::Connect
                            | TransportFailure::Timeout
                            | TransportFailure::Body
                    );
                    let error = Error::Transport(error);
                    if !retryable {
                        return Err(error.with_attempts(attempt));
                    }
                    (error, None)
                }
                Attempt::Token(error) => {
                    let retry_after = error.retry_after();
                    let transient = error.is_transient();
                    let error = Error::Credentials(CredentialsFailure::new(op, error, transient));
                    if !transient {
                        return Err(error.with_attempts(attempt));
                    }
                    (error, retry_after)
                }
            };
            if attempt >= max_attempts {
                return Err(error.with_attempts(attempt));
            }
            let wait = shared::retry_wait(policy, attempt, retry_after);
            let wait_ends = Instant::now().checked_add(wait);
            if deadline.is_some_and(|d| wait_ends.is_none_or(|end| end >= d)) {
                return Err(error.with_attempts(attempt));
            }
            tokio::time::sleep(wait).await;
            shared::before_attempt(inner.pacer.as_ref()).await;
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(error.with_attempts(attempt));
            }
        }
    }

    /// One attempt: the token (platform only), the request, and the whole body (bounded).
    async fn attempt(
        &self,
        req: &Request<'_>,
        timeout: Duration,
        deadline: Option<Instant>,
    ) -> Attempt {
        let op = req.op;
        let service = self.service(req.target);
        let mut url = match service.base.join(&req.path) {
            Ok(url) => url,
            Err(e) => {
                return Attempt::Failed(TransportError::new(
                    op,
                    TransportFailure::Other,
                    format!("cannot build the request URL: {e}"),
                ));
            }
        };
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut request = service
            .http
            .request(req.method.clone(), url)
            .timeout(timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        let mut provided = None;
        if req.target == Target::Platform {
            if let Some((key, _)) = &self.inner.subscription_key {
                request = request.header(HeaderName::from_static(SUBSCRIPTION_KEY), key.clone());
            }
            if let Some(provider) = &self.inner.token_provider {
                let token = match deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline.into(), provider.token())
                        .await
                        .unwrap_or_else(|_| {
                            Err(TokenError::transient(
                                "the token provider did not answer before the call's deadline",
                            ))
                        }),
                    None => provider.token().await,
                };
                let token = match token {
                    Ok(token) => token,
                    Err(error) => return Attempt::Token(error),
                };
                let Ok(mut value) =
                    HeaderValue::from_str(&format!("Bearer {}", token.expose_secret().trim()))
                else {
                    return Attempt::Failed(TransportError::new(
                        op,
                        TransportFailure::Other,
                        "the token provider gave a token that cannot be sent as a header",
                    ));
                };
                value.set_sensitive(true);
                request = request.header(AUTHORIZATION, value);
                provided = Some(token);
            }
        }
        if let Some(body) = &req.body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(shared::transport_error(op, e)),
        };
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let limit = if (200..300).contains(&status) {
            MAX_BODY
        } else {
            MAX_ERROR_BODY
        };
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        if limit == MAX_BODY {
                            return Attempt::Failed(TransportError::new(
                                op,
                                TransportFailure::Other,
                                format!("the response body is larger than {} MiB", MAX_BODY >> 20),
                            ));
                        }
                        body.extend_from_slice(&chunk[..limit - body.len()]);
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Attempt::Failed(shared::transport_error(op, e)),
            }
        }
        Attempt::Answered {
            status,
            headers,
            body,
            token: provided,
        }
    }

    /// A POST of a JSON body to the platform, decoded as `T`.
    async fn post_platform<T: DeserializeOwned>(
        &self,
        op: Operation,
        path: &str,
        query: Vec<(&'static str, String)>,
        body: serde_json::Value,
    ) -> Result<T, Error> {
        let req = Request {
            op,
            target: Target::Platform,
            method: Method::POST,
            path: path.to_owned(),
            query,
            body: Some(body.to_string().into_bytes()),
            accept: &[],
        };
        let (status, body) = self.send(&req).await?;
        decode(op, status, &body)
    }

    /// Official contacts of up to [`PROFILE_BATCH_LIMIT`] organizations in one Profile lookup.
    async fn profile_official_contacts(
        &self,
        orgs: &[&OrganizationNumber],
    ) -> Result<HashMap<String, OfficialContactList>, Error> {
        let numbers: Vec<&str> = orgs.iter().map(|o| o.as_str()).collect();
        let response: OrgAddressesResponse = self
            .post_platform(
                Operation::OfficialContacts,
                PROFILE_ORG_ADDRESSES,
                Vec::new(),
                json!({ "organizationNumbers": numbers }),
            )
            .await?;
        Ok(map::official_contacts_from_profile(response))
    }

    /// Official contacts of one organization from KoFuVi; its 404 is "no addresses".
    async fn kofuvi_official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        let op = Operation::OfficialContacts;
        let req = Request {
            op,
            target: Target::Kofuvi,
            method: Method::GET,
            path: format!("{KOFUVI}{}", org.as_str()),
            query: Vec::new(),
            body: None,
            accept: &[404],
        };
        let (status, body) = self.send(&req).await?;
        if status == 404 {
            return Ok(OfficialContactList::default());
        }
        let value: serde_json::Value = decode(op, status, &body)?;
        Ok(map::official_contacts_from_kofuvi(org.as_str(), &value))
    }

    /// Personal contacts of up to [`PROFILE_BATCH_LIMIT`] organizations in one Profile lookup.
    async fn profile_personal_contacts(
        &self,
        orgs: &[&OrganizationNumber],
        resource_id: &str,
    ) -> Result<HashMap<String, PersonalContactList>, Error> {
        let numbers: Vec<&str> = orgs.iter().map(|o| o.as_str()).collect();
        let response: UnitContactPointsResponse = self
            .post_platform(
                Operation::PersonalContacts,
                PROFILE_UNIT_CONTACT_POINTS,
                Vec::new(),
                json!({ "organizationNumbers": numbers, "resourceId": resource_id }),
            )
            .await?;
        Ok(map::personal_contacts_from_profile(response))
    }

    /// The resource id personal contacts need, and the filters Profile cannot apply refused.
    fn personal_contacts_setup(&self, filter: &PersonalContactsFilter) -> Result<&str, Error> {
        let op = Operation::PersonalContacts;
        if filter.role.is_some() {
            return Err(unsupported(
                op,
                "Altinn 3 Profile's contact-point lookup cannot filter by role \
                 (roleDefinitionCode); look up the contacts without it",
            ));
        }
        if let Some((code, edition)) = &filter.service {
            return Err(unsupported(
                op,
                format!(
                    "Altinn 3 has no service codes and editions: personal contacts are looked up \
                     for one Altinn 3 resource, set with the resource id setting instead (an \
                     Altinn 2 service carried over to the resource registry may be named \
                     se_{}_{}; unconfirmed)",
                    code.as_str(),
                    edition.as_str()
                ),
            ));
        }
        self.inner.resource_id.as_deref().ok_or_else(|| {
            unsupported(
                op,
                "no resource id is configured: Altinn 3 Profile looks up personal contacts for \
                 one Altinn 3 resource; set the resource id setting",
            )
        })
    }

    /// Access Management's role catalogue, read once; `None` while it cannot be read.
    async fn role_catalogue(&self) -> Option<&[RoleInfo]> {
        let result = self
            .inner
            .role_names
            .get_or_try_init(|| async {
                let req = Request {
                    op: Operation::Roles,
                    target: Target::Platform,
                    method: Method::GET,
                    path: AM_ROLES.to_owned(),
                    query: Vec::new(),
                    body: None,
                    accept: &[],
                };
                let (status, body) = self.send(&req).await?;
                decode::<Vec<RoleInfo>>(Operation::Roles, status, &body)
            })
            .await;
        match result {
            Ok(catalogue) => Some(catalogue.as_slice()),
            Err(error) => {
                tracing::debug!(error = %error, "role catalogue not available; roles without names");
                None
            }
        }
    }

    /// One unit from Enhetsregisteret: a main unit, else a sub-unit; 404 when neither.
    async fn unit(&self, org: &OrganizationNumber) -> Result<Organization, Error> {
        let op = Operation::GetOrganization;
        let mut last = (404, Vec::new());
        for path in [BRREG_UNITS, BRREG_SUB_UNITS] {
            let req = Request {
                op,
                target: Target::Brreg,
                method: Method::GET,
                path: format!("{path}/{}", org.as_str()),
                query: Vec::new(),
                body: None,
                accept: &[404],
            };
            let (status, body) = self.send(&req).await?;
            if status == 404 {
                last = (status, body);
                continue;
            }
            let unit: map::Unit = decode(op, status, &body)?;
            return Ok(map::organization_from_unit(unit));
        }
        Err(problem::error(op, last.0, &last.1, None))
    }

    /// One page of Enhetsregisteret's search, `size` units from page `page`.
    async fn unit_page(
        &self,
        query: &OrganizationsQuery,
        size: u32,
        page: u64,
    ) -> Result<map::UnitPage, Error> {
        let op = Operation::ListOrganizations;
        let form = query.type_filter.as_ref().map(|t| t.as_str().to_owned());
        // Sub-units (BEDR, AAFY) are listed apart from main units.
        let path = match form.as_deref() {
            Some(f) if f.eq_ignore_ascii_case("BEDR") || f.eq_ignore_ascii_case("AAFY") => {
                BRREG_SUB_UNITS
            }
            _ => BRREG_UNITS,
        };
        let mut params = vec![("size", size.to_string()), ("page", page.to_string())];
        if let Some(form) = form {
            params.push(("organisasjonsform", form.to_ascii_uppercase()));
        }
        match query.order_by {
            Some(OrderBy::Name) => params.push(("sort", "navn,ASC".to_owned())),
            Some(_) => params.push(("sort", "organisasjonsnummer,ASC".to_owned())),
            None => {}
        }
        let req = Request {
            op,
            target: Target::Brreg,
            method: Method::GET,
            path: path.to_owned(),
            query: params,
            body: None,
            accept: &[],
        };
        let (status, body) = self.send(&req).await?;
        decode(op, status, &body)
    }

    /// The official contacts of `orgs` embedded in each organization (expand).
    async fn embed_official_contacts(&self, orgs: &mut [Organization]) -> Result<(), Error> {
        let numbers: Vec<(usize, OrganizationNumber)> = orgs
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                let n = o.organization_number.as_ref()?;
                OrganizationNumber::try_from(n).ok().map(|n| (i, n))
            })
            .collect();
        let limit = self.batch_limit(Operation::OfficialContacts).max(1);
        for chunk in numbers.chunks(limit) {
            let only: Vec<OrganizationNumber> = chunk.iter().map(|(_, n)| n.clone()).collect();
            let results = self.official_contacts_batch(&only).await;
            for ((i, _), result) in chunk.iter().zip(results) {
                let mut embedded = OrganizationEmbedded::default();
                embedded.official_contacts = result?.embedded.official_contacts;
                orgs[*i].embedded = Some(embedded);
            }
        }
        Ok(())
    }
}

/// Distinct organization numbers, in first-seen order.
/// Answers `orgs` in input order from one `lookup` per [`PROFILE_BATCH_LIMIT`] distinct
/// numbers: an organization the service left out of its answer has no contacts, and a lookup
/// that failed is the error of every organization it carried.
async fn in_batches<'a, T, F, Fut>(
    orgs: &'a [OrganizationNumber],
    mut lookup: F,
) -> Vec<Result<T, Error>>
where
    T: Clone + Default,
    F: FnMut(Vec<&'a OrganizationNumber>) -> Fut,
    Fut: std::future::Future<Output = Result<HashMap<String, T>, Error>>,
{
    let unique = distinct(orgs);
    let mut answers: HashMap<&str, Result<T, Error>> = HashMap::new();
    for chunk in unique.chunks(PROFILE_BATCH_LIMIT) {
        match lookup(chunk.to_vec()).await {
            Ok(mut found) => {
                for org in chunk {
                    answers.insert(
                        org.as_str(),
                        Ok(found.remove(org.as_str()).unwrap_or_default()),
                    );
                }
            }
            Err(error) => {
                for org in chunk {
                    answers.insert(org.as_str(), Err(error.clone()));
                }
            }
        }
    }
    orgs.iter()
        .map(|o| {
            answers
                .get(o.as_str())
                .cloned()
                .unwrap_or_else(|| Ok(T::default()))
        })
        .collect()
}

fn distinct(orgs: &[OrganizationNumber]) -> Vec<&OrganizationNumber> {
    let mut seen = std::collections::HashSet::new();
    orgs.iter().filter(|o| seen.insert(o.as_str())).collect()
}

#[async_trait]
impl ContactsApi for Altinn3Api {
    /// A page of Enhetsregisteret's search (`enheter`, or `underenheter` for the sub-unit forms
    /// BEDR and AAFY): `$top` is the page size (default 1000), `$skip` the offset (two pages are
    /// read when it is not a multiple of the size), the type filter is `organisasjonsform`, the
    /// order `sort`. With expand, each organization's official contacts are embedded.
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        query.validate()?;
        let size = query.top.unwrap_or(DEFAULT_PAGE_SIZE);
        let skip = query.skip.unwrap_or(0);
        let page = skip / u64::from(size);
        let offset = usize::try_from(skip % u64::from(size)).unwrap_or(0);
        let first = self.unit_page(query, size, page).await?;
        let total = first.total();
        let mut units = first.into_units();
        let wanted = usize::try_from(size).unwrap_or(usize::MAX);
        if offset > 0 {
            let more =
                total.is_none_or(|t| page.saturating_add(1).saturating_mul(u64::from(size)) < t);
            units = units.into_iter().skip(offset).collect();
            if more && units.len() < wanted {
                let next = self.unit_page(query, size, page.saturating_add(1)).await?;
                units.extend(next.into_units());
            }
            units.truncate(wanted);
        }
        let mut orgs: Vec<Organization> =
            units.into_iter().map(map::organization_from_unit).collect();
        if query.expand == Expand::OfficialContacts {
            self.embed_official_contacts(&mut orgs).await?;
        }
        let mut list = OrganizationList::default();
        list.embedded.organizations = orgs;
        Ok(list)
    }

    async fn search_organizations(
        &self,
        _search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        Err(unsupported(
            Operation::SearchOrganizations,
            "no successor exists for service owners: Altinn 3 searches contact points by e-mail \
             or phone only for Altinn's own support (Profile's dashboard API)",
        ))
    }

    /// The unit from Enhetsregisteret (a main unit, else a sub-unit); with expand, its official
    /// contacts embedded.
    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        let mut organization = self.unit(org).await?;
        if expand == Expand::OfficialContacts {
            let contacts = self.official_contacts(org).await?;
            let mut embedded = OrganizationEmbedded::default();
            embedded.official_contacts = contacts.embedded.official_contacts;
            organization.embedded = Some(embedded);
        }
        Ok(organization)
    }

    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        match self.inner.source {
            OfficialContactsSource::Kofuvi => self.kofuvi_official_contacts(org).await,
            _ => {
                let mut found = self.profile_official_contacts(&[org]).await?;
                Ok(found.remove(org.as_str()).unwrap_or_default())
            }
        }
    }

    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        let resource_id = self.personal_contacts_setup(filter)?;
        let mut found = self.profile_personal_contacts(&[org], resource_id).await?;
        Ok(found.remove(org.as_str()).unwrap_or_default())
    }

    /// Access Management's authorized parties of the person, filtered to `org`: a user id
    /// (`u...`) is sent as `urn:altinn:userid`, a national identity number as
    /// `urn:altinn:person:identifier-no` (in the body, never in a URL or log).
    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error> {
        let op = Operation::Roles;
        let (kind, value) = match person.kind() {
            PersonIdKind::AltinnUser => ("urn:altinn:userid", person.number().unwrap_or_default()),
            PersonIdKind::NationalIdentityNumber => {
                ("urn:altinn:person:identifier-no", person.as_str())
            }
            _ => {
                return Err(unsupported(
                    op,
                    "Altinn 3 has no personal-contact ids (r...): Access Management looks up roles \
                     by an Altinn user id (u..., the id this backend gives personal contacts) or \
                     a national identity number",
                ));
            }
        };
        let body = json!({
            "type": kind,
            "value": value,
            "partyFilter": [{ "type": "urn:altinn:organization:identifier-no", "value": org.as_str() }],
        });
        let query = vec![
            ("includeRoles", "true".to_owned()),
            ("includeResources", "false".to_owned()),
            ("includeInstances", "false".to_owned()),
        ];
        let parties: Vec<AuthorizedParty> = self
            .post_platform(op, AM_AUTHORIZED_PARTIES, query, body)
            .await?;
        let catalogue = self.role_catalogue().await.unwrap_or_default();
        Ok(map::roles_from_parties(org.as_str(), &parties, catalogue))
    }

    /// Personal contacts: 100 per request. Official contacts: 100 per request from Profile, 1
    /// from KoFuVi (one organization per `GET`).
    fn batch_limit(&self, operation: Operation) -> usize {
        match (operation, self.inner.source) {
            (Operation::PersonalContacts, _) => PROFILE_BATCH_LIMIT,
            (Operation::OfficialContacts, OfficialContactsSource::Profile) => PROFILE_BATCH_LIMIT,
            _ => 1,
        }
    }

    /// From Profile: one request per 100 distinct organizations; an organization the answer
    /// leaves out has no contacts; a failed request gives each of its organizations the error.
    /// From KoFuVi: one request per organization.
    async fn official_contacts_batch(
        &self,
        orgs: &[OrganizationNumber],
    ) -> Vec<Result<OfficialContactList, Error>> {
        if self.inner.source == OfficialContactsSource::Kofuvi {
            let mut out = Vec::with_capacity(orgs.len());
            for org in orgs {
                out.push(self.kofuvi_official_contacts(org).await);
            }
            return out;
        }
        in_batches(orgs, |chunk| async move {
            self.profile_official_contacts(&chunk).await
        })
        .await
    }

    /// One request per 100 distinct organizations; see
    /// [`official_contacts_batch`](Self::official_contacts_batch).
    async fn personal_contacts_batch(
        &self,
        orgs: &[OrganizationNumber],
        filter: &PersonalContactsFilter,
    ) -> Vec<Result<PersonalContactList, Error>> {
        let resource_id = match self.personal_contacts_setup(filter) {
            Ok(id) => id,
            Err(error) => return orgs.iter().map(|_| Err(error.clone())).collect(),
        };
        in_batches(orgs, |chunk| async move {
            self.profile_personal_contacts(&chunk, resource_id).await
        })
        .await
    }
}

impl fmt::Debug for Altinn3Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Altinn3Api")
            .field("platform_url", &inner.platform.base.as_str())
            .field("kofuvi_url", &inner.kofuvi.base.as_str())
            .field("enhetsregisteret_url", &inner.brreg.base.as_str())
            .field("official_contacts_source", &inner.source)
            .field("resource_id", &inner.resource_id)
            .field(
                "subscription_key",
                &inner.subscription_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "token_provider",
                &inner.token_provider.as_ref().map(|_| "<provider>"),
            )
            .field("identity", &inner.has_identity)
            .field("request_timeout", &inner.request_timeout)
            .field("retry", &inner.retry)
            .finish()
    }
}
