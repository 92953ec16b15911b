//! The backend against the sandbox's emulations of the successors (Profile, Access Management,
//! KoFuVi, Enhetsregisteret) over loopback: every call and field mapping, the main-unit
//! fallback, organizations missing from an answer, the batch counts of a 10,000-organization
//! bulk, problem details and auth failures as errors, `Unsupported`, and no secret or identity
//! number in errors or `Debug`.

use std::sync::Arc;

use altinn_contacts_altinn3::{Altinn3Api, Altinn3Builder, OfficialContactsSource};
use altinn_contacts_api::{
    AuthFailure, ContactPointSearch, ContactsApi, Error, Expand, Operation, OrganizationNumber,
    OrganizationsQuery, PersonId, PersonalContactsFilter,
};
use altinn_contacts_model::OfficialContactList;
use altinn_contacts_reqwest::{
    Pacer, RetryPolicy, SecretString, Throttle, TokenError, TokenProvider, async_trait,
};
use altinn_contacts_sandbox::{
    Fault, OrganizationRecord, PersonRecord, Sandbox, SuccessorEndpoint, SuccessorsConfig,
};

const MAIN: &str = "910021451";
const SUB: &str = "310524832";
const EMPTY: &str = "311111108";
const UNKNOWN: &str = "974760673";
const NIN: &str = "01017012343";

/// The sandbox's pre-issued Altinn token.
struct Fixed(String);

#[async_trait]
impl TokenProvider for Fixed {
    async fn token(&self) -> Result<SecretString, TokenError> {
        Ok(SecretString::from(self.0.clone()))
    }
}

fn org(s: &str) -> OrganizationNumber {
    s.parse().unwrap()
}

async fn sandbox(config: SuccessorsConfig) -> Sandbox {
    Sandbox::builder()
        .include_seed_records(false)
        .organizations(0)
        .with_organization(
            OrganizationRecord::new(MAIN, "FIRMA AS")
                .organization_type("AS")
                .official_mobile("98765432")
                .official_email("post@firma.no")
                .personal_contact(
                    PersonRecord::new("r20001", "Kari Nordmann")
                        .social_security_number(NIN)
                        .mobile("41234567")
                        .email("kari@firma.no")
                        .role_code("DAGL"),
                ),
        )
        .with_organization(
            OrganizationRecord::new(SUB, "FIRMA AS AVD BERGEN")
                .organization_type("BEDR")
                .main_unit(MAIN),
        )
        .with_organization(OrganizationRecord::new(EMPTY, "TOM ENK").organization_type("ENK"))
        .successors(config)
        .start()
        .await
        .unwrap()
}

fn builder(sb: &Sandbox) -> Altinn3Builder {
    let mut b = Altinn3Api::builder()
        .platform_url(sb.platform_url())
        .kofuvi_url(sb.kofuvi_url())
        .enhetsregisteret_url(sb.enhetsregisteret_url())
        .token_provider(Arc::new(Fixed(sb.successor_token().to_owned())))
        .resource_id(sb.resource_id());
    if let Some(key) = sb.subscription_key() {
        b = b.subscription_key(key);
    }
    b
}

fn mobiles_and_emails(list: &OfficialContactList) -> (Vec<&str>, Vec<&str>) {
    (
        list.items().iter().filter_map(|c| c.mobile()).collect(),
        list.items().iter().filter_map(|c| c.email()).collect(),
    )
}

#[tokio::test]
async fn official_contacts_from_profile_and_kofuvi_map_the_same_with_the_main_unit_fallback() {
    let sb = sandbox(SuccessorsConfig::new()).await;
    for source in [
        OfficialContactsSource::Profile,
        OfficialContactsSource::Kofuvi,
    ] {
        let api = builder(&sb)
            .official_contacts_source(source)
            .build()
            .unwrap();
        let own = api.official_contacts(&org(MAIN)).await.unwrap();
        assert_eq!(
            mobiles_and_emails(&own),
            (vec!["+4798765432"], vec!["post@firma.no"]),
            "{source}"
        );
        assert!(own.address_origin.is_none(), "{source}");
        for c in own.items() {
            assert!(c.mobile_number_changed.is_none() && c.email_address_changed.is_none());
        }
        // A sub-unit without addresses answered with its main unit's: said so.
        let sub = api.official_contacts(&org(SUB)).await.unwrap();
        assert_eq!(
            mobiles_and_emails(&sub),
            mobiles_and_emails(&own),
            "{source}"
        );
        assert_eq!(
            sub.address_origin.as_ref().map(|o| o.as_str()),
            Some(MAIN),
            "{source}"
        );
        // Missing from the answer (Profile) or 404 (KoFuVi): no contacts, not an error.
        for missing in [EMPTY, UNKNOWN] {
            let none = api.official_contacts(&org(missing)).await.unwrap();
            assert!(none.items().is_empty(), "{source} {missing}");
            assert!(none.address_origin.is_none());
        }
    }
    assert_eq!(
        sb.successor_requests(SuccessorEndpoint::NotificationAddresses),
        4
    );
    assert_eq!(sb.successor_requests(SuccessorEndpoint::Kofuvi), 4);
}

