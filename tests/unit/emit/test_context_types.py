"""Template contexts match their types, key by key.

Every context the repository's specs produce is checked against its TypedDicts: the Terraform
context (archc.emit.terraform.context_types), the HCL arguments hcl_data computes from it, the
Helm chart contexts (archc.emit.helm.Chart) and the security report (security_report.Report):
no key the types do not name, no required key missing, every value of the declared type. A
builder that adds, drops or retypes a value fails here until its types say so. CONTEXT.md
names only keys the types declare, and gives every top-level, platform and input key a meaning.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NotRequired, Union, get_args, get_origin, get_type_hints

import pytest

from archc import pipeline
from archc.aws.security_groups import rule_rows, security_groups
from archc.emit import helm, security_report
from archc.emit.terraform import context_types, hcl_data
from archc.emit.terraform.context import build_context
from archc.model import Architecture

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


def _archs() -> list[tuple[str, Architecture]]:
    out = []
    for spec in SPECS:
        outcome = pipeline.check(spec)
        if outcome.ok and outcome.loaded.arch is not None:
            out.append((spec.relative_to(REPO).as_posix(), outcome.loaded.arch))
    return out


@pytest.fixture(scope="module")
def archs() -> list[tuple[str, Architecture]]:
    built = _archs()
    assert len(built) >= 3  # the seed, the examples, the valid cases
    return built


@pytest.fixture(scope="module")
def contexts(archs: list[tuple[str, Architecture]]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, dict(build_context(arch)[0])) for name, arch in archs]


def returns(fn: Callable[..., Any], value: Any, where: str) -> list[str]:
    """What in ``value`` (fn's result) does not match fn's declared return type."""
    return problems(value, get_type_hints(fn, include_extras=True)["return"], where)


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


def _hcl_values(ctx: dict[str, Any]) -> Iterator[tuple[Callable[..., Any], tuple[Any, ...]]]:
    p = ctx["platform"]
    yield hcl_data.node_groups, (p["eks"],)
    yield hcl_data.access_entries, (p["eks"],)
    for zone in p["dns_zones"]:
        yield hcl_data.dns_records, (zone,)
    yield hcl_data.subnet_ids, (p["network"]["subnet_tiers"],)
    yield hcl_data.platform_outputs, (p,)
    for lb in p["load_balancers"]:
        yield hcl_data.target_groups, (lb,)
        yield hcl_data.listeners, (lb, "var.certificate_arn")


def test_the_hcl_arguments_match_their_types(contexts: list[tuple[str, dict[str, Any]]]) -> None:
    found, seen = [], set()
    for name, ctx in contexts:
        for fn, args in _hcl_values(ctx):
            value = fn(*args)
            if value:
                seen.add(fn.__name__)
            found += returns(fn, value, f"{name}: tf.{fn.__name__}")
    assert found == []
    assert seen >= {"node_groups", "access_entries", "dns_records", "target_groups",
                    "listeners", "platform_outputs"}  # the specs exercise every one


def test_every_helm_chart_matches_its_types(archs: list[tuple[str, Architecture]]) -> None:
    charts = [(name, helm.charts(arch)) for name, arch in archs]
    assert any(built for _, built in charts)
    found = [p for name, built in charts for p in returns(helm.charts, built, f"{name}: charts")]
    assert found == []


def test_every_security_report_matches_its_type(archs: list[tuple[str, Architecture]]) -> None:
    found = []
    for name, arch in archs:
        rows, groups = rule_rows(arch)[0], security_groups(arch)
        for env in arch.environments:
            doc = security_report.report(arch, env, rows, groups)
            found += returns(security_report.report, doc, f"{name}: {env.name}")
    assert found == []


# --------------------------------------------------------------------------- CONTEXT.md
DOC = REPO / "templates" / "terraform" / "CONTEXT.md"
ROW = re.compile(r"^\| `([^`]+)` \|", re.M)


def documented_keys() -> list[str]:
    """The keys the meaning tables of CONTEXT.md (its section 4) explain."""
    text = DOC.read_text(encoding="utf-8")
    return ROW.findall(text[text.index("## 4."):text.index("## 5.")])


def _field(hint: Any) -> Any:
    """A key's type without NotRequired and ``| None``."""
    if get_origin(hint) is NotRequired:
        hint = get_args(hint)[0]
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(h for h in get_args(hint) if h is not type(None))
    return hint


def resolve(path: str) -> str | None:
    """Why ``path`` (``a.b[].c``, ``<key>`` for a map key) names no key of the context types."""
    hint: Any = context_types.Context
    for part in path.split("."):
        if part.startswith("<"):
            if get_origin(hint) is not dict:
                return f"{part}: not a map"
            hint = _field(get_args(hint)[1])
            continue
        name = part.removesuffix("[]")
        if not typing.is_typeddict(hint):
            return f"{name}: inside a {hint}"
        hints = get_type_hints(hint, include_extras=True)
        if name not in hints:
            return f"{name}: not in {hint.__name__}"
        hint = _field(hints[name])
        if part.endswith("[]"):
            if get_origin(hint) is not list:
                return f"{part}: not a list"
            hint = _field(get_args(hint)[0])
    return None


def test_context_md_names_only_keys_the_types_declare() -> None:
    keys = documented_keys()
    assert len(keys) > 30
    assert [f"{k}: {resolve(k)}" for k in keys if resolve(k)] == []


def test_context_md_explains_every_top_level_platform_and_input_key() -> None:
    keys = {k.replace("[]", "") for k in documented_keys()}
    wanted = [*get_type_hints(context_types.Context),
              *(f"platform.{k}" for k in get_type_hints(context_types.Platform)),
              *(f"environments.inputs.{k}" for k in get_type_hints(context_types.Inputs))]
    assert [k for k in wanted if k not in keys] == []


def test_the_doc_check_sees_an_unknown_key() -> None:
    assert resolve("platform.network.subnet_tiers[].vpc_list_index") is None
    assert resolve("modules.<key>.version") is None
    assert resolve("platform.network.surprise") == "surprise: not in Network"
    assert resolve("platform.eks[]") == "eks[]: not a list"
