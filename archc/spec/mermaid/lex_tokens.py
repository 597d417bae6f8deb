"""Tokens, and the coarse tokens made by joining runs of mermaid's tokens.

The grammar (grammar.lark) sees jison's tokens, except where a run of them always
reduces the same way; then one coarse token stands for the run (fewer tokens and
reductions for lark). :func:`merge` makes them; the lexer's fast path
(:mod:`lex_fast`) makes whole-line ``STMT`` tokens.
"""

from __future__ import annotations

# Tokens that can continue an id (jison's idStringToken): a vertex ends before none of them.
ID_TOKENS = frozenset({"NUM", "NODE_STRING", "DOWN", "MINUS", "DEFAULT", "COMMA", "COLON",
                       "AMP", "BRKT", "MULT", "UNICODE_TEXT"})
# After these a NODE_STRING can only start a vertex (statement start, or a link target).
_VERTEX_BOUNDARY = frozenset({"NEWLINE", "SEMI", "LINK", "LINKT", "LINKI"})
_CONTENT = {"TEXT": "text", "STR": "string", "MD_STR": "markdown"}
_EDGE_CONTENT = {"EDGE_TEXT": "text", "STR": "string", "MD_STR": "markdown"}
# Shape brackets: opening token run -> [(closing token run, FlowDB vertex type)]
_SHAPES: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]] = {
    ("PS", "PS"): ((("PE", "PE"), "circle"),),
    ("DIAMOND_START", "DIAMOND_START"): ((("DIAMOND_STOP", "DIAMOND_STOP"), "hexagon"),),
    ("SQS",): ((("SQE",), "square"),),
    ("PS",): ((("PE",), "round"),),
    ("DIAMOND_START",): ((("DIAMOND_STOP",), "diamond"),),
    ("STADIUMSTART",): ((("STADIUMEND",), "stadium"),),
    ("SUBROUTINESTART",): ((("SUBROUTINEEND",), "subroutine"),),
    ("CYLINDERSTART",): ((("CYLINDEREND",), "cylinder"),),
    ("DOUBLECIRCLESTART",): ((("DOUBLECIRCLEEND",), "doublecircle"),),
    ("ELLIPSE_START",): ((("ELLIPSE_END",), "ellipse"),),
    ("TAGEND",): ((("SQE",), "odd"),),
    ("TRAPSTART",): ((("TRAPEND",), "trapezoid"), (("INVTRAPEND",), "lean_right")),
    ("INVTRAPSTART",): ((("INVTRAPEND",), "inv_trapezoid"), (("TRAPEND",), "lean_left")),
}
_OPENERS = frozenset(t for key in _SHAPES for t in key)


class Tok:
    """A token. Lighter than ``lark.Token`` (creating those dominated lexing time).

    ``pos`` is the offset in the preprocessed text; the class-level position attributes
    exist only because lark copies them onto its end-of-input token.
    """

    __slots__ = ("type", "value", "pos")
    line = column = end_line = end_column = start_pos = end_pos = None

    def __init__(self, type_: str, value: str, pos: int) -> None:
        self.type = type_
        self.value = value
        self.pos = pos

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.type}, {self.value!r}, {self.pos})"


class VertexTok(Tok):
    """``id``, ``id[label]``, ``id(label):::cls``... as one token (see :func:`merge`)."""

    __slots__ = ("shape", "content", "content_type", "cls")

    def __init__(self, ident: Tok, shape: str | None, content: Tok | None, cls: Tok | None):
        super().__init__("VERTEX", ident.value, ident.pos)
        self.shape = shape
        self.content = content
        self.content_type = _CONTENT[content.type] if content is not None else "text"
        self.cls = cls


class LinkTok(Tok):
    """``-->|label|`` or ``-- label -->`` as one token."""

    __slots__ = ("start", "end", "label", "label_type")

    def __init__(self, type_: str, first: Tok, start: Tok | None, end: Tok, label: Tok,
                 label_type: str) -> None:
        super().__init__(type_, first.value, first.pos)
        self.start = start
        self.end = end
        self.label = label
        self.label_type = label_type


# -- coarse tokens --------------------------------------------------------------------------


