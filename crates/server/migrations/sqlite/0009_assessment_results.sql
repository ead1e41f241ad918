-- R-ASSESS-2, R-ASSESS-3 (issue 12, part 2): the year's assessment lifecycle, objections
-- (公示 / 异议), four-eyes finalisation and the published results.
--
-- assessment_years: one row per year that has left `open`: `shown` (results shown to the
-- societies, objections accepted until objection_deadline, Beijing end of day, stored UTC),
-- `requested` (an administrator asked to finalise), `final` (a second administrator approved;
-- the results are published). Objections and published results never depend on migration 0007.

CREATE TABLE assessment_years (
    year INTEGER PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('shown','requested','final')),
    shown_at TEXT NOT NULL,
    shown_by TEXT NOT NULL,
    objection_deadline TEXT NOT NULL,
    requested_by TEXT,
    requested_at TEXT,
    approved_by TEXT,
    approved_at TEXT
);

CREATE TABLE assessment_objections (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES assessment_years(year),
    society_id INTEGER NOT NULL REFERENCES societies(id),
    reason TEXT NOT NULL,
    evidence_id INTEGER REFERENCES evidence(id),
    filed_by TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    answer TEXT,
    changed BOOLEAN,
    answered_by TEXT,
    answered_at TEXT
);
CREATE INDEX assessment_objections_year ON assessment_objections(year, society_id);

-- The published results: the canonical bytes exactly as hashed, the hash, the previous
-- publication's hash (this table's own chain, numbered 1, 2, … across years) and the audit
-- trail's head at publication. Never changed: the database refuses UPDATE and DELETE.
CREATE TABLE assessment_results (
    number INTEGER PRIMARY KEY CHECK (number >= 1),
    year INTEGER NOT NULL UNIQUE,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    prev_sha256 TEXT,
    audit_seq INTEGER,
    audit_sha256 TEXT
);

CREATE TRIGGER assessment_results_no_update BEFORE UPDATE ON assessment_results
BEGIN SELECT RAISE(ABORT, 'published assessment results are immutable'); END;
CREATE TRIGGER assessment_results_no_delete BEFORE DELETE ON assessment_results
BEGIN SELECT RAISE(ABORT, 'published assessment results are immutable'); END;
