-- The pull cursor becomes a place in (txid, seq) order (server/src/changes.rs), as on
-- PostgreSQL, where writers run at the same time. SQLite has one writer at a time, so a row's
-- txid is its seq and the order, and every cursor given out before, stay as they were.
ALTER TABLE records ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
UPDATE records SET txid = seq;
CREATE INDEX records_txid_seq ON records (txid, seq);
CREATE INDEX records_village_txid_seq ON records (village, txid, seq);

ALTER TABLE patrols ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
UPDATE patrols SET txid = seq;
CREATE INDEX patrols_txid_seq ON patrols (txid, seq);
CREATE INDEX patrols_village_txid_seq ON patrols (village, txid, seq);
