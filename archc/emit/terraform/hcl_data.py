"""The HCL values the Terraform templates print, computed from the context in Python.

The context (`context.build_context`) is plain JSON-like data: what archc decided. The
templates only lay values out; the maps and lists of HCL expressions they print (module
arguments, outputs, references between resources) are built here, once, and reach the
templates as the global ``tf`` (``tf.node_groups(eks)``, ``tf.platform_outputs(platform)``),
so no template builds data with ``{% set _ = x.update(...) %}``.

Mappings are rendered in sorted key order by ``hcl_attrs``; lists of pairs keep their order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NotRequired, TypedDict

from archc.catalog import spec_of
from archc.emit._hcl import HclExpr, hcl_expr, hcl_fragment, hcl_string
from archc.emit.terraform import context_types as ct

Pairs = list[tuple[str, object]]  # ordered ``key = value`` lines for hcl_attrs (any HCL value)
# One entry of PLATFORM_VARIABLES (templates/terraform/_platform_variables.j2): Jinja data the
# template declares (name, type, description, validations, operator...); only `name` is read.
TemplateVariable = Mapping[str, Any]

VPC_ROLES = ("public", "private", "database")
# Every output modules/platform declares, in file order; those whose resource the
# architecture lacks are left out (see platform_outputs).
OUTPUT_ORDER = (
    "vpc_id", "subnet_ids", "nat_public_ips", "security_group_ids", "instance_ids",
    "instance_private_ips", "bastion_public_ip", "autoscaling_group_names",
    "load_balancer_dns_names", "eks_cluster_name", "eks_cluster_endpoint",
    "eks_oidc_provider_arn", "database_endpoints", "database_master_secret_arns",
    "bucket_names", "secret_arns", "irsa_role_arns", "dns_zone_id", "dns_name_servers",
    "hostnames", "cdn_distribution_id", "cdn_domain_name", "log_group_names",
    "cluster_addon_role_arns", "grafana_admin_secret_arn", "volume_kms_key_arn",
    "pod_target_group_arns",
)


class Output(TypedDict):
    """One output of modules/platform, re-exported unchanged by every environment root."""

    name: str
    description: str
    value: HclExpr | dict[str, HclExpr]


# The module arguments below are maps the templates print with hcl_value / hcl_attrs, one
# class per HCL object (the keys are the modules' argument names).
class DnsAlias(TypedDict):
    name: HclExpr
    zone_id: HclExpr
    evaluate_target_health: NotRequired[bool]


class DnsRecordArgs(TypedDict):
    """One entry of the route53 module's ``records``."""

    name: str
    type: str
    alias: NotRequired[DnsAlias]
    ttl: NotRequired[int | None]
    records: NotRequired[list[str]]


class HealthCheckArgs(TypedDict):
    enabled: bool
    path: str
    matcher: str
    interval: int
    timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    protocol: NotRequired[str]


class TargetGroupArgs(TypedDict):
    """One entry of the alb module's ``target_groups``."""

    name: HclExpr
    protocol: str
    port: int
    target_type: str
    create_attachment: bool
    deregistration_delay: int
    health_check: HealthCheckArgs


class Forward(TypedDict):
    target_group_key: str


class FixedResponse(TypedDict):
    content_type: str
    status_code: str


class ListenerArgs(TypedDict):
    """One entry of the alb module's ``listeners``: forward, else a fixed response."""

    port: int
    protocol: str
    ssl_policy: str
    certificate_arn: HclExpr
    forward: NotRequired[Forward]
    fixed_response: NotRequired[FixedResponse]


class MetadataOptions(TypedDict):
    http_endpoint: str
    http_tokens: str
    http_put_response_hop_limit: int


class Ebs(TypedDict):
    volume_size: HclExpr
    volume_type: str
    encrypted: bool
    delete_on_termination: bool


class BlockDevice(TypedDict):
    device_name: str
    ebs: Ebs


class UpdateConfig(TypedDict):
    max_unavailable_percentage: int


class NodeGroupArgs(TypedDict):
    """One entry of the eks module's ``eks_managed_node_groups``."""

    name: str
    ami_type: str
    instance_types: HclExpr
    capacity_type: HclExpr
    min_size: HclExpr
    max_size: HclExpr
    desired_size: HclExpr
    subnet_ids: HclExpr
    vpc_security_group_ids: HclExpr
    labels: dict[str, str]
    taints: dict[str, ct.Taint]
    metadata_options: MetadataOptions
    block_device_mappings: dict[str, BlockDevice]
    update_config: UpdateConfig
    tags: dict[str, str]


