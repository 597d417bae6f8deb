"""The ACM certificate kind (archc/catalog/edge.py `acm_certificate`): a certificate drawn
apart from the load balancers and CloudFront (whose certificates archc issues itself), its
names per environment, validated through DNS in the Route53 zone it points at (`Cert --> DNS`),
its ARN an output for what serves it (an API Gateway's overlay `certificate_arn`). This one
file, its catalog entry and its template are the whole kind."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from archc import pipeline
from archc.catalog import CATALOG
from archc.catalog.spec import Scope
from archc.diagnostics import Diagnostic, Severity
from archc.diff import assess, compare
from archc.diff.side import Side
from archc.kinds import infer_kind, infer_kind_from_icon
from tests.unit.catalog.test_catalog import _spec_with
from tests.unit.emit.test_terraform_emit import emit, load, parse_dir, tfvars

DIAGRAM = """flowchart TB
    Users((Users))
    subgraph AWS["AWS"]
        DNS[Route53]
        Cert["ACM certificate *.shop.example.com"]
        subgraph VPC["VPC 10.20.0.0/16"]
            subgraph Public["Public Subnet"]
                ALB[Application Load Balancer]
                NAT[NAT Gateway]
            end
            subgraph App["Private Subnet"]
                API[Orders API]
            end
        end
        IGW[Internet Gateway]
    end
    Users -->|HTTPS| ALB
    ALB -->|HTTP :8080| API
    Cert -->|validation| DNS
    API --> NAT
    NAT --> IGW
"""
OVERLAY = """version: 1
project: shop
domain: shop.example.com
components:
  API: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  Cert: {subject_alternative_names: [shop.example.com]}
environments:
  dev:
    vpc_cidr: 10.20.0.0/16
    components:
      Cert:
        domain_name: "*.dev.shop.example.com"
        subject_alternative_names: [dev.shop.example.com]
  prod: {vpc_cidr: 10.30.0.0/16}
