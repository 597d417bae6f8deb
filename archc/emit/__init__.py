"""Emitters: the IR in, output files out; `_registry` lists them, read top to bottom.

Owns the emitters (`terraform/`, `diagram/`, `helm`, `cluster_addons`, `mermaid`,
`security_report`), what
they return (`output`: `OutputFile`, `EmitResult`) and what they share to render (`_jinja`,
`_hcl`, `_helm_yaml`). An emitter may import the IR and its tables (`archc.model`,
`archc.kinds`, `archc.source`, `archc.diagnostics`, `archc.markup`), the derivation layer
`archc.aws`, `archc.emit.output` and this package's private helpers; never `archc.spec`,
another emitter, or this module (which imports them). Emitters do not touch the file system:
`archc._write` writes what they return.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from archc.diagnostics import Diagnostic
from archc.emit.output import PREVIOUS_OUTPUTS, EmitResult, OutputFile, PreviousOutputs
from archc.model import Architecture

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["PREVIOUS_OUTPUTS", "EmitResult", "Emitter", "OutputFile", "PreviousOutputs",
           "emit_all", "emitter_names"]


Emitter = Callable[[Architecture, "nx.MultiDiGraph[str]"], EmitResult]


def _registry() -> dict[str, Emitter]:
    """name -> emitter; imported lazily so `archc --help` stays fast."""
    from archc.emit import cluster_addons, diagram, helm, mermaid, security_report, terraform

    return {
        "terraform": terraform.emit,
        "security": security_report.emit,
        "helm": helm.emit,
        "addons": cluster_addons.emit,
        "mermaid": mermaid.emit,
        "diagram": diagram.emit,
    }


def emitter_names() -> tuple[str, ...]:
    return tuple(_registry())


def emit_all(arch: Architecture, graph: nx.MultiDiGraph[str],
             only: tuple[str, ...] | None = None,
             previous: PreviousOutputs | None = None) -> EmitResult:
    files: list[OutputFile] = []
    diags: list[Diagnostic] = []
    terraform = None
    token = PREVIOUS_OUTPUTS.set(previous)
    try:
        for name, emitter in _registry().items():
            if only and name not in only:
                continue
            result = emitter(arch, graph)
            files += [dataclasses.replace(f, emitter=name) for f in result.files]
            diags += result.diagnostics
            terraform = result.terraform or terraform
    finally:
        PREVIOUS_OUTPUTS.reset(token)
    return EmitResult(tuple(sorted(files, key=lambda f: f.path)), tuple(diags), terraform)
