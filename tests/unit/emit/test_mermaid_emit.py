"""The regenerated Mermaid: the same graph as the model, as read by archc and by Mermaid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archc.emit import mermaid
from archc.graph import to_graph
from archc.model import Architecture
from archc.spec import load_spec
from archc.spec.mermaid import parse_flowchart
from archc.spec.mermaid.oracle_json import to_oracle_json

REPO = Path(__file__).resolve().parents[3]
CANONICAL = REPO / "tests" / "fixtures" / "canonical"
SPECS = {"seed": Path("spec"), "data-platform": Path("examples/data-platform")}


def _arch(spec: Path, monkeypatch: pytest.MonkeyPatch) -> Architecture:
    monkeypatch.chdir(REPO)
    loaded = load_spec(spec)
    assert loaded.arch is not None, loaded.diagnostics
    return loaded.arch


def _text(arch: Architecture) -> str:
    files = {f.path: f.content for f in mermaid.emit(arch, to_graph(arch)).files}
    text = files["diagrams/architecture.mmd"]
    assert isinstance(text, str)
    return text


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_components_containment_and_flows(name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    arch = _arch(SPECS[name], monkeypatch)
    chart, diags = parse_flowchart(_text(arch), "architecture.mmd")
    assert chart is not None, diags
    assert [n.id for n in chart.nodes] == [c.id for c in arch.components]
    assert {n.id: n.parent for n in chart.nodes} == {c.id: c.zone for c in arch.components}
    assert {s.id: s.parent for s in chart.subgraphs} == {z.id: z.parent for z in arch.zones}
    assert [(e.src, e.dst) for e in chart.edges] == [(f.initiator, f.target) for f in arch.flows]
    for edge, flow in zip(chart.edges, arch.flows, strict=True):
        if flow.ports:
            assert flow.port_text() in edge.label


@pytest.mark.parametrize("name", sorted(SPECS))
def test_golden_and_mermaid_reference(name: str, golden, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The golden text, and the real Mermaid parser's JSON for it (tests/fixtures/canonical/
    regen.sh): archc reads the emitted text exactly as Mermaid does."""
    text = _text(_arch(SPECS[name], monkeypatch))
    golden.check_text(text, CANONICAL / f"{name}.mmd")
    chart, _ = parse_flowchart(text, "architecture.mmd")
    reference = json.loads((CANONICAL / f"{name}.mermaid.json").read_text(encoding="utf-8"))
    assert chart is not None and to_oracle_json(chart) == reference


def test_large_models_are_also_split_under_mermaid_limits(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from gen_spec import generate

    diagram, overlay = generate(1200)
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    arch = _arch(spec, monkeypatch)
    files = mermaid.emit(arch, to_graph(arch)).files
    parts = [f for f in files if f.path.startswith("diagrams/zones/")]
    assert len(arch.flows) > mermaid.MAX_EDGES and parts
    seen: set[str] = set()
    for part in parts:
        text = part.content
        assert isinstance(text, str) and len(text) <= mermaid.MAX_TEXT
        chart, _ = parse_flowchart(text, part.path)
        assert chart is not None and len(chart.edges) <= mermaid.MAX_EDGES
        seen |= {n.id for n in chart.nodes if not n.id.startswith("outside_")}
    assert seen == {c.id for c in arch.components}
