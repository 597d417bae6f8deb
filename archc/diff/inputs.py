"""The two sides of `archc diff`: a spec directory, or a spec directory as a git revision
has it, each compiled in memory (check + the text emitters; nothing is written).

A git base is read with `git ls-tree` + `git cat-file` into a temporary directory: only the
spec directory's own files, no worktree, no checkout of the repository, no network.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from archc import diagnostics as d
from archc import pipeline
from archc.diff.files import TEXT_EMITTERS, file_diffs
from archc.diff.report import Report, Sources, build_report
from archc.diff.side import Side
from archc.emit import OutputFile, emit_all
from archc.model import Architecture
from archc.source import SourceRegistry


class InputError(Exception):
    """A side cannot be read: unknown revision, not a git repository, git missing."""


@dataclass
class Compiled:
    label: str
    sources: SourceRegistry
    diagnostics: list[d.Diagnostic]
    overlay: object | None = None
    arch: Architecture | None = None
    files: tuple[OutputFile, ...] = ()

    @property
    def ok(self) -> bool:
        return self.arch is not None and not d.has_errors(self.diagnostics)


@dataclass
class DiffRun:
    """Either a report, or the sides that failed to compile (with their diagnostics)."""

    report: Report | None
    failed: tuple[Compiled, ...] = ()


def run(base: str, head: Path, files: bool = True) -> DiffRun:
    """Compare BASE (a directory or a git revision) with the spec directory HEAD."""
    new = compile_spec(head, str(head))
    if not new.ok:  # nothing to compare against; do not touch git for a broken head
        return DiffRun(None, (new,))
    if Path(base).is_dir():
        old = compile_spec(Path(base), base, new.arch)
    else:
        rev, rel = _revision_path(base, head)
        with tempfile.TemporaryDirectory(prefix="archc-diff-") as tmp:
            spec_dir = _export(rev, rel, head, Path(tmp))
            old = compile_spec(spec_dir, f"{rev}:{rel}", new.arch)
    if not old.ok:
        return DiffRun(None, (old,))
    assert old.arch is not None and new.arch is not None
    report = build_report(Sources(old.label, Side.of(old.arch), old.sources, old.overlay),
                          Sources(new.label, Side.of(new.arch), new.sources, new.overlay),
                          file_diffs(old.files, new.files) if files else None)
    return DiffRun(report)


def compile_spec(spec_dir: Path, label: str, like: Architecture | None = None) -> Compiled:
    """check + the text emitters, in memory, with input paths named as `like` names them.
    Emitter errors (ARC5xx) fail a side as they fail `archc build`."""
    checked = pipeline.check(spec_dir)
    side = Compiled(label, checked.loaded.sources, list(checked.diagnostics),
                    checked.loaded.overlay)
    if not checked.ok:
        return side
    assert checked.loaded.arch is not None and checked.graph is not None
    arch = _align_inputs(checked.loaded.arch, like) if like else checked.loaded.arch
    emitted = emit_all(arch, checked.graph, TEXT_EMITTERS)
    side.diagnostics = d.sorted_diagnostics(side.diagnostics + list(emitted.diagnostics))
    side.arch, side.files = arch, emitted.files
    return side


def _align_inputs(base: Architecture, head: Architecture) -> Architecture:
    """Name the base's input files as the head names them: generated files cite their inputs
    in a header, and a base read from git (a temporary directory) or from another folder
    would otherwise differ on that line in every file."""
    by_name = {PurePosixPath(p).name: p for p in head.inputs}
    inputs = tuple(by_name.get(PurePosixPath(p).name, p) for p in base.inputs)
    return dataclasses.replace(base, inputs=inputs)


# --------------------------------------------------------------------------- git
def _git(args: list[str], cwd: Path) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise InputError("git is not installed (needed to read --base from a revision)") \
            from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def _revision_path(base: str, head: Path) -> tuple[str, str]:
    """(revision, spec directory relative to the repository root). `REV:path` names the
    directory explicitly; plain `REV` means the directory that HEAD is."""
    if ":" in base:
        rev, _, rel = base.partition(":")
        return rev, rel.strip("/") or "."
    where = head if head.is_dir() else Path.cwd()
    try:
        top = Path(os.fsdecode(_git(["rev-parse", "--show-toplevel"], where).strip()))
    except InputError as exc:
        raise InputError(f"--base {base!r} is not a directory, and {where} is not in a git "
                         f"repository to read it from ({exc})") from exc
    try:
        rel = head.resolve().relative_to(top.resolve()).as_posix()
    except ValueError as exc:
        raise InputError(f"{head} is not inside the git repository {top}") from exc
    return base, rel


def _export(rev: str, rel: str, head: Path, tmp: Path) -> Path:
    """The spec directory's files at `rev`, copied into tmp/<its name>/."""
    where = head if head.is_dir() else Path.cwd()
    if rev.startswith("-"):
        raise InputError(f"--base {rev!r} is not a git revision")
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], where)
    except InputError as exc:
        raise InputError(f"--base {rev!r} is neither a directory nor a git revision "
                         "(for a pull request, fetch the base branch: actions/checkout "
                         "with fetch-depth: 0)") from exc
    target = tmp / (PurePosixPath(rel).name if rel != "." else "spec")
    target.mkdir()
    count = 0
    for mode_type_object, name in _tree(commit.decode().strip(), rel, where):
        kind, obj = mode_type_object.split()[1:3]
        if kind == "blob":
            (target / PurePosixPath(name).name).write_bytes(
                _git(["cat-file", "blob", obj], where))
            count += 1
    if not count:
        raise InputError(f"{rel}/ does not exist at {rev}")
    return target


def _tree(commit: str, rel: str, cwd: Path) -> list[tuple[str, str]]:
    """`git ls-tree` of the directory (its direct entries): (mode type object, path)."""
    # A path, as the file system spells it (may be any bytes): never a strict UTF-8 decode.
    top = os.fsdecode(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    spec = [] if rel == "." else ["--", f"{rel}/"]
    out = _git(["ls-tree", "-z", commit, *spec], Path(top))
    pairs = []
    for entry in (e.decode("utf-8", "surrogateescape") for e in out.split(b"\0") if e):
        meta, _, path = entry.partition("\t")
        pairs.append((meta, path))
    return pairs
