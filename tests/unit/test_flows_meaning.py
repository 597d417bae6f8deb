from __future__ import annotations

import pytest

from archc.kinds import Kind
from archc.model import FlowClass
from archc.spec.flows import (
    classify,
    default_port,
    infer_access,
    infer_buckets,
    initiator_by_rank,
    label_port,
    parse_ports,
)


def test_bidirectional_initiator_follows_the_kinds() -> None:
    assert initiator_by_rank(Kind.NAT_GATEWAY, Kind.BACKEND_SERVICE) == 1
    assert initiator_by_rank(Kind.INTERNET_GATEWAY, Kind.NAT_GATEWAY) == 1
    assert initiator_by_rank(Kind.BACKEND_SERVICE, Kind.DATABASE) == 0
    assert initiator_by_rank(Kind.BACKEND_SERVICE, Kind.INSTANCE) is None


def test_classes() -> None:
    assert classify(Kind.BACKEND_SERVICE, Kind.OBJECT_STORAGE)[0] is FlowClass.IAM
    assert classify(Kind.DNS_ZONE, Kind.CDN)[0] is FlowClass.DNS
    assert classify(Kind.BACKEND_SERVICE, Kind.NAT_GATEWAY)[0] is FlowClass.EGRESS
    assert classify(Kind.NAT_GATEWAY, Kind.INTERNET_GATEWAY)[0] is FlowClass.UPLINK
    assert classify(Kind.CDN, Kind.INTERNET_GATEWAY)[0] is FlowClass.INGRESS
    assert classify(Kind.CI_SERVER, Kind.EKS_CONTROL_PLANE)[0] is FlowClass.DEPLOY
    assert classify(Kind.EKS_CONTROL_PLANE, Kind.EKS_NODE_GROUP)[0] is FlowClass.CONTROL
    assert classify(Kind.BASTION, Kind.BACKEND_SERVICE)[0] is FlowClass.NETWORK


def test_default_ports() -> None:
    net = FlowClass.NETWORK
    assert default_port(net, Kind.BACKEND_SERVICE, Kind.DATABASE, {"engine": "mysql"})[0] == 3306
    assert default_port(net, Kind.BACKEND_SERVICE, Kind.DATABASE, {})[0] == 5432
    assert default_port(net, Kind.BASTION, Kind.SCM_SERVER, {})[0] == 22
    assert default_port(net, Kind.LOAD_BALANCER, Kind.BACKEND_SERVICE, {"port": 9000})[0] == 9000
    assert default_port(net, Kind.BACKEND_SERVICE, Kind.INSTANCE, {}) is None
    assert default_port(FlowClass.DEPLOY, Kind.CI_SERVER, Kind.EKS_CONTROL_PLANE, {})[0] == 443


def test_s3_access_from_labels() -> None:
    assert infer_access("Load Models")[0] == "read"
    assert infer_access("Store/Retrieve Models")[0] == "read_write"
    assert infer_access("archive raw")[0] == "write"
    assert infer_access("Misc")[0] == "read"
    buckets = {"models": {"purpose": "models"}, "logs": {"purpose": "logs"}}
    assert infer_buckets("Load Models", buckets)[0] == ("models",)
    assert infer_buckets("Something", buckets)[0] == ("logs", "models")


def test_parse_ports() -> None:
    assert parse_ports([443, "8000-8010", 443]) == ((443, 443), (8000, 8010))


@pytest.mark.parametrize(("label", "target", "props", "expected"), [
    ("HTTP", Kind.BACKEND_SERVICE, {}, ("tcp", 80)),
    ("HTTPS", Kind.BACKEND_SERVICE, {}, ("tcp", 443)),
    ("Inbound HTTPS", Kind.LOAD_BALANCER, {}, ("tcp", 443)),
    (":8080", Kind.INSTANCE, {}, ("tcp", 8080)),
    ("calls api:9000", Kind.INSTANCE, {}, ("tcp", 9000)),
    ("tcp/5432", Kind.DATABASE, {"engine": "mysql"}, ("tcp", 5432)),
    ("udp/514", Kind.INSTANCE, {}, ("udp", 514)),
    ("HTTP :80", Kind.BACKEND_SERVICE, {}, ("tcp", 80)),
    ("MySQL :3306", Kind.DATABASE, {}, ("tcp", 3306)),
    ("MySQL", Kind.INSTANCE, {}, ("tcp", 3306)),
    ("PostgreSQL", Kind.DATABASE, {}, ("tcp", 5432)),
    ("Postgres", Kind.INSTANCE, {}, ("tcp", 5432)),
    ("SQL queries", Kind.DATABASE, {"engine": "mariadb"}, ("tcp", 3306)),
    ("Redis", Kind.INSTANCE, {}, ("tcp", 6379)),
    ("gRPC", Kind.BACKEND_SERVICE, {}, ("tcp", 443)),
    ("gRPC :50051", Kind.BACKEND_SERVICE, {}, ("tcp", 50051)),
    ("HTTPS 8443", Kind.BACKEND_SERVICE, {}, ("tcp", 8443)),
    ("NFS", Kind.INSTANCE, {}, ("tcp", 2049)),
    ("SSH", Kind.INSTANCE, {}, ("tcp", 22)),
    ("MongoDB", Kind.INSTANCE, {}, ("tcp", 27017)),
    ("Kafka", Kind.INSTANCE, {}, ("tcp", 9092)),
    ("AMQP", Kind.INSTANCE, {}, ("tcp", 5672)),
    ("SMTP", Kind.INSTANCE, {}, ("tcp", 587)),
    ("27017", Kind.INSTANCE, {}, ("tcp", 27017)),
    ("port 8080", Kind.INSTANCE, {}, ("tcp", 8080)),
])
def test_label_names_a_port(label: str, target: Kind, props: dict[str, str],
                            expected: tuple[str, int]) -> None:
    found = label_port(label, target, props)
    assert found is not None and (found.protocol, found.port) == expected


@pytest.mark.parametrize("label", [
    "API Traffic", "1. Request", "Python 3.12", "runs at 12:30", "Store/Retrieve Models",
    "httpd logs", "99999", "FTP",
])
def test_label_without_a_port(label: str) -> None:
    assert label_port(label, Kind.BACKEND_SERVICE, {}) is None


def test_database_words_name_their_engine() -> None:
    assert (label := label_port("MySQL", Kind.DATABASE, {})) is not None
    assert (label.port, label.engine) == (3306, "mysql")
    assert (sql := label_port("SQL", Kind.DATABASE, {})) is not None and sql.engine is None
