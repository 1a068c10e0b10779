//! What the phone stores, and the only code that touches localStorage, IndexedDB or Cache Storage: one module
//! per stored thing (docs/storage.md), the key and quota helpers, and the start-up check of
//! what the phone holds.
//!
//! - `records`: the records, one localStorage key each, with quarantine for unreadable ones;
//! - `drafts`: records and follow-up visits being typed;
//! - `patrols`: the patrols with their tracks;
//! - `sync_state`: the sync bookkeeping;
//! - `settings`: the officer's settings;
//! - `township`: the township's rules, as last pulled from its server;
//! - `opened`: which problems dispatched by the township this phone has opened;
//! - `import_run`: how far an import of the office's ledger has gone, while it runs;
//! - `photos`: the photos' bytes, in IndexedDB;
//! - `map_area`: the offline map area's plan and progress, and its tiles in Cache Storage;
//! - `keys`: localStorage by key, and how a refused write is told;
//! - `quota`: how much the browser lets the app store, and whether it may evict it;
//! - `held`: whether the phone holds anything at start, and reading it all.

pub mod drafts;
pub mod held;
pub mod import_run;
pub mod keys;
pub mod map_area;
pub mod opened;
pub mod patrols;
pub mod photos;
pub mod quota;
pub mod records;
pub mod settings;
pub mod sync_state;
pub mod township;

pub use keys::SaveError;
