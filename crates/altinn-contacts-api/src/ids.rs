//! Validated identifiers: what users type, checked before anything is sent.
//!
//! Each type parses from a string ([`std::str::FromStr`]) and fails with an [`InvalidInput`] that
//! says what is wrong. Once parsed, a value is safe to place in a URL path or query (the transport
//! still percent-encodes it). The server's own values are read leniently by the model crate
//! (`ReportedOrganizationNumber`); these types are for input.

use std::fmt;
use std::str::FromStr;

use altinn_contacts_model::{ReportedOrganizationNumber, is_valid_organization_number};

use crate::error::{InvalidInput, redact_identity_numbers};

fn invalid(what: &'static str, given: &str, reason: impl Into<String>) -> InvalidInput {
    InvalidInput::new(what, given, reason)
}

fn ascii_alnum(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn ascii_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The value as typed (after trimming surrounding white space).
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidInput;
            fn try_from(s: &str) -> Result<Self, InvalidInput> {
                s.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(s: String) -> Result<Self, InvalidInput> {
                s.parse()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id! {
    /// A Norwegian organization number: nine digits, the last a mod-11 check digit.
    ///
    /// ```
    /// # use altinn_contacts_api::OrganizationNumber;
    /// assert!("910021451".parse::<OrganizationNumber>().is_ok());
    /// let err = "910021452".parse::<OrganizationNumber>().unwrap_err();
    /// assert!(err.to_string().contains("check digit"), "{err}");
    /// ```
    ///
    /// Parsing is the only way to make one, so an unchecked number can never reach a call:
    ///
    /// ```compile_fail,E0423
    /// let org = altinn_contacts_api::OrganizationNumber(String::from("910021452"));
    /// ```
    OrganizationNumber
}

impl FromStr for OrganizationNumber {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        const WHAT: &str = "organization number";
        let t = s.trim();
        if t.is_empty() {
            return Err(invalid(WHAT, s, "it is empty"));
        }
        if !ascii_digits(t) {
            return Err(invalid(WHAT, s, "it must be nine digits and nothing else"));
        }
        if t.len() != 9 {
            return Err(invalid(
                WHAT,
                s,
                format!("it must be nine digits, not {}", t.len()),
            ));
        }
        if !is_valid_organization_number(t) {
            return Err(invalid(WHAT, s, "the check digit (mod 11) does not match"));
        }
        Ok(OrganizationNumber(t.to_owned()))
    }
}

impl TryFrom<&ReportedOrganizationNumber> for OrganizationNumber {
    type Error = InvalidInput;
    fn try_from(reported: &ReportedOrganizationNumber) -> Result<Self, InvalidInput> {
        reported.as_str().parse()
    }
}

/// Whose roles [`ContactsApi::roles`](crate::ContactsApi::roles) asks for: a person, as one of
/// the three keys the backends know.
///
/// - `r` and digits (`r50022994`): a personal contact's `PersonalContactId` in Altinn 2.
/// - `u` and digits (`u20001`): an Altinn 3 user id, which the Altinn 3 backend gives as the
///   `PersonalContactId` of the personal contacts it finds (Altinn 3 has no `r` ids).
/// - eleven digits with valid check digits: a national identity number (fødselsnummer or
///   D-number), which Altinn 3 Access Management is keyed by. Altinn 2 had no call keyed by it.
///
/// A national identity number is never shown: `Display` and `Debug` print `***********`, and
/// an invalid one is not echoed in the parse error either.
///
/// ```
/// # use altinn_contacts_api::{PersonId, PersonIdKind};
/// let id: PersonId = "r50022994".parse().unwrap();
/// assert_eq!(id.kind(), PersonIdKind::PersonalContact);
/// let nin: PersonId = "01017012343".parse().unwrap();
/// assert_eq!(nin.kind(), PersonIdKind::NationalIdentityNumber);
/// assert_eq!(nin.to_string(), "***********");
/// assert!(!format!("{nin:?}").contains("01017012343"));
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonId(String);

/// Which key a [`PersonId`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PersonIdKind {
    /// `r` and digits: an Altinn 2 personal-contact id.
    PersonalContact,
    /// `u` and digits: an Altinn 3 user id.
    AltinnUser,
    /// Eleven digits: a national identity number.
    NationalIdentityNumber,
}

impl PersonId {
    /// The id as typed (after trimming). For a national identity number this is the number
    /// itself: pass it only to the backend, never to a log.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Which key this is.
    pub fn kind(&self) -> PersonIdKind {
        match self.0.as_bytes().first() {
            Some(b'r') => PersonIdKind::PersonalContact,
            Some(b'u') => PersonIdKind::AltinnUser,
            _ => PersonIdKind::NationalIdentityNumber,
        }
    }

    /// The digits after the `r` or `u` prefix; `None` for a national identity number.
    pub fn number(&self) -> Option<&str> {
        match self.kind() {
            PersonIdKind::NationalIdentityNumber => None,
            _ => Some(&self.0[1..]),
        }
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            PersonIdKind::NationalIdentityNumber => f.write_str("***********"),
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonId(\"{self}\")")
    }
}

impl TryFrom<&str> for PersonId {
    type Error = InvalidInput;
    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        s.parse()
    }
}

