//! Importing the office's existing ledger: a CSV saved from Excel (the text already decoded;
//! the browser's TextDecoder does UTF-8 or GB18030). Columns are matched by their header, in any
//! order; each row becomes a [`Record`] or a list of reasons it cannot. A row's id is made from
//! its content, so importing the same file again finds every row already there.
//!
//! The content alone would let anyone who knows a row compute its id, and another village could
//! then push a record of its own under it before the row is imported (issue 23, F1). So the id
//! is made under a namespace that only the village and the township office know
//! ([`ImportIds`]): derived from a secret each server draws once, and given to a phone with
//! its token's pulls. A phone that has not yet heard from its server makes ids as before
//! ([`LEGACY_NAMESPACE`]); every row also carries that old id ([`Row::legacy_id`]), so rows
//! imported under either scheme are found again, on the phone and on the server.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::kinds::{Choice, Kind};
use crate::record::{Position, PositionSource, Record, Responsibility, Status};
use crate::validate::{Problem, time_in_range, validate};
use crate::workflow::china_standard_time;

/// A column the import understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Kind,
    Village,
    Place,
    Title,
    Leader,
    Department,
    Person,
    Phone,
    Deadline,
    Status,
    Found,
    Latitude,
    Longitude,
    Notes,
    Author,
}

impl Column {
    /// The field name the form uses (for messages), or the column's own for the rest.
    pub fn name(self) -> &'static str {
        match self {
            Column::Kind => "kind",
            Column::Village => "village",
            Column::Place => "place",
            Column::Title => "title",
            Column::Leader => "leader",
            Column::Department => "department",
            Column::Person => "person",
            Column::Phone => "phone",
            Column::Deadline => "deadline",
            Column::Status => "status",
            Column::Found => "found",
            Column::Latitude => "latitude",
            Column::Longitude => "longitude",
            Column::Notes => "notes",
            Column::Author => "author",
        }
    }

    /// The column a header names: the township ledger's Chinese headers (as in the sample
    /// ledger and in this app's own export) and the English field names.
    pub fn from_header(header: &str) -> Option<Column> {
        let h: String = header
            .trim()
            .trim_start_matches('\u{feff}')
            .chars()
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                c => c.to_ascii_lowercase(),
            })
            .filter(|c| !c.is_whitespace())
            .collect();
        Some(match h.as_str() {
            "问题类型" | "类型" | "kind" => Column::Kind,
            "村(社区)" | "村/社区" | "村" | "社区" | "village" => Column::Village,
            "位置" | "具体位置" | "place" => Column::Place,
            "问题描述" | "问题" | "title" | "description" => Column::Title,
            "责任领导" | "leader" => Column::Leader,
            "责任部门" | "department" => Column::Department,
            "责任人" | "person" => Column::Person,
            "联系电话" | "电话" | "phone" => Column::Phone,
            "整改时限" | "deadline" => Column::Deadline,
            "状态" | "整改状态" | "status" => Column::Status,
            "发现日期" | "发现时间" | "found" | "found_on" => Column::Found,
            "纬度" | "latitude" => Column::Latitude,
            "经度" | "longitude" => Column::Longitude,
            "备注" | "notes" => Column::Notes,
            "记录人" | "author" => Column::Author,
            _ => return None,
        })
    }
}

/// Why a row was not imported; `code` is the message key the app translates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// A [`Column::name`] or a form field name; empty for the row as a whole.
    pub field: &'static str,
    pub code: &'static str,
}

/// One data row: its line number in the file (the header is line 1) and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub outcome: Result<Record, Vec<RowProblem>>,
    /// The id the row's record had before import ids were secret ([`LEGACY_NAMESPACE`]): a
    /// record under it, of the row's village, is this row imported earlier. The same as the
    /// record's id when no [`ImportIds`] were known. `None` for a row that is not a record.
    pub legacy_id: Option<Uuid>,
}

/// The file read: which header matched which column, and every data row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportPlan {
    pub columns: Vec<(String, Option<Column>)>,
    pub rows: Vec<Row>,
    /// Set when the file cannot be a ledger at all (no header, no 村 column, …).
    pub unusable: Option<&'static str>,
}

impl ImportPlan {
    pub fn valid(&self) -> impl Iterator<Item = &Record> {
        self.rows.iter().filter_map(|r| r.outcome.as_ref().ok())
    }
}

/// Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes doubled
/// and line breaks; CRLF or LF; a leading byte-order mark is dropped). Blank lines are skipped.
pub fn parse_csv(text: &str) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let (mut row, mut cell) = (Vec::new(), String::new());
    let (mut quoted, mut line, mut row_line) = (false, 1, 1);
    let mut chars = text.chars().peekable();
    let mut end_row = |row: &mut Vec<String>, cell: &mut String, row_line: usize| {
        row.push(std::mem::take(cell));
        let row = std::mem::take(row);
        if !(row.len() == 1 && row[0].trim().is_empty()) {
            rows.push((row_line, row));
        }
    };
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cell.push(c);
            }
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n' | '\r') => {
                end_row(&mut row, &mut cell, row_line);
                line += 1;
                row_line = line;
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        end_row(&mut row, &mut cell, row_line);
    }
    rows
}

/// The namespace of the ids made from a row's content before they were secret (a fixed, random
/// UUID, public in this code): still used by a phone that knows no [`ImportIds`].
pub const LEGACY_NAMESPACE: Uuid = Uuid::from_u128(0x6a3c_1f52_9d0e_4b7a_8e21_53c4_0f9b_7d11);

/// How a server's import ids are made, as far as a token may know it: the township office's
/// token gets the server's secret, a village's token the namespace of its own village only, so
/// no village can compute another's ids.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportIds {
    /// The server's secret, from which every village's namespace is made.
    Township { secret: Uuid },
    /// One village's namespace.
    Village { village: String, namespace: Uuid },
}

impl ImportIds {
    /// What a token of `village` (`None`: the township office) may know of `secret`.
    pub fn for_token(secret: Uuid, village: Option<&str>) -> ImportIds {
        match village {
            None => ImportIds::Township { secret },
            Some(village) => ImportIds::Village {
                village: village.trim().to_owned(),
                namespace: village_namespace(secret, village),
            },
        }
    }

    /// The namespace of `village`'s import ids: the secret one when known, else the legacy one
    /// (a row of another village, which this token could not push anyway).
    pub fn namespace(&self, village: &str) -> Uuid {
        match self {
            ImportIds::Township { secret } => village_namespace(*secret, village),
            ImportIds::Village {
                village: own,
                namespace,
            } if own == village.trim() => *namespace,
            ImportIds::Village { .. } => LEGACY_NAMESPACE,
        }
    }
}

/// `village`'s namespace under the server's `secret`: a one-way function of both (UUIDv5, a
/// SHA-1 of the secret and the name), so one village's namespace tells nothing of another's.
fn village_namespace(secret: Uuid, village: &str) -> Uuid {
    Uuid::new_v5(&secret, village.trim().as_bytes())
}

/// Reads a ledger CSV as `author` would import it `now`, with the ids `ids` makes (the legacy
/// ones when `None`: a phone that has not heard from its server yet).
pub fn plan(text: &str, author: &str, now: DateTime<Utc>, ids: Option<&ImportIds>) -> ImportPlan {
    let mut table = parse_csv(text).into_iter();
    let Some((_, header)) = table.next() else {
        return ImportPlan {
            unusable: Some("empty"),
            ..Default::default()
        };
    };
    let columns: Vec<(String, Option<Column>)> = header
        .into_iter()
        .map(|h| {
            let column = Column::from_header(&h);
            (h.trim().to_owned(), column)
        })
        .collect();
    let has = |c: Column| columns.iter().any(|(_, m)| *m == Some(c));
    if !has(Column::Village) || !(has(Column::Kind) || has(Column::Title)) {
        return ImportPlan {
            columns,
            unusable: Some("no_columns"),
            ..Default::default()
        };
    }
    let rows = table
        .map(|(line, cells)| {
            let outcome = row_to_record(&columns, &cells, author, now);
            let mut legacy_id = None;
            let outcome = outcome.map(|(mut record, name)| {
                legacy_id = Some(Uuid::new_v5(&LEGACY_NAMESPACE, name.as_bytes()));
                let namespace = ids.map_or(LEGACY_NAMESPACE, |ids| ids.namespace(&record.village));
                record.id = Uuid::new_v5(&namespace, name.as_bytes());
                record
            });
            Row {
                line,
                outcome,
                legacy_id,
            }
        })
        .collect();
    ImportPlan {
        columns,
        rows,
        unusable: None,
    }
}

