"""Year-end assessment (issue 12, R-ASSESS-1..3): time and peak memory of assessing a year.

(a) **Core**: the pure `reformwatch_core::assess::assess_year` on N synthetic societies built
    in memory by the core's example `assess_bench` (deterministic from the seed), in a separate
    release process per size: compute time per repetition (wall and thread CPU, median and p99),
    the process's resident set at start (its own baseline, before the input is built), its peak
    after building the input and at the end (VmHWM, read inside), and its peak seen from outside
    (getrusage maxrss of the child).
(b) **End to end**: `reformwatch assess --year 2017` (the outcome table) on the bench dataset of
    N societies with the assessment layer of `datagen.py` (acceptance decisions, reviewer
    scores, self-scores, adjustments), each run a new process on SQLite: wall time, CPU time
    and peak RSS (getrusage maxrss), next to `reformwatch migrate` on the same copy (the fixed
    cost of starting the CLI: configuration, pool, migration check); statements on PostgreSQL
    counted like the dashboard scenario's. The baseline has no assessment: "n/a".

The pool budget of the 2017 catalogue (20,000,000 yuan, meant for about 200 societies) is
scaled to 100,000 yuan per society in both parts, as `assess_bench` does, so that the floors
stay feasible at 10,000 societies."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .. import build, datagen, dataset
from ..util import REPO, WORK, git, log

NAME = "assessment"
TITLE = "Year-end assessment (issue 12)"
EXAMPLE = "assess_bench"
EXAMPLE_SOURCE = "crates/core/examples/assess_bench.rs"
BUDGET_LINE = "budget = 20000000"
PER_SOCIETY_YUAN = 100_000
AIM_MS = 100
AIM_MB = 100


# -- measuring one process ----------------------------------------------------------------------

def measured(cmd: list, timeout_s: float, input: str | None = None) -> dict:
    """Runs one process to its end: exit status, output, wall seconds, CPU seconds (user +
    system, from os.wait4) and peak resident set (KiB).

    The peak comes from GNU time (`/usr/bin/time -f %M`), not from wait4: Linux carries a
    parent's resident set into its child's maxrss across fork and exec, so a child of this
    harness (which holds a 10,000-society dataset, ~1.9 GB) reported the harness's size, not
    its own. GNU time is small when it forks the command, so the command's maxrss is its own."""
    gnu_time = shutil.which("time") and Path("/usr/bin/time").exists()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as peak:
        argv = [str(c) for c in cmd]
        if gnu_time:
            argv = ["/usr/bin/time", "-f", "%M", "-o", peak.name] + argv
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=err,
                             stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL)
        if input is not None:
            p.stdin.write(input.encode())
            p.stdin.close()
        deadline = t0 + timeout_s
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.005)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        maxrss = ru.ru_maxrss
        if gnu_time:
            # GNU time prints "Command exited with non-zero status N" first when it fails.
            lines = [x for x in peak.read().split() if x.isdigit()]
            maxrss = int(lines[-1]) if lines else None
        return {"rc": p.returncode, "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace"), "wall_s": wall,
                "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_kb": maxrss,
                "timed_out": wall > timeout_s}


def pct(xs: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100), as rwbench.load."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


# -- parsers (bench/selftest.py checks them) -----------------------------------------------------

