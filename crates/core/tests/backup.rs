mod common;

use std::collections::HashSet;
use std::io::Read;

use common::*;
use patrol_core::backup::zip::{self, ZipWriter};
use patrol_core::backup::*;
use patrol_core::*;
use serde_json::json;
use uuid::Uuid;

fn patrol(n: u128, revision: u32, fixes: &[u32]) -> Patrol {
    Patrol {
        id: Uuid::from_u128(0xbeef_0000 + n),
        river: "清水河".into(),
        section: "杨柳村段".into(),
        author: "张三".into(),
        village: "杨柳村".into(),
        started_at: at(2026, 5, 1, 8, 0, 0),
        ended_at: None,
        track: fixes
            .iter()
            .map(|&s| TrackPoint {
                lat: 31.25,
                lon: 107.54 + f64::from(s) * 1e-4,
                accuracy_m: 5.0,
                at: at(2026, 5, 1, 8, s / 60, s % 60),
            })
            .collect(),
        revision,
    }
}

fn photo(n: u8) -> (PhotoEntry, Vec<u8>) {
    let bytes: Vec<u8> = [0xff, 0xd8, 0xff, 0xe0]
        .into_iter()
        .chain((0..1000u32).map(|i| (i * 7 + u32::from(n)) as u8))
        .collect();
    let entry = PhotoEntry {
        id: Uuid::from_u128(0xf070_0000 + u128::from(n)),
        bytes: bytes.len() as u64,
        sha256: format!("{:064x}", n),
    };
    (entry, bytes)
}

fn record(n: u128, revision: u32) -> Record {
    let mut r = sample(Kind::SewageOutfall);
    r.id = Uuid::from_u128(0x4ec0_0000 + n);
    r.revision = revision;
    r
}

/// Lays out a ZIP the way the app does: each header, then its bytes; then the directory.
fn write_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(at(2026, 11, 29, 9, 30, 10));
    let mut out = Vec::new();
    for (name, bytes) in files {
        out.extend(
            writer
                .add(name, zip::crc32(bytes), bytes.len() as u64)
                .unwrap(),
        );
        out.extend_from_slice(bytes);
    }
    out.extend(writer.finish().unwrap());
    out
}

/// Reads a ZIP the way the app does: the tail, the directory, each entry's header.
fn read_zip(file: &[u8]) -> Vec<(String, Vec<u8>)> {
    let tail_len = (zip::TAIL_LEN as usize).min(file.len());
    let tail = &file[file.len() - tail_len..];
    let (offset, size) = zip::find_directory(tail, file.len() as u64).unwrap();
    let entries = zip::read_directory(&file[offset as usize..(offset + size) as usize]).unwrap();
    entries
        .into_iter()
        .map(|e| {
            let start = e.offset as usize;
            let header = &file[start..start + zip::LOCAL_HEADER_LEN as usize];
            let data = start + zip::data_start(header).unwrap() as usize;
            let bytes = file[data..data + e.size as usize].to_vec();
            assert_eq!(zip::crc32(&bytes), e.crc32, "{}", e.name);
            (e.name, bytes)
        })
        .collect()
}

#[test]
fn the_zip_written_opens_in_a_standard_unzip_library_with_every_byte() {
    let (p1, b1) = photo(1);
    let manifest = b"{\"format\":1}".to_vec();
    let files: Vec<(String, Vec<u8>)> = vec![
        (photo_file_name(p1.id), b1.clone()),
        (MANIFEST_NAME.into(), manifest.clone()),
        (
            LEDGER_NAME.into(),
            "类型,村\n排污口,杨柳村\n".as_bytes().to_vec(),
        ),
        ("empty".into(), Vec::new()),
    ];
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    let file = write_zip(&refs);

    let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(file.clone())).unwrap();
    assert_eq!(archive.len(), files.len());
    for (name, bytes) in &files {
        let mut entry = archive.by_name(name).unwrap();
        let mut read = Vec::new();
        entry.read_to_end(&mut read).unwrap();
        assert_eq!(&read, bytes, "{name}");
    }
    // And the app's own reader gives the same back.
    assert_eq!(read_zip(&file), files);
}

#[test]
fn a_file_that_is_not_a_zip_or_is_cut_short_is_refused() {
    assert_eq!(
        zip::find_directory(b"hello, this is a CSV file,,,,,", 30),
        Err(BackupError::NotABackup)
    );
    assert_eq!(zip::find_directory(b"", 0), Err(BackupError::NotABackup));
    let file = write_zip(&[("a", b"12345"), ("b", b"67890")]);
    // The directory says it starts past the bytes before it: the file lost its middle.
    let mut cut = file[..10].to_vec();
    cut.extend_from_slice(&file[20..]);
    let tail = &cut[..];
    assert!(matches!(
        zip::find_directory(tail, cut.len() as u64).and_then(|(o, s)| {
            zip::read_directory(cut.get(o as usize..(o + s) as usize).unwrap_or(&[]))
        }),
        Err(BackupError::Damaged(_))
    ));
    assert!(matches!(
        zip::data_start(b"PK\x05\x06"),
        Err(BackupError::Damaged(_))
    ));
}

