"""The serverless family (archc/catalog/serverless.py): Lambda functions with the triggers their
edges draw, API Gateway HTTP APIs with a Cognito JWT authorizer, Cognito user pools and
DynamoDB tables compile to pinned modules, exactly the IAM each flow needs, and no network
rule for what runs outside the VPC."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archc.catalog.serverless import KINDS as SERVERLESS
from archc.diagnostics import Severity
from archc.graph import to_graph
from archc.kinds import infer_kind
from archc.rules import run_rules
from archc.spec import load_spec
from tests.unit.emit.test_terraform_emit import data_blocks, emit, load, modules, parse_dir, tfvars

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "serverless-api"
SPEC = {s.name: s for s in SERVERLESS}

# A function inside the VPC reads a database and is fed by a table's stream.
IN_VPC = """flowchart TB
    Users((Users))
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph App["Private Subnet"]
            Fn[Billing Lambda]
        end
        subgraph Data["Data Subnet"]
            DB[(Postgres RDS)]
        end
    end
    Table[(Invoices DynamoDB)]
    API[HTTP API]
    Users -->|HTTPS| API
    API --> Fn
    Fn -->|SQL| DB
    Table -->|stream| Fn
"""
IN_VPC_OVERLAY = """version: 1
project: billing
components:
  Fn: {image_uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing:1.0"}
environments:
  dev: {vpc_cidr: 10.20.0.0/16, nat: none}
"""


def _platform(files: dict[str, str]) -> dict[str, list]:
    return parse_dir(files, "terraform/modules/platform")


def _example(tmp_path: Path) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(EXAMPLE, spec)
    return spec


def _in_vpc(tmp_path: Path, diagram: str = IN_VPC) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(IN_VPC_OVERLAY, encoding="utf-8")
    return spec


def _actions(doc: dict[str, list], policy: str) -> list[str]:
    statement = data_blocks(doc, "aws_iam_policy_document")[policy]["statement"]
    return sorted(a for st in statement for a in st["actions"])


def _resources(doc: dict[str, list], rtype: str) -> dict[str, dict]:
    return {n: b for block in doc.get("resource", []) for n, b in block.get(rtype, {}).items()}


@pytest.mark.parametrize(("label", "kind"), [
    ("Orders Lambda", "lambda_function"), ("λ resize", "lambda_function"),
    ("Serverless function", "lambda_function"), ("Thumbnail function", "lambda_function"),
    ("API Gateway", "api_gateway"), ("APIGW", "api_gateway"), ("HTTP API", "api_gateway"),
    ("Public REST API", "api_gateway"), ("Cognito", "cognito_user_pool"),
    ("Customer user pool", "cognito_user_pool"), ("Orders DynamoDB", "dynamodb_table"),
    ("Dynamo sessions", "dynamodb_table"), ("NoSQL table", "dynamodb_table"),
    # the seed's words stay the seed's
    ("Orders API", "backend_service"), ("Functional test server", "instance"),
    ("Users", "users"), ("Order Service", "backend_service"), ("Postgres DB", "database"),
])
def test_labels_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


def test_the_example_checks_clean_and_builds_pinned_modules(tmp_path: Path) -> None:
    files, diags = emit(load(_example(tmp_path)))
    assert [d.message for d in diags if d.severity in (Severity.ERROR, Severity.WARNING)] == []
    mods = modules(_platform(files))
    assert (mods["lambda_orders_fn"]["source"], mods["lambda_orders_fn"]["version"]) == (
        "terraform-aws-modules/lambda/aws", "8.8.1")
    assert mods["apigw_gateway"]["version"] == "6.1.0"
    assert mods["dynamodb_table"]["version"] == "5.5.0"
    fn = mods["lambda_orders_fn"]
    assert fn["create_package"] is False and fn["tracing_mode"] == "Active"
    assert "aws_kms_key.lambda.arn" in fn["kms_key_arn"]
    assert "aws_kms_key.lambda.arn" in fn["cloudwatch_logs_kms_key_id"]
    # outside the VPC: no subnets, no security group
    assert "vpc_subnet_ids" not in fn
    assert not any("orders_fn" in n for n in _resources(_platform(files), "aws_security_group"))


def test_per_environment_values_reach_the_functions_api_pool_and_table(tmp_path: Path) -> None:
    files, _ = emit(load(_example(tmp_path)))
    dev, prod = tfvars(files, "dev")["components"], tfvars(files, "prod")["components"]
    assert (dev["orders_fn"]["memory_size"], prod["orders_fn"]["memory_size"]) == (256, 512)
    assert prod["orders_fn"]["reserved_concurrent_executions"] == 50
    assert dev["orders_fn"]["reserved_concurrent_executions"] == -1
    assert dev["orders_fn"]["s3_key"] == "orders/orders-api.zip"
    assert prod["gateway"]["throttling_rate_limit"] == 500
    assert dev["gateway"]["throttling_rate_limit"] == 100
    assert (dev["pool"]["deletion_protection"], prod["pool"]["deletion_protection"]) == (
        "INACTIVE", "ACTIVE")
    assert prod["pool"]["mfa_configuration"] == "OPTIONAL"  # the overlay's choice wins
    assert (dev["table"]["deletion_protection_enabled"],
            prod["table"]["deletion_protection_enabled"]) == (False, True)


def test_iam_grants_exactly_the_verbs_actions(tmp_path: Path) -> None:
    files, _ = emit(load(_example(tmp_path)))
    doc = _platform(files)
    table = SPEC["dynamodb_table"].iam
    assert table is not None
    write, read = _actions(doc, "orders_fn_table_write"), _actions(doc, "report_fn_table_read")
    assert write == sorted([*table.actions["write"], "kms:Decrypt", "kms:DescribeKey",
                            "kms:Encrypt", "kms:GenerateDataKey*"])
    assert read == sorted([*table.actions["read"], "kms:Decrypt", "kms:DescribeKey"])
    assert "dynamodb:PutItem" not in read and "dynamodb:GetItem" not in write
    statement = data_blocks(doc, "aws_iam_policy_document")["report_fn_table_read"]["statement"]
    assert statement[0]["resources"] == ["${module.dynamodb_table.dynamodb_table_arn}",
                                         "${module.dynamodb_table.dynamodb_table_arn}/index/*"]
    # the queue's consumer is the worker function, through its execution role
    attach = _resources(doc, "aws_iam_role_policy_attachment")
    assert attach["worker_jobs_consume"]["role"] == "${module.lambda_worker.lambda_role_name}"
    assert "sqs:ReceiveMessage" in _actions(doc, "worker_jobs_consume")
    assert "sqs:ReceiveMessage" not in _actions(doc, "orders_fn_jobs_publish")
    # the upload function writes the bucket: a policy named after it, on its role
    assert attach["thumbs_uploads_write"]["role"] == "${module.lambda_thumbs.lambda_role_name}"


def test_the_gateway_routes_to_its_functions_behind_the_cognito_authorizer(
        tmp_path: Path) -> None:
    files, _ = emit(load(_example(tmp_path)))
    api = modules(_platform(files))["apigw_gateway"]
    assert sorted(api["routes"]) == ["GET /reports", "POST /orders"]
    route = api["routes"]["POST /orders"]
    assert route["authorization_type"] == "JWT" and route["authorizer_key"] == "cognito"
    assert route["integration"]["uri"] == "${module.lambda_orders_fn.lambda_function_arn}"
    jwt = api["authorizers"]["cognito"]["jwt_configuration"]
    assert jwt["audience"] == ["${aws_cognito_user_pool_client.pool.id}"]
    assert api["create_domain_name"] is False
    assert "aws_kms_key.apigw.arn" in api["stage_access_log_settings"]["log_group_kms_key_id"]
    assert "var.components" in str(api["stage_default_route_settings"])
    # the gateway may invoke the function it routes to
    fn = modules(_platform(files))["lambda_orders_fn"]
    assert fn["allowed_triggers"]["apigw_gateway"]["service"] == "apigateway"


def test_a_queue_and_an_upload_trigger_their_functions(tmp_path: Path) -> None:
    files, _ = emit(load(_example(tmp_path)))
    doc = _platform(files)
    worker = modules(doc)["lambda_worker"]
    assert worker["event_source_mapping"]["sqs_jobs"]["event_source_arn"] == (
        "${module.sqs_jobs.queue_arn}")
    notification = _resources(doc, "aws_s3_bucket_notification")["uploads"]
    assert notification["lambda_function"][0]["lambda_function_arn"] == (
        "${module.lambda_thumbs.lambda_function_arn}")
    thumbs = modules(doc)["lambda_thumbs"]
    assert thumbs["allowed_triggers"]["s3_uploads"]["service"] == "s3"
    # an upload is an asynchronous invocation: its failures go to a dead-letter queue
    assert thumbs["destination_on_failure"] == "${aws_sqs_queue.lambda_thumbs_dlq.arn}"
    assert "destination_on_failure" not in worker
    # no network rule for functions outside the VPC
    assert _resources(doc, "aws_vpc_security_group_egress_rule") == {}


def test_a_function_drawn_in_a_subnet_gets_a_security_group_and_a_stream(
        tmp_path: Path) -> None:
    spec = _in_vpc(tmp_path)
    # the id `API` repeats a word of "HTTP API": no doubt between the gateway and a backend
    assert [d.code for d in load_spec(spec).diagnostics if d.severity is not Severity.NOTE] == []
    files, diags = emit(load(spec))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    doc = _platform(files)
    fn = modules(doc)["lambda_fn"]
    assert fn["vpc_security_group_ids"] == ["${aws_security_group.fn.id}"]
    assert fn["attach_network_policy"] is True
    assert fn["image_uri"].endswith("billing:1.0") and fn["package_type"] == "Image"
    egress = _resources(doc, "aws_vpc_security_group_egress_rule")
    assert [(r["from_port"], r["to_port"]) for n, r in egress.items()
            if n.startswith("fn_egress")] == [(5432, 5432)]
    # the table's arrow to the function is its stream: a mapping, the stream on, and the
    # stream's read actions on the function's own role
    assert modules(doc)["dynamodb_table"]["stream_enabled"] is True
    assert "dynamodb_table" in fn["event_source_mapping"]
    stream = fn["policy_statements"]["dynamodb_table_stream"]
    assert "dynamodb:GetRecords" in stream["actions"]
    # its role reads the database's credentials: a policy named after the function
    attach = _resources(doc, "aws_iam_role_policy_attachment")
    assert attach["fn_db_credentials"]["role"] == "${module.lambda_fn.lambda_role_name}"


def test_a_function_in_a_public_subnet_is_misplaced(tmp_path: Path) -> None:
    spec = _in_vpc(tmp_path, IN_VPC.replace('App["Private Subnet"]', 'App["Public Subnet"]'))
    arch = load(spec)
    errors = [d.message for d in run_rules(arch, to_graph(arch), None)
              if d.severity is Severity.ERROR]
    assert any(m.startswith("Fn ") and "must be in a private subnet" in m for m in errors)


def test_a_serverless_architecture_gets_no_vpc(tmp_path: Path) -> None:
    files, _ = emit(load(_example(tmp_path)))
    platform = _platform(files)
    assert "vpc" not in modules(platform)
    variables = {n for block in platform["variable"] for n in block}
    assert not variables & {"vpc_cidr", "availability_zones", "subnet_cidrs"}
    assert "vpc_cidr" not in tfvars(files, "dev")
    assert not data_blocks(platform, "aws_availability_zones")
    # a function drawn in a subnet keeps its VPC
    vpc_files, _ = emit(load(_in_vpc(tmp_path / "vpc")))
    assert "vpc" in modules(_platform(vpc_files))
    assert tfvars(vpc_files, "dev")["vpc_cidr"] == "10.20.0.0/16"


def test_a_function_without_a_package_and_an_api_without_routes_are_said(
        tmp_path: Path) -> None:
    spec = _example(tmp_path)
    overlay = (spec / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace(
        "  orders_fn: {s3_bucket: orders-artifacts, s3_key: orders/orders-api.zip}\n", ""),
        encoding="utf-8")
    diagram = (spec / "architecture.mmd").read_text(encoding="utf-8")
    (spec / "architecture.mmd").write_text(diagram.replace(
        "    gateway -->|POST /orders| orders_fn\n", "").replace(
        "    gateway -->|GET /reports| report_fn\n", "    report_fn --> gateway\n"),
        encoding="utf-8")
    files, diags = emit(load(spec))
    assert sorted(d.code for d in diags if d.code in ("ARC550", "ARC551")) == [
        "ARC550", "ARC551"]
    assert tfvars(files, "dev")["components"]["orders_fn"]["s3_bucket"] is None


# -- triggers whose subscription, rule or schedule the source's kind writes ----------------
def _permissions(doc: dict[str, list], function: str) -> list[dict]:
    """Every Lambda permission on the function, wherever written: a resource, or an entry of
    its module's allowed_triggers."""
    arn = f"${{module.lambda_{function}.lambda_function_arn}}"
    found = [p for p in _resources(doc, "aws_lambda_permission").values()
             if p["function_name"] == arn]
    allowed = modules(doc)[f"lambda_{function}"].get("allowed_triggers", {})
    return found + [{"principal": f"{t['service']}.amazonaws.com", **t}
                    for t in allowed.values()]


@pytest.mark.parametrize(("src", "dst"), [("placed", "notifier"), ("events", "notifier"),
                                          ("nightly", "nightly_fn")])
def test_a_topic_a_bus_and_a_schedule_drawn_to_a_function_are_its_event_triggers(
        tmp_path: Path, src: str, dst: str) -> None:
    assert {"sns_topic", "event_bus", "schedule"} <= SPEC["lambda_function"].triggered_by
    (flow,) = [f for f in load(_example(tmp_path)).flows if (f.src, f.dst) == (src, dst)]
    assert (flow.flow_class, flow.initiator, flow.ports) == ("event", src, ())


def test_a_topic_subscribes_the_function_with_one_permission(tmp_path: Path) -> None:
    doc = _platform(emit(load(_example(tmp_path)))[0])
    topic = modules(doc)["sns_placed"]
    assert topic["subscriptions"] == {"notifier": {
        "protocol": "lambda", "endpoint": "${module.lambda_notifier.lambda_function_arn}"}}
    sns = [p for p in _permissions(doc, "notifier") if p["principal"] == "sns.amazonaws.com"]
    assert [(p["action"], p["source_arn"]) for p in sns] == [
        ("lambda:InvokeFunction", "${module.sns_placed.topic_arn}")]


def test_a_bus_rule_targets_the_function_with_one_permission(tmp_path: Path) -> None:
    doc = _platform(emit(load(_example(tmp_path)))[0])
    bus = modules(doc)["eventbridge_events"]
    assert bus["rules"]["notifier"]["event_pattern"] == '{"detail-type": ["OrderShipped"]}'
    (target,) = bus["targets"]["notifier"]
    assert target["arn"] == "${module.lambda_notifier.lambda_function_arn}"
    events = [p for p in _permissions(doc, "notifier")
              if p["principal"] == "events.amazonaws.com"]
    assert [(p["action"], p["source_arn"]) for p in events] == [
        ("lambda:InvokeFunction",
         '${module.eventbridge_events.eventbridge_rule_arns["notifier"]}')]
    # the topic's and the bus's permissions: one each, with statement ids of their own
    assert len({p["statement_id"] for p in _permissions(doc, "notifier")}) == 2


def test_a_schedule_invokes_the_function_with_its_role(tmp_path: Path) -> None:
    doc = _platform(emit(load(_example(tmp_path)))[0])
    schedule = _resources(doc, "aws_scheduler_schedule")["nightly_nightly_fn"]
    assert schedule["schedule_expression"] == "cron(0 2 * * ? *)"
    (target,) = schedule["target"]
    assert target["arn"] == "${module.lambda_nightly_fn.lambda_function_arn}"
    assert target["role_arn"] == "${aws_iam_role.scheduler_nightly.arn}"
    # EventBridge Scheduler calls with its execution role: a grant on that role, exactly on
    # this function, and no resource policy on the function
    assert _permissions(doc, "nightly_fn") == []
    attach = _resources(doc, "aws_iam_role_policy_attachment")["nightly_nightly_fn_invoke"]
    assert attach["role"] == "${aws_iam_role.scheduler_nightly.name}"
    (statement,) = data_blocks(doc, "aws_iam_policy_document")[
        "nightly_nightly_fn_invoke"]["statement"]
    assert (statement["actions"], statement["resources"]) == (
        ["lambda:InvokeFunction"], ["${module.lambda_nightly_fn.lambda_function_arn}"])


@pytest.mark.parametrize("function", ["notifier", "nightly_fn", "thumbs"])
def test_async_triggers_get_retries_and_a_dead_letter_queue(tmp_path: Path,
                                                            function: str) -> None:
    fn = modules(_platform(emit(load(_example(tmp_path)))[0]))[f"lambda_{function}"]
    assert fn["create_async_event_config"] is True
    assert fn["maximum_retry_attempts"] == 2
    assert fn["destination_on_failure"] == f"${{aws_sqs_queue.lambda_{function}_dlq.arn}}"
    assert fn["attach_async_event_policy"] is True
