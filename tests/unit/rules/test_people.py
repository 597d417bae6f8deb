"""Issue 11: people drawn as nodes. End users, shoppers, partners, a browser or a mobile app are
the internet side (public ingress); developers, admins, operators and engineers are
administrators, who take the admin path (the bastion's admin_cidrs), never public ingress."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.aws.security_groups import rule_rows
from archc.kinds import Kind, infer_kind
from archc.model import FlowClass
from tests.unit.rules.minispec import BASE, OVERLAY, add_after, check, errors

NAT = '                NAT["NAT Gateway"]\n'
ADMINS = add_after(BASE, NAT, '                Jump["Bastion Host"]\n') + \
    '    Devs["Developers"] -->|"SSH"| Jump\n    Jump --> API\n'
POLICY = "policy:\n  admin_cidrs: [203.0.113.0/24]\n"


@pytest.mark.parametrize("label", ["Users", "End Users", "Customers", "Shoppers", "Clients",
                                   "Browser", "Mobile App", "Partners", "Visitors"])
def test_the_public_is_the_internet_side(label: str) -> None:
    found = infer_kind("P", label)
    assert found is not None and found[0] == Kind.USERS


@pytest.mark.parametrize("label", ["Developers", "Admins", "Administrators", "Operators",
                                   "DevOps", "DevOps Engineers", "Engineers", "SRE"])
def test_staff_are_administrators(label: str) -> None:
    found = infer_kind("P", label)
    assert found is not None and found[0] == Kind.ADMINS


@pytest.mark.parametrize(("label", "kind"), [("Admin API", Kind.BACKEND_SERVICE),
                                             ("Admin Server", Kind.INSTANCE),
                                             ("DevOps Pipeline", None)])
def test_admin_words_naming_a_service_are_no_people(label: str, kind: Kind | None) -> None:
    found = infer_kind("P", label)
    assert (found[0] if found else None) == kind


def test_developers_take_the_admin_path_with_no_internet_rule(tmp_path: Path) -> None:
    outcome = check(tmp_path, ADMINS, OVERLAY + POLICY)
    assert outcome.ok, errors(outcome)
    arch = outcome.loaded.arch
    assert arch is not None
    flow = next(f for f in arch.flows if f.initiator == "Devs")
    assert (flow.flow_class, flow.ports) == (FlowClass.ADMIN, ((22, 22),))
    rows, _ = rule_rows(arch)
    jump = [r for r in rows if r.security_group.endswith("jump") and r.direction == "ingress"]
    assert jump and all(r.peer == {"kind": "admin_cidrs"} for r in jump)
    assert not any(r.peer.get("cidr") == "0.0.0.0/0" and r.direction == "ingress"
                   for r in rows)


def test_administrators_straight_into_the_vpc_are_an_error(tmp_path: Path) -> None:
    diagram = ADMINS + '    Devs -->|"HTTPS"| API\n'
    found = [m for c, m in errors(check(tmp_path, diagram, OVERLAY + POLICY)) if c == "ARC303"]
    assert found == ["administrators Devs reach API inside the VPC directly; the admin path "
                     "goes through the bastion"]
