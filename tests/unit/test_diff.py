"""archc.diff: compare() on small IR changes, the RISK flags, file diffs and rendering.

Each test writes a tiny spec (BASE_* below) and an edited copy to tmp_path, compiles both
and asserts the exact Change tuples. Spans are excluded from Change equality, so the
expected tuples name no lines.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from archc import pipeline
from archc.diff import Change, assess, compare, render
from archc.diff.change import Risk
from archc.diff.compare import STATE_CHECKS
from archc.diff.files import FileDiff, file_diffs
from archc.diff.picture import MAX_NODES
from archc.diff.report import Report, Sources, build_report
from archc.diff.risks import RISKS, left_private_subnet
from archc.diff.side import Side
from archc.emit import OutputFile
from archc.model import Architecture

BASE_MMD = """\
flowchart LR
    Users["End Users"]
    subgraph aws ["AWS"]
        CDN["CloudFront"]
        IGW["Internet Gateway"]
        S3["S3 Buckets"]
        subgraph vpc ["VPC"]
            subgraph pub ["Public Subnet"]
                ALB["Application Load Balancer"]
                NAT["NAT Gateway"]
            end
            subgraph app ["Private App Subnet"]
                API["API Service"]
                Worker["Report Worker"]
            end
            subgraph app2 ["Private App Subnet 2"]
                Jobs["Batch Jobs"]
            end
            subgraph data ["Private Data Subnet"]
                DB["Amazon RDS"]
            end
        end
    end
    Users -->|"HTTPS"| CDN
    CDN -->|"Origin"| IGW
    IGW -->|"Inbound HTTPS"| ALB
    ALB -->|"API Traffic"| API
    API -->|"Queries"| DB
    API -->|"Updates"| NAT
    NAT -->|"Egress"| IGW
    API -->|"Store Data"| S3
"""

BASE_YAML = """\
version: 1
project: mini
region: eu-west-1
components:
  API: {kind: backend_service, port: 8080}
  Worker: {kind: instance, instance_type: t3.small}
  Jobs: {kind: instance, instance_type: t3.small}
  DB: {kind: database, engine: postgres}
  S3:
    kind: object_storage
    buckets:
      reports: {purpose: data}
flows:
  "API -> S3": {buckets: [reports], access: read}
policy:
  internet_entry: [CDN]
  admin_cidrs: [203.0.113.0/24]
environments:
  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}
  prod:
    vpc_cidr: 10.1.0.0/16
    azs: 2
    nat: single
    components:
      DB: {multi_az: true}
