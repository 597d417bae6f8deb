"""Data: RDS databases, S3 buckets (plus the log bucket), secrets, KMS keys, log groups."""

from __future__ import annotations

from typing import Any, TypedDict

from archc.aws.compute import EC2_KINDS
from archc.aws.derivation import PRODUCTION_ENVS, Derivation, skip
from archc.aws.names import kebab, short_project, tf_id
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.compute import host_log_group
from archc.kinds import DATABASE_PORTS, ENGINE_VERSIONS, KINDS, Kind
from archc.model import Component, Environment, FlowClass

# The overlay's spec of one bucket (`object_storage.buckets.<key>`): user YAML the schema
# validated (purpose, versioning, transition_days, expire_days), read with .get().
BucketSpec = dict[str, Any]


class EngineFacts(TypedDict):
    version: str
    logs: list[str]
    parameters: list[ct.Parameter]
    # RDS's license for the engine; None: the engine's own (open source)
    license: str | None
    # the smallest class archc builds it on by default, and the least storage RDS accepts
    instance_class: str
    min_storage_gb: int
    multi_az: bool  # RDS offers Multi-AZ for it
    options: list[ct.DbOption]


_MYSQL_TLS: list[ct.Parameter] = [{"name": "require_secure_transport", "value": "ON"}]
# SQL Server refuses connections without TLS (a static parameter: applied at the first boot).
_SQLSERVER_TLS: list[ct.Parameter] = [
    {"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"}]
# Oracle encrypts and checksums every connection with its native network encryption.
_ORACLE_NNE: list[ct.DbOption] = [{"option_name": "NATIVE_NETWORK_ENCRYPTION",
                                   "option_settings": [
                                       {"name": "SQLNET.ENCRYPTION_SERVER", "value": "REQUIRED"},
                                       {"name": "SQLNET.CRYPTO_CHECKSUM_SERVER",
                                        "value": "REQUIRED"}]}]


def _open_source(version: str, logs: list[str], parameters: list[ct.Parameter]) -> EngineFacts:
    return {"version": version, "logs": logs, "parameters": parameters, "license": None,
            "instance_class": "db.t4g.medium", "min_storage_gb": 20, "multi_az": True,
            "options": []}


def _sqlserver(edition: str, instance_class: str, min_storage_gb: int,
               multi_az: bool) -> EngineFacts:
    return {"version": ENGINE_VERSIONS[f"sqlserver-{edition}"]["16.00"],
            "logs": ["agent", "error"], "parameters": _SQLSERVER_TLS,
            "license": "license-included", "instance_class": instance_class,
            "min_storage_gb": min_storage_gb, "multi_az": multi_az, "options": []}


def _oracle(edition: str, license_model: str) -> EngineFacts:
    return {"version": ENGINE_VERSIONS[f"oracle-{edition}"]["19"],
            "logs": ["alert", "audit", "listener", "trace"], "parameters": [],
            "license": license_model, "instance_class": "db.m6i.large", "min_storage_gb": 20,
            "multi_az": True, "options": _ORACLE_NNE}


# Engine facts RDS needs and the IR does not carry: default version (the linker's defaults
# assume postgres), exported logs, parameters (or options) that force TLS, license, the
# default class (SQL Server and Oracle run on x86 classes only), the storage minimum and
# whether RDS runs it Multi-AZ (not SQL Server Express or Web).
ENGINES: dict[str, EngineFacts] = {
    "postgres": _open_source("16.4", ["postgresql", "upgrade"],
                             [{"name": "rds.force_ssl", "value": "1"},
                              {"name": "log_min_duration_statement", "value": "1000"}]),
    "mysql": _open_source("8.0.39", ["error", "general", "slowquery"], _MYSQL_TLS),
    "mariadb": _open_source("10.11.9", ["error", "general", "slowquery"], _MYSQL_TLS),
    "sqlserver-ex": _sqlserver("ex", "db.t3.medium", 20, multi_az=False),
    "sqlserver-web": _sqlserver("web", "db.t3.medium", 20, multi_az=False),
    "sqlserver-se": _sqlserver("se", "db.m6i.large", 200, multi_az=True),
    "sqlserver-ee": _sqlserver("ee", "db.m6i.xlarge", 200, multi_az=True),
    "oracle-se2": _oracle("se2", "license-included"),
    "oracle-ee": _oracle("ee", "bring-your-own-license"),
}
DEFAULT_ENGINE = "postgres"
# Storage autoscaling may grow to twice the allocation.
MAX_STORAGE_FACTOR = 2
# Automated backups: 30 days in production, a week elsewhere.
BACKUP_DAYS = {"production": 30, "other": 7}
# Operations: enhanced monitoring each minute, Performance Insights' free 7-day tier.
DB_TUNING: ct.DbTuning = {"monitoring_interval": 60, "performance_insights_retention_period": 7}

