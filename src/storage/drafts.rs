//! Drafts in localStorage: one key per record being typed (see `patrol_core::draft`), and one
//! per follow-up visit being typed. Unreadable drafts are skipped and left where they are; a draft is removed only when its
//! record is saved (at the save, or at the next start if the app was killed in between) or
//! the user discards it.

use patrol_core::draft::{
    DRAFT_KEY_PREFIX, Draft, FOLLOW_UP_DRAFT_PREFIX, FollowUpDraft, decode_draft, draft_key,
    encode_draft, follow_up_draft_key,
};
use uuid::Uuid;

use super::keys::{self as store, SaveError};

pub fn save(draft: &Draft) -> Result<(), SaveError> {
    store::write_text(&draft_key(draft.record.id), &encode_draft(draft))
}

pub fn load(id: Uuid) -> Option<Draft> {
    store::read_raw(&draft_key(id)).and_then(|text| decode_draft(&text).ok())
}

/// Every readable draft, most recently typed first.
pub fn all() -> Vec<Draft> {
    let mut drafts: Vec<Draft> = store::keys()
        .into_iter()
        .filter(|k| k.starts_with(DRAFT_KEY_PREFIX))
        .filter_map(|k| store::read_raw(&k))
        .filter_map(|text| decode_draft(&text).ok())
        .collect();
    drafts.sort_by_key(|d| std::cmp::Reverse(d.saved_at));
    drafts
}

pub fn remove(id: Uuid) {
    store::remove(&draft_key(id));
}

/// Removes the drafts whose record is already saved as it stands among `records`: left
/// behind when the app was killed between writing a new record and removing its draft, they
/// would be offered as unsaved work that is not.
pub fn forget_saved(records: &[patrol_core::Record]) {
    for draft in all() {
        if records
            .iter()
            .find(|r| r.id == draft.record.id)
            .is_some_and(|stored| draft.is_saved_as(stored))
        {
            remove(draft.record.id);
        }
    }
}

/// Photos of follow-ups being typed (`rp/v1/follow-up/<record id>`), which must outlive a
/// photo clean-up as much as a record draft's.
pub fn follow_up_photos() -> Vec<Uuid> {
    store::keys()
        .into_iter()
        .filter(|k| k.starts_with(FOLLOW_UP_DRAFT_PREFIX))
        .filter_map(|k| store::read_raw(&k))
        .filter_map(|text| serde_json::from_str::<FollowUpDraft>(&text).ok())
        .flat_map(|d| d.photos.into_iter().map(|p| p.id))
        .collect()
}

/// The follow-up being typed for record `id`, kept on every change so a reload or a frozen tab
/// loses nothing (photos included: the garbage collector keeps a draft's photos).
pub fn load_follow_up(id: Uuid) -> Option<FollowUpDraft> {
    store::read_raw(&follow_up_draft_key(id)).and_then(|t| serde_json::from_str(&t).ok())
}

pub fn save_follow_up(id: Uuid, draft: &FollowUpDraft) -> Result<(), SaveError> {
    let text = serde_json::to_string(draft).unwrap_or_default();
    store::write_text(&follow_up_draft_key(id), &text)
}

pub fn remove_follow_up(id: Uuid) {
    store::remove(&follow_up_draft_key(id));
}
