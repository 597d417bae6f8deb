"""The messaging family (archc/catalog/messaging.py): an SQS queue drawn between a producer and
a consumer compiles to the queue, its dead-letter queue and exactly the IAM each side needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.catalog.messaging import KINDS as MESSAGING
from archc.diagnostics import Severity
from archc.kinds import infer_kind
from archc.spec import load_spec
from tests.unit.emit.test_terraform_emit import data_blocks, emit, load, modules, parse_dir, tfvars

DIAGRAM = """flowchart TB
    Users((Users))
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            ALB[Application Load Balancer]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            API[Orders API]
            Worker[Order Worker Service]
        end
    end
    Jobs[Orders Queue SQS]
    Users -->|HTTPS| ALB
    ALB -->|HTTP :8080| API
    API -->|{send}| Jobs
    Jobs --> Worker
    API --> NAT
    Worker --> NAT
"""
OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Worker: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Jobs: {fifo: true, visibility_timeout_seconds: 120}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod: {vpc_cidr: 10.30.0.0/16, components: {Jobs: {visibility_timeout_seconds: 300}}}
"""


def _spec(tmp_path: Path, send: str = "send order") -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(DIAGRAM.replace("{send}", send), encoding="utf-8")
    (spec / "archc.yaml").write_text(OVERLAY, encoding="utf-8")
    return spec


@pytest.mark.parametrize(("label", "kind"), [
    ("Orders Queue SQS", "sqs_queue"), ("Dead-letter queue", "sqs_queue"), ("DLQ", "sqs_queue"),
    ("Amazon SQS", "sqs_queue"),
    # the seed's words stay the seed's
    ("NAT Gateway", "nat_gateway"), ("Order Service", "backend_service"),
])
def test_queues_are_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


def test_a_queue_compiles_to_a_module_with_its_dead_letter_queue(tmp_path: Path) -> None:
    loaded = load_spec(_spec(tmp_path))
    assert [d.message for d in loaded.diagnostics if d.severity is Severity.ERROR] == []
    files, diags = emit(load(_spec(tmp_path / "again")))
    assert not [d for d in diags if d.severity.name == "ERROR"]
    queue = modules(parse_dir(files, "terraform/modules/platform"))["sqs_jobs"]
    assert queue["source"] == "terraform-aws-modules/sqs/aws" and queue["version"] == "5.2.1"
    assert queue["fifo_queue"] is True and queue["create_dlq"] is True
    assert queue["sqs_managed_sse_enabled"] is True
    assert queue["redrive_policy"] == {"maxReceiveCount": 5}
    # the per-environment values reach the module through var.components
    assert "var.components" in str(queue["visibility_timeout_seconds"])
    assert tfvars(files, "dev")["components"]["jobs"]["visibility_timeout_seconds"] == 120
    assert tfvars(files, "prod")["components"]["jobs"]["visibility_timeout_seconds"] == 300


def _actions(files: dict[str, str], policy: str) -> list[str]:
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    statement = doc[policy]["statement"]
    return sorted(a for st in statement for a in st["actions"])


