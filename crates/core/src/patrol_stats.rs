//! Patrol statistics (巡河统计): what the township's assessment of its river chiefs counts, per
//! month, per village and per official: the patrols made, how many were valid (by
//! [`judge`]), the kilometres and hours, the problems found and the follow-ups made. The
//! office reads it on screen and takes it to Excel ([`patrol_stats_csv`]).
//!
//! How each figure is counted:
//! - A patrol counts in the month it started, China Standard Time (UTC+8, as the officials'
//!   calendars are), under its `village` and `author`, once it has ended: one under way is not
//!   a patrol made yet.
//! - 公里 (km) is the distance [`judge`] counts (without car stretches and jumps) of *every*
//!   ended patrol, valid or not: the officials' honest kilometres. 有效巡河 says how many
//!   patrols met the rule.
//! - 小时 (hours) is the sum of the ended patrols' durations.
//! - 发现问题 (problems found): problems (not deleted) recorded by the official, in the
//!   problem's village and the month it was recorded.
//! - 跟进次数 (follow-ups): follow-up visits made by the official, in the visited problem's
//!   village and the month of the visit.
//!
//! Names are compared trimmed, as the ledger statistics compare villages.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, Utc};

use crate::csv::{BOM, write_row};
use crate::patrol::Patrol;
use crate::patrol_rule::{PatrolRule, judge};
use crate::record::Record;
use crate::workflow::china_standard_time;

/// A calendar month in China Standard Time; shown `2026-11`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// The month `t` falls in, in China Standard Time.
    pub fn of(t: DateTime<Utc>) -> Month {
        let local = t.with_timezone(&china_standard_time());
        Month {
            year: local.year(),
            month: local.month(),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The figures of one row (or of all of them: [`patrol_totals`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PatrolCounts {
    /// Ended patrols (巡河次数).
    pub patrols: u32,
    /// Of those, the valid ones (有效巡河).
    pub valid: u32,
    /// Distance counted of every ended patrol, in metres.
    pub metres: f64,
    /// Time on patrol, in seconds.
    pub seconds: i64,
    /// Problems recorded (发现问题).
    pub problems: u32,
    /// Follow-up visits made (跟进次数).
    pub follow_ups: u32,
}

impl PatrolCounts {
    pub fn km(&self) -> f64 {
        self.metres / 1000.0
    }

    pub fn hours(&self) -> f64 {
        self.seconds as f64 / 3600.0
    }

    fn add(&mut self, other: &PatrolCounts) {
        self.patrols += other.patrols;
        self.valid += other.valid;
        self.metres += other.metres;
        self.seconds += other.seconds;
        self.problems += other.problems;
        self.follow_ups += other.follow_ups;
    }
}

/// One month, village and official.
#[derive(Clone, Debug, PartialEq)]
pub struct PatrolStatsRow {
    pub month: Month,
    pub village: String,
    /// The river chief or patrolling official (河长/巡河人): a patrol's `author`, a problem's
    /// `author`, a visit's `author`.
    pub official: String,
    pub counts: PatrolCounts,
}

/// Every month, village and official with anything to count, latest month first, then by
/// village and by official. See the module's notes for what each figure counts.
pub fn patrol_stats<'a>(
    patrols: impl IntoIterator<Item = &'a Patrol>,
    records: impl IntoIterator<Item = &'a Record>,
    rule: &PatrolRule,
) -> Vec<PatrolStatsRow> {
    let mut rows = Rows::new();
    for patrol in patrols {
        let Some(ended_at) = patrol.ended_at else {
            continue;
        };
        // An ended patrol is judged as it ended, whenever the statistics are made.
        let verdict = judge(patrol, rule, ended_at);
        let counts = row(
            &mut rows,
            patrol.started_at,
            &patrol.village,
            &patrol.author,
        );
        counts.patrols += 1;
        counts.valid += u32::from(verdict.valid);
        counts.metres += verdict.counted_metres;
        counts.seconds += verdict.duration_s;
    }
    for record in records.into_iter().filter(|r| !r.is_deleted()) {
        row(
            &mut rows,
            record.created_at,
            &record.village,
            &record.author,
        )
        .problems += 1;
        for visit in &record.visits {
            row(&mut rows, visit.at, &record.village, &visit.author).follow_ups += 1;
        }
    }
    rows.into_iter()
        .map(
            |((Reverse(month), village, official), counts)| PatrolStatsRow {
                month,
                village,
                official,
                counts,
            },
        )
        .collect()
}

/// The rows being counted, keyed so the map's order is the rows' order.
type Rows = BTreeMap<(Reverse<Month>, String, String), PatrolCounts>;

/// The figures of the official's row in the village, in the month of `at`.
fn row<'a>(
    rows: &'a mut Rows,
    at: DateTime<Utc>,
    village: &str,
    official: &str,
) -> &'a mut PatrolCounts {
    rows.entry((
        Reverse(Month::of(at)),
        village.trim().to_owned(),
        official.trim().to_owned(),
    ))
    .or_default()
}

/// The figures of all `rows` together.
pub fn patrol_totals<'a>(rows: impl IntoIterator<Item = &'a PatrolStatsRow>) -> PatrolCounts {
    let mut total = PatrolCounts::default();
    for row in rows {
        total.add(&row.counts);
    }
    total
}

/// The columns, in order.
pub const PATROL_STATS_HEADERS: [&str; 9] = [
    "月份",
    "村",
    "河长/巡河人",
    "巡河次数",
    "有效巡河",
    "公里",
    "小时",
    "发现问题",
    "跟进次数",
];

/// What the last row says in the month column.
pub const TOTAL_LABEL: &str = "合计";

/// The statistics as CSV, written the way the ledger is ([`crate::csv`]: BOM, CRLF, Chinese
/// column names): one line per row in the order given, kilometres and hours to one decimal,
/// then a 合计 (total) line.
pub fn patrol_stats_csv(rows: &[PatrolStatsRow]) -> String {
    let mut out = String::from(BOM);
    write_row(&mut out, PATROL_STATS_HEADERS.iter().copied());
    let line = |out: &mut String, month: &str, village: &str, official: &str, c: &PatrolCounts| {
        let cells = [
            month.to_owned(),
            village.to_owned(),
            official.to_owned(),
            c.patrols.to_string(),
            c.valid.to_string(),
            format!("{:.1}", c.km()),
            format!("{:.1}", c.hours()),
            c.problems.to_string(),
            c.follow_ups.to_string(),
        ];
        write_row(out, cells.iter().map(String::as_str));
    };
    for row in rows {
        line(
            &mut out,
            &row.month.to_string(),
            &row.village,
            &row.official,
            &row.counts,
        );
    }
    line(&mut out, TOTAL_LABEL, "", "", &patrol_totals(rows));
    out
}
