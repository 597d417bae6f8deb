"""Very large models get DOT and a warning instead of a Graphviz run that takes minutes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from archc.emit import diagram
from archc.graph import to_graph
from archc.spec import load_spec

REPO = Path(__file__).resolve().parents[3]


def test_large_models_skip_rendering_with_a_warning(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from gen_spec import generate

    diagram_text, overlay = generate(diagram.MAX_RENDERED_COMPONENTS + 60)
    (tmp_path / "architecture.mmd").write_text(diagram_text, encoding="utf-8")
    (tmp_path / "archc.yaml").write_text(overlay, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    arch = load_spec(tmp_path).arch
    assert arch is not None and len(arch.components) > diagram.MAX_RENDERED_COMPONENTS
    result = diagram.emit(arch, to_graph(arch))
    paths = {f.path for f in result.files}
    assert diagram.DOT_PATH in paths and diagram.SCRIPT_PATH in paths
    assert not {"diagrams/architecture.png", "diagrams/architecture.svg"} & paths
    assert [x.code for x in result.diagnostics] == ["ARC504"]


def test_check_reports_the_limit_without_building_the_dot(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` reports ARC504 as build does, from the component count alone: the DOT (the
    diagram emitter's whole cost) is never built in check."""
    from archc import pipeline
    from archc.emit.diagram import render

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("check built the DOT")

    monkeypatch.setattr(render, "build_dot", refuse)
    monkeypatch.setattr(diagram, "MAX_RENDERED_COMPONENTS", 3)
    monkeypatch.chdir(REPO)
    found = [d for d in pipeline.check(Path("spec")).diagnostics if d.code == "ARC504"]
    assert len(found) == 1 and "components are more than one picture can show" in found[0].message
