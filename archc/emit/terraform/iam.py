"""IAM: instance roles, IRSA roles, and one least-privilege policy per (caller, flow).

Principals: EC2-based components (bastion, CI, SCM, instances, backend services) get an
instance role. An EKS node group that calls S3, or whose declared `workload` connects to a
database, gets an IRSA role for that workload's `namespace:service_account` (pods cannot use
the node role: IMDSv2 hop limit 1). A node group that calls S3 without `workload` is assumed
to run service account `<node group name>` in `default` (ARC519), so the permission lands on
one service account rather than on every pod of the node.

Policies, each naming its flow (and, in the comment above it, the lines: never in the
description, which AWS cannot update in place; a line inserted above would replace the policy):
* IAM flow to S3    s3 actions from kinds.S3_ACTIONS[access] on the flow's buckets only
                    (ListBucket + GetBucketLocation on the bucket, object actions on /*),
                    plus the data key when the buckets are KMS-encrypted;
* flow to a database read the RDS-managed master secret and decrypt it with the data key,
                    for callers that have a role (no IAM DB auth: nothing creates its users);
* DEPLOY to EKS     eks:DescribeCluster (the access entry grants the Kubernetes rights);
* secrets           backend services read the overlay's secrets (the overlay has no reader
                    list yet);
* log groups        backend services write their own application log group.
"""

from __future__ import annotations

from archc.aws.derivation import Derivation
from archc.aws.iam import INSTANCE_ROLE_KINDS, Principal, principal, workload
from archc.aws.names import line_refs, overlay_spans, pascal, tf_id
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.compute import ecr_image
from archc.kinds import KINDS, NETWORK_IAM_KINDS, S3_ACTIONS, Kind
from archc.model import Flow, FlowClass

# Every instance is managed through Systems Manager (patching, Session Manager, no SSH keys)
# and ships its logs with the CloudWatch agent (its configuration read from SSM).
MANAGED_POLICIES = ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"]
# A host that runs a private ECR image pulls it with its role.
ECR_READ = "AmazonEC2ContainerRegistryReadOnly"
# KMS actions an S3 access needs on SSE-KMS objects (multipart writes decrypt parts too).
KMS_ACTIONS = {"read": ["kms:Decrypt"], "write": ["kms:Decrypt", "kms:GenerateDataKey"],
               "read_write": ["kms:Decrypt", "kms:GenerateDataKey"]}
ACCESS_WORDS = {"read": "read-only", "write": "write", "read_write": "read/write"}
BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"]
SECRET_ACTIONS = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]


def instance_roles(v: Derivation) -> list[ct.InstanceRole]:
    roles: list[ct.InstanceRole] = [
        {"id": v.ids[c.id], "label": v.title(c),
         "managed_policies": list(MANAGED_POLICIES) + ([ECR_READ] if ecr_image(c) else [])}
        for c in v.of(*INSTANCE_ROLE_KINDS)]
    return sorted(roles, key=lambda r: r["id"])


def irsa_roles(v: Derivation) -> list[ct.IrsaRole]:
    roles: dict[str, ct.IrsaRole] = {}
    for comp in v.of(Kind.EKS_NODE_GROUP):
        who, control = principal(v, comp), v.cluster_of(comp)
        if who is None or control is None:
            continue
        name, namespace, account = workload(comp)
        if not comp.props.get("workload"):
            v.note("ARC519", f"node group {comp.id} calls AWS but names no workload: its IRSA "
                             f"role trusts service account {namespace}:{account}", comp.span,
                   hint=f"set workload: {{namespace: ..., service_account: ...}} on {comp.id}")
        role = roles.setdefault(who["ref"], {
            "cluster": v.cluster_module(control),
            "id": who["ref"], "label": f"{name} workload on {v.title(comp)}",
            "name_suffix": who["ref"].replace("_", "-"), "namespace_service_accounts": []})
        if f"{namespace}:{account}" not in role["namespace_service_accounts"]:
            role["namespace_service_accounts"].append(f"{namespace}:{account}")
    return [roles[k] for k in sorted(roles)]


