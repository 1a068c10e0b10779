//! One file per route. A page takes what it shows from `components/` and the app's state; it
//! never imports another page.

pub mod connect;
pub mod desk;
pub mod detail;
pub mod devices;
pub mod edit_record;
pub mod follow_up;
pub mod import;
pub mod list;
pub mod map;
pub mod new;
pub mod new_record;
pub mod patrol;
pub mod patrols;
pub mod report;
pub mod settings;
pub mod stats;
