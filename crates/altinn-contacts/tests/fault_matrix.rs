//! The fault matrix: every kind of fault × every call × {plain call, paging, bulk}, through the
//! facade [`Client`] and its reqwest transport, against the sandbox over real loopback HTTP.
//!
//! One test per fault row (so `cargo test --test fault_matrix 503` runs one row); its cells run
//! concurrently, each against a sandbox of its own. A cell first runs its call without faults (the
//! baseline: what the call returns and how many requests it takes), then injects the fault and
//! runs it again, and checks:
//! - a fault the retry policy should get past: the same result as the baseline, with exactly the
//!   requests the fault cost on top of the baseline's;
//! - a fault that must end the call: the typed error (variant, status or transport kind,
//!   operation) and the number of attempts, both as the error counts them and as the sandbox saw
//!   them.
//!
//! Paging (the organizations list) injects the fault after its first page, so the first page
//! comes through and the error follows it; bulk runs official and personal contacts for three
//! organizations and one invalid input. A failing cell is named `fault × call × mode`; every
//! failing cell of a row is listed before the row's test fails.
//!
//! Two more tests mix the transient faults (the sandbox's seeded mixed error rate) into a bulk
//! job and a paged listing: everything is recovered, and each fault costs exactly one request.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use altinn_contacts::{
    AuthFailure, Client, ConfigBuilderExt, ContactPointSearch, Error, Expand, Operation,
    OrganizationNumber, OrganizationsQuery, PersonId, PersonalContactsFilter, RetryPolicy,
    SecretString, TokenError, TokenProvider, TransportFailure,
};
use altinn_contacts_sandbox::messages::{API_KEY_FORBIDDEN, NO_AUTHENTICATED_ORGANIZATION};
use altinn_contacts_sandbox::{Fault, Sandbox};
use futures::StreamExt;
use futures::future::join_all;
use serde_json::Value;

/// Attempts in all per call (the first included).
const ATTEMPTS: u32 = 3;
/// The client's timeout for one attempt; a stall lasts longer.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How long a stalled answer is held back.
const STALL: Duration = Duration::from_secs(5);
/// The page size of the paging cells (the sandbox serves 26 organizations: pages 10, 10, 6).
const PAGE: usize = 10;
/// The page-size cap of the short-pages row.
const CAP: usize = 4;
/// The bulk inputs: three served organizations and one invalid input.
const BULK_INPUTS: [&str; 4] = ["910021451", "not a number", "910514318", "310524824"];
/// The bearer token the sandbox requires in the 401 rows.
const VALID_TOKEN: &str = "valid-token";

/// Short waits so the suite stays fast: the backoff is milliseconds; `Retry-After` (1 s in the
/// 429 rows) is still honoured.
fn policy() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(ATTEMPTS)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .deadline(Some(Duration::from_secs(20)))
}

// ---- The calls and modes ---------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Organizations,
    Search,
    Organization,
    OfficialContacts,
    PersonalContacts,
    Roles,
}

