"""`archc fmt --write`: a link stays a link, nothing is written outside the tree, modes stay."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from archc.cli import main

MESSY = "flowchart LR\nA-->B\n"


def _canonical(tmp_path: Path) -> str:
    probe = tmp_path / "probe.mmd"
    probe.write_text(MESSY)
    assert main(["fmt", "--write", str(probe)]) == 0
    text = probe.read_text()
    probe.unlink()
    assert text != MESSY
    return text


def test_a_link_inside_the_tree_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    canonical = _canonical(tmp_path)
    (tmp_path / "docs").mkdir()
    target = tmp_path / "docs" / "arch.mmd"
    target.write_text(MESSY)
    target.chmod(0o640)
    (tmp_path / "spec").mkdir()
    link = tmp_path / "spec" / "architecture.mmd"
    link.symlink_to("../docs/arch.mmd")
    assert main(["fmt", "--write", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == "../docs/arch.mmd"
    assert target.read_text() == canonical
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_link_out_of_the_tree_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    outside = tmp_path / "outside.mmd"
    outside.write_text(MESSY)
    link = repo / "architecture.mmd"
    link.symlink_to(outside)
    assert main(["fmt", "--write", str(link)]) == 1
    # refused before it is even read (ARC011), as `parse` and `fmt --check` refuse it
    assert "error[ARC011]" in capsys.readouterr().err
    assert outside.read_text() == MESSY and link.is_symlink()


def test_the_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.mmd"
    path.write_text(MESSY)
    path.chmod(0o600)
    assert main(["fmt", "--write", str(path)]) == 0
    assert path.read_text() != MESSY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_canonical_file_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.mmd"
    path.write_text(_canonical(tmp_path))
    inode = path.stat().st_ino
    assert main(["fmt", "--write", str(path)]) == 0
    assert path.stat().st_ino == inode


def test_a_linked_folder_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "a.mmd").write_text(MESSY)
    (repo / "spec").symlink_to(tmp_path / "outside")
    assert main(["fmt", "--write", str(repo / "spec" / "a.mmd")]) == 1
    assert (tmp_path / "outside" / "a.mmd").read_text() == MESSY
