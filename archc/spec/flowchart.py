"""The Mermaid syntax model: what a flowchart says, with Mermaid's own semantics applied.

This is the front end's output and the linker's input. It mirrors what Mermaid's FlowDB
holds after parsing (ids, labels, shapes, arrows, subgraph membership by mention, the
``subGraphN`` ids Mermaid assigns), plus a source span on every element. It knows nothing
about clouds; ``archc.spec.link`` gives it architectural meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archc.source import Span


@dataclass(frozen=True, slots=True)
class FlowNode:
    id: str
    label: str
    label_type: str  # "text" | "string" | "markdown"
    shape: str | None
    classes: tuple[str, ...]
    styles: tuple[str, ...]
    parent: str | None
    span: Span = field(compare=False)  # first mention of the id
    label_span: Span | None = field(default=None, compare=False)  # where the label was given
    link: str | None = None
    link_target: str | None = None
    tooltip: str | None = None
    props: tuple[tuple[str, str], ...] = ()
    data: tuple[tuple[str, str], ...] = ()
    # `data` with YAML's types kept (48 stays a number), for exact JSON output
    data_json: tuple[tuple[str, object], ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class FlowEdge:
    id: str
    user_id: bool
    src: str
    dst: str
    label: str
    label_type: str
    arrow: str  # arrow_point | arrow_open | arrow_cross | arrow_circle | double_arrow_* | INVALID
    stroke: str  # normal | thick | dotted | invisible | INVALID
    length: int | None
    span: Span = field(compare=False)  # the link token
    classes: tuple[str, ...] = ()
    style: tuple[str, ...] = ()
    curve: str | None = None
    data: tuple[tuple[str, str], ...] = ()
    data_json: tuple[tuple[str, object], ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class FlowSubgraph:
    id: str
    title: str
    title_type: str
    parent: str | None
    members: tuple[str, ...]
    nodes: tuple[str, ...]
    subgraphs: tuple[str, ...]
    dir: str | None
    span: Span = field(compare=False)  # the `subgraph` line
    classes: tuple[str, ...] = ()
    data: tuple[tuple[str, str], ...] = ()
    data_json: tuple[tuple[str, object], ...] = field(default=(), compare=False)
    # The FlowDB vertex with the subgraph's id (from an edge endpoint, `style`, `id:::c`...):
    # mermaid applies its classes/styles to the cluster and ignores its label and shape.
    as_node: FlowNode | None = None


@dataclass(frozen=True, slots=True)
class ClassDef:
    id: str
    styles: tuple[str, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class DroppedMember:
    node: str
    kept_by: str
    dropped_from: str


@dataclass(frozen=True, slots=True)
class Flowchart:
    """One parsed flowchart. Orders follow Mermaid (see the oracle README)."""

    file: str
    diagram_type: str  # "flowchart-v2" | "flowchart-elk"
    direction: str  # TB | BT | LR | RL
    nodes: tuple[FlowNode, ...]  # order of first mention
    edges: tuple[FlowEdge, ...]  # source order, `&` expanded
    subgraphs: tuple[FlowSubgraph, ...]  # order of each subgraph's `end`
    class_defs: tuple[ClassDef, ...]
    acc_title: str = ""
    acc_descr: str = ""
    dropped_members: tuple[DroppedMember, ...] = ()
    default_edge_style: tuple[str, ...] = ()
    default_edge_curve: str | None = None
    # lines of the original file before the flowchart text (e.g. above a .md fence's
    # body): the `line_offset` given to parse_flowchart, already added to every span
    line_offset: int = 0
    title: str | None = None  # front matter `title:` (mermaid draws it; not in the oracle JSON)

    def node(self, node_id: str) -> FlowNode | None:
        """One node by id (a scan: callers that look up many build a dict once)."""
        return next((n for n in self.nodes if n.id == node_id), None)
