//! The hand-written backend and HTTP helpers the server's tests share.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use altinn_contacts_api::{
    ContactPointSearch, ContactsApi, Error, Expand, OrganizationNumber, OrganizationsQuery,
    PersonId, PersonalContactsFilter,
};
use altinn_contacts_model::{
    OfficialContactList, Organization, OrganizationList, PersonalContactList, RoleList, decode,
};
use altinn_contacts_server::{ApiKeys, Gateway, RunningServer, serve};
use async_trait::async_trait;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub(crate) const KEY: &str = "caller-key-5b1f0d";
/// Where the backend's own links point: never to be seen by a caller.
pub(crate) const BACKEND: &str = "https://backend.example.invalid/api/serviceowner";

/// A backend that records each typed call and answers with canned models whose links point at
/// [`BACKEND`], or with the error it was given.
#[derive(Default)]
pub(crate) struct Fake {
    pub(crate) calls: Mutex<Vec<String>>,
    pub(crate) fail: Mutex<Option<Error>>,
}

impl Fake {
    pub(crate) fn record(&self, call: String) -> Result<(), Error> {
        self.calls.lock().unwrap().push(call);
        match self.fail.lock().unwrap().clone() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub(crate) fn calls(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

pub(crate) fn org_json(number: &str) -> String {
    format!(
        r#"{{"Name":"FIRMA {number}","OrganizationNumber":"{number}","Type":"AS",
        "_links":{{"self":{{"href":"{BACKEND}/organizations/{number}?key=backend-secret"}}}}}}"#
    )
}

#[async_trait]
impl ContactsApi for Fake {
    async fn organizations(&self, query: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        self.record(format!("organizations {query:?}"))?;
        let body = format!(
            r#"{{"_links":{{"self":{{"href":"{BACKEND}/organizations"}}}},
            "_embedded":{{"organizations":[{},{}]}}}}"#,
            org_json("910021451"),
            org_json("810748532")
        );
        Ok(decode(body.as_bytes()).unwrap())
    }

    async fn search_organizations(
        &self,
        search: &ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        self.record(format!("search {search:?}"))?;
        let body = format!(
            r#"{{"_embedded":{{"organizations":[{}]}}}}"#,
            org_json("910021451")
        );
        Ok(decode(body.as_bytes()).unwrap())
    }

    async fn organization(
        &self,
        org: &OrganizationNumber,
        expand: Expand,
    ) -> Result<Organization, Error> {
        self.record(format!("organization {org} {expand:?}"))?;
        Ok(decode(org_json(org.as_str()).as_bytes()).unwrap())
    }

    async fn official_contacts(
        &self,
        org: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        self.record(format!("official {org}"))?;
        let body = format!(
            r#"{{"_links":{{"self":{{"href":"{BACKEND}/organizations/{org}/officialcontacts"}}}},
            "_embedded":{{"officialcontacts":[{{"MobileNumber":"22334455","EMailAddress":"post@firma.no"}}]}}}}"#
        );
        Ok(decode(body.as_bytes()).unwrap())
    }

    async fn personal_contacts(
        &self,
        org: &OrganizationNumber,
        filter: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        self.record(format!("personal {org} {filter:?}"))?;
        let body = format!(
            r#"{{"_embedded":{{"personalcontacts":[{{"PersonalContactId":"r50022994","Name":"KARI",
            "_links":{{"roles":{{"href":"{BACKEND}/organizations/{org}/personalcontacts/r50022994/roles"}}}}}}]}}}}"#
        );
        Ok(decode(body.as_bytes()).unwrap())
    }

    async fn roles(&self, org: &OrganizationNumber, person: &PersonId) -> Result<RoleList, Error> {
        self.record(format!("roles {org} {}", person.as_str()))?;
        let body = format!(
            r#"{{"_embedded":{{"roles":[{{"RoleType":"Local","RoleDefinitionId":89,"RoleName":"DAGL",
            "RoleDefinitionCode":"DAGL",
            "_links":{{"roledefinition":{{"href":"{BACKEND}/roledefinitions/89"}}}}}}]}}}}"#
        );
        Ok(decode(body.as_bytes()).unwrap())
    }
}

pub(crate) async fn start(
    gateway: impl FnOnce(Arc<Fake>) -> Gateway,
) -> (RunningServer, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = serve(listener, gateway(Arc::clone(&fake)), None).unwrap();
    (server, fake)
}

pub(crate) fn keys() -> ApiKeys {
    ApiKeys::new([KEY, "another-key"]).unwrap()
}

pub(crate) async fn default_gateway() -> (RunningServer, Arc<Fake>) {
    start(|fake| Gateway::new(fake, keys())).await
}

/// An answer as it came over the wire.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Raw {
    pub(crate) status_line: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Raw {
    pub(crate) fn status(&self) -> u16 {
        self.status_line[9..12].parse().unwrap()
    }

    pub(crate) fn reason(&self) -> &str {
        &self.status_line[13..]
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// `GET` over a fresh connection, `Connection: close`, read to the end.
pub(crate) async fn get(server: &RunningServer, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    let mut request = format!(
        "GET /api/serviceowner/{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        server.local_addr()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .unwrap()
        .unwrap();
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(bytes[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap().to_owned();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .filter(|(k, _)| k != "date")
        .collect();
    Raw {
        status_line,
        headers,
        body: bytes[split + 4..].to_vec(),
    }
}

pub(crate) async fn get_ok(server: &RunningServer, path: &str) -> Value {
    let raw = get(server, path, &[("ApiKey", KEY)]).await;
    assert_eq!(raw.status(), 200, "{path}: {}", raw.status_line);
    raw.json()
}
