"""Hostile sizes: work that must stay near-linear in the input, pinned by counting operations
(or by a RecursionError on the old code), never by timing."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from types import MappingProxyType

import pytest

from archc import model
from archc.kinds import Kind, Role, Tier
from archc.model import Environment, SubnetBlock, Zone
from archc.rules import addressing as addressing_rules
from archc.source import SourceFile, Span
from archc.subnet_plan import SubnetNeed, allocate, first_overlaps

SPAN = Span("archc.yaml", 1, 1, 1, 2)


def _nested_zones(depth: int) -> tuple[Zone, ...]:
    return tuple(Zone(f"z{i}", f"Z {i}", Role.CLOUD, None, f"z{i - 1}" if i else None, SPAN)
                 for i in range(depth))


def test_zone_chains_compare_ids_not_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    """The old chain walk tested `zone not in chain` with dataclass equality: depth³ calls."""
    calls = 0
    original = Zone.__eq__

    def counting_eq(self: Zone, other: object) -> bool:
        nonlocal calls
        calls += 1
        return original(self, other)

    monkeypatch.setattr(Zone, "__eq__", counting_eq)
    zones = _nested_zones(60)
    chains = model._chains(zones)
    assert [z.id for z in chains["z59"]] == [f"z{i}" for i in range(59, -1, -1)]
    assert chains["z0"] == (zones[0],)
    assert calls == 0


def test_zone_chains_stop_at_a_cycle() -> None:
    zones = (Zone("a", "A", Role.CLOUD, None, "b", SPAN),
             Zone("b", "B", Role.CLOUD, None, "a", SPAN))
    assert [z.id for z in model._chains(zones)["a"]] == ["a", "b"]


class _CountingText(str):
    splits = 0

    def splitlines(self, keepends: bool = False) -> list[str]:
        type(self).splits += 1
        return super().splitlines(keepends)


def test_source_lines_are_split_once_for_many_diagnostics() -> None:
    """Quoting a line for each diagnostic split the whole file every time."""
    text = _CountingText("".join(f"line {i}\n" for i in range(500)))
    source = SourceFile("architecture.mmd", text)
    assert [source.line_text(n) for n in (1, 250, 500, 501)] == ["line 0", "line 249",
                                                                 "line 499", ""]
    for n in range(1, 501):
        source.line_text(n)
    assert _CountingText.splits <= 1


def _count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    counter = [0]
    original = getattr(owner, name)

    def counting(*args: object, **kwargs: object) -> object:
        counter[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return counter


def test_allocation_does_not_rescan_every_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each allocation used to try candidates from the VPC's start against every block taken."""
    overlaps = _count_calls(monkeypatch, ipaddress.IPv4Network, "overlaps")
    vpc = ipaddress.ip_network("10.0.0.0/16")
    needs = [SubnetNeed(f"s{i}", Tier.DATA, i, 1, ()) for i in range(120)]
    needs.append(SubnetNeed("x", Tier.DATA, 999, 1, ("10.0.7.0/24", "10.0.9.0/24")))
    blocks, unfit = allocate(vpc, 2, needs)
    assert unfit == []
    cidrs = [ipaddress.ip_network(c) for _, _, c in blocks]
    assert len(set(cidrs)) == len(cidrs) == 242
    assert ("s0", 0, "10.0.0.0/24") in blocks and ("s3", 1, "10.0.8.0/24") in blocks
    assert ("s4", 0, "10.0.10.0/24") in blocks
    assert overlaps[0] <= len(needs)


def test_first_overlaps_matches_the_pairwise_answer() -> None:
    nets = [ipaddress.ip_network(c) for c in (
        "10.1.0.0/16", "10.0.0.0/16", "10.1.2.0/24", "10.0.0.0/8", "192.168.0.0/24",
        "10.1.2.0/24", "fd00::/64")] + [None]
    assert first_overlaps(nets) == [None, None, 0, 0, None, 0, None, None]


def _env(name: str, cidr: str) -> Environment:
    return Environment(name, cidr, 2, "single", False, (), MappingProxyType({}),
                       MappingProxyType({}), SPAN)


