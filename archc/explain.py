"""`archc explain`: what archc decided for one component, zone or edge, and why."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from archc.model import Architecture, Component, Decision, Flow, FlowClass, Zone, thaw
from archc.terminal import escape


@dataclass(frozen=True)
class Explanation:
    title: str
    declared_at: str
    facts: tuple[tuple[str, str], ...]
    decisions: tuple[Decision, ...]
    extra: tuple[str, ...] = ()
    blocks: tuple[tuple[str, Any], ...] = ()  # (key, structured value), printed as YAML

    def to_text(self) -> str:
        lines = [self.title, f"  declared at {self.declared_at}"]
        lines += [f"  {key}: {value}" for key, value in self.facts]
        lines += [line for key, value in self.blocks for line in _yaml_block(key, value)]
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
            "facts": {**dict(self.facts), **dict(self.blocks)},
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
        return _flow(arch, flows[0])
    return None


def _component(arch: Architecture, comp: Component) -> Explanation:
    tier = arch.tier_of(comp)
    flows = [f for f in arch.flows if comp.id in (f.initiator, f.target)]
    kind = "unknown" if comp.id in arch.unknown_kinds else str(comp.kind)  # not the placeholder
    facts = [("label", comp.title), ("kind", kind),
             ("zone", " < ".join(z.title for z in arch.ancestors(comp.zone)) or "(top level)"),
             ("tier", tier.value if tier else "-")]
    blocks = tuple((f"properties in {env.name}", thaw(env.props(comp.id)))
                   for env in arch.environments if env.props(comp.id))
    extra = tuple(f"flow {f.ref} [{f.id}]: {f.flow_class} {f.port_text()}".rstrip()
                  for f in flows)
    return Explanation(f"component {comp.id}", str(comp.span), tuple(facts),
                       _zone_names(arch, comp.decisions), extra, blocks)


def _zone(arch: Architecture, zone: Zone) -> Explanation:
    members = [c.id for c in arch.components if c.zone == zone.id]
    role = "unknown" if zone.id in arch.unknown_roles else zone.role.value  # not the placeholder
    facts = [("title", zone.title), ("role", role),
             ("tier", zone.tier.value if zone.tier else "-"),
             ("parent", _zone_name(arch, zone.parent) if zone.parent else "(top level)"),
             ("components", ", ".join(members) or "-")]
    tier = zone.spread_of or zone.id  # a per-AZ copy shows its tier's blocks
    extra = tuple(f"{env.name}: " + ", ".join(s.cidr for s in env.subnets_of(tier))
                  for env in arch.environments if env.subnets_of(tier))
    return Explanation(f"zone {_zone_name(arch, zone.id)}", str(zone.span), tuple(facts),
                       _zone_names(arch, zone.decisions), extra)


def _flow(arch: Architecture, flow: Flow) -> Explanation:
    facts = [("edge", f"{flow.ref} [{flow.id}]"), ("label", flow.label or "-"),
             ("initiator", flow.initiator), ("target", flow.target),
             ("class", flow.flow_class.value), ("ports", flow.port_text() or "-")]
    if flow.buckets:
        facts += [("buckets", ", ".join(flow.buckets)), ("access", flow.access)]
    return Explanation(f"flow {flow.ref}", str(flow.span), tuple(facts), flow.decisions,
                       _outside_vpc(arch, flow))


def _outside_vpc(arch: Architecture, flow: Flow) -> tuple[str, ...]:
    """Where a network flow has an end outside the VPC, say so: no security group sits
    there, so no rule is written for it (ARC522)."""
    if flow.flow_class not in (FlowClass.NETWORK, FlowClass.DEPLOY):
        return ()
    outside = [c.id for c in (arch.component(flow.initiator), arch.component(flow.target))
               if c is not None and not arch.in_vpc(c)]
    if not outside:
        return ()
    ends = " and ".join(outside)
    verb = "are" if len(outside) > 1 else "is"
    return (f"{ends} {verb} outside the VPC: no security-group rule is written for this flow",)


def _flows_named(arch: Architecture, target: str) -> list[Flow]:
    by_id = [f for f in arch.flows if f.id == target]
    if by_id:
        return by_id
    match = re.fullmatch(r"\s*(\S+)\s*(<->|->|-->|<-->)\s*(\S+)\s*", target)
    if not match:
        return []
    a, _, b = match.groups()
    return [f for f in arch.flows if {f.src, f.dst} == {a, b}]


# The ids Mermaid makes up for a subgraph without one (`subgraph "Title"`): nobody wrote them.
_GENERATED_ZONE_ID = re.compile(r"subGraph\d+")


def _zone_name(arch: Architecture, zone_id: str) -> str:
    """A zone as its author knows it: the title, and the id too when they wrote a
    different one (`Private Subnet 2`, `app-subnet "App subnet"`)."""
    zone = arch.zone(zone_id)
    if zone is None or zone.title == zone_id:
        return zone_id
    if _GENERATED_ZONE_ID.fullmatch(zone_id):
        return zone.title
    return f'{zone_id} "{zone.title}"'


def _zone_names(arch: Architecture, decisions: tuple[Decision, ...]) -> tuple[Decision, ...]:
    """Decisions whose value is a zone id (where a component or zone sits) with its name."""
    return tuple(dataclasses.replace(x, value=_zone_name(arch, x.value))
                 if x.attribute in ("zone", "parent") and arch.zone(x.value) else x
                 for x in decisions)


def _yaml_block(key: str, value: Any) -> list[str]:
    """`key:` and the value as block YAML below it, indented as the other facts."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=False,
                          allow_unicode=True, width=2**31 - 1)
    return [f"  {key}:"] + [f"    {line}" for line in text.splitlines()]
