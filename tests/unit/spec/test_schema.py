"""The overlay schema and its diagnostics: every error, at the place the user has to edit."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from archc.catalog import CATALOG
from archc.diagnostics import Diagnostic
from archc.spec import load_spec
from archc.spec.overlay import load_overlay
from archc.spec.schema import SCHEMA_CODES, load_schema, schema_text, validate_overlay

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "spec" / "archc.yaml"
SCHEMA_FILE = REPO / "archc" / "spec" / "overlay.schema.json"

# The seed's kinds, which the shipped file lists; the catalog adds the others after them.
SEED_KINDS = ["users", "admins", "dns_zone", "cdn", "waf", "internet_gateway", "nat_gateway",
         "load_balancer", "bastion", "backend_service", "instance", "ci_server", "scm_server",
         "eks_control_plane", "eks_node_group", "database", "object_storage",
         "external_frontend", "external_service"]

HEADER = "version: 1\nproject: demo\n"


def check(tmp_path: Path, body: str, header: str = HEADER) -> list[Diagnostic]:
    """Load `header + body` from a real file and return the schema diagnostics."""
    path = tmp_path / "archc.yaml"
    path.write_text(header + textwrap.dedent(body), encoding="utf-8")
    overlay, _, diagnostics = load_overlay(path, "archc.yaml")
    assert diagnostics == [] and overlay is not None
    return validate_overlay(overlay)


def where(diagnostic: Diagnostic) -> tuple[str, int, int]:
    assert diagnostic.span is not None
    return (diagnostic.code, diagnostic.span.line, diagnostic.span.col)


# --- the schema itself -------------------------------------------------------------------------

def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://archc.dev/schema/overlay-1.json"
    assert schema["title"]


def _walk_properties(node: Any, path: str = "#") -> list[str]:
    """Paths of every property schema (and map value/key schema) without a description."""
    missing: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub and sub.get("not") != {}:
                missing.append(f"{path}/properties/{name}")
        for keyword in ("additionalProperties", "propertyNames"):
            sub = node.get(keyword)
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                missing.append(f"{path}/{keyword}")
        for key, sub in node.items():
            if key not in ("if", "not"):  # conditions are not things an editor shows
                missing += _walk_properties(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            missing += _walk_properties(sub, f"{path}/{index}")
    return missing


def test_every_property_has_a_description_for_editors() -> None:
    assert _walk_properties(load_schema()) == []


def test_schema_is_strict_except_user_maps() -> None:
    schema = load_schema()
    assert schema["additionalProperties"] is False
    for name in ("zone", "flow", "bucket", "taint", "workload", "scaling", "environment"):
        assert schema["$defs"][name]["additionalProperties"] is False, name
    for name in ("component", "component_override"):
        assert schema["$defs"][name]["unevaluatedProperties"] is False, name
    assert schema["$defs"]["component"]["properties"]["kind"]["$ref"] == "#/$defs/kind"
    assert schema["$defs"]["kind"]["enum"] == SEED_KINDS + [
        name for name in CATALOG if name not in SEED_KINDS]


def test_schema_text_is_the_packaged_file_plus_the_catalog() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    served = json.loads(schema_text())
    # the catalog adds its kinds' names and keys; everything the file says is kept
    assert served["$defs"]["kind"]["enum"][:len(shipped["$defs"]["kind"]["enum"])] == \
        shipped["$defs"]["kind"]["enum"]
    assert set(served["$defs"]["kind"]["enum"]) == set(CATALOG)
    fields = served["$defs"]["component_fields"]["properties"]
    for key, value in shipped["$defs"]["component_fields"]["properties"].items():
        assert fields[key] == value, key
    for spec in CATALOG.values():
        for key in spec.properties:
            assert key in fields, (spec.name, key)
    assert served == load_schema()
    load_schema()["title"] = "changed"  # callers get a copy; validation is unaffected
    assert load_schema()["title"] != "changed"


def test_codes_are_documented() -> None:
    assert set(SCHEMA_CODES) == {f"ARC16{i}" for i in range(5)}


# --- valid input -------------------------------------------------------------------------------

def test_seed_overlay_validates_cleanly() -> None:
    overlay, _, diagnostics = load_overlay(SEED, "archc.yaml")
    assert diagnostics == [] and overlay is not None
    assert validate_overlay(overlay) == []


def test_minimal_overlay_is_valid(tmp_path: Path) -> None:
    assert check(tmp_path, "") == []


def test_flow_keys_and_port_ranges(tmp_path: Path) -> None:
    assert check(tmp_path, """\
        flows:
          "A -> B": {ports: [443, "8000-8100"], protocol: tcp}
          "A <-> B": {meaning: iam, buckets: [models], access: read}
          L_EC2_RDS_0: {initiator: EC2}
        """) == []


# --- one error each, at the right place --------------------------------------------------------

def test_wrong_type_at_value(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, """\
        environments:
          dev:
            vpc_cidr: 10.0.0.0/16
            azs: "three"
        """)
    assert [where(d) for d in diagnostics] == [("ARC160", 6, 10)]
    diagnostic = diagnostics[0]
    assert diagnostic.span is not None and diagnostic.span.end_col == 17  # covers "three"
    assert "environments.dev.azs" in diagnostic.message
    assert "whole number" in diagnostic.message and "'three'" in diagnostic.message
    assert diagnostic.hint and "azs: " in diagnostic.hint


def test_number_where_text_is_expected_suggests_quoting(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "components:\n  EKS: {kind: eks_control_plane, version: 1.30}\n")
    assert [where(d) for d in diagnostics] == [("ARC160", 4, 43)]
    assert "not 1.30" in diagnostics[0].message  # as written, not as YAML read it (1.3)
    assert diagnostics[0].hint is not None and 'version: "1.30"' in diagnostics[0].hint


def test_unknown_key_with_did_you_mean(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, """\
        environments:
          dev:
            vpc_cidr: 10.0.0.0/16
            spot_noncritical: true
        """)
    assert [where(d) for d in diagnostics] == [("ARC161", 6, 5)]
    assert "'spot_noncritical'" in diagnostics[0].message
    assert diagnostics[0].hint == "did you mean 'spot_non_critical'?"


def test_unknown_key_without_near_miss_lists_allowed(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "state: {backend: s3, colour: blue}\n")
    assert [where(d) for d in diagnostics] == [("ARC161", 3, 22)]
    assert diagnostics[0].hint == "allowed here: backend, bucket, key_prefix, locking"


def test_unknown_component_property_through_ref(tmp_path: Path) -> None:
    diagnostics = check(tmp_path,
                        "components:\n  EC2: {kind: backend_service, instance_typ: t3.small}\n")
    assert [where(d) for d in diagnostics] == [("ARC161", 4, 32)]
    assert diagnostics[0].hint == "did you mean 'instance_type'?"


@pytest.mark.parametrize(("diagram", "missing"), [
    ('flowchart TB\n  subgraph VPC["VPC"]\n    subgraph S["Private Subnet"]\n'
     "      EC2[App server]\n    end\n  end\n", True),
    # a serverless architecture has no VPC, so no VPC range to give
    ("flowchart TB\n  Fn[Orders Lambda] -->|write| T[(Orders DynamoDB)]\n", False),
])
def test_missing_vpc_cidr_at_environment_key(tmp_path: Path, diagram: str,
                                             missing: bool) -> None:
    (tmp_path / "architecture.mmd").write_text(diagram, encoding="utf-8")
    assert check(tmp_path, """\
        environments:
          dev:
            azs: 2
        """) == []  # the schema cannot tell: the diagram decides
    diagnostics = [d for d in load_spec(tmp_path).diagnostics if d.code == "ARC162"]
    assert [where(d) for d in diagnostics] == ([("ARC162", 4, 3)] if missing else [])
    if missing:
        assert "environments.dev" in diagnostics[0].message
        assert "'vpc_cidr'" in diagnostics[0].message
        assert diagnostics[0].hint and "10.10.0.0/16" in diagnostics[0].hint


def test_missing_top_level_properties(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "cloud: aws\n", header="")
    assert [where(d) for d in diagnostics] == [("ARC162", 1, 1), ("ARC162", 1, 1)]
    assert ["'project'" in diagnostics[0].message, "'version'" in diagnostics[1].message] == [
        True, True]


def test_unknown_kind_names_the_closest_kinds_and_where_all_are(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "components:\n  RDS: {kind: databse}\n")
    assert [where(d) for d in diagnostics] == [("ARC163", 4, 15)]
    assert "'databse'" in diagnostics[0].message and "kind" in diagnostics[0].message
    # not the whole list, which grows with the catalog: a new kind changes no other spec's hint
    assert diagnostics[0].hint == ("did you mean 'database'? `archc schema` lists every kind "
                                   "($defs.kind)")
    assert all(kind in json.loads(schema_text())["$defs"]["kind"]["enum"] for kind in CATALOG)


def test_unknown_kind_near_nothing_says_only_where_the_kinds_are(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "components:\n  RDS: {kind: mainframe}\n")
    assert [d.hint for d in diagnostics] == ["`archc schema` lists every kind ($defs.kind)"]


def test_a_short_enum_still_lists_its_values(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "state: {backend: s3, locking: dynamo}\n")
    assert [d.code for d in diagnostics] == ["ARC163"]
    assert "allowed values: " in (diagnostics[0].hint or "")


def test_bad_cidr_pattern(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, """\
        policy:
          admin_cidrs: [203.0.113.0/24, 10.0.0.300/8]
        environments:
          dev: {vpc_cidr: 10.0.0.0}
        """)
    assert [where(d) for d in diagnostics] == [("ARC163", 4, 33), ("ARC163", 6, 19)]
    assert "admin_cidrs[1]" in diagnostics[0].message
    assert all("10.10.0.0/16" in (d.hint or "") for d in diagnostics)


def test_cidr_with_host_bits(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "environments:\n  dev: {vpc_cidr: 10.0.0.5/16}\n")
    assert [where(d) for d in diagnostics] == [("ARC163", 4, 19)]
    assert "host bits" in diagnostics[0].message
    assert "'10.0.0.0/16'" in (diagnostics[0].hint or "")


def test_bad_flow_key(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, 'flows:\n  "GitLab --> Jenkins": {protocol: tcp}\n')
    assert [where(d) for d in diagnostics] == [("ARC164", 4, 3)]
    assert "SRC -> DST" in (diagnostics[0].hint or "")


def test_version_must_be_one(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "", header="version: 2\nproject: demo\n")
    assert [where(d) for d in diagnostics] == [("ARC163", 1, 10)]
    assert diagnostics[0].hint == "write version: 1"


@pytest.mark.parametrize(("body", "expected", "words"), [
    # eks_node_group takes instance_types, never instance_type: blamed at the key.
    ("components:\n  N: {kind: eks_node_group, instance_type: m6i.large}\n",
     [("ARC161", 4, 29)], "instance_types"),
    # A database given as such must name its engine.
    ("components:\n  RDS: {kind: database}\n", [("ARC162", 4, 3)], "postgres"),
    # Database-only properties on another kind.
    ("components:\n  CDN: {kind: cdn, engine: postgres}\n", [("ARC161", 4, 20)], "database"),
    # A subnet needs a tier, and only subnets have one.
    ("zones:\n  Public: {role: subnet}\n", [("ARC162", 4, 3)], "public, app or data"),
    ("zones:\n  VPC: {role: vpc, tier: app}\n", [("ARC161", 4, 20)], "subnet"),
    # kind cannot change per environment.
    ("environments:\n  dev:\n    vpc_cidr: 10.0.0.0/16\n    components:\n      EC2: {kind: cdn}\n",
     [("ARC161", 7, 13)], "top-level components"),
])
def test_kind_and_role_rules(tmp_path: Path, body: str, expected: list[tuple[str, int, int]],
                             words: str) -> None:
    diagnostics = check(tmp_path, body)
    assert [where(d) for d in diagnostics] == expected
    assert words in (diagnostics[0].hint or "")


def test_unknown_kind_does_not_cascade_into_kind_rules(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "components:\n  RDS: {kind: databse, engine: postgres}\n")
    assert [d.code for d in diagnostics] == ["ARC163"]


def test_duplicate_list_item_points_at_the_repeat(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, "policy:\n  internet_entry: [CloudFront, ALB, CloudFront]\n")
    assert [where(d) for d in diagnostics] == [("ARC163", 4, 37)]


# --- many errors at once -----------------------------------------------------------------------

def test_all_errors_reported_in_file_order(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, """\
        cloud: gcp
        tgas: {team: platform}
        components:
          EC2: {kind: backend_service, port: 70000}
        environments:
          dev:
            azs: "three"
          prod:
            vpc_cidr: 10.30.0.0/16
            nat: per-az
        """, header="version: 1\nproject: Demo\n")
    assert [where(d) for d in diagnostics] == [
        ("ARC163", 2, 10),   # project pattern
        ("ARC163", 3, 8),    # cloud enum
        ("ARC161", 4, 1),    # tgas
        ("ARC163", 6, 38),   # port range
        ("ARC160", 9, 10),   # azs type
        ("ARC163", 12, 10),  # nat enum
    ]
    assert diagnostics[2].hint == "did you mean 'tags'?"
    assert diagnostics[5].hint is not None and "did you mean 'per_az'?" in diagnostics[5].hint
    assert all(d.hint for d in diagnostics)
    assert validate_overlay_twice_is_stable(tmp_path)


def validate_overlay_twice_is_stable(tmp_path: Path) -> bool:
    overlay, _, _ = load_overlay(tmp_path / "archc.yaml", "archc.yaml")
    assert overlay is not None
    return validate_overlay(overlay) == validate_overlay(overlay)
