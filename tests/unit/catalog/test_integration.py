"""The integration family (archc/catalog/integration.py): an EventBridge bus routes each
arrow's events to its target, a schedule starts its target on time, a Step Functions state
machine runs one Task per arrow, and every role gets exactly the calls its arrows draw."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from archc.aws.derivation import Derivation
from archc.catalog.integration import KINDS as INTEGRATION
from archc.catalog.integration import definition, schedule_of
from archc.catalog.messaging import KINDS as MESSAGING
from archc.catalog.spec import KindView, Peer
from archc.emit import terraform
from archc.emit.terraform.catalog import view
from archc.kinds import infer_kind
from tests.unit.catalog.test_messaging import TOPIC_DIAGRAM
from tests.unit.emit.test_terraform_emit import (
    data_blocks,
    emit,
    load,
    modules,
    parse,
    parse_dir,
    tfvars,
)

# the API and its worker in a VPC, as in the messaging tests
VPC = TOPIC_DIAGRAM.split("    Events[")[0]
DIAGRAM = VPC + """    Nightly[Nightly Scheduler]
    Flow[Order Fulfilment Step Functions]
    Bus[Orders EventBridge Bus]
    Alerts[Alerts SNS Topic]
    Jobs[Orders Queue SQS]
    Nightly -->|start| Flow
    API -->|put events| Bus
    Bus -->|OrderPlaced| Flow
    Bus -->|OrderCancelled| Jobs
    Flow -->|send| Jobs
    Flow -->|notify| Alerts
    Alerts --> Jobs
    Jobs --> Worker
    API --> NAT
    Worker --> NAT
"""
OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Worker: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Nightly: {schedule: "cron(0 3 * * ? *)", timezone: Europe/Paris}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod: {vpc_cidr: 10.30.0.0/16}
"""
SEED_CONTEXT = Path(__file__).parents[2] / "fixtures" / "terraform" / "seed_context.json"
KIND = {spec.name: spec for spec in (*INTEGRATION, *MESSAGING)}


def _spec(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


def _resource(doc: dict, rtype: str, name: str) -> dict:
    return next(b[rtype][name] for b in doc["resource"] if name in b.get(rtype, {}))


def _actions(files: dict[str, str], policy: str) -> list[str]:
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    return sorted(a for st in doc[policy]["statement"] for a in st["actions"])


@pytest.mark.parametrize(("label", "kind"), [
    ("Order Fulfilment Step Functions", "state_machine"), ("State Machine", "state_machine"),
    ("Approval workflow", "state_machine"),
    ("Orders EventBridge Bus", "event_bus"), ("Event bus", "event_bus"),
    ("CloudWatch Events", "event_bus"),
    ("Nightly Scheduler", "schedule"), ("Cron", "schedule"), ("Scheduled job", "schedule"),
    ("Every 5 minutes", "schedule"),
    # a CI workflow stays the CI server (the seed's Jenkins), the seed's words stay the seed's
    ("Jenkins CI workflow", "ci_server"), ("Jenkins", "ci_server"),
    ("EC2 cron box", "instance"), ("Scheduler Service", "backend_service"),
    ("Order Service", "backend_service"), ("NAT Gateway", "nat_gateway"),
])
def test_integration_kinds_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize(("title", "props", "expected"), [
    ("Nightly", {"schedule": "cron(0 3 * * ? *)"}, ("cron(0 3 * * ? *)", "overlay")),
    ("Cleanup every 5 minutes", {}, ("rate(5 minutes)", "label")),
    ("Report every 1 day", {}, ("rate(1 day)", "label")),
    ("Hourly sync", {}, ("rate(1 hour)", "label")),
    ("Digest cron(0 8 ? * MON *)", {}, ("cron(0 8 ? * MON *)", "label")),
    ("Sync Rate(10 Minutes)", {}, ("rate(10 minutes)", "label")),
    ("Scheduler", {}, ("rate(1 hour)", "default")),
])
def test_a_schedule_reads_its_time_from_the_overlay_or_the_label(
        title: str, props: dict, expected: tuple[str, str]) -> None:
    assert schedule_of(title, props) == expected


def _valid_asl(asl: dict) -> list[str]:
    """The states of an Amazon States Language definition, in run order, checked: StartAt
    names a state, every Next names one, exactly the last ends, every state is reached."""
    states = asl["States"]
    order, name = [], asl["StartAt"]
    while True:
        assert name in states and name not in order
        order.append(name)
        state = states[name]
        assert state["Type"] in ("Task", "Pass")
        assert ("Next" in state) != ("End" in state)
        if state.get("End"):
            break
        name = state["Next"]
    assert sorted(order) == sorted(states)
    return order


def test_the_state_machine_is_one_task_per_arrow(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path)))
    assert not [d for d in diags if d.severity.name == "ERROR"]
    doc = parse_dir(files, "terraform/modules/platform")
    machine = _resource(doc, "aws_sfn_state_machine", "flow")
    asl = machine["definition"]
    text = str(asl)
    assert text.startswith("${jsonencode(") and "module.sqs_jobs.queue_url" in text
    assert machine["tracing_configuration"] == [{"enabled": True}]
    assert machine["logging_configuration"][0]["include_execution_data"] is True
    group = _resource(doc, "aws_cloudwatch_log_group", "sfn_flow")
    assert group["kms_key_id"] == "${aws_kms_key.logs.arn}"


