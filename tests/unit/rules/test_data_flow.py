"""Issue 11: arrows that show data flow rather than who connects. A bucket or a database
opens no connection, people receive what is drawn to them, a database line to another is
replication; who opens the connection follows the kinds, and the overlay still wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.kinds import Kind, infer_kind
from archc.model import FlowClass
from tests.unit.rules.minispec import BASE, OVERLAY, add_after, check, errors

API = '                API["API Service"]\n'
DB = '                DB["Amazon RDS"]\n'


def _flow(tmp_path: Path, diagram: str, overlay: str = OVERLAY) -> tuple[str, str, str, str]:
    outcome = check(tmp_path, diagram, overlay)
    assert outcome.ok, errors(outcome)
    arch = outcome.loaded.arch
    assert arch is not None
    flow = arch.flows[-1]
    return flow.initiator, flow.target, flow.flow_class, flow.port_text()


def test_a_database_arrow_to_a_service_is_read_by_the_service(tmp_path: Path) -> None:
    diagram = BASE.replace('    API -->|"Queries"| DB\n', "") + '    DB -->|"Results"| API\n'
    assert _flow(tmp_path, diagram) == ("API", "DB", FlowClass.NETWORK, "tcp/5432")


def test_a_bucket_arrow_to_a_service_is_read_by_the_service(tmp_path: Path) -> None:
    diagram = BASE.replace('        IGW["Internet Gateway"]\n',
                           '        IGW["Internet Gateway"]\n        S3["S3 Bucket"]\n')
    assert _flow(tmp_path, diagram + "    S3 --> API\n")[:3] == ("API", "S3", FlowClass.IAM)


def test_an_arrow_to_people_is_what_they_receive(tmp_path: Path) -> None:
    assert _flow(tmp_path, BASE + "    CDN --> Users\n") == ("Users", "CDN", FlowClass.INGRESS,
                                                          "tcp/443")


def test_the_overlay_still_names_the_initiator(tmp_path: Path) -> None:
    overlay = OVERLAY + 'flows:\n  "CDN -> Users": {initiator: CDN, ports: [443]}\n'
    outcome = check(tmp_path, BASE + "    CDN --> Users\n", overlay)
    arch = outcome.loaded.arch
    assert arch is not None and arch.flows[-1].initiator == "CDN"


@pytest.mark.parametrize("line", ["    DB --- Replica\n", "    DB --> Replica\n"])
def test_a_database_to_its_replica_is_replication(tmp_path: Path, line: str) -> None:
    diagram = add_after(BASE, DB, '                Replica["RDS Read Replica"]\n') + line
    assert _flow(tmp_path, diagram) == ("DB", "Replica", FlowClass.REPLICATION, "")


def test_a_load_balancer_reaches_a_plain_instance_on_http(tmp_path: Path) -> None:
    diagram = add_after(BASE, API, '                Web["Web Server"]\n') + "    ALB --> Web\n"
    assert _flow(tmp_path, diagram) == ("ALB", "Web", FlowClass.NETWORK, "tcp/80")


def test_a_nat_gateway_drawn_into_a_host_is_only_the_nat_finding(tmp_path: Path) -> None:
    assert [c for c, _ in errors(check(tmp_path, BASE + "    NAT --> API\n"))] == ["ARC304"]


@pytest.mark.parametrize(("label", "kind"), [("User Service", Kind.BACKEND_SERVICE),
                                             ("Customer DB", Kind.DATABASE),
                                             ("Client App", Kind.USERS)])
def test_people_words_naming_a_service_are_no_people(label: str, kind: Kind) -> None:
    found = infer_kind("x", label)
    assert found is not None and found[0] == kind