"""
NO_ZONE = DIAGRAM.replace("        DNS[Route53]\n", "").replace("    Cert -->|validation| DNS\n",
                                                             "")


def _spec(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> Path:
    return _spec_with(tmp_path, diagram, overlay)


def _check(tmp_path: Path, diagram: str = DIAGRAM, overlay: str = OVERLAY) -> list[Diagnostic]:
    return list(pipeline.check(_spec(tmp_path, diagram, overlay)).diagnostics)


def _resources(platform: dict[str, list[Any]], rtype: str) -> dict[str, dict[str, Any]]:
    return {n: b for block in platform.get("resource", []) for n, b in block.get(rtype, {}).items()}


@pytest.mark.parametrize("label", ["ACM certificate *.shop.example.com", "TLS cert",
                                   "AWS Certificate Manager", "SSL certificates", "ACM"])
def test_its_words_name_it(label: str) -> None:
    found = infer_kind("Cert", label)
    assert found is not None and found[0] == "acm_certificate"


def test_its_icon_names_it_and_it_lives_outside_the_vpc_with_no_security_group() -> None:
    assert infer_kind_from_icon("aws:certificate-manager") == "acm_certificate"
    spec = CATALOG["acm_certificate"]
    assert spec.scope is Scope.GLOBAL and not spec.security_group and spec.iam is None


def test_a_spec_with_a_certificate_checks_clean(tmp_path: Path) -> None:
    found = _check(tmp_path)
    assert [d.message for d in found if d.severity is not Severity.NOTE] == []
    notes = [d for d in found if d.code in ("ARC291", "ARC566", "ARC567")]
    assert notes == []  # a component, named, validated in the zone


def test_it_is_issued_with_dns_validation_in_the_zone_it_points_at(tmp_path: Path) -> None:
    files, diags = emit(load(_spec(tmp_path)))
    assert not [d for d in diags if d.severity is Severity.ERROR]
    platform = parse_dir(files, "terraform/modules/platform")
    cert = _resources(platform, "aws_acm_certificate")["acm_cert"]
    assert cert["validation_method"] == "DNS"
    assert cert["domain_name"] == '${var.components["cert"].domain_name}'
    assert cert["lifecycle"][0]["create_before_destroy"] is True
    assert cert["options"][0]["certificate_transparency_logging_preference"] == "ENABLED"
    record = _resources(platform, "aws_route53_record")["acm_cert_validation"]
    assert record["zone_id"] == "${module.dns.id}"
    validation = _resources(platform, "aws_acm_certificate_validation")["acm_cert"]
    assert validation["certificate_arn"] == "${aws_acm_certificate.acm_cert.arn}"
    # no security group, no rule, no IAM grant for it
    assert "cert" not in _resources(platform, "aws_security_group")
    assert "acm" not in files["terraform/modules/platform/iam.tf"]
    # its names per environment: the overlay's, an environment's override, the label's default
    dev, prod = (tfvars(files, env)["components"]["cert"] for env in ("dev", "prod"))
    assert dev == {"domain_name": "*.dev.shop.example.com",
                   "subject_alternative_names": ["dev.shop.example.com"]}
    assert prod == {"domain_name": "*.shop.example.com",
                    "subject_alternative_names": ["shop.example.com"]}
    outputs = files["terraform/modules/platform/outputs.tf"]
    assert 'output "cert_certificate_arn"' in outputs
    assert "value       = aws_acm_certificate.acm_cert.arn" in outputs
    assert "module.platform.cert_certificate_arn" in files["terraform/envs/prod/outputs.tf"]


def test_without_a_zone_it_stays_pending_and_says_so(tmp_path: Path) -> None:
    found = _check(tmp_path, NO_ZONE, OVERLAY.replace("domain: shop.example.com\n", ""))
    # (ARC514: the load balancer's own certificate is an input then)
    assert [d.code for d in found if d.severity is not Severity.NOTE] == ["ARC514"]
    assert [d.code for d in found if d.code == "ARC567"] == ["ARC567"]
    files, _ = emit(load(_spec(tmp_path / "build", NO_ZONE,
                               OVERLAY.replace("domain: shop.example.com\n", ""))))
    text = files["terraform/modules/platform/acm_certificate.tf"]
    assert 'resource "aws_acm_certificate" "acm_cert"' in text
    assert "aws_route53_record" not in text and "aws_acm_certificate_validation" not in text
    assert 'output "cert_certificate_validation_records"' in \
        files["terraform/modules/platform/outputs.tf"]


def test_a_certificate_that_names_no_domain_is_a_warning_and_a_plan_error(
        tmp_path: Path) -> None:
    diagram = NO_ZONE.replace('Cert["ACM certificate *.shop.example.com"]', 'Cert["TLS cert"]')
    overlay = OVERLAY.replace("domain: shop.example.com\n", "").replace(
        "        subject_alternative_names: [dev.shop.example.com]\n", "")
    found = _check(tmp_path, diagram, overlay)
    warnings = [d for d in found if d.severity is Severity.WARNING and d.code != "ARC514"]
    assert [(d.code, "in prod:" in d.message) for d in warnings] == [("ARC566", True)]
    files, _ = emit(load(_spec(tmp_path / "build", diagram, overlay)))
    text = files["terraform/modules/platform/acm_certificate.tf"]
    assert 'condition     = var.components["cert"].domain_name != null' in text
    assert tfvars(files, "dev")["components"]["cert"]["domain_name"] == "*.dev.shop.example.com"


def test_one_drawn_next_to_a_load_balancer_is_the_load_balancers(tmp_path: Path) -> None:
    # archc issues the load balancer's certificate itself (archc/kinds.py DERIVED_FOR)
    overlay = OVERLAY.split("environments:")[0].replace(
        "  Cert: {subject_alternative_names: [shop.example.com]}\n", "") + \
        "environments:\n  dev: {vpc_cidr: 10.20.0.0/16}\n"
    found = _check(tmp_path, DIAGRAM + "    Cert -.-> ALB\n", overlay)
    assert [d.code for d in found if d.severity is Severity.ERROR] == []
    assert any(d.code == "ARC291" and d.message.startswith("Cert ") for d in found)


@pytest.mark.parametrize(("name", "valid"), [
    ("*.shop.example.com", True), ("shop.example.com", True), ("api-1.example.co.uk", True),
    ("*.*.example.com", False), ("Shop.Example.com", False), ("shop", False),
    ("shop.example.com.", False), ("-a.example.com", False)])
def test_its_names_are_dns_names(tmp_path: Path, name: str, valid: bool) -> None:
    # the schema when the overlay names the kind; the build's ARC566 when the label says it
    # (the schema's `domain_name` is also an API's, which takes other names)
    named = OVERLAY.replace("Cert: {subject_alternative_names",
                            f'Cert: {{kind: acm_certificate, domain_name: "{name}", '
                            "subject_alternative_names")
    codes = [d.code for d in _check(tmp_path, overlay=named) if d.severity is Severity.ERROR]
    assert set(codes) == (set() if valid else {"ARC163"})
    inferred = OVERLAY.replace("Cert: {subject_alternative_names",
                               f'Cert: {{domain_name: "{name}", subject_alternative_names')
    found = {d.code for d in _check(tmp_path / "inferred", overlay=inferred)
             if d.severity is not Severity.NOTE}
    assert found == (set() if valid else {"ARC566"} if re.fullmatch(r"[a-z0-9.-]+", name)
                     else {"ARC163"})


def test_changing_its_domain_is_a_medium_risk(tmp_path: Path) -> None:
    def arch(name: str, domain: str) -> Any:
        checked = pipeline.check(_spec(tmp_path / name, overlay=OVERLAY.replace(
            "Cert: {subject_alternative_names", f'Cert: {{domain_name: "{domain}", '
                                                 "subject_alternative_names")))
        assert checked.loaded.arch is not None
        return checked.loaded.arch

    base, head = arch("base", "*.shop.example.com"), arch("head", "*.store.example.com")
    risks = assess(compare(base, head), Side.of(base), Side.of(head))
    assert [(r.code, r.change.id) for r in risks] == [("property-medium", "Cert")]
    assert "prod: Cert domain_name *.shop.example.com -> *.store.example.com: ACM issues" in \
        risks[0].message
