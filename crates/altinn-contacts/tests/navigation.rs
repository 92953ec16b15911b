//! HAL navigation over `MockContactsApi`: links are parsed into identifiers, checked against the
//! origin, and turned into trait calls; foreign links are never followed.

use altinn_contacts::{
    Client, Error, HttpFailure, Links, MockContactsApi, NavigationError, OfficialContact,
    OfficialContactList, Operation, Organization, PersonalContact, PersonalContactList,
    PersonalContactsFilter, Role, RoleList, Url,
};

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
    let client = Client::from_api(mock).with_origin(altinn());
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
    // No expectations: any call on the mock fails the test.
    let client = Client::from_api(MockContactsApi::new()).with_origin(altinn());
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
    let client = Client::from_api(MockContactsApi::new()).with_origin(altinn());
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
    let client = Client::from_api(mock);
    assert!(client.origin().is_none());
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
    let client = Client::from_api(mock).with_origin(altinn());
    let err = client
        .follow_official_contacts(&organization(BASE))
        .await
        .unwrap_err();
    assert_eq!(err.api_error().and_then(Error::status), Some(404));
}
