"""Builds `reformwatch` release binaries of a git revision (cached by commit) and of the current
worktree, each in its own folder under the work directory, never in the repository's target/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .util import REPO, WORK, forget, git, log, on_exit, run


@dataclass
class Binary:
    label: str  # "baseline" / "current"
    commit: str  # full hash
    dirty: bool
    path: Path
    clean_build_s: float | None  # clean release build time when this run built it from scratch

    @property
    def short(self) -> str:
        return self.commit[:7] + ("+dirty" if self.dirty else "")


BUILD_INPUTS = ["Cargo.toml", "Cargo.lock", "crates", "catalogues", "data"]


def resolve(rev: str) -> str:
    return git("rev-parse", "--verify", f"{rev}^{{commit}}")


def build_key(commit: str) -> str:
    """Hash of the build inputs' trees at `commit`: commits that only change bench/ or docs
    share one build."""
    import hashlib
    listing = git("ls-tree", commit, "--", *BUILD_INPUTS)
    return hashlib.sha256(listing.encode()).hexdigest()[:20]


def export_tree(commit: str, dest: Path) -> None:
    """The files of `commit` (no .git) into dest."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", commit], cwd=REPO, stdout=subprocess.PIPE)
    tar = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout)
    archive.wait()
    if archive.returncode != 0 or tar.returncode != 0:
        raise RuntimeError(f"git archive {commit} failed")


LAST_CPU_S: dict[str, float] = {}  # CPU seconds (user + system) of the last timed_cargo per target