"""


def load(tmp_path: Path, name: str, mmd: str = BASE_MMD, yaml: str = BASE_YAML,
         valid: bool = True) -> Architecture:
    spec = tmp_path / name
    spec.mkdir()
    (spec / "architecture.mmd").write_text(mmd, encoding="utf-8")
    (spec / "archc.yaml").write_text(yaml, encoding="utf-8")
    checked = pipeline.check(spec)
    assert checked.loaded.arch is not None
    assert checked.ok or not valid, [str(d.message) for d in checked.diagnostics]
    return checked.loaded.arch


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def diff(tmp_path: Path, mmd: str = BASE_MMD,
         yaml: str = BASE_YAML) -> tuple[tuple[Change, ...], tuple[Risk, ...]]:
    base, head = load(tmp_path, "base"), load(tmp_path, "head", mmd, yaml)
    changes = compare(base, head)
    return changes, assess(changes, Side.of(base), Side.of(head))


def codes(risks: tuple[Risk, ...]) -> list[tuple[str, str]]:
    return [(r.code, r.change.id) for r in risks]


# --------------------------------------------------------------------------- no change
def test_same_spec_gives_no_change(tmp_path: Path) -> None:
    assert diff(tmp_path) == ((), ())


def test_moving_lines_without_changing_meaning_gives_no_change(tmp_path: Path) -> None:
    # nodes declared in another order inside their subgraphs, a blank line, edges shuffled
    mmd = edit(BASE_MMD, '                API["API Service"]\n                Worker["Report '
                         'Worker"]\n',
               '                Worker["Report Worker"]\n\n                API["API Service"]\n')
    edges = [line for line in mmd.splitlines(keepends=True) if "-->" in line]
    mmd = mmd.replace("".join(edges), "".join(reversed(edges)))
    assert diff(tmp_path, mmd) == ((), ())


def test_reordering_edges_and_swapping_bidirectional_ends_gives_no_change(
        tmp_path: Path) -> None:
    mmd = edit(BASE_MMD, '    API -->|"Queries"| DB\n    API -->|"Updates"| NAT\n',
               '    API -->|"Updates"| NAT\n    API -->|"Queries"| DB\n')
    base = edit(mmd, '    API -->|"Store Data"| S3', '    API <-->|"Store Data"| S3')
    head = edit(mmd, '    API -->|"Store Data"| S3', '    S3 <-->|"Store Data"| API')
    # Mermaid numbers these edges L_API_S3_0 / L_S3_API_0: the ids differ, the flow does not
    assert compare(load(tmp_path, "b", base), load(tmp_path, "h", head)) == ()


# --------------------------------------------------------------------------- changes
def test_add_a_component(tmp_path: Path) -> None:
    mmd = edit(BASE_MMD, '                Jobs["Batch Jobs"]\n',
               '                Jobs["Batch Jobs"]\n                Cache["Cache Node"]\n')
    yaml = edit(BASE_YAML, "  DB: {kind", "  Cache: {kind: instance}\n  DB: {kind")
    assert diff(tmp_path, mmd, yaml) == ((
        Change("added", "component", "Cache",
               new='instance "Cache Node" in aws / vpc / app2 (app)'),
        # its SSM and CloudWatch agents and package manager reach out over HTTPS (the NAT)
        Change("added", "sg_rule", "cache_egress_internet_https",
               new="egress from cache to 0.0.0.0/0 tcp/443"),
    ), ())


def test_remove_a_flow_closes_its_rule(tmp_path: Path) -> None:
    changes, risks = diff(tmp_path, edit(BASE_MMD, '    API -->|"Queries"| DB\n', ""))
    assert changes == (
        Change("removed", "flow", 'API -> DB "Queries"', old="API -> DB, network, tcp/5432"),
        Change("removed", "sg_rule", "api_egress_db_5432",
               old="egress from api to security group db tcp/5432"),
        Change("removed", "sg_rule", "db_ingress_api_5432",
               old="ingress to db from security group api tcp/5432"),
        *(Change("removed", "iam_policy", "api_db_credentials", "actions", old=action,
                 key="db_master_secret:db")
          for action in ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")),
    )
    assert risks == ()


def test_remove_the_nat_flow_keeps_the_agents_https(tmp_path: Path) -> None:
    """The host's SSM and CloudWatch agents still need HTTPS out: only the flow goes."""
    changes, risks = diff(tmp_path, edit(BASE_MMD, '    API -->|"Updates"| NAT\n', ""))
    assert changes == (
        Change("removed", "flow", 'API -> NAT "Updates"', old="API -> NAT, egress, tcp/443"),
    )
    assert risks == ()


def test_change_a_port(tmp_path: Path) -> None:
    yaml = edit(BASE_YAML, "flows:\n", 'flows:\n  "API -> DB": {ports: [5433]}\n')
    changes, risks = diff(tmp_path, yaml=yaml)
    assert changes == (
        Change("modified", "flow", 'API -> DB "Queries"', "flow", "tcp/5432", "tcp/5433",
               key="ports"),
        Change("removed", "sg_rule", "api_egress_db_5432",
               old="egress from api to security group db tcp/5432"),
        Change("added", "sg_rule", "api_egress_db_5433",
               new="egress from api to security group db tcp/5433"),
        Change("removed", "sg_rule", "db_ingress_api_5432",
               old="ingress to db from security group api tcp/5432"),
        Change("added", "sg_rule", "db_ingress_api_5433",
               new="ingress to db from security group api tcp/5433"),
    )
    assert [(r.code, r.message) for r in risks] == [
        ("data-tier", "new access into the data tier: API -> DB on tcp/5433")]


