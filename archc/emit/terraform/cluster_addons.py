"""The AWS side of the cluster add-ons (archc.aws.cluster_addons): `platform.cluster_addons`.

* block storage: the EBS CSI driver add-on and its role (the module's EBS CSI policy, with the
  data key for encrypted volumes): the monitoring stack keeps its data on persistent volumes;
* container logs: the Container Insights log groups, created before the add-on so they carry
  the environment's retention and the logs KMS key (the add-on would create them without
  either), and the add-on's IRSA role limited to writing those groups;
* monitoring: the Grafana admin password, generated into Secrets Manager (write-only, never in
  state or in a file), and the IRSA role of the secret store that may read that one secret;
* load balancer controller: only where a load balancer's flow reaches a node group; its role
  may register and deregister targets in those target groups only (TargetGroupBinding mode:
  Terraform owns the ALB, listeners and security groups).
"""

from __future__ import annotations

import json

from archc.aws.cluster_addons import (
    CLOUDWATCH,
    EBS_CSI,
    GRAFANA_SECRET_SUFFIX,
    LOAD_BALANCER_CONTROLLER,
    MONITORING,
    AddonAccount,
    pod_targets,
)
from archc.aws.derivation import Derivation
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.data import retention_skips

CLOUDWATCH_ADDON = "amazon-cloudwatch-observability"
EBS_CSI_ADDON = "aws-ebs-csi-driver"
# The log groups Container Insights writes (/aws/containerinsights/<cluster>/<name>).
CONTAINER_LOG_GROUPS = ("application", "dataplane", "host", "performance")
# The add-on's agent configuration: Container Insights (enhanced) and container logs only;
# Application Signals (X-Ray traces, its own log group) stays off, so the role needs no X-Ray.
CLOUDWATCH_CONFIGURATION = {
    "agent": {"config": {"logs": {"metrics_collected": {"kubernetes": {
        "enhanced_container_insights": True}}}}},
    "containerLogs": {"enabled": True},
}
GRAFANA_PASSWORD_LENGTH = 32
SECRET_RECOVERY_DAYS = 30


def cluster_addons(v: Derivation, eks: ct.Eks | None,
                   load_balancers: list[ct.LoadBalancer]) -> ct.ClusterAddons | None:
    if eks is None:
        return None
    return {"block_storage": {"addon": EBS_CSI_ADDON, "kms_key": "data",
                              "role": _role(v, EBS_CSI, "EBS CSI driver (persistent volumes)")},
            "container_logs": _container_logs(v), "monitoring": _monitoring(v),
            "load_balancer_controller": _controller(v, load_balancers)}


def _role(v: Derivation, account: AddonAccount, what: str) -> ct.AddonRole:
    return {"id": account.role, "label": f"{what}, {v.project_title} EKS cluster",
            "name_suffix": account.role.replace("_", "-"), "namespace": account.namespace,
            "service_account": account.service_account}


def _container_logs(v: Derivation) -> ct.ContainerLogs:
    return {
        "addon": CLOUDWATCH_ADDON,
        "role": _role(v, CLOUDWATCH, "CloudWatch agent and Fluent Bit of the "
                                     "CloudWatch Observability add-on"),
        "log_groups": [{"id": f"container_{name}", "name": name}
                       for name in CONTAINER_LOG_GROUPS],
        "kms_key": "logs", "checkov_skips": retention_skips(v),
        "configuration_values": json.dumps(CLOUDWATCH_CONFIGURATION, sort_keys=True),
    }


def _monitoring(v: Derivation) -> ct.Monitoring:
    return {
        "role": _role(v, MONITORING, "External Secrets store reading the Grafana admin secret"),
        "grafana_secret": {"id": "grafana_admin", "name_suffix": GRAFANA_SECRET_SUFFIX,
                           "kms_key": "data", "random_password_length": GRAFANA_PASSWORD_LENGTH,
                           "recovery_window_in_days": SECRET_RECOVERY_DAYS},
    }


def _controller(v: Derivation, load_balancers: list[ct.LoadBalancer],
                ) -> ct.LoadBalancerController | None:
    groups = {(lb["id"], tg["key"]) for lb in load_balancers for tg in lb["target_groups"]
              if tg["target_type"] == "ip"}
    forwards = {lb["id"]: lb["listener"]["target_group"] for lb in load_balancers}
    targets: list[ct.PodTargetGroup] = []
    for target in pod_targets(v, served=False):
        control = v.cluster_of(v.comp(target.node_group))
        if control is not None:
            v.warning("ARC533", f"{target.flow.ref}: the pods of {target.node_group} run on "
                                f"{control.id}, which gets no AWS Load Balancer Controller: "
                                "its chart has no TargetGroupBinding and no pod is registered "
                                f"in {target.load_balancer}'s target group",
                      target.flow.span, hint="forward to a node group of the first cluster, "
                                             "or bind the pods with your own controller")
    for target in pod_targets(v):
        lb, key = v.ids[target.load_balancer], v.ids[target.node_group]
        if (lb, key) not in groups:
            continue
        targets.append({"load_balancer": lb, "key": key, "component": target.node_group})
        if forwards.get(lb) != key:
            v.warning("ARC538", f"{target.flow.ref}: the listener of {target.load_balancer} "
                                f"forwards to its target group {forwards.get(lb)}, so the pods of "
                                f"{target.node_group} are registered but receive no traffic",
                      target.flow.span, hint="add a listener rule for this target group, or "
                                             "route the load balancer to one target only")
    if not targets:
        return None
    return {"role": _role(v, LOAD_BALANCER_CONTROLLER, "AWS Load Balancer Controller "
                                                       "(TargetGroupBinding)"),
            "target_groups": sorted(targets, key=lambda t: (t["load_balancer"], t["key"]))}