# --------------------------------------------------------------------------- policies
def policies(v: Derivation, platform: ct.PlatformParts) -> list[ct.Policy]:
    kms_of = {b["id"]: b["encryption"].get("kms_key") for b in platform["buckets"]}
    out: list[ct.Policy] = []
    for flow in v.flows(FlowClass.IAM):
        if v.kind(flow.target) == Kind.OBJECT_STORAGE:
            out += _s3_policy(v, flow, kms_of)
        else:
            out += _kind_policy(v, flow)
    for flow in v.flows(FlowClass.EVENT):
        # a source that invokes its target with a role of its own (EventBridge Scheduler's
        # execution role, not a resource policy on the target): that role gets the target's
        # default verb, exactly on it
        source = v.kind(flow.initiator)
        if source is not None and KINDS[source].role is not None:
            out += _kind_policy(v, flow)
    db_keys = {db["id"]: db["kms_key"] for db in platform["databases"]}
    for flow in v.flows(FlowClass.NETWORK):
        if v.kind(flow.target) in NETWORK_IAM_KINDS:
            out += _kind_policy(v, flow)
        if (db := _database_behind(v, flow.target)) is not None:
            out += _db_policy(v, flow, db, db_keys)
        elif KINDS[v.comp(flow.target).kind].master_secret:
            out += _master_secret_policy(v, flow)
    for cluster in ([platform["eks"]] if platform["eks"] else []) + platform["extra_eks_clusters"]:
        out += _deploy_policies(v, cluster)
    out += _secret_policies(v, platform["secrets"])
    out += _log_policies(v, platform["log_groups"])
    # Two flows can ask for the same policy (same caller, buckets and access): which one
    # describes it must not depend on the order of the diagram's lines.
    unique: dict[str, ct.Policy] = {}
    for policy in sorted(out, key=lambda p: (p["id"], p["description"], p["source"])):
        unique.setdefault(policy["id"], policy)
    return list(unique.values())


def _s3_policy(v: Derivation, flow: Flow, kms_of: dict[str, str | None]) -> list[ct.Policy]:
    who = principal(v, v.arch.component(flow.initiator))
    if who is None or not flow.buckets:
        return []
    access = flow.access or "read"
    ids = sorted(tf_id(b) for b in flow.buckets)
    names = pascal(*flow.buckets)
    plural = "Buckets" if len(ids) > 1 else "Bucket"
    object_actions = sorted(a for a in S3_ACTIONS[access] if a != "s3:ListBucket")
    statements = [
        _statement(f"List{names}{plural}", BUCKET_ACTIONS, [{"kind": "bucket", "ref": b}
                                                            for b in ids]),
        _statement(f"{pascal(access)}{names}Objects", object_actions,
                   [{"kind": "bucket_objects", "ref": b} for b in ids]),
    ]
    keys = sorted({k for b in ids if (k := kms_of.get(b))})
    statements += [_statement(f"Use{pascal(k)}Key", KMS_ACTIONS[access],
                              [{"kind": "kms_key", "ref": k}]) for k in keys]
    what = " and ".join(flow.buckets) + (" buckets" if len(ids) > 1 else " bucket")
    spans = [flow.span] + overlay_spans(flow.decisions, "buckets", "access")
    return [{"id": f"{_owner(v, flow, who)}_{'_'.join(ids)}_{access}", "role": who,
             "description": f"{_flow_text(flow)}: {ACCESS_WORDS[access]} on the {what}",
             "source": line_refs(*spans),
             "statements": statements}]


def _owner(v: Derivation, flow: Flow, who: Principal) -> str:
    """What a policy of the flow's caller is named after: its role's id, or the caller's own
    id when its role is a catalog kind's (an HCL expression, not an id)."""
    return v.ids[flow.initiator] if who["kind"] == "kind_role" else who["ref"]