def parse_core(stdout: str) -> dict:
    """The last line of `assess_bench --json`."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ValueError(f"assess_bench printed no JSON line: {stdout[-500:]!r}")
    return json.loads(lines[-1])


OUTCOMES = {"表扬 commended": "commended", "完成 completed": "completed",
            "通报批评 criticised": "criticised"}


def parse_table(stdout: str) -> dict:
    """`reformwatch assess --year Y`: header line, column line, one tab-separated row per
    society (code, name, score, outcome, rank, yuan). Returns the counts the report shows."""
    lines = stdout.splitlines()
    if len(lines) < 2 or lines[1] != "code\tname\tscore\toutcome\trank\tyuan":
        raise ValueError(f"not an outcome table: {stdout[:300]!r}")
    head = lines[0]
    m = re.search(r"(\d+) expert score\(s\) still missing", head)
    out = {"final": "FINAL" in head, "missing_reviewer_scores": int(m.group(1)) if m else None,
           "rows": 0, "commended": 0, "completed": 0, "criticised": 0, "scored": 0,
           "subsidised": 0, "yuan": 0}
    for line in lines[2:]:
        cells = line.split("\t")
        if len(cells) != 6:
            raise ValueError(f"row with {len(cells)} cells: {line!r}")
        out["rows"] += 1
        kind = OUTCOMES.get(cells[3])
        if kind is None:
            raise ValueError(f"unknown outcome {cells[3]!r}")
        out[kind] += 1
        if cells[2] != "—":
            out["scored"] += 1
        if cells[5] != "—":
            out["subsidised"] += 1
            out["yuan"] += int(cells[5].replace(",", ""))
    return out


def scaled_catalogue(source: str, n: int) -> str:
    """The 2017 catalogue with its pool budget scaled to `n` societies (as assess_bench)."""
    if source.count(BUDGET_LINE) != 1:
        raise ValueError(f"the catalogue has not exactly one {BUDGET_LINE!r}")
    return source.replace(BUDGET_LINE, f"budget = {n * PER_SOCIETY_YUAN}")


# -- (a) the core --------------------------------------------------------------------------------

def core_runs(size: int, reps: int) -> int:
    return reps if size <= 10_000 else max(3, reps // 3)


def run_core(ctx, exe: Path, size: int) -> dict:
    s = ctx.settings
    cmd = [exe, str(size), "--seed", str(s.seed), "--runs", str(core_runs(size, s.reps)), "--json"]
    r = measured(cmd, timeout_s=max(600.0, s.timeout_s))
    if r["rc"] != 0:
        return {"failed": f"exit {r['rc']}: {r['stderr'][-300:]}"}
    out = parse_core(r["stdout"])
    out["process_maxrss_kb"] = r["maxrss_kb"]
    out["process_wall_s"] = r["wall_s"]
    return out


# -- (b) end to end ------------------------------------------------------------------------------

def has_assess(binary: Path) -> bool:
    return subprocess.run([str(binary), "assess", "--help"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def catalogue_source(b) -> str:
    if b.dirty:
        return (REPO / "catalogues" / "2017.toml").read_text()
    return git("show", f"{b.commit}:catalogues/2017.toml") + "\n"


def prepare_copy(b, target: list[str], size: int, layer_load) -> dict:
    """Migrates a copy forward with binary `b`, stores the scaled catalogue, then loads the
    assessment layer (`layer_load()`); returns the layer's rows per table."""
    r = measured([b.path, *target, "migrate"], timeout_s=600)
    if r["rc"] != 0:
        raise RuntimeError(f"migrate failed: {r['stderr'][-2000:]}")
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(scaled_catalogue(catalogue_source(b), size))
        cat = f.name
    try:
        r = measured([b.path, *target, "catalogue", "load", cat], timeout_s=600)
        if r["rc"] != 0:
            raise RuntimeError(f"catalogue load failed: {r['stderr'][-2000:]}")
    finally:
        os.unlink(cat)
    return layer_load()


