"""Small helpers shared by the harness: logging, commands, cleanup on exit and on signals."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("RWBENCH_WORK", "/tmp/reformwatch-bench"))

_cleanups: list[tuple[str, object]] = []
_started = time.monotonic()


def log(msg: str) -> None:
    el = time.monotonic() - _started
    print(f"[bench {el:7.1f}s] {msg}", file=sys.stderr, flush=True)


def run(cmd, *, cwd=None, env=None, input=None, check=True, capture=True, timeout=None):
    """Runs a command; returns CompletedProcess with text output. Raises with the output on failure."""
    p = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        input=input,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        timeout=timeout,
    )
    if check and p.returncode != 0:
        raise RuntimeError(
            f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n"
            f"{(p.stdout or '')[-3000:]}\n{(p.stderr or '')[-3000:]}"
        )
    return p


def on_exit(name: str, fn) -> object:
    """Registers a cleanup; returns a handle for `done`. Cleanups run newest first."""
    handle = (name, fn)
    _cleanups.append(handle)
    return handle


def done(handle) -> None:
    """Runs one registered cleanup now and forgets it."""
    if handle in _cleanups:
        _cleanups.remove(handle)
        _run_one(handle)


def forget(handle) -> None:
    """Drops a registered cleanup that is no longer needed (without running it)."""
    if handle in _cleanups:
        _cleanups.remove(handle)


def _run_one(handle) -> None:
    name, fn = handle
    try:
        fn()
    except Exception as e:  # cleanup must go on
        log(f"cleanup {name} failed: {e}")


def cleanup_all() -> None:
    while _cleanups:
        _run_one(_cleanups.pop())


def _on_signal(signum, _frame):
    log(f"signal {signum}: cleaning up")
    cleanup_all()
    sys.exit(128 + signum)


def install_cleanup() -> None:
    atexit.register(cleanup_all)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)


def git(*args: str) -> str:
    return run(["git", *args], cwd=REPO).stdout.strip()


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    os_name = "Linux"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    rustc = run(["rustc", "--version"], check=False).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gib": round(mem_kb / 1024 / 1024, 1),
        "os": os_name,
        "rustc": rustc,
        "load": os.getloadavg(),
    }
