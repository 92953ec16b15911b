//! Printing records as a table, JSON, JSON Lines or CSV.
//!
//! Every record is first serialized with the model's own serde names (Altinn's field names), so
//! the columns of a table or CSV are picked by those names and every format shows the same data.
//! JSON Lines and CSV rows are written as each record arrives (`organizations --all` streams);
//! a JSON array is streamed as well; only a table waits for the last record, to size its columns.
//!
//! Identity numbers (`SocialSecurityNumber`) are masked in tables unless `--reveal-ssn`; the
//! machine formats carry the data as Altinn sent it.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::args::Format;

/// Which kind of record is printed: decides the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Organizations; `expanded` adds the embedded official contacts' numbers and addresses.
    Organization { expanded: bool },
    /// Official contact points.
    OfficialContact,
    /// Personal contact points.
    PersonalContact,
    /// Roles.
    Role,
    /// A running sandbox (the `sandbox` command).
    Sandbox,
    /// A running gateway (the `serve` command).
    Serve,
}

/// A column: its table header and its field (an Altinn field name, or a derived one).
struct Column {
    header: &'static str,
    field: &'static str,
}

const fn col(header: &'static str, field: &'static str) -> Column {
    Column { header, field }
}

/// Derived fields of an expanded organization, joined with `"; "`.
const OFFICIAL_MOBILES: &str = "OfficialMobileNumbers";
const OFFICIAL_EMAILS: &str = "OfficialEMailAddresses";
/// The field holding a national identity number.
const SSN: &str = "SocialSecurityNumber";

impl Kind {
    fn columns(self) -> Vec<Column> {
        match self {
            Kind::Organization { expanded } => {
                let mut cols = vec![
                    col("ORGNR", "OrganizationNumber"),
                    col("NAME", "Name"),
                    col("TYPE", "Type"),
                    col("LAST CHANGED", "LastChanged"),
                    col("LAST CONFIRMED", "LastConfirmed"),
                ];
                if expanded {
                    cols.push(col("OFFICIAL MOBILE", OFFICIAL_MOBILES));
                    cols.push(col("OFFICIAL E-MAIL", OFFICIAL_EMAILS));
                }
                cols
            }
            Kind::OfficialContact => vec![
                col("MOBILE", "MobileNumber"),
                col("MOBILE CHANGED", "MobileNumberChanged"),
                col("E-MAIL", "EMailAddress"),
                col("E-MAIL CHANGED", "EMailAddressChanged"),
            ],
            Kind::PersonalContact => vec![
                col("PERSON ID", "PersonalContactId"),
                col("NAME", "Name"),
                col("SSN", SSN),
                col("MOBILE", "MobileNumber"),
                col("MOBILE CHANGED", "MobileNumberChanged"),
                col("E-MAIL", "EMailAddress"),
                col("E-MAIL CHANGED", "EMailAddressChanged"),
            ],
            Kind::Role => vec![
                col("TYPE", "RoleType"),
                col("ID", "RoleDefinitionId"),
                col("CODE", "RoleDefinitionCode"),
                col("NAME", "RoleName"),
                col("DESCRIPTION", "RoleDescription"),
            ],
            Kind::Sandbox => vec![
                col("BASE URL", "BaseUrl"),
                col("API KEY", "ApiKey"),
                col("ORGANIZATIONS", "Organizations"),
            ],
            Kind::Serve => vec![
                col("BASE URL", "BaseUrl"),
                col("API KEYS", "ApiKeys"),
                col("CLIENT CERTIFICATES", "ClientCertificates"),
            ],
        }
    }
}

/// Whether the records form a list (JSON array) or are one resource (JSON object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    List,
    One,
}

/// Writes records in one format to `out`.
pub(crate) struct Printer<W: Write> {
    format: Format,
    shape: Shape,
    columns: Vec<Column>,
    reveal_ssn: bool,
    sink: Sink<W>,
    count: usize,
    rows: Vec<Vec<String>>,
}