impl Call {
    fn operation(self) -> Operation {
        match self {
            Call::Organizations => Operation::ListOrganizations,
            Call::Search => Operation::SearchOrganizations,
            Call::Organization => Operation::GetOrganization,
            Call::OfficialContacts => Operation::OfficialContacts,
            Call::PersonalContacts => Operation::PersonalContacts,
            Call::Roles => Operation::Roles,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Plain,
    Paging,
    Bulk,
}

/// Every call plainly; paging where there are pages; bulk where the facade has it.
const CELLS: [(Call, Mode); 9] = [
    (Call::Organizations, Mode::Plain),
    (Call::Search, Mode::Plain),
    (Call::Organization, Mode::Plain),
    (Call::OfficialContacts, Mode::Plain),
    (Call::PersonalContacts, Mode::Plain),
    (Call::Roles, Mode::Plain),
    (Call::Organizations, Mode::Paging),
    (Call::OfficialContacts, Mode::Bulk),
    (Call::PersonalContacts, Mode::Bulk),
];

fn org() -> OrganizationNumber {
    "910021451".parse().unwrap()
}

fn json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("serializable")
}

/// One plain call; its result as JSON, to compare with the baseline.
async fn plain(client: &Client, call: Call) -> Result<Value, Error> {
    Ok(match call {
        Call::Organizations => json(
            client
                .organizations_page(&OrganizationsQuery::new().top(PAGE as u32))
                .await?,
        ),
        Call::Search => json(
            client
                .search_organizations(&ContactPointSearch::phone("+4791234567".parse().unwrap()))
                .await?,
        ),
        Call::Organization => json(
            client
                .organization(&org(), Expand::OfficialContacts)
                .await?,
        ),
        Call::OfficialContacts => json(client.official_contacts(&org()).await?),
        Call::PersonalContacts => json(
            client
                .personal_contacts(&org(), &PersonalContactsFilter::new())
                .await?,
        ),
        Call::Roles => {
            let person: PersonId = "r50022994".parse().unwrap();
            json(client.roles(&org(), &person).await?)
        }
    })
}

/// Runs a cell's call in its mode: one result for a plain call, one per organization (then the
/// error, if any) for paging, one per input in input order for bulk. `inject` switches the
/// fault on: at once, or for paging after the first page unless `inject_first`.
async fn perform(
    client: &Client,
    call: Call,
    mode: Mode,
    inject: &(dyn Fn() + Sync),
    inject_first: bool,
) -> Vec<Result<Value, Error>> {
    match mode {
        Mode::Plain => {
            inject();
            vec![plain(client, call).await]
        }
        Mode::Paging => {
            if inject_first {
                inject();
            }
            let mut stream = client
                .organizations(OrganizationsQuery::new())
                .page_size(PAGE as u32)
                .stream();
            let mut out = Vec::new();
            while let Some(item) = stream.next().await {
                let failed = item.is_err();
                out.push(item.map(json));
                if failed {
                    break;
                }
                // The pager fetches the next page only when the next item is asked for.
                if out.len() == PAGE && !inject_first {
                    inject();
                }
            }
            out
        }
        Mode::Bulk => {
            inject();
            let mut results: Vec<(usize, Result<Value, Error>)> = match call {
                Call::OfficialContacts => {
                    client
                        .bulk_official_contacts(BULK_INPUTS)
                        .concurrency(BULK_INPUTS.len())
                        .stream()
                        .map(|r| (r.index, r.outcome.map(json)))
                        .collect()
                        .await
                }
                Call::PersonalContacts => {
                    client
                        .bulk_personal_contacts(BULK_INPUTS, PersonalContactsFilter::new())
                        .concurrency(BULK_INPUTS.len())
                        .stream()
                        .map(|r| (r.index, r.outcome.map(json)))
                        .collect()
                        .await
                }
                other => unreachable!("no bulk mode for {other:?}"),
            };
            results.sort_by_key(|(index, _)| *index);
            let indexes: Vec<usize> = results.iter().map(|(i, _)| *i).collect();
            assert_eq!(
                indexes,
                (0..BULK_INPUTS.len()).collect::<Vec<_>>(),
                "one result per input"
            );
            results.into_iter().map(|(_, r)| r).collect()
        }
    }
}

// ---- The fault rows --------------------------------------------------------------------------

/// How a row's fault is brought about.
#[derive(Clone)]
enum Inject {
    /// The sandbox answers the next request with the fault, then serves normally.
    Once(Fault),
    /// The sandbox answers every request with the fault.
    Always(Fault),
    /// The client is pointed at a loopback port nobody listens on.
    Refused,
    /// The token provider's next token has expired (the sandbox answers it `401`); the ones after
    /// it are valid.
    StaleTokenOnce,
    /// Every token the provider gives is refused.
    TokenRevoked,
    /// The sandbox serves at most [`CAP`] organizations a page, whatever `$top` asks.
    PageCap,
}

impl Inject {
    /// Requests the fault costs on top of the baseline when the call gets past it.
    fn extra_requests(&self) -> u64 {
        match self {
            Inject::Once(_) | Inject::StaleTokenOnce => 1,
            _ => 0,
        }
    }

