"""The data family (archc/catalog/data.py): an RDS proxy between a service and its database,
an OpenSearch domain and an EFS file system, drawn with their usual neighbours, compile to their
modules with exactly the security-group rules and IAM actions their flows need."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.catalog.data import KINDS as DATA
from archc.catalog.spec import KindView, Peer
from archc.diagnostics import Severity
from archc.kinds import infer_kind
from archc.spec import load_spec
from tests.conftest import assert_terraform_fmt_clean, missing_tool
from tests.test_security_scan import (
    ALLOWED_SKIPS,
    CHECKOV,
    declared_skips,
    run_checkov,
)
from tests.unit.emit.test_terraform_emit import (
    data_blocks,
    emit,
    load,
    modules,
    parse_dir,
    tfvars,
    write,
)

DIAGRAM = """flowchart TB
    Users((Users))
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            ALB[Application Load Balancer]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            API[Orders API]
            Worker[Report Worker Service]
            Files[Shared File System EFS]
            Proxy[RDS Proxy]
        end
        subgraph Data["Data Subnet"]
            DB[(Orders Database)]
            Search[OpenSearch Cluster]
        end
    end
    Users -->|HTTPS| ALB
    ALB -->|HTTP :8080| API
    API -->|{db}| Proxy
    Proxy --> DB
    API -->|{index}| Search
    Worker -->|read orders| Search
    API -->|NFS| Files
    Worker -->|read reports| Files
    API --> NAT
    Worker --> NAT
"""
OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Worker: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Files: {access_points: [uploads, reports]}
  DB: {engine: {engine}}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod: {vpc_cidr: 10.30.0.0/16, azs: 3, components: {Search: {search_instance_count: 6}}}
"""


def _spec(tmp_path: Path, db: str = "SQL", index: str = "index orders",
          engine: str = "postgres", drop: str = "", db_props: str = "") -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    diagram = DIAGRAM.replace("{db}", db).replace("{index}", index)
    if drop:
        diagram = "".join(line for line in diagram.splitlines(keepends=True)
                          if line.strip() != drop)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(OVERLAY.replace("{engine}", engine + db_props),
                                     encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], list]:
    return emit(load(_spec(tmp_path_factory.mktemp("data"))))


def _platform(files: dict[str, str]) -> dict[str, list]:
    return parse_dir(files, "terraform/modules/platform")


def _rules(files: dict[str, str]) -> set[tuple[str, str, str, int]]:
    """(direction, group, peer group, port) of every security-group rule between groups."""
    out = set()
    for block in _platform(files).get("resource", []):
        for rtype, direction in (("aws_vpc_security_group_ingress_rule", "in"),
                                 ("aws_vpc_security_group_egress_rule", "out")):
            for body in block.get(rtype, {}).values():
                peer = str(body.get("referenced_security_group_id", ""))
                if peer:
                    group = str(body["security_group_id"]).split(".")[1]
                    out.add((direction, group, peer.split(".")[1], int(body["from_port"])))
    return out


def _touching(files: dict[str, str], group: str) -> set[tuple[str, str, str, int]]:
    return {r for r in _rules(files) if group in (r[1], r[2])}


def _actions(files: dict[str, str], policy: str) -> list[str]:
    doc = data_blocks(_platform(files), "aws_iam_policy_document")
    return sorted(a for st in doc[policy]["statement"] for a in st["actions"])


def _policies(files: dict[str, str]) -> set[str]:
    return set(data_blocks(_platform(files), "aws_iam_policy_document"))


