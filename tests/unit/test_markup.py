"""archc.markup: one escaping per medium, stable, and idempotent where it must be."""

from __future__ import annotations

import pytest

from archc import markup

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_invisible_characters_become_their_escape() -> None:
    text = f"a{BIDI}\x00\x1b\x7f\x85\u200e\u2028\ufeffb\tc\nd"
    assert markup.visible(text) == ("a\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068"
                                    "\\u2069\\u0000\\u001b\\u007f\\u0085\\u200e\\u2028\\ufeffb"
                                    "\tc\nd")
    assert markup.INVISIBLE.search(markup.visible(text)) is None
    assert markup.visible("Zürich · 東京 ✓") == "Zürich · 東京 ✓"  # printable text as is


def test_one_line_and_comments() -> None:
    assert markup.one_line(" a\n\n b\r\nc\td\u202e ") == "a b c d\\u202e"
    assert markup.comment("x\nimport os {{{ .Values }}}") == "x import os { { { .Values } } }"
    assert markup.xml_comment("a --> b <!-- c ---") == "a - -> b <!- - c - - -"
    assert "--" not in markup.xml_comment("-" * 9)
    assert markup.inputs_note(("spec/a\n.mmd", "spec/b--.yaml")) == "spec/a .mmd + spec/b- -.yaml"


@pytest.mark.parametrize(("text", "expected"), [
    ("IGW -> ALB", "IGW -> ALB"),
    ("CloudFront <-> IGW", "CloudFront <-> IGW"),
    ("policy.admin_cidrs 10.0.0.0/16", "policy.admin_cidrs 10.0.0.0/16"),
    ("<img src=x>", "\\<img src=x>"),
    ("</details>", "\\</details>"),
    ("<!-- x", "\\<!-- x"),
    ("> quote", "\\> quote"),
    ("a | b", "a \\| b"),
    ("_em_ *b* `c` [l](u)", "\\_em\\_ \\*b\\* \\`c\\` \\[l\\](u)"),
    ("~~s~~ $m$ #h", "\\~\\~s\\~\\~ \\$m\\$ \\#h"),
    ("&amp; &#60; & x", "\\&amp; \\&\\#60; & x"),
    ("a\\b", "a\\\\b"),
    ("a\n\n# h\n- x", "a \\# h - x"),
])
def test_md_text(text: str, expected: str) -> None:
    assert markup.md_text(text) == expected


def test_md_code() -> None:
    assert markup.md_code("a b") == "`a b`"
    assert markup.md_code("a`b") == "`` a`b ``"
    assert markup.md_code("a\n\nb|c") == "`a b|c`"
    assert markup.md_code("a|b", table=True) == "`a\\|b`"


def test_html_and_json() -> None:
    assert markup.html_text("<a href='x'>&\"\n") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;"
    assert markup.escape_json('"a\u202eb\\u0000"') == '"a\\u202eb\\u0000"'
