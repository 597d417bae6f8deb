"""Which cloud a diagram draws: archc compiles AWS, and says so once for a diagram of another
cloud (ARC220) instead of one unknown-kind error per node."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archc import diagnostics as d
from archc.kinds import CLOUD_WORDS, HOME_CLOUD, INFER_CHARS, with_article
from archc.model import one_line
from archc.source import Span
from archc.spec.flowchart import Flowchart

# Another cloud needs this many of its words, and more than AWS's, to be told apart: one
# "Azure" node beside AWS services is a third-party service, not the whole diagram.
MIN_WORDS = 2


@dataclass(frozen=True, slots=True)
class _Mention:
    text: str  # what is searched: a label and its id, or a title
    shown: str  # what the message quotes
    span: Span


def other_cloud(chart: Flowchart) -> d.Diagnostic | None:
    """ARC220 at the first telling node when the diagram draws another cloud, else None."""
    mentions = list(_mentions(chart))
    counts = {cloud: sum(1 for m in mentions if words.search(m.text.lower()))
              for cloud, words in CLOUD_WORDS.items()}
    other = max((c for c in counts if c != HOME_CLOUD), key=lambda c: counts[c])
    if counts[other] < MIN_WORDS or counts[other] <= counts[HOME_CLOUD]:
        return None
    first = next(m for m in mentions if CLOUD_WORDS[other].search(m.text.lower()))
    return d.error(
        "ARC220", f"this diagram draws {with_article(other)} architecture ({counts[other]} of "
                  f"its nodes and subgraphs name {other} services, {counts[HOME_CLOUD]} name "
                  f"AWS ones, first {one_line(first.shown)[:80]!r}); archc compiles AWS "
                  "architectures only",
        first.span,
        hint="draw it with AWS services (VPC, subnets, EC2, RDS, S3, ...); if it is AWS, "
             "write `cloud: aws` in the overlay to read it as such")


def _mentions(chart: Flowchart) -> Iterator[_Mention]:
    """Every node label (with its id) and subgraph title, in source order."""
    items = [_Mention(f"{n.label[:INFER_CHARS]} {n.id[:INFER_CHARS]}", n.label, n.span)
             for n in chart.nodes]
    items += [_Mention(s.title[:INFER_CHARS], s.title, s.span) for s in chart.subgraphs]
    yield from sorted(items, key=lambda m: m.span.sort_key())
