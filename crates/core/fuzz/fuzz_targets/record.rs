//! A stored or pushed record's text, as `codec::decode` reads it on the phone (localStorage)
//! and on the server (its database): never a panic, and what it reads back survives being
//! written and read again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patrol_core::codec;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(decoded) = codec::decode(text) {
        let again =
            codec::decode(&codec::encode(&decoded.record)).expect("an encoded record decodes");
        assert_eq!(again.record, decoded.record);
        assert_eq!(again.migrated_from, None);
        let _ = patrol_core::validate(&decoded.record);
    }
});
