//! The rectification workflow: every allowed and refused status change, and deadlines at the
//! day boundaries in a fixed time zone.

mod common;

use chrono::FixedOffset;
use common::*;
use patrol_core::workflow::{DeadlineState, RefusedTransition, local_day};
use patrol_core::*;

use Status::*;

#[test]
fn every_transition_is_allowed_or_refused_as_the_ledger_works() {
    let allowed = [
        (Open, Open),
        (Open, Rectifying),
        (Open, Fixed),
        (Rectifying, Rectifying),
        (Rectifying, Fixed),
        (Fixed, Fixed),
        (Fixed, Closed),
        (Fixed, Open),
        (Closed, Closed),
        (Closed, Open),
    ];
    for &from in Status::ALL {
        for &to in Status::ALL {
            let expected = allowed.contains(&(from, to));
            assert_eq!(from.can_become(to), expected, "{from:?} → {to:?}");
            match from.transition(to) {
                Ok(status) => {
                    assert!(expected, "{from:?} → {to:?} should be refused");
                    assert_eq!(status, to);
                }
                Err(refused) => {
                    assert!(!expected, "{from:?} → {to:?} should be allowed");
                    assert_eq!(refused, RefusedTransition { from, to });
                }
            }
        }
    }
}

#[test]
fn a_refusal_says_what_was_asked() {
    let refused = Open.transition(Closed).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "a problem cannot go from open to closed"
    );
    assert!(
        Rectifying.transition(Open).is_err(),
        "no going back without a check"
    );
    assert!(Closed.transition(Fixed).is_err());
}

#[test]
fn overdue_starts_the_day_after_the_deadline() {
    let deadline = date(2026, 6, 30);
    let on = |y, m, d| DeadlineState::on(Some(deadline), Open, date(y, m, d));
    assert_eq!(on(2026, 6, 30), DeadlineState::DueSoon { days: 0 });
    assert_eq!(on(2026, 7, 1), DeadlineState::Overdue { days: 1 });
    assert_eq!(on(2026, 7, 31), DeadlineState::Overdue { days: 31 });
}

#[test]
fn due_soon_covers_the_next_seven_days() {
    let deadline = date(2026, 6, 30);
    let on = |y, m, d| DeadlineState::on(Some(deadline), Rectifying, date(y, m, d));
    assert_eq!(on(2026, 6, 23), DeadlineState::DueSoon { days: 7 });
    assert_eq!(on(2026, 6, 22), DeadlineState::OnTrack);
    assert_eq!(on(2026, 6, 29), DeadlineState::DueSoon { days: 1 });
}

#[test]
fn fixed_or_closed_problems_and_no_deadline_are_never_overdue() {
    let past = Some(date(2026, 1, 1));
    let today = date(2026, 11, 28);
    assert_eq!(DeadlineState::on(past, Fixed, today), DeadlineState::NotDue);
    assert_eq!(
        DeadlineState::on(past, Closed, today),
        DeadlineState::NotDue
    );
    assert_eq!(DeadlineState::on(None, Open, today), DeadlineState::NotDue);
    assert_eq!(
        DeadlineState::on(past, Open, today),
        DeadlineState::Overdue { days: 331 }
    );
}

#[test]
fn the_day_is_the_phones_local_day() {
    let china = FixedOffset::east_opt(8 * 3600).unwrap();
    // 2026-06-30 16:30 UTC is already 07-01 00:30 in China: the 06-30 deadline has passed.
    let late = at(2026, 6, 30, 16, 30, 0);
    assert_eq!(local_day(late, china), date(2026, 7, 1));
    let today = local_day(late, china);
    assert_eq!(
        DeadlineState::on(Some(date(2026, 6, 30)), Open, today),
        DeadlineState::Overdue { days: 1 }
    );
    // 15:59 UTC is still 23:59 on the deadline day.
    let still = at(2026, 6, 30, 15, 59, 0);
    assert_eq!(local_day(still, china), date(2026, 6, 30));
    let utc = FixedOffset::east_opt(0).unwrap();
    assert_eq!(local_day(late, utc), date(2026, 6, 30));
}

#[test]
fn overdue_sorts_first_most_overdue_first_then_due_soon_soonest_first() {
    let mut states = [
        DeadlineState::OnTrack,
        DeadlineState::DueSoon { days: 5 },
        DeadlineState::NotDue,
        DeadlineState::Overdue { days: 2 },
        DeadlineState::DueSoon { days: 0 },
        DeadlineState::Overdue { days: 40 },
    ];
    states.sort_by_key(|s| s.urgency());
    assert_eq!(
        states,
        [
            DeadlineState::Overdue { days: 40 },
            DeadlineState::Overdue { days: 2 },
            DeadlineState::DueSoon { days: 0 },
            DeadlineState::DueSoon { days: 5 },
            DeadlineState::OnTrack,
            DeadlineState::NotDue,
        ]
    );
}
