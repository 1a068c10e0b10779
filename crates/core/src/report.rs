//! The monthly report (月度报告) the township office writes up for its river chiefs: for one
//! month and for the whole township or one village, the figures its paragraph and tables are
//! written from. Only figures: the app writes the sentences from them in the user's language.
//!
//! The figures reuse the ledger statistics ([`stats`]) and the patrol statistics
//! ([`patrol_stats`]) rather than counting again, so the report says what the statistics
//! screen says for the same records. How each figure is counted:
//!
//! - **To date** ([`MonthlyReport::total`], the tables' 累计 columns, the overdue list): the
//!   problems (not deleted) as they stand on `today`, the day the report is made — exactly
//!   [`stats`] of the same records. A report of a past month still shows today's statuses:
//!   the ledger keeps each problem's visits, not a copy of the ledger at each month's end.
//! - **Found in the month** (本月发现): problems (not deleted) recorded in the month.
//! - **Fixed in the month** (本月整改): problems with a follow-up visit in the month that set
//!   them to fixed (已整改) from another status, and problems recorded in the month already
//!   fixed or closed (as the ledger's import brings them in). A problem fixed twice in the
//!   month (reopened in between) counts once.
//! - **Closed in the month** (本月销号): problems with a visit in the month that closed them
//!   (已销号), and problems recorded in the month already closed. Counted once each.
//! - **Patrols** and **valid patrols** in the month: the [`patrol_stats`] rows of the month
//!   (and village), added up: ended patrols that started in the month, and of those the ones
//!   the township's [`PatrolRule`] counts as valid (有效巡河).
//!
//! Months are China Standard Time months ([`Month::of`]), as in the patrol statistics; a
//! village is compared trimmed, as the statistics compare villages.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::kinds::{Choice, Kind};
use crate::patrol::Patrol;
use crate::patrol_rule::PatrolRule;
use crate::patrol_stats::{Month, PatrolCounts, patrol_stats, patrol_totals};
use crate::record::{Record, Responsibility, Status};
use crate::stats::{Overdue, Tally, stats};

/// What happened in the month to one group of problems (all of them, one village or one
/// kind). See the module's notes for each figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthCounts {
    /// Recorded in the month (本月发现).
    pub found: usize,
    /// Set to fixed in the month, or recorded in it already fixed or closed (本月整改).
    pub fixed: usize,
    /// Closed in the month, or recorded in it already closed (本月销号).
    pub closed: usize,
}

impl MonthCounts {
    fn add(&mut self, record: &Record, month: Month) {
        let found_in_month = Month::of(record.created_at) == month;
        // The status it was recorded with: the first visit's `from`, else the status now.
        let found_as = record.visits.first().map_or(record.status, |v| v.from);
        let moved_to = |to: Status| {
            record
                .visits
                .iter()
                .any(|v| v.to == to && v.from != to && Month::of(v.at) == month)
        };
        if found_in_month {
            self.found += 1;
        }
        if moved_to(Status::Fixed) || (found_in_month && !found_as.is_outstanding()) {
            self.fixed += 1;
        }
        if moved_to(Status::Closed) || (found_in_month && found_as == Status::Closed) {
            self.closed += 1;
        }
    }
}

/// One row of a report's table: the month's figures and the figures to date.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow<K> {
    /// The village (trimmed) or the kind.
    pub key: K,
    pub month: MonthCounts,
    /// As the statistics count the group on the report's day.
    pub to_date: Tally,
}

/// One overdue problem and who must fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct OverdueProblem {
    /// As the statistics list it (most overdue first).
    pub overdue: Overdue,
    pub responsibility: Responsibility,
}

/// The monthly report's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlyReport {
    pub month: Month,
    /// `None` for the whole township; else the village (trimmed).
    pub village: Option<String>,
    /// The day the report is made: the figures to date stand on it.
    pub today: NaiveDate,
    /// The month's figures of every problem reported on.
    pub in_month: MonthCounts,
    /// Every problem reported on, on `today`: [`stats`]' total for the same records.
    pub total: Tally,
    /// Ended patrols in the month (巡河次数) and valid ones (有效巡河), from [`patrol_stats`].
    pub patrols: u32,
    pub valid_patrols: u32,
    /// Every village with a problem, in the statistics' order (most problems first).
    pub by_village: Vec<ReportRow<String>>,
    /// Every kind with a problem, in the kinds' order.
    pub by_kind: Vec<ReportRow<Kind>>,
    /// The overdue problems, most overdue first, with who must fix them.
    pub overdue: Vec<OverdueProblem>,
    /// The responsible people (责任人, trimmed; empty when not given) of the overdue problems,
    /// with how many each has: most first, then by name.
    pub overdue_people: Vec<(String, usize)>,
}

