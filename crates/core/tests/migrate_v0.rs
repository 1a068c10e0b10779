//! The prototype's flat format (schema 0) migrates to exactly the expected records.
mod common;

use common::*;
use patrol_core::codec::{DecodeError, decode, encode};
use patrol_core::*;
use serde_json::{Value, json};

fn migrated(text: &str) -> Record {
    let d = decode(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.migrated_from, Some(0));
    // Saving the migrated record and reading it back needs no further migration.
    let again = decode(&encode(&d.record)).unwrap();
    assert_eq!(again.migrated_from, None);
    assert_eq!(again.record, d.record);
    d.record
}

#[test]
fn sewage_outfall() {
    let created = at(2026, 5, 1, 8, 0, 0);
    let expected = Record {
        id: "3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52".parse().unwrap(),
        schema: 1,
        revision: 0,
        details: Details::SewageOutfall(Outfall {
            discharge: Discharge::Domestic,
            flow: Flow::Flowing,
            colour: Colour::Turbid,
            odour: Odour::Strong,
            receiving_river: "清水河".into(),
        }),
        title: "沿河住户生活污水直排入河".into(),
        village: "杨柳村".into(),
        place: "四组桥头".into(),
        position: Some(Position {
            latitude: 31.251055,
            longitude: 107.541573,
            accuracy_m: Some(12.5),
            taken_at: created,
            source: None,
        }),
        notes: String::new(),
        photos: vec![],
        responsibility: Responsibility {
            leader: "黎学军(党委书记)".into(),
            department: "规划建设办".into(),
            person: "严文斌".into(),
            phone: String::new(),
        },
        deadline: Some(date(2026, 6, 30)),
        status: Status::Open,
        created_at: created,
        updated_at: created,
        author: "张三".into(),
        visits: vec![],
        deleted_at: None,
        patrol: None,
        dispatched: None,
    };
    assert_eq!(
        migrated(include_str!("fixtures/v0_sewage_outfall.json")),
        expected
    );
}

#[test]
fn livestock_farm() {
    let created = at(2026, 4, 12, 2, 15, 30);
    let expected = Record {
        id: "8d0e6f3a-2c19-4b7e-a5d4-61f9b0c2e7a3".parse().unwrap(),
        schema: 1,
        revision: 0,
        details: Details::LivestockFarm(Farm {
            name: "石板村生猪养殖场".into(),
            owner: "王五".into(),
            species: Species::Pigs,
            head_count: Some(320),
            manure_facility: ManureFacility::Incomplete,
            in_no_farming_zone: true,
        }),
        title: "养殖场粪污未处理直排".into(),
        village: "石板村".into(),
        place: "三组河湾".into(),
        position: Some(Position {
            latitude: 31.198734,
            longitude: 107.602218,
            accuracy_m: Some(35.0),
            taken_at: created,
            source: None,
        }),
        notes: String::new(),
        photos: vec![],
        responsibility: Responsibility {
            leader: "周明(副镇长)".into(),
            department: "农业服务中心".into(),
            person: "赵六".into(),
            phone: String::new(),
        },
        deadline: Some(date(2026, 5, 31)),
        status: Status::Rectifying,
        created_at: created,
        updated_at: created,
        author: "李四".into(),
        visits: vec![],
        deleted_at: None,
        patrol: None,
        dispatched: None,
    };
    assert_eq!(
        migrated(include_str!("fixtures/v0_livestock_farm.json")),
        expected
    );
}

#[test]
fn signage_without_accuracy() {
    let created = at(2026, 3, 20, 6, 40, 0);
    let expected = Record {
        id: "c7a41d92-0b6e-4f35-8c1a-2e9d5b7f4068".parse().unwrap(),
        schema: 1,
        revision: 0,
        details: Details::Signage(Sign {
            sign_type: SignType::WaterSourceProtection,
            condition: SignCondition::Missing,
        }),
        title: "饮用水源保护区标志牌未设立".into(),
        village: "鲁家村".into(),
        place: "鲁家沟水库取水口".into(),
        position: Some(Position {
            latitude: 31.305512,
            longitude: 107.488901,
            accuracy_m: None,
            taken_at: created,
            source: None,
        }),
        notes: String::new(),
        photos: vec![],
        responsibility: Responsibility {
            leader: "黎学军(党委书记)".into(),
            department: "规划建设办".into(),
            person: "严文斌".into(),
            phone: String::new(),
        },
        deadline: Some(date(2026, 4, 15)),
        status: Status::Fixed,
        created_at: created,
        updated_at: created,
        author: "张三".into(),
        visits: vec![],
        deleted_at: None,
        patrol: None,
        dispatched: None,
    };
    assert_eq!(migrated(include_str!("fixtures/v0_signage.json")), expected);
}

