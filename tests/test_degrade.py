"""Issue 14: `archc check` reports every stage's findings in one run.

Each stage degrades instead of stopping (a diagram line that does not parse is blanked, an
overlay entry that fails the schema is dropped, a kind or role that cannot be told is left
out of what needs it), and findings that only restate an earlier error become notes
marked "(follows from ARCxxx at ...)".
"""

from __future__ import annotations

import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from archc import diagnostics as d
from archc import pipeline
from archc.cli import main

REPO = Path(__file__).resolve().parent.parent
CASE = REPO / "tests" / "cases" / "every-stage-at-once"
MMD = "spec/architecture.mmd"
YAML = "spec/archc.yaml"

# One finding per real problem in the case, one of each stage (file, line, code).
EVERY_STAGE = [
    (YAML, 5, "ARC160"),  # a bad overlay type: port: "eighty"
    (YAML, 6, "ARC161"),  # an unknown overlay property: enginee_version
    (YAML, 7, "ARC163"),  # an unknown kind in the overlay: gadget
    (YAML, 9, "ARC201"),  # an overlay key naming a node that does not exist: Ghost
    (YAML, 14, "ARC403"),  # a CIDR overlap between environments
    (MMD, 10, "ARC212"),  # a placement error: a database in a public subnet
    (MMD, 14, "ARC202"),  # a kind that cannot be told: Thingamajig
    (MMD, 20, "ARC203"),  # a zone in the VPC that may be a subnet or a group: Odds and Ends
    (MMD, 25, "ARC105"),  # a syntax error on one line
    (MMD, 27, "ARC303"),  # a flow-policy error: the internet straight to a private host
    (MMD, 33, "ARC307"),  # a flow-policy error: app tier to public tier
]


def _errors(diags: list[d.Diagnostic]) -> list[tuple[str, int, str]]:
    return [(x.span.file if x.span else "", x.span.line if x.span else 0, x.code)
            for x in diags if x.severity is d.Severity.ERROR]


def _check(spec: Path, monkeypatch: pytest.MonkeyPatch) -> pipeline.CheckOutcome:
    monkeypatch.chdir(spec.parent)
    return pipeline.check(Path(spec.name))


def _cli(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


def test_one_run_reports_an_error_of_every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _check(CASE / "spec", monkeypatch)
    assert _errors(outcome.diagnostics) == EVERY_STAGE  # each positioned, once, sorted
    assert outcome.diagnostics == d.sorted_diagnostics(outcome.diagnostics)
    assert not outcome.ok


def test_follow_ups_are_notes_that_name_their_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    notes = [x.message for x in _check(CASE / "spec", monkeypatch).diagnostics
             if x.severity is d.Severity.NOTE and "(follows from" in x.message]
    assert notes == [
        # `Cache` was declared on the line that did not parse
        "components: node 'Cache' does not exist in the diagram "
        "(follows from ARC105 at spec/architecture.mmd:25:10)",
        # its overlay kind `gadget` was dropped by the schema
        "cannot tell what kind of component 'Widget' ('Widget') is "
        "(follows from ARC163 at spec/archc.yaml:7:18)",
        # Staff's placement depends on whether the group around it is a subnet
        "Staff (Staff Jump Server, an EC2 instance) is not in any subnet "
        "(follows from ARC203 at spec/architecture.mmd:20:13)",
        # which end opens Gizmo <-> API depends on Gizmo's kind
        "cannot tell which end of Gizmo <-> API opens the connection (instance and "
        "backend_service) (follows from ARC202 at spec/architecture.mmd:14:17)",
    ]


def test_json_and_sarif_carry_the_same_full_list(monkeypatch: pytest.MonkeyPatch) -> None:
    code, text = _cli(CASE, monkeypatch, "check", "spec", "--format", "json")
    assert code == 1
    body = json.loads(text)
    as_json = [(r["file"], r["line"], r["code"]) for r in body["diagnostics"]
               if r["severity"] == "error"]
    assert as_json == EVERY_STAGE and body["summary"]["error"] == len(EVERY_STAGE)
    code, text = _cli(CASE, monkeypatch, "check", "spec", "--format", "sarif")
    assert code == 1
    results = json.loads(text)["runs"][0]["results"]
    as_sarif = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                 r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"])
                for r in results if r["level"] == "error"]
    assert as_sarif == EVERY_STAGE


