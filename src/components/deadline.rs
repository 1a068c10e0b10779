//! A problem's deadline as a badge, beside it in the list, on its page and in the statistics.

use leptos::prelude::*;

use crate::i18n::*;

/// "逾期 3 天" / "今天到期" / "5 天后到期" beside a problem; nothing when the deadline is far
/// off, absent, or the problem is fixed. Told by text and icon, not colour alone.
#[component]
pub fn DeadlineBadge(state: patrol_core::workflow::DeadlineState) -> impl IntoView {
    use patrol_core::workflow::DeadlineState;
    let i18n = use_i18n();
    let (class, text) = match state {
        DeadlineState::Overdue { days } => (
            "deadline-badge overdue",
            Some(Signal::derive(move || {
                t_string!(i18n, deadline.overdue, days).to_string()
            })),
        ),
        DeadlineState::DueSoon { days: 0 } => (
            "deadline-badge due-soon",
            Some(Signal::derive(move || {
                t_string!(i18n, deadline.due_today).to_string()
            })),
        ),
        DeadlineState::DueSoon { days } => (
            "deadline-badge due-soon",
            Some(Signal::derive(move || {
                t_string!(i18n, deadline.due_soon, days).to_string()
            })),
        ),
        DeadlineState::OnTrack | DeadlineState::NotDue => ("", None),
    };
    text.map(|text| view! { <span class=class data-testid="deadline-badge">{text}</span> })
}
