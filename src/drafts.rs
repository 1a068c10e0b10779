//! Drafts in localStorage, one key per record being typed (see `patrol_core::draft`).
//! Unreadable drafts are skipped and left where they are; a draft is removed only when its
//! record is saved (at the save, or at the next start if the app was killed in between) or
//! the user discards it.

use gloo_storage::{LocalStorage, Storage};
use patrol_core::draft::{DRAFT_KEY_PREFIX, Draft, decode_draft, draft_key, encode_draft};
use uuid::Uuid;

use crate::store::{self, SaveError};

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
    LocalStorage::delete(draft_key(id));
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
    use patrol_core::visit::{FOLLOW_UP_DRAFT_PREFIX, FollowUpDraft};
    store::keys()
        .into_iter()
        .filter(|k| k.starts_with(FOLLOW_UP_DRAFT_PREFIX))
        .filter_map(|k| store::read_raw(&k))
        .filter_map(|text| serde_json::from_str::<FollowUpDraft>(&text).ok())
        .flat_map(|d| d.photos.into_iter().map(|p| p.id))
        .collect()
}
