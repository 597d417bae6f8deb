"""Reading subgraphs: which ones are network zones, when a group is truly ambiguous, the facts
their titles write, and which components an edge to or from one stands for.

A subgraph whose title names no network zone is a logical group (`Role.GROUP`), except when
it sits inside a VPC, outside every subnet, and holds components that must sit in a subnet
that no subnet inside it holds: then it may be the very subnet they need, and only the
overlay can say (ARC203).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping

from archc.kinds import KINDS, REGION_CODE, Kind, Role, Scope, Tier
from archc.model import Component, Decision, Zone
from archc.source import Span
from archc.spec.flowchart import FlowSubgraph

SUBNET_SCOPES = frozenset({Scope.PUBLIC_SUBNET, Scope.ANY_SUBNET, Scope.PRIVATE_SUBNET,
                           Scope.DATA_SUBNET})

RoleOf = Callable[[str], Role | None]
KindOf = Callable[[str], str | None]


def stranded_in_vpc(sg: FlowSubgraph, subgraphs: Mapping[str, FlowSubgraph], role_of: RoleOf,
                    kind_of: KindOf) -> list[str]:
    """The components a title-less group inside a VPC holds, outside every subnet, whose kind
    must sit in a subnet (empty when the group is not in a VPC, or is inside a subnet)."""
    if not _inside_vpc(sg, subgraphs, role_of):
        return []
    return [n for n in _outside_subnets(sg, subgraphs, role_of)
            if (kind := kind_of(n)) is not None and KINDS[kind].scope in SUBNET_SCOPES]


_CIDR = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})(?![\d.])")
_REGION = re.compile(REGION_CODE + r"\b")


def title_cidr(title: str) -> str | None:
    """The IPv4 block a zone's title writes ("VPC 10.0.0.0/16"), as a network, or None."""
    found = _CIDR.search(title[:1000])
    if found is None:
        return None
    try:
        return str(ipaddress.IPv4Network(found.group(1), strict=True))
    except ValueError:
        return None  # host bits set or not an address: not a block archc can use


def title_region(title: str) -> str | None:
    """The AWS region code a zone's title writes ("AWS eu-west-1"), or None."""
    found = _REGION.search(title[:1000].lower())
    return found.group(0) if found else None


def suggested_tier(kinds: list[str | None]) -> Tier:
    """The tier a subnet holding these kinds would have: the one most of them need (data for
    a database, public for what must face the internet, else app); a tie goes to the more
    private tier, so the fewest components end up exposed."""
    # a kind that may sit in any subnet faces the internet by default (a load balancer)
    needs = {Scope.DATA_SUBNET: Tier.DATA, Scope.PUBLIC_SUBNET: Tier.PUBLIC,
             Scope.ANY_SUBNET: Tier.PUBLIC}
    counts = {Tier.DATA: 0, Tier.APP: 0, Tier.PUBLIC: 0}
    for kind in kinds:
        if kind is not None and KINDS[kind].scope in SUBNET_SCOPES:
            counts[needs.get(KINDS[kind].scope, Tier.APP)] += 1
    return max(counts, key=lambda tier: counts[tier])  # dict order breaks ties: data, app


def vpc_draws_no_subnet(sg: FlowSubgraph, subgraphs: Mapping[str, FlowSubgraph],
                        role_of: RoleOf) -> bool:
    """True when the VPC around `sg` holds no subgraph that is a subnet: its groups ("Compute
    Layer", "Data Layer") are then the only subnets the author drew."""
    vpc = _enclosing(sg, subgraphs, role_of, Role.VPC)
    if vpc is None:
        return False
    stack, seen = [vpc], {vpc.id}
    while stack:
        for child in stack.pop().subgraphs:
            if child in seen or (sub := subgraphs.get(child)) is None:
                continue
            if role_of(child) is Role.SUBNET:
                return False
            seen.add(child)
            stack.append(sub)
    return True


