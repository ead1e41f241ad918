-- Issue 9 hardening.
-- Finding 6: the audit trail's head checkpoint (sequence number and hash of the newest entry),
-- kept outside audit_log and keyed (HMAC-SHA256 with a key outside the database); written in
-- the same transaction as every append. The row with mac 'adopt' is replaced by a signed head
-- at the first start with a newly created key (databases that had entries before this
-- migration).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, '', 'adopt');

-- Finding 7: API tokens expire.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
