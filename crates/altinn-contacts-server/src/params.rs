//! Query strings: decoding, and the OData options of the organizations list read into the API
//! crate's typed queries.
//!
//! Decoding follows ASP.NET's: `+` is a space and `%2B` a plus, so a phone number `+4799...` sent
//! unencoded arrives as `" 4799..."` and matches nothing, exactly as it would at Altinn. Parameter
//! names are case-insensitive; the last of repeated parameters wins.

use std::borrow::Cow;

use altinn_contacts_api::{
    ContactPointSearch, Email, Expand, OrderBy, OrganizationsQuery, PhoneNumber, TypeCode,
};

use crate::messages;

/// The largest page `$top` allows; larger values are clamped to it.
pub const MAX_PAGE_SIZE: usize = altinn_contacts_api::MAX_PAGE_SIZE as usize;

/// The decoded parameters of one query string.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes a raw query string (without `?`).
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Params { pairs }
    }

    /// The value of `name` (case-insensitive; the last occurrence wins), `""` for a bare flag.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` when present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// True when `name` is present, with or without a value (`?ForceEIAuthentication`).
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The parameter names, in order (for logs: names never hold a secret, values may).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    /// The OData system options (`$...`) present.
    fn system_options(&self) -> impl Iterator<Item = &str> {
        self.names().filter(|k| k.starts_with('$'))
    }
}

/// A `400` with this reason phrase.
pub(crate) type BadRequest = Cow<'static, str>;

/// Shortens what a client sent before it is echoed in a reason phrase.
pub(crate) fn echo(value: &str) -> String {
    const MAX: usize = 120;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let mut s: String = value.chars().take(MAX).collect();
        s.push_str("...");
        s
    }
}

fn non_negative(option: &str, value: &str) -> Result<u64, BadRequest> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "Invalid value '{}' for {option} query option found. The {option} query option requires a non-negative integer value.",
            echo(value)
        )
        .into());
    }
    // A number too big is still a valid non-negative integer: saturate.
    Ok(value.parse().unwrap_or(u64::MAX))
}

/// Reads `$expand`: only `OfficialContacts` is known.
pub(crate) fn parse_expand(params: &Params) -> Result<Expand, BadRequest> {
    match params.get("$expand").map(str::trim) {
        None | Some("") => Ok(Expand::None),
        Some(v) if v.eq_ignore_ascii_case("OfficialContacts") => Ok(Expand::OfficialContacts),
        Some(v) => Err(format!(
            "{} Only $expand=OfficialContacts is supported, got '{}'.",
            messages::ODATA_INVALID,
            echo(v)
        )
        .into()),
    }
}

/// Reads `Type eq 'CODE'` (the only filter Altinn supports), returning the code.
fn parse_filter(value: &str) -> Option<String> {
    let rest = value.trim().strip_prefix("Type")?;
    let rest = rest.strip_prefix(char::is_whitespace)?.trim_start();
    let rest = rest.strip_prefix("eq")?;
    let rest = rest.strip_prefix(char::is_whitespace)?.trim();
    let inner = rest.strip_prefix('\'')?.strip_suffix('\'')?;
    // Inside an OData string a quote is written twice; a single one ends the literal.
    let unescaped = inner.replace("''", "'");
    if unescaped.matches('\'').count() * 2 != inner.matches('\'').count() {
        return None;
    }
    Some(unescaped)
}

/// What `GET organizations` asks for, as the API crate's typed calls.
#[derive(Debug)]
pub(crate) enum ListCall {
    /// One page of the list.
    List(OrganizationsQuery),
    /// A search by contact point, its hits paged and ordered by the same options.
    Search(ContactPointSearch),
    /// A request whose answer is an empty list without asking anyone: a type code or a search
    /// value that no organization can have (see [`parse_list`]).
    Nothing,
}

