"""Diagnostics and positions of the Mermaid front end: where, what, and what to do."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archc.diagnostics import Diagnostic, Severity
from archc.spec.mermaid import MERMAID_CODES, extract_flowchart, load_flowchart, parse_flowchart


def _diags(text: str, file: str = "d.mmd", offset: int = 0) -> list[Diagnostic]:
    chart, diags = parse_flowchart(text, file, offset)
    assert chart is None, "expected the text to be rejected"
    assert diags and all(d.severity is Severity.ERROR for d in diags)
    for d in diags:
        assert d.code in MERMAID_CODES, d.code
    return diags


def _one(text: str) -> Diagnostic:
    diags = _diags(text)
    assert len(diags) == 1, [f"{d.span} {d.code} {d.message}" for d in diags]
    return diags[0]


def _at(d: Diagnostic) -> tuple[int, int]:
    assert d.span is not None
    return d.span.line, d.span.col


# -- the required error cases ------------------------------------------------------------


@pytest.mark.parametrize("text, where", [
    ("flowchart LR\n    api[API gateway --> backend\n", (2, 8)),
    ("flowchart LR\n    a --> b(never closed\n    c --> d\n", (2, 12)),
    ("flowchart LR\n    a --> b{{hexagon\n", (2, 13)),
])
def test_unclosed_bracket_points_at_the_opening_bracket(text: str, where: tuple[int, int]) -> None:
    d = _one(text)
    assert d.code == "ARC105" and "unclosed bracket" in d.message
    assert _at(d) == where
    assert d.hint and "close" in d.hint


def test_unclosed_quote_points_at_the_quote() -> None:
    d = _one('flowchart LR\n    q["never closed] --> r\n')
    assert d.code == "ARC105" and "quote" in d.message
    assert _at(d) == (2, 7)
    assert d.hint and "#quot;" in d.hint


def test_missing_end_points_at_the_open_subgraph() -> None:
    d = _one("flowchart TB\n    subgraph outer [Outer]\n        subgraph inner\n"
             "            x\n        end\n    y --> x\n")
    assert d.code == "ARC106" and "end" in d.message
    assert _at(d) == (2, 5)
    assert d.hint and "`end`" in d.hint


@pytest.mark.parametrize("text, arrow", [
    ("flowchart LR\n    a -> b\n", "->"),
    ("flowchart LR\n    a =>> b\n", "=>"),
    ("flowchart LR\n    a --> b\n    b <- c\n", "<-"),
])
def test_unknown_arrow(text: str, arrow: str) -> None:
    d = _one(text)
    assert d.code == "ARC107" and f"'{arrow}" in d.message
    assert d.span is not None and d.span.line == text.count("\n")
    assert d.hint and "-->" in d.hint


@pytest.mark.parametrize("text, code, words", [
    ("Flowchart LR\n    a --> b\n", "ARC103", "lowercase"),
    ("sequenceDiagram\n    A->>B: hi\n", "ARC104", "sequenceDiagram"),
    ("a --> b\nb --> c\n", "ARC102", "missing flowchart header"),
    ("", "ARC102", "no flowchart"),
    ("%% only a comment\n", "ARC102", "no flowchart"),
    ("flowchart LR\n    C4Container --> x\n", "ARC104", "C4"),
    ("---\ntitle: open\nflowchart LR\n    a --> b\n", "ARC116", "front matter"),
])
def test_bad_or_missing_header(text: str, code: str, words: str) -> None:
    d = _one(text)
    assert d.code == code and words in d.message
    assert d.span is not None and d.span.line >= 1
    assert d.hint


def test_header_position_skips_front_matter_and_comments() -> None:
    d = _one("---\ntitle: x\n---\n%% note\n\nGraph TD\n    a --> b\n")
    assert d.code == "ARC103" and _at(d) == (6, 1)


def test_unknown_direction() -> None:
    d = _one("flowchart XY\n    a --> b\n")
    assert d.code == "ARC115" and "'XY'" in d.message and _at(d) == (1, 10)


def test_unknown_shape_points_at_the_name_and_suggests() -> None:
    d = _one("flowchart LR\n    db@{ shape: cylinderr, label: \"DB\" }\n")
    assert d.code == "ARC111" and "cylinderr" in d.message
    assert _at(d) == (2, 17)
    assert d.hint and "cylinder" in d.hint


def test_shape_names_must_be_lowercase() -> None:
    d = _one("flowchart LR\n    db@{ shape: Cyl }\n")
    assert d.code == "ARC111" and "lowercase" in d.message


def test_trailing_comment() -> None:
    d = _one("flowchart LR\n    a --> b %% explain\n")
    assert d.code == "ARC110" and _at(d) == (2, 13)
    assert d.hint and "separate line" in d.hint


def test_subgraph_without_id() -> None:
    d = _one("flowchart TB\n    subgraph\n        lost\n    end\n")
    assert d.code == "ARC109" and _at(d) == (2, 5)
    assert d.hint and "subgraph" in d.hint


def test_linkstyle_index_out_of_range() -> None:
    d = _one("flowchart LR\n    a --> b\n    linkStyle 0,3 stroke:#f00\n")
    assert d.code == "ARC112" and "3" in d.message
    assert _at(d) == (3, 17)
    assert d.hint and "0 to 0" in d.hint


@pytest.mark.parametrize("text, where", [
    ("flowchart LR\n    start --> end\n", (2, 15)),
    ("flowchart LR\n    subgraph s\n        a --> end\n    end\n", (3, 15)),
])
def test_end_used_as_node_id(text: str, where: tuple[int, int]) -> None:
    d = _one(text)
    assert d.code == "ARC108" and _at(d) == where
    assert d.hint and "rename" in d.hint


def test_end_without_subgraph() -> None:
    d = _one("flowchart LR\n    a --> b\n    end\n")
    assert d.code == "ARC121" and _at(d) == (3, 5)


@pytest.mark.parametrize("text, code", [
    ('flowchart LR\n    x["say "hi" now"]\n', "ARC118"),
    ("flowchart LR\n    f[call(x)] --> g\n", "ARC119"),
    ("flowchart LR\n    a == heavy text --> b\n", "ARC117"),
    ("flowchart LR\n    a -- one -- two --> b\n", "ARC117"),
    ("flowchart LR\n    🚀 --> moon\n", "ARC114"),
    ("flowchart LR\n    a --> class\n", "ARC120"),
    ("flowchart LR\n    n@{ shape: [ }\n", "ARC113"),
])
def test_other_syntax_problems_are_named(text: str, code: str) -> None:
    d = _one(text)
    assert d.code == code and d.hint


# -- several problems, recovery ----------------------------------------------------------------


def test_several_independent_problems_are_all_reported() -> None:
    text = ("flowchart LR\n"
            "    a -> b\n"               # 2: unknown arrow
            "    c[open --> d\n"         # 3: unclosed bracket
            "    e --> f %% note\n"      # 4: trailing comment
            "    ok1 --> ok2\n"
            "    g@{ shape: blob }\n"    # 6: unknown shape
            "    linkStyle 9 color:red\n"  # 7: out of range
            "    subgraph s1\n"          # 8: never closed
            "        h\n")
    diags = _diags(text)
    got = [(d.code, d.span.line) for d in diags if d.span]
    # syntax errors in text order; the semantic ones (lines 6, 7) need a parse that
    # completes, which the unclosed subgraph prevents
    assert got == [("ARC107", 2), ("ARC105", 3), ("ARC110", 4), ("ARC106", 8)]


def test_semantic_problems_are_all_collected() -> None:
    diags = _diags("flowchart LR\n    a --> b\n    x@{ shape: nope }\n"
                   "    linkStyle 5 color:red\n    y@{ shape: Bad }\n")
    assert [(d.code, d.span.line) for d in diags if d.span] == \
        [("ARC111", 3), ("ARC112", 4), ("ARC111", 5)]


def test_a_blanked_subgraph_line_does_not_cascade() -> None:
    diags = _diags("flowchart LR\n    subgraph s [Bad (paren)]\n        a\n    end\n")
    assert [d.code for d in diags] == ["ARC119"]


# -- positions ---------------------------------------------------------------------------


def test_element_spans() -> None:
    text = ("flowchart LR\n"
            "    subgraph zone [Zone A]\n"
            "        api[API] -->|calls| db[(DB)]\n"
            "    end\n"
            "    classDef hot fill:#f96\n")
    chart, diags = parse_flowchart(text, "s.mmd")
    assert chart is not None and not diags
    api, db = chart.nodes
    assert (api.span.line, api.span.col, api.span.end_col) == (3, 9, 12)
    assert (api.label_span.line, api.label_span.col) == (3, 13)
    assert (db.span.line, db.span.col) == (3, 29)
    edge = chart.edges[0]
    assert (edge.span.line, edge.span.col) == (3, 18)
    zone = chart.subgraphs[0]
    assert (zone.span.line, zone.span.col) == (2, 5)
    assert (chart.class_defs[0].span.line, chart.class_defs[0].span.col) == (5, 14)
    assert all(s.file == "s.mmd" for s in (api.span, edge.span, zone.span))


def test_first_mention_is_the_node_span() -> None:
    chart, _ = parse_flowchart("flowchart LR\n    a --> b\n    b[Bee]\n", "m.mmd")
    assert chart is not None
    b = chart.node("b")
    assert b is not None and (b.span.line, b.span.col) == (2, 11)
    assert b.label_span is not None and b.label_span.line == 3


def test_positions_survive_removed_comments_directives_and_entities() -> None:
    text = (
        "%%{init: {'theme': 'dark'}}%%\n"
        "%% a comment\n"
        "flowchart LR\n"
        "    %% another\n"
        "    a[#quot;x#quot;] --> b\n"
        "    c --> d\n")
    chart, diags = parse_flowchart(text, "p.mmd")
    assert chart is not None and not diags
    assert [(n.id, n.span.line, n.span.col) for n in chart.nodes] == \
        [("a", 5, 5), ("b", 5, 26), ("c", 6, 5), ("d", 6, 11)]
    assert chart.nodes[0].label == "#quot;x#quot;"


def test_positions_after_front_matter() -> None:
    text = "---\ntitle: T\n---\nflowchart LR\n    a --> b\n"
    chart, _ = parse_flowchart(text, "f.mmd")
    assert chart is not None and chart.title == "T"
    assert (chart.nodes[0].span.line, chart.nodes[0].span.col) == (5, 5)


def test_crlf_positions_and_result() -> None:
    lf = "flowchart LR\n    a[Alpha] --> b\n    subgraph g\n        b\n    end\n"
    crlf = lf.replace("\n", "\r\n")
    chart_lf, _ = parse_flowchart(lf, "x.mmd")
    chart_crlf, diags = parse_flowchart(crlf, "x.mmd")
    assert chart_crlf is not None and not diags and chart_lf is not None
    assert chart_crlf == chart_lf  # spans are not compared by ==; everything else is
    assert [(n.span.line, n.span.col) for n in chart_crlf.nodes] == [(2, 5), (2, 18)]
    d = _one("flowchart LR\r\n    a --> b\r\n    c -> d\r\n")
    assert d.code == "ARC107" and _at(d) == (3, 7)


def test_line_offset_is_added() -> None:
    chart, _ = parse_flowchart("flowchart LR\n    a --> b\n", "doc.md", 10)
    assert chart is not None and chart.nodes[0].span.line == 12
    d = _diags("flowchart LR\n    a -> b\n", "doc.md", 10)[0]
    assert d.span is not None and d.span.line == 12


# -- Markdown ----------------------------------------------------------------------------


MARKDOWN = """# Title

