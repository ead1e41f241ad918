#!/usr/bin/env python3
"""Self-test of the benchmark harness (no build, no server, about a second): the synthetic data
keeps the rules the server enforces, output parsing and the report writer work. Run by
scripts/test; the benchmark itself never is."""

from __future__ import annotations

import json
import re
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
REPO = Path(__file__).resolve().parents[1]

from rwbench import datagen, report  # noqa: E402
from rwbench.load import Result  # noqa: E402
from rwbench.scenarios import assessment  # noqa: E402
from rwbench.scenarios.public import parse_wrk  # noqa: E402

# Facts::validate's (part, whole) pairs (crates/core/src/facts.rs).
PARTS = [("fee_payers_baseline", "members_baseline"), ("fee_payers_now", "members_now"),
         ("standing_new", "council_new"), ("council_frontline", "council_new"),
         ("standing_frontline", "standing_new"), ("standing_frontline", "council_frontline"),
         ("council_cpc", "council_new"), ("council_under_45", "council_new"),
         ("council_women", "council_new"), ("fulltime_sg_level", "fulltime_staff")]


_DATASET = []


def dataset_209_7() -> datagen.Dataset:
    """Dataset(209, 7), generated once for every test class."""
    if not _DATASET:
        _DATASET.append(datagen.Dataset(209, 7).generate())
    return _DATASET[0]


