"""`archc parse` in text form: what archc understood, as an indented outline."""

from __future__ import annotations

from archc.spec.flowchart import Flowchart, FlowSubgraph


def describe_flowchart(chart: Flowchart) -> str:
    lines = [f"{chart.diagram_type} {chart.direction}: {len(chart.nodes)} nodes, "
             f"{len(chart.edges)} edges, {len(chart.subgraphs)} subgraphs"]
    subgraphs = {s.id: s for s in chart.subgraphs}
    for sg in chart.subgraphs:
        if sg.parent is None:
            lines += _tree(chart, sg, subgraphs, 1)
    for node in chart.nodes:
        if node.parent is None:
            lines.append(f"  {_node(chart, node.id)}")
    for edge in chart.edges:
        label = f" {edge.label!r}" if edge.label else ""
        lines.append(f"  {edge.id}: {edge.src} {edge.arrow}/{edge.stroke} {edge.dst}{label}")
    return "\n".join(lines) + "\n"


def _tree(chart: Flowchart, sg: FlowSubgraph, subgraphs: dict[str, FlowSubgraph],
          depth: int) -> list[str]:
    pad = "  " * depth
    lines = [f"{pad}subgraph {sg.id} {sg.title!r}" + (f" dir={sg.dir}" if sg.dir else "")]
    for member in sg.members:
        if member in subgraphs and subgraphs[member].parent == sg.id:
            lines += _tree(chart, subgraphs[member], subgraphs, depth + 1)
        elif chart.node(member) is not None:
            lines.append(f"{pad}  {_node(chart, member)}")
    return lines


def _node(chart: Flowchart, node_id: str) -> str:
    node = chart.node(node_id)
    assert node is not None
    shape = node.shape or "default"
    classes = f" :::{','.join(node.classes)}" if node.classes else ""
    return f"{node.id} [{shape}] {node.label!r}{classes}"
