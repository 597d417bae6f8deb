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

# A Fargate task's default size (0.5 vCPU, 1 GiB) and service size (two tasks, up to four).
TASK_CPU = 512
TASK_MEMORY = 1024
SCALING = {"min": 2, "max": 4}
SERVICE_PORT = 8080
# The tasks scale out above this average CPU.
CPU_TARGET_PERCENT = 70
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
                                   "task runs a placeholder until a deployment sets one",
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
              "cpu_target": CPU_TARGET_PERCENT, "log_retention_days": view.log_retention_days},
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
    pushers = sorted(p.component for p in view.inbound if p.verb in ("write", "read_write"))
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "name_suffix": view.id.replace("_", "-"), "lifecycle_policy": policy,
                       "pullers": pullers, "pushers": pushers})


_ECR_READ = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
             "ecr:GetDownloadUrlForLayer")
_ECR_WRITE = ("ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload",
              "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart")
# ECR's login token is account-wide: the API takes no resource.
_ECR_TOKEN = ((("ecr:GetAuthorizationToken",), ("\"*\"",)),)

# The diagnostic codes its kinds report (ARC540-ARC544).
CODES: dict[str, str] = {
    "ARC540": "an ECS service names no container_image: its task runs a placeholder",
    "ARC541": "the spec draws no ECS cluster: archc creates one for its ECS services",
    "ARC542": "an ECS service is linked to none of the spec's several clusters",
    "ARC543": "an ECS service's autoscaling min is above its max",
}

_ECS_SERVICE_PROPS: dict[str, Any] = {
    "cpu": {"type": "integer", "enum": [256, 512, 1024, 2048, 4096, 8192, 16384],
            "description": "Fargate task CPU units (1024 = 1 vCPU); default 512."},
    "memory": {"type": "integer", "minimum": 512, "maximum": 122880,
               "description": "Fargate task memory in MiB, valid for its cpu; default 1024."},
}

KINDS: tuple[KindSpec, ...] = (
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
        "ecs_cluster", "ECS cluster", Scope.GLOBAL, 7,
        recognise=r"\becs cluster\b|fargate cluster|container cluster",
        icons=("aws:ecs", "aws:elastic-container-service"),
        diagram_icon=("diagrams.aws.compute", "ElasticContainerService"),
        mermaid_class="compute", kms_key="logs",
        # a service drawn to its cluster says where it runs: no connection
        triggered_by=frozenset({"ecs_service"}),
        terraform=Terraform("ecs_cluster.tf", _cluster, modules=(ECS_CLUSTER,),
                            outputs=MappingProxyType({
                                "cluster_name": ("module.ecs_cluster_{id}.name",
                                                 "ECS cluster name")})),
    ),
    KindSpec(
        "ecs_service", "ECS Fargate service", Scope.PRIVATE_SUBNET, 6,
        service_port=SERVICE_PORT,
        recognise=(r"\becs\b|fargate|container service|\bcontainers?\b(?!\s*registry)|"
                   r"\btasks?\b(?!\s*(queue|list|table))"),
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
