mod common;

use std::error::Error;

use common::*;
use patrol_core::codec::{self, DecodeError, Decoded, decode, encode, migrate};
use patrol_core::*;
use serde_json::{Value, json};
use uuid::Uuid;

fn round_trip(r: &Record) {
    let text = encode(r);
    let back = decode(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back.record, *r, "{text}");
    assert_eq!(back.migrated_from, None);
    // And stable: encoding again gives the same text.
    assert_eq!(encode(&back.record), text);
}

fn variants(kind: Kind) -> Vec<Record> {
    let full = sample(kind);
    let mut out = vec![full.clone(), minimal(kind)];

    let mut r = full.clone();
    r.position = None;
    out.push(r);

    let mut r = full.clone();
    r.position.as_mut().unwrap().accuracy_m = None;
    r.deadline = None;
    r.photos.clear();
    out.push(r);

    let mut r = full.clone();
    r.photos.push(PhotoRef {
        id: Uuid::from_u128(7),
        bytes: u64::MAX,
        width: 0,
        height: u32::MAX,
        sha256: String::new(),
        taken_at: at(2026, 5, 1, 8, 2, 0),
        watermark: None,
        source: None,
        exif: None,
    });
    r.mark_deleted(at(2026, 5, 9, 10, 0, 0));
    out.push(r);

    let mut r = minimal(kind);
    r.mark_deleted(at(2026, 5, 1, 8, 0, 1));
    out.push(r);

    for &status in <Status as Choice>::ALL {
        let mut r = full.clone();
        r.status = status;
        out.push(r);
    }

    // Awkward but legal values: quotes, backslashes, control characters, emoji, odd floats.
    let mut r = full;
    r.title = "\"引号\" \\ 反斜杠 \u{0}\u{1f} \n 🌊".into();
    r.notes = "\u{feff}\u{2028}\u{2029}".into();
    r.position = Some(Position {
        latitude: -89.999_999_999_999_99,
        longitude: 0.1 + 0.2,
        accuracy_m: Some(f64::MIN_POSITIVE),
        taken_at: at(2026, 5, 1, 8, 0, 0) + chrono::Duration::nanoseconds(123_456_789),
        source: Some(patrol_core::PositionSource::Map),
    });
    out.push(r);
    out
}

#[test]
fn every_kind_round_trips() {
    for &kind in all_kinds() {
        for r in variants(kind) {
            round_trip(&r);
        }
    }
}

#[test]
fn every_choice_value_round_trips() {
    let mut records = Vec::new();
    let base = |kind| sample(kind);
    for &d in Discharge::ALL {
        for &f in Flow::ALL {
            for &c in Colour::ALL {
                for &o in Odour::ALL {
                    let mut r = base(Kind::SewageOutfall);
                    r.details = Details::SewageOutfall(Outfall {
                        discharge: d,
                        flow: f,
                        colour: c,
                        odour: o,
                        receiving_river: String::new(),
                    });
                    records.push(r);
                }
            }
        }
    }
    for &s in Species::ALL {
        for &m in ManureFacility::ALL {
            let mut r = base(Kind::LivestockFarm);
            r.details = Details::LivestockFarm(Farm {
                species: s,
                manure_facility: m,
                head_count: None,
                ..Farm::default()
            });
            records.push(r);
        }
    }
    for &t in SignType::ALL {
        for &c in SignCondition::ALL {
            let mut r = base(Kind::Signage);
            r.details = Details::Signage(Sign {
                sign_type: t,
                condition: c,
            });
            records.push(r);
        }
    }
    for &operation in PlantOperation::ALL {
        let mut r = base(Kind::StonePlant);
        r.details = Details::StonePlant(StonePlant {
            operation,
            ..StonePlant::default()
        });
        records.push(r);
    }
    for &bins in BinState::ALL {
        let mut r = base(Kind::LitterPoint);
        r.details = Details::LitterPoint(LitterPoint {
            bins,
            litter_in_river: false,
        });
        records.push(r);
    }
    for &source in WaterSource::ALL {
        for &testing in Testing::ALL {
            let mut r = base(Kind::WaterQuality);
            r.details = Details::WaterQuality(WaterQualityPoint {
                source,
                testing,
                ..WaterQualityPoint::default()
            });
            records.push(r);
        }
    }
    for r in &records {
        round_trip(r);
        // The stored names are the Choice names.
        let v: Value = serde_json::from_str(&encode(r)).unwrap();
        assert_eq!(v["details"]["kind"], r.kind().as_str());
    }
}

