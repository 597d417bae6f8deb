"""A diff report: the changes, their risks and source lines, a summary, the file diffs.

Built once from two compiled sides; the renderers (text, markdown, JSON) only format it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from archc.diff.change import Change, Risk
from archc.diff.compare import compare_sides, locate
from archc.diff.files import FileDiff
from archc.diff.picture import Picture, picture_of
from archc.diff.risks import assess, merge
from archc.diff.side import Side
from archc.source import SourceRegistry, Span
from archc.spec.overlay import Overlay

ENTITIES = ("component", "zone", "flow", "environment")


@dataclass(frozen=True, slots=True)
class Item:
    """One change as a reviewer reads it: with the source line it comes from."""

    change: Change
    where: str  # `spec/architecture.mmd:51`, or "" when no line says it
    line: str  # that line's text, stripped
    side: str  # head, or base for what was removed
    risks: tuple[Risk, ...]  # at most one: the risks of one change are merged


@dataclass(frozen=True, slots=True)
class Report:
    base: str  # how the sides were named on the command line (`origin/main:spec`, `spec`)
    head: str
    items: tuple[Item, ...]
    risks: tuple[Risk, ...]
    environments: tuple[str, ...]  # environments the changes reach, head order
    files: tuple[FileDiff, ...] | None  # None: not asked for (--no-files)
    picture: Picture | None = None  # the changed components and their neighbours

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(item.change for item in self.items)

    @property
    def changed(self) -> bool:
        return bool(self.items)

    def summary(self) -> dict[str, Any]:
        return summarize(self)


@dataclass(frozen=True, slots=True)
class Sources:
    label: str
    side: Side
    sources: SourceRegistry
    overlay: Overlay | None = None  # positions of overlay keys, when there is one


def build_report(base: Sources, head: Sources, files: tuple[FileDiff, ...] | None) -> Report:
    changes = compare_sides(base.side, head.side)
    risks = merge(assess(changes, base.side, head.side), head.side)
    items = tuple(_item(c, base, head, risks) for c in changes)
    envs = affected_environments(changes, base.side, head.side)
    return Report(base.label, head.label, items, risks, envs, files,
                  picture_of(changes, base.side, head.side))


def _item(change: Change, base: Sources, head: Sources, risks: tuple[Risk, ...]) -> Item:
    side, where = ("base", base) if change.kind == "removed" else ("head", head)
    span = overlay_span(where.overlay, change) or (
        change.span if side == "head" else locate(base.side, change))
    source = where.sources.get(span.file) if span else None
    line = source.line_text(span.line).strip() if source and span else ""
    # Cited as the command line named the side (`origin/main:spec/architecture.mmd:51`): a
    # base read from git lives in a temporary directory whose path means nothing.
    ref = f"{PurePosixPath(where.label, PurePosixPath(span.file).name)}:{span.line}" \
        if span else ""
    return Item(change, ref, line, side, tuple(r for r in risks if r.covers(change)))


def overlay_span(overlay: Overlay | None, change: Change) -> Span | None:
    """The overlay line that sets a value only the overlay can say (a property, a policy or
    environment setting): more telling than the component's node in the diagram."""
    if overlay is None or change.subject not in ("component", "environment", "policy"):
        return None
    key = tuple(change.key.split("."))
    by_aspect: dict[str, list[tuple[str, ...]]] = {
        "props": [("environments", change.env, "components", change.id, *key),
                  ("components", change.id, *key)],
        "cidrs": [("environments", change.id, "vpc_cidr")] if change.key == "vpc" else [],
        "settings": [("environments", change.id, *key)],
        "policy": [("policy", *key)],
    }
    candidates = by_aspect.get(change.aspect, [])
    return next((s for path in candidates if (s := overlay.value_span(path))), None)


def affected_environments(changes: tuple[Change, ...], base: Side, head: Side) -> tuple[str, ...]:
    """Environments a change reaches: its own, or all of them for anything in the shared
    platform module (components, flows, rules, policy)."""
    names = [*head.environments, *(e for e in base.environments if e not in head.environments)]
    hit: set[str] = set()
    for change in changes:
        env = change.env or (change.id if change.subject == "environment" else "")
        if not env:
            return tuple(names)
        hit.add(env)
    return tuple(n for n in names if n in hit)


def summarize(report: Report) -> dict[str, Any]:
    changes = report.changes
    summary: dict[str, Any] = {"changes": len(changes), "risks": len(report.risks)}
    for subject in ENTITIES:
        summary[f"{subject}s"] = {kind: _count(changes, subject, kind)
                                  for kind in ("added", "removed", "modified")}
    summary["sg_rules"] = {"opened": _count(changes, "sg_rule", "added"),
                           "closed": _count(changes, "sg_rule", "removed"),
                           "modified": _count(changes, "sg_rule", "modified")}
    summary["iam_permissions"] = {
        "granted": sum(1 for c in changes if c.subject == "iam_policy" and c.kind == "added"),
        "revoked": sum(1 for c in changes if c.subject == "iam_policy" and c.kind == "removed")}
    summary["policy"] = sum(1 for c in changes if c.subject in ("policy", "project"))
    summary["environments_affected"] = list(report.environments)
    if report.files is not None:
        summary["files"] = {status: sum(1 for f in report.files if f.status == status)
                            for status in ("added", "removed", "modified")}
    return summary


def _count(changes: tuple[Change, ...], subject: str, kind: str) -> int:
    """Distinct ids: a component with three modified properties is one modified component."""
    return len({c.id for c in changes if c.subject == subject and c.kind == kind})
