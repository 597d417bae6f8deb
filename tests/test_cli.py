"""The CLI contract: exit codes, help, versions, output formats, explain, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archc import __version__
from archc.cli import main

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "cases"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["parse", "fmt", "check", "build", "diagram", "explain",
                                     "schema"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: archc" in capsys.readouterr().out


def test_version_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"archc {__version__}"
    with pytest.raises(SystemExit) as exc:
        main(["check", "--no-such-option"])
    assert exc.value.code == 2
    assert main([]) == 2


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run([sys.executable, "-m", "archc", "--version"], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("archc ")


def test_check_json_is_versioned_and_sorted(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "public-to-data-flow")
    code, out, _ = run(["check", "spec", "--format", "json"], capsys)
    body = json.loads(out)
    assert code == 1 and body["version"] == 1
    errors = [d for d in body["diagnostics"] if d["severity"] == "error"]
    assert [d["code"] for d in errors] == ["ARC307", "ARC309"]
    assert errors[0]["file"] == "spec/architecture.mmd" and errors[0]["line"] == 26


def test_check_sarif_points_at_mermaid_and_yaml(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "overlapping-cidrs")
    code, out, _ = run(["check", "spec", "--format", "sarif"], capsys)
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"spec/archc.yaml"}
    assert {r["ruleId"] for r in results} == {"ARC402", "ARC403"}
    assert all(r["level"] == "error" for r in results)


def test_missing_spec_dir_is_a_finding(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    code, _, err = run(["check", str(tmp_path / "nope")], capsys)
    assert code == 1 and "ARC001" in err


def test_unknown_environment(capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, _, err = run(["check", "spec", "--env", "qa"], capsys)
    assert code == 1 and "ARC003" in err and "dev, staging, prod" in err


def test_explain_component_edge_and_zone(capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run(["explain", "spec", "EC2 <-> RDS"], capsys)
    assert code == 0
    assert "initiator: EC2" in out and "ports: tcp/5432" in out
    assert "postgres listens on 5432" in out and "spec/architecture.mmd:" in out
    code, out, _ = run(["explain", "spec", "RDS", "--format", "json"], capsys)
    body = json.loads(out)
    assert body["facts"]["kind"] == "database" and body["facts"]["tier"] == "data"
    kind = next(x for x in body["decisions"] if x["attribute"] == "kind")
    assert kind["source"] == "overlay" and kind["at"].startswith("spec/archc.yaml:")
    code, out, _ = run(["explain", "spec", "Private Subnet 3"], capsys)
    assert code == 0 and "role: subnet" in out and "10.10." in out
    assert run(["explain", "spec", "Nope"], capsys)[0] == 1


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_help_is_fast_because_imports_are_lazy() -> None:
    code = ("import sys, archc.cli; heavy = {'lark', 'yaml', 'jsonschema', 'networkx', "
            "'jinja2', 'diagrams'} & set(sys.modules); print(sorted(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == "[]"
