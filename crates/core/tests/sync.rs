//! The sync protocol's JSON shapes, as docs/sync-protocol.md shows them, and the ledger CSV.

mod common;

use common::*;
use patrol_core::csv::{
    LEDGER_HEADERS, cell, ledger_csv, ledger_csv_with_receipts, ledger_row, receipt_note,
};
use patrol_core::sync::{self, code, pull_path, retry_delay_ms};
use patrol_core::*;
use serde_json::{Value, json};
use uuid::Uuid;

fn photo_id() -> Uuid {
    Uuid::from_u128(0xa11c_e000_0000_4000_8000_0000_0000_0001)
}

/// The server's receipt of the sample record's photo, five minutes after it was taken.
fn receipt() -> PhotoReceipt {
    PhotoReceipt {
        id: photo_id(),
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        received_at: at(2026, 5, 1, 8, 5, 0),
    }
}

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

/// Serializes to `expected` and reads back from it to the same value.
fn shape<T>(t: &T, expected: Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    assert_eq!(to_value(t), expected);
    let back: T = serde_json::from_value(expected).unwrap();
    assert_eq!(&back, t);
}

#[test]
fn push_request_shape() {
    let r = sample(Kind::SewageOutfall);
    let req = PushRequest {
        records: vec![
            PushRecord {
                base_rev: None,
                record: r.clone(),
            },
            PushRecord {
                base_rev: Some(4),
                record: r.clone(),
            },
        ],
    };
    let record = to_value(&r);
    shape(
        &req,
        json!({"records": [
            {"base_rev": null, "record": record},
            {"base_rev": 4, "record": record},
        ]}),
    );
    // base_rev may be left out for a record that never synced.
    let back: PushRequest =
        serde_json::from_value(json!({"records": [{"record": record}]})).unwrap();
    assert_eq!(back.records[0].base_rev, None);
}

#[test]
fn push_response_shapes() {
    let id = sample(Kind::Signage).id;
    let server = sample(Kind::Signage);
    let res = PushResponse {
        results: vec![
            PushResult {
                id,
                outcome: Outcome::Accepted {
                    server_rev: 1,
                    missing_photos: vec![photo_id()],
                },
            },
            PushResult {
                id,
                outcome: Outcome::Unchanged {
                    server_rev: 7,
                    missing_photos: vec![],
                },
            },
            PushResult {
                id,
                outcome: Outcome::Conflict {
                    server_rev: 8,
                    server: Box::new(server.clone()),
                },
            },
            PushResult {
                id,
                outcome: Outcome::Rejected {
                    problems: vec![SyncProblem::new(
                        "village",
                        code::WRONG_VILLAGE,
                        "the record is for 红岩村, the token for 杨柳村",
                    )],
                },
            },
        ],
    };
    let id = id.to_string();
    shape(
        &res,
        json!({"results": [
            {"id": id, "outcome": "accepted", "server_rev": 1,
             "missing_photos": [photo_id().to_string()]},
            {"id": id, "outcome": "unchanged", "server_rev": 7, "missing_photos": []},
            {"id": id, "outcome": "conflict", "server_rev": 8, "server": to_value(&server)},
            {"id": id, "outcome": "rejected", "problems": [
                {"field": "village", "code": "wrong_village",
                 "message": "the record is for 红岩村, the token for 杨柳村"}
            ]},
        ]}),
    );
}

#[test]
fn conflict_keeps_every_record_field() {
    // The server's copy travels flattened beside the tag; floats and the nested kind tag
    // must survive the trip exactly.
    for kind in all_kinds() {
        let server = sample(*kind);
        let result = PushResult {
            id: server.id,
            outcome: Outcome::Conflict {
                server_rev: u64::MAX,
                server: Box::new(server.clone()),
            },
        };
        let text = serde_json::to_string(&result).unwrap();
        let back: PushResult = serde_json::from_str(&text).unwrap();
        assert_eq!(back, result, "{text}");
    }
}