@pytest.fixture(scope="module")
def tree(built: tuple[dict[str, str], list], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(built[0], tmp_path_factory.mktemp("tree")) / "terraform"


def test_the_terraform_is_fmt_clean(tree: Path) -> None:
    assert_terraform_fmt_clean(tree)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_checkov_finds_nothing_in_the_data_kinds(tree: Path, env: str) -> None:
    if not CHECKOV.exists():
        missing_tool(f"checkov (looked for {CHECKOV})", "`make tools`, or set ARCHC_CHECKOV")
    root = tree / "envs" / env
    report = run_checkov(root)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert report["summary"]["parsing_errors"] == 0 and failed == [], failed
    skipped = [c["check_id"] for c in report["results"]["skipped_checks"]]
    assert set(skipped) <= set(ALLOWED_SKIPS["envs"])
    assert sorted(skipped) == sorted(declared_skips(root).elements())


@pytest.mark.parametrize(("label", "kind"), [
    ("RDS Proxy", "rds_proxy"), ("DB proxy", "rds_proxy"), ("Database Proxy", "rds_proxy"),
    ("Amazon OpenSearch", "opensearch"), ("Elasticsearch", "opensearch"),
    ("Search Cluster", "opensearch"), ("ELK stack", "opensearch"),
    ("EFS", "efs_file_system"), ("Amazon Elastic File System", "efs_file_system"),
    ("Shared File System", "efs_file_system"), ("NFS share", "efs_file_system"),
    # words that stay the seed's
    ("Amazon RDS", "database"), ("Orders Database", "database"), ("PostgreSQL", "database"),
    ("Search Service", "backend_service"), ("Proxy Service", "backend_service"),
    ("Elastic Load Balancer", "load_balancer"), ("File Server", "instance"),
    ("NAT Gateway", "nat_gateway"),
])
def test_data_kinds_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


def test_the_spec_checks_clean_and_builds(built: tuple[dict[str, str], list]) -> None:
    files, diags = built
    assert [d.message for d in diags if d.severity is Severity.ERROR] == []
    mods = modules(_platform(files))
    pins = {name: (mods[name]["source"], mods[name]["version"])
            for name in ("rds_proxy_proxy", "opensearch_search", "efs_files")}
    assert pins == {"rds_proxy_proxy": ("terraform-aws-modules/rds-proxy/aws", "4.4.0"),
                    "opensearch_search": ("terraform-aws-modules/opensearch/aws", "2.10.0"),
                    "efs_files": ("terraform-aws-modules/efs/aws", "2.0.0")}


def test_a_proxy_label_is_no_ambiguity(tmp_path: Path) -> None:
    # "RDS Proxy" names a database too, but a proxy is what it is: no ARC208 guess
    loaded = load_spec(_spec(tmp_path))
    assert [d.code for d in loaded.diagnostics if d.code == "ARC208"] == []


# --------------------------------------------------------------------------- RDS proxy
def test_app_to_proxy_to_db_opens_exactly_the_engine_port(built: tuple[dict[str, str], list]
                                                          ) -> None:
    files, _ = built
    assert _touching(files, "proxy") == {
        ("out", "api", "proxy", 5432), ("in", "proxy", "api", 5432),
        ("out", "proxy", "db", 5432), ("in", "db", "proxy", 5432)}
    # the service never reaches the database past its proxy
    assert not {r for r in _rules(files) if {r[1], r[2]} == {"api", "db"}}


@pytest.mark.parametrize(("engine", "port", "family"), [
    ("mysql", 3306, "MYSQL"), ("mariadb", 3306, "MYSQL"), ("postgres", 5432, "POSTGRESQL"),
    ("sqlserver-se", 1433, "SQLSERVER")])
def test_the_proxy_takes_its_databases_engine(tmp_path: Path, engine: str, port: int,
                                             family: str) -> None:
    files, diags = emit(load(_spec(tmp_path, db="queries", engine=engine)))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    assert ("in", "proxy", "api", port) in _rules(files)
    assert ("in", "db", "proxy", port) in _rules(files)
    proxy = modules(_platform(files))["rds_proxy_proxy"]
    assert proxy["engine_family"] == family


def test_the_proxy_requires_tls_and_signs_in_with_the_master_secret(
        built: tuple[dict[str, str], list]) -> None:
    files, _ = built
    proxy = modules(_platform(files))["rds_proxy_proxy"]
    assert proxy["require_tls"] is True and proxy["debug_logging"] is False
    auth = proxy["auth"]["master"]
    assert auth["auth_scheme"] == "SECRETS" and auth["iam_auth"] == "DISABLED"
    assert "module.db_db.db_instance_master_user_secret_arn" in str(auth["secret_arn"])
    assert "module.db_db.db_instance_identifier" in str(proxy["db_instance_identifier"])
    assert "aws_kms_key.logs" in str(proxy["log_group_kms_key_id"])
    # the service signs in through the proxy with the database's credentials
    assert "api_db_credentials" in _policies(files)


def test_a_proxy_without_a_database_is_said(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path, drop="Proxy --> DB", db="SQL :5432")))
    assert [d.code for d in diags if d.code == "ARC561"] == ["ARC561"]
    assert "rds_proxy_proxy" not in modules(_platform(files))


# --------------------------------------------------------------------------- OpenSearch
def test_opensearch_opens_https_from_exactly_its_clients(built: tuple[dict[str, str], list]
                                                         ) -> None:
    files, _ = built
    assert _touching(files, "search") == {
        ("out", "api", "search", 443), ("in", "search", "api", 443),
        ("out", "worker", "search", 443), ("in", "search", "worker", 443)}


