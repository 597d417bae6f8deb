"""Source files and spans: the one position type every diagnostic points with."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # The lines, split once: a run with many diagnostics on a large file stays linear.
    _lines: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def line_text(self, line: int) -> str:
        if self._lines is None:
            object.__setattr__(self, "_lines", self.text.splitlines())
        lines: list[str] = self._lines  # type: ignore[assignment]
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
