//! Property tests of the validated identifiers: what passes is exactly what Altinn accepts, and no
//! input makes a parser panic or echo an identity number.

use altinn_contacts_api::{
    Email, OrganizationNumber, PersonId, PhoneNumber, RoleCode, ServiceCode, TypeCode,
};
use proptest::prelude::*;

/// The mod-11 check digit of eight digits, or `None` when it computes to 10.
fn check_digit(digits: &[u8; 8]) -> Option<u8> {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

proptest! {
    #[test]
    fn organization_number_accepts_exactly_the_right_check_digit(
        digits in proptest::array::uniform8(0u8..10),
        last in 0u8..10,
    ) {
        let text: String = digits.iter().chain(std::iter::once(&last)).map(|d| char::from(b'0' + d)).collect();
        let expected_ok = check_digit(&digits) == Some(last);
        prop_assert_eq!(text.parse::<OrganizationNumber>().is_ok(), expected_ok, "{}", text);
    }

    #[test]
    fn parsers_never_panic_and_never_echo_identity_numbers(
        s in "\\PC{0,80}",
        ssn in "[0-9]{11}",
        tail in "[^0-9]{0,80}",
    ) {
        // An identity number stands alone: delimited by non-digits.
        let input = format!("{s} {ssn}{tail}");
        for result in [
            input.parse::<OrganizationNumber>().map(|v| v.to_string()),
            input.parse::<PersonId>().map(|v| v.to_string()),
            input.parse::<RoleCode>().map(|v| v.to_string()),
            input.parse::<ServiceCode>().map(|v| v.to_string()),
            input.parse::<TypeCode>().map(|v| v.to_string()),
            input.parse::<PhoneNumber>().map(|v| v.to_string()),
            input.parse::<Email>().map(|v| v.to_string()),
        ] {
            if let Err(err) = result {
                let shown = format!("{err} {err:?}");
                prop_assert!(!shown.contains(&ssn), "{}", shown);
            }
        }
    }

    #[test]
    fn a_national_identity_number_as_person_id_is_never_shown(ssn in "[0-9]{11}", pad in " {0,2}") {
        let input = format!("{pad}{ssn}{pad}");
        let shown = match input.parse::<PersonId>() {
            Ok(id) => {
                prop_assert_eq!(id.as_str(), ssn.as_str());
                format!("{id} {id:?}")
            }
            Err(err) => format!("{err} {err:?}"),
        };
        prop_assert!(!shown.contains(&ssn), "{}", shown);
    }

    #[test]
    fn type_code_never_carries_odata_syntax(s in "\\PC{0,12}") {
        if let Ok(code) = s.parse::<TypeCode>() {
            prop_assert!(code.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }
}
