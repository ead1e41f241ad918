-- R-TRACK-1..4: monthly reports (draft, immutable submitted versions, reviews), month locks with
-- per-society exceptions, and evidence files (content-addressed objects + links to what they
-- evidence).

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    state TEXT NOT NULL CHECK (state IN ('draft','submitted','returned')),
    draft_json TEXT NOT NULL,
    plan_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (society_id, year, month)
);

CREATE TABLE report_versions (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    version INTEGER NOT NULL,
    content_json TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    late_seconds INTEGER,
    UNIQUE (report_id, version)
);

CREATE TABLE report_reviews (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    version INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('comment','returned')),
    comment TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE month_locks (
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    locked_by TEXT NOT NULL,
    locked_at TEXT NOT NULL,
    PRIMARY KEY (year, month)
);

CREATE TABLE lock_exceptions (
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (society_id, year, month)
);

CREATE TABLE evidence_objects (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    kind TEXT NOT NULL,
    charset TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    sha256 TEXT NOT NULL REFERENCES evidence_objects(sha256),
    name TEXT NOT NULL,
    owner_type TEXT NOT NULL CHECK (owner_type IN ('plan_task','report','fact')),
    year INTEGER NOT NULL,
    month INTEGER,
    task INTEGER,
    field TEXT,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX evidence_owner ON evidence(society_id, owner_type, year, month);

CREATE TRIGGER report_versions_no_update BEFORE UPDATE ON report_versions
BEGIN SELECT RAISE(ABORT, 'report versions are immutable'); END;
CREATE TRIGGER report_versions_no_delete BEFORE DELETE ON report_versions
BEGIN SELECT RAISE(ABORT, 'report versions are immutable'); END;
CREATE TRIGGER report_reviews_no_update BEFORE UPDATE ON report_reviews
BEGIN SELECT RAISE(ABORT, 'report reviews are immutable'); END;
CREATE TRIGGER report_reviews_no_delete BEFORE DELETE ON report_reviews
BEGIN SELECT RAISE(ABORT, 'report reviews are immutable'); END;
