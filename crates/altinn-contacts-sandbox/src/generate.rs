//! Generated organizations, deterministic from a seed.
//!
//! Only the organization numbers are drawn up front (they decide the sort order and must be
//! unique); everything else about organization `i` is drawn from its own random stream, seeded by
//! `(seed, i)`, when a request needs it. So 100,000 organizations start in milliseconds, and the
//! same seed always serves the same data.

use std::collections::HashSet;

use altinn_contacts_model::{
    OfficialContact, Organization, OrganizationType, ReportedOrganizationNumber, Timestamp,
};
use fastrand::Rng;

use crate::records::{OrganizationRecord, PersonRecord, sentinel};

/// Organisation form codes with weights, `None` for Altinn's occasional `Type: null`.
const TYPES: &[(Option<&str>, u32)] = &[
    (Some("AS"), 40),
    (Some("ENK"), 20),
    (Some("BEDR"), 12),
    (Some("FLI"), 5),
    (Some("NUF"), 4),
    (Some("ANS"), 3),
    (Some("ASA"), 2),
    (Some("DA"), 2),
    (Some("STI"), 2),
    (Some("SA"), 2),
    (Some("AAFY"), 2),
    (Some("IS"), 1),
    (Some("KS"), 1),
    (Some("KOMM"), 1),
    (Some("ORGL"), 1),
    (None, 2),
];

const PLACES: &[&str] = &[
    "ÅLESUND",
    "BØ",
    "RØROS",
    "TØNSBERG",
    "FÆRDER",
    "SKJÅK",
    "LØTEN",
    "HÅ",
    "VÅGÅ",
    "ØRSTA",
    "ÅSNES",
    "BÆRUM",
    "LÆRDAL",
    "TRÆNA",
    "GJØVIK",
    "KRØDSHERAD",
    "SANDNES",
    "HAMAR",
    "BODØ",
    "VERDAL",
    "FLÅ",
    "NES",
    "ÅMOT",
    "SØRREISA",
    "HØYANGER",
    "STRYN",
    "MÅLSELV",
    "TYSNES",
];

const STEMS: &[&str] = &[
    "FJELL", "STRAND", "BJØRK", "SOL", "HAV", "FJORD", "LYNG", "BLÅBÆR", "MÅKE", "ØRN", "ELG",
    "SKOG", "BRU", "KVERN", "MØLLE", "SJØ", "NORD", "SØR", "ØST", "VEST", "GRØNN", "STEIN", "TRÆ",
    "HØY", "LUND", "ÆRFUGL", "KRÅKE", "LØVE", "FURU", "BRE",
];

const ENDINGS: &[&str] = &[
    "", "", "HEIM", "LI", "VIK", "BAKKEN", "DAL", "NES", "ÅS", "HAUG", "BØ", "GÅRD",
];

const TRADES: &[&str] = &[
    "BYGG",
    "RØRLEGGER",
    "REGNSKAP",
    "EIENDOM",
    "TRANSPORT",
    "HÅNDVERK",
    "KONSULENT",
    "FISKERI",
    "BAKERI",
    "DATA",
    "ELEKTRO",
    "MASKIN",
    "HELSE",
    "SJØMAT",
    "TØMMER",
    "MALERI",
    "RENHOLD",
    "FRISØR",
    "GÅRDSDRIFT",
    "BILVERKSTED",
    "TANNHELSE",
    "ARKITEKTER",
    "ADVOKATFIRMA",
    "BLIKKENSLAGER",
    "SNEKKERI",
    "ØKONOMI",
    "SKOGSDRIFT",
    "ANLEGG",
    "VARMEPUMPER",
    "SYKKEL",
];

const FIRST_NAMES: &[&str] = &[
    "OLA",
    "KARI",
    "BJØRN",
    "SØLVI",
    "ÅSE",
    "TORBJØRN",
    "KJÆRSTI",
    "PÅL",
    "INGRID",
    "HÅKON",
    "MARTE",
    "ØYVIND",
    "GRO",
    "SIGRUN",
    "ÆSA",
    "JØRGEN",
    "MAREN",
    "ANDERS",
    "NILS",
    "LIV",
    "BØRGE",
    "SNORRE",
    "TRYGVE",
    "ÅSMUND",
    "HÆGE",
    "SVERRE",
];

