-- Patrols (巡河记录) as the phones push them; see docs/sync-protocol.md#patrols.

-- One row per patrol id: the merge of every copy pushed (patrol_core::Patrol::merge).
CREATE TABLE patrols (
    id          TEXT PRIMARY KEY NOT NULL,   -- the device-made UUID
    village     TEXT NOT NULL,               -- copied from the body, for scoping
    seq         INTEGER NOT NULL UNIQUE,     -- change sequence number: the patrol pull cursor
    body        TEXT NOT NULL,               -- the patrol as JSON
    started_at  TEXT NOT NULL,               -- RFC 3339, for the office's queries
    stored_at   TEXT NOT NULL                -- when the server last changed it, RFC 3339
);
CREATE INDEX patrols_village_seq ON patrols (village, seq);
