"""Several DNS zones and CDNs: each zone its own Route53 zone with its records, each CDN its own
CloudFront distribution with its own origin, certificate, logging and WAF association, checked
on the parsed Terraform of tests/cases/valid-dns-zones-and-cdns."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import assert_terraform_fmt_clean
from tests.unit.emit.test_terraform_emit import (
    data_blocks,
    emit,
    load,
    modules,
    parse,
    parse_dir,
    tfvars,
    write,
)
from tests.unit.emit.test_terraform_templates import resources

CASE = "tests/cases/valid-dns-zones-and-cdns/spec"


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, str], list]:
    return emit(load(CASE))


@pytest.fixture(scope="module")
def plat(built: tuple[dict[str, str], list]) -> dict[str, list]:
    return parse_dir(built[0], "terraform/modules/platform")


def test_no_diagnostic_beyond_notes(built: tuple[dict[str, str], list]) -> None:
    assert not [(d.code, d.message) for d in built[1] if d.severity.value != "note"]


def test_two_zones_each_with_its_own_records(plat: dict[str, list]) -> None:
    mods = modules(plat)
    shop, docs = mods["dns"], mods["dns_docsdns"]
    assert shop["name"] == "${var.dns_zone_name}"
    assert docs["name"] == '${var.dns_zones["docsdns"].zone_name}'
    assert docs["create_zone"] == '${var.dns_zones["docsdns"].create_zone}'
    assert set(shop["records"]) == {"www", "www_ipv6", "origin_www"}
    assert set(docs["records"]) == {"docsdns_docs", "docsdns_docs_ipv6",
                                    "docsdns_origin_docs", "docsdns_www"}
    # the CNAME drawn from the second zone to the marketing site
    assert docs["records"]["docsdns_www"]["records"] == ["cname.vercel-dns.com"]
    # each zone's CDN aliases point at that zone's own distribution
    assert shop["records"]["www"]["alias"]["name"] == \
        "${module.cdn.cloudfront_distribution_domain_name}"
    assert docs["records"]["docsdns_docs"]["alias"]["name"] == \
        "${module.cdn_docscdn.cloudfront_distribution_domain_name}"
    assert docs["records"]["docsdns_origin_docs"]["alias"]["name"] == \
        "${module.lb_docsalb.dns_name}"
    # each zone is delegated from its own domain's zone
    parents = data_blocks(plat, "aws_route53_zone")
    assert parents["domain"]["name"] == "${var.dns_domain}"
    assert parents["domain_docsdns"]["name"] == '${var.dns_zones["docsdns"].domain}'
    ns = resources(plat, "aws_route53_record")
    assert ns["dns_delegation"]["records"] == "${module.dns.name_servers}"
    assert ns["dns_docsdns_delegation"]["records"] == "${module.dns_docsdns.name_servers}"


def test_two_distributions_each_with_its_own_origin(plat: dict[str, list]) -> None:
    mods = modules(plat)
    shop, docs = mods["cdn"], mods["cdn_docscdn"]
    assert set(shop["origin"]) == {"shopalb"} and set(docs["origin"]) == {"docsalb"}
    assert shop["origin"]["shopalb"]["domain_name"] == "origin-www.${var.dns_zone_name}"
    assert docs["origin"]["docsalb"]["domain_name"] == \
        'origin-docs.${var.dns_zones["docsdns"].zone_name}'
    assert shop["default_cache_behavior"]["target_origin_id"] == "shopalb"
    assert docs["default_cache_behavior"]["target_origin_id"] == "docsalb"
    assert shop["aliases"] == ["www.${var.dns_zone_name}"]
    assert docs["aliases"] == ['docs.${var.dns_zones["docsdns"].zone_name}']
    # own viewer certificates, validated in the zone of their names
    assert shop["viewer_certificate"]["acm_certificate_arn"] == \
        "${aws_acm_certificate_validation.edge.certificate_arn}"
    assert docs["viewer_certificate"]["acm_certificate_arn"] == \
        "${aws_acm_certificate_validation.edge_docscdn.certificate_arn}"
    validation = resources(plat, "aws_route53_record")
    assert validation["edge_validation"]["zone_id"] == "${module.dns.id}"
    assert validation["edge_docscdn_validation"]["zone_id"] == "${module.dns_docsdns.id}"
    # own access logs and origin secrets
    logs = resources(plat, "aws_cloudwatch_log_group")
    assert {"cdn_shopcdn", "cdn_docscdn"} <= set(logs)
    assert shop["v2_logging"]["delivery_destination_configuration"][
        "destination_resource_arn"] == "${aws_cloudwatch_log_group.cdn_shopcdn.arn}"
    assert docs["v2_logging"]["delivery_destination_configuration"][
        "destination_resource_arn"] == "${aws_cloudwatch_log_group.cdn_docscdn.arn}"
    assert {"shopcdn_origin_verify", "docscdn_origin_verify"} <= set(
        resources(plat, "random_password"))


def test_the_waf_fronts_only_the_cdn_it_is_drawn_in_front_of(plat: dict[str, list]) -> None:
    mods = modules(plat)
    assert mods["cdn"]["web_acl_id"] == "${aws_wafv2_web_acl.edge.arn}"
    assert "web_acl_id" not in mods["cdn_docscdn"]
    assert set(resources(plat, "aws_wafv2_web_acl")) == {"edge"}


def test_each_load_balancer_checks_its_own_cdn_secret(plat: dict[str, list]) -> None:
    rules = resources(plat, "aws_lb_listener_rule")
    text = repr(rules)
    assert "random_password.shopcdn_origin_verify" in text
    assert "random_password.docscdn_origin_verify" in text


def test_inputs_and_outputs_per_zone_and_distribution(built: tuple[dict[str, str], list],
                                                      plat: dict[str, list],
                                                      tmp_path: Path) -> None:
    files = built[0]
    assert tfvars(files, "dev")["dns_zones"] == {"docsdns": {
        "domain": "example.org", "zone_name": "dev.example.org", "create_zone": True}}
    assert tfvars(files, "prod")["dns_zones"] == {"docsdns": {
        "domain": "example.org", "zone_name": "example.org", "create_zone": False}}
    outputs = {n for block in plat["output"] for n in block}
    assert {"dns_zone_id", "dns_docsdns_zone_id", "dns_docsdns_name_servers",
            "cdn_distribution_id", "cdn_docscdn_distribution_id",
            "cdn_docscdn_domain_name"} <= outputs
    hostnames = next(b["hostnames"] for b in plat["output"] if "hostnames" in b)["value"]
    assert hostnames["docsdns_www"] == 'www.${var.dns_zones["docsdns"].zone_name}'
    for text in files.values():
        parse(text)
    assert_terraform_fmt_clean(write(files, tmp_path))


SECOND_ZONE_WITHOUT_DOMAIN = """version: 1
project: shop
domain: shop.example.com
components:
  ShopAPI: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
  DocsAPI: {container_image: "public.ecr.aws/nginx/nginx:1.27"}
