"""The markdown form of a diff report: a pull-request comment.

A one-line verdict, the summary table, RISK lines, one section per kind of change with the
source line of each, then the generated files' unified diffs in <details> blocks. GitHub
refuses comments over 65,536 characters, so diffs are cut per file and stop at a budget,
with a note saying what was left out.

Everything from the specs (ids, values, overlay strings, source lines, revisions) is hostile:
it goes in only through `archc.markup` (inline code or escaped text, one line each), so a pull
request cannot add headings, HTML, images or open a <details> in the comment.
"""

from __future__ import annotations

import re
from typing import Any

from archc import markup
from archc.diff.files import FileDiff
from archc.diff.render import TABLE_ROWS, change_text, grouped, kind_word, plural, verdict
from archc.diff.report import Report

MAX_FILE_LINES = 120  # diff lines shown per file
BUDGET = 60_000  # characters for the whole comment, under GitHub's 65,536
TITLE = "## archc diff"


def render_markdown(report: Report) -> str:
    summary = report.summary()
    parts = [TITLE, "", f"**{markup.md_text(verdict(report))}**", "",
             f"Base {code(report.base)} → head {code(report.head)}"]
    if report.changed:
        envs = ", ".join(markup.md_text(e) for e in report.environments) or "none"
        parts += ["", *_table(summary), "", f"Environments affected: {envs}"]
    if report.risks:
        parts += ["", "### Risks", ""]
        parts += [f"- **RISK** {code(r.code)}: {markup.md_text(r.message)}"
                  for r in report.risks]
    for title, items in grouped(report):
        parts += ["", f"### {title}", ""]
        for item in items:
            parts += _item(item)
    text = "\n".join(parts) + "\n"
    if report.files:
        text += _files(report.files, BUDGET - len(text))
    return text


def code(text: str) -> str:
    """Inline code that survives backticks and line breaks in the text (`markup.md_code`)."""
    return markup.md_code(text)


def _table(summary: dict[str, Any]) -> list[str]:
    rows = ["| | added | removed | modified |", "| --- | ---: | ---: | ---: |"]
    for label, key, kinds in TABLE_ROWS:
        cells = [str(summary[key][k]) if k else "–" for k in kinds]
        rows.append(f"| {label} | {' | '.join(cells)} |")
    return rows


def _item(item: Any) -> list[str]:
    change = item.change
    # no +/- sign here: "- + x" is a nested list in Markdown
    lines = [f"- **{kind_word(change)}** {code(change_text(change))}"]
    if item.where:
        quoted = f": {code(item.line)}" if item.line else ""
        lines.append(f"  <br>{code(item.where)}{quoted}")
    lines += [f"  <br>**RISK** {code(r.code)}: {markup.md_text(r.message)}"
              for r in item.risks]
    return lines


def _files(files: tuple[FileDiff, ...], budget: int) -> str:
    out = f"\n### Generated files ({len(files)} changed)\n\n"
    moved = [f for f in files if f.refs_only]
    if moved:
        out += (f"Only renumbered line references (lines of the spec moved): "
                f"{', '.join(code(f.path) for f in moved)}\n\n")
    left_out = []
    for diff in (f for f in files if not f.refs_only):
        block = _file_block(diff)
        if len(out) + len(block) > budget:
            left_out.append(diff)
            continue
        out += block
    if left_out:
        out += (f"{len(left_out)} more file(s) changed; their diffs do not fit in a comment "
                "(run `archc diff` locally):\n\n")
        out += "".join(f"- {code(f.path)} {f.status} (+{f.added} −{f.removed})\n"
                       for f in left_out)
    return out


def _file_block(diff: FileDiff) -> str:
    """One file in <details>: the hunks that change meaning, cut at MAX_FILE_LINES."""
    lines = diff.review.splitlines()
    shown = lines[:MAX_FILE_LINES]
    body = "\n".join(shown)
    notes = []
    if len(lines) > len(shown):
        notes.append(f"… {len(lines) - len(shown)} more diff lines not shown (run `archc "
                     "diff` locally).")
    if diff.ref_hunks:
        verb = "renumbers" if diff.ref_hunks == 1 else "renumber"
        notes.append(f"{plural(diff.ref_hunks, 'hunk')} that only {verb} line references "
                     "not shown.")
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    note = "".join(f"\n{n}\n" for n in notes)
    return (f"<details><summary><code>{markup.html_text(diff.path)}</code> {diff.status} "
            f"(+{diff.added} −{diff.removed})</summary>\n\n"
            f"{fence}diff\n{body}\n{fence}\n{note}\n</details>\n\n")
