"""Mermaid's ``FlowDB``: what the parser's semantic actions do, in the same order.

Each method mirrors the FlowDB method of the same name in mermaid 12.3.0 (``addVertex``,
``addLink``, ``addSubGraph``...), including the behaviour the oracle README lists as
quirks: subgraph membership by mention with ``makeUniq``, ``subGraph<k>`` ids, auto edge
ids ``L_<src>_<dst>_<k>`` that skip ``_1``, a vertex mention that hits an edge id
updating the edge instead, ``linkStyle`` sharing one style list between edges.

Mermaid's linear scans (``edges.find``/``filter`` per statement, ``exists`` over every
subgraph) are replaced by dictionaries with the same answers, so building is linear.
Where mermaid throws, an error is recorded and the statement is skipped, so one run can
report several problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archc.spec.mermaid.db_shapes import VALID_SHAPES
from archc.spec.mermaid.db_url import format_url
from archc.spec.mermaid.db_yaml import YamlError
from archc.spec.mermaid.db_yaml import load as load_yaml
from archc.spec.mermaid.lex_rules import JS_WS_RE
from archc.spec.mermaid.preprocess import JS_WS_CHARS, js_trim

_INTERNAL_KEYS = ("laneRole", "laneIndex", "drawnExtent")
UNDEFINED: Any = object()  # JavaScript's `undefined`, where it differs from null
_HANDLED: Any = object()


@dataclass(slots=True)
class TextObj:
    """jison's ``{text, type}`` label value, plus where it starts."""

    text: str
    type: str
    pos: int


@dataclass(slots=True)
class LinkInfo:
    type: str
    stroke: str
    length: int | None
    pos: int
    end: int
    text: TextObj | None = None
    id: str | None = None


@dataclass(slots=True)
class DirItem:
    value: str


# Levels of nested subgraphs archc reads (ARC122); a real architecture uses under ten, and
# the emitters walk zones recursively (Python stops at 1,000 frames).
MAX_NESTING = 250
# Nodes and edges archc reads (ARC123). Every stage is linear, but at roughly 0.1 ms an edge
# from parse to report a hostile diagram of 200,000 would take longer than a CI step should.
MAX_ITEMS = 100_000


@dataclass(slots=True)
class Problem:
    """A semantic error: where mermaid's FlowDB would throw. ``word``: a name to point
    at if it occurs shortly after ``pos`` (e.g. the bad shape in ``@{ shape: x }``)."""

    code: str
    message: str
    pos: int
    length: int
    hint: str | None = None
    word: str | None = None


@dataclass(slots=True)
class Vertex:
    id: str
    pos: int
    text: Any = None
    label_type: str = "text"
    label_pos: int | None = None
    type: str | None = None
    styles: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    props: dict[str, Any] | None = None
    link: str | None = None
    link_target: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # icon, form, pos, img, ...


@dataclass(slots=True)
class Edge:
    start: str
    end: str
    pos: int
    end_pos: int
    id: str = ""
    user_id: bool = False
    type: str | None = None
    stroke: str | None = None
    length: int | None = None
    text: str = ""
    label_type: str = "text"
    classes: list[str] = field(default_factory=list)
    style: list[str] | None = None
    interpolate: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SubGraph:
    id: str
    nodes: list[str]
    title: str
    label_type: str
    dir: str | None
    pos: int
    end: int
    classes: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def sanitize_label_type(label_type: Any) -> str:
    return label_type if label_type in ("markdown", "string", "text") else "markdown"


def js_truthy(value: Any) -> bool:
    if value is UNDEFINED or value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and value == value
    return True


