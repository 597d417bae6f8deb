"""Shared test fixtures: golden directory comparison, refreshed only with --update-golden."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite expected golden files from the actual output")


class Golden:
    """Compare a produced directory tree (or one file) with the expected one, byte for byte."""

    def __init__(self, update: bool):
        self.update = update

    def check_dir(self, actual: Path, expected: Path) -> None:
        if self.update:
            replace_tree(actual, expected)
            return
        problems = compare_trees(actual, expected)
        assert not problems, "golden mismatch:\n" + "\n".join(problems)

    def check_text(self, actual: str, expected: Path) -> None:
        if self.update:
            expected.parent.mkdir(parents=True, exist_ok=True)
            expected.write_text(actual, encoding="utf-8")
            return
        want = expected.read_text(encoding="utf-8") if expected.exists() else ""
        if actual != want:
            diff = difflib.unified_diff(want.splitlines(True), actual.splitlines(True),
                                        str(expected), "actual")
            raise AssertionError("golden mismatch (run pytest --update-golden):\n"
                                 + "".join(diff))


def files_of(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def compare_trees(actual: Path, expected: Path) -> list[str]:
    got, want = files_of(actual), files_of(expected)
    problems = [f"missing: {p}" for p in sorted(set(want) - set(got))]
    problems += [f"unexpected: {p}" for p in sorted(set(got) - set(want))]
    for path in sorted(set(got) & set(want)):
        if got[path] != want[path]:
            try:
                diff = difflib.unified_diff(want[path].decode().splitlines(True),
                                            got[path].decode().splitlines(True),
                                            f"expected/{path}", f"actual/{path}")
                problems.append("".join(diff))
            except UnicodeDecodeError:
                problems.append(f"binary file differs: {path}")
    if problems:
        problems.append("(run `pytest --update-golden` and review the diff like code)")
    return problems


def replace_tree(actual: Path, expected: Path) -> None:
    """Make `expected` an exact copy of `actual`: stale golden files are deleted."""
    if expected.exists():
        shutil.rmtree(expected)
    if actual.exists():
        shutil.copytree(actual, expected)
    else:
        expected.mkdir(parents=True)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))
