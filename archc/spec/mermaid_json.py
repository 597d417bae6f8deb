"""A :class:`Flowchart` as the Mermaid oracle's schema-1 JSON, byte for byte.

``to_oracle_json`` builds the object with the oracle's keys in the oracle's order
(``lib.mjs`` ``normalize``); ``dumps_oracle_json`` renders it like
``JSON.stringify(obj, null, 2) + "\\n"``: two-space indent, ``[]``/``{}`` for empty
containers, UTF-8 text (no ``\\u`` escapes), and numbers printed the JavaScript way
(``48``, not ``48.0``; NaN/Infinity as ``null``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from archc.spec.flowchart import Flowchart, FlowEdge, FlowNode, FlowSubgraph

SCHEMA_VERSION = 1


def to_oracle_json(fc: Flowchart) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "diagramType": fc.diagram_type,
        "direction": fc.direction,
        "nodes": [_node(n) for n in fc.nodes],
        "edges": [_edge(e) for e in fc.edges],
        "subgraphs": [_subgraph(s) for s in fc.subgraphs],
        "classDefs": [{"id": c.id, "styles": list(c.styles)} for c in fc.class_defs],
        "defaultEdgeStyle": list(fc.default_edge_style),
        "defaultEdgeCurve": fc.default_edge_curve,
        "accTitle": fc.acc_title,
        "accDescr": fc.acc_descr,
        "droppedSubgraphMembers": [
            {"node": d.node, "keptBy": d.kept_by, "droppedFrom": d.dropped_from}
            for d in fc.dropped_members
        ],
    }


def _data(pairs: tuple[tuple[str, Any], ...], typed: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return dict(typed) if typed else dict(pairs)


def _node(n: FlowNode) -> dict[str, Any]:
    return {
        "id": n.id,
        "label": n.label,
        "labelType": n.label_type,
        "shape": n.shape,
        "classes": list(n.classes),
        "styles": list(n.styles),
        "parent": n.parent,
        "link": n.link,
        "linkTarget": n.link_target,
        "tooltip": n.tooltip,
        "props": dict(n.props),
        "data": _data(n.data, n.data_json),
    }


def _edge(e: FlowEdge) -> dict[str, Any]:
    invalid = e.arrow == "INVALID"
    return {
        "id": e.id,
        "userId": e.user_id,
        "src": e.src,
        "dst": e.dst,
        "label": e.label,
        "labelType": e.label_type,
        "arrow": e.arrow,
        "stroke": e.stroke,
        "length": None if invalid else e.length,
        "classes": list(e.classes),
        "style": list(e.style),
        "curve": e.curve,
        "data": _data(e.data, e.data_json),
    }


def _as_node(n: FlowNode | None) -> dict[str, Any] | None:
    if n is None:
        return None
    return {"label": n.label, "labelType": n.label_type, "shape": n.shape,
            "classes": list(n.classes), "styles": list(n.styles)}


def _subgraph(s: FlowSubgraph) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "titleType": s.title_type,
        "parent": s.parent,
        "members": list(s.members),
        "nodes": list(s.nodes),
        "subgraphs": list(s.subgraphs),
        "dir": s.dir,
        "classes": list(s.classes),
        "data": _data(s.data, s.data_json),
        "asNode": _as_node(s.as_node),
    }


def _js_values(obj: Any) -> Any:
    """Floats as JSON.stringify prints them: integral ones without ".0", NaN/inf as null."""
    if isinstance(obj, float):
        if math.isnan(obj) or math.isinf(obj):
            return None
        if obj.is_integer() and abs(obj) < 1e21:
            return int(obj)
        return obj
    if isinstance(obj, dict):
        return {k: _js_values(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_js_values(v) for v in obj]
    return obj


def dumps_oracle_json(obj: Any) -> str:
    """``JSON.stringify(obj, null, 2) + "\\n"``."""
    return json.dumps(_js_values(obj), ensure_ascii=False, indent=2) + "\n"