def test_the_producer_may_only_send_and_the_consumer_only_receive(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    producer = next(v for v in MESSAGING[0].iam.actions.items() if v[0] == "publish")[1]
    consumer = MESSAGING[0].iam.actions["consume"]
    assert _actions(files, "api_jobs_publish") == sorted(producer)
    assert _actions(files, "worker_jobs_consume") == sorted(consumer)
    assert "sqs:SendMessage" in producer and "sqs:ReceiveMessage" not in producer
    assert "sqs:ReceiveMessage" in consumer and "sqs:SendMessage" not in consumer
    # and no network rule: the queue is an AWS API, not a host in the VPC
    rules = parse_dir(files, "terraform/modules/platform")
    assert "jobs" not in str([b for b in rules.get("resource", [])
                              if "aws_vpc_security_group_egress_rule" in b])


def test_an_arrow_from_the_queue_is_the_consumer_polling(tmp_path: Path) -> None:
    arch = load(_spec(tmp_path))
    flow = next(f for f in arch.flows if f.src == "Jobs")
    assert (flow.initiator, flow.target, flow.access) == ("Worker", "Jobs", "consume")
    assert any("polls" in d.reason for d in flow.decisions if d.attribute == "initiator")


def test_a_label_that_says_consume_on_a_producer_edge_is_read(tmp_path: Path) -> None:
    arch = load(_spec(tmp_path, send="receive orders"))
    flow = next(f for f in arch.flows if f.src == "API" and f.dst == "Jobs")
    assert flow.access == "consume"


def test_a_queue_nobody_consumes_is_said(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    text = (spec / "architecture.mmd").read_text(encoding="utf-8")
    (spec / "architecture.mmd").write_text(text.replace("    Jobs --> Worker\n", ""),
                                           encoding="utf-8")
    _, diags = emit(load(spec))
    assert [d.code for d in diags if d.code == "ARC545"] == ["ARC545"]


# -- SNS topics and Kinesis data streams ---------------------------------------------------
TOPIC_DIAGRAM = """flowchart TB
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            API[Orders API]
            Worker[Order Worker Service]
        end
    end
    Events[Order Events SNS Topic]
    Jobs[Orders Queue SQS]
    API -->|publish order placed| Events
    Events --> Jobs
    Jobs --> Worker
    API --> NAT
    Worker --> NAT
"""
TOPIC_OVERLAY = """version: 1
project: shop
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Worker: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Events:
    subscriptions: [{protocol: email, endpoint: "orders-team@example.com"}]
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
"""
STREAM_DIAGRAM = """flowchart TB
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            Ingest[Clickstream Ingest Service]
            Reader[Clickstream Analytics Service]
        end
    end
    Clicks[Clickstream Kinesis Data Stream]
    Ingest -->|put records| Clicks
    Clicks --> Reader
    Ingest --> NAT
    Reader --> NAT
"""
STREAM_OVERLAY = """version: 1
project: clicks
components:
  Ingest: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Reader: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Clicks: {retention_hours: 48}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod: {vpc_cidr: 10.30.0.0/16, components: {Clicks: {shard_count: 4, retention_hours: 168}}}
"""
KIND = {spec.name: spec for spec in MESSAGING}


def _write(tmp_path: Path, diagram: str, overlay: str) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


@pytest.mark.parametrize(("label", "kind"), [
    ("Order Events SNS Topic", "sns_topic"), ("Amazon SNS", "sns_topic"),
    ("Notifications service", "sns_topic"), ("Pub/Sub", "sns_topic"),
    ("Kinesis", "kinesis_stream"), ("Clickstream data stream", "kinesis_stream"),
    # words that are not a topic or a stream
    ("Stream processors", None), ("Notification Worker Service", "backend_service"),
    ("Kinesis Firehose", None),
])
def test_topics_and_streams_are_recognised(label: str, kind: str | None) -> None:
    found = infer_kind("X", label)
    assert (found[0] if found else None) == kind


def test_a_topic_is_encrypted_and_subscribes_its_queue_and_endpoints(tmp_path: Path) -> None:
    files, diags = emit(load(_write(tmp_path, TOPIC_DIAGRAM, TOPIC_OVERLAY)))
    assert not [d for d in diags if d.severity.name == "ERROR"]
    assert not [d.code for d in diags if d.code in ("ARC546", "ARC547")]
    doc = parse_dir(files, "terraform/modules/platform")
    topic = modules(doc)["sns_events"]
    assert topic["source"] == "terraform-aws-modules/sns/aws" and topic["version"] == "7.1.0"
    assert topic["kms_master_key_id"] == "${aws_kms_key.sns_events.arn}"
    assert topic["subscriptions"] == {
        "jobs": {"protocol": "sqs", "endpoint": "${module.sqs_jobs.queue_arn}"},
        "email_1": {"protocol": "email", "endpoint": "orders-team@example.com"}}
    key = next(b["aws_kms_key"]["sns_events"] for b in doc["resource"]
               if "sns_events" in b.get("aws_kms_key", {}))
    assert key["enable_key_rotation"] is True
    # the queue lets exactly this topic send to it
    queue = modules(doc)["sqs_jobs"]
    assert queue["create_queue_policy"] is True
    (statement,) = queue["queue_policy_statements"].values()
    assert statement["actions"] == ["sqs:SendMessage"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["sns.amazonaws.com"]}]
    assert statement["conditions"][0]["values"] == ["${module.sns_events.topic_arn}"]


def test_the_topic_to_queue_arrow_is_an_event_not_a_caller(tmp_path: Path) -> None:
    arch = load(_write(tmp_path, TOPIC_DIAGRAM, TOPIC_OVERLAY))
    flow = next(f for f in arch.flows if f.src == "Events")
    assert (flow.initiator, flow.target, str(flow.flow_class)) == ("Events", "Jobs", "event")
    files, _ = emit(arch)
    assert _actions(files, "api_events_publish") == sorted(
        ["sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*"])
    assert _actions(files, "worker_jobs_consume") == sorted(KIND["sqs_queue"].iam.actions[
        "consume"])
    doc = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    assert not [name for name in doc if name.startswith("events_")]


def test_a_topic_without_subscriber_or_with_an_unsubscribable_target_is_said(
        tmp_path: Path) -> None:
    diagram = TOPIC_DIAGRAM.replace("    Events --> Jobs\n", "    Events --> Worker\n")
    overlay = TOPIC_OVERLAY.replace(
        '  Events:\n    subscriptions: [{protocol: email, endpoint: "orders-team@example.com"}]\n',
        "")
    _, diags = emit(load(_write(tmp_path, diagram, overlay)))
    assert sorted(d.code for d in diags if d.code in ("ARC546", "ARC547")) == [
        "ARC546", "ARC547"]


def test_a_topic_endpoint_must_be_an_address_or_https(tmp_path: Path) -> None:
    overlay = TOPIC_OVERLAY.replace("orders-team@example.com", "http://insecure.example.com")
    loaded = load_spec(_write(tmp_path, TOPIC_DIAGRAM, overlay))
    assert [d for d in loaded.diagnostics if d.severity is Severity.ERROR]


def test_a_stream_is_on_demand_unless_an_environment_names_shards(tmp_path: Path) -> None:
    files, diags = emit(load(_write(tmp_path, STREAM_DIAGRAM, STREAM_OVERLAY)))
    assert not [d for d in diags if d.severity.name == "ERROR"]
    doc = parse_dir(files, "terraform/modules/platform")
    stream = next(b["aws_kinesis_stream"]["clicks"] for b in doc["resource"]
                  if "clicks" in b.get("aws_kinesis_stream", {}))
    assert stream["encryption_type"] == "KMS"
    assert stream["kms_key_id"] == "${aws_kms_key.kinesis_clicks.arn}"
    assert tfvars(files, "dev")["components"]["clicks"] == {
        "stream_mode": "ON_DEMAND", "shard_count": None, "retention_period": 48}
    assert tfvars(files, "prod")["components"]["clicks"] == {
        "stream_mode": "PROVISIONED", "shard_count": 4, "retention_period": 168}


def test_a_stream_producer_may_only_put_and_its_consumer_only_read(tmp_path: Path) -> None:
    arch = load(_write(tmp_path, STREAM_DIAGRAM, STREAM_OVERLAY))
    flow = next(f for f in arch.flows if f.src == "Clicks")
    assert (flow.initiator, flow.access) == ("Reader", "consume")
    files, _ = emit(arch)
    actions = KIND["kinesis_stream"].iam.actions
    assert _actions(files, "ingest_clicks_publish") == sorted(
        [*actions["publish"], "kms:GenerateDataKey"])
    assert _actions(files, "reader_clicks_consume") == sorted([*actions["consume"], "kms:Decrypt"])
    assert "kinesis:GetRecords" not in actions["publish"]
    assert "kinesis:PutRecord" not in actions["consume"]


def test_a_stream_nobody_reads_is_said(tmp_path: Path) -> None:
    diagram = STREAM_DIAGRAM.replace("    Clicks --> Reader\n", "")
    _, diags = emit(load(_write(tmp_path, diagram, STREAM_OVERLAY)))
    assert [d.code for d in diags if d.code == "ARC548"] == ["ARC548"]


# -- MSK: a connection on 9098 that is also an IAM grant -----------------------------------
KAFKA_DIAGRAM = """flowchart TB
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            Producer[Order Producer Service]
            Consumer[Order Consumer Service]
        end
        subgraph Data["Data Subnet"]
            Kafka[Orders Kafka MSK]
        end
    end
    Producer -->|publish orders| Kafka
    Kafka --> Consumer
    Producer --> NAT
    Consumer --> NAT
"""
KAFKA_OVERLAY = """version: 1
project: stream
components:
  Producer: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Consumer: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
environments:
  dev: {vpc_cidr: 10.20.0.0/16}
  prod: {vpc_cidr: 10.30.0.0/16, components: {Kafka: {brokers_per_az: 2, volume_size: 500}}}
"""


@pytest.mark.parametrize(("label", "kind"), [
    ("Orders Kafka MSK", "msk_cluster"), ("Amazon MSK", "msk_cluster"),
    ("Managed Streaming for Apache Kafka", "msk_cluster"), ("Kafka", "msk_cluster"),
])
def test_kafka_is_recognised(label: str, kind: str) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind


def _rules(files: dict[str, str]) -> set[tuple[str, str, int]]:
    doc = parse_dir(files, "terraform/modules/platform")
    out = set()
    for block in doc.get("resource", []):
        for rtype in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            for name, rule in block.get(rtype, {}).items():
                if "kafka" in name:
                    out.add((rtype.split("_")[-2], name, rule["from_port"]))
    return out


def test_kafka_clients_connect_on_9098_only_and_get_their_verb(tmp_path: Path) -> None:
    arch = load(_write(tmp_path, KAFKA_DIAGRAM, KAFKA_OVERLAY))
    flows = {(f.initiator, f.target): f for f in arch.flows if "Kafka" in (f.src, f.dst)}
    assert set(flows) == {("Producer", "Kafka"), ("Consumer", "Kafka")}
    assert {str(f.flow_class) for f in flows.values()} == {"network"}
    assert flows[("Producer", "Kafka")].access == "publish"
    assert flows[("Consumer", "Kafka")].access == "consume"
    files, diags = emit(arch)
    assert not [d for d in diags if d.severity.name == "ERROR"]
    assert {port for _, _, port in _rules(files)} == {9098}
    assert {name for _, name, _ in _rules(files)} == {
        "kafka_ingress_producer_9098", "producer_egress_kafka_9098",
        "kafka_ingress_consumer_9098", "consumer_egress_kafka_9098"}
    connect = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    assert _actions(files, "producer_kafka_publish") == sorted(
        [*connect, "kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"])
    assert _actions(files, "consumer_kafka_consume") == sorted(
        [*connect, "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData",
         "kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"])


def test_the_cluster_uses_iam_over_tls_and_its_own_key(tmp_path: Path) -> None:
    files, _ = emit(load(_write(tmp_path, KAFKA_DIAGRAM, KAFKA_OVERLAY)))
    doc = parse_dir(files, "terraform/modules/platform")
    msk = modules(doc)["msk_kafka"]
    assert msk["source"] == "terraform-aws-modules/msk-kafka-cluster/aws"
    assert msk["version"] == "3.3.0"
    assert msk["client_authentication"] == {"sasl": {"iam": True}}
    assert msk["encryption_in_transit_client_broker"] == "TLS"
    assert msk["encryption_at_rest_kms_key_arn"] == "${aws_kms_key.msk_kafka.arn}"
    assert msk["broker_node_client_subnets"] == '${local.subnet_ids["data"]}'
    assert msk["broker_node_security_groups"] == ["${aws_security_group.kafka.id}"]
    assert tfvars(files, "dev")["components"]["kafka"] == {
        "instance_type": "kafka.t3.small", "brokers_per_az": 1, "volume_size": 100}
    assert tfvars(files, "prod")["components"]["kafka"] == {
        "instance_type": "kafka.m7g.large", "brokers_per_az": 2, "volume_size": 500}


def test_a_kafka_cluster_without_client_is_said(tmp_path: Path) -> None:
    diagram = KAFKA_DIAGRAM.replace("    Producer -->|publish orders| Kafka\n", "").replace(
        "    Kafka --> Consumer\n", "")
    _, diags = emit(load(_write(tmp_path, diagram, KAFKA_OVERLAY)))
    assert [d.code for d in diags if d.code == "ARC549"] == ["ARC549"]