/// Reads the query of `GET organizations`.
///
/// Bad OData syntax is a `400` with Altinn's wording. A well-formed request for something no
/// organization can match is [`ListCall::Nothing`] (an empty list, as Altinn answers): a `Type`
/// that is not 1 to 10 letters or digits, or an `email`/`phoneNumber` that is not a valid search
/// value exactly as sent (a `+` sent unencoded decodes to a leading space, and matches nothing).
/// `Type` compares case-insensitively ([`TypeCode`] is upper case).
pub(crate) fn parse_list(params: &Params) -> Result<ListCall, BadRequest> {
    for option in params.system_options() {
        let known = ["$top", "$skip", "$orderby", "$filter", "$expand"];
        if !known.iter().any(|k| k.eq_ignore_ascii_case(option)) {
            return Err(format!("The query parameter '{}' is not supported.", echo(option)).into());
        }
    }
    let mut query = OrganizationsQuery::new();
    if let Some(v) = params.get("$top") {
        let top = non_negative("$top", v)?.clamp(1, MAX_PAGE_SIZE as u64);
        query = query.top(top as u32);
    }
    if let Some(v) = params.get("$skip") {
        query = query.skip(non_negative("$skip", v)?);
    }
    match params.get("$orderby").map(str::trim) {
        None | Some("") => {}
        Some(v) => {
            let mut words = v.split_whitespace();
            let field = match words.next() {
                Some(f) if f.eq_ignore_ascii_case("Name") => Some(OrderBy::Name),
                Some(f) if f.eq_ignore_ascii_case("OrganizationNumber") => {
                    Some(OrderBy::OrganizationNumber)
                }
                _ => None,
            };
            let direction = match words.next() {
                None => Some(false),
                Some(d) if d.eq_ignore_ascii_case("asc") => Some(false),
                Some(d) if d.eq_ignore_ascii_case("desc") => Some(true),
                Some(_) => None,
            };
            match (field, direction, words.next()) {
                (Some(field), Some(desc), None) => {
                    query = query.order_by(field);
                    query.descending = desc;
                }
                _ => {
                    return Err(format!(
                        "{} $orderby supports Name and OrganizationNumber, got '{}'.",
                        messages::ODATA_INVALID,
                        echo(v)
                    )
                    .into());
                }
            }
        }
    }
    let mut matchable = true;
    match params.get("$filter") {
        None => {}
        Some(v) if v.trim().is_empty() => {}
        Some(v) => {
            let code = parse_filter(v).ok_or_else(|| {
                format!(
                    "{} Only $filter=Type eq '<code>' is supported, got '{}'.",
                    messages::ODATA_INVALID,
                    echo(v)
                )
            })?;
            match code.parse::<TypeCode>() {
                Ok(code) => query = query.organization_type(code),
                Err(_) => matchable = false,
            }
        }
    }
    if parse_expand(params)? == Expand::OfficialContacts {
        query = query.with_official_contacts();
    }
    let email = params.non_empty("email");
    let phone = params.non_empty("phoneNumber");
    if email.is_none() && phone.is_none() {
        return Ok(if matchable {
            ListCall::List(query)
        } else {
            ListCall::Nothing
        });
    }
    // A value with whitespace around it is not trimmed: Altinn compares what was sent.
    let email = email.and_then(exact::<Email>);
    let phone = phone.and_then(exact::<PhoneNumber>);
    match ContactPointSearch::new(email, phone) {
        Ok(search) if matchable => Ok(ListCall::Search(search.with_options(query))),
        _ => Ok(ListCall::Nothing),
    }
}

/// `value` as a typed search value, when it parses to itself.
fn exact<T>(value: &str) -> Option<T>
where
    T: std::str::FromStr + AsRef<str>,
{
    value
        .parse::<T>()
        .ok()
        .filter(|typed| typed.as_ref() == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(q: &str) -> Result<ListCall, BadRequest> {
        parse_list(&Params::parse(Some(q)))
    }

    fn query(q: &str) -> OrganizationsQuery {
        match list(q) {
            Ok(ListCall::List(query)) => query,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn decoding_treats_plus_as_space() {
        let p = Params::parse(Some(
            "phoneNumber=%2B4799&email=a%40b.no&x=+47&ForceEIAuthentication",
        ));
        assert_eq!(p.get("PHONENUMBER"), Some("+4799"));
        assert_eq!(p.get("email"), Some("a@b.no"));
        assert_eq!(p.get("x"), Some(" 47"));
        assert!(p.has("forceeiauthentication"));
        assert!(!p.has("missing"));
    }

    #[test]
    fn top_is_clamped_and_skip_checked() {
        assert_eq!(query("").top, None);
        assert_eq!(query("$top=0").top, Some(1));
        assert_eq!(query("$top=5000").top, Some(1000));
        assert_eq!(query("$top=99999999999999999999999").top, Some(1000));
        assert_eq!(query("$top=17&$skip=3").skip, Some(3));
        assert!(list("$top=-1").is_err());
        assert!(list("$top=ten").is_err());
        assert!(list("$skip=-5").is_err());
        assert!(list("$select=Name").is_err());
    }

    #[test]
    fn orderby_and_filter() {
        assert_eq!(query("$orderby=Name").order_by, Some(OrderBy::Name));
        let q = query("$orderby=OrganizationNumber%20desc");
        assert!(q.descending && q.order_by == Some(OrderBy::OrganizationNumber));
        assert!(list("$orderby=Type").is_err());
        assert!(list("$orderby=Name sideways").is_err());
        assert_eq!(
            query("$filter=Type eq 'ENK'")
                .type_filter
                .as_ref()
                .map(|t| t.as_str()),
            Some("ENK")
        );
        // Well-formed, but no organization has such a type.
        assert!(matches!(
            list("$filter=Type%20eq%20%27O''B%27"),
            Ok(ListCall::Nothing)
        ));
        assert_eq!(parse_filter("Type eq 'O''B'").as_deref(), Some("O'B"));
        for bad in [
            "$filter=Name eq 'X'",
            "$filter=Type ne 'AS'",
            "$filter=Type eq AS",
            "$filter=Type eq 'A'S'",
            "$filter=Typeeq 'AS'",
            "$filter=Type eq 'AS' or Type eq 'ENK'",
        ] {
            assert!(list(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_values_are_taken_exactly_as_sent() {
        let Ok(ListCall::Search(s)) = list("phoneNumber=%2B4799&$top=2&$orderby=Name desc") else {
            panic!()
        };
        assert_eq!(s.phone_number().map(|p| p.as_str()), Some("+4799"));
        assert_eq!(s.options().top, Some(2));
        assert!(s.options().descending);
        assert!(matches!(list("phoneNumber=+4799"), Ok(ListCall::Nothing)));
        assert!(matches!(list("phoneNumber=abc"), Ok(ListCall::Nothing)));
        // One matchable value is enough: the search matches either.
        let Ok(ListCall::Search(s)) = list("phoneNumber=+4799&email=a@b.no") else {
            panic!()
        };
        assert!(s.phone_number().is_none());
        assert_eq!(s.email_address().map(|e| e.as_str()), Some("a@b.no"));
    }
}