def _kind_policy(v: Derivation, flow: Flow) -> list[ct.Policy]:
    """A flow to a catalog kind's AWS API: exactly the actions its kind lists for the flow's
    verb (`KindSpec.iam`), on that component's resources, plus what the verb needs besides
    (the queue's key to decrypt, the function's log group...)."""
    target = v.comp(flow.target)
    iam = KINDS[target.kind].iam
    if iam is not None and iam.resolve is not None:
        iam = iam.resolve(target.props, f"{target.label} {target.id}".lower())
    who = principal(v, v.arch.component(flow.initiator))
    # an event flow has no verb of its own: its source invokes with the target's default
    verb = flow.access or (iam.default_verb if iam is not None
                           and flow.flow_class is FlowClass.EVENT else "")
    if iam is None or who is None or verb not in iam.actions:
        return []
    ident, caller = v.ids[target.id], v.ids[flow.initiator]
    statements = [_statement(f"{pascal(verb)}{pascal(ident)}", list(iam.actions[verb]),
                             [_expression(r, ident, caller) for r in iam.resources])]
    for n, (actions, resources) in enumerate(iam.extra.get(verb, ()), start=1):
        statements.append(_statement(f"{pascal(verb)}{pascal(ident)}Extra{n}", list(actions),
                                     [_expression(r, ident, caller) for r in resources]))
    return [{"id": f"{v.ids[flow.initiator]}_{ident}_{verb}", "role": who,
             "description": f"{_flow_text(flow)}: {verb} the {target.id} "
                            f"{KINDS[target.kind].title}",
             "source": line_refs(flow.span, *overlay_spans(flow.decisions, "access")),
             "statements": statements}]


def _expression(template: str, ident: str, caller: str) -> ct.Resource:
    """An IAM resource a kind names (`module.sqs_{id}.queue_arn`), for this component (and
    `{caller}`, the calling component: a log group per sender)."""
    # not str.format: an expression may hold HCL interpolations (`"${module.x.arn}:*"`)
    return {"kind": "expression",
            "ref": template.replace("{id}", ident).replace("{caller}", caller)}


def _database_behind(v: Derivation, target: str) -> str | None:
    """The database a flow reaches: its target, or the database a kind that fronts one (an
    RDS proxy, `KindSpec.fronts`) connects to; its clients sign in with that database's
    credentials."""
    kind = v.kind(target)
    if kind == Kind.DATABASE:
        return target
    if kind is None or not KINDS[kind].fronts:
        return None
    return next((f.target for f in v.flows(FlowClass.NETWORK)
                 if f.initiator == target and v.kind(f.target) == Kind.DATABASE), None)


def _db_policy(v: Derivation, flow: Flow, target: str,
               db_keys: dict[str, str]) -> list[ct.Policy]:
    """Read the database's RDS-managed master secret (and decrypt it with its key): IAM
    database authentication is off, since it needs users created inside the database that
    Terraform cannot reach; RDS creates and rotates this one credential."""
    who = principal(v, v.arch.component(flow.initiator))
    if who is None:
        return []
    db = v.ids[target]
    if db not in db_keys:
        return []
    return [{"id": f"{_owner(v, flow, who)}_{db}_credentials", "role": who,
             "description": f"{_flow_text(flow)}: read the {target} credentials from its "
                            "RDS-managed secret",
             "source": line_refs(flow.span),
             "statements": [
                 _statement(f"Read{pascal(db)}Credentials", SECRET_ACTIONS,
                            [{"kind": "db_master_secret", "ref": db}]),
                 _statement(f"Decrypt{pascal(db)}Credentials", ["kms:Decrypt"],
                            [{"kind": "kms_key", "ref": db_keys[db]}])]}]


def _master_secret_policy(v: Derivation, flow: Flow) -> list[ct.Policy]:
    """A connection to a catalog kind whose credential its service keeps in Secrets Manager
    (`KindSpec.master_secret`, Aurora): read it and decrypt it with the data key, as for RDS."""
    who = principal(v, v.arch.component(flow.initiator))
    target = v.comp(flow.target)
    secret = KINDS[target.kind].master_secret
    if who is None or secret is None:
        return []
    ident = v.ids[target.id]
    return [{"id": f"{v.ids[flow.initiator]}_{ident}_credentials", "role": who,
             "description": f"{_flow_text(flow)}: read the {target.id} credentials from its "
                            "managed secret",
             "source": line_refs(flow.span),
             "statements": [
                 _statement(f"Read{pascal(ident)}Credentials", SECRET_ACTIONS,
                            [_expression(secret, ident, v.ids[flow.initiator])]),
                 _statement(f"Decrypt{pascal(ident)}Credentials", ["kms:Decrypt"],
                            [{"kind": "kms_key", "ref": "data"}])]}]


