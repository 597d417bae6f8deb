"""The network part of the context: subnet tiers, per-environment subnet CIDRs, endpoints.

The subnet plan is the IR's (`Environment.subnets`, from archc.subnet_plan or the overlay).
Environments may size and place their subnets differently (the allocator packs each VPC on
its own), so the exact CIDRs are per-environment inputs (`subnet_cidrs`) of the shared module
rather than cidrsubnet() arithmetic inside it: the Terraform reproduces env.subnets exactly.
"""

from __future__ import annotations

from archc.aws.derivation import Derivation
from archc.aws.security_groups import (
    CLOUDFRONT_PREFIX_LIST,
    S3_ENDPOINT,
    endpoint_group,
    endpoint_key,
    interface_endpoints,
)
from archc.emit.terraform import context_types as ct
from archc.kinds import Kind, Role, Tier
from archc.model import Environment, Zone

# vpc module subnet list per tier: public subnets route to the internet gateway, app subnets
# through NAT, data subnets get the module's database route table (no NAT route).
VPC_ROLE = {Tier.PUBLIC: "public", Tier.APP: "private", Tier.DATA: "database"}
ROLE_ORDER = {"public": 0, "private": 1, "database": 2}
# Subnet discovery tags the AWS Load Balancer Controller reads (only with an EKS cluster).
EKS_SUBNET_TAGS = {"public": {"kubernetes.io/role/elb": "1"},
                   "private": {"kubernetes.io/role/internal-elb": "1"}}
# VPC flow logs: every packet decision, aggregated per minute (the finest AWS offers).
FLOW_LOG: ct.FlowLog = {"traffic_type": "ALL", "max_aggregation_interval": 60, "kms_key": "logs"}
CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"


def subnet_zones(v: Derivation) -> list[Zone]:
    return [z for z in v.arch.zones if z.role is Role.SUBNET and z.spread_of is None]


def subnet_tiers(v: Derivation) -> list[ct.SubnetTier]:
    """One entry per subnet zone, in vpc-module order (public, private, database)."""
    counts: dict[str, int] = {}
    tiers: list[ct.SubnetTier] = []
    for zone in subnet_zones(v):
        role = VPC_ROLE[zone.tier or Tier.APP]
        counts[role] = counts.get(role, 0) + 1
        tiers.append({"id": v.tiers[zone.id], "label": zone.title, "vpc_role": role,
                      "vpc_list_index": counts[role] - 1})
    return sorted(tiers, key=lambda t: (ROLE_ORDER[t["vpc_role"]], t["vpc_list_index"]))


def subnet_cidrs(v: Derivation, env: Environment) -> dict[str, list[str]]:
    """Tier id -> one CIDR per AZ, exactly the IR's plan (ARC511 when a block is missing)."""
    out: dict[str, list[str]] = {}
    for zone in subnet_zones(v):
        blocks = sorted(env.subnets_of(zone.id), key=lambda b: b.az_index)
        if [b.az_index for b in blocks] != list(range(env.azs)):
            v.error("ARC511", f"environment {env.name}: subnet zone {zone.title!r} has "
                              f"{len(blocks)} subnet block(s) for {env.azs} availability zones",
                    env.vpc_cidr_span or env.span,
                    hint="give the zone one CIDR per AZ (environments.<env>.zones) or a "
                         "larger vpc_cidr")
        out[v.tiers[zone.id]] = [b.cidr for b in blocks]
    return out


def network(v: Derivation, rules: list[ct.SecurityGroupRule]) -> ct.Network:
    roles = {t["vpc_role"] for t in subnet_tiers(v)}
    tags = {r: t for r, t in EKS_SUBNET_TAGS.items() if r in roles} if v.of(
        Kind.EKS_CONTROL_PLANE) else {}
    return {
        "vpc": v.needs_vpc(),
        "subnet_tiers": subnet_tiers(v),
        "subnet_role_tags": tags,
        "nat_gateway": bool(v.of(Kind.NAT_GATEWAY)),
        "flow_log": FLOW_LOG.copy(),
        "gateway_endpoints": _gateway_endpoints(v, rules),
        "interface_endpoints": _interface_endpoints(v),
        "prefix_lists": _prefix_lists(rules),
    }


def _peers(rules: list[ct.SecurityGroupRule], kind: str) -> set[str]:
    return {r["peer"]["ref"] for r in rules if r["peer"]["kind"] == kind}


def _gateway_endpoints(v: Derivation,
                       rules: list[ct.SecurityGroupRule]) -> list[ct.GatewayEndpoint]:
    """The S3 gateway endpoint when a rule names it, on the route tables of its callers."""
    if S3_ENDPOINT not in _peers(rules, "gateway_endpoint"):
        return []
    sgs = {r["security_group"] for r in rules
           if r["peer"] == {"kind": "gateway_endpoint", "ref": S3_ENDPOINT}}
    roles = set()
    for comp in v.arch.components:
        tier = v.arch.tier_of(comp)
        if v.ids[comp.id] in sgs and tier is not None:
            roles.add(VPC_ROLE[tier])
    return [{"id": S3_ENDPOINT, "service": "s3",
             "route_table_roles": sorted(roles, key=ROLE_ORDER.__getitem__)}]


def _interface_endpoints(v: Derivation) -> list[ct.InterfaceEndpoint]:
    """An interface endpoint (private DNS) per AWS service the VPC's components call, in the
    first app subnet tier (else the first data one, else public): one subnet per AZ, as AWS
    allows."""
    tiers = subnet_tiers(v)
    if not tiers:
        return []
    tier = next((t for t in tiers if t["vpc_role"] == "private"),
                next((t for t in tiers if t["vpc_role"] == "database"), tiers[0]))["id"]
    return [{"id": endpoint_key(service), "service": service,
             "security_group": endpoint_group(service), "subnet_tier": tier}
            for service in interface_endpoints(v)]


def _prefix_lists(rules: list[ct.SecurityGroupRule]) -> list[ct.PrefixList]:
    if CLOUDFRONT_PREFIX_LIST not in _peers(rules, "prefix_list"):
        return []
    return [{"id": CLOUDFRONT_PREFIX_LIST, "name": CLOUDFRONT_ORIGIN_PREFIX_LIST}]


def max_az_count(v: Derivation) -> int:
    return max([2] + [e.azs for e in v.arch.environments])


def availability_zones(region: str, count: int) -> list[str]:
    """AZ names of an environment: the region's first zones (a, b, c...). The IR carries only
    the count; AWS names zones <region><letter>, and a, b, c exist in every commercial region."""
    return [f"{region}{chr(ord('a') + i)}" for i in range(count)]
