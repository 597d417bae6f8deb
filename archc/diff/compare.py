"""compare(old, new): every difference between two architectures, as `Change`s.

Entities are matched by stable id (see side.py). For a matched pair each named predicate in
STATE_CHECKS (as dbt's state_checks) says whether one aspect is the same; when it is not,
the aspect's facts — flat {(environment, key): value} maps — are compared key by key, so a
report says "prod: RDS.multi_az true -> false" rather than "RDS changed". Spans and decisions
are never facts: moving a line in the diagram changes nothing here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from archc.aws.names import port_text
from archc.aws.security_groups import Row
from archc.diff.change import KINDS, SUBJECTS, Change
from archc.diff.side import Side
from archc.emit.terraform import moves
from archc.model import Architecture, thaw
from archc.source import Span

Facts = dict[tuple[str, str], str]
Check = Callable[[Side, Side, str], bool]


# --------------------------------------------------------------------------- facts
def kind_facts(side: Side, ident: str) -> Facts:
    return {("", ""): str(side.components[ident].kind)}


def label_facts(side: Side, ident: str) -> Facts:
    return {("", ""): side.components[ident].title}


def placement_facts(side: Side, ident: str) -> Facts:
    """The zone chain (cloud / VPC / subnet ...) and the subnet tier."""
    comp = side.components[ident]
    tier = side.arch.tier_of(comp)
    return {("", "zone"): side.zone_chain(comp.zone) or "(top level)",
            ("", "tier"): str(tier) if tier else "none"}


def props_facts(side: Side, ident: str) -> Facts:
    """Resolved properties per environment: base props with that environment's overrides."""
    return {(env.name, key): value for env in side.arch.environments
            for key, value in flatten(env.props(ident)).items()}


def zone_facts(side: Side, key: str) -> Facts:
    zone = side.zones[key]
    parent = side.zone_keys.get(zone.parent) if zone.parent else None
    return {("", "title"): zone.title, ("", "role"): str(zone.role),
            ("", "tier"): str(zone.tier) if zone.tier else "none",
            ("", "parent"): parent or "(top level)"}


def flow_facts(side: Side, key: str) -> Facts:
    """Initiator and target, class, ports, buckets and access."""
    flow = side.flows[key]
    facts = {("", "direction"): f"{flow.initiator} -> {flow.target}",
             ("", "class"): str(flow.flow_class)}
    optional = {"ports": flow.port_text(), "buckets": ", ".join(flow.buckets),
                "access": flow.access}
    facts.update({("", k): v for k, v in optional.items() if v})
    return facts


def rule_facts(side: Side, rule_id: str) -> Facts:
    row = side.rules[rule_id]
    return {("", "peer"): peer_text(side, row),
            ("", "ports"): port_text(row.protocol, row.low, row.high)}


def cidrs_facts(side: Side, name: str) -> Facts:
    """The VPC and the subnet plan (allocated or given) of one environment."""
    env = side.environments[name]
    facts = {("", "vpc"): env.vpc_cidr}
    for block in env.subnets:
        zone = side.zone_keys.get(block.zone, block.zone)
        facts[("", f"{zone} az{block.az_index + 1}")] = block.cidr
    return facts


def settings_facts(side: Side, name: str) -> Facts:
    env = side.environments[name]
    facts = {("", "azs"): str(env.azs), ("", "nat"): env.nat,
             ("", "spot_non_critical"): scalar(env.spot_non_critical)}
    facts.update({("", f"tags.{k}"): v for k, v in flatten(env.tags).items()})
    return facts


def policy_facts(side: Side, _: str) -> Facts:
    policy = side.arch.policy
    values = {"tier_flows": ", ".join(sorted(f"{a} -> {b}" for a, b in policy.tier_flows)),
              "internet_entry": ", ".join(policy.internet_entry),
              "admin_cidrs": ", ".join(policy.admin_cidrs),
              "bastion_access": policy.bastion_access}
    return {("", k): v for k, v in values.items() if v}


def project_facts(side: Side, _: str) -> Facts:
    arch = side.arch
    values = {"project": arch.project, "cloud": arch.cloud, "region": arch.region,
              "domain": arch.domain}
    for section in ("tags", "state", "secrets", "observability"):
        values.update({f"{section}.{k}": v
                       for k, v in flatten(getattr(arch, section)).items()})
    return {("", k): v for k, v in values.items() if v}


FACTS: dict[str, Callable[[Side, str], Facts]] = {
    "kind": kind_facts, "label": label_facts, "placement": placement_facts,
    "props": props_facts, "zone": zone_facts, "flow": flow_facts, "rule": rule_facts,
    "cidrs": cidrs_facts, "settings": settings_facts, "policy": policy_facts,
    "project": project_facts,
}


# --------------------------------------------------------------------------- predicates
def same(aspect: str) -> Check:
    """The predicate `same_<aspect>`: are the aspect's facts equal on both sides (as dbt's
    check_modified_factory makes its state checks)."""
    facts = FACTS[aspect]

    def check(old: Side, new: Side, key: str) -> bool:
        return facts(old, key) == facts(new, key)

    check.__name__ = check.__qualname__ = f"same_{aspect}"
    check.__doc__ = f"Whether {facts.__name__} agree on both sides."
    return check


