//! Stored form of a record and the migrations from older formats.
//!
//! A record is stored as one JSON document (see `docs/storage.md`). Every document carries the
//! `schema` version it was written with (absent means 0, the prototype's flat format). Reading
//! migrates older documents step by step to [`SCHEMA_VERSION`]; a document from a newer app is
//! refused with [`DecodeError::NewerSchema`] so that the caller can leave it untouched.
//!
//! To change the format: bump [`SCHEMA_VERSION`], write one `fn(Value) -> Result<Value,
//! DecodeError>` that turns a document of the previous version into the new one, and append
//! it to [`MIGRATIONS`].

use std::fmt;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::SCHEMA_VERSION;
use crate::record::Record;

/// Every localStorage key the app writes starts with this: a phone without one holds nothing
/// of the app's (the app then starts without the code that reads stored entries).
pub const APP_KEY_PREFIX: &str = "rp/";
/// localStorage key prefix of record entries: `rp/v1/record/<uuid>`. The `v1` is the version
/// of the key layout, not of the record format; records of any schema live under it.
pub const RECORD_KEY_PREFIX: &str = "rp/v1/record/";
/// localStorage key of the app settings.
pub const SETTINGS_KEY: &str = "rp/v1/settings";
/// Prefix under which entries that could not be decoded are kept: `rp/quarantine/<original key>`.
pub const QUARANTINE_PREFIX: &str = "rp/quarantine/";

/// The localStorage key of the record with `id` (lower-case hyphenated UUID).
pub fn record_key(id: Uuid) -> String {
    format!("{RECORD_KEY_PREFIX}{id}")
}

/// The record id in a record key, or `None` if `key` is not a record key.
pub fn record_id_from_key(key: &str) -> Option<Uuid> {
    key.strip_prefix(RECORD_KEY_PREFIX)
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// Where an entry that failed to decode is moved to.
pub fn quarantine_key(original_key: &str) -> String {
    format!("{QUARANTINE_PREFIX}{original_key}")
}

/// The stored text of `record`: its JSON at the current [`SCHEMA_VERSION`].
///
/// The text is always written in the current format, so it is stamped with the current
/// schema version even if `record.schema` says otherwise (records made with
/// [`Record::new`] or returned by [`decode`] already carry it).
pub fn encode(record: &Record) -> String {
    let text = if record.schema == SCHEMA_VERSION {
        serde_json::to_string(record)
    } else {
        let mut current = record.clone();
        current.schema = SCHEMA_VERSION;
        serde_json::to_string(&current)
    };
    // Serializing a `Record` cannot fail: every map key is a string and every value has a
    // JSON form (a non-finite float becomes `null`, which `validate` prevents).
    text.expect("a Record always serializes to JSON")
}

/// A record read from storage.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub record: Record,
    /// The schema version the stored text had, if it was older than [`SCHEMA_VERSION`] and
    /// got migrated. The caller should then save the record again (with [`encode`]) so the
    /// migration runs only once.
    pub migrated_from: Option<u32>,
}

/// Why a stored text could not be read as a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON at all (truncated, corrupted).
    Malformed(String),
    /// Written by a newer version of the app. Keep the entry untouched: an update will read it.
    NewerSchema { found: u32 },
    /// JSON, but not a record of the version it claims (or a migration could not convert it).
    Invalid(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Malformed(why) => write!(f, "stored record is not valid JSON: {why}"),
            DecodeError::NewerSchema { found } => write!(
                f,
                "stored record has schema {found}, newer than this app's {SCHEMA_VERSION}"
            ),
            DecodeError::Invalid(why) => write!(f, "stored record is not valid: {why}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Reads a stored record, migrating it from an older schema if needed. Never panics.
pub fn decode(text: &str) -> Result<Decoded, DecodeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    let (value, migrated_from) = migrate(value)?;
    let record: Record =
        serde_json::from_value(value).map_err(|e| DecodeError::Invalid(e.to_string()))?;
    Ok(Decoded {
        record,
        migrated_from,
    })
}

/// One migration step: a document of version `n` in, the same document at version `n + 1` out.
/// The runner sets `schema` afterwards, so a step need not.
pub type Migration = fn(Value) -> Result<Value, DecodeError>;

/// The migrations, in order: `MIGRATIONS[n]` turns schema `n` into schema `n + 1`.
pub const MIGRATIONS: &[Migration] = &[v0_to_v1];

const _: () = assert!(
    MIGRATIONS.len() == SCHEMA_VERSION as usize,
    "every schema version below SCHEMA_VERSION needs a migration"
);

/// Brings a stored document up to [`SCHEMA_VERSION`]. Returns it with the version it started
/// at, if that was older (`None` if it was already current).
pub fn migrate(mut value: Value) -> Result<(Value, Option<u32>), DecodeError> {
    let found = schema_of(&value)?;
    if found > SCHEMA_VERSION {
        return Err(DecodeError::NewerSchema { found });
    }
    if found == SCHEMA_VERSION {
        return Ok((value, None));
    }
    for (from, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        value = step(value)?;
        let Value::Object(map) = &mut value else {
            return Err(DecodeError::Invalid(format!(
                "migration from schema {from} did not produce an object"
            )));
        };
        map.insert("schema".into(), Value::from(from as u32 + 1));
    }
    Ok((value, Some(found)))
}

/// The `schema` of a stored document; absent means 0.
fn schema_of(value: &Value) -> Result<u32, DecodeError> {
    let Value::Object(map) = value else {
        return Err(DecodeError::Invalid("not a JSON object".into()));
    };
    match map.get("schema") {
        None => Ok(0),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| DecodeError::Invalid(format!("schema is not a version number: {v}"))),
    }
}

