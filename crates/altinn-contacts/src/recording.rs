//! Record and replay (feature `record-replay`): keep the answers of a real session on disk and
//! serve them again offline, through the same [`ContactsApi`] trait.
//!
//! [`Recorder`] wraps any implementation (usually the HTTPS transport) and writes every answer
//! it passes on to a directory, one JSON file per distinct call: the decoded resource, or for an
//! HTTP error its status and Altinn's message, so a replayed 404 is a 404 again. [`Replayer`]
//! reads such a directory and answers the same calls without a network; a call that was never
//! recorded fails with [`RecordingError::NotRecorded`] (as an [`Error`], see below).
//!
//! What a file holds: the call's name, its arguments (organization number, person id, query
//! values, the e-mail or phone searched for) and the answer. It never holds the API key, a token,
//! a certificate or any HTTP header: the recorder sees only what the trait returns.
//!
//! **A recording holds personal data.** Responses are real data: names, e-mail addresses, phone
//! numbers and the national identity numbers of personal contacts, written in full. Keep a
//! recording as you keep the data it came from, and do not commit one from production.
//!
//! File names are `<call>[-<organization number>]-<hash>.json`, where the hash (64-bit FNV-1a,
//! stable across platforms and versions) covers the call and all its arguments; an e-mail, phone
//! number or person id is never part of a name. Recording the same call again replaces its file.
//! Failures that had no HTTP answer (invalid input, transport failures, undecodable bodies) are
//! passed on and not recorded, so replaying such a call reports it as not recorded.
//!
//! ```
//! use altinn_contacts::recording::{Recorder, Replayer};
//! use altinn_contacts::{Client, OrganizationNumber, ReqwestContactsApi};
//! use altinn_contacts_sandbox::Sandbox;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = std::env::temp_dir().join(format!("altinn-contacts-doc-{}", std::process::id()));
//! let sandbox = Sandbox::builder().start().await?;
//! let transport = ReqwestContactsApi::builder()
//!     .base_url(sandbox.base_url())
//!     .api_key(sandbox.api_key())
//!     .build()?;
//! let org: OrganizationNumber = "910021451".parse()?;
//!
//! // Record a session ...
//! let live = Client::from_api(Recorder::new(transport, &dir)?);
//! let recorded = live.official_contacts(&org).await?;
//! sandbox.shutdown().await;
//!
//! // ... and replay it offline.
//! let offline = Client::from_api(Replayer::open(&dir)?);
//! assert_eq!(offline.official_contacts(&org).await?, recorded);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```
//!
//! Resources keep the `_links` they were recorded with, which point at the recorded host. A
//! [`Recorder`] resolves links as the backend it wraps does (the HTTPS transport checks them
//! against its base URL); a [`Replayer`] reads only their path, whatever host they name, since it
//! sends nothing anywhere, so navigation replays too.
//!
//! The trait's error type is [`Error`], so a replay failure reaches a caller as
//! [`Error::Transport`] with [`TransportFailure::Other`] and a message that names the call, the
//! file and the directory, never an identity number. [`RecordingError`] is what
//! [`Recorder::new`] and [`Replayer::open`] return, and what the message is made from.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, Error, Expand, HttpFailure, LinkError, LinkRelation,
    LinkTarget, Operation, OrganizationNumber, OrganizationsQuery, PersonId,
    PersonalContactsFilter, TransportError, TransportFailure,
};
use altinn_contacts_model::{
    Link, OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList,
};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The version of the file layout; a replayer refuses files of another.
const FORMAT: u32 = 1;

/// Wraps a [`ContactsApi`] and records every answer it gives to a directory.
///
/// Answers pass through unchanged. When a file cannot be written the call fails with
/// [`Error::Transport`] ([`TransportFailure::Other`], "could not record ..."): a recording that
/// silently misses calls would only show its gaps when it is replayed.
#[derive(Debug)]
pub struct Recorder<A> {
    inner: A,
    dir: PathBuf,
}

