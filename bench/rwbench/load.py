"""HTTP measurements for heavy requests (milliseconds to seconds each), with Python's stdlib:
sequential latency on one keep-alive connection, and N concurrent connections for a while.
For light, fast pages at 64 connections use `wrk` (see scenarios/public.py)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Endpoint:
    name: str
    path: str
    auth: str  # "cookie" | "bearer" | "none"
    check: object = None  # callable(status, headers, body) -> str | None (error text)


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timeouts: int = 0
    elapsed_s: float = 0.0
    bytes: int = 0

    @property
    def completed(self) -> int:
        return len(self.latencies_ms)

    def pct(self, p: float) -> float | None:
        """Nearest-rank percentile (p in 0..100)."""
        if not self.latencies_ms:
            return None
        xs = sorted(self.latencies_ms)
        k = max(0, min(len(xs) - 1, int(-(-p * len(xs) // 100)) - 1))
        return xs[k]

    @property
    def rps(self) -> float | None:
        return self.completed / self.elapsed_s if self.elapsed_s > 0 and self.completed else None


class Client:
    def __init__(self, port: int, headers: dict[str, str], timeout_s: float):
        self.port = port
        self.headers = headers
        self.timeout_s = timeout_s
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn:
            self.conn.close()
            self.conn = None

    def get(self, path: str) -> tuple[int, dict, bytes, float]:
        """One GET; returns (status, headers, body, seconds). Raises TimeoutError past the cap."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout_s)
        t0 = time.monotonic()
        try:
            self.conn.request("GET", path, headers=self.headers)
            resp = self.conn.getresponse()
            body = resp.read()
        except (socket.timeout, TimeoutError) as e:
            self.close()
            raise TimeoutError(str(e)) from e
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        el = time.monotonic() - t0
        if el > self.timeout_s:
            self.close()
            raise TimeoutError(f"{el:.1f} s")
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        return resp.status, dict(resp.getheaders()), body, el


def _check(ep: Endpoint, status: int, headers: dict, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if ep.check:
        return ep.check(status, headers, body)
    return None


def sequential(port: int, ep: Endpoint, headers: dict, reps: int, budget_s: float,
               timeout_s: float, min_reps: int = 3) -> Result:
    """Up to `reps` requests one after another (at least `min_reps` unless one times out),
    stopping early once `budget_s` is spent."""
    res = Result()
    cl = Client(port, headers, timeout_s)
    t0 = time.monotonic()
    try:
        for i in range(reps):
            if i >= min_reps and time.monotonic() - t0 > budget_s:
                break
            try:
                status, h, body, el = cl.get(ep.path)
            except TimeoutError:
                res.timeouts += 1
                break  # the server is still busy with it: the caller restarts it
            except (http.client.HTTPException, OSError) as e:
                res.errors.append(type(e).__name__)
                continue
            err = _check(ep, status, h, body)
            if err:
                res.errors.append(err)
            else:
                res.latencies_ms.append(el * 1000)
                res.bytes = len(body)
    finally:
        cl.close()
        res.elapsed_s = time.monotonic() - t0
    return res


def concurrent(port: int, ep: Endpoint, headers: dict, workers: int, duration_s: float,
               timeout_s: float, max_requests: int) -> Result:
    """`workers` connections issue requests back to back for `duration_s` (every worker finishes
    at least one request or times out); throughput = completed / wall time."""
    res = Result()
    lock = threading.Lock()
    stop_at = time.monotonic() + duration_s
    issued = [0]

    def worker():
        cl = Client(port, headers, timeout_s)
        first = True
        try:
            while first or time.monotonic() < stop_at:
                with lock:
                    if issued[0] >= max_requests and not first:
                        return
                    issued[0] += 1
                first = False
                try:
                    status, h, body, el = cl.get(ep.path)
                except TimeoutError:
                    with lock:
                        res.timeouts += 1
                    return
                except (http.client.HTTPException, OSError) as e:
                    with lock:
                        res.errors.append(type(e).__name__)
                    continue
                err = _check(ep, status, h, body)
                with lock:
                    if err:
                        res.errors.append(err)
                    else:
                        res.latencies_ms.append(el * 1000)
        finally:
            cl.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    res.elapsed_s = time.monotonic() - t0
    return res
