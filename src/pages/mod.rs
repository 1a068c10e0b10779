pub mod detail;
pub mod form;
pub mod list;
pub mod new;
pub mod not_found;
// Until the record form renders `PositionField`; drop this allow when it does.
#[allow(dead_code)]
pub mod position;
pub mod settings;
