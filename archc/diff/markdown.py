"""The markdown form of a diff report: a pull-request comment.

A one-line verdict, one RISK line per risk (biggest first), a Mermaid picture of the change
(picture.py), the summary table, one section per kind of change with the source line of
each, then the generated files' unified diffs, each in a <details> block one click away.
Small changes give small comments: the diffs get a budget that grows with the number of
changes; GitHub refuses comments over 65,536 characters, so the change list and the diffs
both stop at a budget, and the comment says what it left out.

Everything from the specs (ids, values, overlay strings, source lines, revisions) is hostile:
it goes in only through `archc.markup` (inline code or escaped text, one line each), so a pull
request cannot add headings, HTML, images or open a <details> in the comment.
"""

from __future__ import annotations

import re
from typing import Any

from archc import markup
from archc.diff.change import Risk
from archc.diff.files import FileDiff
from archc.diff.picture import MARKS, Picture, mermaid
from archc.diff.render import TABLE_ROWS, change_text, grouped, kind_word, plural, verdict
from archc.diff.report import Report
from archc.terminal import clip

MAX_FILE_LINES = 60  # diff lines shown per file
BUDGET = 60_000  # characters for the whole comment, under GitHub's 65,536
ITEMS_BUDGET = 30_000  # characters for everything before the file diffs
# The file diffs get FILES_BASE characters plus FILES_PER_CHANGE per change: a one-component
# change stays a short comment, a large one shows more (up to BUDGET).
FILES_BASE = 6_000
FILES_PER_CHANGE = 1_000
# Which diffs a reviewer reads first when not all fit: what will be applied (what opens
# network and IAM access first), then what will be deployed, then the reports and pictures
# derived from them.
FILE_ORDER = ("terraform/modules/platform/security_groups.tf", "terraform/modules/platform/iam.tf",
              "terraform/modules/", "terraform/", "helm/", "security/", "diagrams/")
MAX_RISKS = 25  # RISK lines; the rest are counted (every one is in `--format json`)
PATH_WIDTH = 200  # characters of a file name (the spec's ids make them)
MESSAGE_WIDTH = 300  # characters of a risk message (it quotes labels and ranges)
TITLE = "## archc diff"


def render_markdown(report: Report) -> str:
    parts = [TITLE, "", f"**{markup.md_text(verdict(report))}**", "",
             f"Base {code(report.base)} → head {code(report.head)}"]
    if report.risks:
        parts += ["", "### Risks", "", *(f"- {_risk(r)}" for r in report.risks[:MAX_RISKS])]
        if len(report.risks) > MAX_RISKS:
            parts.append(f"- and {plural(len(report.risks) - MAX_RISKS, 'more risk')} "
                         "(run `archc diff` locally)")
    if report.picture is not None:
        parts += ["", *_picture(report.picture)]
    if report.changed:
        envs = ", ".join(markup.md_text(e) for e in report.environments) or "none"
        parts += ["", *_table(report.summary()), "", f"Environments affected: {envs}"]
    text = "\n".join(parts) + "\n" + _sections(report)
    if report.files:
        room = FILES_BASE + FILES_PER_CHANGE * len(report.items)
        text += _files(report.files, min(room, BUDGET - len(text)))
    return text


def _risk(risk: Risk) -> str:
    codes = " ".join(code(c) for c in risk.codes)
    return f"**RISK** {codes}: {markup.md_text(clip(risk.message, MESSAGE_WIDTH))}"


def _picture(picture: Picture) -> list[str]:
    lines = ["### Picture of the change", "", "```mermaid", mermaid(picture).rstrip("\n"),
             "```", "",
             f"Marked by colour and by text: {', '.join(f'**{m}**' for m in MARKS.values())}. "
             "Thick arrows are added or changed flows, dotted arrows removed ones; arrows "
             "point from the component that opens the connection."]
    if picture.nodes_left_out or picture.edges_left_out:
        lines += ["", f"The picture leaves out {plural(picture.nodes_left_out, 'component')} "
                  f"and {plural(picture.edges_left_out, 'flow')} (it shows "
                  f"{len(picture.nodes)}); the changes are listed below."]
    return lines


