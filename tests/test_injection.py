"""Labels are data: whatever a diagram's labels contain, no generated file can be hijacked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archc.cli import main
from tests.conftest import assert_terraform_fmt_clean

REPO = Path(__file__).resolve().parent.parent
EVIL = 'API ${var.secret} %{ if true }x%{ endif } back\\\\slash #quot;q#quot; } resource'


def test_hostile_labels_stay_inert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    mmd = (spec / "architecture.mmd").read_text(encoding="utf-8")
    mmd = mmd.replace('API["API Service"]', f'API["{EVIL}"]')
    mmd = mmd.replace('|"API Traffic"|', f'|"{EVIL}"|')
    (spec / "architecture.mmd").write_text(mmd, encoding="utf-8")
    (spec / "archc.yaml").write_text((spec / "archc.yaml").read_text(encoding="utf-8")
                                     + "components:\n  API: {kind: backend_service}\n",
                                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "spec", "-o", "out"]) == 0
    tf_files = sorted((tmp_path / "out" / "terraform").rglob("*.tf"))
    # Comments may quote a label verbatim (they are one line and never evaluated); code may not.
    code = [line for p in tf_files for line in p.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#")]
    text = "\n".join(code)
    assert "$${var.secret}" in text  # the label did reach the code, escaped
    assert "${var.secret}" not in text.replace("$${var.secret}", "")
    assert "%{ if" not in text.replace("%%{ if", "")
    import hcl2

    for path in tf_files:  # every file still parses: nothing broke out of a string
        hcl2.loads(path.read_text(encoding="utf-8"))
    assert_terraform_fmt_clean(tmp_path / "out" / "terraform")
    for path in (tmp_path / "out" / "security").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    script = (tmp_path / "out" / "diagrams" / "architecture.py").read_text(encoding="utf-8")
    compile(script, "architecture.py", "exec")  # still valid Python