def test_build_writes_nothing_while_an_error_remains(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASE)
    out = tmp_path / "out"
    outcome = pipeline.build(Path("spec"), out)
    assert not outcome.ok and outcome.written == ()
    assert not out.exists()


def _seed_with_spec_overlay(tmp_path: Path) -> Path:
    spec = tmp_path / "seed"
    spec.mkdir()
    shutil.copy(REPO / "spec" / "archc.yaml", spec / "archc.yaml")
    shutil.copy(REPO / "examples" / "cluster-protocol-seed" / "cluster-protocol.md",
                spec / "cluster-protocol.md")
    return spec


def test_seed_with_the_corrected_overlay_reports_all_its_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diags = _check(_seed_with_spec_overlay(tmp_path), monkeypatch).diagnostics
    errors = [(x.code, x.message) for x in diags if x.severity is d.Severity.ERROR]
    assert ("ARC201", "components: node 'ALB' does not exist in the diagram") in errors
    codes = sorted(code for code, _ in errors)
    assert codes == ["ARC201", "ARC304", "ARC306"]  # + the NAT and the DNS error
    assert any("NAT gateway NAT" in m for c, m in errors if c == "ARC304")
    assert any("DNS record Route53 -> IGW" in m for c, m in errors if c == "ARC306")


def _spec(tmp_path: Path, diagram: str, overlay: str) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


_THREE_TIER = (CASE.parent / "minimal-three-tier" / "spec" / "architecture.mmd").read_text(
    encoding="utf-8")
_OVERLAY = "version: 1\nproject: mini\npolicy:\n  internet_entry: [CDN]\n"


def test_an_unknown_overlay_key_no_longer_hides_a_cidr_overlap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = _OVERLAY + ("components:\n  Nope: {kind: bastion}\nenvironments:\n"
                          "  dev: {vpc_cidr: 10.0.0.0/16}\n  prod: {vpc_cidr: 10.0.0.0/20}\n")
    diags = _check(_spec(tmp_path, _THREE_TIER, overlay), monkeypatch).diagnostics
    assert [code for _, _, code in _errors(diags)] == ["ARC201", "ARC403"]


