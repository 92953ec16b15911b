//! Brønnøysund's open Enhetsregisteret API (anonymous), from the sandbox's organizations:
//!
//! - `GET /enhetsregisteret/api/enheter/{orgnr}`: a main unit (`organisasjonsnummer`, `navn`,
//!   `organisasjonsform{kode, beskrivelse}`, `_links.self`); a sub-unit or unknown number is
//!   `404`, a malformed one `400`.
//! - `GET /enhetsregisteret/api/underenheter/{orgnr}`: a sub-unit, with `overordnetEnhet` (the
//!   main unit's number) and `_links.overordnetEnhet`.
//! - `GET /enhetsregisteret/api/enheter?organisasjonsform=AS&page=0&size=20`: main units in
//!   organization-number order, filtered by `organisasjonsform` and `organisasjonsnummer`
//!   (comma-separated lists), paged: `_embedded.enheter` (left out when nothing matched),
//!   `page{size, totalElements, totalPages, number}` and `_links` (first, prev, self, next,
//!   last). `size` defaults to 20; `size` above [`MAX_SIZE`] or a page reaching past
//!   [`MAX_RESULTS`] results is `400` (inferred).
//!
//! Names are served without Altinn 2's trailing padding. Error bodies are Spring's
//! (`timestamp, status, error, message, path`) (inferred).

use serde_json::{Value, json};

use super::{JSON, Reply};
use crate::dataset::Dataset;

use super::{ENHETSREGISTERET_MAX_RESULTS as MAX_RESULTS, ENHETSREGISTERET_MAX_SIZE as MAX_SIZE};
/// The `size` of a search that gives none.
const DEFAULT_SIZE: usize = 20;

/// Descriptions of the organisation forms the sandbox serves.
const FORMS: &[(&str, &str)] = &[
    ("AAFY", "Underenhet til ikke-næringsdrivende"),
    ("ANS", "Ansvarlig selskap"),
    ("AS", "Aksjeselskap"),
    ("ASA", "Allmennaksjeselskap"),
    (
        "BEDR",
        "Underenhet til næringsdrivende og offentlig forvaltning",
    ),
    ("DA", "Selskap med delt ansvar"),
    ("ENK", "Enkeltpersonforetak"),
    ("FLI", "Forening/lag/innretning"),
    ("KOMM", "Kommune"),
    ("KS", "Kommandittselskap"),
    ("NUF", "Norskregistrert utenlandsk foretak"),
    ("ORGL", "Organisasjonsledd"),
    ("SA", "Samvirkeforetak"),
    ("STI", "Stiftelse"),
];

fn error(status: u16, message: &str, path: &str) -> Reply {
    let status_code =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    let body = json!({
        "timestamp": jiff::Timestamp::now().to_string(),
        "status": status,
        "error": status_code.canonical_reason().unwrap_or(""),
        "message": message,
        "path": path,
    });
    Reply::json(status_code, JSON, &body)
}

fn valid_number(number: &str) -> bool {
    number.len() == 9 && number.bytes().all(|b| b.is_ascii_digit())
}

/// The unit at `pos` as served; `main` is its main unit's number for a sub-unit.
fn unit(dataset: &Dataset, pos: u32, main: Option<&str>, base: &str) -> Value {
    let org = dataset.organization(pos);
    let number = org
        .organization_number
        .as_ref()
        .map_or("", |n| n.as_str())
        .to_owned();
    let api = format!("{base}{}", super::ENHETSREGISTERET_PATH);
    let collection = if main.is_some() {
        "underenheter"
    } else {
        "enheter"
    };
    let mut value = json!({
        "organisasjonsnummer": number,
        "navn": org.name.as_deref().map(str::trim_end),
    });
    if let Some(code) = org.organization_type.as_ref().map(|t| t.as_str()) {
        let description = FORMS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, d)| *d);
        value["organisasjonsform"] = json!({
            "kode": code,
            "beskrivelse": description,
            "_links": { "self": { "href": format!("{api}/organisasjonsformer/{code}") } },
        });
    }
    let mut links = json!({ "self": { "href": format!("{api}/{collection}/{number}") } });
    if let Some(main) = main {
        value["overordnetEnhet"] = json!(main);
        links["overordnetEnhet"] = json!({ "href": format!("{api}/enheter/{main}") });
    }
    value["_links"] = links;
    value
}

/// The main unit's number of the sub-unit at `pos`.
fn main_number(dataset: &Dataset, pos: u32) -> Option<String> {
    dataset.main_unit(pos).map(|main| {
        dataset
            .organization(main)
            .organization_number
            .as_ref()
            .map_or(String::new(), |n| n.as_str().to_owned())
    })
}

