"""Rendering diagnostics for people (text with a caret) and for tools (JSON)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO

from archc.diagnostics import Diagnostic, Severity
from archc.source import SourceRegistry, Span
from archc.terminal import clip_message, source_window

DIAGNOSTICS_JSON_VERSION = 1

_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m",
            Severity.NOTE: "\033[1;36m"}
_RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    """NO_COLOR disables, FORCE_COLOR forces, otherwise only on a terminal (pypa/build)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def render_text(diag: Diagnostic, sources: SourceRegistry | None, colour: bool = False) -> str:
    """A diagnostic for people. Everything taken from the input (messages quote labels and
    names, the source line) is escaped and clipped by `archc.terminal`: a hostile spec can
    neither drive the terminal nor flood it."""
    sev = diag.severity.value
    message = clip_message(diag.message)
    head = f"{sev}[{diag.code}]: {message}"
    if colour:
        head = f"{_COLOURS[diag.severity]}{sev}[{diag.code}]{_RESET}: {message}"
    lines = [f"{_where(diag.span)}: {head}" if diag.span else head]
    lines += _snippet(diag, sources)
    for n in diag.notes:
        where = f"{_where(n.span)}: " if n.span else ""
        lines.append(f"  note: {where}{clip_message(n.message)}")
    if diag.hint:
        lines.append(f"  hint: {clip_message(diag.hint)}")
    return "\n".join(lines)


def _where(span: Span) -> str:
    return clip_message(str(span))


def _snippet(diag: Diagnostic, sources: SourceRegistry | None) -> list[str]:
    span = diag.span
    if span is None or sources is None:
        return []
    source = sources.get(span.file)
    if source is None:
        return []
    line = source.line_text(span.line)
    if not line.strip():
        return []
    end = span.end_col - 1 if span.end_line == span.line else len(line)
    text, col, width = source_window(line, span.col - 1, end)
    gutter = f"{span.line:>4} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * col + "^" * width
    return [gutter + text, caret]


def write_text(diags: Iterable[Diagnostic], sources: SourceRegistry | None,
               stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    colour = use_colour(stream)
    for diag in diags:
        stream.write(render_text(diag, sources, colour) + "\n")


def to_json(diag: Diagnostic) -> dict[str, object]:
    span = diag.span
    return {
        "code": diag.code,
        "severity": diag.severity.value,
        "message": diag.message,
        "file": span.file if span else None,
        "line": span.line if span else None,
        "col": span.col if span else None,
        "end_line": span.end_line if span else None,
        "end_col": span.end_col if span else None,
        "hint": diag.hint,
        "notes": [
            {"message": n.message, "file": n.span.file if n.span else None,
             "line": n.span.line if n.span else None, "col": n.span.col if n.span else None}
            for n in diag.notes
        ],
    }


def summary_line(diags: list[Diagnostic]) -> str:
    counts = {s: sum(1 for d in diags if d.severity is s) for s in Severity}
    return (f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
            f"{counts[Severity.NOTE]} note(s)")


def diagnostics_json(diags: list[Diagnostic]) -> str:
    """The versioned JSON form of `archc check --format json`."""
    import json

    body = {
        "version": DIAGNOSTICS_JSON_VERSION,
        "summary": {s.value: sum(1 for d in diags if d.severity is s) for s in Severity},
        "diagnostics": [to_json(d) for d in diags],
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
