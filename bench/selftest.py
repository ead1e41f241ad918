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

from rwbench import datagen, report  # noqa: E402
from rwbench.load import Result  # noqa: E402
from rwbench.scenarios.public import parse_wrk  # noqa: E402

# Facts::validate's (part, whole) pairs (crates/core/src/facts.rs).
PARTS = [("fee_payers_baseline", "members_baseline"), ("fee_payers_now", "members_now"),
         ("standing_new", "council_new"), ("council_frontline", "council_new"),
         ("standing_frontline", "standing_new"), ("standing_frontline", "council_frontline"),
         ("council_cpc", "council_new"), ("council_under_45", "council_new"),
         ("council_women", "council_new"), ("fulltime_sg_level", "fulltime_staff")]


class Data(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds = datagen.Dataset(209, 7).generate()

    def rows(self, table):
        cols = datagen.TABLE_COLUMNS[table]
        return [dict(zip(cols, r)) for r in self.ds.rows[table]]

    def test_deterministic(self):
        again = datagen.Dataset(209, 7).generate()
        self.assertEqual(again.rows, self.ds.rows)
        other = datagen.Dataset(209, 8).generate()
        self.assertNotEqual(other.rows["plans"], self.ds.rows["plans"])

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
