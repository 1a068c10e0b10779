//! Dispatch (交办): the township office gives a village a problem to rectify, a new one it
//! found or was told of ([`DispatchRequest`]), or one already in the ledger with its
//! responsible people and deadline settled ([`DispatchUpdate`]). The problem carries
//! [`Dispatch`] from then on, so the village's phones show it as the township's, and only
//! the office sets it ([`crate::workflow::office_only_change`]). Checked with the same
//! [`crate::validate`] as any record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kinds::Kind;
use crate::record::{Dispatch, Record, Responsibility, Status};
use crate::validate::{FieldError, check_times, validate};

/// `POST /api/v1/dispatches`: a new problem for `village`, dispatched by the office.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DispatchRequest {
    pub kind: Kind,
    pub village: String,
    /// 问题描述; required for [`Kind::Other`], as on the phone's form.
    #[serde(default)]
    pub title: String,
    /// 位置.
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub responsibility: Responsibility,
    /// 整改时限.
    #[serde(default, with = "crate::stamp::date_option")]
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub notes: String,
}

impl DispatchRequest {
    /// The problem it makes, found `now` by the office's token holder `by` and dispatched at
    /// once: a fresh record (new id, revision 1, open), with every field trimmed; else every
    /// problem of it ([`validate`], and [`check_times`] against `now`).
    pub fn into_record(self, by: &str, now: DateTime<Utc>) -> Result<Record, Vec<FieldError>> {
        let mut record = Record::new(self.kind, by, self.village.trim(), now);
        record.title = self.title.trim().to_owned();
        record.place = self.place.trim().to_owned();
        record.notes = self.notes.trim().to_owned();
        record.responsibility = trimmed(self.responsibility);
        record.deadline = self.deadline;
        record.dispatched = Some(Dispatch {
            at: now,
            by: by.to_owned(),
        });
        record.touch(now);
        checked(record, now)
    }
}

/// `POST /api/v1/records/{id}/dispatch`: an existing problem given to its village, with its
/// responsible people and deadline when they are given (left as they are when absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DispatchUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsibility: Option<Responsibility>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::stamp::date_option"
    )]
    pub deadline: Option<NaiveDate>,
}

/// Why a problem was not dispatched; the record is unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DispatchError {
    /// The problem is deleted.
    Deleted,
    /// The problem is closed (已销号): there is nothing left to rectify.
    Closed,
    /// What the update gives does not pass [`validate`].
    Invalid(Vec<FieldError>),
}

impl std::fmt::Display for DispatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DispatchError::Deleted => f.write_str("the problem is deleted"),
            DispatchError::Closed => f.write_str("the problem is closed: nothing to rectify"),
            DispatchError::Invalid(errors) => f.write_str(&describe(errors)),
        }
    }
}

impl Record {
    /// Dispatches this problem (交办) `now`, by the office's token holder `by`: applies what
    /// `update` gives and marks it dispatched (again, if it was: the latest dispatch counts).
    /// The record is unchanged when it refuses. Bumps nothing: the caller saves (the server
    /// stores it as a new server revision).
    pub fn dispatch(
        &mut self,
        update: DispatchUpdate,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DispatchError> {
        if self.is_deleted() {
            return Err(DispatchError::Deleted);
        }
        if self.status == Status::Closed {
            return Err(DispatchError::Closed);
        }
        let mut changed = self.clone();
        if let Some(responsibility) = update.responsibility {
            changed.responsibility = trimmed(responsibility);
        }
        if update.deadline.is_some() {
            changed.deadline = update.deadline;
        }
        changed.dispatched = Some(Dispatch {
            at: now,
            by: by.to_owned(),
        });
        let errors = validate(&changed);
        if !errors.is_empty() {
            return Err(DispatchError::Invalid(errors));
        }
        *self = changed;
        Ok(())
    }
}

/// Every problem in one English sentence, for logs and an error's message.
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.problem.key().replace('_', " ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn trimmed(r: Responsibility) -> Responsibility {
    Responsibility {
        leader: r.leader.trim().to_owned(),
        department: r.department.trim().to_owned(),
        person: r.person.trim().to_owned(),
        phone: r.phone.trim().to_owned(),
    }
}

fn checked(record: Record, now: DateTime<Utc>) -> Result<Record, Vec<FieldError>> {
    let mut errors = validate(&record);
    errors.extend(check_times(&record, now));
    if errors.is_empty() {
        Ok(record)
    } else {
        Err(errors)
    }
}

/// localStorage key of the dispatched problems this phone has opened (a JSON array of their
/// ids): the list marks the others as new (新交办) until they are opened.
pub const DISPATCH_OPENED_KEY: &str = "rp/v1/dispatch-opened";
