"""Deterministic, atomic writing of generated files, with stale-file removal and --check.

The whole output tree is staged next to the output directory and swapped in with two
renames, so a build that dies halfway leaves the previous outputs as they were. Files
archc did not generate (not listed in the previous manifest) are carried over untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archc import __version__
from archc.emit import OutputFile

MANIFEST = "manifest.json"
MANIFEST_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]  # new or changed
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]  # generated before, not any more


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_file(files: tuple[OutputFile, ...], inputs: dict[str, bytes]) -> OutputFile:
    """The versioned list of inputs and outputs with hashes (no clock, no machine paths)."""
    body = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "generator": f"archc {__version__}",
        "inputs": {path: sha256(data) for path, data in sorted(inputs.items())},
        "outputs": {f.path: {"emitter": f.emitter, "sha256": sha256(f.data)}
                    for f in sorted(files, key=lambda f: f.path)},
    }
    return OutputFile(MANIFEST, json.dumps(body, indent=2, sort_keys=True) + "\n")


def read_manifest(out_dir: Path) -> dict[str, object] | None:
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema_version") != MANIFEST_SCHEMA_VERSION:
        return None
    return data


def owned_files(out_dir: Path) -> set[str]:
    return set(_manifest_outputs(out_dir)) | {MANIFEST}


def _manifest_outputs(out_dir: Path) -> dict[str, object]:
    """path -> entry of the previous build's manifest (empty when there is none)."""
    manifest = read_manifest(out_dir)
    outputs = manifest.get("outputs", {}) if manifest else {}
    return outputs if isinstance(outputs, dict) else {}


def carried_files(out_dir: Path, selected: tuple[str, ...]) -> tuple[OutputFile, ...]:
    """Files of emitters a partial build (`--only`) did not run: kept as they are on disk."""
    kept = []
    for path, entry in sorted(_manifest_outputs(out_dir).items()):
        emitter = entry.get("emitter", "") if isinstance(entry, dict) else ""
        if emitter and emitter not in selected and (out_dir / path).is_file():
            kept.append(OutputFile(path, (out_dir / path).read_bytes(), emitter))
    return tuple(kept)


def diff_outputs(files: tuple[OutputFile, ...], out_dir: Path) -> WriteResult:
    """What writing `files` would change, without touching the disk (for --check)."""
    wanted = {f.path: f.data for f in files}
    written: list[str] = []
    unchanged: list[str] = []
    for path, data in sorted(wanted.items()):
        target = out_dir / path
        same = target.is_file() and target.read_bytes() == data
        (unchanged if same else written).append(path)
    removed = sorted(p for p in owned_files(out_dir) if p not in wanted and (out_dir / p).exists())
    return WriteResult(tuple(written), tuple(unchanged), tuple(removed))


def write_outputs(files: tuple[OutputFile, ...], out_dir: Path) -> WriteResult:
    _recover(out_dir)
    result = diff_outputs(files, out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.archc-", dir=out_dir.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; outputs/ keeps normal modes
    try:
        _stage(files, out_dir, staging)
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _stage(files: tuple[OutputFile, ...], out_dir: Path, staging: Path) -> None:
    owned = owned_files(out_dir)
    if out_dir.is_dir():
        for src in sorted(out_dir.rglob("*")):
            rel = src.relative_to(out_dir).as_posix()
            if src.is_file() and rel not in owned:
                dest = staging / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
    for f in files:
        dest = staging / f.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "wb") as handle:
            handle.write(f.data)
            handle.flush()
            os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _old(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.archc-old")


def _swap(staging: Path, out_dir: Path) -> None:
    old = _old(out_dir)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _recover(out_dir: Path) -> None:
    """Undo a swap that was interrupted between its two renames."""
    old = _old(out_dir)
    if old.exists() and not out_dir.exists():
        os.replace(old, out_dir)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)


def write_text_atomic(path: Path, text: str) -> None:
    """One file, replaced atomically (mkstemp in the same folder + os.replace)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
