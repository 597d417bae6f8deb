"""archc never runs the `diagrams` script it writes; the script still draws archc's picture.

archc builds its DOT from the drawing steps the script is printed from. These tests run the
written script in a *subprocess* (benign input only) under a ``Diagram`` that renders nothing,
and assert it builds the very same DOT; and that zones nested deeper than Python's 20 nested
blocks still give a script that compiles and draws the same picture.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from archc.emit import diagram
from archc.emit.diagram import render, script
from archc.kinds import Kind, Role
from archc.model import Architecture
from tests.unit.emit.test_diagram import _comp, _zone, sample_arch

# Loads the script as a module, swaps in a Diagram that prints its DOT instead of rendering.
HARNESS = """\
import importlib.util, sys
import diagrams
class BuildOnly(diagrams.Diagram):
    def __exit__(self, *exc):
        sys.stdout.write(str(self.dot.source))
        diagrams.setdiagram(None)
spec = importlib.util.spec_from_file_location("archc_diagram", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.Diagram = BuildOnly
module.main()
"""


def _script_dot(arch: Architecture, tmp_path: Path) -> str:
    path = tmp_path / "architecture.py"
    path.write_text(script.script_text(arch), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", HARNESS, str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["architecture.py"]  # nothing rendered
    return proc.stdout


def _archc_dot(arch: Architecture) -> str:
    return render.draw_dot(script.diagram_title(arch), script.drawing(arch))


def test_the_written_script_builds_archcs_dot(tmp_path: Path) -> None:
    arch = sample_arch()
    assert _script_dot(arch, tmp_path) == _archc_dot(arch)


def test_archc_does_not_execute_the_script(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emitter builds its DOT with neither exec() nor compile() of generated text."""
    import builtins

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("generated code executed in archc's process")

    # importing the icon modules the first time may compile() them (no .pyc yet): not ours
    diagram.emit(sample_arch(), None)  # type: ignore[arg-type]
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", refuse)
    result = diagram.emit(sample_arch(), None)  # type: ignore[arg-type]
    assert diagram.DOT_PATH in {f.path for f in result.files}


def _nested(depth: int) -> Architecture:
    """sample_arch with `depth` zones nested in a chain, a component in the innermost and one
    beside every tenth zone (so the deep part opens and closes zones in turn)."""
    arch = sample_arch()
    zones = [_zone(f"z{i}", f"Level {i}", Role.VPC, f"z{i - 1}" if i else None)
             for i in range(depth)]
    comps = [_comp("Deep", "Deepest service", Kind.INSTANCE, f"z{depth - 1}")]
    comps += [_comp(f"Side{i}", f"Side {i}", Kind.INSTANCE, f"z{i}") for i in range(0, depth, 10)]
    siblings = [_zone(f"s{i}", f"Sibling {i}", Role.VPC, f"z{i - 1}") for i in (18, 19, 24)]
    comps += [_comp(f"In_{z.id}", f"In {z.id}", Kind.INSTANCE, z.id) for z in siblings]
    return dataclasses.replace(arch, zones=arch.zones + tuple(zones + siblings),
                               components=arch.components + tuple(comps))


@pytest.mark.parametrize("depth", [script.MAX_WITH, 21, 30])
def test_deeply_nested_zones_compile_and_draw_the_same(tmp_path: Path, depth: int) -> None:
    """21 nested zones gave 21 nested `with` blocks: "too many statically nested blocks"."""
    arch = _nested(depth)
    text = script.script_text(arch)
    ast.parse(text)
    compile(text, "architecture.py", "exec")  # the compiler, not only the parser, accepts it
    dot = _script_dot(arch, tmp_path)
    assert dot == _archc_dot(arch)
    assert dot.count("subgraph cluster_z") == depth
    assert _with_depth(ast.parse(text)) == min(depth, script.MAX_WITH)
    assert ("__enter__()" in text) == (depth > script.MAX_WITH)


def _with_depth(node: ast.AST) -> int:
    """The deepest nesting of `with` statements in a tree."""
    inner = max((_with_depth(child) for child in ast.iter_child_nodes(node)), default=0)
    return inner + isinstance(node, ast.With)
