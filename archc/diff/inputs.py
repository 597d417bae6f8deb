"""The two sides of `archc diff`: a spec directory, or a spec directory as a git revision
has it, each compiled in memory (check + the text emitters; nothing is written).

A git base is read with `git ls-tree` + `git cat-file` into a temporary directory: only the
spec directory's own files, no worktree, no checkout of the repository, no network.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
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
from archc.source import MAX_INPUT_BYTES, SourceRegistry, is_file_name
from archc.spec.overlay import Overlay


class InputError(Exception):
    """A side cannot be read: unknown or ambiguous revision, not a git repository, git
    missing, an entry in the base's tree that archc will not read."""


@dataclass
class Compiled:
    label: str
    sources: SourceRegistry
    diagnostics: list[d.Diagnostic]
    overlay: Overlay | None = None
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


def run(base: str | Path, head: Path, files: bool = True) -> DiffRun:
    """Compare BASE with the spec directory HEAD. A `Path` base is a spec directory
    (`--base-dir`), a `str` base a git revision, `REV` or `REV:path` (`--base`): the type
    decides, never what happens to exist on disk."""
    new = compile_spec(head, str(head))
    if not new.ok:  # nothing to compare against; do not touch git for a broken head
        return DiffRun(None, (new,))
    assert new.arch is not None
    if isinstance(base, Path):
        old = compile_spec(base, str(base), new.arch)
    else:
        old = _compile_revision(base, head, new.arch)
    if not old.ok:
        return DiffRun(None, (old,))
    assert old.arch is not None
    report = build_report(Sources(old.label, Side.of(old.arch), old.sources, old.overlay),
                          Sources(new.label, Side.of(new.arch), new.sources, new.overlay),
                          file_diffs(old.files, new.files) if files else None)
    return DiffRun(report)


def _compile_revision(base: str, head: Path, like: Architecture) -> Compiled:
    rev, rel = _revision_path(base)
    top = _toplevel(base, head)
    rel = rel if rel is not None else _relative(head, top)
    commit = _commit(rev, base, top)
    with tempfile.TemporaryDirectory(prefix="archc-diff-") as tmp:
        spec_dir = _export(commit, rev, rel, top, Path(tmp))
        return compile_spec(spec_dir, f"{rev}:{rel}", like)


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
class _GitMissing(InputError):
    """No git to run: said as it is, not as "not a revision"."""


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise _GitMissing("git is not installed (needed to read --base from a revision)") \
            from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def _revision_path(base: str) -> tuple[str, str | None]:
    """(revision, spec directory relative to the repository root, or None: the directory
    that HEAD is). Both parts are checked before git sees them."""
    rev, colon, rel = base.partition(":")
    _check_revision(rev, base)
    return rev, _checked_path(rel.strip("/"), base) if colon else None


def _toplevel(base: str, head: Path) -> Path:
    try:
        # A path as the file system spells it (may be any bytes): never a strict UTF-8 decode.
        return Path(os.fsdecode(_git(["rev-parse", "--show-toplevel"], head).strip()))
    except _GitMissing:
        raise
    except InputError as exc:
        raise InputError(f"--base {base!r} is a git revision, and {head} is not in a git "
                         f"repository to read it from ({exc}); for a spec directory use "
                         f"--base-dir") from exc


def _relative(head: Path, top: Path) -> str:
    try:
        return head.resolve().relative_to(top.resolve()).as_posix()
    except ValueError as exc:
        raise InputError(f"{head} is not inside the git repository {top}") from exc


def _check_revision(rev: str, base: str) -> None:
    """A revision is an argument to git: never empty, never an option (`-` first), no
    whitespace or control characters (git refuses those in ref names anyway)."""
    if not rev or rev.startswith("-") or any(c.isspace() or ord(c) < 32 or c == "\x7f"
                                             for c in rev):
        raise InputError(f"--base {base!r} is not a git revision (for a spec directory use "
                         "--base-dir)")


def _checked_path(rel: str, base: str) -> str:
    """The `path` of `REV:path`: relative to the repository root and inside it."""
    if rel and not all(is_file_name(part) for part in rel.split("/")):
        raise InputError(f"--base {base!r}: the path after ':' must be a directory inside "
                         "the repository, without '.' or '..'")
    return rel or "."


