//! Which problems the ledger list shows, and in what order: text search and filters by kind,
//! village, status and overdue, as the township office narrows its 整改台账 down, and the
//! keys its orders sort by.

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::kinds::{Choice, Kind};
use crate::record::{Record, Status};
use crate::workflow::DeadlineState;

/// What the list is narrowed to; the default shows everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Words to find in the title, place, village or notes (all must be there; case and
    /// width are ignored for Latin letters).
    pub text: String,
    pub kind: Option<Kind>,
    pub village: Option<String>,
    pub status: Option<Status>,
    /// Only outstanding problems past their deadline.
    pub overdue_only: bool,
}

impl Filter {
    /// Whether the filter narrows anything.
    pub fn is_active(&self) -> bool {
        !self.text.trim().is_empty()
            || self.kind.is_some()
            || self.village.is_some()
            || self.status.is_some()
            || self.overdue_only
    }

    /// Whether `record` is shown on `today`. Deleted records never are.
    pub fn matches(&self, record: &Record, today: NaiveDate) -> bool {
        if record.is_deleted() {
            return false;
        }
        if self.kind.is_some_and(|k| record.kind() != k) {
            return false;
        }
        if self
            .village
            .as_deref()
            .is_some_and(|v| record.village.trim() != v.trim())
        {
            return false;
        }
        if self.status.is_some_and(|s| record.status != s) {
            return false;
        }
        if self.overdue_only
            && !matches!(
                DeadlineState::on(record.deadline, record.status, today),
                DeadlineState::Overdue { .. }
            )
        {
            return false;
        }
        let haystack = [
            record.title.as_str(),
            record.place.as_str(),
            record.village.as_str(),
            record.notes.as_str(),
        ]
        .join("\n");
        let haystack = folded(&haystack);
        self.text
            .split_whitespace()
            .all(|word| haystack.contains(&folded(word)))
    }
}

/// `text` as the search compares it: full-width ASCII (ｐｉｐｅ, １号, as a Chinese input
/// method types it) as plain ASCII, and Latin letters in lower case. Only ASCII is folded:
/// Unicode's full case tables would add some 10 KB to the app's first download for letters
/// this ledger does not use.
fn folded(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The villages named in `records` (not deleted), sorted, each once: the village filter's
/// choices.
pub fn villages(records: &[Record]) -> Vec<String> {
    let mut names: Vec<String> = records
        .iter()
        .filter(|r| !r.is_deleted())
        .map(|r| r.village.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Sorts `records` stably by `order`. Every order of records in the app goes through this one
/// function, so the sort's code (large, and in the first screen's download) is generated once.
pub fn sort_records(records: &mut [Record], order: &dyn Fn(&Record, &Record) -> Ordering) {
    records.sort_by(|a, b| order(a, b));
}

/// The ledger's own order: the newest record first.
pub fn newest_first(records: &mut [Record]) {
    sort_records(records, &|a, b| b.created_at.cmp(&a.created_at));
}

/// The "urgent" order's key, smallest first: overdue (most overdue first), then due within a
/// week (soonest first), then the later deadlines by date (soonest first), then the rest. A
/// stable sort keeps the rest (no deadline, fixed or closed) newest first.
pub fn urgency_key(record: &Record, today: NaiveDate) -> ((u8, i64), NaiveDate) {
    let state = DeadlineState::on(record.deadline, record.status, today);
    let later = (state == DeadlineState::OnTrack)
        .then_some(record.deadline)
        .flatten();
    (state.urgency(), later.unwrap_or(NaiveDate::MAX))
}

/// The "last visit" order: the most recently visited (followed up, or found) first.
pub fn last_visited_first(a: &Record, b: &Record) -> Ordering {
    b.last_visit_at().cmp(&a.last_visit_at())
}

/// A column of the township office's table of problems (its desk) that the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// When the problem was found (发现时间).
    Found,
    /// 问题描述.
    Title,
    /// 问题类型, in the kinds' own order.
    Kind,
    /// 村（社区）.
    Village,
    /// 责任人.
    Person,
    /// 整改时限; problems without one come last, whichever way.
    Deadline,
    /// 整改状态, in the workflow's order (待整改 → 已销号).
    Status,
}

/// Sorts `records` by `column`, ascending or not. Ties keep the newest first, and a problem
/// without a deadline stays after every dated one in both directions (it is not "due last" nor
/// "due first": it has no due day).
pub fn sort_by_column(records: &mut [Record], column: Column, ascending: bool) {
    newest_first(records);
    let directed = |o: Ordering| if ascending { o } else { o.reverse() };
    match column {
        Column::Found => sort_records(records, &|a, b| directed(a.created_at.cmp(&b.created_at))),
        Column::Title => sort_records(records, &|a, b| {
            directed(a.title.trim().cmp(b.title.trim()))
        }),
        Column::Kind => {
            let rank = |r: &Record| Kind::ALL.iter().position(|k| *k == r.kind());
            sort_records(records, &|a, b| directed(rank(a).cmp(&rank(b))))
        }
        Column::Village => sort_records(records, &|a, b| {
            directed(a.village.trim().cmp(b.village.trim()))
        }),
        Column::Person => sort_records(records, &|a, b| {
            directed(
                a.responsibility
                    .person
                    .trim()
                    .cmp(b.responsibility.person.trim()),
            )
        }),
        Column::Deadline => sort_records(records, &|a, b| match (a.deadline, b.deadline) {
            (Some(x), Some(y)) => directed(x.cmp(&y)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }),
        Column::Status => sort_records(records, &|a, b| directed(a.status.cmp(&b.status))),
    }
}
