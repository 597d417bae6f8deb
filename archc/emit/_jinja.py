"""The Jinja environment of the template-based emitters (one per template family, cached).

Templates ship inside the wheel as ``archc/_templates/<name>`` (pyproject force-include); in a
source checkout or an editable install they are the repository's ``templates/<name>``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

import archc
from archc.emit._hcl import FILTERS


@functools.cache
def templates_dir(name: str) -> Path:
    """The folder of one template family, e.g. ``templates_dir("terraform")``."""
    package = Path(archc.__file__).resolve().parent
    installed = package / "_templates" / name
    if installed.is_dir():
        return installed
    source = package.parent / "templates" / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"archc templates {name!r} not found in {installed} or {source}")


@functools.cache
def environment(name: str) -> jinja2.Environment:
    """The one Jinja environment of a template family (settings fixed by CONTEXT.md)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir(name))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        # compiling the templates is most of the Terraform emitter's time; jinja checks each
        # cached entry against the template source's checksum and the Python version
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(FILTERS)
    env.globals["generator"] = archc.GENERATOR  # the header's "archc 0.2.0"
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    from archc._cache import cache_dir

    directory = cache_dir("jinja")
    return jinja2.FileSystemBytecodeCache(str(directory)) if directory is not None else None


def template_names(name: str) -> list[str]:
    """Every renderable template (``*.j2`` whose file name does not start with ``_``)."""
    env = environment(name)
    return sorted(t for t in env.list_templates(extensions=["j2"])
                  if not Path(t).name.startswith("_"))
