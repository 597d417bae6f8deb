"""Subnet sizing and deterministic CIDR allocation inside an environment's VPC.

Each subnet zone gets one block per availability zone. Blocks the overlay gives are kept;
the rest are carved from the VPC in a fixed order (public, app, data tier, then diagram
order, then AZ), each sized from what is placed there, so the same spec always yields the
same plan and adding a subnet at the end never moves the existing ones.
"""

from __future__ import annotations

import bisect
import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archc.kinds import EKS_DEFAULT_MAX_PODS, EKS_MAX_PODS, KINDS, Kind, Tier

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


def addresses_per_az(kind: str, props: Mapping[str, Any], azs: int) -> int:
    """Peak addresses a component uses in one AZ's subnet."""
    if kind == Kind.EKS_NODE_GROUP:
        nodes = _peak(props.get("scaling"), 2)
        types = props.get("instance_types") or ()
        pods = max((EKS_MAX_PODS.get(t, EKS_DEFAULT_MAX_PODS) for t in types),
                   default=EKS_DEFAULT_MAX_PODS)
        return math.ceil(nodes / azs) * (pods + 1)
    if kind == Kind.BACKEND_SERVICE:
        return math.ceil(_peak(props.get("autoscaling"), 2) / azs)
    if kind in (Kind.BASTION, Kind.CI_SERVER, Kind.SCM_SERVER, Kind.INSTANCE):
        return int(props.get("count", 1))
    return KINDS[kind].addresses


def _peak(scaling: Any, default: int) -> int:
    if isinstance(scaling, Mapping):
        return int(scaling.get("max", scaling.get("desired", default)))
    return default


def prefix_for(tier: Tier, per_az: int) -> int:
    needed = per_az * HEADROOM + AWS_RESERVED
    return min(MIN_PREFIX[tier], 32 - math.ceil(math.log2(max(needed, 2))))


def allocate(vpc: IPNetwork, azs: int, needs: list[SubnetNeed]) -> tuple[
        list[tuple[str, int, str]], list[str]]:
    """(zone, az_index, cidr) for every subnet block, plus zones that did not fit.

    Each block is the first aligned block of its size in the VPC that overlaps nothing taken
    so far (explicit blocks, then earlier allocations)."""
    taken = _Taken(vpc)
    for c in (c for n in needs for c in n.explicit):
        taken.add(ipaddress.ip_network(c, strict=False))
    blocks: list[tuple[str, int, str]] = []
    unfit: list[str] = []
    for need in sorted(needs, key=lambda n: (TIER_ORDER[n.tier], n.order)):
        if need.explicit:
            blocks += [(need.zone, i, c) for i, c in enumerate(need.explicit)]
            continue
        prefix = max(prefix_for(need.tier, need.per_az), vpc.prefixlen)
        for az in range(azs):
            block = taken.first_free(prefix)
            if block is None:
                unfit.append(need.zone)
                break
            taken.add(block)
            blocks.append((need.zone, az, str(block)))
    return sorted(blocks, key=lambda b: (b[0], b[1])), unfit


class _Taken:
    """The address ranges in use in one VPC, as sorted disjoint integer intervals.

    Blocks only ever get taken, so the first free block of a size never moves back: the
    search for each size resumes where the last one ended. Allocating n blocks costs
    O(n log n) instead of rescanning every candidate against every block taken."""

    def __init__(self, vpc: IPNetwork) -> None:
        self.vpc = vpc
        self.starts: list[int] = []
        self.ends: list[int] = []  # inclusive
        self.resume: dict[int, int] = {}  # prefix length -> first candidate still possibly free

    def add(self, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> None:
        if net.version != self.vpc.version:
            return  # never overlaps a block of this VPC
        start = int(net.network_address)
        end = start + net.num_addresses - 1
        lo = bisect.bisect_left(self.ends, start - 1)  # first interval touching or after
        hi = bisect.bisect_right(self.starts, end + 1)  # past the last one touching
        if lo < hi:
            start, end = min(start, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]

    def first_free(self, prefix: int) -> IPNetwork | None:
        size = 1 << (self.vpc.max_prefixlen - prefix)
        first = int(self.vpc.network_address)
        last = first + self.vpc.num_addresses - 1
        at = self.resume.get(prefix, first)
        while at + size - 1 <= last:
            i = bisect.bisect_right(self.starts, at + size - 1) - 1
            if i < 0 or self.ends[i] < at:
                self.resume[prefix] = at
                return type(self.vpc)((at, prefix))
            at = -(-(self.ends[i] + 1 - first) // size) * size + first  # next aligned start
        self.resume[prefix] = at
        return None


def usable(cidr: str) -> int:
    return ipaddress.ip_network(cidr, strict=False).num_addresses - AWS_RESERVED


def first_overlaps(nets: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network | None]
                   ) -> list[int | None]:
    """For each network, the index of the first earlier network it overlaps (or None).

    Two CIDR blocks overlap only when one holds the other, so the earlier blocks a block
    overlaps are its supernets (one lookup per prefix length) and the blocks that start
    inside it (one range-minimum query over the blocks sorted by start). O(n log n), where
    comparing every pair was quadratic."""
    first_at: dict[tuple[int, int, int], int] = {}
    for i, net in enumerate(nets):
        if net is not None:
            first_at.setdefault((net.version, int(net.network_address), net.prefixlen), i)
    inside = {version: _RangeMin(sorted((int(n.network_address), i) for i, n in enumerate(nets)
                                        if n is not None and n.version == version))
              for version in (4, 6)}
    found: list[int | None] = []
    for j, net in enumerate(nets):
        if net is None:
            found.append(None)
            continue
        start, bits = int(net.network_address), net.max_prefixlen
        candidates = [inside[net.version].min_between(start, start + net.num_addresses - 1)]
        for prefix in range(net.prefixlen):  # every block that holds this one
            mask = ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)
            candidates.append(first_at.get((net.version, start & mask, prefix)))
        earlier = [i for i in candidates if i is not None and i < j]
        found.append(min(earlier) if earlier else None)
    return found


class _RangeMin:
    """The smallest index among entries whose key lies in [lo, hi]: a sparse table."""

    def __init__(self, entries: list[tuple[int, int]]) -> None:
        self.keys = [k for k, _ in entries]
        self.table = [[i for _, i in entries]]
        width = 1
        while 2 * width <= len(entries):
            row = self.table[-1]
            self.table.append([min(row[i], row[i + width]) for i in range(len(row) - width)])
            width *= 2

    def min_between(self, lo: int, hi: int) -> int | None:
        a, b = bisect.bisect_left(self.keys, lo), bisect.bisect_right(self.keys, hi)
        if a >= b:
            return None
        level = (b - a).bit_length() - 1
        row = self.table[level]
        return min(row[a], row[b - (1 << level)])