#[test]
fn outcome_helpers() {
    let accepted = |missing: Vec<Uuid>| Outcome::Accepted {
        server_rev: 3,
        missing_photos: missing,
    };
    assert!(accepted(vec![]).is_synced());
    assert!(!accepted(vec![photo_id()]).is_synced());
    assert_eq!(accepted(vec![photo_id()]).missing_photos(), &[photo_id()]);
    assert_eq!(accepted(vec![]).stored_rev(), Some(3));
    let unchanged = Outcome::Unchanged {
        server_rev: 9,
        missing_photos: vec![],
    };
    assert!(unchanged.is_synced());
    assert_eq!(unchanged.stored_rev(), Some(9));
    let conflict = Outcome::Conflict {
        server_rev: 4,
        server: Box::new(sample(Kind::Other)),
    };
    assert!(!conflict.is_synced());
    assert_eq!(conflict.stored_rev(), None);
    let rejected = Outcome::Rejected { problems: vec![] };
    assert!(!rejected.is_synced());
    assert!(rejected.missing_photos().is_empty());
}

#[test]
fn validation_problems_become_sync_problems() {
    let mut r = sample(Kind::Other);
    r.title = " ".into();
    r.village = "村".repeat(41);
    let problems: Vec<SyncProblem> = validate(&r).iter().map(SyncProblem::from).collect();
    assert_eq!(
        to_value(&problems),
        json!([
            {"field": "title", "code": "required", "message": "title is required"},
            {"field": "village", "code": "too_long",
             "message": "village is longer than 40 characters"},
        ])
    );
}

#[test]
fn pull_response_shape() {
    let r = sample(Kind::LivestockFarm);
    let mut gone = sample(Kind::Signage);
    gone.deleted_at = Some(at(2026, 5, 9, 10, 0, 0));
    let res = PullResponse {
        changes: vec![
            ServerRecord {
                server_rev: 2,
                record: r.clone(),
                receipts: vec![receipt()],
            },
            ServerRecord {
                server_rev: 5,
                record: gone.clone(),
                receipts: vec![],
            },
        ],
        cursor: "42".into(),
        more: true,
        import_ids: None,
    };
    shape(
        &res,
        json!({
            "changes": [
                {"server_rev": 2, "record": to_value(&r), "receipts": [{
                    "id": photo_id(),
                    "sha256": r.photos[0].sha256,
                    "received_at": "2026-05-01T08:05:00Z",
                }]},
                // No receipts, none written: what an older server sends, and an older app reads.
                {"server_rev": 5, "record": to_value(&gone)},
            ],
            "cursor": "42",
            "more": true,
        }),
    );
    assert_eq!(
        to_value(&gone)["deleted_at"],
        json!("2026-05-09T10:00:00Z"),
        "tombstones carry deleted_at"
    );
}

#[test]
fn limits_health_photo_and_error_shapes() {
    shape(
        &Limits::default(),
        json!({"api_version": "v1", "max_batch_records": 100,
               "max_body_bytes": 1048576, "max_photo_bytes": 2097152}),
    );
    shape(
        &Health {
            status: "ok".into(),
            version: "0.1.0".into(),
            database: "sqlite".into(),
            photo_store: "local".into(),
        },
        json!({"status": "ok", "version": "0.1.0", "database": "sqlite", "photo_store": "local"}),
    );
    // An older server's answer still reads.
    let old: Health = serde_json::from_value(json!({"status": "ok", "version": "0.1.0"})).unwrap();
    assert_eq!(old.database, "");
    shape(
        &PhotoStored {
            stored: true,
            receipt: None,
        },
        json!({"stored": true}),
    );
    shape(
        &PhotoStored {
            stored: false,
            receipt: Some(receipt()),
        },
        json!({"stored": false, "receipt": {
            "id": photo_id(),
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "received_at": "2026-05-01T08:05:00Z",
        }}),
    );
    shape(
        &ErrorResponse {
            error: ErrorBody {
                code: code::INVALID.into(),
                message: "unknown variant `done`".into(),
                field: Some("records[0].record.status".into()),
            },
        },
        json!({"error": {"code": "invalid", "message": "unknown variant `done`",
                         "field": "records[0].record.status"}}),
    );
    // No field: the key is left out, and reading accepts its absence.
    shape(
        &ErrorResponse {
            error: ErrorBody {
                code: code::UNAUTHORIZED.into(),
                message: "no bearer token".into(),
                field: None,
            },
        },
        json!({"error": {"code": "unauthorized", "message": "no bearer token"}}),
    );
}

