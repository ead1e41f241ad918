-- Issue 13: reviewer judgements of qualitative norms (the `judged` rule kind: "相当比例…",
-- "应提高…比例"). A judgement is `pass` or `warning` with a written reason; it never makes a
-- rule `fail`. Nothing is updated in place: a new judgement adds a row, the latest one per
-- society, year and rule counts, older ones stay readable (and in the audit trail).

CREATE TABLE rule_judgements (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    rule TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'warning')),
    reason TEXT NOT NULL,
    judged_by TEXT NOT NULL,
    judged_at TEXT NOT NULL
);
CREATE INDEX rule_judgements_lookup ON rule_judgements(year, society_id, rule, id);

CREATE TRIGGER rule_judgements_no_update BEFORE UPDATE ON rule_judgements
BEGIN SELECT RAISE(ABORT, 'rule judgements are immutable'); END;
CREATE TRIGGER rule_judgements_no_delete BEFORE DELETE ON rule_judgements
BEGIN SELECT RAISE(ABORT, 'rule judgements are immutable'); END;

-- Year to year (issue 13): an administrator starts a new year from the previous one. The
-- draft is the previous year's catalogue source with its year moved on, for the author to
-- edit and load; the societies' election flags are copied when the year starts; the last
-- known facts are carried over when the new year's file is loaded (only the facts that file
-- declares), once (`facts_carried_at`).
CREATE TABLE year_starts (
    year INTEGER PRIMARY KEY,
    from_year INTEGER NOT NULL,
    draft_source TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    facts_carried_at TEXT
);
