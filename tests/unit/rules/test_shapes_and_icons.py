"""Issue 10/11: what a node's drawing says of its kind when its label does not. A Mermaid icon
(`@{ icon: "aws:sqs" }`, `logos:aws-…`) names the service; a cylinder draws a data store."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.kinds import KINDS, described_node, infer_kind, infer_kind_from_icon
from tests.unit.rules.minispec import BASE, check, errors

# the database drawn under an id that names no kind (`DB` alone says database)
LEDGER = BASE.replace("DB", "Books")


@pytest.mark.parametrize(("icon", "kind"), [
    ("aws:sqs", "sqs_queue"), ("logos:aws-sqs", "sqs_queue"), ("AWS:Simple-Queue-Service",
                                                               "sqs_queue"),
    ("aws:rds", "database"), ("logos:aws-s3", "object_storage"), ("aws:cloudfront", "cdn"),
    ("mdi:database", None), ("logos:kubernetes", None),
])
def test_an_icon_names_its_service(icon: str, kind: str | None) -> None:
    assert infer_kind_from_icon(icon) == kind


def test_every_catalog_icon_names_its_own_kind() -> None:
    for name, spec in KINDS.items():
        for icon in spec.icons:
            assert infer_kind_from_icon(icon) == name, (name, icon)


def _explain_kind(outcome, node: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    comp = outcome.loaded.arch.component(node)
    decision = next(d for d in comp.decisions if d.attribute == "kind")
    return str(comp.kind), decision.reason


def test_an_icon_wins_over_a_label_that_says_nothing(tmp_path: Path) -> None:
    diagram = BASE.replace('    Users["End Users"]\n',
                           '    Users["End Users"]\n    Jobs@{ icon: "aws:sqs", label: "Jobs" }\n')
    diagram += "    API -->|\"send\"| Jobs\n"
    outcome = check(tmp_path, diagram)
    assert errors(outcome) == []
    kind, reason = _explain_kind(outcome, "Jobs")
    assert kind == "sqs_queue" and "aws:sqs" in reason


def test_a_cylinder_whose_label_names_nothing_is_a_database(tmp_path: Path) -> None:
    outcome = check(tmp_path, LEDGER.replace('Books["Amazon RDS"]', 'Books[("Ledger")]'))
    assert errors(outcome) == []
    kind, reason = _explain_kind(outcome, "Books")
    assert kind == "database" and "data store" in reason


def test_a_cylinder_keeps_the_kind_its_label_names(tmp_path: Path) -> None:
    outcome = check(tmp_path, LEDGER.replace('Books["Amazon RDS"]', 'Books[("Report Bucket S3")]'))
    assert _explain_kind(outcome, "Books")[0] == "object_storage"


def test_a_box_whose_label_names_nothing_stays_unknown(tmp_path: Path) -> None:
    outcome = check(tmp_path, LEDGER.replace('Books["Amazon RDS"]', 'Books["Ledger"]'))
    assert ("ARC202", "cannot tell what kind of component 'Books' ('Ledger') is") in errors(outcome)


def test_the_spec_directory_is_named_even_when_it_is_dot(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from archc import pipeline

    spec = tmp_path / "myspec"
    spec.mkdir()
    monkeypatch.chdir(spec)
    outcome = pipeline.check(Path("."), None)
    assert ("ARC002", "myspec/ holds no diagram (.mmd or .md with a mermaid fence)") in \
        errors(outcome)


@pytest.mark.parametrize(("node_id", "label", "kind"), [
    # an application named by its framework or its job is a service archc runs on EC2
    ("D", "Django App", "backend_service"), ("F", "FastAPI :8000", "backend_service"),
    ("N", "NestJS :3000", "backend_service"), ("W", "Web App", "backend_service"),
    ("A", "Exception Management Agent", "backend_service"),
    # per-AZ copies: the acronym before the zone's letter or number is read as a word
    ("NATa", "NATa", "nat_gateway"), ("ALBc", "ALBc", "load_balancer"), ("NAT_2", "NAT_2",
                                                                          "nat_gateway"),
    # an app people hold is the internet side, not a service
    ("App", "Mobile App", "users"), ("C", "Client App", "users"),
    # words that only look like these stay what they are
    ("P", "Natalie", None), ("W", "Worker Instance", "instance"),
])
def test_how_people_name_what_they_run(node_id: str, label: str, kind: str | None) -> None:
    found = infer_kind(node_id, label)
    assert (found[0] if found else None) == kind


@pytest.mark.parametrize(("label", "what"), [
    ("🛡️ VPC<br/>(Network)", "a VPC"), ("Amazon VPC", "a VPC"),
    ("Anti-DDoS", "a WAF or Shield protection"), ("Rate Limiting (Throttling)",
                                                  "a WAF or Shield protection"),
    ("AWS Shield", "a WAF or Shield protection"),
])
def test_nodes_that_draw_a_network_or_a_protection_are_derived(label: str, what: str) -> None:
    found = described_node("X", label)
    assert found is not None and found[0] == what


@pytest.mark.parametrize("label", ["VPC Endpoint", "VPC Link", "VPC Peering"])
def test_vpc_endpoints_and_links_are_not_the_vpc(label: str) -> None:
    found = described_node("X", label)
    assert found is None or found[0] != "a VPC"


@pytest.mark.parametrize(("label", "hint"), [
    ("Thingamajig", "`archc schema` lists every kind ($defs.kind)"),
    ("Aurura", "did you mean aurora? `archc schema` lists every kind ($defs.kind)"),
])
def test_an_unknown_kinds_hint_names_the_closest_kinds_not_all(tmp_path: Path, label: str,
                                                               hint: str) -> None:
    # the whole list grows with the catalog: a new kind would change every such hint
    outcome = check(tmp_path, LEDGER.replace('Books["Amazon RDS"]', f'Books["{label}"]'))
    found = [d.hint for d in outcome.diagnostics if d.code == "ARC202"]
    assert found == [f"add `components: {{Books: {{kind: ...}}}}` to the overlay: {hint}"]
