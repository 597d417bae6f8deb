"""Containers: ECS clusters and Fargate services, ECR repositories, and the managed stores a
container platform draws next to them (Aurora, ElastiCache, Secrets Manager secrets).

One `KindSpec` per kind, in the order label inference tries them (first match wins): the
ECR repository before the seed's `repository` (GitLab), Aurora before the seed's `database`,
the ECS words never "EKS".
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from archc.catalog.spec import Built, Iam, KindSpec, KindView, Module, Risk, Scope, Terraform

ECS_COMMIT = "8d25f4e9989475e2b94ede517253e2d069990073"
ECS_CLUSTER = Module("ecs_cluster", "terraform-aws-modules/ecs/aws//modules/cluster", "7.5.0",
                     "terraform-aws-modules/terraform-aws-ecs", ECS_COMMIT)
ECS_SERVICE = Module("ecs_service", "terraform-aws-modules/ecs/aws//modules/service", "7.5.0",
                     "terraform-aws-modules/terraform-aws-ecs", ECS_COMMIT)
ECR = Module("ecr", "terraform-aws-modules/ecr/aws", "3.2.0",
             "terraform-aws-modules/terraform-aws-ecr", "b6ef04d088cf91d5ba9505132e9ff7c9f847ed5d")

AURORA = Module("aurora", "terraform-aws-modules/rds-aurora/aws", "10.2.0",
                "terraform-aws-modules/terraform-aws-rds-aurora",
                "2c3946c8191278ad974bbb077da5e03986e24f4d")

ELASTICACHE = Module("elasticache", "terraform-aws-modules/elasticache/aws", "1.10.3",
                     "terraform-aws-modules/terraform-aws-elasticache",
                     "3e17c95a0b932ed162839a1aeaf0a2bfb436ac6a")
SECRETS_MANAGER = Module("secrets_manager", "terraform-aws-modules/secrets-manager/aws", "2.0.1",
                         "terraform-aws-modules/terraform-aws-secrets-manager",
                         "82029345dea22bc49989a6f46c5d8d8e555b84c9")

# A Fargate task's default size (0.5 vCPU, 1 GiB) and service size (two tasks, up to four).
TASK_CPU = 512
TASK_MEMORY = 1024
SCALING = {"min": 2, "max": 4}
SERVICE_PORT = 8080
# An ECR repository keeps this many images; older ones expire.
KEEP_IMAGES = 30


def _cluster_name(view: KindView) -> str | None:
    """The cluster a service runs on: the one a flow names, else the spec's only cluster;
    None when the spec draws none (the service's file creates one)."""
    linked = sorted({p.id for p in (*view.inbound, *view.outbound) if p.kind == "ecs_cluster"})
    if linked:
        return linked[0]
    drawn = view.ids_by_kind.get("ecs_cluster", ())
    return drawn[0] if drawn else None


def _service(view: KindView) -> Built:
    image = str(view.props.get("container_image") or "")
    warnings: list[tuple[str, str, str]] = []
    notes: list[tuple[str, str, str]] = []
    if not image:
        warnings.append(("ARC540", f"ECS service {view.component} names no container_image: its "
                                   "task definition has no image, so ECS cannot start it",
                         f"set components.{view.component}.container_image (an ECR image)"))
    cluster = _cluster_name(view)
    linked = {p.id for p in (*view.inbound, *view.outbound) if p.kind == "ecs_cluster"}
    if cluster is None and view.ids_by_kind.get("ecs_service", (view.id,))[0] == view.id:
        notes.append(("ARC541", f"ECS service {view.component}: the spec draws no ECS cluster, so "
                                "archc creates one for the spec's services",
                      "draw an ECS cluster and a flow from it to the service to name it"))
    elif not linked and len(view.ids_by_kind.get("ecs_cluster", ())) > 1:
        warnings.append(("ARC542", f"ECS service {view.component} is linked to none of the "
                                   f"spec's ECS clusters: it runs on {cluster}",
                         "draw a flow from its cluster to the service"))
    fronts = [p for p in view.inbound if p.kind == "load_balancer" and p.ports]
    port = (fronts[0].ports[0][0] if fronts else
            next((p.ports[0][0] for p in view.inbound if p.ports), SERVICE_PORT))
    settings = {
        env: {"cpu": int(props.get("cpu", view.props.get("cpu", TASK_CPU))),
              "memory": int(props.get("memory", view.props.get("memory", TASK_MEMORY))),
              "min": int(dict(props.get("autoscaling") or {}).get("min", SCALING["min"])),
              "max": int(dict(props.get("autoscaling") or {}).get("max", SCALING["max"]))}
        for env, props in view.env_props.items()}
    for env, size in settings.items():
        if size["min"] > size["max"]:
            warnings.append(("ARC543", f"ECS service {view.component} in {env}: autoscaling min "
                                       f"{size['min']} is above max {size['max']}",
                             "set autoscaling.min <= autoscaling.max"))
            size["max"] = size["min"]
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "image": image or None,
              "cluster": cluster, "port": port, "subnet_tier": view.subnet_tier,
              "security_group": view.security_group,
              "load_balancers": sorted({p.id for p in fronts}),
              "log_retention_days": view.log_retention_days},
        settings=settings, warnings=tuple(warnings), notes=tuple(notes))


