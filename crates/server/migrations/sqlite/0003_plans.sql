-- R-PLAN-1..5: reform and rectification plans. The draft is editable; every submission is an
-- immutable version (the database refuses to change or delete versions and reviews); reviews
-- return or accept a version; deadlines can be changed per year; notifications form an inbox
-- and an e-mail outbox.

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reform','rectification')),
    state TEXT NOT NULL CHECK (state IN ('draft','submitted','returned','resubmitted','accepted')),
    draft_json TEXT NOT NULL,
    accepted_version INTEGER,
    request_reason TEXT,
    requested_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (society_id, year, kind)
);

CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    version INTEGER NOT NULL,
    content_json TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    late_seconds INTEGER,
    UNIQUE (plan_id, version)
);

CREATE TABLE plan_reviews (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    version INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('returned','accepted')),
    comment TEXT NOT NULL,
    task_comments_json TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE deadlines (
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    local_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (year, kind)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    subject_zh TEXT NOT NULL,
    subject_en TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    email_to TEXT,
    emailed_at TEXT,
    email_error TEXT,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TRIGGER plan_versions_no_update BEFORE UPDATE ON plan_versions
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable'); END;
CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable'); END;
CREATE TRIGGER plan_reviews_no_update BEFORE UPDATE ON plan_reviews
BEGIN SELECT RAISE(ABORT, 'plan reviews are immutable'); END;
CREATE TRIGGER plan_reviews_no_delete BEFORE DELETE ON plan_reviews
BEGIN SELECT RAISE(ABORT, 'plan reviews are immutable'); END;

-- E-mail address for notifications (optional).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