def test_a_zone_that_names_no_network_zone_is_only_a_group(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Users in a top-level group: not "inside the cloud"; CDN in a group inside the cloud:
    # still a cloud service. Neither group is an error (issue 11).
    diagram = _THREE_TIER.replace('    Users["End Users"]\n',
                                  '    subgraph who ["Somebody"]\n'
                                  '        Users["End Users"]\n    end\n')
    diagram = diagram.replace('        CDN["CloudFront"]\n',
                              '        subgraph edge ["Stuff"]\n'
                              '            CDN["CloudFront"]\n        end\n')
    diags = _check(_spec(tmp_path, diagram, _OVERLAY), monkeypatch).diagnostics
    assert _errors(diags) == []
    assert not [x for x in diags if x.code.startswith("ARC21")]  # not even as follow-ups


def test_a_component_of_unknown_kind_is_left_out_of_kind_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Outside every zone, the placeholder kind (an instance) would be "not inside a VPC
    # subnet", and its flow to the database would break the tier policy.
    diagram = _THREE_TIER + '    Thing["Thingamajig"]\n    Thing -->|"Reads"| DB\n'
    diags = _check(_spec(tmp_path, diagram, _OVERLAY), monkeypatch).diagnostics
    assert [code for _, _, code in _errors(diags)] == ["ARC202"]
    # nor is what was inferred from the placeholder an assumption worth a note
    assert not [x for x in diags if x.code == "ARC290" and "Thing -> DB" in x.message]


def test_a_whole_unreadable_overlay_makes_the_inferences_follow_ups(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diagram = _THREE_TIER + '    Thing["Thingamajig"]\n'
    diags = _check(_spec(tmp_path, diagram, "version: [1\n"), monkeypatch).diagnostics
    errors = _errors(diags)
    assert len(errors) == 1 and errors[0][0] == YAML, errors  # only the YAML syntax error
    follow = [x for x in diags if x.code == "ARC202"]
    assert len(follow) == 1 and follow[0].severity is d.Severity.NOTE
    assert re.search(r"\(follows from ARC1\d\d at spec/archc.yaml:\d+:\d+\)$",
                     follow[0].message)


def test_explain_still_works_on_a_spec_with_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    code, text = _cli(CASE, monkeypatch, "explain", "spec", "DB")
    assert code == 0 and "database" in text
    # what could not be told is said so, not shown as the placeholder the rules skip
    code, text = _cli(CASE, monkeypatch, "explain", "spec", "Gizmo")
    assert code == 0 and "  kind: unknown\n" in text and "(ARC202)" in text
    code, text = _cli(CASE, monkeypatch, "explain", "spec", "misc")
    assert code == 0 and "  role: unknown\n" in text and "(ARC203)" in text
    code, text = _cli(CASE, monkeypatch, "explain", "spec", "Staff")  # inside that zone
    assert code == 0 and "  zone: Odds and Ends < VPC < AWS\n" in text


def test_diff_still_refuses_a_side_with_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from archc.diff.inputs import compile_spec

    monkeypatch.chdir(CASE)
    side = compile_spec(Path("spec"), "spec")
    assert not side.ok and side.files == ()
    assert _errors(side.diagnostics) == EVERY_STAGE


def test_without_a_readable_overlay_rule_findings_are_follow_ups(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _seed_with_spec_overlay(tmp_path)
    (spec / "archc.yaml").write_text("version: 1\nproject: [seed\n", encoding="utf-8")
    diags = _check(spec, monkeypatch).diagnostics
    assert [f for f, _, _ in _errors(diags)] == ["seed/archc.yaml"]  # the YAML error alone
    rules = sorted(x.code for x in diags if "(follows from ARC150 at seed/archc.yaml" in
                   x.message)
    assert rules == ["ARC304", "ARC306"]  # kept, as notes


# -- the stages' own degraded results ------------------------------------------------------

def test_a_syntax_error_still_gives_the_chart_of_the_other_lines() -> None:
    from archc.spec.mermaid import parse_flowchart

    text = "flowchart LR\n    a --> b\n    c[oops --> d\n    e --> f\n"
    chart, diags = parse_flowchart(text, "x.mmd")
    assert chart is None and [x.code for x in diags] == ["ARC105"]  # fmt and parse: as before
    chart, again = parse_flowchart(text, "x.mmd", partial=True)
    assert again == diags and chart is not None
    assert sorted(n.id for n in chart.nodes) == ["a", "b", "e", "f"]


def _overlay(text: str):  # type: ignore[no-untyped-def]
    from archc.spec.overlay import parse_overlay

    overlay, diags = parse_overlay(text, "o.yaml")
    assert overlay is not None and not diags
    return overlay


def test_valid_entries_drop_only_what_the_schema_rejects() -> None:
    from archc.spec.schema import valid_entries, validate_overlay

    overlay = _overlay(
        "version: 1\nproject: proj\n"
        "components:\n"
        "  API: {kind: backend_service, port: eighty}\n"  # one bad property
        "  DB: {kind: database, engine: postgres, engin: postgres}\n"  # an unknown property
        "  Cache: {kind: database}\n"  # a required property (engine) missing
        "  Q: {kind: widget}\n"  # a bad kind
        "policy:\n  admin_cidrs: [10.0.0.0/8, nope]\n  internet_entry: [CDN]\n"
        "environments:\n  dev: {vpc_cidr: 10.0.0.1/16, azs: 2}\n  prod: {vpc_cidr: 10.1.0.0/16}\n")
    reported = validate_overlay(overlay)
    data, dropped = valid_entries(overlay)
    assert data["components"] == {"API": {"kind": "backend_service"},
                                  "DB": {"kind": "database", "engine": "postgres"}, "Q": {}}
    # a list goes whole (the indices of what stays keep matching the file)
    assert data["policy"] == {"internet_entry": ["CDN"]}
    # dev loses its CIDR and keeps the rest (whether it needs one is the diagram's to say)
    assert data["environments"] == {"dev": {"azs": 2}, "prod": {"vpc_cidr": "10.1.0.0/16"}}
    assert set(dropped) == {("components", "API", "port"), ("components", "DB", "engin"),
                            ("components", "Cache"),
                            ("components", "Q", "kind"), ("policy", "admin_cidrs"),
                            ("environments", "dev", "vpc_cidr")}
    assert set(dropped.values()) <= set(reported)  # every drop is charged to a reported error
    assert _overlay_is_valid(data)


def test_valid_entries_keep_a_valid_overlay_and_a_missing_top_level_key() -> None:
    from archc.spec.schema import valid_entries

    overlay = _overlay("project: proj\nregion: eu-west-1\n")  # `version` is required
    assert valid_entries(overlay) == ({"project": "proj", "region": "eu-west-1"}, {})


def _overlay_is_valid(data: dict[str, object]) -> bool:
    from archc.spec.schema import _validator

    return not list(_validator().iter_errors(data))


def test_only_a_dropped_value_that_would_have_answered_makes_a_follow_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diagram = _THREE_TIER.replace('                API["API Service"]\n',
                                  '                API["API Service"]\n'
                                  '                Box["Worker Instance"]\n'
                                  '                Thing["Thingamajig"]\n') + "    API --> Box\n"
    overlay = _OVERLAY + ('components:\n  Thing: {port: "x"}\n'  # no kind was given
                          'flows:\n  "API -> Box": {ports: [eighty]}\n')
    diags = _check(_spec(tmp_path, diagram, overlay), monkeypatch).diagnostics
    # the bad port of Thing would not have told its kind: ARC202 is a finding of its own
    assert [code for _, _, code in _errors(diags)] == ["ARC160", "ARC163", "ARC202"]
    # the dropped ports of API -> Box would have given it its port
    missing_port = [x for x in diags if x.code == "ARC302"]
    assert [x.severity for x in missing_port] == [d.Severity.NOTE]
    assert missing_port[0].message.endswith("(follows from ARC163 at spec/archc.yaml:8:26)")


def test_what_a_broken_line_declared_only_follows_from_its_syntax_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Line 14 opens the data subnet but does not parse (what is left of it is a zone with no
    # role); line 24 declares X, which line 25 then uses as a bare id.
    diagram = _THREE_TIER.replace('subgraph data ["Private Data Subnet"]',
                                  'subgraph data ["Private Data Subnet"')
    diagram = diagram.replace('    API -->|"Updates"| NAT\n',
                              '    X["Lost" --> API\n    X --> NAT\n    API -->|"Updates"| NAT\n')
    diags = _check(_spec(tmp_path, diagram, _OVERLAY), monkeypatch).diagnostics
    assert _errors(diags) == [(MMD, 14, "ARC105"), (MMD, 24, "ARC105")]
    follow = {(x.span.line if x.span else 0, x.code): x.message for x in diags
              if "(follows from" in x.message}
    assert follow[(14, "ARC203")].endswith("(follows from ARC105 at spec/architecture.mmd:14:27)")
    # the database of that subnet is "in no subnet" only because the subnet was lost
    assert follow[(15, "ARC212")].endswith("(follows from ARC203 at spec/architecture.mmd:14:13)")
    assert follow[(25, "ARC207")].endswith("(follows from ARC105 at spec/architecture.mmd:24:6)")


def test_placement_inside_a_zone_of_unknown_role_follows_from_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diagram = _THREE_TIER.replace('subgraph data ["Private Data Subnet"]',
                                  'subgraph data ["Records"]')
    diags = _check(_spec(tmp_path, diagram, _OVERLAY), monkeypatch).diagnostics
    assert [code for _, _, code in _errors(diags)] == ["ARC203"]
    placed = [x for x in diags if x.code == "ARC212"]
    assert [x.severity for x in placed] == [d.Severity.NOTE]
    assert placed[0].message.endswith("(follows from ARC203 at spec/architecture.mmd:14:13)")


def _value_paths(node: object, prefix: tuple[str | int, ...] = ()):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _value_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _value_paths(value, (*prefix, index))


def test_what_valid_entries_leave_is_valid_below_the_top_level() -> None:
    """The linker reads the pruned overlay as schema-valid (`Kind(spec["kind"])`): whatever
    value is broken, only errors of the top-level mapping itself may be left."""
    import copy

    from archc.spec.overlay import parse_overlay
    from archc.spec.schema import _validator, valid_entries

    text = (REPO / "spec" / "archc.yaml").read_text(encoding="utf-8")
    overlay, _ = parse_overlay(text, "spec/archc.yaml")
    assert overlay is not None
    original = copy.deepcopy(overlay.data)
    wrong: list[object] = [{"zz": 1}, "zz", [1, "x"], -5, None]
    for number, path in enumerate(list(_value_paths(original))[::9]):
        data = copy.deepcopy(original)
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = wrong[number % len(wrong)]
        object.__setattr__(overlay, "data", data)  # the same source map, another value
        pruned, _ = valid_entries(overlay)
        left = [list(e.absolute_path) for e in _validator().iter_errors(pruned)]
        assert all(p == [] for p in left), (path, left)
