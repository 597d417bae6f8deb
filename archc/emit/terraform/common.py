"""What only the Terraform emitter needs across its topic modules: its diagnostic codes and
the thawing of IR values into plain context data. Names, texts and shared derivations live
in `archc.aws`, which the other emitters and `diff` read too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archc.catalog import CATALOG_CODES

# Things the IR says that Terraform cannot (or that archc had to assume while writing it); the
# catalog kinds' own codes (ARC540-ARC589) are each family's `CODES`.
TERRAFORM_CODES: dict[str, str] = {**CATALOG_CODES, **{
    "ARC510": "a flow that needs a security-group rule has no port or protocol",
    "ARC511": "an environment's subnet plan lacks a block for some subnet zone and AZ",
    "ARC512": "a load balancer has no backend_service target: its listener answers 404",
    "ARC513": "a DNS name is under no DNS zone's domain (or a zone has none): no record is "
              "written",
    "ARC514": "no DNS zone: certificates and the CDN origin host name are operator inputs",
    "ARC515": "an environment sets nat: none but the diagram routes traffic through NAT",
    "ARC516": "an environment has fewer than two availability zones (ALB, RDS, EKS need two)",
    "ARC518": "bastion access is ssm: a port-22 flow is not opened",
    "ARC519": "an EKS node group calls AWS without a workload: its IRSA service account is "
              "assumed",
    "ARC520": "a secret has no reader: no IAM policy grants it",
    "ARC521": "a generated AWS name is longer than AWS allows",
    "ARC522": "a flow has no security-group meaning (an end outside the VPC): no rule",
    "ARC523": "a CDN reaches no load balancer of its own: it has no origin and is not emitted",
    "ARC524": "bastion access is ssh but policy.admin_cidrs is empty: nobody can reach it",
    "ARC525": "a bucket asks for versioning: false; archc always versions buckets",
    "ARC526": "a load balancer target is not a backend_service or node group: no target group",
    "ARC527": "a CDN or load balancer has no aliases: its host name is assumed",
    "ARC528": "a node group mixes instance types that need different EKS AMI types",
    "ARC529": "a single-instance component asks for count > 1: one instance is emitted",
    "ARC530": "an EKS node group without an EKS control plane cannot be emitted",
    "ARC538": "a load balancer's flow to a node group is not its listener's target: no traffic",
    "ARC535": "two environments put their DNS records in the domain's own zone",
    "ARC531": "an EC2 host in a private subnet with no NAT gateway: its agents have no route "
              "out",
    "ARC532": "an EC2 host with no AMI, user data or container image: nothing runs on it "
              "(EC2 health checks for its Auto Scaling group)",
    "ARC533": "a second EKS cluster gets no cluster add-ons (no pod target binding) nor "
              "cluster-addons output",
    "ARC534": "two EKS node groups share a name: their inputs and charts would collide",
}}


def plain(value: Any) -> Any:
    """Thaw IR mappings/tuples into JSON-like data (the context is plain data)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


