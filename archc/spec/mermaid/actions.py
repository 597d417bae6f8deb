"""The grammar's semantic actions: jison's ``performAction`` cases, as lark callbacks.

The callbacks run during the LALR parse (the transformer is handed to lark, so no parse
tree is built) and call into :class:`FlowDB` in exactly the order mermaid's reductions
do. Values passed between rules are small: tokens, ``TextObj``, ``LinkInfo`` and lists.
"""

from __future__ import annotations

from typing import Any

from archc.spec.mermaid.db import DirItem, FlowDB, LinkInfo, TextObj
from archc.spec.mermaid.lex_fast import G_ID1, G_ID2, G_LINK, G_LSTR, G_LTXT, SHAPE_OF
from archc.spec.mermaid.lex_tokens import Tok, first_nonspace
from archc.spec.mermaid.preprocess import js_trim

_DIRECTIONS = {"DIRECTION_TB": "TB", "DIRECTION_BT": "BT", "DIRECTION_RL": "RL",
               "DIRECTION_LR": "LR", "DIRECTION_TD": "TD"}


def destruct_start_link(raw: str) -> tuple[str, str]:
    text = js_trim(raw)
    kind = "arrow_open"
    head = text[:1]
    if head in ("<", "x", "o"):
        kind = {"<": "arrow_point", "x": "arrow_cross", "o": "arrow_circle"}[head]
        text = text[1:]
    stroke = "normal"
    if "=" in text:
        stroke = "thick"
    if "." in text:
        stroke = "dotted"
    return kind, stroke


def destruct_end_link(raw: str) -> tuple[str, str, int]:
    text = js_trim(raw)
    line = text[:-1]
    kind = "arrow_open"
    last = text[-1:]
    double = {"x": "x", ">": "<", "o": "o"}.get(last)
    if double is not None:
        kind = {"x": "arrow_cross", ">": "arrow_point", "o": "arrow_circle"}[last]
        if text.startswith(double):
            kind = "double_" + kind
            line = line[1:]
    stroke = "normal"
    length = len(line) - 1
    if line.startswith("="):
        stroke = "thick"
    if line.startswith("~"):
        stroke = "invisible"
    dots = line.count(".")
    if dots:
        stroke, length = "dotted", dots
    return kind, stroke, length


_DESTRUCTED: dict[tuple[str, str | None], tuple[str, str, int | None]] = {}


def destruct_link(end_raw: str, start_raw: str | None = None) -> tuple[str, str, int | None]:
    """FlowDB.destructLink: arrow type, stroke and length of a link token (pair).
    Memoised: a diagram uses a handful of distinct arrows thousands of times."""
    key = (end_raw, start_raw)
    found = _DESTRUCTED.get(key)
    if found is None:
        found = _destruct_link(end_raw, start_raw)
        if len(_DESTRUCTED) < 4096:
            _DESTRUCTED[key] = found
    return found


def _destruct_link(end_raw: str, start_raw: str | None) -> tuple[str, str, int | None]:
    kind, stroke, length = destruct_end_link(end_raw)
    if start_raw is None:
        return kind, stroke, length
    start_kind, start_stroke = destruct_start_link(start_raw)
    if start_stroke != stroke:
        return "INVALID", "INVALID", None
    if start_kind == "arrow_open":
        start_kind = kind
    elif start_kind != kind:
        return "INVALID", "INVALID", None
    else:
        start_kind = "double_" + start_kind
    if start_kind == "double_arrow":
        start_kind = "double_arrow_point"
    return start_kind, stroke, length


def _link_info(end: Tok, start: Tok | None, first: Tok, link_id: str | None = None) -> LinkInfo:
    kind, stroke, length = destruct_link(end.value, start.value if start is not None else None)
    last = end.pos + len(end.value.rstrip())
    return LinkInfo(kind, stroke, length, first_nonspace(first), last, None, link_id)


def _merged_link(tok: Any) -> LinkInfo:
    info = _link_info(tok.end, tok.start, tok)
    info.text = TextObj(tok.label.value, tok.label_type, tok.label.pos)
    return info


def _ids(nodes: list[Tok]) -> list[tuple[str, int]]:
    return [(t.value, t.pos) for t in nodes]


