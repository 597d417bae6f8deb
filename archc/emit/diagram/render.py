"""The picture's DOT built with the `diagrams` library, made portable, and Graphviz.

* The DOT comes from the drawing steps the script is printed from (`script.drawing`),
  made with the same `diagrams` calls the script makes, under a ``Diagram`` subclass whose
  ``__exit__`` renders nothing and writes no file; the DOT is ``diagram.dot.source``. archc
  never runs the generated script (a label in it must never become code in our process).
  It runs in a copy of the current context, so the library's context variables never leak.
* `diagrams` names icons by absolute path into site-packages (``.../resources/aws/...``);
  each ``image=`` becomes ``icons/aws/...`` and the PNG is returned for copying beside it.
* ``dot`` runs once for all formats in a temporary directory that holds the DOT and the
  icons, so it resolves the relative paths and nothing lands in the working directory.
"""

from __future__ import annotations

import base64
import contextvars
import html
import importlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from archc import diagnostics as d
from archc.emit.diagram import script
from archc.emit.diagram import style as cfg
from archc.model import FlowClass

ICON_DIR = "icons"
DOT_TIMEOUT_S = 120
# Graphviz variables that change where it looks for files or fonts: never inherited.
_GRAPHVIZ_ENV = ("GV_FILE_PATH", "SERVER_NAME", "GDFONTPATH", "DOTFONTPATH", "GVBINDIR")
_TEXT_FORMATS = frozenset({"svg", "dot"})
_IMAGE_ATTR = re.compile(r'\bimage="((?:[^"\\]|\\.)*)"')
_SVG_HREF = re.compile(r'xlink:href="([^"]*)"')
_INSTALL_HINT = ("install Graphviz (`apt-get install graphviz` on Debian/Ubuntu, "
                 "`brew install graphviz` on macOS) and build again")


@dataclass(frozen=True, slots=True)
class BuiltDot:
    dot: str  # DOT text with icon paths relative to the DOT file
    icons: dict[str, bytes]  # "icons/aws/network/nat-gateway.png" -> PNG bytes, sorted


def build_dot(title: str, steps: tuple[script.Step, ...], header: str,
              direction: str = "TB") -> BuiltDot | d.Diagnostic:
    """The DOT of the drawing, with portable icon paths; a warning without `diagrams`."""
    try:
        source = contextvars.copy_context().run(draw_dot, title, steps, direction)
    except ImportError as exc:
        return d.warning(
            "ARC503", f"the `diagrams` package cannot be imported ({exc}): skipped "
                      f"{cfg.DOT_PATH}, {_image_paths()}", None,
            hint="install archc's dependencies (`pip install diagrams==0.25.1`)")
    dot, paths = relative_icons(source)
    icons = {rel: Path(path).read_bytes() for rel, path in paths.items()}
    return BuiltDot(header + dot, icons)


def draw_dot(title: str, steps: tuple[script.Step, ...], direction: str = "TB") -> str:
    """What the script's ``main()`` builds, as DOT source, without rendering anything."""
    import diagrams

    class _BuildOnly(diagrams.Diagram):  # type: ignore[misc]
        def __exit__(self, *exc: object) -> None:
            diagrams.setdiagram(None)

    attrs = {**cfg.GRAPH_ATTR, "label": caption(title, _used_classes(steps))}
    with _BuildOnly(title, show=False, filename=cfg.BASENAME, outformat=list(cfg.IMAGE_FORMATS),
                    direction=direction, graph_attr=attrs, node_attr=cfg.NODE_ATTR,
                    edge_attr=cfg.EDGE_ATTR) as diagram:
        _draw(steps)
    return str(diagram.dot.source)


def caption(title: str, used: list[FlowClass]) -> str:
    """The script's ``caption()``: the title and a key of the edge styles (HTML-like label)."""
    keys = []
    for flow_class in used:
        style = cfg.FLOW_STYLES[flow_class]
        glyph = {"dashed": "╍╍", "dotted": "┅┅"}.get(style.get("style", ""), "━━")
        keys.append(f'<font color="{style["color"]}">{glyph} '
                    f'{html.escape(cfg.FLOW_LEGEND[flow_class])}</font>')
    rows = [f'<font point-size="{cfg.TITLE_SIZE}">{html.escape(title)}</font>', "   ".join(keys)]
    cells = "".join(f'<tr><td align="left">{row}</td></tr>' for row in rows if row)
    return f'<<table border="0" cellpadding="3" cellspacing="0">{cells}</table>>'


def _used_classes(steps: tuple[script.Step, ...]) -> list[FlowClass]:
    """The flow classes drawn, in FlowClass order (the script's LEGEND)."""
    drawn = {s.flow_class for s in steps if isinstance(s, script.DrawEdge)}
    return [c for c in FlowClass if c.value in drawn]


