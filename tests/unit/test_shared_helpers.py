"""Helpers archc had twice, now once: label flattening, port ranges, overlay key paths."""

from __future__ import annotations

from pathlib import Path

from archc import pipeline
from archc.aws.names import port_text
from archc.model import one_line, ports_text

REPO = Path(__file__).resolve().parents[2]


def test_one_label_flattener_in_the_code_base() -> None:
    copies = [p.relative_to(REPO).as_posix() for p in sorted((REPO / "archc").rglob("*.py"))
              if 'replace("<br>", " ")' in p.read_text(encoding="utf-8")]
    assert copies == ["archc/model.py"]
    assert one_line("API\\nserver<br>  v2") == "API server v2"


def test_rule_rows_and_flows_format_a_port_range_alike() -> None:
    assert port_text("tcp", 8000, 8100) == ports_text("tcp", ((8000, 8100),)) == "tcp/8000-8100"
    assert port_text("udp", 53, 53) == "udp/53"
    assert ports_text("tcp", ((22, 22), (8000, 8100))) == "tcp/22,8000-8100"
    assert ports_text("tcp", ()) == ""


def test_decisions_cite_overlay_keys_as_diagnostics_do() -> None:
    arch = pipeline.check(REPO / "spec").loaded.arch
    assert arch is not None
    reasons = {d.reason for f in arch.flows for d in f.decisions}
    assert 'overlay key flows["GitLab -> Jenkins"].ports' in reasons
