"""Fast path of the lexer: a whole common statement line as one ``STMT`` token.

Most lines of a real flowchart are ``id``, ``id[label]``, ``a --> b`` or chains like
``a[x] -->|y| b(z):::c --> d``. For such a line, jison's token sequence and the
grammar's reductions are fixed, so the line is recognised here in a handful of regex
calls and given to the parser as one token; the grammar action replays the vertex and
link actions in mermaid's order. Every check below states the jison rule it stands for;
anything not covered (keywords, ``@``, ``&``, inline edge text, multi-line labels,
``direction`` lines...) returns None and the exact lexer takes the line.
"""

from __future__ import annotations

import re
from typing import Any

from archc.spec.mermaid.lex_rules import RULE_BY_NUM, S
from archc.spec.mermaid.lex_tokens import LinkTok, Tok, VertexTok

# jison rule 106 (NODE_STRING) minus what a plain id leaves out; an id must end where
# NODE_STRING would end, so these may not follow it.
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NODE_STRING_MORE = frozenset("!\"#$%&'*+.`?\\/")
# Rules that win over NODE_STRING at an id's first character (jison rules 0, 2, 4, 13,
# 25-44, 102): keywords. Checked only when the id starts like one of them.
_KEYWORD_PREFIXES = ("acc", "call", "style", "default", "linkStyle", "interpolate", "class",
                     "href", "click", "flowchart", "swimlane", "graph", "subgraph", "end",
                     "_self", "_blank", "_parent", "_top", "v")
_KEYWORD_AT = re.compile("|".join(
    f"(?:{RULE_BY_NUM[n][1]})" for n in (0, 2, 4, 13, *range(25, 45), 102)), re.ASCII)
# Rules 70, 71, 73, 74, 76, 77, 79 in order: which link rule jison picks at a position.
_LINKS = re.compile("|".join(f"({RULE_BY_NUM[n][1]})" for n in (70, 71, 73, 74, 76, 77, 79)),
                    re.ASCII)
_LINK_GROUPS = frozenset({1, 3, 5, 7})  # LINK; 2, 4, 6 are START_LINK (inline edge text)
# A label in "text" state: a quoted string (rules 24, 22, 23; not a "` markdown string) or
# one TEXT token (rule 117, unless rule 79 `~~~` matches first).
_LABEL = re.compile(f'"(?!`)([^"]+)"(?!`)|(?!{S}*~~~)([^\\[\\]\\(\\)\\{{\\}}\\|"]+)')
_EOL = re.compile("[ \\t]*(\\n+)")
_SPACES = re.compile("[ \\t]+")


class StmtTok(Tok):
    """A whole vertex statement line, newline included: its vertices and the links
    between them, in order. ``match`` is set instead when :data:`_SIMPLE` recognised
    the line (the action reads the groups; no intermediate tokens are built)."""

    __slots__ = ("vertices", "links", "match", "groups")

    def __init__(self, pos: int, vertices: list[VertexTok] | None, links: list[Tok] | None,
                 match: re.Match[str] | None = None, groups: tuple[Any, ...] = ()) -> None:
        self.type = "STMT"
        self.value = ""
        self.pos = pos
        self.vertices = vertices
        self.links = links
        self.match = match
        self.groups = groups


# One regex for the two commonest lines, `V` and `V LINK [|label|] V` (V: plain id,
# optional one-token label in a bracket pair, optional :::class), newline included. Each
# piece carries the condition under which jison lexes it that way (rule numbers as in
# lexer): lookaheads reject what a higher-priority rule would take instead.
_ID_END = "(?![!\"#$%&'*+.`?\\\\/]|-[^>\\-.])"  # NODE_STRING (106) would not go on
_OPEN = ("(?:\\(\\(\\(|\\(\\[|\\(\\((?![-\\[(])|\\((?![-\\[(])|\\[\\[|\\[\\(|\\[(?![\\[|(/\\\\])"
         "|\\{\\{|\\{|>)")
_CLOSE = ("(?:\\)\\)\\)|\\]\\)|\\]\\]|\\)\\]|\\)\\)(?![)\\]])|\\}\\}|\\](?![)\\]])"
          "|\\)(?!\\]|\\)\\))|\\})")
