"""A check whose tool is missing is never silently skipped: a skip saying so locally, a failure
under CI (CI=true), for this suite's own `missing_tool` and for any importorskip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parent.parent
PROBES = '''
import pytest

from tests import conftest


def test_own_helper():
    conftest.missing_tool("frobnicator", "apt-get install frobnicator")


def test_importorskip():
    pytest.importorskip("archc_no_such_module")


def test_terraform_nowhere(monkeypatch):
    conftest._terraform_argv.cache_clear()
    monkeypatch.setattr(conftest.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        conftest.terraform_argv()
    finally:
        conftest._terraform_argv.cache_clear()


@pytest.mark.skipif(True, reason="Graphviz `dot` is not installed")
def test_skipif_on_a_tool():
    pass


def test_other_reason():
    pytest.skip("only meaningful on Windows")
'''
MODULE_LEVEL = '''
import pytest

pytest.importorskip("archc_no_such_module")


def test_x():
    pass
'''


def outcomes(tmp_path: Path, ci: bool) -> dict[str, str]:
    """Test (or module) name -> passed, skipped, failure or error, from pytest's JUnit XML."""
    (tmp_path / "test_probes.py").write_text(PROBES, encoding="utf-8")
    (tmp_path / "test_module_level.py").write_text(MODULE_LEVEL, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(REPO), **({"CI": "true"} if ci else {}))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p",
                           "no:cacheprovider", "-q", "--continue-on-collection-errors",
                           "--junitxml=report.xml", "test_probes.py", "test_module_level.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    found = {}
    for case in ElementTree.parse(tmp_path / "report.xml").iter("testcase"):
        outcome = [child.tag for child in case if child.tag in ("skipped", "failure", "error")]
        found[case.get("name", "")] = outcome[0] if outcome else "passed"
    assert len(found) == 6, proc.stdout + proc.stderr
    return found


def test_missing_tool_is_a_skip_outside_ci(tmp_path: Path) -> None:
    assert set(outcomes(tmp_path, ci=False).values()) == {"skipped"}


def test_missing_tool_fails_under_ci(tmp_path: Path) -> None:
    found = outcomes(tmp_path, ci=True)
    assert found.pop("test_other_reason") == "skipped"  # not a missing tool
    assert set(found.values()) <= {"failure", "error"}, found
