"""The picture of a change: a Mermaid flowchart of the changed components and their neighbours.

A reviewer sees what the pull request touches before reading a line of it. Every element is
marked twice, by class (colour, border) and by text (`+ added`, `− removed`, `~ changed`), so
the picture reads the same to a colour-blind reader and as plain text; a legend in the
picture says which is which. Flows are marked by their line as well (thick: added or changed,
dotted: removed), since GitHub's Mermaid does not give every edge a class.

Ids in the picture are generated (`n0`, `z0`): a component id is hostile text, so it only
ever appears inside a quoted label, through `archc.markup.mermaid_text`. The picture is
capped at MAX_NODES boxes, changed ones first, and says what it left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from archc import markup
from archc.aws.names import component_ids
from archc.diff.change import Change
from archc.diff.side import Side
from archc.model import Flow
from archc.terminal import clip

MAX_NODES = 30  # boxes in the picture: more is not a picture a reviewer can read
MAX_EDGES = 60  # arrows, changed ones first
LABEL_WIDTH = 60  # characters of a title or label (a label may be any length)
STATUS = {"added": "added", "removed": "removed", "modified": "changed"}
MARKS = {"added": "+ added", "removed": "− removed", "changed": "~ changed",
         "unchanged": "unchanged neighbour"}
NODE_STYLES = {  # class -> style, GitHub's light and dark themes both read them
    "added": "fill:#dafbe1,stroke:#1a7f37,stroke-width:3px,color:#0d1117",
    "removed": "fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 3,"
               "color:#0d1117",
    "changed": "fill:#fff8c5,stroke:#9a6700,stroke-width:3px,color:#0d1117",
    "unchanged": "fill:#f6f8fa,stroke:#8c959f,color:#0d1117",
}
ARROWS = {"added": "==>", "changed": "==>", "removed": "-.->", "unchanged": "-->"}
EDGE_STYLES = {"added": "stroke:#1a7f37,stroke-width:3px",
               "removed": "stroke:#cf222e,stroke-width:2px",
               "changed": "stroke:#9a6700,stroke-width:3px"}
INDENT = "    "


@dataclass(frozen=True, slots=True)
class Node:
    ref: str  # the component (or zone) id a flow names
    title: str
    status: str  # added | removed | changed | unchanged
    group: str  # the zones it sits in (`aws / vpc / pub`), "" at top level


@dataclass(frozen=True, slots=True)
class Edge:
    src: str  # Node.ref of the initiator
    dst: str  # Node.ref of the target
    label: str
    status: str


@dataclass(frozen=True, slots=True)
class Picture:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    nodes_left_out: int  # components past MAX_NODES
    edges_left_out: int  # flows to or from them


def picture_of(changes: tuple[Change, ...], base: Side, head: Side) -> Picture | None:
    """The changed components, the flows that changed, and each changed component's
    neighbours; None when no component or flow changed (a policy-only change)."""
    changed_edges = _changed_edges(changes, base, head)
    status = _component_status(changes, base, head, changed_edges)
    if not status and not changed_edges:
        return None
    refs = [*status]
    edges = dict(changed_edges)
    for key, edge in _neighbour_edges(status, base, head).items():
        edges.setdefault(key, edge)
    for edge in edges.values():
        refs += [r for r in (edge.src, edge.dst) if r not in refs]
    drawn = refs[:MAX_NODES]
    nodes = tuple(_node(ref, status.get(ref, "unchanged"), base, head) for ref in drawn)
    shown = tuple(e for e in edges.values() if e.src in drawn and e.dst in drawn)[:MAX_EDGES]
    return Picture(nodes, shown, len(refs) - len(drawn), len(edges) - len(shown))


def _flow(change: Change, base: Side, head: Side) -> Flow | None:
    return (base if change.kind == "removed" else head).flow_by_id(change.id)


def _changed_edges(changes: tuple[Change, ...], base: Side,
                   head: Side) -> dict[str, Edge]:
    """Flow id -> its edge, in change order (a flow with three modified aspects is one)."""
    edges: dict[str, Edge] = {}
    for change in changes:
        flow = _flow(change, base, head) if change.subject == "flow" else None
        if flow is not None and change.id not in edges:
            edges[change.id] = Edge(flow.initiator, flow.target, flow.label,
                                    STATUS[change.kind])
    return edges


def _component_status(changes: tuple[Change, ...], base: Side, head: Side,
                      changed_edges: dict[str, Edge]) -> dict[str, str]:
    """Component id -> added | removed | changed. A security-group rule that changed with no
    changed flow behind it (an admin range widened) changes the component it guards."""
    status: dict[str, str] = {}
    for change in changes:
        if change.subject == "component":
            status.setdefault(change.id, STATUS[change.kind])
    explained = {r for e in changed_edges.values() for r in (e.src, e.dst)}
    for change in changes:
        owner = _rule_owner(change, base, head) if change.subject == "sg_rule" else None
        if owner is not None and owner not in explained:
            status.setdefault(owner, "changed")
    return status


def _rule_owner(change: Change, base: Side, head: Side) -> str | None:
    """The component whose security group the rule belongs to (by the emitters' own names)."""
    side = base if change.kind == "removed" else head
    row = side.rules.get(change.id)
    if row is None:
        return None
    return next((cid for cid, sg in component_ids(side.arch).items()
                 if sg == row.security_group), None)


def _neighbour_edges(status: dict[str, str], base: Side, head: Side) -> dict[str, Edge]:
    """The unchanged flows of every changed component (the base's for a removed one)."""
    edges: dict[str, Edge] = {}
    for ref, state in status.items():
        side = base if state == "removed" else head
        for key, flow in side.flows.items():
            if ref in (flow.initiator, flow.target):
                edges.setdefault(side.flow_ids[key],
                                 Edge(flow.initiator, flow.target, flow.label, "unchanged"))
    return edges


def _node(ref: str, status: str, base: Side, head: Side) -> Node:
    side = base if status == "removed" or ref not in head.components else head
    comp = side.components.get(ref)
    if comp is not None:
        return Node(ref, comp.title, status, side.zone_chain(comp.zone))
    zone = next((z for z in side.arch.zones if z.id == ref), None)
    return Node(ref, zone.title if zone else ref, status, "")


# --------------------------------------------------------------------------- Mermaid
def mermaid(picture: Picture) -> str:
    """The flowchart text: zones as flat subgraphs, nodes, flows, the legend, the styles."""
    ids = {node.ref: f"n{n}" for n, node in enumerate(picture.nodes)}
    lines = ["flowchart LR"]
    groups: dict[str, list[Node]] = {}
    for node in picture.nodes:
        groups.setdefault(node.group, []).append(node)
    for n, (group, members) in enumerate(groups.items()):
        boxes = [f"{INDENT * (2 if group else 1)}{ids[m.ref]}[\"{_node_label(m)}\"]"
                 for m in members]
        if group:
            lines += [f'{INDENT}subgraph z{n} ["{_text(group, 3 * LABEL_WIDTH)}"]', *boxes,
                      f"{INDENT}end"]
        else:
            lines += boxes
    for edge in picture.edges:
        label = _edge_label(edge)
        arrow = f'{ARROWS[edge.status]}|"{label}"|' if label else ARROWS[edge.status]
        lines.append(f"{INDENT}{ids[edge.src]} {arrow} {ids[edge.dst]}")
    lines.append(f'{INDENT}subgraph legend ["Legend"]')
    lines += [f'{INDENT * 2}legend_{status}["{mark}"]' for status, mark in MARKS.items()]
    lines.append(f"{INDENT}end")
    lines += [f"{INDENT}classDef {name} {style}" for name, style in NODE_STYLES.items()]
    for status in NODE_STYLES:
        member_ids = [ids[n.ref] for n in picture.nodes if n.status == status]
        lines.append(f"{INDENT}class {','.join([*member_ids, f'legend_{status}'])} {status}")
    lines += [f"{INDENT}linkStyle {n} {EDGE_STYLES[e.status]}"
              for n, e in enumerate(picture.edges) if e.status in EDGE_STYLES]
    return "\n".join(lines) + "\n"


def _node_label(node: Node) -> str:
    title = _text(node.title)
    return title if node.status == "unchanged" else f"{MARKS[node.status]}<br/>{title}"


def _edge_label(edge: Edge) -> str:
    label = _text(edge.label)
    if edge.status == "unchanged":
        return label
    return f"{MARKS[edge.status]}: {label}" if label else MARKS[edge.status]


def _text(text: str, width: int = LABEL_WIDTH) -> str:
    # cut before escaping: an entity is never cut in half
    return markup.mermaid_text(clip(text, width))
