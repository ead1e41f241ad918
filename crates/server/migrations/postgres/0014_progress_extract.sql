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

DROP TRIGGER report_versions_no_update ON report_versions;
CREATE TRIGGER report_versions_no_update
    BEFORE UPDATE OF id, report_id, version, content_json, submitted_at, submitted_by, late_seconds
    OR DELETE ON report_versions
    FOR EACH ROW EXECUTE FUNCTION immutable_row();
CREATE TRIGGER report_versions_extract_once BEFORE UPDATE OF progress_json ON report_versions
    FOR EACH ROW WHEN (OLD.progress_json IS NOT NULL) EXECUTE FUNCTION immutable_row();

DROP TRIGGER plan_versions_no_update ON plan_versions;
CREATE TRIGGER plan_versions_no_update
    BEFORE UPDATE OF id, plan_id, version, content_json, submitted_at, submitted_by, late_seconds
    OR DELETE ON plan_versions
    FOR EACH ROW EXECUTE FUNCTION immutable_row();
CREATE TRIGGER plan_versions_extract_once BEFORE UPDATE OF progress_json ON plan_versions
    FOR EACH ROW WHEN (OLD.progress_json IS NOT NULL) EXECUTE FUNCTION immutable_row();