_CONTENT = f'(?:"(?!`)([^"\\n]+)"(?!`)|(?!{S}*~~~)([^\\[\\]\\(\\)\\{{\\}}\\|"\\n]+))'
_VERTEX = (f"([A-Za-z_][A-Za-z0-9_]*){_ID_END}(?:({_OPEN}){_CONTENT}({_CLOSE}))?"
           f"(?::::([A-Za-z_][A-Za-z0-9_]*){_ID_END})?")
_LINK_ALTS = "|".join(RULE_BY_NUM[n][1] for n in (70, 71, 73, 74, 76, 77, 79))
_LINK = "|".join(RULE_BY_NUM[n][1].replace(S, "[ \\t]") for n in (70, 73, 76, 79))
_SIMPLE = re.compile(
    f"{_VERTEX}(?:({_LINK})(?:\\|{_CONTENT}\\|([ \\t]*))?{_VERTEX})?"
    f"(?!{_LINK_ALTS})[ \\t]*(\\n+)", re.ASCII)
# _SIMPLE's groups: first vertex (id, open, quoted label, text label, close, class),
# link, its |label| (quoted, text) and the blanks after it, second vertex, newlines.
(G_ID1, G_OPEN1, G_STR1, G_TXT1, G_CLOSE1, G_CLS1, G_LINK, G_LSTR, G_LTXT, G_LSPACE,
 G_ID2, G_OPEN2, G_STR2, G_TXT2, G_CLOSE2, G_CLS2, G_NL) = range(17)
# (open, close) pairs of the shapes _SIMPLE can see, and the vertex type they make.
SHAPE_OF = {("(((", ")))"): "doublecircle", ("([", "])"): "stadium", ("((", "))"): "circle",
            ("(", ")"): "round", ("[[", "]]"): "subroutine", ("[(", ")]"): "cylinder",
            ("[", "]"): "square", ("{{", "}}"): "hexagon", ("{", "}"): "diamond",
            (">", "]"): "odd"}


def simple_line(text: str, p: int) -> StmtTok | None:
    """The line at ``p`` if :data:`_SIMPLE` matches it and its ids and bracket pairs are
    what jison would make of them (keywords and `x--`/`o--` starts are checked here)."""
    m = _SIMPLE.match(text, p)
    if m is None:
        return None
    g = m.groups()  # see G_* for the layout
    for i in (G_ID1, G_CLS1, G_ID2, G_CLS2):
        word = g[i]
        if word is not None and (word.startswith(_KEYWORD_PREFIXES) or word in ("x", "o")):
            return None
    if g[G_OPEN1] is not None and (g[G_OPEN1], g[G_CLOSE1]) not in SHAPE_OF:
        return None
    if g[G_OPEN2] is not None and (g[G_OPEN2], g[G_CLOSE2]) not in SHAPE_OF:
        return None
    return StmtTok(p, None, None, m, g)


def _plain_id(text: str, p: int) -> int:
    """End of an id jison lexes as one NODE_STRING at ``p``, or -1."""
    m = _ID.match(text, p)
    if m is None:
        return -1
    end = m.end()
    word = m.group()
    if word.startswith(_KEYWORD_PREFIXES) and _KEYWORD_AT.match(text, p):
        return -1
    if word in ("x", "o") and text[end:end + 1] in ("-", "=", "."):
        return -1  # rules 70-77: `x--`, `o==`, `x-.` start a link
    nxt = text[end:end + 1]
    if nxt in _NODE_STRING_MORE or nxt == "-" and text[end + 1:end + 2] not in (">", "-", "."):
        return -1  # NODE_STRING would go on
    return end


def _paren_opener(text: str, q: int) -> tuple[str, int, str] | None:
    c1 = text[q + 1:q + 2]
    if c1 == "-":
        return None  # rule 82, ellipse
    if c1 == "[":
        return "stadium", 2, "])"
    if c1 == "(":
        c2 = text[q + 2:q + 3]
        if c2 == "(":
            return "doublecircle", 3, ")))"
        if c2 in ("-", "["):
            return None
        return "circle", 2, "))"
    return "round", 1, ")"