    fn uses_tokens(&self) -> bool {
        matches!(self, Inject::StaleTokenOnce | Inject::TokenRevoked)
    }
}

type Check = Box<dyn Fn(&Error) -> bool + Send + Sync>;

/// What a row's cells must come to.
enum Expect {
    /// The retry policy gets past the fault: the baseline's result.
    Recovers,
    /// The call ends in an error that passes `check`, after `attempts` attempts.
    Fails {
        what: &'static str,
        check: Check,
        attempts: u32,
    },
}

struct Row {
    name: &'static str,
    inject: Inject,
    expect: Expect,
}

fn fails(
    what: &'static str,
    attempts: u32,
    check: impl Fn(&Error) -> bool + Send + Sync + 'static,
) -> Expect {
    Expect::Fails {
        what,
        check: Box::new(check),
        attempts,
    }
}

fn server_error(status: u16) -> impl Fn(&Error) -> bool + Send + Sync {
    move |e| matches!(e, Error::Server(h) if h.status == status) && e.is_transient()
}

fn transport(kind: TransportFailure) -> impl Fn(&Error) -> bool + Send + Sync {
    move |e| matches!(e, Error::Transport(t) if t.kind == kind) && e.is_transient()
}

fn gateway(status: u16, reason: &str) -> Fault {
    Fault::status(status, reason)
}

fn row(name: &'static str, inject: Inject, expect: Expect) -> Row {
    Row {
        name,
        inject,
        expect,
    }
}

/// Errors keep their cause and so are not `PartialEq`: two outcomes are the same when the
/// values are equal, or when both failed with the same kind, status, operation and text.
fn same_outcome(a: &Result<Value, Error>, b: &Result<Value, Error>) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => {
            std::mem::discriminant(a) == std::mem::discriminant(b)
                && a.status() == b.status()
                && a.operation() == b.operation()
                && a.to_string() == b.to_string()
        }
        _ => false,
    }
}

fn same_outcomes(a: &[Result<Value, Error>], b: &[Result<Value, Error>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_outcome(a, b))
}

// ---- Running a row ---------------------------------------------------------------------------

/// A token provider whose tokens can expire or be revoked, counting what it was asked.
#[derive(Debug, Default)]
struct Tokens {
    stale_next: AtomicU32,
    revoked: AtomicBool,
    asked: AtomicU32,
}

#[async_trait::async_trait]
impl TokenProvider for Tokens {
    async fn token(&self) -> Result<SecretString, TokenError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let stale = self
            .stale_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        let token = if self.revoked.load(Ordering::SeqCst) {
            "revoked-token"
        } else if stale {
            "expired-token"
        } else {
            VALID_TOKEN
        };
        Ok(SecretString::from(token))
    }
}

fn client(base_url: &str, api_key: &str, tokens: Option<Arc<Tokens>>) -> Client {
    let mut builder = Client::builder()
        .base_url(base_url)
        .api_key(api_key)
        .retry(policy())
        .request_timeout(TIMEOUT);
    if let Some(tokens) = tokens {
        builder = builder.token_provider(tokens);
    }
    builder.build_client().expect("client")
}

/// A loopback port nothing listens on, held (bound, never listening) until the socket is
/// dropped so no sandbox started meanwhile can take it: connecting to it is refused.
fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .expect("bind");
    let port = socket.local_addr().expect("address").port();
    (socket, port)
}

/// The number of attempts an error reports (decode errors do not count them).
fn attempts_of(error: &Error) -> Option<u32> {
    match error {
        Error::Transport(t) => Some(t.attempts),
        other => other.http().map(|h| h.attempts),
    }
}

struct Cell<'r> {
    row: &'r Row,
    call: Call,
    mode: Mode,
}

impl fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} × {:?} × {:?}", self.row.name, self.call, self.mode)
    }
}

