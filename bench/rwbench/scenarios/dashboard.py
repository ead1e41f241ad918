"""Issue 8: the CAST dashboard (societies × tasks) as a page, as .xlsx and through the API, for
the baseline and the current binary on the same dataset.

Timings run against SQLite (the default deployment); statements per request are counted on a
throwaway PostgreSQL cluster with pg_stat_statements, loaded with the same dataset."""

from __future__ import annotations

import json
import time

from .. import dataset
from ..load import Endpoint, Result, concurrent, sequential
from ..server import API_TOKEN, Server
from ..util import WORK, log

NAME = "dashboard"
TITLE = "Dashboard: page, .xlsx export, API (issue 8)"
QUERY = "year=2017&month=12"


def _check_html(code: str):
    def check(_s, h, body: bytes):
        if "text/html" not in h.get("content-type", h.get("Content-Type", "")):
            return "not HTML"
        if code.encode() not in body:
            return f"society {code} missing from the page"
        return None
    return check


def _check_xlsx(_s, _h, body: bytes):
    return None if body[:2] == b"PK" else "not an .xlsx (zip) file"


def _check_json(n: int):
    def check(_s, _h, body: bytes):
        try:
            doc = json.loads(body)
        except ValueError:
            return "not JSON"
        rows = doc.get("rows") if isinstance(doc, dict) else None
        if rows is None and isinstance(doc, dict) and isinstance(doc.get("data"), dict):
            rows = doc["data"].get("rows")
        # A paginated answer is allowed (issue 8 bounds heavy requests); the page must have rows.
        if not isinstance(rows, list) or not rows:
            return "no rows"
        return None
    return check


def endpoints(n: int, first_code: str) -> list[Endpoint]:
    return [
        Endpoint("page /dashboard", f"/dashboard?{QUERY}", "cookie", _check_html(first_code)),
        Endpoint("export /dashboard.xlsx", f"/dashboard.xlsx?{QUERY}", "cookie", _check_xlsx),
        Endpoint("API /api/v1/dashboard", f"/api/v1/dashboard?{QUERY}", "bearer", _check_json(n)),
    ]


# Counted on PostgreSQL only: the fixed cost of any request.
COUNT_ONLY = [Endpoint("anonymous GET / (fixed cost)", "/", "none"),
              Endpoint("GET /api/v1/societies (Bearer)", "/api/v1/societies", "bearer")]


def _headers(ep: Endpoint, cookie: str) -> dict:
    h = {"Accept-Language": "zh-CN"}
    if ep.auth == "cookie":
        h["Cookie"] = cookie
    elif ep.auth == "bearer":
        h["Authorization"] = f"Bearer {API_TOKEN}"
    return h


def _summary(r: Result) -> dict:
    return {
        "n": r.completed,
        "median_ms": r.pct(50),
        "p99_ms": r.pct(99),
        "rps": r.rps,
        "errors": len(r.errors),
        "error_kinds": sorted(set(r.errors)),
        "timeouts": r.timeouts,
        "bytes": r.bytes,
    }