def timed_cargo(args: list[str], cwd: Path, target: Path) -> float:
    """Wall seconds of a cargo command; its CPU seconds (cargo and every rustc, user + system)
    go to LAST_CPU_S[str(target)]: on a shared machine CPU time moves far less than wall time."""
    import resource
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_TERM_COLOR="never")
    log(f"cargo {' '.join(args)} in {cwd} (target {target})")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    # Own process group, ended with its rustc children if the harness is interrupted.
    p = subprocess.Popen(["cargo", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    handle = on_exit(f"cargo {p.pid}", lambda: _kill_group(p))
    _, stderr = p.communicate()
    forget(handle)
    p.stderr_text = stderr
    el = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU_S[str(target)] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        raise RuntimeError(f"cargo {' '.join(args)} failed:\n{p.stderr_text[-4000:]}")
    return el


def _kill_group(p: subprocess.Popen) -> None:
    if p.poll() is None:
        import signal
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


# Cargo examples (benchmarks such as crates/core/examples/assess_bench.rs) are not part of the
# `reformwatch` binary: a commit that changes only them can use another commit's binary.
NOT_EXAMPLES = ":(exclude,glob)crates/*/examples/**"


def equivalent_build(commit: str) -> Path | None:
    """A cached binary of another commit whose build inputs differ from `commit`'s only in
    cargo examples (`git diff --quiet` over BUILD_INPUTS without examples)."""
    for meta_path in sorted((WORK / "builds").glob("*/meta.json")):
        other = json.loads(meta_path.read_text()).get("commit")
        binary = meta_path.parent / "reformwatch"
        if not other or other == commit or not binary.exists():
            continue
        same = subprocess.run(["git", "diff", "--quiet", other, commit, "--", *BUILD_INPUTS,
                               NOT_EXAMPLES], cwd=REPO)
        if same.returncode == 0:
            return binary
    return None


def build_commit(commit: str, label: str) -> Binary:
    """Release binary of a commit, built once from a clean target folder and cached (or the
    cached binary of a commit that differs only in cargo examples)."""
    cache = WORK / "builds" / build_key(commit)
    binary = cache / "reformwatch"
    meta_path = cache / "meta.json"
    if binary.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        log(f"{label}: cached release build of {commit[:7]}")
        return Binary(label, commit, False, binary, None)
    same = equivalent_build(commit)
    if same is not None:
        other = json.loads((same.parent / "meta.json").read_text())["commit"]
        log(f"{label}: {commit[:7]} differs from {other[:7]} only in cargo examples: "
            f"its cached release build is used")
        return Binary(label, commit, False, same, None)
    src = WORK / "src" / commit
    target = WORK / "target" / commit
    export_tree(commit, src)
    if target.exists():
        shutil.rmtree(target)
    secs = timed_cargo(["build", "--release", "--locked", "--workspace"], src, target)
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target / "release" / "reformwatch", binary)
    meta = {"commit": commit, "clean_release_build_s": round(secs, 1),
            "cpu_s": round(LAST_CPU_S.get(str(target), 0.0), 1),
            "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load": os.getloadavg()}
    meta_path.write_text(json.dumps(meta, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(src, ignore_errors=True)
    log(f"{label}: built {commit[:7]} in {secs:.0f} s (clean release)")
    return Binary(label, commit, False, binary, secs)


def cached_build_seconds(commit: str) -> float | None:
    meta_path = WORK / "builds" / build_key(commit) / "meta.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text()).get("clean_release_build_s")
    return None


def worktree_dirty() -> bool:
    return bool(git("status", "--porcelain", "--untracked-files=no", "--", *BUILD_INPUTS))


def build_current() -> Binary:
    """The current worktree: a committed, clean tree is built like any commit (cached); uncommitted
    changes under crates/ or the manifests are built in place into a work folder (incremental)."""
    head = resolve("HEAD")
    if not worktree_dirty():
        return build_commit(head, "current")
    target = WORK / "target" / "current-worktree"
    secs = timed_cargo(["build", "--release", "--locked", "-p", "reformwatch"], REPO, target)
    out = WORK / "builds" / "current-worktree"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target / "release" / "reformwatch", out / "reformwatch")
    log(f"current: built the dirty worktree at {head[:7]} in {secs:.0f} s (incremental)")
    return Binary("current", head, True, out / "reformwatch", None)


def clean_build(commit: str, release: bool) -> tuple[float, float]:
    """Clean build of the workspace at `commit` (wall and CPU seconds), from an exported tree into
    an empty target folder; nothing is cached (the binary cache is left alone)."""
    kind = "release" if release else "debug"
    src = WORK / "src" / f"{kind}-{commit}"
    target = WORK / "target" / f"{kind}-{commit}"
    export_tree(commit, src)
    if target.exists():
        shutil.rmtree(target)
    try:
        wall = timed_cargo(["build", "--locked", "--workspace", *(["--release"] if release else [])],
                           src, target)
        return wall, LAST_CPU_S.get(str(target), 0.0)
    finally:
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(src, ignore_errors=True)


def duplicate_crates(commit: str) -> list[str]:
    """`cargo tree -d` names (crate vX) of the normal+build graph at `commit`."""
    src = WORK / "src" / f"tree-{commit}"
    export_tree(commit, src)
    try:
        p = run(["cargo", "tree", "--locked", "-d", "--workspace", "-e", "normal,build",
                 "--depth", "0"], cwd=src)
        return sorted({line.strip() for line in p.stdout.splitlines()
                       if line.strip() and not line.startswith("[")})
    finally:
        shutil.rmtree(src, ignore_errors=True)


def lock_packages(commit: str) -> int:
    text = git("show", f"{commit}:Cargo.lock")
    return text.count("[[package]]")


def has_path(commit: str, path: str) -> bool:
    return bool(git("ls-tree", commit, "--", path))


def build_example(b: Binary, package: str, example: str, source: str) -> Path | None:
    """Release build of a cargo example (e.g. the core's `assess_bench`) for a binary under
    test: a commit is built once from an exported tree into its own target folder and cached
    beside its binary; a dirty worktree is built in place into the worktree's bench target
    folder (incremental). `source` is the example's file in the repository. None when that
    revision has no such file (the baseline has no assessment)."""
    rel = source
    if b.dirty:
        if not (REPO / rel).exists():
            return None
        target = WORK / "target" / "current-worktree"
        secs = timed_cargo(["build", "--release", "--locked", "-p", package, "--example", example],
                           REPO, target)
        out = WORK / "builds" / "current-worktree"
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target / "release" / "examples" / example, out / example)
        log(f"{b.label}: built example {example} of the dirty worktree in {secs:.0f} s")
        return out / example
    if not has_path(b.commit, rel):
        return None
    cache = WORK / "builds" / build_key(b.commit)
    exe = cache / example
    if exe.exists():
        log(f"{b.label}: cached example {example} of {b.commit[:7]}")
        return exe
    src = WORK / "src" / f"example-{b.commit}"
    target = WORK / "target" / f"example-{b.commit}"
    export_tree(b.commit, src)
    if target.exists():
        shutil.rmtree(target)
    try:
        secs = timed_cargo(["build", "--release", "--locked", "-p", package, "--example", example],
                           src, target)
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target / "release" / "examples" / example, exe)
    finally:
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(src, ignore_errors=True)
    log(f"{b.label}: built example {example} of {b.commit[:7]} in {secs:.0f} s")
    return exe