impl TryFrom<String> for PersonId {
    type Error = InvalidInput;
    fn try_from(s: String) -> Result<Self, InvalidInput> {
        s.parse()
    }
}

/// True when `s` is eleven digits whose last two are the mod-11 check digits of a Norwegian
/// national identity number (the date part is not checked: D- and H-numbers shift it).
pub fn is_valid_national_identity_number(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 11 || !ascii_digits(s) {
        return false;
    }
    let d: Vec<u32> = b.iter().map(|c| u32::from(c - b'0')).collect();
    let check = |weights: &[u32]| -> Option<u32> {
        let sum: u32 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            k => Some(k),
        }
    };
    check(&[3, 7, 6, 1, 8, 9, 4, 5, 2]) == Some(d[9])
        && check(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == Some(d[10])
}

impl FromStr for PersonId {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        const WHAT: &str = "person id";
        const SHAPE: &str = "it must be 'r' or 'u' followed by 1 to 18 digits (r50022994, u20001), \
                             or an 11-digit national identity number";
        let t = s.trim();
        if ascii_digits(t) && !t.is_empty() {
            if t.len() == 11 {
                if !is_valid_national_identity_number(t) {
                    // The input may be a real number with a typo: never echo it.
                    return Err(invalid(
                        WHAT,
                        "***********",
                        "the national identity number's check digits do not match",
                    ));
                }
                return Ok(PersonId(t.to_owned()));
            }
            return Err(invalid(WHAT, s, SHAPE));
        }
        let digits = t
            .strip_prefix('r')
            .or_else(|| t.strip_prefix('u'))
            .ok_or_else(|| invalid(WHAT, s, SHAPE))?;
        if digits.is_empty() || digits.len() > 18 || !ascii_digits(digits) {
            return Err(invalid(WHAT, s, SHAPE));
        }
        Ok(PersonId(t.to_owned()))
    }
}

string_id! {
    /// A role definition code (`roleDefinitionCode`), letters and digits: `DAGL`, `UTINN`, `A0236`.
    RoleCode
}

impl FromStr for RoleCode {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let t = s.trim();
        if t.is_empty() || t.len() > 32 || !ascii_alnum(t) {
            return Err(invalid(
                "role code",
                s,
                "it must be 1 to 32 letters or digits, like DAGL or A0236",
            ));
        }
        Ok(RoleCode(t.to_owned()))
    }
}

string_id! {
    /// A service code (`serviceCode`): digits, like `4503`.
    ServiceCode
}

impl FromStr for ServiceCode {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let t = s.trim();
        if t.is_empty() || t.len() > 18 || !ascii_digits(t) {
            return Err(invalid("service code", s, "it must be 1 to 18 digits"));
        }
        Ok(ServiceCode(t.to_owned()))
    }
}

string_id! {
    /// A service edition code (`serviceEdition`): digits, like `2`.
    ServiceEdition
}

impl FromStr for ServiceEdition {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let t = s.trim();
        if t.is_empty() || t.len() > 18 || !ascii_digits(t) {
            return Err(invalid("service edition", s, "it must be 1 to 18 digits"));
        }
        Ok(ServiceEdition(t.to_owned()))
    }
}

string_id! {
    /// An organisation form code to filter on (`$filter=Type eq 'ENK'`): 1 to 10 letters or
    /// digits, which keeps quotes, spaces and OData operators out of the filter.
    TypeCode
}