def test_the_state_machine_definition_is_valid_states_language(tmp_path: Path) -> None:
    arch = load(_spec(tmp_path))
    v = Derivation(arch)
    comp = next(c for c in arch.components if c.id == "Flow")
    built = KIND["state_machine"].terraform.build(view(v, comp))
    asl = built.item["definition"]
    # in the order the diagram draws the arrows (send, then notify), not by name
    assert _valid_asl(asl) == ["Send to Jobs", "Publish to Alerts"]
    send = asl["States"]["Send to Jobs"]
    assert send["Resource"] == {"$hcl": '"arn:${local.partition}:states:::sqs:sendMessage"'}
    assert send["Parameters"] == {"QueueUrl": {"$hcl": "module.sqs_jobs.queue_url"},
                                  "MessageBody.$": "$"}


def test_a_state_machine_with_no_arrow_is_one_pass_state_and_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Flow -->|send| Jobs\n", "").replace(
        "    Flow -->|notify| Alerts\n", "    API -->|notify| Alerts\n")
    files, diags = emit(load(_spec(tmp_path, diagram)))
    assert [d.code for d in diags if d.code == "ARC558"] == ["ARC558"]
    assert 'Type = "Pass"' in files["terraform/modules/platform/state_machine.tf"]


def test_each_role_gets_exactly_its_arrows_calls(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    # the producer may only put events on the bus
    assert _actions(files, "api_bus_publish") == ["events:PutEvents"]
    # the schedule may only start the state machine
    assert _actions(files, "nightly_flow_invoke") == ["states:StartExecution"]
    # the state machine may send to the queue and publish to the topic (and use its key)
    assert _actions(files, "flow_jobs_publish") == sorted(KIND["sqs_queue"].iam.actions[
        "publish"])
    assert _actions(files, "flow_alerts_publish") == sorted(
        ["sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*"])
    iam = files["terraform/modules/platform/iam.tf"]
    assert "aws_iam_role.sfn_flow.name" in iam and "aws_iam_role.scheduler_nightly.name" in iam
    # the bus -> state machine arrow is an event: no policy for the bus as a caller
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    assert not [name for name in doc if name.startswith("bus_")]


def test_the_bus_routes_each_arrow_and_archives_in_production(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    doc = parse_dir(files, "terraform/modules/platform")
    bus = modules(doc)["eventbridge_bus"]
    assert bus["source"] == "terraform-aws-modules/eventbridge/aws" and bus["version"] == "4.3.2"
    assert bus["kms_key_identifier"] == "${aws_kms_key.events_bus.arn}"
    assert {k: r["event_pattern"] for k, r in bus["rules"].items()} == {
        "flow": '{"detail-type": ["OrderPlaced"]}', "jobs": '{"detail-type": ["OrderCancelled"]}'}
    assert bus["targets"]["flow"][0]["attach_role_arn"] is True
    assert bus["sfn_target_arns"] == ["${aws_sfn_state_machine.flow.arn}"]
    assert tfvars(files, "dev")["components"]["bus"] == {"archive": False}
    assert tfvars(files, "prod")["components"]["bus"] == {"archive": True}
    # the queue lets the bus's rules and the topic send to it, nobody else
    queue = modules(doc)["sqs_jobs"]
    principals = sorted(s["principals"][0]["identifiers"][0]
                        for s in queue["queue_policy_statements"].values())
    assert principals == ["events.amazonaws.com", "sns.amazonaws.com"]


def test_the_schedule_runs_when_the_overlay_says_with_its_own_role_and_key(
        tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path)))
    assert not [d.code for d in diags if d.code in ("ARC555", "ARC556", "ARC557")]
    doc = parse_dir(files, "terraform/modules/platform")
    schedule = _resource(doc, "aws_scheduler_schedule", "nightly_flow")
    assert schedule["schedule_expression"] == "cron(0 3 * * ? *)"
    assert schedule["schedule_expression_timezone"] == "Europe/Paris"
    assert schedule["kms_key_arn"] == "${aws_kms_key.scheduler_nightly.arn}"
    assert schedule["target"][0]["arn"] == "${aws_sfn_state_machine.flow.arn}"


