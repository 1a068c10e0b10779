//! The localStorage adapter (`store`, `settings`) in a real browser: what a user would notice
//! after saving, editing, deleting, reopening with damaged or foreign entries, and a full disk.
//!
//! Run with `cargo test -p river-patrol --target wasm32-unknown-unknown --test storage`
//! (headless Chromium through wasm-bindgen-test-runner). All tests share one page, so each
//! starts by clearing localStorage.
#![cfg(target_arch = "wasm32")]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use patrol_core::codec::{self, QUARANTINE_PREFIX, RECORD_KEY_PREFIX};
use patrol_core::*;
use river_patrol::storage::settings::{KnownHolder, Settings};
use river_patrol::storage::{SaveError, records as store};
use uuid::Uuid;
use wasm_bindgen_test::*;
use web_sys::Storage;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------------------
// Helpers

fn storage() -> Storage {
    web_sys::window()
        .expect("a window")
        .local_storage()
        .expect("localStorage allowed")
        .expect("localStorage present")
}

/// Every test starts from an empty localStorage.
fn fresh() -> Storage {
    let s = storage();
    s.clear().expect("clear localStorage");
    s
}

fn all_keys(s: &Storage) -> Vec<String> {
    let n = s.length().unwrap();
    let mut keys: Vec<String> = (0..n).filter_map(|i| s.key(i).unwrap()).collect();
    keys.sort();
    keys
}

fn keys_with_prefix(s: &Storage, prefix: &str) -> Vec<String> {
    all_keys(s)
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .collect()
}

fn raw(s: &Storage, key: &str) -> Option<String> {
    s.get_item(key).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, sec).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn details(kind: Kind) -> Details {
    match kind {
        Kind::SewageOutfall => Details::SewageOutfall(Outfall {
            discharge: Discharge::MixedRainSewage,
            flow: Flow::Intermittent,
            colour: Colour::GreyBlack,
            odour: Odour::Strong,
            receiving_river: "清水河".into(),
        }),
        Kind::LivestockFarm => Details::LivestockFarm(Farm {
            name: "杨柳生猪养殖场".into(),
            owner: "王五".into(),
            species: Species::Cattle,
            head_count: Some(320),
            manure_facility: ManureFacility::Incomplete,
            in_no_farming_zone: true,
        }),
        Kind::Signage => Details::Signage(Sign {
            sign_type: SignType::RiverChief,
            condition: SignCondition::Faded,
        }),
        Kind::StonePlant => Details::StonePlant(StonePlant {
            name: "石板沟石料厂".into(),
            operation: PlantOperation::Stopped,
            wastewater_to_river: true,
        }),
        Kind::SpoilHeap => Details::SpoilHeap(SpoilHeap {
            road_section: "村道K2+300至K2+450".into(),
            // Not exactly representable in binary: must come back as the very same f64.
            volume_m3: Some(0.1 + 0.2),
            near_water: true,
        }),
        Kind::LitterPoint => Details::LitterPoint(LitterPoint {
            bins: BinState::Overflowing,
            litter_in_river: true,
        }),
        Kind::WaterQuality => Details::WaterQuality(WaterQualityPoint {
            source_name: "鲁家沟水库".into(),
            source: WaterSource::Spring,
            testing: Testing::Sampled,
            last_tested: Some(date(2025, 11, 3)),
        }),
        Kind::Other => Details::Other,
    }
}

