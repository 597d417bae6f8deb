"""House style is checked like behaviour: ruff and mypy --strict (pinned in the dev extra)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from tests.conftest import missing_tool

REPO = Path(__file__).resolve().parent.parent


def test_ruff_is_clean() -> None:
    if importlib.util.find_spec("ruff") is None:
        missing_tool("ruff", "it is in the dev extra: `make setup-dev`")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "archc", "tests", "bench"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_is_clean() -> None:
    """The annotations are checked, not only written ([tool.mypy] in pyproject.toml: strict,
    the whole package)."""
    if importlib.util.find_spec("mypy") is None:
        missing_tool("mypy", "it is in the dev extra: `make setup-dev`")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "archc"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
