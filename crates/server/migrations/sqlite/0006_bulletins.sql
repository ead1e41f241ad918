-- R-PUB-1, R-PUB-2: published monitoring bulletins (监测通报 第N期). Each row keeps the canonical
-- bytes exactly as hashed (docs/PUBLICATION.md), the hash, the previous bulletin's hash (the
-- chain), what it corrects and why, and the audit trail's head at publication. A published
-- bulletin never changes: the database refuses UPDATE and DELETE.

CREATE TABLE bulletins (
    number INTEGER PRIMARY KEY CHECK (number >= 1),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    prev_sha256 TEXT,
    corrects TEXT NOT NULL,
    correction_note_zh TEXT,
    correction_note_en TEXT,
    audit_seq INTEGER,
    audit_sha256 TEXT
);

CREATE INDEX bulletins_month ON bulletins(year, month);

CREATE TRIGGER bulletins_no_update BEFORE UPDATE ON bulletins
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;
CREATE TRIGGER bulletins_no_delete BEFORE DELETE ON bulletins
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;