environments:
  dev: {vpc_cidr: 10.40.0.0/16}
"""


def test_a_second_zone_needs_its_own_domain(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram = (Path(__file__).resolve().parents[3] / CASE / "architecture.mmd").read_text(
        encoding="utf-8").replace("    DocsDNS -->|CNAME| Site\n", "")
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(SECOND_ZONE_WITHOUT_DOMAIN, encoding="utf-8")
    files, diags = emit(load("spec", tmp_path))
    assert [d.code for d in diags if "DocsDNS is a second DNS zone" in d.message] == ["ARC513"]
    plat = parse_dir(files, "terraform/modules/platform")
    assert "dns_docsdns" not in modules(plat) and "dns" in modules(plat)
    assert "dns_zones" not in tfvars(files, "dev")
    # both CDNs are still emitted; the second's aliases fall in the one zone
    assert {"cdn", "cdn_docscdn"} <= set(modules(plat))


def test_two_cdns_without_a_zone_take_one_origin_input_each(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram = (Path(__file__).resolve().parents[3] / CASE / "architecture.mmd").read_text(
        encoding="utf-8")
    for line in ("    ShopDNS[Shop Route53]\n", "    DocsDNS[Docs Route53]\n",
                 "    Users -->|DNS| ShopDNS\n", "    Users -->|DNS| DocsDNS\n",
                 "    ShopDNS -->|alias| ShopCDN\n", "    DocsDNS -->|alias| DocsCDN\n",
                 "    DocsDNS -->|CNAME| Site\n", "    Site[Marketing Site]\n"):
        diagram = diagram.replace(line, "")
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(SECOND_ZONE_WITHOUT_DOMAIN, encoding="utf-8")
    files, diags = emit(load("spec", tmp_path))
    arc514 = [d.message for d in diags if d.code == "ARC514"]
    assert len(arc514) == 1 and "cdn_origin_domain_name, cdn_docscdn_origin_domain_name" \
        in arc514[0]
    plat = parse_dir(files, "terraform/modules/platform")
    mods = modules(plat)
    assert mods["cdn"]["origin"]["shopalb"]["domain_name"] == "${var.cdn_origin_domain_name}"
    assert mods["cdn_docscdn"]["origin"]["docsalb"]["domain_name"] == \
        "${var.cdn_docscdn_origin_domain_name}"
    variables = {n for block in plat["variable"] for n in block}
    assert {"cdn_origin_domain_name", "cdn_docscdn_origin_domain_name"} <= variables
    assert mods["cdn_docscdn"]["viewer_certificate"] == {"cloudfront_default_certificate": True}


def test_a_certificate_over_two_zones_validates_each_name_in_its_zone(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    case = Path(__file__).resolve().parents[3] / CASE
    (spec / "architecture.mmd").write_text((case / "architecture.mmd").read_text(
        encoding="utf-8"), encoding="utf-8")
    (spec / "archc.yaml").write_text((case / "archc.yaml").read_text(encoding="utf-8").replace(
        "ShopCDN: {aliases: [www.shop.example.com]}",
        "ShopCDN: {aliases: [www.shop.example.com, shop.example.org]}"), encoding="utf-8")
    files, diags = emit(load("spec", tmp_path))
    assert not [d.code for d in diags if d.severity.value != "note"]
    plat = parse_dir(files, "terraform/modules/platform")
    assert modules(plat)["cdn"]["aliases"] == [
        "www.${var.dns_zone_name}", 'shop.${var.dns_zones["docsdns"].zone_name}']
    zone_id = resources(plat, "aws_route53_record")["edge_validation"]["zone_id"]
    assert "module.dns.id" in zone_id and "module.dns_docsdns.id" in zone_id
    assert zone_id.endswith("[each.key]}")
    assert resources(plat, "aws_acm_certificate_validation")["edge"]["depends_on"] == [
        "${aws_route53_record.dns_delegation}", "${aws_route53_record.dns_docsdns_delegation}"]
    assert_terraform_fmt_clean(write(files, tmp_path / "out"))
