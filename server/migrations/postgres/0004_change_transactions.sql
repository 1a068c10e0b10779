-- Writers run at the same time (server/src/changes.rs): change numbers come from sequences,
-- and each row keeps the transaction that wrote it (pg_current_xact_id), so a pull answers a
-- row only once every transaction below it has ended and never skips a late commit. Rows
-- stored before keep txid 0: every one of them committed before any new transaction, and a
-- phone's cursor from before (a plain change number N) reads as 0.N.
CREATE SEQUENCE records_seq;
SELECT setval('records_seq', COALESCE((SELECT MAX(seq) FROM records), 0) + 1, false);
ALTER TABLE records ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
CREATE INDEX records_txid_seq ON records (txid, seq);
CREATE INDEX records_village_txid_seq ON records (village, txid, seq);

CREATE SEQUENCE patrols_seq;
SELECT setval('patrols_seq', COALESCE((SELECT MAX(seq) FROM patrols), 0) + 1, false);
ALTER TABLE patrols ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
CREATE INDEX patrols_txid_seq ON patrols (txid, seq);
CREATE INDEX patrols_village_txid_seq ON patrols (village, txid, seq);
