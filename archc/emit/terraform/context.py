"""Assemble the Terraform template context (templates/terraform/CONTEXT.md) from the IR.

Each topic module computes its part from the IR alone; this one puts them in the shape the
templates read and collects the diagnostics. Lists are sorted by id, so the same IR always
gives the same context, byte for byte once rendered.
"""

from __future__ import annotations

from archc import diagnostics as d
from archc.aws.derivation import Derivation
from archc.aws.security_groups import security_group_rules, security_groups
from archc.emit.terraform import catalog, cluster_addons, compute, data, edge, eks, envs, iam, pins
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.network import max_az_count, network
from archc.model import Architecture

SCHEMA_VERSION = 2
# Terraform state: old state versions are kept 90 days; the state key is kept 30 days after
# deletion is scheduled (the KMS maximum is 30).
STATE_NONCURRENT_DAYS = 90
# S3 bucket names are global: bootstrap/ appends `-<account id>-<region>` to this prefix, which
# must leave room for them (63 characters at most; the longest region names have 14).
STATE_BUCKET_MAX = 63
STATE_BUCKET_SUFFIX_MAX = len("-123456789012-ap-southeast-5")


def build_context(arch: Architecture) -> tuple[ct.Context, list[d.Diagnostic]]:
    v = Derivation(arch)
    platform = _platform(v)
    parts = {"eks": platform["eks"], "secrets": platform["secrets"], "cdn": platform["cdns"]}
    uses = {name for name, part in parts.items() if part}
    context: ct.Context = {
        "schema_version": SCHEMA_VERSION,
        "generated_from": list(arch.inputs),
        "project": {"name": arch.project, "description": f"{v.project_title} platform"},
        "terraform": pins.terraform(uses, tuple(f["kind"] for f in platform["kinds"])),
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
    clusters = eks.clusters(v)
    cluster = clusters[0] if clusters else None
    lbs = compute.load_balancers(v, log_bucket, edges.cdns)
    parts: ct.PlatformParts = {
        "max_az_count": max_az_count(v),
        "network": network(v, rules),
        "log_groups": data.log_groups(v),
        "security_groups": security_groups(v.arch),
        "security_group_rules": rules,
        "bastions": compute.bastions(v),
        "instances": compute.instances(v),
        "autoscaling_groups": compute.autoscaling_groups(v),
        "kinds": catalog.kind_files(v),
        "cloudwatch_agents": compute.cloudwatch_agents(v),
        "backup": compute.backup(v),
        "load_balancers": lbs,
        "eks": cluster, "extra_eks_clusters": clusters[1:],
        "cluster_addons": cluster_addons.cluster_addons(v, cluster, lbs),
        "databases": data.databases(v),
        "buckets": bucket_list,
        "access_log_bucket": log_bucket,
        "secrets": data.secrets(v),
        "dns_zones": edges.zones, "certificates": edges.certificates, "cdns": edges.cdns,
        "waf": edges.waf,
    }
    return {**parts,
            "iam": {"instance_roles": iam.instance_roles(v), "irsa_roles": iam.irsa_roles(v),
                    "policies": iam.policies(v, parts)},
            "kms_keys": data.kms_keys(v, parts)}


def _state(v: Derivation) -> ct.State:
    """The state bucket, its KMS key and the backend settings. Locking is always S3's lock file
    (`state.locking: dynamodb` is reported by the linker as deprecated)."""
    project = v.arch.project
    bucket = v.arch.state.get("bucket")
    prefix = f"{project}-tfstate"
    if bucket is None and len(prefix) + STATE_BUCKET_SUFFIX_MAX > STATE_BUCKET_MAX:
        v.error("ARC521", f"the state bucket name {prefix}-<account id>-<region> can be longer "
                          f"than the {STATE_BUCKET_MAX} characters S3 allows", None,
                hint="set a shorter project name, or name the bucket with state.bucket")
    return {
        "bucket": None if bucket is None else str(bucket),
        "bucket_prefix": prefix,
        "region": v.arch.region,
        "kms_alias": f"alias/{project}-tfstate",
        "kms_deletion_window_in_days": data.KMS_DELETION_WINDOW_DAYS,
        "kms_policy_checkov_skips": [s.copy() for s in data.KMS_POLICY_SKIPS],
        "noncurrent_version_expiration_days": STATE_NONCURRENT_DAYS,
        "default_tags": {"ManagedBy": "archc", "Project": project, "Purpose": "terraform-state"},
    }