impl Cell<'_> {
    async fn run(&self) -> Result<(), String> {
        let row = self.row;
        let tokens = row
            .inject
            .uses_tokens()
            .then(|| Arc::new(Tokens::default()));
        let mut sandbox = Sandbox::builder().organizations(20);
        if tokens.is_some() {
            sandbox = sandbox.bearer_token(VALID_TOKEN);
        }
        let sandbox = sandbox.start().await.map_err(|e| format!("sandbox: {e}"))?;
        let served = client(sandbox.base_url(), sandbox.api_key(), tokens.clone());

        // The baseline: the call without faults.
        let before = sandbox.request_count();
        let baseline = perform(&served, self.call, self.mode, &|| {}, false).await;
        let baseline_requests = sandbox.request_count() - before;
        if let Some(bad) = baseline.iter().find(|r| {
            r.as_ref()
                .is_err_and(|e| !matches!(e, Error::InvalidInput(_)))
        }) {
            return Err(format!("the baseline failed: {bad:?}"));
        }
        let single_pass = match self.mode {
            Mode::Plain => Some(1),
            Mode::Bulk => Some(baseline.iter().filter(|r| r.is_ok()).count() as u64),
            // One request a page; how the last page is recognised is the pager's business.
            Mode::Paging => None,
        };
        if single_pass.is_some_and(|n| n != baseline_requests) {
            return Err(format!(
                "the fault-free call took {baseline_requests} requests, expected {single_pass:?} \
                 (a retry without a fault: is the machine too loaded for the {TIMEOUT:?} timeout?)"
            ));
        }
        if self.mode == Mode::Paging && baseline.len() <= PAGE {
            return Err(format!(
                "only {} organizations: no second page",
                baseline.len()
            ));
        }

        // The faulted run.
        let faults = sandbox.faults();
        let inject = || match &row.inject {
            Inject::Once(fault) => faults.fail_next(1, fault.clone()),
            Inject::Always(fault) => faults.set_always(Some(fault.clone())),
            Inject::StaleTokenOnce => {
                tokens
                    .as_ref()
                    .unwrap()
                    .stale_next
                    .store(1, Ordering::SeqCst);
            }
            Inject::TokenRevoked => tokens
                .as_ref()
                .unwrap()
                .revoked
                .store(true, Ordering::SeqCst),
            Inject::PageCap => faults.set_max_page_size(Some(CAP)),
            Inject::Refused => {}
        };
        let (refused, _held_port);
        let faulted_client = match row.inject {
            Inject::Refused => {
                let (socket, port) = closed_port();
                _held_port = socket;
                refused = client(&format!("http://127.0.0.1:{port}"), sandbox.api_key(), None);
                &refused
            }
            _ => &served,
        };
        let inject_first = matches!(row.inject, Inject::PageCap | Inject::Refused);
        let before = sandbox.request_count();
        let outcome = perform(faulted_client, self.call, self.mode, &inject, inject_first).await;
        let requests = sandbox.request_count() - before;

        match &row.expect {
            Expect::Recovers => {
                if !same_outcomes(&outcome, &baseline) {
                    return Err(format!(
                        "expected the fault-free result, got {}",
                        summary(&outcome)
                    ));
                }
                let expected = match row.inject {
                    // Pages of CAP, a short one, then the empty page that ends the listing.
                    Inject::PageCap => baseline.len().div_ceil(CAP) as u64 + 1,
                    _ => baseline_requests + row.inject.extra_requests(),
                };
                if requests != expected {
                    return Err(format!(
                        "recovered, but the sandbox saw {requests} requests, expected {expected} \
                         (the fault-free call took {baseline_requests})"
                    ));
                }
                Ok(())
            }
            Expect::Fails {
                what,
                check,
                attempts,
            } => {
                let op = match self.mode {
                    Mode::Paging => Operation::ListOrganizations,
                    _ => self.call.operation(),
                };
                let check_error = |e: &Error| -> Result<(), String> {
                    if !check(e) {
                        return Err(format!("expected {what}, got {e:?}"));
                    }
                    if e.operation() != Some(op) {
                        return Err(format!("expected operation {op:?}, got {e:?}"));
                    }
                    match attempts_of(e) {
                        Some(n) if n != *attempts => Err(format!(
                            "expected {what} after {attempts} attempts, the error counts {n}: {e}"
                        )),
                        _ => Ok(()),
                    }
                };
                let refused = matches!(row.inject, Inject::Refused);
                let expected_requests = match self.mode {
                    Mode::Plain => {
                        let [only] = outcome.as_slice() else {
                            return Err(format!("{} results for one call", outcome.len()));
                        };
                        match only {
                            Err(e) => check_error(e)?,
                            Ok(_) => return Err(format!("expected {what}, got a success")),
                        }
                        u64::from(*attempts)
                    }
                    Mode::Paging => {
                        // The first page comes through before the fault (unless nothing answers).
                        let first = if refused { 0 } else { PAGE };
                        if outcome.len() != first + 1
                            || !same_outcomes(&outcome[..first], &baseline[..first])
                        {
                            return Err(format!(
                                "expected the first {first} organizations then {what}, got {}",
                                summary(&outcome)
                            ));
                        }
                        match &outcome[first] {
                            Err(e) => check_error(e)?,
                            Ok(_) => return Err(format!("expected {what}, got a success")),
                        }
                        u64::from(first > 0) + u64::from(*attempts)
                    }
                    Mode::Bulk => {
                        let mut failed = 0u64;
                        for (i, (got, base)) in outcome.iter().zip(&baseline).enumerate() {
                            let input = BULK_INPUTS[i];
                            match (got, base) {
                                (_, Err(_)) if same_outcome(got, base) => {}
                                (Err(e), Ok(_)) => {
                                    check_error(e).map_err(|m| format!("input {input}: {m}"))?;
                                    failed += 1;
                                }
                                (Ok(_), Ok(_)) if same_outcome(got, base) => {}
                                _ => {
                                    return Err(format!(
                                        "input {input}: expected {what} or the fault-free \
                                         result, got {got:?}"
                                    ));
                                }
                            }
                        }
                        let valid = baseline.iter().filter(|r| r.is_ok()).count() as u64;
                        let expected_failed = match row.inject {
                            Inject::Once(_) => 1,
                            _ => valid,
                        };
                        if failed != expected_failed {
                            return Err(format!(
                                "{failed} inputs failed with {what}, expected {expected_failed}: {}",
                                summary(&outcome)
                            ));
                        }
                        (valid - failed) + failed * u64::from(*attempts)
                    }
                };
                let expected_requests = if refused { 0 } else { expected_requests };
                if requests != expected_requests {
                    return Err(format!(
                        "the sandbox saw {requests} requests, expected {expected_requests}"
                    ));
                }
                Ok(())
            }
        }
    }
}