def _cluster(view: KindView) -> Built:
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "name_suffix": view.id.replace("_", "-"),
                       "log_retention_days": view.log_retention_days})


def _repository(view: KindView) -> Built:
    keep = int(view.props.get("keep_images", KEEP_IMAGES))
    policy: dict[str, Any] = {"rules": [{
        "rulePriority": 1, "description": f"Keep the last {keep} images",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
        "action": {"type": "expire"}}]}
    pullers = sorted(p.component for p in view.inbound if p.verb == "read")
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "name_suffix": view.id.replace("_", "-"), "lifecycle_policy": policy,
                       "pullers": pullers})


# Aurora: the engine a label or `engine` names, its port and the logs it exports. Aurora has
# no MariaDB: asked for it, archc builds the MySQL it is compatible with (ARC544).
AURORA_ENGINES = {"postgres": "aurora-postgresql", "mysql": "aurora-mysql",
                  "mariadb": "aurora-mysql"}
AURORA_PORTS = {"postgres": 5432, "mysql": 3306, "mariadb": 3306}
_MYSQL_LOGS = ["audit", "error", "slowquery"]
AURORA_LOGS = {"postgres": ["postgresql"], "mysql": _MYSQL_LOGS, "mariadb": _MYSQL_LOGS}
AURORA_CLASS = "db.r6g.large"
# a writer and a reader in production (the reader takes over on failure), a writer elsewhere
AURORA_INSTANCES = {"production": 2, "other": 1}
BACKUP_DAYS = {"production": 14, "other": 7}


def _aurora(view: KindView) -> Built:
    # the overlay's engine, or the one its label names (the linker fills it), else PostgreSQL
    engine = str(view.props.get("engine") or "postgres")
    warnings: list[tuple[str, str, str]] = []
    if engine == "mariadb":
        warnings.append(("ARC544", f"Aurora {view.component}: Aurora runs PostgreSQL or MySQL, "
                                   "not MariaDB; archc builds Aurora MySQL",
                         "set engine: mysql or postgres"))
    settings = {}
    for env, props in view.env_props.items():
        prod = "production" if env in view.production else "other"
        settings[env] = {
            "instances": int(props.get("count", AURORA_INSTANCES[prod])),
            "instance_class": str(props.get("instance_class", AURORA_CLASS)),
            "backup_retention_days": BACKUP_DAYS[prod],
            "final_snapshot": prod == "production"}
    version = view.props.get("engine_version")
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "engine": AURORA_ENGINES[engine],
              "engine_version": None if version is None else str(version),
              # the port its flows open (the engine's unless the overlay says otherwise)
              "port": next((p.ports[0][0] for p in view.inbound if p.ports),
                           AURORA_PORTS[engine]),
              "logs": AURORA_LOGS[engine],
              "subnet_tier": view.subnet_tier, "security_group": view.security_group,
              "log_retention_days": view.log_retention_days,
              "clients": sorted({p.component for p in view.inbound})},
        settings=settings, warnings=tuple(warnings))


