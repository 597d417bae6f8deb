"""archc's cache directory: work that is slow to redo and safe to keep between runs (the
grammar's parse tables, compiled Jinja templates, which overlays passed the schema). Never
next to the package or the outputs (a pull request could write there); per user."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(name: str) -> Path | None:
    """``<user cache>/archc/<name>``, made if missing; None when caching is off or the
    directory cannot be made. ``ARCHC_CACHE_DIR`` overrides the base; set it empty to
    disable (as the grammar cache of `archc.spec.mermaid` reads it)."""
    base = os.environ.get("ARCHC_CACHE_DIR")
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = str(Path(xdg) / "archc") if xdg else str(Path.home() / ".cache" / "archc")
    if not base:
        return None
    directory = Path(base) / name
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return directory
