from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from archc import _write
from archc.diagnostics import Diagnostic
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


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("x.tf", "old\n")), out)
    out.rename(tmp_path / ".outputs.archc-old")  # died between the two renames
    _write.write_outputs(_files(("x.tf", "new\n")), out)
    assert (out / "x.tf").read_text() == "new\n"
    assert not (tmp_path / ".outputs.archc-old").exists()


# -- helpers ------------------------------------------------------------------------------


def snapshot(root: Path, times: bool = False) -> dict[str, tuple[object, ...]]:
    """Every entry below root from lstat: kind and mode, content or link target (and mtime)."""
    found: dict[str, tuple[object, ...]] = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder, name)
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                what: object = os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                what = path.read_bytes()
            else:
                what = None
            entry = (stat.filemode(st.st_mode), what)
            found[path.relative_to(root).as_posix()] = entry + ((st.st_mtime_ns,) if times
                                                                 and not stat.S_ISDIR(st.st_mode)
                                                                 else ())
    return found


def _codes(problems: list[Diagnostic]) -> list[str]:
    return [p.code for p in problems]


def _manifest(out: Path) -> dict[str, object]:
    return json.loads((out / "manifest.json").read_text())


def _set_manifest(out: Path, body: object) -> None:
    (out / "manifest.json").write_text(json.dumps(body))


def test_unchanged_outputs_are_kept_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("same.tf", "1\n"), ("edit.tf", "1\n")), out)
    before = {p: (out / p).stat() for p in ("same.tf", "edit.tf")}
    (out / "edit.tf").chmod(0o700)  # not the mode archc gives its files: written anew
    result = _write.write_outputs(_files(("same.tf", "1\n"), ("edit.tf", "1\n")), out)
    assert set(result.unchanged) >= {"same.tf", "edit.tf"}
    same = (out / "same.tf").stat()
    assert (same.st_ino, same.st_mtime_ns) == (before["same.tf"].st_ino,
                                               before["same.tf"].st_mtime_ns)
    assert same.st_nlink == 1
    assert (out / "edit.tf").stat().st_ino != before["edit.tf"].st_ino
    assert stat.S_IMODE((out / "edit.tf").stat().st_mode) == 0o666 & ~_write._umask()


# -- 1. nothing read from a manifest is trusted --------------------------------------------


GOOD = {"emitter": "terraform", "sha256": "0" * 64}


@pytest.mark.parametrize("path", [
    "lnk/../../x", "../x", "/etc/passwd", "C:/x", "c:x", "a\\b", "a\x00b", "a\x1b[31mb", "./x",
    "a//b", "a/", "", pytest.param("x" * 300, id="300-byte-name"), "manifest.json"])
def test_manifest_paths_are_validated(tmp_path: Path, path: str) -> None:
    out = tmp_path / "out"
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    body = _manifest(out)
    body["outputs"][path] = GOOD  # type: ignore[index]
    _set_manifest(out, body)
    found = _write.open_output_dir(out)
    assert _codes(found.diagnostics) == ["ARC054"]
    assert found.emitters == {"x.tf": ""}
    with pytest.raises(_write.OutputRefused):
        _write.write_outputs(_files(("x.tf", "y\n")), out)
    assert (out / "x.tf").read_text() == "x\n"


@pytest.mark.parametrize("text", [
    "[]", '"x"', '{"schema_version": "1"}', '{"schema_version": true}',
    '{"schema_version": 1, "schema_version": 1}',
    '{"schema_version": 1, "generator": "a", "inputs": {}, "outputs": []}',
    '{"schema_version": 1, "generator": "a", "inputs": {}, "outputs": {"a": "b"}}',
    '{"schema_version": 1, "generator": "a", "inputs": {}, "outputs": '
    '{"a": {"emitter": "rm -rf", "sha256": "' + "0" * 64 + '"}}}',
    '{"schema_version": 1, "generator": "a", "inputs": {}, "outputs": '
    '{"a": {"emitter": "terraform", "sha256": NaN}}}',
    '{"schema_version": 1, "generator": 3, "inputs": {"a": 1}, "outputs": {}}',
    '{"schema_version": 1, "generator": "a", "inputs": {}, "outputs": {}, "extra": 1}',
    '{"schema_version": 1, "generator": "a"', "\xff",
    pytest.param("[" * 100_000 + "]" * 100_000, id="100000-deep")])
