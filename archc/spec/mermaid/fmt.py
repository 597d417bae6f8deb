"""`archc fmt`: print a parsed flowchart as canonical Mermaid.

Two layouts, one contract: the printed text parses to exactly the same flowchart (same oracle
JSON), and printing it again gives the same text. The *nested* layout is what people want to
read (nodes declared inside their subgraphs, edges after). Mermaid's membership-by-mention and
first-mention ordering cannot always be expressed that way, so the nested text is checked by
parsing it back, and the *flat* layout (all nodes first, then each subgraph listing its
members, which reproduces Mermaid's bookkeeping exactly) is used when it does not round-trip.
"""

from __future__ import annotations

import re

from archc.spec.flowchart import Flowchart, FlowEdge, FlowNode, FlowSubgraph

INDENT = "    "

# FlowDB vertex type -> (open, close) brackets of the classic node syntax.
SHAPE_BRACKETS: dict[str, tuple[str, str]] = {
    "square": ("[", "]"), "round": ("(", ")"), "stadium": ("([", "])"),
    "subroutine": ("[[", "]]"), "cylinder": ("[(", ")]"), "circle": ("((", "))"),
    "doublecircle": ("(((", ")))"), "odd": (">", "]"), "diamond": ("{", "}"),
    "hexagon": ("{{", "}}"), "lean_right": ("[/", "/]"), "lean_left": ("[\\", "\\]"),
    "trapezoid": ("[/", "\\]"), "inv_trapezoid": ("[\\", "/]"), "ellipse": ("(-", "-)"),
    "rect": ("[", "]"),
}

# (arrow, stroke) -> (left head, body char, right head); length repeats the body.
_LINKS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("arrow_point", "normal"): ("", "-", ">"),
    ("arrow_open", "normal"): ("", "-", "-"),
    ("arrow_cross", "normal"): ("", "-", "x"),
    ("arrow_circle", "normal"): ("", "-", "o"),
    ("double_arrow_point", "normal"): ("<", "-", ">"),
    ("double_arrow_cross", "normal"): ("x", "-", "x"),
    ("double_arrow_circle", "normal"): ("o", "-", "o"),
    ("arrow_point", "thick"): ("", "=", ">"),
    ("arrow_open", "thick"): ("", "=", "="),
    ("arrow_cross", "thick"): ("", "=", "x"),
    ("arrow_circle", "thick"): ("", "=", "o"),
    ("double_arrow_point", "thick"): ("<", "=", ">"),
    ("double_arrow_cross", "thick"): ("x", "=", "x"),
    ("double_arrow_circle", "thick"): ("o", "=", "o"),
    ("arrow_point", "dotted"): ("", ".", ">"),
    ("arrow_open", "dotted"): ("", ".", "-"),
    ("arrow_cross", "dotted"): ("", ".", "x"),
    ("arrow_circle", "dotted"): ("", ".", "o"),
    ("double_arrow_point", "dotted"): ("<", ".", ">"),
    ("double_arrow_cross", "dotted"): ("x", ".", "x"),
    ("double_arrow_circle", "dotted"): ("o", ".", "o"),
    ("arrow_open", "invisible"): ("", "~", "~"),
}


def format_flowchart(chart: Flowchart) -> str:
    """Canonical text for `chart`: nested when it round-trips, flat otherwise."""
    from archc.spec.mermaid import parse_flowchart
    from archc.spec.mermaid.oracle_json import to_oracle_json

    want = to_oracle_json(chart)
    for layout in ("compact", "nested", "hoisted"):
        text = _render(chart, layout)
        again, _ = parse_flowchart(text, chart.file)
        if again is not None and to_oracle_json(again) == want:
            return text
    return _render(chart, "flat")


