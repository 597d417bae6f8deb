"""Subnets drawn once per availability zone: one subnet tier spread over that many AZs.

People draw per-AZ subnets twice ("Public Subnet AZ-a" and "Public Subnet AZ-b", "Public
Subnet 1" and "Public Subnet 2", or the same "Public Subnet" inside two AZ subgraphs). Such
copies of one tier in one VPC are one subnet zone of archc: the first copy drawn keeps the
zone, the others point to it (`Zone.spread_of`) so what they hold is placed in that tier, and
they are still drawn as drawn. The number of AZs drawn sets the AZ count of an environment
whose overlay gives none, and the blocks written in the copies' titles (one per AZ) are the
tier's blocks of the environment archc assumes from the drawn VPC.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from archc.kinds import REGION_CODE, Role
from archc.model import Component, Decision, Zone
from archc.source import Span
from archc.spec.zones import title_cidr

# The AZ a title names: "AZ-a", "AZ 1", "Availability Zone B", "us-east-1b", or a trailing
# number or letter ("Public Subnet 2", "DB Subnet c").
_AZ_NAMED = re.compile(r"\b(?:availability[\s_-]*zone|az)[\s_-]*([0-9]|[a-f])\b")
_AZ_CODE = re.compile(REGION_CODE + r"([a-f])\b")
_AZ_TRAILING = re.compile(r"[\s_-]([0-9]|[a-f])$")
_LINE_BREAK = re.compile(r"<br\s*/?>|\n", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Spread:
    """What the per-AZ copies drawn in a diagram say."""
    zones: tuple[Zone, ...]  # every zone, the copies pointing to their tier's first copy
    azs: tuple[int, Span] | None  # how many AZs are drawn (2 or more), where
    # tier zone id -> the block each copy's title writes, in diagram order, with its line
    blocks: Mapping[str, tuple[tuple[str, Span], ...]]


def _first_line(title: str) -> str:
    return _LINE_BREAK.split(title[:1000], maxsplit=1)[0].strip().lower()


def az_mark(title: str) -> tuple[str, str, bool] | None:
    """(the title without the AZ it names, that AZ, whether the title says it is an AZ) for a
    subnet title that names one; a bare trailing number or letter may number two subnets."""
    line = re.sub(r"\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}", " ", _first_line(title))
    for pattern in (_AZ_CODE, _AZ_NAMED, _AZ_TRAILING):
        found = pattern.search(line)
        if found is not None:
            base = line[:found.start()] + " " + line[found.end():]
            base = " ".join(re.sub(r"[()\[\]:,]", " ", base).split())
            return base, found.group(found.lastindex or 0), pattern is not _AZ_TRAILING
    return None


def _around(zone: Zone, by_id: Mapping[str, Zone], role: Role) -> Zone | None:
    seen: set[str] = set()
    parent = zone.parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        above = by_id.get(parent)
        if above is None:
            return None
        if above.role is role:
            return above
        parent = above.parent
    return None


def _held(zones: tuple[Zone, ...], components: tuple[Component, ...],
          by_id: Mapping[str, Zone]) -> dict[str, tuple[str, ...]]:
    """Subnet zone id -> the kinds of what it holds at any depth, sorted."""
    held: dict[str, list[str]] = {z.id: [] for z in zones if z.role is Role.SUBNET}
    for comp in components:
        zone = by_id.get(comp.zone) if comp.zone else None
        if zone is not None and zone.role is not Role.SUBNET:
            zone = _around(zone, by_id, Role.SUBNET)
        if zone is not None:
            held[zone.id].append(str(comp.kind))
    return {z: tuple(sorted(kinds)) for z, kinds in held.items()}


def _one_tier(members: list[tuple[Zone, str]], held: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the copies of a group are one tier drawn in several AZs: each in its own AZ, and,
    when only a bare number tells them apart ("Private Subnet 1", "Private Subnet 2"), holding
    the same kinds of things (or nothing), not two subnets of one tier that hold different
    things."""
    if len(members) < 2 or len({i for _, i in members}) < len(members):
        return False
    if all(not i.startswith("number:") for _, i in members):
        return True
    return len({held[z.id] for z, _ in members if held[z.id]}) <= 1