/// Schema 0, the prototype's flat format, to schema 1 (see `docs/storage.md`).
fn v0_to_v1(value: Value) -> Result<Value, DecodeError> {
    let invalid = |why: String| DecodeError::Invalid(format!("schema 0: {why}"));
    let Value::Object(mut old) = value else {
        return Err(invalid("not a JSON object".into()));
    };
    let mut take = |key: &str| old.remove(key).filter(|v| !v.is_null());

    let id = take("id").ok_or_else(|| invalid("no id".into()))?;
    let kind = take("kind").ok_or_else(|| invalid("no kind".into()))?;
    let created = take("created").ok_or_else(|| invalid("no created".into()))?;

    let mut details = match take("fields") {
        None => Map::new(),
        Some(Value::Object(fields)) => fields,
        Some(other) => return Err(invalid(format!("fields is not an object: {other}"))),
    };
    details.insert("kind".into(), kind);

    let position = match (take("lat"), take("lng")) {
        (None, None) => Value::Null,
        (Some(latitude), Some(longitude)) => {
            let mut p = Map::new();
            p.insert("latitude".into(), latitude);
            p.insert("longitude".into(), longitude);
            p.insert("accuracy_m".into(), take("acc").unwrap_or(Value::Null));
            p.insert("taken_at".into(), created.clone());
            Value::Object(p)
        }
        // Keep half a position in quarantine rather than silently drop it on re-save.
        _ => return Err(invalid("only one of lat and lng".into())),
    };

    let status = match take("status") {
        None => "open",
        Some(Value::String(s)) => match s.as_str() {
            "待整改" => "open",
            "整改中" => "rectifying",
            "已整改" => "fixed",
            "已销号" => "closed",
            _ => return Err(invalid(format!("unknown status {s:?}"))),
        },
        Some(other) => return Err(invalid(format!("unknown status {other}"))),
    };

    // The prototype's form stored an empty date input as "".
    let deadline = match take("deadline") {
        Some(Value::String(s)) if s.trim().is_empty() => Value::Null,
        Some(d) => d,
        None => Value::Null,
    };

    let text = |v: Option<Value>| v.unwrap_or_else(|| Value::from(""));
    let mut responsibility = Map::new();
    responsibility.insert("leader".into(), text(take("leader")));
    responsibility.insert("department".into(), text(take("dept")));
    responsibility.insert("person".into(), text(take("person")));
    responsibility.insert("phone".into(), Value::from(""));

    let mut new = Map::new();
    new.insert("id".into(), id);
    new.insert("schema".into(), Value::from(1));
    new.insert("revision".into(), Value::from(0));
    new.insert("details".into(), Value::Object(details));
    new.insert("title".into(), text(take("desc")));
    new.insert("village".into(), text(take("village")));
    new.insert("place".into(), text(take("place")));
    new.insert("position".into(), position);
    new.insert("notes".into(), Value::from(""));
    new.insert("photos".into(), Value::Array(Vec::new()));
    new.insert("responsibility".into(), Value::Object(responsibility));
    new.insert("deadline".into(), deadline);
    new.insert("status".into(), Value::from(status));
    new.insert("created_at".into(), created.clone());
    new.insert("updated_at".into(), created);
    new.insert("author".into(), text(take("officer")));
    Ok(Value::Object(new))
}
