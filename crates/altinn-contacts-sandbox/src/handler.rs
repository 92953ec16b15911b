//! Answering one request: recording it, the Maskinporten endpoints, injecting faults,
//! authenticating like Altinn (API key, bearer token, enterprise certificate), and then the
//! Altinn 2 contract of `altinn-contacts-server` over the in-memory dataset (routing, OData,
//! HAL or plain JSON with links back to the sandbox, errors as reason phrases), the same code the
//! gateway serves.

use std::sync::Arc;

use altinn_contacts_server::{
    Answer, ApiKeys, Contract, HAL_JSON, Params, error_response, link_base, messages,
};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};

use crate::dataset::Dataset;
use crate::faults::{CutBody, Fault, FaultStyle, Faults};
use crate::recorder::Recorder;

/// Altinn's login page, where [`Fault::LoginRedirect`] points.
pub(crate) const LOGIN_PATH: &str = "/ui/Authentication";

/// Served by [`Fault::TruncatedJson`] and [`Fault::CloseMidBody`] when the real answer has no
/// JSON body to cut (an error, say).
const PLACEHOLDER_JSON: &[u8] =
    br#"{"_links":{"self":{"href":"/api/serviceowner/organizations"}},"_embedded":{"organizations":[]}}"#;

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"nb\">\n<head><meta charset=\"utf-8\"><title>Logg inn i Altinn</title></head>\n<body>\n<h1>Logg inn i Altinn</h1>\n<p>Velg hvordan du vil logge inn. (altinn-contacts-sandbox)</p>\n<form method=\"post\" action=\"/ui/Authentication\"><button type=\"submit\">ID-porten</button></form>\n</body>\n</html>\n";

/// Everything the handler needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) dataset: Arc<Dataset>,
    /// The Altinn 2 contract over `dataset`.
    pub(crate) contract: Contract,
    pub(crate) api_keys: ApiKeys,
    pub(crate) bearer: Option<String>,
    /// The Maskinporten endpoint, when on; its tokens are accepted as `Bearer`.
    pub(crate) maskinporten: Option<Arc<crate::maskinporten::Maskinporten>>,
    pub(crate) client_ca: bool,
    pub(crate) scheme: &'static str,
    /// `host:port` for links when a request has no usable `Host` header.
    pub(crate) authority: String,
    pub(crate) faults: Faults,
    pub(crate) recorder: Recorder,
    /// The emulations of Altinn 2's successors.
    pub(crate) successors: crate::successors::Successors,
}

/// What the connection knows about the client.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnInfo {
    pub(crate) client_certificate: bool,
}

fn html_page() -> Response<Body> {
    let mut response = Response::new(Body::from(LOGIN_PAGE));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The axum handler for every path.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    Extension(conn): Extension<ConnInfo>,
    request: Request,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    state.recorder.record(&parts, conn.client_certificate);
    let base = link_base(state.scheme, &state.authority, &parts.headers);
    if crate::successors::claims(&state, parts.uri.path()) {
        return crate::successors::handle(&state, conn, parts, body, &base).await;
    }
    if let Some(maskinporten) = &state.maskinporten
        && let Some(answer) = maskinporten_answer(maskinporten, &parts, body, &base).await
    {
        return answer;
    }
    if parts.uri.path().eq_ignore_ascii_case(LOGIN_PATH) {
        return html_page();
    }
    let decision = state.faults.decide(parts.uri.path());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.fault {
        None => answer(&state, conn, &parts, &base).await.into_response(),
        Some(fault) => fault_response(fault, &state, conn, &parts, &base).await,
    }
}

/// The Maskinporten token endpoint and the token exchange; `None` for any other path.
pub(crate) async fn maskinporten_answer(
    maskinporten: &crate::maskinporten::Maskinporten,
    parts: &Parts,
    body: Body,
    base: &str,
) -> Option<Response<Body>> {
    use crate::maskinporten::{EXCHANGE_PATH, ISSUER_PATH, TOKEN_PATH};
    let path = parts.uri.path();
    let answer = if path == TOKEN_PATH {
        if parts.method != Method::POST {
            return Some(error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
            ));
        }
        let Ok(body) = axum::body::to_bytes(body, 64 * 1024).await else {
            return Some(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large",
            ));
        };
        maskinporten.token(&format!("{base}{ISSUER_PATH}"), &body)
    } else if path == EXCHANGE_PATH {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        maskinporten.exchange(authorization)
    } else {
        return None;
    };
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Some(response)
}

/// Altinn 2's way of writing fault answers: the message in the reason phrase, its login page.
const ALTINN_FAULTS: FaultStyle = FaultStyle {
    status: error_response,
    html_page,
};

async fn fault_response(
    fault: Fault,
    state: &AppState,
    conn: ConnInfo,
    parts: &Parts,
    base: &str,
) -> Response<Body> {
    let real_json = async {
        let body = match answer(state, conn, parts, base).await {
            Answer::Json { body, .. } if body.len() >= 2 => body,
            _ => Bytes::from_static(PLACEHOLDER_JSON),
        };
        CutBody {
            status: StatusCode::OK,
            content_type: HAL_JSON,
            body,
        }
    };
    match crate::faults::answer_with_fault(fault, &ALTINN_FAULTS, parts, base, real_json).await {
        Some(response) => response,
        None => answer(state, conn, parts, base).await.into_response(),
    }
}

/// The API's own answer: the Altinn 2 contract over the dataset, behind the sandbox's
/// authentication.
async fn answer(state: &AppState, conn: ConnInfo, parts: &Parts, base: &str) -> Answer {
    state
        .contract
        .answer(&parts.method, &parts.uri, &parts.headers, base, |params| {
            authenticate(state, conn, &parts.headers, params)
        })
        .await
}

fn authenticate(
    state: &AppState,
    conn: ConnInfo,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(), Answer> {
    state.api_keys.check(headers)?;
    let bearer = state.bearer.as_deref();
    let tokens_required = bearer.is_some() || state.maskinporten.is_some();
    if !state.client_ca && !tokens_required {
        return Ok(());
    }
    let certificate_ok =
        state.client_ca && conn.client_certificate && params.has("ForceEIAuthentication");
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, sent)| sent.trim());
    let bearer_ok = sent.is_some_and(|sent| {
        bearer.is_some_and(|token| sent == token)
            || state.maskinporten.as_ref().is_some_and(|m| m.accepts(sent))
    });
    if certificate_ok || bearer_ok {
        Ok(())
    } else if state.client_ca && (conn.client_certificate || !tokens_required) {
        Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            messages::ENTERPRISE_CERTIFICATE_FAILED,
        ))
    } else {
        Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            messages::NO_AUTHENTICATED_ORGANIZATION,
        ))
    }
}