fn row_to_record(
    columns: &[(String, Option<Column>)],
    cells: &[String],
    author: &str,
    now: DateTime<Utc>,
) -> Result<(Record, String), Vec<RowProblem>> {
    let mut problems = Vec::new();
    if cells.len() != columns.len() {
        problems.push(RowProblem {
            field: "",
            code: "column_count",
        });
        return Err(problems);
    }
    let get = |c: Column| -> &str {
        columns
            .iter()
            .position(|(_, m)| *m == Some(c))
            .map_or("", |i| cells[i].trim())
    };
    let mut flag = |field: Column, code| {
        problems.push(RowProblem {
            field: field.name(),
            code,
        })
    };

    let kind = match get(Column::Kind) {
        "" => Some(Kind::Other),
        k => Kind::parse(k).or_else(|| Kind::ALL.iter().copied().find(|c| c.zh_name() == k)),
    };
    if kind.is_none() {
        flag(Column::Kind, "unknown_kind");
    }
    let status = match get(Column::Status) {
        "" => Some(Status::Open),
        s => Status::parse(s).or_else(|| Status::ALL.iter().copied().find(|c| c.zh_name() == s)),
    };
    if status.is_none() {
        flag(Column::Status, "unknown_status");
    }
    let mut date = |c: Column| match get(c) {
        "" => None,
        d => {
            let day = d.get(..10).unwrap_or(d).replace('/', "-");
            let parsed = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok();
            if parsed.is_none() {
                flag(c, "bad_date");
            }
            parsed
        }
    };
    let deadline = date(Column::Deadline);
    let found = date(Column::Found);
    let mut number = |c: Column| match get(c) {
        "" => None,
        n => {
            let parsed = n.parse::<f64>().ok().filter(|x| x.is_finite());
            if parsed.is_none() {
                flag(c, "bad_number");
            }
            parsed
        }
    };
    let (latitude, longitude) = (number(Column::Latitude), number(Column::Longitude));
    if latitude.is_some() != longitude.is_some() {
        let missing = if latitude.is_none() {
            Column::Latitude
        } else {
            Column::Longitude
        };
        flag(missing, "position_half");
    }
    // An unknown kind or status is reported; the rest of the row is still checked, so every
    // reason comes at once.
    let (kind, status) = (kind.unwrap_or(Kind::Other), status.unwrap_or_default());
    // Found at local noon (China Standard Time), so the date reads the same everywhere.
    let created_at = found
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .and_then(|t| china_standard_time().from_local_datetime(&t).single())
        .map_or(now, |t| t.with_timezone(&Utc));
    let mut record = Record::new(kind, author, get(Column::Village), created_at);
    record.title = get(Column::Title).to_owned();
    record.place = get(Column::Place).to_owned();
    record.notes = get(Column::Notes).to_owned();
    if !get(Column::Author).is_empty() {
        record.author = get(Column::Author).to_owned();
    }
    record.responsibility = Responsibility {
        leader: get(Column::Leader).to_owned(),
        department: get(Column::Department).to_owned(),
        person: get(Column::Person).to_owned(),
        phone: get(Column::Phone).to_owned(),
    };
    record.deadline = deadline;
    record.status = status;
    record.position = latitude
        .zip(longitude)
        .map(|(latitude, longitude)| Position {
            latitude,
            longitude,
            accuracy_m: None,
            taken_at: created_at,
            // The ledger's coordinates were typed by whoever kept it.
            source: Some(PositionSource::Typed),
        });
    let name = [
        kind.as_str(),
        &record.village,
        &record.place,
        &record.title,
        &found.map(|d| d.to_string()).unwrap_or_default(),
    ]
    .join("\u{1f}");
    // Every instant of the record is the date found: one the server would refuse on a push
    // (year 1, year 9999, after tomorrow) is the found column's problem.
    if found.is_some() && !time_in_range(created_at, now) {
        problems.push(RowProblem {
            field: Column::Found.name(),
            code: Problem::OutOfRange.key(),
        });
    }
    for e in validate(&record) {
        problems.push(RowProblem {
            field: e.field,
            code: e.problem.key(),
        });
    }
    if problems.is_empty() {
        // The content the row's id is made of (under a namespace: `plan`).
        Ok((record, name))
    } else {
        Err(problems)
    }
}

/// The server's answer to an import (`POST /api/v1/import`).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportResponse {
    /// New problems stored.
    pub imported: usize,
    /// Rows whose problem the server holds already (imported before).
    pub already: usize,
    /// Rows not imported, each with every reason.
    pub rejected: Vec<RejectedRow>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RejectedRow {
    /// Line in the file; the header is line 1.
    pub line: usize,
    pub problems: Vec<ImportProblem>,
}

/// [`RowProblem`] as sent over the wire.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportProblem {
    pub field: String,
    pub code: String,
}

impl From<&RowProblem> for ImportProblem {
    fn from(p: &RowProblem) -> Self {
        ImportProblem {
            field: p.field.to_owned(),
            code: p.code.to_owned(),
        }
    }
}
