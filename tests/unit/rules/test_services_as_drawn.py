"""How people draw services (issue 11): captions, account-level services, AWS APIs by name,
cluster nodes drawn one by one, replicated pairs, applications called "App"."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.catalog.operations import _api_grant
from archc.kinds import described_node, infer_kind
from archc.spec import load_spec
from archc.spec.flows import classify, replicates


@pytest.mark.parametrize(("label", "service", "action"), [
    ("Athena queries", "athena", "athena:StartQueryExecution"),
    ("AWS Glue ETL", "glue", "glue:StartJobRun"),
    ("SES email", "ses", "ses:SendEmail"),
    ("Amazon Simple Email Service", "ses", "ses:SendRawEmail"),
])
def test_an_aws_api_by_name_is_granted_its_services_actions_only(
        label: str, service: str, action: str) -> None:
    assert infer_kind("x", label) is not None and infer_kind("x", label)[0] == "aws_api"
    grant = _api_grant({}, label.lower())
    assert grant is not None and action in grant.actions["invoke"]
    assert {a.split(":")[0] for a in grant.actions["invoke"]} == {service}
    assert all(f":{service}:" in r for r in grant.resources)  # never "*"


@pytest.mark.parametrize("label", ["CloudTrail (audit)", "AWS CloudFormation", "GuardDuty",
                                   "AWS Security Hub", "AWS Config"])
def test_account_level_services_are_described_not_built(label: str) -> None:
    found = described_node("x", label)
    assert found is not None and found[0] == "an account-level AWS service"


@pytest.mark.parametrize(("label", "kind"), [
    ("OSRM App", "backend_service"), ("Tickets Application", "backend_service"),
    ("Application Load Balancer", "load_balancer"), ("Mobile App", "users"),
    ("iOS app", "users"), ("Android App", "users")])
def test_an_app_is_an_application_unless_people_hold_it(label: str, kind: str) -> None:
    found = infer_kind("x", label)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize(("kind", "replicated"), [
    ("database", True), ("aurora", True), ("elasticache", True), ("object_storage", True),
    ("instance", False), ("sqs_queue", False), ("backend_service", False)])
def test_an_arrow_between_two_data_stores_of_a_kind_is_replication(
        kind: str, replicated: bool) -> None:
    assert replicates(kind) is replicated
    assert (str(classify(kind, kind)[0]) == "replication") is replicated


def test_a_function_is_invoked_through_its_api_not_its_security_group() -> None:
    # a Lambda in a VPC has a security group for its own calls; nothing connects to it
    assert str(classify("state_machine", "lambda_function")[0]) == "iam"
    assert str(classify("backend_service", "efs_file_system")[0]) == "network"


@pytest.mark.parametrize("label", ["S3 Gateway Endpoint", "SSM Interface Endpoints"])
def test_gateway_and_interface_endpoints_are_derived(label: str) -> None:
    found = described_node("x", label)
    assert found is not None and found[0] == "a VPC endpoint"


def test_two_aws_apis_drawn_both_ways_need_no_initiator(tmp_path: Path) -> None:
    (tmp_path / "architecture.mmd").write_text(
        'flowchart LR\n    fn["Report Lambda"] --> glue["AWS Glue catalog"]\n'
        '    glue <--> athena["Athena"]\n', encoding="utf-8")
    loaded = load_spec(tmp_path)
    assert not [d for d in loaded.diagnostics if d.severity.name == "ERROR"]
    assert loaded.arch is not None
    flow = next(f for f in loaded.arch.flows if {f.initiator, f.target} == {"glue", "athena"})
    assert flow.initiator == "glue" and not flow.ports


AURORA_DIAGRAM = """flowchart LR
    Users --> ALB
    subgraph vpc ["VPC"]
        subgraph pub ["Public Subnet"]
            ALB["Application Load Balancer"]
            NAT["NAT Gateway"]
        end
        subgraph app ["Private App Subnet"]
            API["Orders API"]
        end
        subgraph data ["Private Data Subnet"]
            DB[("Orders DB")]
        end
    end
    ALB --> API
    API --> DB
    API --> NAT
"""


@pytest.mark.parametrize(("engine", "built", "port"), [("aurora-postgresql", "postgres", 5432),
                                                       ("aurora-mysql", "mysql", 3306)])
def test_an_aurora_engine_as_rds_names_it_is_an_aurora_cluster(
        tmp_path: Path, engine: str, built: str, port: int) -> None:
    (tmp_path / "architecture.mmd").write_text(AURORA_DIAGRAM, encoding="utf-8")
    (tmp_path / "archc.yaml").write_text(
        f"version: 1\nproject: aur\ncomponents:\n  DB: {{engine: {engine}}}\n", encoding="utf-8")
    loaded = load_spec(tmp_path)
    assert not [d.message for d in loaded.diagnostics if d.severity.name == "ERROR"]
    assert loaded.arch is not None
    db = loaded.arch.component("DB")
    assert db is not None and db.kind == "aurora" and db.props["engine"] == built
    assert [d.value for d in db.decisions if d.attribute == "kind"] == ["aurora"]
    flow = next(f for f in loaded.arch.flows if f.target == "DB")
    assert flow.ports == ((port, port),)


def test_an_aurora_engine_on_an_rds_database_is_a_positioned_error(tmp_path: Path) -> None:
    (tmp_path / "architecture.mmd").write_text(AURORA_DIAGRAM, encoding="utf-8")
    (tmp_path / "archc.yaml").write_text(
        "version: 1\nproject: aur\ncomponents:\n  DB: {kind: database, engine: aurora-mysql}\n",
        encoding="utf-8")
    errors = [d for d in load_spec(tmp_path).diagnostics if d.severity.name == "ERROR"]
    assert [(d.code, d.span.line if d.span else None) for d in errors] == [("ARC163", 4)]
    assert "kind: aurora" in (errors[0].hint or "")


def test_a_line_that_does_not_parse_asks_for_no_vpc_of_its_own(tmp_path: Path) -> None:
    """A serverless spec (no VPC) whose function line Mermaid rejects: the one error is that
    line's, not a VPC the placeholder kind of the unreadable node would need."""
    example = Path(__file__).resolve().parents[3] / "examples" / "serverless-api"
    diagram = (example / "architecture.mmd").read_text(encoding="utf-8")
    broken = diagram.replace('orders_fn["Orders Lambda"]', 'orders_fn["Orders "x" Lambda"]')
    assert broken != diagram
    (tmp_path / "architecture.mmd").write_text(broken, encoding="utf-8")
    (tmp_path / "archc.yaml").write_text((example / "archc.yaml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    errors = [d.code for d in load_spec(tmp_path).diagnostics if d.severity.name == "ERROR"]
    assert errors == ["ARC118"]
