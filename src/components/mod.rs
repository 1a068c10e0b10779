//! What more than one screen shows: the problems' search and filters, form fields, photos, the position block, sync status, a
//! problem's history, a record's fields by kind, the patrol bar, the backup section, what a failed share says, the offline map
//! area (the map downloads it, settings counts and deletes it) and the shell's own pieces. A component never imports a page.

pub mod backup;
pub mod clock;
pub mod deadline;
pub mod dialog;
pub mod draft_autosave;
pub mod fields;
pub mod filter_bar;
pub mod history;
pub mod locale;
pub mod map_picker;
pub mod nav;
pub mod not_found;
pub mod offline_area;
pub mod part_missing;
pub mod patrol_bar;
pub mod patrol_facts;
pub mod photos;
pub mod position;
pub mod record_fields;
pub mod record_form;
pub mod share;
pub mod stored_missing;
pub mod sync_status;