impl<A: ContactsApi> Recorder<A> {
    /// Records the answers of `inner` into `dir`, which is created if missing.
    pub fn new(inner: A, dir: impl AsRef<Path>) -> Result<Self, RecordingError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| RecordingError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Recorder { inner, dir })
    }

    /// The directory recordings are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The wrapped implementation.
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Gives back the wrapped implementation.
    pub fn into_inner(self) -> A {
        self.inner
    }

    async fn record<T: Serialize>(
        &self,
        call: Call<'_>,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        let outcome = match &result {
            Ok(value) => Outcome::Response(value),
            Err(err) => match err.http() {
                Some(failure) => Outcome::Error(RecordedError {
                    status: failure.status,
                    message: failure.message.clone(),
                }),
                // No HTTP answer: nothing the server said to keep.
                None => return result,
            },
        };
        let file = Recording {
            format: FORMAT,
            call: call.name().to_owned(),
            arguments: call.arguments(),
            outcome,
        };
        let path = self.dir.join(call.file_name());
        match write_atomically(&path, &file).await {
            Ok(()) => result,
            Err(e) => Err(Error::Transport(TransportError::new(
                call.operation(),
                TransportFailure::Other,
                format!("could not record the answer to {}: {e}", path.display()),
            ))),
        }
    }
}

#[async_trait]
impl<A: ContactsApi> ContactsApi for Recorder<A> {
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        let result = self.inner.organizations(query).await;
        self.record(Call::Organizations(query), result).await
    }

    async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        let result = self.inner.search_organizations(search).await;
        self.record(Call::Search(search), result).await
    }

    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        let result = self.inner.organization(org, expand).await;
        self.record(Call::Organization(org, expand), result).await
    }

    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        let result = self.inner.official_contacts(org).await;
        self.record(Call::OfficialContacts(org), result).await
    }

    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        let result = self.inner.personal_contacts(org, filter).await;
        self.record(Call::PersonalContacts(org, filter), result)
            .await
    }

    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error> {
        let result = self.inner.roles(org, person).await;
        self.record(Call::Roles(org, person), result).await
    }

    /// As the wrapped backend resolves it (nothing to record: no call is made).
    fn resolve_link(&self, rel: LinkRelation, link: &Link) -> Result<LinkTarget, LinkError> {
        self.inner.resolve_link(rel, link)
    }
}

/// Serves the answers a [`Recorder`] wrote, offline.
#[derive(Clone, Debug)]
pub struct Replayer {
    dir: PathBuf,
}

impl Replayer {
    /// Replays the recording in `dir`; fails when it is not a readable directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, RecordingError> {
        let dir = dir.as_ref().to_path_buf();
        match std::fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => Ok(Replayer { dir }),
            Ok(_) => Err(RecordingError::Io {
                path: dir,
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a directory"),
            }),
            Err(source) => Err(RecordingError::Io { path: dir, source }),
        }
    }

    /// The directory recordings are read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    async fn replay<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, Error> {
        let operation = call.operation();
        match self.load(&call).await {
            Ok(Outcome::Response(value)) => Ok(value),
            Ok(Outcome::Error(e)) => Err(Error::from_status(
                HttpFailure::new(operation, e.status, e.message),
                None,
            )),
            Err(e) => {
                // The error names the operation itself; say the rest once.
                let detail = match e {
                    RecordingError::NotRecorded { file, .. } => {
                        format!("not recorded (no {file} in {})", self.dir.display())
                    }
                    other => other.to_string(),
                };
                Err(Error::Transport(TransportError::new(
                    operation,
                    TransportFailure::Other,
                    detail,
                )))
            }
        }
    }

    async fn load<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<Outcome<T>, RecordingError> {
        let file = call.file_name();
        let path = self.dir.join(&file);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(RecordingError::NotRecorded {
                    operation: call.operation(),
                    file,
                });
            }
            Err(source) => return Err(RecordingError::Io { path, source }),
        };
        let invalid = |reason: String| RecordingError::Invalid {
            path: path.clone(),
            reason,
        };
        // serde_json's messages name the line and column and the expected type, not a value.
        let recording: Recording<T> =
            serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
        if recording.format != FORMAT {
            return Err(invalid(format!(
                "format {} (this version reads format {FORMAT})",
                recording.format
            )));
        }
        // The hash in the name could collide; the file says which call it holds.
        if recording.call != call.name() || recording.arguments != call.arguments() {
            return Err(invalid(format!(
                "it holds another call than {}",
                call.operation()
            )));
        }
        Ok(recording.outcome)
    }
}

