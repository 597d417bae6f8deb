"""Input files are regular files inside the spec directory, at most 4 MiB: never a link out,
a FIFO, a device, or a path the overlay names (issue 8, "reading what it should not")."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

from archc import pipeline
from archc.cli import main
from archc.source import MAX_INPUT_BYTES, InputRefused, read_input

REPO = Path(__file__).resolve().parents[3]
SECRET = "SECRET-LINE-do-not-quote"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed spec in tmp/spec, with the working directory at tmp."""
    shutil.copytree(REPO / "spec", tmp_path / "spec")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "spec"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.mmd"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


def codes(spec_dir: Path) -> list[str]:
    return [x.code for x in pipeline.check(spec_dir).diagnostics if x.severity.value == "error"]


def check_output(spec_dir: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["check", str(spec_dir), "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 1
    return out + err


# --------------------------------------------------------------------------- read_input
def test_a_regular_file_inside_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.mmd").write_bytes(b"flowchart LR\n")
    assert read_input(tmp_path / "a.mmd", tmp_path) == b"flowchart LR\n"


def test_size_limit_is_checked_on_what_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.mmd"
    path.write_bytes(b"x" * 11)
    assert read_input(path, tmp_path, limit=11) == b"x" * 11
    with pytest.raises(InputRefused) as exc:
        read_input(path, tmp_path, limit=10)
    assert exc.value.code == "ARC012"


def test_a_file_that_grew_after_stat_is_still_read_only_to_the_cap() -> None:
    import io

    from archc.source import _read_at_most

    assert _read_at_most(io.BytesIO(b"x" * 100), expected=10, cap=51) == b"x" * 51
    assert _read_at_most(io.BytesIO(b"x" * 100), expected=10, cap=500) == b"x" * 100
    assert _read_at_most(io.BytesIO(b"x" * 5), expected=10, cap=500) == b"x" * 5


def test_the_limit_is_4_mib() -> None:
    # 8 MiB of short edges took 1.26 GB of memory in check; 4 MiB stays under 1 GiB.
    assert MAX_INPUT_BYTES == 4 * 1024 * 1024


def test_a_file_over_the_limit_is_a_positioned_error(spec: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with (spec / "architecture.mmd").open("r+b") as handle:  # sparse: cheap to make
        handle.truncate(MAX_INPUT_BYTES + 1)
    out = check_output(spec, "text", capsys)
    assert "spec/architecture.mmd:1:1: error[ARC012]: spec/architecture.mmd is larger than " \
           "4 MiB" in out


# --------------------------------------------------------------------------- links
@posix_only
def test_link_out_of_the_spec_is_refused_and_not_quoted(spec: Path, secret: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    (spec / "architecture.mmd").unlink()
    (spec / "architecture.mmd").symlink_to(secret)
    for fmt in ("text", "sarif", "json"):
        out = check_output(spec, fmt, capsys)
        assert SECRET not in out and "secret.mmd" not in out, fmt
        assert "ARC011" in out
    sarif = json.loads(check_output(spec, "sarif", capsys))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "spec/architecture.mmd"


@posix_only
def test_link_out_of_the_spec_through_a_relative_path_is_refused(spec: Path,
                                                                 secret: Path) -> None:
    (spec / "archc.yaml").rename(spec.parent / "outside" / "archc.yaml")
    (spec / "archc.yaml").symlink_to("../outside/archc.yaml")
    assert codes(spec) == ["ARC011"]


@posix_only
def test_link_inside_the_spec_is_read_under_its_own_name(spec: Path) -> None:
    (spec / "architecture.mmd").rename(spec / "real.txt")
    (spec / "architecture.mmd").symlink_to("real.txt")
    outcome = pipeline.check(spec)
    assert outcome.ok
    assert [s.path for s in outcome.loaded.sources] == ["spec/archc.yaml",
                                                        "spec/architecture.mmd"]


@posix_only
def test_dangling_and_looping_links_are_refused(spec: Path) -> None:
    (spec / "architecture.mmd").unlink()
    (spec / "architecture.mmd").symlink_to("missing.mmd")
    assert codes(spec) == ["ARC011"]
    (spec / "architecture.mmd").unlink()
    (spec / "architecture.mmd").symlink_to("architecture.mmd")
    assert codes(spec) == ["ARC011"]


# --------------------------------------------------------------------------- not regular files
@posix_only
def test_link_to_dev_zero_is_refused_without_reading(spec: Path) -> None:
    (spec / "architecture.mmd").unlink()
    (spec / "architecture.mmd").symlink_to("/dev/zero")
    assert codes(spec) == ["ARC011"]  # outside the spec: refused before its type matters
    with pytest.raises(InputRefused) as exc:
        read_input(Path("/dev/zero"), Path("/dev"))
    assert (exc.value.code, exc.value.reason) == ("ARC010", "is a character device, not a "
                                                  "regular file")


@posix_only
def test_fifo_is_refused_instead_of_hanging(spec: Path) -> None:
    (spec / "architecture.mmd").unlink()
    os.mkfifo(spec / "architecture.mmd")
    result: list[list[str]] = []
    worker = threading.Thread(target=lambda: result.append(codes(spec)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # the old code blocks in open(); free it so the suite goes on
        with open(spec / "architecture.mmd", "wb"):
            pass
        worker.join(timeout=30)
        pytest.fail("check blocked on a FIFO")
    assert result == [["ARC010"]]


def test_directory_named_like_the_overlay_is_an_error(spec: Path) -> None:
    (spec / "archc.yaml").unlink()
    (spec / "archc.yaml").mkdir()
    diags = [x for x in pipeline.check(spec).diagnostics if x.code == "ARC010"]
    assert [str(x.span) for x in diags] == ["spec/archc.yaml:1:1"]
    assert diags[0].message == "spec/archc.yaml is a directory, not a regular file"


def test_two_overlays_are_an_error(spec: Path) -> None:
    shutil.copy(spec / "archc.yaml", spec / "overlay.yml")
    outcome = pipeline.check(spec)
    # The rest of the spec is still checked (issue 14): ARC013 is its only error.
    errors = [x for x in outcome.diagnostics if x.severity.value == "error"]
    assert [x.code for x in errors] == ["ARC013"]
    assert errors[0].message == ("spec/ holds 2 overlays: archc.yaml, "
                                 "overlay.yml; only archc.yaml would be read")


# --------------------------------------------------------------------------- the overlay's name
def test_overlay_diagram_path_is_never_read(spec: Path, secret: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    overlay = spec / "archc.yaml"
    overlay.write_text(f"diagram: {secret}\n" + overlay.read_text(encoding="utf-8"),
                       encoding="utf-8")
    out = check_output(spec, "text", capsys)
    assert SECRET not in out
    assert "error[ARC163]: diagram:" in out  # the schema's report; nothing else is read


def test_diagram_name_is_checked_even_without_a_schema_error(spec: Path) -> None:
    from archc.source import SourceRegistry
    from archc.spec import LoadedSpec, _named_diagram

    loaded = LoadedSpec(spec, SourceRegistry(), [])
    for named in ("/etc/passwd", "../outside/secret.mmd", "..", "a\\b.mmd", "a\0.mmd"):
        assert _named_diagram(loaded, spec, named) is None
    assert [x.code for x in loaded.diagnostics] == ["ARC002"] * 5
    assert _named_diagram(loaded, spec, "architecture.mmd") == spec / "architecture.mmd"


# --------------------------------------------------------------------------- the spec path
def test_spec_path_that_is_a_file_says_so(spec: Path) -> None:
    (diag,) = pipeline.check(spec / "archc.yaml").diagnostics
    assert (diag.code, diag.message) == ("ARC001", f"spec directory {spec / 'archc.yaml'} is "
                                                   "a file, not a directory")
    (diag,) = pipeline.check(spec / "nothing").diagnostics
    assert diag.message.endswith("nothing does not exist")


# --------------------------------------------------------------------------- parse and fmt
@posix_only
def test_parse_and_fmt_refuse_links_out_of_their_directory(tmp_path: Path, secret: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.mmd").symlink_to(secret)
    for command in ("parse", "fmt"):
        assert main([command, str(tmp_path / "docs" / "a.mmd")]) == 1
        out, err = capsys.readouterr()
        assert SECRET not in out + err and "error[ARC011]" in err


def test_stdin_is_read_up_to_the_limit(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from archc import source

    monkeypatch.setattr(source, "MAX_INPUT_BYTES", 16)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"flowchart LR\n  A --> B\n")))
    assert main(["parse", "-"]) == 1
    assert "error[ARC012]: <stdin> is larger than" in capsys.readouterr().err
