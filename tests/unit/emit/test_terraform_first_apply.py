"""Issue 12, "breaks the first apply" and the edge's security: what the generated Terraform
needs so that `terraform apply` completes in a fresh account and the ALB answers only CloudFront.
Structure is asserted on the parsed HCL of the seed and of small variants of its overlay."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from archc import pipeline
from archc.diagnostics import Severity
from archc.emit.terraform.edge import ORIGIN_VERIFY_HEADER
from archc.model import Architecture
from archc.spec import load_spec
from tests.unit.emit.test_terraform_emit import (  # noqa: F401 - bare is a fixture
    REPO,
    bare,
    data_blocks,
    emit,
    load,
    modules,
    parse,
    parse_dir,
    tfvars,
)

PLATFORM = "terraform/modules/platform"
# The cloudfront module's own default at its pinned tag (v6.6.0, variables.tf viewer_certificate).
CLOUDFRONT_MODULE_DEFAULT_TLS = "TLSv1.2_2025"


def _one(block):
    return block[0] if isinstance(block, list) else block


def _resources(doc: dict, rtype: str) -> dict[str, dict]:
    return {n: b for block in doc.get("resource", []) for n, b in block.get(rtype, {}).items()}


def _variables(doc: dict) -> dict[str, dict]:
    return {n: b for block in doc["variable"] for n, b in block.items()}


def _seed_variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of spec/ with one overlay text replaced."""
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    overlay = spec / "archc.yaml"
    text = overlay.read_text(encoding="utf-8")
    assert old in text
    overlay.write_text(text.replace(old, new), encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    out, diags = emit(load("spec"))
    # The seed names nothing its EC2 hosts run (ARC532, test_in_use.py); nothing else is found.
    assert {d.code for d in diags} <= {"ARC532"}
    return out


@pytest.fixture(scope="module")
def platform(files: dict[str, str]) -> dict[str, list]:
    return parse_dir(files, PLATFORM)


# --------------------------------------------------------------------------- (1) DNS
def test_prod_uses_the_existing_domain_zone_and_others_a_delegated_subzone(
        files: dict[str, str], platform: dict[str, list]) -> None:
    dns = modules(platform)["dns"]
    assert dns["name"] == "${var.dns_zone_name}"
    assert dns["create_zone"] == "${var.dns_create_zone}"  # never a second apex zone
    values = {env: tfvars(files, env) for env in ("dev", "staging", "prod")}
    assert (values["prod"]["dns_create_zone"], values["prod"]["dns_zone_name"]) == (
        False, "clusterprotocol.ai")
    for env in ("dev", "staging"):
        assert (values[env]["dns_create_zone"], values[env]["dns_zone_name"]) == (
            True, f"{env}.clusterprotocol.ai")
    assert {v["dns_domain"] for v in values.values()} == {"clusterprotocol.ai"}


def test_a_subzone_is_delegated_from_the_domain_zone_before_validation(
        platform: dict[str, list]) -> None:
    parent = data_blocks(platform, "aws_route53_zone")["domain"]
    assert parent["name"] == "${var.dns_domain}" and parent["private_zone"] is False
    assert parent["count"] == "${var.dns_create_zone ? 1 : 0}"
    ns = _resources(platform, "aws_route53_record")["dns_delegation"]
    assert ns["count"] == parent["count"]
    assert (ns["type"], ns["name"]) == ("NS", "${var.dns_zone_name}")
    assert ns["zone_id"] == "${data.aws_route53_zone.domain[0].zone_id}"
    assert ns["records"] == "${module.dns.name_servers}"
    validations = _resources(platform, "aws_acm_certificate_validation")
    assert set(validations) == {"alb", "edge"}
    for body in validations.values():
        assert body["depends_on"] == ["${aws_route53_record.dns_delegation}"]


def test_the_zone_name_must_belong_to_the_domain(platform: dict[str, list]) -> None:
    variables = _variables(platform)
    assert variables["dns_create_zone"]["type"] == "bool"
    condition = _one(variables["dns_zone_name"]["validation"])["condition"]
    assert "var.dns_domain" in condition and "var.dns_create_zone" in condition


def test_dns_zone_in_the_overlay_chooses_per_environment(tmp_path: Path) -> None:
    spec = _seed_variant(tmp_path, "    spot_non_critical: false\n",
                         "    spot_non_critical: false\n    dns_zone: subzone\n")
    out, diags = emit(load(spec))
    assert not [d for d in diags if d.severity == Severity.ERROR]
    prod = tfvars(out, "prod")
    assert (prod["dns_create_zone"], prod["dns_zone_name"]) == (True, "prod.clusterprotocol.ai")


def test_two_environments_in_the_apex_zone_are_an_error(tmp_path: Path) -> None:
    spec = _seed_variant(tmp_path, "    azs: 2\n    nat: single\n    spot_non_critical: true\n"
                                   "    components:\n      EC2",
                         "    azs: 2\n    nat: single\n    spot_non_critical: true\n"
                         "    dns_zone: apex\n    components:\n      EC2")
    _, diags = emit(load(spec))
    found = [d for d in diags if d.code == "ARC535"]
    assert [(d.severity, "dev" in d.message) for d in found] == [(Severity.ERROR, True)]
    assert "dns_zone: subzone" in (found[0].hint or "")
    checked = [d for d in pipeline.check(spec).diagnostics if d.code == "ARC535"]
    assert checked == found  # check reports what build would, at the environment's key


def test_dns_zone_accepts_only_apex_or_subzone(tmp_path: Path) -> None:
    spec = _seed_variant(tmp_path, "    spot_non_critical: false\n",
                         "    spot_non_critical: false\n    dns_zone: create\n")
    loaded = load_spec(spec)
    assert [d.code for d in loaded.diagnostics if d.severity == Severity.ERROR] == ["ARC163"]


# --------------------------------------------------------------------------- (2) ALB logs
def test_alb_access_logs_wait_for_the_log_bucket_policy(platform: dict[str, list]) -> None:
    locals_ = {k: v for block in platform["locals"] for k, v in block.items()}
    log_bucket = locals_["access_log_bucket"]
    # s3-bucket v5: s3_bucket_id does not depend on the policy, s3_bucket_policy does.
    assert log_bucket == {"id": "${module.s3_logs.s3_bucket_id}",
                          "policy": "${module.s3_logs.s3_bucket_policy}"}
    mods = modules(platform)
    assert mods["lb_alb"]["access_logs"]["bucket"] == "${local.access_log_bucket.id}"
    for name, body in mods.items():
        if "logging" in body:
            assert body["logging"]["target_bucket"] == "${local.access_log_bucket.id}", name


# --------------------------------------------------------------------------- (3) prerequisites
def test_documentation_admin_cidrs_are_a_warning_and_refused_by_terraform(
        tmp_path: Path, platform: dict[str, list]) -> None:
    loaded = load_spec(REPO / "spec")
    found = [d for d in loaded.diagnostics if d.code == "ARC410"]
    assert [(d.severity, "203.0.113.0/24" in d.message) for d in found] == [
        (Severity.WARNING, True)]
    assert found[0].span is not None and found[0].span.file.endswith("archc.yaml")
    real = load_spec(_seed_variant(tmp_path, "admin_cidrs: [203.0.113.0/24]",
                                   "admin_cidrs: [198.18.7.0/24]"))
    assert "ARC410" not in {d.code for d in real.diagnostics}
    validations = _variables(platform)["admin_cidr_blocks"]["validation"]
    doc_check = next(v for v in validations if "RFC 5737" in v["error_message"])
    pattern = re.search(r'regex\("([^"]+)"', doc_check["condition"])
    assert pattern is not None
    for cidr, refused in (("203.0.113.0/24", True), ("198.51.100.7/32", True),
                          ("192.0.2.0/25", True), ("198.18.7.0/24", False),
                          ("10.203.0.113/32", False)):
        assert bool(re.search(pattern.group(1), cidr)) is refused, cidr


def test_a_state_bucket_name_that_cannot_fit_is_an_error(tmp_path: Path) -> None:
    spec = _seed_variant(tmp_path, "project: cluster-protocol\n",
                         "project: cluster-protocol-platform-future-ai\n")
    _, diags = emit(load(spec))
    assert any(d.code == "ARC521" and "state bucket" in d.message for d in diags)


# --------------------------------------------------------------------------- (4) backend
def test_dynamodb_locking_is_deprecated_and_the_lock_file_is_used(tmp_path: Path) -> None:
    spec = _seed_variant(tmp_path, "  locking: lockfile\n", "  locking: dynamodb\n")
    arch = load(spec)
    warned = [d for d in load_spec(spec).diagnostics if d.code == "ARC217"]
    assert [d.severity for d in warned] == [Severity.WARNING]
    out, _ = emit(arch)
    s3 = _one(parse(out["terraform/envs/dev/backend.tf"])["terraform"][0]["backend"])["s3"]
    assert s3["use_lockfile"] is True and "dynamodb_table" not in s3
    assert s3["kms_key_id"] == "alias/cluster-protocol-tfstate"
    assert set(modules(parse_dir(out, "terraform/bootstrap"))) == {"state_bucket"}


# --------------------------------------------------------------------------- (5) origin secret
def test_cloudfront_sends_a_random_origin_secret(platform: dict[str, list]) -> None:
    secret = _resources(platform, "random_password")["cloudfront_origin_verify"]
    assert secret["special"] is False and secret["length"] >= 32
    origin = modules(platform)["cdn"]["origin"]["alb"]
    assert origin["custom_header"] == {
        ORIGIN_VERIFY_HEADER: "${random_password.cloudfront_origin_verify.result}"}


def test_the_alb_forwards_only_requests_with_the_origin_secret(
        platform: dict[str, list], bare_files: dict[str, str]) -> None:
    listener = modules(platform)["lb_alb"]["listeners"]["https"]
    assert "forward" not in listener
    assert listener["fixed_response"] == {"content_type": "text/plain", "status_code": "403"}
    rule = _resources(platform, "aws_lb_listener_rule")["alb_origin_verify"]
    assert rule["listener_arn"] == '${module.lb_alb.listeners["https"].arn}'
    header = _one(_one(rule["condition"])["http_header"])
    assert header == {"http_header_name": ORIGIN_VERIFY_HEADER,
                      "values": ["${random_password.cloudfront_origin_verify.result}"]}
    action = _one(rule["action"])
    assert action == {"type": "forward",
                      "target_group_arn": '${module.lb_alb.target_groups["ec2"].arn}'}
    # Without a CDN in front, the load balancer forwards directly and there is no secret.
    plat = parse_dir(bare_files, PLATFORM)
    assert modules(plat)["lb_alb"]["listeners"]["https"]["forward"] == {"target_group_key": "api"}
    assert not _resources(plat, "aws_lb_listener_rule")
    assert not _resources(plat, "random_password")


def test_random_is_pinned_wherever_the_origin_secret_is_made(files: dict[str, str]) -> None:
    module_versions = parse(files[f"{PLATFORM}/versions.tf"])["terraform"][0]
    assert "random" in _one(module_versions["required_providers"])
    env = parse(files["terraform/envs/prod/versions.tf"])["terraform"][0]
    assert "random" in _one(env["required_providers"])


@pytest.fixture(scope="module")
def bare_files(bare: Architecture) -> dict[str, str]:  # noqa: F811 - the imported fixture
    out, _ = emit(bare)
    return out


# --------------------------------------------------------------------------- (6) CloudFront
def test_cloudfront_tls_policy_is_the_module_default(platform: dict[str, list]) -> None:
    viewer = modules(platform)["cdn"]["viewer_certificate"]
    assert viewer["minimum_protocol_version"] == CLOUDFRONT_MODULE_DEFAULT_TLS


def test_cloudfront_access_logs_go_to_an_encrypted_edge_log_group(
        platform: dict[str, list]) -> None:
    cdn = modules(platform)["cdn"]
    assert cdn["enable_v2_logging"] is True
    v2 = cdn["v2_logging"]
    assert v2["delivery_destination_type"] == "CWL"
    assert v2["delivery_destination_configuration"] == {
        "destination_resource_arn": "${aws_cloudwatch_log_group.cdn_cloudfront.arn}"}
    group = _resources(platform, "aws_cloudwatch_log_group")["cdn_cloudfront"]
    assert group["provider"] == "${aws.us_east_1}"
    assert group["kms_key_id"] == "${aws_kms_key.edge.arn}"
    assert group["retention_in_days"] == "${var.log_retention_days}"
    assert group["name"].startswith("/aws/vendedlogs/cloudfront/")