def test_move_a_component_to_another_subnet(tmp_path: Path) -> None:
    mmd = edit(BASE_MMD, '                Worker["Report Worker"]\n', "")
    mmd = edit(mmd, '                Jobs["Batch Jobs"]\n',
               '                Jobs["Batch Jobs"]\n                Worker["Report Worker"]\n')
    assert diff(tmp_path, mmd) == ((
        Change("modified", "component", "Worker", "placement", "aws / vpc / app",
               "aws / vpc / app2", key="zone"),
    ), ())


def test_change_an_environment_property(tmp_path: Path) -> None:
    yaml = edit(BASE_YAML, "DB: {multi_az: true}", "DB: {multi_az: false}")
    changes, risks = diff(tmp_path, yaml=yaml)
    assert changes == (
        Change("modified", "component", "DB", "props", "true", "false", env="prod",
               key="multi_az"),
    )
    assert [(r.code, r.message) for r in risks] == [
        ("multi-az-off", "prod: DB is no longer multi-AZ (one AZ failure takes it down)")]


def test_multi_az_off_outside_production_is_no_risk(tmp_path: Path) -> None:
    yaml = edit(BASE_YAML, "  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}",
                "  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single, "
                "components: {DB: {multi_az: false}}}")
    changes, risks = diff(tmp_path, yaml=yaml)
    assert changes == (
        Change("modified", "component", "DB", "props", None, "false", env="dev",
               key="multi_az"),
    )
    assert risks == ()


def test_open_ssh_from_admin_cidrs(tmp_path: Path) -> None:
    mmd = edit(BASE_MMD, '                NAT["NAT Gateway"]\n',
               '                NAT["NAT Gateway"]\n                Bastion["Bastion Host"]\n')
    mmd += '    Bastion -->|"Admin Access"| API\n'
    yaml = edit(BASE_YAML, "  DB: {kind", "  Bastion: {kind: bastion, access: ssh}\n  DB: {kind")
    changes, risks = diff(tmp_path, mmd, yaml)
    assert changes == (
        Change("added", "component", "Bastion",
               new='bastion "Bastion Host" in aws / vpc / pub (public)'),
        Change("added", "flow", 'Bastion -> API "Admin Access"',
               new="Bastion -> API, network, tcp/22"),
        Change("added", "sg_rule", "api_ingress_bastion_ssh",
               new="ingress to api from security group bastion tcp/22"),
        Change("added", "sg_rule", "bastion_egress_api_ssh",
               new="egress from bastion to security group api tcp/22"),
        Change("added", "sg_rule", "bastion_egress_internet_https",
               new="egress from bastion to 0.0.0.0/0 tcp/443"),
        Change("added", "sg_rule", "bastion_ingress_admin_ssh",
               new="ingress to bastion from admin CIDRs (203.0.113.0/24) tcp/22"),
    )
    assert [(r.code, r.change.id, r.message) for r in risks] == [
        ("ssh", "api_ingress_bastion_ssh",
         "port 22 (SSH) opens on api from security group bastion"),
        ("admin-ingress", "bastion_ingress_admin_ssh",
         "bastion accepts tcp/22 from admin CIDRs 203.0.113.0/24"),
        ("ssh", "bastion_ingress_admin_ssh",
         "port 22 (SSH) opens on bastion from admin CIDRs (203.0.113.0/24)"),
    ]


def test_widening_admin_cidrs_to_the_internet(tmp_path: Path) -> None:
    mmd = edit(BASE_MMD, '                NAT["NAT Gateway"]\n',
               '                NAT["NAT Gateway"]\n                Bastion["Bastion Host"]\n')
    yaml = edit(BASE_YAML, "  DB: {kind", "  Bastion: {kind: bastion, access: ssh}\n  DB: {kind")
    base = load(tmp_path, "base", mmd, yaml)
    head = load(tmp_path, "head", mmd, edit(yaml, "admin_cidrs: [203.0.113.0/24]",
                                            "admin_cidrs: [203.0.113.0/24, 0.0.0.0/0]\n"
                                            "  allow_world_admin: true"))
    changes = compare(base, head)
    assert changes == (
        Change("modified", "sg_rule", "bastion_ingress_admin_ssh", "rule",
               "admin CIDRs (203.0.113.0/24)", "admin CIDRs (203.0.113.0/24, 0.0.0.0/0)",
               key="peer"),
        Change("modified", "policy", "policy", "policy", "203.0.113.0/24",
               "203.0.113.0/24, 0.0.0.0/0", key="admin_cidrs"),
    )
    assert codes(assess(changes, Side.of(base), Side.of(head))) == [
        ("internet-ingress", "bastion_ingress_admin_ssh"),
        ("admin-ingress", "bastion_ingress_admin_ssh")]


