"""Compute: standalone EC2 instances, Auto Scaling groups, load balancers, the bastion."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from archc.aws.compute import (
    EC2_KINDS,
    STATEFUL_KINDS,
    lb_internal,
    listener_key,
    listener_port,
    serves,
    warn_unbooted,
)
from archc.aws.derivation import Derivation
from archc.aws.names import kebab
from archc.catalog.edge import NETWORK, load_balancer_type
from archc.emit.terraform import context_types as ct
from archc.kinds import KINDS, Kind, Tier
from archc.model import Component, Environment, FlowClass

INSTANCE_KINDS = (Kind.BASTION, Kind.CI_SERVER, Kind.SCM_SERVER, Kind.INSTANCE)
# Instance size when the overlay gives none: a bastion only relays sessions; CI and source
# servers build and store; anything else starts general purpose.
DEFAULT_INSTANCE_TYPE: dict[str, str] = {Kind.BASTION: "t3.micro", Kind.CI_SERVER: "t3.large",
                         Kind.SCM_SERVER: "t3.large", Kind.INSTANCE: "t3.medium",
                         Kind.BACKEND_SERVICE: "t3.medium"}
# Root volume (GiB) when volume_size is not given: CI workspaces and repositories need room.
DEFAULT_ROOT_GB: dict[str, int] = {Kind.BASTION: 20, Kind.CI_SERVER: 100, Kind.SCM_SERVER: 100,
                   Kind.INSTANCE: 30, Kind.BACKEND_SERVICE: 30}
# Auto scaling size when the overlay gives none: the two instances subnet_plan.py sizes for.
DEFAULT_SCALING = {"min": 2, "max": 2, "desired": 2}
# Amazon Linux 2023 from the public SSM parameters (always the current AMI of the region).
AMI_SSM = {"x86_64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
           "arm64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"}
GRAVITON_RE = re.compile(r"^[a-z]+\d+g[a-z]*\.")  # t4g.small, m7g.large, c7gn.xlarge
ROOT_VOLUME_TYPE = "gp3"
ROOT_DEVICE = "/dev/xvda"  # AL2023's root device name
# ASG behaviour: AL2023 boots in well under 5 minutes; keep 90 % serving during refreshes;
# scale out at 60 % average CPU.
ASG_TUNING: ct.AsgTuning = {"health_check_grace_period": 300,
                            "instance_refresh_min_healthy_percentage": 90,
                            "target_cpu_utilization": 60}
# ALB: TLS 1.3 policy (TLS 1.2 fallback); HTTP inside the VPC to the instances.
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# Target health: archc services answer /healthz with 200 (the convention archc's workloads
# follow); 15 s checks, 2 good / 3 bad, 30 s connection draining.
HEALTH_CHECK: ct.HealthCheck = {"path": "/healthz", "matcher": "200", "interval": 15, "timeout": 5,
                "healthy_threshold": 2, "unhealthy_threshold": 3}
DEREGISTRATION_DELAY = 30
# Target group type per target kind: an ASG attaches its instances; a node group's pods are
# registered by IP by the AWS Load Balancer Controller (TargetGroupBinding), so traffic
# reaches the pods on their port, not a node port.
TARGET_TYPES: dict[str, str] = {Kind.BACKEND_SERVICE: "instance", Kind.EKS_NODE_GROUP: "ip"}
# The CloudWatch agent ships what every Amazon Linux 2023 host writes to files (boot and user
# data output, the SSM agent, package installs, the audit log), plus Docker's container logs
# where it runs a container; Systems Manager reapplies its configuration every 30 minutes
# (the first run may come before the agent is installed).
HOST_LOG_FILES = (("/var/log/cloud-init-output.log", "cloud-init-output"),
                  ("/var/log/amazon/ssm/amazon-ssm-agent.log", "ssm-agent"),
                  ("/var/log/dnf.log", "dnf"), ("/var/log/audit/audit.log", "audit"))
CONTAINER_LOG_FILES = (("/var/lib/docker/containers/*/*-json.log", "containers"),)
AGENT_CONFIG_SCHEDULE = "rate(30 minutes)"
# Stateful hosts (CI workspaces and state, git repositories) keep their data on a separate
# encrypted volume that outlives the instance: size by kind unless data_volume_size says.
DATA_VOLUME_GB: dict[str, int] = {Kind.CI_SERVER: 100, Kind.SCM_SERVER: 200, Kind.INSTANCE: 50}
DATA_DEVICE = "/dev/sdf"
# Daily snapshots at 03:00 UTC, the last 14 kept: two weeks to notice and restore.
BACKUP: ct.Backup = {"interval_hours": 24, "time": "03:00", "retain_count": 14,
                     "tag_value_suffix": "daily"}
AMI_ID_RE = re.compile(r"^ami-[0-9a-f]{8,17}$")
# A private ECR image needs a registry login first (the role gets ECR read access, iam.py).
ECR_RE = re.compile(r"^(\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com)/")


def arch_of(instance_type: str) -> str:
    return "arm64" if GRAVITON_RE.match(instance_type) else "x86_64"


def instance_type(comp: Component, props: Mapping[str, Any]) -> str:
    return str(props.get("instance_type") or DEFAULT_INSTANCE_TYPE[comp.kind])


def root_gb(comp: Component, props: Mapping[str, Any]) -> int:
    return int(props.get("volume_size") or DEFAULT_ROOT_GB[comp.kind])


def scaling(props: Mapping[str, Any], key: str, default: Mapping[str, int]) -> dict[str, int]:
    """min/max/desired with gaps filled from `default`, desired kept within [min, max]."""
    given = props.get(key) or {}
    low = int(given.get("min", min(default["min"], given.get("max", default["min"]))))
    high = int(given.get("max", max(default["max"], low)))
    desired = int(given.get("desired", default["desired"]))
    return {"min": low, "max": high, "desired": min(max(desired, low), high)}


# --------------------------------------------------------------------------- instances
def instances(v: Derivation) -> list[ct.Instance]:
    out = [_instance(v, c) for c in v.of(*INSTANCE_KINDS)]
    return sorted(out, key=lambda i: i["id"])


def _instance(v: Derivation, comp: Component) -> ct.Instance:
    ident = v.ids[comp.id]
    tier = v.tier_of(comp)
    public = v.arch.tier_of(comp) is Tier.PUBLIC
    if comp.props.get("count", 1) != 1:
        v.warning("ARC529", f"{comp.id} asks for count {comp.props['count']}; archc emits one "
                            "instance (use kind backend_service for a scaled group)", comp.span,
                  hint=f"set `components: {{{comp.id}: {{kind: backend_service}}}}` and "
                       "`autoscaling: {min, max, desired}` for several identical instances")
    return {
        "id": ident, "component": comp.id, "label": v.title(comp),
        "subnet_tier": tier or next(iter(v.tiers.values())), "az_index": 0,
        "security_group": ident, "instance_role": ident,
        "associate_public_ip_address": public,
        "ssh_key": comp.kind == Kind.BASTION and v.bastion_access(comp) == "ssh",
        "termination_protection": comp.kind in STATEFUL_KINDS,
        "ignore_ami_changes": True,  # patch by replacing on purpose, not on every new AMI
        "boot": boot(v, comp), "root_volume_type": ROOT_VOLUME_TYPE,
        "data_volume": ({"device_name": DATA_DEVICE, "volume_type": ROOT_VOLUME_TYPE,
                         "kms_key": "data", "backup_tag_suffix": BACKUP["tag_value_suffix"]}
                        if comp.kind in STATEFUL_KINDS else None),
    }


def backup(v: Derivation) -> ct.Backup | None:
    """Snapshots of the stateful hosts' data volumes (None: no such host)."""
    return BACKUP.copy() if v.of(*STATEFUL_KINDS) else None