def _opener(text: str, q: int) -> tuple[str, int, str] | None:
    """The shape jison opens at ``q`` (INITIAL, then nested "text" states):
    (vertex type, width, closing string); None for shapes left to the exact lexer."""
    c, c1 = text[q:q + 1], text[q + 1:q + 2]
    if c == "(":
        return _paren_opener(text, q)
    if c == "[":
        if c1 == "[":
            return "subroutine", 2, "]]"
        if c1 == "(":
            return "cylinder", 2, ")]"
        if c1 in ("|", "/", "\\"):
            return None  # rect props, trapezoids
        return "square", 1, "]"
    if c == "{":
        return ("hexagon", 2, "}}") if c1 == "{" else ("diamond", 1, "}")
    if c == ">":
        return "odd", 1, "]"
    return None


def _closes(text: str, e: int, close: str) -> bool:
    """Does jison's "text" state lex exactly ``close`` at ``e`` (and not a longer bracket)?"""
    if not text.startswith(close, e):
        return False
    after = text[e + len(close):e + len(close) + 1]
    if close == "]":
        return after not in (")", "]")  # rules 83 `])`, 85 `]]` come first
    if close == ")":
        return after != "]" and not text.startswith("))", e + 1)  # rules 89, 91
    if close == "))":
        return after not in (")", "]")
    return True


def _vertex(text: str, p: int) -> tuple[VertexTok, int] | None:
    end = _plain_id(text, p)
    if end < 0:
        return None
    ident = Tok("NODE_STRING", text[p:end], p)
    shape = content = cls = None
    found = _opener(text, end)
    if found is not None:
        shape, width, close = found
        m = _LABEL.match(text, end + width)
        if m is None:
            return None
        if m.group(1) is not None:
            content = Tok("STR", m.group(1), m.start(1))
        else:
            content = Tok("TEXT", m.group(2), m.start(2))
        if "\n" in content.value or not _closes(text, m.end(), close):
            return None
        end = m.end() + len(close)
    elif text[end:end + 1] in ("[", "(", "{"):
        return None
    if text.startswith(":::", end):
        cls_end = _plain_id(text, end + 3)
        if cls_end < 0:
            return None
        cls = Tok("NODE_STRING", text[end + 3:cls_end], end + 3)
        end = cls_end
    return VertexTok(ident, shape, content, cls), end


def _link(text: str, q: int) -> tuple[Tok, int] | None:
    m = _LINKS.match(text, q)
    if m is None or m.lastindex not in _LINK_GROUPS or "\n" in m.group():
        return None
    link = Tok("LINK", m.group(), q)
    r = m.end()
    if text[r:r + 1] != "|":
        return link, r
    label = _LABEL.match(text, r + 1)
    if label is None or text[label.end():label.end() + 1] != "|":
        return None
    if label.group(1) is not None:
        tok, kind = Tok("STR", label.group(1), label.start(1)), "string"
    else:
        tok, kind = Tok("TEXT", label.group(2), label.start(2)), "text"
    if "\n" in tok.value:
        return None
    r = label.end() + 1
    if text[r:r + 1] in (" ", "\t"):
        if _LINKS.match(text, r):
            return None  # a link after the label: not this simple shape
        r = _SPACES.match(text, r).end()  # type: ignore[union-attr]
    return LinkTok("LINKT", link, None, link, tok, kind), r


def fast_line(text: str, p: int) -> tuple[StmtTok, int] | None:
    """A statement line at ``p`` (INITIAL, line start): (STMT, offset after its line
    break). The next line's indentation is left to the caller: jison lexes it as SPACE
    except on a line containing "direction", where rules 56-60 match from there.

    The caller makes sure the line has no ``@`` and no ``direction`` (rules 61, 56-60
    would win there)."""
    found = _vertex(text, p)
    if found is None:
        return None
    first, q = found
    vertices, links = [first], []
    while True:
        c = text[q:q + 1]
        if c in (" ", "\t", "\n", "-", "=", ".", "~", "<", "x", "o"):
            step = _link(text, q)
            if step is not None:
                link, r = step
                found = _vertex(text, r)
                if found is None:
                    return None
                vertex, q = found
                links.append(link)
                vertices.append(vertex)
                continue
        m = _EOL.match(text, q)
        if m is None or _LINKS.match(text, q):
            return None
        return StmtTok(first.pos, vertices, links), m.end()
