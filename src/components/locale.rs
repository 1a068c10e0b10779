//! The language the officer chose in settings, applied over the browser's.

use leptos::prelude::*;

use crate::i18n::*;
use crate::storage::settings::Settings;

/// Applies the language chosen in settings; without one the browser's language stands.
#[component]
pub fn LocaleFromSettings() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let chosen = settings.with_untracked(|s| s.language.clone());
    let chosen = Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str() == chosen);
    // An effect, because the i18n context applies the browser's language in an effect of its
    // own; created after it, this one runs after it.
    Effect::new(move |_| {
        if let Some(locale) = chosen {
            i18n.set_locale(locale);
        }
    });
}