def boot(v: Derivation, comp: Component) -> ct.Boot:
    """The AMI and user data the overlay gives (`ami`, `user_data`/`user_data_file`,
    `container_image`), else Amazon Linux 2023 with no user data, said by ARC532 (a bastion
    needs nothing more: its SSM agent is in the image)."""
    ami = str(comp.props.get("ami") or "")
    user_data = comp.props.get("user_data")
    image = comp.props.get("container_image")
    if image:
        user_data = container_user_data(comp, str(image))
    warn_unbooted(v, comp)
    return {"ami_id": ami if AMI_ID_RE.match(ami) else None,
            "ami_ssm_parameter": None if AMI_ID_RE.match(ami) else (
                ami or AMI_SSM[arch_of(instance_type(comp, comp.props))]),
            "user_data": None if user_data is None else str(user_data)}


def container_user_data(comp: Component, image: str) -> str:
    """A boot script for Amazon Linux 2023 that runs the image with Docker, restarted always,
    on the host's network (the image listens on the component's port)."""
    lines = ["#!/bin/bash",
             f"# archc: run the container image of {comp.id} (overlay container_image).",
             "set -euo pipefail", "dnf install -y docker", "systemctl enable --now docker"]
    registry = ECR_RE.match(image)
    if registry:
        region = registry.group(1).split(".")[3]
        lines.append(f"aws ecr get-login-password --region {region} | docker login "
                     f"--username AWS --password-stdin {registry.group(1)}")
    lines.append(f"docker run -d --restart always --network host --name app {shlex.quote(image)}")
    return "\n".join(lines) + "\n"


