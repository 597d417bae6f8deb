"""The pull-request comment of `archc diff`: its Mermaid picture, its RISK lines, its size.

Every diff golden case with a picture keeps, in `picture.json`, what the real Mermaid parser
(mermaid 12.3.0 through the oracle harness, `node parse.mjs`) made of that picture. The tests
here compare it with the picture archc meant to draw, so they need neither node nor the
harness. To re-check against the live parser, point ARCHC_MERMAID_ORACLE at a harness folder
with its node_modules installed (`npm ci`); with --update-golden that test rewrites the JSON.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from archc import markup
from archc.diff import run
from archc.diff.change import Change, Risk
from archc.diff.files import FileDiff
from archc.diff.markdown import BUDGET, render_markdown
from archc.diff.picture import LABEL_WIDTH, MARKS, NODE_STYLES, Edge, Node, Picture, mermaid
from archc.diff.report import Item, Report
from archc.diff.risks import RISKS
from archc.terminal import clip

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (REPO / "tests" / "cases_diff").iterdir() if (p / "head").is_dir())
PICTURED = [c for c in CASES if (c / "picture.json").is_file()]
STROKES = {"added": "thick", "changed": "thick", "removed": "dotted", "unchanged": "normal"}
GITHUB_LIMIT = 65_536
_ENTITY = re.compile(r"#(\w+);")
_NAMED = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}


def report_of(case: Path) -> Report:
    outcome = run(case / "base", case / "head", files=True)
    assert outcome.report is not None
    return outcome.report


def decode(text: str) -> str:
    """What Mermaid shows for a label: its `#name;` / `#35;` entities as characters."""
    return _ENTITY.sub(lambda m: chr(int(m[1])) if m[1].isdigit() else _NAMED[m[1]], text)


def shown(text: str) -> str:
    return markup.one_line(clip(text, LABEL_WIDTH))


def fenced_mermaid(markdown: str) -> str:
    found = re.search(r"^```mermaid\n(.*?)^```$", markdown, re.S | re.M)
    assert found, "no mermaid block"
    return found.group(1)


def test_every_changed_case_but_a_reordering_has_a_picture() -> None:
    assert {c.name for c in CASES} - {c.name for c in PICTURED} == {"reorder-lines-only"}
    assert report_of(REPO / "tests" / "cases_diff" / "reorder-lines-only").picture is None


@pytest.mark.parametrize("case", PICTURED, ids=lambda p: p.name)
def test_mermaid_parsed_the_picture_archc_meant(case: Path) -> None:
    parsed = json.loads((case / "picture.json").read_text(encoding="utf-8"))
    picture = report_of(case).picture
    assert picture is not None
    assert (parsed["diagramType"], parsed["direction"]) == ("flowchart-v2", "LR")
    titles = {s["id"]: decode(s["title"]) for s in parsed["subgraphs"]}
    nodes = {n["id"]: n for n in parsed["nodes"]}
    legend = [f"legend_{status}" for status in MARKS]
    # nothing in a label made Mermaid see another node, a link or a click
    assert set(nodes) == {*(f"n{i}" for i in range(len(picture.nodes))), *legend}
    assert all(n["link"] is None and n["tooltip"] is None for n in nodes.values())
    for i, node in enumerate(picture.nodes):
        got = nodes[f"n{i}"]
        mark = "" if node.status == "unchanged" else f"{MARKS[node.status]}<br/>"
        assert (decode(got["label"]), got["classes"]) == (mark + shown(node.title),
                                                          [node.status])
        zone = titles[got["parent"]] if got["parent"] else ""
        assert zone == markup.one_line(clip(node.group, 3 * LABEL_WIDTH))
    ids = {node.ref: f"n{i}" for i, node in enumerate(picture.nodes)}
    assert len(parsed["edges"]) == len(picture.edges)
    for edge, got in zip(picture.edges, parsed["edges"], strict=True):
        mark = "" if edge.status == "unchanged" else MARKS[edge.status]
        label = ": ".join(t for t in (mark, shown(edge.label)) if t)
        assert (got["src"], got["dst"], decode(got["label"]), got["stroke"]) == (
            ids[edge.src], ids[edge.dst], label, STROKES[edge.status])
    # the legend: one box per status, marked by the same class and text as the picture
    assert [(decode(nodes[k]["label"]), nodes[k]["classes"]) for k in legend] == [
        (mark, [status]) for status, mark in MARKS.items()]
    assert [c["id"] for c in parsed["classDefs"]] == list(NODE_STYLES)


@pytest.mark.parametrize("case", PICTURED, ids=lambda p: p.name)
def test_picture_json_is_what_mermaid_says_today(case: Path, golden) -> None:  # type: ignore[no-untyped-def]
    harness = os.environ.get("ARCHC_MERMAID_ORACLE")
    if not harness or shutil.which("node") is None:
        pytest.skip("set ARCHC_MERMAID_ORACLE to the Mermaid oracle harness (needs node)")
    picture = report_of(case).picture
    assert picture is not None
    done = subprocess.run(["node", str(Path(harness) / "parse.mjs")], input=mermaid(picture),
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # Mermaid accepts it
    golden.check_text(done.stdout, case / "picture.json")


@pytest.mark.parametrize("case", PICTURED, ids=lambda p: p.name)
def test_picture_in_the_comment_is_the_one_mermaid_parsed(case: Path) -> None:
    report = report_of(case)
    assert report.picture is not None
    block = fenced_mermaid((case / "expected.md").read_text(encoding="utf-8"))
    assert block == mermaid(report.picture)
    assert "`" not in block  # a backtick in a label cannot close the fence


def test_hostile_names_stay_text_in_the_picture() -> None:
    block = fenced_mermaid(render_markdown(report_of(REPO / "tests" / "cases_diff" /
                                                      "hostile-names")))
    labels = re.findall(r'"([^"]*)"', block)
    assert any("#lt;img src=x onerror=alert(1)#gt;" in label for label in labels)
    assert all("<" not in label.replace("<br/>", "") for label in labels)
    assert all(line.count('"') % 2 == 0 for line in block.splitlines())


# --------------------------------------------------------------------------- RISK lines
def risk_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if "**RISK**" in line]


def test_one_risk_line_per_exposure() -> None:
    markdown = (REPO / "tests" / "cases_diff" / "open-admin-ssh" / "expected.md").read_text()
    # was three lines: `ssh` on api, then `admin-ingress` and `ssh` on the same bastion rule
    assert risk_lines(markdown) == [
        "- **RISK** `admin-ingress` `ssh`: bastion accepts tcp/22 from admin CIDRs "
        "203.0.113.0/24",
        "- **RISK** `ssh`: port 22 (SSH) opens on api from security group bastion"]
    markdown = (REPO / "tests" / "cases_diff" / "widen-s3-access" / "expected.md").read_text()
    assert risk_lines(markdown) == [
        "- **RISK** `iam-widened`: instance_role api may now s3:AbortMultipartUpload, "
        "s3:DeleteObject, s3:PutObject on bucket_objects:reports"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_risks_come_biggest_first_and_once(case: Path) -> None:
    body = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    ranks = [list(RISKS).index(r["code"]) for r in body["risks"]]
    assert ranks == sorted(ranks)
    markdown = (case / "expected.md").read_text(encoding="utf-8")
    assert len(risk_lines(markdown)) == body["summary"]["risks"] == len(body["risks"])


# --------------------------------------------------------------------------- size
def test_a_one_component_change_is_a_small_comment() -> None:
    # open-admin-ssh adds one component (a bastion) and its flow: 31.5 KB before
    markdown = (REPO / "tests" / "cases_diff" / "open-admin-ssh" / "expected.md").read_text()
    assert len(markdown.encode("utf-8")) < 15_000
    assert "<details><summary><code>terraform/modules/platform/security_groups.tf</code>" \
        in markdown


def test_one_component_added_to_the_seed_is_a_small_comment(tmp_path: Path) -> None:
    # the seed spec plus a cache and the flow to it: 47 KB before
    shutil.copytree(REPO / "spec", tmp_path / "base")
    head = shutil.copytree(REPO / "spec", tmp_path / "head")
    mmd = (head / "architecture.mmd").read_text(encoding="utf-8")
    old = '                Jenkins["Jenkins Server\\n(CI/CD Pipeline)"]\n'
    assert old in mmd
    mmd = mmd.replace(old, old + '                Cache["Redis Cache"]\n')
    (head / "architecture.mmd").write_text(mmd + '    EC2 -->|"Cache Lookups"| Cache\n',
                                           encoding="utf-8")
    overlay = (head / "archc.yaml").read_text(encoding="utf-8")
    (head / "archc.yaml").write_text(overlay.replace(
        "components:\n", "components:\n  Cache: {kind: instance, port: 6379}\n", 1),
        encoding="utf-8")
    markdown = render_markdown(report_of(tmp_path))
    assert markdown.splitlines()[2] == ("**no flagged risk in 5 changes: 1 component added; "
                                        "1 flow added; 3 SG rules opened.**")
    assert len(markdown.encode("utf-8")) < 15_000
    assert "<details><summary><code>terraform/modules/platform/security_groups.tf</code>" \
        in markdown


def test_a_huge_change_stays_under_githubs_limit_and_says_what_it_left_out() -> None:
    huge = "x" * 20_000
    changes = [Change("added", "component", f"C{i}{huge}", new=huge) for i in range(300)]
    risks = tuple(Risk("internet-ingress", f"{huge} {i}", c) for i, c in enumerate(changes))
    items = tuple(Item(c, f"head/a.mmd:{i}", huge, "head", (r,))
                  for i, (c, r) in enumerate(zip(changes, risks, strict=True)))
    nodes = tuple(Node(f"C{i}", huge, "added", huge) for i in range(30))
    edges = tuple(Edge(f"C{i}", f"C{i + 1}", huge, "added") for i in range(29))
    files = tuple(FileDiff(f"terraform/{huge}{i}.tf", "modified", 1, 1, "+x\n",
                           "--- a\n+++ b\n@@ -1 +1 @@\n" + "+x" * 9_000 + "\n")
                  for i in range(500))
    report = Report("base", "head", items, risks, ("prod",), files,
                    Picture(nodes, edges, 270, 300))
    markdown = render_markdown(report)
    assert len(markdown) <= BUDGET < GITHUB_LIMIT
    assert "- and 275 more risks (run `archc diff` locally)" in markdown
    assert "more changes not listed: the comment has no room" in markdown
    assert "The picture leaves out 270 components and 300 flows (it shows 30)" in markdown
    assert re.search(r"file\(s\) changed; .* and \d+ more\n", markdown)


def test_mermaid_text_is_one_inert_line() -> None:
    assert markup.mermaid_text('a "b" `c` <i>&amp; #quot; #35;\nend\u202e') == (
        "a #quot;b#quot; #96;c#96; #lt;i#gt;#amp;amp; #35;quot; #35;35; end\\u202e")
    # what Mermaid shows is the text itself
    text = 'x "y" <b> & #quot;'
    assert decode(markup.mermaid_text(text)) == text
