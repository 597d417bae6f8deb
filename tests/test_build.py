"""`archc build`: deterministic, atomic, stale-file aware; `--check` guards committed outputs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
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


# -- hostile output directories and manifests (issue 8) ------------------------------------


def _spec_copy(tmp_path: Path) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    return spec


def test_a_crafted_manifest_path_cannot_reach_outside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`--only` trusted `lnk/../../x` from manifest.json: read and rewrote a file outside."""
    spec = _spec_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert build(spec, Path("o")) == 0
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "o" / "lnk").symlink_to(tmp_path / "deep" / "er")
    victim = tmp_path / "victim.txt"
    victim.write_text("private\n")
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    manifest["outputs"]["lnk/../../victim.txt"] = {"emitter": "terraform", "sha256": "0" * 64}
    (tmp_path / "o" / "manifest.json").write_text(json.dumps(manifest))
    before = digest(tmp_path / "o")
    capsys.readouterr()
    assert build(spec, Path("o"), "--only", "diagram") == 1
    err = capsys.readouterr().err
    assert "error[ARC054]" in err and "'lnk/../../victim.txt'" in err and "not normalised" in err
    assert digest(tmp_path / "o") == before
    assert victim.read_text() == "private\n" and sorted(os.listdir(tmp_path)) == [
        "deep", "o", "spec", "victim.txt"]


@pytest.mark.parametrize(("out", "code", "says"), [
    (".", 1, "ARC050"), ("/", 1, "ARC050"), ("..", 1, "ARC050"), ("README.md", 1, "ARC050"),
    ("spec", 1, "ARC051"), ("spec/out", 1, "ARC051"), ("", 2, "an empty path"),
    ("home", 1, "ARC053"), ("link", 1, "ARC050")])
def test_unusable_output_directories_are_clear_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        out: str, code: int, says: str) -> None:
    spec = _spec_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("# readme\n")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".profile").write_text("mine\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    before = {p.name for p in tmp_path.iterdir()}
    with pytest.raises(SystemExit) if code == 2 else contextlib.nullcontext() as exited:
        assert main(["build", str(spec.name), "-o", out]) == code
    if code == 2:
        assert exited.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert {p.name for p in tmp_path.iterdir()} == before
    assert (tmp_path / "README.md").read_text() == "# readme\n"
    assert os.listdir(tmp_path / "elsewhere") == [] and os.listdir(tmp_path / "home") == [
        ".profile"]


def test_the_repository_root_is_not_an_output_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    spec = _spec_copy(repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert build(spec, repo) == 1
    assert "ARC051" in capsys.readouterr().err
    assert sorted(os.listdir(repo)) == [".git", "spec"]


def test_the_kept_tree_survives_a_partial_build(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert build(spec, Path("o")) == 0
    (tmp_path / "o" / "empty").mkdir()
    (tmp_path / "o" / "terraform" / "link").symlink_to("../diagrams")
    os.mkfifo(tmp_path / "o" / "pipe")
    assert build(spec, Path("o"), "--only", "mermaid") == 0
    assert (tmp_path / "o" / "empty").is_dir()
    assert os.readlink(tmp_path / "o" / "terraform" / "link") == "../diagrams"
    assert stat.S_ISFIFO((tmp_path / "o" / "pipe").lstat().st_mode)


def _as_nobody() -> list[str]:
    """Run a child as nobody when the tests run as root (CI): permissions only bind others."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop privileges for this test")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder an unprivileged child can use (pytest's tmp_path is root's, mode 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="archc-test-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def _child_build(cwd: Path, out: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_as_nobody(), sys.executable, "-m", "archc", "build", "spec",
                           "-o", out], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_read_only_output_directory_builds_again_and_again(shared_tmp: Path) -> None:
    """The old tree sat in `.o.archc-old`, undeletable; every later build then failed."""
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", shared_tmp / "spec")
    if os.geteuid() == 0:
        for path in [shared_tmp, *shared_tmp.rglob("*")]:
            os.chown(path, 65534, 65534)
    first = _child_build(shared_tmp, "o")
    assert first.returncode == 0, first.stderr
    (shared_tmp / "o" / "kept").mkdir()
    (shared_tmp / "o" / "kept" / "file").write_text("k\n")
    if os.geteuid() == 0:  # the user's own read-only folder
        for path in (shared_tmp / "o" / "kept", shared_tmp / "o" / "kept" / "file"):
            os.chown(path, 65534, 65534)
    for folder in (shared_tmp / "o" / "kept", shared_tmp / "o" / "terraform", shared_tmp / "o"):
        folder.chmod(0o555)
    mmd = shared_tmp / "spec" / "architecture.mmd"
    for label in ("Requests", "Calls"):
        mmd.write_text(mmd.read_text().replace("API Traffic", label).replace("Requests", label))
        again = _child_build(shared_tmp, "o")
        assert again.returncode == 0, again.stderr
        assert sorted(os.listdir(shared_tmp)) == ["o", "spec"]
        assert label in (shared_tmp / "o" / "diagrams" / "architecture.mmd").read_text()
        assert stat.S_IMODE((shared_tmp / "o").stat().st_mode) == 0o555
        assert stat.S_IMODE((shared_tmp / "o" / "kept").stat().st_mode) == 0o555


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_read_only_parent_is_an_io_error_that_changes_nothing(shared_tmp: Path) -> None:
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", shared_tmp / "spec")
    (shared_tmp / "ro").mkdir()
    if os.geteuid() == 0:
        for path in [shared_tmp, *shared_tmp.rglob("*")]:
            os.chown(path, 65534, 65534)
    assert _child_build(shared_tmp, "ro/o").returncode == 0
    before = digest(shared_tmp / "ro" / "o")
    (shared_tmp / "ro").chmod(0o555)
    mmd = shared_tmp / "spec" / "architecture.mmd"
    mmd.write_text(mmd.read_text().replace("API Traffic", "Requests"))
    failed = _child_build(shared_tmp, "ro/o")
    assert failed.returncode == 4 and "Permission denied" in failed.stderr
    assert "nothing in ro/o/ was replaced" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert digest(shared_tmp / "ro" / "o") == before
    assert sorted(os.listdir(shared_tmp / "ro")) == ["o"]
