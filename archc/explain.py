"""`archc explain`: what archc decided for one component, zone or edge, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archc.model import Architecture, Component, Decision, Flow, Zone, thaw
from archc.terminal import escape


@dataclass(frozen=True)
class Explanation:
    title: str
    declared_at: str
    facts: tuple[tuple[str, str], ...]
    decisions: tuple[Decision, ...]
    extra: tuple[str, ...] = ()

    def to_text(self) -> str:
        lines = [self.title, f"  declared at {self.declared_at}"]
        lines += [f"  {key}: {value}" for key, value in self.facts]
        if self.decisions:
            lines.append("  decisions:")
        for dec in self.decisions:
            where = f" [{dec.span}]" if dec.span else ""
            lines.append(f"    {dec.attribute} = {dec.value}  ({dec.source}: {dec.reason}){where}")
        lines += [f"  {line}" for line in self.extra]
        # Labels, titles and overlay values are the spec author's: shown, never obeyed.
        return "".join(escape(line) + "\n" for line in lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "declared_at": self.declared_at,
            "facts": dict(self.facts),
            "decisions": [{"attribute": x.attribute, "value": x.value, "source": x.source,
                           "reason": x.reason, "at": str(x.span) if x.span else None}
                          for x in self.decisions],
            "extra": list(self.extra),
        }


def explain(arch: Architecture, target: str) -> Explanation | None:
    comp = arch.component(target)
    if comp is not None:
        return _component(arch, comp)
    zone = arch.zone(target) or next((z for z in arch.zones if z.title == target), None)
    if zone is not None:
        return _zone(arch, zone)
    flows = _flows_named(arch, target)
    if len(flows) == 1:
        return _flow(flows[0])
    return None


def _component(arch: Architecture, comp: Component) -> Explanation:
    tier = arch.tier_of(comp)
    flows = [f for f in arch.flows if comp.id in (f.initiator, f.target)]
    kind = "unknown" if comp.id in arch.unknown_kinds else comp.kind.value  # not the placeholder
    facts = [("label", comp.title), ("kind", kind),
             ("zone", " < ".join(z.title for z in arch.ancestors(comp.zone)) or "(top level)"),
             ("tier", tier.value if tier else "-")]
    for env in arch.environments:
        props = thaw(env.props(comp.id))
        if props:
            facts.append((f"properties in {env.name}", _inline(props)))
    extra = tuple(f"flow {f.ref} [{f.id}]: {f.flow_class} {f.port_text()}".rstrip()
                  for f in flows)
    return Explanation(f"component {comp.id}", str(comp.span), tuple(facts), comp.decisions,
                       extra)


def _zone(arch: Architecture, zone: Zone) -> Explanation:
    members = [c.id for c in arch.components if c.zone == zone.id]
    role = "unknown" if zone.id in arch.unknown_roles else zone.role.value  # not the placeholder
    facts = [("title", zone.title), ("role", role),
             ("tier", zone.tier.value if zone.tier else "-"),
             ("parent", zone.parent or "(top level)"), ("components", ", ".join(members) or "-")]
    extra = tuple(f"{env.name}: " + ", ".join(s.cidr for s in env.subnets_of(zone.id))
                  for env in arch.environments if env.subnets_of(zone.id))
    return Explanation(f"zone {zone.id}", str(zone.span), tuple(facts), zone.decisions, extra)


def _flow(flow: Flow) -> Explanation:
    facts = [("edge", f"{flow.ref} [{flow.id}]"), ("label", flow.label or "-"),
             ("initiator", flow.initiator), ("target", flow.target),
             ("class", flow.flow_class.value), ("ports", flow.port_text() or "-")]
    if flow.buckets:
        facts += [("buckets", ", ".join(flow.buckets)), ("access", flow.access)]
    return Explanation(f"flow {flow.ref}", str(flow.span), tuple(facts), flow.decisions)


def _flows_named(arch: Architecture, target: str) -> list[Flow]:
    by_id = [f for f in arch.flows if f.id == target]
    if by_id:
        return by_id
    match = re.fullmatch(r"\s*(\S+)\s*(<->|->|-->|<-->)\s*(\S+)\s*", target)
    if not match:
        return []
    a, _, b = match.groups()
    return [f for f in arch.flows if {f.src, f.dst} == {a, b}]


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return str(value)
