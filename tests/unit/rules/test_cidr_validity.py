"""VPC and subnet blocks are what AWS accepts: /16 to /28, a VPC outside the special-purpose
ranges (issue 8: `vpc_cidr: 0.0.0.0/0` passed `check` and built 0.0.0.0/24 subnets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.rules.test_rules import OVERLAY, check

DEV = "  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}\n"


def with_vpc(vpc: str) -> str:
    return OVERLAY.replace(DEV, f"  dev: {{vpc_cidr: {vpc}, azs: 2, nat: single}}\n")


def with_subnets(cidrs: str, zone: str = "Public Subnet") -> str:
    return OVERLAY.replace(DEV, "  dev:\n    vpc_cidr: 10.0.0.0/16\n    azs: 2\n    zones:\n"
                                f"      {zone}: {{cidrs: [{cidrs}]}}\n")


def errors(tmp_path: Path, overlay: str) -> list[tuple[str, str, str]]:
    outcome = check(tmp_path, overlay=overlay)
    return [(x.code, x.message, str(x.span)) for x in outcome.diagnostics
            if x.severity.value == "error"]


@pytest.mark.parametrize(("vpc", "code", "says"), [
    ("0.0.0.0/0", "ARC407", "VPC CIDR 0.0.0.0/0 is a /0; AWS accepts a block from /16"),
    ("10.0.0.0/8", "ARC407", "VPC CIDR 10.0.0.0/8 is a /8"),
    ("10.0.0.0/29", "ARC407", "VPC CIDR 10.0.0.0/29 is a /29"),
    ("0.0.0.0/16", "ARC408", "VPC CIDR 0.0.0.0/16 lies in 0.0.0.0/8, 'this network'"),
    ("127.0.0.0/16", "ARC408", "lies in 127.0.0.0/8, loopback"),
    ("169.254.0.0/16", "ARC408", "lies in 169.254.0.0/16, link-local"),
    ("224.0.0.0/16", "ARC408", "lies in 224.0.0.0/4, multicast"),
    ("250.0.0.0/16", "ARC408", "lies in 240.0.0.0/4, reserved"),
])
def test_vpc_blocks_aws_refuses_are_positioned_errors(tmp_path: Path, vpc: str, code: str,
                                                      says: str) -> None:
    ((got, message, span),) = errors(tmp_path, with_vpc(vpc))
    assert (got, span) == (code, "spec/archc.yaml:4:19")  # the vpc_cidr value
    assert message.startswith("environment dev: ") and says in message


@pytest.mark.parametrize("vpc", ["10.0.0.0/16", "172.16.0.0/16", "192.168.0.0/16",
                                 "100.64.0.0/16", "203.0.113.0/24", "10.0.0.0/20"])
def test_vpc_blocks_aws_accepts_pass(tmp_path: Path, vpc: str) -> None:
    found = errors(tmp_path, with_vpc(vpc))
    assert not [e for e in found if e[0] in ("ARC407", "ARC408")], found


def test_no_subnets_are_carved_from_a_refused_vpc(tmp_path: Path) -> None:
    outcome = check(tmp_path, overlay=with_vpc("0.0.0.0/0"))
    assert outcome.loaded.arch is None or all(not e.subnets
                                              for e in outcome.loaded.arch.environments)


def test_subnet_blocks_outside_16_to_28_are_refused(tmp_path: Path) -> None:
    found = errors(tmp_path, with_subnets("10.0.8.0/30, 10.0.9.0/24"))
    assert found == [("ARC407", "environment dev: subnet 10.0.8.0/30 is a /30; AWS accepts a "
                                "block from /16 (65,536 addresses) to /28 (16 addresses)",
                      "spec/archc.yaml:8:31")]  # the /30 itself
    found = errors(tmp_path, with_vpc("10.0.0.0/16").replace(
        "nat: single}", "nat: single, zones: {Public Subnet: {cidrs: [10.0.0.0/15, "
                        "10.2.0.0/24]}}}"))
    assert [(code, "10.0.0.0/15 is a /15" in message) for code, message, _ in found] == [
        ("ARC407", True)]


def test_a_valid_28_that_is_too_small_is_still_a_capacity_error(tmp_path: Path) -> None:
    overlay = with_subnets("10.0.8.0/28, 10.0.8.16/28", "Private App Subnet") + (
        "components:\n  API: {kind: backend_service, autoscaling: {min: 2, max: 40}}\n")
    assert [code for code, _, _ in errors(tmp_path, overlay)] == ["ARC404"] * 2  # per AZ
