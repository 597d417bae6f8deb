"""Issue 11: subnets drawn once per availability zone are one subnet tier spread over that many
AZs; the blocks their titles write are that tier's blocks when the overlay gives none."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc import pipeline
from archc.diagnostics import Severity
from archc.explain import explain
from archc.kinds import Tier
from archc.model import Architecture
from archc.spec.spread import az_mark
from tests.unit.rules.minispec import OVERLAY, check, codes, errors

NO_ENVIRONMENTS = "version: 1\nproject: mini\n"


def _edges(people: str, service: str) -> str:
    """People in through the gateway to the load balancer and `service`, which goes out
    through the NAT gateway."""
    return (f'    {people} -->|"HTTPS"| Gate\n    Gate -->|"HTTPS"| LB\n'
            f'    LB -->|"HTTP :8080"| {service}\n    {service} -->|"HTTPS"| Egress\n'
            '    Egress -->|"HTTPS"| Gate\n')


# Two AZ subgraphs, the same three tiers in each; the web tier lives in the second copy only.
IN_AZS = """flowchart TB
    Shoppers["Shoppers"]
    subgraph cloud ["AWS"]
        Gate["Internet Gateway"]
        subgraph net ["VPC {vpc}"]
            subgraph zoneA ["AZ A"]
                subgraph edgeA ["Public Subnet{pa}"]
                    LB["Application Load Balancer"]
                    Egress["NAT Gateway"]
                end
                subgraph appA ["Private App Subnet{aa}"]
                    Orders["Orders Service"]
                end
                subgraph dbA ["Private Data Subnet{da}"]
                    Store["Amazon RDS"]
                end
            end
            subgraph zoneB ["AZ B"]
                subgraph edgeB ["Public Subnet{pb}"]
                end
                subgraph appB ["Private App Subnet{ab}"]
                    Web["Web Service"]
                end
                subgraph dbB ["Private Data Subnet{db}"]
                end
            end
        end
    end
    LB -->|"HTTP :8080"| Web
    Orders -->|"tcp/5432"| Store
    Web -->|"tcp/5432"| Store
""" + _edges("Shoppers", "Orders")
NO_BLOCKS = {"vpc": "", "pa": "", "aa": "", "da": "", "pb": "", "ab": "", "db": ""}
BLOCKS = {"vpc": "10.60.0.0/16", "pa": "<br/>10.60.0.0/24", "pb": "<br/>10.60.1.0/24",
          "aa": "<br/>10.60.16.0/22", "ab": "<br/>10.60.20.0/22",
          "da": "<br/>10.60.8.0/24", "db": "<br/>10.60.9.0/24"}

# No AZ subgraphs: the AZ is in the subnet titles, three of them.
IN_TITLES = """flowchart LR
    Clients["Clients"]
    subgraph cloud ["AWS"]
        Gate["Internet Gateway"]
        subgraph net ["VPC"]
            subgraph p1 ["Public Subnet AZ-a"]
                LB["Application Load Balancer"]
                Egress["NAT Gateway"]
            end
            subgraph p2 ["Public Subnet AZ-b"]
            end
            subgraph p3 ["Public Subnet AZ-c"]
            end
            subgraph w1 ["Private Subnet (eu-west-1a)"]
            end
            subgraph w2 ["Private Subnet (eu-west-1b)"]
                Billing["Billing Service"]
            end
            subgraph w3 ["Private Subnet (eu-west-1c)"]
            end
        end
    end