def _render(chart: Flowchart, layout: str) -> str:
    """compact: nested, and bare top-level nodes left to the edges that mention them;
    hoisted: every node declared first, in Mermaid's order, then nested subgraphs that only
    mention their members (for node and member orders no nesting of declarations gives)."""
    lines = [_header(chart)]
    lines += _accessibility(chart)
    body = _Body(chart)
    if layout == "flat":
        lines += body.flat()
    elif layout == "hoisted":
        lines += body.hoisted()
    else:
        lines += body.nested(layout == "compact")
    lines += [INDENT + _edge(e) for e in chart.edges]
    lines += _edge_data(chart)
    lines += _styling(chart)
    return "\n".join(lines) + "\n"


def _header(chart: Flowchart) -> str:
    keyword = "flowchart-elk" if chart.diagram_type == "flowchart-elk" else "flowchart"
    return f"{keyword} {chart.direction}"


def _accessibility(chart: Flowchart) -> list[str]:
    lines = []
    inside = {m for s in chart.subgraphs for m in s.members}
    if chart.acc_title and chart.acc_title not in inside:
        lines.append(f"{INDENT}accTitle: {chart.acc_title}")
    if "\n" in chart.acc_descr:
        lines.append(INDENT + "accDescr {")
        lines += [INDENT * 2 + line for line in chart.acc_descr.split("\n")]
        lines.append(INDENT + "}")
    elif chart.acc_descr:
        lines.append(f"{INDENT}accDescr: {chart.acc_descr}")
    return lines


# -- layouts -----------------------------------------------------------------------------


class _Body:
    """The statements that declare nodes and subgraphs, in one of the layouts."""

    def __init__(self, chart: Flowchart):
        self.chart = chart
        self.nodes = {n.id: n for n in chart.nodes}
        self.subgraphs = {s.id: s for s in chart.subgraphs}
        self.acc_inside = {m for s in chart.subgraphs for m in s.members
                           if m not in self.nodes and m not in self.subgraphs}
        self.dropped: dict[str, list[str]] = {}  # subgraph id -> members it lost, in order
        for m in chart.dropped_members:
            self.dropped.setdefault(m.dropped_from, []).append(m.node)

    def hoisted(self) -> list[str]:
        lines = [INDENT + _node_decl(n) for n in self.chart.nodes]
        roots = sorted((s.span.sort_key(), s.id) for s in self.chart.subgraphs if s.parent is None)
        for _, root in roots:
            lines += self.block(self.subgraphs[root], 1, declare=False)
        return lines + self.subgraph_vertices()

    def nested(self, compact: bool) -> list[str]:
        top = [(n.span.sort_key(), n.id) for n in self.chart.nodes
               if n.parent is None and not (compact and _node_decl(n) == n.id)]
        top += [(s.span.sort_key(), s.id) for s in self.chart.subgraphs if s.parent is None]
        lines: list[str] = []
        for _, item in sorted(top):
            if item in self.subgraphs:
                lines += self.block(self.subgraphs[item], 1)
            else:
                lines.append(INDENT + _node_decl(self.nodes[item]))
        return lines + self.subgraph_vertices()

    def block(self, sg: FlowSubgraph, depth: int, declare: bool = True) -> list[str]:
        pad = INDENT * depth
        lines = [pad + _subgraph_open(sg)]
        if sg.dir:
            lines.append(pad + INDENT + f"direction {sg.dir}")
        for member in sg.members:
            child = self.subgraphs.get(member)
            if child is not None and child.parent == sg.id:
                lines += self.block(child, depth + 1, declare)
            elif member in self.nodes:
                node = self.nodes[member]
                lines.append(pad + INDENT + (_node_decl(node) if declare else node.id))
            else:
                lines.append(pad + INDENT + _phantom(member))
        lines += [pad + INDENT + node for node in self.dropped.get(sg.id, ())]
        lines.append(pad + "end")
        return lines

    def flat(self) -> list[str]:
        lines = [INDENT + _node_decl(n) for n in self.chart.nodes]
        for sg in self.chart.subgraphs:
            lines.append(INDENT + _subgraph_open(sg))
            if sg.dir:
                lines.append(INDENT * 2 + f"direction {sg.dir}")
            lines += [INDENT * 2 + (m if m in self.nodes or m in self.subgraphs
                                    else _phantom(m)) for m in sg.members]
            lines.append(INDENT + "end")
        return lines + self.subgraph_vertices()

    def subgraph_vertices(self) -> list[str]:
        """A subgraph id used as a node keeps what Mermaid records for it (`asNode`), and
        `sg@{ ... }` metadata belongs to the subgraph."""
        lines = []
        for sg in self.chart.subgraphs:
            node = sg.as_node
            if sg.data:
                fields = ", ".join(f"{k}: {v}" for k, v in sg.data)
                lines.append(f"{INDENT}{sg.id}@{{ {fields} }}")
            elif node is not None and (node.label != sg.id or node.shape is not None):
                lines.append(INDENT + _node_decl(node))
            if node is not None and node.styles:
                lines.append(f"{INDENT}style {sg.id} {_style_list(node.styles)}")
        return lines


