"""`archc fmt --fix`: quote the labels Mermaid rejects because they are not quoted.

Mermaid's lexer reads ``( ) [ ] { } | "`` inside an unquoted node label, edge label
(``-->|...|``) or subgraph title as syntax, so ``ALB[ALB (a)]``, ``-->|HTTPS (via VNet)|`` and
``subgraph GCP VPC (us-central1)`` are parse errors (``<``, ``>`` and ``@`` too in a subgraph
title). Quoted, the same text is a label: ``ALB["ALB (a)"]``, ``-->|"HTTPS (via VNet)"|``,
``subgraph "GCP VPC (us-central1)"``, with a ``"`` inside written ``#quot;`` as Mermaid does.

This is a text repair, not a re-print: only a line the parser rejects is looked at, only the
labels on it are rewritten (`quoting.line_repairs`), and the repair is kept only if the parser
then gets past them; every other byte of the file stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archc.diagnostics import Diagnostic, Severity
from archc.source import SourceFile, SourceRegistry
from archc.spec.mermaid.quoting import Repair, apply, line_repairs

__all__ = ["Fixed", "FixedFile", "Repair", "fix_file", "fix_quoting", "line_repairs"]

_MAX_ROUNDS = 50


@dataclass(frozen=True, slots=True)
class Fixed:
    """A flowchart's text after `fix_quoting`, with the repairs made as (line, Repair)."""

    text: str
    repairs: tuple[tuple[int, Repair], ...]


_LINES = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def fix_quoting(text: str, file: str) -> Fixed:
    """`text` (a flowchart) with the labels quoted that make Mermaid reject it, repeating
    until it parses or no repair on a rejected line gets the parser past it (at most
    `_MAX_ROUNDS` rounds, each over the rejected lines one parse reports)."""
    lines = _LINES.findall(text)
    made: list[tuple[int, Repair]] = []
    tried: set[int] = set()
    errors = _error_lines(lines, file)
    for _ in range(_MAX_ROUNDS):
        failing = [n for n in errors if n not in tried and n <= len(lines)]
        tried.update(failing)
        plan = {n: reps for n in failing if (reps := line_repairs(_content(lines[n - 1])))}
        if not plan:
            break
        trial = list(lines)
        for n, reps in plan.items():
            body = _content(lines[n - 1])
            trial[n - 1] = apply(body, reps) + lines[n - 1][len(body):]
        still = _error_lines(trial, file)
        kept = {n for n, reps in plan.items()
                if _got_past(still.get(n), trial[n - 1], lines[n - 1], reps)}
        for n in sorted(kept):
            lines[n - 1] = trial[n - 1]
            made += [(n, r) for r in plan[n]]
        # the trial's errors are the new text's when every repair was kept
        errors = still if len(kept) == len(plan) else _error_lines(lines, file)
    return Fixed("".join(lines), tuple(made))


def _content(line: str) -> str:
    return line.rstrip("\r\n")


def _error_lines(lines: list[str], file: str) -> dict[int, int]:
    """The lines the parser rejects, with the first rejected column on each (1-based)."""
    from archc.spec.mermaid.parse import parse_flowchart

    chart, diags = parse_flowchart("".join(lines), file)
    if chart is not None:
        return {}
    found: dict[int, int] = {}
    for d in diags:
        if d.severity is Severity.ERROR and d.span is not None:
            found[d.span.line] = min(found.get(d.span.line, d.span.col), d.span.col)
    return found


def _got_past(col: int | None, fixed: str, original: str, reps: list[Repair]) -> bool:
    """The repaired line parses, or its error now lies after the last quoted label (the
    line's other problem is not a quoting one, and stays reported)."""
    if col is None:
        return True
    grown = len(fixed) - len(original)
    return col - 1 >= max(r.end for r in reps) + grown


@dataclass(frozen=True, slots=True)
class FixedFile:
    """A whole file after `fix_file`: its text, the repairs (with file line numbers) and what
    the parser still reports on the result."""

    path: str
    text: str
    repairs: tuple[tuple[int, Repair], ...]
    diagnostics: tuple[Diagnostic, ...]
    found: bool = True  # False: a Markdown file without a ```mermaid flowchart

    def sources(self) -> SourceRegistry:
        registry = SourceRegistry()
        registry.add(SourceFile(self.path, self.text))
        return registry


def fix_file(text: str, path: str) -> FixedFile:
    """`fix_quoting` on a file's flowchart (a `.md` file's ```mermaid block), the rest of the
    file kept as it is."""
    from archc.spec.mermaid.parse import extract_flowchart, parse_flowchart

    found = extract_flowchart(text, path)
    if not isinstance(found, tuple):
        return FixedFile(path, text, (), (found,), found=False)
    body, offset = found
    fixed = fix_quoting(body, path)
    lines = _LINES.findall(text)
    count = len(_LINES.findall(body))
    whole = "".join(lines[:offset]) + fixed.text + "".join(lines[offset + count:])
    _, diags = parse_flowchart(fixed.text, path, offset)
    return FixedFile(path, whole, tuple((n + offset, r) for n, r in fixed.repairs),
                     tuple(d for d in diags if d.severity is not Severity.NOTE))
