"""Compute facts more than one emitter (and `diff`) relies on: which kinds keep state on
their disks, what an EC2 host boots (ARC532 when the overlay says nothing), a node group's
instance types and which of them are GPU families.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from archc import diagnostics as d
from archc.aws.derivation import Derivation
from archc.catalog.edge import INTERNAL, NETWORK, load_balancer_scheme, load_balancer_type
from archc.kinds import HOLDS_DATA, Kind, Tier
from archc.model import Architecture, Component, Flow, FlowClass

# EC2 hosts, and the overlay keys that say what they run.
EC2_KINDS = (Kind.BASTION, Kind.BACKEND_SERVICE, Kind.CI_SERVER, Kind.INSTANCE,
             Kind.SCM_SERVER)
# The hosts among the kinds that hold data (builds, repositories): termination protection
# and a separate, snapshotted data volume.
STATEFUL_KINDS = HOLDS_DATA & frozenset(EC2_KINDS)
BOOT_KEYS = ("ami", "user_data", "user_data_file", "container_image")

# Node group defaults: general purpose nodes, the two nodes subnet_plan.py sizes subnets for.
DEFAULT_INSTANCE_TYPES = ["m6i.large"]

# GPU instance families (g4dn, g5, g6, p4d, p5): the NVIDIA EKS image, GPU tolerations.
GPU_RE = re.compile(r"^(g|p)\d+[a-z]*\.")


def instance_types(props: Mapping[str, Any]) -> list[str]:
    return [str(t) for t in props.get("instance_types") or DEFAULT_INSTANCE_TYPES]


def serves(comp: Component) -> bool:
    """The overlay says what the host runs (an image of its own, user data or a container)."""
    return any(comp.props.get(k) for k in BOOT_KEYS)


def warn_unbooted(v: Derivation, comp: Component) -> None:
    """ARC532 for an EC2 host (not a bastion: its SSM agent is in the image) that the overlay
    gives nothing to run: a warning for a backend service (its Auto Scaling group would serve
    nothing), a note for a single server (installed out of band, e.g. through SSM)."""
    if serves(comp) or comp.kind == Kind.BASTION:
        return
    report = v.warning if comp.kind == Kind.BACKEND_SERVICE else v.note
    report("ARC532", f"{comp.id} ({comp.kind}) names no AMI, user data or container "
                        "image: it boots plain Amazon Linux 2023 with nothing installed"
              + (", so its Auto Scaling group uses EC2 health checks, not the load "
                 "balancer's" if comp.kind == Kind.BACKEND_SERVICE else ""), comp.span,
              hint=f"give {comp.id} `ami:` (an AMI id or SSM parameter name), `user_data:`, "
                   "`user_data_file:` (a file in the spec directory) or `container_image:` "
                   "in the overlay")


def boot_findings(arch: Architecture) -> list[d.Diagnostic]:
    """ARC532 for every EC2 host with nothing to run (for `check`)."""
    v = Derivation(arch)
    for comp in v.of(*EC2_KINDS):
        warn_unbooted(v, comp)
    return v.diags


def lb_internal(arch: Architecture, comp: Component) -> bool:
    """An internal load balancer: drawn in a private subnet, or `scheme: internal`."""
    return load_balancer_scheme(comp.props, arch.tier_of(comp) is Tier.PUBLIC) == INTERNAL


# A load balancer's one listener: HTTPS (ALB) or TLS (NLB), on listener_port (default 443).
DEFAULT_LISTENER_PORT = 443
# The kinds that route to a load balancer through a VPC link (API Gateway HTTP APIs).
VPC_LINK_KINDS = frozenset({"api_gateway"})


def listener_key(comp: Component) -> str:
    """The key of a load balancer's listener in its module's `listeners` map."""
    network = load_balancer_type(comp.props, comp.label, comp.id) == NETWORK
    return "tls" if network else "https"


def listener_port(comp: Component) -> int:
    return int(comp.props.get("listener_port", DEFAULT_LISTENER_PORT))


def vpc_link_target(v: Derivation, flow: Flow) -> Component | None:
    """The load balancer an API gateway's flow reaches through its VPC link: the flow's target
    when that is a load balancer, else the first (in diagram order) that forwards to the
    target (an ECS or backend service behind one); None when the flow is no such route."""
    if flow.flow_class is not FlowClass.NETWORK or v.kind(flow.initiator) not in VPC_LINK_KINDS:
        return None
    target = v.comp(flow.target)
    if target.kind == Kind.LOAD_BALANCER:
        return target
    for f in v.flows(FlowClass.NETWORK):
        if f.target == flow.target and v.kind(f.initiator) == Kind.LOAD_BALANCER:
            return v.comp(f.initiator)
    return None


def vpc_link_tier(v: Derivation, lb: Component) -> str | None:
    """The subnets of a VPC link to a load balancer: the private app subnets (the load
    balancer's own when it is in one); None when the VPC has no private app subnet."""
    own = v.tier_of(lb)
    if own is not None and own.split("_")[0] == str(Tier.APP):
        return own
    return next((t for t in v.tiers.values() if t == str(Tier.APP)), None)