def test_internet_straight_to_the_load_balancer(tmp_path: Path) -> None:
    # invalid (ARC303: the policy's only entry is the CDN), yet the diff must still say what
    # the emitted rules would open
    base = load(tmp_path, "base")
    head = load(tmp_path, "head", BASE_MMD + '    Users -->|"Direct"| IGW\n', valid=False)
    changes = compare(base, head)
    assert Change("added", "sg_rule", "alb_ingress_internet_https",
                  new="ingress to alb from 0.0.0.0/0 tcp/443") in changes
    risks = assess(changes, Side.of(base), Side.of(head))
    assert [(r.code, r.message) for r in risks if r.code == "internet-ingress"] == [
        ("internet-ingress", "alb accepts tcp/443 from the whole internet (0.0.0.0/0)")]


def test_s3_access_read_to_read_write_grants_write_actions(tmp_path: Path) -> None:
    changes, risks = diff(tmp_path, yaml=edit(BASE_YAML, "access: read}", "access: read_write}"))
    granted = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject")
    assert changes == (
        Change("modified", "flow", 'API -> S3 "Store Data"', "flow", "read", "read_write",
               key="access"),
        *(Change("added", "iam_policy", "api_reports_read_write", "actions", new=action,
                 key="bucket_objects:reports") for action in granted),
        Change("added", "iam_policy", "api_reports_read_write", "actions",
               new="kms:GenerateDataKey", key="kms_key:data"),
    )
    assert [r.message for r in risks] == [
        f"instance_role api may now {action} on bucket_objects:reports" for action in granted]


def test_removing_a_host_that_keeps_data_is_a_risk(tmp_path: Path) -> None:
    """An instance keeps its state on a data volume: removing it destroys that volume."""
    mmd = edit(BASE_MMD, '                Worker["Report Worker"]\n', "")
    yaml = edit(BASE_YAML, "  Worker: {kind: instance, instance_type: t3.small}\n", "")
    _, risks = diff(tmp_path, mmd, yaml)
    assert codes(risks) == [("stateful-removed", "Worker")]
    assert risks[0].message == ("Worker (instance) is removed: its data volume goes with it "
                                "(only its final snapshot is kept)")


def test_removing_the_database_is_a_risk(tmp_path: Path) -> None:
    mmd = edit(edit(BASE_MMD, '                DB["Amazon RDS"]\n', ""),
               '    API -->|"Queries"| DB\n', "")
    yaml = edit(edit(BASE_YAML, "  DB: {kind: database, engine: postgres}\n", ""),
                "    components:\n      DB: {multi_az: true}\n", "")
    changes, risks = diff(tmp_path, mmd, yaml)
    assert codes(risks) == [("stateful-removed", "DB")]
    assert risks[0].message == "DB (database) is removed: its data goes with it"
    assert Change("removed", "component", "DB",
                  old='database "Amazon RDS" in aws / vpc / data (data)') in changes
    assert Change("removed", "iam_policy", "api_db_credentials", "actions",
                  old="secretsmanager:GetSecretValue", key="db_master_secret:db") in changes



# A queue between the API and the worker: its catalog entry (archc/catalog/messaging.py) says
# what removing it or changing `fifo` costs, and diff reads the risks from there.
QUEUE_MMD = edit(BASE_MMD, '        S3["S3 Buckets"]\n',
                 '        S3["S3 Buckets"]\n        Q["Orders Queue"]\n') + (
    '    API -->|"Send"| Q\n    Q --> Worker\n')
QUEUE_YAML = edit(BASE_YAML, "  DB: {kind: database, engine: postgres}\n",
                  "  DB: {kind: database, engine: postgres}\n  Q: {fifo: false}\n")