@pytest.mark.parametrize(("label", "verb"), [
    ("read orders", "read"), ("write orders", "write"), ("index orders", "read_write")])
def test_opensearch_grants_exactly_the_verbs_actions(tmp_path: Path, label: str,
                                                     verb: str) -> None:
    files, _ = emit(load(_spec(tmp_path, index=label)))
    expected = sorted(DATA[1].iam.actions[verb])
    assert _actions(files, f"api_search_{verb}") == expected
    doc = data_blocks(_platform(files), "aws_iam_policy_document")[f"api_search_{verb}"]
    assert doc["statement"][0]["resources"] == ["${module.opensearch_search.domain_arn}/*"]
    assert _actions(files, "worker_search_read") == ["es:ESHttpGet", "es:ESHttpHead"]


def test_opensearch_is_private_encrypted_and_has_no_password(
        built: tuple[dict[str, str], list]) -> None:
    files, _ = built
    domain = modules(_platform(files))["opensearch_search"]
    assert domain["encrypt_at_rest"]["enabled"] is True
    assert "aws_kms_key.data" in str(domain["encrypt_at_rest"]["kms_key_id"])
    assert domain["node_to_node_encryption"] == {"enabled": True}
    assert domain["domain_endpoint_options"] == {
        "enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"}
    security = domain["advanced_security_options"]
    assert security["internal_user_database_enabled"] is False
    assert "master_user_password" not in str(security)
    assert "aws_iam_role.opensearch_search_admin" in str(security["master_user_options"])
    assert "AUDIT_LOGS" in str(domain["log_publishing_options"])
    assert "aws_kms_key.logs" in str(domain["cloudwatch_log_group_kms_key_id"])
    assert tfvars(files, "dev")["components"]["search"]["instance_count"] == 2
    assert tfvars(files, "prod")["components"]["search"]["instance_count"] == 6


