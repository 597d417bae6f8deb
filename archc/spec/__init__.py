"""Reading a spec directory: the diagram, the optional overlay, and linking them.

Library errors (lark, PyYAML, jsonschema) are turned into positioned diagnostics inside this
package and never get past it.

Owns the syntax model (`flowchart`), the overlay and its schema (`overlay`, `overlay_view`,
`schema`), linking into the IR (`link`, `flows`, `environments`), `followups` and
`describe`; `spec.mermaid` is the Mermaid front end. It may import `archc.model`,
`archc.kinds`, `archc.subnet_plan`, `archc.source` and `archc.diagnostics`: nothing that
runs after it (graph, rules, emitters).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archc import diagnostics as d
from archc.model import Architecture
from archc.source import SourceRegistry, Span, display_path, is_file_name
from archc.spec.flowchart import Flowchart
from archc.spec.followups import Causes

if TYPE_CHECKING:
    from archc.spec.overlay import Overlay

DIAGRAM_SUFFIXES = (".mmd", ".mermaid", ".md", ".markdown")
OVERLAY_NAMES = ("archc.yaml", "archc.yml", "overlay.yaml", "overlay.yml")


@dataclass
class LoadedSpec:
    spec_dir: Path
    sources: SourceRegistry
    diagnostics: list[d.Diagnostic]
    chart: Flowchart | None = None
    overlay: Overlay | None = None
    arch: Architecture | None = None
    inputs: tuple[str, ...] = field(default=())
    causes: Causes = field(default_factory=Causes)  # what later findings may follow from

    @property
    def ok(self) -> bool:
        return self.arch is not None and not d.has_errors(self.diagnostics)


def load_spec(spec_dir: Path) -> LoadedSpec:
    """Parse the diagram and overlay, validate the overlay, link them into the IR."""
    loaded = LoadedSpec(spec_dir=spec_dir, sources=SourceRegistry(), diagnostics=[])
    if not spec_dir.is_dir():
        loaded.diagnostics.append(_not_a_spec_directory(spec_dir))
        return loaded
    overlay_path = _find_overlay(spec_dir)
    if overlay_path is not None:
        _load_overlay(loaded, overlay_path)
    overlay_errors = [x for x in loaded.diagnostics if x.severity is d.Severity.ERROR]
    diagram_path = _find_diagram(loaded, spec_dir)
    if diagram_path is None:
        return loaded
    _load_diagram(loaded, diagram_path)
    # Errors so far do not stop linking: it links the lines that parsed and the overlay's
    # valid entries, so that one run reports the later stages' findings too.
    if loaded.chart is not None:
        lost = overlay_errors[0] if overlay_path is not None and loaded.overlay is None \
            and overlay_errors else None
        _link(loaded, _display(loaded, diagram_path), overlay_errors, lost)
    return loaded


def _not_a_spec_directory(spec_dir: Path) -> d.Diagnostic:
    """ARC001, saying what the path is: "does not exist" for a file sends people looking in
    the wrong place."""
    try:
        mode = spec_dir.stat().st_mode
    except (OSError, ValueError):
        what = ("is a symbolic link to nothing" if spec_dir.is_symlink() else "does not exist")
    else:
        what = "is a file, not a directory" if stat.S_ISREG(mode) else "is not a directory"
    return d.error("ARC001", f"spec directory {spec_dir} {what}", None,
                   hint="pass the folder that holds architecture.mmd and archc.yaml")


def _find_overlay(spec_dir: Path) -> Path | None:
    """The first overlay name present in any form: a directory or a FIFO called archc.yaml is
    reported by the reader, not skipped as if the overlay were absent."""
    return next((spec_dir / n for n in OVERLAY_NAMES if os.path.lexists(spec_dir / n)), None)


def _other_overlays(path: Path) -> list[str]:
    return [n for n in OVERLAY_NAMES
            if n != path.name and os.path.lexists(path.parent / n)]


def _find_diagram(loaded: LoadedSpec, spec_dir: Path) -> Path | None:
    named = _overlay_value(loaded, "diagram")
    if isinstance(named, str):
        return _named_diagram(loaded, spec_dir, named)
    candidates = sorted(p for p in spec_dir.iterdir()
                        if p.suffix in DIAGRAM_SUFFIXES and p.name.lower() != "readme.md")
    if len(candidates) == 1:
        return candidates[0]
    what = "no diagram" if not candidates else f"{len(candidates)} diagrams"
    loaded.diagnostics.append(d.error(
        "ARC002", f"{_dir_name(spec_dir)}/ holds {what} (.mmd or .md with a mermaid fence)", None,
        hint="keep exactly one diagram in the spec directory, or name it with `diagram:` "
             "in the overlay"))
    return None


def _named_diagram(loaded: LoadedSpec, spec_dir: Path, named: str) -> Path | None:
    """`diagram:` is a file name in the spec directory, never a path: `/etc/passwd` joined to
    the directory is /etc/passwd. The schema reports such values; this keeps them unread even
    when the schema check did not run or changes."""
    span = _overlay_span(loaded, ("diagram",))
    if not is_file_name(named):
        if span is not None and any(x.span == span for x in loaded.diagnostics):
            return None  # the schema's pattern already reported this value
        loaded.diagnostics.append(d.error(
            "ARC002", f"the overlay names diagram {named!r}, which is not a file name in "
                      f"{spec_dir.name}/", span,
            hint="give the name of a file in the spec directory, without a path"))
        return None
    path = spec_dir / named
    if os.path.lexists(path):
        return path  # what it is (a link, a directory) is read_input's to check
    loaded.diagnostics.append(d.error(
        "ARC002", f"the overlay names diagram {named!r}, which is not in {spec_dir.name}/",
        span, hint="fix the file name or remove the key"))
    return None


def _load_diagram(loaded: LoadedSpec, path: Path) -> None:
    from archc.spec.mermaid import load_flowchart

    chart, source, diags = load_flowchart(path, _display(loaded, path), loaded.spec_dir,
                                          partial=True)
    if source is not None:
        loaded.sources.add(source)
    loaded.diagnostics += diags
    loaded.chart = chart
    loaded.inputs += (_display(loaded, path),)


def _load_overlay(loaded: LoadedSpec, path: Path) -> None:
    from archc.spec.overlay import load_overlay
    from archc.spec.schema import validate_overlay

    others = _other_overlays(path)
    if others:
        loaded.diagnostics.append(d.error(
            "ARC013", f"{_dir_name(loaded.spec_dir)}/ holds {len(others) + 1} overlays: "
                      f"{', '.join([path.name, *others])}; only {path.name} would be read",
            None, hint="keep one overlay (archc.yaml) and delete or merge the others"))
    overlay, source, diags = load_overlay(path, _display(loaded, path), loaded.spec_dir)
    if source is not None:
        loaded.sources.add(source)
    loaded.diagnostics += diags
    if overlay is not None:
        schema_diags = validate_overlay(overlay)
        loaded.diagnostics += schema_diags
        loaded.overlay = overlay
    loaded.inputs += (_display(loaded, path),)


def _link(loaded: LoadedSpec, diagram: str, overlay_errors: list[d.Diagnostic],
          overlay_lost: d.Diagnostic | None) -> None:
    from archc.spec.clouds import other_cloud
    from archc.spec.followups import collect_causes
    from archc.spec.link import Linker
    from archc.spec.overlay_view import OverlayView
    from archc.spec.schema import valid_entries

    assert loaded.chart is not None
    data: dict[str, Any] | None = None
    dropped: dict[tuple[str | int, ...], d.Diagnostic | None] = {}
    if loaded.overlay is not None and overlay_errors:
        data, dropped = valid_entries(loaded.overlay)
    loaded.causes = collect_causes(loaded.diagnostics, diagram, loaded.sources, dropped,
                                  overlay_lost)
    view = OverlayView(loaded.overlay, data)  # type: ignore[arg-type]
    elsewhere = other_cloud(loaded.chart) if "cloud" not in view.data else None
    if elsewhere is not None:  # one error for the whole diagram, not one per node
        loaded.diagnostics.append(elsewhere)
        return
    linker = Linker(loaded.chart, view, tuple(sorted(loaded.inputs)), loaded.causes)
    arch = linker.link()
    loaded.diagnostics += linker.diags
    loaded.arch = _with_user_data(loaded, arch)


# EC2 user data is at most 16 KiB once base64-decoded (the instance's limit).
USER_DATA_LIMIT = 16 * 1024


def _with_user_data(loaded: LoadedSpec, arch: Architecture) -> Architecture:
    """Components whose `user_data_file` names a file in the spec directory get its text as
    `user_data`; the file is read like every input (read_input: a regular file inside the
    spec directory, never through a link out of it) and listed among the inputs."""
    from dataclasses import replace
    from types import MappingProxyType

    from archc.model import Decision
    from archc.source import InputRefused, SourceFile, decode_utf8, read_input

    components = []
    for comp in arch.components:
        name = comp.props.get("user_data_file")
        if not isinstance(name, str) or not is_file_name(name):
            components.append(comp)
            continue
        path = loaded.spec_dir / name
        shown = _display(loaded, path)
        span = _overlay_span(loaded, ("components", comp.id, "user_data_file"))
        try:
            text = decode_utf8(read_input(path, loaded.spec_dir, USER_DATA_LIMIT), shown)
        except InputRefused as exc:
            loaded.diagnostics.append(d.input_refused(shown, exc))
            components.append(comp)
            continue
        except (OSError, ValueError) as exc:
            loaded.diagnostics.append(d.error(
                "ARC010", f"{shown} (user_data_file of {comp.id}) cannot be read as UTF-8 "
                          f"text: {type(exc).__name__}", span,
                hint="name a text file in the spec directory"))
            components.append(comp)
            continue
        if shown not in loaded.inputs:
            loaded.sources.add(SourceFile(shown, text))
            loaded.inputs += (shown,)
        decision = Decision("user_data", shown, "overlay",
                            f"overlay key components.{comp.id}.user_data_file", span)
        props = MappingProxyType(dict(sorted({**comp.props, "user_data": text}.items())))
        components.append(replace(comp, props=props, decisions=(*comp.decisions, decision)))
    if components == list(arch.components):
        return arch
    return replace(arch, components=tuple(components), inputs=tuple(sorted(loaded.inputs)))


def _display(loaded: LoadedSpec, path: Path) -> str:
    """Paths in messages: relative to the working directory when the spec is below it (so
    SARIF and editors find them), else `<spec dir name>/<file>`; never absolute."""
    # Only the directory is resolved: a link inside the spec is named as the user named it,
    # never by its target.
    try:
        resolved = path.parent.resolve() / path.name
        shown = resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = f"{loaded.spec_dir.name}/{path.name}"
    return display_path(shown)  # a name that is not UTF-8 still prints and writes as UTF-8


def _overlay_value(loaded: LoadedSpec, key: str) -> object:
    data = loaded.overlay.data if loaded.overlay is not None else None
    return data.get(key) if isinstance(data, dict) else None


def _overlay_span(loaded: LoadedSpec, path: tuple[str, ...]) -> Span | None:
    overlay = loaded.overlay
    return overlay.value_span(path) if overlay is not None else None


def _dir_name(spec_dir: Path) -> str:
    """The spec directory's own name as messages cite it: `.` is the working directory's name
    (never its absolute path)."""
    return display_path(spec_dir.name or spec_dir.resolve().name)
