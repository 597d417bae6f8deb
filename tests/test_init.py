"""`archc init`: the overlay written from what archc inferred.

A case is `tests/cases_init/<name>/spec/` (a diagram, no overlay); `expected/archc.yaml` is the
overlay `archc init` writes for it and `expected/check.txt` what `archc check` then says.
Refresh with `pytest --update-golden`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml

from archc.cli import main
from archc.init_overlay import flow_value, scalar
from archc.markup import INVISIBLE
from archc.spec import load_spec
from archc.spec.overlay import parse_overlay
from archc.spec.schema import validate_overlay

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (REPO / "tests" / "cases_init").iterdir() if (p / "spec").is_dir())
TODO_LINE = re.compile(r": null  # TODO\(archc\): ")


def run(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("NO_COLOR", "1")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def spec_copy(tmp_path: Path, source: Path, name: str = "spec") -> Path:
    spec = tmp_path / name
    shutil.copytree(source, spec)
    return spec


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, tmp_path: Path, golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    spec = spec_copy(tmp_path, case / "spec")
    code, out, err = run(tmp_path, monkeypatch, "init", "spec")
    assert code == 0, err
    assert out.startswith("archc init: wrote spec/archc.yaml: ")
    golden.check_text((spec / "archc.yaml").read_text(encoding="utf-8"),
                      case / "expected" / "archc.yaml")
    code, out, err = run(tmp_path, monkeypatch, "check", "spec", "-v")
    golden.check_text(f"$ archc check spec -v\n{err}{out}exit: {code}\n",
                      case / "expected" / "check.txt")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_written_overlay_is_schema_valid_but_for_what_is_to_fill(case: Path,
                                                                  tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, case / "spec")
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["init", str(spec)]) == 0
    text = (spec / "archc.yaml").read_text(encoding="utf-8")
    overlay, problems = parse_overlay(text, "archc.yaml")
    assert overlay is not None and problems == []
    # The summary counts what the file holds: the zones', components' and flows' values,
    # and every null left to fill.
    data = overlay.data
    decided = sum(v is not None for k in ("zones", "components", "flows")
                  for v in _leaves(data[k]))
    to_fill = sum(v is None for v in _leaves(data))
    assert f"{decided} value(s) decided" in out.getvalue()
    assert (f"; {to_fill} marked TODO(archc)" in out.getvalue()) == (to_fill > 0)
    todo = {n for n, line in enumerate(text.splitlines(), 1) if TODO_LINE.search(line)}
    errors = validate_overlay(overlay)
    assert {x.span.line for x in errors if x.span} == todo
    assert all(x.code in ("ARC160", "ARC163") for x in errors)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def test_check_points_at_every_line_left_to_fill(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Each undecidable reading becomes one TODO line, and `check` reports exactly those
    lines (the diagram's own errors for them become notes that follow from them)."""
    spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "undecidable" / "spec")
    code, _, err = run(tmp_path, monkeypatch, "check", "spec")
    before = sorted(re.findall(r"error\[(ARC\d+)\]", err))
    assert code == 1 and before == ["ARC202", "ARC203", "ARC301", "ARC302"]
    assert run(tmp_path, monkeypatch, "init", "spec")[0] == 0
    lines = (spec / "archc.yaml").read_text(encoding="utf-8").splitlines()
    todo = {n for n, line in enumerate(lines, 1) if TODO_LINE.search(line)}
    assert len(todo) == 4
    code, _, err = run(tmp_path, monkeypatch, "check", "spec")
    reported = {int(n) for n in re.findall(r"^spec/archc\.yaml:(\d+):\d+: error", err, re.M)}
    assert code == 1 and reported == todo
    assert "architecture.mmd" not in "".join(re.findall(r"^\S+: error.*$", err, re.M))
    # Filling them in is one edit of that file: then it checks clean.
    fills = {"kind": "external_service", "role": "subnet\n    tier: app", "ports": "[9000]",
             "initiator": "Orders"}
    fixed = [TODO_LINE.sub(": " + fills[line.split(":")[0].strip()] + "  # ", line)
             if TODO_LINE.search(line) else line for line in lines]
    (spec / "archc.yaml").write_text("\n".join(fixed) + "\n", encoding="utf-8")
    code, _, err = run(tmp_path, monkeypatch, "check", "spec")
    assert code == 0, err