def _deploy_policies(v: Derivation, eks: ct.Eks) -> list[ct.Policy]:
    """eks:DescribeCluster on one cluster for its admins and its deployers; the policies of
    the first cluster are <role>_eks_admin / _eks_deploy, the others' <role>_<module>_*."""
    pre = "eks" if eks["id"] == "eks" else eks["id"]
    cluster: ct.Resource = ({"kind": "eks_cluster"} if eks["id"] == "eks" else
                            {"kind": "eks_cluster", "ref": eks["id"]})
    out: list[ct.Policy] = [
        {"id": f"{v.ids[b.id]}_{pre}_admin", "role": {"kind": "instance_role", "ref": v.ids[b.id]},
         "description": f"{b.id} administers {eks['component']}: describe the cluster to build "
                        "a kubeconfig (the access entry grants the Kubernetes rights)",
         "source": line_refs(b.span),
         "statements": [_statement("DescribeCluster", ["eks:DescribeCluster"],
                                   [ct.Resource(**cluster)])]}
        for b in v.cluster_admins(v.comp(eks["component"]))]
    for flow in v.flows(FlowClass.DEPLOY):
        who = principal(v, v.arch.component(flow.initiator))
        if flow.target != eks["component"] or who is None:
            continue
        out.append({"id": f"{who['ref']}_{pre}_deploy", "role": who,
                    "description": f"{_flow_text(flow)}: describe the cluster to build a "
                                   "kubeconfig",
                    "source": line_refs(flow.span),
                    "statements": [_statement("DescribeCluster", ["eks:DescribeCluster"],
                                              [ct.Resource(**cluster)])]})
    return out


def _secret_policies(v: Derivation, secrets: list[ct.Secret]) -> list[ct.Policy]:
    readers = v.of(Kind.BACKEND_SERVICE)
    out: list[ct.Policy] = []
    for secret in secrets:
        if not readers:
            v.warning("ARC520", f"secret {secret['name_suffix']} has no reader (no "
                                "backend_service): no policy grants it", None,
                      hint="grant it by hand, or remove it from `secrets.secrets`")
        for comp in readers:
            ident, name = v.ids[comp.id], pascal(secret["id"])
            out.append({
                "id": f"{ident}_read_{secret['id']}",
                "role": {"kind": "instance_role", "ref": ident},
                "description": f"{comp.id} reads the {secret['name_suffix']} secret "
                               "(overlay secrets.secrets)",
                "source": "",
                "statements": [
                    _statement(f"Read{name}", SECRET_ACTIONS,
                               [{"kind": "secret", "ref": secret["id"]}]),
                    _statement(f"Decrypt{name}", ["kms:Decrypt"],
                               [{"kind": "kms_key", "ref": secret["kms_key"]}])]})
    return out


def _log_policies(v: Derivation, log_groups: list[ct.LogGroup]) -> list[ct.Policy]:
    have = {g["id"] for g in log_groups}
    out: list[ct.Policy] = []
    for comp in v.of(Kind.BACKEND_SERVICE):
        ident = v.ids[comp.id]
        if ident not in have:
            continue
        out.append({"id": f"{ident}_write_logs", "role": {"kind": "instance_role", "ref": ident},
                    "description": f"{comp.id} ships its application logs to its own "
                                   "CloudWatch log group",
                    "source": "",
                    "statements": [_statement(f"Write{pascal(ident)}Logs", LOG_ACTIONS,
                                              [{"kind": "log_group_streams", "ref": ident}])]})
    return out


def _statement(sid: str, actions: list[str], resources: list[ct.Resource]) -> ct.Statement:
    return {"sid": sid, "actions": sorted(actions), "resources": resources}


def _flow_text(flow: Flow) -> str:
    """The two ends' ids: a policy's description cannot change in place, so it names only
    what the policy's identity is made of (never the flow's label, nor a line)."""
    return f"{flow.initiator} to {flow.target}"
