"""Data: RDS Proxy, OpenSearch, EFS (Aurora, DynamoDB and ElastiCache live in their families).

One `KindSpec` per kind, in the order label inference tries them (first match wins): the
proxy before every word a database has, since the seed's "database" pattern comes last.
"""

from __future__ import annotations

from types import MappingProxyType

from archc.catalog.spec import (
    Built,
    Iam,
    KindSpec,
    KindView,
    Module,
    Peer,
    Risk,
    Scope,
    Terraform,
)

RDS_PROXY = Module("rds_proxy", "terraform-aws-modules/rds-proxy/aws", "4.4.0",
                   "terraform-aws-modules/terraform-aws-rds-proxy",
                   "012b4332f58ccaaa485d0af2040e599056d696f9")
OPENSEARCH = Module("opensearch", "terraform-aws-modules/opensearch/aws", "2.10.0",
                    "terraform-aws-modules/terraform-aws-opensearch",
                    "dc92475e61bf9d46d1ed68fef1cc34dd88874983")
EFS = Module("efs", "terraform-aws-modules/efs/aws", "2.0.0",
             "terraform-aws-modules/terraform-aws-efs", "90f2acc48bae098363b39778ccd084637c349752")

# The diagnostic codes its kinds report (ARC560-ARC564).
CODES: dict[str, str] = {
    "ARC560": "an EFS file system has no client: nothing mounts it",
    "ARC561": "an RDS proxy fronts no database it can proxy",
    "ARC562": "an OpenSearch domain has no client: nothing reads or writes it",
    # the seed database's engines (archc/emit/terraform/data.py)
    "ARC563": "a database's storage is below its engine's minimum: archc allocates the minimum",
    "ARC564": "a database asks Multi-AZ on an engine RDS runs single-AZ only (SQL Server "
              "Express or Web)",
}

# --------------------------------------------------------------------------- RDS proxy
# The proxy's engine family by the engine port its flow to the database uses.
PROXY_FAMILIES: dict[int, str] = {5432: "POSTGRESQL", 3306: "MYSQL", 1433: "SQLSERVER"}
# How a client proves the database password to the proxy, by family (the engine's own).
PROXY_CLIENT_AUTH: dict[str, str] = {"POSTGRESQL": "POSTGRES_SCRAM_SHA_256",
                                     "MYSQL": "MYSQL_CACHING_SHA2_PASSWORD",
                                     "SQLSERVER": "SQL_SERVER_AUTHENTICATION"}
# A client connection idle this long is closed (RDS default 30 min).
PROXY_IDLE_CLIENT_TIMEOUT = 1800


# What a proxy can front, by kind: the target's module, whether it is a cluster, and the
# outputs naming it and its RDS-managed master secret. An Aurora cluster (the containers
# family) is named by its kind only, so this family imports none of it.
PROXY_TARGETS: dict[str, dict[str, object]] = {
    "database": {"module": "db", "cluster": False, "identifier": "db_instance_identifier",
                 "secret": "db_instance_master_user_secret_arn"},
    "aurora": {"module": "aurora", "cluster": True, "identifier": "cluster_id",
               "secret": "cluster_master_user_secret[0].secret_arn"},
}


def _proxy_target(view: KindView) -> tuple[Peer, str] | None:
    """The database the proxy fronts (its first flow to an RDS database or Aurora cluster on an
    engine port a proxy speaks) and the proxy's engine family."""
    for peer in view.outbound:
        port = peer.ports[0][0] if peer.ports else None
        if peer.kind in PROXY_TARGETS and port in PROXY_FAMILIES:
            return peer, PROXY_FAMILIES[port]
    return None