/// A record of `kind` with every field filled in (none left at its default).
fn full_record(kind: Kind) -> Record {
    let found = at(2026, 5, 1, 8, 0, 0) + chrono::Duration::minutes(kind as i64);
    Record {
        id: Uuid::new_v4(),
        schema: SCHEMA_VERSION,
        revision: 3,
        details: details(kind),
        title: format!("问题 {}", kind.as_str()),
        village: "杨柳村".into(),
        place: "四组桥头".into(),
        position: Some(Position {
            latitude: 31.251055,
            longitude: 107.541573 + kind as u8 as f64 * 1e-7,
            accuracy_m: Some(12.5),
            taken_at: found + chrono::Duration::milliseconds(345),
            source: Some(patrol_core::PositionSource::Gps),
        }),
        notes: "雨后流量明显增大。\n第二行 \"引号\" \\ 反斜杠".into(),
        photos: vec![PhotoRef {
            id: Uuid::new_v4(),
            bytes: 183_422,
            width: 1600,
            height: 1200,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            taken_at: found + chrono::Duration::seconds(90),
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
        created_at: found,
        updated_at: found + chrono::Duration::hours(5),
        author: "张三".into(),
        visits: vec![],
        deleted_at: None,
        patrol: None,
        dispatched: None,
    }
}

fn find(records: &[Record], id: Uuid) -> &Record {
    records
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("record {id} not loaded"))
}

const CORRUPT: &str = "{not json";

// ---------------------------------------------------------------------------------------------
// Save and load

#[wasm_bindgen_test]
fn every_kind_comes_back_exactly_as_saved() {
    let s = fresh();
    let saved: Vec<Record> = Kind::ALL.iter().map(|&k| full_record(k)).collect();
    assert_eq!(saved.len(), 8);
    for r in &saved {
        store::save(r).unwrap_or_else(|e| panic!("saving {:?}: {e:?}", r.kind()));
    }

    assert_eq!(keys_with_prefix(&s, RECORD_KEY_PREFIX).len(), 8);
    for r in &saved {
        assert_eq!(
            raw(&s, &codec::record_key(r.id)).as_deref(),
            Some(codec::encode(r).as_str()),
            "{:?} is stored under its own key in the documented format",
            r.kind()
        );
    }

    let loaded = store::load_all();
    assert!(loaded.quarantined.is_empty(), "{:?}", loaded.quarantined);
    assert!(loaded.newer.is_empty(), "{:?}", loaded.newer);
    assert_eq!(loaded.records.len(), 8);
    for r in &saved {
        assert_eq!(find(&loaded.records, r.id), r, "{:?}", r.kind());
    }
    // Newest first.
    let created: Vec<_> = loaded.records.iter().map(|r| r.created_at).collect();
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, newest_first);
}

#[wasm_bindgen_test]
fn editing_replaces_the_record_under_the_same_key() {
    let s = fresh();
    let mut record = full_record(Kind::SewageOutfall);
    store::save(&record).unwrap();
    let other = full_record(Kind::Signage);
    store::save(&other).unwrap();

    record.title = "已封堵，待复查".into();
    record.status = Status::Fixed;
    record.position = None;
    record.deadline = None;
    record.responsibility.person = "李四".into();
    record.touch(at(2026, 5, 9, 10, 0, 0));
    store::save(&record).unwrap();

    let keys = keys_with_prefix(&s, RECORD_KEY_PREFIX);
    assert_eq!(keys.len(), 2, "one key per record: {keys:?}");
    assert!(keys.contains(&codec::record_key(record.id)));
    assert_eq!(
        raw(&s, &codec::record_key(record.id)).unwrap(),
        codec::encode(&record)
    );

    let loaded = store::load_all();
    assert_eq!(loaded.records.len(), 2);
    let back = find(&loaded.records, record.id);
    assert_eq!(back, &record);
    assert_eq!(back.revision, 4);
    assert_eq!(back.title, "已封堵，待复查");
    assert_eq!(find(&loaded.records, other.id), &other);
}

#[wasm_bindgen_test]
fn deleting_keeps_a_tombstone_with_its_content() {
    let s = fresh();
    let mut record = full_record(Kind::LivestockFarm);
    store::save(&record).unwrap();
    let when = at(2026, 5, 10, 7, 30, 0);
    record.mark_deleted(when);
    store::save(&record).unwrap();

    let key = codec::record_key(record.id);
    let text = raw(&s, &key).expect("a deleted record stays in storage");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["deleted_at"], "2026-05-10T07:30:00Z");
    assert_eq!(json["title"], record.title.as_str());
    assert_eq!(json["details"]["name"], "杨柳生猪养殖场");
    assert_eq!(keys_with_prefix(&s, RECORD_KEY_PREFIX), vec![key]);

    let loaded = store::load_all();
    assert_eq!(loaded.records.len(), 1);
    let back = &loaded.records[0];
    assert!(back.is_deleted());
    assert_eq!(back.deleted_at, Some(when));
    assert_eq!(back, &record, "the whole content is kept");
}

