"""The operations family (archc/catalog/operations.py): KMS keys, CloudWatch and IAM-only AWS
APIs drawn with their usual neighbours compile to exactly the grants each flow means."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from archc.catalog.operations import API_SERVICES, KINDS, KMS_ACTIONS, LOG_ACTIONS
from archc.catalog.spec import KindView, Peer
from archc.diagnostics import Severity
from archc.init_overlay import init
from archc.kinds import described_node, infer_kind
from archc.spec import load_spec
from tests.unit.catalog.test_messaging import DIAGRAM as QUEUE_DIAGRAM
from tests.unit.emit.test_terraform_emit import (
    REPO,
    data_blocks,
    emit,
    load,
    modules,
    parse_dir,
    tfvars,
)

# The messaging family's shop (an API behind a load balancer sends orders to a queue a worker
# consumes), plus a key, CloudWatch and two AI APIs.
DIAGRAM = QUEUE_DIAGRAM.replace("{send}", "send order") + """    Key[Orders KMS key]
    CW[CloudWatch Logs]
    AI[Amazon Bedrock]
    OCR[Textract]
    API -->|encrypt orders| Key
    Worker -->|decrypt orders| Key
    API -.->|logs| CW
    Worker -.->|logs| CW
    Jobs -.->|metrics| CW
    ALB -.->|metrics| CW
    Worker -->|summarise| AI
    Worker -->|read scans| OCR
"""
OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Worker: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  AI: {models: ["anthropic.claude-3-5-sonnet-20240620-v1:0"]}
environments:
  dev: {vpc_cidr: 10.20.0.0/16, components: {Key: {deletion_window_in_days: 7}}}
  prod: {vpc_cidr: 10.30.0.0/16}
"""


