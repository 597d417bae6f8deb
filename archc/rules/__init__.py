"""Validation rules over the IR and its graph. RULES is the registry, read top to bottom.

Each rule returns diagnostics and never raises; `run_rules` returns them sorted by location.
Rules read the IR and its graph: they may import `archc.graph`, `archc.model`, `archc.kinds`,
`archc.subnet_plan`, `archc.spec.followups` (to mark a finding that follows from an earlier
error), `archc.source` and `archc.diagnostics`; never an emitter. What the emitters find while
deriving (ARC5xx) `archc.pipeline.check` asks them for, so `check` reports it too.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from archc.diagnostics import Diagnostic, sorted_diagnostics
from archc.model import Architecture
from archc.rules import addressing, flows, placement, reachability

Rule = Callable[[Architecture, "nx.MultiDiGraph[str]", "str | None"], list[Diagnostic]]

RULES: tuple[tuple[str, Rule], ...] = (
    ("placement", placement.check),
    ("flows", flows.check),
    ("reachability", reachability.check),
    ("addressing", addressing.check),
)


def run_rules(arch: Architecture, graph: nx.MultiDiGraph[str],
              env: str | None = None) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for _name, rule in RULES:
        found += rule(arch, graph, env)
    return sorted_diagnostics(found)