class AccessScopeArgs(TypedDict):
    type: str
    namespaces: NotRequired[list[str]]


class PolicyAssociation(TypedDict):
    policy_arn: HclExpr
    access_scope: AccessScopeArgs


class AccessEntryArgs(TypedDict):
    """One entry of the eks module's ``access_entries``."""

    principal_arn: HclExpr
    policy_associations: dict[str, PolicyAssociation]


def refs(items: Iterable[Mapping[str, object]], template: str,
         key: str = "id") -> dict[str, HclExpr]:
    """``{item[key]: template with {id} replaced}``: one reference per context item."""
    return {str(item[key]): hcl_expr(template.format(id=item[key])) for item in items}


def joined(expressions: Sequence[str]) -> HclExpr:
    """One list expression, or ``concat(...)`` of several."""
    if len(expressions) == 1:
        return hcl_expr(expressions[0])
    return hcl_expr(f"concat({', '.join(expressions)})")


# --------------------------------------------------------------------------- network
def subnet_ids(tiers: Iterable[ct.SubnetTier]) -> dict[str, HclExpr]:
    """``local.subnet_ids``: a tier's slice of the VPC module's subnet list of its role."""
    return {t["id"]: hcl_expr(
        f"slice(module.vpc.{t['vpc_role']}_subnets, {t['vpc_list_index']} * local.az_count, "
        f"{t['vpc_list_index'] + 1} * local.az_count)") for t in tiers}


def vpc_subnets(tiers: Iterable[ct.SubnetTier], role: str) -> Pairs:
    """The VPC module's ``<role>_subnets`` and ``<role>_subnet_names``, or none."""
    ordered = sorted((t for t in tiers if t["vpc_role"] == role),
                     key=lambda t: t["vpc_list_index"])
    if not ordered:
        return []
    cidrs = [f'local.subnet_cidrs["{t["id"]}"]' for t in ordered]
    names = [f'[for az in local.azs : "${{var.name}}-{hcl_fragment(t["id"])}-${{az}}"]'
             for t in ordered]
    return [(f"{role}_subnets", joined(cidrs)), (f"{role}_subnet_names", joined(names))]


def route_table_ids(roles: Sequence[str]) -> HclExpr:
    return joined([f"module.vpc.{role}_route_table_ids" for role in roles])


# --------------------------------------------------------------------------- edge
def _zone_of(zones: Sequence[ct.Dns], record_id: str) -> tuple[ct.Dns, ct.Record]:
    for zone in zones:
        for r in zone["records"]:
            if r["id"] == record_id:
                return zone, r
    raise ValueError(f"unknown dns record: {record_id}")


def fqdn(zones: Sequence[ct.Dns], record_id: str) -> str:
    """The quoted host name of a DNS record in this environment's zone (of its zones)."""
    zone, r = _zone_of(zones, record_id)
    return f'"{hcl_fragment(r["name"])}.${{{zone["zone_name"]}}}"'


def fqdn_list(zones: Sequence[ct.Dns], record_ids: Iterable[str]) -> HclExpr:
    return hcl_expr(f"[{', '.join(fqdn(zones, r) for r in record_ids)}]")


def dns_records(dns: ct.Dns | None) -> dict[str, DnsRecordArgs]:
    """The route53 module's ``records``: an alias to a CDN or a load balancer, else values."""
    return {r["id"]: _dns_record(r) for r in (dns["records"] if dns else [])}


def certificate_zones(zones: Sequence[ct.Dns], cert: ct.Certificate) -> list[ct.Dns]:
    """The zones a DNS-validated certificate's names live in, in zone order."""
    ids = [i for i in [cert["record"], *cert["alternative_records"]] if i is not None]
    used = {_zone_of(zones, i)[0]["id"] for i in ids}
    return [z for z in zones if z["id"] in used]


