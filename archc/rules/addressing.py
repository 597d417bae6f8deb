"""CIDR rules: subnets inside their VPC, no overlaps, no overlap between environments, room."""

from __future__ import annotations

import ipaddress

import networkx as nx

from archc import diagnostics as d
from archc.kinds import needs_vpc
from archc.model import Architecture, Component, Environment
from archc.subnet_plan import addresses_per_az, first_overlaps, usable


def check(arch: Architecture, graph: nx.MultiDiGraph[str], env: str | None) -> list[d.Diagnostic]:
    envs = [e for e in arch.environments if env is None or e.name == env]
    placed = _placed(arch)
    found: list[d.Diagnostic] = []
    for environment in envs:
        found += _inside_vpc(environment)
        found += _overlaps(environment)
        found += _capacity(arch, environment, placed)
    if needs_vpc((z.role for z in arch.zones),
                 (c.kind for c in arch.components if c.kind_is_known)):
        found += _between_environments(envs)  # no VPC, no ranges to peer
    return found


def _placed(arch: Architecture) -> list[tuple[Component, str]]:
    """(component, its subnet zone id), worked out once rather than once per environment."""
    placed = []
    for comp in arch.components:
        subnet = arch.subnet_of(comp)
        if subnet is not None:
            placed.append((comp, subnet.id))
    return placed


def _net(cidr: str) -> ipaddress.IPv4Network | None:
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return net if isinstance(net, ipaddress.IPv4Network) else None


def _inside_vpc(env: Environment) -> list[d.Diagnostic]:
    vpc = _net(env.vpc_cidr)
    found = []
    for block in env.subnets:
        net = _net(block.cidr)
        if net is None:
            found.append(d.error("ARC405", f"environment {env.name}: {block.cidr!r} is not a "
                                           "CIDR", block.span, hint="write e.g. 10.10.1.0/24"))
        elif vpc is not None and not net.subnet_of(vpc):
            found.append(d.error(
                "ARC401", f"environment {env.name}: subnet {block.zone!r} {block.cidr} lies "
                          f"outside the VPC {vpc}", block.span or env.span,
                hint=f"pick a block inside {vpc}"))
    return found


def _overlaps(env: Environment) -> list[d.Diagnostic]:
    """Each subnet block that overlaps an earlier one, reported once, against the first."""
    found = []
    for j, i in enumerate(first_overlaps([_net(b.cidr) for b in env.subnets])):
        if i is None:
            continue
        a, b = env.subnets[i], env.subnets[j]
        blame, other = (b, a) if b.explicit or not a.explicit else (a, b)
        found.append(d.error(
            "ARC402", f"environment {env.name}: subnet {blame.zone!r} {blame.cidr} (AZ "
                      f"{blame.az_index + 1}) overlaps {other.zone!r} {other.cidr} (AZ "
                      f"{other.az_index + 1})", blame.span or env.span,
            hint="give each subnet its own block, or drop `cidrs` and let archc allocate them",
            notes=(d.Note(f"{other.zone!r} {other.cidr} is here", other.span),)
            if other.span else ()))
    return found


def _capacity(arch: Architecture, env: Environment,
              placed: list[tuple[Component, str]]) -> list[d.Diagnostic]:
    demand: dict[str, int] = {}
    for comp, subnet_id in placed:
        demand[subnet_id] = demand.get(subnet_id, 0) + addresses_per_az(
            comp.kind, env.props(comp.id), env.azs)
    found = []
    for block in env.subnets:
        net = _net(block.cidr)
        need = demand.get(block.zone, 0)
        if net is None or usable(block.cidr) >= need:
            continue
        zone = arch.zone(block.zone)
        title = zone.title if zone else block.zone
        found.append(d.error(
            "ARC404", f"environment {env.name}: subnet {title!r} {block.cidr} has "
                      f"{usable(block.cidr)} usable addresses but what is placed there needs "
                      f"{need} per AZ (EKS pods take VPC addresses)", block.span or env.span,
            hint="use a larger block, or drop `cidrs` and let archc size it"))
    return found


def _between_environments(envs: list[Environment]) -> list[d.Diagnostic]:
    """Each environment whose VPC overlaps an earlier one's, reported once, against the first
    (every pair would be quadratic in the number of environments)."""
    found = []
    nets = [_net(e.vpc_cidr) for e in envs]
    for j, i in enumerate(first_overlaps(nets)):
        if i is not None:
            a, b, na, nb = envs[i], envs[j], nets[i], nets[j]
            found.append(d.error(
                "ARC403", f"environment {b.name}'s VPC {nb} overlaps environment {a.name}'s "
                          f"VPC {na}", b.vpc_cidr_span or b.span,
                hint="give every environment its own VPC range so they can be peered later",
                notes=(d.Note(f"{a.name} uses {na}", a.vpc_cidr_span or a.span),)))
    return found

