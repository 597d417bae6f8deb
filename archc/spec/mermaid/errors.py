"""Turn a lexer/parser failure into a diagnostic a person can act on.

Mermaid's own messages ("Expecting 'SEMI', 'NEWLINE', ... got 'PS'") name grammar
symbols. Here the failure is classified by what was going on: which bracket or quote
was still open, which subgraph had no ``end``, whether the offending token looks like
an arrow, a ``%%`` comment or a keyword. Each result also says which line to blank out
so parsing can resume and report the next, independent problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archc.spec.mermaid.lex_tokens import Tok
from archc.spec.mermaid.lexer import LexError, LexRun

LINK_HINT = ("valid links: --> --- -.-> ==> ~~~ --o --x <-->, longer forms like ---> or "
             "-..->, and labels as A -->|text| B or A -- text --> B")
_ARROWISH = re.compile(r"[<ox]?[-=.~]*[-=~][-=.~]*[>ox]?")
_BRACKET_TOKENS = {
    "PS": "(", "PE": ")", "SQS": "[", "SQE": "]", "DIAMOND_START": "{", "DIAMOND_STOP": "}",
    "STADIUMSTART": "([", "STADIUMEND": "])", "SUBROUTINESTART": "[[", "SUBROUTINEEND": "]]",
    "CYLINDERSTART": "[(", "CYLINDEREND": ")]", "DOUBLECIRCLESTART": "(((",
    "DOUBLECIRCLEEND": ")))", "TRAPSTART": "[/", "INVTRAPSTART": "[\\", "TRAPEND": "\\]",
    "INVTRAPEND": "/]", "ELLIPSE_START": "(-", "ELLIPSE_END": "-)", "PIPE": "|",
}
_KEYWORDS = {"STYLE": "style", "CLASS": "class", "CLASSDEF": "classDef",
             "LINKSTYLE": "linkStyle", "GRAPH": "graph/flowchart", "SUBGRAPH": "subgraph",
             "HREF": "href", "LINK_TARGET": "_self/_blank/_parent/_top",
             "INTERPOLATE": "interpolate"}
_OPENER_NAMES = {"text": "bracket", "string": "quote", "md_string": "markdown quote (\"`)",
                 "ellipseText": "'(-'", "trapText": "bracket", "shapeData": "'@{'",
                 "shapeDataStr": "quote", "acc_descr_multiline": "'accDescr {'",
                 "callbackargs": "'('"}
_EDGE_TEXT = {"edgeText": "--", "thickEdgeText": "==", "dottedEdgeText": "-."}
# opening stroke -> (links that close it, example closing link, the arrow with a pipe label)
_INLINE_FORMS = {"--": ("-->, ---, --o or --x", "-->", "-->"),
                 "==": ("==>, ===, ==o or ==x", "==>", "==>"),
                 "-.": (".-> or .-", ".->", "-.->")}


@dataclass(slots=True)
class Failure:
    code: str
    message: str
    pos: int
    length: int
    hint: str | None
    resume_at: int | None  # offset on the line to blank before re-parsing; None = stop


def classify(exc: Exception, run: LexRun, header_done: bool) -> Failure:
    if isinstance(exc, LexError):
        return _quoting_hint(_lex_failure(exc, run), run.text)
    token = getattr(exc, "token", None)
    expected = set(getattr(exc, "expected", ()) or ())
    if not isinstance(token, Tok):
        return _end_of_input(run, expected)
    if not header_done:
        return _header_failure(token)
    return _quoting_hint(_token_failure(token, run, expected), run.text)


_QUOTE_WHAT = {"node label": "quote the label", "edge label": "quote the edge label",
               "subgraph title": "quote the title"}
_HINT_LABEL_WIDTH = 60


def _quoting_hint(failure: Failure, text: str) -> Failure:
    """A failure inside an unquoted label that quoting repairs (`quoting.line_repairs`) gets a
    hint that shows the quoted label and names `archc fmt --fix`."""
    from archc.spec.mermaid.preprocess import undo_entities
    from archc.spec.mermaid.quoting import line_repairs

    start, end = _line_span(text, failure.pos)
    at = failure.pos - start
    for repair in line_repairs(text[start:end]):
        if repair.start <= at <= repair.end:
            label = undo_entities(repair.text)
            if len(label) > _HINT_LABEL_WIDTH:
                label = label[:_HINT_LABEL_WIDTH - 2] + '…"'
            failure.hint = (f"{_QUOTE_WHAT[repair.kind]}: {repair.opener}{label}{repair.closer}"
                            " (`archc fmt --fix FILE` does this)")
            return failure
    return failure


def _line_span(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, end if end != -1 else len(text)


def _lex_failure(exc: LexError, run: LexRun) -> Failure:
    text, pos, cond = run.text, exc.pos, exc.condition
    char = text[pos]
    if cond == "dir":
        word = re.match(r"\s*(\S*)", text[pos:]).group(1)  # type: ignore[union-attr]
        return Failure("ARC115", f"unknown flowchart direction '{word}'", pos, len(word) or 1,
                       "use TB (or TD), BT, LR or RL, e.g. `flowchart LR`", None)
    if cond in _EDGE_TEXT:
        opener = run.openers[-1][1] if run.openers else pos
        return Failure("ARC117", "inline edge text cannot contain '--', '==' or '-.' "
                       "unless it is quoted", pos, 2,
                       f'quote the text (A {_EDGE_TEXT[cond]} "a -- b" --> B) or use a pipe '
                       "label (A -->|a -- b| B)", opener)
    if cond == "INITIAL" and char in "-=.<>~":
        arrow = _ARROWISH.match(text, pos)
        if arrow is not None and len(arrow.group()) >= 2:
            return Failure("ARC107", f"unknown link syntax '{arrow.group()}'", pos,
                           len(arrow.group()), LINK_HINT, pos)
    if cond == "INITIAL" and not char.isspace():
        return Failure("ARC114", f"character {char!r} cannot be used in a node id or "
                       "statement", pos, 1,
                       'put such text in a quoted label, e.g. id["Launch 🚀"]', pos)
    return Failure("ARC101", f"unexpected character {char!r}", pos, 1, None, pos)


def _end_of_input(run: LexRun, expected: set[str]) -> Failure:
    if run.openers:
        return _unclosed(run)
    if run.subgraphs and "END" in expected:
        pos = run.subgraphs[-1]
        return Failure("ARC106", "subgraph is never closed: `end` is missing", pos,
                       len("subgraph"), "add a line with `end` after the subgraph's last "
                       "statement", None)
    if run.last is None or run.last.type in ("NEWLINE", "SPACE", "EOF") and run.before is None:
        return Failure("ARC102", "the flowchart header is not followed by a line break",
                       0, 1, "write the header on its own line, e.g. `flowchart LR`", None)
    pos = run.last.pos if run.last is not None else 0
    return Failure("ARC101", "unexpected end of input", pos, 1, None, None)


def _unclosed(run: LexRun) -> Failure:
    cond, pos = run.openers[0] if run.openers[0][0] in _EDGE_TEXT else run.openers[-1]
    char = run.text[pos:pos + 1]
    if cond in _EDGE_TEXT:
        stroke = _EDGE_TEXT[cond]
        closing, close_example, arrow = _INLINE_FORMS[stroke]
        return Failure("ARC117", f"inline edge text opened with '{stroke}' is never closed "
                       f"by a matching link ({closing})", pos, 2,
                       f"use the same stroke on both sides (A {stroke} text {close_example} B) "
                       f"or a pipe label (A {arrow}|text| B)", pos)
    what = _OPENER_NAMES.get(cond, "bracket")
    if what == "bracket":
        what = f"bracket '{char}'"
    hint = "close it on the same line"
    if cond in ("string", "md_string", "shapeDataStr"):
        hint = 'close the quote; a label cannot contain a lone " (write #quot; instead)'
    elif cond in ("text", "trapText", "ellipseText"):
        hint = f"close the label with the matching bracket, e.g. {_closing_example(char)}"
    return Failure("ARC105", f"unclosed {what}", pos, len(char) or 1, hint, pos)


def _closing_example(opener: str) -> str:
    pairs = {"[": 'id["text"]', "(": 'id("text")', "{": 'id{"text"}', "|": "-->|text|",
             ">": 'id>"text"]'}
    return pairs.get(opener, 'id["text"]')


def _header_failure(token: Tok) -> Failure:
    value = token.value.strip() or token.value
    return Failure("ARC103", f"malformed flowchart header near {value!r}", token.pos,
                   max(len(value), 1), "the first line must be `flowchart` or `graph`, "
                   "optionally followed by a direction (TB, TD, BT, LR, RL)", None)


def _token_failure(token: Tok, run: LexRun, expected: set[str]) -> Failure:
    label = _label_across_lines(token, run)
    if label is not None:
        return label
    for check in (_end_keyword, _trailing_comment, _nested_quote, _bracket_in_label,
                  _bad_link, _keyword_as_id):
        failure = check(token, run, expected)
        if failure is not None:
            return failure
    return Failure("ARC101", f"unexpected {_describe(token)}", token.pos,
                   max(len(token.value.strip()), 1), _expected_hint(expected), token.pos)


def _label_across_lines(token: Tok, run: LexRun) -> Failure | None:
    """An error inside a label that started on an earlier line: almost always the label's
    closing bracket or quote is missing, so say that, at the opener."""
    text = run.text
    for cond, pos in run.openers_at(token.pos):
        if cond in _OPENER_NAMES or cond in _EDGE_TEXT:
            if "\n" in text[pos:token.pos]:
                probe = LexRun(text)
                probe.openers = [(cond, pos)]
                return _unclosed(probe)
            return None
    return None


def _end_keyword(token: Tok, run: LexRun, expected: set[str]) -> Failure | None:
    if token.type != "END":
        return None
    if run.unmatched_end and _line_is(run.text, token.pos, "end"):
        return Failure("ARC121", "`end` without a matching `subgraph`", token.pos, 3,
                       "remove it, or add the `subgraph` it should close", token.pos)
    return Failure("ARC108", "`end` is a keyword and cannot be used as a node id",
                   token.pos, 3, "rename the node (e.g. `finish` or `End`), or give it a "
                   "label: `finish[end]`", token.pos)


def _trailing_comment(token: Tok, run: LexRun, expected: set[str]) -> Failure | None:
    if not token.value.lstrip().startswith("%%"):
        return None
    return Failure("ARC110", "comments must be on their own line; `%%` after a statement is "
                   "a syntax error", token.pos, len(token.value), "move the comment to a "
                   "separate line starting with %%", token.pos)


def _nested_quote(token: Tok, run: LexRun, expected: set[str]) -> Failure | None:
    if token.type not in ("STR", "MD_STR") or run.before is None:
        return None
    if run.before.type not in ("STR", "TEXT", "MD_STR", "EDGE_TEXT"):
        return None
    # point at the quote that ended the string too early
    inner = run.before.pos if run.before.type == "TEXT" else token.pos
    pos = max(inner - 1, 0)
    return Failure("ARC118", 'a quoted label cannot contain a double quote (")', pos, 1,
                   "write #quot; for a double quote inside a label", token.pos)


def _bracket_in_label(token: Tok, run: LexRun, expected: set[str]) -> Failure | None:
    char = _BRACKET_TOKENS.get(token.type)
    if char is None or run.before is None or run.before.type not in ("TEXT", "STR", "MD_STR"):
        return None
    return Failure("ARC119", f"'{char}' cannot appear in an unquoted label", token.pos,
                   len(char), 'quote the label, e.g. id["call(x)"]', token.pos)


def _bad_link(token: Tok, run: LexRun, expected: set[str]) -> Failure | None:
    text = run.text
    line_end = text.find("\n", token.pos)
    rest = text[token.pos:line_end if line_end != -1 else len(text)].lstrip()
    m = _ARROWISH.match(rest)
    looks_like_link = token.type in ("LINK", "START_LINK", "MINUS", "TAGEND", "TAGSTART") \
        or bool(m and len(m.group()) >= 2 and any(c in m.group() for c in "-=~"))
    if not looks_like_link:
        return None
    if token.type in ("LINK", "START_LINK") and ("LINK" not in expected):
        return Failure("ARC107", "a link must start from a node", token.pos,
                       len(token.value.strip()) or 1, "write the source node before the "
                       "link, e.g. `A --> B`", token.pos)
    arrow = m.group() if m else token.value.strip()
    return Failure("ARC107", f"unknown link syntax '{arrow}'", token.pos, len(arrow) or 1,
                   LINK_HINT, token.pos)


def _keyword_as_id(token: Tok, run: LexRun, expected: set[str]) -> Failure | None:
    word = _KEYWORDS.get(token.type)
    if word is None:
        return None
    return Failure("ARC120", f"'{token.value.strip()}' is a Mermaid keyword and cannot be "
                   "used as a node id here", token.pos, len(token.value.strip()),
                   "rename the node, e.g. add a suffix, and put the word in its label",
                   token.pos)


def _line_is(text: str, pos: int, word: str) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:end if end != -1 else len(text)].strip(" \t;") == word


def _describe(token: Tok) -> str:
    value = token.value
    if token.type == "NEWLINE":
        return "end of line"
    if token.type == "EOF":
        return "end of input"
    if token.type == "SPACE":
        return "space"
    return repr(value.strip() or value)


_EXPECTED_WORDS = {
    "NEWLINE": "a line break", "SEMI": "';'", "LINK": "a link such as -->",
    "END": "`end`", "SQE": "']'", "PE": "')'", "DIAMOND_STOP": "'}'", "PIPE": "'|'",
    "NODE_STRING": "a node id", "SPACE": "a space", "STR": 'a "quoted string"',
}


def _expected_hint(expected: set[str]) -> str | None:
    words = [w for key, w in _EXPECTED_WORDS.items() if key in expected]
    if not words:
        return None
    return "expected " + ", ".join(words[:5])


def describe_exception(exc: Any) -> str:
    return f"{type(exc).__name__}: {exc}"