def validation_zone_id(zones: Sequence[ct.Dns], cert: ct.Certificate) -> HclExpr:
    """The zone of a certificate's validation record (`each.key` is the name it validates):
    its one zone, else the zone of each name."""
    used = certificate_zones(zones, cert)
    if len(used) == 1:
        return hcl_expr(f"module.{used[0]['module']}.id")
    ids = [i for i in [cert["record"], *cert["alternative_records"]] if i is not None]
    pairs = ", ".join(f"{fqdn(zones, i)} = module.{_zone_of(zones, i)[0]['module']}.id"
                      for i in ids)
    return hcl_expr(f"{{ {pairs} }}[each.key]")


def _dns_record(r: ct.Record) -> DnsRecordArgs:
    rec: DnsRecordArgs = {"name": r["name"], "type": r["type"]}
    alias = r["alias"]
    if alias is None:
        rec["ttl"], rec["records"] = r["ttl"], r["records"]
    elif alias["kind"] == "cdn":
        module = alias.get("ref", "cdn")
        rec["alias"] = {
            "name": hcl_expr(f"module.{module}.cloudfront_distribution_domain_name"),
            "zone_id": hcl_expr(f"module.{module}.cloudfront_distribution_hosted_zone_id")}
    elif alias["kind"] == "load_balancer":
        rec["alias"] = {"name": hcl_expr(f"module.lb_{alias['ref']}.dns_name"),
                        "zone_id": hcl_expr(f"module.lb_{alias['ref']}.zone_id"),
                        "evaluate_target_health": True}
    else:
        raise ValueError(f"unknown dns alias kind: {alias['kind']}")
    return rec


# --------------------------------------------------------------------------- load balancers
def target_groups(lb: ct.LoadBalancer) -> dict[str, TargetGroupArgs]:
    return {tg["key"]: {
        "name": hcl_expr(f'"${{var.name}}-{hcl_fragment(tg["name_suffix"])}"'),
        "protocol": tg["protocol"],
        "port": tg["port"],
        "target_type": tg["target_type"],
        "create_attachment": False,
        "deregistration_delay": tg["deregistration_delay"],
        "health_check": {"enabled": True, **tg["health_check"]},
    } for tg in lb["target_groups"]}


def listeners(lb: ct.LoadBalancer, certificate_arn: str) -> dict[str, ListenerArgs]:
    """The one HTTPS listener: forward to the target group, else answer 404. Behind the CDN it
    answers 403, and a listener rule (alb.tf) forwards what carries the origin secret."""
    spec = lb["listener"]
    listener: ListenerArgs = {
        "port": spec["port"], "protocol": spec["protocol"], "ssl_policy": spec["ssl_policy"],
        "certificate_arn": hcl_expr(certificate_arn),
    }
    if spec["origin_verify"] is not None:
        listener["fixed_response"] = {"content_type": "text/plain", "status_code": "403"}
    elif spec["target_group"] is not None:
        listener["forward"] = {"target_group_key": spec["target_group"]}
    else:
        listener["fixed_response"] = {"content_type": "text/plain", "status_code": "404"}
    return {spec["key"]: listener}


# --------------------------------------------------------------------------- EKS and IAM
def principal_arn(principal: ct.Principal) -> str:
    if principal["kind"] == "instance_role":
        return f"aws_iam_role.{principal['ref']}.arn"
    if principal["kind"] == "irsa_role":
        return f"module.irsa_{principal['ref']}.arn"
    if principal["kind"] == "kind_role":  # the name of a role its catalog kind creates
        return f'"arn:${{local.partition}}:iam::${{local.account_id}}:role/${{{principal["ref"]}}}"'
    raise ValueError(f"unknown principal kind: {principal['kind']}")


def node_groups(eks: ct.Eks | None) -> dict[str, NodeGroupArgs]:
    if eks is None:
        return {}
    return {ng["id"]: _node_group(eks, ng) for ng in eks["node_groups"]}


