//! HAL navigation over `MockContactsApi`: the facade asks the backend where a link leads
//! (`ContactsApi::resolve_link`, here the transport's own rules from `wire::resolve_link`) and
//! turns the answer into a trait call; links the backend refuses are never followed.

use altinn_contacts::{
    Client, ContactsApi, Error, Expand, HttpFailure, LinkError, LinkRelation, LinkTarget, Links,
    MockContactsApi, NavigationError, OfficialContact, OfficialContactList, Operation,
    Organization, OrganizationList, OrganizationNumber, OrganizationsQuery, PersonId,
    PersonalContact, PersonalContactList, PersonalContactsFilter, Role, RoleList, Url,
};
use altinn_contacts_reqwest::wire;

const BASE: &str = "https://www.altinn.no/api/serviceowner/organizations/910021451";

fn organization(base: &str) -> Organization {
    let mut o = Organization::default();
    o.name = Some("DIGDIR".into());
    o.links = Links::new()
        .with("self", base)
        .with("officialcontacts", format!("{base}/officialcontacts"))
        .with("personalcontacts", format!("{base}/personalcontacts"));
    o
}

fn altinn() -> Url {
    Url::parse("https://www.altinn.no/").unwrap()
}

/// The mock resolves links as the HTTPS transport configured for `origin` would (`None`: by
/// path only, as a replay does).
fn resolving_like_the_transport(mut mock: MockContactsApi, origin: Option<Url>) -> MockContactsApi {
    mock.expect_resolve_link()
        .returning(move |rel, link| wire::resolve_link(origin.as_ref(), rel, link));
    mock
}

fn official_list() -> OfficialContactList {
    let mut c = OfficialContact::default();
    c.email_address = Some("post@digdir.no".into());
    OfficialContactList::from_items(format!("{BASE}/officialcontacts"), vec![c])
}

#[tokio::test]
async fn organization_to_official_and_personal_contacts_to_roles() {
    let mut mock = MockContactsApi::new();
    mock.expect_official_contacts()
        .withf(|org| org.as_str() == "910021451")
        .times(1)
        .returning(|_| Ok(official_list()));
    mock.expect_personal_contacts()
        .withf(|org, filter| {
            org.as_str() == "910021451" && filter.role.as_ref().map(|r| r.as_str()) == Some("DAGL")
        })
        .times(1)
        .returning(|_, _| {
            let mut p = PersonalContact::default();
            p.personal_contact_id = Some("r50022994".into());
            p.links =
                Links::new().with("roles", format!("{BASE}/personalcontacts/r50022994/roles"));
            Ok(PersonalContactList::from_items("x", vec![p]))
        });
    mock.expect_roles()
        .withf(|org, person| org.as_str() == "910021451" && person.as_str() == "r50022994")
        .times(1)
        .returning(|_, _| {
            let mut r = Role::default();
            r.role_name = Some("Daglig leder".into());
            Ok(RoleList::from_items("x", vec![r]))
        });
    let client = Client::from_api(resolving_like_the_transport(mock, Some(altinn())));
    let org = organization(BASE);

    let official = client.follow_official_contacts(&org).await.unwrap();
    assert_eq!(official.items()[0].email(), Some("post@digdir.no"));

    let filter = PersonalContactsFilter::new().role("DAGL".parse().unwrap());
    let people = client
        .follow_personal_contacts(&org, &filter)
        .await
        .unwrap();
    let roles = client.follow_roles(&people.items()[0]).await.unwrap();
    assert_eq!(roles.items()[0].role_name.as_deref(), Some("Daglig leder"));
}

