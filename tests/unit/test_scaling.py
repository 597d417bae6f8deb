"""Stages that must stay linear in the size of the architecture (bench/bench_catalog.py
measures them on specs mixing every catalog kind): each reads the model's flows in one pass,
not once per component."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from archc.aws.derivation import Derivation
from archc.catalog import CATALOG
from archc.emit import mermaid
from archc.emit.terraform import moves
from archc.emit.terraform.catalog import kind_files
from archc.model import Architecture
from bench.gen_catalog import generate
from tests.unit.emit.test_terraform_emit import load


class _CountingFlows(tuple):  # type: ignore[type-arg]
    """The architecture's flows, counting the passes over all of them."""

    passes = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).passes += 1
        return super().__iter__()


def test_the_views_of_a_kinds_components_read_the_flows_once(tmp_path: Path) -> None:
    """A view per component scanning every flow made the catalog's Terraform O(N x F)."""
    v = Derivation(_counted(tmp_path))
    _CountingFlows.passes = 0
    files = kind_files(v)
    queues = next(f for f in files if f["kind"] == "sqs_queue")["items"]
    assert len(queues) == 27 and all(q["consumers"] for q in queues)
    assert _CountingFlows.passes == 1


def test_the_rename_identities_read_the_flows_once(tmp_path: Path) -> None:
    """An identity per component re-reading every label and flow was O(N x (N + F)): 36 s of
    the 40 s Terraform emission of 3,000 components."""
    arch = _counted(tmp_path)
    _CountingFlows.passes = 0
    found = moves.records(arch)
    assert len(found) == len(arch.components)
    assert _CountingFlows.passes == 1
    # the same identity as one computed alone
    comp = arch.components[-1]
    assert found[comp.id]["identity"] == moves.identity(arch, comp)


def test_the_mermaid_parts_read_the_flows_once(tmp_path: Path) -> None:
    """A part per zone (or page) scanning every flow made splitting O(parts x F)."""
    arch = _counted(tmp_path)
    _CountingFlows.passes = 0
    parts = mermaid._split_by_zone(arch, "%% header")
    assert len(parts) >= 2
    assert _CountingFlows.passes == 1


def _counted(tmp_path: Path) -> Architecture:
    """Queues and the instances that consume them, with flows that count their passes."""
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram, overlay = generate(60, kinds=[CATALOG["sqs_queue"], CATALOG["instance"]])
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    arch = load(spec)
    return dataclasses.replace(arch, flows=_CountingFlows(arch.flows))
