//! Brønnøysund KoFuVi, `GET /api/varslingsadresser/{orgnr}`: an organization's notification
//! addresses (its official contacts) as HAL.
//!
//! The shape is the one the research assembled from consumers' models (inferred, not
//! confirmed): `_embedded.varsling.varslingsadresser[].kontaktinformasjon` with
//! `digitalVarslingsinformasjon.epostadresse.fullstendigAdresse` or
//! `digitalVarslingsinformasjon.mobiltelefon.{internasjonaltPrefiks, nasjonaltNummer}`, and
//! `kontaktinformasjonForEnhet.enhetsidentifikator.verdi` = the unit whose address it is (the
//! main unit after a fallback). The unit's name and form are at the top level. Phone prefixes
//! vary among `47`, `+47` and `0047`, as KoFuVi's data does. A sub-unit without addresses of
//! its own gets its main unit's; an unknown organization, or one with no address at all, is
//! `404` (empty body); a malformed number `400`.

use serde_json::{Value, json};

use super::{Reply, official_addresses};
use crate::dataset::Dataset;

/// KoFuVi's HAL content type.
const HAL_JSON: &str = "application/hal+json;charset=UTF-8";

/// The prefixes phone numbers come with.
const PREFIXES: [&str; 3] = ["47", "+47", "0047"];

/// `(internasjonaltPrefiks, nasjonaltNummer)` of a stored number; a national number gets a
/// prefix picked from its digits, so the three forms all occur.
fn split_phone(number: &str) -> (String, String) {
    let compact: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    for prefix in ["+47", "0047"] {
        if let Some(national) = compact.strip_prefix(prefix)
            && national.len() == 8
        {
            return (prefix.to_owned(), national.to_owned());
        }
    }
    let digits: u32 = compact
        .bytes()
        .map(|b| u32::from(b.wrapping_sub(b'0')))
        .sum();
    let prefix = PREFIXES[(digits % 3) as usize];
    (prefix.to_owned(), compact)
}

/// A stable 32-hex-digit identifier of an address.
fn identifier(origin: &str, kind: &str, index: usize) -> String {
    super::stable_uuid("kofuvi", &format!("{origin}/{kind}/{index}")).replace('-', "")
}

/// `GET {KOFUVI_PATH}{rest}`; `path` is the whole path, for the self link.
pub(super) fn addresses(dataset: &Dataset, rest: &str, base: &str, path: &str) -> Reply {
    let number = rest.trim_matches('/');
    if number.len() != 9 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Reply::empty(axum::http::StatusCode::BAD_REQUEST);
    }
    let Some(pos) = dataset.find(number) else {
        return Reply::empty(axum::http::StatusCode::NOT_FOUND);
    };
    let Some((source, origin)) = super::address_source(dataset, pos) else {
        return Reply::empty(axum::http::StatusCode::NOT_FOUND);
    };
    let (emails, mobiles) = official_addresses(&dataset.record(source));
    if emails.is_empty() && mobiles.is_empty() {
        return Reply::empty(axum::http::StatusCode::NOT_FOUND);
    }
    let unit = json!({ "enhetsidentifikator": { "verdi": origin, "type": "ORGANISASJONSNUMMER" } });
    let mut entries: Vec<Value> = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let (user, domain) = email.split_once('@').unwrap_or((email.as_str(), ""));
        entries.push(json!({ "kontaktinformasjon": {
            "identifikator": identifier(&origin, "epost", i),
            "digitalVarslingsinformasjon": { "epostadresse": {
                "fullstendigAdresse": email,
                "brukernavn": user,
                "domenenavn": domain,
            } },
            "kontaktinformasjonForEnhet": unit,
        } }));
    }
    for (i, mobile) in mobiles.iter().enumerate() {
        let (prefix, national) = split_phone(mobile);
        entries.push(json!({ "kontaktinformasjon": {
            "identifikator": identifier(&origin, "mobil", i),
            "digitalVarslingsinformasjon": { "mobiltelefon": {
                "internasjonaltPrefiks": prefix,
                "nasjonaltNummer": national,
            } },
            "kontaktinformasjonForEnhet": unit,
        } }));
    }
    let record = dataset.record(pos);
    let body = json!({
        "organisasjonsnummer": number,
        "navn": record.organization.name.as_deref().map(str::trim_end),
        "organisasjonsform": record.organization.organization_type.as_ref().map(|t| t.as_str()),
        "_embedded": { "varsling": { "varslingsadresser": entries } },
        "_links": { "self": { "href": format!("{base}{path}") } },
    });
    Reply::ok(HAL_JSON, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_prefixes() {
        assert_eq!(
            split_phone("+4791234567"),
            ("+47".to_owned(), "91234567".to_owned())
        );
        assert_eq!(
            split_phone("004791234567"),
            ("0047".to_owned(), "91234567".to_owned())
        );
        let mut seen = std::collections::HashSet::new();
        for n in ["55667788", "22334455", "33445566", "41234567", "12345678"] {
            let (prefix, national) = split_phone(n);
            assert_eq!(national, n);
            seen.insert(prefix);
        }
        assert!(seen.len() >= 2, "{seen:?}");
    }
}
