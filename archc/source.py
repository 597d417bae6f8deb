"""Source files and spans: the one position type every diagnostic points with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
