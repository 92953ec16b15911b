//! Query strings: decoding, and the OData options of the organizations list.
//!
//! Decoding follows ASP.NET's: `+` is a space and `%2B` a plus, so a phone number `+4799...` sent
//! unencoded arrives as `" 4799..."` and matches nothing, exactly as it would at Altinn. Parameter
//! names are case-insensitive; the last of repeated parameters wins.

use std::borrow::Cow;

use crate::messages;

/// The largest page `$top` allows; larger values are clamped to it.
pub const MAX_PAGE_SIZE: usize = 1000;

/// The decoded parameters of one query string.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
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
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` when present and not empty.
    pub(crate) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// True when `name` is present, with or without a value (`?ForceEIAuthentication`).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The OData system options (`$...`) present.
    pub(crate) fn system_options(&self) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| k.starts_with('$'))
    }
}

/// The order of an organizations list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderBy {
    /// `OrganizationNumber` (the default).
    Number,
    /// `Name`.
    Name,
}

/// What a request for the organizations list asks for.
#[derive(Debug)]
pub(crate) struct ListQuery {
    pub(crate) top: usize,
    pub(crate) skip: usize,
    pub(crate) order: OrderBy,
    pub(crate) descending: bool,
    pub(crate) type_filter: Option<String>,
    pub(crate) expand: bool,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
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

fn non_negative(option: &str, value: &str) -> Result<usize, BadRequest> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "Invalid value '{}' for {option} query option found. The {option} query option requires a non-negative integer value.",
            echo(value)
        )
        .into());
    }
    // A number too big for usize is still a valid non-negative integer: saturate.
    Ok(value.parse().unwrap_or(usize::MAX))
}

/// Reads `$expand`: only `OfficialContacts` is known.
pub(crate) fn parse_expand(params: &Params) -> Result<bool, BadRequest> {
    match params.get("$expand").map(str::trim) {
        None | Some("") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("OfficialContacts") => Ok(true),
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

/// Reads the query of `GET organizations`.
pub(crate) fn parse_list(params: &Params) -> Result<ListQuery, BadRequest> {
    for option in params.system_options() {
        let known = ["$top", "$skip", "$orderby", "$filter", "$expand"];
        if !known.iter().any(|k| k.eq_ignore_ascii_case(option)) {
            return Err(format!("The query parameter '{}' is not supported.", echo(option)).into());
        }
    }
    let top = match params.get("$top") {
        None => MAX_PAGE_SIZE,
        Some(v) => non_negative("$top", v)?.clamp(1, MAX_PAGE_SIZE),
    };
    let skip = match params.get("$skip") {
        None => 0,
        Some(v) => non_negative("$skip", v)?,
    };
    let (order, descending) = match params.get("$orderby").map(str::trim) {
        None | Some("") => (OrderBy::Number, false),
        Some(v) => {
            let mut words = v.split_whitespace();
            let field = match words.next() {
                Some(f) if f.eq_ignore_ascii_case("Name") => Some(OrderBy::Name),
                Some(f) if f.eq_ignore_ascii_case("OrganizationNumber") => Some(OrderBy::Number),
                _ => None,
            };
            let direction = match words.next() {
                None => Some(false),
                Some(d) if d.eq_ignore_ascii_case("asc") => Some(false),
                Some(d) if d.eq_ignore_ascii_case("desc") => Some(true),
                Some(_) => None,
            };
            match (field, direction, words.next()) {
                (Some(field), Some(desc), None) => (field, desc),
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
    };
    let type_filter = match params.get("$filter") {
        None => None,
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(parse_filter(v).ok_or_else(|| {
            format!(
                "{} Only $filter=Type eq '<code>' is supported, got '{}'.",
                messages::ODATA_INVALID,
                echo(v)
            )
        })?),
    };
    Ok(ListQuery {
        top,
        skip,
        order,
        descending,
        type_filter,
        expand: parse_expand(params)?,
        email: params.non_empty("email").map(str::to_owned),
        phone: params.non_empty("phoneNumber").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(q: &str) -> Result<ListQuery, BadRequest> {
        parse_list(&Params::parse(Some(q)))
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
        assert_eq!(list("").unwrap().top, 1000);
        assert_eq!(list("$top=0").unwrap().top, 1);
        assert_eq!(list("$top=5000").unwrap().top, 1000);
        assert_eq!(list("$top=99999999999999999999999").unwrap().top, 1000);
        assert_eq!(list("$top=17&$skip=3").unwrap().skip, 3);
        assert!(list("$top=-1").is_err());
        assert!(list("$top=ten").is_err());
        assert!(list("$skip=-5").is_err());
        assert!(list("$select=Name").is_err());
    }

    #[test]
    fn orderby_and_filter() {
        assert_eq!(list("$orderby=Name").unwrap().order, OrderBy::Name);
        let q = list("$orderby=OrganizationNumber%20desc").unwrap();
        assert!(q.descending && q.order == OrderBy::Number);
        assert!(list("$orderby=Type").is_err());
        assert!(list("$orderby=Name sideways").is_err());
        assert_eq!(
            list("$filter=Type eq 'ENK'")
                .unwrap()
                .type_filter
                .as_deref(),
            Some("ENK")
        );
        assert_eq!(
            list("$filter=Type%20eq%20%27O''B%27")
                .unwrap()
                .type_filter
                .as_deref(),
            Some("O'B")
        );
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
}