const LAST_NAMES: &[&str] = &[
    "HANSEN",
    "JOHANSEN",
    "ØSTBØ",
    "SÆTHER",
    "LØKEN",
    "HÅLAND",
    "BRÅTEN",
    "STRØM",
    "KVÅLE",
    "BJØRNSTAD",
    "ÅSLAND",
    "NÆSS",
    "DAHL",
    "GRØNLI",
    "BERG",
    "SØRENSEN",
    "LARSEN",
    "HØYLAND",
    "MØRK",
    "FÆRØY",
    "VÅGE",
    "ØDEGÅRD",
];

const CLUBS: &[&str] = &[
    "IDRETTSLAG",
    "VELFORENING",
    "SKOLEKORPS",
    "HISTORIELAG",
    "SKYTTERLAG",
    "MUSIKKLAG",
];
const INSTITUTIONS: &[&str] = &["SKOLE", "SYKEHJEM", "BARNEHAGE", "BIBLIOTEK", "LEGEKONTOR"];
const MAILBOXES: &[&str] = &[
    "post",
    "firmapost",
    "kontakt",
    "faktura",
    "regnskap",
    "salg",
];

/// The role codes generated persons draw from; Local roles are added separately.
const ROLE_CODES: &[&str] = &[
    "ALLEA", "UTINN", "REGNA", "LOPER", "A0236", "SISKD", "ADMAI", "SIGNE", "PASIG", "A0212",
    "ATTST", "KLADM", "UTOMR", "UIHTL", "KOMAB", "PAVAD", "UILUF", "HVASK", "LEDE", "MEDL", "REGN",
    "REVI",
];

/// The organisation forms of sub-units (underenheter): a generated organization of one of these
/// forms is a sub-unit of another generated organization (see `Dataset::main_unit`).
pub(crate) const SUB_UNIT_FORMS: &[&str] = &["BEDR", "AAFY"];

/// The random stream that decides whether a generated sub-unit has addresses of its own.
const STREAM_SUB_UNIT: u64 = 0xF0;
/// The random stream that picks a generated sub-unit's main unit.
const STREAM_MAIN_UNIT: u64 = 0xF1;

/// True for the organisation form code of a sub-unit.
pub(crate) fn is_sub_unit_form(code: &str) -> bool {
    SUB_UNIT_FORMS.contains(&code)
}

/// The most generated organizations a sandbox holds (the number space has room for ~18 million;
/// far below that, drawing unique numbers stays fast).
pub(crate) const MAX_GENERATED: usize = 5_000_000;

