-- What the office's desk shows of each token (GET /api/v1/tokens, server/src/db/tokens.rs):
-- when it last synced with success, and how many records its phone said were still waiting
-- to be sent then (the X-Patrol-Unsent header). One UPDATE of the token's row per sync
-- request writes both; NULL until the token's first sync (and unsent while the phone never
-- said).
ALTER TABLE tokens ADD COLUMN last_sync_at TEXT;
ALTER TABLE tokens ADD COLUMN unsent BIGINT;