# Buckets: old versions of expiring data go after 30 days, of kept data after 90; incomplete
# multipart uploads after 7; lifecycle transitions go to STANDARD_IA (30 days minimum).
NONCURRENT_DAYS = {"expiring": 30, "kept": 90}
ABORT_MULTIPART_DAYS = 7
TRANSITION_CLASS = "STANDARD_IA"
# The archc-made log bucket when the overlay has no `purpose: logs` bucket (S3 access logs
# and ALB logs need one): infrequent access after 30 days, deleted after a year.
LOG_BUCKET_DAYS = {"transition_days": 30, "expire_days": 365}
# Secrets: third-party values are set out of band after a random start value; 40 characters;
# a deleted secret can be restored for 30 days.
SECRET_DEFAULTS: ct.SecretDefaults = {"value": "placeholder", "random_password_length": 40,
                   "recovery_window_in_days": 30}
KMS_DELETION_WINDOW_DAYS = 30
# A KMS key policy's Resource "*" means "this key"; checkov reads it as an identity policy.
KMS_POLICY_SKIPS = [skip(check, "KMS key policy, not an identity policy: Resource \"*\" in a "
                                "key policy means this key only, and the account-root "
                                "statement delegates access to IAM policies (AWS default key "
                                "policy)")
                    for check in ("CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356")]


# --------------------------------------------------------------------------- databases
def engine_of(comp: Component) -> str:
    return str(comp.props.get("engine") or DEFAULT_ENGINE)


def _major(engine: str, version: str) -> tuple[str, str]:
    """(major engine version, parameter-group family): "16", "postgres16"; "8.0", "mysql8.0";
    "16.00", "sqlserver-se-16.0"; "19", "oracle-se2-19"."""
    parts = version.split(".")
    if engine.startswith("sqlserver-"):
        return ".".join(parts[:2]), f"{engine}-{int(parts[0])}.0"
    if engine.startswith("oracle-"):
        return parts[0], f"{engine}-{parts[0]}"
    major = parts[0] if engine == "postgres" else ".".join(parts[:2])
    return major, f"{engine}{major}"


def databases(v: Derivation) -> list[ct.Database]:
    return sorted((_database(v, c) for c in v.of(Kind.DATABASE)), key=lambda x: x["id"])


def _database(v: Derivation, comp: Component) -> ct.Database:
    ident = v.ids[comp.id]
    engine = engine_of(comp)
    facts = ENGINES[engine]
    version = str(comp.props.get("engine_version") or facts["version"])
    major, family = _major(engine, version)
    _engine_limits(v, comp, engine)
    return {
        "id": ident, "component": comp.id, "label": v.title(comp),
        "identifier_suffix": kebab(ident), "engine": engine, "engine_version": version,
        "family": family, "major_engine_version": major, "license_model": facts["license"],
        "auto_minor_version_upgrade": False,  # the version is the architecture's choice
        "storage_type": "gp3", "port": DATABASE_PORTS[engine],
        "db_name": _initial_database(engine, v.arch.project),
        "username": f"{short_project(v.arch.project)}admin",
        "subnet_tier": v.tier_of(comp) or next(iter(v.tiers.values())),
        "security_group": ident, "kms_key": "data", "log_kms_key": "logs",
        "cloudwatch_logs_exports": list(facts["logs"]), "iam_database_authentication": False,
        **DB_TUNING,
        "parameters": [p.copy() for p in facts["parameters"]],
        "options": [{"option_name": o["option_name"],
                     "option_settings": [x.copy() for x in o["option_settings"]]}
                    for o in facts["options"]],
    }


def _initial_database(engine: str, project: str) -> str | None:
    """SQL Server creates none (its databases are made inside it); an Oracle name (SID) has at
    most 8 characters."""
    if engine.startswith("sqlserver-"):
        return None
    return db_name(project)[:8] if engine.startswith("oracle-") else db_name(project)


def _engine_limits(v: Derivation, comp: Component, engine: str) -> None:
    """ARC563 below the engine's storage minimum, ARC564 Multi-AZ where RDS has none: the
    environments that ask get what RDS builds (the minimum; a single instance)."""
    facts = ENGINES[engine]
    for env in v.arch.environments:
        props = env.props(comp.id)
        storage = props.get("storage_gb")
        if storage is not None and int(storage) < facts["min_storage_gb"]:
            v.warning("ARC563", f"{comp.id} asks {storage} GB in {env.name}, below the "
                                f"{facts['min_storage_gb']} GB RDS needs for {engine}; archc "
                                "allocates the minimum", comp.span,
                      hint=f"set storage_gb: {facts['min_storage_gb']} or more")
        if props.get("multi_az") and not facts["multi_az"]:
            v.warning("ARC564", f"{comp.id} asks Multi-AZ in {env.name}, which RDS does not "
                                f"offer for {engine}; archc builds a single instance",
                      comp.span, hint="use sqlserver-se or sqlserver-ee for Multi-AZ")


