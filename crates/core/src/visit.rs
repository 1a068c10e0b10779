//! Follow-up visits (复查): every later look at a problem, with who, when, where, photos, notes
//! and the status before and after. A visit is a fact: once saved it never changes (a
//! correction is a new visit), so two copies of a problem can always be merged by taking every
//! visit either of them has.
//!
//! The visits travel inside their [`Record`] (one storage key, one sync unit), and a visit is
//! the only way a saved problem's status changes: [`Record::follow_up`] checks the workflow,
//! appends the visit and moves the status with it; [`Record::review`] does the same for the
//! township office's check of a fixed problem (销号, or 退回 with a reason), a visit marked
//! `review`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{PhotoRef, Position, Record, Status};
use crate::validate::{FieldError, MAX_NOTES, Problem, check_position, field};
use crate::workflow::RefusedTransition;

/// One follow-up visit to a problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// Made on the device, like a record's id; merging copies goes by it.
    pub id: Uuid,
    #[serde(with = "crate::stamp::instant")]
    pub at: DateTime<Utc>,
    /// Officer who made the visit.
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub position: Option<Position>,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    #[serde(default)]
    pub notes: String,
    /// The problem's status when the visit began and the one it left (the same when the visit
    /// only notes progress).
    pub from: Status,
    pub to: Status,
    /// The patrol (巡河) the visit was made on, if one was under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patrol: Option<Uuid>,
    /// The township office's check ([`Record::review`]): closing a fixed problem (销号) or
    /// sending it back (退回) with the reason in `notes`. Only the office makes such a visit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub review: bool,
}

/// What the user enters for a follow-up; [`Record::follow_up`] makes the [`Visit`] of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FollowUp {
    pub to: Status,
    pub notes: String,
    pub position: Option<Position>,
    pub photos: Vec<PhotoRef>,
    pub patrol: Option<Uuid>,
}

/// Why a follow-up was not saved: the workflow refuses the change, or a field is wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum FollowUpError {
    Refused(RefusedTransition),
    Invalid(Vec<FieldError>),
}

/// The township office's decision on a problem reported fixed: `"close"` or `"send_back"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// 销号: checked and closed (fixed → closed).
    Close,
    /// 退回: not right yet, back to open (fixed → open), with the reason.
    SendBack,
}

/// Why the office's review was not made; the record is unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewError {
    /// Only a problem reported fixed (已整改) is checked; this one is in `status`.
    NotFixed { status: Status },
    /// The problem is deleted.
    Deleted,
    /// Sending back needs a reason: the village must know what is still wrong.
    ReasonRequired,
    /// The reason is longer than [`MAX_NOTES`] characters.
    ReasonTooLong { max: usize },
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::kinds::Choice;
        match self {
            ReviewError::NotFixed { status } => write!(
                f,
                "only a problem reported fixed is checked; this one is {}",
                status.as_str()
            ),
            ReviewError::Deleted => f.write_str("the problem is deleted"),
            ReviewError::ReasonRequired => f.write_str("sending a problem back needs a reason"),
            ReviewError::ReasonTooLong { max } => {
                write!(f, "the reason is longer than {max} characters")
            }
        }
    }
}

/// One line of a problem's history: the visit that found it, then every follow-up, oldest
/// first.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// `None` for the finding itself (the record's own id is the problem's).
    pub visit: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub author: String,
    pub position: Option<Position>,
    pub photos: Vec<PhotoRef>,
    pub notes: String,
    /// `None` when found: there was no status before.
    pub from: Option<Status>,
    pub to: Status,
    /// The township office's check (销号 / 退回, [`Record::review`]).
    pub review: bool,
}

/// Every problem a follow-up has, in form order (notes, then position). Never panics.
pub fn validate_follow_up(follow_up: &FollowUp) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if follow_up.notes.trim().chars().count() > MAX_NOTES {
        errors.push(FieldError {
            field: field::NOTES,
            problem: Problem::TooLong { max: MAX_NOTES },
        });
    }
    if let Some(position) = &follow_up.position {
        errors.extend(check_position(position));
    }
    errors
}

