"""End-to-end golden cases: `archc check` on each spec folder, diagnostics compared as text.

A case is `tests/cases/<name>/spec/` with its expected report in `tests/cases/<name>/
expected/check.txt` (and the `check` flags it needs, if any, in `tests/cases/<name>/flags`);
the examples under `examples/` are cases too, with their reports in
`tests/cases/examples/<name>.txt`. Refresh with `pytest --update-golden`.
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from archc.cli import main

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (REPO / "tests" / "cases").iterdir() if (p / "spec").is_dir())
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.is_dir())


def run_check(cwd: Path, spec: str, monkeypatch: pytest.MonkeyPatch,
              *flags: str) -> str:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("NO_COLOR", "1")
    out, err = io.StringIO(), io.StringIO()
    args = ["check", spec, *flags]
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return f"$ archc {' '.join(args)}\n{err.getvalue()}{out.getvalue()}exit: {code}\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    report = run_check(case, "spec", monkeypatch, *_flags(case))
    golden.check_text(report, case / "expected" / "check.txt")


def _flags(case: Path) -> list[str]:
    """Extra `check` flags a case asks for in its `flags` file (e.g. -v to show notes)."""
    flags = case / "flags"
    return flags.read_text(encoding="utf-8").split() if flags.is_file() else []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example(example: Path, golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    report = run_check(example.parent, example.name, monkeypatch, "-v")
    golden.check_text(report, REPO / "tests" / "cases" / "examples" / f"{example.name}.txt")


def test_spec_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    report = run_check(REPO, "spec", monkeypatch)
    assert report.endswith("exit: 0\n"), report
    assert "error[" not in report


def test_every_failing_case_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    for case in CASES:
        report = run_check(case, "spec", monkeypatch)
        valid = case.name.startswith(("minimal", "valid"))
        assert report.endswith("exit: 0\n" if valid else "exit: 1\n"), (case.name, report)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
