//! A draft: a record (or a follow-up visit) still being typed, kept on the phone so nothing is lost if the app is
//! closed, the phone locks or the page reloads. A draft is not a record: it lives under its own
//! keys, is never synced, and becomes a record only when the user saves it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::codec::{self, DecodeError};
use crate::{PhotoRef, Position, Record, Status};

/// localStorage key prefix of drafts: `rp/v1/draft/<record uuid>`.
pub const DRAFT_KEY_PREFIX: &str = "rp/v1/draft/";

pub fn draft_key(id: Uuid) -> String {
    format!("{DRAFT_KEY_PREFIX}{id}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The record as the form holds it, stored in the record format (and migrated with it).
    pub record: Record,
    /// A new record (not yet saved once) rather than an edit of a saved one.
    pub is_new: bool,
    /// Inputs kept as typed, such as a half-typed coordinate, by field name.
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// The GPS fix the user took, if any, with its accuracy.
    #[serde(default)]
    pub fix: Option<Position>,
    #[serde(with = "crate::stamp::instant")]
    pub saved_at: DateTime<Utc>,
}

impl Draft {
    /// Whether this is a new record's draft whose record is saved exactly as it stands in
    /// `stored`: the save wrote the record and the app was killed before it removed the draft.
    /// Such a draft holds nothing unsaved. (What saving itself sets, the revision, the time of
    /// the change and the patrol under way, is not compared.) An edit's draft never counts.
    pub fn is_saved_as(&self, stored: &Record) -> bool {
        if !self.is_new || stored.id != self.record.id || stored.is_deleted() {
            return false;
        }
        let mut typed = self.record.clone();
        typed.revision = stored.revision;
        typed.updated_at = stored.updated_at;
        typed.patrol = stored.patrol;
        typed.schema = stored.schema;
        typed == *stored
    }
}

/// The stored text of a draft.
pub fn encode_draft(draft: &Draft) -> String {
    let mut value = serde_json::to_value(draft).expect("a Draft always serializes to JSON");
    if let Value::Object(map) = &mut value {
        // The record part in exactly the stored record format, so its migrations apply.
        let record: Value =
            serde_json::from_str(&codec::encode(&draft.record)).expect("an encoded record is JSON");
        map.insert("record".into(), record);
    }
    value.to_string()
}

/// Reads a stored draft, migrating its record from an older schema if needed. Never panics.
pub fn decode_draft(text: &str) -> Result<Draft, DecodeError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    let Some(record) = value.get_mut("record").map(Value::take) else {
        return Err(DecodeError::Invalid("draft without a record".into()));
    };
    let record = codec::decode(&record.to_string())?.record;
    // The rest of the draft on its own: turning the record back into a Value to read the whole
    // draft in one go would bring a second record writer into the app's first screen.
    let rest: DraftRest =
        serde_json::from_value(value).map_err(|e| DecodeError::Invalid(e.to_string()))?;
    Ok(Draft {
        record,
        is_new: rest.is_new,
        texts: rest.texts,
        fix: rest.fix,
        saved_at: rest.saved_at,
    })
}

/// A stored draft's fields but its record, as [`Draft`] reads them.
#[derive(Deserialize)]
struct DraftRest {
    is_new: bool,
    #[serde(default)]
    texts: BTreeMap<String, String>,
    #[serde(default)]
    fix: Option<Position>,
    #[serde(with = "crate::stamp::instant")]
    saved_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    #[test]
    fn a_new_records_draft_left_behind_by_its_save_is_recognised() {
        let typed = draft();
        let mut stored = typed.record.clone();
        stored.touch("2026-11-28T08:05:00Z".parse().unwrap());
        stored.patrol = Some(Uuid::from_u128(7));
        assert!(typed.is_saved_as(&stored));

        // Anything typed that the stored record lacks keeps the draft.
        let mut more = typed.clone();
        more.record.notes = "后来又写的".into();
        assert!(!more.is_saved_as(&stored));
        // An edit's draft, another record, a deleted record: never.
        let edit = Draft {
            is_new: false,
            ..typed.clone()
        };
        assert!(!edit.is_saved_as(&stored));
        let mut other = stored.clone();
        other.id = Uuid::from_u128(8);
        assert!(!typed.is_saved_as(&other));
        let mut deleted = stored.clone();
        deleted.mark_deleted("2026-11-28T09:00:00Z".parse().unwrap());
        assert!(!typed.is_saved_as(&deleted));
    }

    fn draft() -> Draft {
        let now = "2026-11-28T08:00:00Z".parse().unwrap();
        let mut record = Record::new(Kind::LivestockFarm, "张三", "杨柳村", now);
        record.title = "养殖场未整改".into();
        Draft {
            record,
            is_new: true,
            texts: BTreeMap::from([
                ("latitude".into(), "31.".into()),
                ("head_count".into(), "12a".into()),
            ]),
            fix: None,
            saved_at: now,
        }
    }

    #[test]
    fn a_draft_round_trips_with_half_typed_text() {
        let d = draft();
        assert_eq!(decode_draft(&encode_draft(&d)).unwrap(), d);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in ["", "{", "[]", "{\"record\":1}", "{\"is_new\":true}", "null"] {
            assert!(decode_draft(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_draft_from_a_newer_app_is_reported_as_such() {
        let text = encode_draft(&draft()).replace("\"schema\":1", "\"schema\":99");
        assert_eq!(
            decode_draft(&text),
            Err(DecodeError::NewerSchema { found: 99 })
        );
    }
}

/// Where a follow-up being typed is kept (one per problem) until it is saved.
pub const FOLLOW_UP_DRAFT_PREFIX: &str = "rp/v1/follow-up/";

pub fn follow_up_draft_key(record: Uuid) -> String {
    format!("{FOLLOW_UP_DRAFT_PREFIX}{record}")
}

/// A follow-up as typed so far; `from` is the status it was begun against (a draft begun
/// before the status changed elsewhere is not offered again).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUpDraft {
    /// The id the visit gets when saved ([`Record::follow_up_as`]): a draft the save left
    /// behind (the app killed in between) is then known by the record having that visit.
    #[serde(default)]
    pub visit: Option<Uuid>,
    pub from: Status,
    pub to: Status,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    #[serde(default)]
    pub position: Option<Position>,
}