/// First personal-contact id of generated persons, above the sample ids (r500xxxxx).
const PERSON_ID_BASE: u64 = 60_000_000;
/// Generated persons per organization at most, for unique person ids.
const MAX_PERSONS: u64 = 5;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The mod-11 check digit of an eight-digit base, `None` when it computes to 10.
pub(crate) fn check_digit(base: u32) -> Option<u32> {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let mut digits = [0u32; 8];
    let mut rest = base;
    for d in digits.iter_mut().rev() {
        *d = rest % 10;
        rest /= 10;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

/// Lower-case ASCII for e-mail addresses: æ→ae, ø→o, å→aa, anything else non-alphanumeric→`-`.
fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push_str("aa"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-');
                }
            }
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The draws of a date-time between 2010 and 2024 with 0 to 3 fraction digits. Drawing and
/// building are apart so a caller that does not need the value keeps the stream in step
/// without paying for it.
struct StampDraw([u32; 6], u32, u32);

fn draw_stamp(rng: &mut Rng) -> StampDraw {
    let parts = [
        rng.u32(2010..2025),
        rng.u32(1..13),
        rng.u32(1..29),
        rng.u32(0..24),
        rng.u32(0..60),
        rng.u32(0..60),
    ];
    let digits = rng.u32(0..4);
    let fraction = match digits {
        0 => 0,
        1 => rng.u32(1..10),
        2 => rng.u32(1..100),
        _ => rng.u32(1..1000),
    };
    StampDraw(parts, digits, fraction)
}

impl StampDraw {
    fn build(&self) -> Option<Timestamp> {
        let [y, mo, d, h, mi, s] = self.0;
        let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        match self.1 {
            0 => {}
            1 => text.push_str(&format!(".{}", self.2)),
            2 => text.push_str(&format!(".{:02}", self.2)),
            _ => text.push_str(&format!(".{:03}", self.2)),
        }
        text.parse().ok()
    }
}

fn random_timestamp(rng: &mut Rng) -> Option<Timestamp> {
    draw_stamp(rng).build()
}

fn mobile_number(rng: &mut Rng) -> String {
    let number = format!(
        "{}{:07}",
        if rng.bool() { 4 } else { 9 },
        rng.u32(0..10_000_000)
    );
    if rng.u32(0..5) == 0 {
        format!("+47{number}")
    } else {
        number
    }
}

/// A synthetic national identity number: month + 80, the convention for test persons, so no
/// generated number can be a real person's. `None` (same draws) when not wanted.
fn synthetic_ssn(rng: &mut Rng, wanted: bool) -> Option<String> {
    let (day, month, year, rest) = (
        rng.u32(1..29),
        rng.u32(81..93),
        rng.u32(0..100),
        rng.u32(0..100_000),
    );
    wanted.then(|| format!("{day:02}{month:02}{year:02}{rest:05}"))
}

/// How much of a generated organization to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything the API serves.
    Full,
    /// Only what the contact-point search looks at: names, numbers and e-mail addresses; no
    /// roles, dates or identity numbers.
    ContactPoints,
}

/// Draws data for generated organizations.
#[derive(Clone, Debug)]
pub(crate) struct Generator {
    seed: u64,
}

impl Generator {
    pub(crate) fn new(seed: u64) -> Self {
        Generator { seed }
    }

    fn stream(&self, index: u32, stream: u64) -> Rng {
        Rng::with_seed(splitmix(
            self.seed ^ splitmix((u64::from(index) << 8) | stream),
        ))
    }

    /// A number that picks the main unit of sub-unit `index` (stable for a seed).
    pub(crate) fn main_unit_draw(&self, index: u32) -> u64 {
        self.stream(index, STREAM_MAIN_UNIT).u64(..)
    }