#[test]
fn coordinates_survive_exactly() {
    // serde_json's default float parser can be off by one ulp; the core enables
    // `float_roundtrip` so that loading and saving never moves a point.
    let mut r = sample(Kind::SewageOutfall);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..5000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
        let p = r.position.as_mut().unwrap();
        p.latitude = unit * 180.0 - 90.0;
        p.longitude = (1.0 - unit) * 360.0 - 180.0;
        p.accuracy_m = Some(unit * 5000.0);
        let back = decode(&encode(&r)).unwrap().record;
        assert_eq!(back.position, r.position);
    }
}

#[test]
fn the_stored_form_is_the_documented_one() {
    let text = include_str!("fixtures/v1_sewage_outfall.json");
    let decoded = decode(text).unwrap();
    assert_eq!(decoded.migrated_from, None);
    let r = decoded.record;
    assert_eq!(
        r.id,
        "3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52"
            .parse::<Uuid>()
            .unwrap()
    );
    assert_eq!(r.schema, 1);
    assert_eq!(r.revision, 2);
    assert_eq!(r.status, Status::Rectifying);
    assert_eq!(r.photos.len(), 1);
    assert_eq!(r.deadline, Some(date(2026, 6, 30)));
    // encode writes exactly this document, in this key order, only compact.
    assert_eq!(serde_json::to_string_pretty(&r).unwrap(), text.trim_end());
    let written: Value = serde_json::from_str(&encode(&r)).unwrap();
    assert_eq!(written, serde_json::from_str::<Value>(text).unwrap());
    assert!(!encode(&r).contains('\n'));
    // A tombstone is the same document plus `deleted_at`; a live record has no such key.
    assert!(!encode(&r).contains("deleted_at"));
    let mut dead = r.clone();
    dead.mark_deleted(at(2026, 5, 4, 0, 0, 0));
    let v: Value = serde_json::from_str(&encode(&dead)).unwrap();
    assert_eq!(v["deleted_at"], "2026-05-04T00:00:00Z");
    assert_eq!(v["title"], "沿河住户生活污水直排入河");
}

#[test]
fn docs_examples_match_the_code() {
    let doc = include_str!("../../../docs/storage.md");
    let block = |marker: &str| -> String {
        let start = doc
            .find(marker)
            .unwrap_or_else(|| panic!("storage.md lacks {marker}"));
        let rest = &doc[start..];
        let open = rest.find("```json\n").unwrap() + "```json\n".len();
        let close = rest[open..].find("```").unwrap();
        rest[open..open + close].to_string()
    };
    let v1 = block("<!-- example: v1 -->");
    let v0 = block("<!-- example: v0 -->");
    let as_value = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert_eq!(
        as_value(&v1),
        as_value(include_str!("fixtures/v1_sewage_outfall.json")),
        "the v1 example in docs/storage.md is the fixture"
    );
    assert_eq!(
        as_value(&v0),
        as_value(include_str!("fixtures/v0_sewage_outfall.json")),
        "the v0 example in docs/storage.md is the fixture"
    );
}

#[test]
fn unknown_fields_are_ignored() {
    // Fields added by a later version with `#[serde(default)]` (e.g. a checklist) must not make an
    // older reader of the same schema refuse the record.
    for &kind in all_kinds() {
        let r = sample(kind);
        let mut v: Value = serde_json::from_str(&encode(&r)).unwrap();
        v["checklist"] = json!([{"id": "x", "at": "2026-05-02T00:00:00Z", "done": true}]);
        v["sync"] = json!({"server_revision": 4});
        v["details"]["colour_code"] = json!(7);
        v["position"]["altitude_m"] = json!(512.0);
        v["responsibility"]["email"] = json!("a@b.c");
        v["photos"][0]["caption"] = json!("桥头");
        let back = decode(&v.to_string()).unwrap();
        assert_eq!(back.record, r, "{kind:?}");
        assert_eq!(back.migrated_from, None);
    }
}