#[test]
fn paths() {
    assert_eq!(sync::records_path(), "/api/v1/records");
    assert_eq!(pull_path(None, None), "/api/v1/records");
    assert_eq!(pull_path(Some("17"), None), "/api/v1/records?since=17");
    assert_eq!(pull_path(None, Some(50)), "/api/v1/records?limit=50");
    assert_eq!(
        pull_path(Some("a b&c=/"), Some(5)),
        "/api/v1/records?since=a%20b%26c%3D%2F&limit=5"
    );
    assert_eq!(
        sync::photo_path(photo_id()),
        "/api/v1/photos/a11ce000-0000-4000-8000-000000000001"
    );
    assert_eq!(sync::township_path(), "/api/v1/township");
    assert_eq!(sync::tokens_path(), "/api/v1/tokens");
    assert_eq!(sync::token_path(7), "/api/v1/tokens/7");
}

#[test]
fn connect_link_puts_the_token_in_the_fragment() {
    assert_eq!(
        sync::connect_link("https://xhz.example.cn/", "rp_00ff"),
        "https://xhz.example.cn/connect#token=rp_00ff"
    );
    // Whatever a token holds, it cannot end the fragment's parameter early.
    assert_eq!(
        sync::connect_link("http://127.0.0.1:8080", "a&server=x"),
        "http://127.0.0.1:8080/connect#token=a%26server%3Dx"
    );
}

#[test]
fn token_shapes() {
    shape(
        &sync::TokenInfo {
            id: 3,
            officer: "张三".into(),
            village: Some("杨柳村".into()),
            created_at: "2026-12-01T02:00:00Z".parse().unwrap(),
            revoked_at: None,
            last_sync_at: Some("2026-12-02T03:00:00Z".parse().unwrap()),
            unsent: Some(4),
        },
        json!({"id": 3, "officer": "张三", "village": "杨柳村",
               "created_at": "2026-12-01T02:00:00Z", "revoked_at": null,
               "last_sync_at": "2026-12-02T03:00:00Z", "unsent": 4}),
    );
    let request: sync::NewTokenRequest =
        serde_json::from_value(json!({"officer": "王主任"})).unwrap();
    assert_eq!(request.village, None, "no village: a township office token");
}

#[test]
fn township_shape() {
    use patrol_core::basemap::Basemap;
    use patrol_core::patrol_rule::PatrolRule;
    shape(
        &sync::Township {
            patrol_rule: PatrolRule {
                min_minutes: 20,
                min_metres: 2000,
            },
            basemap: Some(
                Basemap::new("/api/v1/tiles/{z}/{x}/{y}", "红星村航拍 2026", 18).unwrap(),
            ),
        },
        json!({
            "patrol_rule": {"min_minutes": 20, "min_metres": 2000},
            "basemap": {"tiles": "/api/v1/tiles/{z}/{x}/{y}", "attribution": "红星村航拍 2026", "max_zoom": 18}
        }),
    );
    // Without a basemap chosen the map draws on a plain grid.
    let read: sync::Township = serde_json::from_value(json!({})).unwrap();
    assert_eq!(read.basemap, None);
    // A server that says nothing of the rule (or of one of its fields) leaves the usual one.
    let read: sync::Township = serde_json::from_value(json!({})).unwrap();
    assert_eq!(read.patrol_rule, PatrolRule::default());
    let read: sync::Township =
        serde_json::from_value(json!({"patrol_rule": {"min_metres": 500}})).unwrap();
    assert_eq!(
        read.patrol_rule,
        PatrolRule {
            min_minutes: 15,
            min_metres: 500
        }
    );
}

