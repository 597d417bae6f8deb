"""Each rule on the smallest spec that triggers it (and the same spec fixed, where useful)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.diagnostics import Severity
from tests.unit.rules.minispec import BASE, OVERLAY, check, codes


def test_base_is_clean(tmp_path: Path) -> None:
    outcome = check(tmp_path)
    # only what build says too: with no DNS zone, certificates are operator inputs (ARC514); the
    # overlay does not say what the API's instances run (ARC532)
    assert codes(outcome) == [] and codes(outcome, Severity.WARNING) == ["ARC514", "ARC532"]


def test_ambiguous_label_is_a_warning(tmp_path: Path) -> None:
    diagram = BASE.replace('DB["Amazon RDS"]', 'DB["S3 Database Backups"]')
    outcome = check(tmp_path, diagram)
    assert "ARC208" in codes(outcome, Severity.WARNING)


@pytest.mark.parametrize(("edit", "code"), [
    (('API["API Service"]', 'API["API Service"]\n                Box["Mystery Box"]'), "ARC202"),
    (("    NAT -->|\"Egress\"| IGW\n", "    NAT -->|\"Egress\"| IGW\n    API <--> W\n"
      "    W[\"Worker Instance\"]\n"), "ARC301"),
    (("    ALB -->|\"API Traffic\"| API\n", "    ALB -->|\"API Traffic\"| API\n"
      "    DB -->|\"Patches\"| NAT\n"), "ARC308"),
    (("    NAT -->|\"Egress\"| IGW\n", "    NAT -->|\"Egress\"| IGW\n    NAT --> API\n"),
     "ARC304"),
    (("    Users -->|\"HTTPS\"| CDN\n", "    Users -->|\"HTTPS\"| CDN\n    D[\"Route53\"]\n"
      "    D --> IGW\n"), "ARC306"),
    (("        subgraph vpc [\"VPC\"]\n", "        subgraph vpc2 [\"Other VPC\"]\n"
      "            X2[\"Bastion Host\"]\n        end\n        subgraph vpc [\"VPC\"]\n"),
     "ARC216"),
    (("        IGW[\"Internet Gateway\"]\n", "        IGW[\"Internet Gateway\"]\n"
      "        subgraph loose [\"Loose Subnet\"]\n            J[\"Jump Host\"]\n        end\n"),
     "ARC210"),
    (('                API["API Service"]\n', '                API["API Service"]\n'
      '                Q["CloudFront"]\n'), "ARC214"),
])
def test_rule_fires(tmp_path: Path, edit: tuple[str, str], code: str) -> None:
    old, new = edit
    assert old in BASE
    outcome = check(tmp_path, BASE.replace(old, new))
    assert code in codes(outcome), [str(d.message) for d in outcome.diagnostics]


def test_internet_may_enter_only_at_declared_entry_points(tmp_path: Path) -> None:
    diagram = BASE + '    Users -->|"Direct"| ALB\n'
    assert codes(check(tmp_path, diagram)) == []  # a load balancer is an entry by default
    overlay = OVERLAY + "policy:\n  internet_entry: [CDN]\n"
    assert codes(check(tmp_path, diagram, overlay)) == ["ARC303"]


def test_unknown_overlay_ids_get_a_did_you_mean(tmp_path: Path) -> None:
    overlay = OVERLAY + "components:\n  APi: {kind: backend_service}\n"
    outcome = check(tmp_path, overlay=overlay)
    (diag,) = [d for d in outcome.diagnostics if d.code == "ARC201"]
    assert diag.hint == "did you mean 'API'?"
    assert diag.span is not None and diag.span.file.endswith("archc.yaml")


def test_bad_initiator_points_at_the_overlay_value(tmp_path: Path) -> None:
    overlay = OVERLAY + 'flows:\n  "API -> DB": {initiator: NAT}\n'
    outcome = check(tmp_path, overlay=overlay)
    (diag,) = [d for d in outcome.diagnostics if d.code == "ARC205"]
    assert diag.span is not None and diag.span.line == 6


@pytest.mark.parametrize(("zones", "code"), [
    ("      Public Subnet: {cidrs: [10.0.0.0/24]}\n", "ARC406"),
    ("      Private App Subnet: {cidrs: [10.0.8.0/30, 10.0.8.4/30]}\n", "ARC407"),
])
def test_explicit_cidrs_wrong_count_or_too_small(tmp_path: Path, zones: str, code: str) -> None:
    overlay = OVERLAY.replace(
        "  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}\n",
        "  dev:\n    vpc_cidr: 10.0.0.0/16\n    azs: 2\n    zones:\n" + zones)
    assert set(codes(check(tmp_path, overlay=overlay))) == {code}


def test_subnet_outside_its_vpc(tmp_path: Path) -> None:
    overlay = OVERLAY.replace(
        "  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}\n",
        "  dev:\n    vpc_cidr: 10.0.0.0/16\n    azs: 2\n    zones:\n"
        "      Public Subnet: {cidrs: [10.1.0.0/24, 10.0.1.0/24]}\n")
    assert "ARC401" in codes(check(tmp_path, overlay=overlay))


def test_data_tier_inferred_from_contents_and_env_overrides_merge(tmp_path: Path) -> None:
    diagram = BASE.replace('subgraph data ["Private Data Subnet"]', 'subgraph data ["Storage"]')
    overlay = OVERLAY.replace("environments:", "zones:\n  Storage: {role: subnet, tier: data}\n"
                              "components:\n  DB: {kind: database, engine: mysql, "
                              "instance_class: db.t4g.micro, storage_gb: 20}\nenvironments:")
    overlay += "    components:\n      DB: {storage_gb: 100}\n"
    overlay = overlay.replace("  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}\n",
                              "  dev:\n    vpc_cidr: 10.0.0.0/16\n")
    outcome = check(tmp_path, diagram, overlay)
    assert codes(outcome) == []
    arch = outcome.loaded.arch
    props = arch.environment("dev").props("DB")
    assert props["storage_gb"] == 100 and props["engine"] == "mysql"
    flow = next(f for f in arch.flows if f.target == "DB")
    assert flow.ports == ((3306, 3306),)


def test_environments_may_only_change_sizes_and_availability(tmp_path: Path) -> None:
    overlay = OVERLAY.replace("  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}\n",
                              "  dev:\n    vpc_cidr: 10.0.0.0/16\n    components:\n"
                              "      DB: {storage_gb: 50, engine: mysql}\n")
    outcome = check(tmp_path, overlay=overlay)
    (diag,) = [d for d in outcome.diagnostics if d.severity is Severity.ERROR]
    assert diag.code == "ARC164" and "engine" in diag.message
    assert diag.span is not None and (diag.span.line, diag.span.col) == (7, 28)