def _proxy(view: KindView) -> Built:
    found = _proxy_target(view)
    clients = sorted(p.component for p in view.inbound)
    if found is None:
        return Built(item={"id": view.id, "component": view.component, "title": view.title,
                           "target": None, "clients": clients},
                     warnings=(("ARC561", f"RDS proxy {view.component} fronts no RDS database "
                                "or Aurora cluster (PostgreSQL, MySQL or SQL Server), so none "
                                "is made",
                                f"draw the database it fronts: `{view.component} --> DB`"),))
    target, family = found
    return Built(item={
        "id": view.id, "component": view.component, "title": view.title,
        "name_suffix": view.id.replace("_", "-"), "security_group": view.security_group,
        "subnet_tier": view.subnet_tier, "clients": clients,
        "target": {"component": target.component, "id": target.id,
                   **PROXY_TARGETS[target.kind]},
        "engine_family": family, "client_password_auth_type": PROXY_CLIENT_AUTH[family],
        "idle_client_timeout": PROXY_IDLE_CLIENT_TIMEOUT})


# --------------------------------------------------------------------------- OpenSearch
# A small production-shaped domain: Graviton data nodes, gp3 storage, OpenSearch 2.x.
OPENSEARCH_VERSION = "OpenSearch_2.19"
OPENSEARCH_INSTANCE_TYPE = "r7g.large.search"
OPENSEARCH_VOLUME_GB = 100
OPENSEARCH_TLS_POLICY = "Policy-Min-TLS-1-2-2019-07"
# What the domain publishes to its KMS-encrypted log groups: who did what, and slow queries.
OPENSEARCH_LOGS: tuple[str, ...] = ("AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS",
                                    "SEARCH_SLOW_LOGS")


def _opensearch(view: KindView) -> Built:
    clients = sorted({p.component for p in view.inbound})
    settings = {}
    for env, props in view.env_props.items():
        prod = env in view.production
        count = int(props.get("search_instance_count", 3 if prod else 2))
        settings[env] = {"instance_type": str(props.get("search_instance_type",
                                                        OPENSEARCH_INSTANCE_TYPE)),
                         "instance_count": count,
                         "volume_size": int(props.get("search_volume_gb",
                                                      OPENSEARCH_VOLUME_GB)),
                         # dedicated masters keep a production cluster's quorum
                         "dedicated_master_enabled": prod}
    warnings = () if clients else (
        ("ARC562", f"OpenSearch domain {view.component} has no client: nothing reads or "
                   "writes it", f"draw its client: `API --> {view.component}`"),)
    return Built(item={
        "id": view.id, "component": view.component, "title": view.title,
        "domain_suffix": view.id.replace("_", "-")[:18],
        "engine_version": str(view.props.get("engine_version", OPENSEARCH_VERSION)),
        "security_group": view.security_group, "subnet_tier": view.subnet_tier,
        "clients": clients, "log_types": list(OPENSEARCH_LOGS),
        "tls_security_policy": OPENSEARCH_TLS_POLICY}, settings=settings, warnings=warnings)


# --------------------------------------------------------------------------- EFS
# Files not read for 30 days move to Infrequent Access, and back on their first read.
EFS_TRANSITION_TO_IA = "AFTER_30_DAYS"
EFS_POSIX_ID = 1000
EFS_PERMISSIONS = "0750"


def _efs(view: KindView) -> Built:
    clients = sorted({p.component for p in view.inbound})
    names = [str(n) for n in view.props.get("access_points", ["shared"])]
    warnings = () if clients else (
        ("ARC560", f"EFS file system {view.component} has no client: nothing mounts it",
         f"draw who mounts it: `App --> {view.component}`"),)
    return Built(item={
        "id": view.id, "component": view.component, "title": view.title,
        "name_suffix": view.id.replace("_", "-"), "security_group": view.security_group,
        "subnet_tier": view.subnet_tier, "clients": clients,
        "transition_to_ia": EFS_TRANSITION_TO_IA,
        "access_points": [{"name": name, "path": f"/{name}", "uid": EFS_POSIX_ID,
                           "gid": EFS_POSIX_ID, "permissions": EFS_PERMISSIONS}
                          for name in sorted(set(names))]}, warnings=warnings)


