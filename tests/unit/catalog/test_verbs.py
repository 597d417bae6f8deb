"""Every verb of every kind with IAM actions, the same way (issue 10: "IAM policies grant
exactly the actions the flows imply, a test per verb"): an application drawn calling one
component of the kind with `access: <verb>` gets a policy of exactly the kind's actions for
that verb (plus what the verb needs besides, `iam.extra`), on that component's resources
only, and a flow of another verb never widens it."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.catalog.spec import KindSpec, Scope
from archc.kinds import KINDS
from tests.unit.emit.test_terraform_emit import data_blocks, emit, load, parse_dir

PLACE = {Scope.PRIVATE_SUBNET: "app", Scope.DATA_SUBNET: "data", Scope.ANY_SUBNET: "app"}
DIAGRAM = """flowchart TB
    Users((Users))
    subgraph aws["AWS"]
        {outside}
        subgraph VPC["VPC 10.20.0.0/16"]
            subgraph Public["Public Subnet"]
                ALB[Application Load Balancer]
                NAT[NAT Gateway]
            end
            subgraph app["Private App Subnet"]
                API[Orders API]
                {app}
            end
            subgraph data["Private Data Subnet"]
                {data}
            end
        end
    end
    Users -->|HTTPS| ALB
    ALB -->|HTTP :8080| API
    API --> NAT
    API -->|calls| Target
"""
OVERLAY = """version: 1
project: verbs
components:
  API: {{container_image: "public.ecr.aws/nginx/nginx:1.27"}}
  Target: {{kind: {kind}}}
flows:
  "API -> Target": {{access: {verb}}}
environments:
  dev: {{vpc_cidr: 10.20.0.0/16}}
"""


def _cases() -> list[tuple[str, str]]:
    """(kind, verb) for every kind whose IAM table names actions (an AWS API's come from the
    overlay: its own tests cover them) and that lives where an application can call it."""
    return [(spec.name, verb) for spec in KINDS.values()
            if spec.iam and spec.iam.resources
            and spec.scope in (*PLACE, Scope.GLOBAL, Scope.ANYWHERE)
            for verb, actions in spec.iam.actions.items() if actions]


def _spec(tmp_path: Path, spec: KindSpec, verb: str) -> Path:
    node = 'Target["Component under test"]'
    where = PLACE.get(spec.scope, "outside")
    diagram = DIAGRAM.replace(
        "{outside}", node if where == "outside" else "").replace(
        "{app}", node if where == "app" else "").replace(
        "{data}", node if where == "data" else "")
    path = tmp_path / "spec"
    path.mkdir()
    (path / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (path / "archc.yaml").write_text(OVERLAY.format(kind=spec.name, verb=verb),
                                     encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "verb"), _cases(), ids=lambda x: x)
def test_a_flow_grants_exactly_its_verbs_actions(tmp_path: Path, kind: str, verb: str) -> None:
    spec = KINDS[kind]
    assert spec.iam is not None
    files, diags = emit(load(_spec(tmp_path, spec, verb)))
    assert not [d.message for d in diags if d.severity.name == "ERROR"]
    docs = data_blocks(parse_dir(files, "terraform/modules/platform"), "aws_iam_policy_document")
    granted = {name: doc for name, doc in docs.items()
               if name.startswith("api_target_") and name.endswith(verb)}
    assert list(granted) == [f"api_target_{verb}"], sorted(docs)
    statements = granted[f"api_target_{verb}"]["statement"]
    expected = set(spec.iam.actions[verb])
    for actions, _ in spec.iam.extra.get(verb, ()):
        expected |= set(actions)
    assert {a for st in statements for a in st["actions"]} == expected
    # the component's own resources (and the key that encrypts them), never every resource
    # of the service unless the action has no resource level (its table says "*")
    resources = [r for st in statements for r in st["resources"]]
    star = '"*"' in spec.iam.resources or any('"*"' in rs for _, rs in spec.iam.extra.get(verb, ()))
    assert resources and all("target" in r or "kms" in r or (r == "*" and star)
                             for r in resources), resources
    others = set().union(*(set(a) for v, a in spec.iam.actions.items() if v != verb)) - expected
    assert not others & {a for st in statements for a in st["actions"]}