enum Sink<W: Write> {
    Plain(W),
    // Boxed: the CSV writer carries its buffer inline.
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> Printer<W> {
    pub(crate) fn new(out: W, format: Format, kind: Kind, shape: Shape, reveal_ssn: bool) -> Self {
        let sink = match format {
            Format::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
            _ => Sink::Plain(out),
        };
        Printer {
            format,
            shape,
            columns: kind.columns(),
            reveal_ssn,
            sink,
            count: 0,
            rows: Vec::new(),
        }
    }

    /// Prints one record (or, for a table, keeps it for [`finish`](Self::finish)).
    pub(crate) fn record<T: Serialize>(&mut self, record: &T) -> io::Result<()> {
        let value = serde_json::to_value(record).map_err(io::Error::other)?;
        let first = self.count == 0;
        self.count += 1;
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), Format::Json) => {
                let text = serde_json::to_string_pretty(&value).map_err(io::Error::other)?;
                match self.shape {
                    Shape::One => writeln!(out, "{text}")?,
                    Shape::List => {
                        out.write_all(if first { b"[\n" } else { b",\n" })?;
                        let indented: Vec<String> =
                            text.lines().map(|line| format!("  {line}")).collect();
                        out.write_all(indented.join("\n").as_bytes())?;
                    }
                }
                out.flush()
            }
            (Sink::Plain(out), Format::Jsonl) => {
                serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)?;
                out.write_all(b"\n")?;
                out.flush()
            }
            (Sink::Csv(csv), _) => {
                if first {
                    csv.write_record(self.columns.iter().map(|c| c.field))?;
                }
                csv.write_record(self.columns.iter().map(|c| cell(&value, c.field)))?;
                csv.flush()
            }
            (Sink::Plain(_), _) => {
                let row = self
                    .columns
                    .iter()
                    .map(|c| {
                        let text = cell(&value, c.field);
                        if c.field == SSN && !self.reveal_ssn && !text.is_empty() {
                            altinn_contacts::NationalIdentityNumber::new(text)
                                .masked()
                                .to_owned()
                        } else {
                            one_line(&text)
                        }
                    })
                    .collect();
                self.rows.push(row);
                Ok(())
            }
        }
    }

    /// Ends the output: closes a JSON array, prints a table, writes a CSV header when there was
    /// no record. Called on failure too, so what was printed stays well-formed.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), Format::Json) => {
                if self.shape == Shape::List {
                    out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
                }
                out.flush()
            }
            (Sink::Plain(out), Format::Jsonl) => out.flush(),
            (Sink::Csv(csv), _) => {
                if self.count == 0 {
                    csv.write_record(self.columns.iter().map(|c| c.field))?;
                }
                csv.flush()
            }
            (Sink::Plain(out), _) => {
                let table = render_table(&self.columns, &self.rows);
                out.write_all(table.as_bytes())?;
                out.flush()
            }
        }
    }
}

/// The text of `field` in a serialized record: strings as they are, numbers and booleans as
/// written in JSON, `null` and absent fields as empty.
fn cell(value: &Value, field: &str) -> String {
    match field {
        OFFICIAL_MOBILES => embedded_official(value, "MobileNumber"),
        OFFICIAL_EMAILS => embedded_official(value, "EMailAddress"),
        _ => scalar(value.get(field)),
    }
}