def _phantom(member: str) -> str:
    """Mermaid also lists a stray `;` and an `accTitle` text written inside a subgraph as its
    members; writing the same statement there reproduces that bookkeeping."""
    return ";;" if member == ";" else f"accTitle: {member}"


# -- pieces -----------------------------------------------------------------------------


def _subgraph_open(sg: FlowSubgraph) -> str:
    if sg.title_type == "markdown":
        return f'subgraph {sg.id} ["`{sg.title}`"]'
    if sg.title == sg.id:
        return f"subgraph {sg.id}"
    if sg.id.startswith("subGraph") and any(ch.isspace() for ch in sg.title):
        return f'subgraph "{sg.title}"'
    if sg.title_type == "text":
        return f"subgraph {sg.id} [{sg.title}]"
    return f'subgraph {sg.id} ["{sg.title}"]'


def _node_decl(node: FlowNode) -> str:
    data = dict(node.data)
    label_only = node.shape is None and node.label != node.id  # `A@{ label: ... }`
    if node.shape is not None and node.shape not in SHAPE_BRACKETS or data or label_only:
        return _node_at(node, data)
    if node.shape is None and node.label == node.id:
        return node.id
    opening, closing = SHAPE_BRACKETS.get(node.shape or "square", ("[", "]"))
    props = "".join(f"|{k}:{v}|" for k, v in node.props)
    return f"{node.id}{opening}{props}{_label_text(node.label, node.label_type)}{closing}"


def _node_at(node: FlowNode, data: dict[str, str]) -> str:
    """The v11 `A@{ shape: ..., label: ... }` form (labels there are always markdown)."""
    fields = []
    if node.shape is not None:
        fields.append(f"shape: {node.shape}")
    if node.label_type == "markdown" or node.label != node.id:
        fields.append(f'label: "{node.label}"')
    if node.label_type != "markdown" and node.label != node.id:
        fields.append(f'labelType: "{node.label_type}"')
    names = {"assetWidth": "w", "assetHeight": "h"}
    for key, value in data.items():
        text = value if _is_number(value) else f'"{value}"'
        fields.append(f"{names.get(key, key)}: {text}")
    return f"{node.id}@{{ {', '.join(fields)} }}"


def _is_number(value: str) -> bool:
    return value.replace(".", "", 1).isdigit()


def _label_text(label: str, label_type: str) -> str:
    if label_type == "markdown":
        return f'"`{label}`"'
    if label_type == "string":
        return f'"{label}"'
    return label


def _edge(edge: FlowEdge) -> str:
    user_id = f" {edge.id}@" if edge.user_id else " "
    if edge.arrow == "INVALID":
        # Only inline text with two different heads gives this; any such pair reads back alike.
        return f"{edge.src}{user_id}x-- {edge.label} --o {edge.dst}"
    link = _link(edge)
    if edge.label and edge.label_type == "text" and "|" in edge.label:
        return f"{edge.src}{user_id}{_inline_open(link)} {edge.label} {link} {edge.dst}"
    if edge.label:
        link += f"|{_label_text(edge.label, edge.label_type)}|"
    return f"{edge.src}{user_id}{link} {edge.dst}"


