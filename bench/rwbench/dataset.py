"""A dataset for a size: the schema made by the BASELINE binary (`migrate`), the bench
administrator made by its CLI (`user add --password-stdin`), an API token row, then the
synthetic rows inserted directly. Each binary under test gets its own copy; a newer binary
migrates its copy forward when it starts."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from . import datagen
from .pg import Cluster
from .server import ADMIN, ADMIN_PASSWORD, API_TOKEN
from .util import WORK, log, run

TOKEN_SQL = (
    "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
    "SELECT id, 'bench', '{hash}', '{at}' FROM users WHERE username = '{user}'"
)


def token_sql() -> str:
    at = datagen.ts(datetime.now(timezone.utc))
    return TOKEN_SQL.format(hash=hashlib.sha256(API_TOKEN.encode()).hexdigest(), at=at, user=ADMIN)


class Prepared:
    def __init__(self, folder: Path, counts: dict, codes: list[str]):
        self.folder = folder
        self.counts = counts
        self.codes = codes

    @property
    def sqlite(self) -> Path:
        return self.folder / "sqlite" / "reformwatch.db"

    @property
    def csv(self) -> Path:
        return self.folder / "csv"

    @property
    def assessment(self) -> Path:
        """The assessment layer (issue 12) as JSON, for a copy migrated by a binary that has
        the assessment tables (`datagen.write_assessment_sqlite` / `write_assessment_csv`)."""
        return self.folder / "assessment.json"

    def copy_sqlite(self, dest_dir: Path) -> Path:
        if dest_dir.exists():
            shutil.rmtree(dest_dir)
        dest_dir.mkdir(parents=True)
        shutil.copy2(self.sqlite, dest_dir / "reformwatch.db")
        return dest_dir


def prepare(size: int, seed: int, baseline: Path, baseline_commit: str) -> Prepared:
    key = f"n{size}-seed{seed}-gen{datagen.GENERATOR_VERSION}-{baseline_commit[:12]}"
    folder = WORK / "data" / key
    meta = folder / "meta.json"
    if meta.exists():
        m = json.loads(meta.read_text())
        log(f"dataset {key}: cached")
        return Prepared(folder, m["counts"], m["codes"])
    if folder.exists():
        shutil.rmtree(folder)
    log(f"dataset {key}: generating")
    ds = datagen.Dataset(size, seed).generate()
    sq = folder / "sqlite"
    sq.mkdir(parents=True)
    run([str(baseline), "--data-dir", str(sq), "migrate"])
    run([str(baseline), "--data-dir", str(sq), "user", "add", "--username", ADMIN, "--role", "admin",
         "--display-name", "基准测试管理员", "--password-stdin"], input=ADMIN_PASSWORD + "\n")
    import sqlite3
    con = sqlite3.connect(sq / "reformwatch.db")
    with con:
        con.execute(token_sql())
    con.close()
    ds.write_sqlite(sq / "reformwatch.db")
    ds.write_csv(folder / "csv")
    ds.write_assessment_json(folder / "assessment.json")
    counts = ds.counts()
    meta.write_text(json.dumps({"counts": counts, "codes": ds.codes}, ensure_ascii=False))
    log(f"dataset {key}: {counts}")
    return Prepared(folder, counts, ds.codes)


def prepare_pg(cluster: Cluster, prepared: Prepared, baseline: Path, name: str) -> str:
    """A template database in the throwaway cluster holding the same dataset; returns its name."""
    cluster.create_db(name)
    url = cluster.url(name)
    run([str(baseline), "--database-url", url, "migrate"])
    run([str(baseline), "--database-url", url, "user", "add", "--username", ADMIN, "--role",
         "admin", "--display-name", "基准测试管理员", "--password-stdin"],
        input=ADMIN_PASSWORD + "\n")
    cluster.psql(name, "-c", token_sql())
    cluster.load_csv(name, prepared.csv, datagen.TABLE_COLUMNS)
    return name
