"""archc's Mermaid front end against the real Mermaid parser, fixture by fixture.

``tests/fixtures/mermaid/*.mmd`` are flowcharts written for archc (one feature or quirk
each; ``invalid_*`` must be rejected). ``expected/<name>.json`` is what the oracle
(shared/oracle/mermaid, mermaid 12.3.0) printed for them, regenerated with:

    node ../shared/oracle/mermaid/parse.mjs --out-dir tests/fixtures/mermaid/expected \\
        tests/fixtures/mermaid/*.mmd

A valid fixture must reproduce the oracle's JSON byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archc.diagnostics import Severity
from archc.spec.mermaid import parse_flowchart
from archc.spec.mermaid.lexer import LexRun
from archc.spec.mermaid.oracle_json import dumps_oracle_json, to_oracle_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mermaid"
CASES = sorted(FIXTURES.glob("*.mmd"))
VALID = [p for p in CASES if not p.name.startswith("invalid_")]
INVALID = [p for p in CASES if p.name.startswith("invalid_")]


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # keep CRLF as written


def _expected(path: Path) -> str:
    return (FIXTURES / "expected" / (path.stem + ".json")).read_text(encoding="utf-8")


def test_fixture_set_is_broad() -> None:
    assert len(VALID) >= 60 and len(INVALID) >= 12
    assert all((FIXTURES / "expected" / (p.stem + ".json")).exists() for p in CASES)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_matches_oracle(path: Path) -> None:
    chart, diags = parse_flowchart(_read(path), path.name)
    assert chart is not None, [f"{d.span}: {d.code} {d.message}" for d in diags]
    assert not diags
    got = dumps_oracle_json(to_oracle_json(chart))
    want = _expected(path)
    if got != want:  # field-level message first, then the bytes
        got_obj, want_obj = json.loads(got), json.loads(want)
        for key in want_obj:
            assert got_obj.get(key) == want_obj[key], key
    assert got == want


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_is_rejected(path: Path) -> None:
    assert "error" in json.loads(_expected(path)), "the oracle accepts this fixture"
    chart, diags = parse_flowchart(_read(path), path.name)
    assert chart is None
    errors = [d for d in diags if d.severity is Severity.ERROR]
    assert errors
    for d in errors:
        assert d.span is not None and d.span.line > 0 and d.span.col > 0
        assert d.code.startswith("ARC1") and d.message


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fast_path_equals_exact_tokens(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lexer's fast path and merged tokens change nothing: same JSON, same spans,
    same diagnostics as jison's token stream through the full grammar."""
    text = _read(path)
    fast = _outcome(text, path.name)
    monkeypatch.setattr(LexRun, "fast", False)
    assert _outcome(text, path.name) == fast


def _outcome(text: str, name: str) -> object:
    chart, diags = parse_flowchart(text, name)
    found = [(d.code, str(d.span), d.message) for d in diags]
    if chart is None:
        return found
    spans = [(n.id, n.span, n.label_span) for n in chart.nodes]
    spans += [(e.id, e.span, None) for e in chart.edges]
    spans += [(s.id, s.span, None) for s in chart.subgraphs]
    return dumps_oracle_json(to_oracle_json(chart)), spans, found
