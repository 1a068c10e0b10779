pub mod detail;
pub mod form;
pub mod list;
pub mod new;
pub mod not_found;
pub mod photos;
pub mod position;
pub mod settings;
