"""Starts and stops a `reformwatch serve` process, watches its memory, signs in."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

from .util import log, on_exit, done

ADMIN = "bench-admin"
ADMIN_PASSWORD = "bench-password-2017-reform"
API_TOKEN = "rw_bench0000000000000000000000000000000000"
RSS_LIMIT_MB = int(os.environ.get("RWBENCH_RSS_LIMIT_MB", "8000"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in KiB from /proc/PID/status (empty when the process is gone)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


class Server:
    """One `reformwatch serve` process. `peak_rss_mb` is the highest VmHWM over every process
    this object started (a restart after a time-out starts a new one)."""

    def __init__(self, binary: Path, args: list[str], log_path: Path, env: dict | None = None):
        self.binary = binary
        self.args = args
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.peak_kb = 0
        self.killed_for_memory = False
        self.restarts = 0
        self._cleanup = None
        self._watch: threading.Thread | None = None
        self._stop_watch = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        logf = open(self.log_path, "ab")
        env = dict(os.environ, RUST_LOG=os.environ.get("RWBENCH_RUST_LOG", "warn"))
        if self.env:
            env.update(self.env)
        cmd = [str(self.binary), *self.args, "serve", "--addr", f"127.0.0.1:{self.port}"]
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=logf, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=env)
        logf.close()
        self._cleanup = on_exit(f"server {self.proc.pid}", self._kill)
        deadline = time.monotonic() + 300  # the newer binary may migrate a large database
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/healthz")
                ok = c.getresponse().status == 200
                c.close()
                if ok:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer /healthz in 300 s; see {self.log_path}")
            time.sleep(0.1)
        self._stop_watch.clear()
        self._watch = threading.Thread(target=self._watch_memory, daemon=True)
        self._watch.start()

    def _watch_memory(self) -> None:
        proc = self.proc
        while proc and not self._stop_watch.wait(0.2):
            st = proc_status(proc.pid)
            self.peak_kb = max(self.peak_kb, st.get("VmHWM", 0))
            if st.get("VmRSS", 0) > RSS_LIMIT_MB * 1024:
                log(f"server {proc.pid} over {RSS_LIMIT_MB} MB RSS: killed")
                self.killed_for_memory = True
                self._kill()
                return

    def rss_mb(self) -> float:
        return proc_status(self.proc.pid).get("VmRSS", 0) / 1024 if self.proc else 0.0

    def sample_peak(self) -> None:
        if self.proc:
            self.peak_kb = max(self.peak_kb, proc_status(self.proc.pid).get("VmHWM", 0))

    @property
    def peak_rss_mb(self) -> float:
        self.sample_peak()
        return self.peak_kb / 1024

    def _kill(self) -> None:
        p = self.proc
        if p is None or p.poll() is not None:
            return
        self.peak_kb = max(self.peak_kb, proc_status(p.pid).get("VmHWM", 0))
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)

    def stop(self) -> None:
        self._stop_watch.set()
        self.sample_peak()
        if self._cleanup:
            done(self._cleanup)
            self._cleanup = None

    def restart(self) -> None:
        """After a time-out the server may still be busy with abandoned requests: start afresh."""
        self.stop()
        self.restarts += 1
        self.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- sign-in ------------------------------------------------------------------------------

    def login(self) -> str:
        """Signs the bench administrator in through the login form; returns the session cookie."""
        body = urllib.parse.urlencode({"username": ADMIN, "password": ADMIN_PASSWORD, "next": "/"})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.base,
        })
        resp = c.getresponse()
        resp.read()
        cookies = resp.headers.get_all("Set-Cookie") or []
        c.close()
        for ck in cookies:
            m = re.match(r"\s*(rw_session=[^;]+)", ck)
            if m:
                return m.group(1)
        raise RuntimeError(f"login failed: HTTP {resp.status}, cookies {cookies}")