def js_number(value: Any) -> float | int:
    """JavaScript ``Number(x)`` for the values YAML can produce."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = js_trim(value)
        if not text:
            return 0
        try:
            if text.lower().startswith(("0x", "0o", "0b")):
                number: float | int = int(text, 0)
            else:
                number = float(text)
        except ValueError:
            return float("nan")
        return int(number) if isinstance(number, float) and number.is_integer() else number
    return float("nan")


def _strip_quotes(text: str) -> str:
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text == '"':  # JS: '"'.startsWith and endsWith, substring(1, 0) is ""
        return ""
    return text


def _js_index(pos: str) -> int | None:
    """``edges[pos]`` with a string ``pos``: only canonical integers index the array."""
    try:
        idx = int(pos)
    except ValueError:
        return None
    return idx if str(idx) == pos else None


class FlowDB:
    """The flowchart under construction."""

    def __init__(self, inherit_dir: bool = False) -> None:
        self.inherit_dir = inherit_dir
        self.direction: str | None = None
        self.vertices: dict[str, Vertex] = {}
        self.edges: list[Edge] = []
        self.edge_by_id: dict[str, Edge] = {}
        self.pair_counts: dict[tuple[str, str], int] = {}
        self.classes: dict[str, tuple[list[str], int]] = {}
        self.subgraphs: list[SubGraph] = []
        self.sg_by_id: dict[str, SubGraph] = {}
        self.sg_lookup: dict[str, SubGraph] = {}
        self.owner: dict[str, SubGraph] = {}  # member id -> the subgraph listing it
        self.dropped: list[tuple[str, str, str]] = []
        self.tooltips: dict[str, str] = {}
        self.sub_count = 0
        self.default_style: list[str] | None = None
        self.default_interpolate: str | None = None
        self.acc_title = ""
        self.acc_descr = ""
        self.problems: list[Problem] = []
        self.levels: dict[str, int] = {}  # subgraph id -> levels of subgraphs it holds, +1

    # -- header and accessibility -------------------------------------------------------

    def set_direction(self, raw: str) -> None:
        d = js_trim(raw)
        if "<" in d:
            d = "RL"
        if "^" in d:
            d = "BT"
        if ">" in d:
            d = "LR"
        if "v" in d:
            d = "TB"
        self.direction = "TB" if d == "TD" else d

    def set_acc_title(self, text: str) -> None:
        self.acc_title = js_trim_start_ws(dompurify_text(text))

    def set_acc_descr(self, text: str) -> None:
        self.acc_descr = _NL_WS.sub("\n", dompurify_text(text))

    # -- vertices -----------------------------------------------------------------------

    def add_vertex(self, vid: str, pos: int, text: TextObj | None = None, shape: str | None = None,
                   styles: list[str] | None = None, props: dict[str, str] | None = None,
                   metadata: str | None = None, meta_pos: int = 0) -> None:
        if not vid or vid[0] in JS_WS_CHARS and not js_trim(vid):
            return
        doc = UNDEFINED
        if metadata is not None:
            doc = self._shape_data_for(vid, metadata, meta_pos)
            if doc is _HANDLED:
                return
        edge = self.edge_by_id.get(vid)
        if edge is not None:  # an id naming an edge configures the edge (`e1@{...}`)
            if isinstance(doc, dict):
                self._apply_edge_doc(edge, doc)
            return
        vertex = self.vertices.get(vid)
        if vertex is None:
            vertex = self.vertices[vid] = Vertex(vid, pos)
            self._check_count(self.vertices, "nodes", pos, len(vid))
        self._define(vertex, text, shape, styles, props)
        if doc is not UNDEFINED:
            self._apply_vertex_doc(vertex, doc, meta_pos)

    def _define(self, vertex: Vertex, text: TextObj | None, shape: str | None,
                styles: list[str] | None, props: dict[str, str] | None) -> None:
        if text is not None:
            vertex.label_type = text.type
            vertex.text = _strip_quotes(js_trim(text.text))
            vertex.label_pos = text.pos
        elif vertex.text is None:
            vertex.text = vertex.id
        if shape is not None:
            vertex.type = shape
        if styles:
            vertex.styles.extend(styles)
        if vertex.props is None:
            vertex.props = dict(props) if props else {}
        elif props:
            vertex.props.update(props)

    def _shape_data_for(self, vid: str, metadata: str, pos: int) -> Any:
        """The parsed ``@{...}`` for ``vid``, or _HANDLED when nothing more is to be done:
        invalid YAML (mermaid throws) or data for an already defined subgraph."""
        ok, doc = self._load_shape_data(metadata, pos)
        if not ok:
            return _HANDLED
        sg = self.sg_lookup.get(vid)
        if sg is not None and js_truthy(doc):
            if isinstance(doc, dict) and doc:
                sg.metadata.update(doc)
            return _HANDLED
        return doc

    def _load_shape_data(self, metadata: str, pos: int) -> tuple[bool, Any]:
        """Mermaid wraps one-line data in braces and parses it as YAML (JSON schema)."""
        yaml_text = "{\n" + metadata + "\n}" if "\n" not in metadata else metadata + "\n"
        try:
            present, doc = load_yaml(yaml_text)
        except YamlError as exc:
            self._problem("ARC113", f"invalid @{{...}} shape data: {exc}", pos, 2,
                          'write YAML key/value pairs, e.g. A@{ shape: rect, label: "API" }')
            return False, None
        if not present:
            return True, UNDEFINED
        if isinstance(doc, dict):
            for key in _INTERNAL_KEYS:
                doc.pop(key, None)
        return True, doc

    def _apply_edge_doc(self, edge: Edge, doc: dict[str, Any]) -> None:
        for key in ("animate", "animation"):
            if key in doc:
                edge.data[key] = doc[key]
        if "curve" in doc:
            edge.interpolate = doc["curve"]
        if "step" in doc:
            step = doc["step"]
            if isinstance(step, (int, float)) and not isinstance(step, bool) \
                    and float(step).is_integer() and step > 0:
                edge.data["step"] = step

    def _apply_vertex_doc(self, vertex: Vertex, doc: Any, pos: int) -> None:
        if doc is None:
            self._problem("ARC113", "@{...} shape data is null", pos, 2,
                          "give key/value pairs, e.g. A@{ shape: rect }")
            return
        if not isinstance(doc, dict):
            return
        shape = doc.get("shape")
        if js_truthy(shape):
            self._apply_shape(vertex, shape, pos)
        label = doc.get("label")
        if js_truthy(label):
            vertex.text = label
            vertex.label_type = sanitize_label_type(doc.get("labelType", UNDEFINED))
            vertex.label_pos = pos
        for key in ("icon", "form", "pos", "img", "constraint"):
            value = doc.get(key)
            if not js_truthy(value):
                continue
            vertex.extra[key] = value
            if key in ("icon", "img") and self._label_blank(label, pos) \
                    and vertex.text == vertex.id:
                vertex.text = ""  # an icon/image without a label shows no id
        if js_truthy(doc.get("w")):
            vertex.extra["assetWidth"] = js_number(doc["w"])
        if js_truthy(doc.get("h")):
            vertex.extra["assetHeight"] = js_number(doc["h"])

    def _label_blank(self, label: Any, pos: int) -> bool:
        """``!doc.label?.trim()``; a non-string label makes mermaid throw."""
        if label is None:
            return True
        if not isinstance(label, str):
            self._problem("ARC113", "@{...} label must be a string when icon/img is given", pos, 2)
            return False
        return not js_trim(label)

    def _apply_shape(self, vertex: Vertex, shape: Any, pos: int) -> None:
        if not isinstance(shape, str):
            self._problem("ARC111", f"@{{ shape }} must be a name, got {shape!r}", pos, 2,
                          "e.g. A@{ shape: rect }")
        elif shape != shape.lower() or "_" in shape:
            self._problem("ARC111", f"unknown shape '{shape}': shape names are lowercase, "
                          "without underscores", pos, 2, _shape_hint(shape), shape)
        elif shape not in VALID_SHAPES:
            self._problem("ARC111", f"unknown shape '{shape}'", pos, 2, _shape_hint(shape), shape)
        else:
            vertex.type = shape

    # -- edges --------------------------------------------------------------------------

    def add_link(self, starts: list[tuple[str, int]], ends: list[tuple[str, int]],
                 link: LinkInfo) -> None:
        lid = link.id.replace("@", "", 1) if link.id is not None else None
        last_start, first_end = starts[-1][0], ends[0][0]
        for start, _ in starts:
            for end, _ in ends:
                use_id = lid if (start == last_start and end == first_end) else None
                self._add_single_link(start, end, link, use_id)

    def _add_single_link(self, start: str, end: str, link: LinkInfo, lid: str | None) -> None:
        edge = Edge(start, end, link.pos, link.end, interpolate=self.default_interpolate)
        if link.text is not None:
            edge.text = _strip_quotes(js_trim(link.text.text))
            edge.label_type = sanitize_label_type(link.text.type)
        edge.type, edge.stroke = link.type, link.stroke
        edge.length = None if link.length is None else min(link.length, 10)
        key = (start, end)
        count = self.pair_counts.get(key, 0)
        self.pair_counts[key] = count + 1
        if lid and lid not in self.edge_by_id:
            edge.id, edge.user_id = lid, True
        else:
            edge.id = f"L_{start}_{end}_{0 if count == 0 else count + 1}"
        self.edges.append(edge)
        self.edge_by_id.setdefault(edge.id, edge)
        self._check_count(self.edges, "edges", link.pos, max(1, link.end - link.pos))

    def _check_count(self, items: list[Edge] | dict[str, Vertex], what: str, pos: int,
                     length: int) -> None:
        if len(items) == MAX_ITEMS + 1:  # reported once, at the first one too many
            self._problem("ARC123", f"the diagram has more than {MAX_ITEMS:,} {what}", pos,
                          length, f"archc reads at most {MAX_ITEMS:,} nodes and "
                          f"{MAX_ITEMS:,} edges per diagram; split the architecture")

    def update_link(self, positions: list[Any], style: list[str], pos: int, length: int) -> None:
        for position in positions:
            if position == "default":
                self.default_style = style
                continue
            edge = self._edge_at(position, pos, length)
            if edge is None:
                continue
            edge.style = style
            if style and not any(s.startswith("fill") for s in style):
                style.append("fill:none")

    def update_link_interpolate(self, positions: list[Any], curve: str, pos: int,
                                length: int) -> None:
        for position in positions:
            if position == "default":
                self.default_interpolate = curve
                continue
            edge = self._edge_at(position, pos, length)
            if edge is not None:
                edge.interpolate = curve

    def _edge_at(self, position: str, pos: int, length: int) -> Edge | None:
        idx = _js_index(position)
        if idx is not None and idx < len(self.edges):
            return self.edges[idx]
        count = len(self.edges)
        valid = f"0 to {count - 1}" if count else "none, no edge is defined before this line"
        if idx is None:
            message = f"linkStyle index {position} is not a plain number (no leading zeros)"
        else:
            plural = "edge is" if count == 1 else "edges are"
            message = (f"linkStyle index {position} is out of range: {count} {plural} defined "
                       "before this line")
        self._problem("ARC112", message, pos, length,
                      f"edges are numbered from 0 in the order they are written; valid: {valid}",
                      position)
        return None

    # -- classes, styles, clicks --------------------------------------------------------

    def add_class(self, ids: str, styles: list[str], pos: int) -> None:
        joined = ",".join(styles).replace("\\,", "§§§").replace(",", ";").replace("§§§", ",")
        parts = joined.split(";")
        for cid in ids.split(","):
            entry = self.classes.get(cid)
            if entry is None:
                entry = self.classes[cid] = ([], pos)
            entry[0].extend(parts)

    def set_class(self, ids: str, class_name: str) -> None:
        for item in ids.split(","):
            vertex = self.vertices.get(item)
            if vertex is not None:
                vertex.classes.append(class_name)
            edge = self.edge_by_id.get(item)
            if edge is not None:
                edge.classes.append(class_name)
            sg = self.sg_lookup.get(item)
            if sg is not None:
                sg.classes.append(class_name)

    def set_tooltip(self, ids: str, tooltip: str | None) -> None:
        if tooltip is None:
            return
        for item in ids.split(","):
            self.tooltips[item] = tooltip

    def set_link(self, ids: str, url: str, target: str | None = None) -> None:
        for item in ids.split(","):
            vertex = self.vertices.get(item)
            if vertex is not None:
                vertex.link = format_url(url)
                vertex.link_target = target
        self.set_class(ids, "clickable")

    def set_click_event(self, ids: str) -> None:
        # Callbacks only run with securityLevel "loose", which a diagram cannot select.
        self.set_class(ids, "clickable")

    # -- subgraphs ----------------------------------------------------------------------

    def add_subgraph(self, id_obj: TextObj | None, items: list[Any], title_obj: TextObj | None,
                     pos: int, end: int) -> str | None:
        if id_obj is None or title_obj is None:
            self._problem("ARC109", "`subgraph` needs an id or a title", pos, len("subgraph"),
                          "write `subgraph my_id [Title]` or `subgraph \"Title\"`")
            return None
        sid: str | None = js_trim(id_obj.text)
        if id_obj is title_obj and JS_WS_RE.search(title_obj.text):
            sid = None
        nodes, direction = _uniq(items)
        if direction is None and self.inherit_dir:
            direction = self.direction
        if sid is None:
            sid = f"subGraph{self.sub_count}"
        self.sub_count += 1
        title = js_trim(title_obj.text or "")
        new = SubGraph(sid, nodes, title, sanitize_label_type(title_obj.type), direction, pos, end)
        unique = [n for n in nodes if n not in self.owner]
        self._record_dropped(new, unique)
        new.nodes = [n for n in unique if n != sid]
        existing = self.sg_by_id.get(sid)
        target = existing if existing is not None else new
        if existing is not None:
            existing.nodes.extend(new.nodes)
        else:
            self.subgraphs.append(new)
            self.sg_by_id[sid] = new
        for node in new.nodes:
            self.owner[node] = target
        self.sg_lookup[sid] = target
        self._check_nesting(sid, new.nodes, pos)
        return sid

    def _check_nesting(self, sid: str, members: list[str], pos: int) -> None:
        """Refuse nesting deeper than MAX_NESTING (once): what reads the chart walks and
        indents by depth, so depth d costs d² (outlines, ancestor chains). Subgraphs close
        innermost first, so a subgraph's levels are known from its members'."""
        levels = self.levels
        level = 1 + max((levels.get(m, 0) for m in members), default=0)
        levels[sid] = max(level, levels.get(sid, 0))
        if level == MAX_NESTING + 1:
            self._problem("ARC122", f"subgraphs are nested more than {MAX_NESTING} levels deep",
                          pos, len("subgraph"), f"archc reads at most {MAX_NESTING} levels of "
                          "nested subgraphs; flatten the outer levels")

    def _record_dropped(self, new: SubGraph, unique: list[str]) -> None:
        kept = set(unique)
        listed = set(new.nodes)
        for node in new.nodes:
            if node in kept or node == new.id:
                continue
            owner = self.owner.get(node)
            if owner is not None and owner.id != new.id and not self._nested_in(owner.id, listed):
                self.dropped.append((node, owner.id, new.id))

    def _nested_in(self, sid: str, ancestor_nodes: set[str]) -> bool:
        visited: set[str] = set()
        current: str | None = sid
        while current is not None and current not in visited:
            if current in ancestor_nodes:
                return True
            visited.add(current)
            owner = self.owner.get(current)
            current = owner.id if owner is not None else None
        return False

    def _problem(self, code: str, message: str, pos: int, length: int,
                 hint: str | None = None, word: str | None = None) -> None:
        self.problems.append(Problem(code, message, pos, length, hint, word))


def _uniq(items: list[Any]) -> tuple[list[str], str | None]:
    """``addSubGraph``'s ``uniq(list.flat())``: members in order, and the last direction."""
    seen: set[str] = set()
    out: list[str] = []
    direction = None
    for item in items:
        for member in (item if isinstance(item, list) else (item,)):
            if isinstance(member, DirItem):
                direction = member.value
            elif member not in seen and js_trim(member):
                seen.add(member)
                out.append(member)
    return out, direction


