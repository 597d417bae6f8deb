"""A :class:`Flowchart` as the Mermaid oracle's schema-1 JSON, byte for byte.

``to_oracle_json`` builds the object with the oracle's keys in the oracle's order
(``lib.mjs`` ``normalize``); ``dumps_oracle_json`` renders it like
``JSON.stringify(obj, null, 2) + "\\n"``: two-space indent, ``[]``/``{}`` for empty
containers, UTF-8 text (no ``\\u`` escapes), and numbers printed the JavaScript way
(``48``, not ``48.0``; NaN/Infinity as ``null``). The encoder is written out because
``json.dumps(indent=2)`` runs in pure Python and was slower than parsing the diagram.
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring as _encode_str  # C: escapes like JSON.stringify
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


def _js_number(value: float | int) -> str:
    """A number as JSON.stringify prints it (integral floats without ".0", ``1e-7``,
    NaN and infinities as ``null``)."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return "null"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{int(exponent.lstrip('+-'))}"
    return text


def _encode(obj: Any, indent: str, out: list[str]) -> None:
    """Append ``obj`` formatted like ``JSON.stringify(obj, null, 2)`` at ``indent``."""
    if isinstance(obj, str):
        out.append(_encode_str(obj))
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, (int, float)):
        out.append(_js_number(obj))
    elif isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{")
        sep = "\n"
        for key, value in obj.items():
            out.append(f"{sep}{inner}{_encode_str(str(key))}: ")
            _encode(value, inner, out)
            sep = ",\n"
        out.append(f"\n{indent}}}")
    elif isinstance(obj, (list, tuple)):
        if not obj:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[")
        sep = "\n"
        for value in obj:
            out.append(sep + inner)
            _encode(value, inner, out)
            sep = ",\n"
        out.append(f"\n{indent}]")
    else:
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def dumps_oracle_json(obj: Any) -> str:
    """``JSON.stringify(obj, null, 2) + "\\n"`` (the oracle's ``--out-dir`` bytes)."""
    out: list[str] = []
    _encode(obj, "", out)
    out.append("\n")
    return "".join(out)
