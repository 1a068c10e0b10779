pub mod detail;
pub mod form;
pub mod list;
pub mod new;
pub mod not_found;
// Until the form, detail and list render them; drop this allow when they do.
#[allow(dead_code)]
pub mod photos;
pub mod position;
pub mod settings;
