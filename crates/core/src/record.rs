//! The common part of every inspection record (问题): who found what, where, and who must fix it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kinds::{Choice, Details, Kind};
use crate::provenance::{Exif, PhotoSource};
use crate::visit::Visit;

/// One problem found at one place. The first visit creates it; later issues add the follow-up
/// visits as separate, immutable entries that point back at `id`, so nothing here has to change
/// shape for them (new fields only ever arrive with `#[serde(default)]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Made on the device, so a record has its identity before any server has seen it.
    pub id: Uuid,
    /// Format version this record was written with; see [`crate::codec`].
    pub schema: u32,
    /// Bumped on every local save; sync uses it to detect concurrent edits.
    pub revision: u32,
    /// Kind and the kind's own fields.
    pub details: Details,
    /// Short description of the problem (问题描述), e.g. "沿河住户生活污水直排入河".
    #[serde(default)]
    pub title: String,
    /// Village or community (村/社区).
    pub village: String,
    /// Where in the village (位置), e.g. "四组桥头".
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub position: Option<Position>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    #[serde(default)]
    pub responsibility: Responsibility,
    /// Rectification deadline (整改时限), a local calendar date.
    #[serde(default, with = "crate::stamp::date_option")]
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub status: Status,
    #[serde(with = "crate::stamp::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::stamp::instant")]
    pub updated_at: DateTime<Utc>,
    /// Officer who recorded it.
    #[serde(default)]
    pub author: String,
    /// Follow-up visits (复查), oldest first; see [`crate::visit`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<Visit>,
    /// Set when the user deletes the record. The entry stays as a tombstone so a later sync
    /// can tell the server; the list no longer shows it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::stamp::instant_option"
    )]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The patrol (巡河) the problem was found on, if one was under way; see
    /// [`crate::patrol`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patrol: Option<Uuid>,
    /// Set when the township office dispatched (交办) the problem to its village, made it or
    /// gave an existing one with its responsible people and deadline ([`crate::dispatch`]).
    /// Only the office sets it: a village's push that sets or changes it is refused
    /// ([`crate::workflow::office_only_change`]). Absent on problems the village found itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched: Option<Dispatch>,
}

/// When and by whom the township office dispatched (交办) a problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    #[serde(with = "crate::stamp::instant")]
    pub at: DateTime<Utc>,
    /// The office's token holder, as the token was issued (e.g. "乡镇办公室").
    pub by: String,
}

/// Where a problem is (WGS 84): a GPS fix with its accuracy, or a point given by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
    /// Radius of the 68% confidence circle in metres; `None` when typed by hand.
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    /// When the fix was taken.
    #[serde(with = "crate::stamp::instant")]
    pub taken_at: DateTime<Utc>,
    /// How the position was found; `None` on positions kept before the app said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<PositionSource>,
}

/// How a record's position was found. An inspector reading the ledger needs to know a point
/// placed by hand from a GPS fix: only the fix is evidence that someone stood there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    /// The phone's GPS, with the accuracy it reported.
    Gps,
    /// Coordinates typed into the form (read off another map or a signboard).
    Typed,
    /// A point placed on the map by hand (地图选点), when GPS was poor or denied.
    Map,
}

impl Position {
    /// How the position was found. A position kept before the app said is taken as GPS when
    /// it has an accuracy, else as typed: that is how the form stored the two then.
    pub fn found_by(&self) -> PositionSource {
        self.source.unwrap_or(if self.accuracy_m.is_some() {
            PositionSource::Gps
        } else {
            PositionSource::Typed
        })
    }

    /// Whether a person, not the GPS, says where this is: typed or placed on the map.
    pub fn by_hand(&self) -> bool {
        self.found_by() != PositionSource::Gps
    }
}

/// Reference to a photo whose bytes live elsewhere (IndexedDB on the phone, the photo store on
/// the server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: Uuid,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    /// Lower-case hex SHA-256 of the stored JPEG.
    pub sha256: String,
    #[serde(with = "crate::stamp::instant")]
    pub taken_at: DateTime<Utc>,
    /// The words stamped into the photo's pixels ([`crate::watermark`]), lines joined by
    /// `'\n'`; `None` when the officer had the watermark switched off, and on photos taken
    /// before there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<String>,
    /// Camera or gallery ([`crate::provenance`]); `None` on photos taken before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<PhotoSource>,
    /// What the original file's EXIF said about its time and place, when it said anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exif: Option<Exif>,
}

/// Who must fix the problem (责任领导 / 责任部门 / 责任人).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Responsibility {
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub phone: String,
}

/// Rectification status (整改状态). The workflow rules arrive with the ledger; the stored names
/// match the office's spreadsheet (`open`, `rectifying`, `fixed`, `closed`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 待整改
    #[default]
    Open,
    /// 整改中
    Rectifying,
    /// 已整改, awaiting check
    Fixed,
    /// 已销号, verified and closed
    Closed,
}

