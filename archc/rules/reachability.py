"""Reachability: the internet reaches the data tier only through the app tier."""

from __future__ import annotations

import networkx as nx

from archc import diagnostics as d
from archc.graph import INTERNET, traffic_graph
from archc.kinds import Tier
from archc.model import Architecture, Flow


def check(arch: Architecture, graph: nx.MultiDiGraph[str], env: str | None) -> list[d.Diagnostic]:
    traffic = traffic_graph(graph)
    app = {c.id for c in arch.components if arch.tier_of(c) is Tier.APP}
    bypass = traffic.subgraph(n for n in traffic.nodes if n not in app)
    # One breadth-first search gives the shortest offending path to every data component.
    paths = nx.single_source_shortest_path(bypass, INTERNET)
    by_pair = {(f.initiator, f.target): f for f in reversed(arch.flows)}
    found = []
    for comp in arch.components:
        if arch.tier_of(comp) is not Tier.DATA or comp.id not in paths:
            continue
        path = paths[comp.id]
        flows = [by_pair[p] for p in zip(path[1:], path[2:], strict=False) if p in by_pair]
        found.append(d.error(
            "ARC309", f"the internet reaches data-tier {comp.id} without passing the app tier: "
                      f"{' → '.join(['internet', *path[1:]])}",
            flows[-1].span if flows else comp.span,
            hint="let only app-tier components open connections to the data tier",
            notes=tuple(_step(f) for f in flows)))
    return found


def _step(flow: Flow) -> d.Note:
    return d.Note(f"{flow.ref} ({flow.flow_class})", flow.span)
