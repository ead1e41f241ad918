"""Issue 11 (R-PUB-3): public pages against Debian's nginx serving the same HTML as a static file,
measured with wrk at 64 connections in the same run: requests/s, p50, p99, errors, and the
server's RSS under load.

Pages: the catalogue (`/catalogues/2017`), and, after the harness publishes bulletin 第1期 for
December 2017 through the API on each server's own copy, the public matrix (`/monitor`), one
society's page and the home page (which shows the latest bulletin's headline figures)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ..server import API_TOKEN, Server, free_port
from ..util import WORK, log, on_exit, done
from ..util import run as sh

NAME = "public"
TITLE = "Public pages against nginx (issue 11)"
PAGES = [
    ("catalogue /catalogues/2017", "/catalogues/2017"),
    ("home /", "/"),
    ("matrix /monitor", "/monitor"),
    ("society /monitor/societies/{code}", "/monitor/societies/{code}"),
]
# Pages that exist only in a binary with bulletins (a baseline without them shows "n/a").
NEEDS_BULLETIN = {"/", "/monitor", "/monitor/societies/{code}"}
# The bulletin every server publishes before the pages are measured.
BULLETIN = b'{"year":2017,"month":12}'
# Light requests that are not public (no nginx copy): issue 8's fixed-cost and per-row driver
# overhead, e.g. the society list through the API.
SIGNED_IN = [
    ("API /api/v1/societies (Bearer)", "/api/v1/societies"),
]
CONNECTIONS = 64


def ensure_tools() -> None:
    missing = [p for p, exe in (("wrk", "wrk"), ("nginx-light", "nginx"))
               if shutil.which(exe) is None and not Path(f"/usr/sbin/{exe}").exists()]
    if missing:
        log(f"installing {' '.join(missing)} from Debian")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        sh(["apt-get", "update", "-qq"], env=env)
        sh(["apt-get", "install", "-y", "-qq", *missing], env=env)


def _unit(v: str) -> float:
    """wrk latency text (`635.91us`, `2.39ms`, `1.01s`) in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s|m)", v)
    if not m:
        return float("nan")
    x, u = float(m.group(1)), m.group(2)
    return {"us": x / 1000, "ms": x, "s": x * 1000, "m": x * 60_000}[u]


def parse_wrk(out: str) -> dict:
    res = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": 0, "errors": 0, "raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        res["rps"] = float(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if m:
            res[key] = _unit(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        res["requests"] = int(m.group(1))
    errs = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errs += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errs += int(m.group(1))
    res["errors"] = errs
    return res


def wrk(url: str, seconds: float, headers: dict | None = None) -> dict:
    threads = max(1, min(2, os.cpu_count() or 1))
    h = [a for k, v in (headers or {}).items() for a in ("-H", f"{k}: {v}")]
    # Warm-up, then the measurement.
    sh(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", "-d2s", *h, url], check=False)
    p = sh(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds:.0f}s", "--timeout", "10s",
             "--latency", *h, url], check=False)
    return parse_wrk(p.stdout)


class Nginx:
    """Debian's nginx on 127.0.0.1 serving one static file at each page path."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="rwbench-nginx."))
        os.chmod(self.dir, 0o755)
        (self.dir / "root").mkdir()
        os.chmod(self.dir / "root", 0o755)
        self.port = free_port()
        self.proc = None
        self._cleanup = None

    def put(self, path: str, body: bytes) -> None:
        f = self.dir / "root" / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(body)
        os.chmod(f, 0o644)

    def start(self) -> None:
        conf = self.dir / "nginx.conf"
        conf.write_text(f"""
worker_processes auto;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {self.dir}/tmp;
    proxy_temp_path {self.dir}/tmp;
    fastcgi_temp_path {self.dir}/tmp;
    uwsgi_temp_path {self.dir}/tmp;
    scgi_temp_path {self.dir}/tmp;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.dir}/root;
        default_type text/html;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