def test_opensearch_alone_raises_the_aws_provider_floor(built: tuple[dict[str, str], list],
                                                        tmp_path: Path) -> None:
    files, _ = built
    assert '">= 6.49, < 7.0"' in files["terraform/envs/dev/versions.tf"]
    spec = _spec(tmp_path)
    text = (spec / "architecture.mmd").read_text(encoding="utf-8")
    for line in ("    Worker -->|read orders| Search\n", "    API -->|index orders| Search\n",
                 "            Search[OpenSearch Cluster]\n"):
        text = text.replace(line, "")
    (spec / "architecture.mmd").write_text(text, encoding="utf-8")
    overlay = (spec / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(
        overlay.replace(", components: {Search: {search_instance_count: 6}}", ""),
        encoding="utf-8")
    without, diags = emit(load(spec))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    assert '">= 6.42, < 7.0"' in without["terraform/envs/dev/versions.tf"]


# --------------------------------------------------------------------------- EFS
def test_efs_opens_nfs_from_exactly_its_clients(built: tuple[dict[str, str], list]) -> None:
    files, _ = built
    assert _touching(files, "files") == {
        ("out", "api", "files", 2049), ("in", "files", "api", 2049),
        ("out", "worker", "files", 2049), ("in", "files", "worker", 2049)}


def test_efs_grants_mount_and_write_per_verb(built: tuple[dict[str, str], list]) -> None:
    files, _ = built
    assert _actions(files, "api_files_connect") == ["elasticfilesystem:ClientMount",
                                                    "elasticfilesystem:ClientWrite"]
    assert _actions(files, "worker_files_read") == ["elasticfilesystem:ClientMount"]


def test_efs_is_encrypted_backed_up_and_tls_only(built: tuple[dict[str, str], list]) -> None:
    files, _ = built
    fs = modules(_platform(files))["efs_files"]
    assert fs["encrypted"] is True and "aws_kms_key.data" in str(fs["kms_key_arn"])
    assert fs["deny_nonsecure_transport"] is True and fs["attach_policy"] is True
    # the module's allow-everyone-through-a-mount-target statement would bypass the IAM grants
    assert fs["deny_nonsecure_transport_via_mount_target"] is False
    assert fs["create_backup_policy"] is True and fs["enable_backup_policy"] is True
    assert fs["lifecycle_policy"]["transition_to_ia"] == "AFTER_30_DAYS"
    assert sorted(fs["access_points"]) == ["reports", "uploads"]
    assert "aws_security_group.files.id" in str(fs["mount_targets"])
    assert 'local.subnet_ids["app"]' in str(fs["mount_targets"])


def test_an_unmounted_file_system_is_said(tmp_path: Path) -> None:
    spec = _spec(tmp_path, drop="API -->|NFS| Files")
    text = (spec / "architecture.mmd").read_text(encoding="utf-8")
    (spec / "architecture.mmd").write_text(text.replace("    Worker -->|read reports| Files\n",
                                                        ""), encoding="utf-8")
    _, diags = emit(load(spec))
    assert [d.code for d in diags if d.code == "ARC560"] == ["ARC560"]


# --------------------------------------------------------------------------- database engines
def _db(files: dict[str, str]) -> dict:
    return modules(_platform(files))["db_db"]


@pytest.mark.parametrize(("label", "engine", "port"), [
    ("SQL Server", "sqlserver-se", 1433), ("MSSQL Express", "sqlserver-ex", 1433),
    ("SQL Server 2022 Web", "sqlserver-web", 1433),
    ("SQL Server Enterprise", "sqlserver-ee", 1433), ("Oracle", "oracle-se2", 1521),
    ("Oracle 19c Enterprise", "oracle-ee", 1521), ("Orders DB", "postgres", 5432)])
def test_a_label_names_the_engine_and_its_port(tmp_path: Path, label: str, engine: str,
                                               port: int) -> None:
    spec = _spec(tmp_path, db="queries")
    diagram = (spec / "architecture.mmd").read_text(encoding="utf-8")
    (spec / "architecture.mmd").write_text(
        diagram.replace("DB[(Orders Database)]", f"DB[({label})]"), encoding="utf-8")
    (spec / "archc.yaml").write_text(OVERLAY.replace("  DB: {engine: {engine}}\n", ""),
                                     encoding="utf-8")
    arch = load(spec)
    db = next(c for c in arch.components if c.id == "DB")
    assert (db.kind, db.props.get("engine", "postgres")) == ("database", engine)
    assert [f.ports for f in arch.flows if f.target == "DB"] == [((port, port),)]


@pytest.mark.parametrize(("engine", "family", "major", "license_model", "storage"), [
    ("sqlserver-ex", "sqlserver-ex-16.0", "16.00", "license-included", 20),
    ("sqlserver-web", "sqlserver-web-16.0", "16.00", "license-included", 20),
    ("sqlserver-se", "sqlserver-se-16.0", "16.00", "license-included", 200),
    ("sqlserver-ee", "sqlserver-ee-16.0", "16.00", "license-included", 200),
    ("oracle-se2", "oracle-se2-19", "19", "license-included", 20),
    ("oracle-ee", "oracle-ee-19", "19", "bring-your-own-license", 20)])
def test_sql_server_and_oracle_build_with_their_family_license_and_storage(
        tmp_path: Path, engine: str, family: str, major: str, license_model: str,
        storage: int) -> None:
    files, diags = emit(load(_spec(tmp_path, engine=engine)))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    db = _db(files)
    assert (db["engine"], db["family"], db["major_engine_version"], db["license_model"]) == (
        engine, family, major, license_model)
    assert db["port"] == (1433 if engine.startswith("sqlserver") else 1521)
    assert tfvars(files, "dev")["databases"]["db"]["allocated_storage"] == storage
    # x86 classes: SQL Server and Oracle do not run on Graviton
    assert "t4g" not in tfvars(files, "dev")["databases"]["db"]["instance_class"]
    if engine.startswith("sqlserver"):
        assert db["db_name"] is None
        assert db["parameters"] == [{"apply_method": "pending-reboot", "name": "rds.force_ssl",
                                     "value": "1"}]
        assert db["enabled_cloudwatch_logs_exports"] == ["agent", "error"]
    else:
        assert len(db["db_name"]) <= 8
        assert db["options"][0]["option_name"] == "NATIVE_NETWORK_ENCRYPTION"
        assert "audit" in db["enabled_cloudwatch_logs_exports"]


def test_postgres_stays_the_default_and_has_no_license_line(
        built: tuple[dict[str, str], list]) -> None:
    files, _ = built
    db = _db(files)
    assert (db["engine"], db["family"]) == ("postgres", "postgres16")
    assert "license_model" not in db and "options" not in db


def test_sql_server_express_is_never_multi_az(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path, engine="sqlserver-ex",
                                   db_props=", multi_az: true")))
    assert tfvars(files, "prod")["databases"]["db"]["multi_az"] is False
    assert [d.code for d in diags if d.code == "ARC564"] == ["ARC564", "ARC564"]
    files, _ = emit(load(_spec(tmp_path / "se", engine="sqlserver-se")))
    assert tfvars(files, "prod")["databases"]["db"]["multi_az"] is True


