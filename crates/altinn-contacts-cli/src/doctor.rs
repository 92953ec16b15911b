//! `altinn-contacts doctor`: checks the resolved setup (certificate, trust, clock, base URL, API
//! key, Maskinporten), one line each, and says how to fix what fails.
//!
//! Lines start with `✓` (passed), `!` (passed with a warning), `✗` (failed, followed by an
//! indented `fix:` line) or `–` (skipped, with the reason). The command exits 0 only when
//! nothing failed, else 1. No secret is printed: the lines show file names, dates, the
//! organization number, statuses and error texts, which the library keeps free of secrets.

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use altinn_contacts::TokenProvider as _;
use altinn_contacts::{Certificate, Identity};

use crate::args::{BackendName, Global, SourceName};
use crate::commands::{connect, maskinporten_provider};
use crate::error::CliError;

/// A certificate that expires sooner than this gets a warning.
const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 24 * 3600);
/// Maskinporten refuses a grant whose `iat` is more than 10 s off its clock.
const MAX_SKEW_SECS: u64 = 10;
/// Skew above this is worth a warning (the `Date` header has a resolution of one second).
const WARN_SKEW_SECS: u64 = 5;

/// The lines written so far and how many failed.
struct Report<W> {
    out: W,
    failed: usize,
}

impl<W: Write> Report<W> {
    fn pass(&mut self, text: &str) -> Result<(), CliError> {
        writeln!(self.out, "✓ {text}").map_err(CliError::stdout)
    }

    fn warn(&mut self, text: &str, fix: &str) -> Result<(), CliError> {
        writeln!(self.out, "! {text}\n    fix: {fix}").map_err(CliError::stdout)
    }

    fn fail(&mut self, text: &str, fix: &str) -> Result<(), CliError> {
        self.failed += 1;
        let text = one_line(text);
        writeln!(self.out, "✗ {text}\n    fix: {fix}").map_err(CliError::stdout)
    }

    fn skip(&mut self, text: &str) -> Result<(), CliError> {
        writeln!(self.out, "– {text}").map_err(CliError::stdout)
    }
}

/// Error texts on one line, identity numbers masked (a server message may hold one).
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    altinn_contacts::redact_identity_numbers(flat.trim())
}

/// Runs every check and prints its line; an error when any failed.
pub(crate) async fn run(global: &Global) -> Result<(), CliError> {
    let mut report = Report {
        out: io::stdout().lock(),
        failed: 0,
    };
    let cert = certificate_checks(global, &mut report)?;
    let before = report.failed;
    maskinporten_check(global, cert.identity.as_ref(), &mut report).await?;
    // Without a token every API call fails the same way: no second line for it.
    let blocked = cert
        .unusable
        .or((report.failed > before).then_some("Maskinporten gave no token"));
    network_checks(global, blocked, &mut report).await?;
    report.out.flush().map_err(CliError::stdout)?;
    match report.failed {
        0 => Ok(()),
        1 => Err(CliError::Failed("1 check failed".into())),
        n => Err(CliError::Failed(format!("{n} checks failed"))),
    }
}

/// What the certificate checks found.
#[derive(Default)]
struct CertState {
    /// The identity, when one was given and it opened.
    identity: Option<Identity>,
    /// Why the certificate given cannot be used (the server would refuse it, or the client
    /// cannot even be set up): the network checks are then skipped rather than failing a
    /// second time for the same reason.
    unusable: Option<&'static str>,
}

