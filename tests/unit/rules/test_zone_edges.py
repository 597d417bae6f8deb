"""Issue 11: an edge drawn to or from a subgraph stands for the components in it: to a zone
with a load balancer, its entry point; from a zone, every component in it."""

from __future__ import annotations

from pathlib import Path

from tests.unit.rules.minispec import BASE, OVERLAY, check, errors

API = '                API["API Service"]\n'
TWO_APPS = BASE.replace(API, API + '                Jobs["Jobs Service"]\n')


def _flows(outcome: object) -> list[tuple[str, str, str]]:
    arch = outcome.loaded.arch  # type: ignore[attr-defined]
    return [(f.initiator, f.target, f.port_text()) for f in arch.flows]


def test_an_edge_to_a_subnet_with_a_load_balancer_reaches_the_load_balancer(
        tmp_path: Path) -> None:
    diagram = BASE.replace('IGW -->|"Inbound HTTPS"| ALB', 'IGW -->|"Inbound HTTPS"| pub')
    outcome = check(tmp_path, diagram)
    assert outcome.ok, errors(outcome)
    assert ("IGW", "ALB", "tcp/443") in _flows(outcome)
    flow = next(f for f in outcome.loaded.arch.flows if f.target == "ALB")  # type: ignore[union-attr]
    assert any(d.attribute == "ends" and d.value == "ALB" and "entry point" in d.reason
               for d in flow.decisions)


def test_an_edge_from_a_subnet_is_every_component_in_it_and_takes_the_overlay(
        tmp_path: Path) -> None:
    diagram = TWO_APPS.replace('API -->|"Updates"| NAT', 'app -->|"Updates"| NAT')
    overlay = OVERLAY + 'flows:\n  "app -> NAT": {ports: [80]}\n'
    outcome = check(tmp_path, diagram, overlay)
    assert outcome.ok, errors(outcome)
    egress = [f for f in _flows(outcome) if f[1] == "NAT"]
    assert egress == [("API", "NAT", "tcp/80"), ("Jobs", "NAT", "tcp/80")]


def test_an_edge_to_an_empty_zone_is_still_an_error(tmp_path: Path) -> None:
    diagram = BASE.replace("    end\n    Users", '    subgraph empty ["Empty"]\n    end\n'
                           "    end\n    Users", 1) + "    API --> empty\n"
    assert [c for c, _ in errors(check(tmp_path, diagram))] == ["ARC204"]


def test_the_overlay_may_name_the_zone_as_the_initiator(tmp_path: Path) -> None:
    diagram = TWO_APPS.replace('API -->|"Updates"| NAT', 'NAT <-->|"Updates"| app')
    overlay = OVERLAY + 'flows:\n  "NAT <-> app": {initiator: app}\n'
    outcome = check(tmp_path, diagram, overlay)
    assert outcome.ok, errors(outcome)
    assert [f for f in _flows(outcome) if f[1] == "NAT"] == [("API", "NAT", "tcp/443"),
                                                             ("Jobs", "NAT", "tcp/443")]