""" + _edges("Clients", "Billing")


def _arch(outcome: pipeline.CheckOutcome) -> Architecture:
    arch = outcome.loaded.arch
    assert arch is not None
    return arch


@pytest.mark.parametrize(("title", "base"), [
    ("Public Subnet 1", "public subnet"), ("Public Subnet AZ-a", "public subnet"),
    ("Private Subnet (us-east-1b)", "private subnet"), ("DB Subnet c", "db subnet"),
    ("Public Subnet 2<br/>10.0.1.0/24", "public subnet")])
def test_a_title_that_names_an_az(title: str, base: str) -> None:
    found = az_mark(title)
    assert found is not None and found[0] == base


def test_subnets_drawn_in_two_az_subgraphs_are_one_tier_each(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_AZS.format(**NO_BLOCKS), NO_ENVIRONMENTS)
    assert not errors(outcome), errors(outcome)
    arch = _arch(outcome)
    web, orders = arch.component("Web"), arch.component("Orders")
    assert web is not None and orders is not None
    assert arch.tier_of(web) is Tier.APP
    subnet = arch.subnet_of(web)
    assert subnet is not None and subnet.id == "appA"  # the copy's tier is the first copy's
    for env in arch.environments:  # one block per AZ per tier, the copies have none of their own
        assert env.azs == 2
        assert sorted({b.zone for b in env.subnets}) == ["appA", "dbA", "edgeA"]
        assert len(env.subnets) == 6
    copy = arch.zone("appB")
    assert copy is not None and copy.spread_of == "appA"
    shown = explain(arch, "appB")
    assert shown is not None
    text = shown.to_text()
    assert "'Private App Subnet' drawn in another availability zone" in text
    assert "10.10." in text  # the tier's blocks, the copy has none of its own


def test_subnets_titled_with_their_az_set_the_az_count(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_TITLES, NO_ENVIRONMENTS)
    assert not errors(outcome), errors(outcome)
    arch = _arch(outcome)
    assert [e.azs for e in arch.environments] == [3, 3, 3]  # dev, staging, prod: as drawn
    billing = arch.component("Billing")
    assert billing is not None and arch.tier_of(billing) is Tier.APP
    dev = arch.environments[0]
    assert sorted({b.zone for b in dev.subnets}) == ["p1", "w1"]
    first = arch.zone("p1")
    assert first is not None
    assert [dec.value for dec in first.decisions if dec.attribute == "spread"] == ["3 AZs"]


def test_the_overlay_az_count_wins(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_TITLES, OVERLAY)  # dev: azs 2
    arch = _arch(outcome)
    assert [e.azs for e in arch.environments] == [2]


def test_drawn_subnet_blocks_are_the_tier_blocks(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_AZS.format(**BLOCKS), NO_ENVIRONMENTS)
    assert not errors(outcome), errors(outcome)
    arch = _arch(outcome)
    (dev,) = arch.environments
    assert dev.vpc_cidr == "10.60.0.0/16"
    assert [b.cidr for b in dev.subnets_of("edgeA")] == ["10.60.0.0/24", "10.60.1.0/24"]
    assert [b.cidr for b in dev.subnets_of("appA")] == ["10.60.16.0/22", "10.60.20.0/22"]
    assert [b.cidr for b in dev.subnets_of("dbA")] == ["10.60.8.0/24", "10.60.9.0/24"]
    assert all(b.explicit for b in dev.subnets)


@pytest.mark.parametrize(("blocks", "code", "zone"), [
    ({"pb": "<br/>10.61.1.0/24"}, "ARC401", "edgeB"),  # outside the drawn VPC
    ({"ab": "<br/>10.60.16.0/22"}, "ARC402", "appB"),  # the same block as AZ A's
    ({"pb": "<br/>10.60.1.0/29"}, "ARC407", "edgeB"),  # too small for an AWS subnet
    ({"da": "<br/>10.60.8.0/30"}, "ARC407", "dbA"),
])
def test_a_wrong_drawn_block_is_an_error_at_its_title(tmp_path: Path, blocks: dict[str, str],
                                                      code: str, zone: str) -> None:
    diagram = IN_AZS.format(**{**BLOCKS, **blocks})
    outcome = check(tmp_path, diagram, NO_ENVIRONMENTS)
    found = [x for x in outcome.diagnostics if x.code == code]
    assert found, errors(outcome)
    line = next(i for i, text in enumerate(diagram.splitlines(), 1) if f"subgraph {zone} " in text)
    assert found[0].span is not None and found[0].span.line == line


def test_the_overlay_blocks_win_over_drawn_ones(tmp_path: Path) -> None:
    overlay = NO_ENVIRONMENTS + ("environments:\n  dev:\n    vpc_cidr: 10.60.0.0/16\n"
                                 "    azs: 2\n")
    outcome = check(tmp_path, IN_AZS.format(**BLOCKS), overlay)
    arch = _arch(outcome)
    (dev,) = arch.environments
    assert not any(b.explicit for b in dev.subnets)  # planned: the overlay names the environment
    assert "ARC209" not in codes(outcome, Severity.WARNING)


NUMBERED = """flowchart LR
    Clients["Clients"]
    subgraph cloud ["AWS"]
        Gate["Internet Gateway"]
        subgraph net ["VPC"]
            subgraph n1 ["Public Subnet 1"]
                LB["Application Load Balancer"]
                Egress["NAT Gateway"]
            end
            subgraph n2 ["Public Subnet 2"]
            end
            subgraph s1 ["Private Subnet 1"]
                Billing["Billing Service"]
            end
            subgraph s2 ["Private Subnet 2"]
                {second}
            end
        end
    end
    Billing -->|"tcp/5432"| Ledger
