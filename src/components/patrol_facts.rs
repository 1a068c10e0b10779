//! How a patrol is told in words wherever it appears: its distance, its river and section,
//! whether it counts as a valid patrol by the township's rule and why not, and whether the
//! township's server has it.

use patrol_core::Patrol;
use patrol_core::patrol_rule::{Finding, PatrolRule, Verdict};

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

/// "有效巡河" or "未达有效巡河".
pub fn verdict_text(locale: Locale, verdict: &Verdict) -> &'static str {
    if verdict.valid {
        td_string!(locale, patrols.valid)
    } else {
        td_string!(locale, patrols.not_valid)
    }
}

/// One reason a patrol does not count, in words.
pub fn finding_text(locale: Locale, finding: &Finding) -> String {
    match finding {
        Finding::TooShort {
            minutes,
            min_minutes,
        } => td_string!(locale, patrols.too_short, minutes, min_minutes).to_string(),
        Finding::TooLittleDistance { metres, min_metres } => {
            let (counted, least) = (
                distance(locale, f64::from(*metres)),
                distance(locale, f64::from(*min_metres)),
            );
            td_string!(locale, patrols.too_little_distance, counted, least).to_string()
        }
        Finding::TooFast { km_h, from, to } => {
            let speed = crate::format::decimal(locale, *km_h, 0);
            let (from, to) = (
                crate::format::time(locale, *from),
                crate::format::time(locale, *to),
            );
            td_string!(locale, patrols.too_fast, speed, from, to).to_string()
        }
        Finding::Jumps { count } => td_string!(locale, patrols.jumps, count).to_string(),
    }
}

/// "有效巡河须至少 15 分钟、1 公里（乡镇规定）".
pub fn rule_text(locale: Locale, rule: &PatrolRule) -> String {
    let minutes = rule.min_minutes;
    let least = distance(locale, f64::from(rule.min_metres));
    td_string!(locale, patrols.rule, minutes, least).to_string()
}