    /// `count` distinct valid organization numbers (starting with 8 or 9, as real ones do), none
    /// of them in `taken`, in generation order: entry `i` is organization `i`'s number.
    pub(crate) fn numbers(&self, count: usize, taken: &HashSet<u32>) -> Vec<u32> {
        let mut rng = Rng::with_seed(splitmix(self.seed));
        let mut seen: HashSet<u32> = HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let base = rng.u32(80_000_000..100_000_000);
            let Some(check) = check_digit(base) else {
                continue;
            };
            let number = base * 10 + check;
            if !taken.contains(&number) && seen.insert(number) {
                out.push(number);
            }
        }
        out
    }

    /// The `Type` of organization `index` (the first draw of its head stream).
    pub(crate) fn organization_type(&self, index: u32) -> Option<OrganizationType> {
        let mut rng = self.stream(index, 0);
        draw_type(&mut rng).map(OrganizationType::new)
    }

    /// The `Name` of organization `index` (the draws after its type).
    pub(crate) fn name(&self, index: u32) -> String {
        let mut rng = self.stream(index, 0);
        let org_type = draw_type(&mut rng);
        draw_name(&mut rng, org_type)
    }

    /// Organization `index` without contacts.
    pub(crate) fn organization(&self, index: u32, number: u32) -> Organization {
        self.head(index, number, Detail::Full)
    }

    fn head(&self, index: u32, number: u32, detail: Detail) -> Organization {
        let mut rng = self.stream(index, 0);
        let org_type = draw_type(&mut rng);
        let mut org = Organization::default();
        org.name = Some(draw_name(&mut rng, org_type));
        org.organization_number = Some(ReportedOrganizationNumber::new(format!("{number:09}")));
        org.organization_type = org_type.map(OrganizationType::new);
        if detail == Detail::Full {
            org.last_changed = if rng.u32(0..10) == 0 {
                None
            } else {
                random_timestamp(&mut rng)
            };
            org.last_confirmed = if rng.u32(0..5) < 2 {
                None
            } else {
                random_timestamp(&mut rng)
            };
        }
        org
    }

    /// Organization `index` with its official and personal contacts, as much as `detail` asks.
    ///
    /// Stream 1 draws the contact points, stream `2 + k` the roles of person `k`, so the
    /// contact points come out the same whether roles are built or not.
    pub(crate) fn record(&self, index: u32, number: u32, detail: Detail) -> OrganizationRecord {
        let full = detail == Detail::Full;
        let organization = self.head(index, number, detail);
        let domain = {
            let slug = ascii_slug(organization.display_name().unwrap_or_default());
            let slug: String = slug.split('-').take(2).collect::<Vec<_>>().join("-");
            format!("{slug}.no")
        };
        let mut rng = self.stream(index, 1);
        let mut record = OrganizationRecord::from_organization(organization);
        let stamp = |rng: &mut Rng| {
            let draw = draw_stamp(rng);
            if full { draw.build() } else { None }
        };

        let official_count = match rng.u32(0..20) {
            0..2 => 0,
            2..10 => 1,
            10..17 => 2,
            _ => 3,
        };
        for _ in 0..official_count {
            let mut c = OfficialContact::default();
            let (phone, mail) = match rng.u32(0..20) {
                0..9 => (true, false),
                9..18 => (false, true),
                _ => (true, true),
            };
            if phone {
                c.mobile_number = Some(mobile_number(&mut rng));
                c.mobile_number_changed = stamp(&mut rng);
            } else {
                c.mobile_number = Some(String::new());
                c.mobile_number_changed = if full { sentinel() } else { None };
            }
            if mail {
                c.email_address = Some(format!("{}@{domain}", pick(&mut rng, MAILBOXES)));
                c.email_address_changed = stamp(&mut rng);
            } else {
                c.email_address = Some(String::new());
                c.email_address_changed = if full { sentinel() } else { None };
            }
            record.official_contacts.push(c);
        }

        // A third of the sub-units have no official contacts of their own, so the successors'
        // main-unit fallback has something to do (own stream: the other draws stay as they were).
        let sub_unit = record
            .organization
            .organization_type
            .as_ref()
            .is_some_and(|t| is_sub_unit_form(t.as_str()));
        if sub_unit && self.stream(index, STREAM_SUB_UNIT).u32(0..3) == 0 {
            record.official_contacts.clear();
        }

        let person_count = rng.u64(0..MAX_PERSONS);
        for k in 0..person_count {
            let first = pick(&mut rng, FIRST_NAMES);
            let last = pick(&mut rng, LAST_NAMES);
            let middle = (rng.u32(0..6) == 0).then(|| pick(&mut rng, FIRST_NAMES));
            let padded = rng.u32(0..20) == 0;
            let id = PERSON_ID_BASE + u64::from(index) * MAX_PERSONS + k;
            let mut person = PersonRecord::new(format!("r{id}"), String::new());
            if full {
                let mut name = format!("{last} {first}");
                if let Some(middle) = middle {
                    name.push(' ');
                    name.push_str(middle);
                }
                if padded {
                    name.push_str("   ");
                }
                person.contact.name = Some(name);
            }
            if let Some(ssn) = synthetic_ssn(&mut rng, full) {
                person = person.social_security_number(ssn);
            }
            let (phone, mail) = match rng.u32(0..10) {
                0 => (true, false),
                1 => (false, true),
                _ => (true, true),
            };
            let contact = &mut person.contact;
            if phone {
                contact.mobile_number = Some(mobile_number(&mut rng));
                contact.mobile_number_changed = stamp(&mut rng);
            } else {
                contact.mobile_number = Some(String::new());
                contact.mobile_number_changed = if full { sentinel() } else { None };
            }
            if mail {
                contact.email_address = Some(format!(
                    "{}.{}@{domain}",
                    ascii_slug(first),
                    ascii_slug(last)
                ));
                contact.email_address_changed = stamp(&mut rng);
            } else {
                contact.email_address = Some(String::new());
                contact.email_address_changed = if full { sentinel() } else { None };
            }
            if full {
                person = self.with_roles(person, index, k);
            }
            record.personal_contacts.push(person);
        }
        record
    }

    /// Gives person `k` of organization `index` its roles, from its own stream.
    fn with_roles(&self, mut person: PersonRecord, index: u32, k: u64) -> PersonRecord {
        let mut rng = self.stream(index, 2 + k);
        if k == 0 && rng.u32(0..3) != 0 {
            person = person.role_code("DAGL");
        }
        let role_count = rng.usize(1..6);
        let mut codes: Vec<&str> = Vec::with_capacity(role_count);
        while codes.len() < role_count {
            let code = pick(&mut rng, ROLE_CODES);
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        for code in codes {
            person = person.role_code(code);
        }
        if rng.u32(0..20) == 0 {
            person = person.role(local_role(&mut rng));
        }
        person
    }
}

