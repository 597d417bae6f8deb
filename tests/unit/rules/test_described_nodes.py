"""Issue 11: nodes that draw what archc derives (security groups, route tables, IAM roles,
subnets drawn as boxes) are read as such, not as components to build; and subnet titles in
the languages people draw in."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.kinds import Kind, Role, Tier, described_node, infer_kind, infer_role
from tests.unit.rules.minispec import BASE, OVERLAY, add_after, check, errors

NAT = '                NAT["NAT Gateway"]\n'
DRAWN = add_after(BASE, NAT, '                SG["ALB Security Group<br/>Inbound: 443"]\n'
                             '                RT["Public Route Table"]\n') + \
    '    Role["IAM Role: api-task"]\n    ALB --> SG\n    SG --> API\n    Role -.-> API\n' \
    '    pub --> RT\n'


def test_security_groups_route_tables_and_roles_are_no_components(tmp_path: Path) -> None:
    outcome = check(tmp_path, DRAWN)
    assert outcome.ok, errors(outcome)
    arch = outcome.loaded.arch
    assert arch is not None
    assert {"SG", "RT", "Role"}.isdisjoint(c.id for c in arch.components)
    assert not [f for f in arch.flows if {f.src, f.dst} & {"SG", "RT", "Role"}]
    notes = {x.message.split(" ")[0]: x.message for x in outcome.diagnostics
             if x.code == "ARC291"}
    assert sorted(notes) == ["RT", "Role", "SG"]
    assert "draws a security group, not a component to build" in notes["SG"]


def test_the_overlay_can_make_one_a_component(tmp_path: Path) -> None:
    overlay = OVERLAY + "components:\n  SG: {kind: instance}\n"
    arch = check(tmp_path, DRAWN, overlay).loaded.arch
    assert arch is not None and "SG" in {c.id for c in arch.components}


@pytest.mark.parametrize(("title", "tier"), [("Subredes públicas", Tier.PUBLIC),
                                             ("Sous-réseau privé", None),
                                             ("Subrede de dados", Tier.DATA),
                                             ("Subnetz privat", None)])
def test_subnet_titles_in_other_languages(title: str, tier: Tier | None) -> None:
    found = infer_role("z", title)
    assert found is not None and (found[0], found[1]) == (Role.SUBNET, tier)


@pytest.mark.parametrize("label", ["TLS Certificate<br/>AWS Certificate Manager", "ACM",
                                   "OIDC Trust"])
def test_certificates_and_trusts_are_derived_too(label: str) -> None:
    assert described_node("x", label) is not None


@pytest.mark.parametrize(("label", "kind"), [
    ("Internet", Kind.USERS), ("The Internet", Kind.USERS),
    ("Internet-facing ALB", Kind.LOAD_BALANCER), ("Read Replica 1", Kind.DATABASE),
    ("GitHub Actions", Kind.EXTERNAL_SERVICE), ("Org IdP (SAML)", Kind.EXTERNAL_SERVICE),
    ("Third-Party Apps", Kind.EXTERNAL_SERVICE)])
def test_the_internet_replicas_and_third_parties(label: str, kind: Kind) -> None:
    found = infer_kind("x", label)
    assert found is not None and found[0] == kind


def test_a_drawn_certificate_says_which_certificates_archc_issues(tmp_path: Path) -> None:
    drawn = add_after(BASE, NAT, '                Cert["ACM Certificate"]\n') + \
        "    Cert -.-> ALB\n    CDN --- Cert\n    Cert -.-> SG2\n"
    outcome = check(tmp_path, add_after(drawn, NAT, '                SG2["API Security Group"]\n'))
    assert outcome.ok, errors(outcome)
    notes = {x.message.split(" ")[0]: x.message for x in outcome.diagnostics
             if x.code == "ARC291"}
    assert ("(the listener certificate of load balancer ALB; the viewer certificate of CloudFront "
            "distribution CDN (in us-east-1))") in notes["Cert"]
    assert "certificate" not in notes["SG2"]


@pytest.mark.parametrize(("label", "kind"), [
    ("ACM", "secret"), ("ACM certificate", "secret"), ("EC2 Instance Role", None),
    ("ALB Security Group", None)])
def test_a_description_gives_way_to_a_kind_that_reads_all_its_words(
        monkeypatch: pytest.MonkeyPatch, label: str, kind: str | None) -> None:
    import re

    import archc.kinds
    from archc.kinds import kind_for_description
    # a catalog kind that builds what the description stands for (here: reads "acm" and
    # "certificate"); "instance" reads only a word of "instance role"
    monkeypatch.setattr(archc.kinds, "LABEL_KINDS", (
        (re.compile(r"\bacm\b|\bcertificates?\b"), "secret"), *archc.kinds.LABEL_KINDS))
    found = described_node("x", label)
    assert found is not None
    assert kind_for_description("x", label, found[2]) == kind


def test_a_drawn_certificate_a_kind_builds_is_a_component_unless_next_to_an_lb(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import archc.kinds
    monkeypatch.setattr(archc.kinds, "LABEL_KINDS", (
        (re.compile(r"\bacm\b|\bcertificates?\b"), "secret"), *archc.kinds.LABEL_KINDS))
    drawn = add_after(BASE, NAT, '                Cert["ACM Certificate"]\n'
                                 '                Own["ACM Certificate"]\n') + "    Cert -.-> ALB\n"
    outcome = check(tmp_path, drawn)
    arch = outcome.loaded.arch
    assert arch is not None
    # next to the load balancer: the certificate archc issues for it, no component
    assert "Cert" not in {c.id for c in arch.components}
    assert {c.id: str(c.kind) for c in arch.components}.get("Own") == "secret"
