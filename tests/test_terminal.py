"""Hostile text through the real CLI: shown, never obeyed; capped; never decoded by guessing.

Labels, file names and overlay strings come from pull requests. ESC/BEL/bidi must reach the
terminal as visible escapes (`archc.terminal`), a huge label must not flood stderr, and bytes
that are not UTF-8 are a positioned error (contents) or an escaped name (file names), never a
traceback or a lone surrogate in the output.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archc.cli import main
from archc.terminal import clip_message, escape, source_window

REPO = Path(__file__).resolve().parent.parent
HOSTILE = "\x1b]0;owned\x07\x1b[2J\u202eevil\u2066\u200b"
RAW = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
                 "\u3164\ud800-\udfff]")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def raw_controls(text: str) -> list[str]:
    """Control, bidi, zero-width or surrogate characters left in printed text (line breaks
    between lines are ours)."""
    return RAW.findall(text.replace("\n", ""))


def spec_with(tmp_path: Path, old: str, new: str, name: str = "spec") -> Path:
    spec = tmp_path / name
    shutil.copytree(REPO / "spec", spec)
    path = spec / "architecture.mmd"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return spec


# --------------------------------------------------------------------------- escaping
def test_check_verbose_shows_hostile_edge_label_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = spec_with(tmp_path, 'IGW <-->|"Traffic"| NAT', f'IGW <-->|"Tr{HOSTILE}"| NAT')
    code, _, err = run(["check", "-v", str(spec)], capsys)
    assert code == 0
    assert not raw_controls(err)
    echoed = [line for line in err.splitlines() if "IGW <-->" in line and " | " in line]
    assert echoed and all("\\x1b]0;owned\\x07\\x1b[2J\\u202eevil\\u2066\\u200b" in line
                          for line in echoed)


def test_caret_still_points_at_the_span_after_escapes_and_wide_characters(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = spec_with(tmp_path, 'IGW <-->|"Traffic"| NAT',
                     'IGW <-->|"Traffic"| NAT\n    X["\x1b\u202e漢字"] --> %%%')
    code, _, err = run(["check", str(spec)], capsys)
    assert code == 1
    lines = err.splitlines()
    at = next(i for i, line in enumerate(lines) if "error[ARC207]" in line)
    source, caret = lines[at + 1], lines[at + 2]
    assert '\\x1b\\u202e漢字"] --> %%%' in source
    # Wide characters take two columns: count cells, not characters, up to the target.
    before = source[:source.index("%%%")]
    cells = len(before) + sum(1 for ch in before if ch in "漢字")
    assert caret.index("^") == cells and caret.endswith("^^^")


def test_explain_shows_hostile_label_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = spec_with(tmp_path, 'NAT["NAT Gateway"]', f'NAT["NAT {HOSTILE}"]')
    code, out, _ = run(["explain", str(spec), "NAT"], capsys)
    assert code == 0
    assert not raw_controls(out)
    assert "label: NAT \\x1b]0;owned\\x07\\x1b[2J\\u202eevil\\u2066\\u200b" in out


def test_explain_unknown_target_is_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / f"sp{HOSTILE}"
    shutil.copytree(REPO / "spec", spec)
    code, _, err = run(["explain", str(spec), f"no{HOSTILE}"], capsys)
    assert code == 1
    assert not raw_controls(err) and err.count("\\u202e") == 2


def test_diff_text_shows_hostile_label_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = spec_with(tmp_path, 'NAT["NAT Gateway"]', f'NAT["NAT {HOSTILE}"]', "head")
    code, out, _ = run(["diff", "--base-dir", str(REPO / "spec"), "--head", str(head)], capsys)
    assert code == 0
    assert "NAT \\x1b]0;owned" in out  # both in the change list and in the file diffs
    assert not raw_controls(out)


def test_diff_text_caps_the_cited_source_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = "z" * 100_000
    head = spec_with(tmp_path, 'NAT["NAT Gateway"]', f'NAT["NAT Gateway {long}"]', "head")
    code, out, _ = run(["diff", "--no-files", "--base-dir", str(REPO / "spec"), "--head",
                        str(head)], capsys)
    assert code == 0
    cited = [line for line in out.splitlines() if "architecture.mmd:5:" in line]
    assert cited and all(len(line.split("architecture.mmd:5: ")[1]) <= 120 for line in cited)
    assert cited[0].endswith("zzz\u2026")


def test_parse_text_shows_hostile_ids_and_labels_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "chart.mmd"
    # describe quotes labels with repr(), which escapes controls and bidi but not the
    # invisible Hangul filler (a letter to Python) often used to fake identifiers.
    label = f"{HOSTILE}\u3164"
    path.write_text(f'flowchart TD\n  A["{label}"] -->|"{label}"| B\n', encoding="utf-8")
    code, out, _ = run(["parse", str(path)], capsys)
    assert code == 0
    assert not raw_controls(out) and out.count("\\u3164") == 2


def test_stderr_lines_of_the_cli_escape_input_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / f"gone{HOSTILE}"
    code, _, err = run(["check", str(missing)], capsys)
    assert code == 1 and not raw_controls(err) and "gone\\x1b]0;owned" in err
    code, _, err = run(["build", str(REPO / "spec"), "--only", f"x{HOSTILE}",
                        "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and not raw_controls(err)


def test_sarif_messages_carry_no_raw_bidi_or_controls(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_with(tmp_path, 'subgraph "Private Subnet 1"', f'subgraph "S{HOSTILE}"',
                     "sp\u202eec")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "--format", "sarif", spec.name], capsys)
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    result = next(r for r in results if r["ruleId"] == "ARC203")
    assert "\\u202e" in result["message"]["text"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "sp%E2%80%AEec/architecture.mmd"
    assert not raw_controls(out)


# --------------------------------------------------------------------------- width cap
def test_a_huge_label_gives_bounded_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = "x\x1b" * (3 * 2**19)  # 3 MiB (inputs stop at 4 MiB), every other character an ESC
    spec = spec_with(tmp_path, 'NAT["NAT Gateway"]', f'NAT["{huge}"] --> %%%')
    code, _, err = run(["check", str(spec)], capsys)
    assert code == 1 and "error[ARC207]" in err
    assert len(err.encode("utf-8")) < 4000, len(err)
    assert not raw_controls(err)
    lines = err.splitlines()
    at = next(i for i, line in enumerate(lines) if "error[ARC207]" in line)
    source, caret = lines[at + 1], lines[at + 2]
    assert source.startswith("   5 | \u2026x\\x1b") and source.endswith('"] --> %%%')
    assert caret.endswith("^^^") and caret.index("^") == source.index("%%%")


def test_a_long_label_quoted_in_a_message_is_clipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = "y\u202e" * 200_000
    spec = spec_with(tmp_path, 'NAT["NAT Gateway"]', f'NAT["NAT Gateway"]\n  Zed["{long}"]')
    code, _, err = run(["check", str(spec)], capsys)
    assert code == 1
    head = next(line for line in err.splitlines() if "error[ARC202]" in line)
    assert "('y\\u202ey\\u202e" in head and head.endswith("\u2026') is")
    assert len(err.encode("utf-8")) < 4000 and not raw_controls(err)


def test_source_window_keeps_the_caret_on_a_long_line() -> None:
    line = "a" * 10_000 + "\x1bTARGET" + "b" * 10_000
    start = line.index("TARGET")
    text, col, width = source_window(line, start, start + 6)
    assert len(text) <= 120
    assert text.startswith("\u2026") and text.endswith("\u2026")
    assert text[col:col + width] == "TARGET" and text[col - 4:col] == "\\x1b"


def test_clip_message_cuts_quoted_values_and_keeps_the_rest() -> None:
    message = f"cannot tell what zone {'X' * 5_000_000!r} is"
    shown = clip_message(message)
    assert shown.startswith("cannot tell what zone 'XXX") and shown.endswith("\u2026' is")
    assert len(shown) < 120
    assert escape("\udcff\u0085\x85") == "\\xff\\u0085\\u0085"


# --------------------------------------------------------------------------- decoding
def test_invalid_utf8_on_stdin_is_a_positioned_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(
        io.BytesIO(b'flowchart TD\n  A["caf\xc3\xa9 \xe9"] --> B\n'), encoding="utf-8",
        errors="surrogateescape"))
    code, out, err = run(["parse", "-"], capsys)
    assert code == 1 and out == ""
    # Column in characters: `  A["café ` is 10 of them before the bad byte.
    assert err.startswith("<stdin>:2:11: error[ARC148]: <stdin> is not valid UTF-8 (byte 0xe9)")
    assert "hint:" in err and not raw_controls(err)


def test_invalid_utf8_in_files_is_a_positioned_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    overlay = spec / "archc.yaml"
    overlay.write_bytes(overlay.read_bytes().replace(b"team: platform", b"team: plat\xffform"))
    code, out, err = run(["check", "--format", "json", str(spec)], capsys)
    assert code == 1
    # The diagram is still checked without the overlay (issue 14); its findings follow
    # from the unreadable overlay, so they are notes: ARC155 is the one error.
    [diag] = [x for x in json.loads(out)["diagnostics"] if x["severity"] == "error"]
    assert (diag["code"], diag["line"], diag["col"]) == ("ARC155", 12, 13)
    assert "0xff" in diag["message"] and diag["hint"]
    diagram = spec / "architecture.mmd"
    diagram.write_bytes(b"flowchart TD\r\n  A --> B\r\n  \xe2\x82 --> C\n")
    code, _, err = run(["check", str(spec)], capsys)
    assert code == 1 and "architecture.mmd:3:3: error[ARC148]" in err


def test_lone_surrogate_escape_in_the_overlay_is_an_error_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    overlay = spec / "archc.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8").replace(
        "team: platform", 'team: "plat\\ud83dform"'), encoding="utf-8")
    code, _, err = run(["build", str(spec), "-o", str(tmp_path / "out")], capsys)
    assert code == 1 and "archc.yaml:12:9: error[ARC155]" in err and "U+D83D" in err
    assert not raw_controls(err)


def test_a_non_utf8_file_name_is_escaped_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / os.fsdecode(b"sp\xffec")
    shutil.copytree(REPO / "spec", spec)
    (spec / "architecture.mmd").rename(spec / os.fsdecode(b"arch\xfe.mmd"))
    out_dir = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["build", spec.name, "-o", str(out_dir)], capsys)
    assert code == 0, err
    assert not raw_controls(out + err)
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "sp\\xffec/arch\\xfe.mmd" in manifest["inputs"]
    code, out, err = run(["check", "-v", "--format", "sarif", spec.name], capsys)
    assert code == 0 and "sp\\\\xffec/arch\\\\xfe.mmd" in out and not raw_controls(out)
    code, out, err = run(["explain", spec.name, "NAT"], capsys)
    assert code == 0 and "declared at sp\\xffec/arch\\xfe.mmd:5:" in out


def test_a_non_utf8_path_argument_is_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / os.fsdecode(b"bad\xff.mmd")
    path.write_bytes(b"flowchart TD\n  A --> %%%\n  A -->\n")
    code, out, err = run(["parse", str(path)], capsys)
    assert code == 1 and "bad\\xff.mmd:" in err and not raw_controls(out + err)
    code, _, err = run(["fmt", "--check", str(tmp_path / os.fsdecode(b"gone\xff.mmd"))],
                       capsys)
    assert code == 1 and "gone\\xff.mmd" in err and not raw_controls(err)


def test_echoed_line_is_the_line_the_span_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Form feed and \x1c are line breaks to str.splitlines, not to Mermaid.
    spec = spec_with(tmp_path, 'NAT["NAT Gateway"]', 'NAT["NAT\x1cGate\x0cway"]')
    diagram = spec / "architecture.mmd"
    diagram.write_text(diagram.read_text(encoding="utf-8") + "    NAT --> %%%\n",
                       encoding="utf-8")
    code, _, err = run(["check", str(spec)], capsys)
    assert code == 1
    lines = err.splitlines()
    at = next(i for i, line in enumerate(lines) if "error[ARC207]" in line)
    assert lines[at + 1].endswith("|     NAT --> %%%")


def test_diff_from_a_repository_whose_path_is_not_utf8(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / os.fsdecode(b"re\xffpo")
    shutil.copytree(REPO / "spec", repo / "spec")
    for args in (["init", "-q"], ["add", "spec"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-c", "user.name=archc", "-c", "user.email=a@example.invalid",
                        *args], cwd=repo, check=True, capture_output=True)
    diagram = repo / "spec" / "architecture.mmd"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace(
        'NAT["NAT Gateway"]', f'NAT["NAT {HOSTILE}"]'), encoding="utf-8")
    monkeypatch.chdir(repo)
    code, out, err = run(["diff", "--no-files", "--base", "HEAD", "--head", "spec"], capsys)
    assert code == 0, err
    assert "NAT \\x1b]0;owned" in out and not raw_controls(out + err)


def test_clip_message_stays_linear_on_unclosed_and_escaped_quotes() -> None:
    # Each of these made a backtracking quote pattern rescan from every quote (quadratic).
    for hostile in ("'" + "\\'" * 2_000_000, ("'a\\" * 1_000_000) + "\\"):
        start = time.perf_counter()
        shown = clip_message(f"zone {hostile} is")
        assert time.perf_counter() - start < 30
        assert len(shown) <= 400
