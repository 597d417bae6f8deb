"""`build --check` does not depend on the Graphviz installed: the PNG/SVG that Graphviz renders
are judged by the DOT they were rendered from (archc's own output), recorded in the manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archc._write import sha256
from archc.cli import main
from archc.emit.diagram import DOT_PATH, RENDERED_FROM

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "tests" / "cases" / "minimal-three-tier" / "spec"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not "
                               "installed (apt-get install graphviz)")


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SPEC, tmp_path / "spec")
    return Path("spec")


def build(*extra: str) -> int:
    return main(["build", "spec", "-o", "out", "--only", "diagram", *extra])


def without_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))


def as_if_rendered_elsewhere(out: Path) -> None:
    """What another Graphviz version writes: other image bytes, and their hashes recorded."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for path in RENDERED_FROM:
        data = (out / path).read_bytes() + b"\n<!-- another renderer -->\n"
        (out / path).write_bytes(data)
        manifest["outputs"][path]["sha256"] = sha256(data)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")


@needs_dot
def test_manifest_records_what_each_image_was_rendered_from(spec: Path) -> None:
    assert build() == 0
    outputs = json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))["outputs"]
    dot_hash = sha256(Path("out", DOT_PATH).read_bytes())
    for path in RENDERED_FROM:
        assert outputs[path]["source_sha256"] == dot_hash
    assert "source_sha256" not in outputs[DOT_PATH]


@needs_dot
def test_check_passes_with_another_graphviz_version(spec: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert build() == 0
    as_if_rendered_elsewhere(Path("out"))
    assert build("--check") == 0, capsys.readouterr().err


@needs_dot
def test_check_passes_without_graphviz(spec: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert build() == 0
    without_graphviz(monkeypatch, tmp_path)
    assert build("--check") == 0, capsys.readouterr().err


@needs_dot
def test_outputs_built_without_graphviz_pass_check_with_it(
        spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with monkeypatch.context() as m:
        without_graphviz(m, tmp_path)
        assert build() == 0
    assert not any(Path("out", p).exists() for p in RENDERED_FROM)
    assert build("--check") == 0, capsys.readouterr().err


@needs_dot
@pytest.mark.parametrize("graphviz", [True, False])
def test_images_of_a_changed_diagram_are_stale(spec: Path, tmp_path: Path, graphviz: bool,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert build() == 0
    mmd = spec / "architecture.mmd"
    mmd.write_text(mmd.read_text(encoding="utf-8").replace('"', '"Renamed ', 1),
                   encoding="utf-8")
    if not graphviz:
        without_graphviz(monkeypatch, tmp_path)
    assert build("--check") == 1
    err = capsys.readouterr().err
    for path in (DOT_PATH, *RENDERED_FROM):
        assert f"out/{path}" in err


@needs_dot
def test_hand_edited_image_is_stale(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build() == 0
    png = next(p for p in RENDERED_FROM if p.endswith(".png"))
    Path("out", png).write_bytes(b"\x89PNG not what archc wrote")
    assert build("--check") == 1
    assert f"changed out/{png}" in capsys.readouterr().err


@needs_dot
def test_other_manifest_changes_are_still_stale(spec: Path) -> None:
    assert build() == 0
    manifest = Path("out/manifest.json")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        f'"{DOT_PATH}": {{', f'"{DOT_PATH}": {{\n      "extra": "x",'), encoding="utf-8")
    assert build("--check") == 1


@needs_dot
def test_check_does_not_run_graphviz(spec: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The images are judged by their DOT, so `--check` never draws them (about half of a
    `build --check` on the seed): a `dot` that would fail and leave a trace is not called."""
    assert build() == 0
    fake = tmp_path / "fake-graphviz"
    fake.mkdir()
    (fake / "dot").write_text(f"#!/bin/sh\n: > '{tmp_path / 'dot-ran'}'\nexit 1\n")
    (fake / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    assert build("--check") == 0
    assert not (tmp_path / "dot-ran").exists()
    assert "ARC50" not in capsys.readouterr().err
