"""Running the generated `diagrams` script in-process, making its DOT portable, and Graphviz.

* The script's ``main()`` runs with ``Diagram`` swapped for a subclass whose ``__exit__``
  renders nothing and writes no file; the DOT is the library's own ``diagram.dot.source``.
  It runs in a copy of the current context, so the library's context variables never leak.
* `diagrams` names icons by absolute path into site-packages (``.../resources/aws/...``);
  each ``image=`` becomes ``icons/aws/...`` and the PNG is returned for copying beside it.
* ``dot`` runs once for all formats in a temporary directory that holds the DOT and the
  icons, so it resolves the relative paths and nothing lands in the working directory.
"""

from __future__ import annotations

import base64
import builtins
import contextvars
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from archc import diagnostics as d
from archc.emit import diagram as cfg

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


def build_dot(script: str, header: str) -> BuiltDot | d.Diagnostic:
    """The DOT the script builds, with portable icon paths; a warning without `diagrams`."""
    try:
        source = run_script(script)
    except ImportError as exc:
        return d.warning(
            "ARC503", f"the `diagrams` package cannot be imported ({exc}): skipped "
                      f"{cfg.DOT_PATH}, {_image_paths()}", None,
            hint="install archc's dependencies (`pip install diagrams==0.25.1`)")
    dot, paths = relative_icons(source)
    icons = {rel: Path(path).read_bytes() for rel, path in paths.items()}
    return BuiltDot(header + dot, icons)


def run_script(script: str) -> str:
    """Run the generated script's ``main()`` without rendering; return the DOT source."""
    import diagrams

    built: list[diagrams.Diagram] = []

    class _BuildOnly(diagrams.Diagram):  # type: ignore[misc]
        def __exit__(self, *exc: object) -> None:
            built.append(self)
            diagrams.setdiagram(None)

    namespace: dict[str, object] = {"__name__": "archc_diagram", "__builtins__": builtins}
    exec(compile(script, cfg.SCRIPT_PATH, "exec"), namespace)  # noqa: S102 (our own text)
    namespace["Diagram"] = _BuildOnly
    contextvars.copy_context().run(namespace["main"])  # type: ignore[arg-type]
    return str(built[0].dot.source)


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
    below = (parts[-1],)
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