# subject -> {aspect: predicate}, read top to bottom; IAM grants are only ever added or
# removed (a grant is its own key), so they have no predicate.
STATE_CHECKS: dict[str, dict[str, Check]] = {
    subject: {aspect: same(aspect) for aspect in aspects} for subject, aspects in {
        "component": ("kind", "label", "placement", "props"),
        "zone": ("zone",),
        "flow": ("flow",),
        "sg_rule": ("rule",),
        "environment": ("cidrs", "settings"),
        "policy": ("policy",),
        "project": ("project",),
    }.items()
}

ITEMS: dict[str, Callable[[Side], Mapping[str, Any]]] = {
    "component": lambda s: s.components,
    "zone": lambda s: s.zones,
    "flow": lambda s: s.flows,
    "sg_rule": lambda s: s.rules,
    "environment": lambda s: s.environments,
    "policy": lambda s: {"policy": s.arch.policy},
    "project": lambda s: {"project": s.arch},
}
ASPECTS = tuple(a for checks in STATE_CHECKS.values() for a in checks) + ("actions",)


# --------------------------------------------------------------------------- compare
def compare(old: Architecture, new: Architecture) -> tuple[Change, ...]:
    """Every difference from `old` (base) to `new` (head), in report order."""
    return compare_sides(Side.of(old), Side.of(new))


def compare_sides(base: Side, head: Side) -> tuple[Change, ...]:
    changes: list[Change] = []
    for subject in STATE_CHECKS:
        changes += _subject_changes(subject, base, head)
    changes += _grant_changes(base, head)
    return tuple(sorted(_renames(changes, base, head), key=order))


def _renames(changes: list[Change], base: Side, head: Side) -> list[Change]:
    """A component (or zone) removed and one added with the same identity, unique on both
    sides, or that the overlay names (`renamed_from`), is one rename, as the build's `moved`
    blocks make it: `~ New renamed: Old -> New`. A component's identity is
    `moves.identity` (kind, label, zone roles and tiers, flows); a zone's, its role, tier and
    the identities of the components directly in it."""
    out = list(changes)
    for subject in ("component", "zone"):
        paired = _declared_renames(out, head) if subject == "component" else []
        taken = {id(c) for pair in paired for c in pair}
        rest = [c for c in out if id(c) not in taken]
        gone = _by_identity(rest, subject, "removed", base)
        new = _by_identity(rest, subject, "added", head)
        paired += [(old[0], new[key][0]) for key, old in gone.items()
                   if len(old) == 1 and len(new.get(key, [])) == 1]
        dropped = {id(c) for pair in paired for c in pair}
        out = [c for c in out if id(c) not in dropped] + [
            Change("modified", subject, added.id, "renamed", old=removed.id, new=added.id,
                   span=added.span) for removed, added in paired]
    return out


def _declared_renames(changes: list[Change], head: Side) -> list[tuple[Change, Change]]:
    """(removed, added) pairs the overlay names: `renamed_from: Old` on the added one."""
    removed = {c.id: c for c in changes if c.subject == "component" and c.kind == "removed"}
    out = []
    for added in (c for c in changes if c.subject == "component" and c.kind == "added"):
        comp = head.components.get(added.id)
        old = comp.props.get("renamed_from") if comp is not None else None
        if isinstance(old, str) and old in removed:
            out.append((removed.pop(old), added))
    return out


def _by_identity(changes: list[Change], subject: str, kind: str,
                 side: Side) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for c in changes:
        if c.subject == subject and c.kind == kind:
            key = _identity(side, subject, c.id)
            if key is not None:
                out.setdefault(key, []).append(c)
    return out


def _identity(side: Side, subject: str, ident: str) -> str | None:
    if subject == "component":
        comp = side.components.get(ident)
        return None if comp is None else moves.identity(side.arch, comp)
    zone = side.zones.get(ident)
    if zone is None:
        return None
    members = sorted(moves.identity(side.arch, c) for c in side.arch.components
                     if c.zone == zone.id)
    return json.dumps([zone.role.value, zone.tier.value if zone.tier else "", members])


def order(change: Change) -> tuple[Any, ...]:
    aspect = ASPECTS.index(change.aspect) if change.aspect in ASPECTS else -1
    return (SUBJECTS.index(change.subject), change.id, aspect, change.env, change.key,
            KINDS.index(change.kind), change.old or "", change.new or "")


def _subject_changes(subject: str, base: Side, head: Side) -> list[Change]:
    old, new = ITEMS[subject](base), ITEMS[subject](head)
    out = [_presence("removed", subject, base, key, None) for key in old if key not in new]
    out += [_presence("added", subject, head, key, head) for key in new if key not in old]
    for key in (k for k in new if k in old):
        for aspect, unchanged in STATE_CHECKS[subject].items():
            if not unchanged(base, head, key):
                out += _delta(subject, aspect, key, base, head)
    return out


