"""Compile time (issue 8): clean release and clean debug builds of the workspace at the baseline
and at the current commit, each from an exported tree into an empty target folder, one after
the other on this machine; plus the duplicate crates (`cargo tree -d`) and the lock file size.
Long (four clean builds): not in the default scenarios."""

from __future__ import annotations

import os

from .. import build
from ..util import log

NAME = "compile"
TITLE = "Compile time"


def run(ctx) -> dict:
    out = {}
    for b in ctx.binaries:
        if b.dirty:
            raise RuntimeError("commit the worktree first: compile times are measured per commit")
        if b.commit in out:
            continue
        load = os.getloadavg()
        rel, rel_cpu = build.clean_build(b.commit, release=True)
        deb, deb_cpu = build.clean_build(b.commit, release=False)
        dups = build.duplicate_crates(b.commit)
        out[b.commit] = {
            "label": b.label, "release_s": rel, "debug_s": deb, "load_before": load,
            "release_cpu_s": rel_cpu, "debug_cpu_s": deb_cpu,
            "duplicates": dups, "lock_packages": build.lock_packages(b.commit),
        }
        log(f"compile {b.label} {b.commit[:7]}: release {rel:.0f} s, debug {deb:.0f} s, "
            f"{len(dups)} duplicate crate versions")
    return out


def _fmt(s: float | None, cpu: float | None = None) -> str:
    if s is None:
        return "–"
    text = f"{s:.0f} s ({int(s // 60)} min {int(s % 60):02d} s)"
    return text + (f", CPU {cpu:.0f} s" if cpu else "")


def markdown(res: dict, ctx) -> str:
    lines = [
        "`cargo build --release --locked --workspace` and `cargo build --locked --workspace`, each "
        "into an empty target folder (dependencies compiled too; the registry was already "
        "downloaded), one after the other. The machine is shared: the load average before each "
        "build is shown. Wall time on a shared machine moves with the load; CPU time (user + system of "
        "cargo and every rustc, when recorded) moves much less and is the figure to compare.",
        "",
        "| build | commit | clean release | clean debug | packages in Cargo.lock | duplicate crate versions | load before |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    res = {k: v for k, v in res.items() if not k.startswith("_")}
    for commit, r in res.items():
        lines.append(f"| {r['label']} | `{commit[:7]}` | {_fmt(r['release_s'], r.get('release_cpu_s'))} | "
                     f"{_fmt(r['debug_s'], r.get('debug_cpu_s'))} | "
                     f"{r['lock_packages']} | {len(r['duplicates'])} | "
                     f"{', '.join(f'{x:.1f}' for x in r['load_before'])} |")
    for commit, r in res.items():
        lines += ["", f"Duplicates at {r['label']} `{commit[:7]}` (`cargo tree -d -e normal,build`): "
                  + ", ".join(f"`{d}`" for d in r["duplicates"])]
    return "\n".join(lines)