def ecr_image(comp: Component) -> bool:
    return bool(ECR_RE.match(str(comp.props.get("container_image") or "")))


def instance_inputs(v: Derivation, env: Environment) -> dict[str, ct.InstanceInputs]:
    out: dict[str, ct.InstanceInputs] = {}
    for comp in v.of(*INSTANCE_KINDS):
        props = env.props(comp.id)
        out[v.ids[comp.id]] = {"instance_type": instance_type(comp, props),
                               "root_volume_size": root_gb(comp, props)}
        if comp.kind in STATEFUL_KINDS:
            out[v.ids[comp.id]]["data_volume_size"] = int(
                props.get("data_volume_size") or DATA_VOLUME_GB[comp.kind])
    return dict(sorted(out.items()))


def bastions(v: Derivation) -> list[ct.Bastion]:
    """Every bastion, in diagram order: the first keeps the output name bastion_public_ip,
    the others are named after their component (bastion_<id>_public_ip)."""
    return [{"instance": v.ids[c.id], "component": c.id, "access": v.bastion_access(c),
             "public_ip_output": "bastion_public_ip" if i == 0
             else f"bastion_{v.ids[c.id]}_public_ip"}
            for i, c in enumerate(v.of(Kind.BASTION))]


def ssh_bastion(platform: ct.PlatformParts) -> bool:
    """Some bastion is reached over SSH: the key pair and the admin CIDR inputs exist."""
    return any(b["access"] == "ssh" for b in platform["bastions"])


# --------------------------------------------------------------------------- auto scaling
def autoscaling_groups(v: Derivation) -> list[ct.AutoscalingGroup]:
    fronts = lb_targets(v)
    out = [_asg(v, c, fronts.get(c.id)) for c in v.of(Kind.BACKEND_SERVICE)]
    return sorted(out, key=lambda g: g["id"])


def _asg(v: Derivation, comp: Component, lb: str | None) -> ct.AutoscalingGroup:
    ident = v.ids[comp.id]
    return {
        "id": ident, "component": comp.id, "label": v.title(comp),
        "subnet_tier": v.tier_of(comp) or next(iter(v.tiers.values())),
        "security_group": ident, "instance_role": ident, "boot": boot(v, comp),
        "root_volume_type": ROOT_VOLUME_TYPE, "root_device_name": ROOT_DEVICE, **ASG_TUNING,
        "target_group": None if lb is None else {"load_balancer": lb, "key": ident},
        # ELB health checks only once something answers them: else EC2's, no replace loop
        "health_check_type": "ELB" if lb is not None and serves(comp) else "EC2",
    }


def asg_inputs(v: Derivation, env: Environment) -> dict[str, ct.AsgInputs]:
    out: dict[str, ct.AsgInputs] = {}
    for comp in v.of(Kind.BACKEND_SERVICE):
        props = env.props(comp.id)
        size = scaling(props, "autoscaling", DEFAULT_SCALING)
        out[v.ids[comp.id]] = {"instance_type": instance_type(comp, props),
                               "min_size": size["min"], "max_size": size["max"],
                               "desired_size": size["desired"],
                               "root_volume_size": root_gb(comp, props)}
    return dict(sorted(out.items()))


def lb_targets(v: Derivation) -> dict[str, str]:
    """backend_service id -> the load balancer (tf id) that forwards to it (first one)."""
    out: dict[str, str] = {}
    for flow in v.flows_between((FlowClass.NETWORK,), [Kind.LOAD_BALANCER],
                                [Kind.BACKEND_SERVICE]):
        out.setdefault(flow.target, v.ids[flow.initiator])
    return out