def _enclosing(sg: FlowSubgraph, subgraphs: Mapping[str, FlowSubgraph], role_of: RoleOf,
               role: Role) -> FlowSubgraph | None:
    parent, seen = sg.parent, set()
    while parent is not None and parent not in seen:
        seen.add(parent)
        above = subgraphs.get(parent)
        if role_of(parent) is role:
            return above
        parent = above.parent if above is not None else None
    return None


def _inside_vpc(sg: FlowSubgraph, subgraphs: Mapping[str, FlowSubgraph],
                role_of: RoleOf) -> bool:
    parent, seen = sg.parent, set()
    while parent is not None and parent not in seen:
        seen.add(parent)
        role = role_of(parent)
        if role in (Role.SUBNET, Role.VPC):
            return role is Role.VPC
        above = subgraphs.get(parent)
        parent = above.parent if above is not None else None
    return False


def _outside_subnets(sg: FlowSubgraph, subgraphs: Mapping[str, FlowSubgraph],
                     role_of: RoleOf) -> list[str]:
    nodes: list[str] = []
    stack, seen = [sg], {sg.id}
    while stack:
        current = stack.pop()
        nodes += current.nodes
        for child in current.subgraphs:
            sub = subgraphs.get(child)
            if sub is not None and child not in seen and role_of(child) is not Role.SUBNET:
                seen.add(child)
                stack.append(sub)
    return nodes


def title_facts(sg: FlowSubgraph, role: Role, overlay_region: object) -> list[Decision]:
    """What a zone's title writes besides its role: a VPC's or subnet's block, a region."""
    facts = []
    cidr = title_cidr(sg.title) if role in (Role.VPC, Role.SUBNET) else None
    if cidr is not None:
        use = ("the VPC block of the environment assumed when the overlay names none"
               if role is Role.VPC
               else "archc still plans one block per AZ: pin them with "
                    "environments.<env>.zones.<zone>.cidrs")
        facts.append(Decision("cidr", cidr, "inferred", f"title {sg.title!r} writes it: {use}",
                              sg.span))
    region = title_region(sg.title) if role is Role.CLOUD else None
    if region is not None and overlay_region is None:
        facts.append(Decision("region", region, "inferred",
                              f"title {sg.title!r} writes it: the region", sg.span))
    elif region is not None:
        facts.append(Decision("region", region, "diagram", f"title {sg.title!r} writes it; "
                              f"the overlay's region ({overlay_region}) wins", sg.span))
    return facts


def drawn_fact(zones: tuple[Zone, ...], attribute: str,
           roles: tuple[Role, ...]) -> tuple[str, Span] | None:
    """The first value a zone of these roles reads from its title, with the zone's line."""
    for zone in zones:
        if zone.role in roles:
            for dec in zone.decisions:
                if dec.attribute == attribute:
                    return dec.value, zone.span
    return None


def members(zone: Zone, comps: dict[str, Component],
             zones: dict[str, Zone]) -> list[Component]:
    """The components a zone holds, at any depth, in diagram order."""
    def inside(zone_id: str | None) -> bool:
        seen: set[str] = set()
        while zone_id is not None and zone_id not in seen:
            if zone_id == zone.id:
                return True
            seen.add(zone_id)
            above = zones.get(zone_id)
            zone_id = above.parent if above is not None else None
        return False

    return [c for c in comps.values() if inside(c.zone)]


def zone_end(zone: Zone, inside: list[Component],
              as_target: bool) -> tuple[list[Component], str]:
    """Which of a zone's components an edge to (or from) it stands for, and why."""
    if as_target:
        planes = [c for c in inside if c.kind == Kind.EKS_CONTROL_PLANE]
        if zone.role is Role.EKS_CLUSTER and len(planes) == 1:
            return planes, "its entry point, the EKS control plane"
        balancers = [c for c in inside if c.kind == Kind.LOAD_BALANCER]
        if balancers:
            return balancers, "its entry point, the load balancer"
        return inside, "every component in it"
    nodes = [c for c in inside if c.kind == Kind.EKS_NODE_GROUP]
    if zone.role is Role.EKS_CLUSTER and nodes:
        return nodes, "its workloads, the node groups"
    return inside, "every component in it"
