"""Deterministic synthetic data for a full 2017 year (R-PLAN-*, R-TRACK-*), written straight into
the baseline schema (SQLite file, and the same rows into PostgreSQL).

For a seed and a number of societies the rows are always the same. What one society gets:
- a registry row in one of the five discipline groups, the 2017 election flag (about 30 % elect);
- facts (members, fee payers, branches, staff, documents, and the council facts of electing
  societies) that satisfy every cross-field check of `Facts::validate`;
- a reform plan: tasks 1-7, tasks 8-11 when electing, 5-8 optional tasks (12-24), every task
  with a responsible person, targets (task 2's linked to the `members_now` fact) and
  milestones. About a quarter were returned once and accepted at version 2; some were late;
- monthly reports for June-December 2017 following the accepted plan: most on time, about 12 %
  late, 1-8 % missing, a few drafts never submitted, some returned and resubmitted,
  reviewer comments; every submitted version records `members_now` as a fact (source `report`),
  as the server does;
- evidence rows for about 10 % of the reports (metadata only; no file is served in the bench).
No audit entries are written for synthetic rows (the trail stays valid: it simply has none).
Report states are those of the baseline schema (`draft`, `submitted`, `returned`): the rows are
written into a schema the OLD binary created, whose CHECK constraint predates `accepted`
(migration 0011); the new binary migrates the rows forward unchanged.

The year-end assessment's inputs (issue 12, R-ASSESS-1..3; migrations 0007) are a separate
layer, `ASSESSMENT_COLUMNS`, drawn from their own random stream (the rows above stay as
generator version 4 made them) and written only into a copy that a binary with those tables has migrated
(`write_assessment_sqlite`; the baseline has no assessment):
- reviewer accounts (`users`, role reviewer, ids from `REVIEWER_ID_BASE`, a password hash that
  never verifies: they never sign in), one for every 25 societies (at least 8);
- 3 to 6 reviewers assigned per society (`assessment_reviewers`), about 2 % of them not yet
  submitted (their scores are drafts, so some expert leaves lack a score); a declared conflict
  (`assessment_conflicts`) for about 1 % of societies, that reviewer not assigned;
- every assigned reviewer's score of each expert leaf (`assessment_scores`, hundredths, in
  half points, with the required comment): 75-100 % of the points for societies that keep to
  their plan, 45-90 % for the others;
- self-scores (`assessment_self_scores`) of every leaf for about 80 % of societies;
- a reviewer's acceptance decision (`acceptance_decisions`) for about 95 % of the planned tasks
  (the rest keep the system's proposal): completed / partly / not completed, mostly completed
  for societies that keep to their plan; `proposed` is the generator's stand-in for the
  system's proposal (never read by the assessment), the same status for most decisions;
- deductions and bonuses (`assessment_adjustments`) for a few societies.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import tomllib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .util import REPO

GENERATOR_VERSION = 5  # bump when the rows change (part of the dataset cache key); 5: assessment layer
# The random stream of the registry, plan, report and evidence rows: still version 4's, so those
# rows are the same as generator version 4 made (measurements before and after compare).
BASE_STREAM = 4
YEAR = 2017
CST = timezone(timedelta(hours=8))
GROUP_WEIGHTS_209 = {"A": 45, "B": 78, "C": 16, "D": 28, "E": 42}
GROUP_WEIGHTS = {"A": 21, "B": 29, "C": 12, "D": 15, "E": 23}
TOPICS = ["数学", "物理", "力学", "光学", "化学", "天文", "气象", "地质", "地理", "生态", "机械", "电工",
          "材料", "能源", "水利", "土木", "航空", "计算机", "农学", "林学", "医学", "药学", "护理", "统计",
          "管理", "科普", "教育", "心理", "海洋", "测绘"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"]
POSITIONS = ["秘书长", "副秘书长", "办公室主任", "组织部部长", "学术部部长"]
ACTOR_PREFIX = "user:bench-editor-"
REVIEWER = "user:bench-reviewer"

TABLE_COLUMNS: dict[str, list[str]] = {
    "societies": ["id", "code", "name", "short_name", "discipline_group", "supporting_unit",
                  "contact_name", "contact_phone", "contact_email", "active", "created_at",
                  "updated_at"],
    "society_years": ["society_id", "year", "election_year"],
    "fact_values": ["id", "society_id", "year", "field", "value_json", "as_of", "source",
                    "entered_by", "entered_at"],
    "plans": ["id", "society_id", "year", "kind", "state", "draft_json", "accepted_version",
              "request_reason", "requested_by", "created_at", "updated_at"],
    "plan_versions": ["id", "plan_id", "version", "content_json", "submitted_at", "submitted_by",
                      "late_seconds"],
    "plan_reviews": ["id", "plan_id", "version", "reviewer", "decision", "comment",
                     "task_comments_json", "at"],
    "reports": ["id", "society_id", "year", "month", "state", "draft_json", "plan_version",
                "created_at", "updated_at"],
    "report_versions": ["id", "report_id", "version", "content_json", "submitted_at",
                        "submitted_by", "late_seconds"],
    "report_reviews": ["id", "report_id", "version", "reviewer", "decision", "comment", "at"],
    "evidence_objects": ["sha256", "size", "kind", "charset", "created_at"],
    "evidence": ["id", "society_id", "sha256", "name", "owner_type", "year", "month", "task",
                 "field", "uploaded_by", "uploaded_at", "removed_at"],
}
BOOL_COLUMNS = {("societies", "active"), ("society_years", "election_year")}

# The assessment layer (migration 0007), in insertion order: scores before the reviewer rows
# that mark them submitted (a trigger refuses scores of a submitted reviewer).
ASSESSMENT_COLUMNS: dict[str, list[str]] = {
    "users": ["id", "username", "display_name", "password_hash", "role", "society_id",
              "disabled", "demo", "created_at", "updated_at", "email"],
    "acceptance_decisions": ["id", "year", "society_id", "task", "proposed", "status", "comment",
                             "decided_by", "decided_at"],
    "assessment_self_scores": ["year", "society_id", "indicator", "score", "comment",
                               "entered_by", "entered_at"],
    "assessment_conflicts": ["year", "reviewer_id", "society_id", "kind", "reason",
                             "declared_by", "declared_at"],
    "assessment_scores": ["year", "society_id", "reviewer_id", "indicator", "score", "comment",
                          "entered_at"],
    "assessment_reviewers": ["year", "society_id", "reviewer_id", "assigned_by", "assigned_at",
                             "submitted_at"],
    "assessment_adjustments": ["id", "year", "society_id", "adjustment", "points", "reason",
                               "entered_by", "entered_at", "withdrawn_by", "withdrawn_at"],
}
ASSESSMENT_BOOL_COLUMNS = {("users", "disabled"), ("users", "demo")}
REVIEWER_ID_BASE = 1001  # the bench administrator made by the CLI is user 1
NO_PASSWORD = "!bench-reviewer-never-signs-in"
ADMIN_ACTOR = "user:bench-admin"


def ts(t: datetime) -> str:
    """The server's stored time format: RFC 3339 UTC with microseconds."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dumps(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def load_catalogue() -> dict:
    with open(REPO / "catalogues" / f"{YEAR}.toml", "rb") as f:
        return tomllib.load(f)