def queue_diff(tmp_path: Path, mmd: str = QUEUE_MMD,
               yaml: str = QUEUE_YAML) -> tuple[tuple[Change, ...], tuple[Risk, ...]]:
    tmp_path.mkdir(exist_ok=True)
    base = load(tmp_path, "base", QUEUE_MMD, QUEUE_YAML)
    head = load(tmp_path, "head", mmd, yaml)
    changes = compare(base, head)
    return changes, assess(changes, Side.of(base), Side.of(head))


def test_removing_a_queue_is_the_risk_its_catalog_entry_names(tmp_path: Path) -> None:
    mmd = edit(edit(QUEUE_MMD, '        Q["Orders Queue"]\n', ""),
               '    API -->|"Send"| Q\n    Q --> Worker\n', "")
    _, risks = queue_diff(tmp_path, mmd, edit(QUEUE_YAML, "  Q: {fifo: false}\n", ""))
    assert codes(risks) == [("stateful-removed", "Q")]
    assert risks[0].message == ("Q (sqs_queue) is removed: the messages waiting in it and in "
                                "its dead-letter queue go with it")


def test_changing_a_queues_fifo_replaces_it(tmp_path: Path) -> None:
    changes, risks = queue_diff(tmp_path, yaml=edit(QUEUE_YAML, "{fifo: false}", "{fifo: true}"))
    assert [c.key for c in changes] == ["fifo", "fifo"]
    assert codes(risks) == [("property-high", "Q"), ("property-high", "Q")]
    assert [r.message for r in risks] == [
        f"{env}: Q fifo false -> true: the queue is replaced: its messages are lost"
        for env in ("dev", "prod")]
    # a property the catalog does not list is no risk
    _, risks = queue_diff(tmp_path / "again", yaml=edit(
        QUEUE_YAML, "{fifo: false}", "{fifo: false, visibility_timeout_seconds: 60}"))
    assert risks == ()


def test_a_medium_catalog_risk_ranks_after_the_seed_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archc.catalog import CATALOG
    from archc.catalog.spec import Risk as CatalogRisk
    queue = CATALOG["sqs_queue"]
    monkeypatch.setitem(CATALOG, "sqs_queue", dataclasses.replace(queue, risks=(
        *queue.risks, CatalogRisk("visibility_timeout_seconds", "medium", "slow consumers "
                                  "see their messages twice"))))
    _, risks = queue_diff(tmp_path, yaml=edit(
        QUEUE_YAML, "{fifo: false}", "{fifo: false, visibility_timeout_seconds: 5}"))
    assert codes(risks) == [("property-medium", "Q"), ("property-medium", "Q")]
    assert risks[0].message == ("dev: Q visibility_timeout_seconds unset -> 5: slow consumers "
                                "see their messages twice")


def test_environment_added_and_cidrs_changed(tmp_path: Path) -> None:
    yaml = edit(BASE_YAML, "  dev: {vpc_cidr: 10.0.0.0/16,", "  dev: {vpc_cidr: 10.8.0.0/16,")
    yaml += "  qa: {vpc_cidr: 10.2.0.0/16, azs: 2, nat: single}\n"
    changes, _ = diff(tmp_path, yaml=yaml)
    modified = [c for c in changes if c.subject == "environment" and c.kind == "modified"]
    assert Change("modified", "environment", "dev", "cidrs", "10.0.0.0/16", "10.8.0.0/16",
                  env="dev", key="vpc") in modified
    assert Change("modified", "environment", "dev", "cidrs", "10.0.4.0/22", "10.8.4.0/22",
                  env="dev", key="app az1") in modified
    assert all(c.env == "dev" and c.aspect == "cidrs" for c in modified)
    assert Change("added", "environment", "qa", new="VPC 10.2.0.0/16, 2 AZs, NAT single") \
        in changes
    # a new environment is one change, not one per resolved property of every component
    assert not [c for c in changes if c.env == "qa"]


