"""The golden updater itself: it rewrites changed files and deletes stale ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Golden, compare_trees


def test_update_replaces_and_deletes_stale(tmp_path: Path) -> None:
    actual, expected = tmp_path / "actual", tmp_path / "expected"
    (actual / "sub").mkdir(parents=True)
    (actual / "sub" / "a.tf").write_text("new\n")
    (expected / "old").mkdir(parents=True)
    (expected / "old" / "stale.tf").write_text("stale\n")
    Golden(update=True).check_dir(actual, expected)
    assert compare_trees(actual, expected) == []
    assert not (expected / "old").exists()


def test_compare_reports_missing_unexpected_and_changed(tmp_path: Path) -> None:
    actual, expected = tmp_path / "actual", tmp_path / "expected"
    actual.mkdir()
    expected.mkdir()
    (actual / "same").write_text("x\n")
    (expected / "same").write_text("x\n")
    (actual / "changed").write_text("new\n")
    (expected / "changed").write_text("old\n")
    (actual / "extra").write_text("e\n")
    (expected / "gone").write_text("g\n")
    problems = "\n".join(compare_trees(actual, expected))
    assert "missing: gone" in problems
    assert "unexpected: extra" in problems
    assert "-old" in problems and "+new" in problems


def test_a_missing_golden_is_a_failure_not_an_empty_expectation(tmp_path: Path) -> None:
    golden = Golden(update=False)
    with pytest.raises(AssertionError, match="golden file .* is missing"):
        golden.check_text("", tmp_path / "expected" / "check.txt")
    (tmp_path / "actual").mkdir()
    with pytest.raises(AssertionError, match="golden tree .* is missing or empty"):
        golden.check_dir(tmp_path / "actual", tmp_path / "expected")
