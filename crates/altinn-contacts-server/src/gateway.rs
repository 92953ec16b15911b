//! [`Gateway`]: the contract behind an `ApiKey` check (and optionally a client certificate),
//! and [`serve`]: the accept loop, plain or TLS, with graceful shutdown.
//!
//! The caller's `ApiKey` is checked and then dropped: the backend is called through its own
//! [`ContactsApi`] with its own credentials, and no header of the caller reaches it. Each request
//! is logged (`tracing`, target `altinn_contacts_server`) with its method, path (identity
//! numbers masked), status and duration; never a header or a query value.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use altinn_contacts_api::{ContactsApi, redact_identity_numbers};
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::answer::{Answer, link_base};
use crate::auth::ApiKeys;
use crate::contract::Contract;
use crate::messages;
use crate::tls::{TlsConfig, TlsError};

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a shutdown lets in-flight requests finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the connection knows about the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The connection is TLS.
    pub tls: bool,
    /// The client presented a certificate the configured CAs signed.
    pub client_certificate: bool,
}

impl ConnectionInfo {
    /// A connection with these properties.
    pub fn new(tls: bool, client_certificate: bool) -> Self {
        ConnectionInfo {
            tls,
            client_certificate,
        }
    }
}

/// The Altinn 2 contract for callers that hold one of the configured API keys, over any
/// backend.
#[derive(Clone)]
pub struct Gateway {
    contract: Contract,
    keys: ApiKeys,
    public_url: Option<String>,
    require_client_certificate: bool,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("keys", &self.keys)
            .field("public_url", &self.public_url)
            .field(
                "require_client_certificate",
                &self.require_client_certificate,
            )
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Serves `api` to callers whose `ApiKey` is one of `keys`.
    pub fn new(api: Arc<dyn ContactsApi>, keys: ApiKeys) -> Self {
        Gateway {
            contract: Contract::new(api),
            keys,
            public_url: None,
            require_client_certificate: false,
        }
    }

    /// Links point at this URL (`https://gateway.example.com`, a trailing slash is dropped)
    /// instead of the `Host` the caller used.
    #[must_use]
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.public_url = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// Requires a client certificate (as Altinn requires an enterprise certificate): a request
    /// without one gets `401` with Altinn's text. [`serve`] turns this on when its TLS has
    /// client CAs.
    #[must_use]
    pub fn require_client_certificate(mut self, required: bool) -> Self {
        self.require_client_certificate = required;
        self
    }

    /// Answers one request that arrived on a connection described by `conn`, at a server whose
    /// own address is `authority` (`host:port`, for links when there is no public URL and no
    /// usable `Host` header).
    pub async fn handle<B>(
        &self,
        request: Request<B>,
        conn: ConnectionInfo,
        authority: &str,
    ) -> Response<Body> {
        let started = Instant::now();
        let (parts, _body) = request.into_parts();
        let base = match &self.public_url {
            Some(url) => url.clone(),
            None => link_base(
                if conn.tls { "https" } else { "http" },
                authority,
                &parts.headers,
            ),
        };
        let keys = &self.keys;
        let require_certificate = self.require_client_certificate;
        let answer = self
            .contract
            .answer(&parts.method, &parts.uri, &parts.headers, &base, |_| {
                keys.check(&parts.headers)?;
                if require_certificate && !conn.client_certificate {
                    return Err(Answer::error(
                        StatusCode::UNAUTHORIZED,
                        messages::ENTERPRISE_CERTIFICATE_FAILED,
                    ));
                }
                Ok(())
            })
            .await;
        tracing::info!(
            target: "altinn_contacts_server",
            method = %parts.method,
            path = %redact_identity_numbers(parts.uri.path()),
            status = answer.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request"
        );
        answer.into_response()
    }
}

/// A running server started by [`serve`]. Stops when dropped.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    base_url: String,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http(s)://` and the bound address (an unspecified address as loopback).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops accepting, lets in-flight requests finish (up to five seconds), and stops.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until `signal` completes, then shuts down gracefully; returns the signal's output.
    pub async fn run_until<F: Future>(self, signal: F) -> F::Output {
        let output = signal.await;
        self.shutdown().await;
        output
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Serves `gateway` on `listener`, over TLS when `tls` is given (client certificates are then
/// required when it has client CAs). Fails only when the TLS configuration cannot be used.
pub fn serve(
    listener: TcpListener,
    gateway: Gateway,
    tls: Option<TlsConfig>,
) -> Result<RunningServer, ServeError> {
    let local_addr = listener.local_addr().map_err(ServeError::Listener)?;
    let mut gateway = gateway;
    let acceptor = match &tls {
        Some(config) => {
            if config.requires_client_certificate() {
                gateway = gateway.require_client_certificate(true);
            }
            Some(config.acceptor().map_err(ServeError::Tls)?)
        }
        None => None,
    };
    let mut link_addr = local_addr;
    if link_addr.ip().is_unspecified() {
        link_addr.set_ip(if link_addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(
        listener,
        acceptor,
        Arc::new(gateway),
        link_addr.to_string(),
        shutdown_rx,
    ));
    Ok(RunningServer {
        local_addr,
        base_url: format!("{scheme}://{link_addr}"),
        shutdown,
        task: Some(task),
    })
}

/// Why [`serve`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The listener's address could not be read.
    #[error("gateway: the listener has no address: {0}")]
    Listener(#[source] io::Error),
    /// The TLS certificate, key or client CA could not be used.
    #[error("gateway: invalid TLS configuration: {0}")]
    Tls(#[source] TlsError),
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    gateway: Arc<Gateway>,
    authority: String,
    mut shutdown: watch::Receiver<bool>,
) {
    let authority: Arc<str> = authority.into();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(
                        stream,
                        tls.clone(),
                        Arc::clone(&gateway),
                        Arc::clone(&authority),
                        shutdown.clone(),
                    ));
                }
                Err(e) => {
                    tracing::warn!(target: "altinn_contacts_server", error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

async fn connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    gateway: Arc<Gateway>,
    authority: Arc<str>,
    shutdown: watch::Receiver<bool>,
) {
    match tls {
        None => {
            let info = ConnectionInfo::new(false, false);
            serve_http(stream, info, gateway, authority, shutdown).await;
        }
        Some(acceptor) => {
            let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            let certificate = stream
                .get_ref()
                .1
                .peer_certificates()
                .is_some_and(|certs| !certs.is_empty());
            let info = ConnectionInfo::new(true, certificate);
            serve_http(stream, info, gateway, authority, shutdown).await;
        }
    }
}

async fn serve_http<S>(
    stream: S,
    info: ConnectionInfo,
    gateway: Arc<Gateway>,
    authority: Arc<str>,
    mut shutdown: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let gateway = Arc::clone(&gateway);
        let authority = Arc::clone(&authority);
        async move { Ok::<_, std::convert::Infallible>(gateway.handle(request, info, &authority).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(target: "altinn_contacts_server", error = %e, "connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
