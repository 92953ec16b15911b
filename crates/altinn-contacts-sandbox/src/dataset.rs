//! The organizations a sandbox serves: fixed records plus generated ones, in one index sorted by
//! organization number.
//!
//! Generated organizations are drawn when asked for (see [`crate::generate`]); the orders and
//! indexes that need all of them (by name, by contact point) are built on first use.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use altinn_contacts_model::{Organization, is_valid_organization_number};

use crate::generate::{Detail, Generator};
use crate::records::OrganizationRecord;

#[derive(Clone, Copy, Debug)]
enum Source {
    /// Index into `Dataset::records`.
    Record(u32),
    /// A generated organization: its generator index and number.
    Generated { index: u32, number: u32 },
}

#[derive(Debug)]
struct Entry {
    number: Box<str>,
    source: Source,
}

/// Every organization, addressed by its position in organization-number order.
#[derive(Debug)]
pub(crate) struct Dataset {
    entries: Vec<Entry>,
    records: Vec<OrganizationRecord>,
    generator: Generator,
    /// Positions in name order (`Name`, then number).
    name_order: OnceLock<Vec<u32>>,
    /// Each position's rank in name order (the inverse of `name_order`).
    name_rank: OnceLock<Vec<u32>>,
    /// Sorted `(hash of contact point, position)` for the e-mail/phone search.
    contact_index: OnceLock<Vec<(u64, u32)>>,
}

/// Sorts names the way a Norwegian collation does: case-insensitive, Æ Ø Å after Z, trailing
/// padding ignored.
fn collation_key(name: &str) -> Vec<u32> {
    name.trim_end()
        .chars()
        .map(|c| match c {
            'æ' | 'Æ' => 'Z' as u32 + 1,
            'ø' | 'Ø' => 'Z' as u32 + 2,
            'å' | 'Å' => 'Z' as u32 + 3,
            c => c.to_uppercase().next().unwrap_or(c) as u32,
        })
        .collect()
}

/// The search key of a contact point: e-mail addresses compare case-insensitively, phone
/// numbers exactly.
fn contact_key(kind: u8, value: &str) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    if kind == b'e' {
        value.to_lowercase().hash(&mut h);
    } else {
        value.hash(&mut h);
    }
    h.finish()
}

impl Dataset {
    /// Later records replace earlier ones with the same organization number; generated numbers
    /// avoid every record's.
    pub(crate) fn build(records: Vec<OrganizationRecord>, generated: usize, seed: u64) -> Self {
        let mut by_number: HashMap<String, usize> = HashMap::new();
        let mut unique: Vec<OrganizationRecord> = Vec::with_capacity(records.len());
        for record in records {
            match by_number.get(record.organization_number()) {
                Some(&i) => unique[i] = record,
                None => {
                    by_number.insert(record.organization_number().to_owned(), unique.len());
                    unique.push(record);
                }
            }
        }
        let taken: HashSet<u32> = unique
            .iter()
            .map(OrganizationRecord::organization_number)
            .filter(|n| is_valid_organization_number(n))
            .filter_map(|n| n.parse().ok())
            .collect();
        let generator = Generator::new(seed);
        let numbers = generator.numbers(generated, &taken);

        let mut entries: Vec<Entry> = Vec::with_capacity(unique.len() + numbers.len());
        for (i, record) in unique.iter().enumerate() {
            entries.push(Entry {
                number: record.organization_number().into(),
                source: Source::Record(i as u32),
            });
        }
        for (index, &number) in numbers.iter().enumerate() {
            entries.push(Entry {
                number: format!("{number:09}").into_boxed_str(),
                source: Source::Generated {
                    index: index as u32,
                    number,
                },
            });
        }
        entries.sort_unstable_by(|a, b| a.number.cmp(&b.number));
        Dataset {
            entries,
            records: unique,
            generator,
            name_order: OnceLock::new(),
            name_rank: OnceLock::new(),
            contact_index: OnceLock::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The organization numbers, in order.
    pub(crate) fn numbers(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| &*e.number)
    }

    /// The position of the organization with this number.
    pub(crate) fn find(&self, number: &str) -> Option<u32> {
        self.entries
            .binary_search_by(|e| (*e.number).cmp(number))
            .ok()
            .map(|i| i as u32)
    }

    /// The organization at `pos`, without contacts.
    pub(crate) fn organization(&self, pos: u32) -> Cow<'_, Organization> {
        match self.entries[pos as usize].source {
            Source::Record(i) => Cow::Borrowed(&self.records[i as usize].organization),
            Source::Generated { index, number } => {
                Cow::Owned(self.generator.organization(index, number))
            }
        }
    }

