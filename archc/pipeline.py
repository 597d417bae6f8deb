"""The whole pipeline on one screen: load → model → graph → rules → emit → write.

Each stage returns diagnostics instead of raising and degrades instead of stopping, so that
`check` reports every finding in one run; `build` emits and writes only when none is an error.
Only `archc.cli` turns the outcome into text and exit codes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archc import diagnostics as d
from archc.spec import LoadedSpec, load_spec

if TYPE_CHECKING:
    import networkx as nx

    from archc.emit import OutputFile

# Told after each stage what it made (`archc.cli` shows it as progress on a terminal).
OnStage = Callable[[str, str], None]


def no_progress(stage: str, detail: str) -> None:
    """No progress wanted."""


@dataclass
class CheckOutcome:
    loaded: LoadedSpec
    graph: nx.MultiDiGraph[str] | None
    diagnostics: list[d.Diagnostic]

    @property
    def ok(self) -> bool:
        return self.loaded.arch is not None and not d.has_errors(self.diagnostics)


@dataclass
class BuildOutcome:
    check: CheckOutcome
    files: tuple[OutputFile, ...] = ()
    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.check.ok


def check(spec_dir: Path, env: str | None = None, on_stage: OnStage = no_progress,
          emitter_findings: bool = True) -> CheckOutcome:
    """`emitter_findings=False`: leave out what the emitters find, for a caller that runs them
    all next (a full build) and reports their findings itself."""
    from archc.graph import to_graph
    from archc.rules import run_rules

    loaded = load_spec(spec_dir)                                    # load + model
    if loaded.arch is not None:
        on_stage("load", f"{len(loaded.arch.components)} components, "
                         f"{len(loaded.arch.flows)} flows")
    diags = list(loaded.diagnostics)
    graph = None
    arch = loaded.arch
    # The rules run on whatever linked, errors or not: one run reports every stage's
    # findings (what linking could not tell, the rules leave out; see `archc.spec.followups`).
    if arch is not None:
        if env is not None and arch.environment(env) is None:
            known = ", ".join(e.name for e in arch.environments)
            diags.append(d.error("ARC003", f"no environment named {env!r}", None,
                                 hint=f"known environments: {known}"))
        else:
            graph = to_graph(arch)                                  # graph
            diags += _rule_findings(loaded, run_rules(arch, graph, env))  # rules
            if emitter_findings and not d.has_errors(diags):  # as build: from a clean spec
                diags += _emitter_findings(loaded, graph)
            on_stage("rules", f"{len(diags)} findings")
    return CheckOutcome(loaded, graph, d.sorted_diagnostics(diags))


def _emitter_findings(loaded: LoadedSpec, graph: nx.MultiDiGraph[str]) -> list[d.Diagnostic]:
    """What the emitters find deriving the outputs (ARC5xx: a flow with no security-group
    meaning, a DNS name assumed, ...), so that `check` and its SARIF show every warning `build`
    would; build reports each once (`_add` drops what check already holds). The diagram
    emitter is asked only what it finds in the spec: building its DOT can only add what the
    machine lacks (Graphviz, `diagrams`), which build reports."""
    from archc.emit import emit_all, emitter_names
    from archc.emit.diagram import spec_findings

    assert loaded.arch is not None
    others = tuple(name for name in emitter_names() if name != "diagram")
    found = emit_all(loaded.arch, graph, only=others).diagnostics
    return list(dict.fromkeys([*found, *spec_findings(loaded.arch)]))


def _rule_findings(loaded: LoadedSpec, found: list[d.Diagnostic]) -> list[d.Diagnostic]:
    """Without the overlay (it could not be read at all) the rules judge kinds, tiers and a
    policy that are only guesses: what they find follows from the overlay's error."""
    from archc.spec.followups import follow_up

    lost = loaded.causes.overlay_lost
    return [follow_up(x, lost) if x.severity is d.Severity.ERROR else x for x in found]


def build(spec_dir: Path, out_dir: Path, env: str | None = None,
          only: tuple[str, ...] | None = None, dry_run: bool = False,
          on_stage: OnStage = no_progress) -> BuildOutcome:
    from archc import _write
    from archc.emit import emit_all
    from archc.emit.diagram import images_not_drawn

    # A full build runs every emitter below and reports their findings; a partial one asks
    # check for them, so that it reports what the emitters it skips would.
    checked = check(spec_dir, env, on_stage, emitter_findings=bool(only))
    # the output directory is checked before emitting, so a bad -o costs nothing; what it
    # holds may spare the diagram emitter a Graphviz run (its images, when their input and
    # bytes prove unchanged)
    previous = _write.open_output_dir(out_dir, spec_dir)
    _add(checked, previous.diagnostics)
    if not checked.ok:
        return BuildOutcome(checked)
    arch = checked.loaded.arch
    assert arch is not None and checked.graph is not None
    if dry_run:  # --check judges images by their DOT and never draws (see _write)
        with images_not_drawn():
            emitted = emit_all(arch, checked.graph, only, previous)                 # emit
    else:
        emitted = emit_all(arch, checked.graph, only, previous)                     # emit
    on_stage("emit", f"{len(emitted.files)} files")
    _add(checked, list(emitted.diagnostics))
    if d.has_errors(checked.diagnostics):
        return BuildOutcome(checked)
    inputs = {s.path: s.text.encode("utf-8") for s in checked.loaded.sources}
    lock = contextlib.nullcontext() if dry_run else _write.exclusive(out_dir)
    with lock:  # one writer; what a killed build left is cleaned up first
        target = _write.open_output_dir(out_dir, spec_dir)
        files = emitted.files
        if only:  # a partial build keeps what the other emitters wrote last time
            files += target.carried(only)
        # a partial build without Terraform keeps the record of the last one that had it
        terraform = emitted.terraform or (target.terraform if only else None)
        files += (_write.manifest_file(files, inputs, terraform),)
        _add(checked, target.diagnostics + target.plan_problems(files))
        if d.has_errors(checked.diagnostics):
            return BuildOutcome(checked)
        result = target.stale(files) if dry_run else target.write(files)      # write
    on_stage("check outputs" if dry_run else "write", f"{len(result.written)} changed")
    return BuildOutcome(checked, files, result.written, result.unchanged, result.removed)


def _add(checked: CheckOutcome, diagnostics: list[d.Diagnostic]) -> None:
    known = set(checked.diagnostics)  # the emitters re-derive what check already reported
    fresh = [x for x in diagnostics if x not in known]
    checked.diagnostics = d.sorted_diagnostics(checked.diagnostics + fresh)
