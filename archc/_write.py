"""Deterministic, atomic writing of generated files, with stale-file removal and --check.

The output directory belongs to archc: it is absent, empty, or holds a `manifest.json` that
archc wrote; anything else is refused (ARC053). A build stages the whole new tree in a sibling
folder `.NAME.archc-stage-XXXXXXXX` and swaps it with the output directory in one
`renameat2(RENAME_EXCHANGE)`, so at every instant, SIGKILL included, the output directory is
exactly the old tree or exactly the new one. Where the kernel has no exchange the swap is two
renames, and a build killed between them is put back by the next run (`_recover`).

Entries archc did not write (absent from the previous manifest) are carried into the new tree
as they are: files hard-linked (same inode, mode, times), symlinks as symlinks, FIFOs, empty
folders, modes and times. Nothing read from the output directory is trusted: the manifest is
size-limited and parsed strictly, every path in it is checked before use, and the tree is
walked with lstat, never through a link.

`--check` compares what archc owns: every file byte for byte, except what a renderer made
(`RENDERED_FROM`: the PNG/SVG Graphviz draws from the DOT), whose bytes depend on the renderer's
version or on its presence. The manifest records the hash of the source each such file was
rendered from; `--check` finds it stale when that source has changed since, or when the file
is not what the manifest says was written. A missing rendered file is not stale: a build on a
machine without Graphviz writes none.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from archc import GENERATOR
from archc import diagnostics as d
from archc.emit import OutputFile, emitter_names
from archc.emit.output import TF_ADDRESS, ComponentRecord, Move, TerraformRecord
from archc.source import Span, tree_of

MANIFEST = "manifest.json"
MANIFEST_SCHEMA_VERSION = 1
MANIFEST_MAX_BYTES = 16 * 1024 * 1024  # ~100,000 entries; the seed's manifest is 16 KB
CARRIED_MAX_BYTES = 64 * 1024 * 1024  # a file a partial build keeps is read into memory
_MANIFEST_KEYS = frozenset({"schema_version", "generator", "inputs", "outputs"})
_OPTIONAL_KEYS = frozenset({"terraform"})  # what a build that emitted Terraform adds
_TERRAFORM_KEYS = frozenset({"components", "addresses", "moved"})
_TF_NAME = re.compile(r"[a-z][a-z0-9_]{0,127}")
_MAX_ID_CHARS = 256
_T = TypeVar("_T")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENTRY_KEYS = frozenset({"emitter", "sha256"})
_ENTRY_KEYS_RENDERED = _ENTRY_KEYS | {"source_sha256"}
_DRIVE = re.compile(r"[A-Za-z]:")
_MAX_PATH_BYTES, _MAX_NAME_BYTES = 1024, 255
_STAGE, _OLD = "archc-stage-", "archc-old"
_DEFERRED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP")
                          if hasattr(signal, name))
# reading from the output directory: never through a link, never waiting on a FIFO
_READ_FLAGS = sum(getattr(os, flag, 0) for flag in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC"))
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]  # new or changed
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]  # generated before, not any more


class OutputRefused(Exception):
    """The output directory or the files to write failed the checks (see `diagnostics`)."""

    def __init__(self, diagnostics: list[d.Diagnostic]):
        super().__init__("; ".join(x.message for x in diagnostics))
        self.diagnostics = diagnostics


class Interrupted(KeyboardInterrupt):
    """A termination signal arrived during a write; raised once the tree is whole again."""

    def __init__(self, signum: int):
        super().__init__(f"signal {signum}")
        self.signum = signum


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rendered_from() -> dict[str, str]:
    """Rendered output path -> the output path it is rendered from."""
    from archc.emit.diagram import RENDERED_FROM

    return RENDERED_FROM


def manifest_file(files: tuple[OutputFile, ...], inputs: dict[str, bytes],
                  terraform: TerraformRecord | None = None) -> OutputFile:
    """The versioned list of inputs and outputs with hashes (no clock, no machine paths); a
    rendered file also records the hash of its source (`source_sha256`); what the next build
    needs to write `moved` blocks (`terraform`, see `archc.emit.terraform.moves`)."""
    by_path = {f.path: f.data for f in files}
    outputs: dict[str, dict[str, str]] = {}
    for f in sorted(files, key=lambda f: f.path):
        outputs[f.path] = {"emitter": f.emitter, "sha256": sha256(f.data)}
        source = rendered_from().get(f.path)
        if source in by_path:
            outputs[f.path]["source_sha256"] = sha256(by_path[source])
    body = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "generator": GENERATOR,
        "inputs": {path: sha256(data) for path, data in sorted(inputs.items())},
        "outputs": outputs,
    }
    if terraform is not None:
        body["terraform"] = terraform
    return OutputFile(MANIFEST, json.dumps(body, indent=2, sort_keys=True) + "\n")


# -- paths ----------------------------------------------------------------------------------


def unsafe_path(path: object) -> str | None:
    """Why `path` cannot name a file below an output directory; None when it can.

    Accepted: a relative, normalised POSIX path of UTF-8 names, no `..`, no drive, no control
    characters or backslashes (which mean something else on another machine).
    """
    if not isinstance(path, str):
        return "is not a string"
    if not path:
        return "is empty"
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if size > _MAX_PATH_BYTES:
        return f"is longer than {_MAX_PATH_BYTES} bytes"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return "holds a control character"
    if "\\" in path:
        return "holds a backslash"
    if path.startswith("/"):
        return "is absolute"
    if _DRIVE.match(path):
        return "names a drive"
    names = path.split("/")
    if any(name in ("", ".", "..") for name in names):
        return "is not normalised (an empty, '.' or '..' component)"
    if any(len(name.encode("utf-8")) > _MAX_NAME_BYTES for name in names):
        return f"has a name longer than {_MAX_NAME_BYTES} bytes"
    return None


def _quote(value: object) -> str:
    """An untrusted value in a message: repr escapes control characters; long ones are cut."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _parents(path: str) -> Iterator[str]:
    """'a/b/c' -> 'a', 'a/b'."""
    names = path.split("/")
    for i in range(1, len(names)):
        yield "/".join(names[:i])


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISREG, "a file"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a device"