impl Record {
    /// Records a follow-up visit made `at` by `author`: checks the status change against the
    /// workflow and the fields, then appends the visit and moves the status. The record is
    /// unchanged when it refuses. The caller saves (which bumps the revision).
    pub fn follow_up(
        &mut self,
        follow_up: FollowUp,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<&Visit, FollowUpError> {
        self.follow_up_as(Uuid::new_v4(), follow_up, author, at)
    }

    /// [`Record::follow_up`] with the visit's id chosen by the caller (the one its draft
    /// carries). If the record already has a visit with that id, that visit is the answer and
    /// nothing changes: a follow-up saved again after a save cut short is not added twice.
    pub fn follow_up_as(
        &mut self,
        id: Uuid,
        follow_up: FollowUp,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<&Visit, FollowUpError> {
        self.visit_as(id, follow_up, false, author, at)
    }

    /// The township office's check made on its follow-up screen, with the follow-up's photos,
    /// position and notes (the reason): a problem reported fixed is closed (to closed, 销号)
    /// or sent back (to open, 退回, which needs the reason in `notes`). Any other status, or
    /// another change, is refused. Like [`Record::follow_up_as`], a visit id already there is
    /// the answer and nothing changes.
    pub fn review_as(
        &mut self,
        id: Uuid,
        follow_up: FollowUp,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<&Visit, FollowUpError> {
        if !self.visits.iter().any(|v| v.id == id) {
            let (from, to) = (self.status, follow_up.to);
            if from != Status::Fixed || !matches!(to, Status::Closed | Status::Open) {
                return Err(FollowUpError::Refused(RefusedTransition { from, to }));
            }
            if to == Status::Open && follow_up.notes.trim().is_empty() {
                return Err(FollowUpError::Invalid(vec![FieldError {
                    field: field::NOTES,
                    problem: Problem::Required,
                }]));
            }
        }
        self.visit_as(id, follow_up, true, author, at)
    }

    fn visit_as(
        &mut self,
        id: Uuid,
        follow_up: FollowUp,
        review: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<&Visit, FollowUpError> {
        if let Some(i) = self.visits.iter().position(|v| v.id == id) {
            return Ok(&self.visits[i]);
        }
        self.status
            .transition(follow_up.to)
            .map_err(FollowUpError::Refused)?;
        let errors = validate_follow_up(&follow_up);
        if !errors.is_empty() {
            return Err(FollowUpError::Invalid(errors));
        }
        let FollowUp {
            to,
            notes,
            position,
            photos,
            patrol,
        } = follow_up;
        self.visits.push(Visit {
            id,
            at,
            author: author.to_owned(),
            position,
            photos,
            notes: notes.trim().to_owned(),
            from: self.status,
            to,
            patrol,
            review,
        });
        self.status = to;
        Ok(self.visits.last().expect("just pushed"))
    }

    /// The township office's check of a problem reported fixed, made `at` by `author` (the
    /// office's token holder): [`Review::Close`] closes it (销号), [`Review::SendBack`] sends
    /// it back to open (退回) with `reason` (required, trimmed, at most [`MAX_NOTES`]
    /// characters; a closing's optional remark otherwise). Appends a visit marked `review`
    /// with the reason as its notes and moves the status. The record is unchanged when it
    /// refuses. Like [`Record::follow_up`] it bumps nothing: the caller saves (the server
    /// stores it as a new server revision).
    pub fn review(
        &mut self,
        decision: Review,
        reason: &str,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<&Visit, ReviewError> {
        if self.is_deleted() {
            return Err(ReviewError::Deleted);
        }
        let to = match decision {
            Review::Close => Status::Closed,
            Review::SendBack => Status::Open,
        };
        let check = FollowUp {
            to,
            notes: reason.to_owned(),
            ..FollowUp::default()
        };
        let status = self.status;
        self.review_as(Uuid::new_v4(), check, author, at)
            .map_err(|e| match e {
                FollowUpError::Refused(_) => ReviewError::NotFixed { status },
                FollowUpError::Invalid(errors)
                    if errors.iter().any(|e| e.problem == Problem::Required) =>
                {
                    ReviewError::ReasonRequired
                }
                FollowUpError::Invalid(_) => ReviewError::ReasonTooLong { max: MAX_NOTES },
            })
    }

    /// The finding, then every follow-up visit, oldest first.
    pub fn history(&self) -> Vec<HistoryEntry> {
        let found_status = self.visits.first().map_or(self.status, |v| v.from);
        let found = HistoryEntry {
            visit: None,
            at: self.created_at,
            author: self.author.clone(),
            position: self.position.clone(),
            photos: self.photos.clone(),
            notes: self.notes.clone(),
            from: None,
            to: found_status,
            review: false,
        };
        std::iter::once(found)
            .chain(self.visits.iter().map(|v| HistoryEntry {
                visit: Some(v.id),
                at: v.at,
                author: v.author.clone(),
                position: v.position.clone(),
                photos: v.photos.clone(),
                notes: v.notes.clone(),
                from: Some(v.from),
                to: v.to,
                review: v.review,
            }))
            .collect()
    }

    /// When the problem was last looked at: the latest follow-up, else when it was found.
    pub fn last_visit_at(&self) -> DateTime<Utc> {
        self.visits
            .iter()
            .map(|v| v.at)
            .max()
            .unwrap_or(self.created_at)
            .max(self.created_at)
    }

    /// When it was reported fixed (整改完成), as long as it still counts as fixed or closed:
    /// the latest visit that set it to fixed. A problem found already fixed was fixed when
    /// found. `None` while it is outstanding (a reopened problem is no longer fixed).
    pub fn fixed_at(&self) -> Option<DateTime<Utc>> {
        if self.status.is_outstanding() {
            return None;
        }
        self.visits
            .iter()
            .rev()
            .find(|v| v.to == Status::Fixed && v.from != Status::Fixed)
            .map(|v| v.at)
            .or_else(|| {
                let found_status = self.visits.first().map_or(self.status, |v| v.from);
                (!found_status.is_outstanding()).then_some(self.created_at)
            })
    }

    /// Every photo of the problem: the finding's, then each visit's.
    pub fn all_photos(&self) -> impl Iterator<Item = &PhotoRef> {
        self.photos
            .iter()
            .chain(self.visits.iter().flat_map(|v| v.photos.iter()))
    }

    /// Adds the visits `other` has and this copy lacks (visits are facts: a merge of two
    /// copies keeps every one), in time order. Returns whether anything was added.
    pub fn take_visits_from(&mut self, other: &Record) -> bool {
        let before = self.visits.len();
        for visit in &other.visits {
            if !self.visits.iter().any(|v| v.id == visit.id) {
                self.visits.push(visit.clone());
            }
        }
        if self.visits.len() == before {
            return false;
        }
        self.visits
            .sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        true
    }
}