def _node_group(eks: ct.Eks, ng: ct.NodeGroup) -> NodeGroupArgs:
    size = f"var.eks_node_groups[{hcl_string(ng['id'])}]"
    return {
        "name": ng["id"],
        "ami_type": ng["ami_type"],
        "instance_types": hcl_expr(f"{size}.instance_types"),
        "capacity_type": hcl_expr(f"{size}.capacity_type"),
        "min_size": hcl_expr(f"{size}.min_size"),
        "max_size": hcl_expr(f"{size}.max_size"),
        "desired_size": hcl_expr(f"{size}.desired_size"),
        "subnet_ids": hcl_expr(f"local.subnet_ids[{hcl_string(ng['subnet_tier'])}]"),
        "vpc_security_group_ids": hcl_expr(f"[aws_security_group.{ng['security_group']}.id]"),
        "labels": ng["labels"],
        "taints": ng["taints"],
        "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required",
                             "http_put_response_hop_limit": 1},
        "block_device_mappings": {"root": {
            "device_name": eks["node_root_device_name"],
            "ebs": {"volume_size": hcl_expr(f"{size}.disk_size"),
                    "volume_type": eks["node_root_volume_type"],
                    "encrypted": True, "delete_on_termination": True},
        }},
        "update_config": {"max_unavailable_percentage": eks["node_max_unavailable_percentage"]},
        "tags": {"Component": ng["component"]},
    }


def access_entries(eks: ct.Eks | None) -> dict[str, AccessEntryArgs]:
    return {e["id"]: _access_entry(e) for e in (eks["access_entries"] if eks else [])}


def _access_entry(e: ct.AccessEntry) -> AccessEntryArgs:
    scope: AccessScopeArgs = {"type": e["access_scope"]["type"]}
    if e["access_scope"].get("namespaces"):
        scope["namespaces"] = e["access_scope"]["namespaces"]
    policy_arn = ('"arn:${local.partition}:eks::aws:cluster-access-policy/'
                  f'{hcl_fragment(e["policy"])}"')
    return {"principal_arn": hcl_expr(principal_arn(e["principal"])),
            "policy_associations": {e["policy"]: {"policy_arn": hcl_expr(policy_arn),
                                                  "access_scope": scope}}}


def irsa_policy_arns(iam: ct.Iam, role_id: str) -> dict[str, HclExpr]:
    """The policies attached to one IRSA role."""
    return refs((p for p in iam["policies"]
                 if p["role"]["kind"] == "irsa_role" and p["role"]["ref"] == role_id),
                "aws_iam_policy.{id}.arn")


# --------------------------------------------------------------------------- environments
def variable_refs(variables: Iterable[TemplateVariable]) -> Pairs:
    """``name = var.name`` for every platform variable (an environment root's module call)."""
    return [(v["name"], hcl_expr(f"var.{v['name']}")) for v in variables]


def tfvars(env: ct.Environment, variables: Iterable[TemplateVariable],
           operator: Iterable[str]) -> Pairs:
    """An environment's ``terraform.tfvars``: its region, then one value per variable the
    operator does not supply."""
    supplied = set(operator)
    values: Mapping[str, object] = env["inputs"]
    return [("aws_region", env["aws_region"]),
            *((v["name"], values[v["name"]]) for v in variables
              if v["name"] not in supplied)]


# --------------------------------------------------------------------------- outputs
def platform_outputs(platform: ct.Platform) -> list[Output]:
    """The outputs of modules/platform in declaration order, each one the architecture has,
    then those of a second DNS zone or CDN (`dns_<id>_*`, `cdn_<id>_*`) and the catalog kinds'
    outputs, each sorted by name."""
    found = {o["name"]: o for o in _outputs(platform)}
    return [*(found[name] for name in OUTPUT_ORDER if name in found),
            *(found[name] for name in sorted(found) if name not in OUTPUT_ORDER),
            *sorted(kind_outputs(platform["kinds"]), key=lambda o: o["name"])]


def kind_outputs(files: Iterable[ct.KindFile]) -> list[Output]:
    """`<id>_<name>` for every output a catalog kind declares (`Terraform.outputs`), per
    component of that kind."""
    outs = []
    for file in files:
        spec = spec_of(file["kind"])
        declared = spec.terraform.outputs if spec.terraform else {}
        for item in file["items"]:
            ident = str(item["id"])
            outs += [_out(f"{ident}_{name}", f"{spec.title} {ident}: {text}.",
                          expr.replace("{id}", ident))
                     for name, (expr, text) in declared.items()]
    return outs