#[tokio::test]
async fn personal_contacts_and_roles_map_user_ids_codes_and_names() {
    let sb = sandbox(SuccessorsConfig::new()).await;
    let api = builder(&sb).build().unwrap();
    let list = api
        .personal_contacts(&org(MAIN), &PersonalContactsFilter::new())
        .await
        .unwrap();
    assert_eq!(list.embedded.personal_contacts.len(), 1);
    let c = &list.embedded.personal_contacts[0];
    assert_eq!(c.personal_contact_id.as_deref(), Some("u20001"));
    assert_eq!(c.mobile_number.as_deref(), Some("+4741234567"));
    assert_eq!(c.email_address.as_deref(), Some("kari@firma.no"));
    assert!(c.name.is_none() && c.social_security_number.is_none());
    assert!(c.mobile_number_changed.is_none() && c.email_address_changed.is_none());
    assert!(
        api.personal_contacts(&org(EMPTY), &PersonalContactsFilter::new())
            .await
            .unwrap()
            .embedded
            .personal_contacts
            .is_empty()
    );

    // The id personal contacts carry leads to the person's roles; so does the identity number.
    let user: PersonId = c.personal_contact_id.as_deref().unwrap().parse().unwrap();
    let nin: PersonId = NIN.parse().unwrap();
    for person in [&user, &nin] {
        let roles = api.roles(&org(MAIN), person).await.unwrap();
        assert_eq!(roles.embedded.roles.len(), 1, "{person}");
        let role = &roles.embedded.roles[0];
        assert_eq!(role.role_definition_code.as_deref(), Some("DAGL"));
        assert_eq!(role.role_name.as_deref(), Some("Daglig leder"));
        assert_eq!(
            role.role_description.as_deref(),
            Some("Ekstern rolle (fra Enhetsregisteret)")
        );
        assert!(role.role_definition_id.is_none() && role.role_type.is_none());
    }
    // The catalogue is read once.
    assert_eq!(sb.successor_requests(SuccessorEndpoint::Roles), 1);
    assert_eq!(
        sb.successor_requests(SuccessorEndpoint::AuthorizedParties),
        2
    );
    let stranger: PersonId = "u99".parse().unwrap();
    assert!(
        api.roles(&org(MAIN), &stranger)
            .await
            .unwrap()
            .embedded
            .roles
            .is_empty()
    );
}

