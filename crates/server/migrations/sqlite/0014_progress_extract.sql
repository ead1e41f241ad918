-- Issue 8 (the dashboard for 10,000 societies): a compact progress extract beside each
-- immutable version, what colours, rates and red streaks read (R-TRACK-3): for a report version
-- `reformwatch_core::tracking::ReportExtract`, for a reform plan version the plan's progress
-- part (`PlanContent::progress_part`). Written in the same transaction as the version; the
-- rows of older releases are back-filled once by the server (`db::extracts::backfill`, run
-- after the migrations), so the column is NULL only until then (and for rectification plans).
--
-- The versions stay immutable: the no-update triggers now name every other column, and the
-- extract may be set only while it is NULL (write once).
ALTER TABLE report_versions ADD COLUMN progress_json TEXT;
ALTER TABLE plan_versions ADD COLUMN progress_json TEXT;

DROP TRIGGER report_versions_no_update;
CREATE TRIGGER report_versions_no_update
BEFORE UPDATE OF id, report_id, version, content_json, submitted_at, submitted_by, late_seconds ON report_versions
BEGIN SELECT RAISE(ABORT, 'report versions are immutable'); END;
CREATE TRIGGER report_versions_extract_once BEFORE UPDATE OF progress_json ON report_versions
WHEN OLD.progress_json IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'report versions are immutable'); END;

DROP TRIGGER plan_versions_no_update;
CREATE TRIGGER plan_versions_no_update
BEFORE UPDATE OF id, plan_id, version, content_json, submitted_at, submitted_by, late_seconds ON plan_versions
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable'); END;
CREATE TRIGGER plan_versions_extract_once BEFORE UPDATE OF progress_json ON plan_versions
WHEN OLD.progress_json IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable'); END;
