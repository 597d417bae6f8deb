"""The kind catalog: every kind archc compiles, one `KindSpec` each (archc/catalog/spec.py).

`FAMILIES` is the registry, in the order label inference tries them: the seed's unmistakable
words first, then each family, then the seed's broad words ("database", "service", "users").
Adding a kind is adding its entry to its family's table (plus, when it emits Terraform, its
template under templates/terraform/kinds/) and its tests; nothing else names it.
"""

from __future__ import annotations

from archc.catalog import (
    containers,
    data,
    edge,
    integration,
    messaging,
    operations,
    seed,
    serverless,
)
from archc.catalog.spec import KindSpec

FAMILIES: tuple[tuple[KindSpec, ...], ...] = (
    seed.FIRST,
    containers.KINDS,
    serverless.KINDS,
    data.KINDS,
    messaging.KINDS,
    integration.KINDS,
    edge.KINDS,
    operations.KINDS,
    seed.LAST,
)

CATALOG: dict[str, KindSpec] = {spec.name: spec for family in FAMILIES for spec in family}


# The diagnostic codes the kinds' Terraform builds report (ARC540-ARC589), with their meaning.
CATALOG_CODES: dict[str, str] = {
    **containers.CODES, **serverless.CODES, **data.CODES, **messaging.CODES, **integration.CODES,
    **edge.CODES,
    **operations.CODES,
}


def spec_of(kind: str) -> KindSpec:
    """The catalog entry of a kind (every kind a component can have is one)."""
    return CATALOG[kind]