def test_a_malformed_manifest_is_a_diagnostic(tmp_path: Path, text: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(text, encoding="latin-1")
    found = _write.open_output_dir(out)
    assert _codes(found.diagnostics)[:1] == ["ARC054"], found.diagnostics
    assert all(x.hint for x in found.diagnostics)


def test_a_json_error_in_the_manifest_points_at_its_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{\n  "schema_version": 1,,\n}')
    (problem,) = _write.open_output_dir(out).diagnostics
    assert problem.span is not None and (problem.span.line, problem.span.col) == (2, 23)


def test_a_huge_manifest_is_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    monkeypatch.setattr(_write, "MANIFEST_MAX_BYTES", 100)
    (problem,) = _write.open_output_dir(out).diagnostics
    assert problem.code == "ARC054" and "larger than 100 bytes" in problem.message


def test_a_manifest_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    elsewhere = tmp_path / "elsewhere.json"
    (out / "manifest.json").rename(elsewhere)
    (out / "manifest.json").symlink_to(elsewhere)
    assert _codes(_write.open_output_dir(out).diagnostics) == ["ARC054"]


def test_listed_files_behind_a_link_are_neither_read_nor_written(tmp_path: Path) -> None:
    """`--only` used to read `lnk/x` through a link to anywhere and carry it into outputs/."""
    out = tmp_path / "out"
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "x").write_text("secret\n")
    files = (OutputFile("lnk/x", "generated\n", "terraform"),)
    _write.write_outputs(files + (_write.manifest_file(files, {}),), out)
    shutil.rmtree(out / "lnk")
    (out / "lnk").symlink_to(secret)
    found = _write.open_output_dir(out)
    assert _codes(found.diagnostics) == ["ARC055"]
    assert "symbolic link" in found.diagnostics[0].message
    assert (secret / "x").read_text() == "secret\n"


# -- 2. the output directory: whose it is, what it keeps -------------------------------------


def test_keeps_what_archc_did_not_write_exactly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write.write_outputs(_files(("a/one.tf", "1\n"), ("two.tf", "2\n")), out)
    (out / "empty" / "deeper").mkdir(parents=True)
    (out / "private").mkdir(mode=0o750)
    (out / "private").chmod(0o750)
    (out / "private" / "key").write_text("k\n")
    (out / "private" / "key").chmod(0o600)
    (out / "run.sh").write_text("#!/bin/sh\n")
    (out / "run.sh").chmod(0o755)
    (out / "a" / "mine.txt").write_text("in a generated folder\n")
    (out / "to-dir").symlink_to("a")
    (out / "dangling").symlink_to("nowhere/at/all")
    (out / "outside").symlink_to(tmp_path)
    os.mkfifo(out / "pipe", 0o640)
    os.chmod(out / "pipe", 0o640)
    os.utime(out / "run.sh", ns=(10**18, 10**18))
    kept = {p: e for p, e in snapshot(out, times=True).items()
            if p not in ("a/one.tf", "two.tf", "manifest.json")}
    _write.write_outputs(_files(("a/one.tf", "changed\n"), ("three.tf", "3\n")), out)
    after = snapshot(out, times=True)
    assert {p: after.get(p) for p in kept} == kept
    assert set(after) - set(kept) == {"a/one.tf", "three.tf", "manifest.json"}
    assert (out / "a" / "one.tf").read_text() == "changed\n"


def test_refuses_a_directory_archc_did_not_make(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("mine\n")
    with pytest.raises(_write.OutputRefused) as refused:
        _write.write_outputs(_files(("x.tf", "x\n")), home)
    assert _codes(refused.value.diagnostics) == ["ARC053"]
    assert sorted(os.listdir(home)) == [".bashrc"]
    assert sorted(os.listdir(tmp_path)) == ["home"]


def test_an_empty_directory_is_taken(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o750)
    out.chmod(0o750)
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    assert (out / "x.tf").read_text() == "x\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o750  # the folder keeps its mode


@pytest.mark.parametrize("blocker", ["link", "file", "fifo"])
def test_never_writes_through_or_over_a_foreign_entry(tmp_path: Path, blocker: str) -> None:
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    target = out / "terraform"
    if blocker == "link":
        target.symlink_to(elsewhere)
    elif blocker == "file":
        target.write_text("mine\n")
    else:
        os.mkfifo(target)
    before = snapshot(out)
    with pytest.raises(_write.OutputRefused) as refused:
        _write.write_outputs(_files(("terraform/main.tf", "x\n")), out)
    assert _codes(refused.value.diagnostics) == ["ARC056"]
    assert snapshot(out) == before and os.listdir(elsewhere) == []


@pytest.mark.parametrize("paths", [("../x",), ("a", "a"), ("a", "a/b"), ("/abs",)])
def test_unsafe_emitted_paths_are_refused(tmp_path: Path, paths: tuple[str, ...]) -> None:
    """Emitted paths carry names from the spec: the writer checks them too."""
    files = tuple(OutputFile(p, "x\n", "helm") for p in paths)
    with pytest.raises(_write.OutputRefused) as refused:
        _write.write_outputs(files, tmp_path / "out")
    assert set(_codes(refused.value.diagnostics)) == {"ARC057"}
    assert os.listdir(tmp_path) == []


def test_check_mode_reads_nothing_through_links(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write.write_outputs(_files(("x.tf", "x\n")), out)
    (tmp_path / "real.tf").write_text("x\n")
    (out / "x.tf").unlink()
    (out / "x.tf").symlink_to(tmp_path / "real.tf")
    with pytest.raises(_write.OutputRefused) as refused:
        _write.diff_outputs(_files(("x.tf", "x\n")), out)
    assert _codes(refused.value.diagnostics) == ["ARC055"]


# -- 2. interrupted builds are recovered ------------------------------------------------------


def test_leftovers_of_archc_naming_are_removed_and_others_kept(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("x.tf", "old\n")), out)
    for name in (".outputs.archc-stage-ab12cd_3", ".outputs.archc-k2j4h5g6"):
        (tmp_path / name / "deep").mkdir(parents=True)
        (tmp_path / name / "deep").chmod(0o555)
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "keep").write_text("k\n")
    (tmp_path / ".outputs.archc-old").symlink_to(tmp_path / "victim")
    (tmp_path / ".outputs.not-archc").mkdir()
    _write.write_outputs(_files(("x.tf", "new\n")), out)
    assert sorted(os.listdir(tmp_path)) == [".outputs.not-archc", "outputs", "victim"]
    assert (tmp_path / "victim" / "keep").read_text() == "k\n"