def db_name(project: str) -> str:
    """Initial database: the project slug without separators (letters and digits only)."""
    name = "".join(ch for ch in project if ch.isalnum())
    return (name if name[:1].isalpha() else f"db{name}")[:63]


def database_inputs(v: Derivation, env: Environment) -> dict[str, ct.DatabaseInputs]:
    out: dict[str, ct.DatabaseInputs] = {}
    prod = env.name in PRODUCTION_ENVS
    for comp in v.of(Kind.DATABASE):
        props = env.props(comp.id)
        facts = ENGINES[engine_of(comp)]
        storage = max(int(props.get("storage_gb") or 0), facts["min_storage_gb"])
        out[v.ids[comp.id]] = {
            "instance_class": str(props.get("instance_class") or facts["instance_class"]),
            "allocated_storage": storage, "max_allocated_storage": storage * MAX_STORAGE_FACTOR,
            "multi_az": bool(props.get("multi_az", prod)) and facts["multi_az"],
            "backup_retention_period": BACKUP_DAYS["production" if prod else "other"],
        }
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- buckets
def declared_buckets(v: Derivation) -> dict[str, tuple[Component, BucketSpec]]:
    """Bucket key -> (its object_storage component, its spec): declared ones plus any a flow
    names that the component does not declare (purpose data)."""
    out: dict[str, tuple[Component, BucketSpec]] = {}
    for comp in v.of(Kind.OBJECT_STORAGE):
        for key, spec in (comp.props.get("buckets") or {}).items():
            out.setdefault(str(key), (comp, dict(spec)))
    for flow in (*v.flows(FlowClass.IAM), *v.flows(FlowClass.EVENT)):
        # a call to the buckets, or their upload events (the bucket is the initiator)
        store = v.arch.component(flow.target if flow.flow_class is FlowClass.IAM
                                 else flow.initiator)
        for key in flow.buckets:
            if store is not None and store.kind == Kind.OBJECT_STORAGE:
                out.setdefault(key, (store, {"purpose": "data"}))
    return out


def log_bucket_key(v: Derivation) -> str | None:
    """The bucket that receives S3 access logs and ALB logs (None when nothing logs)."""
    buckets = declared_buckets(v)
    logs = [k for k, (_, spec) in buckets.items() if spec.get("purpose") == "logs"]
    if logs:
        return sorted(logs)[0]
    if not buckets and not v.of(Kind.LOAD_BALANCER):
        return None
    return "logs" if "logs" not in buckets else "access-logs"


def buckets(v: Derivation) -> tuple[list[ct.Bucket], str | None]:
    """Bucket entries sorted by id, and the id of the access-log bucket."""
    log_key = log_bucket_key(v)
    out = []
    for key, (comp, spec) in declared_buckets(v).items():
        if spec.get("versioning") is False:
            v.warning("ARC525", f"bucket {key} of {comp.id} sets versioning: false; archc "
                                "keeps versioning on (state recovery, ransomware protection)",
                      comp.span, hint="old versions expire through the lifecycle rules; "
                                      "remove `versioning: false` to silence this")
        out.append(_bucket(key, f"{v.title(comp)}: {key}", spec, key == log_key))
    if log_key is not None and log_key not in declared_buckets(v):
        out.append(_bucket(log_key, "Access logs of S3 buckets and load balancers (archc)",
                           {"purpose": "logs", **LOG_BUCKET_DAYS}, True))
    return sorted(out, key=lambda b: b["id"]), (tf_id(log_key) if log_key else None)


def _bucket(key: str, label: str, spec: BucketSpec, log_target: bool) -> ct.Bucket:
    # ELB log delivery accepts only SSE-S3 buckets; every other bucket uses the data key.
    encryption: ct.Encryption = ({"kind": "sse_s3"} if log_target
                                 else {"kind": "kms", "kms_key": "data"})
    return {"id": tf_id(key), "label": label, "name_suffix": kebab(key),
            "encryption": encryption, "lifecycle_rules": [_lifecycle(key, spec)],
            "access_log_prefix": None if log_target else f"s3/{kebab(key)}/",
            "log_delivery_target": log_target}