def _draw(steps: tuple[script.Step, ...]) -> None:
    """The script's ``draw()``: the same calls, in the same order."""
    from diagrams import Cluster, Edge

    nodes: dict[str, object] = {}
    open_zones: list[Cluster] = []
    for step in steps:
        if isinstance(step, script.DrawNode):
            cls = getattr(importlib.import_module(step.module), step.cls)
            nodes[step.name] = cls(step.label, nodeid=step.nodeid)
        elif isinstance(step, script.OpenZone):
            cluster = Cluster(step.label, graph_attr=cfg.ZONE_STYLES[step.style])
            cluster.name = cluster.dot.name = f"cluster_{step.zone_id}"
            open_zones.append(cluster.__enter__())
        elif isinstance(step, script.CloseZone):
            open_zones.pop().__exit__(None, None, None)
        else:
            edge = Edge(label=step.label, **cfg.FLOW_STYLES[FlowClass(step.flow_class)])
            src, dst = nodes[step.src], nodes[step.dst]
            if step.upstream:
                dst << edge << src
            else:
                src >> edge >> dst


def relative_icons(source: str) -> tuple[str, dict[str, str]]:
    """Rewrite every ``image="<abs>/resources/x/y.png"`` to ``icons/x/y.png``.

    Returns the new text and relative path -> original path, sorted by relative path."""
    found: dict[str, str] = {}

    def relative(match: re.Match[str]) -> str:
        rel = icon_relpath(match.group(1))
        found[rel] = match.group(1)
        return f'image="{rel}"'

    text = _IMAGE_ATTR.sub(relative, source)
    return text, dict(sorted(found.items()))


def icon_relpath(path: str) -> str:
    """``icons/`` plus the path below the wheel's last ``resources`` directory."""
    parts = PurePath(path).parts
    below: tuple[str, ...] = (parts[-1],)
    if "resources" in parts:
        below = parts[len(parts) - parts[::-1].index("resources"):]
    return "/".join((ICON_DIR, *below))


def render_images(built: BuiltDot, basename: str,
                  formats: tuple[str, ...]) -> tuple[dict[str, bytes], list[d.Diagnostic]]:
    """Rendered bytes per format, or none and a warning when Graphviz is missing or fails."""
    dot = shutil.which("dot")
    if dot is None:
        return {}, [d.warning(
            "ARC501", f"Graphviz `dot` is not installed: skipped {_image_paths()} "
                      f"({cfg.SCRIPT_PATH} and {cfg.DOT_PATH} were still generated)",
            None, hint=_INSTALL_HINT)]
    with tempfile.TemporaryDirectory(prefix="archc-diagram-") as tmp:
        images, problem = _run_dot(dot, Path(tmp), built, basename, formats)
    if problem is not None:
        return {}, [d.warning("ARC502", f"Graphviz failed ({problem}): skipped "
                                        f"{_image_paths()}", None,
                              hint=f"run `dot -Tpng {cfg.DOT_PATH}` from the output "
                                   "directory to see the error")]
    if "svg" in images:
        images["svg"] = embed_icons(images["svg"], built.icons)
    return images, []


def _run_dot(dot: str, root: Path, built: BuiltDot, basename: str,
             formats: tuple[str, ...]) -> tuple[dict[str, bytes], str | None]:
    for rel, data in built.icons.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / f"{basename}.dot").write_text(built.dot, encoding="utf-8", newline="\n")
    command = [dot]
    for fmt in formats:
        command += [f"-T{fmt}", f"-o{basename}.{fmt}"]
    command.append(f"{basename}.dot")
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, timeout=DOT_TIMEOUT_S,
                              env=_dot_env(), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {}, type(exc).__name__
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        return {}, f"exit {proc.returncode}" + (f": {first[0]}" if first else "")
    images = {fmt: (root / f"{basename}.{fmt}").read_bytes() for fmt in formats}
    return {fmt: _scrub(data, root) if fmt in _TEXT_FORMATS else data
            for fmt, data in images.items()}, None


def embed_icons(svg: bytes, icons: dict[str, bytes]) -> bytes:
    """Replace ``xlink:href="icons/..."`` with ``data:image/png;base64,...`` URIs."""
    uris = {rel: "data:image/png;base64," + base64.b64encode(data).decode("ascii")
            for rel, data in icons.items()}

    def inline(match: re.Match[str]) -> str:
        return f'xlink:href="{uris.get(match.group(1), match.group(1))}"'

    return _SVG_HREF.sub(inline, svg.decode("utf-8")).encode("utf-8")


def _scrub(data: bytes, root: Path) -> bytes:
    """Drop the temporary directory's path should a Graphviz build ever embed it."""
    for form in sorted({str(root), str(root.resolve())}, key=len, reverse=True):
        data = data.replace(form.encode("utf-8") + b"/", b"").replace(form.encode("utf-8"), b".")
    return data


def _dot_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _GRAPHVIZ_ENV}


def _image_paths() -> str:
    return " and ".join(f"{cfg.OUT_DIR}/{cfg.BASENAME}.{fmt}" for fmt in cfg.IMAGE_FORMATS)