def _shown(out: Path) -> str:
    return out.as_posix().rstrip("/") or "/"


# -- the output directory: where it is, whose it is -----------------------------------------


def destination_problems(out: Path, spec_dir: Path | None = None) -> list[d.Diagnostic]:
    """ARC050/051: an output directory archc must not swap (checked before emitting).

    The swap renames the directory itself, so it cannot be `/`, the working directory or one of
    its parents (the repository root, when archc runs inside one); it must not be a link (a pull
    request could point it anywhere), and must neither hold nor sit in the spec directory.
    """
    shown = _shown(out)
    where = Path(os.path.abspath(out))
    real = where.resolve()
    here = Path.cwd().resolve()
    if where.parent == where or real.parent == real:
        return [_unusable(shown, "is the root of the file system")]
    if real == here or real in here.parents:
        return [_unusable(shown, "is the working directory or one of its parents")]
    link = _symlinked_component(out)
    if link is not None:
        return [_unusable(shown, f"goes through the symbolic link {link}")]
    if os.path.lexists(where) and not where.is_dir():
        return [_unusable(shown, f"is {_kind(os.lstat(where).st_mode)}, not a directory")]
    if spec_dir is not None:
        spec = spec_dir.resolve()
        if real == spec or spec in real.parents or real in spec.parents:
            return [d.error("ARC051", f"the output directory {shown}/ overlaps the spec "
                            f"directory {_shown(spec_dir)}/", None,
                            hint="write the outputs next to the spec, e.g. -o outputs")]
    return []


def _unusable(shown: str, why: str) -> d.Diagnostic:
    return d.error("ARC050", f"cannot use {shown} as the output directory: it {why}", None,
                   hint="name a folder of its own, e.g. -o outputs (archc replaces the whole "
                        "folder on every build)")


def _symlinked_component(out: Path) -> str | None:
    """The first symbolic link on the way to `out`: its last name, and for a relative path
    (which lives in the checked-out tree a pull request controls) every name."""
    names = out.parts if not out.is_absolute() else ()
    prefixes = [Path(*names[:i]) for i in range(1, len(names) + 1)] or [out]
    for prefix in prefixes:
        if prefix.name not in ("", ".", "..") and prefix.is_symlink():
            return prefix.as_posix()
    return None