class Data(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds = dataset_209_7()

    def rows(self, table):
        cols = datagen.TABLE_COLUMNS[table]
        return [dict(zip(cols, r)) for r in self.ds.rows[table]]

    def test_deterministic(self):
        again = datagen.Dataset(209, 7).generate()
        self.assertEqual(again.rows, self.ds.rows)
        self.assertEqual(again.assess_rows, self.ds.assess_rows)
        other = datagen.Dataset(209, 8).generate()
        self.assertNotEqual(other.rows["plans"], self.ds.rows["plans"])
        self.assertNotEqual(other.assess_rows["assessment_scores"], self.ds.assess_rows["assessment_scores"])

    def test_codes_have_the_registry_shape_at_every_size(self):
        # SocietyCode::parse: letter A-E, dash, 2-3 digits, optional W/G.
        for n in (209, 1000, 10000):
            counts = datagen.group_counts(n)
            self.assertEqual(sum(counts.values()), n)
            codes = [datagen.society_code(g, i) for g, c in counts.items() for i in range(c)]
            self.assertEqual(len(set(codes)), n)
            bad = [c for c in codes if not re.fullmatch(r"[A-E]-\d{2,3}[WG]?", c)]
            self.assertEqual(bad, [])
        self.assertEqual(datagen.group_counts(209), {"A": 45, "B": 78, "C": 16, "D": 28, "E": 42})

    def test_facts_keep_every_part_within_its_whole(self):
        current = {}
        for f in self.rows("fact_values"):
            key = (f["society_id"], f["field"])
            if key not in current or f["as_of"] >= current[key][0]:
                current[key] = (f["as_of"], json.loads(f["value_json"]))
        by_society = {}
        for (sid, field), (_, v) in current.items():
            by_society.setdefault(sid, {})[field] = v
        docs = {d["id"] for d in self.ds.cat["documents"]}
        for sid, f in by_society.items():
            for part, whole in PARTS:
                if part in f and whole in f:
                    self.assertLessEqual(f[part], f[whole], (sid, part, whole))
            self.assertLessEqual(f["branches_inactive"] + f["branches_dissolved"], f["branches_total"])
            self.assertTrue(set(f["documents"]) <= docs)
            self.assertEqual(len(set(f["documents"])), len(f["documents"]))
            self.assertTrue(all(isinstance(v, (int, bool, str, list)) and (not isinstance(v, int) or v >= 0)
                                for v in f.values()))

    def test_plans_have_the_mandatory_and_enough_optional_tasks(self):
        electing = {r["society_id"]: r["election_year"] for r in self.rows("society_years")}
        for p in self.rows("plans"):
            content = json.loads(p["draft_json"])
            numbers = [t["number"] for t in content["tasks"]]
            self.assertEqual(len(numbers), len(set(numbers)))
            self.assertTrue(set(range(1, 8)) <= set(numbers))
            self.assertEqual(set(range(8, 12)) <= set(numbers), bool(electing[p["society_id"]]))
            optional = [t for t in content["tasks"] if t["number"] >= 12]
            self.assertGreaterEqual(len(optional), 5)
            for t in content["tasks"]:
                self.assertTrue(t["responsible"][0]["name"])
                for tg in t["targets"]:
                    self.assertTrue(tg["metric"] and tg["target"] is not None and tg["due"])
            for t in optional:
                self.assertTrue(t["targets"])
            self.assertEqual(p["state"], "accepted")

    def test_reports_follow_the_accepted_plan(self):
        plans = {p["society_id"]: json.loads(p["draft_json"]) for p in self.rows("plans")}
        reports = {r["id"]: r for r in self.rows("reports")}
        for v in self.rows("report_versions"):
            r = reports[v["report_id"]]
            plan = plans[r["society_id"]]
            content = json.loads(v["content_json"])
            self.assertEqual([t["number"] for t in content["tasks"]], [t["number"] for t in plan["tasks"]])
            for rt, pt in zip(content["tasks"], plan["tasks"]):
                self.assertEqual([x["target"] for x in rt["values"]], list(range(len(pt["targets"]))))
                self.assertTrue(all(i < len(pt["milestones"]) for i in rt["milestones_reached"]))
                self.assertEqual(rt["status"] == "blocked", bool(rt["blocked_reason"]))
        late = sum(1 for v in self.rows("report_versions") if v["late_seconds"])
        self.assertTrue(0 < late < len(self.rows("report_versions")) // 4)
        months = {(r["society_id"], r["month"]) for r in reports.values()}
        self.assertLess(len(months), 209 * 7)  # some reports are missing

    def test_lateness_is_in_whole_seconds_after_the_due_instant(self):
        due = datagen.report_due(self.ds.cat, 6)
        self.assertEqual(due.isoformat(), "2017-07-05T23:59:59+08:00")
        from datetime import timedelta
        self.assertIsNone(datagen.late_seconds(due, due + timedelta(microseconds=999_999)))
        self.assertEqual(datagen.late_seconds(due, due + timedelta(seconds=1)), 1)
        self.assertEqual(datagen.report_due(self.ds.cat, 12).isoformat(), "2018-01-05T23:59:59+08:00")


class AssessmentLayer(unittest.TestCase):
    """Issue 12: the assessment layer keeps the schema's rules (migration 0007) and gives a mix of
    outcomes' inputs; the other rows stay as generator version 4 made them."""

    @classmethod
    def setUpClass(cls):
        cls.ds = dataset_209_7()

    def rows(self, table):
        cols = datagen.ASSESSMENT_COLUMNS[table]
        for r in self.ds.assess_rows[table]:
            self.assertEqual(len(r), len(cols), table)
        return [dict(zip(cols, r)) for r in self.ds.assess_rows[table]]

    def test_other_rows_are_generator_4s(self):
        import hashlib
        # sha256 of Dataset(209, 7).rows made by generator version 4 (before the layer).
        digest = hashlib.sha256(json.dumps(self.ds.rows, ensure_ascii=False, sort_keys=True)
                                .encode()).hexdigest()
        self.assertEqual(digest, "4719c6e09eddf0b5742241b106a0541679f0f75ccf6ca02060b09f4cee3c1292")

    def test_reviewer_scores_cover_expert_leaves_within_their_points(self):
        leaves = {i: (full, kind) for i, full, kind in self.ds.leaves}
        self.assertEqual(leaves["5.3"], (10000, "expert"))  # 100 points, in hundredths
        self.assertEqual(leaves["6.1"], (3000, "automatic"))
        expert = {i for i, (_f, k) in leaves.items() if k == "expert"}
        self.assertEqual(len(expert), 7)
        scored = {}
        for x in self.rows("assessment_scores"):
            self.assertIn(x["indicator"], expert)
            self.assertTrue(0 <= x["score"] <= leaves[x["indicator"]][0], x)
            self.assertEqual(x["score"] % 50, 0)  # half points
            self.assertTrue(x["comment"])
            scored.setdefault((x["society_id"], x["reviewer_id"]), set()).add(x["indicator"])
        assigned = self.rows("assessment_reviewers")
        self.assertEqual({(a["society_id"], a["reviewer_id"]) for a in assigned}, set(scored))
        self.assertTrue(all(v == expert for v in scored.values()))
        per = {}
        for a in assigned:
            per[a["society_id"]] = per.get(a["society_id"], 0) + 1
        self.assertEqual(len(per), 209)
        self.assertTrue(all(3 <= v <= 6 for v in per.values()))
        drafts = sum(1 for a in assigned if a["submitted_at"] is None)
        self.assertTrue(0 < drafts < len(assigned) // 10)
        for x in self.rows("assessment_self_scores"):
            self.assertTrue(0 <= x["score"] <= leaves[x["indicator"]][0])

    def test_a_conflicted_reviewer_is_never_assigned(self):
        conflicts = {(c["society_id"], c["reviewer_id"]) for c in self.rows("assessment_conflicts")}
        self.assertTrue(conflicts)
        assigned = {(a["society_id"], a["reviewer_id"]) for a in self.rows("assessment_reviewers")}
        self.assertEqual(conflicts & assigned, set())

    def test_decisions_are_on_planned_tasks_with_every_status(self):
        plans = {p[1]: json.loads(p[5]) for p in self.ds.rows["plans"]}  # society_id, draft_json
        statuses = {}
        for d in self.rows("acceptance_decisions"):
            self.assertIn(d["task"], [t["number"] for t in plans[d["society_id"]]["tasks"]])
            statuses[d["status"]] = statuses.get(d["status"], 0) + 1
        self.assertEqual(set(statuses), {"completed", "partly", "not_completed"})
        self.assertGreater(statuses["completed"], statuses["partly"] > statuses["not_completed"])
        keys = [(d["society_id"], d["task"]) for d in self.rows("acceptance_decisions")]
        self.assertEqual(len(keys), len(set(keys)))

    def test_adjustments_stay_within_the_catalogue_maximum(self):
        top = {a["id"]: a["max"] * 100 for a in self.ds.cat["assessment"]["adjustments"]}
        for a in self.rows("assessment_adjustments"):
            self.assertTrue(0 < a["points"] <= top[a["adjustment"]], a)

    def test_rows_fit_the_migrated_schema(self):
        # Every SQLite migration of the server, then the rows: CHECKs, foreign keys, triggers.
        import sqlite3
        migrations = sorted((REPO / "crates/server/migrations/sqlite").glob("*.sql"))
        with tempfile.TemporaryDirectory() as d:
            db = Path(d) / "x.db"
            con = sqlite3.connect(db)
            for m in migrations:
                con.executescript(m.read_text())
            con.execute("INSERT INTO users (id, username, display_name, password_hash, role, "
                        "created_at, updated_at) VALUES (1, 'bench-admin', 'a', 'x', 'admin', 't', 't')")
            con.commit()
            con.close()
            self.ds.write_sqlite(db)
            layer = Path(d) / "assessment.json"
            self.ds.write_assessment_json(layer)
            counts = datagen.write_assessment_sqlite(db, layer)
            self.assertEqual(counts, self.ds.assessment_counts())
            con = sqlite3.connect(db)
            n = con.execute("SELECT COUNT(*) FROM assessment_scores x JOIN assessment_reviewers a "
                            "USING (year, society_id, reviewer_id) WHERE a.submitted_at IS NOT NULL").fetchone()[0]
            con.close()
            self.assertGreater(n, 0)
            self.assertLess(n, counts["assessment_scores"])

    def test_csv_of_the_layer(self):
        with tempfile.TemporaryDirectory() as d:
            layer = Path(d) / "assessment.json"
            self.ds.write_assessment_json(layer)
            datagen.write_assessment_csv(layer, Path(d) / "csv")
            first = (Path(d) / "csv" / "users.csv").read_text().splitlines()[0]
            self.assertEqual(first, '1001,"bench-reviewer-1","评审专家1","!bench-reviewer-never-signs-in",'
                             '"reviewer",,f,f,"2017-04-25T01:00:00.000000Z","2017-04-25T01:00:00.000000Z",'
                             '"reviewer1@bench.example"')


TABLE = (
    "2017 年度考核结果：暂定，尚未定稿（阶段：open）/ 2017 assessment results: PROVISIONAL, not final "
    "(state: open); 12 expert score(s) still missing\n"
    "code\tname\tscore\toutcome\trank\tyuan\n"
    "A-001\t中国数学学会\t912.5\t表扬 commended\t1\t1,250,000\n"
    "A-002\t中国物理学会\t801\t完成 completed\t2\t—\n"
    "A-003\t中国力学学会\t—\t通报批评 criticised\t—\t—\n"
    "B-001\t中国光学学会\t888.25\t表扬 commended\t3\t250,001\n"
)


class AssessmentParsing(unittest.TestCase):
    def test_outcome_table(self):
        t = assessment.parse_table(TABLE)
        self.assertEqual(t, {"final": False, "missing_reviewer_scores": 12, "rows": 4,
                             "commended": 2, "completed": 1, "criticised": 1, "scored": 3,
                             "subsidised": 2, "yuan": 1_500_001})
        with self.assertRaises(ValueError):
            assessment.parse_table("no table\n")
        with self.assertRaises(ValueError):
            assessment.parse_table(TABLE.replace("完成 completed", "done"))

    def test_core_json_line(self):
        out = 'societies: 3\n{"societies": 3, "wall_ms": {"median": 1.5}}\n'
        self.assertEqual(assessment.parse_core(out), {"societies": 3, "wall_ms": {"median": 1.5}})
        with self.assertRaises(ValueError):
            assessment.parse_core("nothing\n")

    def test_budget_scaled_once(self):
        src = (REPO / "catalogues" / "2017.toml").read_text()
        out = assessment.scaled_catalogue(src, 10_000)
        self.assertIn("budget = 1000000000\n", out)
        self.assertNotIn("budget = 20000000\n", out)
        with self.assertRaises(ValueError):
            assessment.scaled_catalogue("x = 1\n", 10)

    def test_measured_child_process(self):
        r = assessment.measured([sys.executable, "-c", "import sys; b = bytearray(64 << 20); "
                                 "print(len(b)); sys.exit(3)"], timeout_s=60)
        self.assertEqual((r["rc"], r["stdout"].strip()), (3, str(64 << 20)))
        self.assertGreater(r["maxrss_kb"], 64 * 1024)  # the child's peak, not this process's
        self.assertLess(r["maxrss_kb"], 1024 * 1024)

    def test_markdown(self):
        from types import SimpleNamespace as NS
        binaries = [NS(label="baseline", short="5e32d59"), NS(label="current", short="abc1234")]
        ctx = NS(binaries=binaries, settings=NS(seed=2017, reps=30, min_reps=3, budget_s=60.0))
        core = {"wall_ms": {"median": 41.25, "p99": 120.5, "min": 40.0}, "cpu_ms": {"median": 40.5},
                "rss_start_kb": 2048, "hwm_after_input_kb": 51200, "hwm_end_kb": 81920,
                "process_maxrss_kb": 82944, "commended": 3000, "completed": 5000, "criticised": 2000,
                "subsidy_paid": 1_000_000_000, "subsidy_unspent": 0, "subsidy_refused": None}
        cli = {"layer": {"acceptance_decisions": 7, "assessment_scores": 8, "assessment_self_scores": 9,
                         "assessment_reviewers": 10},
               "migrate": {"n": 3, "median_ms": 20.0, "p99_ms": 25.0, "cpu_median_ms": 10.0, "peak_rss_mb": 12.0},
               "assess": {"n": 3, "median_ms": 1500.0, "p99_ms": 1600.0, "cpu_median_ms": 1400.0,
                          "peak_rss_mb": 250.5},
               "table": assessment.parse_table(TABLE)}
        res = {"examples": {"baseline": False, "current": True}, "cli": {"baseline": False, "current": True},
               "sizes": {"10000": {"core": {"current": core}, "cli": {"current": cli},
                                   "statements": {"current": {"assess": {"statements": 14, "pg_ms": 2000.0}}}}}}
        md = assessment.markdown(res, ctx)
        self.assertIn("| 10,000 | baseline `5e32d59` | n/a (no assessment) |", md)
        self.assertIn("| 10,000 | current `abc1234` | 41.2 | 120 | 40.0 | 40.5 | 2.0 | 50.0 | 80.0 | 81.0 | 30.0 | "
                      "3,000 / 5,000 / 2,000 | 1,000,000,000 (0) |", md)
        self.assertIn("median 41.2 ms, p99 120 ms (not met)", md)
        self.assertIn("peak 81.0 MB, input included (met)", md)
        self.assertIn("| 10,000 | current `abc1234` | assess | 1,500 | 1,600 | 1,400 | 250.5 | 3 | 14 | 2,000 |", md)
        self.assertIn("| 10,000 | current `abc1234` | migrate | 20.0 | 25.0 | 10.0 | 12.0 | 3 | – | – |", md)
        self.assertIn("| 10,000 | 2 / 1 / 1 | 3 | 2 | 1,500,001 | 12 | 7 | 8 | 9 | 10 |", md)
        # Every row of a table has as many cells as its header.
        header = 0
        for line in md.splitlines():
            if line.startswith("| societies"):
                header = line.count("|")
            elif line.startswith("| 10,000"):
                self.assertEqual(line.count("|"), header, line)


WRK = """Running 5s test @ http://127.0.0.1:1/x
  2 threads and 64 connections
  Latency Distribution
     50%  635.91us
     75%  712.34us
     90%    1.04ms
     99%    2.39s
  1000 requests in 5.00s, 1.23MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  98765.43
"""


class Parsing(unittest.TestCase):
    def test_wrk(self):
        r = parse_wrk(WRK)
        self.assertEqual(r["rps"], 98765.43)
        self.assertAlmostEqual(r["p50_ms"], 0.63591)
        self.assertAlmostEqual(r["p99_ms"], 2390.0)
        self.assertEqual(r["requests"], 1000)
        self.assertEqual(r["errors"], 7)

    def test_nearest_rank_percentiles(self):
        r = Result(latencies_ms=[float(x) for x in range(1, 101)])
        self.assertEqual((r.pct(50), r.pct(99), r.pct(100)), (50.0, 99.0, 100.0))
        self.assertEqual(Result(latencies_ms=[3.0, 1.0, 2.0]).pct(99), 3.0)
        self.assertIsNone(Result().pct(50))

    def test_report_replaces_only_its_section(self):
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "B.md"
            p.write_text("# B\n\nhand-written\n")
            report.write(p, "x", "<!-- bench:x:start -->\none\n<!-- bench:x:end -->\n")
            report.write(p, "y", "<!-- bench:y:start -->\ntwo\n<!-- bench:y:end -->\n")
            report.write(p, "x", "<!-- bench:x:start -->\nthree\n<!-- bench:x:end -->\n")
            text = p.read_text()
            self.assertIn("hand-written", text)
            self.assertNotIn("one", text)
            self.assertLess(text.index("three"), text.index("two"))


if __name__ == "__main__":
    unittest.main()
