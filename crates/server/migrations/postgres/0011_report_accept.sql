-- Issue 10 (R-TRACK-1): monthly reports behave like plans — a reviewer can accept the latest
-- version, so `reports.state` gains 'accepted' and `report_reviews.decision` gains 'accepted'.
-- PostgreSQL changes the CHECK constraints in place (their default names, from 0004); the
-- SQLite twin rebuilds the tables.

ALTER TABLE reports DROP CONSTRAINT reports_state_check;
ALTER TABLE reports ADD CONSTRAINT reports_state_check
    CHECK (state IN ('draft','submitted','returned','accepted'));
ALTER TABLE report_reviews DROP CONSTRAINT report_reviews_decision_check;
ALTER TABLE report_reviews ADD CONSTRAINT report_reviews_decision_check
    CHECK (decision IN ('comment','returned','accepted'));