@dataclass
class OutputDir:
    """What an output directory holds, read without following a link, and whose it is."""

    path: Path  # as the user named it, for messages
    where: Path  # absolute: the name that is swapped
    tree: dict[str, os.stat_result] = field(default_factory=dict)  # POSIX path -> lstat
    emitters: dict[str, str] = field(default_factory=dict)  # previous manifest: path -> emitter
    entries: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> checked entry
    terraform: TerraformRecord | None = None  # previous manifest's, checked
    diagnostics: list[d.Diagnostic] = field(default_factory=list)

    @property
    def owned(self) -> set[str]:
        """Regular files the previous build wrote (its manifest lists them)."""
        listed = set(self.emitters) | {MANIFEST}
        return {p for p in listed if p in self.tree and stat.S_ISREG(self.tree[p].st_mode)}

    def carried(self, selected: tuple[str, ...]) -> tuple[OutputFile, ...]:
        """Files of emitters a partial build (`--only`) did not run: kept as they are."""
        kept = []
        for path, emitter in sorted(self.emitters.items()):
            if emitter not in selected and path in self.owned:
                data = self._read(path, CARRIED_MAX_BYTES)
                if data is None:
                    self.diagnostics.append(d.error(
                        "ARC055", f"{self._at(path)} is larger than {CARRIED_MAX_BYTES} bytes; "
                        "a partial build will not keep it", None,
                        hint="run a full `archc build` (without --only) to regenerate it"))
                    continue
                kept.append(OutputFile(path, data, emitter))
        return tuple(kept)

    def plan_problems(self, files: tuple[OutputFile, ...]) -> list[d.Diagnostic]:
        """ARC056/057: what writing `files` here would break; nothing is written if any."""
        problems = _unsafe_outputs(files)
        if problems:
            return problems
        foreign = self.foreign()
        for f in files:
            clash = next((p for p in (*_parents(f.path), f.path) if p in foreign
                          and (p == f.path or not stat.S_ISDIR(self.tree[p].st_mode))), None)
            if clash is not None:
                problems.append(d.error(
                    "ARC056", f"archc would write {self._at(f.path)}, but {self._at(clash)} is "
                    f"{_kind(self.tree[clash].st_mode)} archc did not write", None,
                    hint=f"move {self._at(clash)} out of the output directory"))
        for path in sorted(foreign):
            mode = self.tree[path].st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)
                    or stat.S_ISFIFO(mode)):
                problems.append(d.error(
                    "ARC056", f"{self._at(path)} is {_kind(mode)}, which archc cannot carry "
                    "into the new output tree", None,
                    hint=f"move {self._at(path)} out of the output directory"))
        return problems

    def foreign(self) -> set[str]:
        """Entries archc did not write, kept by every build: anything not listed in the
        previous manifest, and the folders that hold such entries or nothing at all."""
        listed = set(self.emitters) | {MANIFEST}  # a listed non-file is ARC055/054 instead
        foreign = {p for p, st in self.tree.items()
                   if not stat.S_ISDIR(st.st_mode) and p not in listed}
        folders = {p for p, st in self.tree.items() if stat.S_ISDIR(st.st_mode)}
        nonempty = {parent for p in self.tree for parent in _parents(p)}
        foreign |= folders - nonempty
        for path in list(foreign):
            foreign.update(_parents(path))
        return foreign

    def changes(self, files: tuple[OutputFile, ...]) -> WriteResult:
        """What writing `files` would change, without touching the disk (for --check)."""
        wanted = {f.path: f.data for f in files}
        written: list[str] = []
        unchanged: list[str] = []
        for path, data in sorted(wanted.items()):
            (unchanged if self._holds(path, data) else written).append(path)
        removed = sorted(p for p in self.owned if p not in wanted)
        return WriteResult(tuple(written), tuple(unchanged), tuple(removed))

    def stale(self, files: tuple[OutputFile, ...]) -> WriteResult:
        """`build --check`: which files are stale, whatever renderer this machine has (see the
        module's docstring); `written` lists the stale files, `removed` those no longer made."""
        rendered = rendered_from()
        exact = self.changes(tuple(f for f in files if f.path not in rendered))
        written = [p for p in exact.written if p != MANIFEST]
        unchanged = [p for p in exact.unchanged if p != MANIFEST]
        removed = [p for p in exact.removed if p not in rendered]
        wanted = {f.path: f.data for f in files}
        if MANIFEST in wanted:
            old = self._read(MANIFEST, MANIFEST_MAX_BYTES) if MANIFEST in self.owned else None
            same = old is not None and \
                _manifest_view(old, rendered) == _manifest_view(wanted[MANIFEST], rendered)
            (unchanged if same else written).append(MANIFEST)
        for path, source in sorted(rendered.items()):
            if path not in self.owned:
                continue  # absent, or not archc's: nothing of ours to judge
            if source not in wanted:
                removed.append(path)
            elif self._rendered_fresh(path, wanted[source]):
                unchanged.append(path)
            else:
                written.append(path)
        return WriteResult(tuple(sorted(written)), tuple(sorted(unchanged)),
                           tuple(sorted(removed)))

    def write(self, files: tuple[OutputFile, ...]) -> WriteResult:
        """Stage the new tree next to the old one and swap them; call under `exclusive`."""
        _refuse_on_errors(self.diagnostics + self.plan_problems(files))
        result = self.changes(files)
        if self.where.is_dir() and not result.written and not result.removed and all(
                self._plain(path, 0o666 & ~_umask()) for path in result.unchanged):
            return result  # every output already holds these bytes, as a new build would
        with _signals_deferred() as checkpoint:
            staging = Path(tempfile.mkdtemp(prefix=f".{self.where.name}.{_STAGE}",
                                            dir=self.where.parent))
            try:
                self._stage(files, set(result.unchanged), staging, checkpoint)
                checkpoint()
                _swap(staging, self.where)
            finally:
                _remove_quietly(staging)
            _fsync_folder(self.where.parent)
        return result

    # -- inside ---------------------------------------------------------------------------

    def _at(self, path: str) -> str:
        return f"{_shown(self.path)}/{path}"

    def _holds(self, path: str, data: bytes) -> bool:
        st = self.tree.get(path)
        if st is None or not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        return self._read(path, len(data)) == data

    def recorded_sha256(self, path: str) -> str | None:
        """The hash the previous manifest records for `path` (emit.PreviousOutputs)."""
        entry = self.entries.get(path)
        return entry["sha256"] if entry is not None else None

    def read_owned(self, path: str) -> bytes | None:
        """A file the previous build listed, read without following a link (emit.
        PreviousOutputs); None when it is not one, is too large, or changed under us."""
        if self.diagnostics or path not in self.owned:
            return None
        try:
            return self._read(path, CARRIED_MAX_BYTES)
        except OSError:
            return None

    def recorded_terraform(self) -> TerraformRecord | None:
        """The previous manifest's Terraform record (emit.PreviousOutputs), every address
        checked against `TF_ADDRESS`; None when there is none or the manifest is refused."""
        return None if self.diagnostics else self.terraform

    def _rendered_fresh(self, path: str, source: bytes) -> bool:
        """Rendered from this source, and still the bytes the build wrote."""
        entry = self.entries.get(path, {})
        if entry.get("source_sha256") != sha256(source):
            return False
        data = self._read(path, CARRIED_MAX_BYTES)
        return data is not None and entry.get("sha256") == sha256(data)

    def _plain(self, path: str, mode: int) -> bool:
        """archc's alone (one link) with the mode a new build gives its files."""
        st = self.tree[path]
        return st.st_nlink == 1 and stat.S_IMODE(st.st_mode) == mode

    def _reuse(self, path: str, staging: Path, mode: int) -> bool:
        """Link an unchanged output into the new tree instead of writing and syncing it again
        (rebuilds stay fast, its mtime stays), if it is archc's alone with the usual mode."""
        if not self._plain(path, mode):
            return False
        (staging / path).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.where / path, staging / path, follow_symlinks=False)
        except OSError:  # no hard links on this file system: written instead
            return False
        return True

    def _read(self, path: str, limit: int) -> bytes | None:
        """A regular file the scan found, opened without following a link; None if too big."""
        fd = os.open(self.where / path, os.O_RDONLY | _READ_FLAGS)
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            seen = self.tree[path]
            if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (seen.st_dev,
                                                                            seen.st_ino):
                raise OSError(f"{self._at(path)} changed while archc was reading it")
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None

    def _stage(self, files: tuple[OutputFile, ...], unchanged: set[str], staging: Path,
               checkpoint: Callable[[], None]) -> None:
        foreign = sorted(self.foreign())  # a folder sorts before what it holds
        for path in foreign:
            checkpoint()
            _carry(self.where / path, staging / path, self.tree[path])
        mode = 0o666 & ~_umask()
        for f in files:
            checkpoint()
            if not (f.path in unchanged and self._reuse(f.path, staging, mode)):
                _write_new(staging / f.path, f.data)
        for path in reversed(foreign):  # last, so adding files does not undo them
            if stat.S_ISDIR(self.tree[path].st_mode):
                _copy_metadata(staging / path, self.tree[path])
        if self.where.is_dir():
            os.chmod(staging, stat.S_IMODE(os.lstat(self.where).st_mode))
        else:  # mkdtemp makes it 0700; a new output directory gets the usual mode
            os.chmod(staging, 0o777 & ~_umask())


