"""An API Gateway HTTP API routing to a load balancer (archc/catalog/serverless.py `_api`): an
HTTP_PROXY route to the load balancer's listener through a VPC link in the private app
subnets, the link's own security group with exactly the listener port to the load balancer's
group (and that ingress there), the JWT authorizer as on Lambda routes, and ARC553/ARC554 when
the link has no private subnet or the service no load balancer in front."""

from __future__ import annotations

import json
from pathlib import Path

from archc.emit import security_report
from archc.graph import to_graph
from tests.unit.catalog.test_catalog import _spec_with
from tests.unit.emit.test_terraform_emit import emit, load, modules, parse_dir

DIAGRAM = """flowchart LR
    Users((Users))
    Pool[Cognito user pool]
    API[HTTP API]
    Health[Health Lambda]
    subgraph VPC["VPC 10.30.0.0/16"]
        subgraph App["Private Subnet"]
            LB[Internal ALB]
            Orders[Orders ECS service]
        end
    end
    Users -->|HTTPS| API
    API -->|JWT authorizer| Pool
    API -->|GET /health| Health
    API -->|GET /orders POST /orders| LB
    LB -->|HTTP 8080| Orders
"""
OVERLAY = """version: 1
project: shop
components:
  Users: {kind: users}
  Health: {s3_bucket: shop-artifacts, s3_key: health.zip}
  Orders: {container_image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1.0"}
policy:
  internet_entry: [API, Pool]
environments:
  dev: {vpc_cidr: 10.30.0.0/16, nat: none}
"""


