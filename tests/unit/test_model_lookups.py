"""The IR's lookups (by id, zone chains, subnets by zone) belong to the instance that made
them: no module-level cache keeps an IR alive or hands a replaced one stale answers."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from archc import pipeline
from archc.model import Architecture

REPO = Path(__file__).resolve().parents[2]


def _seed() -> Architecture:
    arch = pipeline.check(REPO / "spec").loaded.arch
    assert arch is not None
    return arch


def test_lookups_hold_no_reference_to_the_tuples_they_index() -> None:
    base = _seed()
    components = tuple(base.components)
    zones = tuple(base.zones)
    arch = dataclasses.replace(base, components=components, zones=zones)
    before = sys.getrefcount(components), sys.getrefcount(zones)
    assert arch.component(components[0].id) is components[0]
    assert arch.zone(zones[-1].id) is zones[-1]
    assert arch.ancestors(zones[-1].id)[0] is zones[-1]
    # the old id()-keyed module caches kept (tuple, index) alive after the IR was gone
    assert (sys.getrefcount(components), sys.getrefcount(zones)) == before


def test_a_replaced_ir_answers_from_its_own_fields() -> None:
    arch = _seed()
    first = arch.components[0]
    assert arch.component(first.id) is first
    renamed = dataclasses.replace(first, label="renamed")
    other = dataclasses.replace(arch, components=(renamed, *arch.components[1:]))
    assert other.component(first.id) is renamed and arch.component(first.id) is first
    env = arch.environments[0]
    zone = env.subnets[0].zone
    emptied = dataclasses.replace(env, subnets=())
    assert env.subnets_of(zone) and emptied.subnets_of(zone) == ()
