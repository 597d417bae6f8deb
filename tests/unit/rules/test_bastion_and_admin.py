"""Issue 12: admin networks wider than a /8 (ARC409), an SSM bastion's placement and ports,
derivation warnings in `check`, and `explain` on a flow with an end outside the VPC."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from archc import pipeline
from archc.diagnostics import Severity
from archc.explain import explain
from archc.kinds import Kind
from archc.spec.flows import classify
from tests.unit.rules.minispec import BASE, OVERLAY, add_after, check, codes

API = '                API["API Service"]\n'
NAT = '                NAT["NAT Gateway"]\n'
IN_PUBLIC = add_after(BASE, NAT, '                Jump["Bastion Host"]\n') + \
    '    Jump -->|"Admin Access"| API\n'
IN_APP = add_after(BASE, API, '                Jump["Bastion Host"]\n') + \
    '    Jump -->|"Admin Access"| API\n'
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "data-platform"


def _overlay(access: str = "ssh", policy: str = "") -> str:
    return OVERLAY + f"components:\n  Jump: {{kind: bastion, access: {access}}}\n" + \
        ("policy:\n" + policy if policy else "")


# -- (1) admin_cidrs wider than a /8 -------------------------------------------------------
@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "10.0.0.0/7"])
def test_a_world_wide_admin_cidr_is_a_positioned_error(tmp_path: Path, cidr: str) -> None:
    overlay = _overlay(policy=f"  admin_cidrs: [203.0.113.0/24, {cidr}]\n")
    found = [x for x in check(tmp_path, IN_PUBLIC, overlay).diagnostics if x.code == "ARC409"]
    assert [x.severity for x in found] == [Severity.ERROR]
    line = overlay.splitlines().index(f"  admin_cidrs: [203.0.113.0/24, {cidr}]") + 1
    assert found[0].span is not None
    assert (found[0].span.file, found[0].span.line) == ("spec/archc.yaml", line)
    assert found[0].span.col == len("  admin_cidrs: [203.0.113.0/24, ") + 1
    assert cidr in found[0].message and "allow_world_admin" in (found[0].hint or "")


def test_allow_world_admin_turns_the_error_into_a_warning(tmp_path: Path) -> None:
    overlay = _overlay(policy="  admin_cidrs: [0.0.0.0/0]\n  allow_world_admin: true\n")
    outcome = check(tmp_path, IN_PUBLIC, overlay)
    assert outcome.ok
    # (and ARC514/ARC532: no DNS zone, nothing said to run on the API; build reports them,
    # so check does)
    assert "ARC409" in codes(outcome, Severity.WARNING)
    assert not [x for x in outcome.diagnostics if x.code == "ARC409"
                and x.severity is not Severity.WARNING]


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "203.0.113.0/24"])
def test_a_slash_8_or_narrower_admin_cidr_is_fine(tmp_path: Path, cidr: str) -> None:
    outcome = check(tmp_path, IN_PUBLIC, _overlay(policy=f"  admin_cidrs: [{cidr}]\n"))
    assert "ARC409" not in [x.code for x in outcome.diagnostics]
    assert outcome.ok


def test_ipv6_world_is_refused_by_the_schema(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_PUBLIC, _overlay(policy='  admin_cidrs: ["::/0"]\n'))
    assert "ARC163" in codes(outcome)


# -- (2) check reports what deriving the security groups finds, build reports it once ------
def test_check_reports_the_derivation_warnings_build_reports_them_once(tmp_path: Path) -> None:
    checked = pipeline.check(EXAMPLE)
    warned = [(x.code, x.message) for x in checked.diagnostics if x.severity is Severity.WARNING]
    # ingest runs nothing the overlay names; runner deploys on tcp/22 under ssm
    assert [c for c, _ in warned] == ["ARC532", "ARC518"]
    built = pipeline.build(EXAMPLE, tmp_path / "out", dry_run=True)
    counts = Counter((x.code, x.message, x.span) for x in built.check.diagnostics)
    assert [k for k, n in counts.items() if n > 1] == []
    assert {(x.code, x.message) for x in built.check.diagnostics
            if x.severity is Severity.WARNING} >= set(warned)


# -- (3) an SSM bastion may sit in a private subnet ----------------------------------------
def test_an_ssm_bastion_may_sit_in_a_private_subnet(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_APP, _overlay("ssm"))
    assert "ARC211" not in codes(outcome)
    assert outcome.ok


def test_an_ssm_bastion_from_the_policy_default_may_sit_in_a_private_subnet(
        tmp_path: Path) -> None:
    overlay = OVERLAY + "components:\n  Jump: {kind: bastion}\npolicy:\n  bastion_access: ssm\n"
    assert "ARC211" not in codes(check(tmp_path, IN_APP, overlay))


def test_an_ssh_bastion_still_needs_a_public_subnet(tmp_path: Path) -> None:
    assert "ARC211" in codes(check(tmp_path, IN_APP, _overlay("ssh")))


# -- (4) the admin flow's ports follow the access mode --------------------------------------
@pytest.mark.parametrize(("access", "ports"), [("ssh", "tcp/22"), ("ssm", "")])
def test_the_admin_flow_ports_follow_the_access_mode(tmp_path: Path, access: str,
                                                     ports: str) -> None:
    outcome = check(tmp_path, IN_PUBLIC, _overlay(access))
    assert outcome.ok, [x.message for x in outcome.diagnostics if x.severity is Severity.ERROR]
    assert outcome.loaded.arch is not None
    shown = explain(outcome.loaded.arch, "Jump -> API")
    assert shown is not None
    assert dict(shown.facts)["ports"] == (ports or "-")
    assert ("tcp/22" in shown.to_text()) is (access == "ssh")


# -- (5) explain does not claim both ends are inside the VPC -------------------------------
def test_explain_says_which_end_is_outside_the_vpc(tmp_path: Path) -> None:
    diagram = BASE + '    CI["Jenkins"]\n    CI -->|"Polls"| API\n'
    outcome = check(tmp_path, diagram)
    assert outcome.loaded.arch is not None
    shown = explain(outcome.loaded.arch, "CI -> API")
    assert shown is not None
    text = shown.to_text()
    assert "inside the VPC" not in text
    assert "CI is outside the VPC: no security-group rule is written" in text


def test_the_default_flow_class_reason_names_no_place() -> None:
    assert "inside the VPC" not in classify(Kind.INSTANCE, Kind.DATABASE)[1]


def test_developers_may_use_the_public_load_balancer_but_not_reach_the_app_directly(
        tmp_path: Path) -> None:
    to_alb = BASE.replace('    Users["End Users"]\n', '    Users["End Users"]\n'
                          '    Devs["Developers"]\n') + '    Devs -->|"HTTPS"| ALB\n'
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert [c for c in codes(check(tmp_path / "a", to_alb)) if c == "ARC303"] == []
    to_api = to_alb.replace('Devs -->|"HTTPS"| ALB', 'Devs -->|"HTTPS"| API')
    assert "ARC303" in codes(check(tmp_path / "b", to_api))