fn draw_type(rng: &mut Rng) -> Option<&'static str> {
    let total: u32 = TYPES.iter().map(|(_, w)| w).sum();
    let mut roll = rng.u32(0..total);
    for (code, weight) in TYPES {
        if roll < *weight {
            return *code;
        }
        roll -= weight;
    }
    None
}

fn draw_name(rng: &mut Rng, org_type: Option<&str>) -> String {
    let stem = format!("{}{}", pick(rng, STEMS), pick(rng, ENDINGS));
    let trade = pick(rng, TRADES);
    let place = pick(rng, PLACES);
    let mut name = match org_type {
        Some("AS") | Some("ASA") | Some("KS") | Some("SA") => {
            if rng.u32(0..6) == 0 {
                format!(
                    "{stem} {trade} OG {} {}",
                    pick(rng, TRADES),
                    org_type.unwrap_or_default()
                )
            } else {
                format!("{stem} {trade} {}", org_type.unwrap_or_default())
            }
        }
        Some("ENK") => format!(
            "{} {} {trade}",
            pick(rng, FIRST_NAMES),
            pick(rng, LAST_NAMES)
        ),
        Some("BEDR") => {
            if rng.bool() {
                format!("{stem} {trade} AVD {place}")
            } else {
                format!("{stem} {trade}")
            }
        }
        Some("NUF") => format!("{stem} {trade} NORWAY NUF"),
        Some("ANS") | Some("DA") => format!(
            "{} & {} {trade} {}",
            pick(rng, LAST_NAMES),
            pick(rng, LAST_NAMES),
            org_type.unwrap_or_default()
        ),
        Some("FLI") => format!("{place} {}", pick(rng, CLUBS)),
        Some("STI") => format!("STIFTELSEN {stem} {trade}"),
        Some("AAFY") => format!("{stem} {}", pick(rng, INSTITUTIONS)),
        Some("IS") => format!("{place} OG {} {trade} IKS", pick(rng, PLACES)),
        Some("KOMM") => format!("{place} KOMMUNE"),
        Some("ORGL") => format!("STATENS {trade}TILSYN"),
        _ => format!("{stem} {trade}"),
    };
    if rng.u32(0..33) == 0 {
        name.push_str("    ");
    }
    name
}

