"""Issue 11: subgraphs that are not network zones are logical groups (they place nothing and
are still drawn); availability-zone, region and account subgraphs are understood as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.emit.diagram.style import zone_style
from archc.kinds import Role, Tier, infer_role
from tests.unit.rules.minispec import BASE, OVERLAY, check, errors

API = '                API["API Service"]\n'


@pytest.mark.parametrize("title", ["Monitoring", "Serverless", "Data Layer", "CI/CD",
                                   "Frontend", "Amazon S3", "AWS Lambda", "ECS Cluster"])
def test_titles_that_name_no_network_zone_are_groups(title: str) -> None:
    assert infer_role("subGraph3", title) is None


@pytest.mark.parametrize(("title", "role"), [
    ("AWS", Role.CLOUD), ("AWS Cloud", Role.CLOUD), ("AWS eu-west-1", Role.CLOUD),
    ("us-east-1", Role.CLOUD), ("Production Account", Role.CLOUD),
    ("Availability Zone A", Role.AVAILABILITY_ZONE), ("AZ 1", Role.AVAILABILITY_ZONE),
    ("eu-west-1b", Role.AVAILABILITY_ZONE), ("Isolated Subnet", Role.SUBNET),
])
def test_region_account_and_availability_zone_titles(title: str, role: Role) -> None:
    found = infer_role("subGraph3", title)
    assert found is not None and found[0] is role


def test_a_group_inside_a_subnet_places_nothing(tmp_path: Path) -> None:
    diagram = BASE.replace(API, '                subgraph svc ["Serverless"]\n    ' + API +
                           '                end\n')
    outcome = check(tmp_path, diagram)
    assert outcome.ok, errors(outcome)
    arch = outcome.loaded.arch
    assert arch is not None
    zone = arch.zone("svc")
    api = arch.component("API")
    assert zone is not None and zone.role is Role.GROUP and zone_style(zone) == "group"
    assert api is not None and api.zone == "svc" and arch.tier_of(api) is Tier.APP


def test_an_availability_zone_spreads_its_subnets(tmp_path: Path) -> None:
    diagram = BASE.replace('        subgraph vpc ["VPC"]\n',
                           '        subgraph vpc ["VPC"]\n        subgraph az1 ["AZ 1"]\n')
    diagram = diagram.replace("        end\n    end\n", "        end\n        end\n    end\n", 1)
    outcome = check(tmp_path, diagram)
    assert outcome.ok, errors(outcome)
    arch = outcome.loaded.arch
    assert arch is not None and (az := arch.zone("az1")) is not None
    assert az.role is Role.AVAILABILITY_ZONE
    env = arch.environments[0]
    assert len(env.subnets_of("pub")) == env.azs == 2


def test_the_overlay_can_say_group(tmp_path: Path) -> None:
    overlay = OVERLAY + "zones:\n  VPC: {role: group}\n"
    outcome = check(tmp_path, BASE, overlay)
    assert [c for c, _ in errors(outcome)].count("ARC210") == 3  # the subnets lost their VPC
