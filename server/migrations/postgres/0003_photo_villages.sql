-- Which villages may download each photo (docs/sync-protocol.md#photos); the same table as
-- ../sqlite/0003_photo_villages.sql, which explains it.
CREATE TABLE photo_villages (
    photo_id    TEXT NOT NULL,
    village     TEXT NOT NULL,
    sha256      TEXT NOT NULL,               -- as the upload or the record gave it
    PRIMARY KEY (photo_id, village, sha256)
);

-- The records stored before this table: their findings' and their visits' photos.
INSERT INTO photo_villages (photo_id, village, sha256)
SELECT p ->> 'id', r.village, p ->> 'sha256'
FROM records r, jsonb_array_elements(COALESCE(r.body::jsonb -> 'photos', '[]'::jsonb)) p
WHERE p ->> 'id' IS NOT NULL AND p ->> 'sha256' IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO photo_villages (photo_id, village, sha256)
SELECT p ->> 'id', r.village, p ->> 'sha256'
FROM records r,
     jsonb_array_elements(COALESCE(r.body::jsonb -> 'visits', '[]'::jsonb)) v,
     jsonb_array_elements(COALESCE(v -> 'photos', '[]'::jsonb)) p
WHERE p ->> 'id' IS NOT NULL AND p ->> 'sha256' IS NOT NULL
ON CONFLICT DO NOTHING;
