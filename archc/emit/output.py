"""What an emitter returns: the files it wrote in memory, and its diagnostics.

A module of its own so that emitters import it without importing `archc.emit`, whose
registry imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

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
