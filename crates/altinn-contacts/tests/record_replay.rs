//! Record and replay: a session against the sandbox over HTTP is recorded, the sandbox is shut
//! down, and the recording answers the same six calls (and a 404) with equal results.

use std::path::PathBuf;

use altinn_contacts::recording::{Recorder, RecordingError, Replayer};
use altinn_contacts::{
    Client, ContactPointSearch, ContactsApi, Error, Expand, OrganizationNumber, OrganizationsQuery,
    PersonId, PersonalContactsFilter, ReqwestContactsApi, RetryPolicy, TransportFailure,
};
use altinn_contacts_sandbox::Sandbox;

/// A fresh directory under the system's temporary one, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "altinn-contacts-{name}-{}-{nanos}",
            std::process::id()
        ));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The results of one session: every call's answer as JSON, errors as (status, message).
type Outcome = Result<serde_json::Value, (Option<u16>, String)>;

struct Inputs {
    org: OrganizationNumber,
    unknown: OrganizationNumber,
    search: ContactPointSearch,
    filter: PersonalContactsFilter,
    query: OrganizationsQuery,
}

fn inputs() -> Inputs {
    Inputs {
        org: "910021451".parse().unwrap(),
        // Valid (mod 11) but not served by the sandbox.
        unknown: "999999999".parse().unwrap(),
        search: ContactPointSearch::email("regnskap@kystbasen.no".parse().unwrap()),
        filter: PersonalContactsFilter::new(),
        query: OrganizationsQuery::new().top(5).skip(2),
    }
}

fn outcome<T: serde::Serialize>(result: Result<T, Error>) -> Outcome {
    result
        .map(|v| serde_json::to_value(v).unwrap())
        .map_err(|e| (e.status(), e.message()))
}

/// Runs the six calls and a 404 against `api`; `person` is asked for roles.
async fn session(api: &dyn ContactsApi, input: &Inputs, person: &PersonId) -> Vec<Outcome> {
    vec![
        outcome(api.organizations(&input.query).await),
        outcome(api.search_organizations(&input.search).await),
        outcome(api.organization(&input.org, Expand::OfficialContacts).await),
        outcome(api.official_contacts(&input.org).await),
        outcome(api.personal_contacts(&input.org, &input.filter).await),
        outcome(api.roles(&input.org, person).await),
        outcome(api.official_contacts(&input.unknown).await),
    ]
}

#[tokio::test]
async fn a_recorded_session_replays_offline_with_equal_results() {
    let dir = TempDir::new("record-replay");
    let input = inputs();
    let sandbox = Sandbox::builder().organizations(20).start().await.unwrap();
    let transport = ReqwestContactsApi::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .retry(RetryPolicy::new().max_attempts(1))
        .build()
        .unwrap();
    let recorder = Recorder::new(transport, &dir.0).unwrap();
    let people = recorder
        .personal_contacts(&input.org, &input.filter)
        .await
        .unwrap();
    // By its JSON name, which stays whatever the Rust field is called.
    let first = serde_json::to_value(&people.items()[0]).unwrap();
    let person: PersonId = first["PersonalContactId"]
        .as_str()
        .expect("a person id")
        .parse()
        .unwrap();
    let live = session(&recorder, &input, &person).await;
    let api_key = sandbox.api_key().to_owned();
    sandbox.shutdown().await;

    // Every call answered, the unknown organization with a 404.
    for (i, result) in live.iter().enumerate().take(6) {
        let value = result
            .as_ref()
            .unwrap_or_else(|e| panic!("call {i}: {e:?}"));
        assert_ne!(value, &serde_json::Value::Null);
    }
    assert_eq!(live[6].as_ref().unwrap_err().0, Some(404));

    // The sandbox is gone: the live transport now fails, so answers below come from disk.
    let offline = recorder.official_contacts(&input.org).await.unwrap_err();
    assert!(matches!(offline, Error::Transport(_)), "{offline}");

    let files: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 7, "one file per distinct call: {files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains(&api_key), "{}", file.display());
        assert!(
            !text.to_ascii_lowercase().contains("apikey"),
            "{}",
            file.display()
        );
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(name.ends_with(".json"), "{name}");
        assert!(!name.contains(person.as_str()), "{name}");
    }

    let replayer = Replayer::open(&dir.0).unwrap();
    let replayed = session(&replayer, &input, &person).await;
    assert_eq!(replayed, live);
    let not_found = replayer
        .official_contacts(&input.unknown)
        .await
        .unwrap_err();
    assert!(matches!(not_found, Error::NotFound(_)), "{not_found}");

    // Links recorded from the sandbox's host are followed by path, through the recording.
    let client = Client::from_api(replayer);
    let roles = client.follow_roles(&people.items()[0]).await.unwrap();
    assert_eq!(Ok(serde_json::to_value(roles).unwrap()), live[5]);
}

