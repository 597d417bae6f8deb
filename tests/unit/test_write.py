from __future__ import annotations

import json
from pathlib import Path

import pytest

from archc import _write
from archc.emit import OutputFile


def _files(*pairs: tuple[str, str]) -> tuple[OutputFile, ...]:
    files = tuple(OutputFile(p, t) for p, t in pairs)
    return files + (_write.manifest_file(files, {"spec/a.mmd": b"x"}),)


def test_write_removes_stale_and_keeps_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("a/one.tf", "1\n"), ("two.tf", "2\n")), out)
    (out / "NOTES.md").write_text("mine\n")
    result = _write.write_outputs(_files(("a/one.tf", "1\n"), ("three.tf", "3\n")), out)
    assert result.removed == ("two.tf",)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "NOTES.md", "a/one.tf", "manifest.json", "three.tf"]
    assert "a/one.tf" in result.unchanged


def test_manifest_is_versioned_and_has_no_clock(tmp_path: Path) -> None:
    files = _files(("x.tf", "x\n"))
    manifest = json.loads(files[-1].data)
    assert manifest["schema_version"] == 1
    assert set(manifest) == {"schema_version", "generator", "inputs", "outputs"}


def test_check_mode_lists_changes_without_writing(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    result = _write.diff_outputs(_files(("x.tf", "changed\n")), out)
    assert "x.tf" in result.written
    assert (out / "x.tf").read_text() == "x\n"


def test_failed_write_leaves_previous_outputs(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("x.tf", "old\n")), out)

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_write, "_swap", boom)
    with pytest.raises(OSError):
        _write.write_outputs(_files(("x.tf", "new\n")), out)
    assert (out / "x.tf").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["outputs"]


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("x.tf", "old\n")), out)
    out.rename(tmp_path / ".outputs.archc-old")  # died between the two renames
    _write.write_outputs(_files(("x.tf", "new\n")), out)
    assert (out / "x.tf").read_text() == "new\n"
    assert not (tmp_path / ".outputs.archc-old").exists()
