"""Validation rules over the IR and its graph. RULES is the registry, read top to bottom.

Each rule returns diagnostics and never raises; `run_rules` returns them sorted by location.
Rules read the IR and its graph: they may import `archc.graph`, `archc.model`, `archc.kinds`,
`archc.subnet_plan`, `archc.spec.followups` (to mark a finding that follows from an earlier
error), `archc.source`, `archc.diagnostics` and the derivation layer `archc.aws` (to report what
deriving finds, see `derived_findings`); never an emitter.
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


def derived_findings(arch: Architecture) -> list[Diagnostic]:
    """What deriving the security groups and the DNS zones finds (ARC510, ARC518, ARC522,
    ARC524, ARC531, ARC535) and the EC2 hosts with nothing to run
    (ARC532). The emitters
    find it at build; `check` asks here too, once the rules found no error (build derives only
    from a clean spec), so that check and its SARIF show every warning build would. Build
    reports each once: `archc.pipeline._add` drops what check already holds."""
    from archc.aws.compute import boot_findings
    from archc.aws.derivation import apex_zone_collisions
    from archc.aws.security_groups import rule_rows

    return sorted_diagnostics(rule_rows(arch)[1] + apex_zone_collisions(arch)
                              + boot_findings(arch))
