//! Phone normalisation on any input: never a panic, stable when applied again, and Norwegian
//! numbers in every prefix form end as the same `+47` number.

use altinn_contacts_altinn3::map::normalize_phone;
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_text_is_safe_and_stable(raw in ".{0,40}") {
        let once = normalize_phone(&raw);
        prop_assert_eq!(normalize_phone(&once), once);
    }

    #[test]
    fn every_prefix_form_of_a_norwegian_number_is_the_same(national in "[2-9][0-9]{7}") {
        let want = format!("+47{national}");
        for form in [
            national.clone(),
            format!("47{national}"),
            format!("+47{national}"),
            format!("0047{national}"),
            format!("+47 {} {} {}", &national[..3], &national[3..5], &national[5..]),
        ] {
            prop_assert_eq!(normalize_phone(&form), want.clone(), "{}", form);
        }
    }
}
