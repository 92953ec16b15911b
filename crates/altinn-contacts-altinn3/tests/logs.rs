//! No secret (token, subscription key) and no national identity number in the logs, errors or
//! `Debug`, with everything logged at TRACE. A test binary of its own: a scoped subscriber sees
//! only its own thread, and tracing caches a call site's interest the first time any thread
//! passes it, so another test running at the same time could hide these events.

use std::io::Write;
use std::sync::{Arc, Mutex};

use altinn_contacts_altinn3::Altinn3Api;
use altinn_contacts_api::{ContactsApi, OrganizationNumber, PersonId};
use altinn_contacts_sandbox::{Fault, OrganizationRecord, PersonRecord, Sandbox};

const MAIN: &str = "910021451";
const NIN: &str = "01017012343";

fn org(s: &str) -> OrganizationNumber {
    s.parse().unwrap()
}

/// A `MakeWriter` that appends everything to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn logs_errors_and_debug_hold_no_secret_and_no_identity_number() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sb = Sandbox::builder()
        .include_seed_records(false)
        .organizations(0)
        .with_organization(
            OrganizationRecord::new(MAIN, "FIRMA AS").personal_contact(
                PersonRecord::new("r20001", "Kari Nordmann")
                    .social_security_number(NIN)
                    .email("kari@firma.no")
                    .role_code("DAGL"),
            ),
        )
        .start()
        .await
        .unwrap();
    let token = sb.successor_token().to_owned();
    let key = sb.subscription_key().unwrap().to_owned();
    struct Fixed(String);
    #[altinn_contacts_reqwest::async_trait]
    impl altinn_contacts_reqwest::TokenProvider for Fixed {
        async fn token(
            &self,
        ) -> Result<altinn_contacts_reqwest::SecretString, altinn_contacts_reqwest::TokenError>
        {
            Ok(self.0.clone().into())
        }
    }
    let api = Altinn3Api::builder()
        .platform_url(sb.platform_url())
        .token_provider(Arc::new(Fixed(token.clone())))
        .subscription_key(key.clone())
        .retry(altinn_contacts_reqwest::RetryPolicy::new().max_attempts(2))
        .build()
        .unwrap();
    let nin: PersonId = NIN.parse().unwrap();
    api.roles(&org(MAIN), &nin).await.unwrap();
    // A failure after a retry, and the role catalogue failing too, are logged.
    sb.faults().fail_next(4, Fault::ServiceUnavailable);
    let fresh = Altinn3Api::builder()
        .platform_url(sb.platform_url())
        .token_provider(Arc::new(Fixed(token.clone())))
        .subscription_key(key.clone())
        .retry(altinn_contacts_reqwest::RetryPolicy::new().max_attempts(2))
        .build()
        .unwrap();
    let e = fresh.roles(&org(MAIN), &nin).await.unwrap_err();
    let logs = captured.text();
    assert!(logs.contains("answered"), "nothing was logged: {logs}");
    assert!(logs.contains("call failed"), "{logs}");
    assert!(logs.contains("operation=\"roles\""), "{logs}");
    let shown = format!("{logs} {e} {e:?} {api:?} {nin} {nin:?}");
    for secret in [token.as_str(), key.as_str(), NIN] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
