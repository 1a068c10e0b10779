//! An edit saved while the stored copy changed under it keeps both changes.

mod common;

use common::*;
use patrol_core::*;

fn base() -> Record {
    sample(Kind::SewageOutfall)
}

#[test]
fn the_users_fields_land_on_the_townships_newer_copy() {
    let base = base();
    let mut mine = base.clone();
    mine.notes = "已通知村里清运".into();
    mine.responsibility.person = "李四".into();
    let mut theirs = base.clone();
    theirs.deadline = Some(date(2027, 1, 15));
    theirs.revision = base.revision + 3;

    let merged = rebase(&base, &mine, &theirs);
    assert_eq!(merged.notes, "已通知村里清运");
    assert_eq!(merged.responsibility.person, "李四");
    assert_eq!(
        merged.deadline,
        Some(date(2027, 1, 15)),
        "the township's change stays"
    );
    assert_eq!(merged.responsibility.leader, theirs.responsibility.leader);
    assert_eq!(merged.revision, theirs.revision);
}

#[test]
fn where_both_changed_a_field_the_user_wins() {
    let base = base();
    let mut mine = base.clone();
    mine.title = "本机的描述".into();
    let mut theirs = base.clone();
    theirs.title = "乡镇的描述".into();
    theirs.revision += 1;
    assert_eq!(rebase(&base, &mine, &theirs).title, "本机的描述");
}

#[test]
fn kind_fields_merge_one_by_one() {
    let base = base();
    let mut mine = base.clone();
    let mut theirs = base.clone();
    if let (Details::SewageOutfall(m), Details::SewageOutfall(t)) =
        (&mut mine.details, &mut theirs.details)
    {
        m.receiving_river = "白沙河".into();
        t.flow = Flow::Intermittent;
    }
    let merged = rebase(&base, &mine, &theirs);
    let Details::SewageOutfall(o) = merged.details else {
        panic!("still an outfall");
    };
    assert_eq!(o.receiving_river, "白沙河");
    assert_eq!(o.flow, Flow::Intermittent);
}

#[test]
fn clearing_a_field_is_a_change_too() {
    let base = base();
    let mut mine = base.clone();
    mine.deadline = None;
    mine.position = None;
    let mut theirs = base.clone();
    theirs.notes = "乡镇补充".into();
    let merged = rebase(&base, &mine, &theirs);
    assert_eq!(merged.deadline, None);
    assert_eq!(merged.position, None);
    assert_eq!(merged.notes, "乡镇补充");
}

#[test]
fn an_edit_brings_back_a_record_deleted_meanwhile() {
    let base = base();
    let mut mine = base.clone();
    mine.notes = "还在".into();
    let mut theirs = base.clone();
    theirs.mark_deleted(found());
    let merged = rebase(&base, &mine, &theirs);
    assert!(!merged.is_deleted());
    assert_eq!(merged.notes, "还在");
}

#[test]
fn nothing_changed_under_the_edit_gives_the_edit() {
    let base = base();
    let mut mine = base.clone();
    mine.place = "四组桥头".into();
    assert_eq!(rebase(&base, &mine, &base), mine);
}