// ---------------------------------------------------------------------------------------------
// Entries that cannot be read as they are

#[wasm_bindgen_test]
fn a_corrupt_entry_is_moved_to_quarantine_and_the_rest_load() {
    let s = fresh();
    let a = full_record(Kind::StonePlant);
    let b = full_record(Kind::LitterPoint);
    store::save(&a).unwrap();
    store::save(&b).unwrap();
    let bad_id = Uuid::new_v4();
    let bad_key = codec::record_key(bad_id);
    s.set_item(&bad_key, CORRUPT).unwrap();
    let aside = format!("{QUARANTINE_PREFIX}{bad_key}");
    assert_eq!(aside, format!("rp/quarantine/rp/v1/record/{bad_id}"));

    let loaded = store::load_all();
    assert_eq!(loaded.records.len(), 2);
    assert_eq!(find(&loaded.records, a.id), &a);
    assert_eq!(find(&loaded.records, b.id), &b);
    assert_eq!(loaded.quarantined, vec![aside.clone()]);
    assert!(loaded.newer.is_empty());
    assert_eq!(raw(&s, &aside).as_deref(), Some(CORRUPT), "kept verbatim");
    assert_eq!(raw(&s, &bad_key), None, "gone from the record keys");
    let records_after_first = keys_with_prefix(&s, RECORD_KEY_PREFIX);
    assert_eq!(records_after_first.len(), 2);
    let everything_after_first = all_keys(&s);

    // Opening the app again loses and duplicates nothing.
    let again = store::load_all();
    assert_eq!(again.records, loaded.records);
    assert_eq!(again.quarantined, vec![aside.clone()]);
    assert!(again.newer.is_empty());
    assert_eq!(all_keys(&s), everything_after_first);
    assert_eq!(raw(&s, &aside).as_deref(), Some(CORRUPT));
}

#[wasm_bindgen_test]
fn quarantine_never_overwrites_an_earlier_quarantined_entry() {
    let s = fresh();
    let id = Uuid::new_v4();
    let key = codec::record_key(id);
    let aside = codec::quarantine_key(&key);
    let good = full_record(Kind::WaterQuality);
    store::save(&good).unwrap();

    // Something was quarantined under this name before; now the key is corrupt again.
    s.set_item(&aside, "earlier junk").unwrap();
    s.set_item(&key, CORRUPT).unwrap();
    let loaded = store::load_all();
    assert_eq!(loaded.records, vec![good.clone()]);
    let second = format!("{aside}#2");
    assert_eq!(loaded.quarantined, vec![aside.clone(), second.clone()]);
    assert_eq!(raw(&s, &aside).as_deref(), Some("earlier junk"));
    assert_eq!(raw(&s, &second).as_deref(), Some(CORRUPT));
    assert_eq!(raw(&s, &key), None);

    // And a third time, with yet other text: `#3`.
    s.set_item(&key, "[1, 2").unwrap();
    let loaded = store::load_all();
    let third = format!("{aside}#3");
    assert_eq!(
        loaded.quarantined,
        vec![aside.clone(), second.clone(), third.clone()]
    );
    assert_eq!(raw(&s, &aside).as_deref(), Some("earlier junk"));
    assert_eq!(raw(&s, &second).as_deref(), Some(CORRUPT));
    assert_eq!(raw(&s, &third).as_deref(), Some("[1, 2"));
    assert_eq!(raw(&s, &key), None);

    // A move interrupted after the copy (same text already aside) is finished, not duplicated.
    s.set_item(&key, CORRUPT).unwrap();
    let loaded = store::load_all();
    assert_eq!(loaded.quarantined, vec![aside.clone(), second, third]);
    assert_eq!(raw(&s, &key), None);
    assert_eq!(keys_with_prefix(&s, QUARANTINE_PREFIX).len(), 3);
    assert_eq!(loaded.records, vec![good]);
}

