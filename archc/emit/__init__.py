"""Emitters: the IR in, output files out. EMITTERS is the registry, read top to bottom.

Emitters read only `archc.model` (never `archc.spec`) and do not touch the file system;
`archc._write` writes what they return.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from archc.diagnostics import Diagnostic
from archc.model import Architecture

if TYPE_CHECKING:
    import networkx as nx


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


Emitter = Callable[[Architecture, "nx.MultiDiGraph"], EmitResult]

# The output directory of the previous build while `emit_all` runs, or None. Emitters still
# touch no file, but one whose work is slow may take its earlier result from there when its
# input is unchanged and the files prove it (the diagram's images: Graphviz is most of an
# unchanged build's time). Everything in that directory is untrusted: check before use.
class PreviousOutputs(Protocol):
    """What the previous build left in the output directory, as an emitter may use it."""

    def recorded_sha256(self, path: str) -> str | None:
        """The hash the previous manifest records for `path` (untrusted)."""

    def read_owned(self, path: str) -> bytes | None:
        """`path`'s bytes if it is a regular file the previous build listed, read without
        following a link; None otherwise."""


PREVIOUS_OUTPUTS: ContextVar[PreviousOutputs | None] = ContextVar("archc_previous_outputs",
                                                                   default=None)


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


def emit_all(arch: Architecture, graph: nx.MultiDiGraph, only: tuple[str, ...] | None = None,
             previous: PreviousOutputs | None = None) -> EmitResult:
    files: list[OutputFile] = []
    diags: list[Diagnostic] = []
    token = PREVIOUS_OUTPUTS.set(previous)
    try:
        for name, emitter in _registry().items():
            if only and name not in only:
                continue
            result = emitter(arch, graph)
            files += [dataclasses.replace(f, emitter=name) for f in result.files]
            diags += result.diagnostics
    finally:
        PREVIOUS_OUTPUTS.reset(token)
    return EmitResult(tuple(sorted(files, key=lambda f: f.path)), tuple(diags))
