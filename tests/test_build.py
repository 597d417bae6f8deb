"""`archc build`: deterministic, atomic, stale-file aware; `--check` guards committed outputs."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archc.cli import main
from tests.conftest import files_of

REPO = Path(__file__).resolve().parent.parent


def build(spec: Path, out: Path, *extra: str) -> int:
    return main(["build", str(spec), "-o", str(out), *extra])


def digest(root: Path) -> dict[str, str]:
    return {p: hashlib.sha256(b).hexdigest() for p, b in files_of(root).items()}


def test_committed_outputs_are_up_to_date(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """outputs/ is the dogfood golden: a PR that changes spec/ must commit the rebuild."""
    monkeypatch.chdir(REPO)
    code = main(["build", "spec", "--check"])
    assert code == 0, capsys.readouterr().err


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert build(Path("spec"), tmp_path / "a") == 0
    assert build(Path("spec"), tmp_path / "b") == 0
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_other_hash_seed_gives_the_same_bytes(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = tmp_path / "seeded"
    subprocess.run([sys.executable, "-m", "archc", "build", "spec", "-o", str(out)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    here = tmp_path / "here"
    monkeypatch.chdir(REPO)
    assert build(Path("spec"), here) == 0
    assert digest(out) == digest(here)


def test_outputs_carry_no_machine_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert build(Path("spec"), tmp_path / "o") == 0
    for path, data in files_of(tmp_path / "o").items():
        if path.endswith(".png"):
            continue
        text = data.decode("utf-8")
        assert str(REPO) not in text and str(tmp_path) not in text, path
        assert "site-packages" not in text, path


def test_failed_check_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO / "tests" / "cases" / "public-to-data-flow")
    out = tmp_path / "o"
    assert build(Path("spec"), out) == 1
    assert not out.exists()
    assert "nothing written" in capsys.readouterr().err


def test_previous_outputs_survive_a_failed_build(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    out = tmp_path / "o"
    monkeypatch.chdir(tmp_path)
    assert build(spec, out) == 0
    before = digest(out)
    (spec / "architecture.mmd").write_text("flowchart LR\n  a[\n", encoding="utf-8")
    assert build(spec, out) == 1
    assert digest(out) == before


def test_check_lists_stale_files_and_build_removes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    out = tmp_path / "o"
    monkeypatch.chdir(tmp_path)
    assert build(spec, out) == 0
    (out / "diagrams" / "architecture.mmd").write_text("edited\n", encoding="utf-8")
    owned = out / "diagrams" / "old.txt"
    owned.write_text("x\n", encoding="utf-8")
    capsys.readouterr()
    assert build(spec, out, "--check") == 1
    err = capsys.readouterr().err
    assert "changed" in err and "diagrams/architecture.mmd" in err
    assert build(spec, out) == 0
    assert owned.exists()  # not ours: never listed in a manifest, so kept
    assert (out / "diagrams" / "architecture.mmd").read_text().startswith("%% Generated")


def test_every_generated_text_file_has_a_do_not_edit_header(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert build(Path("spec"), tmp_path / "o") == 0
    for path, data in files_of(tmp_path / "o").items():
        if path.endswith((".png", ".json")) or "/icons/" in path:
            continue
        head = data.decode("utf-8")[:300]
        assert "DO NOT EDIT" in head, path


def test_partial_builds_keep_the_other_outputs(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    monkeypatch.chdir(tmp_path)
    assert build(spec, tmp_path / "o") == 0
    full = digest(tmp_path / "o")
    assert main(["diagram", "spec", "-o", "o"]) == 0
    assert digest(tmp_path / "o") == full
    assert build(spec, tmp_path / "o", "--only", "terraform") == 0
    assert digest(tmp_path / "o") == full
    (spec / "architecture.mmd").write_text(
        (spec / "architecture.mmd").read_text().replace("API Traffic", "Requests"))
    assert main(["diagram", "spec", "-o", "o"]) == 0
    after = digest(tmp_path / "o")
    changed = {p for p in full if after.get(p) != full[p]}
    assert "diagrams/architecture.mmd" in changed and "manifest.json" in changed
    assert not any(p.startswith("terraform/") for p in changed)
