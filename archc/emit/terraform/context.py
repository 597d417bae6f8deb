"""Assemble the Terraform template context (templates/terraform/CONTEXT.md) from the IR.

Each topic module computes its part from the IR alone; this one puts them in the shape the
templates read and collects the diagnostics. Lists are sorted by id, so the same IR always
gives the same context, byte for byte once rendered.
"""

from __future__ import annotations

from archc import diagnostics as d
from archc.aws.derivation import Derivation
from archc.aws.security_groups import security_group_rules, security_groups
from archc.emit.terraform import compute, data, edge, eks, envs, iam, pins
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.network import max_az_count, network
from archc.model import Architecture

SCHEMA_VERSION = 2
# Terraform state: old state versions are kept 90 days; the state key is kept 30 days after
# deletion is scheduled (the KMS maximum is 30).
STATE_NONCURRENT_DAYS = 90
# S3 native locking (Terraform >= 1.10) when the overlay does not choose; DynamoDB locking is
# deprecated by Terraform.
DEFAULT_LOCKING = "lockfile"


def build_context(arch: Architecture) -> tuple[ct.Context, list[d.Diagnostic]]:
    v = Derivation(arch)
    platform = _platform(v)
    uses = ({"eks"} if platform["eks"] else set()) | ({"secrets"} if platform["secrets"]
                                                       else set())
    context: ct.Context = {
        "schema_version": SCHEMA_VERSION,
        "generated_from": list(arch.inputs),
        "project": {"name": arch.project, "description": f"{v.project_title} platform"},
        "terraform": pins.terraform(uses),
        "modules": pins.modules(),
        "state": _state(v),
        "environments": envs.environments(v, platform),
        "platform": platform,
        "moved": [],  # the emitter fills it from the previous build (`moves`)
    }
    return context, v.diags


def _platform(v: Derivation) -> ct.Platform:
    rules, diags = security_group_rules(v.arch)
    v.diags += diags
    bucket_list, log_bucket = data.buckets(v)
    edges = edge.edge(v)
    parts: ct.PlatformParts = {
        "max_az_count": max_az_count(v),
        "network": network(v, rules),
        "log_groups": data.log_groups(v),
        "security_groups": security_groups(v.arch),
        "security_group_rules": rules,
        "bastion": compute.bastion(v),
        "instances": compute.instances(v),
        "autoscaling_groups": compute.autoscaling_groups(v),
        "load_balancers": compute.load_balancers(v, log_bucket),
        "eks": eks.eks(v),
        "databases": data.databases(v),
        "buckets": bucket_list,
        "access_log_bucket": log_bucket,
        "secrets": data.secrets(v),
        "dns": edges.dns, "certificates": edges.certificates, "cdn": edges.cdn, "waf": edges.waf,
    }
    return {**parts,
            "iam": {"instance_roles": iam.instance_roles(v), "irsa_roles": iam.irsa_roles(v),
                    "policies": iam.policies(v, parts)},
            "kms_keys": data.kms_keys(v, parts)}


def _state(v: Derivation) -> ct.State:
    project = v.arch.project
    return {
        "bucket": str(v.arch.state.get("bucket") or f"{project}-tfstate"),
        "region": v.arch.region,
        "locking": str(v.arch.state.get("locking") or DEFAULT_LOCKING),
        "dynamodb_table": f"{project}-tfstate-lock",
        "kms_alias": f"alias/{project}-tfstate",
        "kms_deletion_window_in_days": data.KMS_DELETION_WINDOW_DAYS,
        "kms_policy_checkov_skips": [s.copy() for s in data.KMS_POLICY_SKIPS],
        "noncurrent_version_expiration_days": STATE_NONCURRENT_DAYS,
        "default_tags": {"ManagedBy": "archc", "Project": project, "Purpose": "terraform-state"},
    }
