"""Flow rules: one spec per branch of `archc/rules/flows.py`, the offending edit and its
harmless neighbour side by side, so dropping either half of a rule fails a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.rules.minispec import BASE, OVERLAY, add_after, check, codes, errors, without

NAT = '                NAT["NAT Gateway"]\n'
BASTION = '                B["Bastion Host"]\n'
WITH_BASTION = add_after(BASE, NAT, BASTION)
IGW_TO_ALB = '    IGW -->|"Inbound HTTPS"| ALB\n'


# ARC304: a NAT gateway carries only outbound traffic, in neither direction an entry point.
@pytest.mark.parametrize("source", ["IGW", "CDN"])
def test_inbound_traffic_into_a_nat_gateway(tmp_path: Path, source: str) -> None:
    outcome = check(tmp_path, BASE + f'    {source} -->|"Inbound"| NAT\n')
    assert errors(outcome) == [("ARC304", f"{source} sends inbound traffic into NAT gateway NAT, "
                                          "which carries only outbound traffic")]


def test_nat_gateway_opening_connections(tmp_path: Path) -> None:
    outcome = check(tmp_path, BASE + "    NAT --> API\n")
    assert ("ARC304", "NAT gateway NAT opens connections to API; a NAT gateway only forwards "
                      "outbound traffic to the internet") in errors(outcome)


def test_gateway_dead_end_without_nat(tmp_path: Path) -> None:
    diagram = without(BASE, IGW_TO_ALB, '    API -->|"Updates"| NAT\n',
                      '    NAT -->|"Egress"| IGW\n')
    assert errors(check(tmp_path, diagram)) == [
        ("ARC304", "inbound traffic from CDN enters through IGW but can only continue nowhere: "
                   "CDN → IGW → (nothing)")]


def test_gateway_leading_only_to_a_bastion_is_no_dead_end(tmp_path: Path) -> None:
    diagram = WITH_BASTION.replace(IGW_TO_ALB, "    IGW --> B\n")
    assert errors(check(tmp_path, diagram)) == []


# ARC303: the internet enters only at the declared entry points, never into a private tier.
@pytest.mark.parametrize(("target", "overlay", "where"), [
    pytest.param("B", OVERLAY, "not an entry point", id="default-entries"),
    pytest.param("API", OVERLAY, "app tier, private", id="app"),
    pytest.param("DB", OVERLAY + "policy:\n  internet_entry: [CDN, DB]\n", "data tier, private",
                 id="declared-but-data"),
])
def test_internet_straight_to_a_non_entry(tmp_path: Path, target: str, overlay: str,
                                          where: str) -> None:
    outcome = check(tmp_path, WITH_BASTION + f"    Users --> {target}\n", overlay)
    assert ("ARC303", f"internet traffic from Users goes straight to {target} ({where})") \
        in errors(outcome)


def test_the_internet_enters_through_the_internet_gateway(tmp_path: Path) -> None:
    # Users -> IGW -> ALB: the gateway is a hop on the way to an entry point (issue 11) ...
    assert errors(check(tmp_path, BASE + "    Users --> IGW\n")) == []
    # ... unless the policy names the entry points, and the gateway is not one of them.
    overlay = OVERLAY + "policy:\n  internet_entry: [CDN]\n"
    assert ("ARC303", "internet traffic from Users goes straight to IGW (not an entry point)") \
        in errors(check(tmp_path, BASE + "    Users --> IGW\n", overlay))


def test_declared_entry_point_may_take_internet_traffic(tmp_path: Path) -> None:
    overlay = OVERLAY + "policy:\n  internet_entry: [CDN, B]\n"
    assert errors(check(tmp_path, WITH_BASTION + "    Users --> B\n", overlay)) == []


# ARC306: a DNS record resolves to something with a public name.
DNS = WITH_BASTION + '    D["Route53"]\n    FE["Vercel"]\n    X["Stripe"]\n'
DNS_OVERLAY = OVERLAY + ("domain: mini.example.com\n"  # a zone's records need names (ARC513)
                         "components:\n  FE: {kind: external_frontend}\n"
                         "  X: {kind: external_service}\n")


@pytest.mark.parametrize("target", ["CDN", "ALB", "B", "FE", "X"])
def test_dns_record_to_a_resolvable_target(tmp_path: Path, target: str) -> None:
    assert errors(check(tmp_path, DNS + f"    D --> {target}\n", DNS_OVERLAY)) == []


def test_dns_record_to_a_private_service(tmp_path: Path) -> None:
    outcome = check(tmp_path, DNS + "    D --> API\n", DNS_OVERLAY)
    assert codes(outcome) == ["ARC306"]
    # An edge the overlay declares as a plain connection is no DNS record.
    overlay = DNS_OVERLAY + 'flows:\n  "D -> API": {meaning: network}\n'
    assert "ARC306" not in codes(check(tmp_path, DNS + "    D --> API\n", overlay))


# ARC307: the tier policy binds deployments as much as plain connections.
def test_deploy_from_the_data_tier_breaks_the_tier_policy(tmp_path: Path) -> None:
    diagram = add_after(BASE, '                DB["Amazon RDS"]\n',
                        '                CI["Jenkins CI"]\n')
    outcome = check(tmp_path, diagram + "    CI --> API\n")
    assert errors(outcome) == [("ARC307", "flow CI -> API goes from the data tier to the app tier, "
                                          "which the tier policy forbids")]


# ARC308: only the public tier reaches the internet gateway directly.
def test_private_tier_straight_to_the_internet_gateway(tmp_path: Path) -> None:
    assert errors(check(tmp_path, BASE + "    API --> IGW\n")) == [
        ("ARC308", "API in a private subnet has no route to internet gateway IGW")]


def test_public_tier_to_the_internet_gateway(tmp_path: Path) -> None:
    assert errors(check(tmp_path, WITH_BASTION + "    B --> IGW\n")) == []