def _inline_open(link: str) -> str:
    """The opening half of `A -- text --> B` for a link (`--`, `-.`, `==`)."""
    return {"=": "==", ".": "-."}.get(link[1:2], "--") if link[:1] != "<" else "<--"


def _link(edge: FlowEdge) -> str:
    """The shortest link text Mermaid reads back as this arrow, stroke and length."""
    left, body, right = _LINKS.get((edge.arrow, edge.stroke), ("", "-", ">"))
    length = edge.length or 1
    if edge.stroke == "invisible":
        return "~" * (length + 2)
    if edge.stroke == "dotted":
        head = f"{left}-" if left else "-"
        tail = "-" if right == "-" else f"-{right}"
        return head + "." * length + tail
    if right == body:  # an open link: no head at all
        return body * (length + 2)
    return left + body * (length + 1) + right


def _edge_data(chart: Flowchart) -> list[str]:
    lines = []
    for edge in chart.edges:
        if edge.user_id and (edge.data or edge.curve):
            fields = [f"{k}: {v}" for k, v in edge.data]
            if edge.curve:
                fields.append(f"curve: {edge.curve}")
            lines.append(f"{INDENT}{edge.id}@{{ {', '.join(fields)} }}")
    return lines


def _styling(chart: Flowchart) -> list[str]:
    lines = [f"{INDENT}classDef {c.id} {_style_list(c.styles)}" for c in chart.class_defs]
    for node in chart.nodes:
        lines += [f"{INDENT}class {node.id} {cls}" for cls in node.classes
                  if cls != "clickable"]
    for sg in chart.subgraphs:
        lines += [f"{INDENT}class {sg.id} {cls}" for cls in sg.classes]
    for edge in chart.edges:
        lines += [f"{INDENT}class {edge.id} {cls}" for cls in edge.classes if edge.user_id]
    lines += [f"{INDENT}style {n.id} {_style_list(n.styles)}" for n in chart.nodes if n.styles]
    lines += _clicks(chart)
    lines += _link_styles(chart)
    return lines


def _style_list(styles: tuple[str, ...]) -> str:
    return ",".join(s.replace(",", "\\,") for s in styles)


def _clicks(chart: Flowchart) -> list[str]:
    lines = []
    for node in chart.nodes:
        if node.link is None and node.tooltip is None and "clickable" not in node.classes:
            continue
        parts = [f"click {node.id}"]
        if node.link is not None:
            parts.append(f'href "{node.link}"')
        else:
            # A callback name is not kept (Mermaid ignores callbacks at its default security
            # level); any name reads back as the same clickable node with its tooltip.
            parts.append("callback")
        if node.tooltip is not None:
            parts.append(f'"{node.tooltip}"')
        if node.link_target is not None:
            parts.append(node.link_target)
        lines.append(INDENT + " ".join(parts))
    return lines


def _link_styles(chart: Flowchart) -> list[str]:
    lines = []
    if chart.default_edge_curve:
        lines.append(f"{INDENT}linkStyle default interpolate {chart.default_edge_curve}")
    if chart.default_edge_style:
        lines.append(f"{INDENT}linkStyle default {_style_list(chart.default_edge_style)}")
    for index, edge in enumerate(chart.edges):
        if edge.curve and not edge.user_id:
            lines.append(f"{INDENT}linkStyle {index} interpolate {edge.curve}")
        if edge.style:
            lines.append(f"{INDENT}linkStyle {index} {_style_list(edge.style)}")
    return lines