def time_cli(ctx, b, prep, size: int) -> dict:
    s = ctx.settings
    folder = prep.copy_sqlite(WORK / "run" / f"assessment-{b.label}-{size}")
    target = ["--data-dir", str(folder)]
    layer = prepare_copy(b, target, size,
                         lambda: datagen.write_assessment_sqlite(folder / "reformwatch.db",
                                                                 prep.assessment))
    out = {"layer": layer, "db_mb": (folder / "reformwatch.db").stat().st_size / 1e6}
    for name, args in (("migrate", ["migrate"]), ("assess", ["assess", "--year", "2017"])):
        runs, first = [], None
        t_start = time.monotonic()
        measured([b.path, *target, *args], timeout_s=s.count_timeout_s)  # warm-up (page cache)
        while len(runs) < s.reps:
            r = measured([b.path, *target, *args], timeout_s=s.count_timeout_s)
            if r["rc"] != 0:
                out[name] = {"failed": f"exit {r['rc']}: {r['stderr'][-300:]}"}
                break
            runs.append(r)
            first = first or r
            if len(runs) >= s.min_reps and time.monotonic() - t_start > s.budget_s:
                break
        if not runs:
            continue
        walls = [x["wall_s"] * 1000 for x in runs]
        cpus = [x["cpu_s"] * 1000 for x in runs]
        out[name] = {"n": len(runs), "median_ms": pct(walls, 50), "p99_ms": pct(walls, 99),
                     "cpu_median_ms": pct(cpus, 50),
                     "peak_rss_mb": max(x["maxrss_kb"] or 0 for x in runs) / 1024}
        if name == "assess":
            table = parse_table(first["stdout"])
            if table["rows"] != size:
                raise RuntimeError(f"assess printed {table['rows']} societies, expected {size}")
            out["table"] = table
    return out


def count_cli(ctx, b, prep, size: int, template: str) -> dict:
    """Statements of `assess --year 2017` (and of `migrate`, the CLI's fixed cost) on
    PostgreSQL: the smallest of `count_reps` counts."""
    cl = ctx.postgres()
    db = f"assessment_{b.label}_{size}"
    cl.create_db(db, template=template)
    url = cl.url(db)
    target = ["--database-url", url]
    csv = WORK / "run" / f"assessment-csv-{size}"

    def load():
        datagen.write_assessment_csv(prep.assessment, csv)
        cl.load_csv(db, csv, datagen.ASSESSMENT_COLUMNS)
        return {}

    out = {}
    try:
        prepare_copy(b, target, size, load)
        for name, args in (("migrate", ["migrate"]), ("assess", ["assess", "--year", "2017"])):
            counts, walls = [], []
            for _ in range(ctx.settings.count_reps):
                cl.reset_stats()
                r = measured([b.path, *target, *args], timeout_s=ctx.settings.count_timeout_s)
                if r["rc"] != 0:
                    out[name] = {"failed": f"exit {r['rc']}: {r['stderr'][-300:]}"}
                    break
                counts.append(cl.statements(db))
                walls.append(r["wall_s"] * 1000)
            if counts:
                out[name] = {"statements": min(counts), "all": counts, "pg_ms": min(walls)}
    finally:
        cl.drop_db(db)
    return out


def run(ctx) -> dict:
    s = ctx.settings
    res = {"sizes": {}, "examples": {}, "cli": {}}
    exes = {}
    for b in ctx.binaries:
        exes[b.label] = build.build_example(b, "reformwatch-core", EXAMPLE, EXAMPLE_SOURCE)
        res["examples"][b.label] = exes[b.label] is not None
        res["cli"][b.label] = has_assess(b.path)
    for size in s.sizes:
        entry = {"core": {}, "cli": {}, "statements": {}}
        for b in ctx.binaries:
            if exes[b.label]:
                log(f"assessment: core, {size} societies, {b.label}")
                entry["core"][b.label] = run_core(ctx, exes[b.label], size)
        cli_sizes = getattr(s, "assess_cli_sizes", None) or s.sizes
        if size not in cli_sizes:
            entry["cli_skipped"] = True
            res["sizes"][str(size)] = entry
            continue
        prep = ctx.dataset(size)
        entry["counts"] = prep.counts
        for b in ctx.binaries:
            if res["cli"][b.label]:
                log(f"assessment: reformwatch assess, {size} societies, {b.label}")
                entry["cli"][b.label] = time_cli(ctx, b, prep, size)
        if not s.no_pg and any(res["cli"].values()):
            cl = ctx.postgres()
            tpl = f"tpl_assessment_{size}"
            dataset.prepare_pg(cl, prep, ctx.baseline.path, tpl)
            for b in ctx.binaries:
                if res["cli"][b.label]:
                    entry["statements"][b.label] = count_cli(ctx, b, prep, size, tpl)
            cl.drop_db(tpl)
        res["sizes"][str(size)] = entry
    return res


