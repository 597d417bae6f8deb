"""Cluster add-ons every EKS cluster archc builds runs, as both sides must name them.

Terraform creates their AWS side (IRSA roles, log groups, the Grafana secret, target groups)
and the Helm side installs them; the names here (namespaces, service accounts, role ids) are
the contract between the two, so both read them from this one place.

* block storage: the EBS CSI driver EKS add-on (persistent volumes: Prometheus, Grafana,
  Alertmanager), volumes encrypted with archc's data key through an encrypted gp3 class;
* container logs: the Amazon CloudWatch Observability EKS add-on (CloudWatch agent + Fluent
  Bit) in ``amazon-cloudwatch``, writing the Container Insights log groups;
* monitoring: kube-prometheus-stack in ``monitoring``; Grafana's admin credentials live in
  Secrets Manager and reach the cluster through the External Secrets Operator;
* ingress to pods: where a load balancer's flow reaches a node group, the AWS Load Balancer
  Controller binds the pods of that node group's workload to the Terraform-managed target
  group (TargetGroupBinding; Terraform owns the ALB).
"""

from __future__ import annotations

from dataclasses import dataclass

from archc.aws.derivation import Derivation
from archc.kinds import Kind
from archc.model import Flow, FlowClass


@dataclass(frozen=True)
class AddonAccount:
    """The service account an add-on's IRSA role trusts (role id = Terraform name)."""

    role: str
    namespace: str
    service_account: str


EBS_CSI = AddonAccount("ebs_csi", "kube-system", "ebs-csi-controller-sa")
CLOUDWATCH = AddonAccount("cloudwatch_observability", "amazon-cloudwatch", "cloudwatch-agent")
MONITORING = AddonAccount("monitoring_secrets", "monitoring", "grafana-admin-secret-reader")
LOAD_BALANCER_CONTROLLER = AddonAccount("load_balancer_controller", "kube-system",
                                        "aws-load-balancer-controller")
# The Kubernetes Secret External Secrets writes and Grafana reads (admin.existingSecret).
GRAFANA_ADMIN_SECRET = "grafana-admin"
GRAFANA_ADMIN_USER = "admin"
# The Secrets Manager secret of its password: `<var.name>/<suffix>` (Terraform's name).
GRAFANA_SECRET_SUFFIX = "grafana-admin"
# The encrypted gp3 StorageClass the monitoring stack's volumes use (cluster-addons chart).
STORAGE_CLASS = "gp3-encrypted"
# Prometheus scrapes from this namespace: workload NetworkPolicies admit it on their port.
MONITORING_NAMESPACE = MONITORING.namespace
# Default HTTP port of a load balancer -> node group flow that names none.
DEFAULT_POD_PORT = 80


@dataclass(frozen=True)
class PodTarget:
    """A load balancer flow that ends at a node group: one target group of pod IPs."""

    load_balancer: str  # component ids
    node_group: str
    port: int
    flow: Flow


def pod_targets(v: Derivation, served: bool = True) -> list[PodTarget]:
    """One per (load balancer, node group) pair with a network flow, the first flow's port:
    those whose node group is on the first cluster (its AWS Load Balancer Controller binds
    them), or with served=False those on another cluster (no controller there, ARC533)."""
    controls = v.of(Kind.EKS_CONTROL_PLANE)
    out: dict[tuple[str, str], PodTarget] = {}
    for flow in v.flows_between((FlowClass.NETWORK,), [Kind.LOAD_BALANCER],
                                [Kind.EKS_NODE_GROUP]):
        first = bool(controls) and v.cluster_of(v.comp(flow.target)) == controls[0]
        if first != served:
            continue
        port = flow.ports[0][0] if flow.ports else DEFAULT_POD_PORT
        out.setdefault((flow.initiator, flow.target),
                       PodTarget(flow.initiator, flow.target, port, flow))
    return [out[k] for k in sorted(out)]