def _outputs(p: ct.Platform) -> list[Output]:
    outs = _always(p)
    if p["network"]["nat_gateway"]:
        outs.append(_out("nat_public_ips", "Public IPs of the NAT gateway(s): the egress "
                         "addresses of the private subnets.", "module.vpc.nat_public_ips"))
    for i, b in enumerate(p["bastions"]):
        outs.append(_out(b["public_ip_output"], "Public IP of the bastion host (null when it "
                         "has none)." if i == 0 else f"Public IP of the bastion host "
                         f"{b['component']} (null when it has none).",
                         f"module.ec2_{b['instance']}.public_ip"))
    if p["eks"]:
        outs += [_out("eks_cluster_name", "EKS cluster name.", "module.eks.cluster_name"),
                 _out("eks_cluster_endpoint", "EKS API endpoint (private).",
                      "module.eks.cluster_endpoint"),
                 _out("eks_oidc_provider_arn", "IAM OIDC provider of the cluster (IRSA).",
                      "module.eks.oidc_provider_arn")]
    for k in p["extra_eks_clusters"]:
        outs += [_out(f"{k['id']}_cluster_name", f"EKS cluster name of {k['component']}.",
                      f"module.{k['id']}.cluster_name"),
                 _out(f"{k['id']}_cluster_endpoint", f"EKS API endpoint (private) of "
                      f"{k['component']}.", f"module.{k['id']}.cluster_endpoint"),
                 _out(f"{k['id']}_oidc_provider_arn", f"IAM OIDC provider of {k['component']} "
                      "(IRSA).", f"module.{k['id']}.oidc_provider_arn")]
    if p["cluster_addons"]:
        outs += _addon_outputs(p["cluster_addons"])
    for i, z in enumerate(p["dns_zones"]):
        pre = "dns" if i == 0 else f"dns_{z['id']}"
        outs += [_out(f"{pre}_zone_id", "Route53 hosted zone id." if i == 0 else
                      f"Route53 hosted zone id of {z['component']}.", f"module.{z['module']}.id"),
                 _out(f"{pre}_name_servers", "Name servers of the hosted zone (delegate the "
                      "zone to them)." if i == 0 else f"Name servers of the hosted zone of "
                      f"{z['component']} (delegate the zone to them).",
                      f"module.{z['module']}.name_servers")]
    if p["dns_zones"]:
        outs.append(_out("hostnames", "Fully qualified name per DNS record id.",
                         {r["id"]: fqdn(p["dns_zones"], r["id"])
                          for z in p["dns_zones"] for r in z["records"]}))
    for i, c in enumerate(p["cdns"]):
        pre = "cdn" if i == 0 else f"cdn_{c['id']}"
        of = "" if i == 0 else f" of {c['component']}"
        outs += [_out(f"{pre}_distribution_id", f"CloudFront distribution id{of}.",
                      f"module.{c['module']}.cloudfront_distribution_id"),
                 _out(f"{pre}_domain_name", f"CloudFront distribution domain name{of}.",
                      f"module.{c['module']}.cloudfront_distribution_domain_name")]
    return outs


def _addon_outputs(addons: ct.ClusterAddons) -> list[Output]:
    """What the cluster add-on installs read (cluster-addons/README.md)."""
    lbc = addons["load_balancer_controller"]
    roles = [addons["block_storage"]["role"], addons["container_logs"]["role"],
             addons["monitoring"]["role"], *([lbc["role"]] if lbc else [])]
    secret = addons["monitoring"]["grafana_secret"]["id"]
    outs = [_out("cluster_addon_role_arns", "IAM role ARN per cluster add-on (annotate its "
                 "service account with it).", refs(roles, "module.irsa_{id}.arn")),
            _out("grafana_admin_secret_arn", "Secrets Manager ARN of the Grafana admin "
                 "password (read by External Secrets).", f"module.secret_{secret}.secret_arn"),
            _out("volume_kms_key_arn", "KMS key of the encrypted gp3 StorageClass (persistent "
                 "volumes).", f"aws_kms_key.{addons['block_storage']['kms_key']}.arn")]
    if lbc:
        outs.append(_out("pod_target_group_arns", "Target group ARN per node group whose pods "
                         "a load balancer reaches (the workload's TargetGroupBinding).",
                         {t["key"]: f'module.lb_{t["load_balancer"]}.target_groups'
                                    f'[{hcl_string(t["key"])}].arn'
                          for t in lbc["target_groups"]}))
    return outs