#[wasm_bindgen_test]
fn a_record_from_a_newer_app_is_reported_and_left_alone() {
    let s = fresh();
    let good = full_record(Kind::Other);
    store::save(&good).unwrap();
    let id = Uuid::new_v4();
    let key = codec::record_key(id);
    let text = format!(
        r#"{{"id":"{id}","schema":99,"revision":7,"shape":{{"from":"the future"}},"created_at":"2027-01-01T00:00:00Z"}}"#
    );
    s.set_item(&key, &text).unwrap();

    for _ in 0..2 {
        let loaded = store::load_all();
        assert_eq!(loaded.newer, vec![key.clone()]);
        assert!(loaded.quarantined.is_empty(), "{:?}", loaded.quarantined);
        assert_eq!(loaded.records, vec![good.clone()]);
        assert_eq!(raw(&s, &key).as_deref(), Some(text.as_str()), "untouched");
        assert!(keys_with_prefix(&s, QUARANTINE_PREFIX).is_empty());
    }
}

#[wasm_bindgen_test]
fn a_prototype_record_is_migrated_and_rewritten() {
    let s = fresh();
    let v0 = include_str!("../crates/core/tests/fixtures/v0_signage.json");
    let key = "rp/v1/record/c7a41d92-0b6e-4f35-8c1a-2e9d5b7f4068";
    s.set_item(key, v0).unwrap();

    let loaded = store::load_all();
    assert!(loaded.quarantined.is_empty(), "{:?}", loaded.quarantined);
    assert!(loaded.newer.is_empty());
    assert_eq!(loaded.records.len(), 1);
    let r = &loaded.records[0];
    assert_eq!(codec::record_key(r.id), key);
    assert_eq!(r.schema, 1);
    assert_eq!(r.title, "饮用水源保护区标志牌未设立");
    assert_eq!(r.village, "鲁家村");
    assert_eq!(r.status, Status::Fixed);
    assert_eq!(
        r.details,
        Details::Signage(Sign {
            sign_type: SignType::WaterSourceProtection,
            condition: SignCondition::Missing,
        })
    );
    let p = r.position.as_ref().expect("position migrated");
    assert_eq!((p.latitude, p.longitude), (31.305512, 107.488901));
    assert_eq!(p.accuracy_m, None);
    assert_eq!(r.deadline, Some(date(2026, 4, 15)));
    assert_eq!(r.responsibility.department, "规划建设办");
    assert_eq!(r.author, "张三");

    // Rewritten in the current format under the same key, and nothing else appeared.
    let text = raw(&s, key).unwrap();
    assert_eq!(text, codec::encode(r));
    let decoded = codec::decode(&text).unwrap();
    assert_eq!(decoded.migrated_from, None);
    assert_eq!(&decoded.record, r);
    assert_eq!(all_keys(&s), vec![key.to_owned()]);

    // The next start reads it without migrating again.
    assert_eq!(store::load_all().records, loaded.records);
    assert_eq!(raw(&s, key).unwrap(), text);
}

// ---------------------------------------------------------------------------------------------
// Full storage

/// Fills localStorage until the browser refuses even a one-character value. Returns the filler
/// keys.
fn fill_storage(s: &Storage) -> Vec<String> {
    let mut keys = Vec::new();
    let mut size = 512 * 1024;
    loop {
        let chunk = "x".repeat(size);
        loop {
            let key = format!("filler/{}", keys.len());
            if s.set_item(&key, &chunk).is_err() {
                break;
            }
            keys.push(key);
            assert!(keys.len() < 10_000, "localStorage never filled up");
        }
        if size == 1 {
            return keys;
        }
        size /= 2;
    }
}

fn empty_filler(s: &Storage, keys: &[String]) {
    for k in keys {
        s.remove_item(k).unwrap();
    }
}

