-- Issue 12 (the year end to end): why an adjustment was withdrawn, and which change an answer
-- to an objection caused (R-ASSESS-2: "any change is recorded with its reason").
--
-- assessment_adjustments.withdrawn_reason: the reason given when a deduction or bonus is
-- withdrawn (kept, never deleted; NULL for rows withdrawn before this migration and for those
-- in force).
-- assessment_objections.change_kind / change_id: the change the answer caused, when it caused
-- one: an acceptance decision (`acceptance`, acceptance_decisions.id), a deduction or bonus
-- given (`adjustment`, assessment_adjustments.id) or withdrawn (`withdrawal`, same table).
ALTER TABLE assessment_adjustments ADD COLUMN withdrawn_reason TEXT;
ALTER TABLE assessment_objections ADD COLUMN change_kind TEXT CHECK (change_kind IN ('acceptance', 'adjustment', 'withdrawal'));
ALTER TABLE assessment_objections ADD COLUMN change_id INTEGER;