/// The certificate: opens, dates, organization number, key, chain.
fn certificate_checks<W: Write>(
    global: &Global,
    report: &mut Report<W>,
) -> Result<CertState, CliError> {
    let Some(path) = &global.cert else {
        report
            .skip("certificate: none given (--cert / ALTINN_CERT); certificate checks skipped")?;
        return Ok(CertState::default());
    };
    let password = global.cert_password.as_ref().map(|p| p.expose());
    let identity = match Identity::from_file(path, password) {
        Ok(identity) => {
            report.pass(&format!("certificate {} opens", path.display()))?;
            identity
        }
        Err(e) => {
            report.fail(
                &format!("certificate does not open: {e}"),
                "check the password (--cert-password / ALTINN_CERT_PASSWORD) and that the file is \
                 the PKCS#12 (.p12/.pfx) or PEM file with certificate and key",
            )?;
            report.skip("certificate dates, organization number, key and chain: not checked")?;
            return Ok(CertState {
                identity: None,
                unusable: Some("the certificate did not open"),
            });
        }
    };
    let mut unusable = None;
    // The chain is verified at a time the certificate is valid, so an expired certificate
    // fails only its dates line.
    let mut verify_at = SystemTime::now();
    let leaf = identity.certificates_der().next().unwrap_or_default();
    match x509_parser::parse_x509_certificate(leaf) {
        Ok((_, cert)) => {
            let (from, until) = (
                cert.validity().not_before.timestamp(),
                cert.validity().not_after.timestamp(),
            );
            let now = unix_seconds(verify_at);
            if now < from || now > until {
                unusable = Some("the server refuses a certificate outside its validity dates");
                let at = if now < from { from } else { until };
                verify_at = SystemTime::UNIX_EPOCH
                    + Duration::from_secs(u64::try_from(at).unwrap_or_default());
            }
            validity_check(&cert, report)?;
            organization_check(&cert, report)?;
        }
        Err(e) => report.fail(
            &format!("the certificate cannot be parsed: {e}"),
            "use the enterprise certificate (virksomhetssertifikat) file as issued",
        )?,
    }
    match identity.check_key_matches() {
        Ok(()) => report.pass("the private key matches the certificate")?,
        Err(e) => {
            unusable = Some("the certificate's key does not match it");
            report.fail(
                &format!("key: {e}"),
                "put the certificate's own key in the file (a PEM file must pair the \
                 certificate with the key it was issued for)",
            )?;
        }
    }
    chain_check(global, &identity, path, verify_at, report)?;
    Ok(CertState {
        identity: Some(identity),
        unusable,
    })
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn validity_check<W: Write>(
    cert: &x509_parser::certificate::X509Certificate<'_>,
    report: &mut Report<W>,
) -> Result<(), CliError> {
    let now = jiff::Timestamp::now();
    let at = |t: &x509_parser::time::ASN1Time| {
        jiff::Timestamp::from_second(t.timestamp()).unwrap_or(jiff::Timestamp::MIN)
    };
    let (from, until) = (
        at(&cert.validity().not_before),
        at(&cert.validity().not_after),
    );
    let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
    if now < from {
        report.fail(
            &format!("the certificate is not valid yet (from {})", day(from)),
            "wait until then, or check this machine's clock",
        )
    } else if now > until {
        report.fail(
            &format!("the certificate expired on {}", day(until)),
            "order a new enterprise certificate (Buypass or Commfides) and point --cert at it",
        )
    } else if until.duration_since(now).unsigned_abs() < EXPIRY_WARNING {
        report.warn(
            &format!("the certificate expires soon, on {}", day(until)),
            "order a new enterprise certificate before then",
        )
    } else {
        report.pass(&format!("the certificate is valid until {}", day(until)))
    }
}

/// The organization number of the subject: `organizationIdentifier` `NTRNO-<orgnr>` (SEID 2) or
/// `serialNumber` `<orgnr>` (older certificates).
fn organization_check<W: Write>(
    cert: &x509_parser::certificate::X509Certificate<'_>,
    report: &mut Report<W>,
) -> Result<(), CliError> {
    match organization_number(cert) {
        Some((number, from)) => {
            report.pass(&format!("organization number {number} (subject {from})"))
        }
        None => report.fail(
            "no organization number in the certificate's subject (serialNumber or \
             organizationIdentifier NTRNO-...)",
            "use an enterprise certificate (virksomhetssertifikat), not a personal or server one",
        ),
    }
}

fn organization_number(
    cert: &x509_parser::certificate::X509Certificate<'_>,
) -> Option<(String, &'static str)> {
    let nine_digits = |s: &str| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit());
    for attr in cert.subject().iter_attributes() {
        let oid = attr.attr_type().to_id_string();
        let Ok(value) = attr.as_str() else { continue };
        let value = value.trim();
        match oid.as_str() {
            "2.5.4.97" => {
                if let Some(n) = value.strip_prefix("NTRNO-").filter(|n| nine_digits(n)) {
                    return Some((n.to_owned(), "organizationIdentifier"));
                }
            }
            "2.5.4.5" if nine_digits(value) => {
                return Some((value.to_owned(), "serialNumber"));
            }
            _ => {}
        }
    }
    None
}

fn chain_check<W: Write>(
    global: &Global,
    identity: &Identity,
    path: &Path,
    at: SystemTime,
    report: &mut Report<W>,
) -> Result<(), CliError> {
    let (roots, against) = match &global.ca_cert {
        Some(ca) => match Certificate::from_file(ca) {
            Ok(cert) => (vec![cert], format!("--ca-cert {}", ca.display())),
            Err(e) => {
                return report.fail(
                    &format!("the CA file does not open: {e}"),
                    "point --ca-cert / ALTINN_CA_CERT at a PEM file of CA certificates",
                );
            }
        },
        None => (Vec::new(), "the system's roots".to_owned()),
    };
    match identity.verify_chain(&roots, at) {
        Ok(()) => report.pass(&format!("the certificate chain verifies against {against}")),
        Err(e) => report.fail(
            &format!("the certificate chain does not verify against {against}: {e}"),
            &format!(
                "include the intermediate certificates in {} and, for a test or self-signed CA, \
                 give its certificate with --ca-cert",
                path.display()
            ),
        ),
    }
}