#[test]
fn the_manifest_keeps_records_as_stored_and_refuses_a_newer_format() {
    let mut deleted = record(2, 3);
    deleted.mark_deleted(at(2026, 6, 1, 8, 0, 0));
    let (p1, _) = photo(1);
    let manifest = Manifest::new(
        at(2026, 11, 29, 9, 0, 0),
        &[record(1, 1), deleted.clone()],
        &[patrol(1, 2, &[0, 30])],
        vec![p1],
        vec![],
    );
    let text = manifest.to_json();
    let back = Manifest::from_json(&text).unwrap();
    assert_eq!(back, manifest);
    // A record comes back as it was stored, tombstone included.
    assert_eq!(
        codec::decode(&back.records[1].to_string()).unwrap().record,
        deleted
    );

    let newer = text.replacen("\"format\": 1", "\"format\": 2", 1);
    assert_eq!(
        Manifest::from_json(&newer),
        Err(BackupError::NewerFormat { found: 2 })
    );
    assert_eq!(
        Manifest::from_json("{\"records\": []}"),
        Err(BackupError::NotABackup)
    );
    assert!(matches!(
        Manifest::from_json("{\"format\": 1, \"records\": "),
        Err(BackupError::Damaged(_))
    ));
    let bad_hash = text.replacen(&format!("{:064x}", 1), "../../etc/passwd", 1);
    assert!(matches!(
        Manifest::from_json(&bad_hash),
        Err(BackupError::Damaged(_))
    ));
}

#[test]
fn restoring_onto_an_empty_phone_adds_everything_and_a_second_time_nothing() {
    let (p1, _) = photo(1);
    let (p2, _) = photo(2);
    let records = [record(1, 1), record(2, 4)];
    let patrols = [patrol(1, 2, &[0, 30, 60])];
    let manifest = Manifest::new(
        at(2026, 11, 29, 9, 0, 0),
        &records,
        &patrols,
        vec![p1.clone(), p2.clone()],
        vec![],
    );
    let plan = plan_restore(&manifest, &[], &[], &HashSet::new(), &HashSet::new());
    assert_eq!(plan.records.len(), 2);
    assert_eq!(plan.patrols, patrols);
    assert_eq!(plan.photos, vec![p1.clone(), p2.clone()]);
    assert_eq!(
        plan.report,
        RestoreReport {
            records_added: 2,
            patrols_added: 1,
            photos_added: 0,
            ..RestoreReport::default()
        }
    );
    assert!(!plan.report.changed_nothing());

    // The phone now holds what the plan wrote: the same file changes nothing.
    let photos: HashSet<Uuid> = [p1.id, p2.id].into();
    let again = plan_restore(
        &manifest,
        &plan.records,
        &plan.patrols,
        &photos,
        &HashSet::new(),
    );
    assert!(again.records.is_empty() && again.patrols.is_empty() && again.photos.is_empty());
    assert_eq!(
        again.report,
        RestoreReport {
            records_unchanged: 2,
            patrols_unchanged: 1,
            photos_unchanged: 2,
            ..RestoreReport::default()
        }
    );
    assert!(again.report.changed_nothing());
}

#[test]
fn a_restore_never_replaces_what_the_phone_holds_in_a_newer_revision() {
    let mut phone_newer = record(1, 5);
    phone_newer.notes = "复查：已整改".into();
    let backup_newer = record(2, 7);
    let mut phone_older = record(2, 6);
    phone_older.notes = "旧".into();
    let mut side_by_side = record(3, 2);
    side_by_side.notes = "手机上改的".into();
    let manifest = Manifest::new(
        at(2026, 11, 29, 9, 0, 0),
        &[record(1, 4), backup_newer.clone(), record(3, 2)],
        &[patrol(1, 3, &[0, 30]), patrol(2, 1, &[0])],
        vec![],
        vec![],
    );
    let local_patrol = patrol(1, 4, &[30, 60]);
    let plan = plan_restore(
        &manifest,
        &[phone_newer, phone_older, side_by_side],
        &[local_patrol.clone(), patrol(2, 1, &[0])],
        &HashSet::new(),
        &HashSet::new(),
    );
    assert_eq!(plan.records, vec![backup_newer]);
    assert_eq!(plan.report.records_updated, 1);
    assert_eq!(plan.report.records_kept, 2);
    // The patrol gains the backup's fix at 0 s and keeps the phone's later revision.
    let mut merged = local_patrol.clone();
    merged.merge(&patrol(1, 3, &[0, 30]));
    assert_eq!(merged.track.len(), 3);
    assert_eq!(merged.revision, 4);
    assert_eq!(plan.patrols, vec![merged]);
    assert_eq!(plan.report.patrols_updated, 1);
    assert_eq!(plan.report.patrols_unchanged, 1);
}

#[test]
fn records_from_a_newer_app_or_an_older_schema_are_handled_like_stored_ones() {
    let newer = json!({"schema": 99, "id": Uuid::from_u128(9), "whatever": true});
    let old: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/v0_sewage_outfall.json")).unwrap();
    let mut manifest = Manifest::new(at(2026, 11, 29, 9, 0, 0), &[], &[], vec![], vec![]);
    manifest.records = vec![newer, old];
    manifest.kept_entries = vec![
        KeptEntry {
            key: "rp/v1/record/00000000-0000-0000-0000-000000000009".into(),
            text: "{\"schema\": 99}".into(),
        },
        KeptEntry {
            key: "rp/quarantine/rp/v1/record/x".into(),
            text: "{".into(),
        },
        KeptEntry {
            key: "rp/v1/settings".into(),
            text: "{\"token\": \"stolen\"}".into(),
        },
    ];
    let taken: HashSet<String> = ["rp/quarantine/rp/v1/record/x".to_owned()].into();
    let plan = plan_restore(&manifest, &[], &[], &HashSet::new(), &taken);
    assert_eq!(plan.report.records_unreadable, 1);
    assert_eq!(plan.report.records_added, 1);
    assert_eq!(plan.records[0].schema, SCHEMA_VERSION);
    // Only the newer app's record goes back: the quarantine key is taken, settings never.
    assert_eq!(plan.kept_entries, vec![manifest.kept_entries[0].clone()]);
}
