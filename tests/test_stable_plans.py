"""Stable plans: a diagram edit that means nothing (comment lines inserted at the top, nodes,
edges and subgraph members reordered) changes no attribute of the generated Terraform, only
its comments. Line numbers live where a change is free (HCL comments, the security report),
never in attributes: AWS replaces a security group or an IAM policy whose description
changes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest

from archc import pipeline
from archc.diff.files import file_diffs
from archc.emit import OutputFile, emit_all

REPO = Path(__file__).resolve().parent.parent
# the seed, every example, and the test cases that build: the smallest spec and the one whose
# labels try to break out of every format
SPECS = [REPO / "spec", *sorted(p.parent for p in (REPO / "examples").glob("*/architecture.mmd")),
         REPO / "tests" / "cases" / "minimal-three-tier" / "spec",
         REPO / "tests" / "cases_diff" / "hostile-names" / "head"]
EDGE = re.compile(r"--|==|-\.")  # an edge statement (`A -->|x| B`, `A <-->`, `A -.-> B`)
FIXED = ("%%", "subgraph", "end", "classDef", "class ", "style", "linkStyle", "direction",
         "flowchart", "graph", "click", "---")
LINE_IN_ATTRIBUTE = re.compile(r'^\s*\w+\s*=\s*".*\.(?:mmd|ya?ml):\d+', re.MULTILINE)
ON_TOP = "%% moved\n%% by a\n%% reviewer\n"


def shifted(mermaid: str) -> str:
    """Three comment lines on top; inside each subgraph (and at the top level) the node
    statements in reverse order, and the edge statements in reverse order. Nesting, and the
    order of sibling subgraphs (which orders subnet CIDRs), stay as they are."""
    lines = mermaid.splitlines(keepends=True)
    groups: dict[tuple[int, bool], list[int]] = {}
    parents = [-1]
    for i, line in enumerate(lines):
        text = line.strip()
        if text.startswith("subgraph"):
            parents.append(i)
        elif text == "end":
            parents.pop()
        elif text and not text.startswith(FIXED):
            groups.setdefault((parents[-1], bool(EDGE.search(text))), []).append(i)
    out = list(lines)
    for at in groups.values():
        for i, j in zip(at, reversed(at), strict=True):
            out[i] = _indent(lines[i]) + lines[j].lstrip()
    return ON_TOP + "".join(out)


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


# what `shifted` does, on a small diagram
SHIFT_EXAMPLE = ("flowchart TD\n  A --> B\n  subgraph vpc\n    subgraph pub [x]\n      B\n      C\n"
                 "    end\n    subgraph priv\n      D\n    end\n  end\n  B --> C\n  C --> D\n",
                 "flowchart TD\n  C --> D\n  subgraph vpc\n    subgraph pub [x]\n      C\n      B\n"
                 "    end\n    subgraph priv\n      D\n    end\n  end\n  B --> C\n  A --> B\n")


def moved_copy(spec: Path, to: Path) -> Path:
    """The spec with its diagram shifted and comment lines on top of its overlay."""
    shutil.copytree(spec, to)
    diagram = to / "architecture.mmd"
    text = diagram.read_text(encoding="utf-8")
    diagram.write_text(shifted(text), encoding="utf-8")
    for overlay in to.glob("*.yaml"):
        overlay.write_text("# moved\n# by a reviewer\n" + overlay.read_text(encoding="utf-8"),
                           encoding="utf-8")
    return to


def terraform(spec: Path) -> dict[str, str]:
    checked = pipeline.check(spec)
    assert checked.ok, [str(x) for x in checked.diagnostics]
    assert checked.loaded.arch is not None and checked.graph is not None
    files = emit_all(checked.loaded.arch, checked.graph, ("terraform",)).files
    return {f.path: f.content for f in files if f.path.endswith((".tf", ".tfvars"))
            and isinstance(f.content, str)}


def without_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_comments(v) for k, v in value.items() if k != "__comments__"}
    if isinstance(value, list):
        return [without_comments(v) for v in value]
    return value


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(REPO)))
def test_line_shift_changes_no_terraform_attribute(spec: Path, tmp_path: Path) -> None:
    assert shifted(SHIFT_EXAMPLE[0]) == ON_TOP + SHIFT_EXAMPLE[1]
    moved = moved_copy(spec, tmp_path / "moved")
    before, after = terraform(spec), terraform(moved)
    assert sorted(before) == sorted(after)
    # the comments did change (they cite lines), so the comparison below is not vacuous
    assert any(before[p] != after[p] for p in before)
    for path in sorted(before):
        assert (without_comments(hcl2.loads(before[path]))
                == without_comments(hcl2.loads(after[path]))), path
        assert _code(before[path]) == _code(after[path]), path


def _code(text: str) -> list[str]:
    """The lines that are not comments (what `terraform plan` reads)."""
    return [x for x in text.splitlines() if not x.lstrip().startswith(("#", "//"))]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_attribute_cites_a_line(spec: Path) -> None:
    for path, text in terraform(spec).items():
        assert not LINE_IN_ATTRIBUTE.search(text), path


def test_line_references_stay_in_comments_and_report() -> None:
    files = terraform(REPO / "spec")
    groups = files["terraform/modules/platform/security_groups.tf"]
    assert '# From architecture.mmd:7\nresource "aws_security_group" "alb" {' in groups
    assert 'description = "ALB (load_balancer), public subnet"\n' in groups
    iam = files["terraform/modules/platform/iam.tf"]
    assert ("# EC2 to RDS: read the RDS credentials from its RDS-managed secret "
            "(architecture.mmd:69)\n") in iam
    assert ('description = "EC2 to RDS: read the RDS credentials from its RDS-managed secret"\n'
            in iam)
    report = (REPO / "outputs" / "security" / "dev.md").read_text(encoding="utf-8")
    assert "architecture.mmd:" in report


def test_diff_summarises_comment_hunks_and_shows_every_other_hunk() -> None:
    # before: a report row or an attribute that only renumbered a line reference was hidden
    old = (OutputFile("terraform/a.tf", '# From architecture.mmd:3\nx = 1\n'),
           OutputFile("terraform/b.tf", 'x = 1\ndescription = "A (architecture.mmd:3)"\n'),
           OutputFile("security/dev.md", "| A | architecture.mmd:3 |\n"))
    new = (OutputFile("terraform/a.tf", '# From architecture.mmd:4\nx = 1\n'),
           OutputFile("terraform/b.tf", 'x = 1\ndescription = "A (architecture.mmd:4)"\n'),
           OutputFile("security/dev.md", "| A | architecture.mmd:4 |\n"))
    diffs = {d.path: d for d in file_diffs(old, new)}
    assert diffs["terraform/a.tf"].comments_only and diffs["terraform/a.tf"].comment_hunks == 1
    # an attribute that changed plans a change: never hidden, whatever changed in it
    for path in ("terraform/b.tf", "security/dev.md"):
        assert not diffs[path].comments_only and diffs[path].comment_hunks == 0, path
        assert diffs[path].review == diffs[path].diff, path
    assert '+description = "A (architecture.mmd:4)"' in diffs["terraform/b.tf"].review


def test_a_hunk_mixing_a_comment_and_an_attribute_is_shown() -> None:
    old = (OutputFile("terraform/a.tf", '# From architecture.mmd:3\nport = 1\n'),)
    new = (OutputFile("terraform/a.tf", '# From architecture.mmd:4\nport = 2\n'),)
    (diff,) = file_diffs(old, new)
    assert diff.comment_hunks == 0 and "+port = 2" in diff.review


def test_line_shift_keeps_the_description_of_a_rule_two_flows_share(tmp_path: Path) -> None:
    # two flows on the same port become one rule: which one names it must not follow the
    # order of the diagram's lines
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    diagram = spec / "architecture.mmd"
    text = diagram.read_text(encoding="utf-8")
    assert '    API -->|"Queries"| DB\n' in text
    diagram.write_text(text.replace('    API -->|"Queries"| DB\n',
                                    '    API -->|"Queries"| DB\n    API -->|"Reports"| DB\n'),
                       encoding="utf-8")
    moved = tmp_path / "moved"
    shutil.copytree(spec, moved)
    (moved / "architecture.mmd").write_text(shifted(diagram.read_text(encoding="utf-8")),
                                            encoding="utf-8")
    path = "terraform/modules/platform/security_groups.tf"
    before, after = terraform(spec)[path], terraform(moved)[path]
    assert without_comments(hcl2.loads(before)) == without_comments(hcl2.loads(after))
    assert 'description                  = "API to DB tcp/5432 Queries"\n' in after
    # both flows cited, in the moved diagram's order
    assert ('# From architecture.mmd:24, architecture.mmd:25\n'
            'resource "aws_vpc_security_group_egress_rule" "api_egress_db_5432"') in after


def _force_new_descriptions(files: dict[str, str]) -> dict[str, str]:
    """address -> description of every security group and IAM policy (AWS replaces either
    when its description changes)."""
    out = {}
    for path, text in files.items():
        for block in hcl2.loads(text).get("resource", []) if path.endswith(".tf") else []:
            for rtype, named in block.items():
                if rtype.strip('"') in ("aws_security_group", "aws_iam_policy"):
                    out |= {f"{rtype}.{n}": body["description"] for n, body in named.items()}
    return out


def test_labels_and_zone_titles_do_not_reach_descriptions_aws_cannot_update(
        tmp_path: Path) -> None:
    edited = tmp_path / "spec"
    shutil.copytree(REPO / "spec", edited)
    for name in ("architecture.mmd", "archc.yaml"):
        path = edited / name
        text = path.read_text(encoding="utf-8")
        text = text.replace("Private Subnet 1", "Private Subnet A")  # a zone renamed
        text = text.replace('"Jenkins Server', '"Jenkins CI Server')  # a label edited
        text = text.replace('"Data Access"', '"Data Reads"')  # flow labels edited
        path.write_text(text, encoding="utf-8")
    before, after = terraform(REPO / "spec"), terraform(edited)
    assert before != after  # the edits reached the Terraform (comments, rule descriptions)
    assert _force_new_descriptions(before) == _force_new_descriptions(after)
    assert len(_force_new_descriptions(before)) > 10
