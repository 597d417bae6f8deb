"""Issue 11: facts written in subgraph titles (a VPC's or subnet's block, a region). Used when
the overlay is silent; the overlay wins when both speak, and a contradiction is ARC209."""

from __future__ import annotations

from pathlib import Path

from archc.diagnostics import Severity
from archc.spec.zones import title_cidr, title_region
from tests.unit.rules.minispec import BASE, OVERLAY, check, codes

DRAWN = BASE.replace('subgraph aws ["AWS"]', 'subgraph aws ["AWS eu-west-1"]').replace(
    'subgraph vpc ["VPC"]', 'subgraph vpc ["VPC 10.40.0.0/16"]')
NO_ENVIRONMENTS = "version: 1\nproject: mini\n"


def test_title_facts_are_read() -> None:
    assert title_cidr("VPC 10.0.0.0/16") == "10.0.0.0/16"
    assert title_cidr("Public Subnet 1<br/>10.0.0.0/24") == "10.0.0.0/24"
    assert title_cidr("VPC 10.0.0.1/16") is None  # host bits set: not a block
    assert title_region("AWS eu-west-1") == "eu-west-1"
    assert title_region("us-east-1a") is None  # an availability zone


def test_with_no_overlay_the_diagram_sets_region_and_the_one_environment(
        tmp_path: Path) -> None:
    outcome = check(tmp_path, DRAWN, NO_ENVIRONMENTS)
    assert outcome.ok
    arch = outcome.loaded.arch
    assert arch is not None and arch.region == "eu-west-1"
    assert [(e.name, e.vpc_cidr) for e in arch.environments] == [("dev", "10.40.0.0/16")]


def test_an_environment_that_uses_the_drawn_block_is_no_contradiction(
        tmp_path: Path) -> None:
    overlay = NO_ENVIRONMENTS + ("environments:\n  dev: {vpc_cidr: 10.40.0.0/16}\n"
                                 "  prod: {vpc_cidr: 10.41.0.0/16}\n")
    outcome = check(tmp_path, DRAWN, overlay)
    # (ARC514, ARC532: no DNS zone, nothing said to run; what build reports, check reports)
    assert outcome.ok and "ARC209" not in codes(outcome, Severity.WARNING)


def test_the_overlay_wins_and_a_contradiction_is_a_warning(tmp_path: Path) -> None:
    overlay = OVERLAY + "region: us-east-2\n"  # OVERLAY's dev VPC is 10.0.0.0/16
    outcome = check(tmp_path, DRAWN, overlay)
    arch = outcome.loaded.arch
    assert arch is not None and arch.region == "us-east-2"
    assert arch.environments[0].vpc_cidr == "10.0.0.0/16"
    warnings = [x for x in outcome.diagnostics if x.code == "ARC209"]
    assert sorted(x.message for x in warnings) == [
        "overlay environments.dev.vpc_cidr (10.0.0.0/16) contradicts the diagram (its VPC title "
        "writes 10.40.0.0/16), as does every environment's; the overlay wins",
        "overlay region (us-east-2) contradicts the diagram (a title writes eu-west-1); the "
        "overlay wins"]
    assert [c for c in codes(outcome, Severity.WARNING) if c == "ARC209"] == ["ARC209", "ARC209"]
