//! [`SandboxBuilder`] and the running [`Sandbox`]: binding, TLS, the accept loop and shutdown,
//! and the faults that act on a connection or on a whole answer rather than inside the handler
//! (a reset instead of an answer, a cap on the size of organizations pages).

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::http::{Request, Response, StatusCode, header};
use axum::{Extension, Router};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::faults::{FaultConfig, Faults, ResetConnection};
use altinn_contacts_server::{API_PREFIX, ApiKeys, Contract, TlsConfig, is_organizations_list};

use crate::handler::{self, AppState, ConnInfo};
use crate::maskinporten::{ISSUER_PATH, Maskinporten, MaskinportenConfig};
use crate::recorder::{RecordedRequest, Recorder};
use crate::records::OrganizationRecord;
use crate::successors::{SuccessorEndpoint, Successors, SuccessorsConfig};

/// The API key a sandbox accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "sandbox-api-key";
/// How many organizations a sandbox generates unless told otherwise.
pub const DEFAULT_ORGANIZATIONS: usize = 100;
/// The seed of the generated organizations unless told otherwise.
pub const DEFAULT_SEED: u64 = 20_170_615;
/// How many requests a sandbox remembers unless told otherwise.
pub const DEFAULT_REQUEST_LOG_CAPACITY: usize = 1000;

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`Sandbox::shutdown`] lets in-flight requests finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Configures and starts a [`Sandbox`]. Made by [`Sandbox::builder`].
#[derive(Clone)]
#[must_use]
pub struct SandboxBuilder {
    listen: SocketAddr,
    api_key: String,
    organizations: usize,
    seed: u64,
    seed_records: bool,
    records: Vec<OrganizationRecord>,
    tls: Option<(Vec<u8>, Vec<u8>)>,
    client_ca: Option<Vec<u8>>,
    bearer: Option<String>,
    maskinporten: Option<MaskinportenConfig>,
    faults: FaultConfig,
    request_log_capacity: usize,
    successors: SuccessorsConfig,
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The API key, the bearer token and the TLS key are secrets: never printed.
        f.debug_struct("SandboxBuilder")
            .field("listen", &self.listen)
            .field("organizations", &self.organizations)
            .field("seed", &self.seed)
            .field("seed_records", &self.seed_records)
            .field("records", &self.records.len())
            .field("tls", &self.tls.is_some())
            .field("client_ca", &self.client_ca.is_some())
            .field("bearer", &self.bearer.is_some())
            .field("maskinporten", &self.maskinporten)
            .field("faults", &self.faults)
            .field("request_log_capacity", &self.request_log_capacity)
            .finish_non_exhaustive()
    }
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_key: DEFAULT_API_KEY.to_owned(),
            organizations: DEFAULT_ORGANIZATIONS,
            seed: DEFAULT_SEED,
            seed_records: true,
            records: Vec::new(),
            tls: None,
            client_ca: None,
            bearer: None,
            maskinporten: None,
            faults: FaultConfig::default(),
            request_log_capacity: DEFAULT_REQUEST_LOG_CAPACITY,
            successors: SuccessorsConfig::default(),
        }
    }
}

impl SandboxBuilder {
    /// Listens on `addr` (default `127.0.0.1:0`, a free port on loopback).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Accepts this `ApiKey` (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Generates this many organizations (default [`DEFAULT_ORGANIZATIONS`], at most 5,000,000).
    pub fn organizations(mut self, count: usize) -> Self {
        self.organizations = count;
        self
    }

    /// Seeds the generated organizations (default [`DEFAULT_SEED`]): the same seed and count
    /// always give the same data.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Serves the API page's sample records and the quirk records (default `true`).
    pub fn include_seed_records(mut self, include: bool) -> Self {
        self.seed_records = include;
        self
    }

    /// Serves this organization too; it replaces a sample record with the same number.
    pub fn with_organization(mut self, record: OrganizationRecord) -> Self {
        self.records.push(record);
        self
    }

    /// Serves these organizations too.
    pub fn with_organizations(
        mut self,
        records: impl IntoIterator<Item = OrganizationRecord>,
    ) -> Self {
        self.records.extend(records);
        self
    }

