"""`archc parse` in text form: what archc understood, as an indented outline."""

from __future__ import annotations

from archc.spec.flowchart import Flowchart, FlowNode, FlowSubgraph


def describe_flowchart(chart: Flowchart) -> str:
    lines = [f"{chart.diagram_type} {chart.direction}: {len(chart.nodes)} nodes, "
             f"{len(chart.edges)} edges, {len(chart.subgraphs)} subgraphs"]
    subgraphs = {s.id: s for s in chart.subgraphs}
    nodes = {n.id: n for n in chart.nodes}
    for sg in chart.subgraphs:
        if sg.parent is None:
            lines += _tree(nodes, sg, subgraphs, 1)
    for node in chart.nodes:
        if node.parent is None:
            lines.append(f"  {_node(node)}")
    for edge in chart.edges:
        label = f" {edge.label!r}" if edge.label else ""
        lines.append(f"  {edge.id}: {edge.src} {edge.arrow}/{edge.stroke} {edge.dst}{label}")
    return "\n".join(lines) + "\n"


def _tree(nodes: dict[str, FlowNode], sg: FlowSubgraph, subgraphs: dict[str, FlowSubgraph],
          depth: int) -> list[str]:
    pad = "  " * depth
    lines = [f"{pad}subgraph {sg.id} {sg.title!r}" + (f" dir={sg.dir}" if sg.dir else "")]
    for member in sg.members:
        if member in subgraphs and subgraphs[member].parent == sg.id:
            lines += _tree(nodes, subgraphs[member], subgraphs, depth + 1)
        elif member in nodes:
            lines.append(f"{pad}  {_node(nodes[member])}")
    return lines


def _node(node: FlowNode) -> str:
    shape = node.shape or "default"
    classes = f" :::{','.join(node.classes)}" if node.classes else ""
    return f"{node.id} [{shape}] {node.label!r}{classes}"
