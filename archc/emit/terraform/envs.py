"""Environment roots: one entry per IR environment, with the platform module's input values."""

from __future__ import annotations

from archc.aws.derivation import PROTECTED_ENVS, Derivation, apex_zone_collisions, zone_mode
from archc.aws.names import short_project
from archc.emit.terraform import catalog, compute, data, edge, eks, network
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.edge import WAF_RATE_LIMIT
from archc.kinds import Kind
from archc.model import Environment

NAME_RE_MAX = 21  # var.name: ^[a-z][a-z0-9-]{1,20}$ (it prefixes bucket, ALB and IAM names)
ELB_NAME_MAX = 32  # ALB and target group names


def environments(v: Derivation, platform: ct.Platform) -> list[ct.Environment]:
    if platform["dns_zones"]:
        v.diags += apex_zone_collisions(v.arch)
    return [_environment(v, platform, env) for env in v.arch.environments]


def _environment(v: Derivation, platform: ct.Platform, env: Environment) -> ct.Environment:
    project = v.arch.project
    prefix = str(v.arch.state.get("key_prefix") or project)
    tags = dict(env.tags)
    tags.update({"Environment": env.name, "ManagedBy": "archc", "Project": project})
    return {"name": env.name, "aws_region": v.arch.region, "allowed_account_ids": [],
            "backend_key": f"{prefix}/{env.name}/terraform.tfstate",
            "default_tags": dict(sorted(tags.items())), "inputs": inputs(v, platform, env)}


def inputs(v: Derivation, platform: ct.Platform, env: Environment) -> ct.Inputs:
    """Exactly one value per platform variable (operator-supplied ones excepted)."""
    name = f"{short_project(v.arch.project)}-{env.name}"
    _check(v, platform, env, name)
    values: ct.Inputs = {
        "name": name, "environment": env.name,
        "log_retention_days": v.log_retention_days,
        "deletion_protection": env.name in PROTECTED_ENVS,
        "instances": compute.instance_inputs(v, env),
        "autoscaling_groups": compute.asg_inputs(v, env),
        "databases": data.database_inputs(v, env),
    }
    if platform["network"]["vpc"]:
        values["vpc_cidr"] = env.vpc_cidr
        values["availability_zones"] = network.availability_zones(v.arch.region, env.azs)
        values["subnet_cidrs"] = network.subnet_cidrs(v, env)
    if platform["kinds"]:
        values["components"] = catalog.settings(v, env.name)
    if platform["network"]["nat_gateway"]:
        values["single_nat_gateway"] = env.nat != "per_az"
    if platform["dns_zones"]:
        values["dns_domain"] = v.arch.domain
        values["dns_create_zone"] = zone_mode(env) == "subzone"
        values["dns_zone_name"] = edge.zone_name(v, env)
    if len(platform["dns_zones"]) > 1:
        values["dns_zones"] = edge.zone_inputs(v, env, platform["dns_zones"])
    if platform["eks"]:
        values["kubernetes_version"] = eks.kubernetes_version(v, env)
        values["eks_node_groups"] = eks.node_group_inputs(v, env)
    if platform["extra_eks_clusters"]:
        values["eks_kubernetes_versions"] = eks.extra_kubernetes_versions(v, env)
    if platform["cdns"]:
        values["cloudfront_price_class"] = edge.price_class(env)
    if platform["waf"]:
        values["waf_rate_limit"] = WAF_RATE_LIMIT
    if compute.ssh_bastion(platform):
        values["admin_cidr_blocks"] = list(v.arch.policy.admin_cidrs)
    return values


def _check(v: Derivation, platform: ct.Platform, env: Environment, name: str) -> None:
    span = env.span
    if env.nat == "none" and v.of(Kind.NAT_GATEWAY):
        v.error("ARC515", f"environment {env.name} sets nat: none but the diagram draws a NAT "
                          "gateway that egress flows use", span,
                hint="use nat: single, or remove the NAT gateway from the diagram")
    if env.azs < 2:
        v.error("ARC516", f"environment {env.name} has {env.azs} availability zone(s); the "
                          "load balancer, RDS subnet group and EKS need at least 2", span,
                hint="set azs: 2 or more")
    if len(name) > NAME_RE_MAX:
        v.error("ARC521", f"resource prefix {name!r} is longer than {NAME_RE_MAX} characters",
                span, hint="use a shorter project or environment name")
    names = [f"{name}-{lb['id']}" for lb in platform["load_balancers"]] + [
        f"{name}-{tg['name_suffix']}" for lb in platform["load_balancers"]
        for tg in lb["target_groups"]]
    for long in (n for n in names if len(n) > ELB_NAME_MAX):
        v.error("ARC521", f"load balancer name {long!r} is longer than {ELB_NAME_MAX} "
                          "characters", span, hint="shorten the component id or project name")
