"""Placement: one spec per branch of `archc/rules/placement.py`, with the code and the wording
that tell the branches apart (several share a code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.rules.minispec import BASE, add_after, check, errors, without

USERS = '    Users["End Users"]\n'
IGW = '        IGW["Internet Gateway"]\n'
NAT = '                NAT["NAT Gateway"]\n'
API = '                API["API Service"]\n'
VPC = '        subgraph vpc ["VPC"]\n'


@pytest.mark.parametrize(("diagram", "code", "comp", "problem"), [
    pytest.param(add_after(without(BASE, USERS), IGW, '        Users["End Users"]\n'),
                 "ARC214", "Users", "sits inside the cloud",
                 id="internet-kind-in-cloud-outside-vpc"),
    pytest.param(add_after(without(BASE, IGW), NAT, '                IGW["Internet Gateway"]\n'),
                 "ARC214", "IGW", "sits inside a subnet",
                 id="vpc-edge-kind-in-subnet"),
    pytest.param(add_after(BASE, VPC, '            W["Worker Instance"]\n'),
                 "ARC213", "W", "is not in any subnet",
                 id="in-vpc-outside-subnets"),
    pytest.param(BASE + '    W["Worker Instance"]\n',
                 "ARC213", "W", "is not inside a VPC subnet",
                 id="outside-the-vpc"),
    pytest.param(add_after(BASE, API, '                B["Bastion Host"]\n'),
                 "ARC211", "B", "sits in a private app subnet but must be in a public subnet",
                 id="public-kind-in-app-subnet"),
    pytest.param(add_after(BASE, NAT, '                W["Worker Instance"]\n'),
                 "ARC213", "W", "sits in a public subnet but must be in a private subnet",
                 id="private-kind-in-public-subnet"),
])
def test_misplaced_component(tmp_path: Path, diagram: str, code: str, comp: str,
                              problem: str) -> None:
    ((got, message),) = errors(check(tmp_path, diagram))
    assert got == code and message.startswith(f"{comp} (") and message.endswith(problem), message


@pytest.mark.parametrize("diagram", [
    pytest.param(add_after(BASE, NAT, '                B["Bastion Host"]\n'), id="bastion-public"),
    pytest.param(add_after(BASE, API, '                W["Worker Instance"]\n'), id="instance-app"),
    pytest.param(add_after(BASE, '                DB["Amazon RDS"]\n',
                           '                W["Worker Instance"]\n'), id="instance-data"),
])
def test_well_placed_component(tmp_path: Path, diagram: str) -> None:
    assert errors(check(tmp_path, diagram)) == []