impl FromStr for TypeCode {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let t = s.trim();
        if t.is_empty() || t.len() > 10 || !ascii_alnum(t) {
            return Err(invalid(
                "organization type",
                s,
                "it must be 1 to 10 letters or digits, like AS or ENK",
            ));
        }
        Ok(TypeCode(t.to_ascii_uppercase()))
    }
}

/// Shared check for free-text search values: non-empty, bounded, no control characters.
fn search_text(what: &'static str, s: &str, max: usize) -> Result<String, InvalidInput> {
    let t = s.trim();
    if t.is_empty() {
        return Err(invalid(what, s, "it is empty"));
    }
    if t.chars().count() > max {
        return Err(invalid(
            what,
            s,
            format!("it is longer than {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(invalid(what, s, "it contains a control character"));
    }
    Ok(t.to_owned())
}

string_id! {
    /// An e-mail address to search for: non-empty, at most 254 characters, no control characters.
    Email
}

impl FromStr for Email {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        search_text("e-mail address", s, 254).map(Email)
    }
}

string_id! {
    /// A phone number to search for: non-empty, at most 32 characters, no control characters.
    /// A leading `+` is kept (and sent percent-encoded as `%2B`).
    PhoneNumber
}

impl FromStr for PhoneNumber {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let text = search_text("phone number", s, 32)?;
        if !text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
        {
            return Err(invalid(
                "phone number",
                s,
                "it may hold only digits, spaces and + - ( ) .",
            ));
        }
        Ok(PhoneNumber(text))
    }
}

/// Keeps identity numbers out of an echo of user input.
pub(crate) fn echo(given: &str) -> String {
    // Mask before shortening: a cut through an identity number would leave a run too short to
    // be recognised, yet long enough to identify someone.
    let masked = redact_identity_numbers(given);
    let mut shown: String = masked.chars().take(64).collect();
    if masked.chars().count() > 64 {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_numbers() {
        assert_eq!(
            " 910021451 "
                .parse::<OrganizationNumber>()
                .unwrap()
                .as_str(),
            "910021451"
        );
        for bad in [
            "",
            "91002145",
            "9100214511",
            "91002145X",
            "910021452",
            "910 021 451",
        ] {
            assert!(bad.parse::<OrganizationNumber>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn person_ids() {
        assert!("r50022994".parse::<PersonId>().is_ok());
        assert_eq!(
            "u20001".parse::<PersonId>().unwrap().kind(),
            PersonIdKind::AltinnUser
        );
        assert_eq!(
            "u20001".parse::<PersonId>().unwrap().number(),
            Some("20001")
        );
        for bad in [
            "",
            "r",
            "u",
            "50022994",
            "R50022994",
            "r5002x",
            "r1/../2",
            "r 1",
            "x12",
        ] {
            assert!(bad.parse::<PersonId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn national_identity_numbers_are_person_ids_and_never_shown() {
        // A synthetic number with valid check digits (Skatteetaten's test range shape).
        let nin = "01017012343";
        assert!(
            is_valid_national_identity_number(nin),
            "test number must be valid"
        );
        let id: PersonId = nin.parse().unwrap();
        assert_eq!(id.kind(), PersonIdKind::NationalIdentityNumber);
        assert_eq!(id.as_str(), nin);
        assert_eq!(id.number(), None);
        let shown = format!("{id} {id:?}");
        assert!(!shown.contains(nin), "{shown}");
        // A typo is refused without echoing the digits.
        let err = "01017012346".parse::<PersonId>().unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("0101701234"), "{text}");
    }

    #[test]
    fn type_code_blocks_odata_injection() {
        assert_eq!("enk".parse::<TypeCode>().unwrap().as_str(), "ENK");
        for bad in ["AS' or 1 eq 1", "A S", "AS'", "", "ASASASASASAS", "A%27"] {
            assert!(bad.parse::<TypeCode>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn search_values() {
        assert!("+47 987 65 432".parse::<PhoneNumber>().is_ok());
        assert!("post@firma.no".parse::<Email>().is_ok());
        assert!("a\nb@c".parse::<Email>().is_err());
        assert!("".parse::<Email>().is_err());
        assert!("12345678a".parse::<PhoneNumber>().is_err());
        assert!("1\u{7}2".parse::<PhoneNumber>().is_err());
    }

    #[test]
    fn identity_numbers_are_not_echoed() {
        let err = "06117701547".parse::<OrganizationNumber>().unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("06117701547"), "{text}");
        assert!(text.contains("organization number"), "{text}");
    }
}
