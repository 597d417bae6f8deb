"""EKS: the cluster (control plane component), its managed node groups and access entries."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from archc.aws.compute import GPU_RE, instance_types
from archc.aws.derivation import Derivation
from archc.aws.iam import workload
from archc.aws.names import kebab, node_group_name, tf_id
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.common import plain
from archc.emit.terraform.compute import GRAVITON_RE, ROOT_DEVICE, ROOT_VOLUME_TYPE, scaling
from archc.kinds import Kind
from archc.model import Component, Environment, FlowClass

# Kubernetes version when the control plane gives none: the newest EKS standard-support
# release the pinned eks module (21.19) was tested with.
DEFAULT_KUBERNETES_VERSION = "1.33"
# Node group size by default (instance types: aws.compute.DEFAULT_INSTANCE_TYPES): the two
# nodes subnet_plan.py sizes subnets for.
DEFAULT_SCALING = {"min": 2, "max": 2, "desired": 2}
# Node root disk (GiB): accelerated images (CUDA, Neuron) and model weights need room.
DISK_GB = {"accelerated": 100, "standard": 50}
# EKS AMI type per instance family: GPU families (aws.compute.GPU_RE) need the NVIDIA image,
# Inferentia/Trainium the Neuron image, Graviton the arm64 image.
NEURON_RE = re.compile(r"^(inf|trn)\d+[a-z]*\.")
# Every control plane log type, the managed add-ons every cluster needs (the VPC CNI and the
# pod identity agent before nodes join), and the access policy a CI deploy gets. The VPC CNI
# enforces Kubernetes NetworkPolicies (the Helm charts ship one per workload) only when asked.
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
ADDONS: dict[str, ct.Addon] = {"coredns": {}, "eks-pod-identity-agent": {"before_compute": True},
          "kube-proxy": {},
          "vpc-cni": {"before_compute": True,
                      "configuration_values": json.dumps({"enableNetworkPolicy": "true"})}}
DEPLOY_POLICY = "AmazonEKSEditPolicy"
# The admin path to the private endpoint: the bastion (SSH or Session Manager) runs kubectl
# as its instance role, a cluster admin; the role that ran `terraform apply` gets no entry
# (it cannot reach a private endpoint from outside the VPC anyway).
ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
# The eks module's node security group without its recommended rules (they allow all
# egress to 0.0.0.0/0): what nodes need, each rule with its reason. The module keeps its
# base rules (cluster API -> nodes 443 and kubelet 10250, node-to-node CoreDNS 53), and the
# flows the diagram draws are on archc's own node-group security groups.
NODE_SG_RULES: dict[str, ct.NodeSgRule] = {
    "ingress_nodes_ephemeral": {
        "description": "Node to node ingress on ephemeral ports (pod to pod)",
        "protocol": "tcp", "from_port": 1025, "to_port": 65535, "type": "ingress",
        "self": True},
    **{f"ingress_cluster_{port}_webhook": {
        "description": f"Cluster API to node {port}/tcp admission webhooks",
        "protocol": "tcp", "from_port": port, "to_port": port, "type": "ingress",
        "source_cluster_security_group": True} for port in (4443, 6443, 8443, 9443, 10251)},
    "egress_cluster_443": {
        "description": "Nodes to the cluster API (kubelet, pods calling the API server)",
        "protocol": "tcp", "from_port": 443, "to_port": 443, "type": "egress",
        "source_cluster_security_group": True},
    "egress_self_all": {
        "description": "Node to node, all protocols (pod networking, CoreDNS on other nodes)",
        "protocol": "-1", "from_port": 0, "to_port": 0, "type": "egress", "self": True},
    "egress_https": {
        "description": "Nodes to ECR, STS, EKS and S3 over HTTPS through the NAT gateway or "
                       "the S3 gateway endpoint",
        "protocol": "tcp", "from_port": 443, "to_port": 443, "type": "egress",
        "cidr_blocks": ["0.0.0.0/0"]},
}
# Rolling node updates replace at most a third of a group at a time.
MAX_UNAVAILABLE_PERCENTAGE = 33


def ami_type(instance_type: str) -> str:
    arm = bool(GRAVITON_RE.match(instance_type))
    if GPU_RE.match(instance_type):
        return "AL2023_ARM_64_NVIDIA" if arm else "AL2023_x86_64_NVIDIA"
    if NEURON_RE.match(instance_type):
        return "AL2023_x86_64_NEURON"
    return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_STANDARD"


def clusters(v: Derivation) -> list[ct.Eks]:
    """Every EKS cluster, one per control plane in diagram order: the first is module.eks
    (today's names), the others module.eks_<id>. A node group joins the cluster
    Derivation.cluster_of says; one that joins none is ARC530."""
    controls = v.of(Kind.EKS_CONTROL_PLANE)
    for group in v.of(Kind.EKS_NODE_GROUP):
        if v.cluster_of(group) is None:
            v.error("ARC530", f"node group {group.id} has no EKS control plane to join",
                    group.span, hint="draw the EKS control plane (kind eks_control_plane)"
                    if not controls else "draw a flow from its control plane to it, or draw "
                    "it inside that control plane's EKS-cluster subgraph")
    named: dict[str, Component] = {}
    for group in v.of(Kind.EKS_NODE_GROUP):
        other = named.setdefault(node_group_name(group), group)
        if other is not group:
            v.error("ARC534", f"node groups {other.id} and {group.id} are both named "
                              f"{node_group_name(group)}: their eks_node_groups inputs and Helm "
                              "charts would collide (even on different clusters)", group.span,
                    hint=f"give {group.id} another `name` in the overlay")
    out = [_cluster(v, c, i == 0) for i, c in enumerate(controls)]
    for extra in controls[1:]:
        v.warning("ARC533", f"{extra.id} gets its cluster, node groups and IRSA roles "
                            f"(module.eks_{v.ids[extra.id]}), but not the cluster add-ons (EBS "
                            "CSI driver, CloudWatch Observability, AWS Load Balancer "
                            "Controller, monitoring) nor the cluster-addons output: they serve "
                            f"{controls[0].id} only", extra.span,
                  hint=f"install the add-ons on {extra.id} yourself, or draw its node groups "
                       f"in {controls[0].id}'s cluster")
    return out


def _cluster(v: Derivation, comp: Component, first: bool) -> ct.Eks:
    ident = v.ids[comp.id]
    return {
        "id": "eks" if first else f"eks_{ident}", "component": comp.id, "label": v.title(comp),
        "name_suffix": None if first else kebab(ident),
        "kubernetes_version": ("var.kubernetes_version" if first else
                               f"var.eks_kubernetes_versions[{json.dumps(ident)}]"),
        "subnet_tier": v.tier_of(comp) or next(iter(v.tiers.values())),
        "security_group": v.ids[comp.id],
        "endpoint_public_access": False,  # CI reaches it from inside the VPC (DEPLOY flows)
        "authentication_mode": "API",
        "enable_cluster_creator_admin_permissions": False,
        "enabled_log_types": list(LOG_TYPES), "log_kms_key": "logs", "secrets_kms_key": "data",
        "node_root_device_name": ROOT_DEVICE, "node_root_volume_type": ROOT_VOLUME_TYPE,
        "node_max_unavailable_percentage": MAX_UNAVAILABLE_PERCENTAGE,
        "addons": plain(ADDONS),
        "node_groups": sorted((_node_group(v, c) for c in v.node_groups(comp)),
                              key=lambda n: n["id"]),
        "access_entries": access_entries(v, comp),
        "node_security_group_rules": plain(NODE_SG_RULES),
    }


def _node_group(v: Derivation, comp: Component) -> ct.NodeGroup:
    types = instance_types(comp.props)
    kinds = {ami_type(t) for t in types}
    if len(kinds) > 1:
        v.warning("ARC528", f"node group {comp.id} mixes instance types that need different "
                            f"AMI types ({', '.join(sorted(kinds))}); using {ami_type(types[0])}",
                  comp.span, hint="split the node group by instance family")
    return {
        "id": node_group_name(comp), "component": comp.id, "label": v.title(comp),
        "subnet_tier": v.tier_of(comp) or next(iter(v.tiers.values())),
        "security_group": v.ids[comp.id], "ami_type": ami_type(types[0]),
        "labels": plain(comp.props.get("labels") or {}), "taints": _taints(comp),
    }


def _taints(comp: Component) -> dict[str, ct.Taint]:
    """Taint id (last segment of its key: nvidia.com/gpu -> gpu) -> {key, value, effect}."""
    out: dict[str, ct.Taint] = {}
    for taint in comp.props.get("taints") or ():
        base = tf_id(str(taint["key"]).rsplit("/", 1)[-1])
        ident, n = base, 2
        while ident in out:
            ident, n = f"{base}_{n}", n + 1
        out[ident] = {"key": str(taint["key"]), "value": str(taint.get("value", "")),
                      "effect": str(taint["effect"])}
    return out


def access_entries(v: Derivation, control: Component) -> list[ct.AccessEntry]:
    """One edit entry per CI instance role with a DEPLOY flow to the cluster, scoped to the
    namespaces of the workloads archc generates charts for; one cluster admin entry per role of
    a bastion administering it (the admin path to the private endpoint)."""
    namespaces = sorted({workload(c)[1] for c in v.node_groups(control)})
    entries: dict[str, ct.AccessEntry] = {}
    for flow in v.flows(FlowClass.DEPLOY):
        caller = v.arch.component(flow.initiator)
        if flow.target != control.id or caller is None or caller.kind not in (
                Kind.CI_SERVER, Kind.SCM_SERVER, Kind.INSTANCE, Kind.BASTION):
            continue
        ident = v.ids[caller.id]
        scope: ct.AccessScope = ({"type": "namespace", "namespaces": namespaces} if namespaces
                                 else {"type": "cluster", "namespaces": []})
        entries[ident] = {"id": ident, "principal": {"kind": "instance_role", "ref": ident},
                          "policy": DEPLOY_POLICY, "access_scope": scope}
    for bastion in v.cluster_admins(control):
        ident = v.ids[bastion.id]
        entries[ident] = {"id": ident, "principal": {"kind": "instance_role", "ref": ident},
                          "policy": ADMIN_POLICY,
                          "access_scope": {"type": "cluster", "namespaces": []}}
    return [entries[k] for k in sorted(entries)]


def node_group_inputs(v: Derivation, env: Environment) -> dict[str, ct.NodeGroupInputs]:
    out: dict[str, ct.NodeGroupInputs] = {}
    for comp in v.of(Kind.EKS_NODE_GROUP):
        props = env.props(comp.id)
        types = instance_types(props)
        size = scaling(props, "scaling", DEFAULT_SCALING)
        accelerated = ami_type(types[0]) not in ("AL2023_x86_64_STANDARD",
                                                 "AL2023_ARM_64_STANDARD")
        out[node_group_name(comp)] = {
            "instance_types": types, "capacity_type": capacity_type(props, env),
            "min_size": size["min"], "max_size": size["max"], "desired_size": size["desired"],
            "disk_size": int(props.get("volume_size")
                             or DISK_GB["accelerated" if accelerated else "standard"]),
        }
    return dict(sorted(out.items()))


def capacity_type(props: Mapping[str, Any], env: Environment) -> str:
    """SPOT for non-critical groups where the environment allows it (or `capacity: spot`)."""
    if props.get("capacity"):
        return "SPOT" if props["capacity"] == "spot" else "ON_DEMAND"
    spot = props.get("critical") is False and env.spot_non_critical
    return "SPOT" if spot else "ON_DEMAND"


def kubernetes_version(v: Derivation, env: Environment) -> str:
    comp = v.of(Kind.EKS_CONTROL_PLANE)[0]
    return str(env.props(comp.id).get("version") or DEFAULT_KUBERNETES_VERSION)


def extra_kubernetes_versions(v: Derivation, env: Environment) -> dict[str, str]:
    """The Kubernetes version of every cluster but the first, by its component's tf id."""
    return {v.ids[c.id]: str(env.props(c.id).get("version") or DEFAULT_KUBERNETES_VERSION)
            for c in v.of(Kind.EKS_CONTROL_PLANE)[1:]}