def plan_deadline(cat: dict) -> datetime:
    local = cat["plan_deadline"]  # tomllib: naive datetime (local time in the catalogue zone)
    return local.replace(tzinfo=CST)


def report_due(cat: dict, month: int) -> datetime:
    """5th (report_due_day) of the following month, 23:59:59 Beijing time."""
    y, m = (YEAR, month + 1) if month < 12 else (YEAR + 1, 1)
    return datetime(y, m, cat["report_due_day"], 23, 59, 59, tzinfo=CST)


def late_seconds(due: datetime, at: datetime) -> int | None:
    """Whole seconds after the due instant; None when on time (like core::plan::lateness)."""
    secs = int((at.replace(microsecond=0) - due).total_seconds())
    return secs if secs > 0 else None


def group_counts(n: int) -> dict[str, int]:
    weights = GROUP_WEIGHTS_209 if n == 209 else GROUP_WEIGHTS
    total = sum(weights.values())
    counts = {g: n * w // total for g, w in weights.items()}
    rest = n - sum(counts.values())
    for g in sorted(weights, key=lambda g: -weights[g]):
        if rest == 0:
            break
        counts[g] += 1
        rest -= 1
    return counts


def society_code(group: str, i: int) -> str:
    """`A-001` … `A-999`, then `A-001W` …, then `A-001G` … (the registry's code shape)."""
    suffix = ["", "W", "G"][i // 999]
    return f"{group}-{i % 999 + 1:03d}{suffix}"


class Dataset:
    def __init__(self, n: int, seed: int):
        self.n = n
        self.seed = seed
        self.rng = random.Random(f"reformwatch-bench:{seed}:{n}:{BASE_STREAM}")
        self.cat = load_catalogue()
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLE_COLUMNS}
        self.ids: dict[str, int] = {t: 0 for t in TABLE_COLUMNS}
        self.codes: list[str] = []
        # The assessment layer: its own stream, so the rows above are the same with or without it.
        self.arng = random.Random(f"reformwatch-bench-assessment:{seed}:{n}:{GENERATOR_VERSION}")
        self.assess_rows: dict[str, list[tuple]] = {t: [] for t in ASSESSMENT_COLUMNS}

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, *values) -> None:
        assert len(values) == len(TABLE_COLUMNS[table]), table
        self.rows[table].append(values)

    # -- generation -------------------------------------------------------------------------

    def generate(self) -> "Dataset":
        tasks = {t["number"]: t for t in self.cat["tasks"]}
        self.tasks = tasks
        self.basic = [n for n, t in tasks.items() if t["class"] == "basic"]
        self.election = [n for n, t in tasks.items() if t["class"] == "election"]
        self.optional = [n for n, t in tasks.items() if t["class"] == "optional"]
        self.doc_ids = [d["id"] for d in self.cat["documents"]]
        created = datetime(2017, 4, 25, 9, 0, tzinfo=CST)
        rules = self.cat["assessment"]
        ids = [i["id"] for i in rules["indicators"]]
        # Leaves: indicators without children, with their points in hundredths.
        self.leaves = [(i["id"], int(round(float(i["points"]) * 100)), i.get("kind"))
                       for i in rules["indicators"]
                       if not any(j.startswith(i["id"] + ".") for j in ids)]
        self.reviewers = [REVIEWER_ID_BASE + k for k in range(max(8, self.n // 25))]
        for rid in self.reviewers:
            k = rid - REVIEWER_ID_BASE + 1
            self.assess_rows["users"].append(
                (rid, f"bench-reviewer-{k}", f"评审专家{k}", NO_PASSWORD, "reviewer", None, 0, 0,
                 ts(created), ts(created), f"reviewer{k}@bench.example"))
        idx = 0
        for group, count in group_counts(self.n).items():
            for i in range(count):
                idx += 1
                code = society_code(group, i)
                self.codes.append(code)
                self.society(idx, group, code, created)
        return self

    def person(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")

    def society(self, idx: int, group: str, code: str, created: datetime) -> None:
        r = self.rng
        sid = self.next_id("societies")
        topic = TOPICS[idx % len(TOPICS)]
        self.add("societies", sid, code, f"中国{topic}学会（基准{idx}）", f"{topic}学会{idx}", group,
                 "中国科学技术协会", self.person(), f"010-{r.randrange(10_000_000, 99_999_999)}",
                 f"office{idx}@society.example", 1, ts(created), ts(created))
        electing = r.random() < 0.3
        # About 60 % keep to their plan and meet the rules; the others lag and miss some.
        good = r.random() < 0.6
        self.add("society_years", sid, YEAR, 1 if electing else 0)
        facts = self.facts(sid, electing, good, created)
        plan, version = self.plan(sid, electing, facts)
        self.reports(sid, plan, version, facts, good)
        self.assessment(sid, plan, good)

    def fact(self, sid: int, field: str, value, as_of: str, source: str, by: str, at: datetime):
        self.add("fact_values", self.next_id("fact_values"), sid, YEAR, field, dumps(value), as_of,
                 source, by, ts(at))

    def facts(self, sid: int, electing: bool, good: bool, created: datetime) -> dict:
        r = self.rng
        mb = r.randrange(2_000, 60_000)
        f = {
            "members_baseline": mb,
            "members_now": mb + r.randrange(0, mb // 10 + 1),
            "fee_payers_baseline": mb * r.randrange(30, 70) // 100,
            "branches_total": r.randrange(5, 60),
            "directors_absent_without_reason": r.randrange(0, 6),
            "fulltime_staff": r.randrange(3, 40),
            "has_office": good or r.random() < 0.8,
            "party_org_established_on": f"2016-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
            "documents": (list(self.doc_ids) if good else
                          sorted(r.sample(self.doc_ids, r.randrange(2, len(self.doc_ids) + 1)))),
        }
        f["fee_payers_now"] = f["members_now"] * r.randrange(30, 75) // 100
        if good:  # the fee-paying rate rises
            f["fee_payers_now"] = f["fee_payers_baseline"] + f["fee_payers_baseline"] // 5 + 1
        f["fee_payers_now"] = min(f["fee_payers_now"], mb * 3 // 4)
        f["branches_inactive"] = r.randrange(0, f["branches_total"] // 4 + 1)
        f["branches_dissolved"] = r.randrange(0, f["branches_total"] - f["branches_inactive"] + 1) // 3
        f["directors_adjusted"] = (f["directors_absent_without_reason"] if good else
                                   r.randrange(0, f["directors_absent_without_reason"] + 1))
        f["fulltime_sg_level"] = min(r.randrange(1 if good else 0, 3), f["fulltime_staff"])
        if good or r.random() < 0.5:
            f["annual_report_published_on"] = f"2017-{r.randrange(3, 7):02d}-{r.randrange(1, 29):02d}"
        if electing and good:
            cap = 150 if f["members_now"] < 20_000 else 180
            prev = r.randrange(cap, cap + 100)
            new = cap - r.randrange(0, 30)
            standing = new // r.randrange(3, 5)
            front = new * r.randrange(76, 95) // 100
            f.update({
                "council_previous": prev,
                "council_new": new,
                "standing_new": standing,
                "council_frontline": front,
                "standing_frontline": min(standing * r.randrange(67, 95) // 100 + 1, front, standing),
                "council_cpc": new * r.randrange(30, 70) // 100,
                "council_under_45": new * r.randrange(5, 30) // 100,
                "council_women": new * r.randrange(5, 30) // 100,
                "sg_nominated_on": "2017-06-10",
                "sg_approved_on": "2017-06-20",
                "sg_appointed_on": "2017-07-01",
                "supervisory_board_elected_on": "2017-06-20",
            })
        elif electing:
            prev = r.randrange(150, 400)
            new = prev - r.randrange(0, 60)
            standing = new // r.randrange(3, 6)
            front = new * r.randrange(10, 40) // 100
            f.update({
                "council_previous": prev,
                "council_new": new,
                "standing_new": standing,
                "council_frontline": front,
                "standing_frontline": min(standing * r.randrange(5, 35) // 100, front),
                "council_cpc": new * r.randrange(30, 70) // 100,
                "council_under_45": new * r.randrange(5, 30) // 100,
                "council_women": new * r.randrange(5, 30) // 100,
                "sg_nominated_on": "2017-06-10",
                "sg_approved_on": "2017-06-20",
                "sg_appointed_on": "2017-07-01",
                "supervisory_board_elected_on": "2017-06-20",
            })
        at = created + timedelta(days=1, minutes=sid % 600)
        for field in sorted(f):
            self.fact(sid, field, f[field], "2017-05-01", "import", "cli:bench", at)
        return f

    def plan_task(self, number: int, facts: dict) -> dict:
        r = self.rng
        t = self.tasks[number]
        targets = []
        if number == 2:
            mb = facts["members_baseline"]
            targets.append({"metric": "个人会员数", "unit": "人", "baseline": mb,
                            "target": mb * 115 // 100, "due": "2017-12-31", "fact": "members_now"})
        elif t["class"] == "optional" or r.random() < 0.8:
            for k in range(r.randrange(1, 3)):
                base = r.randrange(0, 50)
                targets.append({"metric": f"{t['title_zh']}指标{k + 1}", "unit": "项",
                                "baseline": base, "target": base + r.randrange(2, 20),
                                "due": f"2017-{r.randrange(9, 13):02d}-{r.randrange(1, 29):02d}",
                                "fact": None})
        months = sorted(r.sample(range(6, 13), r.randrange(2, 4)))
        milestones = [{"date": f"2017-{m:02d}-{r.randrange(1, 29):02d}",
                       "what": f"{t['title_zh']}阶段{k + 1}完成"} for k, m in enumerate(months)]
        return {"number": number,
                "responsible": [{"name": self.person(), "position": r.choice(POSITIONS)}],
                "targets": targets, "milestones": milestones,
                "notes": "" if r.random() < 0.7 else "按年度计划推进。"}

    def plan(self, sid: int, electing: bool, facts: dict) -> tuple[dict, int]:
        r = self.rng
        numbers = self.basic + (self.election if electing else [])
        numbers += sorted(r.sample(self.optional, r.randrange(5, 9)))
        content = {"summary": "围绕年度改革要点，逐项落实。",
                   "tasks": [self.plan_task(n, facts) for n in numbers]}
        deadline = plan_deadline(self.cat)
        first = deadline - timedelta(days=r.randrange(-3, 20), seconds=r.randrange(0, 86_400))
        first = first.replace(microsecond=0)
        editor = f"{ACTOR_PREFIX}{sid}"
        pid = self.next_id("plans")
        versions = [(1, content, first)]
        returned = r.random() < 0.25
        if returned:
            back = first + timedelta(days=r.randrange(1, 5), hours=r.randrange(0, 8))
            self.add("plan_reviews", self.next_id("plan_reviews"), pid, 1, REVIEWER, "returned",
                     "请细化自选任务的考核目标。",
                     dumps({str(numbers[-1]): "目标值需可考核"}), ts(back))
            second = json.loads(dumps(content))
            second["summary"] += "（已按评审意见修改）"
            versions.append((2, second, back + timedelta(days=r.randrange(1, 6))))
        for v, c, at in versions:
            self.add("plan_versions", self.next_id("plan_versions"), pid, v, dumps(c), ts(at), editor,
                     late_seconds(deadline, at))
        last_v, last_c, last_at = versions[-1]
        accepted_at = last_at + timedelta(days=r.randrange(1, 6))
        self.add("plan_reviews", self.next_id("plan_reviews"), pid, last_v, REVIEWER, "accepted",
                 "同意。", "{}", ts(accepted_at))
        self.add("plans", pid, sid, YEAR, "reform", "accepted", dumps(last_c), last_v, None, None,
                 ts(first - timedelta(days=7)), ts(accepted_at))
        return last_c, last_v

    def report_content(self, plan: dict, month: int, pace: float) -> dict:
        r = self.rng
        tasks = []
        frac = (month - 5) / 7 * pace  # share of the way to the targets
        for t in plan["tasks"]:
            values = []
            for i, tg in enumerate(t["targets"]):
                base, goal = tg["baseline"] or 0, tg["target"]
                v = base + int((goal - base) * min(frac * r.uniform(0.97, 1.1), 1.1))
                values.append({"target": i, "value": max(v, base)})
            reached = [i for i, m in enumerate(t["milestones"])
                       if int(m["date"][5:7]) <= month and r.random() < (0.99 if pace > 1 else 0.6)]
            status = ("completed" if frac >= 1 and r.random() < 0.7 else
                      "not_started" if month == 6 and r.random() < 0.3 else "in_progress")
            blocked = r.random() < 0.02
            tasks.append({"number": t["number"], "status": "blocked" if blocked else status,
                          "progress": f"{month}月推进任务{t['number']}。", "values": values,
                          "milestones_reached": reached,
                          "blocked_reason": "等待业务主管单位批复。" if blocked else ""})
        return {"narrative": f"{YEAR}年{month}月改革工作进展。", "tasks": tasks}

    def reports(self, sid: int, plan: dict, plan_version: int, facts: dict, good: bool) -> None:
        r = self.rng
        pace = r.uniform(1.02, 1.25) if good else r.uniform(0.5, 1.0)
        editor = f"{ACTOR_PREFIX}{sid}"
        mb = facts["members_baseline"]
        for month in range(self.cat["tracking"]["first_month"], self.cat["tracking"]["last_month"] + 1):
            roll = r.random()
            miss = 0.01 if good else 0.08
            if roll < miss:
                continue  # missing
            due = report_due(self.cat, month)
            month_start = datetime(YEAR, month, 20, 9, 0, tzinfo=CST)
            content = self.report_content(plan, month, pace)
            rid = self.next_id("reports")
            if roll < miss + 0.02:  # a draft never submitted
                self.add("reports", rid, sid, YEAR, month, "draft", dumps(content), plan_version,
                         ts(month_start), ts(month_start + timedelta(days=3)))
                continue
            if r.random() < 0.12:
                first = due + timedelta(days=r.randrange(0, 20), seconds=r.randrange(60, 86_400))
            else:
                first = due - timedelta(days=r.randrange(0, 10), seconds=r.randrange(0, 80_000))
            first = first.replace(microsecond=0)
            versions = [(1, content, first)]
            state = "submitted"
            last = first
            if r.random() < 0.15:
                back = first + timedelta(days=r.randrange(1, 4))
                self.add("report_reviews", self.next_id("report_reviews"), rid, 1, REVIEWER,
                         "returned", "请补充目标完成情况的说明。", ts(back))
                if r.random() < 0.8:
                    again = json.loads(dumps(content))
                    again["narrative"] += "（补充说明）"
                    last = back + timedelta(days=r.randrange(1, 4))
                    versions.append((2, again, last))
                else:
                    state = "returned"
                    last = back
            if r.random() < 0.2:
                self.add("report_reviews", self.next_id("report_reviews"), rid, len(versions),
                         REVIEWER, "comment", "进展良好，请继续保持。",
                         ts(last + timedelta(hours=r.randrange(1, 48))))
            for v, c, at in versions:
                self.add("report_versions", self.next_id("report_versions"), rid, v, dumps(c), ts(at),
                         editor, late_seconds(due, at))
                # Task 2's target is linked to members_now: the server records the reported
                # value as a fact version when a report is submitted.
                t2 = next((t for t in c["tasks"] if t["number"] == 2), None)
                if t2 and t2["values"]:
                    value = max(t2["values"][0]["value"], mb)
                    last_day = (date(YEAR, month % 12 + 1, 1) if month < 12 else date(YEAR + 1, 1, 1)) - timedelta(days=1)
                    self.fact(sid, "members_now", value, last_day.isoformat(), "report", editor, at)
            self.add("reports", rid, sid, YEAR, month, state, dumps(versions[-1][1]), plan_version,
                     ts(month_start), ts(last))
            if r.random() < 0.1:
                digest = hashlib.sha256(f"{self.seed}:{sid}:{month}".encode()).hexdigest()
                self.add("evidence_objects", digest, 20_000 + r.randrange(0, 500_000), "pdf", None,
                         ts(first))
                self.add("evidence", self.next_id("evidence"), sid, digest, f"{month}月工作记录.pdf",
                         "report", YEAR, month, None, None, editor, ts(first), None)

    def assessment(self, sid: int, plan: dict, good: bool) -> None:
        """The year-end inputs of one society (see the module's docstring)."""
        r = self.arng
        a = self.assess_rows
        end = datetime(2018, 1, 10, 9, 0, tzinfo=CST)
        # Acceptance decisions for most planned tasks.
        for t in plan["tasks"]:
            if r.random() >= 0.95:
                continue  # the system's proposal stands
            roll = r.random()
            status = (("completed" if roll < 0.975 else "partly" if roll < 0.995 else "not_completed")
                      if good else
                      ("completed" if roll < 0.85 else "partly" if roll < 0.97 else "not_completed"))
            proposed = status if r.random() < 0.85 else r.choice(["completed", "partly", "not_completed"])
            comment = "同意系统建议。" if proposed == status else "根据补充材料调整验收结论。"
            at = end + timedelta(days=r.randrange(0, 10), minutes=r.randrange(0, 600))
            a["acceptance_decisions"].append(
                (len(a["acceptance_decisions"]) + 1, YEAR, sid, t["number"], proposed, status,
                 comment, REVIEWER, ts(at)))
        # Self-scores of every leaf.
        if r.random() < 0.8:
            at = end + timedelta(days=r.randrange(0, 5), minutes=r.randrange(0, 600))
            for ind, full, _kind in self.leaves:
                score = full * r.randrange(70, 101) // 100 // 50 * 50
                a["assessment_self_scores"].append(
                    (YEAR, sid, ind, score, "", f"{ACTOR_PREFIX}{sid}", ts(at)))
        # Reviewers: a declared conflict now and then (that reviewer is not assigned).
        pool = list(self.reviewers)
        if r.random() < 0.01:
            barred = r.choice(pool)
            pool.remove(barred)
            kind = r.choice(["member", "conflict"])
            a["assessment_conflicts"].append(
                (YEAR, barred, sid, kind, "本人为该学会会员。" if kind == "member" else "近三年与该学会有合作项目。",
                 f"user:bench-reviewer-{barred - REVIEWER_ID_BASE + 1}", ts(end)))
        assigned = sorted(r.sample(pool, min(len(pool), r.randrange(3, 7))))
        lo, hi = (75, 100) if good else (45, 90)
        for rid in assigned:
            at = end + timedelta(days=r.randrange(5, 20), minutes=r.randrange(0, 600))
            submitted = r.random() >= 0.02
            for ind, full, kind in self.leaves:
                if kind != "expert":
                    continue
                score = full * r.randrange(lo, hi + 1) // 100 // 50 * 50
                a["assessment_scores"].append(
                    (YEAR, sid, rid, ind, score, "依据材料和现场核查评分。", ts(at)))
            a["assessment_reviewers"].append(
                (YEAR, sid, rid, ADMIN_ACTOR, ts(end), ts(at + timedelta(hours=1)) if submitted else None))
        # Deductions and bonuses.
        for adj, chance, top, reason in (("violation", 0.01, 100, "年检发现违反章程的情况。"),
                                          ("false-report", 0.02, 50, "月报数据与核查不符。"),
                                          ("exemplary", 0.04, 30, "改革经验被中国科协推广。")):
            if r.random() < chance:
                a["assessment_adjustments"].append(
                    (len(a["assessment_adjustments"]) + 1, YEAR, sid, adj,
                     r.randrange(1, top + 1) * 100, reason, ADMIN_ACTOR, ts(end), None, None))

    # -- output -----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {t: len(v) for t, v in self.rows.items()}

    def assessment_counts(self) -> dict[str, int]:
        return {t: len(v) for t, v in self.assess_rows.items()}

    def write_assessment_json(self, path: Path) -> None:
        """The assessment layer, kept beside the cached dataset (JSON: table -> rows)."""
        path.write_text(json.dumps(self.assess_rows, ensure_ascii=False, separators=(",", ":")))

    def write_sqlite(self, db: Path) -> None:
        con = sqlite3.connect(db)
        try:
            con.execute("PRAGMA foreign_keys = ON")
            with con:
                for table, cols in TABLE_COLUMNS.items():
                    q = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                    con.executemany(q, self.rows[table])
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()

    def write_csv(self, folder: Path) -> None:
        """One CSV per table for PostgreSQL's COPY: NULL is an unquoted empty field, text is
        quoted, booleans as t/f."""
        folder.mkdir(parents=True, exist_ok=True)
        for table, cols in TABLE_COLUMNS.items():
            bools = [i for i, c in enumerate(cols) if (table, c) in BOOL_COLUMNS]
            with open(folder / f"{table}.csv", "w", encoding="utf-8") as f:
                for row in self.rows[table]:
                    f.write(csv_line(row, bools) + "\n")


def write_assessment_sqlite(db: Path, layer: Path) -> dict[str, int]:
    """Inserts the stored assessment layer (`write_assessment_json`) into a SQLite database
    already migrated to a schema with the assessment tables; returns the rows per table."""
    rows = json.loads(layer.read_text())
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            for table, cols in ASSESSMENT_COLUMNS.items():
                q = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                con.executemany(q, rows[table])
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return {t: len(v) for t, v in rows.items()}


def write_assessment_csv(layer: Path, folder: Path) -> None:
    """The stored assessment layer as one CSV per table for PostgreSQL's COPY (like
    `Dataset.write_csv`)."""
    rows = json.loads(layer.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    for table, cols in ASSESSMENT_COLUMNS.items():
        bools = [i for i, c in enumerate(cols) if (table, c) in ASSESSMENT_BOOL_COLUMNS]
        with open(folder / f"{table}.csv", "w", encoding="utf-8") as f:
            for row in rows[table]:
                f.write(csv_line(row, bools) + "\n")


def csv_line(row, bools) -> str:
    cells = []
    for i, v in enumerate(row):
        if v is None:
            cells.append("")
        elif i in bools:
            cells.append("t" if v else "f")
        elif isinstance(v, int):
            cells.append(str(v))
        else:
            cells.append('"' + str(v).replace('"', '""') + '"')
    return ",".join(cells)