def _commit(rev: str, base: str, top: Path) -> str:
    """The commit `rev` names. A path of the same name in the working directory is refused,
    as git refuses an argument that is both a revision and a file: a pull request could add
    a folder `origin/main/` to stand in for the base."""
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{rev}^{{commit}}"], top).decode().strip()
    except _GitMissing:
        raise
    except InputError:
        commit = ""
    shadow = next((name for name in dict.fromkeys((base, rev)) if os.path.lexists(name)), None)
    if commit and shadow is not None:
        raise InputError(f"--base {base!r} is ambiguous: it names a git revision and the path "
                         f"{shadow} in the working directory, which a change can add to stand "
                         f"in for the base; archc will not guess (--base-dir {shadow} compares "
                         "the directory; to compare the revision, remove or rename the path)")
    if not commit:
        hint = (f"; {shadow} is a path: --base-dir {shadow} compares a spec directory"
                if shadow is not None else " (for a pull request, fetch the base branch: "
                "actions/checkout with fetch-depth: 0)")
        raise InputError(f"--base {rev!r} is not a git revision{hint}")
    if not _OBJECT_ID.fullmatch(commit):
        raise InputError(f"git rev-parse gave {commit!r} for --base {rev!r}")
    return commit


# What `git ls-tree` may list in a spec directory, and what the temporary copy makes of it:
# files are copied, links re-made (read_input then applies the working tree's rules to
# them), directories and submodules become empty directories so that a directory called
# archc.yaml is reported as it would be in a work tree.
_BLOB_MODES = ("100644", "100755")
_LINK_MODE, _DIR_MODES = "120000", ("040000", "160000")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_LINK_TARGET = 4096  # PATH_MAX; a link's blob is its target


def _export(commit: str, rev: str, rel: str, top: Path, tmp: Path) -> Path:
    """The spec directory's entries at `commit`, copied into tmp/<its name>/."""
    target = tmp / (PurePosixPath(rel).name if rel != "." else "spec")
    target.mkdir()
    entries = _tree(commit, rel, top)
    if not entries:
        raise InputError(f"{rel}/ does not exist at {rev}")
    for entry in entries:
        _materialise(entry, target, top, f"{rel}/{entry.name} at {rev}")
    return target


@dataclass(frozen=True)
class _Entry:
    mode: str
    object_id: str
    size: int | None
    name: str


def _materialise(entry: _Entry, target: Path, cwd: Path, where: str) -> None:
    path = target / entry.name
    if entry.mode in _DIR_MODES:
        path.mkdir()
    elif entry.mode == _LINK_MODE:
        link = _blob(entry, cwd, _MAX_LINK_TARGET, where).decode("utf-8", "surrogateescape")
        sibling = posixpath.normpath(link)
        if not is_file_name(sibling):
            raise InputError(f"{where} is a symbolic link that leads outside "
                             f"{target.name}/ (inputs must be files inside the spec directory)")
        os.symlink(sibling, path)
    elif entry.mode in _BLOB_MODES:
        with path.open("xb") as handle:  # x: never through a link made a moment ago
            handle.write(_blob(entry, cwd, MAX_INPUT_BYTES, where))
    else:
        raise InputError(f"{where} has git mode {entry.mode}, which archc does not read")


def _blob(entry: _Entry, cwd: Path, limit: int, where: str) -> bytes:
    if entry.size is None or entry.size > limit:
        raise InputError(f"{where} is larger than {limit} bytes (inputs are limited to "
                         f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB per file)")
    return _git(["cat-file", "blob", entry.object_id], cwd)


def _tree(commit: str, rel: str, top: Path) -> list[_Entry]:
    """`git ls-tree -l` of the directory (its direct entries), each checked to be a plain
    name directly under it: git paths are data from the pull request's history."""
    spec = [] if rel == "." else ["--", f"{rel}/"]
    out = _git(["ls-tree", "-z", "-l", commit, *spec], top)
    prefix = "" if rel == "." else f"{rel}/"
    entries = []
    for raw in (e.decode("utf-8", "surrogateescape") for e in out.split(b"\0") if e):
        meta, _, path = raw.partition("\t")
        fields = meta.split()
        name = path[len(prefix):] if path.startswith(prefix) else ""
        if len(fields) != 4 or not _OBJECT_ID.fullmatch(fields[2]) or not is_file_name(name):
            raise InputError(f"git ls-tree listed {path!r} under {rel}/, which archc does not "
                             "read (not a plain file name in that directory)")
        size = int(fields[3]) if fields[3].isdigit() else None
        entries.append(_Entry(fields[0], fields[2], size, name))
    return entries
