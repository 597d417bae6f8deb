"""What an emitter returns: the files it wrote in memory, and its diagnostics.

A module of its own so that emitters import it without importing `archc.emit`, whose
registry imports them.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from archc.diagnostics import Diagnostic


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


class PreviousOutputs(Protocol):
    """What the previous build left in the output directory, as an emitter may use it: while
    `emit_all` runs, an emitter whose work is slow may take its earlier result from there when
    its input is unchanged and the files prove it (the diagram's images: Graphviz is most of
    an unchanged build's time). Everything there is untrusted: check before use."""

    def recorded_sha256(self, path: str) -> str | None:
        """The hash the previous manifest records for `path` (untrusted)."""

    def read_owned(self, path: str) -> bytes | None:
        """`path`'s bytes if it is a regular file the previous build listed, read without
        following a link; None otherwise."""


PREVIOUS_OUTPUTS: ContextVar[PreviousOutputs | None] = ContextVar("archc_previous_outputs",
                                                                   default=None)