def merge(toks: list[Tok], prev_type: str = "") -> list[Tok]:
    """Join token runs the grammar always reduces the same way into single tokens.

    * ``NODE_STRING`` right after ``NEWLINE``/``SEMI``/a link (where it can only start a
      vertex), forming the whole id, with an optional one-token label in a matching
      bracket pair and an optional ``:::class`` -> ``VERTEX``;
    * ``LINK PIPE label PIPE [SPACE]`` -> ``LINKT``; ``START_LINK label LINK`` -> ``LINKI``.

    Anything else (multi-token ids, labels mixing quoted and unquoted text, ``A & B``,
    ``e1@-->``...) is left as mermaid's tokens and goes through the full grammar, so the
    merge only saves work: the grammar gives the coarse tokens the same meaning.
    """
    out: list[Tok] = []
    append = out.append
    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        ttype = tok.type
        merged: Tok | None = None
        used = 0
        if ttype == "NODE_STRING" and prev_type in _VERTEX_BOUNDARY:
            merged, used = _merge_vertex(toks, i, n)
        elif ttype == "LINK" and prev_type not in _NO_LINK_MERGE:
            merged, used = _merge_link_text(toks, i, n)
        elif ttype == "START_LINK" and prev_type not in _NO_LINK_MERGE:
            merged, used = _merge_inline(toks, i, n)
        if merged is None:
            append(tok)
            i += 1
        else:
            append(merged)
            i += used
        prev_type = out[-1].type
    return out


_NO_LINK_MERGE = frozenset({"LINK_ID", "EDGE_TEXT", "STR", "MD_STR", "START_LINK"})


def _type_at(toks: list[Tok], i: int, n: int) -> str:
    return toks[i].type if i < n else ""


def _merge_vertex(toks: list[Tok], i: int, n: int) -> tuple[Tok | None, int]:
    j = i + 1
    nxt = _type_at(toks, j, n)
    if nxt in ID_TOKENS or nxt == "VERTEX_WITH_PROPS_START":
        return None, 0
    shape = content = None
    if nxt in _OPENERS:
        found = _match_shape(toks, j, n)
        if found is None:
            return None, 0
        shape, content, j = found
    cls = None
    if _type_at(toks, j, n) == "STYLE_SEPARATOR":
        if _type_at(toks, j + 1, n) != "NODE_STRING" or _type_at(toks, j + 2, n) in ID_TOKENS:
            return None, 0  # a class name of several tokens: leave it to the grammar
        cls = toks[j + 1]
        j += 2
    return VertexTok(toks[i], shape, content, cls), j - i


def _match_shape(toks: list[Tok], j: int, n: int) -> tuple[str, Tok, int] | None:
    for width in (2, 1):
        opener = tuple(t.type for t in toks[j:j + width])
        options = _SHAPES.get(opener)
        if options is None or len(opener) < width:
            continue
        k = j + width
        if _type_at(toks, k, n) not in _CONTENT:
            return None
        for closer, shape in options:
            if tuple(t.type for t in toks[k + 1:k + 1 + len(closer)]) == closer:
                return shape, toks[k], k + 1 + len(closer)
        return None
    return None


def _merge_link_text(toks: list[Tok], i: int, n: int) -> tuple[Tok | None, int]:
    if _type_at(toks, i + 1, n) != "PIPE" or _type_at(toks, i + 2, n) not in _CONTENT \
            or _type_at(toks, i + 3, n) != "PIPE":
        return None, 0
    label = toks[i + 2]
    used = 5 if _type_at(toks, i + 4, n) == "SPACE" else 4
    return LinkTok("LINKT", toks[i], None, toks[i], label, _CONTENT[label.type]), used


def _merge_inline(toks: list[Tok], i: int, n: int) -> tuple[Tok | None, int]:
    label_type = _EDGE_CONTENT.get(_type_at(toks, i + 1, n))
    if label_type is None or _type_at(toks, i + 2, n) != "LINK":
        return None, 0
    return LinkTok("LINKI", toks[i], toks[i], toks[i + 2], toks[i + 1], label_type), 3


def first_nonspace(tok: Tok) -> int:
    """Offset of the first non-blank character of a token (links carry their blanks)."""
    value = tok.value
    return tok.pos + (len(value) - len(value.lstrip()))
