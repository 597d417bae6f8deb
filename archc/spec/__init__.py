"""Reading a spec directory: the diagram, the optional overlay, and linking them.

Library errors (lark, PyYAML, jsonschema) are turned into positioned diagnostics inside this
package and never get past it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archc import diagnostics as d
from archc.model import Architecture
from archc.source import SourceRegistry, Span
from archc.spec.flowchart import Flowchart
from archc.spec.followups import Causes

DIAGRAM_SUFFIXES = (".mmd", ".mermaid", ".md", ".markdown")
OVERLAY_NAMES = ("archc.yaml", "archc.yml", "overlay.yaml", "overlay.yml")


@dataclass
class LoadedSpec:
    spec_dir: Path
    sources: SourceRegistry
    diagnostics: list[d.Diagnostic]
    chart: Flowchart | None = None
    overlay: object | None = None
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
        loaded.diagnostics.append(d.error(
            "ARC001", f"spec directory {spec_dir} does not exist", None,
            hint="pass the folder that holds architecture.mmd and archc.yaml"))
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


def _find_overlay(spec_dir: Path) -> Path | None:
    return next((spec_dir / n for n in OVERLAY_NAMES if (spec_dir / n).is_file()), None)


def _find_diagram(loaded: LoadedSpec, spec_dir: Path) -> Path | None:
    named = _overlay_value(loaded, "diagram")
    if isinstance(named, str):
        path = spec_dir / named
        if path.is_file():
            return path
        loaded.diagnostics.append(d.error(
            "ARC002", f"the overlay names diagram {named!r}, which is not in {spec_dir.name}/",
            _overlay_span(loaded, ("diagram",)), hint="fix the file name or remove the key"))
        return None
    candidates = sorted(p for p in spec_dir.iterdir()
                        if p.suffix in DIAGRAM_SUFFIXES and p.name.lower() != "readme.md")
    if len(candidates) == 1:
        return candidates[0]
    what = "no diagram" if not candidates else f"{len(candidates)} diagrams"
    loaded.diagnostics.append(d.error(
        "ARC002", f"{spec_dir.name}/ holds {what} (.mmd or .md with a mermaid fence)", None,
        hint="keep exactly one diagram in the spec directory, or name it with `diagram:` "
             "in the overlay"))
    return None


def _load_diagram(loaded: LoadedSpec, path: Path) -> None:
    from archc.spec.mermaid import load_flowchart

    chart, source, diags = load_flowchart(path, _display(loaded, path), partial=True)
    if source is not None:
        loaded.sources.add(source)
    loaded.diagnostics += diags
    loaded.chart = chart
    loaded.inputs += (_display(loaded, path),)


def _load_overlay(loaded: LoadedSpec, path: Path) -> None:
    from archc.spec.overlay import load_overlay
    from archc.spec.schema import validate_overlay

    overlay, source, diags = load_overlay(path, _display(loaded, path))
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
    from archc.spec.followups import collect_causes
    from archc.spec.link import Linker
    from archc.spec.overlay_view import OverlayView
    from archc.spec.schema import valid_entries

    assert loaded.chart is not None
    data, dropped = None, {}
    if loaded.overlay is not None and overlay_errors:
        data, dropped = valid_entries(loaded.overlay)  # type: ignore[arg-type]
    loaded.causes = collect_causes(loaded.diagnostics, diagram, loaded.sources, dropped,
                                  overlay_lost)
    linker = Linker(loaded.chart, OverlayView(loaded.overlay, data),  # type: ignore[arg-type]
                    tuple(sorted(loaded.inputs)), loaded.causes)
    arch = linker.link()
    loaded.diagnostics += linker.diags
    loaded.arch = arch


def _display(loaded: LoadedSpec, path: Path) -> str:
    """Paths in messages: relative to the working directory when the spec is below it (so
    SARIF and editors find them), else `<spec dir name>/<file>`; never absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return f"{loaded.spec_dir.name}/{path.name}"


def _overlay_value(loaded: LoadedSpec, key: str) -> object:
    data = getattr(loaded.overlay, "data", None)
    return data.get(key) if isinstance(data, dict) else None


def _overlay_span(loaded: LoadedSpec, path: tuple[str, ...]) -> Span | None:
    overlay = loaded.overlay
    return overlay.value_span(path) if overlay is not None else None  # type: ignore[attr-defined]
