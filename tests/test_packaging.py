"""A real (non-editable) install finds its templates: build the wheel, install it elsewhere,
and build a spec with it from a directory that is not the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from archc import __version__

REPO = Path(__file__).resolve().parent.parent


def test_wheel_carries_templates_and_installed_archc_builds(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(REPO)], check=True)
    wheel = next((tmp_path / "dist").glob("archc_cli-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "archc/_templates/terraform/modules/platform/main.tf.j2" in names
    assert "archc/spec/mermaid/grammar.lark" in names and "archc/spec/overlay.schema.json" in names

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True)
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", tmp_path / "spec")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import archc; "
            "from archc.emit._jinja import templates_dir; from archc.cli import main; "
            "where = str(templates_dir('terraform')); "
            "assert where.startswith(sys.argv[1]), where; "
            "sys.exit(main(['build', 'spec', '-o', 'out', '--only', 'terraform']))")
    proc = subprocess.run([sys.executable, "-c", code, str(site)], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "terraform" / "envs" / "dev" / "main.tf").is_file()


def _project() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_dependencies_are_ranges_and_dev_tools_are_pinned() -> None:
    """Ranges so archc installs beside a team's packages; each lower bound is what
    `make test-lowest` installs; the development tools stay exactly pinned."""
    project = _project()
    for requirement in project["dependencies"]:
        assert "==" not in requirement and ">=" in requirement and "<" in requirement, requirement
    for requirement in project["optional-dependencies"]["dev"]:
        assert "==" in requirement, requirement


def test_lowest_pins_are_the_lower_bounds() -> None:
    proc = subprocess.run([sys.executable, str(REPO / ".ci" / "lowest.py")], check=True,
                          capture_output=True, text=True)
    pins = proc.stdout.splitlines()
    names = [r.split(">=")[0] for r in _project()["dependencies"]]
    assert [p.split("==")[0] for p in pins[:-1]] == names
    assert pins[0] == "lark==" + _project()["dependencies"][0].split(">=")[1].split(",")[0]
    assert pins[-1].startswith("pytest==")


def test_version_has_one_source() -> None:
    project = _project()
    assert project["name"] == "archc-cli" and project["dynamic"] == ["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__} " in changelog, "CHANGELOG.md has no entry for this version"
