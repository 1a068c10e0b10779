//! The app's reactive state over what the phone stores: the records ([`Ledger`]) and the
//! patrols ([`Patrols`]), each loaded once and changed only through methods that write to
//! storage (src/storage/) first; and the filter the list and the map share ([`filter`]).

pub mod filter;
pub mod ledger;
pub mod patrols;

pub use ledger::Ledger;
pub use patrols::Patrols;