/// With Maskinporten on: a token is obtained (outside `--sandbox`, whose Maskinporten exists
/// only while the client does; there [`network_checks`] covers it).
async fn maskinporten_check<W: Write>(
    global: &Global,
    identity: Option<&Identity>,
    report: &mut Report<W>,
) -> Result<(), CliError> {
    let mp = &global.maskinporten;
    if mp.maskinporten_client_id.is_none() {
        return report.skip("Maskinporten: not in use (no --maskinporten-client-id)");
    }
    if global.sandbox {
        return report.skip("Maskinporten: the embedded sandbox's, checked with the API call");
    }
    if mp.maskinporten_key.is_none() && identity.is_none() {
        return report.fail(
            "Maskinporten: no key to sign the grant",
            "give a certificate that opens (--cert) or --maskinporten-key with --maskinporten-kid",
        );
    }
    let provider = match maskinporten_provider(
        global,
        identity.cloned(),
        mp.maskinporten_url.as_deref(),
        mp.exchange_url.as_deref(),
    ) {
        Ok(provider) => provider,
        Err(e) => {
            return report.fail(
                &format!("Maskinporten: {}", e.line().trim_start_matches("error: ")),
                "fix the Maskinporten options (see --help)",
            );
        }
    };
    match provider.token().await {
        Ok(_) => report.pass(&format!(
            "Maskinporten: a token was obtained for {}",
            mp.maskinporten_scope
        )),
        Err(e) => report.fail(
            &format!("Maskinporten: no token: {e}"),
            "check the client id, that the scope is granted to it, that the certificate (or \
             --maskinporten-kid key) is registered on the client, and the clock",
        ),
    }
}

/// The base URL answers, the clock against its `Date`, and the API key (one cheap call).
async fn network_checks<W: Write>(
    global: &Global,
    unusable: Option<&str>,
    report: &mut Report<W>,
) -> Result<(), CliError> {
    if let Some(why) = unusable {
        return report.skip(&format!("base URL, clock and API key: not checked ({why})"));
    }
    if global.backend == BackendName::Altinn3 {
        return altinn3_checks(global, report).await;
    }
    if !global.sandbox && global.api_key.is_none() {
        report.fail(
            "API key: none given",
            "give --api-key or set ALTINN_API_KEY (the key of your ServiceOwner subscription)",
        )?;
        return report.skip("base URL and clock: not checked (no API key)");
    }
    let conn = match connect(global, None).await {
        Ok(conn) => conn,
        Err(e) => {
            report.fail(
                &format!(
                    "the client cannot be set up: {}",
                    e.line().trim_start_matches("error: ")
                ),
                "fix the options named above",
            )?;
            return report.skip("base URL, clock and API key: not checked");
        }
    };
    let Some(api) = &conn.altinn2 else {
        return report.skip("base URL, clock and API key: not an Altinn 2 backend");
    };
    let base = api.base_url().to_string();
    let probe = match api.probe().await {
        Ok(probe) => {
            report.pass(&format!("{base} answers (HTTP {})", probe.status))?;
            probe
        }
        Err(e) => {
            report.fail(
                &format!("{base} does not answer: {e}"),
                "check --base-url / --env, the network and proxy; for a server with a test CA \
                 give --ca-cert",
            )?;
            return report.skip("clock and API key: not checked (no answer)");
        }
    };
    clock_check(probe.date, report)?;
    match (probe.status, &probe.error) {
        (403, _) => report.fail(
            "API key not accepted (HTTP 403)",
            "check --api-key / ALTINN_API_KEY: it must be the key for this environment (--env)",
        ),
        (_, None) => report.pass("API key accepted (organizations?$top=1 answered)"),
        (401, Some(e)) => {
            report.pass("API key accepted")?;
            report.fail(
                &format!("authentication refused: {e}"),
                "the API wants the enterprise certificate (--cert) or a Maskinporten token \
                 with the serviceowner scope",
            )
        }
        (status, Some(e)) => report.fail(
            &format!("the API call failed (HTTP {status}): {e}"),
            "see the message; try again later if the service is down",
        ),
    }
}