#[wasm_bindgen_test]
fn full_storage_refuses_saves_without_losing_anything() {
    let s = fresh();
    let a = full_record(Kind::SpoilHeap);
    let b = full_record(Kind::SewageOutfall);
    store::save(&a).unwrap();
    store::save(&b).unwrap();
    let b_key = codec::record_key(b.id);
    let b_text = raw(&s, &b_key).unwrap();

    let filler = fill_storage(&s);
    assert!(!filler.is_empty());

    // A new record does not fit.
    let new = full_record(Kind::LitterPoint);
    assert_eq!(store::save(&new), Err(SaveError::Full));
    assert_eq!(raw(&s, &codec::record_key(new.id)), None);

    // Nor does an edit that makes the record longer; the stored version is unchanged.
    let mut edited = b.clone();
    edited.notes.push_str(&"复查时发现新的排污管。".repeat(20));
    edited.status = Status::Closed;
    edited.touch(at(2026, 5, 12, 9, 0, 0));
    assert_eq!(store::save(&edited), Err(SaveError::Full));
    assert_eq!(raw(&s, &b_key).as_deref(), Some(b_text.as_str()));

    // Settings cannot be saved either.
    let settings = Settings {
        officer: "张三".into(),
        village: "杨柳村".into(),
        language: "zh-CN".into(),
        ..Settings::default()
    };
    assert_eq!(settings.save(), Err(SaveError::Full));

    // Reading still works and shows both records as they were.
    let loaded = store::load_all();
    assert_eq!(loaded.records.len(), 2);
    assert_eq!(find(&loaded.records, a.id), &a);
    assert_eq!(find(&loaded.records, b.id), &b);
    assert!(loaded.quarantined.is_empty());

    // Once space is freed, the same saves go through.
    empty_filler(&s, &filler);
    store::save(&new).unwrap();
    store::save(&edited).unwrap();
    settings.save().unwrap();
    let loaded = store::load_all();
    assert_eq!(loaded.records.len(), 3);
    assert_eq!(find(&loaded.records, a.id), &a);
    assert_eq!(find(&loaded.records, b.id), &edited);
    assert_eq!(find(&loaded.records, new.id), &new);
    assert_eq!(Settings::load(), settings);
}

#[wasm_bindgen_test]
fn a_corrupt_entry_stays_put_when_quarantine_cannot_be_written() {
    let s = fresh();
    let good = full_record(Kind::Signage);
    store::save(&good).unwrap();
    let bad_key = codec::record_key(Uuid::new_v4());
    s.set_item(&bad_key, CORRUPT).unwrap();
    let filler = fill_storage(&s);

    let loaded = store::load_all();
    assert_eq!(loaded.records, vec![good.clone()]);
    assert_eq!(loaded.quarantined.len(), 1);
    assert_eq!(raw(&s, &bad_key).as_deref(), Some(CORRUPT), "not lost");
    assert!(keys_with_prefix(&s, QUARANTINE_PREFIX).is_empty());

    // With room again, the next start moves it aside.
    empty_filler(&s, &filler);
    let loaded = store::load_all();
    let aside = codec::quarantine_key(&bad_key);
    assert_eq!(loaded.quarantined, vec![aside.clone()]);
    assert_eq!(raw(&s, &aside).as_deref(), Some(CORRUPT));
    assert_eq!(raw(&s, &bad_key), None);
}

// ---------------------------------------------------------------------------------------------
// Settings

#[wasm_bindgen_test]
fn settings_round_trip() {
    let s = fresh();
    assert_eq!(Settings::load(), Settings::default(), "nothing saved yet");

    let settings = Settings {
        officer: "张三".into(),
        village: "杨柳村".into(),
        language: "en".into(),
        server_url: "https://xhz.example.cn".into(),
        token: "t0ken".into(),
        keep_screen_on: false,
        watermark: false,
        holder: Some(KnownHolder {
            token: "t0ken".into(),
            office: true,
            officer: "王主任".into(),
            village: None,
        }),
    };
    settings.save().unwrap();
    assert!(raw(&s, codec::SETTINGS_KEY).is_some());
    assert_eq!(Settings::load(), settings);

    let changed = Settings {
        language: String::new(),
        ..settings
    };
    changed.save().unwrap();
    assert_eq!(Settings::load(), changed);
    assert_eq!(
        keys_with_prefix(&s, "rp/"),
        vec![codec::SETTINGS_KEY.to_owned()]
    );
}