def _shape_hint(shape: str) -> str:
    import difflib

    close = difflib.get_close_matches(str(shape).lower().replace("_", "-"), sorted(VALID_SHAPES),
                                      n=3, cutoff=0.6)
    if close:
        return "did you mean " + ", ".join(f"'{c}'" for c in close) + "?"
    return "common shapes: rect, rounded, stadium, cyl, circle, diamond, hex, doc, cloud"


# accTitle / accDescr go through mermaid's common sanitizer (DOMPurify), which the
# oracle's raw-label switch does not reach. DOMPurify returns a text without "<" as is;
# otherwise it parses HTML and serialises it back: text escaped, harmless tags kept,
# script-like elements dropped with their content. That is approximated here.
import re as _re  # noqa: E402

_NL_WS = _re.compile("\\n[\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
                     "\\u202f\\u205f\\u3000\\ufeff]+")
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template",
                      "title", "textarea", "select", "svg", "math"}
_VOID = {"br", "hr", "img", "wbr"}


def dompurify_text(text: str) -> str:
    if "<" not in text:
        return text
    from html import escape
    from html.parser import HTMLParser

    out: list[str] = []
    skip = [0]

    class _Purifier(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in _DROP_WITH_CONTENT:
                skip[0] += 1
            elif not skip[0]:
                kept = "".join(f' {k}="{escape(v or "", quote=True)}"' for k, v in attrs
                               if not k.startswith("on"))
                out.append(f"<{tag}{kept}>")

        def handle_endtag(self, tag: str) -> None:
            if tag in _DROP_WITH_CONTENT:
                skip[0] = max(skip[0] - 1, 0)
            elif not skip[0] and tag not in _VOID:
                out.append(f"</{tag}>")

        def handle_data(self, data: str) -> None:
            if not skip[0]:
                out.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                           .replace("\xa0", "&nbsp;"))

    parser = _Purifier(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    return "".join(out)


def js_trim_start_ws(text: str) -> str:
    i = 0
    while i < len(text) and JS_WS_RE.match(text, i):
        i += 1
    return text[i:]
