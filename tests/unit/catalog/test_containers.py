"""The containers family (archc/catalog/containers.py): Fargate services behind the load
balancer, on their cluster, pulling from an ECR repository, using Aurora, ElastiCache and a
Secrets Manager secret (examples/container-shop), with exactly the IAM and the security-group
ports their flows need."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.catalog.containers import KINDS as CONTAINERS
from archc.diagnostics import Severity
from archc.kinds import infer_kind
from archc.spec import load_spec
from tests.unit.emit.test_terraform_emit import data_blocks, emit, load, modules, parse_dir, tfvars

SPECS = {s.name: s for s in CONTAINERS}
DIAGRAM = """flowchart TB
    Users((Users))
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            ALB[Application Load Balancer]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            Web[Web ECS Service]
            API[API Fargate Service]
        end
    end
    Registry[ECR Repository]
    Users -->|HTTPS| ALB
    ALB -->|HTTP :3000| Web
    ALB -->|HTTP :8080| API
    Web -->|HTTP :8080| API
    Registry -->|pull images| Web
    Registry -->|pull images| API
    Web --> NAT
    API --> NAT
"""
OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.0", cpu: 1024}
  Web: {container_image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0.0"}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod:
    vpc_cidr: 10.30.0.0/16
    components: {API: {cpu: 2048, memory: 4096, autoscaling: {min: 3, max: 10}}}
"""


def _with_data(node: str, flow: str) -> str:
    """DIAGRAM with a data subnet holding `node`, and `flow` drawn."""
    return DIAGRAM.replace("    end\n    Registry", "        subgraph Data[\"Data Subnet\"]\n"
                           f"            {node}\n        end\n    end\n    Registry"
                           ) + f"    {flow}\n"


def _spec(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


@pytest.mark.parametrize(("label", "kind"), [
    ("ECR", "ecr_repository"), ("ECR Repository", "ecr_repository"),
    ("Container Registry", "ecr_repository"), ("Image registry", "ecr_repository"),
    ("ECS Cluster", "ecs_cluster"), ("Fargate cluster", "ecs_cluster"),
    ("ECS service", "ecs_service"), ("API on Fargate", "ecs_service"),
    ("Container service", "ecs_service"), ("Worker task", "ecs_service"),
    # what must stay the seed's
    ("EKS", "eks_control_plane"), ("EKS Control Plane", "eks_control_plane"),
    ("Model Repository", "scm_server"), ("GitLab repository", "scm_server"),
    ("Order Service", "backend_service"), ("Task queue SQS", "sqs_queue"),
])
def test_container_kinds_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


def test_ecs_services_compile_to_fargate_services_on_one_cluster(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path)))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    # no cluster drawn: one for the spec, said once
    assert [d.code for d in diags if d.code == "ARC541"] == ["ARC541"]
    mods = modules(parse_dir(files, "terraform/modules/platform"))
    assert mods["ecs_cluster"]["source"] == "terraform-aws-modules/ecs/aws//modules/cluster"
    api = mods["ecs_service_api"]
    assert (api["source"], api["version"]) == ("terraform-aws-modules/ecs/aws//modules/service",
                                               "7.5.0")
    assert api["cluster_arn"] == "${module.ecs_cluster.arn}"
    assert api["assign_public_ip"] is False and api["create_security_group"] is False
    assert api["security_group_ids"] == ["${aws_security_group.api.id}"]
    container = api["container_definitions"]["app"]
    assert container["readonlyRootFilesystem"] is True
    assert container["portMappings"][0]["containerPort"] == 8080
    assert container["cloudwatch_log_group_kms_key_id"] == "${aws_kms_key.logs.arn}"
    # registered in the load balancer's IP target group on its own port
    assert api["load_balancer"]["alb"]["target_group_arn"] == (
        '${module.lb_alb.target_groups["api"].arn}')
    assert mods["ecs_service_web"]["load_balancer"]["alb"]["container_port"] == 3000
    groups = mods["lb_alb"]["target_groups"]
    assert (groups["web"]["target_type"], groups["web"]["port"]) == ("ip", 3000)
    assert not [d for d in diags if d.code == "ARC526"]
    # sizes per environment
    assert tfvars(files, "dev")["components"]["api"] == {"cpu": 1024, "memory": 1024, "min": 2,
                                                        "max": 4}
    assert tfvars(files, "prod")["components"]["api"] == {"cpu": 2048, "memory": 4096,
                                                         "min": 3, "max": 10}