def _sections(report: Report) -> str:
    """One section per subject; past ITEMS_BUDGET, a count of the changes not listed."""
    text, listed = "", 0
    for title, items in grouped(report):
        blocks: list[str] = []
        for item in items:
            block = "\n".join(_item(item)) + "\n"
            if len(text) + sum(map(len, blocks)) + len(block) > ITEMS_BUDGET:
                break
            blocks.append(block)
        if blocks:
            text += f"\n### {title}\n\n" + "".join(blocks)
            listed += len(blocks)
        if len(blocks) < len(items):
            break
    if listed < len(report.items):
        text += (f"\n{plural(len(report.items) - listed, 'more change')} not listed: the "
                 "comment has no room (run `archc diff` locally, or `--format json`).\n")
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
    # the risk is told once, under Risks: here only its codes point to it
    flagged = "".join(f" · risk {' '.join(code(c) for c in r.codes)}" for r in item.risks)
    lines = [f"- **{kind_word(change)}** {code(change_text(change))}{flagged}"]
    if item.where:
        quoted = f": {code(item.line)}" if item.line else ""
        lines.append(f"  <br>{code(item.where)}{quoted}")
    return lines


def _files(files: tuple[FileDiff, ...], budget: int) -> str:
    out = f"\n### Generated files ({len(files)} changed)\n\n"
    moved = [f for f in files if f.comments_only]
    if moved:
        out += ("Only comments changed (the spec lines they cite moved): "
                f"{_names(moved, budget // 4, counts=False)}\n\n")
    # The list of what is left out has room set aside first, so it always fits.
    room = budget - len(out) - budget // 4
    left_out = []
    for diff in sorted((f for f in files if not f.comments_only), key=_reading_order):
        block = _file_block(diff)
        if len(block) > room:
            left_out.append(diff)
            continue
        out += block
        room -= len(block)
    if left_out:
        out += (f"{len(left_out)} more file(s) changed; their diffs are left out to keep the "
                f"comment short (run `archc diff` locally): {_names(left_out, budget // 4)}\n")
    return out


def _names(files: list[FileDiff], room: int, counts: bool = True) -> str:
    """`a.tf` modified (+1 −2), ... as many as fit in `room` characters, then a count."""
    names: list[str] = []
    for n, diff in enumerate(files):
        name = code(clip(diff.path, PATH_WIDTH))
        if counts:
            name += f" {diff.status} (+{diff.added} −{diff.removed})"
        if sum(len(x) + 2 for x in names) + len(name) > room - 40:
            return ", ".join(names) + f" and {len(files) - n} more"
        names.append(name)
    return ", ".join(names)


def _reading_order(diff: FileDiff) -> tuple[int, str]:
    rank = next((n for n, top in enumerate(FILE_ORDER) if diff.path.startswith(top)),
                len(FILE_ORDER))
    return rank, diff.path


def _file_block(diff: FileDiff) -> str:
    """One file in <details>: the hunks that change meaning, cut at MAX_FILE_LINES."""
    lines = diff.review.splitlines()
    shown = lines[:MAX_FILE_LINES]
    body = "\n".join(shown)
    notes = []
    if len(lines) > len(shown):
        notes.append(f"… {len(lines) - len(shown)} more diff lines not shown (run `archc "
                     "diff` locally).")
    if diff.comment_hunks:
        verb = "changes" if diff.comment_hunks == 1 else "change"
        notes.append(f"{plural(diff.comment_hunks, 'hunk')} that only {verb} comments "
                     "not shown.")
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    note = "".join(f"\n{n}\n" for n in notes)
    return (f"<details><summary><code>{markup.html_text(diff.path)}</code> {diff.status} "
            f"(+{diff.added} −{diff.removed})</summary>\n\n"
            f"{fence}diff\n{body}\n{fence}\n{note}\n</details>\n\n")
