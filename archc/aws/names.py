"""Unique identifiers for targets that need them (Terraform names, Python variables)."""

from __future__ import annotations

from collections.abc import Iterable


def unique_names(bases: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key -> base, made unique by suffixing `_2`, `_3`... in input order (deterministic)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for key, base in bases:
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names[key] = name
    return names
