//! Typed values inside Altinn's resources: lenient on what the server sends.
//!
//! - [`ReportedOrganizationNumber`]: an organization number as Altinn reported it, kept even when
//!   malformed (test data holds values like `"00210    "`).
//! - [`NationalIdentityNumber`]: a fødselsnummer; personal data, so its `Debug` and `Display` never
//!   show the digits.
//! - [`OrganizationType`] and [`RoleType`]: open codes, known constants plus any other string.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// An organization number as a response carried it: never rejected, checked on demand.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportedOrganizationNumber(String);

impl ReportedOrganizationNumber {
    /// Wraps what the server sent, as is.
    pub fn new(raw: impl Into<String>) -> Self {
        ReportedOrganizationNumber(raw.into())
    }

    /// The value exactly as sent, padding included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the value is nine digits with a correct mod-11 check digit.
    pub fn is_valid(&self) -> bool {
        is_valid_organization_number(&self.0)
    }
}

impl fmt::Debug for ReportedOrganizationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ReportedOrganizationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `s` is nine ASCII digits whose last is the mod-11 check digit of the first eight
/// (weights 3, 2, 7, 6, 5, 4, 3, 2; a computed 10 means no valid number has these eight digits).
pub fn is_valid_organization_number(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = bytes[..8]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    u32::from(bytes[8] - b'0') == check
}

/// A national identity number (fødselsnummer or D-number).
///
/// Personal data under GDPR: `Debug` and `Display` print a mask, never a digit. Call
/// [`NationalIdentityNumber::reveal`] where the digits are truly needed. Serializing writes the
/// digits, since a serialized model is the data itself.
///
/// ```
/// # use altinn_contacts_model::NationalIdentityNumber;
/// let ssn = NationalIdentityNumber::new("06117701547");
/// assert_eq!(format!("{ssn:?}"), "NationalIdentityNumber(***********)");
/// assert_eq!(ssn.to_string(), "***********");
/// assert_eq!(ssn.reveal(), "06117701547");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NationalIdentityNumber(String);

impl NationalIdentityNumber {
    /// Wraps an identity number.
    pub fn new(raw: impl Into<String>) -> Self {
        NationalIdentityNumber(raw.into())
    }

    /// The digits. Keep them out of logs and error messages.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// A fixed-width mask, the same for every number, so not even the length leaks.
    pub fn masked(&self) -> &'static str {
        "***********"
    }
}

impl fmt::Debug for NationalIdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalIdentityNumber({})", self.masked())
    }
}

impl fmt::Display for NationalIdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.masked())
    }
}

macro_rules! open_code {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$cmeta:meta])* $konst:ident = $text:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(Cow<'static, str>);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name(Cow::Borrowed($text)); )*

            /// Every code this version of the crate has a constant for.
            pub const KNOWN: &'static [$name] = &[$( $name::$konst ),*];

            /// Any code, known or not.
            pub fn new(code: impl Into<String>) -> Self {
                let code = code.into();
                match Self::KNOWN.iter().find(|k| k.0 == code.as_str()) {
                    Some(known) => known.clone(),
                    None => $name(Cow::Owned(code)),
                }
            }

            /// The code as Altinn writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// True when this crate has a constant for the code.
            pub fn is_known(&self) -> bool {
                Self::KNOWN.iter().any(|k| k.0 == self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name(Cow::Borrowed(""))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name::new)
            }
        }

        impl From<&str> for $name {
            fn from(code: &str) -> Self {
                $name::new(code)
            }
        }
    };
}

open_code! {
    /// The organisation form code from Enhetsregisteret (`Type`): an open set, so any string is
    /// kept; the constants name the common ones.
    OrganizationType {
        /// Aksjeselskap.
        AS = "AS",
        /// Allmennaksjeselskap.
        ASA = "ASA",
        /// Enkeltpersonforetak.
        ENK = "ENK",
        /// Norskregistrert utenlandsk foretak.
        NUF = "NUF",
        /// Bedrift (underenhet).
        BEDR = "BEDR",
        /// Interkommunalt selskap.
        IS = "IS",
        /// Kommandittselskap.
        KS = "KS",
        /// Kontorfellesskap (terminal).
        KTRF = "KTRF",
        /// Administrativ enhet, offentlig sektor (underenhet).
        AAFY = "AAFY",
        /// Ansvarlig selskap med solidarisk ansvar.
        ANS = "ANS",
        /// Selskap med delt ansvar.
        DA = "DA",
        /// Forening, lag eller innretning.
        FLI = "FLI",
        /// Stiftelse.
        STI = "STI",
        /// Samvirkeforetak.
        SA = "SA",
        /// Kommune.
        KOMM = "KOMM",
        /// Fylkeskommune.
        FYLK = "FYLK",
        /// Organisasjonsledd i staten.
        ORGL = "ORGL",
        /// Statsforetak.
        SF = "SF",
        /// Kommunalt foretak.
        KF = "KF",
    }
}

open_code! {
    /// Where a role comes from (`RoleType`).
    RoleType {
        /// A role defined in Altinn.
        ALTINN = "Altinn",
        /// A role from Enhetsregisteret, such as DAGL (daglig leder).
        EXTERNAL = "External",
        /// A local role the organization made itself (`RoleDefinitionId` 0).
        LOCAL = "Local",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod11_check_digit() {
        for ok in ["910021451", "910514318", "810748532", "974760673"] {
            assert!(is_valid_organization_number(ok), "{ok}");
        }
        for bad in [
            "910021452",
            "91002145",
            "9100214511",
            "91002145a",
            "",
            "00210    ",
        ] {
            assert!(!is_valid_organization_number(bad), "{bad}");
        }
    }

    #[test]
    fn open_codes_keep_unknown_values() {
        let known: OrganizationType = serde_json::from_str(r#""ENK""#).unwrap();
        assert_eq!(known, OrganizationType::ENK);
        assert!(known.is_known());
        let other: OrganizationType = serde_json::from_str(r#""XYZ""#).unwrap();
        assert_eq!(other.as_str(), "XYZ");
        assert!(!other.is_known());
        assert_eq!(serde_json::to_string(&other).unwrap(), r#""XYZ""#);
    }

    #[test]
    fn identity_number_never_shown() {
        let ssn = NationalIdentityNumber::new("06117701547");
        assert!(!format!("{ssn:?} {ssn} {ssn:#?}").contains("0611"));
        assert_eq!(serde_json::to_string(&ssn).unwrap(), r#""06117701547""#);
    }
}