def test_force_keeps_what_is_filled_and_marks_the_rest_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "undecidable" / "spec")
    assert run(tmp_path, monkeypatch, "init", "spec")[0] == 0
    text = (spec / "archc.yaml").read_text(encoding="utf-8")
    filled = re.sub(r"kind: null  # TODO.*", "kind: external_service", text)
    (spec / "archc.yaml").write_text(filled, encoding="utf-8")
    code, out, err = run(tmp_path, monkeypatch, "init", "spec", "--force")
    assert code == 0, err
    assert "3 marked TODO(archc)" in out
    again = yaml.safe_load((spec / "archc.yaml").read_text(encoding="utf-8"))
    assert again["components"]["Flux"]["kind"] == "external_service"
    assert again["zones"]["Odds and Ends"]["role"] is None


def test_an_existing_overlay_is_not_replaced_without_force(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i, name in enumerate(("archc.yaml", "overlay.yml")):
        spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "clean" / "spec", f"s{i}")
        mine = b"version: 1\nproject: mine\n# my own comments\n"
        (spec / name).write_bytes(mine)
        code, out, err = run(tmp_path, monkeypatch, "init", f"s{i}")
        assert code == 1 and out == ""
        assert f"error[ARC014]: s{i}/{name} exists" in err and "--force" in err
        assert (spec / name).read_bytes() == mine
        assert sorted(p.name for p in spec.iterdir()) == sorted(["architecture.mmd", name])
        # --force replaces that file (not a second overlay beside it), keeping its values
        code, out, err = run(tmp_path, monkeypatch, "init", f"s{i}", "--force")
        assert code == 0, err
        assert sorted(p.name for p in spec.iterdir()) == sorted(["architecture.mmd", name])
        assert yaml.safe_load((spec / name).read_text(encoding="utf-8"))["project"] == "mine"


def test_force_keeps_every_value_of_the_overlay(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, REPO / "examples" / "data-platform")
    before = yaml.safe_load((spec / "archc.yaml").read_text(encoding="utf-8"))
    assert main(["init", str(spec), "--force"]) == 0
    after = yaml.safe_load((spec / "archc.yaml").read_text(encoding="utf-8"))
    assert _contains(after, before)
    assert after["components"]["dns"] == {"kind": "dns_zone"}  # inferred, now written


def _contains(big: object, small: object) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and _contains(big[k], v)
                                             for k, v in small.items())
    if isinstance(small, list) and isinstance(big, list):
        return sorted(map(repr, small)) == sorted(map(repr, big))
    return big == small


def test_a_file_name_that_makes_no_project_name_is_left_to_fill(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    shutil.copy(REPO / "tests" / "cases_init" / "clean" / "spec" / "architecture.mmd",
                spec / "2024 plan.mmd")  # its slug, 2024-plan, starts with a digit
    code, out, _ = run(tmp_path, monkeypatch, "init", "spec")
    assert code == 0 and "; 1 marked TODO(archc)" in out
    line = (spec / "archc.yaml").read_text(encoding="utf-8").splitlines()[6]
    assert line.startswith("project: null  # TODO(archc): ")
    code, _, err = run(tmp_path, monkeypatch, "check", "spec")
    assert code == 1 and re.findall(r"^(\S+): error", err, re.M) == ["spec/archc.yaml:7:10"]


def test_refuses_a_spec_it_cannot_read_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "architecture.mmd").write_text("flowchart LR\n    A[\"x (y)\"] --> B(\n",
                                           encoding="utf-8")
    code, out, err = run(tmp_path, monkeypatch, "init", "spec")
    assert code == 1 and "nothing written" in err and "error[ARC1" in err
    assert sorted(p.name for p in spec.iterdir()) == ["architecture.mmd"]
    code, _, err = run(tmp_path, monkeypatch, "init", "missing")
    assert code == 1 and "ARC001" in err and not (tmp_path / "missing").exists()