def time_binary(ctx, b, prep, size: int) -> dict:
    """Latency (sequential), throughput (8 concurrent) and memory for one binary on SQLite."""
    s = ctx.settings
    data_dir = prep.copy_sqlite(WORK / "run" / f"{b.label}-{size}")
    srv = Server(b.path, ["--data-dir", str(data_dir)], ctx.log_dir / f"{b.label}-{size}-sqlite.log")
    t0 = time.monotonic()
    srv.start()
    start_s = time.monotonic() - t0
    out = {"start_s": start_s, "endpoints": {}}
    try:
        cookie = srv.login()
        for ep in endpoints(size, prep.codes[0]):
            rec = {}
            h = _headers(ep, cookie)
            warm = sequential(srv.port, ep, h, 1, 0, s.timeout_s, min_reps=1)
            rec["first_ms"] = warm.pct(50)
            if warm.errors:
                # Shown in the table as a failure; the run goes on with a fresh server.
                rec["seq"] = _summary(warm)
                rec["conc"] = {"skipped": f"first request failed: {warm.errors[0]}"}
                log(f"{b.label} {size} {ep.name}: first request failed: {warm.errors[0]}")
                srv.restart()
                cookie = srv.login()
                out["endpoints"][ep.name] = rec
                continue
            if warm.timeouts:
                rec["seq"] = _summary(warm)
                rec["conc"] = {"skipped": "first request timed out"}
                log(f"{b.label} {size} {ep.name}: first request timed out")
                srv.restart()
                cookie = srv.login()
                out["endpoints"][ep.name] = rec
                continue
            seq = sequential(srv.port, ep, h, s.reps, s.budget_s, s.timeout_s, min_reps=s.min_reps)
            rec["seq"] = _summary(seq)
            if seq.timeouts:
                srv.restart()
                cookie = srv.login()
                h = _headers(ep, cookie)
            conc = concurrent(srv.port, ep, h, s.workers, s.conc_s, s.timeout_s, s.conc_max)
            rec["conc"] = _summary(conc)
            if conc.timeouts:
                srv.restart()
                cookie = srv.login()
            log(f"{b.label} {size} {ep.name}: median {rec['seq']['median_ms'] or 0:.1f} ms, "
                f"p99 {rec['seq']['p99_ms'] or 0:.1f} ms (n={seq.completed}), "
                f"{rec['conc']['rps'] or 0:.2f} req/s at {s.workers}, "
                f"timeouts {seq.timeouts}+{conc.timeouts}")
            out["endpoints"][ep.name] = rec
        out["rss_after_mb"] = srv.rss_mb()
        out["peak_rss_mb"] = srv.peak_rss_mb
        out["killed_for_memory"] = srv.killed_for_memory
        out["restarts"] = srv.restarts
    finally:
        srv.stop()
    return out


