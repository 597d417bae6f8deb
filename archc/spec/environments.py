"""Environments: per-environment values, resolved component properties and subnet plans."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from archc import diagnostics as d
from archc.kinds import Role, Tier, needs_vpc
from archc.model import Component, Environment, SubnetBlock, Zone, freeze, thaw
from archc.source import Span
from archc.spec.overlay_view import OverlayView
from archc.spec.spread import Spread
from archc.subnet_plan import SubnetNeed, addresses_per_az, allocate

# What archc assumes when the overlay names no environments: the seed's own recommendation.
DEFAULT_ENVIRONMENTS: dict[str, dict[str, Any]] = {
    "dev": {"vpc_cidr": "10.10.0.0/16", "azs": 2, "nat": "single", "spot_non_critical": True},
    "staging": {"vpc_cidr": "10.20.0.0/16", "azs": 2, "nat": "single",
                "spot_non_critical": True},
    "prod": {"vpc_cidr": "10.30.0.0/16", "azs": 3, "nat": "per_az",
             "spot_non_critical": False},
}


# The blocks subnets drawn once per AZ write in their titles (tier zone id -> one per AZ, with
# its line), and whether this environment uses them (the one assumed from the drawn VPC).
DrawnBlocks = tuple[Mapping[str, tuple[tuple[str, Span], ...]], bool]

# AWS accepts a VPC (and a subnet) block from /16 (65,536 addresses) to /28 (16).
AWS_BLOCK_PREFIXES = range(16, 29)
# Special-purpose ranges that cannot address a VPC (CreateVpc answers InvalidVpc.Range);
# RFC 1918, 100.64.0.0/10 and public ranges are accepted.
NO_VPC_RANGES: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network' (RFC 1122)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (instance metadata and the Amazon DNS server live there)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved (class E and broadcast)"),
)


def block_size_problem(net: ipaddress.IPv4Network, what: str) -> str | None:
    """Why AWS refuses `net` as a VPC or subnet block because of its size, or None."""
    if net.prefixlen in AWS_BLOCK_PREFIXES:
        return None
    return (f"{what} {net} is a /{net.prefixlen}; AWS accepts a block from /16 "
            "(65,536 addresses) to /28 (16 addresses)")


def _vpc_range_problem(vpc: ipaddress.IPv4Network) -> str | None:
    for cidr, what in NO_VPC_RANGES:
        if vpc.overlaps(ipaddress.IPv4Network(cidr)):
            return f"VPC CIDR {vpc} lies in {cidr}, {what}, which AWS does not allow for a VPC"
    return None


def build_environments(ov: OverlayView, zones: tuple[Zone, ...],
                       components: tuple[Component, ...],
                       drawn_vpc: tuple[str, Span] | None = None,
                       drawn: Spread | None = None) -> tuple[
                           tuple[Environment, ...], list[d.Diagnostic]]:
    """The environments the overlay names (else the assumed ones). `drawn_vpc` is the VPC
    block the diagram writes in a title: the one environment assumed when the overlay names
    none; otherwise the overlay's `vpc_cidr` wins over it. `drawn` is what subnets drawn once
    per AZ say: the AZ count where the overlay gives none, and, in the environment assumed from
    the drawn VPC, the blocks their titles write."""
    diags: list[d.Diagnostic] = []
    specs: Mapping[str, Mapping[str, Any]] = ov.mapping("environments")
    drawn_span = drawn_vpc[1] if drawn_vpc else None
    drawn_blocks = drawn.blocks if drawn is not None else {}
    use_drawn = not specs and drawn_vpc is not None
    if not specs and drawn_vpc is not None:
        specs = {"dev": {**DEFAULT_ENVIRONMENTS["dev"], "vpc_cidr": drawn_vpc[0]}}
        diags.append(d.note(
            "ARC206", "the overlay names no environments; assuming one, dev, with the "
                      f"diagram's VPC {drawn_vpc[0]}", drawn_span,
            hint="add an `environments:` section to choose CIDRs, AZs and NAT per environment"))
    elif not specs:
        specs = DEFAULT_ENVIRONMENTS
        diags.append(d.note(
            "ARC206", "the overlay names no environments; assuming dev, staging and prod "
                      "(10.10/16, 10.20/16, 10.30/16)", ov.key_span(("environments",)),
            hint="add an `environments:` section to choose CIDRs, AZs and NAT per environment"))
    elif drawn_vpc is not None:
        _drawn_vpc_unused(specs, drawn_vpc, ov, diags)
    given = ov.mapping("environments")
    if drawn is not None and drawn.azs is not None:  # the AZs drawn, where the overlay is silent
        specs = {name: spec if "azs" in given.get(name, {}) else {**spec, "azs": drawn.azs[0]}
                 for name, spec in specs.items()}
    envs = tuple(_environment(name, specs[name], ov, zones, components, diags, drawn_span,
                              (drawn_blocks, use_drawn)) for name in specs)
    return envs, diags


def _drawn_vpc_unused(specs: Mapping[str, Mapping[str, Any]], drawn_vpc: tuple[str, Span],
                      ov: OverlayView, diags: list[d.Diagnostic]) -> None:
    """ARC209 when no environment of the overlay uses the block the diagram's VPC title
    writes: the overlay wins."""
    cidr, span = drawn_vpc
    given = [name for name, spec in specs.items() if "vpc_cidr" in spec]
    if not given or any(_network(specs[n]["vpc_cidr"]) == _network(cidr) for n in given):
        return  # (a missing vpc_cidr is ARC162)
    first = given[0]
    diags.append(d.warning(
        "ARC209", f"overlay environments.{first}.vpc_cidr ({specs[first].get('vpc_cidr')}) "
                  f"contradicts the diagram (its VPC title writes {cidr}), as does every "
                  "environment's; the overlay wins",
        ov.value_span(("environments", first, "vpc_cidr")) or span,
        hint="make the diagram and the overlay agree, or drop the block from the title",
        notes=(d.Note("the diagram says so here", span),)))


def _network(value: object) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(str(value), strict=False)
    except ValueError:
        return None


def _environment(name: str, spec: Mapping[str, Any], ov: OverlayView, zones: tuple[Zone, ...],
                 components: tuple[Component, ...], diags: list[d.Diagnostic],
                 drawn_span: Span | None = None,
                 drawn_blocks: DrawnBlocks = ({}, False)) -> Environment:
    span = ov.key_span(("environments", name)) or Span(ov.file or "", 1, 1, 1, 2)
    written = ov.value_span(("environments", name, "vpc_cidr")) is not None  # but invalid
    if "vpc_cidr" not in spec and not written and needs_vpc((z.role for z in zones),
                                                            (c.kind for c in components
                                                             if c.kind_is_known)):
        diags.append(d.error(
            "ARC162", f"environments.{name} is missing required property 'vpc_cidr'", span,
            hint="add 'vpc_cidr:' here; the environment's VPC range, e.g. 10.10.0.0/16 (the "
                 "diagram draws a VPC, a subnet or a component that lives in one)"))
    azs = int(spec.get("azs", 2))
    props = _resolved_props(name, spec, ov, components, diags)
    subnets = _subnets(name, spec, ov, zones, components, props, azs, diags, drawn_blocks)
    tags = dict(ov.mapping("tags"))
    tags.update(spec.get("tags", {}))
    return Environment(
        name=name, vpc_cidr=str(spec.get("vpc_cidr", "10.0.0.0/16")), azs=azs,
        nat=str(spec.get("nat", "single")),
        spot_non_critical=bool(spec.get("spot_non_critical", False)),
        subnets=subnets, components=freeze(props), tags=freeze(tags), span=span,
        vpc_cidr_span=ov.value_span(("environments", name, "vpc_cidr")) or drawn_span,
        dns_zone=str(spec["dns_zone"]) if "dns_zone" in spec else None)


def _resolved_props(env: str, spec: Mapping[str, Any], ov: OverlayView,
                    components: tuple[Component, ...],
                    diags: list[d.Diagnostic]) -> dict[str, dict[str, Any]]:
    overrides = spec.get("components", {}) or {}
    known = {c.id for c in components}
    for key in overrides:
        if key not in known:
            diags.append(d.error(
                "ARC201", f"environments.{env}.components: node {key!r} does not exist in the "
                          "diagram", ov.key_span(("environments", env, "components", key)),
                hint="override only components the diagram draws"))
    return {c.id: deep_merge(thaw(c.props), overrides.get(c.id, {})) for c in components}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Override wins; nested mappings merge so an environment restates only what changes."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _subnets(env: str, spec: Mapping[str, Any], ov: OverlayView, zones: tuple[Zone, ...],
             components: tuple[Component, ...], props: dict[str, dict[str, Any]], azs: int,
             diags: list[d.Diagnostic], drawn_blocks: DrawnBlocks) -> tuple[SubnetBlock, ...]:
    try:
        vpc = ipaddress.ip_network(str(spec.get("vpc_cidr", "10.0.0.0/16")), strict=True)
    except ValueError as exc:
        diags.append(d.error("ARC405", f"environment {env}: invalid VPC CIDR: {exc}",
                             ov.value_span(("environments", env, "vpc_cidr")),
                             hint="write the network address, e.g. 10.10.0.0/16"))
        return ()
    if not _vpc_accepted(env, vpc, ov, diags) or not isinstance(vpc, ipaddress.IPv4Network):
        return ()  # carving subnets out of 0.0.0.0/0 would only add confusing findings
    needs, explicit_spans = _needs(env, spec, ov, zones, components, props, azs, diags,
                                   drawn_blocks)
    blocks, unfit = allocate(vpc, azs, needs)
    for zone_id in sorted(set(unfit)):
        diags.append(d.error(
            "ARC404", f"environment {env}: VPC {vpc} has no room left for subnet {zone_id!r} "
                      f"({azs} AZs)", ov.value_span(("environments", env, "vpc_cidr")),
            hint="use a larger VPC CIDR (e.g. a /16) or fewer AZs"))
    return tuple(SubnetBlock(zone, az, cidr, explicit=(zone, az) in explicit_spans,
                             span=explicit_spans.get((zone, az)))
                 for zone, az, cidr in blocks)


def _vpc_accepted(env: str, vpc: ipaddress.IPv4Network | ipaddress.IPv6Network,
                  ov: OverlayView, diags: list[d.Diagnostic]) -> bool:
    """A VPC block AWS would create: IPv4, /16 to /28, outside the special-purpose ranges."""
    span = ov.value_span(("environments", env, "vpc_cidr"))
    if not isinstance(vpc, ipaddress.IPv4Network):
        diags.append(d.error("ARC405", f"environment {env}: VPC CIDR {vpc} is not IPv4", span,
                             hint="a VPC's primary block is IPv4, e.g. 10.10.0.0/16"))
        return False
    size = block_size_problem(vpc, "VPC CIDR")
    if size is not None:
        diags.append(d.error("ARC407", f"environment {env}: {size}", span,
                             hint="use a /16 (the usual VPC size) from 10.0.0.0/8, "
                                  "172.16.0.0/12 or 192.168.0.0/16"))
        return False
    where = _vpc_range_problem(vpc)
    if where is not None:
        diags.append(d.error("ARC408", f"environment {env}: {where}", span,
                             hint="use a private range: 10.0.0.0/8, 172.16.0.0/12 or "
                                  "192.168.0.0/16"))
        return False
    return True


def _needs(env: str, spec: Mapping[str, Any], ov: OverlayView, zones: tuple[Zone, ...],
           components: tuple[Component, ...], props: dict[str, dict[str, Any]], azs: int,
           diags: list[d.Diagnostic], drawn_blocks: DrawnBlocks
           ) -> tuple[list[SubnetNeed], dict[tuple[str, int], Span | None]]:
    by_id = {z.id: z for z in zones}
    explicit, spans = _explicit_cidrs(env, spec, ov, zones, azs, diags)
    blocks, use = drawn_blocks
    for zone_id, drawn in blocks.items():  # what titles write, where the overlay gives none
        cidrs = tuple(c for c, _ in drawn)
        if zone_id in explicit:
            _drawn_blocks_unused(env, explicit[zone_id], drawn, spans.get((zone_id, 0)), diags)
            continue
        if not use or len(cidrs) != azs or not all(
                _drawn_size(env, cidr, at, diags) for cidr, at in drawn):
            continue
        explicit[zone_id] = cidrs
        spans.update({(zone_id, i): at for i, (_, at) in enumerate(drawn)})
    demand: dict[str, int] = {}
    subnet_of: dict[str | None, str | None] = {}  # one walk up the nesting per zone
    for comp in components:
        if comp.zone not in subnet_of:
            subnet_of[comp.zone] = _subnet_zone(comp.zone, by_id)
        subnet = subnet_of[comp.zone]
        if subnet is not None:
            demand[subnet] = demand.get(subnet, 0) + addresses_per_az(comp.kind, props[comp.id],
                                                                      azs)
    needs = [SubnetNeed(zone=z.id, tier=z.tier or Tier.APP, order=i, per_az=demand.get(z.id, 1),
                        explicit=explicit.get(z.id, ()))
             for i, z in enumerate(zones) if z.role is Role.SUBNET and z.spread_of is None]
    return needs, spans


def _drawn_blocks_unused(env: str, given: tuple[str, ...], drawn: tuple[tuple[str, Span], ...],
                         span: Span | None, diags: list[d.Diagnostic]) -> None:
    """ARC209 when the overlay pins a tier's blocks other than its titles write."""
    if [_network(c) for c in given] == [_network(c) for c, _ in drawn]:
        return
    written = ", ".join(c for c, _ in drawn)
    diags.append(d.warning(
        "ARC209", f"overlay environments.{env} subnet blocks ({', '.join(given)}) contradict "
                  f"the diagram (its subnet titles write {written}); the overlay wins",
        span or drawn[0][1], hint="make the diagram and the overlay agree, or drop the blocks "
                                  "from the titles",
        notes=tuple(d.Note("the diagram says so here", at) for _, at in drawn)))


