"""A real (non-editable) install finds its templates: build the wheel, install it elsewhere,
and build a spec with it from a directory that is not the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_carries_templates_and_installed_archc_builds(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(REPO)], check=True)
    wheel = next((tmp_path / "dist").glob("archc-*.whl"))
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
