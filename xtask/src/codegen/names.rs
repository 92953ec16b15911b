//! Turning JSON names into Rust names.

/// `PersonalContactId` -> `personal_contact_id`, `_links` -> `links`, `EMailAddress` ->
/// `e_mail_address` (an acronym-like run ends where a lowercase letter starts a new word).
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.trim_start_matches('_').chars().collect();
    let mut out = String::with_capacity(chars.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("field_{out}")
    } else {
        out
    }
}

/// `_embedded` -> `Embedded`, `officialcontacts` -> `Officialcontacts`, `e-mail` -> `EMail`.
pub(crate) fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = true;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if upper_next {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    out
}

/// A field name usable in Rust: keywords get the raw prefix (`type` -> `r#type`).
pub(crate) fn rust_field_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type",
        "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
        "override", "priv", "typeof", "unsized", "virtual", "yield",
    ];
    // These cannot be raw identifiers.
    const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake() {
        for (json, rust) in [
            ("PersonalContactId", "personal_contact_id"),
            ("_links", "links"),
            ("_embedded", "embedded"),
            ("officialcontacts", "officialcontacts"),
            ("EMailAddress", "e_mail_address"),
            ("RoleDefinitionId", "role_definition_id"),
            ("HTTPStatus", "http_status"),
            ("Line2Text", "line2_text"),
            ("PreferredLanguage", "preferred_language"),
            ("some-field", "some_field"),
            ("123", "field_123"),
        ] {
            assert_eq!(snake_case(json), rust, "{json}");
        }
    }

    #[test]
    fn pascal() {
        assert_eq!(pascal_case("_embedded"), "Embedded");
        assert_eq!(pascal_case("officialcontacts"), "Officialcontacts");
        assert_eq!(pascal_case("e-mail"), "EMail");
        assert_eq!(pascal_case("BusinessAddress"), "BusinessAddress");
    }

    #[test]
    fn keywords() {
        assert_eq!(rust_field_name("type"), "r#type");
        assert_eq!(rust_field_name("self"), "self_");
        assert_eq!(rust_field_name("name"), "name");
    }
}