def _drawn_size(env: str, cidr: str, at: Span, diags: list[d.Diagnostic]) -> bool:
    """A block a subnet's title writes is of an AWS size (ARC407 at the title if not)."""
    problem = block_size_problem(ipaddress.IPv4Network(cidr), "subnet")
    if problem is not None:
        diags.append(d.error("ARC407", f"environment {env}: {problem}", at,
                             hint="write a /16 to /28 block inside the VPC in the title"))
    return problem is None


def _explicit_cidrs(env: str, spec: Mapping[str, Any], ov: OverlayView, zones: tuple[Zone, ...],
                    azs: int, diags: list[d.Diagnostic]) -> tuple[
                        dict[str, tuple[str, ...]], dict[tuple[str, int], Span | None]]:
    explicit: dict[str, tuple[str, ...]] = {}
    spans: dict[tuple[str, int], Span | None] = {}
    by_ref: dict[str, Zone] = {}  # the first zone with that id or title, as a scan would find
    for z in zones:
        by_ref.setdefault(z.id, z)
        by_ref.setdefault(z.title, z)
    for ref, zspec in (spec.get("zones", {}) or {}).items():
        zone = by_ref.get(ref) if isinstance(ref, str) else None
        path = ("environments", env, "zones", ref)
        if zone is None:
            diags.append(d.error("ARC201", f"environments.{env}.zones: subgraph {ref!r} does "
                                           "not exist in the diagram", ov.key_span(path),
                                 hint="name a subgraph by its title or id"))
            continue
        cidrs = tuple(str(c) for c in zspec.get("cidrs", ()))
        if cidrs and len(cidrs) != azs:
            diags.append(d.error(
                "ARC406", f"environment {env}: {ref!r} lists {len(cidrs)} CIDRs for {azs} AZs",
                ov.value_span(path + ("cidrs",)), hint="give exactly one CIDR per AZ"))
            continue
        if not _subnets_accepted(env, cidrs, path, ov, diags):
            continue  # not carved around: the plan would only report what follows from it
        explicit[zone.id] = cidrs
        for i in range(len(cidrs)):
            spans[(zone.id, i)] = ov.value_span(path + ("cidrs", i))
    return explicit, spans


def _subnets_accepted(env: str, cidrs: tuple[str, ...], path: tuple[str, ...],
                      ov: OverlayView, diags: list[d.Diagnostic]) -> bool:
    """Explicit subnet blocks of an AWS size (/16 to /28), checked before allocation: a /15
    would take the whole VPC and every other subnet would be reported as not fitting."""
    accepted = True
    for i, cidr in enumerate(cidrs):
        try:
            net = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            continue  # not a CIDR: the schema and ARC405 say so
        problem = block_size_problem(net, "subnet")
        if problem is not None:
            accepted = False
            diags.append(d.error("ARC407", f"environment {env}: {problem}",
                                 ov.value_span(path + ("cidrs", i)),
                                 hint="give the subnet a /16 to /28 block inside the VPC"))
    return accepted


def _subnet_zone(zone_id: str | None, by_id: dict[str, Zone]) -> str | None:
    seen: set[str] = set()
    while zone_id is not None and zone_id not in seen:
        seen.add(zone_id)
        zone = by_id.get(zone_id)
        if zone is None:
            return None
        if zone.role is Role.SUBNET:
            return zone.spread_of or zone.id  # a per-AZ copy: its tier's zone
        zone_id = zone.parent
    return None
