-- Photos uploaded under an id the photo index (`photos`) holds with other bytes, by a village
-- that may not read the photo held under it (docs/sync-protocol.md#photos). Each is stored once,
-- under a key of its own (`namesakes/<id>-<sha256>.jpg`), and read back only by the villages
-- `photo_villages` opens it to; so a village gets the same answers for another village's photo
-- id as for a new one, and never learns that the other photo exists.
CREATE TABLE photo_namesakes (
    id          TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    stored_at   TEXT NOT NULL,
    PRIMARY KEY (id, sha256)
);