def open_output_dir(out: Path, spec_dir: Path | None = None) -> OutputDir:
    """Read `out` (never through a link) and its manifest; `diagnostics` says what is wrong."""
    found = OutputDir(out, Path(os.path.abspath(out)))
    found.diagnostics = destination_problems(out, spec_dir)
    if found.diagnostics or not found.where.is_dir():
        return found
    found.tree = _scan(found.where)
    if not found.tree:
        return found
    if MANIFEST not in found.tree:
        found.diagnostics.append(d.error(
            "ARC053", f"{_shown(out)}/ is not empty and has no {MANIFEST}: archc did not make "
            "it and will not write into it", None,
            hint="choose a new or empty output directory (archc replaces the whole folder)"))
        return found
    found.entries, found.terraform, problems = _read_manifest(found)
    found.emitters = {path: entry["emitter"] for path, entry in found.entries.items()}
    found.diagnostics += problems
    found.diagnostics += _listed_but_not_files(found)
    return found


def _scan(root: Path) -> dict[str, os.stat_result]:
    """Every entry below `root` by POSIX path, from lstat; links are listed, never entered."""
    tree: dict[str, os.stat_result] = {}
    pending = [("", root)]
    while pending:  # a loop, not recursion: a hostile tree may be deeper than the stack
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                path = prefix + entry.name
                tree[path] = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(tree[path].st_mode):
                    pending.append((path + "/", Path(entry.path)))
    return dict(sorted(tree.items()))