def test_storage_below_the_editions_minimum_is_raised_and_said(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path, engine="sqlserver-se",
                                   db_props=", storage_gb: 100")))
    assert tfvars(files, "dev")["databases"]["db"]["allocated_storage"] == 200
    assert {d.code for d in diags if d.code == "ARC563"} == {"ARC563"}


def test_a_proxy_in_front_of_an_aurora_cluster_targets_the_cluster() -> None:
    # Aurora is the containers family's kind: the proxy names it by its kind alone
    proxy = next(k for k in DATA if k.name == "rds_proxy")
    assert proxy.terraform is not None
    aurora = Peer(component="Ledger", id="ledger", kind="aurora", flow_class="network", verb="",
                  label="", ports=((3306, 3306),))
    view = KindView(component="Proxy", id="proxy", title="RDS Proxy", project="shop",
                    region="eu-west-1", props={}, env_props={}, production=frozenset(),
                    inbound=(), outbound=(aurora,), security_group="proxy", subnet_tier="app",
                    log_retention_days=30)
    item = proxy.terraform.build(view).item
    assert item["engine_family"] == "MYSQL"
    assert item["target"] == {"component": "Ledger", "id": "ledger", "module": "aurora",
                              "cluster": True, "identifier": "cluster_id",
                              "secret": "cluster_master_user_secret[0].secret_arn"}


# --------------------------------------------------------------------------- Redshift
WAREHOUSE = """flowchart TB
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph App["Private Subnet"]
            API[Reports API]
            ETL[ETL Worker Service]
        end
        subgraph Data["Data Subnet"]
            DWH[(Redshift Data Warehouse)]
        end
    end
    API --> DWH
    ETL -->|load facts| DWH
"""
WAREHOUSE_OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  ETL: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod: {vpc_cidr: 10.30.0.0/16, components: {DWH: {node_type: ra3.xlplus, number_of_nodes: 3}}}
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], list]:
    spec = tmp_path_factory.mktemp("warehouse") / "spec"
    spec.mkdir()
    (spec / "architecture.mmd").write_text(WAREHOUSE, encoding="utf-8")
    (spec / "archc.yaml").write_text(WAREHOUSE_OVERLAY, encoding="utf-8")
    return emit(load(spec))


def _resource(files: dict[str, str], rtype: str, name: str) -> dict:
    return next(b[rtype][name] for b in _platform(files).get("resource", []) if rtype in b
                and name in b[rtype])


@pytest.mark.parametrize("label", ["Amazon Redshift", "Data Warehouse", "Redshift cluster"])
def test_redshift_is_recognised(label: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == "redshift"


def test_redshift_opens_its_port_from_exactly_its_clients(
        warehouse: tuple[dict[str, str], list]) -> None:
    files, diags = warehouse
    assert not [d for d in diags if d.severity is Severity.ERROR]
    assert _touching(files, "dwh") == {
        ("out", "api", "dwh", 5439), ("in", "dwh", "api", 5439),
        ("out", "etl", "dwh", 5439), ("in", "dwh", "etl", 5439)}


def test_redshift_is_private_encrypted_tls_only_and_logged(
        warehouse: tuple[dict[str, str], list], tmp_path: Path) -> None:
    files, _ = warehouse
    cluster = _resource(files, "aws_redshift_cluster", "dwh")
    assert cluster["publicly_accessible"] is False and cluster["encrypted"] == "true"
    assert cluster["enhanced_vpc_routing"] is True and cluster["manage_master_password"] is True
    assert "master_password" not in cluster and cluster["database_name"] == "shop"
    assert "aws_kms_key.data" in str(cluster["kms_key_id"])
    params = _resource(files, "aws_redshift_parameter_group", "dwh")["parameter"]
    assert {"name": "require_ssl", "value": "true"} in params
    logging = _resource(files, "aws_redshift_logging", "dwh")
    assert logging["log_destination_type"] == "cloudwatch"
    assert tfvars(files, "prod")["components"]["dwh"] == {
        "node_type": "ra3.xlplus", "number_of_nodes": 3, "snapshot_retention_days": 35}
    assert tfvars(files, "dev")["components"]["dwh"]["number_of_nodes"] == 1
    root = write(files, tmp_path) / "terraform"
    assert_terraform_fmt_clean(root)
    if CHECKOV.exists():
        report = run_checkov(root / "envs" / "dev")
        assert report["results"]["failed_checks"] == []
        skipped = [c["check_id"] for c in report["results"]["skipped_checks"]]
        assert set(skipped) <= set(ALLOWED_SKIPS["envs"])
