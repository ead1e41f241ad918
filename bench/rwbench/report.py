"""Writes each scenario's section into BENCHMARKS.md between its markers, leaving the rest of
the file (the hand-written method notes, other scenarios' last results) as it is."""

from __future__ import annotations

import re
import shlex
import sys
import time
from pathlib import Path

HEADER = """# Benchmarks

Measured by the harness in `bench/` (how to rerun: `bench/README.md`). Each section below is
rewritten by the run that measured it, with its date, machine, commits and exact command.
"""


def header(ctx) -> list[str]:
    """The lines that say when, where, with what and how a section was measured."""
    m = ctx.machine
    commits = ", ".join(f"{b.label} `{b.short}`" for b in ctx.binaries)
    cmd = "bench/run " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    return [
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; command: `{cmd.strip()}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['mem_gib']} GiB, {m['os']}, {m['rustc']}; "
        f"load average at start {', '.join(f'{x:.2f}' for x in m['load'])} (the machine is shared)",
        f"- Builds: {commits} (release)",
    ]


def existing_header(path: Path, name: str) -> list[str] | None:
    """The header lines of a section already in the file (to re-render stored results)."""
    if not path.exists():
        return None
    m = re.search(rf"<!-- bench:{re.escape(name)}:start -->\n## [^\n]*\n\n((?:- [^\n]*\n)+)",
                  path.read_text())
    return m.group(1).rstrip("\n").split("\n") if m else None


def section(name: str, title: str, body: str, head: list[str]) -> str:
    return "\n".join([
        f"<!-- bench:{name}:start -->",
        f"## {title}",
        "",
        *head,
        "",
        body.rstrip(),
        f"<!-- bench:{name}:end -->",
        "",
    ])


def write(path: Path, name: str, text: str) -> None:
    doc = path.read_text() if path.exists() else HEADER
    pat = re.compile(rf"<!-- bench:{re.escape(name)}:start -->.*?<!-- bench:{re.escape(name)}:end -->\n?",
                     re.S)
    if pat.search(doc):
        doc = pat.sub(lambda _m: text, doc, count=1)
    else:
        doc = doc.rstrip() + "\n\n" + text
    path.write_text(doc)