/// A short account of an outcome for failure messages.
fn summary(outcome: &[Result<Value, Error>]) -> String {
    let ok = outcome.iter().filter(|r| r.is_ok()).count();
    let errors: Vec<String> = outcome
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| format!("{e:?}"))
        .collect();
    format!("{ok} successes, errors {errors:?}")
}

async fn run_row(row: Row) {
    let cells: Vec<Cell<'_>> = CELLS
        .iter()
        .filter(|(_, mode)| !matches!(row.inject, Inject::PageCap) || *mode == Mode::Paging)
        .map(|&(call, mode)| Cell {
            row: &row,
            call,
            mode,
        })
        .collect();
    let results = join_all(cells.iter().map(|cell| async move {
        cell.run()
            .await
            .map_err(|message| format!("{cell}: {message}"))
    }))
    .await;
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cells failed:\n{}",
        failures.len(),
        cells.len(),
        failures.join("\n")
    );
}

macro_rules! fault_rows {
    ($($test:ident => $row:expr;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                run_row($row).await;
            }
        )*
    };
}

fault_rows! {
    status_503_once_recovers => row("503 once", Inject::Once(Fault::ServiceUnavailable), Expect::Recovers);
    status_503_always_fails => row(
        "503 always",
        Inject::Always(Fault::ServiceUnavailable),
        fails("Server(503)", ATTEMPTS, server_error(503)),
    );
    status_502_once_recovers => row("502 once", Inject::Once(gateway(502, "Bad Gateway")), Expect::Recovers);
    status_502_always_fails => row(
        "502 always",
        Inject::Always(gateway(502, "Bad Gateway")),
        fails("Server(502)", ATTEMPTS, server_error(502)),
    );
    status_504_once_recovers => row("504 once", Inject::Once(gateway(504, "Gateway Timeout")), Expect::Recovers);
    status_504_always_fails => row(
        "504 always",
        Inject::Always(gateway(504, "Gateway Timeout")),
        fails("Server(504)", ATTEMPTS, server_error(504)),
    );
    throttled_retry_after_seconds_once_recovers => row(
        "429 Retry-After: 1 once",
        Inject::Once(Fault::too_many_requests(1)),
        Expect::Recovers,
    );
    throttled_retry_after_seconds_always_fails => row(
        "429 Retry-After: 1 always",
        Inject::Always(Fault::too_many_requests(1)),
        fails("Throttled with Retry-After 1 s", ATTEMPTS, |e| {
            matches!(e, Error::Throttled { failure, retry_after: Some(wait) }
                if failure.status == 429 && *wait == Duration::from_secs(1))
        }),
    );
    throttled_retry_after_date_once_recovers => row(
        "429 Retry-After: <date> once",
        Inject::Once(Fault::too_many_requests_until(1)),
        Expect::Recovers,
    );
    throttled_retry_after_date_always_fails => row(
        "429 Retry-After: <date> always",
        Inject::Always(Fault::too_many_requests_until(1)),
        fails("Throttled with a Retry-After date at most 1 s ahead", ATTEMPTS, |e| {
            matches!(e, Error::Throttled { failure, retry_after: Some(wait) }
                if failure.status == 429 && *wait <= Duration::from_secs(1))
        }),
    );
    connection_refused_fails => row(
        "connection refused",
        Inject::Refused,
        fails("Transport(Connect)", ATTEMPTS, transport(TransportFailure::Connect)),
    );
    reset_before_answer_once_recovers => row(
        "reset before the answer once",
        Inject::Once(Fault::ResetBeforeAnswer),
        Expect::Recovers,
    );
    reset_before_answer_always_fails => row(
        "reset before the answer always",
        Inject::Always(Fault::ResetBeforeAnswer),
        fails("a transient Transport error", ATTEMPTS, |e| {
            matches!(e, Error::Transport(_)) && e.is_transient()
        }),
    );
    reset_mid_body_once_recovers => row("reset mid-body once", Inject::Once(Fault::CloseMidBody), Expect::Recovers);
    reset_mid_body_always_fails => row(
        "reset mid-body always",
        Inject::Always(Fault::CloseMidBody),
        fails("Transport(Body)", ATTEMPTS, transport(TransportFailure::Body)),
    );
    stall_once_recovers => row("stall past the timeout once", Inject::Once(Fault::stall(STALL)), Expect::Recovers);
    stall_always_fails => row(
        "stall past the timeout always",
        Inject::Always(Fault::stall(STALL)),
        fails("Transport(Timeout)", ATTEMPTS, transport(TransportFailure::Timeout)),
    );
    truncated_body_fails_at_once => row(
        "truncated body",
        Inject::Once(Fault::TruncatedJson),
        fails("Decode(truncated)", 1, |e| {
            matches!(e, Error::Decode(d) if d.truncated && d.status == 200) && !e.is_transient()
        }),
    );
    html_login_page_fails_at_once => row(
        "HTML login page",
        Inject::Once(Fault::HtmlPage),
        fails("Auth(HtmlPage)", 1, |e| {
            matches!(e, Error::Auth { kind: AuthFailure::HtmlPage, .. })
        }),
    );
    login_redirect_fails_at_once => row(
        "302 to the login page",
        Inject::Once(Fault::LoginRedirect),
        fails("Auth(LoginRedirect) with 302", 1, |e| {
            matches!(e, Error::Auth { kind: AuthFailure::LoginRedirect, failure } if failure.status == 302)
        }),
    );
    unauthorized_then_success_recovers => row("401 then success", Inject::StaleTokenOnce, Expect::Recovers);
    unauthorized_always_fails_after_one_refetch => row(
        "401 always",
        Inject::TokenRevoked,
        fails("Auth(Unauthenticated) after one token refetch", 2, |e| {
            matches!(e, Error::Auth { kind: AuthFailure::Unauthenticated, failure } if failure.status == 401)
        }),
    );
    unauthorized_without_a_token_provider_fails_at_once => row(
        "401 with an API key only",
        Inject::Once(Fault::status(401, NO_AUTHENTICATED_ORGANIZATION)),
        fails("Auth(Unauthenticated), not retried without a token to refetch", 1, |e| {
            matches!(e, Error::Auth { kind: AuthFailure::Unauthenticated, failure } if failure.status == 401)
        }),
    );
    forbidden_fails_at_once => row(
        "403",
        Inject::Once(Fault::status(403, API_KEY_FORBIDDEN)),
        fails("Auth(Forbidden)", 1, |e| {
            matches!(e, Error::Auth { kind: AuthFailure::Forbidden, failure } if failure.status == 403)
        }),
    );
    short_pages_are_not_the_end => row("pages capped at 4", Inject::PageCap, Expect::Recovers);
}

