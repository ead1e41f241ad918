-- Issue 8 (the dashboard for 10,000 societies): the dashboard reads one month's reports, their
-- reviews and their evidence (`db::reports::summaries_of_month`, `documents::reviews_of_month`,
-- `evidence::of_report_month`). Without these indexes each of those statements scans its whole
-- table: `reports` is unique by (society_id, year, month) and `evidence_owner` starts with
-- society_id, neither usable for one month of every society; `report_reviews` had no index on
-- its report at all (the year's reviews were read by a scan).
CREATE INDEX reports_by_month ON reports(year, month);
CREATE INDEX report_reviews_by_report ON report_reviews(report_id);
CREATE INDEX evidence_by_month ON evidence(year, month);