def test_a_link_leading_outside_is_neither_read_nor_written_through(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "clean" / "spec")
    outside = tmp_path / "outside.yaml"
    outside.write_text("version: 1\nproject: secret\n", encoding="utf-8")
    (spec / "archc.yaml").symlink_to(outside)
    for flags in ((), ("--force",)):
        code, _, err = run(tmp_path, monkeypatch, "init", "spec", *flags)
        assert code == 1, err
        assert outside.read_text(encoding="utf-8") == "version: 1\nproject: secret\n"
        assert (spec / "archc.yaml").is_symlink()


def test_written_atomically_with_the_usual_mode(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "clean" / "spec")
    assert main(["init", str(spec)]) == 0
    assert sorted(p.name for p in spec.iterdir()) == ["archc.yaml", "architecture.mmd"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((spec / "archc.yaml").stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_is_an_io_error_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "clean" / "spec")

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", no_space)
    code, _, err = run(tmp_path, monkeypatch, "init", "spec")
    assert code == 4 and "cannot write spec/: [Errno 28] No space left on device" in err
    assert sorted(p.name for p in spec.iterdir()) == ["architecture.mmd"]


def test_same_bytes_every_time_and_from_anywhere(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    texts = []
    for where, arg in ((tmp_path / "a", "spec"), (tmp_path / "b" / "c", "../spec")):
        where.mkdir(parents=True)
        spec = spec_copy(where if arg == "spec" else where.parent,
                         REPO / "tests" / "cases_init" / "hostile" / "spec")
        assert run(where, monkeypatch, "init", arg)[0] == 0
        texts.append((spec / "archc.yaml").read_bytes())
    assert texts[0] == texts[1]
    assert str(tmp_path).encode() not in texts[0]


# --------------------------------------------------------------------------- round trips
def _normalised(files: dict[str, bytes]) -> dict[str, str]:
    """Generated text without what only says where a fact is written: the overlay lines the
    outputs cite (`archc.yaml:12`, now that the overlay states what was inferred) and the
    overlay in the generated-by headers; manifest.json hashes the inputs."""
    listed = re.compile(r'"[\w./-]*archc\.yaml(?::\d+)?",\s*')  # a JSON list item
    cited = re.compile(r',?\s*"?[\w./-]*archc\.yaml:\d+"?')
    # A provenance comment that cited only the overlay is left empty: drop it too.
    return {path: re.sub(r"^# From\n", "", re.sub(r"\[\s*\]", "[]", cited.sub("", listed.sub(
        "", data.decode("utf-8").replace("spec/archc.yaml + ", ""))).replace(" ()", "")),
        flags=re.M)
        for path, data in files.items() if path != "manifest.json"}


def _emitted(spec: Path, domain: str | None = None) -> dict[str, bytes]:
    from archc.emit import emit_all
    from archc.graph import to_graph

    arch = load_spec(spec).arch
    assert arch is not None
    if domain is not None:
        arch = dataclasses.replace(arch, domain=domain)
    emitted = emit_all(arch, to_graph(arch), ("terraform", "security", "helm", "mermaid"))
    return {f.path: f.data for f in emitted.files}


def _check(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`check -v`'s findings, without where they point (a finding about a fact the overlay now
    states may point at its line) and without the notes an explicit overlay no longer needs
    (ARC290 assumptions, ARC206 assumed environments)."""
    _, _, err = run(tmp, monkeypatch, "check", "spec", "-v")
    found = re.findall(r"^(?:\S+:\d+:\d+: )?((?:error|warning|note)\[ARC\d+\]: .*)$", err,
                       re.M)
    return sorted(x for x in found if "ARC290" not in x and "ARC206" not in x)


def test_round_trip_of_the_seed_diagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """spec/'s diagram alone checks clean; with the overlay `init` writes, it checks the same
    and every generated file is the same (the diagram names no domain, which `build` needs,
    so both are emitted with one)."""
    without = tmp_path / "without"
    with_it = tmp_path / "with"
    for root in (without, with_it):
        (root / "spec").mkdir(parents=True)
        shutil.copy(REPO / "spec" / "architecture.mmd", root / "spec")
    assert run(with_it, monkeypatch, "init", "spec")[0] == 0
    assert _check(without, monkeypatch) == _check(with_it, monkeypatch)
    a, b = load_spec(without / "spec").arch, load_spec(with_it / "spec").arch
    assert a is not None and b is not None
    # The same IR, but for what the overlay now states: the database's engine (postgres,
    # archc's default) and the subnet blocks (now given, no longer allocated).
    engine = {c.id: dict(c.props) for c in b.components if c.props.get("engine") == "postgres"}
    assert engine == {"RDS": {"engine": "postgres"}}
    plain = tuple(dataclasses.replace(c, props={}) if c.id in engine else c
                  for c in b.components)
    assert dataclasses.replace(a, inputs=(), environments=()) == \
        dataclasses.replace(b, inputs=(), environments=(), components=plain)
    assert [[(s.zone, s.az_index, s.cidr) for s in e.subnets] for e in a.environments] == \
        [[(s.zone, s.az_index, s.cidr) for s in e.subnets] for e in b.environments]
    emitted = []
    for root in (without, with_it):
        monkeypatch.chdir(root)
        emitted.append(_normalised(_emitted(Path("spec"), "example.com")))
    assert emitted[0] == emitted[1]


def test_round_trip_of_the_data_platform_example(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    spec_copy(before, REPO / "examples" / "data-platform")
    spec_copy(after, REPO / "examples" / "data-platform")
    assert run(after, monkeypatch, "init", "spec", "--force")[0] == 0
    assert _check(before, monkeypatch) == _check(after, monkeypatch)
    outs = []
    for root in (before, after):
        code, _, err = run(root, monkeypatch, "build", "spec", "-o", "out", "-q",
                           "--only", "terraform,security,helm,mermaid")
        assert code == 0, err
        outs.append({p.relative_to(root / "out").as_posix(): p.read_bytes()
                     for p in sorted((root / "out").rglob("*")) if p.is_file()})
    assert _normalised(outs[0]) == _normalised(outs[1])
    # What differs at all is only those citations: every file but them is byte-identical.
    same = [p for p in outs[0] if outs[0][p] == outs[1].get(p)]
    assert "terraform/modules/platform/main.tf" in same
    assert "terraform/envs/prod/terraform.tfvars" in same


# --------------------------------------------------------------------------- hostile text
HOSTILE = [
    "line\nbreak", "carriage\rreturn", "tab\there", "a: b", "# comment", "x # y", "'single'",
    '"double"', "{{ .Values.x }}", "[list, of]", "{map: 1}", "- item", "? key", "& anchor",
    "* alias", "! tag", "| block", "> folded", "%directive", "@at", "`tick`", "\u2028sep",
    "\u2029para", "\x85nel", "\u202egnp.exe", "\ufeffbom", "\uffff", "\x00nul", "\x1b[31m",
    "yes", "No", "null", "~", "true", "1.5", "0x1F", "16.4", "2024-01-01", "", " lead",
    "trail ", "é ünïcode 中文", "emoji 🚀", "10.0.0.0/16", "\\back\\slash", "---", "...",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_scalar_reads_back_as_exactly_its_text(text: str) -> None:
    line = f"{scalar(text)}: [{flow_value(text)}, {{{scalar(text)}: {flow_value(text)}}}]"
    assert "\n" not in line and not INVISIBLE.search(line) and "\uffff" not in line
    parsed, problems = parse_overlay(f"version: 1\nkey:\n  {line}\n# {line}\n", "x.yaml")
    assert problems == [] and parsed is not None
    assert parsed.data == {"version": 1, "key": {text: [text, {text: text}]}}


def test_hostile_labels_cannot_add_keys(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, REPO / "tests" / "cases_init" / "hostile" / "spec")
    assert main(["init", str(spec)]) == 0
    text = (spec / "archc.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert list(data) == ["version", "project", "cloud", "region", "zones", "components",
                          "flows", "policy", "state", "secrets", "observability",
                          "environments"]
    assert list(data["zones"]) == ["VPC: {{ .Values.x }} # not a comment",
                                   "Public Subnet\u2028injected: true",
                                   "app: subnet\\nkind: users"]
    assert list(data["components"]) == ["People", "LB", "API"]  # O'Brien: a comment only
    for line in text.splitlines():  # a line is a comment or starts with a key
        assert re.match(r"( *#| *[\w\"]| *$)", line), line
    assert not INVISIBLE.search(text) and "\uffff" not in text