# -- 3. the real swap, failing ----------------------------------------------------------------


def test_the_swap_is_one_exchange(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "from-a").touch()
    (tmp_path / "b").mkdir()
    assert _write._exchange(tmp_path / "a", tmp_path / "b")
    assert os.listdir(tmp_path / "b") == ["from-a"] and os.listdir(tmp_path / "a") == []


def _failing_replace(monkeypatch: pytest.MonkeyPatch, fail: Callable[[int], bool]) -> None:
    real, calls = os.replace, [0]

    def replace(src: object, dst: object) -> None:
        calls[0] += 1
        if fail(calls[0]):
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(_write.os, "replace", replace)


def _tree_with_foreign(tmp_path: Path) -> Path:
    out = tmp_path / "outputs"
    _write.write_outputs(_files(("a/x.tf", "old\n"), ("gone.tf", "old\n")), out)
    (out / "empty").mkdir()
    (out / "link").symlink_to("a")
    os.mkfifo(out / "pipe")
    return out


def test_a_failed_exchange_leaves_the_old_tree(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = _tree_with_foreign(tmp_path)
    before = snapshot(out, times=True)

    def broken(a: Path, b: Path) -> bool:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_write, "_exchange", broken)
    with pytest.raises(OSError):
        _write.write_outputs(_files(("a/x.tf", "new\n")), out)
    assert snapshot(out, times=True) == before
    assert sorted(os.listdir(tmp_path)) == ["outputs"]


def test_two_rename_swap_failing_midway_puts_the_old_tree_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _tree_with_foreign(tmp_path)
    before = snapshot(out, times=True)
    monkeypatch.setattr(_write, "_exchange", lambda a, b: False)  # a kernel without it
    _failing_replace(monkeypatch, lambda call: call == 2)  # staging -> outputs fails
    with pytest.raises(OSError):
        _write.write_outputs(_files(("a/x.tf", "new\n")), out)
    assert snapshot(out, times=True) == before
    assert sorted(os.listdir(tmp_path)) == ["outputs"]
    monkeypatch.undo()
    _write.write_outputs(_files(("a/x.tf", "new\n")), out)
    assert (out / "a" / "x.tf").read_text() == "new\n" and not (out / "gone.tf").exists()


def test_two_rename_swap_dying_midway_is_recovered_by_the_next_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _tree_with_foreign(tmp_path)
    before = snapshot(out, times=True)
    monkeypatch.setattr(_write, "_exchange", lambda a, b: False)
    _failing_replace(monkeypatch, lambda call: call > 1)  # as if killed after the first
    with pytest.raises(OSError):
        _write.write_outputs(_files(("a/x.tf", "new\n")), out)
    assert not out.exists() and (tmp_path / ".outputs.archc-old").is_dir()
    monkeypatch.undo()
    with _write.exclusive(out):  # what the next build does first
        assert snapshot(out, times=True) == before
    _write.write_outputs(_files(("a/x.tf", "new\n")), out)
    assert (out / "a" / "x.tf").read_text() == "new\n"
    assert sorted(os.listdir(tmp_path)) == ["outputs"]


def test_create_only_write_never_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    """`write_text_atomic(replace=False)` (archc init): a name that appeared meanwhile, even a
    dangling link, is kept as it is and nothing else is left in the folder."""
    target = tmp_path / "archc.yaml"
    _write.write_text_atomic(target, "version: 1\n", replace=False)
    assert target.read_text(encoding="utf-8") == "version: 1\n"
    for existing in (target, tmp_path / "link.yaml"):
        if existing.name == "link.yaml":
            existing.symlink_to(tmp_path / "nowhere")
        with pytest.raises(FileExistsError):
            _write.write_text_atomic(existing, "other\n", replace=False)
    assert target.read_text(encoding="utf-8") == "version: 1\n"
    assert (tmp_path / "link.yaml").is_symlink() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archc.yaml", "link.yaml"]