#[test]
fn retry_delays_double_up_to_five_minutes_with_jitter() {
    // Without jitter taken off (random → 1) the ceiling: 5, 10, 20, … s, capped at 300 s.
    let ceilings: Vec<u64> = (1..=9).map(|n| retry_delay_ms(n, 0.999_999)).collect();
    assert_eq!(
        ceilings,
        [
            4_999, 9_999, 19_999, 39_999, 79_999, 159_999, 299_999, 299_999, 299_999
        ]
    );
    // With all of the jitter taken off: half of that.
    assert_eq!(retry_delay_ms(1, 0.0), 2_500);
    assert_eq!(retry_delay_ms(20, 0.0), 150_000);
    // 0 failures is treated like the first; silly randoms are clamped; no overflow.
    assert_eq!(retry_delay_ms(0, 0.0), 2_500);
    assert_eq!(retry_delay_ms(u32::MAX, f64::NAN), 150_000);
    assert_eq!(retry_delay_ms(3, 7.0), 20_000);
    for n in 1..40 {
        for r in [0.0, 0.3, 0.5, 0.99] {
            let d = retry_delay_ms(n, r);
            assert!((2_500..=300_000).contains(&d), "{n} {r} {d}");
        }
    }
}

#[test]
fn chinese_names() {
    let kinds: Vec<&str> = all_kinds().iter().map(|k| k.zh_name()).collect();
    assert_eq!(
        kinds,
        [
            "排污口",
            "养殖场",
            "标志牌",
            "石料加工厂",
            "弃土堆",
            "垃圾点",
            "水质检测点",
            "其他问题"
        ]
    );
    let statuses: Vec<&str> = <Status as Choice>::ALL
        .iter()
        .map(|s| s.zh_name())
        .collect();
    assert_eq!(statuses, ["待整改", "整改中", "已整改", "已销号"]);
}

#[test]
fn ledger_row_cells() {
    let r = sample(Kind::SewageOutfall);
    let row = ledger_row(3, &r, &[]);
    assert_eq!(LEDGER_HEADERS.len(), row.len());
    assert_eq!(
        row,
        [
            "3",
            "杨柳村",
            "排污口",
            "沿河住户生活污水直排入河",
            "四组桥头",
            "107.541573",
            "31.251055",
            "GPS ±12米",
            "黎学军(党委书记)",
            "规划建设办",
            "严文斌",
            "+86 138-1234-5678",
            "2026-06-30",
            "整改中",
            // 08:00 UTC is 16:00 in China.
            "2026-05-01 16:00",
            "",
            "",
            "0",
            "下雨后更严重。",
            "张三",
            "1",
            // No receipts given: nothing to say of the photo's arrival.
            "",
            // Its photo is no gallery photo from elsewhere.
            "",
            &r.id.to_string(),
        ]
    );
    let bare = minimal(Kind::Signage);
    let row = ledger_row(1, &bare, &[receipt()]);
    assert_eq!(row[5], "");
    assert_eq!(row[6], "");
    assert_eq!(row[7], "", "no position, no way it was found");
    assert_eq!(row[12], "");
    assert_eq!(row[13], "待整改");
    assert_eq!(row[17], "0");
    assert_eq!(row[20], "0");
    assert_eq!(row[21], "", "a receipt of a photo the record does not name");
}

#[test]
fn the_ledger_tells_a_point_given_by_hand_from_a_gps_fix() {
    let column = LEDGER_HEADERS
        .iter()
        .position(|h| *h == "定位方式")
        .unwrap();
    let mut r = sample(Kind::SewageOutfall);
    let found_by = |r: &Record| ledger_row(1, r, &[])[column].clone();
    assert_eq!(found_by(&r), "GPS ±12米");
    let p = r.position.as_mut().unwrap();
    p.source = Some(PositionSource::Map);
    p.accuracy_m = None;
    assert_eq!(found_by(&r), "地图选点");
    r.position.as_mut().unwrap().source = Some(PositionSource::Typed);
    assert_eq!(found_by(&r), "手动输入");
    // Kept before the app said: typed, as the form stored typed coordinates then.
    r.position.as_mut().unwrap().source = None;
    assert_eq!(found_by(&r), "手动输入");
}