fn scalar(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The non-empty values of `field` among an organization's embedded official contacts.
fn embedded_official(org: &Value, field: &str) -> String {
    let contacts = org
        .get("_embedded")
        .and_then(|e| e.get("officialcontacts"))
        .and_then(Value::as_array);
    contacts
        .into_iter()
        .flatten()
        .map(|c| scalar(c.get(field)).trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A cell of a table: control characters (Altinn's `\r\n`) become spaces, padding is trimmed.
fn one_line(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    replaced.trim().to_owned()
}

/// Columns are sized and padded by display width (the columns a terminal gives the text), not
/// by characters: a CJK character or an emoji takes two, a combining mark none.
fn render_table(columns: &[Column], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.header.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            text.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.width())));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut columns.iter().map(|c| c.header), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use altinn_contacts::{NationalIdentityNumber, OfficialContact, PersonalContact, Role};

    fn person() -> PersonalContact {
        let mut p = PersonalContact::default();
        p.personal_contact_id = Some("r50022994".into());
        p.name = Some("ROLF BJØRN    ".into());
        p.social_security_number = Some(NationalIdentityNumber::new("06117701547"));
        p.mobile_number = Some("12345678".into());
        p
    }

    fn print<T: Serialize>(
        format: Format,
        kind: Kind,
        shape: Shape,
        reveal: bool,
        items: &[T],
    ) -> String {
        let mut out = Vec::new();
        let mut p = Printer::new(&mut out, format, kind, shape, reveal);
        for item in items {
            p.record(item).unwrap();
        }
        p.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_masks_identity_numbers_unless_revealed() {
        let masked = print(
            Format::Table,
            Kind::PersonalContact,
            Shape::List,
            false,
            &[person()],
        );
        assert!(!masked.contains("06117701547"), "{masked}");
        assert!(masked.contains("***********"), "{masked}");
        assert!(masked.contains("ROLF BJØRN  "), "{masked}");
        let shown = print(
            Format::Table,
            Kind::PersonalContact,
            Shape::List,
            true,
            &[person()],
        );
        assert!(shown.contains("06117701547"), "{shown}");
    }

    #[test]
    fn table_columns_line_up() {
        let mut a = OfficialContact::default();
        a.mobile_number = Some("22334455".into());
        let mut b = OfficialContact::default();
        b.email_address = Some("post@firma.no".into());
        let text = print(
            Format::Table,
            Kind::OfficialContact,
            Shape::List,
            false,
            &[a, b],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let at = lines[0].find("E-MAIL ").unwrap();
        assert_eq!(lines[2].find("post@firma.no"), Some(at));
    }

    #[test]
    fn table_columns_line_up_with_wide_characters_and_combining_marks() {
        // Display width: CJK and emoji take two columns, a combining mark none.
        let names = [
            "Plain AS",
            "東京商事株式会社",
            "Café 🚀 AS",
            "Cafe\u{301} Smørbrød",
            "😀😀",
        ];
        let orgs: Vec<altinn_contacts::Organization> = names
            .iter()
            .map(|name| {
                altinn_contacts::decode(
                    serde_json::json!({"OrganizationNumber": "910021451", "Name": name, "Type": "AS"})
                        .to_string()
                        .as_bytes(),
                )
                .unwrap()
            })
            .collect();
        let text = print(
            Format::Table,
            Kind::Organization { expanded: false },
            Shape::List,
            false,
            &orgs,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), names.len() + 1, "{text}");
        // Where TYPE starts, in terminal columns, on the header line and on every row.
        let column_of = |line: &str, needle: &str| {
            let at = line
                .rfind(needle)
                .unwrap_or_else(|| panic!("{needle} in {line:?}"));
            line[..at].width()
        };
        let type_at = column_of(lines[0], "TYPE");
        for line in &lines[1..] {
            assert_eq!(column_of(line, "AS"), type_at, "misaligned:\n{text}");
        }
        // The widest name (16 columns, 8 characters) sets the column; two spaces follow it.
        let name_at = column_of(lines[0], "NAME");
        assert_eq!(type_at, name_at + "東京商事株式会社".width() + 2, "{text}");
    }

    #[test]
    fn json_is_an_array_of_models_and_stays_valid_when_empty() {
        let text = print(
            Format::Json,
            Kind::PersonalContact,
            Shape::List,
            false,
            &[person(), person()],
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[0]["PersonalContactId"], "r50022994");
        let empty = print::<Role>(Format::Json, Kind::Role, Shape::List, false, &[]);
        assert_eq!(
            serde_json::from_str::<Value>(&empty).unwrap(),
            Value::Array(vec![])
        );
        let one = print(
            Format::Json,
            Kind::PersonalContact,
            Shape::One,
            false,
            &[person()],
        );
        assert!(serde_json::from_str::<Value>(&one).unwrap().is_object());
    }

    #[test]
    fn jsonl_is_one_object_a_line() {
        let text = print(
            Format::Jsonl,
            Kind::PersonalContact,
            Shape::List,
            false,
            &[person(), person()],
        );
        assert_eq!(text.lines().count(), 2);
        for line in text.lines() {
            assert!(serde_json::from_str::<Value>(line).unwrap().is_object());
        }
    }

    #[test]
    fn csv_has_a_header_and_one_row_a_record() {
        let mut r = Role::default();
        r.role_name = Some("Post/arkiv".into());
        r.role_description = Some("Denne rollen,\r\n gir".into());
        let text = print(Format::Csv, Kind::Role, Shape::List, false, &[r.clone(), r]);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            [
                "RoleType",
                "RoleDefinitionId",
                "RoleDefinitionCode",
                "RoleName",
                "RoleDescription"
            ]
        );
        let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][4], "Denne rollen,\r\n gir");
        let empty = print::<Role>(Format::Csv, Kind::Role, Shape::List, false, &[]);
        assert_eq!(empty.lines().count(), 1);
    }

    #[test]
    fn fields_the_server_did_not_send_are_empty_cells_and_null() {
        // A role without `RoleDefinitionId` (0 is a real id, so it must not show as 0) and an
        // organization without name and number.
        let role: Role =
            altinn_contacts::decode(br#"{"RoleType": "Altinn", "RoleName": "Basisrolle"}"#)
                .unwrap();
        let table = print(
            Format::Table,
            Kind::Role,
            Shape::List,
            false,
            std::slice::from_ref(&role),
        );
        let row = table.lines().nth(1).unwrap();
        assert!(row.starts_with("Altinn"), "{table}");
        assert!(!row.contains('0'), "{table}");
        let csv = print(
            Format::Csv,
            Kind::Role,
            Shape::List,
            false,
            std::slice::from_ref(&role),
        );
        assert_eq!(csv.lines().nth(1), Some("Altinn,,,Basisrolle,"), "{csv}");
        let json = print(Format::Jsonl, Kind::Role, Shape::List, false, &[role]);
        let value: Value = serde_json::from_str(json.trim()).unwrap();
        assert_eq!(value["RoleDefinitionId"], Value::Null);

        let org: altinn_contacts::Organization =
            altinn_contacts::decode(br#"{"Type": "AS"}"#).unwrap();
        let csv = print(
            Format::Csv,
            Kind::Organization { expanded: false },
            Shape::One,
            false,
            std::slice::from_ref(&org),
        );
        assert_eq!(csv.lines().nth(1), Some(",,AS,,"), "{csv}");
        let json = print(
            Format::Json,
            Kind::Organization { expanded: false },
            Shape::One,
            false,
            &[org],
        );
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["Name"], Value::Null);
        assert_eq!(value["OrganizationNumber"], Value::Null);
    }
}
