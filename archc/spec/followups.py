"""Findings that follow from an earlier error, so that one problem is reported once.

`archc check` degrades instead of stopping: a diagram line that does not parse is blanked,
an overlay entry that fails the schema is dropped, a component whose kind cannot be told is
left out of the rules that need its kind. What comes after can then restate the first
problem: the overlay names node `X`, whose line did not parse; `RDS`'s kind cannot be told,
because its overlay entry was dropped. Such a follow-up is not counted as a finding: it
becomes a note (shown by `check -v`) whose message ends with "(follows from ARCxxx at
file:line:col)". Once the cause is fixed, it comes back as a finding of its own if it still
holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from archc import diagnostics as d
from archc.source import SourceRegistry, Span

# A word of a diagram line: node ids and subgraph ids, and the text inside quotes
# (subgraph titles, which the overlay may use as zone keys).
_WORD = re.compile(r'"([^"\n]*)"|([^\s"\[\](){}<>|&;:,=.-][^\s"\[\](){}<>|&;:,=]*)')


@dataclass(frozen=True)
class Causes:
    """The errors of the earlier stages that later findings may follow from."""

    # (file, line) of a diagram line that did not parse -> its syntax error
    lost_lines: Mapping[tuple[str, int], d.Diagnostic] = field(default_factory=dict)
    # a word written on such a line -> its syntax error
    lost_words: Mapping[str, d.Diagnostic] = field(default_factory=dict)
    # an overlay entry the schema dropped (its path) -> the error that reported it
    dropped: Mapping[tuple[str | int, ...], d.Diagnostic | None] = field(default_factory=dict)
    # the error that kept the whole overlay from being read
    overlay_lost: d.Diagnostic | None = None

    def of_line(self, span: Span) -> d.Diagnostic | None:
        """The syntax error of the line `span` starts on: what was made of the rest of that
        line is a guess."""
        return self.lost_lines.get((span.file, span.line))

    def of_words(self, *words: str) -> d.Diagnostic | None:
        """The syntax error of the line that declared one of these names, if one did."""
        return next((self.lost_words[w] for w in words if w in self.lost_words), None)

    def of_entry(self, section: str, keys: Iterable[str], attribute: str) -> d.Diagnostic | None:
        """The error that dropped what would have given `section.<key>.attribute`: that
        value, its entry, its whole section, or the whole overlay."""
        wanted = set(keys)
        for path, cause in self.dropped.items():
            if cause is not None and path[:1] == (section,) and (
                    len(path) == 1 or (path[1] in wanted and path[2:] in ((), (attribute,)))):
                return cause
        return self.overlay_lost


def follow_up(finding: d.Diagnostic, cause: d.Diagnostic | None) -> d.Diagnostic:
    """`finding` itself when nothing causes it; else the note that replaces it."""
    if cause is None:
        return finding
    return follows_from(finding, cause.code, cause.span)


def follows_from(finding: d.Diagnostic, code: str, span: Span | None) -> d.Diagnostic:
    """The note that replaces `finding`, which follows from the error `code` at `span`."""
    where = f" at {span}" if span is not None else ""
    return d.note(finding.code, f"{finding.message} (follows from {code}{where})",
                  finding.span, hint=finding.hint, notes=finding.notes)


def collect_causes(diagnostics: list[d.Diagnostic], diagram: str, sources: SourceRegistry,
                  overlay_dropped: Mapping[tuple[str | int, ...], d.Diagnostic | None],
                  overlay_lost: d.Diagnostic | None) -> Causes:
    """The causes, with the diagram's lines that reported an error and the words on them
    (the Mermaid front end blanks such a line and parses the rest)."""
    source = sources.get(diagram)
    lines: dict[tuple[str, int], d.Diagnostic] = {}
    words: dict[str, d.Diagnostic] = {}
    for diag in diagnostics:
        if source is None or diag.severity is not d.Severity.ERROR or diag.span is None \
                or diag.span.file != diagram:
            continue
        lines.setdefault((diagram, diag.span.line), diag)
        for quoted, bare in _WORD.findall(source.line_text(diag.span.line)):
            words.setdefault(quoted or bare, diag)
    return Causes(lines, words, overlay_dropped, overlay_lost)