# ElastiCache: Redis/Valkey as a replication group (a primary, replicas in production),
# Memcached as a cluster; its engine from `cache_engine` or the label (Valkey by default).
CACHE_PORTS = {"valkey": 6379, "redis": 6379, "memcached": 11211}
CACHE_NODE_TYPE = {"production": "cache.r7g.large", "other": "cache.t4g.small"}
CACHE_NODES = {"production": 2, "other": 1}
SNAPSHOT_DAYS = {"production": 7, "other": 1}


def _cache(view: KindView) -> Built:
    engine = str(view.props.get("cache_engine") or "valkey")
    settings = {}
    for env, props in view.env_props.items():
        prod = "production" if env in view.production else "other"
        nodes = int(props.get("count", CACHE_NODES[prod]))
        settings[env] = {"node_type": str(props.get("node_type", CACHE_NODE_TYPE[prod])),
                         "nodes": nodes, "failover": nodes > 1,
                         "snapshot_retention_days": SNAPSHOT_DAYS[prod]}
    version = view.props.get("engine_version")
    return Built(item={
        "id": view.id, "component": view.component, "title": view.title,
        "name_suffix": view.id.replace("_", "-"), "engine": engine,
        "engine_version": None if version is None else str(version),
        "replicated": engine != "memcached",
        "port": next((p.ports[0][0] for p in view.inbound if p.ports), CACHE_PORTS[engine]),
        "subnet_tier": view.subnet_tier, "security_group": view.security_group,
        "clients": sorted({p.component for p in view.inbound})}, settings=settings)


# Secrets Manager: the value is generated write-only (never in state or in the code) and left
# to the operator afterwards; a deleted secret can be restored for this many days.
RECOVERY_DAYS = 30
PASSWORD_LENGTH = 32


def _secret(view: KindView) -> Built:
    readers = sorted(p.component for p in view.inbound if p.verb == "read")
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "name_suffix": view.id.replace("_", "-"),
                       "recovery_days": int(view.props.get("recovery_window_days",
                                                           RECOVERY_DAYS)),
                       "password_length": PASSWORD_LENGTH, "readers": readers})


_ECR_READ = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
             "ecr:GetDownloadUrlForLayer")
_ECR_WRITE = ("ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload",
              "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart")
# ECR's login token is account-wide: the API takes no resource.
_ECR_TOKEN = ((("ecr:GetAuthorizationToken",), ("\"*\"",)),)

# The diagnostic codes its kinds report (ARC540-ARC544).
CODES: dict[str, str] = {
    "ARC540": "an ECS service names no container_image: ECS cannot start its task",
    "ARC541": "the spec draws no ECS cluster: archc creates one for its ECS services",
    "ARC542": "an ECS service is linked to none of the spec's several clusters",
    "ARC543": "an ECS service's autoscaling min is above its max",
    "ARC544": "an Aurora cluster asks for an engine Aurora does not run (MariaDB)",
}