def test_a_cdn_drawn_above_the_first_takes_its_names(tmp_path: Path) -> None:
    """The first CDN of the diagram is module.cdn: a new one drawn above it takes the name
    (a risk); one drawn after it is module.cdn_<id> and changes nothing else (no risk)."""
    above = edit(edit(BASE_MMD, '        CDN["CloudFront"]\n',
                      '        Edge["Edge CloudFront"]\n        CDN["CloudFront"]\n'),
                 '    CDN -->|"Origin"| IGW\n', '    CDN -->|"Origin"| IGW\n'
                                               '    Edge -->|"Origin"| IGW\n')
    (tmp_path / "above").mkdir()
    _, risks = diff(tmp_path / "above", above)
    assert codes(risks) == [("edge-first-changed", "Edge")]
    assert risks[0].message.startswith("module.cdn passes from CDN to Edge (the first CDN of "
                                       "the diagram)")
    below = edit(above, '        Edge["Edge CloudFront"]\n        CDN["CloudFront"]\n',
                 '        CDN["CloudFront"]\n        Edge["Edge CloudFront"]\n')
    (tmp_path / "below").mkdir()
    _, risks = diff(tmp_path / "below", below)
    assert "edge-first-changed" not in [code for code, _ in codes(risks)]


# --------------------------------------------------------------------------- risks, model
def test_leaving_a_private_subnet_is_a_risk(tmp_path: Path) -> None:
    side = Side.of(load(tmp_path, "base"))
    moved = Change("modified", "component", "Worker", "placement", "app", "public", key="tier")
    assert left_private_subnet(moved, side, side) == \
        "Worker leaves a private subnet (app -> public)"
    inward = dataclasses.replace(moved, old="public", new="app")
    assert left_private_subnet(inward, side, side) is None


def test_change_is_frozen_and_ignores_spans() -> None:
    from archc.source import Span

    a = Change("added", "flow", "A -> B", span=Span("x.mmd", 1, 1, 1, 2))
    b = Change("added", "flow", "A -> B", span=Span("y.mmd", 9, 1, 9, 2))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.id = "C"  # type: ignore[misc]


def test_checks_and_risks_are_named_literal_tables() -> None:
    assert all(fn.__name__ == f"same_{aspect}" for checks in STATE_CHECKS.values()
               for aspect, fn in checks.items())
    assert list(STATE_CHECKS["component"]) == ["kind", "label", "placement", "props"]
    # biggest first: a report lists its risks in this order
    assert list(RISKS) == ["internet-ingress", "stateful-removed", "stateful-renamed",
                           "edge-first-changed", "property-high", "iam-widened",
                           "admin-ingress", "ssh", "data-tier", "left-private-subnet",
                           "protection-off", "multi-az-off", "property-medium"]


# --------------------------------------------------------------------------- files, render
def test_file_diffs_skip_binaries_and_tell_comment_only_changes() -> None:
    old = (OutputFile("terraform/a.tf", 'x = 1\n# From architecture.mmd:3\n'),
           OutputFile("diagrams/architecture.png", b"\x89PNG"),
           OutputFile("diagrams/architecture.dot", "digraph {}\n"),
           OutputFile("security/dev.md", "| a |\n"))
    new = (OutputFile("terraform/a.tf", 'x = 1\n# From architecture.mmd:4\n'),
           OutputFile("diagrams/architecture.png", b"\x89PNG2"),
           OutputFile("diagrams/architecture.dot", "digraph { a }\n"),
           OutputFile("security/dev.md", "| a |\n| b |\n"),
           OutputFile("terraform/b.tf", "y = 2"))
    diffs = {d.path: d for d in file_diffs(old, new)}
    assert list(diffs) == ["security/dev.md", "terraform/a.tf", "terraform/b.tf"]
    assert diffs["terraform/a.tf"].comments_only and not diffs["security/dev.md"].comments_only
    assert (diffs["terraform/b.tf"].status, diffs["terraform/b.tf"].added) == ("added", 1)
    assert diffs["terraform/b.tf"].diff.startswith("--- /dev/null\n+++ b/terraform/b.tf\n")
    assert diffs["terraform/b.tf"].diff.endswith("+y = 2\n\\ No newline at end of file\n")


def _report(tmp_path: Path, files: tuple[FileDiff, ...] | None) -> Report:
    return _sides(tmp_path, BASE_MMD, edit(BASE_YAML, "DB: {multi_az: true}",
                                           "DB: {multi_az: false}"), files=files)


