"""Reading subgraphs: which ones are network zones, and when a group is truly ambiguous.

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
from archc.spec.flowchart import FlowSubgraph

SUBNET_SCOPES = frozenset({Scope.PUBLIC_SUBNET, Scope.PRIVATE_SUBNET, Scope.DATA_SUBNET})

RoleOf = Callable[[str], Role | None]
KindOf = Callable[[str], Kind | None]


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


def suggested_tier(kinds: list[Kind | None]) -> Tier:
    """The tier a subnet holding these kinds would have: data for a database, public for
    what must face the internet, else app."""
    scopes = {KINDS[k].scope for k in kinds if k is not None}
    if Scope.DATA_SUBNET in scopes:
        return Tier.DATA
    return Tier.PUBLIC if Scope.PUBLIC_SUBNET in scopes else Tier.APP


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