def _spec(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


def _geo_spec(tmp_path: Path, entry: str) -> Path:
    """The spec with a Location Service API the overlay describes (`entry`, YAML flow map)."""
    diagram = DIAGRAM + "    Worker --> Loc[Location Service API]\n"
    overlay = OVERLAY.replace("components:\n", f"components:\n  Loc: {{kind: aws_api, {entry}}}\n")
    return _spec(tmp_path, diagram, overlay)


def _policies(files: dict[str, str]) -> dict[str, list[dict]]:
    docs = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    return {name: doc["statement"] for name, doc in docs.items()}


def _actions(statements: list[dict]) -> list[str]:
    return sorted(a for st in statements for a in st["actions"])


def _resources(statements: list[dict]) -> list[str]:
    return sorted(r for st in statements for r in st["resources"])


@pytest.mark.parametrize(("label", "kind"), [
    ("Orders KMS key", "kms_key"), ("Key Management Service", "kms_key"), ("CMK", "kms_key"),
    ("Encryption Keys", "kms_key"), ("AWS KMS", "kms_key"),
    ("CloudWatch", "cloudwatch"), ("Logs", "cloudwatch"), ("Central Logging", "cloudwatch"),
    ("Metrics", "cloudwatch"), ("Monitoring", "cloudwatch"), ("Observability", "cloudwatch"),
    ("AWS X-Ray", "aws_api"), ("X-Ray traces", "aws_api"),
    ("Amazon Bedrock", "aws_api"), ("Textract", "aws_api"), ("Comprehend", "aws_api"),
    ("Rekognition", "aws_api"), ("SageMaker endpoint", "aws_api"), ("Amazon Translate", "aws_api"),
    ("Polly", "aws_api"), ("Transcribe", "aws_api"),
    # what must stay another kind's
    ("S3 Logs bucket", "object_storage"), ("Log archive S3", "object_storage"),
    ("Logs database", "database"), ("Login Service", "backend_service"),
    ("Catalog API", "backend_service"), ("Key-value API", "backend_service"),
    ("EC2 Instances (Backend Services)", "backend_service"), ("Amazon RDS", "database"),
    ("NAT Gateway", "nat_gateway"), ("Orders Queue SQS", "sqs_queue"),
])
def test_labels_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind, (label, found)


@pytest.mark.parametrize("label", ["OpenAI", "Prometheus monitoring", "Grafana dashboards",
                                   "Datadog metrics"])
def test_labels_that_are_not_aws_apis_nor_cloudwatch(label: str) -> None:
    found = infer_kind("X", label)
    assert found is None or found[0] not in ("aws_api", "cloudwatch"), (label, found)


def test_the_spec_checks_clean(tmp_path: Path) -> None:
    loaded = load_spec(_spec(tmp_path))
    assert [d.message for d in loaded.diagnostics if d.severity is Severity.ERROR] == []


# --------------------------------------------------------------------------- KMS
def test_a_key_compiles_to_the_kms_module_with_rotation_and_a_window(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    key = modules(parse_dir(files, "terraform/modules/platform"))["kms_key"]
    assert key["source"] == "terraform-aws-modules/kms/aws" and key["version"] == "4.2.0"
    assert key["enable_key_rotation"] is True and key["enable_default_policy"] is False
    assert "var.components" in str(key["deletion_window_in_days"])
    assert tfvars(files, "dev")["components"]["key"]["deletion_window_in_days"] == 7
    assert tfvars(files, "prod")["components"]["key"]["deletion_window_in_days"] == 30


def test_the_key_policy_grants_each_caller_exactly_its_verb(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    key = modules(parse_dir(files, "terraform/modules/platform"))["kms_key"]
    grants = {st["sid"]: (sorted(st["actions"]), st["principals"][0]["identifiers"])
              for st in key["key_statements"]}
    assert grants == {
        "ReadKey": (sorted(KMS_ACTIONS["read"]), ["${aws_iam_role.worker.arn}"]),
        "WriteKey": (sorted(KMS_ACTIONS["write"]), ["${aws_iam_role.api.arn}"])}
    # the account administers the key and cannot use it through the key policy
    assert key["key_administrators"] == ["arn:${local.partition}:iam::${local.account_id}:root"]


@pytest.mark.parametrize(("label", "verb"), [("decrypt orders", "read"),
                                             ("encrypt orders", "write"),
                                             ("uses", "read_write")])
def test_iam_grants_exactly_the_verbs_actions(tmp_path: Path, label: str, verb: str) -> None:
    diagram = DIAGRAM.replace("|encrypt orders| Key", f"|{label}| Key")
    files, _ = emit(load(_spec(tmp_path, diagram)))
    statements = _policies(files)[f"api_key_{verb}"]
    assert _actions(statements) == sorted(KMS_ACTIONS[verb])
    assert _resources(statements) == ["${module.kms_key.key_arn}"]


def test_decrypting_never_encrypts_and_encrypting_never_decrypts() -> None:
    assert "kms:Encrypt" not in KMS_ACTIONS["read"] and "kms:Decrypt" in KMS_ACTIONS["read"]
    assert "kms:Decrypt" not in KMS_ACTIONS["write"] and "kms:Encrypt" in KMS_ACTIONS["write"]


def test_a_key_nobody_uses_is_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    API -->|encrypt orders| Key\n", "").replace(
        "    Worker -->|decrypt orders| Key\n", "")
    _, diags = emit(load(_spec(tmp_path, diagram)))
    assert [d.code for d in diags if d.code == "ARC570"] == ["ARC570"]


# --------------------------------------------------------------------------- CloudWatch
def test_each_sender_with_a_role_gets_its_own_encrypted_log_group(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    mods = modules(parse_dir(files, "terraform/modules/platform"))
    groups = {n: m for n, m in mods.items() if n.startswith("log_")}
    assert sorted(groups) == ["log_cw_api", "log_cw_worker"]
    for group in groups.values():
        assert group["source"] == "terraform-aws-modules/cloudwatch/aws//modules/log-group"
        assert group["kms_key_id"] == "${aws_kms_key.logs.arn}"
        assert group["retention_in_days"] == "${var.log_retention_days}"


def test_a_sender_may_write_only_its_own_log_group(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    policies = _policies(files)
    assert _actions(policies["api_cw_write"]) == sorted(LOG_ACTIONS)
    assert _resources(policies["api_cw_write"]) == [
        "${module.log_cw_api.cloudwatch_log_group_arn}:*"]
    assert _resources(policies["worker_cw_write"]) == [
        "${module.log_cw_worker.cloudwatch_log_group_arn}:*"]


def test_alarms_watch_what_says_each_sender_is_in_trouble(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path)))
    mods = modules(parse_dir(files, "terraform/modules/platform"))
    alarms = {n: (m["namespace"], m["metric_name"], m["dimensions"])
              for n, m in mods.items() if n.startswith("alarm_")}
    assert alarms == {
        "alarm_cw_alb": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count",
                         {"LoadBalancer": "${module.lb_alb.arn_suffix}"}),
        "alarm_cw_api": ("AWS/EC2", "CPUUtilization",
                         {"AutoScalingGroupName": "${aws_autoscaling_group.api.name}"}),
        "alarm_cw_jobs": ("AWS/SQS", "ApproximateAgeOfOldestMessage",
                          {"QueueName": "${module.sqs_jobs.queue_name}"}),
        "alarm_cw_worker": ("AWS/EC2", "CPUUtilization",
                            {"AutoScalingGroupName": "${aws_autoscaling_group.worker.name}"})}
    # no topic drawn: the alarms notify nobody, and the build says so
    assert all(mods[n]["alarm_actions"] == [] for n in alarms)
    assert [d.code for d in diags if d.code == "ARC571"] == ["ARC571"]


def _peer(component: str, kind: str, **extra: object) -> Peer:
    return Peer(component=component, id=component.lower(), kind=kind, flow_class="iam",
                verb="write", label="", ports=(), **extra)  # type: ignore[arg-type]


def test_alarms_notify_the_topic_the_diagram_draws() -> None:
    build = KINDS[1].terraform.build  # type: ignore[union-attr]
    topic = _peer("Alerts", "sns_topic",
                  outputs=MappingProxyType({"topic_arn": "module.sns_alerts.topic_arn"}))
    view = KindView(component="CW", id="cw", title="CloudWatch", project="p",
                    region="us-east-1", props={}, env_props={}, production=frozenset(),
                    inbound=(_peer("Jobs", "sqs_queue"),), outbound=(topic,),
                    security_group=None, subnet_tier=None, log_retention_days=90)
    built = build(view)
    assert built.item["alarm_actions"] == ["module.sns_alerts.topic_arn"]
    assert built.warnings == ()


def test_flows_to_operations_kinds_open_no_network_rule(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    rules = files["terraform/modules/platform/security_groups.tf"]
    for target in ("cw", "key", "ai", "ocr"):
        assert f"_{target}_" not in rules and f"aws_security_group.{target}." not in rules


# --------------------------------------------------------------------------- AWS APIs
def test_bedrock_invokes_only_the_models_the_overlay_names(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    statements = _policies(files)["worker_ai_invoke"]
    assert _actions(statements) == sorted(API_SERVICES["bedrock"][1])
    assert _resources(statements) == [
        "arn:${local.partition}:bedrock:${local.region}::foundation-model/"
        "anthropic.claude-3-5-sonnet-20240620-v1:0"]


def test_bedrock_without_models_may_invoke_any_foundation_model(tmp_path: Path) -> None:
    overlay = OVERLAY.replace('  AI: {models: ["anthropic.claude-3-5-sonnet-20240620-v1:0"]}\n', "")
    files, _ = emit(load(_spec(tmp_path, overlay=overlay)))
    assert _resources(_policies(files)["worker_ai_invoke"]) == [
        "arn:${local.partition}:bedrock:${local.region}::foundation-model/*"]


def test_a_service_without_resource_arns_gets_its_actions_on_any(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    statements = _policies(files)["worker_ocr_invoke"]
    assert _actions(statements) == sorted(API_SERVICES["textract"][1])
    assert _resources(statements) == ["*"]


def test_any_other_api_takes_the_overlays_service_and_actions(tmp_path: Path) -> None:
    files, _ = emit(load(_geo_spec(
        tmp_path, "service: geo, actions: [geo:SearchPlaceIndexForText], "
                  "resources: ['arn:aws:geo:us-east-1:123456789012:place-index/shops']")))
    statements = _policies(files)["worker_loc_invoke"]
    assert _actions(statements) == ["geo:SearchPlaceIndexForText"]
    assert _resources(statements) == ["arn:aws:geo:us-east-1:123456789012:place-index/shops"]


@pytest.mark.parametrize("action", ["*:*", "geo", "geo:Search Place", 'geo:"x"', "${x}:y"])
def test_the_overlay_cannot_name_a_malformed_or_wildcard_action(tmp_path: Path,
                                                                action: str) -> None:
    loaded = load_spec(_geo_spec(tmp_path, f"service: geo, actions: ['{action}'], "
                                           "resources: ['arn:aws:geo:us-east-1::x']"))
    assert any(d.severity is Severity.ERROR for d in loaded.diagnostics)


def test_actions_without_resources_grant_nothing_and_say_so(tmp_path: Path) -> None:
    files, diags = emit(load(_geo_spec(tmp_path,
                                       "service: geo, actions: [geo:SearchPlaceIndexForText]")))
    assert "worker_loc_invoke" not in _policies(files)
    assert [d.code for d in diags if d.code == "ARC572"] == ["ARC572"]


def test_an_api_archc_has_no_table_for_is_said(tmp_path: Path) -> None:
    files, diags = emit(load(_geo_spec(tmp_path, "service: geo")))
    assert "worker_loc_invoke" not in _policies(files)
    assert [d.code for d in diags if d.code == "ARC573"] == ["ARC573"]


# --------------------------------------------------------------------------- VPC endpoints
def _rules(files: dict[str, str], direction: str) -> set[tuple[str, str, int]]:
    """(group, peer group, port) of every rule in one direction between security groups."""
    doc = parse_dir(files, "terraform/modules/platform")
    out = set()
    for block in doc.get("resource", []):
        for body in block.get(f"aws_vpc_security_group_{direction}_rule", {}).values():
            peer = body.get("referenced_security_group_id")
            if peer:
                out.add((body["security_group_id"].split(".")[1], peer.split(".")[1],
                         body["from_port"]))
    return out


def test_each_called_service_gets_an_interface_endpoint_with_private_dns(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    endpoints = modules(parse_dir(files, "terraform/modules/platform"))["vpc_endpoints"]
    assert endpoints["source"] == "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"
    assert endpoints["version"] == "6.6.0" and endpoints["create_security_group"] is False
    assert {n: e["service"] for n, e in endpoints["endpoints"].items()} == {
        "bedrock_runtime": "bedrock-runtime", "kms": "kms", "logs": "logs", "sqs": "sqs",
        "textract": "textract"}
    for name, endpoint in endpoints["endpoints"].items():
        assert endpoint["private_dns_enabled"] is True
        assert endpoint["subnet_ids"] == '${local.subnet_ids["app"]}'
        assert endpoint["security_group_ids"] == [f"${{aws_security_group.vpce_{name}.id}}"]


def test_an_endpoint_admits_exactly_its_callers_on_443(tmp_path: Path) -> None:
    # the bastion calls none of the services, and writes logs with its CloudWatch agent
    diagram = DIAGRAM.replace("            NAT[NAT Gateway]\n",
                              "            NAT[NAT Gateway]\n            Bastion[Bastion Host]\n")
    files, _ = emit(load(_spec(tmp_path, diagram)))
    ingress = {r for r in _rules(files, "ingress") if r[0].startswith("vpce_")}
    assert ingress == {("vpce_sqs", "api", 443), ("vpce_sqs", "worker", 443),
                       ("vpce_kms", "api", 443), ("vpce_kms", "worker", 443),
                       ("vpce_logs", "api", 443), ("vpce_logs", "worker", 443),
                       ("vpce_logs", "bastion", 443), ("vpce_bedrock_runtime", "worker", 443),
                       ("vpce_textract", "worker", 443)}
    egress = {r for r in _rules(files, "egress") if r[1].startswith("vpce_")}
    assert egress == {(sg, peer, port) for peer, sg, port in ingress}
    # the load balancer's metrics are AWS's to publish: it calls no endpoint
    assert not any("alb" in r for r in ingress | egress)


def test_no_caller_in_the_vpc_no_endpoint(tmp_path: Path) -> None:
    files, _ = emit(load(REPO / "spec"))
    assert "vpc_endpoints" not in modules(parse_dir(files, "terraform/modules/platform"))
    assert "vpce_" not in files["terraform/modules/platform/security_groups.tf"]


@pytest.mark.parametrize("label", ["VPC Endpoint", "PrivateLink", "SQS VPC endpoint", "VPCE"])
def test_a_drawn_endpoint_is_described_not_built(label: str) -> None:
    found = described_node("X", label)
    assert found is not None and found[0] == "a VPC endpoint"


EKS_DIAGRAM = """flowchart TB
    Users((Users))
    subgraph VPC["VPC 10.40.0.0/16"]
        subgraph Public["Public Subnet"]
            ALB[Application Load Balancer]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            subgraph Cluster["EKS Cluster"]
                Control[EKS Control Plane]
                subgraph Nodes["Worker Nodes"]
                    Infer[Inference node group]
                end
            end
        end
    end
    Jobs[Inference Jobs SQS]
    Key[Model KMS key]
    CW[Monitoring]
    LLM[Amazon Bedrock]
    Users -->|HTTPS| ALB
    ALB -->|HTTP :8080| Infer
    Control --> Infer
    Control --> NAT
    Jobs --> Infer
    Infer -->|decrypt| Key
    Infer -.->|logs| CW
    Jobs -.->|metrics| CW
    Infer -->|invoke model| LLM
"""
EKS_OVERLAY = """version: 1
project: infer
components:
  Infer: {workload: {name: infer, namespace: ml, service_account: infer}}
environments:
  dev: {vpc_cidr: 10.40.0.0/16}
  prod: {vpc_cidr: 10.50.0.0/16}
"""


def test_a_node_groups_workload_reaches_every_service_through_its_endpoint(
        tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path, EKS_DIAGRAM, EKS_OVERLAY)))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    ingress = {r for r in _rules(files, "ingress") if r[0].startswith("vpce_")}
    assert ingress == {(f"vpce_{s}", "node_infer", 443)
                       for s in ("bedrock_runtime", "kms", "logs", "sqs")}
    key = modules(parse_dir(files, "terraform/modules/platform"))["kms_key"]
    assert [(st["sid"], st["principals"][0]["identifiers"]) for st in key["key_statements"]] == [
        ("ReadKey", ["${module.irsa_infer.arn}"])]
    policies = _policies(files)
    assert _actions(policies["node_infer_key_read"]) == sorted(KMS_ACTIONS["read"])
    assert _actions(policies["node_infer_llm_invoke"]) == sorted(API_SERVICES["bedrock"][1])


def test_archc_init_writes_an_overlay_that_checks_clean(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    (spec / "archc.yaml").unlink()
    init(spec)
    loaded = load_spec(spec)
    assert [d.message for d in loaded.diagnostics if d.severity is Severity.ERROR] == []
    assert {c.id: c.kind for c in loaded.arch.components if c.id in ("Key", "CW", "AI")} == {
        "Key": "kms_key", "CW": "cloudwatch", "AI": "aws_api"}


@pytest.mark.parametrize(("label", "service", "group"), [
    ("Amazon Bedrock", "bedrock-runtime", "vpce_bedrock_runtime"),
    ("Textract", "textract", "vpce_textract"),
    ("SageMaker endpoint", "sagemaker.runtime", "vpce_sagemaker_runtime")])
def test_an_ai_api_is_reached_through_its_runtime_endpoint(tmp_path: Path, label: str,
                                                           service: str, group: str) -> None:
    diagram = QUEUE_DIAGRAM.replace("{send}", "send order") + f"    Worker --> AI[{label}]\n"
    files, _ = emit(load(_spec(tmp_path, diagram)))
    endpoints = modules(parse_dir(files, "terraform/modules/platform"))["vpc_endpoints"]
    assert {e["service"] for e in endpoints["endpoints"].values()} == {service, "sqs"}
    assert (group, "worker", 443) in _rules(files, "ingress")
    assert ("api", group) not in {r[:2] for r in _rules(files, "egress")}


def test_an_api_the_overlay_names_goes_through_the_nat(tmp_path: Path) -> None:
    files, _ = emit(load(_geo_spec(
        tmp_path, "service: geo, actions: [geo:SearchPlaceIndexForText], "
                  "resources: ['arn:aws:geo:us-east-1:123456789012:place-index/shops']")))
    endpoints = modules(parse_dir(files, "terraform/modules/platform"))["vpc_endpoints"]
    assert "geo" not in endpoints["endpoints"]


def test_the_policy_can_send_api_calls_through_the_nat_instead(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path, overlay=OVERLAY + "policy: {vpc_endpoints: false}\n")))
    assert "vpc_endpoints" not in modules(parse_dir(files, "terraform/modules/platform"))
    assert "vpce_" not in files["terraform/modules/platform/security_groups.tf"]
    # the grants stay: only the route changes
    assert _actions(_policies(files)["worker_jobs_consume"]) != []


def test_traces_to_x_ray_grant_only_putting_segments(tmp_path: Path) -> None:
    diagram = QUEUE_DIAGRAM.replace("{send}", "send order") + "    API -.->|traces| Trace[X-Ray]\n"
    files, _ = emit(load(_spec(tmp_path, diagram)))
    statements = _policies(files)["api_trace_invoke"]
    assert _actions(statements) == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    assert ("vpce_xray", "api", 443) in _rules(files, "ingress")