def _lifecycle(key: str, spec: BucketSpec) -> ct.LifecycleRule:
    transition, expire = spec.get("transition_days"), spec.get("expire_days")
    name = (f"{kebab(key)}-tiering" if transition else f"{kebab(key)}-expiry" if expire
            else "noncurrent-cleanup")
    days = NONCURRENT_DAYS["expiring" if expire else "kept"]
    rule: ct.LifecycleRule = {
        "id": name, "enabled": True, "filter": {"prefix": ""},
        "noncurrent_version_expiration": {"noncurrent_days": days},
        "abort_incomplete_multipart_upload_days": ABORT_MULTIPART_DAYS}
    if transition:
        rule["transition"] = [{"days": int(transition), "storage_class": TRANSITION_CLASS}]
    if expire:
        rule["expiration"] = {"days": int(expire)}
    return rule


# --------------------------------------------------------------------------- secrets
def secrets(v: Derivation) -> list[ct.Secret]:
    specs = v.arch.secrets.get("secrets") or {}
    out: list[ct.Secret] = [{"id": tf_id(name), "name_suffix": kebab(name),
            "description": str((spec or {}).get("description") or f"{name} (set out of band)"),
            "kms_key": "data", **SECRET_DEFAULTS}
           for name, spec in specs.items()]
    return sorted(out, key=lambda s: s["id"])


# --------------------------------------------------------------------------- logs and keys
def log_groups(v: Derivation) -> list[ct.LogGroup]:
    """One application log group per Auto Scaling group (its instances ship logs there), and
    one per EC2 host for its CloudWatch agent (compute.cloudwatch_agents)."""
    out: list[ct.LogGroup] = [{"id": v.ids[c.id], "label": v.title(c), "provider": "primary",
            "name_suffix": kebab(v.ids[c.id]), "kms_key": "logs",
            "checkov_skips": retention_skips(v)}
           for c in v.of(Kind.BACKEND_SERVICE)]
    out += [{"id": host_log_group(v.ids[c.id]),
             "label": f"{v.title(c)}: host logs (CloudWatch agent)", "provider": "primary",
             "name_suffix": kebab(host_log_group(v.ids[c.id])), "kms_key": "logs",
             "checkov_skips": retention_skips(v)} for c in v.of(*EC2_KINDS)]
    return sorted(out, key=lambda g: g["id"])


def retention_skips(v: Derivation) -> list[ct.CheckovSkip]:
    """CKV_AWS_338 wants a year of retention; the architecture decides (below a year: skip)."""
    days = v.log_retention_days
    if days >= 365:
        return []
    return [skip("CKV_AWS_338", f"Retention is an architecture decision: "
                                f"observability.log_retention_days = {days} in the overlay; the "
                                "one-year retention baseline of this check is not a requirement "
                                "of this architecture")]


def kms_keys(v: Derivation, platform: ct.PlatformParts) -> list[ct.KmsKey]:
    """data (storage and secrets), logs (CloudWatch), edge (CloudFront and WAF logs in
    us-east-1): each only when something uses it."""
    data_uses = _data_key_uses(platform)
    log_uses = ["VPC flow logs"] + (["EKS control plane"] if platform["eks"] else []) + (
        ["RDS"] if platform["databases"] else []) + (["EC2"] if platform["log_groups"] else [])
    keys = [_key("logs", "primary", "CloudWatch log groups: " + ", ".join(log_uses),
                 ["cloudwatch_logs"])]
    if data_uses:
        keys.append(_key("data", "primary",
                         f"{_join(data_uses)} of the {v.project_title} platform", []))
    edge_uses = (["CloudFront access logs"] if platform["cdns"] else []) + (
        ["WAF logs"] if platform["waf"] else [])
    if edge_uses:
        keys.append(_key("edge", "edge", f"{_join(edge_uses)} of the CloudFront edge "
                                         "(us-east-1)", ["cloudwatch_logs"]))
    return sorted(keys, key=lambda k: k["id"])


def _data_key_uses(platform: ct.PlatformParts) -> list[str]:
    uses = []
    if any(b["encryption"]["kind"] == "kms" for b in platform["buckets"]):
        uses.append("S3 buckets")
    if platform["databases"]:
        uses.append("RDS storage")
    if platform["eks"]:
        uses.append("EKS secrets")
    if platform["secrets"]:
        uses.append("Secrets Manager secrets")
    if any(i["data_volume"] for i in platform["instances"]):
        uses.append("EBS data volumes")
    uses += [KINDS[f["kind"]].title for f in platform["kinds"]
             if KINDS[f["kind"]].kms_key == "data"]
    uses += [what for f in platform["kinds"]
             if (tf := KINDS[f["kind"]].terraform) and (what := tf.data_key)]
    return uses


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _key(ident: str, provider: str, description: str, usages: list[str]) -> ct.KmsKey:
    return {"id": ident, "provider": provider, "alias_suffix": ident,
            "deletion_window_in_days": KMS_DELETION_WINDOW_DAYS,
            "policy_checkov_skips": [s.copy() for s in KMS_POLICY_SKIPS],
            "description": description, "service_usages": usages}
