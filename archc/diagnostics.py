"""Diagnostics: what every stage returns instead of raising, and their codes.

Code ranges (stable; documented in README):
    ARC0xx  input files and I/O (missing spec, unreadable file)
    ARC1xx  Mermaid syntax and overlay YAML/schema
    ARC2xx  linking the diagram to the overlay, kinds, placement
    ARC3xx  flows, policy and reachability
    ARC4xx  CIDRs and addressing
    ARC5xx  emitters (things the targets cannot express)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from archc.source import InputRefused, Span


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Note:
    """A secondary location that explains a diagnostic (e.g. the other end of an overlap)."""

    message: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None
    notes: tuple[Note, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)


def error(code: str, message: str, span: Span | None, hint: str | None = None,
          notes: tuple[Note, ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint, notes)


def warning(code: str, message: str, span: Span | None, hint: str | None = None,
            notes: tuple[Note, ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint, notes)


def note(code: str, message: str, span: Span | None, hint: str | None = None,
         notes: tuple[Note, ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.NOTE, message, span, hint, notes)


def input_refused(display_name: str, exc: InputRefused) -> Diagnostic:
    """An input file archc refuses to read (see `archc.source.read_input`), positioned on
    the file itself: nothing of its content is read, so nothing is quoted."""
    return error(exc.code, f"{display_name} {exc.reason}", Span.point(display_name, 1, 1),
                 hint=exc.hint)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: by file, line, column, code; exact duplicates dropped."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