#[test]
fn fields_with_defaults_may_be_missing() {
    let doc = json!({
        "id": "3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52",
        "schema": 1,
        "revision": 0,
        "details": {"kind": "other"},
        "village": "杨柳村",
        "created_at": "2026-05-01T08:00:00Z",
        "updated_at": "2026-05-01T08:00:00Z"
    });
    let r = decode(&doc.to_string()).unwrap().record;
    assert_eq!(r.kind(), Kind::Other);
    assert_eq!(r.title, "");
    assert_eq!(r.position, None);
    assert_eq!(r.photos, vec![]);
    assert_eq!(r.responsibility, Responsibility::default());
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.deleted_at, None);
}

#[test]
fn encode_writes_the_current_schema() {
    let mut r = sample(Kind::Signage);
    r.schema = 0;
    let back = decode(&encode(&r)).unwrap();
    assert_eq!(back.migrated_from, None);
    assert_eq!(back.record.schema, SCHEMA_VERSION);
    r.schema = SCHEMA_VERSION;
    assert_eq!(back.record, r);
}

#[test]
fn malformed() {
    for text in [
        "",
        " ",
        "{",
        "nul",
        "not json",
        "{\"id\":}",
        "{\"a\":1}}",
        "{'id': 1}",
        "\u{feff}{}",
        "{\"schema\": 1e999}",
    ] {
        match decode(text) {
            Err(DecodeError::Malformed(_)) => {}
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn invalid() {
    let good: Value = serde_json::from_str(&encode(&sample(Kind::LivestockFarm))).unwrap();
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        v.to_string()
    };
    let cases = [
        "null".to_string(),
        "42".into(),
        "\"杨柳村\"".into(),
        "[]".into(),
        "[{\"schema\":1}]".into(),
        "{}".into(),
        "{\"schema\":1}".into(),
        with(&|v| v["schema"] = json!("1")),
        with(&|v| v["schema"] = json!(-1)),
        with(&|v| v["schema"] = json!(1.5)),
        with(&|v| v["schema"] = json!(null)),
        with(&|v| v["schema"] = json!(u64::from(u32::MAX) + 1)),
        with(&|v| v["id"] = json!("not-a-uuid")),
        with(&|v| v["revision"] = json!(-1)),
        with(&|v| {
            v.as_object_mut().unwrap().remove("village");
        }),
        with(&|v| {
            v.as_object_mut().unwrap().remove("created_at");
        }),
        with(&|v| v["details"]["kind"] = json!("volcano")),
        with(&|v| {
            v["details"].as_object_mut().unwrap().remove("kind");
        }),
        with(&|v| {
            v["details"].as_object_mut().unwrap().remove("species");
        }),
        with(&|v| v["details"]["species"] = json!("dragons")),
        with(&|v| v["details"]["head_count"] = json!(-3)),
        with(&|v| v["details"]["head_count"] = json!(5_000_000_000u64)),
        with(&|v| v["status"] = json!("待整改")),
        with(&|v| v["deadline"] = json!("2026-02-30")),
        with(&|v| v["created_at"] = json!("yesterday")),
        with(&|v| v["position"]["latitude"] = json!(null)),
        with(&|v| v["position"]["latitude"] = json!("31.2")),
        with(&|v| v["photos"] = json!({})),
    ];
    for text in cases {
        match decode(&text) {
            Err(DecodeError::Invalid(_)) => {}
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn newer_schema_is_refused_without_looking_inside() {
    let mut v: Value = serde_json::from_str(&encode(&sample(Kind::Signage))).unwrap();
    v["schema"] = json!(SCHEMA_VERSION + 1);
    assert_eq!(
        decode(&v.to_string()),
        Err(DecodeError::NewerSchema {
            found: SCHEMA_VERSION + 1
        })
    );
    // Whatever a newer format looks like, it is reported as newer, not as invalid.
    assert_eq!(
        decode(r#"{"schema": 7, "everything": ["different"]}"#),
        Err(DecodeError::NewerSchema { found: 7 })
    );
    assert_eq!(
        decode(&format!("{{\"schema\": {}}}", u32::MAX)),
        Err(DecodeError::NewerSchema { found: u32::MAX })
    );
}

#[test]
fn errors_display_and_are_errors() {
    let e = DecodeError::NewerSchema { found: 2 };
    assert_eq!(
        e.to_string(),
        "stored record has schema 2, newer than this app's 1"
    );
    let e: Box<dyn Error> = Box::new(decode("{").unwrap_err());
    assert!(
        e.to_string()
            .starts_with("stored record is not valid JSON: ")
    );
    let e = decode("[]").unwrap_err();
    assert!(
        e.to_string().starts_with("stored record is not valid: "),
        "{e}"
    );
}

#[test]
fn migrate_reports_where_it_started() {
    let current: Value = serde_json::from_str(&encode(&sample(Kind::Other))).unwrap();
    assert_eq!(migrate(current.clone()), Ok((current, None)));

    let v0: Value = serde_json::from_str(include_str!("fixtures/v0_signage.json")).unwrap();
    let (v1, from) = migrate(v0).unwrap();
    assert_eq!(from, Some(0));
    assert_eq!(v1["schema"], json!(SCHEMA_VERSION));

    assert_eq!(
        migrate(json!({"schema": 9})),
        Err(DecodeError::NewerSchema { found: 9 })
    );
    assert!(matches!(migrate(json!([])), Err(DecodeError::Invalid(_))));
    assert_eq!(codec::MIGRATIONS.len(), SCHEMA_VERSION as usize);
}

#[test]
fn storage_keys() {
    let id: Uuid = "3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52".parse().unwrap();
    let key = codec::record_key(id);
    assert_eq!(key, "rp/v1/record/3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52");
    assert_eq!(codec::record_id_from_key(&key), Some(id));
    assert_eq!(codec::record_id_from_key(codec::SETTINGS_KEY), None);
    assert_eq!(codec::record_id_from_key("rp/v1/record/garbage"), None);
    assert_eq!(
        codec::quarantine_key(&key),
        "rp/quarantine/rp/v1/record/3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52"
    );
    assert_eq!(
        codec::record_id_from_key(&codec::quarantine_key(&key)),
        None
    );
    assert_eq!(codec::SETTINGS_KEY, "rp/v1/settings");
}

/// Decoding must return, never panic, whatever is in storage.
#[test]
fn garbage_never_panics() {
    let mut docs: Vec<String> = all_kinds()
        .iter()
        .flat_map(|&k| variants(k).into_iter().take(2))
        .map(|r| encode(&r))
        .collect();
    docs.extend(
        [
            include_str!("fixtures/v0_sewage_outfall.json"),
            include_str!("fixtures/v0_livestock_farm.json"),
            include_str!("fixtures/v0_signage.json"),
            include_str!("fixtures/v0_other_no_position.json"),
            include_str!("fixtures/v1_sewage_outfall.json"),
        ]
        .map(String::from),
    );

    let mut tried = 0usize;
    let mut attempt = |text: &str| {
        tried += 1;
        let _ = decode(text);
    };

    for doc in &docs {
        // Every truncation (what an interrupted write or a full quota could leave behind).
        let compact = !doc.contains('\n');
        for (i, _) in doc.char_indices() {
            let cut = &doc[..i];
            if compact {
                assert!(
                    matches!(decode(cut), Err(DecodeError::Malformed(_))),
                    "{cut}"
                );
            }
            attempt(cut);
        }
        // One character replaced by something structural, at every position.
        for (i, c) in doc.char_indices().step_by(3) {
            for with in [
                '"', '{', '}', '[', ']', ':', ',', '0', '-', 'e', '\\', 'x', ' ',
            ] {
                let mut s = String::with_capacity(doc.len());
                s.push_str(&doc[..i]);
                s.push(with);
                s.push_str(&doc[i + c.len_utf8()..]);
                attempt(&s);
            }
        }
    }

    // Random bytes (kept as valid UTF-8, which is all localStorage can hold).
    let mut x: u64 = 0xdead_beef_cafe_f00d;
    let alphabet: Vec<char> = "{}[]\":,.-+eE0123456789 truefalsnschemaid杨\\u"
        .chars()
        .collect();
    for len in 0..400 {
        let mut s = String::new();
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        attempt(&s);
    }

    // Deep nesting and huge numbers.
    attempt(&"[".repeat(100_000));
    attempt(&format!("{}{}", "[".repeat(127), "]".repeat(127)));
    attempt(&format!("{{\"schema\":0,\"id\":{}}}", "[".repeat(5000)));
    attempt(&format!("{{\"schema\":{}}}", "9".repeat(1000)));
    attempt("{\"schema\":0,\"lat\":1e308,\"lng\":-1e308,\"kind\":\"other\"}");

    assert!(tried > 10_000, "{tried}");
}

#[test]
fn decoded_is_comparable() {
    let d = decode(&encode(&minimal(Kind::Other))).unwrap();
    let d2: Decoded = d.clone();
    assert_eq!(d, d2);
}

/// The app starts without its stored-entry readers when no key carries `APP_KEY_PREFIX`, so
/// every key it writes must carry it, or that entry would be missed at start.
#[test]
fn every_stored_key_starts_with_the_app_prefix() {
    use patrol_core::basemap::MAP_AREA_KEY;
    use patrol_core::codec::{APP_KEY_PREFIX, QUARANTINE_PREFIX, RECORD_KEY_PREFIX, SETTINGS_KEY};
    use patrol_core::dispatch::DISPATCH_OPENED_KEY;
    use patrol_core::draft::DRAFT_KEY_PREFIX;
    use patrol_core::draft::FOLLOW_UP_DRAFT_PREFIX;
    use patrol_core::patrol::PATROL_KEY_PREFIX;
    use patrol_core::sync_state::{
        PATROL_SYNC_KEY, SYNC_PROGRESS_KEY, SYNC_STATE_KEY_PREFIX, TOWNSHIP_KEY,
    };
    for key in [
        RECORD_KEY_PREFIX,
        SETTINGS_KEY,
        QUARANTINE_PREFIX,
        DRAFT_KEY_PREFIX,
        PATROL_KEY_PREFIX,
        PATROL_SYNC_KEY,
        SYNC_PROGRESS_KEY,
        SYNC_STATE_KEY_PREFIX,
        FOLLOW_UP_DRAFT_PREFIX,
        TOWNSHIP_KEY,
        MAP_AREA_KEY,
        DISPATCH_OPENED_KEY,
    ] {
        assert!(key.starts_with(APP_KEY_PREFIX), "{key}");
    }
}

#[test]
fn a_position_says_how_it_was_found() {
    let mut r = sample(Kind::Other);
    let p = r.position.as_mut().unwrap();
    for (source, by_hand) in [
        (PositionSource::Gps, false),
        (PositionSource::Typed, true),
        (PositionSource::Map, true),
    ] {
        p.source = Some(source);
        assert_eq!(p.found_by(), source);
        assert_eq!(p.by_hand(), by_hand);
    }
    let v: Value = serde_json::from_str(&encode(&r)).unwrap();
    assert_eq!(v["position"]["source"], "map");
    round_trip(&r);

    // Positions kept before the source was: GPS when they carry an accuracy, typed when not.
    let p = r.position.as_mut().unwrap();
    p.source = None;
    assert!(!encode(&r).contains("\"source\""));
    let p = r.position.as_mut().unwrap();
    assert_eq!(p.found_by(), PositionSource::Gps);
    p.accuracy_m = None;
    assert_eq!(p.found_by(), PositionSource::Typed);
    assert!(p.by_hand());
}
