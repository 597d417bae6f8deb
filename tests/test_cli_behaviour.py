"""The CLI behaves like the tools people know (issue 13): a default spec directory, `fmt` on
many files keeping comments, help for every option, progress on a terminal only, explain in the
author's words, diagrams that keep the flowchart's direction, and no Graphviz rerun when its
input is unchanged."""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archc import cli
from archc.cli import main

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests" / "cases" / "minimal-three-tier" / "spec"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(MINIMAL, spec)
    return spec


# -- SPEC_DIR defaults to spec/ -------------------------------------------------------------


def test_spec_dir_defaults_to_spec(minimal: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(minimal.parent)
    code, _, err = run(["check"], capsys)
    # the summary names the default directory (after ARC514 and ARC532, which build reports too)
    assert code == 0 and err.splitlines()[-1].startswith("spec: 0 error(s)")
    code, out, _ = run(["explain", "API"], capsys)
    assert code == 0 and out.startswith("component API\n")
    code, out, _ = run(["build", "--only", "mermaid"], capsys)
    assert code == 0 and (minimal.parent / "outputs" / "diagrams" / "architecture.mmd").is_file()


# -- fmt ------------------------------------------------------------------------------------

COMMENTED = """\
%% The shop, drawn by the platform team.
graph LR
    %% everything we run
    subgraph aws ["AWS"]
        api["API"]

        %% the one database
        db[(DB)]
    end

    %% traffic, busiest first
    api-->db
    user[User]-->api
"""


def test_fmt_keeps_comments_and_blank_lines_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "a.mmd"
    path.write_text(COMMENTED, encoding="utf-8")
    assert main(["fmt", "--write", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == """\
%% The shop, drawn by the platform team.
flowchart LR
    %% everything we run
    subgraph aws ["AWS"]
        api["API"]

        %% the one database
        db[(DB)]
    end
    user[User]

    %% traffic, busiest first
    api --> db
    user --> api
"""
    assert main(["fmt", "--check", str(path)]) == 0  # and formatting again changes nothing


def test_fmt_keeps_the_comments_of_a_markdown_fence(tmp_path: Path) -> None:
    doc = tmp_path / "arch.md"
    doc.write_text("# Arch\n\n```mermaid\ngraph TD\n  %% why\n  a-->b\n```\n", encoding="utf-8")
    assert main(["fmt", "--write", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == (
        "# Arch\n\n```mermaid\nflowchart TB\n    %% why\n    a --> b\n```\n")


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_fmt_check_on_stdin_checks(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, "graph TD\n  a-->b\n")
    code, out, err = run(["fmt", "--check", "-"], capsys)
    assert (code, out) == (1, "") and "<stdin>: not in canonical form" in err
    _stdin(monkeypatch, "flowchart TB\n    a --> b\n")
    assert run(["fmt", "--check", "-"], capsys)[:2] == (0, "")


def test_fmt_takes_several_files_and_directories(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / ".hidden").mkdir()
    ugly, tidy = "graph TD\n  a-->b\n", "flowchart TB\n    a --> b\n"
    for rel, text in (("d/one.mmd", ugly), ("d/sub/two.mmd", ugly), ("d/.hidden/x.mmd", ugly),
                      ("d/notes.txt", "not a chart"), ("three.mmd", tidy)):
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "d" / "link.mmd").symlink_to(tmp_path / "three.mmd")
    code, _, err = run(["fmt", "--check", str(tmp_path / "d"), str(tmp_path / "three.mmd")],
                       capsys)
    assert code == 1
    assert [line.split(":")[0] for line in err.splitlines()] == [
        str(tmp_path / "d" / "one.mmd"), str(tmp_path / "d" / "sub" / "two.mmd")]
    assert run(["fmt", "--write", str(tmp_path / "d")], capsys)[0] == 0
    assert (tmp_path / "d" / "sub" / "two.mmd").read_text(encoding="utf-8") == tidy
    assert (tmp_path / "d" / ".hidden" / "x.mmd").read_text(encoding="utf-8") == ugly
    assert run(["fmt", "--check", str(tmp_path / "d")], capsys)[0] == 0
    code, _, err = run(["fmt", str(tmp_path / "d")], capsys)  # printing two files is no use
    assert code == 2 and "--check or --write" in err


# -- help -----------------------------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_argument_and_choice_has_help() -> None:
    missing = []
    for name, sub in _subparsers(cli._parser()).items():
        for action in sub._actions:
            if action.help is None:
                missing.append(f"{name} {action.dest}")
            for choice in action.choices or ():
                if f"{choice}:" not in (action.help or "") and f"{choice} " not in (
                        action.help or ""):
                    missing.append(f"{name} {action.dest}={choice}")
    assert missing == []


def test_only_lists_the_emitter_names(capsys: pytest.CaptureFixture[str]) -> None:
    from archc.emit import emitter_names

    assert cli.EMITTER_NAMES == emitter_names()
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    assert "terraform, security, helm, addons, mermaid, diagram" in usage


# -- progress -------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("extra", "env", "shown"), [
    ([], {}, True), (["-q"], {}, False), ([], {"CI": "true"}, False)])
def test_progress_on_a_terminal_only(minimal: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, extra: list[str],
                                     env: dict[str, str], shown: bool) -> None:
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["build", str(minimal), "-o", str(tmp_path / "out"), *extra]) == 0
    stages = [line.split()[1] for line in terminal.getvalue().splitlines()
              if line.startswith("archc: ")]
    assert stages == (["load", "rules", "emit", "write"] if shown else [])
    if shown:
        assert "components" in terminal.getvalue() and " s\n" in terminal.getvalue()


def test_no_progress_when_stderr_is_no_terminal(minimal: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(["check", str(minimal)], capsys)
    assert "archc: load" not in err


# -- explain --------------------------------------------------------------------------------


def test_explain_uses_the_authors_names_and_yaml(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run(["explain", "spec", "Private Subnet 2"], capsys)
    assert code == 0 and out.startswith("zone Private Subnet 2\n")
    assert "subGraph" not in out
    code, out, _ = run(["explain", "spec", "Node1"], capsys)
    assert "subGraph" not in out and "    zone = Worker Nodes  (diagram:" in out
    assert "  properties in prod:\n    instance_types:\n    - g5.xlarge\n" in out
    assert "    - effect: NO_SCHEDULE\n      key: nvidia.com/gpu\n      value: 'true'\n" in out
    assert "{'" not in out and "['" not in out  # no Python repr anywhere
    assert "taints = [{key: nvidia.com/gpu, value: 'true', effect: NO_SCHEDULE}]" in out
    code, out, _ = run(["explain", "spec", "Node1", "--format", "json"], capsys)
    facts = json.loads(out)["facts"]
    assert facts["properties in prod"]["scaling"] == {"desired": 1, "max": 4, "min": 1}


# -- diagrams and reports -------------------------------------------------------------------


def test_diagram_names_itself(minimal: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diagram", str(minimal), "-o", str(tmp_path / "out")], capsys)
    assert code == 0 and out.startswith("archc diagram: ")
    code, out, _ = run(["diagram", str(minimal), "-o", str(tmp_path / "out"), "--check"], capsys)
    assert code == 0 and out.startswith("archc diagram --check: ")


def test_flowchart_lr_stays_lr(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", str(minimal), "-o", str(out), "--only", "mermaid,diagram"]) == 0
    mermaid = (out / "diagrams" / "architecture.mmd").read_text(encoding="utf-8")
    assert mermaid.splitlines()[1] == "flowchart LR"
    dot = (out / "diagrams" / "architecture.dot").read_text(encoding="utf-8")
    graph_attrs = dot.split("subgraph", 1)[0]  # the graph's own, not a cluster's
    assert " rankdir=LR " in graph_attrs and "rankdir=TB" not in graph_attrs
    assert 'DIRECTION = "LR"' in (out / "diagrams" / "architecture.py").read_text("utf-8")


def test_cluster_title_does_not_repeat_the_region(minimal: Path, tmp_path: Path) -> None:
    mmd = minimal / "architecture.mmd"
    mmd.write_text(mmd.read_text("utf-8").replace('["AWS"]', '["AWS eu-west-1"]'), "utf-8")
    out = tmp_path / "out"
    assert main(["build", str(minimal), "-o", str(out), "--only", "diagram"]) == 0
    dot = (out / "diagrams" / "architecture.dot").read_text(encoding="utf-8")
    assert 'label="AWS eu-west-1"' in dot and "(eu-west-1)" not in dot


def test_security_report_mentions_eks_only_where_there_is_one(minimal: Path,
                                                              tmp_path: Path) -> None:
    assert main(["build", str(minimal), "-o", str(tmp_path / "a"), "--only", "security"]) == 0
    reports = list((tmp_path / "a").rglob("*.md"))
    assert reports and not any("EKS" in x.read_text("utf-8") for x in reports)
    assert main(["build", str(REPO / "spec"), "-o", str(tmp_path / "b"),
                 "--only", "security"]) == 0
    assert all("The EKS module adds" in x.read_text("utf-8")
               for x in (tmp_path / "b").rglob("*.md"))


# -- speed: Graphviz is not rerun for an unchanged input ------------------------------------


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from archc.emit.diagram import render as _diagram_render

    calls: list[int] = []
    real = _diagram_render.render_images

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_diagram_render, "render_images", counting)
    return calls


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_graphviz_is_not_rerun_when_its_input_is_unchanged(minimal: Path, tmp_path: Path,
                                                           renders: list[int]) -> None:
    out = tmp_path / "out"
    build = ["build", str(minimal), "-o", str(out), "--only", "diagram"]
    assert main(build) == 0 and len(renders) == 1
    png = (out / "diagrams" / "architecture.png").read_bytes()
    assert main(build) == 0 and len(renders) == 1  # reused: same DOT, same icons
    assert (out / "diagrams" / "architecture.png").read_bytes() == png
    # --check draws nothing: it judges the images by the DOT they were drawn from
    assert main([*build, "--check"]) == 0 and len(renders) == 1
    mmd = minimal / "architecture.mmd"
    mmd.write_text(mmd.read_text("utf-8").replace('"API Service"', '"API"'), "utf-8")
    assert main(build) == 0 and len(renders) == 2  # the DOT changed


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_a_tampered_or_linked_image_is_rendered_again(minimal: Path, tmp_path: Path,
                                                      renders: list[int]) -> None:
    out = tmp_path / "out"
    build = ["build", str(minimal), "-o", str(out), "--only", "diagram"]
    assert main(build) == 0
    png = out / "diagrams" / "architecture.png"
    good = png.read_bytes()
    png.write_bytes(b"\x89PNG not the picture")
    assert main(build) == 0 and len(renders) == 2 and png.read_bytes() == good
    secret = tmp_path / "secret.png"
    secret.write_bytes(good)
    png.unlink()
    png.symlink_to(secret)  # same bytes, but outside the output directory's own files
    assert main(build) == 1 and len(renders) == 2  # a listed output behind a link: ARC055
    assert png.is_symlink() and secret.read_bytes() == good  # nothing written through it
    png.unlink()
    assert main(build) == 0 and len(renders) == 3 and png.read_bytes() == good
    manifest = out / "manifest.json"
    body = json.loads(manifest.read_text("utf-8"))
    body["outputs"]["diagrams/architecture.dot"]["sha256"] = "0" * 64
    manifest.write_text(json.dumps(body), "utf-8")
    assert main(build) == 0 and len(renders) == 4


def test_a_valid_overlay_is_validated_once(minimal: Path, tmp_path: Path) -> None:
    """The second check of the same overlay needs no jsonschema (its import is most of the
    schema's cost); an invalid overlay is validated every time."""
    env = {"ARCHC_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    probe = ("import sys; from pathlib import Path; from archc import pipeline; "
             f"ok = pipeline.check(Path({str(minimal)!r})).ok; "
             "print(ok, 'jsonschema' in sys.modules)")

    def check() -> str:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env=env, check=True).stdout.strip()

    assert check() == "True True"
    assert check() == "True False"
    yaml = minimal / "archc.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("azs: 2", "azs: many"), "utf-8")
    assert check() == "False True"
    assert check() == "False True"