# --------------------------------------------------------------------------- Redshift
# A provisioned cluster: RA3 nodes (managed storage), two in production; snapshots kept a
# week, 35 days in production; its connection, user and activity logs to CloudWatch.
REDSHIFT_NODE_TYPE = "ra3.large"
REDSHIFT_PORT = 5439
REDSHIFT_LOGS: tuple[str, ...] = ("connectionlog", "useractivitylog", "userlog")
REDSHIFT_SNAPSHOT_DAYS = {"production": 35, "other": 7}


def _redshift(view: KindView) -> Built:
    settings = {}
    for env, props in view.env_props.items():
        prod = env in view.production
        settings[env] = {
            "node_type": str(props.get("node_type", REDSHIFT_NODE_TYPE)),
            "number_of_nodes": int(props.get("number_of_nodes", 2 if prod else 1)),
            "snapshot_retention_days": REDSHIFT_SNAPSHOT_DAYS["production" if prod
                                                              else "other"]}
    name = "".join(ch for ch in view.project if ch.isalnum()).lower()
    days = view.log_retention_days
    return Built(item={
        "cluster_checkov_skips": [{"id": "CKV_AWS_71", "reason": (
            f"Logging is on: aws_redshift_logging.{view.id} exports it to CloudWatch (AWS "
            "provider 6 moved logging out of the cluster resource); checkov reads only the "
            "cluster's former logging block")}],
        "log_checkov_skips": [] if days >= 365 else [{"id": "CKV_AWS_338", "reason": (
            f"Retention is an architecture decision: observability.log_retention_days = {days} "
            "in the overlay; the one-year retention baseline of this check is not a requirement "
            "of this architecture")}],
        "id": view.id, "component": view.component, "title": view.title,
        "name_suffix": view.id.replace("_", "-"), "security_group": view.security_group,
        "subnet_tier": view.subnet_tier, "port": REDSHIFT_PORT,
        # the cluster's first database: the project's name, never Redshift's default "dev"
        "database_name": (name if name[:1].isalpha() else f"db{name}")[:60],
        "master_username": f"{(name or 'db')[:12]}admin",
        "clients": sorted({p.component for p in view.inbound}),
        "log_types": list(REDSHIFT_LOGS)}, settings=settings)


