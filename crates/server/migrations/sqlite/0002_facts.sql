-- R-SOC-2: dated society facts with full history (a change adds a version; nothing is updated
-- in place), and written justifications for "in principle" (原则上) warnings.

CREATE TABLE fact_values (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    field TEXT NOT NULL,
    value_json TEXT,
    as_of TEXT NOT NULL,
    source TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX fact_values_lookup ON fact_values(society_id, year, field, as_of, id);

CREATE TABLE rule_justifications (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    rule TEXT NOT NULL,
    text TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX rule_justifications_lookup ON rule_justifications(society_id, year, rule, id);
