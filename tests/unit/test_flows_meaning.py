from __future__ import annotations

from archc.kinds import Kind
from archc.model import FlowClass
from archc.spec.flows import (
    classify,
    default_port,
    infer_access,
    infer_buckets,
    initiator_by_rank,
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
