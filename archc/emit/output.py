"""What an emitter returns: the files it wrote in memory, and its diagnostics.

A module of its own so that emitters import it without importing `archc.emit`, whose
registry imports them.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, TypedDict

from archc.diagnostics import Diagnostic


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # POSIX path relative to the output directory
    content: str | bytes  # text is written as UTF-8 with LF line endings
    emitter: str = ""  # which emitter owns it (recorded in manifest.json)

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


class ComponentRecord(TypedDict):
    identity: str  # SHA-256 of what survives a rename: kind, label, zone titles, flows
    ref: str  # the Terraform name its addresses are built from (`ec2`, `node_api_services`)


# A move Terraform reads from a `moved` block: [from, to], addresses in one module.
Move = tuple[str, str]
# A resource (`type.name`) or module call (`module.name`) address in one module, in the form
# archc writes them (lower-case Terraform names): the only text a manifest, which is untrusted,
# may bring into generated Terraform.
TF_ADDRESS = re.compile(r"[a-z][a-z0-9_]{0,63}\.[a-z][a-z0-9_]{0,127}")


class TerraformRecord(TypedDict):
    """What `manifest.json` keeps of a build's Terraform, so the next build can tell a renamed
    component and write `moved` blocks: per module folder (`terraform/modules/platform`) the
    resource and module addresses it declares and the moves it carries; per component id its
    identity and Terraform name."""

    components: dict[str, ComponentRecord]
    addresses: dict[str, list[str]]
    moved: dict[str, list[Move]]


@dataclass(frozen=True, slots=True)
class EmitResult:
    files: tuple[OutputFile, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    terraform: TerraformRecord | None = None  # for manifest.json (the Terraform emitter's)


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

    def recorded_terraform(self) -> TerraformRecord | None:
        """The previous manifest's Terraform record, checked against the address grammar
        (untrusted all the same: a pull request may edit it)."""


PREVIOUS_OUTPUTS: ContextVar[PreviousOutputs | None] = ContextVar("archc_previous_outputs",
                                                                   default=None)
