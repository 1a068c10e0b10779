//! River Patrol's domain: what an inspection record is, how it is checked, and how it is
//! stored. Pure Rust, no browser and no I/O, shared by the app and the server.

pub mod backup;
pub mod basemap;
pub mod capture;
pub mod codec;
pub mod csv;
pub mod dispatch;
pub mod draft;
pub mod filter;
pub mod geo;
pub mod import;
pub mod kinds;
pub mod map_clusters;
pub mod patrol;
pub mod patrol_rule;
pub mod patrol_stats;
pub mod provenance;
pub mod record;
pub mod report;
pub mod stamp;
pub mod stats;
pub mod sync;
pub mod sync_state;
pub mod validate;
pub mod visit;
pub mod watermark;
pub mod workflow;

pub use dispatch::{DispatchRequest, DispatchUpdate};
pub use kinds::*;
pub use patrol::{Patrol, TrackPoint};
pub use provenance::{Exif, PhotoSource, off_site_note};
pub use record::*;
pub use sync::{
    ErrorBody, ErrorResponse, Health, Limits, Outcome, PhotoReceipt, PhotoStored, PullResponse,
    PushRecord, PushRequest, PushResponse, PushResult, ServerRecord, SyncProblem,
};
pub use validate::{FieldError, Problem, validate};
pub use visit::{FollowUp, FollowUpError, HistoryEntry, Review, ReviewError, Visit};

/// Version of the stored record format. Bump it together with a migration in [`codec`].
pub const SCHEMA_VERSION: u32 = 1;
