//! The rectification workflow (整改流程): which status changes are allowed, and how a deadline
//! stands on a given day. The follow-up visits that carry the changes, and the screens, build
//! on these rules.
//!
//! 待整改 open → 整改中 rectifying → 已整改 fixed (awaiting the check) → 已销号 closed. A problem
//! found already fixed may skip straight to fixed; only a fixed problem can be checked off;
//! a fixed or closed problem that is not (or no longer) right is reopened to open.
//!
//! Checking a fixed problem off (销号), or sending it back (退回), is the township office's
//! ([`crate::Record::review`]), and so is dispatching (交办, [`crate::dispatch`]):
//! [`office_only_change`] tells such a change in what a village's device pushes.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};

use crate::record::{Record, Status};

/// A status change the workflow does not allow, e.g. closing a problem nobody reported fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefusedTransition {
    pub from: Status,
    pub to: Status,
}

impl std::fmt::Display for RefusedTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::kinds::Choice;
        write!(
            f,
            "a problem cannot go from {} to {}",
            self.from.as_str(),
            self.to.as_str()
        )
    }
}

impl Status {
    /// The statuses a follow-up visit may set from this one (staying the same is always
    /// allowed: a visit that only notes progress).
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Open => &[Status::Rectifying, Status::Fixed],
            Status::Rectifying => &[Status::Fixed],
            Status::Fixed => &[Status::Closed, Status::Open],
            Status::Closed => &[Status::Open],
        }
    }

    /// Whether a visit may change this status to `to`.
    pub fn can_become(self, to: Status) -> bool {
        self == to || self.next().contains(&to)
    }

    /// `Ok` if a visit may change this status to `to`, else why not (never a panic).
    pub fn transition(self, to: Status) -> Result<Status, RefusedTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(RefusedTransition { from: self, to })
        }
    }

    /// Still waiting for rectification: open or being fixed. Only these can be overdue.
    pub fn is_outstanding(self) -> bool {
        matches!(self, Status::Open | Status::Rectifying)
    }
}

/// How many days ahead "due soon" looks (the deadline day itself counts as day 0).
pub const DUE_SOON_DAYS: u64 = 7;

/// Where a problem stands against its deadline on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineState {
    /// No deadline, or the problem is fixed or closed.
    NotDue,
    /// The deadline passed `days` days ago (at least 1) and the problem is still outstanding.
    Overdue { days: u64 },
    /// The deadline is today (`days` 0) or within [`DUE_SOON_DAYS`].
    DueSoon { days: u64 },
    /// The deadline is further off.
    OnTrack,
}

impl DeadlineState {
    /// Where `deadline` stands on `today` for a problem in `status`. A deadline is a whole
    /// local day: it is overdue from the day after.
    pub fn on(deadline: Option<NaiveDate>, status: Status, today: NaiveDate) -> DeadlineState {
        let Some(deadline) = deadline else {
            return DeadlineState::NotDue;
        };
        if !status.is_outstanding() {
            return DeadlineState::NotDue;
        }
        if deadline < today {
            let days = (today - deadline).num_days().unsigned_abs();
            return DeadlineState::Overdue { days };
        }
        let days = (deadline - today).num_days().unsigned_abs();
        if today
            .checked_add_days(Days::new(DUE_SOON_DAYS))
            .is_none_or(|limit| deadline <= limit)
        {
            DeadlineState::DueSoon { days }
        } else {
            DeadlineState::OnTrack
        }
    }

    /// Sort key: overdue first (most overdue first), then due soon (soonest first), then
    /// the rest.
    pub fn urgency(self) -> (u8, i64) {
        match self {
            DeadlineState::Overdue { days } => (0, -(days as i64)),
            DeadlineState::DueSoon { days } => (1, days as i64),
            DeadlineState::OnTrack => (2, 0),
            DeadlineState::NotDue => (3, 0),
        }
    }
}

/// The calendar day it is at `now` where the clock shows `offset` from UTC (the phone's own
/// time zone; China Standard Time is UTC+8).
pub fn local_day(now: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    now.with_timezone(&offset).date_naive()
}

/// China Standard Time, UTC+8: the township ledger's dates and times.
pub fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A change that only the township office may make to a problem, found in what a village's
/// device pushed ([`office_only_change`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficeOnly {
    /// A new visit closes the problem (销号).
    Closes,
    /// A new visit is marked as the office's review.
    Review,
    /// The problem's status becomes closed without a new visit.
    Closed,
    /// `dispatched` (交办) is set or changed.
    Dispatch,
}

impl OfficeOnly {
    /// The record's field the change is in, for the push's per-record problem.
    pub fn field(self) -> &'static str {
        match self {
            OfficeOnly::Closes | OfficeOnly::Review => crate::validate::field::VISITS,
            OfficeOnly::Closed => "status",
            OfficeOnly::Dispatch => "dispatched",
        }
    }
}

impl std::fmt::Display for OfficeOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OfficeOnly::Closes => "only the township office closes a problem (销号)",
            OfficeOnly::Review => "only the township office makes a review visit",
            OfficeOnly::Closed => "only the township office closes a problem (销号)",
            OfficeOnly::Dispatch => "only the township office dispatches a problem (交办)",
        })
    }
}

/// What in `pushed` only the township office may do, given the copy the server holds
/// (`stored`, `None` when the problem is new to it); `None` when a village's device may push
/// it. Refused: a new visit (one whose id `stored` lacks) that closes the problem or is marked
/// as a review; an existing problem's status becoming closed; `dispatched` set or changed.
///
/// Not refused: what an older app drops: a `dispatched` left out, or a review visit's mark
/// left off (the server keeps both, [`Record::keep_office_marks`]); a visit that only notes
/// something on a problem already closed (closed → closed); reopening (fixed or closed →
/// open); and a new problem found already closed (a ledger imported on the phone).
pub fn office_only_change(stored: Option<&Record>, pushed: &Record) -> Option<OfficeOnly> {
    let known = |id| stored.is_some_and(|s| s.visits.iter().any(|v| v.id == id));
    let new_visits = || pushed.visits.iter().filter(|v| !known(v.id));
    if new_visits().any(|v| v.review) {
        return Some(OfficeOnly::Review);
    }
    if new_visits().any(|v| v.to == Status::Closed && v.from != Status::Closed) {
        return Some(OfficeOnly::Closes);
    }
    if let Some(stored) = stored
        && pushed.status == Status::Closed
        && stored.status != Status::Closed
    {
        return Some(OfficeOnly::Closed);
    }
    if pushed.dispatched.is_some() && pushed.dispatched != stored.and_then(|s| s.dispatched.clone())
    {
        return Some(OfficeOnly::Dispatch);
    }
    None
}

impl Record {
    /// Keeps the township office's marks of `stored` that this pushed copy lost because the
    /// app that wrote it did not know them: its `dispatched` when this copy has none, and the
    /// `review` mark of each visit it has. Returns whether anything was taken.
    pub fn keep_office_marks(&mut self, stored: &Record) -> bool {
        let mut kept = false;
        if self.dispatched.is_none() && stored.dispatched.is_some() {
            self.dispatched = stored.dispatched.clone();
            kept = true;
        }
        for visit in &mut self.visits {
            if !visit.review && stored.visits.iter().any(|v| v.id == visit.id && v.review) {
                visit.review = true;
                kept = true;
            }
        }
        kept
    }
}
