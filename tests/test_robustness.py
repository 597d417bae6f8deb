"""No traceback on any input: mutated diagrams and overlays only ever produce diagnostics."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from archc import pipeline
from archc.diagnostics import Severity

REPO = Path(__file__).resolve().parent.parent
JUNK = ['"', "[", "]", "(", ")", "{", "}", "|", "-->", "<-->", "end", "subgraph", ":", "%%",
        "\t", "\n", "@{", "&", ";", "#", "- ", "!!python/object:os.system", "*a", "&a", "~~~"]


def mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(chars) + 1)
        action = rng.random()
        if action < 0.4 and chars:
            del chars[pos:pos + rng.randint(1, 12)]
        elif action < 0.8:
            chars[pos:pos] = list(rng.choice(JUNK))
        else:
            lines = "".join(chars).splitlines(keepends=True)
            if lines:
                lines.insert(rng.randrange(len(lines)), rng.choice(lines))
            chars = list("".join(lines))
    return "".join(chars)


@pytest.mark.parametrize("target", ["architecture.mmd", "archc.yaml"])
def test_mutated_specs_never_raise(tmp_path: Path, target: str) -> None:
    rng = random.Random(f"archc-{target}")
    original = (REPO / "spec" / target).read_text(encoding="utf-8")
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    failures = 0
    for _ in range(120):
        (spec / target).write_text(mutate(original, rng), encoding="utf-8")
        outcome = pipeline.check(spec)  # must not raise
        errors = [d for d in outcome.diagnostics if d.severity is Severity.ERROR]
        if errors:
            failures += 1
            assert all(d.code.startswith("ARC") for d in errors)
            assert all(d.span is None or d.span.line >= 1 for d in errors)
    assert failures > 0  # the mutations do break things; the point is how


@pytest.mark.parametrize("target", ["architecture.mmd", "archc.yaml"])
def test_mutated_broken_specs_never_raise(tmp_path: Path, target: str) -> None:
    """The same on a spec that is already broken in every stage: `check` goes on past each
    error (partial charts, dropped overlay entries, follow-ups), so that code must hold too."""
    rng = random.Random(f"archc-broken-{target}")
    case = REPO / "tests" / "cases" / "every-stage-at-once" / "spec"
    original = (case / target).read_text(encoding="utf-8")
    spec = tmp_path / "spec"
    shutil.copytree(case, spec)
    for _ in range(60):
        (spec / target).write_text(mutate(original, rng), encoding="utf-8")
        outcome = pipeline.check(spec)  # must not raise
        assert not outcome.ok
        assert all(d.code.startswith("ARC") and d.code != "ARC149" for d in outcome.diagnostics)


def test_binary_and_empty_files(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    (spec / "architecture.mmd").write_bytes(b"\xff\xfe\x00garbage")
    assert not pipeline.check(spec).ok
    (spec / "architecture.mmd").write_text("", encoding="utf-8")
    assert not pipeline.check(spec).ok
    (spec / "architecture.mmd").write_text("flowchart TD\n  a --> b\n", encoding="utf-8")
    (spec / "archc.yaml").write_text("", encoding="utf-8")
    assert not pipeline.check(spec).ok
