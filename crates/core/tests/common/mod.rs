//! Shared builders: one valid, fully filled-in record of every kind, and patrols walked or
//! driven fix by fix (`walk.rs`).
#![allow(dead_code)]

pub mod walk;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use patrol_core::*;
use uuid::Uuid;

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// When every sample record was found: 2026-05-01 08:00 UTC.
pub fn found() -> DateTime<Utc> {
    at(2026, 5, 1, 8, 0, 0)
}

/// Every kind's fields, filled in and valid.
pub fn sample_details(kind: Kind) -> Details {
    match kind {
        Kind::SewageOutfall => Details::SewageOutfall(Outfall {
            discharge: Discharge::Domestic,
            flow: Flow::Flowing,
            colour: Colour::Turbid,
            odour: Odour::Strong,
            receiving_river: "清水河".into(),
        }),
        Kind::LivestockFarm => Details::LivestockFarm(Farm {
            name: "杨柳生猪养殖场".into(),
            owner: "王五".into(),
            species: Species::Pigs,
            head_count: Some(320),
            manure_facility: ManureFacility::Incomplete,
            in_no_farming_zone: true,
        }),
        Kind::Signage => Details::Signage(Sign {
            sign_type: SignType::WaterSourceProtection,
            condition: SignCondition::Missing,
        }),
        Kind::StonePlant => Details::StonePlant(StonePlant {
            name: "石板沟石料厂".into(),
            operation: PlantOperation::Operating,
            wastewater_to_river: true,
        }),
        Kind::SpoilHeap => Details::SpoilHeap(SpoilHeap {
            road_section: "村道K2+300至K2+450".into(),
            volume_m3: Some(150.5),
            near_water: true,
        }),
        Kind::LitterPoint => Details::LitterPoint(LitterPoint {
            bins: BinState::NoBins,
            litter_in_river: true,
        }),
        Kind::WaterQuality => Details::WaterQuality(WaterQualityPoint {
            source_name: "鲁家沟水库".into(),
            source: WaterSource::Reservoir,
            testing: Testing::NotDone,
            last_tested: Some(date(2025, 11, 3)),
        }),
        Kind::Other => Details::Other,
    }
}

/// A valid record of `kind` with every optional field filled in.
pub fn sample(kind: Kind) -> Record {
    let id = Uuid::from_u128(0x6f1c_2b1e_4a7d_4c36_9d2e_0000_0000_0000 + kind as u128);
    Record {
        id,
        schema: SCHEMA_VERSION,
        revision: 3,
        details: sample_details(kind),
        title: "沿河住户生活污水直排入河".into(),
        village: "杨柳村".into(),
        place: "四组桥头".into(),
        position: Some(Position {
            latitude: 31.251055,
            longitude: 107.541573,
            accuracy_m: Some(12.5),
            taken_at: found(),
            source: Some(patrol_core::PositionSource::Gps),
        }),
        notes: "下雨后更严重。".into(),
        photos: vec![PhotoRef {
            id: Uuid::from_u128(0xa11c_e000_0000_4000_8000_0000_0000_0001),
            bytes: 183_422,
            width: 1600,
            height: 1200,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            taken_at: at(2026, 5, 1, 8, 1, 30),
            watermark: None,
            source: None,
            exif: None,
        }],
        responsibility: Responsibility {
            leader: "黎学军(党委书记)".into(),
            department: "规划建设办".into(),
            person: "严文斌".into(),
            phone: "+86 138-1234-5678".into(),
        },
        deadline: Some(date(2026, 6, 30)),
        status: Status::Rectifying,
        created_at: found(),
        updated_at: at(2026, 5, 2, 9, 30, 0),
        author: "张三".into(),
        visits: vec![],
        deleted_at: None,
        patrol: None,
        dispatched: None,
    }
}

/// A valid record of `kind` with nothing optional filled in.
pub fn minimal(kind: Kind) -> Record {
    let mut r = Record::new(kind, "", "杨柳村", found());
    r.id = Uuid::from_u128(0x0b5e_0000_0000_4000_8000_0000_0000_0000 + kind as u128);
    if kind == Kind::Other {
        r.title = "河道内有废弃渔网".into();
    }
    r
}

pub fn all_kinds() -> &'static [Kind] {
    <Kind as Choice>::ALL
}