#[tokio::test]
async fn a_link_to_another_host_is_refused_and_nothing_is_called() {
    // No expectations but link resolution: any call on the mock fails the test.
    let client = Client::from_api(resolving_like_the_transport(
        MockContactsApi::new(),
        Some(altinn()),
    ));
    let foreign =
        organization("https://altinn.evil.example/api/serviceowner/organizations/910021451");
    let err = client.follow_official_contacts(&foreign).await.unwrap_err();
    assert!(
        matches!(err, NavigationError::ForeignOrigin { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("altinn.evil.example"), "{err}");
    let err = client
        .follow_personal_contacts(&foreign, &PersonalContactsFilter::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, NavigationError::ForeignOrigin { .. }),
        "{err}"
    );

    let mut contact = PersonalContact::default();
    contact.links = Links::new().with(
        "roles",
        "http://www.altinn.no/api/serviceowner/organizations/910021451/personalcontacts/r1/roles",
    );
    let err = client.follow_roles(&contact).await.unwrap_err();
    assert!(
        matches!(err, NavigationError::ForeignOrigin { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn missing_and_malformed_links_are_clear_errors() {
    let client = Client::from_api(resolving_like_the_transport(
        MockContactsApi::new(),
        Some(altinn()),
    ));
    let err = client
        .follow_official_contacts(&Organization::default())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        NavigationError::MissingLink {
            rel: "officialcontacts"
        }
    ));
    assert!(err.to_string().contains("officialcontacts"), "{err}");

    let mut bad = Organization::default();
    bad.links = Links::new().with(
        "officialcontacts",
        "https://www.altinn.no/api/serviceowner/organizations/00210    /officialcontacts",
    );
    let err = client.follow_official_contacts(&bad).await.unwrap_err();
    assert!(
        matches!(err, NavigationError::UnrecognizedLink { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("organization number"), "{err}");

    let mut contact = PersonalContact::default();
    contact.links = Links::new().with(
        "roles",
        "https://www.altinn.no/api/serviceowner/roledefinitions/89",
    );
    let err = client.follow_roles(&contact).await.unwrap_err();
    assert!(
        matches!(err, NavigationError::UnrecognizedLink { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn without_an_origin_links_are_read_by_path() {
    let mut mock = MockContactsApi::new();
    mock.expect_official_contacts()
        .times(1)
        .returning(|_| Ok(official_list()));
    let client = Client::from_api(resolving_like_the_transport(mock, None));
    let org = organization("http://127.0.0.1:4321/api/serviceowner/organizations/910021451");
    assert_eq!(
        client
            .follow_official_contacts(&org)
            .await
            .unwrap()
            .items()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_calls_error_comes_back_as_an_api_error() {
    let mut mock = MockContactsApi::new();
    mock.expect_official_contacts().returning(|_| {
        Err(Error::from_status(
            HttpFailure::new(Operation::OfficialContacts, 404, "Not Found"),
            None,
        ))
    });
    let client = Client::from_api(resolving_like_the_transport(mock, Some(altinn())));
    let err = client
        .follow_official_contacts(&organization(BASE))
        .await
        .unwrap_err();
    assert_eq!(err.api_error().and_then(Error::status), Some(404));
}

#[tokio::test]
async fn the_backend_is_asked_with_the_relation_and_the_link() {
    // A mock user sets expectations on the resolution itself, without any URL rule.
    let mut mock = MockContactsApi::new();
    mock.expect_resolve_link()
        .withf(|rel, link| {
            *rel == LinkRelation::PersonalContacts
                && link.href == format!("{BASE}/personalcontacts")
        })
        .times(1)
        .returning(|_, _| Ok(LinkTarget::PersonalContacts("910021451".parse().unwrap())));
    mock.expect_personal_contacts()
        .withf(|org, _| org.as_str() == "910021451")
        .times(1)
        .returning(|_, _| Ok(PersonalContactList::from_items("x", vec![])));
    let client = Client::from_api(mock);
    let people = client
        .follow_personal_contacts(&organization(BASE), &PersonalContactsFilter::new())
        .await
        .unwrap();
    assert!(people.items().is_empty());
}

#[tokio::test]
async fn a_resolution_to_another_kind_of_call_is_refused_and_nothing_is_called() {
    let mut mock = MockContactsApi::new();
    mock.expect_resolve_link().returning(|_, _| {
        Ok(LinkTarget::Roles(
            "910021451".parse().unwrap(),
            "r50022994".parse().unwrap(),
        ))
    });
    let client = Client::from_api(mock);
    let err = client
        .follow_official_contacts(&organization(BASE))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NavigationError::UnrecognizedLink {
                rel: "officialcontacts",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn the_backends_refusal_is_passed_on() {
    let mut mock = MockContactsApi::new();
    mock.expect_resolve_link().returning(|rel, _| {
        Err(LinkError::ForeignOrigin {
            rel,
            href: "https://altinn.example.invalid/".into(),
            expected: "https://www.altinn.no".into(),
        })
    });
    let client = Client::from_api(mock);
    let err = client
        .resolve_link(&organization(BASE).links, LinkRelation::OfficialContacts)
        .unwrap_err();
    assert!(
        matches!(
            err,
            NavigationError::ForeignOrigin {
                rel: "officialcontacts",
                ..
            }
        ),
        "{err}"
    );
}

/// A backend that implements the six calls but not `resolve_link`; no call may be made.
struct NoLinks;

#[async_trait::async_trait]
impl ContactsApi for NoLinks {
    async fn organizations(&self, _: &OrganizationsQuery) -> Result<OrganizationList, Error> {
        panic!("no call expected")
    }
    async fn search_organizations(
        &self,
        _: &altinn_contacts::ContactPointSearch,
    ) -> Result<OrganizationList, Error> {
        panic!("no call expected")
    }
    async fn organization(&self, _: &OrganizationNumber, _: Expand) -> Result<Organization, Error> {
        panic!("no call expected")
    }
    async fn official_contacts(
        &self,
        _: &OrganizationNumber,
    ) -> Result<OfficialContactList, Error> {
        panic!("no call expected")
    }
    async fn personal_contacts(
        &self,
        _: &OrganizationNumber,
        _: &PersonalContactsFilter,
    ) -> Result<PersonalContactList, Error> {
        panic!("no call expected")
    }
    async fn roles(&self, _: &OrganizationNumber, _: &PersonId) -> Result<RoleList, Error> {
        panic!("no call expected")
    }
}

#[tokio::test]
async fn a_backend_without_link_support_refuses_links_clearly() {
    let client = Client::from_api(NoLinks);
    let err = client
        .follow_official_contacts(&organization(BASE))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NavigationError::Unsupported {
                rel: "officialcontacts"
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("cannot follow links"), "{err}");
}
