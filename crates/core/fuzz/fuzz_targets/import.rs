//! A ledger file as the import reads it, on the phone and on the server (`import::plan`):
//! never a panic, whatever the columns, quotes, encodings' leftovers and line ends.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
    let plan = patrol_core::import::plan(text, "张三", now, None);
    for record in plan.valid() {
        assert!(patrol_core::validate(record).is_empty());
    }
});