impl MonthlyReport {
    /// Outstanding (open or being fixed) on the report's day: found − fixed − closed.
    pub fn outstanding(&self) -> usize {
        self.total.open + self.total.rectifying
    }
}

/// Whether `village` is the village named (both trimmed).
fn same_village(village: &str, name: &str) -> bool {
    village.trim() == name.trim()
}

/// The report for `month`, of the whole township (`village` `None`) or of one village, made on
/// `today`. `rule` is the township's rule for a valid patrol. See the module's notes.
pub fn monthly_report(
    records: &[Record],
    patrols: &[Patrol],
    rule: &PatrolRule,
    month: Month,
    village: Option<&str>,
    today: NaiveDate,
) -> MonthlyReport {
    let chosen: Vec<&Record> = records
        .iter()
        .filter(|r| !r.is_deleted())
        .filter(|r| village.is_none_or(|v| same_village(&r.village, v)))
        .collect();
    let s = stats(chosen.iter().copied(), today);

    let mut in_month = MonthCounts::default();
    let mut by_village: BTreeMap<String, MonthCounts> = BTreeMap::new();
    let mut by_kind: BTreeMap<usize, MonthCounts> = BTreeMap::new();
    for r in &chosen {
        in_month.add(r, month);
        by_village
            .entry(r.village.trim().to_owned())
            .or_default()
            .add(r, month);
        if let Some(i) = Kind::ALL.iter().position(|k| *k == r.kind()) {
            by_kind.entry(i).or_default().add(r, month);
        }
    }

    let patrol_rows = patrol_stats(patrols, records, rule);
    let PatrolCounts {
        patrols: patrol_count,
        valid,
        ..
    } = patrol_totals(
        patrol_rows
            .iter()
            .filter(|row| row.month == month)
            .filter(|row| village.is_none_or(|v| same_village(&row.village, v))),
    );

    let overdue: Vec<OverdueProblem> = s
        .overdue
        .into_iter()
        .map(|overdue| {
            let responsibility = chosen
                .iter()
                .find(|r| r.id == overdue.id)
                .map(|r| r.responsibility.clone())
                .unwrap_or_default();
            OverdueProblem {
                overdue,
                responsibility,
            }
        })
        .collect();
    let mut people: Vec<(String, usize)> = Vec::new();
    for o in &overdue {
        let person = o.responsibility.person.trim();
        match people.iter_mut().find(|(p, _)| p == person) {
            Some((_, n)) => *n += 1,
            None => people.push((person.to_owned(), 1)),
        }
    }
    people.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));

    MonthlyReport {
        month,
        village: village.map(|v| v.trim().to_owned()),
        today,
        in_month,
        total: s.total,
        patrols: patrol_count,
        valid_patrols: valid,
        by_village: s
            .by_village
            .into_iter()
            .map(|(key, to_date)| ReportRow {
                month: by_village.get(&key).copied().unwrap_or_default(),
                key,
                to_date,
            })
            .collect(),
        by_kind: s
            .by_kind
            .into_iter()
            .map(|(key, to_date)| ReportRow {
                month: Kind::ALL
                    .iter()
                    .position(|k| *k == key)
                    .and_then(|i| by_kind.get(&i).copied())
                    .unwrap_or_default(),
                key,
                to_date,
            })
            .collect(),
        overdue,
        overdue_people: people,
    }
}

/// Every village (trimmed, not empty) with a problem not deleted, sorted: the report's choice
/// of village.
pub fn villages(records: &[Record]) -> Vec<String> {
    let mut out: Vec<String> = records
        .iter()
        .filter(|r| !r.is_deleted())
        .map(|r| r.village.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Reads a month as `<input type="month">` gives it, `2026-11`. `None` if it is not one.
pub fn parse_month(text: &str) -> Option<Month> {
    let (year, month) = text.trim().split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(Month { year, month })
}