def reformat_file_text(text: str, file: str, canonical: str) -> str:
    """The whole file with its flowchart replaced by `canonical` and the flowchart's comments
    and blank lines (`keep_comments`): a `.md` keeps everything around its ```mermaid fence;
    any other file is the flowchart itself."""
    from archc.spec.mermaid import extract_flowchart

    found = extract_flowchart(text, file)
    if not isinstance(found, tuple):
        return canonical
    body, offset = found
    canonical = keep_comments(body, canonical)
    if offset == 0:
        return canonical
    lines = text.splitlines(keepends=True)
    count = len(body.splitlines(keepends=True))
    return "".join(lines[:offset]) + canonical + "".join(lines[offset + count:])


# -- comments and blank lines -------------------------------------------------------------
#
# The canonical text is printed from the parsed chart, which has no comments: they are put
# back before the statement they preceded in the source (the first later statement that the
# canonical text still has), so a note stays next to what it describes.

_COMMENT_LINE = re.compile(r"[ \t]*%%")
_ARROW = re.compile(r"--|==|-\.|~~~|<-|&")
_FIRST_ID = re.compile(r"[ \t]*([^\s\[\](){}<>|\"'&;:,-]+)")
_SUBGRAPH = re.compile(r"[ \t]*subgraph[ \t]+\"?([^\"\[\n]*?)\"?[ \t]*(?:\[|$)")


def keep_comments(source: str, canonical: str) -> str:
    """`canonical` with the `%%` comment lines and blank lines of `source` put back before
    the statements they preceded; what precedes no kept statement goes at the end."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it is no blank line
    out = canonical.rstrip("\n").split("\n")
    position: dict[tuple[str, ...], int] = {}
    for i, key in enumerate(_statement_keys(out)):
        if key:
            position.setdefault(key, i)
    keys = _statement_keys(lines)
    before: dict[int, list[str]] = {}
    tail: list[str] = []
    pending: list[str] = []
    for i, line in enumerate(lines):
        if _COMMENT_LINE.match(line) or not line.strip():
            if line.strip() or (i > 0 and lines[i - 1].strip()):  # runs of blanks: one
                pending.append(line.strip())
            continue
        if pending:
            at = _first_kept(keys, i, position)
            (tail if at is None else before.setdefault(at, [])).extend(pending)
            pending = []
    tail += pending
    text: list[str] = []
    for i, line in enumerate(out):
        indent = line[:len(line) - len(line.lstrip())]
        for kept in before.get(i, ()):
            if kept or (text and text[-1]):  # never two blank lines in a row
                text.append(indent + kept if kept else "")
        text.append(line)
    text += [x for x in tail if x]
    return "\n".join(text) + "\n"


def _first_kept(keys: list[tuple[str, ...]], start: int,
                position: dict[tuple[str, ...], int]) -> int | None:
    """Where the canonical text has the first statement from `start` on (usually `start`'s)."""
    i = start
    while i < len(keys) and keys[i] not in position:
        i += 1
    return position[keys[i]] if i < len(keys) else None


def _statement_keys(lines: list[str]) -> list[tuple[str, ...]]:
    """What each statement line is about, the same in the source and the canonical text: a
    subgraph's name, a node's id, or an edge's source with how many edge lines from that
    source came before (the canonical text keeps the edges' order); () for the others."""
    edges_from: dict[str, int] = {}
    keys: list[tuple[str, ...]] = []
    for line in lines:
        if _COMMENT_LINE.match(line) or not line.strip():
            keys.append(())
            continue
        sub = _SUBGRAPH.match(line)
        first = _FIRST_ID.match(line)
        if sub:
            keys.append(("subgraph", sub.group(1).strip()))
        elif first is None or first.group(1) == "end":
            keys.append(())
        elif first.group(1) in ("flowchart", "graph", "flowchart-elk"):
            keys.append(("header",))
        elif not _ARROW.search(_unquoted(line)):
            keys.append(("node", first.group(1)))
        else:
            name = first.group(1)
            keys.append(("edge", name, str(edges_from.get(name, 0))))
            edges_from[name] = edges_from.get(name, 0) + 1
    return keys


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"|\|[^|]*\||\[[^\]]*\]|\([^)]*\)|\{[^}]*\}', "", line)