def _listed_but_not_files(found: OutputDir) -> list[d.Diagnostic]:
    """ARC055: a manifest path that is, on disk, not a regular file reached through folders."""
    problems = []
    for path in sorted(found.emitters):
        blocker = next((p for p in _parents(path) if p in found.tree
                        and not stat.S_ISDIR(found.tree[p].st_mode)), None)
        if blocker is None and path in found.tree and not stat.S_ISREG(found.tree[path].st_mode):
            blocker = path
        if blocker is not None:
            problems.append(d.error(
                "ARC055", f"{found._at(MANIFEST)} lists {_quote(path)}, but {found._at(blocker)} "
                f"is {_kind(found.tree[blocker].st_mode)}", None,
                hint=f"delete {found._at(blocker)} or restore it from version control; archc "
                     "never follows links inside its output directory"))
    return problems


# -- the manifest: untrusted input ------------------------------------------------------------


def _read_manifest(found: OutputDir) -> tuple[dict[str, dict[str, str]], TerraformRecord | None,
                                              list[d.Diagnostic]]:
    """path -> checked entry of the previous build and its Terraform record, or the reasons
    the manifest cannot be trusted."""
    shown = found._at(MANIFEST)
    st = found.tree[MANIFEST]
    if not stat.S_ISREG(st.st_mode):
        return {}, None, [_bad_manifest(shown, f"is {_kind(st.st_mode)}, not a file")]
    data = found._read(MANIFEST, MANIFEST_MAX_BYTES)
    if data is None:
        return {}, None, [_bad_manifest(shown, f"is larger than {MANIFEST_MAX_BYTES} bytes")]
    try:
        body = _strict_json(data)
    except json.JSONDecodeError as exc:
        span = Span.point(shown, exc.lineno, exc.colno)
        return {}, None, [_bad_manifest(shown, f"is not valid JSON ({exc.msg})", span)]
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return {}, None, [_bad_manifest(shown, f"is not valid JSON: {_quote(str(exc))}")]
    outputs, problems = _manifest_outputs(body)
    terraform, why = _manifest_terraform(body)
    problems += [why] if why else []
    return outputs, terraform, [_bad_manifest(shown, why) for why in problems]


def _strict_json(data: bytes) -> object:
    """json.loads that refuses what a manifest archc wrote never holds: duplicate keys (two
    readers may keep different ones), NaN/Infinity, a byte-order mark."""
    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate key {next(k for k in keys if keys.count(k) > 1)!r}")
        return dict(pairs)

    def no_constant(name: str) -> object:
        raise ValueError(f"{name} is not a JSON number")

    return json.loads(data.decode("utf-8"), object_pairs_hook=unique, parse_constant=no_constant)