def wait_until_quiet(cl, db: str, label: str, size: int, quiet_s: float = 2.0, limit_s: float = 300.0) -> None:
    """Waits until the freshly started server leaves its database alone: its serve loop's first
    housekeeping pass files the year's rectification requests (thousands of audited writes at
    10,000 societies), and statements counted while it runs are not the request's. Quiet = at
    most 2 statements (a later pass's version check) in `quiet_s` seconds; gives up after
    `limit_s` and says so."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        cl.reset_stats()
        time.sleep(quiet_s)
        if cl.statements(db) <= 2:
            log(f"{label} {size}: database quiet after {time.monotonic() - started:.0f} s")
            return
    log(f"{label} {size}: database still busy after {limit_s:.0f} s; counting anyway")


def count_binary(ctx, b, prep, size: int, template: str) -> dict:
    """Statements per request on PostgreSQL: reset pg_stat_statements, one request, count; the
    smallest of a few tries (the serve loop's housekeeping can add a statement or two)."""
    s = ctx.settings
    cl = ctx.postgres()
    db = f"{b.label}_{size}"
    cl.create_db(db, template=template)
    srv = Server(b.path, ["--database-url", cl.url(db)], ctx.log_dir / f"{b.label}-{size}-pg.log")
    out = {}
    try:
        srv.start()
        cookie = srv.login()
        wait_until_quiet(cl, db, b.label, size)
        for ep in endpoints(size, prep.codes[0]) + COUNT_ONLY:
            h = _headers(ep, cookie)
            counts, times = [], []
            for _ in range(s.count_reps):
                cl.reset_stats()
                r = sequential(srv.port, ep, h, 1, 0, s.count_timeout_s, min_reps=1)
                if r.timeouts or r.errors:
                    break
                counts.append(cl.statements(db))
                times.append(r.pct(50))
                if times[-1] > 10_000:
                    break  # one count of a slow request is enough
            if counts:
                out[ep.name] = {"statements": min(counts), "all": counts, "pg_ms": min(times)}
            else:
                out[ep.name] = {"statements": None, "failed": "timed out" if r.timeouts else r.errors[:1]}
                srv.restart()
                cookie = srv.login()
            log(f"{b.label} {size} {ep.name}: {out[ep.name]}")
    finally:
        srv.stop()
        cl.drop_db(db)
    return out


def run(ctx) -> dict:
    results = {"sizes": {}}
    for size in ctx.settings.sizes:
        prep = ctx.dataset(size)
        entry = {"counts": prep.counts, "time": {}, "statements": {}}
        for b in ctx.binaries:
            entry["time"][b.label] = time_binary(ctx, b, prep, size)
        if not ctx.settings.no_pg:
            cl = ctx.postgres()
            tpl = f"tpl_{size}"
            dataset.prepare_pg(cl, prep, ctx.baseline.path, tpl)
            for b in ctx.binaries:
                cap = ctx.settings.pg_baseline_max
                if b is ctx.baseline and cap is not None and size > cap:
                    entry["statements"][b.label] = {
                        e.name: {"statements": None, "skipped": f"not counted in this run (--pg-baseline-max {cap})"}
                        for e in endpoints(size, prep.codes[0]) + COUNT_ONLY}
                    continue
                entry["statements"][b.label] = count_binary(ctx, b, prep, size, tpl)
            cl.drop_db(tpl)
        results["sizes"][str(size)] = entry
    return results


# -- report -------------------------------------------------------------------------------------

def _ms(v) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _ratio(cur, base) -> str:
    if cur is None or base is None or base == 0:
        return "–"
    return f"{cur / base:.2f}×"


def _latency(rec: dict, key: str, timeout_s: float) -> str:
    seq = rec.get("seq", {})
    if seq.get("n", 0) == 0 and seq.get("timeouts"):
        return f"timed out (>{timeout_s:.0f} s)"
    if seq.get("n", 0) == 0 and seq.get("errors"):
        return f"failed ({', '.join(seq.get('error_kinds', []))})"
    v = _ms(seq.get(key))
    if seq.get("timeouts"):
        v += " (+1 timed out)"
    return v


def _conc(rec: dict, timeout_s: float) -> tuple[str, str]:
    c = rec.get("conc", {})
    if "skipped" in c:
        return f"not run ({c['skipped']})", "–"
    if c.get("n", 0) == 0 and c.get("timeouts"):
        return f"0 (all {c['timeouts']} timed out, >{timeout_s:.0f} s)", "–"
    rps = "–" if c.get("rps") is None else f"{c['rps']:.2f}"
    if c.get("timeouts"):
        rps += f" ({c['timeouts']} timed out)"
    if c.get("errors"):
        rps += f" ({c['errors']} errors: {', '.join(c.get('error_kinds', []))})"
    return rps, _ms(c.get("p99_ms"))


def markdown(res: dict, ctx) -> str:
    s = ctx.settings
    lines = [
        f"Dataset: {', '.join(res['sizes'])} societies (seed {s.seed}), a full 2017 year each: "
        "accepted plans, monthly reports June–December with versions, late and missing reports, "
        "reviews, facts, evidence rows. Requests: `?year=2017&month=12`. "
        f"Latency: {s.reps} sequential requests at most (at least {s.min_reps}, stopping after "
        f"{s.budget_s:.0f} s) after one warm-up, on one keep-alive connection; p99 is the nearest-rank "
        f"99th percentile of those (= the maximum below 100 samples). Throughput: {s.workers} "
        f"connections back to back for {s.conc_s:.0f} s. Every request is capped at "
        f"{s.timeout_s:.0f} s (a time-out counts as a failure; the server is restarted after one). "
        f"Statements: counted on PostgreSQL (see *Method*; there a request may take up to "
        f"{s.count_timeout_s:.0f} s).",
        "",
        "| societies | endpoint | build | median ms | p99 ms | n | req/s at 8 | p99 ms at 8 | "
        "statements / request | median current/baseline | req/s current/baseline |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = [e.name for e in endpoints(1, "")]
    for size, entry in res["sizes"].items():
        for name in names:
            base_rec = entry["time"].get("baseline", {}).get("endpoints", {}).get(name, {})
            for b in ctx.binaries:
                rec = entry["time"].get(b.label, {}).get("endpoints", {}).get(name, {})
                st = entry["statements"].get(b.label, {}).get(name, {})
                stmts = "–" if not st else (f"{st['statements']:,}" if st.get("statements") is not None
                                            else st.get("skipped") or f"failed ({st.get('failed')})")
                if st and st.get("pg_ms") and not rec.get("seq", {}).get("n"):
                    # Timed out on SQLite: say how long the counted request took on PostgreSQL.
                    stmts += f" (the one request took {st['pg_ms'] / 1000:,.0f} s on PostgreSQL)"
                rps, p99c = _conc(rec, s.timeout_s)
                ratio_med = ratio_rps = ""
                if b.label == "current":
                    ratio_med = _ratio(rec.get("seq", {}).get("median_ms"),
                                       base_rec.get("seq", {}).get("median_ms"))
                    ratio_rps = _ratio(rec.get("conc", {}).get("rps"),
                                       base_rec.get("conc", {}).get("rps"))
                lines.append(
                    f"| {int(size):,} | {name} | {b.label} `{b.short}` | "
                    f"{_latency(rec, 'median_ms', s.timeout_s)} | {_latency(rec, 'p99_ms', s.timeout_s)} | "
                    f"{rec.get('seq', {}).get('n', 0)} | {rps} | {p99c} | {stmts} | {ratio_med} | {ratio_rps} |")
    # Scaling: statements per society (issue 8: linear in societies, never societies × months).
    sizes = list(res["sizes"])
    lines += ["", "Statements per request divided by the number of societies (a constant means "
              "statements grow with societies; a fixed handful of statements gives a number "
              "falling towards 0):", "",
              "| endpoint | build | " + " | ".join(f"{int(x):,}" for x in sizes) + " |",
              "|---|---|" + "---:|" * len(sizes)]
    for name in names:
        for b in ctx.binaries:
            cells = []
            for size in sizes:
                st = res["sizes"][size]["statements"].get(b.label, {}).get(name, {})
                v = st.get("statements") if st else None
                cells.append("–" if v is None else f"{v / int(size):.2f}")
            lines.append(f"| {name} | {b.label} `{b.short}` | " + " | ".join(cells) + " |")
    big = "10000"
    cur = res["sizes"].get(big, {"time": {}})["time"].get(ctx.binaries[-1].label, {}).get("endpoints", {})
    aims = []
    for name in names:
        med = cur.get(name, {}).get("seq", {}).get("median_ms")
        verdict = "no result" if med is None else ("met" if med < 300 else "not met")
        aims.append(f"{name}: {_ms(med)} ms ({verdict})")
    if big in res["sizes"]:
        lines += ["", f"Aim of issue 8, the dashboard for {int(big):,} societies under 300 ms (current "
                  f"build, median): " + "; ".join(aims) + "."]
    lines += ["", "Statements of light requests (the fixed cost of any request, and the society list):", "",
              "| societies | request | build | statements |", "|---:|---|---|---:|"]
    for size, entry in res["sizes"].items():
        for ep in COUNT_ONLY:
            for b in ctx.binaries:
                st = entry["statements"].get(b.label, {}).get(ep.name)
                if st:
                    v = st.get("statements")
                    lines.append(f"| {int(size):,} | {ep.name} | {b.label} `{b.short}` | "
                                 f"{v if v is not None else st.get('skipped', '–')} |")
    lines += ["", "Server process memory (SQLite runs; peak = highest VmHWM over the run, including "
              "restarts; after = VmRSS when the measurements ended) and start time (the newer binary "
              "migrates its copy forward):", "",
              "| societies | build | peak RSS MB | RSS after MB | restarts | start s | rows (plans / reports / report versions / facts) |",
              "|---:|---|---:|---:|---:|---:|---|"]
    for size, entry in res["sizes"].items():
        c = entry["counts"]
        for b in ctx.binaries:
            t = entry["time"].get(b.label, {})
            kill = " (killed: over the RSS limit)" if t.get("killed_for_memory") else ""
            lines.append(
                f"| {int(size):,} | {b.label} `{b.short}` | {t.get('peak_rss_mb', 0):,.0f}{kill} | "
                f"{t.get('rss_after_mb', 0):,.0f} | {t.get('restarts', 0)} | {t.get('start_s', 0):.1f} | "
                f"{c['plans']:,} / {c['reports']:,} / {c['report_versions']:,} / {c['fact_values']:,} |")
    return "\n".join(lines)
