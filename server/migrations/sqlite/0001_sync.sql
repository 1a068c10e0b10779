-- The sync API's tables (SQLite). See docs/sync-protocol.md.

-- One row per record id: its latest accepted content.
CREATE TABLE records (
    id          TEXT PRIMARY KEY NOT NULL,   -- the device-made UUID, lower-case hyphenated
    village     TEXT NOT NULL,               -- copied from the body, for scoping
    server_rev  INTEGER NOT NULL,            -- 1 on first store, +1 on every accepted change
    seq         INTEGER NOT NULL UNIQUE,     -- change sequence number: the pull cursor
    body        TEXT NOT NULL,               -- the record as JSON (patrol_core::codec::encode)
    deleted     INTEGER NOT NULL DEFAULT 0,  -- 1 for tombstones (deleted_at set)
    created_at  TEXT NOT NULL,               -- the record's created_at, RFC 3339
    stored_at   TEXT NOT NULL                -- when the server stored this revision, RFC 3339
);
CREATE INDEX records_village_seq ON records (village, seq);

-- Device and office tokens; only the SHA-256 of a token is kept.
CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        TEXT NOT NULL UNIQUE,        -- lower-case hex SHA-256 of the token
    officer     TEXT NOT NULL,
    village     TEXT,                        -- NULL: every village (the township office)
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- What the photo store holds; a row is written only once the object is in place.
CREATE TABLE photos (
    id          TEXT PRIMARY KEY NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    stored_at   TEXT NOT NULL
);