def _manifest_outputs(body: object) -> tuple[dict[str, dict[str, str]], list[str]]:
    if not isinstance(body, dict):
        return {}, ["is not a JSON object"]
    version = body.get("schema_version")
    if type(version) is not int or version != MANIFEST_SCHEMA_VERSION:
        return {}, [f"has schema_version {_quote(version)}; this archc reads "
                    f"{MANIFEST_SCHEMA_VERSION}"]
    problems = [f"has an unknown key {_quote(k)}"
                for k in sorted(set(body) - _MANIFEST_KEYS - _OPTIONAL_KEYS)]
    problems += [f"has no {k!r}" for k in sorted(_MANIFEST_KEYS - set(body))]
    if not isinstance(body.get("generator", ""), str):
        problems.append("has a 'generator' that is not a string")
    inputs = body.get("inputs", {})
    if not isinstance(inputs, dict) or not all(
            isinstance(v, str) and _SHA256.fullmatch(v) for v in inputs.values()):
        problems.append("has 'inputs' that are not path -> SHA-256 pairs")
    outputs = body.get("outputs", {})
    if not isinstance(outputs, dict):
        return {}, problems + ["has 'outputs' that is not an object"]
    entries: dict[str, dict[str, str]] = {}
    for path, entry in outputs.items():
        why = _bad_output_entry(path, entry)
        if why:
            problems.append(f"lists the output {_quote(path)}, which {why}")
        else:
            entries[path] = entry
    return entries, problems


def _manifest_terraform(body: object) -> tuple[TerraformRecord | None, str | None]:
    """The `terraform` record, or why it is refused: every key, name and address is checked
    (an address against `TF_ADDRESS`), since a move's source is printed into Terraform."""
    if not isinstance(body, dict) or "terraform" not in body:
        return None, None
    record = body["terraform"]
    if not isinstance(record, dict) or set(record) != _TERRAFORM_KEYS:
        return None, f"has a 'terraform' that is not an object of {sorted(_TERRAFORM_KEYS)}"
    components = _tf_components(record["components"])
    addresses = _tf_folders(record["addresses"], _addresses)
    moved = _tf_folders(record["moved"], _moves)
    if components is None or addresses is None or moved is None:
        return None, ("has a 'terraform' record whose components, addresses or moves are not "
                      "what archc writes (ids, Terraform names, SHA-256, addresses)")
    return {"components": components, "addresses": addresses, "moved": moved}, None


def _tf_components(value: object) -> dict[str, ComponentRecord] | None:
    if not isinstance(value, dict):
        return None
    out: dict[str, ComponentRecord] = {}
    for cid, rec in value.items():
        if not (0 < len(cid) <= _MAX_ID_CHARS and isinstance(rec, dict)
                and set(rec) == {"identity", "ref"} and isinstance(rec["identity"], str)
                and _SHA256.fullmatch(rec["identity"]) and isinstance(rec["ref"], str)
                and _TF_NAME.fullmatch(rec["ref"])):
            return None
        out[cid] = {"identity": rec["identity"], "ref": rec["ref"]}
    return out


def _tf_folders(value: object, items: Callable[[object], list[_T] | None]
                ) -> dict[str, list[_T]] | None:
    """folder -> checked list; a folder is a safe path under `terraform/`."""
    if not isinstance(value, dict):
        return None
    out: dict[str, list[_T]] = {}
    for folder, listed in value.items():
        checked = items(listed)
        if unsafe_path(folder) or not folder.startswith("terraform/") or checked is None:
            return None
        out[folder] = checked
    return out