_GONE = "removing it deletes the data it holds"
_NAME = r"^[a-z][a-z0-9-]{0,30}$"

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "rds_proxy", "RDS proxy", Scope.PRIVATE_SUBNET, 9,
        recognise=r"\brds[\s_-]*proxy\b|\b(db|database)[\s_-]*proxy\b",
        icons=("aws:rds-proxy", "aws:rds-proxy-instance"), security_group=True, addresses=2,
        fronts=True, diagram_icon=("diagrams.aws.database", "RDS"), mermaid_class="data",
        terraform=Terraform("rds_proxy.tf", _proxy, modules=(RDS_PROXY,),
                            attachment="module.rds_proxy_{id} (vpc_security_group_ids)",
                            outputs=MappingProxyType({
                                "proxy_endpoint": ("module.rds_proxy_{id}.proxy_endpoint",
                                                   "RDS proxy endpoint")})),
    ),
    KindSpec(
        "opensearch", "OpenSearch domain", Scope.DATA_SUBNET, 10, service_port=443,
        recognise=r"open ?search|elastic ?search|search cluster|\belk\b",
        icons=("aws:opensearch", "aws:opensearch-service", "aws:elasticsearch-service"),
        security_group=True, holds_data=True, addresses=3,
        iam=Iam(actions=MappingProxyType({
            "read": ("es:ESHttpGet", "es:ESHttpHead"),
            "write": ("es:ESHttpDelete", "es:ESHttpPost", "es:ESHttpPut"),
            "read_write": ("es:ESHttpDelete", "es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost",
                           "es:ESHttpPut"),
        }), resources=('"${module.opensearch_{id}.domain_arn}/*"',), default_verb="read_write"),
        diagram_icon=("diagrams.aws.analytics", "AmazonOpensearchService"),
        mermaid_class="data",
        risks=(Risk("removed", "high", _GONE),
               Risk("search_instance_type", "medium", "changing the instance type is a blue/green "
                                               "deployment of the whole domain")),
        properties=MappingProxyType({
            "engine_version": {"type": "string", "pattern": r"^OpenSearch_\d+\.\d+$",
                               "description": "OpenSearch version (default "
                                              f"{OPENSEARCH_VERSION})."},
            "search_instance_type": {"type": "string",
                                     "pattern": r"^[a-z0-9]+\.[a-z0-9]+\.search$",
                              "description": "Data node type (default "
                                             f"{OPENSEARCH_INSTANCE_TYPE})."},
            "search_instance_count": {"type": "integer", "minimum": 1, "maximum": 80,
                               "description": "Data nodes (default 3 in production, else 2)."},
            "search_volume_gb": {"type": "integer", "minimum": 10, "maximum": 16384,
                               "description": "gp3 storage per data node in GiB (default "
                                              f"{OPENSEARCH_VOLUME_GB})."},
        }),
        per_environment=("search_instance_type", "search_instance_count", "search_volume_gb"),
        terraform=Terraform("opensearch.tf", _opensearch, modules=(OPENSEARCH,),
                            attachment="module.opensearch_{id} (vpc_options)",
                            data_key="OpenSearch domains", aws_provider=">= 6.49, < 7.0",
                            outputs=MappingProxyType({
                                "domain_endpoint": ("module.opensearch_{id}.domain_endpoint",
                                                    "OpenSearch domain endpoint")})),
    ),
    KindSpec(
        "efs_file_system", "EFS file system", Scope.PRIVATE_SUBNET, 10, service_port=2049,
        recognise=r"\befs\b|elastic file ?system|shared file ?system|\bnfs share",
        icons=("aws:efs", "aws:elastic-file-system"), security_group=True, holds_data=True,
        iam=Iam(actions=MappingProxyType({
            "read": ("elasticfilesystem:ClientMount",),
            "write": ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
            "read_write": ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
            "connect": ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
        }), resources=("module.efs_{id}.arn",), default_verb="connect"),
        diagram_icon=("diagrams.aws.storage", "ElasticFileSystemEFS"), mermaid_class="data",
        risks=(Risk("removed", "high", _GONE),),
        properties=MappingProxyType({
            "access_points": {
                "type": "array", "uniqueItems": True, "minItems": 1,
                "items": {"type": "string", "pattern": _NAME},
                "description": "Access points, each a directory /<name> owned by uid/gid "
                               "1000 (default: one, `shared`)."},
        }),
        terraform=Terraform("efs_file_system.tf", _efs, modules=(EFS,),
                            attachment="module.efs_{id} (mount_targets.security_groups)",
                            data_key="EFS file systems",
                            outputs=MappingProxyType({
                                "file_system_id": ("module.efs_{id}.id", "EFS file system id"),
                                "dns_name": ("module.efs_{id}.dns_name",
                                             "EFS file system DNS name")})),
    ),
    KindSpec(
        "redshift", "Redshift cluster", Scope.DATA_SUBNET, 10, service_port=REDSHIFT_PORT,
        recognise=r"redshift|data ?warehouse",
        icons=("aws:redshift",), security_group=True, holds_data=True, addresses=2,
        diagram_icon=("diagrams.aws.analytics", "Redshift"), mermaid_class="data",
        risks=(Risk("removed", "high", _GONE),
               Risk("node_type", "medium", "changing the node type resizes the cluster, which "
                                           "is read-only while it runs")),
        properties=MappingProxyType({
            "node_type": {"type": "string", "pattern": r"^(ra3|dc2)\.[a-z0-9]+$",
                          "description": f"Redshift node type (default {REDSHIFT_NODE_TYPE})."},
            "number_of_nodes": {"type": "integer", "minimum": 1, "maximum": 128,
                                "description": "Nodes (default 2 in production, else 1)."},
        }),
        per_environment=("node_type", "number_of_nodes"),
        terraform=Terraform("redshift.tf", _redshift, data_key="Redshift clusters",
                            outputs=MappingProxyType({
                                "redshift_endpoint": ("aws_redshift_cluster.{id}.endpoint",
                                                      "Redshift cluster endpoint")})),
    ),
)