def _always(p: ct.Platform) -> list[Output]:
    lb_text = ("DNS name per load balancer (reachable from CloudFront only)." if p["cdns"]
               else "DNS name per load balancer.")
    logs = refs(p["log_groups"], "aws_cloudwatch_log_group.{id}.name")
    if p["waf"]:
        logs[f"waf_{p['waf']['id']}"] = hcl_expr(
            f"aws_cloudwatch_log_group.waf_{p['waf']['id']}.name")
    vpc = [_out("vpc_id", "VPC id.", "module.vpc.vpc_id"),
           _out("subnet_ids", "Subnet ids per tier (one per AZ).", "local.subnet_ids")]
    return [
        *(vpc if p["network"]["vpc"] else []),
        _out("security_group_ids", "Security group id per component security group.",
             refs(p["security_groups"], "aws_security_group.{id}.id")),
        _out("instance_ids", "EC2 instance id per standalone instance.",
             refs(p["instances"], "module.ec2_{id}.id")),
        _out("instance_private_ips", "Private IP per standalone instance.",
             refs(p["instances"], "module.ec2_{id}.private_ip")),
        _out("autoscaling_group_names", "Auto Scaling Group name per group.",
             refs(p["autoscaling_groups"], "aws_autoscaling_group.{id}.name")),
        _out("load_balancer_dns_names", lb_text,
             refs(p["load_balancers"], "module.lb_{id}.dns_name")),
        _out("database_endpoints", "Endpoint (host:port) per RDS instance.",
             refs(p["databases"], "module.db_{id}.db_instance_endpoint")),
        _out("database_master_secret_arns", "Secrets Manager ARN of the RDS-managed master "
             "credentials per RDS instance.",
             refs(p["databases"], "module.db_{id}.db_instance_master_user_secret_arn")),
        _out("bucket_names", "S3 bucket name per bucket id.",
             refs(p["buckets"], "module.s3_{id}.s3_bucket_id")),
        _out("secret_arns", "Secrets Manager ARN per secret id.",
             refs(p["secrets"], "module.secret_{id}.secret_arn")),
        _out("irsa_role_arns", "IAM role ARN per EKS workload (annotate the service account "
             "with it).", refs(p["iam"]["irsa_roles"], "module.irsa_{id}.arn")),
        _out("log_group_names", "CloudWatch log group name per archc-managed log group.", logs),
    ]


def _out(name: str, description: str, value: str | Mapping[str, str]) -> Output:
    if isinstance(value, str):
        return {"name": name, "description": description, "value": hcl_expr(value)}
    return {"name": name, "description": description,
            "value": {k: hcl_expr(v) for k, v in value.items()}}


# --------------------------------------------------------------------------- CloudWatch agent
def agent_config(agent: ct.CloudWatchAgent) -> dict[str, object]:
    """The CloudWatch agent's JSON configuration (``jsonencode``d into its SSM parameter):
    each file to the host's log group, one stream per instance and file."""
    group = hcl_expr(f"aws_cloudwatch_log_group.{agent['log_group']}.name")
    return {"agent": {"run_as_user": "root"},  # the audit log is readable by root only
            "logs": {"logs_collected": {"files": {"collect_list": [
                {"file_path": f["path"], "log_group_name": group,
                 "log_stream_name": f"{{instance_id}}/{f['stream']}"}
                for f in agent["files"]]}}}}


# --------------------------------------------------------------------------- data volumes
def data_volumes(instance: ct.Instance) -> dict[str, object]:
    """The ec2-instance module's ``ebs_volumes``: the stateful host's data volume."""
    vol = instance["data_volume"]
    if vol is None:
        return {}
    return {"data": {
        "device_name": vol["device_name"],
        "size": hcl_expr(f"var.instances[{hcl_string(instance['id'])}].data_volume_size"),
        "type": vol["volume_type"], "encrypted": True,
        "kms_key_id": hcl_expr(f"aws_kms_key.{vol['kms_key']}.arn"),
        "final_snapshot": True, "stop_instance_before_detaching": True,
        "tags": {"Backup": hcl_expr(f'"${{var.name}}-{hcl_fragment(vol["backup_tag_suffix"])}"')}}}


def expressions(value: object) -> object:
    """A catalog kind's nested value with its `{"$hcl": "<expression>"}` leaves as raw HCL
    expressions (a state machine definition names its targets' ARNs), for `hcl_value`."""
    if isinstance(value, Mapping):
        if set(value) == {"$hcl"}:
            return hcl_expr(str(value["$hcl"]))
        return {str(k): expressions(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [expressions(v) for v in value]
    return value
