"""The edge family (archc/catalog/edge.py): load balancers internet-facing or internal, ALB or
NLB, several per spec. An internal one lives in a private subnet, opens nothing to the internet
and is reached only from its clients' security groups; the CDN keeps the internet-facing ALB
as its origin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archc import pipeline
from archc.catalog.edge import load_balancer_scheme, load_balancer_type
from archc.diagnostics import Severity
from archc.kinds import infer_kind
from tests.unit.emit.test_terraform_emit import emit, load, modules, parse_dir

DIAGRAM = """flowchart TB
    Users((Users))
    subgraph VPC["VPC 10.20.0.0/16"]
        subgraph Public["Public Subnet"]
            ALB[Application Load Balancer]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            Internal[Internal Load Balancer]
            Ingest[Ingest Network Load Balancer]
            API[Orders API]
            Billing[Billing Service]
            Ledger[Ledger Service]
        end
    end
    IGW[Internet Gateway]
    CDN[CloudFront]
    Users -->|HTTPS| CDN
    CDN -->|HTTPS| IGW
    IGW -->|HTTPS| ALB
    ALB -->|HTTP :8080| API
    API -->|HTTPS| Internal
    Internal -->|HTTP :8080| Billing
    API -->|TLS :443| Ingest
    Ingest -->|TCP :9000| Ledger
    API --> NAT
    Billing --> NAT
    Ledger --> NAT
    NAT --> IGW
"""
IMAGE = '{container_image: "public.ecr.aws/nginx/nginx:1.27"}'
OVERLAY = f"""version: 1
project: shop
components:
  API: {IMAGE}
  Billing: {IMAGE}
  Ledger: {IMAGE}
environments:
  dev: {{vpc_cidr: 10.20.0.0/16}}
  prod: {{vpc_cidr: 10.30.0.0/16}}