def _addresses(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(
            isinstance(a, str) and TF_ADDRESS.fullmatch(a) for a in value):
        return None
    return [str(a) for a in value]


def _moves(value: object) -> list[Move] | None:
    if not isinstance(value, list):
        return None
    out: list[Move] = []
    for move in value:
        pair = _addresses(move)
        if pair is None or len(pair) != 2:
            return None
        out.append((pair[0], pair[1]))
    return out


def _bad_output_entry(path: str, entry: object) -> str | None:
    why = unsafe_path(path)
    if why:
        return why
    if path == MANIFEST:
        return "is the manifest itself"
    if not isinstance(entry, dict) or not _ENTRY_KEYS <= set(entry) <= _ENTRY_KEYS_RENDERED:
        return "is not {'emitter', 'sha256'} (and 'source_sha256' for a rendered file)"
    if "source_sha256" in entry and (path not in rendered_from() or not isinstance(
            entry["source_sha256"], str) or not _SHA256.fullmatch(entry["source_sha256"])):
        return "has a 'source_sha256' that is not the SHA-256 of what it was rendered from"
    if entry["emitter"] not in ("", *emitter_names()):
        return f"names an unknown emitter {_quote(entry['emitter'])}"
    if not isinstance(entry["sha256"], str) or not _SHA256.fullmatch(entry["sha256"]):
        return "has no valid SHA-256"
    return None


def _bad_manifest(shown: str, why: str, span: Span | None = None) -> d.Diagnostic:
    return d.error("ARC054", f"{shown} {why}", span,
                   hint="restore the manifest from version control, or delete the output "
                        "directory and build again")


def _unsafe_outputs(files: tuple[OutputFile, ...]) -> list[d.Diagnostic]:
    """ARC057: an emitted path archc will not write (names in them come from the spec)."""
    problems, seen = [], set()
    paths = {f.path for f in files}
    for f in files:
        why = unsafe_path(f.path)
        if why is None and f.path in seen:
            why = "is generated twice"
        if why is None and any(p in paths for p in _parents(f.path)):
            why = "is below another generated file"
        seen.add(f.path)
        if why:
            problems.append(d.error(
                "ARC057", f"the {f.emitter or 'archc'} output {_quote(f.path)} {why}", None,
                hint="rename the node or zone whose name is in that path"))
    return problems


# -- staging and the swap ---------------------------------------------------------------------


def _carry(src: Path, dest: Path, st: os.stat_result) -> None:
    """Recreate one entry archc did not write in the staging tree, exactly."""
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        os.mkdir(dest, 0o700)  # writable while it fills; its own mode comes back at the end
        return
    if stat.S_ISREG(mode):
        try:
            os.link(src, dest, follow_symlinks=False)  # the same inode: mode, times, owner
            return
        except OSError:  # no hard links here (or not allowed): a copy with the metadata
            shutil.copy2(src, dest, follow_symlinks=False)
    elif stat.S_ISLNK(mode):
        os.symlink(os.readlink(src), dest)
    elif stat.S_ISFIFO(mode):
        os.mkfifo(dest, 0o600)
    _copy_metadata(dest, st)


def _copy_metadata(path: Path, st: os.stat_result) -> None:
    link = stat.S_ISLNK(st.st_mode)
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):  # only root may give files away; others keep theirs
            os.chown(path, st.st_uid, st.st_gid, follow_symlinks=False)
    if not link:  # Linux has no lchmod; a link's own mode means nothing there
        os.chmod(path, stat.S_IMODE(st.st_mode))
    if not link or os.utime in os.supports_follow_symlinks:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=not link)


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:  # x: never over something carried (plan_problems)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(staging: Path, out: Path) -> None:
    """Make `staging` the output directory; the previous tree ends up at `staging` (or, in
    the two-rename fallback, is removed here)."""
    if not os.path.lexists(out):
        os.replace(staging, out)
        return
    if _exchange(staging, out):
        return
    old = out.with_name(f".{out.name}.{_OLD}")
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(old, out)  # put the previous tree back; if this fails, _recover does it
        raise
    _remove_quietly(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2); False where there is none."""
    rename = getattr(_libc(), "renameat2", None) if sys.platform.startswith("linux") else None
    if rename is None:
        return False
    if rename(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (best effort: not every platform opens folders)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: Path) -> None:
    """Delete a tree archc made, even one whose folders are read-only; never follow a link."""
    if not os.path.lexists(path):
        return
    if os.path.islink(path) or not path.is_dir():
        os.unlink(path)
        return
    try:
        shutil.rmtree(path)
    except PermissionError:  # a read-only folder (e.g. a kept one): open them up, then again
        _open_up(path)
        shutil.rmtree(path)


def _remove_quietly(path: Path) -> None:
    """Cleanup never fails a build: a leftover has a unique name and the next run retries.
    (Only a folder the build's user may not change, inside the output directory, stays.)"""
    with contextlib.suppress(OSError):
        _remove(path)


def _open_up(top: Path) -> None:
    os.chmod(top, 0o700)
    for folder, subfolders, _ in os.walk(top):
        for name in subfolders:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[Callable[[], None]]:
    """SIGTERM, SIGINT and SIGHUP wait for the next checkpoint (before the swap) or for the end
    of the write, so a stopped build removes its staging folder and never stops mid-swap."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    def checkpoint() -> None:
        if received:
            raise Interrupted(received[0])

    previous = {s: signal.signal(s, hold) for s in _DEFERRED_SIGNALS}
    try:
        yield checkpoint
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    checkpoint()  # the write is whole; now stop as asked


# -- one writer at a time, and what an interrupted one left -----------------------------------


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on the folder that holds `out` (no lock file left behind), then clean up
    what an interrupted build left: with the lock held, no live build owns those folders."""
    where = Path(os.path.abspath(out))
    where.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(where.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        _lock(fd)
        _recover(where)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent builds there are the user's to avoid
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def leftovers(out: Path) -> list[Path]:
    """Folders of archc's own naming next to `out`: `.NAME.archc-stage-XXXXXXXX` (a staging
    tree, or the previous tree after the swap), `.NAME.archc-old` (the previous tree during
    a two-rename swap) and `.NAME.archc-XXXXXXXX` (staging of archc before 0.2)."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"archc-(old|stage-\w{8}|\w{8})")
    with contextlib.suppress(FileNotFoundError), os.scandir(out.parent) as entries:
        return sorted(out.parent / e.name for e in entries if pattern.fullmatch(e.name))
    return []


def _recover(where: Path) -> None:
    """Undo what a killed build left: its previous tree goes back if the output directory is
    missing (killed between two renames); every other leftover is removed."""
    old = where.with_name(f".{where.name}.{_OLD}")
    if not os.path.lexists(where) and old.is_dir() and not old.is_symlink():
        os.replace(old, where)
    for path in leftovers(where):
        _remove_quietly(path)


# -- for callers that hold a list of files and a folder (tests, bench) -----------------------


def diff_outputs(files: tuple[OutputFile, ...], out_dir: Path) -> WriteResult:
    found = open_output_dir(out_dir)
    _refuse_on_errors(found.diagnostics + found.plan_problems(files))
    return found.changes(files)


def check_outputs(files: tuple[OutputFile, ...], out_dir: Path) -> WriteResult:
    found = open_output_dir(out_dir)
    _refuse_on_errors(found.diagnostics + found.plan_problems(files))
    return found.stale(files)


def write_outputs(files: tuple[OutputFile, ...], out_dir: Path) -> WriteResult:
    with exclusive(out_dir):
        return open_output_dir(out_dir).write(files)


def _refuse_on_errors(problems: list[d.Diagnostic]) -> None:
    if d.has_errors(problems):
        raise OutputRefused(problems)


def rewrite_file(path: Path, text: str) -> d.Diagnostic | None:
    """`fmt --write`: replace a file's text, or say why not (ARC058).

    A symbolic link stays a link and its target is rewritten (what black and ruff do), but only
    a regular file inside the tree the path is named in (its repository, else the working
    directory or its folder), every link on the way resolved: a link a pull request points at
    ~/.bashrc, or a linked folder, is refused. The file keeps its mode.
    """
    target = path.resolve()
    tree = tree_of(Path(os.path.abspath(path)))
    why = None
    if target != tree and tree not in target.parents:
        why = f"resolves to {target}, outside {tree}"
    elif not target.is_file():
        why = "is not a regular file"
    if why is not None:
        return d.error("ARC058", f"{path}: {why}; archc fmt --write will not write it", None,
                       hint="format the file it points to directly, or print the canonical "
                            "form with `archc fmt FILE` and save it yourself")
    if target.read_text(encoding="utf-8") != text:
        write_text_atomic(target, text)
    return None


def write_text_atomic(path: Path, text: str, replace: bool = True) -> None:
    """One file, replaced atomically (mkstemp in the same folder + os.replace); a file that
    exists keeps its mode, a new one gets the usual 0666 & ~umask. With `replace` False the
    file is only created: a hard link to the finished temporary file, which fails with
    FileExistsError, writing nothing, if anything has that name."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path, follow_symlinks=False)
            os.unlink(tmp)  # the file now has its one name, `path`
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _manifest_view(raw: bytes, rendered: dict[str, str]) -> object:
    """A manifest without its rendered files' entries (judged on their own), or None."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return None
    kept = {path: entry for path, entry in outputs.items() if path not in rendered}
    return {**data, "outputs": kept}