# -- report --------------------------------------------------------------------------------------

def _ms(v) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _mb_kb(kb) -> str:
    return "–" if kb is None else f"{kb / 1024:.1f}"


def markdown(res: dict, ctx) -> str:
    s = ctx.settings
    sizes = list(res["sizes"])
    na = [b for b in ctx.binaries if not res["examples"].get(b.label)]
    lines = [
        "Part (a), the pure core: `assess_year` (scores, outcomes, rankings overall and in peer "
        "groups, pool subsidy) on N synthetic societies built in memory by the core's example "
        f"`assess_bench` from seed {s.seed}, in one release process per size: {s.reps} "
        "repetitions, each timed (wall and the thread's CPU); p99 is the nearest-rank 99th "
        "percentile (= the maximum below 100 samples). Memory: the process's resident set at "
        "start (its own baseline, before the input), its peak after building the input and at "
        "the end (VmHWM), and the peak seen from outside (the child's maxrss from GNU time); the assessment's "
        "own peak is the end peak minus the peak after the input. The pool budget is scaled to "
        f"{PER_SOCIETY_YUAN:,} yuan per society.",
        "",
        "| societies | build | median ms | p99 ms | min ms | CPU median ms | RSS at start MB | "
        "peak after input MB | peak at end MB | maxrss MB | assessment's own MB | "
        "commended / completed / criticised | subsidised yuan (unspent) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for size in sizes:
        for b in ctx.binaries:
            c = res["sizes"][size]["core"].get(b.label)
            if c is None:
                lines.append(f"| {int(size):,} | {b.label} `{b.short}` | n/a (no assessment) |"
                             + " |" * 10)
                continue
            if "failed" in c:
                lines.append(f"| {int(size):,} | {b.label} `{b.short}` | failed: {c['failed']} |"
                             + " |" * 10)
                continue
            w, cpu = c["wall_ms"], c.get("cpu_ms") or {}
            own = (None if c.get("hwm_end_kb") is None or c.get("hwm_after_input_kb") is None
                   else c["hwm_end_kb"] - c["hwm_after_input_kb"])
            sub = (f"refused: {c['subsidy_refused']}" if c.get("subsidy_refused") else
                   f"{c['subsidy_paid']:,} ({c['subsidy_unspent']:,})")
            lines.append(
                f"| {int(size):,} | {b.label} `{b.short}` | {_ms(w['median'])} | {_ms(w['p99'])} | "
                f"{_ms(w['min'])} | {_ms(cpu.get('median'))} | {_mb_kb(c.get('rss_start_kb'))} | "
                f"{_mb_kb(c.get('hwm_after_input_kb'))} | {_mb_kb(c.get('hwm_end_kb'))} | "
                f"{_mb_kb(c.get('process_maxrss_kb'))} | {_mb_kb(own)} | "
                f"{c['commended']:,} / {c['completed']:,} / {c['criticised']:,} | {sub} |")
    big = str(max(int(x) for x in sizes)) if sizes else None
    cur = res["sizes"].get(big, {}).get("core", {}).get(ctx.binaries[-1].label) if big else None
    if cur and "failed" not in cur:
        med = cur["wall_ms"]["median"]
        peak_mb = (cur.get("process_maxrss_kb") or 0) / 1024
        lines += ["", f"Aim of issue 12 at {int(big):,} societies (current build): compute under "
                  f"{AIM_MS} ms — median {_ms(med)} ms, p99 {_ms(cur['wall_ms']['p99'])} ms "
                  f"({'met' if cur['wall_ms']['p99'] < AIM_MS else 'not met'}); memory under {AIM_MB} MB "
                  f"— the whole process's peak {peak_mb:.1f} MB, input included "
                  f"({'met' if peak_mb < AIM_MB else 'not met'})."]
    lines += [
        "",
        "Part (b), end to end: `reformwatch assess --year 2017` (the outcome table of every "
        "society) on the bench dataset with its assessment layer (reviewer accounts and "
        "assignments, submitted expert scores, self-scores, acceptance decisions, adjustments; "
        "`bench/rwbench/datagen.py`), SQLite, each run a new process after one warm-up; "
        f"{s.reps} runs at most (at least {s.min_reps}, stopping after {s.budget_s:.0f} s). "
        "`migrate` on the same copy (nothing to do) is the fixed cost of starting the CLI. "
        "Peak RSS: the process's maxrss from GNU time. Statements: counted on PostgreSQL as in the "
        "dashboard scenario (the smallest of the counts)."
        + (f" {', '.join(f'{b.label} `{b.short}`' for b in na)}: no assessment (n/a)." if na else ""),
        "",
        "| societies | build | command | median ms | p99 ms | CPU median ms | peak RSS MB | n | "
        "statements (PostgreSQL) | PostgreSQL ms |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        entry = res["sizes"][size]
        if entry.get("cli_skipped"):
            lines.append(f"| {int(size):,} | | | not measured in this run (`--assess-cli-sizes`) |"
                         + " |" * 6)
            continue
        for b in ctx.binaries:
            t = entry["cli"].get(b.label)
            if t is None:
                lines.append(f"| {int(size):,} | {b.label} `{b.short}` | assess | n/a (no assessment) |"
                             + " |" * 6)
                continue
            for name in ("migrate", "assess"):
                r = t.get(name, {})
                st = entry["statements"].get(b.label, {}).get(name, {})
                stmts = ("–" if not st else f"{st['statements']:,}" if "statements" in st
                         else f"failed ({st.get('failed')})")
                if "failed" in r:
                    lines.append(f"| {int(size):,} | {b.label} `{b.short}` | {name} | failed: "
                                 f"{r['failed']} |" + " |" * 6)
                    continue
                lines.append(
                    f"| {int(size):,} | {b.label} `{b.short}` | {name} | {_ms(r.get('median_ms'))} | "
                    f"{_ms(r.get('p99_ms'))} | {_ms(r.get('cpu_median_ms'))} | "
                    f"{r.get('peak_rss_mb', 0):.1f} | {r.get('n', 0)} | {stmts} | "
                    f"{_ms(st.get('pg_ms')) if st else '–'} |")
    lines += ["", "What the dataset gives the assessment (current build's table; rows of the "
              "assessment layer):", "",
              "| societies | commended / completed / criticised | scored | subsidised | yuan | "
              "expert scores missing | decisions | reviewer scores | self-scores | reviewers assigned |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        t = res["sizes"][size]["cli"].get(ctx.binaries[-1].label)
        if not t or "table" not in t:
            continue
        tb, ly = t["table"], t.get("layer", {})
        lines.append(
            f"| {int(size):,} | {tb['commended']:,} / {tb['completed']:,} / {tb['criticised']:,} | "
            f"{tb['scored']:,} | {tb['subsidised']:,} | {tb['yuan']:,} | "
            f"{tb['missing_reviewer_scores'] if tb['missing_reviewer_scores'] is not None else '–'} | "
            f"{ly.get('acceptance_decisions', 0):,} | {ly.get('assessment_scores', 0):,} | "
            f"{ly.get('assessment_self_scores', 0):,} | {ly.get('assessment_reviewers', 0):,} |")
    return "\n".join(lines)