"""


def _spec(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


def _errors(spec: Path) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in pipeline.check(spec).diagnostics
            if d.severity is Severity.ERROR]


def _ref(value: str) -> str:
    return value.removeprefix("${").removesuffix("}")


def _rules(platform: dict[str, list[Any]], direction: str) -> dict[str, dict[str, Any]]:
    rtype = f"aws_vpc_security_group_{direction}_rule"
    return {n: b for block in platform.get("resource", []) for n, b in block.get(rtype, {}).items()}


@pytest.mark.parametrize(("label", "kind", "lb_type"), [
    ("Application Load Balancer", "load_balancer", "application"),
    ("Internal ALB", "load_balancer", "application"),
    ("Network Load Balancer", "load_balancer", "network"),
    ("Ingest NLB", "load_balancer", "network"),
    # the seed's words stay the seed's, and "network" alone does not make an NLB
    ("NAT Gateway", "nat_gateway", None), ("Network Service", "backend_service", None),
])
def test_load_balancers_and_their_type_are_recognised(label: str, kind: str,
                                                      lb_type: str | None) -> None:
    found = infer_kind("X", label)
    assert found is not None and found[0] == kind
    if lb_type is not None:
        assert load_balancer_type({}, label, "X") == lb_type
    assert load_balancer_type({}, "Network Service", "svc") == "application"


def test_the_overlay_says_scheme_and_type_over_place_and_label() -> None:
    assert load_balancer_scheme({}, public_subnet=True) == "internet-facing"
    assert load_balancer_scheme({}, public_subnet=False) == "internal"
    assert load_balancer_scheme({"scheme": "internal"}, public_subnet=True) == "internal"
    assert load_balancer_type({"type": "application"}, "NLB", "nlb") == "application"
    assert load_balancer_type({"type": "network"}, "ALB", "alb") == "network"


def test_public_internal_and_network_load_balancers_compile(tmp_path: Path) -> None:
    assert _errors(_spec(tmp_path)) == []
    files, diags = emit(load(_spec(tmp_path / "again")))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    platform = parse_dir(files, "terraform/modules/platform")
    mods = modules(platform)
    public, internal, nlb = mods["lb_alb"], mods["lb_internal"], mods["lb_ingest"]
    assert (public["internal"], public["load_balancer_type"]) == (False, "application")
    assert _ref(public["subnets"]) == 'local.subnet_ids["public"]'
    assert (internal["internal"], internal["load_balancer_type"]) == (True, "application")
    assert _ref(internal["subnets"]) == 'local.subnet_ids["app"]'
    assert internal["drop_invalid_header_fields"] is True
    assert (nlb["internal"], nlb["load_balancer_type"]) == (True, "network")
    # an NLB: a TLS listener, TCP target groups checked over HTTP, no ALB-only attribute
    assert "drop_invalid_header_fields" not in nlb
    assert [_ref(g) for g in nlb["security_groups"]] == ["aws_security_group.ingest.id"]
    listener = nlb["listeners"]["tls"]
    assert (listener["protocol"], listener["port"]) == ("TLS", 443)
    assert listener["forward"] == {"target_group_key": "ledger"}
    group = nlb["target_groups"]["ledger"]
    assert (group["protocol"], group["port"], group["health_check"]["protocol"]) == (
        "TCP", 9000, "HTTP")
    assert internal["listeners"]["https"]["protocol"] == "HTTPS"
    # the CDN's origin is the internet-facing ALB: only its listener checks the origin secret
    rules = {n for block in platform["resource"] for n in block.get("aws_lb_listener_rule", {})}
    assert rules == {"alb_origin_verify"}


def test_internal_load_balancers_open_only_their_clients_ports(tmp_path: Path) -> None:
    files, _ = emit(load(_spec(tmp_path)))
    platform = parse_dir(files, "terraform/modules/platform")
    ingress = _rules(platform, "ingress")
    for group in ("internal", "ingest"):
        mine = {n: r for n, r in ingress.items()
                if _ref(r["security_group_id"]) == f"aws_security_group.{group}.id"}
        assert [_ref(r.get("referenced_security_group_id", "")) for r in mine.values()] == [
            "aws_security_group.api.id"]
        assert [(r["from_port"], r["to_port"]) for r in mine.values()] == [(443, 443)]
        assert not any("cidr_ipv4" in r or "prefix_list_id" in r for r in mine.values())
    # the internet-facing ALB behind CloudFront: CloudFront's prefix list only
    alb = [r for r in ingress.values()
           if _ref(r["security_group_id"]) == "aws_security_group.alb.id"]
    assert [_ref(r.get("prefix_list_id", "")) for r in alb] == [
        "data.aws_ec2_managed_prefix_list.cloudfront_origin.id"]
    assert not any(r.get("cidr_ipv4") == "0.0.0.0/0" for r in ingress.values())


def test_internet_traffic_to_an_internal_load_balancer_is_an_error(tmp_path: Path) -> None:
    overlay = OVERLAY.replace("components:\n", "components:\n  ALB: {scheme: internal}\n")
    assert [c for c, _ in _errors(_spec(tmp_path, overlay=overlay))] == ["ARC565"]


def test_an_internet_facing_load_balancer_must_sit_in_a_public_subnet(tmp_path: Path) -> None:
    overlay = OVERLAY.replace("components:\n",
                              "components:\n  Internal: {scheme: internet-facing}\n")
    errors = _errors(_spec(tmp_path, overlay=overlay))
    assert [c for c, _ in errors] == ["ARC211"]
    assert "internet-facing" in errors[0][1]


def test_the_internet_through_a_gateway_to_a_private_balancer_is_refused(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("IGW -->|HTTPS| ALB",
                              "IGW -->|HTTPS| ALB\n    IGW -->|HTTPS| Internal")
    errors = _errors(_spec(tmp_path, diagram=diagram))
    assert [c for c, _ in errors] == ["ARC565"]
    assert "in a private app subnet" in errors[0][1]


def test_a_network_load_balancer_must_forward_somewhere(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("    Ingest -->|TCP :9000| Ledger\n", "")
    files, diags = emit(load(_spec(tmp_path, diagram=diagram)))
    assert [d.code for d in diags if d.severity is Severity.ERROR] == ["ARC565"]


def test_every_load_balancer_name_must_fit(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("Internal[", "InternalPaymentsLoadBalancerNumberOne[").replace(
        "-->|HTTPS| Internal\n", "-->|HTTPS| InternalPaymentsLoadBalancerNumberOne\n").replace(
        "Internal -->|HTTP", "InternalPaymentsLoadBalancerNumberOne -->|HTTP")
    # the internal one in its private subnet is placed well: only its name is too long
    errors = _errors(_spec(tmp_path, diagram=diagram))
    assert [c for c, _ in errors] == ["ARC521", "ARC521"]
    assert all("internalpaymentsloadbalancernumberone' is longer than 32" in m for _, m in errors)
