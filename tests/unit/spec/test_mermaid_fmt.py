"""`archc fmt`: parse(fmt(x)) == parse(x) on the whole oracle JSON, and fmt is idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archc.cli import main
from archc.spec.mermaid import parse_flowchart
from archc.spec.mermaid.fmt import format_flowchart
from archc.spec.mermaid.oracle_json import to_oracle_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mermaid"
VALID = sorted(p for p in FIXTURES.glob("*.mmd") if not p.name.startswith("invalid_"))


def _parse(text: str, name: str):  # type: ignore[no-untyped-def]
    chart, diags = parse_flowchart(text, name)
    assert chart is not None, diags
    return chart


def test_there_are_fixtures() -> None:
    assert len(VALID) >= 40


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_round_trip_and_idempotence(path: Path) -> None:
    chart = _parse(path.read_text(encoding="utf-8"), path.name)
    printed = format_flowchart(chart)
    again = _parse(printed, path.name)
    assert to_oracle_json(again) == to_oracle_json(chart)
    assert format_flowchart(again) == printed


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_printed_text_matches_mermaid_reference(path: Path) -> None:
    """The reference JSON was made by the real Mermaid parser from the original file."""
    expected = FIXTURES / "expected" / f"{path.stem}.json"
    printed = format_flowchart(_parse(path.read_text(encoding="utf-8"), path.name))
    assert to_oracle_json(_parse(printed, path.name)) == json.loads(expected.read_text())


def test_nested_layout_for_ordinary_diagrams() -> None:
    text = ('flowchart LR\n  subgraph vpc ["My VPC"]\n    a["A"]\n    b(B)\n  end\n'
            "  a -->|x| b\n")
    printed = format_flowchart(_parse(text, "t.mmd"))
    assert printed == ('flowchart LR\n    subgraph vpc ["My VPC"]\n        a["A"]\n'
                       '        b(B)\n    end\n    a -->|x| b\n')


def test_fmt_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.mmd"
    path.write_text("graph TD\n  a-->b\n", encoding="utf-8")
    assert main(["fmt", str(path), "--check"]) == 1
    assert main(["fmt", str(path), "--write"]) == 0
    assert path.read_text(encoding="utf-8") == "flowchart TB\n    a --> b\n"
    assert main(["fmt", str(path), "--check"]) == 0
    capsys.readouterr()
    assert main(["fmt", str(path)]) == 0
    assert capsys.readouterr().out == "flowchart TB\n    a --> b\n"


def test_fmt_write_on_markdown_keeps_the_document(tmp_path: Path) -> None:
    doc = tmp_path / "arch.md"
    doc.write_text("# Title\n\nSome prose.\n\n```mermaid\ngraph LR\n  a-->b\n```\n\nMore.\n",
                   encoding="utf-8")
    assert main(["fmt", str(doc), "--check"]) == 1
    assert main(["fmt", str(doc), "--write"]) == 0
    assert doc.read_text(encoding="utf-8") == (
        "# Title\n\nSome prose.\n\n```mermaid\nflowchart LR\n    a --> b\n```\n\nMore.\n")
    assert main(["fmt", str(doc), "--check"]) == 0
