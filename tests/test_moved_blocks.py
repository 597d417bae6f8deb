"""`moved` blocks: renaming a component (and its zone) moves its Terraform objects instead of
destroying and creating them; moves are carried as chains until a later build no longer needs
them; the previous manifest, untrusted, cannot bring anything but an address into Terraform."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest

from archc import pipeline
from archc.diff import assess, compare
from archc.diff.side import Side
from archc.emit.terraform import moves

REPO = Path(__file__).resolve().parent.parent
PLATFORM = "terraform/modules/platform"


def build(spec: Path, out: Path) -> pipeline.BuildOutcome:
    built = pipeline.build(spec, out)
    assert built.ok, [str(x) for x in built.check.diagnostics]
    return built


def declared(out: Path) -> set[str]:
    """Resource and module addresses the platform module declares (parsed HCL)."""
    found = set()
    for path in (out / PLATFORM).glob("*.tf"):
        body = hcl2.loads(path.read_text(encoding="utf-8"))
        for block in body.get("resource", []):
            for rtype, named in block.items():
                found |= {f"{rtype}.{name}".replace('"', "") for name in named}
        for block in body.get("module", []):
            found |= {f"module.{name}".replace('"', "") for name in block}
    return found


def moved(out: Path) -> list[tuple[str, str]]:
    body: dict[str, Any] = hcl2.loads((out / PLATFORM / "moved.tf").read_text(encoding="utf-8"))
    return sorted((_bare(m["from"]), _bare(m["to"])) for m in body.get("moved", []))


def _bare(expression: str) -> str:
    """python-hcl2 writes a reference as `${aws_iam_role.x}`."""
    assert expression.startswith("${") and expression.endswith("}"), expression
    return expression[2:-1]


def rename(spec: Path, old: str, new: str, *, keep: str = "") -> None:
    """`old` -> `new` as an id in the diagram and the overlay (not inside `keep`, a label)."""
    pattern = re.compile(rf"\b{re.escape(old)}\b" + (rf"(?!{re.escape(keep)})" if keep else ""))
    for name in ("architecture.mmd", "archc.yaml"):
        path = spec / name
        path.write_text(pattern.sub(new, path.read_text(encoding="utf-8")), encoding="utf-8")


def copy(spec: Path, tmp_path: Path) -> Path:
    to = tmp_path / "spec"
    shutil.copytree(spec, to)
    return to


def test_renaming_a_node_and_its_zone_moves_exactly_the_previous_addresses(
        tmp_path: Path) -> None:
    spec, out = copy(REPO / "spec", tmp_path), tmp_path / "out"
    build(spec, out)
    before = declared(out)
    rename(spec, "Jenkins", "CIServer", keep=" Server")  # the label stays "Jenkins Server"
    rename(spec, "Private Subnet 1", "Private Subnet A")  # the zone holding it
    build(spec, out)
    after = declared(out)
    pairs = moved(out)
    # every address only the previous build declared moves to one only this build declares
    assert [f for f, _ in pairs] == sorted(before - after)
    assert sorted(t for _, t in pairs) == sorted(after - before)
    assert ("aws_security_group.jenkins", "aws_security_group.ciserver") in pairs
    assert ("module.ec2_jenkins", "module.ec2_ciserver") in pairs
    assert ("aws_vpc_security_group_ingress_rule.jenkins_ingress_gitlab_8080",
            "aws_vpc_security_group_ingress_rule.ciserver_ingress_gitlab_8080") in pairs
    assert all(f.split(".")[0] == t.split(".")[0] for f, t in pairs)
    # and the build is its own fixed point: --check finds nothing stale
    assert pipeline.build(spec, out, dry_run=True).written == ()


def test_renaming_a_zone_alone_moves_nothing(tmp_path: Path) -> None:
    spec, out = copy(REPO / "examples" / "data-platform", tmp_path), tmp_path / "out"
    build(spec, out)
    before = declared(out)
    rename(spec, "svc", "services")
    rename(spec, "dmz", "perimeter")
    build(spec, out)
    assert declared(out) == before and moved(out) == []


def test_two_renames_without_an_apply_chain_and_a_rename_back_unwinds(tmp_path: Path) -> None:
    spec, out = copy(REPO / "examples" / "data-platform", tmp_path), tmp_path / "out"
    build(spec, out)
    rename(spec, "jump", "hop")
    build(spec, out)
    assert ("module.ec2_jump", "module.ec2_hop") in moved(out)
    rename(spec, "hop", "gate")
    build(spec, out)
    # Terraform's chain: a state that applied neither rename, or only the first, is moved
    chain = moved(out)
    assert ("module.ec2_jump", "module.ec2_hop") in chain
    assert ("module.ec2_hop", "module.ec2_gate") in chain
    assert len({t for _, t in chain}) == len(chain) == len({f for f, _ in chain})
    rename(spec, "gate", "jump")
    build(spec, out)
    back = moved(out)
    assert all(f != "module.ec2_jump" for f, _ in back)  # declared again: no move from it
    assert ("module.ec2_gate", "module.ec2_jump") in back
    assert ("module.ec2_hop", "module.ec2_gate") in back  # the chain still ends at jump


def test_a_rename_that_is_not_unique_moves_nothing() -> None:
    record = {"identity": "a" * 64, "ref": "x"}
    before = {"A": record, "B": {**record, "ref": "y"}}
    now = {"C": {**record, "ref": "c"}, "B": {**record, "ref": "y"}}
    assert moves.renames(before, now) == {"x": "c"}
    assert moves.renames({"A": record, "B": {**record, "ref": "y"}},
                         {"C": {**record, "ref": "c"}, "D": {**record, "ref": "d"}}) == {}


def test_names_are_replaced_as_whole_parts() -> None:
    names = {"ec2": "api", "jump": "hop"}
    assert moves._substitute("ec2_ingress_jump_ssh", names) == "api_ingress_hop_ssh"
    assert moves._substitute("ec2x_jumpy", names) == "ec2x_jumpy"
    assert moves._substitute("node_api_services", {"node_api": "x"}) == "x_services"


def _tamper(out: Path, edit: Any) -> None:
    path = out / "manifest.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    edit(body["terraform"])
    path.write_text(json.dumps(body), encoding="utf-8")


@pytest.mark.parametrize("address", [
    'aws_iam_role.x"\n}\nresource "aws_iam_user" "evil" {\n  name = "x',
    "aws_iam_role.x # comment",
    "data.aws_caller_identity.current.account_id",
    "module.x[\"key\"]",
    "AWS_IAM_ROLE.x",
])
def test_a_manifest_address_outside_the_grammar_is_refused(tmp_path: Path, address: str) -> None:
    spec, out = copy(REPO / "examples" / "data-platform", tmp_path), tmp_path / "out"
    build(spec, out)
    _tamper(out, lambda t: t["moved"].update({PLATFORM: [[address, "module.ec2_jump"]]}))
    built = pipeline.build(spec, out)
    assert not built.ok
    assert any("'terraform' record" in x.message for x in built.check.diagnostics)
    assert "evil" not in (out / PLATFORM / "moved.tf").read_text(encoding="utf-8")


def test_a_carried_move_is_written_only_if_it_ends_at_a_declared_address(tmp_path: Path) -> None:
    spec, out = copy(REPO / "examples" / "data-platform", tmp_path), tmp_path / "out"
    build(spec, out)
    _tamper(out, lambda t: t["moved"].update({PLATFORM: [
        ["aws_iam_role.gone", "aws_iam_role.nowhere"],     # ends nowhere: dropped
        ["aws_iam_role.ingest", "aws_iam_role.other"],     # its source is declared: dropped
        ["aws_iam_role.old_ingest", "aws_iam_role.ingest"],  # kept
    ]}))
    build(spec, out)
    assert moved(out) == [("aws_iam_role.old_ingest", "aws_iam_role.ingest")]


def _arch(spec: Path) -> Any:
    checked = pipeline.check(spec)
    assert checked.ok and checked.loaded.arch is not None
    return checked.loaded.arch


def test_diff_shows_a_renamed_node_and_zone_as_renames(tmp_path: Path) -> None:
    spec = copy(REPO / "spec", tmp_path)
    rename(spec, "Jenkins", "CIServer", keep=" Server")
    rename(spec, "Private Subnet 1", "Private Subnet A")
    changes = compare(_arch(REPO / "spec"), _arch(spec))
    renamed = [(c.subject, c.old, c.new) for c in changes if c.aspect == "renamed"]
    assert renamed == [("component", "Jenkins", "CIServer"),
                       ("zone", "Private Subnet 1", "Private Subnet A")]
    assert not [c for c in changes if c.subject in ("component", "zone")
                and c.kind in ("added", "removed")]


def test_diff_flags_a_renamed_database(tmp_path: Path) -> None:
    spec = copy(REPO / "spec", tmp_path)
    rename(spec, "RDS", "Postgres", keep="\\n")  # not the label "Amazon RDS\\n(...)"
    base, head = _arch(REPO / "spec"), _arch(spec)
    changes = compare(base, head)
    assert ("component", "RDS", "Postgres") in [(c.subject, c.old, c.new) for c in changes]
    risks = assess(changes, Side.of(base), Side.of(head))
    assert [r.code for r in risks if r.code.startswith("stateful")] == ["stateful-renamed"]


def test_renamed_from_moves_a_node_whose_identity_changed_too(tmp_path: Path) -> None:
    spec, out = copy(REPO / "examples" / "data-platform", tmp_path), tmp_path / "out"
    build(spec, out)
    shutil.copytree(out, tmp_path / "twin")  # the same previous build, for the other case
    rename(spec, "jump", "hop")
    diagram = spec / "architecture.mmd"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace('"Jump Host"', '"Admin Box"'),
                       encoding="utf-8")  # a new label: the identity no longer matches
    build(spec, tmp_path / "twin")
    assert moved(tmp_path / "twin") == []
    overlay = spec / "archc.yaml"
    text = overlay.read_text(encoding="utf-8")
    assert "\n  hop: {" in text
    overlay.write_text(text.replace("\n  hop: {", "\n  hop: {renamed_from: jump, "),
                       encoding="utf-8")
    build(spec, out)
    assert ("module.ec2_jump", "module.ec2_hop") in moved(out)


def test_renamed_from_must_be_a_node_id(tmp_path: Path) -> None:
    spec = copy(REPO / "examples" / "data-platform", tmp_path)
    overlay = spec / "archc.yaml"
    text = overlay.read_text(encoding="utf-8")
    overlay.write_text(text.replace("\n  jump: {", "\n  jump: {renamed_from: OldJump, "),
                       encoding="utf-8")
    assert pipeline.check(spec).ok
    overlay.write_text(text.replace("\n  jump: {", '\n  jump: {renamed_from: "a b", '),
                       encoding="utf-8")
    found = pipeline.check(spec).diagnostics
    assert any(x.code == "ARC163" and "renamed_from" in x.message for x in found), found


def test_diff_shows_a_declared_rename(tmp_path: Path) -> None:
    spec = copy(REPO / "examples" / "data-platform", tmp_path)
    rename(spec, "jump", "hop")
    diagram = spec / "architecture.mmd"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace('"Jump Host"', '"Admin Box"'),
                       encoding="utf-8")
    overlay = spec / "archc.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8").replace(
        "\n  hop: {", "\n  hop: {renamed_from: jump, "), encoding="utf-8")
    changes = compare(_arch(REPO / "examples" / "data-platform"), _arch(spec))
    assert ("component", "jump", "hop") in [(c.subject, c.old, c.new) for c in changes
                                            if c.aspect == "renamed"]
    assert not [c for c in changes if c.subject == "component" and c.kind != "modified"]
