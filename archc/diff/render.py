"""Text (terminal) and JSON forms of a diff report, and the phrases the markdown form shares.

Everything is ordered by the report (changes in `compare.order`, files by path); no clock, no
machine path, so the same two specs always render the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from archc.diff.change import Change
from archc.diff.report import Report
from archc.source import display_path
from archc.terminal import SOURCE_WIDTH, clip, escape_lines

JSON_VERSION = 1
SECTIONS = {  # subject -> section title, in report order
    "component": "Components", "zone": "Zones", "flow": "Flows", "sg_rule": "Security-group rules",
    "iam_policy": "IAM permissions", "environment": "Environments", "policy": "Policy",
    "project": "Project",
}
SIGNS = {"added": "+", "removed": "-", "modified": "~"}
# What adding or removing means for rules and permissions, as the summary table says it.
KIND_WORDS = {"sg_rule": {"added": "opened", "removed": "closed"},
              "iam_policy": {"added": "granted", "removed": "revoked"}}
TABLE_ROWS = (  # (label, summary key, (added, removed, modified) keys)
    ("components", "components", ("added", "removed", "modified")),
    ("zones", "zones", ("added", "removed", "modified")),
    ("flows", "flows", ("added", "removed", "modified")),
    ("environments", "environments", ("added", "removed", "modified")),
    ("SG rules (opened / closed)", "sg_rules", ("opened", "closed", "modified")),
    ("IAM permissions (granted / revoked)", "iam_permissions", ("granted", "revoked", "")),
)


# --------------------------------------------------------------------------- shared
def kind_word(change: Change) -> str:
    return KIND_WORDS.get(change.subject, {}).get(change.kind, change.kind)


def value(text: str | None) -> str:
    return "(unset)" if text is None else text or '""'


def change_text(change: Change) -> str:
    """One line per change: `prod: RDS.multi_az true -> false`, `+ Node2 -> RDS ...`."""
    if change.subject == "iam_policy":
        action = change.new if change.kind == "added" else change.old
        return f"{action} on {change.key} ({change.id})"
    if change.kind != "modified":
        return f"{change.id}: {value(change.new or change.old)}"
    return f"{_subject_of(change)}: {value(change.old)} -> {value(change.new)}"


def _subject_of(change: Change) -> str:
    if change.aspect == "props":
        return f"{change.env}: {change.id}.{change.key}"
    if change.subject in ("policy", "project"):
        return f"{change.subject}.{change.key}"
    aspect = change.key or change.aspect
    return f"{change.id} {aspect}"


def verdict(report: Report) -> str:
    summary = report.summary()
    if not report.changed:
        return _no_change(report.files or ())
    risks = summary["risks"]
    head = f"{plural(risks, 'risk')} to review" if risks else "no flagged risk"
    return f"{head} in {plural(summary['changes'], 'change')}: {'; '.join(phrases(summary))}."


def _no_change(files: tuple[Any, ...]) -> str:
    if not files:
        return "No change: base and head compile to the same architecture."
    comments = sum(1 for f in files if f.comments_only)
    if comments == len(files):
        return (f"No architecture change; {plural(len(files), 'generated file')} differ in "
                "comments only (the spec lines they cite moved).")
    also = f", {comments} of them in comments only" if comments else ""
    return (f"No architecture change, but {plural(len(files), 'generated file')} differ "
            f"(line references, order{also}): read their diffs.")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def phrases(summary: dict[str, Any]) -> list[str]:
    """`1 component added, 2 modified`, `2 SG rules opened`, ... (non-zero counts only)."""
    out = []
    for label, key, kinds in TABLE_ROWS:
        noun = label.split(" (")[0].removesuffix("s")
        counts = [(summary[key][k], k) for k in kinds if k and summary[key][k]]
        if counts:
            first = f"{plural(counts[0][0], noun)} {counts[0][1]}"
            out.append(", ".join([first, *(f"{n} {k}" for n, k in counts[1:])]))
    if summary["policy"]:
        out.append(plural(summary["policy"], "policy or project setting") + " changed")
    return out


def grouped(report: Report) -> list[tuple[str, list[Any]]]:
    """(section title, items) for the subjects that have changes, in report order."""
    out = []
    for subject, title in SECTIONS.items():
        items = [i for i in report.items if i.change.subject == subject]
        if items:
            out.append((title, items))
    return out


# --------------------------------------------------------------------------- text
def render_text(report: Report) -> str:
    summary = report.summary()
    lines = [f"archc diff {report.base} -> {report.head}", verdict(report)]
    if report.changed:
        lines += _text_table(summary)
        lines.append(f"environments affected: {', '.join(report.environments) or 'none'}")
    for risk in report.risks:
        lines.append(f"RISK {', '.join(risk.codes)}: {risk.message}")
    for title, items in grouped(report):
        lines += ["", f"{title}:"]
        for item in items:
            lines.append(f"  {SIGNS[item.change.kind]} {change_text(item.change)}")
            if item.where:
                # The cited source line, capped as a diagnostic caps its echo.
                lines.append(f"      {item.where}: {clip(item.line, SOURCE_WIDTH)}")
            lines += [f"      RISK {', '.join(r.codes)}: {r.message}" for r in item.risks]
    text = "\n".join(lines) + "\n"
    for diff in report.files or ():
        text += "\n" + diff.diff
    # Labels, names, revisions and generated text all come from the specs: shown, not obeyed.
    return escape_lines(text)


def _text_table(summary: dict[str, Any]) -> list[str]:
    rows = [f"  {'':<36}{'added':>8}{'removed':>9}{'modified':>10}"]
    for label, key, kinds in TABLE_ROWS:
        cells = [str(summary[key][k]) if k else "-" for k in kinds]
        rows.append(f"  {label:<36}{cells[0]:>8}{cells[1]:>9}{cells[2]:>10}")
    return rows


# --------------------------------------------------------------------------- json
def render_json(report: Report) -> str:
    body = {
        "version": JSON_VERSION,
        # Labels are command-line paths and revisions: a name that is not UTF-8 arrives
        # surrogate-escaped and could not be written as UTF-8 JSON.
        "base": display_path(report.base),
        "head": display_path(report.head),
        "verdict": verdict(report),
        "summary": report.summary(),
        "changes": [_change_json(item) for item in report.items],
        # one per risk, biggest first; `code` is the biggest rule, `codes` all it trips
        "risks": [{"code": r.code, "codes": list(r.codes), "message": r.message,
                   "subject": r.change.subject, "id": r.change.id} for r in report.risks],
        "files": None if report.files is None else {
            f.path: {"status": f.status, "added": f.added, "removed": f.removed,
                     "comments_only": f.comments_only, "diff": f.diff}
            for f in report.files},
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _change_json(item: Any) -> dict[str, Any]:
    c = item.change
    return {"kind": c.kind, "subject": c.subject, "id": c.id, "aspect": c.aspect,
            "env": c.env, "key": c.key, "old": c.old, "new": c.new, "text": change_text(c),
            "where": display_path(item.where), "line": item.line, "side": item.side,
            "span": None if c.span is None else {"file": c.span.file, "line": c.span.line,
                                                 "col": c.span.col},
            "risks": [{"code": r.code, "codes": list(r.codes), "message": r.message}
                      for r in item.risks]}