// ---- Mixed faults ----------------------------------------------------------------------------

/// The transient faults of the matrix, for a seeded mix (stalls left out: each costs a timeout).
fn transient_mix() -> Vec<Fault> {
    vec![
        Fault::ServiceUnavailable,
        gateway(502, "Bad Gateway"),
        gateway(504, "Gateway Timeout"),
        Fault::too_many_requests(0),
        Fault::too_many_requests_until(0),
        Fault::ResetBeforeAnswer,
        Fault::CloseMidBody,
    ]
}

/// A policy patient enough that a 20 % fault rate never exhausts it (0.2^8 per call).
fn patient_client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .retry(policy().max_attempts(8))
        .request_timeout(TIMEOUT)
        .build_client()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_transient_faults_in_bulk_all_recover_at_one_request_each() {
    let sandbox = Sandbox::builder().organizations(300).start().await.unwrap();
    let numbers: Vec<String> = sandbox
        .organization_numbers()
        .into_iter()
        .filter(|n| n.parse::<OrganizationNumber>().is_ok())
        .take(250)
        .collect();
    let client = patient_client(&sandbox);
    let baseline: Vec<_> = client
        .bulk_official_contacts(numbers.clone())
        .concurrency(16)
        .stream()
        .map(|r| (r.index, r.outcome))
        .collect()
        .await;
    assert!(baseline.iter().all(|(_, r)| r.is_ok()));

    sandbox
        .faults()
        .set_mixed_error_rate(0.2, 11, transient_mix());
    let before = sandbox.request_count();
    let mut results: Vec<_> = client
        .bulk_official_contacts(numbers.clone())
        .concurrency(16)
        .stream()
        .map(|r| (r.index, r.outcome))
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    let mut baseline = baseline;
    baseline.sort_by_key(|(i, _)| *i);
    // Errors are not `PartialEq` (they keep their cause): compare their text.
    let shown = |v: Vec<(usize, Result<_, Error>)>| -> Vec<_> {
        v.into_iter()
            .map(|(i, r)| (i, r.map_err(|e| e.to_string())))
            .collect()
    };
    assert_eq!(
        shown(results),
        shown(baseline),
        "every number recovered, with the same contacts"
    );
    let injected = sandbox.faults().injected();
    assert!(injected > 20, "only {injected} faults were injected");
    assert_eq!(
        sandbox.request_count() - before,
        numbers.len() as u64 + injected,
        "each fault cost exactly one more request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_transient_faults_while_paging_lose_and_repeat_nothing() {
    let sandbox = Sandbox::builder().organizations(400).start().await.unwrap();
    let client = patient_client(&sandbox);
    let all = |client: Client| async move {
        client
            .organizations(OrganizationsQuery::new())
            .page_size(25)
            .stream()
            .map(|r| {
                r.map(|o| {
                    o.organization_number
                        .as_ref()
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default()
                })
            })
            .collect::<Vec<_>>()
            .await
    };
    let baseline = all(client.clone()).await;
    assert_eq!(baseline.len(), sandbox.organization_count());
    let pages = sandbox.request_count();

    sandbox
        .faults()
        .set_mixed_error_rate(0.3, 5, transient_mix());
    let before = sandbox.request_count();
    let numbers = all(client).await;
    let shown = |v: Vec<Result<String, Error>>| -> Vec<_> {
        v.into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    };
    assert_eq!(
        shown(numbers),
        shown(baseline),
        "the same organizations, in order, each once"
    );
    let injected = sandbox.faults().injected();
    assert!(injected > 0, "no fault was injected");
    assert_eq!(sandbox.request_count() - before, pages + injected);
}
