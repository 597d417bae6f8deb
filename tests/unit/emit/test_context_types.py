"""The Terraform context matches its types (archc.emit.terraform.context_types), key by key.

Every context the repository's specs produce is checked: no key the types do not name, no
required key missing, every value of the declared type. A context builder that adds, drops or
retypes a value fails here until the types (and CONTEXT.md) say so.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, NotRequired, Union, get_args, get_origin, get_type_hints

import pytest

from archc import pipeline
from archc.emit.terraform import context_types
from archc.emit.terraform.context import build_context

REPO = Path(__file__).resolve().parents[3]
SPECS = [REPO / "spec", *sorted((REPO / "examples").glob("*/")),
         *sorted((REPO / "tests" / "cases").glob("*/spec"))]


def problems(value: Any, hint: Any, where: str) -> list[str]:
    origin = get_origin(hint)
    if hint is Any:
        return []
    if origin in (Union, types.UnionType):
        found = [problems(value, h, where) for h in get_args(hint)]
        return [] if any(not f for f in found) else min(found, key=len)
    if typing.is_typeddict(hint):
        return typed_dict_problems(value, hint, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        return [p for i, v in enumerate(value) for p in problems(v, get_args(hint)[0],
                                                                  f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not a dict"]
        return [p for k, v in value.items() for p in problems(v, get_args(hint)[1],
                                                               f"{where}.{k}")]
    if hint is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if hint is int and isinstance(value, bool):
        return [f"{where}: a bool where an int is declared"]
    return [] if isinstance(value, hint) else [f"{where}: {type(value).__name__}, not "
                                               f"{hint.__name__}"]


def typed_dict_problems(value: Any, cls: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}, not {cls.__name__}"]
    hints = get_type_hints(cls, include_extras=True)
    out = [f"{where}.{k}: not in {cls.__name__}" for k in value if k not in hints]
    for key, hint in hints.items():
        optional = get_origin(hint) is NotRequired
        hint = get_args(hint)[0] if optional else hint
        if key not in value:
            out += [] if optional else [f"{where}.{key}: missing from the context"]
        else:
            out += problems(value[key], hint, f"{where}.{key}")
    return out


def _contexts() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for spec in SPECS:
        outcome = pipeline.check(spec)
        if outcome.ok and outcome.loaded.arch is not None:
            out.append((spec.relative_to(REPO).as_posix(), build_context(outcome.loaded.arch)[0]))
    return out


@pytest.fixture(scope="module")
def contexts() -> list[tuple[str, dict[str, Any]]]:
    built = _contexts()
    assert len(built) >= 3  # the seed, the examples, the valid cases
    return built


def test_every_context_matches_its_types(contexts: list[tuple[str, dict[str, Any]]]) -> None:
    found = [f"{name}: {p}" for name, ctx in contexts
             for p in problems(ctx, context_types.Context, "context")]
    assert found == []


def test_the_checker_sees_a_missing_an_extra_and_a_retyped_key(
        contexts: list[tuple[str, dict[str, Any]]]) -> None:
    ctx = dict(contexts[0][1])
    ctx["platform"] = dict(ctx["platform"], max_az_count="3", surprise=1)
    del ctx["state"]
    found = problems(ctx, context_types.Context, "context")
    assert sorted(found) == ["context.platform.max_az_count: str, not int",
                             "context.platform.surprise: not in Platform",
                             "context.state: missing from the context"]