def test_renderings_are_deterministic_and_versioned(tmp_path: Path) -> None:
    report = _report(tmp_path, None)
    body = json.loads(render(report, "json"))
    assert body["version"] == 1 and body["files"] is None
    assert body["summary"]["components"] == {"added": 0, "removed": 0, "modified": 1}
    assert body["summary"]["environments_affected"] == ["prod"]
    assert body["changes"][0]["text"] == "prod: DB.multi_az: true -> false"
    # the overlay line that sets the value, rather than the component's node
    assert (body["changes"][0]["where"], body["changes"][0]["line"]) == (
        "head/archc.yaml:25", "DB: {multi_az: false}")
    markdown = render(report, "markdown")
    assert markdown.splitlines()[2] == ("**1 risk to review in 1 change: 1 component "
                                        "modified.**")
    assert "- **RISK** `multi-az-off`: prod: DB is no longer multi-AZ" in markdown
    text = render(report, "text")
    assert "RISK multi-az-off: prod: DB is no longer multi-AZ" in text
    assert render(report, "text") == text and render(report, "markdown") == markdown


def test_markdown_cuts_long_file_diffs_and_keeps_the_budget(tmp_path: Path) -> None:
    long = "".join(f"line {i}\n" for i in range(400))
    files = file_diffs((OutputFile("terraform/big.tf", ""),),
                       (OutputFile("terraform/big.tf", long),))
    markdown = render(_report(tmp_path, files), "markdown")
    assert "<details><summary><code>terraform/big.tf</code> modified (+400 −0)</summary>" \
        in markdown
    assert "… 343 more diff lines not shown" in markdown
    many = tuple(FileDiff(f"terraform/f{i}.tf", "modified", 1, 1, "x" * 5000 + "\n",
                          "--- a\n+++ b\n@@ -1 +1 @@\n" + "x" * 5000 + "\n") for i in range(20))
    (tmp_path / "second").mkdir()
    markdown = render(_report(tmp_path / "second", many), "markdown")
    assert len(markdown) < 65_536
    assert "more file(s) changed; their diffs are left out to keep the comment short" \
        in markdown


def test_zone_renamed_and_zone_added(tmp_path: Path) -> None:
    mmd = edit(BASE_MMD, 'subgraph app2 ["Private App Subnet 2"]', 'subgraph app2 ["Batch Subnet"]')
    mmd = edit(mmd, '            subgraph data ["Private Data Subnet"]\n',
               '            subgraph "Tools Subnet"\n                Tools["Tools Box"]\n'
               '            end\n            subgraph data ["Private Data Subnet"]\n')
    yaml = edit(BASE_YAML, "  DB: {kind", "  Tools: {kind: instance}\n  DB: {kind")
    yaml += "zones:\n  Tools Subnet: {role: subnet, tier: app}\n"
    changes, _ = diff(tmp_path, mmd, yaml)
    zones = [c for c in changes if c.subject == "zone"]
    # an anonymous subgraph is keyed by its title, not by Mermaid's positional subGraphN
    assert zones == [
        Change("added", "zone", "Tools Subnet", new="subnet app in vpc"),
        Change("modified", "zone", "app2", "zone", "Private App Subnet 2", "Batch Subnet",
               key="title"),
    ]
    assert Change("added", "component", "Tools",
                  new='instance "Tools Box" in aws / vpc / Tools Subnet (app)') in changes


# --------------------------------------------------------------------------- merged risks
def _sides(tmp_path: Path, mmd: str, yaml: str, base_mmd: str = BASE_MMD,
           base_yaml: str = BASE_YAML, files: tuple[FileDiff, ...] | None = None) -> Report:
    load(tmp_path, "base", base_mmd, base_yaml)
    load(tmp_path, "head", mmd, yaml)
    sides = []
    for name in ("base", "head"):
        loaded = pipeline.check(tmp_path / name).loaded
        assert loaded.arch is not None
        sides.append(Sources(name, Side.of(loaded.arch), loaded.sources, loaded.overlay))
    return build_report(sides[0], sides[1], files)