#[tokio::test]
async fn organizations_come_from_enhetsregisteret() {
    let sb = sandbox(SuccessorsConfig::new()).await;
    let api = builder(&sb).build().unwrap();
    let main = api.organization(&org(MAIN), Expand::None).await.unwrap();
    assert_eq!(main.name.as_deref(), Some("FIRMA AS"));
    assert_eq!(
        main.organization_number.as_ref().map(|o| o.as_str()),
        Some(MAIN)
    );
    assert_eq!(
        main.organization_type.as_ref().map(|t| t.as_str()),
        Some("AS")
    );
    assert!(main.last_changed.is_none() && main.last_confirmed.is_none());
    assert!(main.embedded.is_none());
    let sub = api
        .organization(&org(SUB), Expand::OfficialContacts)
        .await
        .unwrap();
    assert_eq!(sub.name.as_deref(), Some("FIRMA AS AVD BERGEN"));
    assert_eq!(
        sub.organization_type.as_ref().map(|t| t.as_str()),
        Some("BEDR")
    );
    assert_eq!(sub.official_contacts().len(), 2);
    let e = api
        .organization(&org(UNKNOWN), Expand::None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");

    let all = api.organizations(&OrganizationsQuery::new()).await.unwrap();
    let numbers: Vec<&str> = all
        .embedded
        .organizations
        .iter()
        .filter_map(|o| o.organization_number.as_ref().map(|n| n.as_str()))
        .collect();
    // Sub-units are not in the search; Enhetsregisteret sorts by number.
    assert_eq!(numbers, [EMPTY, MAIN]);
    let q = OrganizationsQuery::new()
        .organization_type("ENK".parse().unwrap())
        .with_official_contacts();
    let enk = api.organizations(&q).await.unwrap();
    assert_eq!(enk.embedded.organizations.len(), 1);
    assert_eq!(
        enk.embedded.organizations[0].name.as_deref(),
        Some("TOM ENK")
    );
    assert!(enk.embedded.organizations[0].embedded.is_some());
    assert!(enk.embedded.organizations[0].official_contacts().is_empty());
    let before = sb.successor_requests(SuccessorEndpoint::NotificationAddresses);
    let expanded = api
        .organizations(&OrganizationsQuery::new().with_official_contacts())
        .await
        .unwrap();
    let main = &expanded.embedded.organizations[1];
    assert_eq!(main.name.as_deref(), Some("FIRMA AS"));
    let mobiles: Vec<_> = main
        .official_contacts()
        .iter()
        .filter_map(|c| c.mobile())
        .collect();
    assert_eq!(mobiles, ["+4798765432"]);
    // One lookup for the whole page.
    assert_eq!(
        sb.successor_requests(SuccessorEndpoint::NotificationAddresses),
        before + 1
    );
    let page = api
        .organizations(&OrganizationsQuery::new().top(1).skip(1))
        .await
        .unwrap();
    assert_eq!(page.embedded.organizations.len(), 1);
    assert_eq!(
        page.embedded.organizations[0].name.as_deref(),
        Some("FIRMA AS")
    );
    // Enhetsregisteret is open data: no token and no key went there.
    for r in sb.requests() {
        if r.path().starts_with("/enhetsregisteret/") {
            assert!(r.header("authorization").is_none());
            assert!(r.header("ocp-apim-subscription-key").is_none());
        }
    }
}

#[tokio::test]
async fn a_bulk_of_ten_thousand_organizations_is_a_hundred_requests() {
    let sb = Sandbox::builder()
        .organizations(10_000)
        .include_seed_records(false)
        .start()
        .await
        .unwrap();
    let orgs: Vec<OrganizationNumber> = sb
        .organization_numbers()
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(orgs.len(), 10_000);
    let api: Arc<dyn ContactsApi> = Arc::new(builder(&sb).build().unwrap());

    let limit = api.batch_limit(Operation::OfficialContacts);
    assert_eq!(limit, 100);
    let mut answered = 0;
    let mut with_contacts = 0;
    for batch in orgs.chunks(limit) {
        let results = api.official_contacts_batch(batch).await;
        assert_eq!(results.len(), batch.len());
        for r in results {
            with_contacts += usize::from(!r.unwrap().items().is_empty());
            answered += 1;
        }
    }
    assert_eq!(answered, 10_000);
    assert!(with_contacts > 0);
    assert_eq!(
        sb.successor_requests(SuccessorEndpoint::NotificationAddresses),
        100
    );

    let limit = api.batch_limit(Operation::PersonalContacts);
    assert_eq!(limit, 100);
    let filter = PersonalContactsFilter::new();
    let mut people = 0;
    for batch in orgs.chunks(limit) {
        for r in api.personal_contacts_batch(batch, &filter).await {
            people += r.unwrap().embedded.personal_contacts.len();
        }
    }
    assert!(people > 0);
    assert_eq!(sb.successor_requests(SuccessorEndpoint::ContactPoints), 100);
}

#[tokio::test]
async fn a_failed_batch_request_fails_each_of_its_organizations_with_the_problem_title() {
    // Register refuses large queries; Profile turns that into a 500 problem.
    let sb = sandbox(SuccessorsConfig::new().max_contact_point_lookup(2)).await;
    let api = builder(&sb).build().unwrap();
    let results = api
        .personal_contacts_batch(
            &[org(MAIN), org(SUB), org(EMPTY)],
            &PersonalContactsFilter::new(),
        )
        .await;
    assert_eq!(results.len(), 3);
    for r in &results {
        let e = r.as_ref().unwrap_err();
        assert!(matches!(e, Error::Server(_)), "{e:?}");
        assert_eq!(e.status(), Some(500));
        assert_eq!(
            e.message(),
            "An error occurred while processing your request."
        );
    }
    assert_eq!(sb.successor_requests(SuccessorEndpoint::ContactPoints), 1);
}

#[tokio::test]
async fn auth_failures_are_auth_errors_without_secrets() {
    let sb = sandbox(SuccessorsConfig::new()).await;
    let wrong_key = "wrong-subscription-key-4711";
    let api = builder(&sb).subscription_key(wrong_key).build().unwrap();
    let e = api.official_contacts(&org(MAIN)).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Auth {
                kind: AuthFailure::Unauthenticated,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.message().contains("invalid subscription key"), "{e}");
    let nin: PersonId = NIN.parse().unwrap();
    let e2 = api.roles(&org(MAIN), &nin).await.unwrap_err();
    let token = sb.successor_token().to_owned();
    let shown = format!("{e} {e:?} {e2} {e2:?} {api:?}");
    assert!(!shown.contains(wrong_key), "{shown}");
    assert!(!shown.contains(&token), "{shown}");
    assert!(!shown.contains(NIN), "{shown}");

    // No token at all: Profile's empty 401.
    let mut no_token = Altinn3Api::builder()
        .platform_url(sb.platform_url())
        .enhetsregisteret_url(sb.enhetsregisteret_url())
        .kofuvi_url(sb.kofuvi_url());
    if let Some(key) = sb.subscription_key() {
        no_token = no_token.subscription_key(key);
    }
    let e = no_token
        .build()
        .unwrap()
        .official_contacts(&org(MAIN))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Auth {
                kind: AuthFailure::Unauthenticated,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.message(), "Unauthorized");
}

#[tokio::test]
async fn calls_without_a_successor_are_unsupported_and_reach_no_service() {
    let sb = sandbox(SuccessorsConfig::new()).await;
    let api = builder(&sb).build().unwrap();
    let before = sb.request_count();
    let e = api
        .search_organizations(&ContactPointSearch::phone("98765432".parse().unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Unsupported(u) if u.operation == Operation::SearchOrganizations));
    let r: PersonId = "r20001".parse().unwrap();
    let e = api.roles(&org(MAIN), &r).await.unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    assert!(e.to_string().contains("u..."), "{e}");
    let no_resource = Altinn3Api::builder()
        .platform_url(sb.platform_url())
        .build()
        .unwrap();
    let e = no_resource
        .personal_contacts(&org(MAIN), &PersonalContactsFilter::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("resource id"), "{e}");
    assert_eq!(sb.request_count(), before);
}

#[tokio::test]
async fn faults_are_retried_paused_or_final_as_in_the_altinn_2_transport() {
    let sb = sandbox(SuccessorsConfig::new()).await;
    let api = builder(&sb)
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .initial_backoff(std::time::Duration::from_millis(1))
                .max_backoff(std::time::Duration::from_millis(5)),
        )
        .build()
        .unwrap();

    // A 429 pauses the job's pacer (every task of a bulk job waits) and is retried.
    let throttle = Arc::new(Throttle::new(None));
    let pacer: Arc<dyn Pacer> = throttle.clone();
    sb.faults().rate_limit_next(1, 1);
    let started = std::time::Instant::now();
    let contacts = altinn_contacts_reqwest::pacer::paced(pacer, api.official_contacts(&org(MAIN)))
        .await
        .unwrap();
    assert_eq!(contacts.items().len(), 2);
    assert_eq!(throttle.pauses(), 1);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(
        sb.successor_requests(SuccessorEndpoint::NotificationAddresses),
        2
    );

    // A connection cut mid-body is retried; a 503 after the last attempt says how many.
    sb.faults().fail_next(1, Fault::CloseMidBody);
    api.personal_contacts(&org(MAIN), &PersonalContactsFilter::new())
        .await
        .unwrap();
    sb.faults().fail_next(3, Fault::ServiceUnavailable);
    let e = api.official_contacts(&org(MAIN)).await.unwrap_err();
    assert!(matches!(e, Error::Server(_)), "{e:?}");
    assert!(e.to_string().ends_with("(after 3 attempts)"), "{e}");

    // A complete answer whose JSON is cut short is not retried: a decode error.
    sb.faults().fail_next(1, Fault::TruncatedJson);
    let before = sb.successor_requests(SuccessorEndpoint::NotificationAddresses);
    let e = api.official_contacts(&org(MAIN)).await.unwrap_err();
    assert!(matches!(&e, Error::Decode(d) if d.truncated), "{e:?}");
    assert_eq!(
        sb.successor_requests(SuccessorEndpoint::NotificationAddresses),
        before + 1
    );
}