def test_environment_vpcs_are_parsed_once_and_each_reported_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pair of environments re-parsed both CIDRs and could report n² overlaps."""
    parses = _count_calls(monkeypatch, ipaddress, "ip_network")
    envs = [_env(f"e{i}", f"10.{i // 256}.{i % 256}.0/24") for i in range(300)]
    envs += [_env("dup1", "10.0.5.0/24"), _env("dup2", "10.0.0.0/16")]
    found = addressing_rules._between_environments(envs)
    assert parses[0] <= len(envs)
    assert [(f.message.split("'s")[0], f.notes[0].message) for f in found] == [
        ("environment dup1", "e5 uses 10.0.5.0/24"), ("environment dup2", "e0 uses 10.0.0.0/24")]


def test_subnet_overlaps_are_reported_once_per_block() -> None:
    blocks = tuple(SubnetBlock(f"s{i}", 0, "10.0.0.0/24", explicit=True) for i in range(50))
    env = Environment("dev", "10.0.0.0/16", 1, "single", False, blocks,
                      MappingProxyType({}), MappingProxyType({}), SPAN)
    found = addressing_rules._overlaps(env)
    assert len(found) == 49
    assert all("overlaps 's0'" in f.message for f in found)


class _CountingTables(dict):  # type: ignore[type-arg]
    """A rule table cache that counts lookups of alternations holding look-ahead rules."""

    tries = 0

    def get(self, key: object, default: object = None) -> object:
        found = super().get(key, default)
        if found is not None and any(a[0] in _SCANNING_RULES for a in found[1]):  # type: ignore[index]
            type(self).tries += 1
        return found


_SCANNING_RULES = frozenset({56, 57, 58, 59, 60, 61})  # `.*direction ...`, LINK_ID


@pytest.mark.parametrize("tail", ["", ";direction", ";Z[\"mail@host\"]"])
def test_one_line_statements_do_not_rescan_the_line(monkeypatch: pytest.MonkeyPatch,
                                                     tail: str) -> None:
    """`A-->B;B-->C;...` on one line tried the rules that scan to the end of the line (or of
    the run) at every token: quadratic. They may only be tried where they can match."""
    from archc.spec.mermaid import lexer as _mermaid_lexer
    from archc.spec.mermaid import parse_flowchart

    for value in vars(_mermaid_lexer).values():
        for cond in value.values() if isinstance(value, dict) else [value]:
            if isinstance(cond, _mermaid_lexer._Condition):
                monkeypatch.setattr(cond, "by_char", _CountingTables())
    _CountingTables.tries = 0
    edges = 300
    text = "flowchart TD\n" + ";".join(f"N{i}-->N{i + 1}" for i in range(edges)) + tail + "\n"
    chart, diags = parse_flowchart(text, "architecture.mmd")
    assert chart is not None and not diags
    assert len(chart.edges) == edges
    assert _CountingTables.tries <= 3


def _nested_diagram(depth: int) -> str:
    lines = ["flowchart TD"] + [f'subgraph z{i} ["Z {i}"]' for i in range(depth)]
    return "\n".join([*lines, 'A["app"]', *["end"] * depth, "A --> B"]) + "\n"


def test_subgraphs_nested_past_the_limit_are_refused_with_a_position() -> None:
    """1,000 nested subgraphs crashed `archc parse` (RecursionError) and took minutes in
    `check`; past MAX_NESTING levels the diagram is refused, pointing at a subgraph."""
    from archc.spec.mermaid import parse_flowchart
    from archc.spec.mermaid.db import MAX_NESTING

    chart, diags = parse_flowchart(_nested_diagram(MAX_NESTING), "architecture.mmd")
    assert chart is not None and not diags
    chart, diags = parse_flowchart(_nested_diagram(1000), "architecture.mmd")
    assert chart is None
    assert [(d.code, d.span.line if d.span else 0) for d in diags] == [("ARC122", 2 + 1000 -
                                                                         MAX_NESTING - 1)]


def test_parse_outline_of_a_deep_diagram(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    from archc.cli import main

    path = tmp_path / "architecture.mmd"
    path.write_text(_nested_diagram(1000))
    assert main(["parse", str(path)]) == 1
    assert "ARC122" in capsys.readouterr().err


def test_outline_and_mermaid_emitter_walk_any_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    """`archc parse`'s outline and the Mermaid emitter recursed once per level."""
    from archc.emit import mermaid as mermaid_emit
    from archc.spec.describe import describe_flowchart
    from archc.spec.mermaid import db as _mermaid_db
    from archc.spec.mermaid import parse_flowchart

    depth = 1500  # past Python's recursion limit; the parser's own limit is lifted here
    monkeypatch.setattr(_mermaid_db, "MAX_NESTING", 2 * depth, raising=False)
    chart, diags = parse_flowchart(_nested_diagram(depth), "architecture.mmd")
    assert chart is not None and not diags
    outline = describe_flowchart(chart).splitlines()
    assert outline[depth].strip() == f"subgraph z{depth - 1} 'Z {depth - 1}'"
    assert outline[depth + 1].strip() == "A [square] 'app'"

    zones = _nested_zones(depth)
    comp = model.Component("A", "app", Kind.INSTANCE, f"z{depth - 1}", MappingProxyType({}), SPAN)
    arch = model.Architecture(
        "p", "aws", "us-east-1", "", MappingProxyType({}), zones, (comp,), (), (),
        model.Policy(frozenset(), (), (), "ssm"), MappingProxyType({}), MappingProxyType({}),
        MappingProxyType({}), ())
    lines = mermaid_emit._top_level(arch, arch.components)
    assert len(lines) == 2 * depth + 1
    assert lines[depth].strip().startswith("A[") and lines[-1] == "    end"