    /// The organization at `pos` with its contacts.
    pub(crate) fn record(&self, pos: u32) -> Cow<'_, OrganizationRecord> {
        self.record_with(pos, Detail::Full)
    }

    fn record_with(&self, pos: u32, detail: Detail) -> Cow<'_, OrganizationRecord> {
        match self.entries[pos as usize].source {
            Source::Record(i) => Cow::Borrowed(&self.records[i as usize]),
            Source::Generated { index, number } => {
                Cow::Owned(self.generator.record(index, number, detail))
            }
        }
    }

    /// The `Name` of the organization at `pos`.
    fn name(&self, pos: u32) -> Cow<'_, str> {
        match self.entries[pos as usize].source {
            Source::Record(i) => Cow::Borrowed(
                self.records[i as usize]
                    .organization
                    .name
                    .as_deref()
                    .unwrap_or_default(),
            ),
            Source::Generated { index, .. } => Cow::Owned(self.generator.name(index)),
        }
    }

    /// True when the organization at `pos` has `Type` exactly `code`.
    pub(crate) fn has_type(&self, pos: u32, code: &str) -> bool {
        match self.entries[pos as usize].source {
            Source::Record(i) => self.records[i as usize]
                .organization
                .organization_type
                .as_ref()
                .is_some_and(|t| t.as_str() == code),
            Source::Generated { index, .. } => self
                .generator
                .organization_type(index)
                .is_some_and(|t| t.as_str() == code),
        }
    }

    /// The position of the main unit of the organization at `pos`, when it is a sub-unit: a
    /// record's [`OrganizationRecord::main_unit`] when that number is served; for a generated
    /// organization of a sub-unit form (BEDR, AAFY), a generated organization of another form
    /// picked from the seed.
    pub(crate) fn main_unit(&self, pos: u32) -> Option<u32> {
        match self.entries[pos as usize].source {
            Source::Record(i) => self.records[i as usize]
                .main_unit
                .as_deref()
                .and_then(|number| self.find(number))
                .filter(|&main| main != pos),
            Source::Generated { index, .. } => {
                let sub_unit = self
                    .generator
                    .organization_type(index)
                    .is_some_and(|t| crate::generate::is_sub_unit_form(t.as_str()));
                if !sub_unit {
                    return None;
                }
                let len = self.entries.len() as u64;
                let start = self.generator.main_unit_draw(index) % len;
                // The first generated organization of a main-unit form from the drawn
                // position on; a few steps on average.
                (0..len)
                    .map(|step| ((start + step) % len) as u32)
                    .find(|&candidate| match self.entries[candidate as usize].source {
                        Source::Generated { index: other, .. } => {
                            other != index
                                && self
                                    .generator
                                    .organization_type(other)
                                    .is_some_and(|t| !crate::generate::is_sub_unit_form(t.as_str()))
                        }
                        Source::Record(_) => false,
                    })
            }
        }
    }

    /// Every position in name order.
    pub(crate) fn name_order(&self) -> &[u32] {
        self.name_order.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
            order.sort_by_cached_key(|&pos| (collation_key(&self.name(pos)), pos));
            order
        })
    }

    /// Sorts `positions` into name order.
    pub(crate) fn sort_by_name(&self, positions: &mut [u32]) {
        let rank = self.name_rank.get_or_init(|| {
            let order = self.name_order();
            let mut rank = vec![0u32; order.len()];
            for (r, &pos) in order.iter().enumerate() {
                rank[pos as usize] = r as u32;
            }
            rank
        });
        positions.sort_unstable_by_key(|&pos| rank[pos as usize]);
    }

    fn contact_index(&self) -> &[(u64, u32)] {
        self.contact_index.get_or_init(|| {
            let mut index = Vec::new();
            for pos in 0..self.entries.len() as u32 {
                let record = self.record_with(pos, Detail::ContactPoints);
                for (kind, value) in contact_points(&record) {
                    index.push((contact_key(kind, value), pos));
                }
            }
            index.sort_unstable();
            index.dedup();
            index
        })
    }

    /// Positions (in number order) of organizations with an official or personal contact point
    /// matching `email` (case-insensitive) or `phone` (exact).
    pub(crate) fn search(&self, email: Option<&str>, phone: Option<&str>) -> Vec<u32> {
        let index = self.contact_index();
        let mut found: Vec<u32> = Vec::new();
        let wanted = [(b'e', email), (b'p', phone)];
        for (kind, value) in wanted {
            let Some(value) = value else { continue };
            let key = contact_key(kind, value);
            let start = index.partition_point(|&(k, _)| k < key);
            for &(k, pos) in &index[start..] {
                if k != key {
                    break;
                }
                // A hash collision must not make a false match: check the record itself.
                let record = self.record_with(pos, Detail::ContactPoints);
                let hit = contact_points(&record).any(|(kd, v)| {
                    kd == kind
                        && if kind == b'e' {
                            v.to_lowercase() == value.to_lowercase()
                        } else {
                            v == value
                        }
                });
                if hit {
                    found.push(pos);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Every non-empty contact point of a record, official and personal: `(b'e' | b'p', value)`.
fn contact_points(record: &OrganizationRecord) -> impl Iterator<Item = (u8, &str)> {
    let official = record.official_contacts.iter().flat_map(|c| {
        [
            (b'e', c.email_address.as_deref()),
            (b'p', c.mobile_number.as_deref()),
        ]
    });
    let personal = record.personal_contacts.iter().flat_map(|p| {
        [
            (b'e', p.contact.email_address.as_deref()),
            (b'p', p.contact.mobile_number.as_deref()),
        ]
    });
    official
        .chain(personal)
        .filter_map(|(kind, value)| value.filter(|v| !v.is_empty()).map(|v| (kind, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_name_order() {
        let mut names = vec!["Åsen", "ØYA", "ZETA", "æra", "alfa", "BETA   "];
        names.sort_by_key(|n| collation_key(n));
        assert_eq!(names, ["alfa", "BETA   ", "ZETA", "æra", "ØYA", "Åsen"]);
    }

    #[test]
    fn sub_units_point_at_main_units() {
        let main = OrganizationRecord::new("910021451", "MAIN");
        let sub = OrganizationRecord::new("810748532", "SUB").main_unit("910021451");
        let orphan = OrganizationRecord::new("310524824", "ORPHAN").main_unit("311000055");
        let d = Dataset::build(vec![main, sub, orphan], 400, 9);
        let pos = |n: &str| d.find(n).unwrap();
        assert_eq!(d.main_unit(pos("810748532")), Some(pos("910021451")));
        assert_eq!(d.main_unit(pos("910021451")), None);
        // A main unit the sandbox does not serve: not a sub-unit here.
        assert_eq!(d.main_unit(pos("310524824")), None);
        let mut generated_sub_units = 0;
        for p in 0..d.len() as u32 {
            let is_form = |q: u32| {
                d.organization(q)
                    .organization_type
                    .as_ref()
                    .is_some_and(|t| crate::generate::is_sub_unit_form(t.as_str()))
            };
            if let Some(main) = d.main_unit(p) {
                assert!(!is_form(main), "a main unit is not a sub-unit");
                assert_ne!(main, p);
                if is_form(p) {
                    generated_sub_units += 1;
                }
            }
        }
        assert!(generated_sub_units > 10, "{generated_sub_units}");
    }

    #[test]
    fn records_replace_and_generated_avoid_them() {
        let a = OrganizationRecord::new("910021451", "FIRST");
        let b = OrganizationRecord::new("910021451", "SECOND");
        let d = Dataset::build(vec![a, b], 50, 3);
        assert_eq!(d.len(), 51);
        let pos = d.find("910021451").unwrap();
        assert_eq!(d.organization(pos).name.as_deref(), Some("SECOND"));
        let numbers: Vec<&str> = d.numbers().collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(d.name_order().len(), 51);
    }
}