    /// Serves HTTPS with this certificate chain and private key (both PEM). The base URL then
    /// starts with `https://`.
    pub fn tls(
        mut self,
        cert_chain_pem: impl Into<Vec<u8>>,
        private_key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.tls = Some((cert_chain_pem.into(), private_key_pem.into()));
        self
    }

    /// Requires enterprise-certificate authentication as Altinn does: a client certificate
    /// signed by one of these CAs (PEM), and the `ForceEIAuthentication` query flag on every
    /// request. A certificate the CAs did not sign fails the TLS handshake; a request without a
    /// certificate, or without the flag, gets `401 Enterprise certificate authentication failed,
    /// verify that the supplied certificate is valid`. Needs [`SandboxBuilder::tls`].
    ///
    /// With [`SandboxBuilder::bearer_token`] as well, either way of authenticating is accepted.
    pub fn client_ca(mut self, ca_pem: impl Into<Vec<u8>>) -> Self {
        self.client_ca = Some(ca_pem.into());
        self
    }

    /// Requires `Authorization: Bearer <token>` on every request (besides the `ApiKey`);
    /// without it: `401 Authorization failed: There is no authenticated organization number set
    /// on this request.`
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(token.into());
        self
    }

    /// Serves a Maskinporten token endpoint (issuer `<base URL>/maskinporten/`) and Altinn's
    /// token exchange, which verify grants for real; the API then requires a token they issued
    /// as `Bearer` (or the [`bearer_token`](Self::bearer_token), or a client certificate with
    /// [`client_ca`](Self::client_ca)). See [`MaskinportenConfig`].
    pub fn maskinporten(mut self, config: MaskinportenConfig) -> Self {
        self.maskinporten = Some(config);
        self
    }

    /// Starts with these faults switched on (change them later with [`Sandbox::faults`]).
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Remembers this many requests (default [`DEFAULT_REQUEST_LOG_CAPACITY`]); `0` records
    /// none (only [`Sandbox::request_count`] counts).
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Sets up the emulations of Altinn 2's successors (Profile, Access Management, KoFuVi,
    /// Enhetsregisteret; see [`crate::successors`]). They are always served; the default
    /// [`SuccessorsConfig`] works with the sandbox's own test credentials.
    pub fn successors(mut self, config: SuccessorsConfig) -> Self {
        self.successors = config;
        self
    }

    fn tls_acceptor(&self) -> Result<Option<TlsAcceptor>> {
        let Some((cert_pem, key_pem)) = &self.tls else {
            if self.client_ca.is_some() {
                return Err(Error::Config(
                    "a client CA needs TLS: call .tls(cert, key) as well".to_owned(),
                ));
            }
            return Ok(None);
        };
        let mut config = TlsConfig::new(cert_pem.clone(), key_pem.clone());
        if let Some(ca_pem) = &self.client_ca {
            config = config.client_ca(ca_pem.clone());
        }
        config
            .acceptor()
            .map(Some)
            .map_err(|e| Error::Tls(e.to_string()))
    }

    /// Binds, builds the data, and starts serving on the current tokio runtime. The sandbox
    /// stops when the returned [`Sandbox`] is dropped or [shut down](Sandbox::shutdown).
    pub async fn start(self) -> Result<Sandbox> {
        if self.organizations > crate::generate::MAX_GENERATED {
            return Err(Error::Config(format!(
                "at most {} generated organizations, asked for {}",
                crate::generate::MAX_GENERATED,
                self.organizations
            )));
        }
        let tls = self.tls_acceptor()?;
        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: self.listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: self.listen,
            source,
        })?;
        // A sandbox on 0.0.0.0 is reached over loopback from the same machine.
        let mut link_addr = local_addr;
        if link_addr.ip().is_unspecified() {
            link_addr.set_ip(if link_addr.is_ipv4() {
                Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let scheme = if tls.is_some() { "https" } else { "http" };

        let mut records = if self.seed_records {
            crate::seed::records()
        } else {
            Vec::new()
        };
        records.extend(self.records);
        let dataset = Arc::new(Dataset::build(records, self.organizations, self.seed));

        let faults = Faults::new(self.faults);
        let maskinporten = self
            .maskinporten
            .map(Maskinporten::new)
            .transpose()?
            .map(Arc::new);
        let successors = Successors::new(self.successors, maskinporten.as_ref())?;
        let state = Arc::new(AppState {
            successors,
            maskinporten,
            contract: Contract::new(dataset.clone()),
            dataset,
            // An empty key accepts no request, as before: every `ApiKey` is then refused.
            api_keys: ApiKeys::new([&self.api_key]).unwrap_or_else(|_| ApiKeys::none()),
            bearer: self.bearer.clone(),
            client_ca: self.client_ca.is_some(),
            scheme,
            authority: link_addr.to_string(),
            faults: faults.clone(),
            recorder: Recorder::new(self.request_log_capacity),
        });
        let router = Router::new()
            .fallback(handler::handle)
            .with_state(state.clone());
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(
            listener,
            tls,
            router,
            faults.clone(),
            shutdown_rx,
        ));
        Ok(Sandbox {
            base_url: format!("{scheme}://{link_addr}"),
            local_addr,
            api_key: self.api_key,
            bearer: self.bearer,
            faults,
            state,
            shutdown,
            task: Some(task),
            runtime: None,
        })
    }

    /// Starts the sandbox on a runtime of its own, in background threads, for code that is not
    /// async (a plain `#[test]` with a blocking client, a `main` without tokio). Must not be
    /// called from inside a tokio runtime; there, use [`SandboxBuilder::start`].
    pub fn start_blocking(self) -> Result<Sandbox> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "start_blocking was called inside a tokio runtime: use start().await".to_owned(),
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("altinn-sandbox")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let mut sandbox = runtime.block_on(self.start())?;
        sandbox.runtime = Some(runtime);
        Ok(sandbox)
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    faults: Faults,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    // Small answers must not wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    let service = ConnectionService::new(router.clone(), faults.clone());
                    connections.spawn(connection(stream, tls.clone(), service, shutdown.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "sandbox: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Connections see the same signal and finish their in-flight request; the rest are aborted
    // when the set is dropped.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

async fn connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    service: ConnectionService,
    shutdown: watch::Receiver<bool>,
) {
    let stream = ResettableStream {
        stream,
        reset: Arc::clone(&service.reset),
    };
    match tls {
        None => {
            let info = ConnInfo {
                client_certificate: false,
            };
            serve_http(stream, info, service, shutdown).await;
        }
        Some(acceptor) => {
            let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            let info = ConnInfo {
                client_certificate: stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .is_some_and(|certs| !certs.is_empty()),
            };
            serve_http(stream, info, service, shutdown).await;
        }
    }
}

async fn serve_http<S>(
    stream: S,
    info: ConnInfo,
    mut service: ConnectionService,
    mut shutdown: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    service.router = service.router.layer(Extension(info));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "sandbox: connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// The service of one connection: the router, plus the faults the handler cannot apply itself.
/// An answer marked [`ResetConnection`] is not sent: the service fails, hyper drops the
/// connection, and [`ResettableStream`] turns the close into a reset. With a page-size cap,
/// organizations pages are cut to it.
#[derive(Clone)]
struct ConnectionService {
    router: Router,
    faults: Faults,
    reset: Arc<AtomicBool>,
}

impl ConnectionService {
    fn new(router: Router, faults: Faults) -> Self {
        ConnectionService {
            router,
            faults,
            reset: Arc::new(AtomicBool::new(false)),
        }
    }
}

type ServiceError = Box<dyn std::error::Error + Send + Sync>;

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response<Body>;
    type Error = ServiceError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, ServiceError>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        // The cap's lock is taken only for the one paged call.
        let cap = if is_organizations_list(request.method(), request.uri().path()) {
            self.faults.max_page_size()
        } else {
            None
        };
        let answer = TowerToHyperService::new(self.router.clone()).call(request);
        let reset = Arc::clone(&self.reset);
        Box::pin(async move {
            let response = match answer.await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<ResetConnection>().is_some() {
                reset.store(true, Ordering::Relaxed);
                return Err("sandbox fault: connection reset before the answer".into());
            }
            Ok(match cap {
                Some(n) => cap_page(response, n).await,
                None => response,
            })
        })
    }
}

/// Cuts the `_embedded.organizations` of a successful, complete JSON page to `n` items. Other
/// answers (errors, faults that send a streamed or cut body) pass unchanged.
async fn cap_page(response: Response<Body>, n: usize) -> Response<Body> {
    if response.status() != StatusCode::OK || response.body().size_hint().exact().is_none() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let capped = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|mut page| {
            let items = page
                .get_mut("_embedded")?
                .get_mut("organizations")?
                .as_array_mut()?;
            if items.len() <= n {
                return None;
            }
            items.truncate(n);
            serde_json::to_vec(&page).ok()
        });
    match capped {
        Some(capped) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(capped))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// A TCP connection that is reset (RST) rather than closed when it is dropped after its service
/// asked for a reset: `SO_LINGER` 0 makes the close discard what is unsent and send a reset.
struct ResettableStream {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A running sandbox. Stops when dropped.
///
/// See the [crate docs](crate) for an example.
pub struct Sandbox {
    base_url: String,
    local_addr: SocketAddr,
    api_key: String,
    bearer: Option<String>,
    faults: Faults,
    state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("organizations", &self.state.dataset.len())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A builder with the defaults: `127.0.0.1:0`, API key [`DEFAULT_API_KEY`],
    /// [`DEFAULT_ORGANIZATIONS`] generated organizations plus the sample and quirk records, plain
    /// HTTP, no faults.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Where the sandbox listens, e.g. `http://127.0.0.1:41234` (no trailing slash; the API is
    /// under `/api/serviceowner/`). Use it as the transport's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API root, `{base_url}/api/serviceowner`.
    pub fn api_url(&self) -> String {
        format!("{}{API_PREFIX}", self.base_url)
    }

    /// The bound socket address (the port is the real one when `:0` was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The API key the sandbox accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The bearer token the sandbox requires, if any.
    pub fn bearer_token(&self) -> Option<&str> {
        self.bearer.as_deref()
    }

    /// The Maskinporten issuer (`<base URL>/maskinporten/`: a grant's `aud`; the token endpoint
    /// is `<issuer>token`), when [`SandboxBuilder::maskinporten`] switched it on.
    pub fn maskinporten_issuer(&self) -> Option<String> {
        self.state
            .maskinporten
            .as_ref()
            .map(|_| format!("{}{ISSUER_PATH}", self.base_url))
    }

    /// The URL of Altinn's token exchange, when Maskinporten is on.
    pub fn exchange_url(&self) -> Option<String> {
        self.state
            .maskinporten
            .as_ref()
            .map(|_| format!("{}{}", self.base_url, crate::maskinporten::EXCHANGE_PATH))
    }

    /// How many requests reached the Maskinporten token endpoint (refused ones included).
    pub fn maskinporten_token_requests(&self) -> u64 {
        self.state
            .maskinporten
            .as_ref()
            .map_or(0, |m| m.token_requests())
    }

    /// How many tokens the token endpoint and the exchange issued.
    pub fn maskinporten_tokens_issued(&self) -> u64 {
        self.state
            .maskinporten
            .as_ref()
            .map_or(0, |m| m.tokens_issued())
    }

    /// Revokes every token issued so far: the API answers 401 to them.
    pub fn revoke_maskinporten_tokens(&self) {
        if let Some(m) = &self.state.maskinporten {
            m.revoke_all();
        }
        self.state.successors.revoke_own_tokens();
    }

    /// The base URL of the Altinn 3 platform emulations (Profile, Access Management, the token
    /// exchange): the sandbox's base URL, where `https://platform.altinn.no` would be.
    pub fn platform_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL of the KoFuVi emulation (`{kofuvi_url}/api/varslingsadresser/{orgnr}`), where
    /// `https://kofuvi.vcert.brreg.no` would be.
    pub fn kofuvi_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL of the Enhetsregisteret emulation (`{url}/enhetsregisteret/api/...`), where
    /// `https://data.brreg.no` would be.
    pub fn enhetsregisteret_url(&self) -> &str {
        &self.base_url
    }

    /// The `Ocp-Apim-Subscription-Key` the Altinn 3 emulations require, if any.
    pub fn subscription_key(&self) -> Option<&str> {
        self.state.successors.subscription_key()
    }

    /// The resource id the sandbox's persons registered their contact points for (the
    /// `resourceId` of a personal-contact lookup).
    pub fn resource_id(&self) -> &str {
        self.state.successors.resource_id()
    }

    /// An Altinn token issued at start with the scopes of Profile's lookups and Access
    /// Management's authorized parties, for a client that skips Maskinporten (revoked with
    /// the others by [`revoke_maskinporten_tokens`](Self::revoke_maskinporten_tokens)).
    pub fn successor_token(&self) -> &str {
        self.state.successors.test_token()
    }

    /// The Maskinporten client id whose grants the successors' token endpoint accepts: the
    /// configured one with [`SandboxBuilder::maskinporten`], else
    /// [`successors::DEFAULT_CLIENT_ID`](crate::successors::DEFAULT_CLIENT_ID) (any `x5c`
    /// certificate, scopes `altinn:serviceowner/organizations` and the successors').
    pub fn successor_client_id(&self) -> &str {
        self.state.successors.client_id()
    }

    /// The Maskinporten issuer a client of the successors uses (`<base URL>/maskinporten/`; the
    /// token endpoint is `<issuer>token`), served with or without [`SandboxBuilder::maskinporten`].
    pub fn successor_maskinporten_issuer(&self) -> String {
        format!("{}{ISSUER_PATH}", self.base_url)
    }

    /// Altinn's token exchange as the successors' clients use it, served with or without
    /// [`SandboxBuilder::maskinporten`]: the exchanged token carries the Maskinporten token's
    /// scopes.
    pub fn successor_exchange_url(&self) -> String {
        format!("{}{}", self.base_url, crate::maskinporten::EXCHANGE_PATH)
    }

    /// How many requests reached this emulated endpoint (refused and faulted ones included).
    pub fn successor_requests(&self, endpoint: SuccessorEndpoint) -> u64 {
        self.state.successors.requests(endpoint)
    }

    /// The live fault switches.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The requests received, oldest first (at most the log capacity, the newest kept).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.recorder.snapshot()
    }

    /// Forgets the recorded requests (the count goes on).
    pub fn clear_requests(&self) {
        self.state.recorder.clear();
    }

    /// How many requests were received since start, recorded or not.
    pub fn request_count(&self) -> u64 {
        self.state.recorder.total()
    }

    /// How many organizations are served (records and generated).
    pub fn organization_count(&self) -> usize {
        self.state.dataset.len()
    }

    /// The organization numbers served, in the API's default order (as strings, since records
    /// may hold malformed ones such as `"00210    "`).
    pub fn organization_numbers(&self) -> Vec<String> {
        self.state.dataset.numbers().map(str::to_owned).collect()
    }

    /// Stops accepting, lets in-flight requests finish (up to two seconds), and stops.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until `signal` completes, then shuts down gracefully; returns the signal's output.
    /// For a command that runs the sandbox until Ctrl-C:
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use altinn_contacts_sandbox::Sandbox;
    /// let sandbox = Sandbox::builder()
    ///     .listen("127.0.0.1:8080".parse()?)
    ///     .organizations(10_000)
    ///     .start()
    ///     .await?;
    /// println!("Altinn sandbox at {} (ApiKey: {})", sandbox.base_url(), sandbox.api_key());
    /// sandbox.run_until(tokio::signal::ctrl_c()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_until<F: Future>(self, signal: F) -> F::Output {
        let output = signal.await;
        self.shutdown().await;
        output
    }

    /// Serves until the process ends (the future never completes on its own while the sandbox
    /// is healthy; drop it, or use [`Sandbox::run_until`], to stop).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.as_mut() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            // Aborting the accept loop drops its set of connections, which aborts them too.
            task.abort();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
