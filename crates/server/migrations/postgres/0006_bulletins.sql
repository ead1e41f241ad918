-- R-PUB-1, R-PUB-2: published monitoring bulletins (监测通报 第N期). Each row keeps the canonical
-- bytes exactly as hashed (docs/PUBLICATION.md), the hash, the previous bulletin's hash (the
-- chain), what it corrects and why, and the audit trail's head at publication. A published
-- bulletin never changes: the database refuses UPDATE, DELETE and TRUNCATE.

CREATE TABLE bulletins (
    number BIGINT PRIMARY KEY CHECK (number >= 1),
    year BIGINT NOT NULL,
    month BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    prev_sha256 TEXT,
    corrects TEXT NOT NULL,
    correction_note_zh TEXT,
    correction_note_en TEXT,
    audit_seq BIGINT,
    audit_sha256 TEXT
);

CREATE INDEX bulletins_month ON bulletins(year, month);

CREATE TRIGGER bulletins_no_update BEFORE UPDATE OR DELETE ON bulletins
    FOR EACH ROW EXECUTE FUNCTION immutable_row();
CREATE TRIGGER bulletins_no_truncate BEFORE TRUNCATE ON bulletins
    FOR EACH STATEMENT EXECUTE FUNCTION immutable_row();
REVOKE UPDATE, DELETE, TRUNCATE ON bulletins FROM PUBLIC;
