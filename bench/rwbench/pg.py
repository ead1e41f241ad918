"""A throwaway PostgreSQL cluster with pg_stat_statements preloaded, for counting the statements
a request runs (the same way for every binary). Started as user postgres when run as root, like
scripts/ensure-postgres; stopped and removed on exit."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .server import free_port
from .util import log, on_exit, run

STATS_DB = "postgres"  # the harness's own queries run here and are excluded from the counts


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
    if not found:
        log("installing Debian's postgresql")
        run(["apt-get", "install", "-y", "-qq", "postgresql"],
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    return found[-1]


class Cluster:
    def __init__(self):
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="rwbench-pg."))
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.root = os.geteuid() == 0
        self._cleanup = None

    def _as_pg(self, args: list[str], **kw):
        if self.root:
            cmd = " ".join(_q(a) for a in args)
            return run(["su", "postgres", "-c", cmd], **kw)
        return run(args, **kw)

    def start(self) -> None:
        if self.root:
            shutil.chown(self.dir, "postgres")
        self._as_pg([str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                     "-U", "postgres", "-E", "UTF8", "--locale=C"])
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all "
                "-c pg_stat_statements.track_utility=on -c pg_stat_statements.max=10000 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200 -c shared_buffers=256MB")
        self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-o", opts,
                     "-l", str(self.dir / "log"), "-w", "start"])
        self._cleanup = on_exit("postgres cluster", self._stop)
        self.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        log(f"PostgreSQL throwaway cluster on 127.0.0.1:{self.port} ({self.dir})")

    def _stop(self) -> None:
        try:
            self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                         "stop"], check=False)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self) -> None:
        if self._cleanup:
            from .util import done
            done(self._cleanup)
            self._cleanup = None

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, db: str, *args: str, input: str | None = None) -> str:
        return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                    str(self.port), "-U", "postgres", "-d", db, *args], input=input).stdout

    def sql(self, q: str, db: str = STATS_DB) -> str:
        return self.psql(db, "-tA", "-c", q).strip()

    def create_db(self, name: str, template: str | None = None) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}"')
        tpl = f' TEMPLATE "{template}"' if template else ""
        self.sql(f'CREATE DATABASE "{name}"{tpl}')

    def drop_db(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def load_csv(self, db: str, folder: Path, tables: dict[str, list[str]]) -> None:
        script = ["BEGIN;"]
        for table, cols in tables.items():
            f = folder / f"{table}.csv"
            script.append(f"\\copy {table} ({', '.join(cols)}) FROM '{f}' WITH (FORMAT csv)")
        for table, cols in tables.items():
            if cols[0] == "id":
                script.append(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false);")
        script.append("COMMIT;")
        script.append("ANALYZE;")
        self.psql(db, input="\n".join(script) + "\n")

    # -- statement counting -------------------------------------------------------------------

    def reset_stats(self) -> None:
        self.sql("SELECT pg_stat_statements_reset()")

    def statements(self, db: str) -> int:
        """Statements executed in database `db` since the last reset."""
        return int(self.sql(
            "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements "
            f"WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '{db}')") or 0)


def _q(s: str) -> str:
    if s and all(c.isalnum() or c in "-_./=:,@" for c in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"
