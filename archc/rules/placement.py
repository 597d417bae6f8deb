"""Placement: every component sits where its kind must live, every subnet inside a VPC."""

from __future__ import annotations

import networkx as nx

from archc import diagnostics as d
from archc.kinds import KINDS, Kind, Role, Scope, Tier, with_article
from archc.model import Architecture, Component, Zone
from archc.spec.followups import follows_from

_HINTS: dict[Scope, str] = {
    Scope.PUBLIC_SUBNET: "move it into a subnet whose tier is public",
    Scope.ANY_SUBNET: "move it into a subnet: a public one faces the internet, a private one "
                      "is internal",
    Scope.PRIVATE_SUBNET: "move it into a private (app or data tier) subnet",
    Scope.DATA_SUBNET: "move it into a private subnet whose tier is data",
    Scope.GLOBAL: "draw it outside the VPC subgraph (it is a regional or global AWS service)",
    Scope.INTERNET: "draw it outside the cloud, at top level or in an external platform zone",
    Scope.VPC_EDGE: "draw it in the VPC or cloud zone, outside every subnet",
    Scope.ANYWHERE: "draw it outside the VPC, or inside one of its private subnets",
}


def check(arch: Architecture, graph: nx.MultiDiGraph[str], env: str | None) -> list[d.Diagnostic]:
    found = _zones(arch)
    for comp in arch.components:
        if comp.id in arch.unknown_kinds:  # where it must live depends on its kind
            continue
        problem = _misplaced(arch, comp)
        if problem:
            finding = d.error(
                _code(comp),
                f"{comp.id} ({comp.title}, {with_article(KINDS[comp.kind].title)}) {problem}",
                comp.span, hint=_HINTS[KINDS[comp.kind].scope])
            unknown = _zone_of_unknown_role(arch, comp)
            # Had that zone a role (a subnet?), the verdict could differ: ARC203 says so.
            found.append(follows_from(finding, "ARC203", unknown.span) if unknown else finding)
    return found


def _zone_of_unknown_role(arch: Architecture, comp: Component) -> Zone | None:
    zone, seen = arch.zone(comp.zone) if comp.zone else None, set()
    while zone is not None and zone.id not in seen:
        if zone.id in arch.unknown_roles:
            return zone
        seen.add(zone.id)
        zone = arch.zone(zone.parent) if zone.parent else None
    return None


def _zones(arch: Architecture) -> list[d.Diagnostic]:
    found = []
    vpcs = [z for z in arch.zones if z.role is Role.VPC]
    for extra in vpcs[1:]:
        found.append(d.error("ARC216", f"a second VPC {extra.title!r}: archc builds one VPC "
                                       "per spec", extra.span,
                             hint="split the architecture into one spec directory per VPC"))
    for zone in arch.zones:
        if zone.role is Role.SUBNET and not any(
                a.role is Role.VPC for a in arch.roles_around(zone.parent)):
            found.append(d.error("ARC210", f"subnet {zone.title!r} is not inside a VPC",
                                 zone.span, hint="nest the subnet's subgraph inside the VPC's"))
    return found


def _where(arch: Architecture, comp: Component) -> tuple[bool, bool, Tier | None]:
    """(inside a cloud zone, inside the VPC, subnet tier)."""
    chain = arch.roles_around(comp.zone)
    in_cloud = any(z.role in (Role.CLOUD, Role.VPC, Role.SUBNET) for z in chain)
    return in_cloud, arch.in_vpc(comp), arch.tier_of(comp)


def _misplaced(arch: Architecture, comp: Component) -> str | None:
    in_cloud, in_vpc, tier = _where(arch, comp)
    scope = KINDS[comp.kind].scope
    if scope is Scope.INTERNET:
        return "sits inside the cloud" if in_cloud else None
    if scope is Scope.GLOBAL:
        return "sits inside the VPC" if in_vpc else None
    if scope is Scope.VPC_EDGE:
        return "sits inside a subnet" if tier is not None else None
    if scope is Scope.ANYWHERE:  # outside the VPC, or in a private subnet
        if tier is None:
            return "is in the VPC but in no subnet" if in_vpc else None
        return _subnet_problem(Scope.PRIVATE_SUBNET, tier)
    if tier is None:
        return "is not in any subnet" if in_vpc else "is not inside a VPC subnet"
    if comp.kind == Kind.BASTION and _ssm_access(arch, comp):
        return None  # Session Manager dials out: the bastion needs no public subnet or IP
    if scope is Scope.ANY_SUBNET and tier is not Tier.PUBLIC and comp.props.get(
            "scheme") == "internet-facing":
        return f"is internet-facing (`scheme`) but sits in a private {tier} subnet"
    return _subnet_problem(scope, tier)


def _ssm_access(arch: Architecture, comp: Component) -> bool:
    """The bastion is reached through Session Manager (its own `access`, else the policy's)."""
    return str(comp.props.get("access") or arch.policy.bastion_access) == "ssm"


def _subnet_problem(scope: Scope, tier: Tier) -> str | None:
    if scope is Scope.PUBLIC_SUBNET and tier is not Tier.PUBLIC:
        return f"sits in a private {tier} subnet but must be in a public subnet"
    if scope is Scope.PRIVATE_SUBNET and tier is Tier.PUBLIC:
        return "sits in a public subnet but must be in a private subnet"
    if scope is Scope.DATA_SUBNET and tier is not Tier.DATA:
        return f"sits in a {tier} subnet but must be in a private data subnet"
    return None


def _code(comp: Component) -> str:
    scope = KINDS[comp.kind].scope
    if comp.kind == Kind.DATABASE:
        return "ARC212"
    if scope in (Scope.PUBLIC_SUBNET, Scope.ANY_SUBNET):
        return "ARC211"
    if scope is Scope.PRIVATE_SUBNET:
        return "ARC213"
    return "ARC214"
