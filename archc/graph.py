"""The architecture as a networkx graph: containment and flows, for rules and diff.

Nodes are zone and component ids plus the virtual node INTERNET, which stands for everything
outside the architecture that can open a connection. Edges run from initiator to target.
"""

from __future__ import annotations

import networkx as nx

from archc.kinds import INTERNET_KINDS
from archc.model import Architecture, FlowClass

INTERNET = "(internet)"

# Flows that carry traffic a caller can follow into the architecture.
TRAFFIC_CLASSES = frozenset({FlowClass.NETWORK, FlowClass.DEPLOY, FlowClass.INGRESS,
                             FlowClass.CONTROL})


def to_graph(arch: Architecture) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.add_node(INTERNET, type="internet")
    for zone in arch.zones:
        graph.add_node(zone.id, type="zone", role=zone.role.value)
    for comp in arch.components:
        graph.add_node(comp.id, type="component", kind=str(comp.kind))
        if comp.kind in INTERNET_KINDS:
            graph.add_edge(INTERNET, comp.id, key="internet", relation="internet")
    for zone in arch.zones:
        if zone.parent is not None:
            graph.add_edge(zone.parent, zone.id, key="contains", relation="contains")
    for comp in arch.components:
        if comp.zone is not None:
            graph.add_edge(comp.zone, comp.id, key="contains", relation="contains")
    for flow in arch.flows:
        graph.add_edge(flow.initiator, flow.target, key=flow.id, relation="flow",
                       flow_class=flow.flow_class.value)
    return graph


def traffic_graph(graph: nx.MultiDiGraph[str]) -> nx.DiGraph[str]:
    """Initiator -> target edges of traffic-carrying flows (plus INTERNET's own edges)."""
    traffic: nx.DiGraph[str] = nx.DiGraph()
    traffic.add_nodes_from(n for n in graph.nodes if graph.nodes[n]["type"] != "zone")
    for src, dst, data in graph.edges(data=True):
        if data["relation"] == "internet" or (
                data["relation"] == "flow" and FlowClass(data["flow_class"]) in TRAFFIC_CLASSES):
            traffic.add_edge(src, dst)
    return traffic