#[tokio::test]
async fn a_call_never_recorded_is_a_clear_error_without_identity_numbers() {
    let dir = TempDir::new("replay-missing");
    std::fs::create_dir_all(&dir.0).unwrap();
    let replayer = Replayer::open(&dir.0).unwrap();
    let org: OrganizationNumber = "910021451".parse().unwrap();
    let err = replayer
        .personal_contacts(&org, &PersonalContactsFilter::new())
        .await
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TransportFailure::Other);
    let text = err.to_string();
    assert!(text.contains("personal contacts"), "{text}");
    assert!(text.contains("not recorded"), "{text}");
    assert!(text.contains("personal-contacts-910021451-"), "{text}");
    assert_eq!(text.matches("personal contacts").count(), 1, "{text}");
    assert!(!err.is_transient());

    // A search for an identity number never puts it in the error or a file name.
    let search = ContactPointSearch::phone("06117701547".parse().unwrap());
    let err = replayer.search_organizations(&search).await.unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("06117701547"), "{shown}");
        assert!(shown.contains("not recorded"), "{shown}");
    }
}

#[test]
fn opening_a_missing_directory_fails_with_a_typed_error() {
    let dir = TempDir::new("replay-absent");
    let err = Replayer::open(&dir.0).unwrap_err();
    assert!(matches!(err, RecordingError::Io { .. }), "{err}");
}

#[tokio::test]
async fn a_file_that_is_not_a_recording_is_refused() {
    let dir = TempDir::new("replay-corrupt");
    let input = inputs();
    let sandbox = Sandbox::builder().organizations(1).start().await.unwrap();
    let transport = ReqwestContactsApi::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .build()
        .unwrap();
    let recorder = Recorder::new(transport, &dir.0).unwrap();
    recorder.official_contacts(&input.org).await.unwrap();
    sandbox.shutdown().await;
    let file = std::fs::read_dir(&dir.0)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&file, b"{\"format\": 1, \"call\": ").unwrap();
    let err = Replayer::open(&dir.0)
        .unwrap()
        .official_contacts(&input.org)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not usable"), "{err}");
}

#[tokio::test]
async fn an_answer_that_cannot_be_recorded_fails_the_call() {
    let dir = TempDir::new("record-unwritable");
    let input = inputs();
    let sandbox = Sandbox::builder().organizations(1).start().await.unwrap();
    let transport = ReqwestContactsApi::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .build()
        .unwrap();
    let recorder = Recorder::new(transport, &dir.0).unwrap();
    // The directory goes away after the recorder was made: the answer cannot be kept.
    std::fs::remove_dir_all(&dir.0).unwrap();
    let err = recorder.official_contacts(&input.org).await.unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TransportFailure::Other);
    assert!(err.to_string().contains("could not record"), "{err}");
    assert_eq!(sandbox.request_count(), 1, "the call itself was made");
}

#[tokio::test]
async fn links_resolve_as_the_recorded_backend_would_and_by_path_in_a_replay() {
    use altinn_contacts::{Link, LinkError, LinkRelation, LinkTarget};
    let dir = TempDir::new("replay-links");
    // Nothing listens there, and nothing is sent: resolving a link makes no call.
    let transport = ReqwestContactsApi::builder()
        .base_url("http://127.0.0.1:9/altinn/")
        .api_key("key")
        .build()
        .unwrap();
    let recorder = Recorder::new(transport, &dir.0).unwrap();
    let path = "api/serviceowner/organizations/910021451/officialcontacts";
    let org: OrganizationNumber = "910021451".parse().unwrap();
    let rel = LinkRelation::OfficialContacts;

    // The recorder asks the transport, which checks its base URL.
    let on_base = Link::new(format!("http://127.0.0.1:9/altinn/{path}"));
    assert_eq!(
        recorder.resolve_link(rel, &on_base).unwrap(),
        LinkTarget::OfficialContacts(org.clone())
    );
    let elsewhere = Link::new(format!("https://altinn.example.invalid/altinn/{path}"));
    let err = recorder.resolve_link(rel, &elsewhere).unwrap_err();
    assert!(matches!(err, LinkError::ForeignOrigin { .. }), "{err}");
    assert_eq!(
        std::fs::read_dir(&dir.0).unwrap().count(),
        0,
        "nothing recorded"
    );

    // The replayer reads the path whatever the host (it sends nothing anywhere), and still
    // refuses what is not a call of the API.
    let replayer = Replayer::open(&dir.0).unwrap();
    assert_eq!(
        replayer.resolve_link(rel, &elsewhere).unwrap(),
        LinkTarget::OfficialContacts(org)
    );
    let not_a_call =
        Link::new("https://altinn.example.invalid/api/serviceowner/roledefinitions/89");
    let err = replayer.resolve_link(rel, &not_a_call).unwrap_err();
    assert!(matches!(err, LinkError::Unrecognized { .. }), "{err}");
}
