-- Secrets a server draws once and keeps (server/src/db/secrets.rs): `import` is the secret the
-- namespaces of imported ledger rows' ids are made from (patrol_core::import::ImportIds), so
-- no one without the village's or the office's token can compute a row's id and squat it
-- (issue 23, F1).
CREATE TABLE server_secrets (
    name    TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