def _with_bastion() -> tuple[str, str]:
    mmd = edit(BASE_MMD, '                NAT["NAT Gateway"]\n',
               '                NAT["NAT Gateway"]\n                Bastion["Bastion Host"]\n')
    yaml = edit(BASE_YAML, "  DB: {kind", "  Bastion: {kind: bastion, access: ssh}\n  DB: {kind")
    return mmd, yaml


def test_the_rules_one_change_trips_are_one_risk_biggest_first(tmp_path: Path) -> None:
    mmd, yaml = _with_bastion()
    report = _sides(tmp_path, mmd, edit(yaml, "admin_cidrs: [203.0.113.0/24]",
                                        "admin_cidrs: [203.0.113.0/24, 0.0.0.0/0]\n"
                                        "  allow_world_admin: true"),
                    mmd + '    Bastion -->|"Admin Access"| API\n', yaml)
    # the flow is removed (ssh on api closes) and the admin range reaches the internet
    assert [(r.codes, r.change.id) for r in report.risks] == [
        (("internet-ingress", "admin-ingress"), "bastion_ingress_admin_ssh")]
    item = next(i for i in report.items if i.change.id == "bastion_ingress_admin_ssh")
    assert item.risks == report.risks


def test_write_actions_on_one_resource_are_one_risk(tmp_path: Path) -> None:
    report = _sides(tmp_path, BASE_MMD, edit(BASE_YAML, "access: read}", "access: read_write}"))
    assert [(r.codes, r.message) for r in report.risks] == [
        (("iam-widened",), "instance_role api may now s3:AbortMultipartUpload, "
                           "s3:DeleteObject, s3:PutObject on bucket_objects:reports")]
    flagged = [i.change.new for i in report.items if i.risks]
    assert flagged == ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"]


# --------------------------------------------------------------------------- picture
def test_picture_of_a_removed_component_uses_the_base_flows(tmp_path: Path) -> None:
    mmd = edit(edit(BASE_MMD, '                DB["Amazon RDS"]\n', ""),
               '    API -->|"Queries"| DB\n', "")
    yaml = edit(edit(BASE_YAML, "  DB: {kind: database, engine: postgres}\n", ""),
                "    components:\n      DB: {multi_az: true}\n", "")
    picture = _sides(tmp_path, mmd, yaml).picture
    assert picture is not None
    assert [(n.ref, n.status, n.group) for n in picture.nodes] == [
        ("DB", "removed", "aws / vpc / data"), ("API", "unchanged", "aws / vpc / app")]
    assert [(e.src, e.dst, e.label, e.status) for e in picture.edges] == [
        ("API", "DB", "Queries", "removed")]


def test_a_rule_changed_by_policy_alone_marks_the_component_it_guards(tmp_path: Path) -> None:
    mmd, yaml = _with_bastion()
    report = _sides(tmp_path, mmd, edit(yaml, "admin_cidrs: [203.0.113.0/24]",
                                        "admin_cidrs: [0.0.0.0/0]\n  allow_world_admin: true"),
                    mmd, yaml)
    assert report.picture is not None
    assert [(n.ref, n.status) for n in report.picture.nodes] == [("Bastion", "changed")]


def test_policy_only_change_has_no_picture(tmp_path: Path) -> None:
    report = _sides(tmp_path, BASE_MMD, edit(BASE_YAML, "internet_entry: [CDN]",
                                             "internet_entry: [CDN]\n  bastion_access: ssm"))
    assert report.changed and report.picture is None


def test_picture_is_capped_and_counts_what_it_left_out(tmp_path: Path) -> None:
    extra = "".join(f'                W{i}["Worker {i}"]\n' for i in range(40))
    mmd = edit(BASE_MMD, '                Worker["Report Worker"]\n',
               '                Worker["Report Worker"]\n' + extra)
    yaml = edit(BASE_YAML, "  DB: {kind", "".join(f"  W{i}: {{kind: instance}}\n"
                                                  for i in range(40)) + "  DB: {kind")
    report = _sides(tmp_path, mmd, yaml)
    assert report.picture is not None
    assert (len(report.picture.nodes), report.picture.nodes_left_out) == (MAX_NODES, 10)
    assert "The picture leaves out 10 components and 0 flows (it shows 30)" \
        in render(report, "markdown")
