"""What a diff is made of: `Change` (one difference) and `Risk` (why a reviewer must look).

Like sqlglot's `Insert`/`Remove`/`Update`, a change is a frozen value; its span is excluded
from equality so a test (or a cache) can compare changes without caring where a line moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archc.source import Span

KINDS = ("added", "removed", "modified")
# Subjects in report order: what a reviewer reads first comes first.
SUBJECTS = ("component", "zone", "flow", "sg_rule", "iam_policy", "environment", "policy",
            "project")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # added | removed | modified
    subject: str  # one of SUBJECTS
    id: str  # stable id: component/zone id, flow "A -> B \"label\"", rule id, policy id, env
    aspect: str = ""  # the check that found a modification ("props", "placement", ...)
    old: str | None = None  # base value (None: absent)
    new: str | None = None  # head value (None: absent)
    env: str = ""  # the environment a per-environment value belongs to
    key: str = ""  # which part of the aspect: a property path, a subnet, a resource
    span: Span | None = field(default=None, compare=False)  # head-side source, if any


@dataclass(frozen=True, slots=True)
class Risk:
    code: str  # stable name of the rule, e.g. "internet-ingress"
    message: str
    change: Change
    also: tuple[str, ...] = ()  # the smaller rules the same exposure trips (`risks.merge`)
    more: tuple[Change, ...] = ()  # the other changes of the same exposure (IAM actions)

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, *self.also)

    def covers(self, change: Change) -> bool:
        return change is self.change or any(change is c for c in self.more)