# --------------------------------------------------------------------------- load balancers
def load_balancers(v: Derivation, log_bucket: str | None,
                   cdns: list[ct.Cdn]) -> list[ct.LoadBalancer]:
    """Behind a CDN, a load balancer's listener checks that CloudFront's origin secret."""
    verify = {cdn["origin"]["id"]: cdn["origin"]["verify"] for cdn in cdns}
    out = [_load_balancer(v, c, log_bucket, verify) for c in v.of(Kind.LOAD_BALANCER)]
    return sorted(out, key=lambda lb: lb["id"])


def _load_balancer(v: Derivation, comp: Component, log_bucket: str | None,
                   verify: dict[str, ct.OriginVerify]) -> ct.LoadBalancer:
    ident = v.ids[comp.id]
    lb_type = load_balancer_type(comp.props, comp.label, comp.id)
    network = lb_type == NETWORK
    groups = _target_groups(v, comp, network)
    if not groups and network:
        v.error("ARC565", f"network load balancer {comp.id} forwards to no backend_service or "
                          "node group: an NLB listener cannot answer by itself", comp.span,
                hint="draw a flow from it to a backend_service or an EKS node group")
    elif not groups:
        v.warning("ARC512", f"load balancer {comp.id} forwards to no backend_service: its "
                            "listener answers 404", comp.span,
                  hint="draw a flow from it to a backend_service")
    return {
        "id": ident, "component": comp.id, "label": v.title(comp),
        "subnet_tier": v.tier_of(comp) or next(iter(v.tiers.values())),
        "internal": lb_internal(v.arch, comp), "type": lb_type,
        "security_group": ident, "certificate": ident,
        "access_logs": {"bucket": log_bucket, "prefix": kebab(ident)},
        "listener": {"key": listener_key(comp), "origin_verify": verify.get(ident),
                     "port": listener_port(comp),
                     "protocol": "TLS" if network else "HTTPS", "ssl_policy": SSL_POLICY,
                     "target_group": groups[0]["key"] if groups else None},
        "target_groups": groups,
    }


def _target_groups(v: Derivation, comp: Component,
                   network: bool) -> list[ct.LoadBalancerTargetGroup]:
    groups: dict[str, ct.LoadBalancerTargetGroup] = {}
    for flow in v.flows(FlowClass.NETWORK):
        if flow.initiator != comp.id:
            continue
        kind = v.kind(flow.target)
        target_type = (TARGET_TYPES.get(kind) or KINDS[kind].lb_target_type) if kind else None
        if target_type is None:
            v.warning("ARC526", f"{flow.ref}: the target is not a backend_service or an EKS "
                                "node group, so no target group is attached to it (only its "
                                "security-group rules)",
                      flow.span, hint="a load balancer forwards to a backend_service or a node "
                                      "group's pods; set that kind on the target in the overlay "
                                      "if it serves traffic")
            continue
        key = v.ids[flow.target]
        port = flow.ports[0][0] if flow.ports else 80
        # an NLB passes TCP through and checks its targets' health over HTTP
        check: ct.HealthCheck = {**HEALTH_CHECK, "protocol": "HTTP"} if network else {
            **HEALTH_CHECK}
        groups.setdefault(key, {"key": key, "name_suffix": kebab(key), "port": port,
                                "protocol": "TCP" if network else "HTTP", "health_check": check,
                                "deregistration_delay": DEREGISTRATION_DELAY,
                                "target_type": target_type})
    return [groups[k] for k in sorted(groups)]


# --------------------------------------------------------------------------- CloudWatch agent
def host_log_group(ident: str) -> str:
    """The log group (data.log_groups id) of an EC2 host's own logs."""
    return f"{ident}_host"


def cloudwatch_agents(v: Derivation) -> list[ct.CloudWatchAgent]:
    out: list[ct.CloudWatchAgent] = []
    for comp in v.of(*EC2_KINDS):
        ident = v.ids[comp.id]
        files = HOST_LOG_FILES + (CONTAINER_LOG_FILES if comp.props.get("container_image")
                                  else ())
        out.append({"id": ident, "component": comp.id, "label": v.title(comp),
                    "log_group": host_log_group(ident), "config_schedule": AGENT_CONFIG_SCHEDULE,
                    "files": [{"path": path, "stream": stream} for path, stream in files]})
    return sorted(out, key=lambda a: a["id"])