class Actions:
    """Callbacks by rule/alias name. ``db`` is swapped in for every parse."""

    def __init__(self) -> None:
        self.db: FlowDB = FlowDB()

    # -- structure ----------------------------------------------------------------------

    def start(self, c: list[Any]) -> Any:
        return c[1]

    def _none(self, c: list[Any]) -> None:
        return None

    graph_config = first_separator = space_list = separator = _none

    def graph_nodir(self, c: list[Any]) -> None:
        self.db.set_direction("TB")

    def graph_dir(self, c: list[Any]) -> None:
        self.db.set_direction(c[1].value)

    def document_empty(self, c: list[Any]) -> list[Any]:
        return []

    def document_vertex(self, c: list[Any]) -> list[Any]:
        # jison: a vertex statement's value is its node list (targets before sources)
        doc = c[0]
        doc.append([t.value for t in c[1][1]])
        return doc

    def document_stmt(self, c: list[Any]) -> list[Any]:
        """A fast-path line: the actions `vertex_statement` would run, in its order
        (first vertex; then per link: target vertex, then the edge)."""
        doc, stmt = c[0], c[1]
        if stmt.match is not None:
            doc.append(self._simple_stmt(stmt.match, stmt.groups))
            return doc
        vertices = stmt.vertices
        add_link = self.db.add_link
        self._vertex_tok(vertices[0])
        for i, link in enumerate(stmt.links):
            source, target = vertices[i], vertices[i + 1]
            self._vertex_tok(target)
            info = _link_info(link, None, link) if link.type == "LINK" else _merged_link(link)
            add_link([(source.value, source.pos)], [(target.value, target.pos)], info)
        doc.append([v.value for v in reversed(vertices)])
        return doc

    def _simple_stmt(self, m: Any, g: tuple[Any, ...]) -> list[str]:
        # g = m.groups() is 0-based; m.start() counts groups from 1
        start = m.start
        first = self._simple_vertex(start, g, G_ID1)
        if g[G_LINK] is None:
            return [first]
        second = self._simple_vertex(start, g, G_ID2)
        link = g[G_LINK]
        kind, stroke, length = destruct_link(link)
        pos = start(G_LINK + 1)
        lead = len(link) - len(link.lstrip())
        info = LinkInfo(kind, stroke, length, pos + lead, pos + len(link.rstrip()))
        if g[G_LSTR] is not None:
            info.text = TextObj(g[G_LSTR], "string", start(G_LSTR + 1))
        elif g[G_LTXT] is not None:
            info.text = TextObj(g[G_LTXT], "text", start(G_LTXT + 1))
        self.db.add_link([(first, start(G_ID1 + 1))], [(second, start(G_ID2 + 1))], info)
        return [second, first]

    def _simple_vertex(self, start: Any, g: tuple[Any, ...], base: int) -> str:
        vid = g[base]
        open_ = g[base + 1]
        if open_ is None:
            self.db.add_vertex(vid, start(base + 1))
        else:
            shape = SHAPE_OF[(open_, g[base + 4])]
            if g[base + 2] is not None:
                text = TextObj(g[base + 2], "string", start(base + 3))
            else:
                text = TextObj(g[base + 3], "text", start(base + 4))
            self.db.add_vertex(vid, start(base + 1), text, shape)
        if g[base + 5] is not None:
            self.db.set_class(vid, g[base + 5])
        return vid

    def document_keep(self, c: list[Any]) -> list[Any]:
        return c[0]  # style/class/click/linkStyle statements add nothing (jison: [])

    def document_line(self, c: list[Any]) -> list[Any]:
        doc, line = c
        if line is not None:  # None: a subgraph mermaid would have crashed on
            doc.append(line)
        return doc

    def document_token(self, c: list[Any]) -> list[Any]:
        # a stray separator is a line whose value is its own text (";" can become a
        # subgraph "member"; blank ones are dropped by addSubGraph)
        c[0].append(c[1].value)
        return c[0]

    def document_acc_title(self, c: list[Any]) -> list[Any]:
        value = js_trim(c[2].value)
        self.db.set_acc_title(value)
        c[0].append(value)
        return c[0]

    def document_acc_descr(self, c: list[Any]) -> list[Any]:
        value = js_trim(c[2].value)
        self.db.set_acc_descr(value)
        c[0].append(value)
        return c[0]

    def document_acc_descr_multiline(self, c: list[Any]) -> list[Any]:
        value = js_trim(c[1].value)
        self.db.set_acc_descr(value)
        c[0].append(value)
        return c[0]

    def other_statement(self, c: list[Any]) -> None:
        return None

    def direction(self, c: list[Any]) -> DirItem:
        return DirItem(_DIRECTIONS[c[0].type])




    # -- subgraphs ----------------------------------------------------------------------

    def subgraph(self, c: list[Any]) -> Any:
        return c[0]

    def subgraph_titled(self, c: list[Any]) -> str | None:
        return self.db.add_subgraph(c[2], c[7], c[4], c[0].pos, c[5].pos + 1)

    def subgraph_named(self, c: list[Any]) -> str | None:
        return self.db.add_subgraph(c[2], c[4], c[2], c[0].pos, _title_end(c[2]))

    def subgraph_bare(self, c: list[Any]) -> str | None:
        return self.db.add_subgraph(None, c[2], None, c[0].pos, c[0].pos + 8)

    # -- vertices -----------------------------------------------------------------------

    def _vertex(self, c: list[Any], shape: str, text_index: int) -> Tok:
        tok = c[0]
        self.db.add_vertex(tok.value, tok.pos, c[text_index], shape)
        return tok

    def v_square(self, c: list[Any]) -> Tok:
        return self._vertex(c, "square", 2)

    def v_doublecircle(self, c: list[Any]) -> Tok:
        return self._vertex(c, "doublecircle", 2)

    def v_circle(self, c: list[Any]) -> Tok:
        return self._vertex(c, "circle", 3)

    def v_ellipse(self, c: list[Any]) -> Tok:
        return self._vertex(c, "ellipse", 2)

    def v_stadium(self, c: list[Any]) -> Tok:
        return self._vertex(c, "stadium", 2)

    def v_subroutine(self, c: list[Any]) -> Tok:
        return self._vertex(c, "subroutine", 2)

    def v_cylinder(self, c: list[Any]) -> Tok:
        return self._vertex(c, "cylinder", 2)

    def v_round(self, c: list[Any]) -> Tok:
        return self._vertex(c, "round", 2)

    def v_diamond(self, c: list[Any]) -> Tok:
        return self._vertex(c, "diamond", 2)

    def v_hexagon(self, c: list[Any]) -> Tok:
        return self._vertex(c, "hexagon", 3)

    def v_odd(self, c: list[Any]) -> Tok:
        return self._vertex(c, "odd", 2)

    def v_trapezoid(self, c: list[Any]) -> Tok:
        return self._vertex(c, "trapezoid", 2)

    def v_inv_trapezoid(self, c: list[Any]) -> Tok:
        return self._vertex(c, "inv_trapezoid", 2)

    def v_lean_right(self, c: list[Any]) -> Tok:
        return self._vertex(c, "lean_right", 2)

    def v_lean_left(self, c: list[Any]) -> Tok:
        return self._vertex(c, "lean_left", 2)

    def v_rect(self, c: list[Any]) -> Tok:
        tok = c[0]
        self.db.add_vertex(tok.value, tok.pos, c[6], "rect", props={c[2].value: c[4].value})
        return tok

    def v_plain(self, c: list[Any]) -> Tok:
        tok = c[0]
        self.db.add_vertex(tok.value, tok.pos)
        return tok

    def styled_vertex(self, c: list[Any]) -> Tok:
        return c[0]

    def styled_vertex_class(self, c: list[Any]) -> Tok:
        self.db.set_class(c[0].value, c[2].value)
        return c[0]

    def node_vertex(self, c: list[Any]) -> list[Tok]:
        self._vertex_tok(c[0])
        return [c[0]]

    def _vertex_tok(self, tok: Any) -> None:
        content = tok.content
        if content is None:
            self.db.add_vertex(tok.value, tok.pos)
        else:
            text = TextObj(content.value, tok.content_type, content.pos)
            self.db.add_vertex(tok.value, tok.pos, text, tok.shape)
        if tok.cls is not None:
            self.db.set_class(tok.value, tok.cls.value)

    def node_single(self, c: list[Any]) -> list[Tok]:
        return [c[0]]

    def node_amp(self, c: list[Any]) -> list[Tok]:
        return c[0] + [c[4]]

    def node_amp_data(self, c: list[Any]) -> list[Tok]:
        self._shape_data(c[0][-1], c[1])
        return c[0] + [c[5]]

    def _shape_data(self, tok: Tok, data: list[Any]) -> None:
        self.db.add_vertex(tok.value, tok.pos, metadata=data[0], meta_pos=data[1])

    # -- vertex statements (chains) ------------------------------------------------------

    def vs_node(self, c: list[Any]) -> tuple[list[Tok], list[Tok]]:
        return c[0], c[0]

    def vs_node_data(self, c: list[Any]) -> tuple[list[Tok], list[Tok]]:
        self._shape_data(c[0][-1], c[1])
        return c[0], c[0]

    def vs_link(self, c: list[Any]) -> tuple[list[Tok], list[Tok]]:
        stmt, nodes = c[0]
        node = c[2]
        self.db.add_link(_ids(stmt), _ids(node), c[1])
        return node, node + nodes

    def vs_link_data(self, c: list[Any]) -> tuple[list[Tok], list[Tok]]:
        stmt, nodes = c[0]
        node = c[2]
        self._shape_data(node[-1], c[3])
        self.db.add_link(_ids(stmt), _ids(node), c[1])
        return node, node + nodes

    def data_first(self, c: list[Any]) -> list[Any]:
        return [c[0].value, c[0].pos]

    def data_more(self, c: list[Any]) -> list[Any]:
        c[0][0] += c[1].value
        return c[0]

    # -- links --------------------------------------------------------------------------

    def link_plain(self, c: list[Any]) -> LinkInfo:
        return _link_info(c[0], None, c[0])

    def link_plain_id(self, c: list[Any]) -> LinkInfo:
        return _link_info(c[1], None, c[0], c[0].value)

    def link_text(self, c: list[Any]) -> LinkInfo:
        info = _link_info(c[0], None, c[0])
        info.text = c[1]
        return info

    def link_text_id(self, c: list[Any]) -> LinkInfo:
        info = _link_info(c[1], None, c[0], c[0].value)
        info.text = c[2]
        return info

    def link_merged(self, c: list[Any]) -> LinkInfo:
        return _merged_link(c[0])

    def arrow_text(self, c: list[Any]) -> TextObj:
        return c[1]

    def link_inline(self, c: list[Any]) -> LinkInfo:
        info = _link_info(c[2], c[0], c[0])
        info.text = c[1]
        return info

    def link_inline_id(self, c: list[Any]) -> LinkInfo:
        info = _link_info(c[3], c[1], c[0], c[0].value)
        info.text = c[2]
        return info

    # -- text values --------------------------------------------------------------------

    def text_first(self, c: list[Any]) -> TextObj:
        return TextObj(c[0].value, "text", c[0].pos)

    def text_more(self, c: list[Any]) -> TextObj:
        c[0].text += c[1].value
        return c[0]

    def text_string(self, c: list[Any]) -> TextObj:
        return TextObj(c[0].value, "string", c[0].pos)

    def text_markdown(self, c: list[Any]) -> TextObj:
        return TextObj(c[0].value, "markdown", c[0].pos)

    def title_string(self, c: list[Any]) -> TextObj:
        return TextObj(c[0].value, "text", c[0].pos)

    def id_first(self, c: list[Any]) -> Tok:
        return c[0]

    def id_more(self, c: list[Any]) -> Tok:
        return Tok("ID", c[0].value + c[1].value, c[0].pos)

    def str_first(self, c: list[Any]) -> str:
        return c[0].value

    def str_more(self, c: list[Any]) -> str:
        return c[0] + c[1].value

    def list_first(self, c: list[Any]) -> list[Any]:
        item = c[0]
        return [item.value if isinstance(item, Tok) else item]

    def list_more(self, c: list[Any]) -> list[Any]:
        item = c[2]
        c[0].append(item.value if isinstance(item, Tok) else item)
        return c[0]

    # -- style / class / click / linkStyle ----------------------------------------------

    def style_statement(self, c: list[Any]) -> list[Any]:
        tok = c[2]
        self.db.add_vertex(tok.value, tok.pos, styles=c[4])
        return []

    def class_def_statement(self, c: list[Any]) -> list[Any]:
        self.db.add_class(c[2].value, c[4], c[2].pos)
        return []

    def class_statement(self, c: list[Any]) -> list[Any]:
        self.db.set_class(c[2].value, c[4].value)
        return []

    def click_call(self, c: list[Any]) -> None:
        self.db.set_click_event(c[0].value)

    click_call_args = click_call

    def click_call_tip(self, c: list[Any]) -> None:
        self.db.set_click_event(c[0].value)
        self.db.set_tooltip(c[0].value, c[3].value)

    def click_call_args_tip(self, c: list[Any]) -> None:
        self.db.set_click_event(c[0].value)
        self.db.set_tooltip(c[0].value, c[4].value)

    def click_href(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[2].value)

    def click_href_tip(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[2].value)
        self.db.set_tooltip(c[0].value, c[4].value)

    def click_href_target(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[2].value, c[4].value)

    def click_href_tip_target(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[2].value, c[6].value)
        self.db.set_tooltip(c[0].value, c[4].value)

    def click_link(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[1].value)

    def click_link_tip(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[1].value)
        self.db.set_tooltip(c[0].value, c[3].value)

    def click_link_target(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[1].value, c[3].value)

    def click_link_tip_target(self, c: list[Any]) -> None:
        self.db.set_link(c[0].value, c[1].value, c[5].value)
        self.db.set_tooltip(c[0].value, c[3].value)

    def _positions(self, tok_or_list: Any) -> list[Any]:
        return ["default"] if isinstance(tok_or_list, Tok) else tok_or_list

    def link_style(self, c: list[Any]) -> None:
        self.db.update_link(self._positions(c[2]), c[4], c[0].pos, len("linkStyle"))

    def link_style_curve(self, c: list[Any]) -> None:
        positions = self._positions(c[2])
        self.db.update_link_interpolate(positions, c[6], c[0].pos, len("linkStyle"))
        if len(c) == 9:
            self.db.update_link(positions, c[8], c[0].pos, len("linkStyle"))


def _title_end(title: TextObj) -> int:
    return title.pos + len(title.text.rstrip())
