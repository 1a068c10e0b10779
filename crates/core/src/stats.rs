//! The ledger in numbers (整改统计), for the official and the township office: problems found,
//! being fixed, fixed and closed, the rectification rate, the same by kind and by village, and
//! the overdue problems.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::kinds::{Choice, Kind};
use crate::record::{Record, Status};
use crate::workflow::DeadlineState;

/// Counts for one group of problems (all of them, one kind or one village).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub open: usize,
    pub rectifying: usize,
    pub fixed: usize,
    pub closed: usize,
    /// Outstanding and past the deadline on the day counted.
    pub overdue: usize,
}

impl Tally {
    fn add(&mut self, record: &Record, today: NaiveDate) {
        match record.status {
            Status::Open => self.open += 1,
            Status::Rectifying => self.rectifying += 1,
            Status::Fixed => self.fixed += 1,
            Status::Closed => self.closed += 1,
        }
        if matches!(
            DeadlineState::on(record.deadline, record.status, today),
            DeadlineState::Overdue { .. }
        ) {
            self.overdue += 1;
        }
    }

    /// Every problem found (not deleted).
    pub fn found(&self) -> usize {
        self.open + self.rectifying + self.fixed + self.closed
    }

    /// Reported fixed or checked off.
    pub fn done(&self) -> usize {
        self.fixed + self.closed
    }

    /// The count in `status`.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Open => self.open,
            Status::Rectifying => self.rectifying,
            Status::Fixed => self.fixed,
            Status::Closed => self.closed,
        }
    }

    /// Rectification rate (整改率) in whole per cent, rounded down so that 99.6 % is not
    /// shown as done: (fixed + closed) / found. `None` when nothing was found.
    pub fn rate_percent(&self) -> Option<u32> {
        let found = self.found();
        (found > 0).then(|| (self.done() * 100 / found) as u32)
    }
}

/// One overdue problem, for the list under the charts.
#[derive(Clone, Debug, PartialEq)]
pub struct Overdue {
    pub id: Uuid,
    pub title: String,
    pub kind: Kind,
    pub village: String,
    pub deadline: NaiveDate,
    pub days: u64,
}

/// The whole picture on one day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub total: Tally,
    /// Every kind with at least one problem, in the kinds' own order.
    pub by_kind: Vec<(Kind, Tally)>,
    /// Every village with at least one problem, most problems first (then by name).
    pub by_village: Vec<(String, Tally)>,
    /// Most overdue first.
    pub overdue: Vec<Overdue>,
}

/// Counts the problems that are not deleted, as they stand on `today`.
pub fn stats<'a>(records: impl IntoIterator<Item = &'a Record>, today: NaiveDate) -> Stats {
    let mut out = Stats::default();
    let mut kinds = vec![Tally::default(); Kind::ALL.len()];
    let mut villages: Vec<(String, Tally)> = Vec::new();
    for r in records.into_iter().filter(|r| !r.is_deleted()) {
        out.total.add(r, today);
        if let Some(i) = Kind::ALL.iter().position(|k| *k == r.kind()) {
            kinds[i].add(r, today);
        }
        let village = r.village.trim();
        match villages.iter_mut().find(|(v, _)| v == village) {
            Some((_, tally)) => tally.add(r, today),
            None => {
                let mut tally = Tally::default();
                tally.add(r, today);
                villages.push((village.to_owned(), tally));
            }
        }
        if let (DeadlineState::Overdue { days }, Some(deadline)) =
            (DeadlineState::on(r.deadline, r.status, today), r.deadline)
        {
            out.overdue.push(Overdue {
                id: r.id,
                title: r.title.clone(),
                kind: r.kind(),
                village: village.to_owned(),
                deadline,
                days,
            });
        }
    }
    out.by_kind = Kind::ALL
        .iter()
        .copied()
        .zip(kinds)
        .filter(|(_, t)| t.found() > 0)
        .collect();
    villages.sort_by(|(a, x), (b, y)| y.found().cmp(&x.found()).then_with(|| a.cmp(b)));
    out.by_village = villages;
    out.overdue
        .sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.title.cmp(&b.title)));
    out
}