def spread(zones: tuple[Zone, ...], components: tuple[Component, ...]) -> Spread:
    by_id = {z.id: z for z in zones}
    held = _held(zones, components, by_id)
    groups: dict[tuple[str | None, object, str], list[tuple[Zone, str]]] = {}
    for zone in zones:
        if zone.role is not Role.SUBNET:
            continue
        az = _around(zone, by_id, Role.AVAILABILITY_ZONE)
        mark = az_mark(zone.title)
        base = mark[0] if mark else " ".join(_first_line(zone.title).split())
        if az is not None:
            identity = "zone:" + az.id
        elif mark is not None:
            identity = ("az:" if mark[2] else "number:") + mark[1]
        else:
            continue
        vpc = _around(zone, by_id, Role.VPC)
        groups.setdefault((vpc.id if vpc else None, zone.tier, base), []).append(
            (zone, identity))
    copy_of: dict[str, Zone] = {}
    blocks: dict[str, tuple[tuple[str, Span], ...]] = {}
    counts: list[tuple[int, Span]] = []
    for members in groups.values():
        if not _one_tier(members, held):
            continue
        first = members[0][0]
        counts.append((len(members), first.span))
        for zone, _ in members[1:]:
            copy_of[zone.id] = first
        drawn = [(c, z.span) for z, _ in members if (c := title_cidr(z.title)) is not None]
        if len(drawn) == len(members):
            blocks[first.id] = tuple(drawn)
    counts += _az_siblings(zones)
    out = tuple(_marked(z, copy_of, groups, blocks) for z in zones)
    most = max(counts, key=lambda c: c[0], default=None)
    return Spread(out, most, blocks)


def _az_siblings(zones: tuple[Zone, ...]) -> list[tuple[int, Span]]:
    """How many AZ subgraphs are drawn side by side (in a VPC, or inside one subnet)."""
    siblings: dict[str | None, list[Zone]] = {}
    for zone in zones:
        if zone.role is Role.AVAILABILITY_ZONE:
            siblings.setdefault(zone.parent, []).append(zone)
    return [(len(azs), azs[0].span) for azs in siblings.values() if len(azs) >= 2]


def _marked(zone: Zone, copy_of: Mapping[str, Zone],
            groups: Mapping[tuple[str | None, object, str], list[tuple[Zone, str]]],
            blocks: Mapping[str, tuple[tuple[str, Span], ...]]) -> Zone:
    first = copy_of.get(zone.id)
    if first is not None:
        dec = Decision("spread", first.id, "inferred",
                       f"{zone.title!r} is {first.title!r} drawn in another availability zone: "
                       f"one {zone.tier} subnet tier spread over the AZs; what it holds is "
                       f"placed in that tier", zone.span)
        return dataclasses.replace(zone, spread_of=first.id,
                                   decisions=zone.decisions + (dec,))
    for members in groups.values():
        if members[0][0].id == zone.id and any(z.id in copy_of for z, _ in members[1:]):
            titles = ", ".join(repr(z.title) for z, _ in members)
            written = ", ".join(c for c, _ in blocks.get(zone.id, ()))
            use = (f"; the blocks its titles write ({written}) are its blocks in the "
                   "environment assumed from the drawn VPC" if written else "")
            dec = Decision("spread", f"{len(members)} AZs", "inferred",
                           f"drawn once per availability zone ({titles}): one {zone.tier} "
                           f"subnet tier over {len(members)} AZs, the AZ count of an "
                           f"environment whose overlay gives none{use}", zone.span)
            return dataclasses.replace(zone, decisions=zone.decisions + (dec,))
    return zone
