"""`archc fmt --fix`: labels Mermaid rejects unquoted get quoted, nothing else changes.

``tests/fixtures/mermaid_fix/*.mmd`` are flowcharts written for this test that Mermaid 12.3.0
rejects. ``expected/<name>.fixed.mmd`` is what `archc fmt --fix` makes of each;
``expected/<name>.input.json`` and ``expected/<name>.json`` are what the real parser
(shared/oracle/mermaid) printed for the input and for the fixed text, regenerated with:

    for f in tests/fixtures/mermaid_fix/*.mmd; do n=$(basename "$f" .mmd)
      d=tests/fixtures/mermaid_fix/expected
      archc fmt --fix "$f" > "$d/$n.fixed.mmd"
      node ../shared/oracle/mermaid/parse.mjs "$f" > "$d/$n.input.json"
      node ../shared/oracle/mermaid/parse.mjs "$d/$n.fixed.mmd" > "$d/$n.json"
    done
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from archc.cli import main
from archc.spec.mermaid import parse_flowchart
from archc.spec.mermaid.fix import fix_quoting, line_repairs
from archc.spec.mermaid.oracle_json import dumps_oracle_json, to_oracle_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mermaid_fix"
CASES = sorted(FIXTURES.glob("*.mmd"))


def _expected(name: str) -> str:
    return (FIXTURES / "expected" / name).read_text(encoding="utf-8")


def _fix(text: str) -> str:
    return fix_quoting(text, "t.mmd").text


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_is_rejected_by_mermaid_and_by_archc(path: Path) -> None:
    assert "error" in json.loads(_expected(path.stem + ".input.json"))
    chart, diags = parse_flowchart(path.read_text(encoding="utf-8"), path.name)
    assert chart is None and diags


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixed_text_parses_to_what_mermaid_reads(path: Path) -> None:
    """The fixed text is the reviewed one, and archc's parse of it is the real parser's."""
    fixed = _fix(path.read_text(encoding="utf-8"))
    assert fixed == _expected(path.stem + ".fixed.mmd")
    want = json.loads(_expected(path.stem + ".json"))
    chart, diags = parse_flowchart(fixed, path.name)
    if "error" in want:  # a problem quoting does not fix: still rejected, on that line
        assert chart is None
        assert {d.span.line for d in diags if d.span} == {want["line"] + 1}
        return
    assert chart is not None, diags
    assert json.loads(dumps_oracle_json(to_oracle_json(chart))) == want


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fix_is_idempotent(path: Path) -> None:
    once = _fix(path.read_text(encoding="utf-8"))
    assert _fix(once) == once


@pytest.mark.parametrize(("before", "after"), [
    ("ALB[ALB (a)]", 'ALB["ALB (a)"]'),
    ("f[Cost f(g(x)) model]", 'f["Cost f(g(x)) model"]'),
    ("db[(Aurora (writer))]", 'db[("Aurora (writer)")]'),
    ("c((Hub (core)))", 'c(("Hub (core)"))'),
    ("s([Job (nightly)])", 's(["Job (nightly)"])'),
    ("h{{Router [L7]}}", 'h{{"Router [L7]"}}'),
    ("t[/Input (csv)/]", 't[/"Input (csv)"/]'),
    ("l[Lambda<br/>Python 3.12 | 512MB]", 'l["Lambda<br/>Python 3.12 | 512MB"]'),
    ('p[The "edge" proxy (nginx)]', 'p["The #quot;edge#quot; proxy (nginx)"]'),
    ("a -->|HTTPS (via VNet)| b", 'a -->|"HTTPS (via VNet)"| b'),
    ("a -.->|poll (30s)| b", 'a -.->|"poll (30s)"| b'),
    ("a -->|x | y| b", 'a -->|"x | y"| b'),
    ("a -->|x | y| b -->|z| c", 'a -->|"x | y"| b -->|z| c'),
    ("a[x (y)] -->|p (q)| b{r | s}", 'a["x (y)"] -->|"p (q)"| b{"r | s"}'),
    ("a -- f(g(x)) --> b[y (z)]", 'a -- f(g(x)) --> b["y (z)"]'),
    ("a == w(x) ==> b -. v(y) .-> c[y (z)]", 'a == w(x) ==> b -. v(y) .-> c["y (z)"]'),
    ("subgraph GCP VPC (us-central1)", 'subgraph "GCP VPC (us-central1)"'),
    ("subgraph vpc[Main VPC (10.0.0.0/16)]", 'subgraph vpc["Main VPC (10.0.0.0/16)"]'),
    ("subgraph Public <br/> subnet", 'subgraph "Public <br/> subnet"'),
    ("subgraph vpc [Main VPC (x)]", 'subgraph vpc ["Main VPC (x)"]'),
    ("end_user[End user (web)] --> graph_db[Graph DB (v2)]",
     'end_user["End user (web)"] --> graph_db["Graph DB (v2)"]'),
    ("style_svc[Style (css)] --> class_svc[Class (x)]",
     'style_svc["Style (css)"] --> class_svc["Class (x)"]'),
])
def test_each_quoting_pattern(before: str, after: str) -> None:
    head = "flowchart LR\n    "
    assert parse_flowchart(head + before + "\n" + ("end\n" if "subgraph" in before else ""),
                           "t.mmd")[0] is None
    tail = "\n    end\n" if "subgraph" in before else "\n"
    assert _fix(head + before + tail) == head + after + tail


@pytest.mark.parametrize("line", [
    'a["Already (quoted)"] -->|"quoted | too"| b',
    "subgraph Single(word)",  # quoted, the title would become the id: not certain
    "subgraph two words [x (y)]",  # is `two words` the id or part of the title?
    "a[unbalanced (x] --> b",
    "a[multi (line",
    "classDef k fill:#f9f (x)",
    "%% a comment (with | syntax)",
])
def test_leaves_alone_what_it_cannot_fix_with_certainty(line: str) -> None:
    assert line_repairs("    " + line) == []


def test_a_non_quoting_error_is_not_fixed() -> None:
    text = "flowchart LR\n    a[ok] -> b\n    c --> d[Fine]\n"
    fixed = fix_quoting(text, "t.mmd")
    assert fixed.text == text and not fixed.repairs


def test_rest_of_the_file_is_byte_identical() -> None:
    text = ("---\ntitle: Demo\n---\r\nflowchart LR\r\n  %% keep (me) | as is\r\n\r\n"
            "  a[One (1)]:::hot --> b\r\n  classDef hot fill:#f96\r\n  style b  stroke:#333\r\n")
    assert _fix(text) == text.replace("a[One (1)]", 'a["One (1)"]')


def test_more_rejected_lines_than_one_parse_reports() -> None:
    body = "".join(f"    n{i}[Node {i} (zone {i % 3})] --> n{i + 1}\n" for i in range(60))
    fixed = _fix("flowchart LR\n" + body)
    assert parse_flowchart(fixed, "t.mmd")[0] is not None
    assert fixed.count('"') == 120


def test_cost_is_linear_on_long_lines() -> None:
    lines = ["a[" + "(x) | " * 40_000 + "]", "a -->|" + "y|" * 40_000 + " b",
             "a -->|" + "(" * 40_000, "a" + "[(" * 20_000, "|" * 80_000]
    for line in lines:
        started = time.perf_counter()
        line_repairs(line)
        assert time.perf_counter() - started < 1.0


def test_hint_names_the_fix() -> None:
    cases = {"a[ALB (a)] --> b": 'quote the label: ["ALB (a)"]',
             "a -->|x | y| b": 'quote the edge label: |"x | y"|',
             "subgraph GCP VPC (us-central1)\n    x\n    end":
                 'quote the title: subgraph "GCP VPC (us-central1)"'}
    for body, hint in cases.items():
        _, diags = parse_flowchart("flowchart LR\n    " + body + "\n", "t.mmd")
        assert diags and diags[0].hint is not None
        assert diags[0].hint.startswith(hint) and "archc fmt --fix" in diags[0].hint
    _, diags = parse_flowchart("flowchart LR\n    a -> b\n", "t.mmd")
    assert diags and "fmt --fix" not in (diags[0].hint or "")


def test_cli_print_check_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.mmd"
    text = "graph TD\n  a[ALB (a)]-->b\n"
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", "--fix", str(path), "--check"]) == 1
    assert path.read_text(encoding="utf-8") == text
    capsys.readouterr()
    assert main(["fmt", "--fix", str(path)]) == 0
    assert capsys.readouterr().out == 'graph TD\n  a["ALB (a)"]-->b\n'
    assert main(["fmt", "--fix", str(path), "--write"]) == 0
    assert path.read_text(encoding="utf-8") == 'graph TD\n  a["ALB (a)"]-->b\n'
    assert main(["fmt", "--fix", str(path), "--check"]) == 0


def test_cli_markdown_keeps_the_document(tmp_path: Path) -> None:
    doc = tmp_path / "arch.md"
    doc.write_text("# T (x)\n\n```mermaid\ngraph LR\n  a[A (1)]-->b\n```\n| x | y |\n",
                   encoding="utf-8")
    assert main(["fmt", "--fix", "--write", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == (
        '# T (x)\n\n```mermaid\ngraph LR\n  a["A (1)"]-->b\n```\n| x | y |\n')


def test_cli_reports_what_remains_escaped(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.mmd"
    path.write_text("flowchart LR\n  a[\x1bc owned\x07 (x)] -> b\n", encoding="utf-8")
    assert main(["fmt", "--fix", "--write", str(path)]) == 1
    err = capsys.readouterr().err
    assert "ARC107" in err and "\x1b" not in err and "\x07" not in err
    assert path.read_text(encoding="utf-8") == \
        'flowchart LR\n  a["\x1bc owned\x07 (x)"] -> b\n'


def test_cli_write_stays_in_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside.mmd"
    outside.write_text("flowchart LR\n  a[A (1)]\n", encoding="utf-8")
    tree = tmp_path / "repo"
    (tree / ".git").mkdir(parents=True)
    (tree / "link.mmd").symlink_to(outside)
    assert main(["fmt", "--fix", "--write", str(tree / "link.mmd")]) == 1
    assert outside.read_text(encoding="utf-8") == "flowchart LR\n  a[A (1)]\n"


def test_cli_markdown_without_a_flowchart_prints_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes (draft)\n", encoding="utf-8")
    assert main(["fmt", "--fix", str(doc)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "ARC146" in captured.err
