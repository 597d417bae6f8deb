"""One side of a diff: the IR plus what the emitters derive from it, keyed by stable ids.

Mermaid numbers anonymous subgraphs (`subGraph3`) and edges (`L_a_b_0`) by position, so
those ids shift when lines move. Zones are keyed by title when their id is such a number,
flows by their two ends and label; everything else has a written, stable id. Security-group
rules and IAM grants come from the emitters' own row functions: they are what will be
applied, keyed by the content-derived ids the emitters give them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archc.aws.security_groups import Row, rule_rows
from archc.emit.terraform import build_context
from archc.emit.terraform.context_types import Policy, Resource
from archc.model import Architecture, Component, Environment, Flow, Zone
from archc.source import Span

AUTO_ZONE_ID = re.compile(r"subGraph\d+")

Grant = tuple[str, str, str]  # (role, resource, action)


@dataclass(frozen=True)
class Side:
    arch: Architecture
    zone_keys: dict[str, str]  # zone id -> stable key
    zones: dict[str, Zone]  # stable key -> zone
    components: dict[str, Component]
    flows: dict[str, Flow]  # stable key (ends + label) -> flow
    flow_ids: dict[str, str]  # stable key -> display id, as written on this side
    flow_keys: dict[str, str]  # display id -> stable key
    environments: dict[str, Environment]
    rules: dict[str, Row]  # security-group rule id -> row
    grants: dict[Grant, str]  # IAM grant -> the policy id that grants it
    policy_spans: dict[str, Span | None]  # IAM policy id -> the line that asks for it

    @classmethod
    def of(cls, arch: Architecture) -> Side:
        zone_keys = _zone_keys(arch.zones)
        flows, flow_ids = _flows(arch.flows)
        policies = build_context(arch)[0]["platform"]["iam"]["policies"]
        return cls(
            arch=arch, zone_keys=zone_keys,
            zones={zone_keys[z.id]: z for z in arch.zones},
            components={c.id: c for c in arch.components},
            flows=flows, flow_ids=flow_ids, flow_keys={v: k for k, v in flow_ids.items()},
            environments={e.name: e for e in arch.environments},
            rules={row.id: row for row in rule_rows(arch)[0]},
            grants=_grants(policies),
            policy_spans=_policy_spans(arch, policies))

    def flow_by_id(self, display_id: str) -> Flow | None:
        key = self.flow_keys.get(display_id)
        return self.flows.get(key) if key else None

    def zone_chain(self, zone_id: str | None) -> str:
        """`AWS Cloud / VPC / Private Subnet 1`: outermost first, by stable keys."""
        return " / ".join(self.zone_keys[z.id] for z in reversed(self.arch.ancestors(zone_id)))


def _zone_keys(zones: tuple[Zone, ...]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for zone in zones:
        base = zone.title if AUTO_ZONE_ID.fullmatch(zone.id) else zone.id
        keys[zone.id] = _unique(base, set(keys.values()))
    return keys


def _unique(base: str, taken: set[str]) -> str:
    n, key = 1, base
    while key in taken:
        n += 1
        key = f"{base} #{n}"
    return key


def flow_display(flow: Flow) -> str:
    label = f' "{flow.label}"' if flow.label else ""
    return f"{flow.ref}{label}"


def _flows(flows: tuple[Flow, ...]) -> tuple[dict[str, Flow], dict[str, str]]:
    """Keyed by the unordered pair of ends and the label: writing `B <--> A` for `A <--> B`
    or reordering edges keeps the key; parallel edges are told apart by occurrence."""
    by_key: dict[str, Flow] = {}
    ids: dict[str, str] = {}
    for flow in flows:
        low, high = sorted((flow.src, flow.dst))
        base = f"{low} -- {high} | {flow.label}"
        key = _unique(base, set(by_key))
        by_key[key] = flow
        suffix = key.removeprefix(base)
        ids[key] = flow_display(flow) + suffix
    return by_key, ids


def _grants(policies: list[Policy]) -> dict[Grant, str]:
    """Every (role, resource, action) the IAM policies grant, with the policy that grants it
    (first by id). The key leaves the policy id out because ids carry the access: a read ->
    read_write change renames the policy, yet only the added actions are new permissions."""
    grants: dict[Grant, str] = {}
    for policy in sorted(policies, key=lambda p: p["id"]):
        role = f"{policy['role']['kind']} {policy['role']['ref']}"
        for statement in policy["statements"]:
            for resource in statement["resources"]:
                for action in statement["actions"]:
                    grants.setdefault((role, resource_text(resource), action), policy["id"])
    return grants


def resource_text(resource: Resource) -> str:
    """`bucket_objects:models`, `db_user:rds:node_model_serving`, `eks_cluster`."""
    parts = [resource["kind"], resource.get("ref", ""), resource.get("user", "")]
    return ":".join(p for p in parts if p)


def _policy_spans(arch: Architecture, policies: list[Policy]) -> dict[str, Span | None]:
    """Policy id -> the edge whose meaning the policy implements (its description starts
    with `<initiator> to <target> <label>:`), else the component it is for (`<id> ...`)."""
    by_text: dict[str, Span] = {}
    for flow in arch.flows:
        by_text.setdefault(f"{flow.initiator} to {flow.target} {flow.label}".rstrip(),
                           flow.span)
    for comp in arch.components:
        by_text.setdefault(comp.id, comp.span)
    spans: dict[str, Span | None] = {}
    for policy in policies:
        text = policy["description"]
        # a label may itself hold ":" or " ": try every prefix ending before one, longest first
        cuts = sorted({i for i, ch in enumerate(text) if ch in ": "}, reverse=True)
        spans[policy["id"]] = next((by_text[text[:i]] for i in cuts if text[:i] in by_text),
                                   None)
    return spans