impl Choice for Status {
    const ALL: &'static [Status] = &[
        Status::Open,
        Status::Rectifying,
        Status::Fixed,
        Status::Closed,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Rectifying => "rectifying",
            Status::Fixed => "fixed",
            Status::Closed => "closed",
        }
    }
}

impl Status {
    /// The status in Simplified Chinese, as in the township's ledger (整改状态).
    pub fn zh_name(self) -> &'static str {
        match self {
            Status::Open => "待整改",
            Status::Rectifying => "整改中",
            Status::Fixed => "已整改",
            Status::Closed => "已销号",
        }
    }
}

impl Record {
    /// A fresh record of `kind` with that kind's default fields, made now by `author`.
    pub fn new(kind: Kind, author: &str, village: &str, now: DateTime<Utc>) -> Record {
        Record {
            id: Uuid::new_v4(),
            schema: crate::SCHEMA_VERSION,
            revision: 0,
            details: Details::new(kind),
            title: String::new(),
            village: village.to_owned(),
            place: String::new(),
            position: None,
            notes: String::new(),
            photos: Vec::new(),
            responsibility: Responsibility::default(),
            deadline: None,
            status: Status::Open,
            created_at: now,
            updated_at: now,
            author: author.to_owned(),
            visits: Vec::new(),
            deleted_at: None,
            patrol: None,
            dispatched: None,
        }
    }

    pub fn kind(&self) -> Kind {
        self.details.kind()
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Marks a local change: one revision more, updated now. The revision saturates rather
    /// than wrap (release builds do not check overflow): a record at `u32::MAX` would otherwise
    /// come back as revision 0, older than every copy of it. Validation refuses anything above
    /// [`crate::validate::MAX_REVISION`] long before that.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        self.revision = self.revision.saturating_add(1);
        self.updated_at = now;
    }

    /// For a record about to be saved for the first time: a found time or position time that
    /// a wrong clock gave it when its form opened (out of range against `now`, see
    /// [`crate::validate::time_in_range`]) becomes `now`. Once the user has set the phone's
    /// clock right, the same form (or its draft) then saves a record the server takes, instead
    /// of one stamped 1970.
    pub fn restamp_new(&mut self, now: DateTime<Utc>) {
        use crate::validate::or_now;
        self.created_at = or_now(self.created_at, now);
        self.updated_at = or_now(self.updated_at, now);
        if let Some(position) = &mut self.position {
            position.taken_at = or_now(position.taken_at, now);
        }
    }

    /// Turns the record into a tombstone; its content is kept so nothing is lost before sync.
    pub fn mark_deleted(&mut self, now: DateTime<Utc>) {
        self.touch(now);
        self.deleted_at = Some(now);
    }
}

/// A three-way merge for an edit that was saved while the stored copy changed under it (a
/// sync brought the township's change, or another tab saved): the fields the user changed
/// from `base` (what the form opened with) to `mine` are applied to `theirs` (what is stored
/// now), and everything else of `theirs` is kept. Where both changed the same field, the
/// user's value wins: it is what they see and just confirmed. An edit brings a record that
/// was deleted meanwhile back (nothing the user typed disappears). The result carries
/// `theirs`' revision, so saving it (which bumps the revision) is newer than both. Follow-up
/// visits of both sides are all kept.
pub fn rebase(base: &Record, mine: &Record, theirs: &Record) -> Record {
    let to_value = |r: &Record| serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    let (base_v, mine_v, mut merged) = (to_value(base), to_value(mine), to_value(theirs));
    apply_changes(&base_v, &mine_v, &mut merged);
    let mut record: Record = serde_json::from_value(merged).unwrap_or_else(|_| mine.clone());
    record.revision = theirs.revision.max(mine.revision);
    record.deleted_at = mine.deleted_at;
    // Visits are facts: both sides' visits stay, whichever list the merge started from.
    record.take_visits_from(mine);
    record.take_visits_from(theirs);
    record
}

/// Applies the change from `base` to `mine` onto `target`, object key by object key; any
/// other changed value (text, number, list) replaces the target's whole.
fn apply_changes(
    base: &serde_json::Value,
    mine: &serde_json::Value,
    target: &mut serde_json::Value,
) {
    use serde_json::Value;
    if base == mine {
        return;
    }
    match (base, mine, target) {
        (Value::Object(b), Value::Object(m), Value::Object(t)) => {
            for (key, mine_value) in m {
                let base_value = b.get(key).unwrap_or(&Value::Null);
                if base_value == mine_value {
                    continue;
                }
                match t.get_mut(key) {
                    Some(target_value) => apply_changes(base_value, mine_value, target_value),
                    None => {
                        t.insert(key.clone(), mine_value.clone());
                    }
                }
            }
            for key in b.keys().filter(|k| !m.contains_key(*k)) {
                t.remove(key);
            }
        }
        (_, mine, target) => *target = mine.clone(),
    }
}
