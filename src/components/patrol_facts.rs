//! How a patrol is told in words wherever it appears: its distance, its river and section,
//! and whether the township's server has it.

use patrol_core::Patrol;

use crate::components::sync_status::problem_text;
use crate::i18n::*;
use crate::sync::{PatrolStatus, SyncEngine};

/// "560 米" / "1.25 公里".
pub fn distance(locale: Locale, metres: f64) -> String {
    if metres < 1000.0 {
        let n = crate::format::decimal(locale, metres, 0);
        td_string!(locale, patrols.metres, n).to_string()
    } else {
        let n = crate::format::decimal(locale, metres / 1000.0, 2);
        td_string!(locale, patrols.km, n).to_string()
    }
}

pub fn river_and_section(p: &Patrol) -> String {
    if p.section.is_empty() {
        p.river.clone()
    } else {
        format!("{} · {}", p.river, p.section)
    }
}

/// Whether the township's server has this patrol, in words (with the reasons if it refused).
pub fn sync_text(engine: SyncEngine, locale: Locale, p: &Patrol) -> String {
    match engine.patrol_status(p) {
        PatrolStatus::Synced => td_string!(locale, sync.badge_synced).to_string(),
        PatrolStatus::Pending => td_string!(locale, sync.badge_pending).to_string(),
        PatrolStatus::Rejected(problems) => {
            let reasons: Vec<String> = problems.iter().map(|q| problem_text(locale, q)).collect();
            format!(
                "{}: {}",
                td_string!(locale, sync.badge_rejected),
                reasons.join("; ")
            )
        }
    }
}