/// Whom the server said the token is for is kept with that token: the phone knows offline
/// that it is the township office's, and asks again for a new token.
#[wasm_bindgen_test]
fn the_token_holder_is_kept_with_its_token() {
    fresh();
    let mut settings = Settings {
        token: "rp_office".into(),
        ..Settings::default()
    };
    assert!(!settings.is_office() && settings.should_ask_holder());
    let office = patrol_core::sync::TokenHolder {
        officer: "王主任".into(),
        village: None,
    };
    assert!(settings.fill_in_from(&office));
    assert!(settings.is_office());
    assert_eq!(settings.officer, "王主任");
    // An office token has no village to give: nothing more to ask.
    assert!(!settings.should_ask_holder());
    settings.save().unwrap();
    assert!(Settings::load().is_office());
    // Settings show whom it was issued to without asking again.
    assert_eq!(Settings::load().known_holder(), Some(office.clone()));

    // A village's token, pasted in the settings: not the office's until the server says so.
    settings.token = "rp_village".into();
    assert!(!settings.is_office() && settings.should_ask_holder());
    let village = patrol_core::sync::TokenHolder {
        officer: "张三".into(),
        village: Some("杨柳村".into()),
    };
    assert!(settings.fill_in_from(&village));
    assert!(!settings.is_office() && !settings.should_ask_holder());
    assert_eq!(settings.known_holder(), Some(village.clone()));
    // The names typed (or filled in) before are kept.
    assert_eq!(
        (settings.officer.as_str(), settings.village.as_str()),
        ("王主任", "杨柳村")
    );
}

/// What an app that kept only whether the token is the office's stored: still the office's
/// offline, and its holder's name asked once more, for settings to show.
#[wasm_bindgen_test]
fn a_holder_kept_without_its_name_is_asked_about_again() {
    let s = fresh();
    s.set_item(
        codec::SETTINGS_KEY,
        r#"{"officer":"王主任","token":"rp_office","holder":{"token":"rp_office","office":true}}"#,
    )
    .unwrap();
    let loaded = Settings::load();
    assert!(loaded.is_office());
    assert_eq!(loaded.known_holder(), None);
    assert!(loaded.should_ask_holder());
}

#[wasm_bindgen_test]
fn settings_saved_before_a_switch_existed_have_it_on() {
    let s = fresh();
    s.set_item(
        codec::SETTINGS_KEY,
        r#"{"officer":"张三","village":"杨柳村"}"#,
    )
    .unwrap();
    let loaded = Settings::load();
    assert!(loaded.keep_screen_on && loaded.watermark);
    assert_eq!(loaded.officer, "张三");
}

#[wasm_bindgen_test]
fn the_start_knows_whether_the_phone_holds_anything_of_the_apps() {
    let s = fresh();
    // Another page of the same origin may keep its own keys: they are not the app's.
    s.set_item("other-tool/state", "{}").unwrap();
    assert!(
        !river_patrol::storage::held::holds_anything(),
        "a first visit"
    );
    assert!(!river_patrol::storage::held::holds_drafts());

    // Many records, as a long-used phone holds: found without reading them.
    for _ in 0..200 {
        store::save(&full_record(Kind::SewageOutfall)).unwrap();
    }
    assert!(river_patrol::storage::held::holds_anything());
    assert!(
        !river_patrol::storage::held::holds_drafts(),
        "records are no drafts"
    );

    // A draft counts even when it cannot be read.
    s.set_item(
        &format!("{}{}", patrol_core::draft::DRAFT_KEY_PREFIX, Uuid::new_v4()),
        "not json",
    )
    .unwrap();
    assert!(river_patrol::storage::held::holds_drafts());
}
