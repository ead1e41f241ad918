-- Issue 11 (public pages at 10,000 societies): every public page reads the list of bulletin
-- headers (`db::bulletins::HEADER`). In SQLite a row's columns after a large value are reached
-- through that value's overflow pages: `content` (33 MB at 10,000 societies) comes before
-- `sha256` and the other header columns, so each header read walked every bulletin's content
-- (30-60 ms per request for one bulletin, growing with each one published). A covering index
-- of the header columns answers the list from the index alone; the table is not touched.
CREATE INDEX bulletins_header ON bulletins (number, year, month, published_at, published_by, sha256, prev_sha256, corrects, correction_note_zh, correction_note_en, audit_seq, audit_sha256);