/// A request under `/enhetsregisteret/api`: `rest` is the path after it.
pub(super) fn answer(dataset: &Dataset, rest: &str, query: Option<&str>, base: &str) -> Reply {
    let path = format!("{}{rest}", super::ENHETSREGISTERET_PATH);
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let is = |s: &str, word: &str| s.eq_ignore_ascii_case(word);
    match segments.as_slice() {
        [e] if is(e, "enheter") => search(dataset, query, base, &path),
        [e, number] if is(e, "enheter") || is(e, "underenheter") => {
            if !valid_number(number) {
                return error(
                    400,
                    &format!("Ugyldig organisasjonsnummer: {number}"),
                    &path,
                );
            }
            let Some(pos) = dataset.find(number) else {
                return Reply::empty(axum::http::StatusCode::NOT_FOUND);
            };
            let main = main_number(dataset, pos);
            match (is(e, "underenheter"), main) {
                (false, None) => Reply::ok(JSON, &unit(dataset, pos, None, base)),
                (true, Some(main)) => Reply::ok(JSON, &unit(dataset, pos, Some(&main), base)),
                _ => Reply::empty(axum::http::StatusCode::NOT_FOUND),
            }
        }
        _ => Reply::empty(axum::http::StatusCode::NOT_FOUND),
    }
}

/// The search's parameters.
struct Search {
    page: usize,
    size: usize,
    forms: Option<Vec<String>>,
    numbers: Option<Vec<String>>,
}

fn parse(query: Option<&str>, path: &str) -> Result<Search, Reply> {
    let mut search = Search {
        page: 0,
        size: DEFAULT_SIZE,
        forms: None,
        numbers: None,
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "page" | "size" => {
                let Ok(n) = value.trim().parse::<usize>() else {
                    return Err(error(
                        400,
                        &format!("Ugyldig verdi for {key}: {value}"),
                        path,
                    ));
                };
                if key == "page" {
                    search.page = n;
                } else {
                    search.size = n;
                }
            }
            "organisasjonsform" => search.forms = Some(list(&value)),
            "organisasjonsnummer" => search.numbers = Some(list(&value)),
            _ => {}
        }
    }
    if search.size == 0 || search.size > MAX_SIZE {
        return Err(error(
            400,
            &format!("size må være mellom 1 og {MAX_SIZE}"),
            path,
        ));
    }
    if search.page.saturating_add(1).saturating_mul(search.size) > MAX_RESULTS {
        return Err(error(
            400,
            &format!("(page + 1) * size kan ikke være større enn {MAX_RESULTS}"),
            path,
        ));
    }
    Ok(search)
}

fn search(dataset: &Dataset, query: Option<&str>, base: &str, path: &str) -> Reply {
    let search = match parse(query, path) {
        Ok(search) => search,
        Err(reply) => return reply,
    };
    let matches = |pos: u32| -> bool {
        if let Some(forms) = &search.forms
            && !forms.iter().any(|f| dataset.has_type(pos, f))
        {
            return false;
        }
        let org_number = dataset.organization(pos);
        let number = org_number
            .organization_number
            .as_ref()
            .map_or("", |n| n.as_str());
        if !valid_number(number) {
            return false;
        }
        if let Some(numbers) = &search.numbers
            && !numbers.iter().any(|n| n == number)
        {
            return false;
        }
        dataset.main_unit(pos).is_none()
    };
    let hits: Vec<u32> = (0..dataset.len() as u32).filter(|&p| matches(p)).collect();
    let total = hits.len();
    let total_pages = total.div_ceil(search.size);
    let items: Vec<Value> = hits
        .iter()
        .skip(search.page * search.size)
        .take(search.size)
        .map(|&pos| unit(dataset, pos, None, base))
        .collect();
    let href = |page: usize| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(forms) = &search.forms {
            q.append_pair("organisasjonsform", &forms.join(","));
        }
        if let Some(numbers) = &search.numbers {
            q.append_pair("organisasjonsnummer", &numbers.join(","));
        }
        q.append_pair("page", &page.to_string());
        q.append_pair("size", &search.size.to_string());
        json!({ "href": format!("{base}{path}?{}", q.finish()) })
    };
    let mut links = serde_json::Map::new();
    let last = total_pages.saturating_sub(1);
    if total_pages > 0 {
        links.insert("first".into(), href(0));
    }
    if search.page > 0 && total_pages > 0 {
        links.insert("prev".into(), href((search.page - 1).min(last)));
    }
    links.insert("self".into(), href(search.page));
    if search.page + 1 < total_pages {
        links.insert("next".into(), href(search.page + 1));
    }
    if total_pages > 0 {
        links.insert("last".into(), href(last));
    }
    let mut body = json!({
        "_links": links,
        "page": {
            "size": search.size,
            "totalElements": total,
            "totalPages": total_pages,
            "number": search.page,
        },
    });
    if !items.is_empty() {
        body["_embedded"] = json!({ "enheter": items });
    }
    Reply::ok(JSON, &body)
}