def _spec(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> Path:
    return _spec_with(tmp_path, diagram, overlay)


def _build(tmp_path: Path, diagram: str = DIAGRAM,
           overlay: str = OVERLAY) -> tuple[dict[str, list], list]:
    files, diags = emit(load(_spec(tmp_path, diagram, overlay)))
    return parse_dir(files, "terraform/modules/platform"), diags


def _rules(doc: dict[str, list], direction: str) -> dict[str, dict]:
    rtype = f"aws_vpc_security_group_{direction}_rule"
    return {n: b for block in doc.get("resource", []) for n, b in block.get(rtype, {}).items()}


def _link_rules(doc: dict[str, list]) -> list[tuple[str, str, str, str, int, int]]:
    """(direction, group, peer, protocol, from, to) of every rule touching the VPC link."""
    out = []
    for direction in ("ingress", "egress"):
        for rule in _rules(doc, direction).values():
            ends = (rule["security_group_id"], rule.get("referenced_security_group_id", ""))
            if any("vpc_link" in e for e in ends):
                out.append((direction, *ends, rule["ip_protocol"], rule["from_port"],
                            rule["to_port"]))
    return sorted(out)


def test_a_route_to_a_load_balancer_is_an_http_proxy_through_a_vpc_link(
        tmp_path: Path) -> None:
    doc, diags = _build(tmp_path)
    assert not [d.code for d in diags if d.code in ("ARC551", "ARC553", "ARC554", "ARC522")]
    api = modules(doc)["apigw_api"]
    assert sorted(api["routes"]) == ["GET /health", "GET /orders", "POST /orders"]
    for key in ("GET /orders", "POST /orders"):
        route = api["routes"][key]
        integration = route["integration"]
        assert integration["type"] == "HTTP_PROXY" and integration["method"] == "ANY"
        assert integration["uri"] == '${module.lb_lb.listeners["https"].arn}'
        assert integration["connection_type"] == "VPC_LINK"
        # the module sets connection_id to its VPC link of that key
        assert integration["vpc_link_key"] == "private"
        assert integration["payload_format_version"] == "1.0"
        # the Cognito authorizer guards these routes as it does the function's
        assert route["authorization_type"] == "JWT" and route["authorizer_key"] == "cognito"
    # the Lambda route is unchanged
    health = api["routes"]["GET /health"]["integration"]
    assert health["uri"] == "${module.lambda_health.lambda_function_arn}"
    assert "connection_type" not in health
    link = api["vpc_links"]["private"]
    assert link["subnet_ids"] == '${local.subnet_ids["app"]}'
    assert link["security_group_ids"] == ["${aws_security_group.vpc_link_api.id}"]
    groups = {n for block in doc["resource"] for n in block.get("aws_security_group", {})}
    assert "vpc_link_api" in groups


def test_the_vpc_link_reaches_the_listener_port_only_and_never_the_internet(
        tmp_path: Path) -> None:
    doc, _ = _build(tmp_path)
    link, lb = "${aws_security_group.vpc_link_api.id}", "${aws_security_group.lb.id}"
    assert _link_rules(doc) == [("egress", link, lb, "tcp", 443, 443),
                                ("ingress", lb, link, "tcp", 443, 443)]
    for direction in ("ingress", "egress"):
        for rule in _rules(doc, direction).values():
            assert "vpc_link" not in rule["security_group_id"] or "cidr_ipv4" not in rule
    # a listener on another port: exactly that port
    overlay = OVERLAY.replace("  Users: {kind: users}\n",
                              "  Users: {kind: users}\n  LB: {listener_port: 8443}\n")
    doc, _ = _build(tmp_path / "port", overlay=overlay)
    assert _link_rules(doc) == [("egress", link, lb, "tcp", 8443, 8443),
                                ("ingress", lb, link, "tcp", 8443, 8443)]


def test_a_route_to_a_service_goes_to_the_load_balancer_in_front_of_it(
        tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("API -->|GET /orders POST /orders| LB", "API --> Orders")
    doc, diags = _build(tmp_path, diagram)
    assert not [d.code for d in diags if d.code in ("ARC553", "ARC554", "ARC522")]
    api = modules(doc)["apigw_api"]
    route = api["routes"]["ANY /orders/{proxy+}"]
    assert route["integration"]["uri"] == '${module.lb_lb.listeners["https"].arn}'
    assert route["integration"]["connection_type"] == "VPC_LINK"
    link, lb = "${aws_security_group.vpc_link_api.id}", "${aws_security_group.lb.id}"
    # to the load balancer's listener, not to the service's port
    assert _link_rules(doc) == [("egress", link, lb, "tcp", 443, 443),
                                ("ingress", lb, link, "tcp", 443, 443)]


def test_a_network_load_balancer_is_reached_on_its_tls_listener(tmp_path: Path) -> None:
    doc, _ = _build(tmp_path, DIAGRAM.replace("LB[Internal ALB]", "LB[Internal NLB]"))
    route = modules(doc)["apigw_api"]["routes"]["GET /orders"]
    assert route["integration"]["uri"] == '${module.lb_lb.listeners["tls"].arn}'


def test_the_security_report_shows_the_link_rules_and_their_edge(tmp_path: Path) -> None:
    arch = load(_spec(tmp_path))
    files = {f.path: f.data for f in security_report.emit(arch, to_graph(arch)).files}
    rules = {r["id"]: r for r in json.loads(files["security/dev.json"])["rules"]}
    assert {"vpc_link_api_egress_lb_https", "lb_ingress_vpc_link_api_https"} <= set(rules)
    md = files["security/dev.md"].decode("utf-8")
    line = next(ln for ln in md.splitlines() if "`vpc_link_api_egress_lb_https`" in ln)
    assert "tcp/443" in line and "API -> LB (architecture.mmd:15)" in line


def test_a_vpc_link_without_a_private_subnet_is_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace('App["Private Subnet"]', 'App["Public Subnet"]').replace(
        "            Orders[Orders ECS service]\n", "").replace(
        "    LB -->|HTTP 8080| Orders\n", "")
    doc, diags = _build(tmp_path, diagram)
    found = [d for d in diags if d.code == "ARC553"]
    assert len(found) == 1 and "no VPC with a private subnet" in found[0].message
    api = modules(doc)["apigw_api"]
    assert sorted(api["routes"]) == ["GET /health"] and "vpc_links" not in api
    assert _link_rules(doc) == []


def test_a_service_no_load_balancer_fronts_is_said(tmp_path: Path) -> None:
    diagram = DIAGRAM.replace("API -->|GET /orders POST /orders| LB", "API --> Orders").replace(
        "    LB -->|HTTP 8080| Orders\n", "")
    doc, diags = _build(tmp_path, diagram)
    found = [d for d in diags if d.code == "ARC554"]
    assert len(found) == 1 and "no load balancer fronts" in found[0].message
    assert "vpc_links" not in modules(doc)["apigw_api"]
    assert _link_rules(doc) == []
