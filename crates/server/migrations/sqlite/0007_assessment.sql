-- Issue 12 (part 1): the year-end assessment's inputs (R-ASSESS-1). Scores are integer
-- hundredths (87.25 is 8725), as in the domain core; nothing here is a float.

-- Task acceptance (验收): a reviewer's decision on the system's proposal for one task of a
-- society's accepted plan. Append-only like rule_judgements: a new decision adds a row, the
-- latest per (year, society, task) counts, the older ones stay readable.
CREATE TABLE acceptance_decisions (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    task INTEGER NOT NULL,
    proposed TEXT NOT NULL CHECK (proposed IN ('completed', 'partly', 'not_completed')),
    status TEXT NOT NULL CHECK (status IN ('completed', 'partly', 'not_completed')),
    comment TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX acceptance_decisions_lookup ON acceptance_decisions(year, society_id, task, id);
CREATE TRIGGER acceptance_decisions_no_update BEFORE UPDATE ON acceptance_decisions
BEGIN SELECT RAISE(ABORT, 'acceptance decisions are immutable'); END;
CREATE TRIGGER acceptance_decisions_no_delete BEFORE DELETE ON acceptance_decisions
BEGIN SELECT RAISE(ABORT, 'acceptance decisions are immutable'); END;

-- A society's self-score (自评分) per indicator leaf; shown beside the reviewers' scores,
-- never counted. The latest entry replaces the earlier one (the audit trail keeps both).
CREATE TABLE assessment_self_scores (
    year INTEGER NOT NULL,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    indicator TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score >= 0),
    comment TEXT NOT NULL DEFAULT '',
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (year, society_id, indicator)
);

-- Reviewers assigned to a society for a year (by an administrator). `submitted_at` is set
-- once when the reviewer submits: until then the reviewer's scores are a draft, after it they
-- are final and counted (the triggers below refuse any change to them).
CREATE TABLE assessment_reviewers (
    year INTEGER NOT NULL,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    reviewer_id INTEGER NOT NULL REFERENCES users(id),
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    submitted_at TEXT,
    PRIMARY KEY (year, society_id, reviewer_id)
);
CREATE INDEX assessment_reviewers_by_reviewer ON assessment_reviewers(reviewer_id, year);

-- What a reviewer declares about a society for a year: membership of it (`member`) or a
-- conflict of interest (`conflict`), with the reason. Either bars assignment and scoring.
CREATE TABLE assessment_conflicts (
    year INTEGER NOT NULL,
    reviewer_id INTEGER NOT NULL REFERENCES users(id),
    society_id INTEGER NOT NULL REFERENCES societies(id),
    kind TEXT NOT NULL CHECK (kind IN ('member', 'conflict')),
    reason TEXT NOT NULL,
    declared_by TEXT NOT NULL,
    declared_at TEXT NOT NULL,
    PRIMARY KEY (year, reviewer_id, society_id)
);

-- A reviewer's score (考评分) of one expert leaf for one society, with its required comment.
CREATE TABLE assessment_scores (
    year INTEGER NOT NULL,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    reviewer_id INTEGER NOT NULL REFERENCES users(id),
    indicator TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score >= 0),
    comment TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (year, society_id, reviewer_id, indicator)
);
CREATE TRIGGER assessment_scores_final_insert BEFORE INSERT ON assessment_scores
WHEN EXISTS (SELECT 1 FROM assessment_reviewers r WHERE r.year = NEW.year AND r.society_id = NEW.society_id AND r.reviewer_id = NEW.reviewer_id AND r.submitted_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'submitted reviewer scores are final'); END;
CREATE TRIGGER assessment_scores_final_update BEFORE UPDATE ON assessment_scores
WHEN EXISTS (SELECT 1 FROM assessment_reviewers r WHERE r.year = OLD.year AND r.society_id = OLD.society_id AND r.reviewer_id = OLD.reviewer_id AND r.submitted_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'submitted reviewer scores are final'); END;
CREATE TRIGGER assessment_scores_final_delete BEFORE DELETE ON assessment_scores
WHEN EXISTS (SELECT 1 FROM assessment_reviewers r WHERE r.year = OLD.year AND r.society_id = OLD.society_id AND r.reviewer_id = OLD.reviewer_id AND r.submitted_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'submitted reviewer scores are final'); END;

-- Deductions and bonuses (扣分 / 加分) given to a society, per the catalogue's
-- `[[assessment.adjustments]]`, with the reason. Withdrawn, never deleted.
CREATE TABLE assessment_adjustments (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    adjustment TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points > 0),
    reason TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    withdrawn_by TEXT,
    withdrawn_at TEXT
);
CREATE INDEX assessment_adjustments_lookup ON assessment_adjustments(year, society_id);
CREATE TRIGGER assessment_adjustments_no_delete BEFORE DELETE ON assessment_adjustments
BEGIN SELECT RAISE(ABORT, 'adjustments are withdrawn, never deleted'); END;