_ECS_SERVICE_PROPS: dict[str, Any] = {
    "cpu": {"type": "integer", "enum": [256, 512, 1024, 2048, 4096, 8192, 16384],
            "description": "Fargate task CPU units (1024 = 1 vCPU); default 512."},
    "memory": {"type": "integer", "minimum": 512, "maximum": 122880,
               "description": "Fargate task memory in MiB, valid for its cpu; default 1024."},
}

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "elasticache", "ElastiCache cache", Scope.DATA_SUBNET, 10, service_port=6379,
        recognise=r"elasticache|\bredis\b|\bvalkey\b|memcached",
        icons=("aws:elasticache", "aws:elasticache-for-redis"), security_group=True,
        holds_data=True, addresses=4,
        diagram_icon=("diagrams.aws.database", "Elasticache"), mermaid_class="data",
        kms_key="data",
        risks=(Risk("removed", "medium", "removing it drops the cached data: the first "
                                         "requests after it go to the database"),
               Risk("cache_engine", "high", "changing the engine replaces the cache")),
        properties=MappingProxyType({
            "cache_engine": {"enum": ["valkey", "redis", "memcached"],
                             "description": "ElastiCache engine; default valkey (a label "
                                            "naming Redis or Memcached says it too)."},
            "node_type": {"type": "string", "pattern": "^cache\\.",
                          "description": "ElastiCache node type, e.g. cache.t4g.small."}}),
        per_environment=("count", "node_type"),
        terraform=Terraform("elasticache.tf", _cache, modules=(ELASTICACHE,),
                            attachment="module.elasticache_{id} (security_group_ids)"),
        engine_ports=MappingProxyType(CACHE_PORTS), engine_key="cache_engine",
    ),
    KindSpec(
        "secret", "Secrets Manager secret", Scope.GLOBAL, 10,
        recognise=r"secrets? ?manager|\bsecrets?\b(?!\s*(store csi|operator))",
        icons=("aws:secrets-manager",), holds_data=True,
        iam=Iam(actions=MappingProxyType({
            "read": ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"),
        }), resources=("module.secret_{id}.secret_arn",), default_verb="read",
            extra=MappingProxyType({"read": ((("kms:Decrypt",), ("aws_kms_key.data.arn",)),)})),
        diagram_icon=("diagrams.aws.security", "SecretsManager"), mermaid_class="data",
        kms_key="data",
        risks=(Risk("removed", "high", "removing it deletes the secret (restorable during its "
                                       "recovery window)"),),
        properties=MappingProxyType({
            "recovery_window_days": {"type": "integer", "minimum": 7, "maximum": 30,
                                     "description": "Days a deleted secret can be restored "
                                                    "(7-30); default 30."}}),
        terraform=Terraform("secret.tf", _secret, modules=(SECRETS_MANAGER,),
                            outputs=MappingProxyType({
                                "secrets_manager_arn": ("module.secret_{id}.secret_arn",
                                                        "secret ARN")})),
    ),
    KindSpec(
        "aurora", "Aurora cluster", Scope.DATA_SUBNET, 10, service_port=5432,
        recognise=r"\baurora\b", icons=("aws:aurora",), security_group=True, holds_data=True,
        addresses=4, size_key="instance_class",
        diagram_icon=("diagrams.aws.database", "Aurora"), mermaid_class="data", kms_key="data",
        risks=(Risk("removed", "high", "removing it deletes the cluster's data (a final "
                                       "snapshot is kept in production)"),
               Risk("engine", "high", "changing the engine replaces the cluster: its data is "
                                      "lost")),
        # the RDS keys it reads too (their schema is the shipped one)
        properties=MappingProxyType({
            "engine": {"description": "Aurora engine: postgres or mysql (mariadb: MySQL)."},
            "engine_version": {"description": "Aurora engine version, e.g. \"16.4\"."},
            "instance_class": {"description": "Instance class of the writer and readers."}}),
        per_environment=("count", "instance_class"),
        terraform=Terraform("aurora.tf", _aurora, modules=(AURORA,),
                            attachment="module.aurora_{id} (vpc_security_group_ids)",
                            outputs=MappingProxyType({
                                "writer_endpoint": ("module.aurora_{id}.cluster_endpoint",
                                                    "writer endpoint"),
                                "reader_endpoint": ("module.aurora_{id}.cluster_reader_endpoint",
                                                    "reader endpoint")})),
        master_secret="module.aurora_{id}.cluster_master_user_secret[0].secret_arn",
        engine_ports=MappingProxyType(AURORA_PORTS),
    ),
    KindSpec(
        "ecr_repository", "ECR repository", Scope.GLOBAL, 10,
        recognise=(r"\becr\b|elastic container registry|container registry|image registry|"
                   r"docker registry"),
        icons=("aws:ecr", "aws:elastic-container-registry"), holds_data=True,
        iam=Iam(actions=MappingProxyType({
            "read": _ECR_READ,
            "write": _ECR_WRITE,
            "read_write": tuple(sorted({*_ECR_READ, *_ECR_WRITE})),
        }), resources=("module.ecr_{id}.repository_arn",), default_verb="read",
            extra=MappingProxyType({"read": _ECR_TOKEN, "write": _ECR_TOKEN,
                                    "read_write": _ECR_TOKEN})),
        diagram_icon=("diagrams.aws.compute", "ElasticContainerServiceContainer"),
        mermaid_class="data", kms_key="data",
        risks=(Risk("removed", "high", "removing it deletes every image it holds: running "
                                       "services cannot start new tasks"),),
        properties=MappingProxyType({
            "keep_images": {"type": "integer", "minimum": 1, "maximum": 1000,
                            "description": "Images the repository keeps (older ones expire); "
                                           "default 30."}}),
        terraform=Terraform("ecr_repository.tf", _repository, modules=(ECR,),
                            outputs=MappingProxyType({
                                "repository_url": ("module.ecr_{id}.repository_url",
                                                   "repository URL to push images to")})),
    ),
    KindSpec(
        # a regional service, drawn outside the VPC or next to its services in a subnet
        "ecs_cluster", "ECS cluster", Scope.ANYWHERE, 7,
        recognise=r"\becs cluster\b|fargate cluster|container cluster",
        icons=("aws:ecs", "aws:elastic-container-service"),
        diagram_icon=("diagrams.aws.compute", "ElasticContainerService"),
        mermaid_class="compute", kms_key="logs",
        # a service drawn to its cluster says where it runs: no connection
        triggered_by=frozenset({"ecs_service"}),
        terraform=Terraform("ecs_cluster.tf", _cluster, modules=(ECS_CLUSTER,),
                            outputs=MappingProxyType({
                                "ecs_cluster_name": ("module.ecs_cluster_{id}.name",
                                                     "ECS cluster name")})),
    ),
    KindSpec(
        "ecs_service", "ECS Fargate service", Scope.PRIVATE_SUBNET, 6,
        service_port=SERVICE_PORT,
        recognise=(r"\becs\b(?!\s*cluster)|fargate(?!\s*cluster)|container service|"
                   r"\bcontainers?\b(?!\s*registry)|\btasks?\b(?!\s*(queue|list|table))"),
        icons=("aws:fargate", "aws:ecs-service", "aws:ecs-task"),
        security_group=True, compute=True, addresses=4,
        # the cluster drawn to its services says what it runs: no connection
        triggered_by=frozenset({"ecs_cluster"}),
        role="module.ecs_service_{id}.tasks_iam_role_name",
        diagram_icon=("diagrams.aws.compute", "Fargate"), mermaid_class="compute",
        properties=MappingProxyType(_ECS_SERVICE_PROPS),
        per_environment=("cpu", "memory"),
        terraform=Terraform("ecs_service.tf", _service, modules=(ECS_SERVICE, ECS_CLUSTER),
                            attachment="module.ecs_service_{id} (security_group_ids)",
                            outputs=MappingProxyType({
                                "service_name": ("module.ecs_service_{id}.name",
                                                 "ECS service name")})),
        lb_target_type="ip", kms_key="logs",
    ),
)
