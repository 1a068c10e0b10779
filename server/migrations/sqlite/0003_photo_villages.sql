-- Which villages may download each photo (docs/sync-protocol.md#photos): the village of the
-- device that uploaded it, and the village of every record that names it. A township office
-- token reads every photo; a village's token only a photo listed here for its village with the
-- photo's own SHA-256, so naming another village's photo id in a record, without its hash,
-- opens nothing.
CREATE TABLE photo_villages (
    photo_id    TEXT NOT NULL,
    village     TEXT NOT NULL,
    sha256      TEXT NOT NULL,               -- as the upload or the record gave it
    PRIMARY KEY (photo_id, village, sha256)
);

-- The records stored before this table: their findings' and their visits' photos.
INSERT OR IGNORE INTO photo_villages (photo_id, village, sha256)
SELECT json_extract(p.value, '$.id'), r.village, json_extract(p.value, '$.sha256')
FROM records r, json_each(r.body, '$.photos') p
WHERE json_extract(p.value, '$.id') IS NOT NULL AND json_extract(p.value, '$.sha256') IS NOT NULL;

INSERT OR IGNORE INTO photo_villages (photo_id, village, sha256)
SELECT json_extract(p.value, '$.id'), r.village, json_extract(p.value, '$.sha256')
FROM records r, json_each(r.body, '$.visits') v, json_each(v.value, '$.photos') p
WHERE json_extract(p.value, '$.id') IS NOT NULL AND json_extract(p.value, '$.sha256') IS NOT NULL;