/// `--backend altinn3`: the settings each call needs, and the client set up. The successors
/// have no call that checks credentials without looking something up, so no request is made.
async fn altinn3_checks<W: Write>(global: &Global, report: &mut Report<W>) -> Result<(), CliError> {
    let a3 = &global.altinn3;
    let mp = &global.maskinporten;
    if let Err(e) = connect(global, None).await {
        return report.fail(
            &format!(
                "altinn3 backend: the client cannot be set up: {}",
                e.line().trim_start_matches("error: ")
            ),
            "fix the options named above",
        );
    }
    report.pass("altinn3 backend: the client is set up")?;
    if global.sandbox {
        return report.skip("altinn3 settings: the embedded sandbox's");
    }
    let token = global.token.is_some() || mp.maskinporten_client_id.is_some();
    if token {
        report.pass("altinn3: an Altinn token source is configured")?;
    } else {
        report.warn(
            "altinn3: no Altinn token: Profile and Access Management calls will be refused",
            "give --maskinporten-client-id with --altinn-exchange (or --token)",
        )?;
    }
    if a3.subscription_key.is_some() {
        report.pass("altinn3: a subscription key is given")?;
    } else {
        report.warn(
            "altinn3: no subscription key (Ocp-Apim-Subscription-Key)",
            "give --subscription-key or set ALTINN_SUBSCRIPTION_KEY, if your platform \
             subscription has one",
        )?;
    }
    match &a3.resource_id {
        Some(id) => report.pass(&format!("altinn3: personal contacts for resource {id}")),
        None => report.warn(
            "altinn3: no resource id: personal contacts are not available",
            "give --resource-id or set ALTINN_RESOURCE_ID",
        ),
    }?;
    if a3.official_contacts_source == SourceName::Kofuvi && global.cert.is_none() {
        report.fail(
            "altinn3: official contacts from KoFuVi need the enterprise certificate",
            "give --cert (and --cert-password), or --official-contacts-source profile",
        )?;
    }
    report.skip("altinn3: no request made (the successors have no credential check call)")
}

fn clock_check<W: Write>(date: Option<SystemTime>, report: &mut Report<W>) -> Result<(), CliError> {
    let Some(date) = date else {
        return report.skip("clock: the server sent no Date header to compare with");
    };
    let now = SystemTime::now();
    let skew = match now.duration_since(date) {
        Ok(behind) => behind,
        Err(ahead) => ahead.duration(),
    };
    // `Date` has whole seconds: up to a second of the difference is its rounding.
    let secs = skew.as_secs().saturating_sub(1);
    let direction = if now >= date { "ahead of" } else { "behind" };
    let fix = "synchronize the clock (NTP, e.g. `timedatectl set-ntp true`)";
    if secs > MAX_SKEW_SECS {
        report.fail(
            &format!(
                "the clock is {secs} s {direction} the server's (Maskinporten refuses more than \
                 {MAX_SKEW_SECS} s)"
            ),
            fix,
        )
    } else if secs > WARN_SKEW_SECS {
        report.warn(
            &format!("the clock is {secs} s {direction} the server's"),
            fix,
        )
    } else {
        report.pass("the clock agrees with the server's (within a few seconds)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(f: impl FnOnce(&mut Report<Vec<u8>>) -> Result<(), CliError>) -> (String, usize) {
        let mut report = Report {
            out: Vec::new(),
            failed: 0,
        };
        f(&mut report).unwrap();
        (String::from_utf8(report.out).unwrap(), report.failed)
    }

    #[test]
    fn clock_skew_over_ten_seconds_fails() {
        let now = SystemTime::now();
        let (text, failed) = lines(|r| clock_check(Some(now), r));
        assert!(text.starts_with("✓ the clock"), "{text}");
        assert_eq!(failed, 0);
        let (text, failed) = lines(|r| clock_check(Some(now - Duration::from_secs(30)), r));
        assert!(text.starts_with("✗ the clock is "), "{text}");
        assert!(
            text.contains("ahead of") && text.contains("fix: "),
            "{text}"
        );
        assert_eq!(failed, 1);
        let (text, failed) = lines(|r| clock_check(Some(now + Duration::from_secs(8)), r));
        assert!(text.starts_with("! the clock is "), "{text}");
        assert!(text.contains("behind"), "{text}");
        assert_eq!(failed, 0);
        let (text, _) = lines(|r| clock_check(None, r));
        assert!(text.starts_with("– clock"), "{text}");
    }

    #[test]
    fn failures_are_one_line_with_identity_numbers_masked() {
        let (text, failed) = lines(|r| r.fail("bad\r\nthing 06117701547", "do this"));
        assert_eq!(failed, 1);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains("0611770"), "{text}");
        assert!(text.ends_with("    fix: do this\n"), "{text}");
    }
}
