"""FlowDB contents -> the frozen :class:`Flowchart` model, the way the oracle reads them.

Orders and derived fields follow ``lib.mjs`` of the oracle: vertices whose id is also a
subgraph id are not nodes (they become the subgraph's ``as_node``); a member's parent is
the subgraph whose member list holds it; entity placeholders go back to their source
form (``#quot;``) in labels, styles, tooltips and titles.
"""

from __future__ import annotations

import json
import math
from typing import Any

from archc.spec.flowchart import (
    ClassDef,
    DroppedMember,
    Flowchart,
    FlowEdge,
    FlowNode,
    FlowSubgraph,
)
from archc.spec.mermaid.db import Edge, FlowDB, SubGraph, Vertex
from archc.spec.mermaid.preprocess import Prepared, undo_entities

_NODE_EXTRA_KEYS = ("icon", "form", "pos", "img", "constraint", "assetWidth", "assetHeight")


def js_string(value: Any) -> str:
    """JavaScript ``String(value)`` for JSON-like values (what a template would print)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number_text(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def js_number_text(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _pairs(mapping: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    if not mapping:
        return ()
    return tuple((k, js_string(v)) for k, v in mapping.items())


def _texts(items: list[str] | None) -> tuple[str, ...]:
    if not items:
        return ()
    return tuple(map(undo_entities, items))


def build_flowchart(db: FlowDB, prepared: Prepared, locator: Any, line_offset: int) -> Flowchart:
    sg_ids = {sg.id for sg in db.subgraphs}
    parent = {member: sg.id for member, sg in db.owner.items()}
    nodes = tuple(_node(v, db, parent, locator) for v in db.vertices.values()
                  if v.id not in sg_ids)
    edges = tuple(_edge(e, locator) for e in db.edges)
    subgraphs = tuple(_subgraph(sg, db, sg_ids, parent, locator) for sg in db.subgraphs)
    class_defs = tuple(ClassDef(cid, tuple(undo_entities(s) for s in styles), locator.span(pos))
                       for cid, (styles, pos) in db.classes.items())
    dropped = tuple(DroppedMember(n, kept, frm) for n, kept, frm in db.dropped)
    return Flowchart(
        file=locator.file, diagram_type=prepared.diagram_type or "flowchart-v2",
        direction=db.direction or "TB", nodes=nodes, edges=edges, subgraphs=subgraphs,
        class_defs=class_defs, acc_title=db.acc_title, acc_descr=db.acc_descr,
        dropped_members=dropped,
        default_edge_style=tuple(undo_entities(s) for s in db.default_style or ()),
        default_edge_curve=db.default_interpolate, line_offset=line_offset,
        title=prepared.title,
    )


def _node(v: Vertex, db: FlowDB, parent: dict[str, str], locator: Any) -> FlowNode:
    extra = v.extra
    if extra:
        extra = {k: extra[k] for k in _NODE_EXTRA_KEYS if k in extra}
    tooltip = db.tooltips.get(v.id) if db.tooltips else None
    label = v.text if v.text is not None else v.id
    return FlowNode(
        v.id, undo_entities(label if isinstance(label, str) else js_string(label)),
        v.label_type, v.type, tuple(v.classes), _texts(v.styles), parent.get(v.id),
        locator.span(v.pos, len(v.id)),
        locator.span(v.label_pos) if v.label_pos is not None else None,
        v.link, v.link_target, undo_entities(tooltip) if tooltip is not None else None,
        _pairs(v.props), _pairs(extra), tuple(extra.items()) if extra else (),
    )


def _edge(e: Edge, locator: Any) -> FlowEdge:
    data = e.data
    return FlowEdge(
        e.id, e.user_id, e.start, e.end, undo_entities(e.text), e.label_type,
        e.type or "arrow_open", e.stroke or "normal", e.length,
        locator.span(e.pos, max(e.end_pos - e.pos, 1)), tuple(e.classes), _texts(e.style),
        e.interpolate, _pairs(data), tuple(data.items()) if data else (),
    )


def _subgraph(sg: SubGraph, db: FlowDB, sg_ids: set[str], parent: dict[str, str],
              locator: Any) -> FlowSubgraph:
    vertex = db.vertices.get(sg.id)
    as_node = _node(vertex, db, {}, locator) if vertex is not None else None
    return FlowSubgraph(
        id=sg.id, title=undo_entities(sg.title), title_type=sg.label_type,
        parent=parent.get(sg.id), members=tuple(sg.nodes),
        nodes=tuple(n for n in sg.nodes if n not in sg_ids),
        subgraphs=tuple(n for n in sg.nodes if n in sg_ids), dir=sg.dir,
        span=locator.span(sg.pos, max(sg.end - sg.pos, 1)), classes=tuple(sg.classes),
        data=_pairs(sg.metadata), data_json=tuple(sg.metadata.items()), as_node=as_node,
    )