class _Walked(tuple):  # type: ignore[type-arg]
    """A tuple that counts how often it is walked."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def test_canonical_printer_groups_dropped_members_once() -> None:
    """Each subgraph's block scanned every member any subgraph had dropped."""
    import dataclasses

    from archc.spec.mermaid import parse_flowchart
    from archc.spec.mermaid.fmt import _Body

    text = "flowchart TD\n" + "".join(f"subgraph s{i}\nN{i}\nend\nsubgraph t{i}\nN{i}\nend\n"
                                      for i in range(100))
    chart, _ = parse_flowchart(text, "architecture.mmd")
    assert chart is not None and len(chart.dropped_members) == 100
    chart = dataclasses.replace(chart, dropped_members=_Walked(chart.dropped_members))
    _Walked.walks = 0
    lines = _Body(chart).nested(compact=False)
    assert lines[:6] == ["    subgraph s0", "        N0", "    end",
                         "    subgraph t0", "        N0", "    end"]
    assert _Walked.walks <= 2


def test_did_you_mean_is_budgeted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Every bare id an edge mentions was compared with every name in the diagram: 20,000
    edges of them took minutes. Suggestions now stop once a budget of comparisons is spent."""
    import difflib

    from archc.cli import main
    from archc.spec.link import Linker

    compared = [0]
    original = difflib.get_close_matches

    def counting(word: str, possibilities: list[str], *args: object, **kw: object) -> list[str]:
        compared[0] += len(possibilities)
        return original(word, possibilities, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    monkeypatch.setattr(Linker, "_suggestion_budget", 5_000, raising=False)
    nodes = 200
    (tmp_path / "architecture.mmd").write_text(
        "flowchart TD\n" + "".join(f"N{i} --> N{i + 1}\n" for i in range(nodes)))
    (tmp_path / "archc.yaml").write_text("version: 1\nproject: hostile\nregion: us-east-1\n")
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("error[ARC207]") == nodes + 1
    assert "hint: did you mean 'N90'?" in err  # the first ones still get a suggestion
    assert compared[0] <= 5_000 + nodes + 1


def test_kind_inference_reads_a_bounded_part_of_a_label(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty-odd patterns each searched the whole label: a 50 MB label took 12 s in check."""
    from archc import kinds

    scanned = [0]

    class CountingPattern:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern.pattern
            self._compiled = pattern

        def search(self, text: str) -> re.Match[str] | None:
            scanned[0] += len(text)
            return self._compiled.search(text)

    monkeypatch.setattr(kinds, "LABEL_KINDS", tuple(
        (CountingPattern(p), k) for p, k in kinds.LABEL_KINDS))
    label = "Amazon RDS " + "x" * 1_000_000
    assert kinds.infer_kind("db", label) == (Kind.DATABASE, kinds.infer_kind("db", "RDS")[1])
    assert kinds.kind_candidates("db", label) == kinds.kind_candidates("db", "Amazon RDS")
    assert scanned[0] <= 4 * len(kinds.LABEL_KINDS) * 1_000


def test_diagrams_past_the_item_limit_are_refused_at_the_first_one_too_many(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """200,000 edges took 20 s in check (linear, ~0.1 ms each): counts are capped."""
    from archc.spec.mermaid import db as _mermaid_db
    from archc.spec.mermaid import parse_flowchart

    monkeypatch.setattr(_mermaid_db, "MAX_ITEMS", 30, raising=False)
    text = "flowchart TD\n" + "".join(f"A{i} --> B{i}\n" for i in range(15))
    chart, diags = parse_flowchart(text, "architecture.mmd")
    assert chart is not None and not diags  # 30 nodes, 15 edges
    text = "flowchart TD\n" + "".join(f"A{i} --> B{i}\n" for i in range(40))
    chart, diags = parse_flowchart(text, "architecture.mmd")
    assert chart is None
    assert [(d.code, str(d.span)) for d in diags] == [("ARC123", "architecture.mmd:17:1"),
                                                      ("ARC123", "architecture.mmd:32:5")]
    assert "more than 30 nodes" in diags[0].message and "30 edges" in diags[1].message
    # `archc check` parses partially (issue 14), but a chart past a limit is never linked:
    # linking the first 100,000 of 200,000 edges took minutes.
    assert parse_flowchart(text, "architecture.mmd", partial=True)[0] is None


def test_subnets_of_a_zone_are_grouped_once() -> None:
    """Emitters ask every environment for every zone's blocks: a scan each was quadratic."""
    blocks = _Walked(SubnetBlock(f"s{i // 2}", i % 2, f"10.0.{i}.0/24")
                             for i in range(400))
    env = Environment("dev", "10.0.0.0/16", 2, "single", False, blocks,
                      MappingProxyType({}), MappingProxyType({}), SPAN)
    _Walked.walks = 0
    assert [b.cidr for b in env.subnets_of("s7")] == ["10.0.14.0/24", "10.0.15.0/24"]
    assert env.subnets_of("nope") == ()
    for i in range(200):
        assert len(env.subnets_of(f"s{i}")) == 2
    assert _Walked.walks <= 1
