"""The overlay loader: plain data, spans, and positioned diagnostics instead of exceptions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archc.diagnostics import Diagnostic
from archc.source import SourceFile, Span
from archc.spec.overlay import OVERLAY_CODES, Overlay, format_path, load_overlay

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "spec" / "archc.yaml"


def load(tmp_path: Path, text: str) -> tuple[Overlay | None, SourceFile | None, list[Diagnostic]]:
    path = tmp_path / "archc.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_overlay(path, "archc.yaml")


def where(diagnostic: Diagnostic) -> tuple[str, int, int]:
    assert diagnostic.span is not None
    return (diagnostic.code, diagnostic.span.line, diagnostic.span.col)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing needle (keeps seed tests robust to edits)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- the seed overlay --------------------------------------------------------------------------

def test_seed_overlay_loads_without_diagnostics() -> None:
    overlay, source, diagnostics = load_overlay(SEED, "archc.yaml")
    assert diagnostics == []
    assert overlay is not None and source is not None
    assert source.path == "archc.yaml" and source.text == SEED.read_text(encoding="utf-8")
    assert overlay.file == "archc.yaml"
    assert overlay.data["version"] == 1
    assert overlay.data["components"]["EKSControl"]["version"] == "1.33"
    assert overlay.data["environments"]["prod"]["components"]["RDS"]["multi_az"] is True


def test_seed_spans_point_at_keys_and_values() -> None:
    text = SEED.read_text(encoding="utf-8")
    overlay, _, _ = load_overlay(SEED, "archc.yaml")
    assert overlay is not None
    line = line_of(text, "region:")
    assert overlay.key_span(("region",)) == Span("archc.yaml", line, 1, line, 7)
    value = overlay.value_span(("region",))
    assert value is not None and (value.line, value.col) == (line, 9)
    assert value.end_col == 9 + len(overlay.data["region"])  # end column is exclusive
    taint = overlay.value_span(("components", "Node1", "taints", 0, "effect"))
    assert taint is not None and taint.line == line_of(text, "effect: NO_SCHEDULE")


# --- spans ------------------------------------------------------------------------------------

def test_value_key_and_nearest_span(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, """\
        version: 1
        environments:
          dev:
            azs: [1, 2]
        """)
    assert diagnostics == [] and overlay is not None
    assert overlay.value_span(("environments", "dev", "azs", 1)) == Span("archc.yaml", 4, 14, 4, 15)
    assert overlay.key_span(("environments", "dev", "azs", 1)) is None  # list items have no key
    assert overlay.key_span(("environments", "dev")) == Span("archc.yaml", 3, 3, 3, 6)
    # A path that does not exist climbs to the nearest ancestor's key.
    assert overlay.nearest_span(("environments", "dev", "vpc_cidr")) == Span(
        "archc.yaml", 3, 3, 3, 6)
    assert overlay.nearest_span(("nope", "deeper")).line == 1
    assert overlay.raw_text(("version",)) == "1"


def test_format_path() -> None:
    assert format_path(()) == "the top level"
    assert format_path(("environments", "dev", "azs")) == "environments.dev.azs"
    assert format_path(("flows", "A -> B", "ports", 0)) == 'flows["A -> B"].ports[0]'
    assert format_path(("zones", "Public Subnet")) == 'zones["Public Subnet"]'


# --- diagnostics ------------------------------------------------------------------------------

def test_duplicate_key_points_at_second_with_note_at_first(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, """\
        version: 1
        project: demo
        environments:
          dev: {vpc_cidr: 10.0.0.0/16}
          dev: {vpc_cidr: 10.1.0.0/16}
        """)
    assert [where(d) for d in diagnostics] == [("ARC151", 5, 3)]
    diagnostic = diagnostics[0]
    assert "'dev'" in diagnostic.message and "environments" in diagnostic.message
    assert diagnostic.hint
    assert len(diagnostic.notes) == 1
    assert diagnostic.notes[0].span == Span("archc.yaml", 4, 3, 4, 6)
    # Still returned (last one wins, as in YAML) so the schema check can run too.
    assert overlay is not None
    assert overlay.data["environments"]["dev"]["vpc_cidr"] == "10.1.0.0/16"


def test_syntax_error_is_positioned_at_problem_mark(tmp_path: Path) -> None:
    overlay, source, diagnostics = load(tmp_path, """\
        version: 1
        project: demo
        region: us-east-1: oops
        """)
    assert overlay is None and source is not None
    assert [where(d) for d in diagnostics] == [("ARC150", 3, 18)]
    assert "mapping values are not allowed" in diagnostics[0].message
    assert diagnostics[0].hint and "quoted" in diagnostics[0].hint


def test_unclosed_flow_list_has_a_note_where_it_opened(tmp_path: Path) -> None:
    _, _, diagnostics = load(tmp_path, "version: 1\npolicy:\n  internet_entry: [CloudFront\n")
    assert [d.code for d in diagnostics] == ["ARC150"]
    assert diagnostics[0].notes[0].span is not None
    assert (diagnostics[0].notes[0].span.line, diagnostics[0].notes[0].span.col) == (3, 19)


def test_tab_indentation_hint(tmp_path: Path) -> None:
    _, _, diagnostics = load(tmp_path, "version: 1\n\tproject: demo\n")
    assert [where(d) for d in diagnostics] == [("ARC150", 2, 1)]
    assert "tabs" in (diagnostics[0].hint or "")


def test_second_document_is_a_syntax_error(tmp_path: Path) -> None:
    _, _, diagnostics = load(tmp_path, "version: 1\n---\nproject: demo\n")
    assert [where(d) for d in diagnostics] == [("ARC150", 2, 1)]
    assert "single document" in diagnostics[0].message


@pytest.mark.parametrize(("text", "line", "col", "words"), [
    ("- version: 1\n- project: demo\n", 1, 1, "not a list"),
    ("just a sentence\n", 1, 1, "not a single value"),
    ("", 1, 1, "empty"),
    ("# only a comment\n", 1, 1, "empty"),
])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, line: int, col: int,
                                     words: str) -> None:
    overlay, _, diagnostics = load(tmp_path, text)
    assert overlay is None
    assert [where(d) for d in diagnostics] == [("ARC153", line, col)]
    assert words in diagnostics[0].message


def test_non_string_keys_are_errors_but_loading_continues(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, """\
        version: 1
        tags:
          on: yes
          1: one
        ? [a, b]
        : c
        """)
    assert [where(d) for d in diagnostics] == [("ARC152", 3, 3), ("ARC152", 4, 3),
                                               ("ARC152", 5, 3)]
    assert 'quote it: "on":' in (diagnostics[0].hint or "")
    assert overlay is not None
    # YAML 1.1 values are resolved as the SafeLoader does; the bad keys keep their text.
    assert overlay.data["tags"] == {"on": True, "1": "one"}


def test_yaml_11_scalars_resolve_like_the_safe_loader(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, """\
        a: on
        b: 0755
        c: 1_000
        d: ~
        e: 2024-01-01
        f: "1.10"
        g: 1.10
        """)
    assert diagnostics == [] and overlay is not None
    assert overlay.data == {"a": True, "b": 493, "c": 1000, "d": None, "e": "2024-01-01",
                            "f": "1.10", "g": 1.1}
    assert overlay.raw_text(("g",)) == "1.10"


def test_python_tags_are_rejected_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    overlay, _, diagnostics = load(tmp_path, f"""\
        version: 1
        project: !!python/object/apply:os.system ["touch {marker}"]
        region: !!python/name:os.system ''
        """)
    assert not marker.exists()
    assert [where(d) for d in diagnostics] == [("ARC154", 2, 10), ("ARC154", 3, 9)]
    assert "!!python/object/apply:os.system" in diagnostics[0].message
    assert overlay is not None
    assert overlay.data["project"] == [f"touch {marker}"]  # plain data, tag ignored


def test_other_unsupported_tags(tmp_path: Path) -> None:
    _, _, diagnostics = load(tmp_path, "a: !!binary aGk=\nb: !!int nope\nc: !local x\n")
    assert [where(d) for d in diagnostics] == [("ARC154", 1, 4), ("ARC154", 2, 4),
                                               ("ARC154", 3, 4)]


def test_anchors_aliases_and_merge_keys_are_allowed(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, """\
        defaults: &small {instance_type: t3.small, count: 1}
        a: *small
        b:
          <<: *small
          count: 2
        """)
    assert diagnostics == [] and overlay is not None
    assert overlay.data["a"] == {"instance_type": "t3.small", "count": 1}
    assert overlay.data["b"] == {"instance_type": "t3.small", "count": 2}
    # Merged values keep the span of their definition.
    assert overlay.value_span(("b", "instance_type")) == overlay.value_span(
        ("defaults", "instance_type"))


def test_recursive_alias_is_reported(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, "a: &loop [1, *loop]\n")
    assert [d.code for d in diagnostics] == ["ARC154"]
    assert overlay is not None


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    overlay, _, diagnostics = load(tmp_path, "\n".join(levels) + "\n")
    assert overlay is None
    assert [d.code for d in diagnostics] == ["ARC154"]


def test_deep_nesting_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    overlay, _, diagnostics = load(tmp_path, "a: " + "[" * 20000 + "]" * 20000 + "\n")
    assert overlay is None
    assert [d.code for d in diagnostics] == ["ARC150"]


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("project: caf\xe9\n".encode("latin-1"))
    overlay, source, diagnostics = load_overlay(bad, "latin1.yaml")
    assert (overlay, source) == (None, None)
    assert [d.code for d in diagnostics] == ["ARC155"]
    _, _, missing = load_overlay(tmp_path / "absent.yaml", "absent.yaml")
    assert [d.code for d in missing] == ["ARC155"]


def test_byte_order_mark_does_not_shift_columns(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffversion: 1\n".encode())
    overlay, _, diagnostics = load_overlay(path, "bom.yaml")
    assert diagnostics == [] and overlay is not None
    assert overlay.key_span(("version",)) == Span("bom.yaml", 1, 1, 1, 8)


def test_crlf_and_cr_newlines_read_as_text_mode_read_them(tmp_path: Path) -> None:
    # the loader reads bytes (bounded, see read_input) and translates newlines itself
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"version: 1\r\nproject: shop\rdescription: x\r\n")
    overlay, source, diagnostics = load_overlay(path, "crlf.yaml")
    assert diagnostics == [] and overlay is not None and source is not None
    assert source.text == "version: 1\nproject: shop\ndescription: x\n"
    assert overlay.key_span(("description",)) == Span("crlf.yaml", 3, 1, 3, 12)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
def test_overlay_that_is_not_a_file_inside_its_directory_is_refused(tmp_path: Path) -> None:
    # (a FIFO, which blocked the old loader, is in test_inputs with a guard against hanging)
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "link.yaml").symlink_to("/etc/hostname")
    for name, code in (("dir.yaml", "ARC010"), ("link.yaml", "ARC011")):
        overlay, source, diagnostics = load_overlay(tmp_path / name, name)
        assert (overlay, source) == (None, None)
        assert [(d.code, str(d.span)) for d in diagnostics] == [(code, f"{name}:1:1")]


def test_every_code_is_documented() -> None:
    assert set(OVERLAY_CODES) == {f"ARC15{i}" for i in range(6)}
    assert all(OVERLAY_CODES.values())


def test_importing_the_loader_does_not_import_jsonschema() -> None:
    # CLI start-up: jsonschema (~70 ms) is only imported when an overlay is validated.
    code = "import sys, archc.spec.overlay; print('jsonschema' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, check=True, env={"PYTHONPATH": str(REPO)})
    assert result.stdout.split() == ["False"]