""" + _edges("Clients", "Billing")


def test_numbered_copies_that_hold_alike_are_one_tier(tmp_path: Path) -> None:
    outcome = check(tmp_path, NUMBERED.format(second='Ledger["Ledger Service"]'), OVERLAY)
    arch = _arch(outcome)
    assert [(z.id, z.spread_of) for z in arch.zones if z.spread_of] == [("n2", "n1"),
                                                                      ("s2", "s1")]
    assert sorted({b.zone for b in arch.environments[0].subnets}) == ["n1", "s1"]


def test_numbered_subnets_that_hold_different_things_stay_two(tmp_path: Path) -> None:
    outcome = check(tmp_path, NUMBERED.format(second='Ledger["Amazon RDS"]'), OVERLAY)
    arch = _arch(outcome)
    assert [(z.id, z.spread_of) for z in arch.zones if z.spread_of] == [("n2", "n1")]
    assert sorted({b.zone for b in arch.environments[0].subnets}) == ["n1", "s1", "s2"]


def test_overlay_blocks_other_than_drawn_ones_win_with_a_warning(tmp_path: Path) -> None:
    overlay = NO_ENVIRONMENTS + ("environments:\n  dev:\n    vpc_cidr: 10.60.0.0/16\n"
                                 "    azs: 2\n    zones:\n      edgeA:\n"
                                 "        cidrs: [10.60.100.0/24, 10.60.101.0/24]\n")
    outcome = check(tmp_path, IN_AZS.format(**BLOCKS), overlay)
    (dev,) = _arch(outcome).environments
    assert [b.cidr for b in dev.subnets_of("edgeA")] == ["10.60.100.0/24", "10.60.101.0/24"]
    (warning,) = [x for x in outcome.diagnostics if x.code == "ARC209"]
    assert warning.severity is Severity.WARNING
    assert "its subnet titles write 10.60.0.0/24, 10.60.1.0/24" in warning.message
    assert warning.span is not None and warning.span.file.endswith("archc.yaml")


def test_a_drawn_block_too_small_for_what_it_holds_is_an_error_at_each_title(
        tmp_path: Path) -> None:
    diagram = IN_AZS.format(**{**BLOCKS, "aa": "<br/>10.60.16.0/28", "ab": "<br/>10.60.16.16/28"})
    overlay = NO_ENVIRONMENTS + "components:\n  Orders: {autoscaling: {min: 2, max: 60}}\n"
    outcome = check(tmp_path, diagram, overlay)
    found = [x for x in outcome.diagnostics if x.code == "ARC404"]
    lines = [i for i, text in enumerate(diagram.splitlines(), 1)
             if "subgraph appA " in text or "subgraph appB " in text]
    assert [x.span.line for x in found if x.span is not None] == lines
    assert all("11 usable addresses" in x.message for x in found)


def test_check_says_which_subnets_it_spread(tmp_path: Path) -> None:
    outcome = check(tmp_path, IN_AZS.format(**BLOCKS), NO_ENVIRONMENTS)
    said = [x.message for x in outcome.diagnostics
            if x.code == "ARC290" and x.message.startswith("assumed spread")]
    assert len(said) == 6  # three tiers: the first copy and the other one each
    assert any("the blocks its titles write (10.60.0.0/24, 10.60.1.0/24) are its blocks" in m
               for m in said)