#[test]
fn other_without_position_or_deadline() {
    let created = at(2026, 2, 28, 23, 5, 0);
    let expected = Record {
        id: "1e5f7a2b-9c3d-4e8f-b6a0-d4c2e1f09a37".parse().unwrap(),
        schema: 1,
        revision: 0,
        details: Details::Other,
        title: "场镇未设置环保垃圾箱".into(),
        village: "场镇社区".into(),
        place: String::new(),
        position: None,
        notes: String::new(),
        photos: vec![],
        responsibility: Responsibility::default(),
        deadline: None,
        status: Status::Closed,
        created_at: created,
        updated_at: created,
        author: "李四".into(),
        visits: vec![],
        deleted_at: None,
        patrol: None,
        dispatched: None,
    };
    assert_eq!(
        migrated(include_str!("fixtures/v0_other_no_position.json")),
        expected
    );
}

#[test]
fn migrated_fixtures_are_valid() {
    for text in [
        include_str!("fixtures/v0_sewage_outfall.json"),
        include_str!("fixtures/v0_livestock_farm.json"),
        include_str!("fixtures/v0_signage.json"),
        include_str!("fixtures/v0_other_no_position.json"),
    ] {
        let r = migrated(text);
        assert_eq!(validate(&r), vec![], "{r:?}");
    }
}

fn v0() -> Value {
    serde_json::from_str(include_str!("fixtures/v0_sewage_outfall.json")).unwrap()
}

fn decode_v0(
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Result<Record, DecodeError> {
    let mut v = v0();
    edit(v.as_object_mut().unwrap());
    decode(&v.to_string()).map(|d| {
        assert_eq!(d.migrated_from, Some(0));
        d.record
    })
}

fn assert_invalid(result: Result<Record, DecodeError>) {
    assert!(matches!(result, Err(DecodeError::Invalid(_))), "{result:?}");
}

#[test]
fn every_prototype_status() {
    for (old, new) in [
        ("待整改", Status::Open),
        ("整改中", Status::Rectifying),
        ("已整改", Status::Fixed),
        ("已销号", Status::Closed),
    ] {
        assert_eq!(decode_v0(|m| m["status"] = json!(old)).unwrap().status, new);
    }
    // A missing status is the v1 default.
    let r = decode_v0(|m| {
        m.remove("status");
    });
    assert_eq!(r.unwrap().status, Status::Open);
    for bad in [json!("已完成"), json!("open"), json!(""), json!(1)] {
        assert_invalid(decode_v0(|m| m["status"] = bad));
    }
}

#[test]
fn position_needs_both_coordinates() {
    let r = decode_v0(|m| {
        m.remove("lat");
        m.remove("lng");
    })
    .unwrap();
    assert_eq!(r.position, None);
    let r = decode_v0(|m| {
        m["lat"] = Value::Null;
        m["lng"] = Value::Null;
        m["acc"] = Value::Null;
    })
    .unwrap();
    assert_eq!(r.position, None);
    // Half a position would be lost on re-save, so the entry goes to quarantine instead.
    assert_invalid(decode_v0(|m| {
        m.remove("lat");
    }));
    assert_invalid(decode_v0(|m| {
        m.remove("lng");
    }));
    assert_invalid(decode_v0(|m| m["lat"] = json!("31.25")));
}

#[test]
fn missing_or_broken_essentials() {
    for key in ["id", "kind", "created"] {
        assert_invalid(decode_v0(|m| {
            m.remove(key);
        }));
    }
    assert_invalid(decode_v0(|m| m["fields"] = json!("domestic")));
    assert_invalid(decode_v0(|m| m["kind"] = json!("volcano")));
    assert_invalid(decode_v0(|m| m["fields"]["flow"] = json!("trickle")));
    assert_invalid(decode_v0(|m| m["deadline"] = json!("30/06/2026")));
    assert_invalid(decode_v0(|m| m["created"] = json!("2026-05-01")));
}

#[test]
fn optional_prototype_fields() {
    // Empty deadline, no responsibility, no officer/desc/place: defaults.
    let r = decode_v0(|m| {
        m["deadline"] = json!("");
        for key in [
            "leader", "dept", "person", "officer", "desc", "place", "acc",
        ] {
            m.remove(key);
        }
    })
    .unwrap();
    assert_eq!(r.deadline, None);
    assert_eq!(r.responsibility, Responsibility::default());
    assert_eq!(r.author, "");
    assert_eq!(r.title, "");
    assert_eq!(r.place, "");
    assert_eq!(r.position.unwrap().accuracy_m, None);

    // The top-level kind wins over a stray `kind` inside fields.
    let r = decode_v0(|m| m["fields"]["kind"] = json!("signage")).unwrap();
    assert_eq!(r.kind(), Kind::SewageOutfall);

    // A created time with an offset is kept as the same instant.
    let r = decode_v0(|m| m["created"] = json!("2026-05-01T16:00:00+08:00")).unwrap();
    assert_eq!(r.created_at, at(2026, 5, 1, 8, 0, 0));
}
