"""`archc check` reports every finding `archc build` would: SARIF in code scanning comes from
`check`, so a warning only `build` printed (ARC522 once was) never reached a reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc import pipeline
from archc.diagnostics import Severity

REPO = Path(__file__).resolve().parent.parent
SPECS = [REPO / "spec", *sorted(p.parent for p in (REPO / "examples").glob("*/architecture.mmd")),
         REPO / "tests" / "cases" / "minimal-three-tier" / "spec",
         *sorted((REPO / "tests" / "cases_diff").glob("*/head"))]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(REPO)))
def test_check_reports_every_warning_build_reports(spec: Path, tmp_path: Path) -> None:
    checked = pipeline.check(spec)
    assert checked.ok, [str(x) for x in checked.diagnostics]
    built = pipeline.build(spec, tmp_path / "out", dry_run=True)
    assert built.ok

    def found(diagnostics: list) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
        return {(x.code, x.message, str(x.span)) for x in diagnostics
                if x.severity is not Severity.ERROR}

    assert found(built.check.diagnostics) - found(checked.diagnostics) == set()