#[test]
fn the_receipts_cell_lists_each_received_photo_in_the_records_order() {
    let mut r = sample(Kind::SewageOutfall);
    let mut fixed = r.photos[0].clone();
    fixed.id = Uuid::from_u128(0xf1);
    fixed.sha256 = "AB".repeat(32);
    let mut unsent = fixed.clone();
    unsent.id = Uuid::from_u128(0xf2);
    r.follow_up(
        FollowUp {
            to: Status::Fixed,
            photos: vec![fixed.clone(), unsent],
            ..Default::default()
        },
        "李四",
        at(2026, 5, 20, 1, 30, 0),
    )
    .unwrap();
    let received = |id, sha256: &str, h, m, s| PhotoReceipt {
        id,
        sha256: sha256.to_ascii_lowercase(),
        received_at: at(2026, 5, 20, h, m, s),
    };
    // Any order, and other bytes under the finding's photo id, which are not its photo.
    let receipts = [
        received(fixed.id, &fixed.sha256, 2, 0, 7),
        received(photo_id(), &"0".repeat(64), 0, 0, 0),
        receipt(),
    ];
    let cells = ledger_row(1, &r, &receipts);
    let expected = "2026-05-01 16:05:00 9f86d081884c; 2026-05-20 10:00:07 abababababab";
    let column = LEDGER_HEADERS
        .iter()
        .position(|h| *h == "照片送达")
        .unwrap();
    assert_eq!(cells[column], expected);
    assert_eq!(receipt_note(&receipt()), "2026-05-01 16:05:00 9f86d081884c");
    // The whole file says the same, and nothing without receipts.
    assert!(ledger_csv_with_receipts([&r], &receipts).contains(&format!(",3,{expected},,")));
    assert!(ledger_csv([&r]).contains(&format!(",3,,,{}", r.id)));
}

#[test]
fn ledger_csv_has_bom_headers_and_live_rows_only() {
    let mut late = sample(Kind::LivestockFarm);
    late.created_at = at(2026, 6, 1, 0, 0, 0);
    late.title = "粪污直排, 未建\"三改两分\"设施\n待复查".into();
    let early = sample(Kind::SewageOutfall);
    let mut gone = sample(Kind::Signage);
    gone.deleted_at = Some(at(2026, 5, 2, 0, 0, 0));
    let text = ledger_csv([&late, &gone, &early]);

    assert!(text.starts_with('\u{feff}'));
    assert!(text.starts_with(
        "\u{feff}序号,村/社区,问题类型,问题描述,位置,经度,纬度,定位方式,责任领导,责任部门,责任人,\
         联系电话,整改时限,整改状态,发现时间,整改完成时间,最近复查时间,复查次数,备注,记录人,照片数,照片送达,非现场拍摄,id\r\n"
    ));
    assert!(
        !text.contains(&gone.id.to_string()),
        "tombstones are left out"
    );
    let early_at = text.find(&early.id.to_string()).unwrap();
    let late_at = text.find(&late.id.to_string()).unwrap();
    assert!(early_at < late_at, "oldest first");
    assert!(text.contains("\r\n1,杨柳村,排污口,"));
    assert!(text.contains("\r\n2,杨柳村,养殖场,\"粪污直排, 未建\"\"三改两分\"\"设施\n待复查\","));
    assert!(text.ends_with("\r\n"));
}

#[test]
fn csv_cells_are_quoted_and_formulas_neutralised() {
    assert_eq!(cell("杨柳村"), "杨柳村");
    assert_eq!(cell("a,b"), "\"a,b\"");
    assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(
        cell("=HYPERLINK(\"http://x\")"),
        "\"'=HYPERLINK(\"\"http://x\"\")\""
    );
    assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(cell("-1+cmd|x"), "'-1+cmd|x");
    assert_eq!(cell("+86 138-1234-5678"), "+86 138-1234-5678");
    assert_eq!(cell("-12.5"), "-12.5");
    assert_eq!(cell(""), "");
}