Some text.

```mermaid
sequenceDiagram
    A->>B: not this one
```

```python
print("not mermaid")
```

~~~mermaid
%% the flowchart
flowchart LR
    web --> api
    api -> db
~~~
"""


def test_markdown_picks_the_first_flowchart_fence() -> None:
    found = extract_flowchart(MARKDOWN, "arch.md")
    assert isinstance(found, tuple)
    body, offset = found
    assert offset == 14
    assert body.startswith("%% the flowchart\nflowchart LR\n")
    diags = _diags(body, "arch.md", offset)
    assert diags[0].code == "ARC107" and _at(diags[0]) == (18, 9)


def test_markdown_crlf_offsets() -> None:
    text = "intro\r\n\r\n```mermaid\r\ngraph TD\r\n    a --> b\r\n```\r\n"
    found = extract_flowchart(text, "c.markdown")
    assert isinstance(found, tuple)
    body, offset = found
    assert offset == 3
    chart, diags = parse_flowchart(body, "c.markdown", offset)
    assert chart is not None and not diags
    assert (chart.nodes[0].span.line, chart.nodes[0].span.col) == (5, 5)


def test_markdown_without_flowchart_fence() -> None:
    found = extract_flowchart("# Nothing\n\n```mermaid\npie\n    \"a\": 1\n```\n", "n.md")
    assert isinstance(found, Diagnostic)
    assert found.code == "ARC146" and found.span is not None and found.span.line == 1
    assert found.hint


def test_non_markdown_files_are_returned_whole() -> None:
    assert extract_flowchart("graph TD\n a\n", "x.mmd") == ("graph TD\n a\n", 0)


def test_load_flowchart_reads_files(tmp_path: Path) -> None:
    md = tmp_path / "doc.md"
    md.write_text(MARKDOWN.replace("api -> db", "api --> db"), encoding="utf-8")
    chart, source, diags = load_flowchart(md, "doc.md")
    assert chart is not None and not diags and source is not None
    assert source.path == "doc.md" and source.text.startswith("# Title")
    assert [n.id for n in chart.nodes] == ["web", "api", "db"]
    assert chart.nodes[0].span.line == 17

    bad = tmp_path / "bad.mmd"
    bad.write_bytes(b"flowchart LR\n    a[\xff] --> b\n")
    chart, source, diags = load_flowchart(bad, "bad.mmd")
    assert chart is None and diags[0].code == "ARC148" and diags[0].span.line == 2

    chart, source, diags = load_flowchart(tmp_path / "missing.mmd", "missing.mmd")
    assert chart is None and source is None and diags[0].code == "ARC147"


# -- robustness --------------------------------------------------------------------------


def test_never_raises_on_garbage() -> None:
    rnd = random.Random(7)
    pieces = ["flowchart LR\n", "graph\n", "a", "-->", "[", "]", "(", ")", "{", "}", "|", '"',
              "`", "@{", "subgraph ", "end", "\n", " ", ";", "%%", "#quot;", "é", "🚀", "\r\n",
              "---\n", "%%{init:", "}%%", "click ", "style ", "linkStyle 9 ", ":::", "&"]
    for _ in range(400):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        chart, diags = parse_flowchart(text, "g.mmd")
        assert (chart is None) == bool(diags)
        assert all(d.code != "ARC149" for d in diags), (text, diags)


def test_codes_are_documented_and_in_range() -> None:
    for code, meaning in MERMAID_CODES.items():
        assert code.startswith("ARC1") and 101 <= int(code[3:]) <= 149 and meaning
