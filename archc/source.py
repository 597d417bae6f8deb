"""Source files and spans: the one position type every diagnostic points with."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

# What ends a line, as the parser that made the spans counted lines: Mermaid (as JavaScript
# reads it) breaks at CR, LF and CRLF; YAML also at NEL, U+2028 and U+2029. Python's
# `str.splitlines` breaks at more (form feed, \x1c-\x1e), so a label holding one of those
# would make a diagnostic echo the wrong line.
MERMAID_LINE_BREAKS = re.compile(r"\r\n?|\n")
YAML_LINE_BREAKS = re.compile(r"\r\n?|[\n\x85\u2028\u2029]")


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
    line_breaks: re.Pattern[str] = field(default=MERMAID_LINE_BREAKS, compare=False)
    # (start, end) of each line, computed once: a run with many diagnostics on a large file
    # stays linear.
    _lines: list[tuple[int, int]] | None = field(default=None, init=False, repr=False,
                                                 compare=False)

    def line_text(self, line: int) -> str:
        lines = self._line_bounds()
        if 1 <= line <= len(lines):
            start, end = lines[line - 1]
            return self.text[start:end]
        return ""

    def _line_bounds(self) -> list[tuple[int, int]]:
        if self._lines is None:
            bounds, start = [], 0
            for brk in self.line_breaks.finditer(self.text):
                bounds.append((start, brk.start()))
                start = brk.end()
            if start < len(self.text):
                bounds.append((start, len(self.text)))
            object.__setattr__(self, "_lines", bounds)
        return self._lines  # type: ignore[return-value]


class NotUtf8(ValueError):
    """Input bytes that are not UTF-8, with the position of the first bad byte."""

    def __init__(self, span: Span, byte: int) -> None:
        super().__init__(f"byte 0x{byte:02x} at {span} is not valid UTF-8")
        self.span, self.byte = span, byte


def decode_utf8(data: bytes, file: str, line_breaks: re.Pattern[str] = MERMAID_LINE_BREAKS,
                strip_bom: bool = False) -> str:
    """The one way input bytes become text: strict UTF-8 (never surrogateescape, so no
    undecodable byte travels on as a lone surrogate). Raises NotUtf8 pointing at the first
    bad byte's line and column, counted as the file's parser counts them (characters, and
    the format's `line_breaks`)."""
    if strip_bom and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8")  # valid: the error is the first bad byte
        line, line_start = 1, 0
        for brk in line_breaks.finditer(before):
            line, line_start = line + 1, brk.end()
        span = Span.point(file, line, len(before) - line_start + 1)
        raise NotUtf8(span, data[exc.start]) from None


def display_path(name: str) -> str:
    """A file name as messages and generated files cite it: a name that is not UTF-8 (Python
    hands those over surrogate-escaped) shows each undecodable byte as `\\xNN`, so it can be
    printed and written as UTF-8 anywhere."""
    return _SURROGATE_BYTE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", name)


_SURROGATE_BYTE = re.compile("[\udc80-\udcff]")


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
# Far above any real spec (Mermaid itself refuses diagrams over 50,000 characters by default;
# the 20,000-component benchmark diagram is about 1.5 MB) and low enough that the parser, at
# about 150 bytes of memory per input byte, stays under 1 GiB: a cap so /dev/zero or a
# generated flood cannot exhaust memory.
MAX_INPUT_BYTES = 4 * 1024 * 1024

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


def tree_of(path: Path) -> Path:
    """The tree the absolute, unresolved `path` is named in, which a file given on the command
    line (`fmt`, `parse`) must resolve inside: the nearest folder above it (by
    name, not through links) that holds `.git`; else the working directory if it is below it;
    else its own folder."""
    folder = next((f for f in path.parents if (f / ".git").exists()), None)
    if folder is None:
        here = Path.cwd()
        folder = here if here in path.parents else path.parent
    return folder.resolve()