""")
        (self.dir / "tmp").mkdir(exist_ok=True)
        self.proc = subprocess.Popen(["nginx", "-p", str(self.dir), "-c", str(conf), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.dir / "stderr", "wb"),
                                     start_new_session=True)
        self._cleanup = on_exit(f"nginx {self.proc.pid}", self._kill)
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/")
                c.getresponse().read()
                c.close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"nginx exited: {(self.dir / 'stderr').read_text()}")
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self) -> None:
        if self._cleanup:
            done(self._cleanup)
            self._cleanup = None


def fetch(port: int, path: str) -> bytes:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {r.status}")
    return body


def publish_bulletin(port: int) -> bool:
    """Publishes bulletin 第1期 (December 2017) as the bench administrator's API token; False
    when the binary predates bulletins (404: no such route)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/api/v1/bulletins", body=BULLETIN,
              headers={"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status == 404:
        return False
    if r.status != 201:
        raise RuntimeError(f"publishing the bulletin: HTTP {r.status}: {body[:300]!r}")
    return True


def run_scenario(ctx) -> dict:
    ensure_tools()
    s = ctx.settings
    results = {"sizes": {}}
    for size in s.public_sizes:
        prep = ctx.dataset(size)
        entry = {}
        servers = {}
        published = {}
        try:
            for b in ctx.binaries:
                data_dir = prep.copy_sqlite(WORK / "run" / f"public-{b.label}-{size}")
                srv = Server(b.path, ["--data-dir", str(data_dir)],
                             ctx.log_dir / f"public-{b.label}-{size}.log")
                srv.start()
                servers[b.label] = srv
                published[b.label] = publish_bulletin(srv.port)
            if not published[ctx.binaries[-1].label]:
                raise RuntimeError("the current binary has no bulletins API")
            code = prep.codes[0]
            pages = [(n, p.replace("{code}", code), p in NEEDS_BULLETIN) for n, p in PAGES]
            ng = Nginx()
            current = servers[ctx.binaries[-1].label]
            for _name, path, _needs in pages:
                # The static copy is exactly what the current binary serves for the page.
                # Each page as <path>/index.html: "/monitor" and "/monitor/societies/…" both exist.
                ng.put(path.rstrip("/") + "/index.html", fetch(current.port, path))
            ng.start()
            try:
                for name, path, needs in pages:
                    rec = {}
                    rec["nginx"] = wrk(f"http://127.0.0.1:{ng.port}{path}", s.wrk_s)
                    for b in ctx.binaries:
                        srv = servers[b.label]
                        if needs and not published[b.label]:
                            rec[b.label] = {"skipped": "no bulletins in this version"}
                            continue
                        before = srv.rss_mb()
                        r = wrk(f"{srv.base}{path}", s.wrk_s)
                        r["rss_before_mb"] = before
                        r["peak_rss_mb"] = srv.peak_rss_mb
                        r["bytes"] = len(fetch(srv.port, path))
                        rec[b.label] = r
                    for k, v in rec.items():
                        if "skipped" in v:
                            continue
                        log(f"public {size} {name} {k}: {v['rps'] or 0:,.0f} req/s, p50 {v['p50_ms']} ms, "
                            f"p99 {v['p99_ms']} ms, errors {v['errors']}")
                    entry[name] = rec
            finally:
                ng.stop()
            for name, path in SIGNED_IN:
                rec = {}
                for b in ctx.binaries:
                    srv = servers[b.label]
                    r = wrk(f"{srv.base}{path}", s.wrk_s, {"Authorization": f"Bearer {API_TOKEN}"})
                    r["peak_rss_mb"] = srv.peak_rss_mb
                    rec[b.label] = r
                    log(f"light {size} {name} {b.label}: {r['rps'] or 0:,.0f} req/s, p50 {r['p50_ms']} ms, "
                        f"p99 {r['p99_ms']} ms, errors {r['errors']}")
                entry[name] = rec
        finally:
            for srv in servers.values():
                srv.stop()
        results["sizes"][str(size)] = entry
    return results


run = run_scenario


def markdown(res: dict, ctx) -> str:
    s = ctx.settings
    lines = [
        f"wrk, {CONNECTIONS} connections, {s.wrk_s:.0f} s after a 2 s warm-up, on this machine "
        "(wrk shares the 2 cores with the server). nginx (Debian's `nginx-light`, `worker_processes "
        "auto`, access log off) serves the HTML the current binary returned for the same path, as a "
        "static file. Errors = socket errors + non-2xx/3xx answers. RSS = the ReformWatch process "
        "(VmHWM peak since start). The signed-in API row has no nginx counterpart (n/a).",
        "",
        "| societies | page | server | req/s | p50 ms | p99 ms | errors | req/s vs nginx | peak RSS MB |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size, entry in res["sizes"].items():
        for name, rec in entry.items():
            ng = rec["nginx"]["rps"] if "nginx" in rec else None
            for who in ["nginx"] + [b.label for b in ctx.binaries]:
                if who not in rec:
                    continue
                r = rec[who]
                if "skipped" in r:
                    lines.append(f"| {int(size):,} | {name} | {who} | n/a ({r['skipped']}) | | | | | |")
                    continue
                label = who if who == "nginx" else f"{who} `{next(b.short for b in ctx.binaries if b.label == who)}`"
                ratio = "1.00×" if who == "nginx" else (f"{r['rps'] / ng:.2f}×" if r["rps"] and ng else "n/a")
                rss = "–" if who == "nginx" else f"{r['peak_rss_mb']:,.0f}"
                fmt = lambda v: "–" if v is None else f"{v:.2f}"
                lines.append(f"| {int(size):,} | {name} | {label} | "
                             f"{(r['rps'] or 0):,.0f} | {fmt(r['p50_ms'])} | {fmt(r['p99_ms'])} | "
                             f"{r['errors']} | {ratio} | {rss} |")
    return "\n".join(lines)
