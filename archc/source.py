"""Source files and spans: the one position type every diagnostic points with."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based region of one source file; `end_col` is exclusive (col + width).

    ``file`` is the path as the user named it relative to the spec directory, so
    messages and golden files never depend on the machine they were made on.
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, file: str, line: int, col: int, width: int = 1) -> Span:
        return cls(file, line, col, line, col + max(width, 1))

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.col)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The text of one input file, kept so diagnostics can quote it later."""

    path: str
    text: str

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""


class SourceRegistry:
    """All files read during one run, by the relative path spans carry."""

    def __init__(self) -> None:
        self._files: dict[str, SourceFile] = {}

    def add(self, source: SourceFile) -> SourceFile:
        self._files[source.path] = source
        return source

    def get(self, path: str) -> SourceFile | None:
        return self._files.get(path)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._files.values(), key=lambda s: s.path))


# --------------------------------------------------------------------------- reading inputs
MAX_INPUT_BYTES = 64 * 1024 * 1024  # far above any real spec; a cap so /dev/zero cannot OOM us

_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputRefused(Exception):
    """An input that archc will not read; `code`, `reason` and `hint` make the diagnostic."""

    def __init__(self, code: str, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.code, self.reason, self.hint = code, reason, hint


def is_file_name(name: str) -> bool:
    """A name for a file directly in a directory: not a path, not `.`/`..`, no NUL."""
    return name not in ("", ".", "..") and not any(c in name for c in "/\\\0")


def read_input(path: Path, within: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of `path`, which must be a regular file of at most `limit` bytes inside the
    directory `within` once symbolic links are resolved.

    Inputs come from pull requests: a link to /etc/passwd or ~/.ssh must not end up quoted in
    diagnostics or SARIF, a FIFO must not hang the run, /dev/zero must not exhaust memory.
    A link to another file inside `within` is allowed (it reads what a reviewer sees there).
    Raises InputRefused for all of these, OSError when the file cannot be read at all.
    """
    real = _resolve_inside(path, within)
    _require_regular(os.stat(real).st_mode)
    # O_NONBLOCK: if the file was swapped for a FIFO since the stat, open must not block;
    # O_NOFOLLOW: nor may the checked name have become a link.
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    fd = os.open(real, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _require_regular(info.st_mode)
        if info.st_size > limit:
            raise too_large(limit)
        data = _read_at_most(handle, info.st_size, limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


def _read_at_most(handle: BinaryIO, expected: int, cap: int) -> bytes:
    """Up to `cap` bytes. `expected` (st_size) sizes the first read, so a small file does not
    cost a buffer of `cap`; the file may have grown since, so reading goes on to the cap."""
    want = min(expected + 1, cap)
    first = handle.read(want)
    if len(first) < want:  # a short read of a regular file is its end: the usual case
        return first
    chunks, total = [first], len(first)
    while total < cap:
        chunk = handle.read(min(cap - total, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> InputRefused:
    return InputRefused("ARC012", f"is larger than {_mib(limit)}",
                        f"inputs are limited to {_mib(limit)} per file; a spec is text")


def _resolve_inside(path: Path, within: Path) -> str:
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as exc:
        if not os.path.islink(path):
            raise
        raise InputRefused("ARC011", "is a symbolic link that leads nowhere (a missing file "
                                     "or a loop)", "replace the link with the file itself"
                           ) from exc
    root = os.path.realpath(within)
    if os.path.commonpath([root, real]) != root:
        raise InputRefused("ARC011", f"is a symbolic link that leads outside {Path(root).name}/",
                           "inputs must be files inside the spec directory; copy the file "
                           "in instead of linking to it")
    return real


def _require_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((f"is {name}, not" for test, name in _NOT_REGULAR if test(mode)), "is not")
    raise InputRefused("ARC010", f"{what} a regular file",
                       "archc reads only regular files: replace it with a file or remove it")


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"