fn local_role(rng: &mut Rng) -> altinn_contacts_model::Role {
    let mut role = altinn_contacts_model::Role::default();
    role.role_type = Some(altinn_contacts_model::RoleType::LOCAL);
    role.role_definition_id = Some(0);
    role.role_name = Some("Lokal rolle".to_owned());
    role.role_description = Some("Opprettet av virksomheten.\r\n".to_owned());
    role.role_id = Some(i64::from(rng.u32(1_000_000..9_999_999)));
    role.delegator = Some(format!(
        "{} {}",
        pick(rng, LAST_NAMES),
        pick(rng, FIRST_NAMES)
    ));
    role.delegated_time = random_timestamp(rng);
    role
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts_model::is_valid_organization_number;

    #[test]
    fn numbers_are_valid_unique_and_deterministic() {
        let g = Generator::new(42);
        let taken: HashSet<u32> = [910_514_318].into_iter().collect();
        let a = g.numbers(5000, &taken);
        assert_eq!(a, g.numbers(5000, &taken));
        assert_ne!(a, Generator::new(43).numbers(5000, &taken));
        let unique: HashSet<_> = a.iter().collect();
        assert_eq!(unique.len(), 5000);
        for n in &a {
            assert!(is_valid_organization_number(&format!("{n:09}")), "{n}");
            assert!(!taken.contains(n));
        }
    }

    #[test]
    fn check_digit_matches_the_model() {
        for base in [
            91_002_145, 81_074_853, 1_000_021, 31_052_482, 80_000_000, 99_999_999,
        ] {
            if let Some(c) = check_digit(base) {
                assert!(is_valid_organization_number(&format!(
                    "{:09}",
                    base * 10 + c
                )));
            }
        }
    }

    #[test]
    fn records_are_deterministic_and_lenient_shaped() {
        let g = Generator::new(7);
        let mut types = HashSet::new();
        let mut saw_phone_only = false;
        let mut saw_mail_only = false;
        let mut saw_letters = false;
        for i in 0..300 {
            let r = g.record(i, 910_000_000 + i, Detail::Full);
            assert_eq!(
                r.organization,
                g.record(i, 910_000_000 + i, Detail::Full).organization
            );
            assert_eq!(
                r.organization.organization_type,
                g.organization_type(i),
                "type drawn first so filters agree with pages"
            );
            types.insert(r.organization.organization_type.clone());
            let name = r.organization.name.as_deref().unwrap();
            assert_eq!(name, g.name(i));
            saw_letters |= name.contains(['Æ', 'Ø', 'Å']);
            for c in &r.official_contacts {
                saw_phone_only |= c.email_address.as_deref() == Some("") && c.mobile().is_some();
                saw_mail_only |= c.mobile_number.as_deref() == Some("") && c.email().is_some();
            }
            for p in &r.personal_contacts {
                assert!(!p.roles.is_empty());
                let ssn = p.contact.social_security_number.as_ref().unwrap();
                assert_eq!(ssn.reveal().len(), 11);
            }
        }
        assert!(types.len() > 8, "{types:?}");
        assert!(saw_phone_only && saw_mail_only && saw_letters);
    }

    #[test]
    fn contact_points_mode_draws_the_same_contact_points() {
        let g = Generator::new(12);
        for i in 0..200 {
            let full = g.record(i, 910_000_000 + i, Detail::Full);
            let lean = g.record(i, 910_000_000 + i, Detail::ContactPoints);
            let points = |r: &OrganizationRecord| {
                let official = r
                    .official_contacts
                    .iter()
                    .map(|c| (c.mobile_number.clone(), c.email_address.clone()));
                let personal = r.personal_contacts.iter().map(|p| {
                    (
                        p.contact.mobile_number.clone(),
                        p.contact.email_address.clone(),
                    )
                });
                official.chain(personal).collect::<Vec<_>>()
            };
            assert_eq!(points(&full), points(&lean));
            assert!(lean.personal_contacts.iter().all(|p| p.roles.is_empty()));
        }
    }

    #[test]
    fn slug_is_ascii() {
        assert_eq!(ascii_slug("BLÅBÆR ØKONOMI AS"), "blaabaer-okonomi-as");
    }
}