#[async_trait]
impl ContactsApi for Replayer {
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        self.replay(Call::Organizations(query)).await
    }

    async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        self.replay(Call::Search(search)).await
    }

    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        self.replay(Call::Organization(org, expand)).await
    }

    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        self.replay(Call::OfficialContacts(org)).await
    }

    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        self.replay(Call::PersonalContacts(org, filter)).await
    }

    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error> {
        self.replay(Call::Roles(org, person)).await
    }

    /// By the href's path only ([`wire::resolve_link`](altinn_contacts_reqwest::wire::resolve_link)
    /// without an origin): recorded links name the recorded host, and a replay sends nothing to
    /// any host. Whether the call was recorded shows when it is made.
    fn resolve_link(&self, rel: LinkRelation, link: &Link) -> Result<LinkTarget, LinkError> {
        altinn_contacts_reqwest::wire::resolve_link(None, rel, link)
    }
}

/// Why a recording could not be written or read. Never shows an identity number: files are
/// named by call, organization number and hash.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// The call was never recorded (no file for it in the directory).
    #[error("{operation}: not recorded (no {file} in the recording)")]
    NotRecorded {
        /// The call.
        operation: Operation,
        /// The file name the call would have been recorded under.
        file: String,
    },
    /// A directory or file could not be created or read.
    #[error("recording {}: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file is not a recording this version can read.
    #[error("recording {} is not usable: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// One call with its arguments, borrowed from the trait method's parameters.
