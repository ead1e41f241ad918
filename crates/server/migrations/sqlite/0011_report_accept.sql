-- Issue 10 (R-TRACK-1): monthly reports behave like plans — a reviewer can accept the latest
-- version, so `reports.state` gains 'accepted' and `report_reviews.decision` gains 'accepted'.
--
-- SQLite cannot change a CHECK constraint in place: both tables are rebuilt following SQLite's
-- documented 12-step procedure (https://www.sqlite.org/lang_altertable.html#otheralter). The
-- runner (db/migrations.rs) applies SQLite migrations with foreign keys OFF (steps 1 and 12) in
-- one transaction and runs `PRAGMA foreign_key_check` before committing (step 10), so dropping
-- the old tables neither fails on nor cascades to report_versions, and the FOREIGN KEY clauses
-- of report_versions ("REFERENCES reports(id)") bind to the rebuilt table by name. Row ids are
-- copied, so every reference stays valid. The immutability triggers of report_reviews are
-- dropped with the old table and created again (step 8). No index or view refers to either
-- table.

CREATE TABLE reports_new (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    state TEXT NOT NULL CHECK (state IN ('draft','submitted','returned','accepted')),
    draft_json TEXT NOT NULL,
    plan_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (society_id, year, month)
);
INSERT INTO reports_new (id, society_id, year, month, state, draft_json, plan_version, created_at, updated_at)
    SELECT id, society_id, year, month, state, draft_json, plan_version, created_at, updated_at FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;

CREATE TABLE report_reviews_new (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    version INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('comment','returned','accepted')),
    comment TEXT NOT NULL,
    at TEXT NOT NULL
);
INSERT INTO report_reviews_new (id, report_id, version, reviewer, decision, comment, at)
    SELECT id, report_id, version, reviewer, decision, comment, at FROM report_reviews;
DROP TABLE report_reviews;
ALTER TABLE report_reviews_new RENAME TO report_reviews;

CREATE TRIGGER report_reviews_no_update BEFORE UPDATE ON report_reviews
BEGIN SELECT RAISE(ABORT, 'report reviews are immutable'); END;
CREATE TRIGGER report_reviews_no_delete BEFORE DELETE ON report_reviews
BEGIN SELECT RAISE(ABORT, 'report reviews are immutable'); END;
