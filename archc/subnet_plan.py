"""Subnet sizing and deterministic CIDR allocation inside an environment's VPC.

Each subnet zone gets one block per availability zone. Blocks the overlay gives are kept;
the rest are carved from the VPC in a fixed order (public, app, data tier, then diagram
order, then AZ), each sized from what is placed there, so the same spec always yields the
same plan and adding a subnet at the end never moves the existing ones.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archc.kinds import EKS_DEFAULT_MAX_PODS, EKS_MAX_PODS, Kind, Tier

# AWS keeps five addresses of every subnet (network, router, DNS, future, broadcast).
AWS_RESERVED = 5
TIER_ORDER = {Tier.PUBLIC: 0, Tier.APP: 1, Tier.DATA: 2}
# Smallest block per tier: public/data stay small; app subnets leave room to grow.
MIN_PREFIX = {Tier.PUBLIC: 24, Tier.APP: 22, Tier.DATA: 24}
# Headroom: a subnet is sized for twice its peak demand (rolling deploys, scale-out).
HEADROOM = 2

IPNetwork = ipaddress.IPv4Network


@dataclass(frozen=True, slots=True)
class SubnetNeed:
    zone: str
    tier: Tier
    order: int  # diagram order, for a stable allocation
    per_az: int  # addresses one AZ's block must hold
    explicit: tuple[str, ...]  # CIDRs the overlay gives, one per AZ


def addresses_per_az(kind: Kind, props: Mapping[str, Any], azs: int) -> int:
    """Peak addresses a component uses in one AZ's subnet."""
    if kind is Kind.EKS_NODE_GROUP:
        nodes = _peak(props.get("scaling"), 2)
        types = props.get("instance_types") or ()
        pods = max((EKS_MAX_PODS.get(t, EKS_DEFAULT_MAX_PODS) for t in types),
                   default=EKS_DEFAULT_MAX_PODS)
        return math.ceil(nodes / azs) * (pods + 1)
    if kind is Kind.BACKEND_SERVICE:
        return math.ceil(_peak(props.get("autoscaling"), 2) / azs)
    fixed = {Kind.LOAD_BALANCER: 8, Kind.DATABASE: 2, Kind.EKS_CONTROL_PLANE: 4}
    if kind in fixed:
        return fixed[kind]
    return int(props.get("count", 1))


def _peak(scaling: Any, default: int) -> int:
    if isinstance(scaling, Mapping):
        return int(scaling.get("max", scaling.get("desired", default)))
    return default


def prefix_for(tier: Tier, per_az: int) -> int:
    needed = per_az * HEADROOM + AWS_RESERVED
    return min(MIN_PREFIX[tier], 32 - math.ceil(math.log2(max(needed, 2))))


def allocate(vpc: IPNetwork, azs: int, needs: list[SubnetNeed]) -> tuple[
        list[tuple[str, int, str]], list[str]]:
    """(zone, az_index, cidr) for every subnet block, plus zones that did not fit."""
    taken = [ipaddress.ip_network(c, strict=False) for n in needs for c in n.explicit]
    blocks: list[tuple[str, int, str]] = []
    unfit: list[str] = []
    for need in sorted(needs, key=lambda n: (TIER_ORDER[n.tier], n.order)):
        if need.explicit:
            blocks += [(need.zone, i, c) for i, c in enumerate(need.explicit)]
            continue
        prefix = max(prefix_for(need.tier, need.per_az), vpc.prefixlen)
        for az in range(azs):
            block = _first_free(vpc, prefix, taken)
            if block is None:
                unfit.append(need.zone)
                break
            taken.append(block)
            blocks.append((need.zone, az, str(block)))
    return sorted(blocks, key=lambda b: (b[0], b[1])), unfit


def _first_free(vpc: IPNetwork, prefix: int,
                taken: list[IPNetwork | ipaddress.IPv6Network]) -> IPNetwork | None:
    for candidate in vpc.subnets(new_prefix=prefix):
        if not any(candidate.overlaps(t) for t in taken):
            return candidate
    return None


def usable(cidr: str) -> int:
    return ipaddress.ip_network(cidr, strict=False).num_addresses - AWS_RESERVED