def test_security_groups_open_exactly_the_flows_ports(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    doc = parse_dir(files, "terraform/modules/platform")
    ingress = {n: b for block in doc.get("resource", [])
               for n, b in block.get("aws_vpc_security_group_ingress_rule", {}).items()}
    to_services = {n: (b["from_port"], b["to_port"]) for n, b in ingress.items()
                   if n.startswith(("api_", "web_"))}
    assert to_services == {"api_ingress_alb_8080": (8080, 8080),
                           "api_ingress_web_8080": (8080, 8080),
                           "web_ingress_alb_3000": (3000, 3000)}


def _actions(files: dict[str, str], policy: str) -> list[list[str]]:
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    return [sorted(st["actions"]) for st in doc[policy]["statement"]]


def test_pulling_from_ecr_grants_exactly_the_pull_actions(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    ecr = SPECS["ecr_repository"].iam
    assert ecr is not None
    assert _actions(files, "api_registry_read") == [sorted(ecr.actions["read"]),
                                                    ["ecr:GetAuthorizationToken"]]
    assert not any("Put" in a for a in ecr.actions["read"])
    platform = parse_dir(files, "terraform/modules/platform")
    attach = {n: b for block in platform.get("resource", [])
              for n, b in block.get("aws_iam_role_policy_attachment", {}).items()}
    assert attach["api_registry_read"]["role"] == "${module.ecs_service_api.tasks_iam_role_name}"
    repo = modules(platform)["ecr_registry"]
    assert repo["repository_image_tag_mutability"] == "IMMUTABLE"
    assert repo["repository_image_scan_on_push"] is True
    assert repo["repository_kms_key"] == "${aws_kms_key.data.arn}"


def test_a_drawn_cluster_is_the_services_cluster(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Registry[ECR Repository]\n",
                              "    Registry[ECR Repository]\n    Cluster[ECS Cluster]\n"
                              "    Cluster --> API\n")
    files, diags = emit(load(_spec(tmp_path, diagram)))
    assert not [d for d in diags if d.code == "ARC541"]
    mods = modules(parse_dir(files, "terraform/modules/platform"))
    assert "ecs_cluster" not in mods
    assert mods["ecs_service_api"]["cluster_arn"] == "${module.ecs_cluster_cluster.arn}"
    # the spec's only cluster also runs the service no flow links to it
    assert mods["ecs_service_web"]["cluster_arn"] == "${module.ecs_cluster_cluster.arn}"
    # the cluster's arrow is no connection: no rule for it
    assert "cluster" not in files["terraform/modules/platform/security_groups.tf"]


def test_a_service_without_an_image_is_said(tmp_path: Path) -> None:
    overlay = OVERLAY.replace('  Web: {container_image: "123456789012.dkr.ecr.eu-west-1.'
                              'amazonaws.com/web:1.0.0"}\n', "")
    _, diags = emit(load(_spec(tmp_path, overlay=overlay)))
    assert [d.message.split(":")[0] for d in diags if d.code == "ARC540"] == [
        "ECS service Web names no container_image"]


def test_autoscaling_min_above_max_is_said(tmp_path: Path) -> None:
    overlay = OVERLAY.replace("autoscaling: {min: 3, max: 10}", "autoscaling: {min: 5, max: 2}")
    files, diags = emit(load(_spec(tmp_path, overlay=overlay)))
    assert [d.code for d in diags if d.code == "ARC543"] == ["ARC543"]
    assert tfvars(files, "prod")["components"]["api"]["max"] == 5


# --------------------------------------------------------------------------- the data tier
SHOP = Path(__file__).resolve().parents[3] / "examples" / "container-shop"


@pytest.fixture(scope="module")
def shop() -> tuple[dict[str, str], list]:
    return emit(load(SHOP))


@pytest.mark.parametrize(("label", "kind"), [
    ("Aurora PostgreSQL 16", "aurora"), ("Aurora MySQL", "aurora"), ("Amazon Aurora", "aurora"),
    ("ElastiCache Redis", "elasticache"), ("Valkey cache", "elasticache"),
    ("Memcached", "elasticache"), ("Secrets Manager", "secret"), ("API secrets", "secret"),
    # the seed's databases stay RDS
    ("PostgreSQL", "database"), ("Orders DB", "database"), ("MySQL RDS", "database"),
])
def test_data_kinds_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


def test_the_container_shop_checks_clean(shop: tuple[dict[str, str], list]) -> None:
    _, diags = shop
    assert [d for d in diags if d.severity in (Severity.ERROR, Severity.WARNING)] == []


def test_the_data_tier_opens_exactly_its_flows_ports(shop: tuple[dict[str, str], list]) -> None:
    files, _ = shop
    doc = parse_dir(files, "terraform/modules/platform")
    ingress = {n: (b["from_port"], b["to_port"], b["referenced_security_group_id"])
               for block in doc.get("resource", [])
               for n, b in block.get("aws_vpc_security_group_ingress_rule", {}).items()
               if n.startswith(("db_", "cache_"))}
    assert ingress == {
        "db_ingress_api_5432": (5432, 5432, "${aws_security_group.api.id}"),
        "db_ingress_worker_5432": (5432, 5432, "${aws_security_group.worker.id}"),
        "cache_ingress_api_6379": (6379, 6379, "${aws_security_group.api.id}"),
        "cache_ingress_web_6379": (6379, 6379, "${aws_security_group.web.id}")}


def test_aurora_is_encrypted_and_sized_per_environment(shop: tuple[dict[str, str], list]) -> None:
    files, _ = shop
    db = modules(parse_dir(files, "terraform/modules/platform"))["aurora_db"]
    assert (db["source"], db["version"]) == ("terraform-aws-modules/rds-aurora/aws", "10.2.0")
    assert (db["engine"], db["port"], db["engine_version"]) == ("aurora-postgresql", 5432, "16.4")
    assert db["storage_encrypted"] is True and db["manage_master_user_password"] is True
    assert db["kms_key_id"] == "${aws_kms_key.data.arn}"
    assert db["cluster_performance_insights_enabled"] is True
    assert db["enabled_cloudwatch_logs_exports"] == ["postgresql"]
    assert db["vpc_security_group_ids"] == ["${aws_security_group.db.id}"]
    dev, prod = (tfvars(files, e)["components"]["db"] for e in ("dev", "prod"))
    assert (dev["instances"], dev["instance_class"], dev["final_snapshot"]) == (
        1, "db.t4g.medium", False)
    assert (prod["instances"], prod["instance_class"], prod["final_snapshot"]) == (
        3, "db.r6g.xlarge", True)


def test_callers_of_aurora_read_only_its_managed_secret(
        shop: tuple[dict[str, str], list]) -> None:
    files, _ = shop
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    statements = doc["api_db_credentials"]["statement"]
    assert [(sorted(s["actions"]), s["resources"]) for s in statements] == [
        (["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
         ["${module.aurora_db.cluster_master_user_secret[0].secret_arn}"]),
        (["kms:Decrypt"], ["${aws_kms_key.data.arn}"])]
    assert "web_db_credentials" not in doc  # Web draws no flow to the database


def test_an_aurora_mysql_label_listens_on_3306(tmp_path: Path) -> None:
    diagram = _with_data("DB[(Aurora MySQL 8.0)]", "API -->|SQL| DB")
    files, _ = emit(load(_spec(tmp_path, diagram)))
    db = modules(parse_dir(files, "terraform/modules/platform"))["aurora_db"]
    assert (db["engine"], db["port"]) == ("aurora-mysql", 3306)
    assert "db_ingress_api_3306" in files["terraform/modules/platform/security_groups.tf"]


def test_the_cache_is_a_replication_group_with_tls(shop: tuple[dict[str, str], list]) -> None:
    files, _ = shop
    cache = modules(parse_dir(files, "terraform/modules/platform"))["elasticache_cache"]
    assert (cache["engine"], cache["port"]) == ("redis", 6379)
    assert cache["create_replication_group"] is True and cache["create_cluster"] is False
    assert cache["transit_encryption_enabled"] is True
    assert cache["transit_encryption_mode"] == "required"
    assert cache["at_rest_encryption_enabled"] is True
    assert "auth_token" not in cache  # no token in state: the security group admits callers
    assert tfvars(files, "prod")["components"]["cache"]["nodes"] == 3
    assert tfvars(files, "dev")["components"]["cache"] == {
        "failover": False, "node_type": "cache.t4g.small", "nodes": 1,
        "snapshot_retention_days": 1}


def test_memcached_is_a_cluster_on_11211(tmp_path: Path) -> None:
    diagram = _with_data("Cache[(Memcached)]", "API --> Cache")
    files, _ = emit(load(_spec(tmp_path, diagram)))
    cache = modules(parse_dir(files, "terraform/modules/platform"))["elasticache_cache"]
    assert (cache["engine"], cache["port"], cache["create_cluster"]) == ("memcached", 11211, True)
    assert "cache_ingress_api_11211" in files["terraform/modules/platform/security_groups.tf"]


def test_the_secret_has_no_value_in_code_and_its_reader_only_reads(
        shop: tuple[dict[str, str], list]) -> None:
    files, _ = shop
    secret = modules(parse_dir(files, "terraform/modules/platform"))["secret_secret"]
    assert secret["create_random_password"] is True and secret["ignore_secret_changes"] is True
    assert "secret_string" not in secret and "secret_string_wo" not in secret
    assert secret["kms_key_id"] == "${aws_kms_key.data.arn}"
    assert secret["recovery_window_in_days"] == 14
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    assert [(sorted(s["actions"]), s["resources"]) for s in doc["api_secret_read"]["statement"]
            ] == [(["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                   ["${module.secret_secret.secret_arn}"]),
                  (["kms:Decrypt"], ["${aws_kms_key.data.arn}"])]
    assert not any(n.endswith("_secret_read") and not n.startswith("api_") for n in doc)


def test_the_worker_polls_the_queue_and_runs_on_the_drawn_cluster(
        shop: tuple[dict[str, str], list]) -> None:
    files, diags = shop
    assert not [d for d in diags if d.code == "ARC541"]
    mods = modules(parse_dir(files, "terraform/modules/platform"))
    assert {mods[f"ecs_service_{s}"]["cluster_arn"] for s in ("web", "api", "worker")} == {
        "${module.ecs_cluster_cluster.arn}"}
    assert "load_balancer" not in mods["ecs_service_worker"]
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    assert "sqs:ReceiveMessage" in doc["worker_queue_consume"]["statement"][0]["actions"]


def test_a_service_reading_an_rds_database_gets_its_credentials_policy(tmp_path: Path) -> None:
    diagram = _with_data("Reports[(Reports DB)]", "API -->|SQL| Reports")
    files, _ = emit(load(_spec(tmp_path, diagram)))
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    # named by the service's id, attached to its task role (an expression, not an id)
    assert "api_reports_credentials" in doc
    platform = parse_dir(files, "terraform/modules/platform")
    attach = {n: b for block in platform.get("resource", [])
              for n, b in block.get("aws_iam_role_policy_attachment", {}).items()}
    assert attach["api_reports_credentials"]["role"] == (
        "${module.ecs_service_api.tasks_iam_role_name}")


def test_aurora_asked_for_mariadb_builds_mysql_and_says_so(tmp_path: Path) -> None:
    diagram = _with_data("DB[(Aurora)]", "API -->|SQL| DB")
    overlay = OVERLAY.replace("environments:", "  DB: {engine: mariadb}\nenvironments:")
    files, diags = emit(load(_spec(tmp_path, diagram, overlay)))
    assert [d.code for d in diags if d.code == "ARC544"] == ["ARC544"]
    db = modules(parse_dir(files, "terraform/modules/platform"))["aurora_db"]
    assert (db["engine"], db["port"]) == ("aurora-mysql", 3306)


def test_a_service_linked_to_none_of_several_clusters_is_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Registry[ECR Repository]\n",
                              "    Registry[ECR Repository]\n    Blue[ECS Cluster blue]\n"
                              "    Green[ECS Cluster green]\n    Blue --> API\n")
    files, diags = emit(load(_spec(tmp_path, diagram)))
    assert [d.message.split(":")[0] for d in diags if d.code == "ARC542"] == [
        "ECS service Web is linked to none of the spec's ECS clusters"]
    mods = modules(parse_dir(files, "terraform/modules/platform"))
    assert mods["ecs_service_api"]["cluster_arn"] == "${module.ecs_cluster_blue.arn}"
    assert mods["ecs_service_web"]["cluster_arn"] == "${module.ecs_cluster_blue.arn}"


def test_an_aurora_named_in_the_overlay_takes_the_rds_keys_it_reads(tmp_path: Path) -> None:
    diagram = _with_data("DB[(Orders store)]", "API -->|SQL| DB")
    overlay = OVERLAY.replace("environments:", "  DB: {kind: aurora, engine: mysql, "
                              "engine_version: \"8.0.mysql_aurora.3.08.0\", "
                              "instance_class: db.r6g.large}\nenvironments:")
    loaded = load_spec(_spec(tmp_path, diagram, overlay))
    assert [d.message for d in loaded.diagnostics if d.severity is Severity.ERROR] == []
    # the RDS keys it does not read stay RDS's
    overlay = overlay.replace("instance_class: db.r6g.large", "storage_gb: 100")
    loaded = load_spec(_spec(tmp_path / "again", diagram, overlay))
    assert [d.code for d in loaded.diagnostics if d.severity is Severity.ERROR] == ["ARC161"]
