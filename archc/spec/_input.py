"""The diagnostic for an input file archc refuses to read (see `archc.source.read_input`)."""

from __future__ import annotations

from archc.diagnostics import Diagnostic, error
from archc.source import InputRefused, Span


def refused(display_name: str, exc: InputRefused) -> Diagnostic:
    """Positioned on the file itself: nothing of its content is read, so nothing is quoted."""
    return error(exc.code, f"{display_name} {exc.reason}", Span.point(display_name, 1, 1),
                 hint=exc.hint)
