"""`make bench` says what it skipped and why (issue 13)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bench_runner_names_what_it_skips_and_why(tmp_path: Path) -> None:
    env = {**os.environ, "ARCHC_MERMAID_ORACLE": str(tmp_path / "no-oracle")}
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "parse"],
                          capture_output=True, text=True, env=env, check=True, timeout=120)
    last = done.stdout.splitlines()[-2:]
    assert last[0] == "== ran: nothing"
    assert last[1].startswith("== skipped: parse (")
    assert "needs" in last[1] or "no Mermaid oracle" in last[1] or "node" in last[1]
    assert "check (not asked for)" in last[1]


def test_bench_runner_refuses_an_unknown_name() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "nope"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 2
    assert "known: parse, check, build, diagrams, hostile, cli, catalog" in done.stdout
