"""The picture: a `diagrams` (mingrammer) script, its DOT, and PNG/SVG rendered by Graphviz.

Outputs, all under ``diagrams/``:

* ``architecture.py``  -- the `diagrams` script itself, so a team can tweak the picture;
* ``architecture.dot`` -- the DOT that script builds, made in-process from the same drawing
  steps with the `diagrams` library and a ``Diagram`` that does not render (no ``dot`` binary
  needed; the script itself is never run), with every icon path rewritten from the absolute
  site-packages path to ``icons/<provider>/...``;
* ``icons/...``        -- the icon PNGs the DOT names, copied from the `diagrams` wheel;
* ``architecture.png`` / ``architecture.svg`` -- ``dot`` run on that DOT in a temporary
  directory holding the icons. The SVG embeds its icons as ``data:`` URIs, so it shows its
  icons wherever it is viewed (an SVG shown through ``<img>``, as GitHub does for README
  images, never loads external files).

Without Graphviz the PNG and SVG are skipped with warning ARC501. `diagrams` is imported only
inside functions, so loading this module costs nothing at CLI start-up.

The package draws in three modules, imported one way only (no cycles): `style` (what
the picture looks like) <- `script` (the IR as drawing steps, and the script printed from
them) <- `render` (the DOT built from the steps, PNG/SVG through Graphviz) <- this module
(the emitter). It may import `archc.emit.output`, `archc.aws`, `archc.model`, `archc.kinds`,
`archc.markup` and `archc.diagnostics`; no other emitter.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from archc import GENERATOR, markup
from archc import diagnostics as d
from archc.emit.diagram import render, script
from archc.emit.diagram.style import (
    BASENAME,
    DOT_PATH,
    DRAW_IMAGES,
    IMAGE_FORMATS,
    MAX_RENDERED_COMPONENTS,
    OUT_DIR,
    RENDERED_FROM,
    SCRIPT_PATH,
    images_not_drawn,
)
from archc.emit.output import PREVIOUS_OUTPUTS, EmitResult, OutputFile
from archc.model import Architecture

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["BASENAME", "DOT_PATH", "MAX_RENDERED_COMPONENTS", "OUT_DIR", "RENDERED_FROM",
           "SCRIPT_PATH", "emit", "images_not_drawn"]


def spec_findings(arch: Architecture) -> list[d.Diagnostic]:
    """What this emitter finds in the spec itself (ARC504: too many components to draw), as
    opposed to the machine (Graphviz or `diagrams` missing): `check` asks this without
    building the DOT."""
    if len(arch.components) <= MAX_RENDERED_COMPONENTS:
        return []
    return [d.warning(
        "ARC504", f"{len(arch.components)} components are more than one picture can show: "
                  f"skipped {OUT_DIR}/{BASENAME}.png and .svg ({DOT_PATH} was written)", None,
        hint=f"render parts yourself, e.g. `dot -Tsvg {DOT_PATH}`, or view the per-zone "
             "Mermaid files under diagrams/zones/")]


def emit(arch: Architecture, graph: nx.MultiDiGraph[str]) -> EmitResult:
    text = script.script_text(arch)
    files = [OutputFile(SCRIPT_PATH, text)]
    built = render.build_dot(script.diagram_title(arch), script.drawing(arch),
                             script.dot_header(arch), arch.direction)
    if isinstance(built, d.Diagnostic):
        return EmitResult(tuple(files), (built,))
    files.append(OutputFile(DOT_PATH, built.dot))
    files += [OutputFile(f"{OUT_DIR}/{rel}", data) for rel, data in built.icons.items()]
    if skipped := spec_findings(arch):
        return EmitResult(tuple(sorted(files, key=lambda f: f.path)), tuple(skipped))
    if not DRAW_IMAGES.get():
        return EmitResult(tuple(sorted(files, key=lambda f: f.path)))
    images = _previous_images(built)
    diags: list[d.Diagnostic] = []
    if images is None:
        images, diags = render.render_images(built, BASENAME, IMAGE_FORMATS)
        if "svg" in images:
            images["svg"] = _svg_header(images["svg"], arch)
    files += [OutputFile(f"{OUT_DIR}/{BASENAME}.{fmt}", data) for fmt, data in images.items()]
    return EmitResult(tuple(sorted(files, key=lambda f: f.path)), tuple(diags))


def _previous_images(built: render.BuiltDot) -> dict[str, bytes] | None:
    """The PNG and SVG of the previous build when Graphviz would get the same input: the
    previous manifest records this DOT's and these icons' hashes, and each image's bytes hash
    to what it records. The manifest and the files are untrusted (a pull request may edit
    both): an image is only taken when its own bytes match, read as a regular file the
    previous build listed, never through a link. None, and Graphviz runs, otherwise."""
    previous = PREVIOUS_OUTPUTS.get()
    if previous is None:
        return None
    inputs = {DOT_PATH: built.dot.encode("utf-8"),
              **{f"{OUT_DIR}/{rel}": data for rel, data in built.icons.items()}}
    if any(previous.recorded_sha256(path) != _sha256(data) for path, data in inputs.items()):
        return None
    images = {}
    for fmt in IMAGE_FORMATS:
        path = f"{OUT_DIR}/{BASENAME}.{fmt}"
        data = previous.read_owned(path)
        if data is None or previous.recorded_sha256(path) != _sha256(data):
            return None
        images[fmt] = data
    return images


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _svg_header(svg: bytes, arch: Architecture) -> bytes:
    """The DO-NOT-EDIT header as an XML comment right after the XML declaration."""
    inputs = markup.inputs_note(arch.inputs)
    note = f"<!-- Generated by {GENERATOR} from {inputs}. DO NOT EDIT. -->\n"
    head, sep, rest = svg.partition(b"\n")
    if head.startswith(b"<?xml"):
        return head + sep + note.encode() + rest
    return note.encode() + svg