def _presence(kind: str, subject: str, side: Side, key: str, head: Side | None) -> Change:
    """An added (head) or removed (base) entity, with a one-line description of it."""
    text = describe(subject, side, key)
    change = Change(kind, subject, display_id(subject, side, key),
                    old=text if kind == "removed" else None,
                    new=text if kind == "added" else None)
    return _located(change, head)


def _delta(subject: str, aspect: str, key: str, base: Side, head: Side) -> list[Change]:
    old, new = FACTS[aspect](base, key), FACTS[aspect](head, key)
    common = base.environments.keys() & head.environments.keys()
    env_of_subject = key if subject == "environment" else ""
    out = []
    for env, part in sorted(old.keys() | new.keys()):
        if env and env not in common:
            continue  # an environment that exists on one side only is itself the change
        if old.get((env, part)) != new.get((env, part)):
            change = Change("modified", subject, display_id(subject, head, key), aspect,
                            old.get((env, part)), new.get((env, part)),
                            env=env or env_of_subject, key=part)
            out.append(_located(change, head))
    return out


def _grant_changes(base: Side, head: Side) -> list[Change]:
    out = [Change("removed", "iam_policy", base.grants[g], "actions", old=g[2], key=g[1])
           for g in base.grants if g not in head.grants]
    out += [_located(Change("added", "iam_policy", head.grants[g], "actions", new=g[2],
                            key=g[1]), head)
            for g in head.grants if g not in base.grants]
    return out


def _located(change: Change, head: Side | None) -> Change:
    return change if head is None else dataclasses.replace(change, span=locate(head, change))


# --------------------------------------------------------------------------- text
def display_id(subject: str, side: Side, key: str) -> str:
    return side.flow_ids[key] if subject == "flow" else key


def describe(subject: str, side: Side, key: str) -> str:
    """One line for an added or removed entity."""
    return DESCRIBE[subject](side, key)


def _describe_component(side: Side, key: str) -> str:
    comp = side.components[key]
    place = placement_facts(side, key)
    tier = place[("", "tier")]
    return f'{comp.kind} "{comp.title}" in {place[("", "zone")]}' + (
        f" ({tier})" if tier != "none" else "")


def _describe_zone(side: Side, key: str) -> str:
    zone = side.zones[key]
    tier = f" {zone.tier}" if zone.tier else ""
    return f"{zone.role}{tier} in {zone_facts(side, key)[('', 'parent')]}"


def _describe_environment(side: Side, key: str) -> str:
    env = side.environments[key]
    return f"VPC {env.vpc_cidr}, {env.azs} AZs, NAT {env.nat}"


DESCRIBE: dict[str, Callable[[Side, str], str]] = {
    "component": _describe_component,
    "zone": _describe_zone,
    "flow": lambda side, key: ", ".join(flow_facts(side, key).values()),
    "sg_rule": lambda side, key: rule_text(side, side.rules[key]),
    "environment": _describe_environment,
}


def peer_text(side: Side, row: Row) -> str:
    kind = row.peer.get("kind")
    if kind == "security_group":
        return f"security group {row.peer['ref']}"
    if kind == "cidr":
        return row.peer["cidr"]
    if kind == "admin_cidrs":
        return f"admin CIDRs ({', '.join(side.arch.policy.admin_cidrs) or 'none'})"
    if kind == "prefix_list":
        return f"prefix list {row.peer['ref']}"
    return f"{kind} {row.peer.get('ref', '')}".strip()


def rule_text(side: Side, row: Row) -> str:
    """`ingress to rds from security group ec2 tcp/5432`."""
    ports = port_text(row.protocol, row.low, row.high)
    if row.direction == "ingress":
        return f"ingress to {row.security_group} from {peer_text(side, row)} {ports}"
    return f"egress from {row.security_group} to {peer_text(side, row)} {ports}"


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested mappings as dotted keys; lists and scalars as text (JSON for lists)."""
    if isinstance(value, Mapping):
        out: dict[str, str] = {}
        for key in sorted(value, key=str):
            out.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: scalar(value)}


def scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return json.dumps(thaw(value), sort_keys=True)
    return str(value)


# --------------------------------------------------------------------------- locate
def locate(side: Side, change: Change) -> Span | None:
    """Where a change lives in this side's sources (the diagram line, else the overlay)."""
    subject = change.subject
    if subject == "component" and change.id in side.components:
        return side.components[change.id].span
    if subject == "zone" and change.id in side.zones:
        return side.zones[change.id].span
    if subject == "flow":
        flow = side.flow_by_id(change.id)
        return flow.span if flow else None
    if subject == "sg_rule" and change.id in side.rules:
        return next((s for s in side.rules[change.id].spans if s), None)
    if subject == "iam_policy":
        return side.policy_spans.get(change.id)
    if subject == "environment" and change.id in side.environments:
        env = side.environments[change.id]
        return (env.vpc_cidr_span if change.key == "vpc" else None) or env.span
    if subject == "policy":
        return side.arch.policy.span
    return None
