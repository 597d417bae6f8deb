"""Emitters: the IR in, output files out. EMITTERS is the registry, read top to bottom.

Emitters read only `archc.model` (never `archc.spec`) and do not touch the file system;
`archc._write` writes what they return.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from archc.diagnostics import Diagnostic
from archc.model import Architecture


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # POSIX path relative to the output directory
    content: str | bytes  # text is written as UTF-8 with LF line endings
    emitter: str = ""  # which emitter owns it (recorded in manifest.json)

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


@dataclass(frozen=True, slots=True)
class EmitResult:
    files: tuple[OutputFile, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


Emitter = Callable[[Architecture, "nx.MultiDiGraph[str]"], EmitResult]


def _registry() -> dict[str, Emitter]:
    """name -> emitter; imported lazily so `archc --help` stays fast."""
    from archc.emit import diagram, helm, mermaid, security_report, terraform

    return {
        "terraform": terraform.emit,
        "security": security_report.emit,
        "helm": helm.emit,
        "mermaid": mermaid.emit,
        "diagram": diagram.emit,
    }


def emitter_names() -> tuple[str, ...]:
    return tuple(_registry())


def emit_all(arch: Architecture, graph: nx.MultiDiGraph[str],
             only: tuple[str, ...] | None = None) -> EmitResult:
    files: list[OutputFile] = []
    diags: list[Diagnostic] = []
    for name, emitter in _registry().items():
        if only and name not in only:
            continue
        result = emitter(arch, graph)
        files += [dataclasses.replace(f, emitter=name) for f in result.files]
        diags += result.diagnostics
    return EmitResult(tuple(sorted(files, key=lambda f: f.path)), tuple(diags))
