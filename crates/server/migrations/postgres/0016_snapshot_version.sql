-- Issue 8: the version the year-wide snapshots are kept for (`snapshots.rs`). Until now any
-- audited write moved it (the audit head), so every sign-in, token or inbox change and every
-- year-end scoring emptied the dashboard's cache: at 10,000 societies the next dashboard then
-- took seconds. `data_seq` / `data_hash` are the newest audit entry whose action may change
-- what a snapshot reads (`db::audit::moves_snapshots`), written with the head in the same
-- transaction. Existing databases start at their head.
ALTER TABLE audit_head ADD COLUMN data_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN data_hash TEXT NOT NULL DEFAULT '';
UPDATE audit_head SET data_seq = seq, data_hash = hash;
