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


def _tree(nodes: dict[str, FlowNode], root: FlowSubgraph, subgraphs: dict[str, FlowSubgraph],
          depth: int) -> list[str]:
    """The outline of ``root`` and everything inside it, depth first. A stack of member
    iterators rather than recursion: nesting is the user's to choose, the recursion limit
    is not."""
    lines = [_subgraph(root, depth)]
    stack = [(root, depth, iter(root.members))]
    while stack:
        sg, level, members = stack[-1]
        for member in members:
            child = subgraphs.get(member)
            if child is not None and child.parent == sg.id:
                lines.append(_subgraph(child, level + 1))
                stack.append((child, level + 1, iter(child.members)))
                break
            if member in nodes:
                lines.append(f"{'  ' * level}  {_node(nodes[member])}")
        else:
            stack.pop()
    return lines


def _subgraph(sg: FlowSubgraph, depth: int) -> str:
    return f"{'  ' * depth}subgraph {sg.id} {sg.title!r}" + (f" dir={sg.dir}" if sg.dir else "")


def _node(node: FlowNode) -> str:
    shape = node.shape or "default"
    classes = f" :::{','.join(node.classes)}" if node.classes else ""
    return f"{node.id} [{shape}] {node.label!r}{classes}"