def test_a_schedule_without_time_or_target_is_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Nightly -->|start| Flow\n", "")
    overlay = OVERLAY.replace('  Nightly: {schedule: "cron(0 3 * * ? *)", timezone: '
                              'Europe/Paris}\n', "")
    _, diags = emit(load(_spec(tmp_path, diagram, overlay)))
    assert sorted(d.code for d in diags if d.code in ("ARC556", "ARC557")) == [
        "ARC556", "ARC557"]


def test_a_bus_arrow_to_a_kind_it_cannot_target_is_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Bus -->|OrderCancelled| Jobs\n",
                              "    Bus -->|OrderCancelled| Worker\n")
    _, diags = emit(load(_spec(tmp_path, diagram)))
    assert "ARC555" in [d.code for d in diags]


# -- Lambda targets (the serverless family's kind, named by its module's output) -----------
def _view(kind: str, outbound: tuple[Peer, ...]) -> KindView:
    return KindView(component="Source", id="source", title="Source", project="p",
                    region="eu-west-1", props={}, env_props={"dev": {}},
                    production=frozenset(), inbound=(), outbound=outbound,
                    security_group=None, subnet_tier=None, log_retention_days=30)


FUNCTION = Peer(component="Handler", id="handler", kind="lambda_function", flow_class="event",
                verb="", label="OrderPlaced", ports=())


def _rendered(kind: str, item: Mapping[str, Any]) -> dict:
    """The kind's file rendered from the seed's context with this one item."""
    context = json.loads(SEED_CONTEXT.read_text(encoding="utf-8"))
    context["platform"]["kinds"] = [{"kind": kind, "template": f"kinds/{kind}.tf",
                                     "items": [dict(item)]}]
    for env in context["environments"]:
        env["inputs"]["components"] = {}
    text = terraform.render(context)[f"modules/platform/{kind}.tf"]
    return parse(text)


def test_a_bus_rule_and_a_topic_invoke_a_function_with_its_permission() -> None:
    for kind, source_arn in (
            ("event_bus", '${module.eventbridge_source.eventbridge_rule_arns["handler"]}'),
            ("sns_topic", "${module.sns_source.topic_arn}")):
        built = KIND[kind].terraform.build(_view(kind, (FUNCTION,)))
        doc = _rendered(kind, built.item)
        permission = next(b["aws_lambda_permission"] for b in doc["resource"]
                          if "aws_lambda_permission" in b)
        (only,) = permission.values()
        assert only["function_name"] == "${module.lambda_handler.lambda_function_arn}"
        assert only["source_arn"] == source_arn
        assert only["action"] == "lambda:InvokeFunction"


def test_a_state_machine_invokes_a_function_as_a_task() -> None:
    asl, warnings = definition(_view("state_machine", (FUNCTION,)))
    assert warnings == []
    assert _valid_asl(asl) == ["Invoke Handler"]
    task = asl["States"]["Invoke Handler"]
    assert task["Resource"] == {"$hcl": '"arn:${local.partition}:states:::lambda:invoke"'}
    assert task["Parameters"] == {
        "FunctionName": {"$hcl": "module.lambda_handler.lambda_function_arn"}, "Payload.$": "$"}


def test_a_topic_lets_exactly_its_buses_rules_publish(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Flow -->|notify| Alerts\n", "    Bus -->|OrderFailed| Alerts\n")
    files, _ = emit(load(_spec(tmp_path, diagram)))
    doc = parse_dir(files, "terraform/modules/platform")
    (statement,) = modules(doc)["sns_alerts"]["topic_policy_statements"].values()
    assert statement["actions"] == ["sns:Publish"]
    assert statement["principals"] == [{"type": "Service",
                                        "identifiers": ["events.amazonaws.com"]}]
    # `condition`: the sns module has no `conditions`, which Terraform would drop silently
    assert set(statement) == {"actions", "principals", "condition"}
    assert statement["condition"][0]["values"] == (
        "${values(module.eventbridge_bus.eventbridge_rule_arns)}")
    # and its key lets EventBridge encrypt what it publishes
    key = data_blocks(doc, "aws_iam_policy_document")["kms_sns_alerts"]
    assert [s["principals"][0]["identifiers"] for s in key["statement"][1:]] == [
        ["events.amazonaws.com"]]