enum Call<'a> {
    Organizations(&'a OrganizationsQuery),
    Search(&'a ContactPointSearch),
    Organization(&'a OrganizationNumber, Expand),
    OfficialContacts(&'a OrganizationNumber),
    PersonalContacts(&'a OrganizationNumber, &'a PersonalContactsFilter),
    Roles(&'a OrganizationNumber, &'a PersonId),
}

impl Call<'_> {
    fn operation(&self) -> Operation {
        match self {
            Call::Organizations(_) => Operation::ListOrganizations,
            Call::Search(_) => Operation::SearchOrganizations,
            Call::Organization(..) => Operation::GetOrganization,
            Call::OfficialContacts(_) => Operation::OfficialContacts,
            Call::PersonalContacts(..) => Operation::PersonalContacts,
            Call::Roles(..) => Operation::Roles,
        }
    }

    /// The call's name in file names and in the file.
    fn name(&self) -> &'static str {
        match self {
            Call::Organizations(_) => "organizations",
            Call::Search(_) => "search",
            Call::Organization(..) => "organization",
            Call::OfficialContacts(_) => "official-contacts",
            Call::PersonalContacts(..) => "personal-contacts",
            Call::Roles(..) => "roles",
        }
    }

    fn org(&self) -> Option<&OrganizationNumber> {
        match self {
            Call::Organizations(_) | Call::Search(_) => None,
            Call::Organization(org, _)
            | Call::OfficialContacts(org)
            | Call::PersonalContacts(org, _)
            | Call::Roles(org, _) => Some(org),
        }
    }

    /// Every argument that changes the answer, by name; absent options are left out. Built from
    /// the typed values (not from how a transport renders them), so a recording made over one
    /// transport replays for the same calls whatever the wire syntax.
    fn arguments(&self) -> BTreeMap<String, String> {
        let mut args = BTreeMap::new();
        let mut put = |name: &str, value: String| {
            args.insert(name.to_owned(), value);
        };
        if let Some(org) = self.org() {
            put("organization", org.as_str().to_owned());
        }
        match self {
            Call::Organizations(query) => {
                if let Some(top) = query.top {
                    put("top", top.to_string());
                }
                if let Some(skip) = query.skip {
                    put("skip", skip.to_string());
                }
                if let Some(order) = query.order_by {
                    put("order_by", format!("{order:?}"));
                }
                if let Some(code) = &query.type_filter {
                    put("type", code.as_str().to_owned());
                }
                if query.expand != Expand::None {
                    put("expand", format!("{:?}", query.expand));
                }
            }
            Call::Search(search) => {
                if let Some(email) = search.email_address() {
                    put("email", email.as_str().to_owned());
                }
                if let Some(phone) = search.phone_number() {
                    put("phone", phone.as_str().to_owned());
                }
            }
            Call::Organization(_, expand) => {
                if *expand != Expand::None {
                    put("expand", format!("{expand:?}"));
                }
            }
            Call::OfficialContacts(_) => {}
            Call::PersonalContacts(_, filter) => {
                if let Some(role) = &filter.role {
                    put("role", role.as_str().to_owned());
                }
                if let Some((code, edition)) = &filter.service {
                    put("service_code", code.as_str().to_owned());
                    put("service_edition", edition.as_str().to_owned());
                }
            }
            Call::Roles(_, person) => put("person", person.as_str().to_owned()),
        }
        args
    }

    /// `<call>[-<organization number>]-<hash of call and arguments>.json`.
    fn file_name(&self) -> String {
        let mut key = String::from(self.name());
        for (name, value) in self.arguments() {
            // Lengths keep the key unambiguous whatever the values hold.
            key.push_str(&format!("\n{}:{name}={}:{value}", name.len(), value.len()));
        }
        let hash = fnv1a(key.as_bytes());
        match self.org() {
            Some(org) => format!("{}-{}-{hash:016x}.json", self.name(), org.as_str()),
            None => format!("{}-{hash:016x}.json", self.name()),
        }
    }
}

/// 64-bit FNV-1a: small, and unlike std's hashers its output is fixed, so names stay the same
/// across Rust versions and machines.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One file: the call and what it answered.
#[derive(Serialize, Deserialize)]
struct Recording<T> {
    format: u32,
    call: String,
    arguments: BTreeMap<String, String>,
    outcome: Outcome<T>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome<T> {
    /// The decoded resource.
    Response(T),
    /// An HTTP error answer.
    Error(RecordedError),
}

#[derive(Serialize, Deserialize)]
struct RecordedError {
    status: u16,
    message: String,
}

/// Writes to a temporary file beside `path` and renames it, so a reader (or a crash) never
/// sees half a file, and concurrent calls never interleave.
async fn write_atomically<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    let tmp = path.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    tokio::fs::write(&tmp, text).await?;
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> OrganizationNumber {
        s.parse().unwrap()
    }

    #[test]
    fn file_names_are_fixed_by_call_and_arguments() {
        let o = org("910021451");
        let person: PersonId = "r50022994".parse().unwrap();
        let role = PersonalContactsFilter::new().role("DAGL".parse().unwrap());
        let none = PersonalContactsFilter::new();
        let names = [
            Call::OfficialContacts(&o).file_name(),
            Call::Organization(&o, Expand::None).file_name(),
            Call::Organization(&o, Expand::OfficialContacts).file_name(),
            Call::PersonalContacts(&o, &none).file_name(),
            Call::PersonalContacts(&o, &role).file_name(),
            Call::Roles(&o, &person).file_name(),
            Call::Organizations(&OrganizationsQuery::new()).file_name(),
            Call::Organizations(&OrganizationsQuery::new().top(10)).file_name(),
        ];
        // Pinned: a change here orphans every existing recording, so it must be deliberate.
        assert_eq!(
            names[0],
            "official-contacts-910021451-624d08d84ff2395f.json"
        );
        let distinct: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "{names:?}");
        assert!(names[5].starts_with("roles-910021451-"));
        assert!(
            !names[5].contains("r50022994"),
            "person ids stay out of names"
        );
    }

    #[test]
    fn search_values_stay_out_of_file_names() {
        let search = ContactPointSearch::email("post@firma.no".parse().unwrap());
        let name = Call::Search(&search).file_name();
        assert!(
            name.starts_with("search-") && !name.contains("firma"),
            "{name}"
        );
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
