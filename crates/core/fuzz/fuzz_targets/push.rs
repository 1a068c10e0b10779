//! The bodies of the sync pushes as the server decodes them (`PushRequest`,
//! `PatrolPushRequest`), then validated and, for patrols, merged as the server merges copies:
//! never a panic; a merge keeps a fix at every instant the copy had one, in time order; and
//! merging the result again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patrol_core::sync::{PatrolPushRequest, PushRequest};

fuzz_target!(|data: &[u8]| {
    if let Ok(push) = serde_json::from_slice::<PushRequest>(data) {
        for pushed in &push.records {
            let _ = patrol_core::validate(&pushed.record);
        }
    }
    if let Ok(push) = serde_json::from_slice::<PatrolPushRequest>(data) {
        for patrol in &push.patrols {
            let _ = patrol.validate();
            let mut merged = patrol.clone();
            merged.merge(patrol);
            assert!(merged.track.windows(2).all(|w| w[0].at < w[1].at));
            for fix in &patrol.track {
                assert!(merged.track.iter().any(|m| m.at == fix.at), "{fix:?} lost");
            }
            let mut again = merged.clone();
            again.merge(&merged);
            assert_eq!(again, merged);
        }
    }
});
