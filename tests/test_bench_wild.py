"""bench/wild.py's kind coverage: the share of real components that get a kind with no overlay,
and the unknown labels grouped by the word that would name their kind (issue 10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

DIAGRAM = """flowchart LR
    U[Users] -->|HTTPS| ALB[Application Load Balancer]
    F["⚡ QLDB Ledger<br/>(Orders)"]
    B["Booking QLDB"]
    P@{ icon: "aws:ground-station", label: "Sign-in" }
    L["Lambda"]
    SG["Security Group"]
    ALB --> F
    ALB --> B
    ALB --> P
    ALB --> L
"""


def test_wild_counts_components_and_groups_the_unknown_by_their_naming_word(
        tmp_path: Path) -> None:
    (tmp_path / "a.mmd").write_text(DIAGRAM, encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "bench" / "wild.py"), str(tmp_path)],
                          capture_output=True, text=True, check=True, timeout=120)
    lines = done.stdout.splitlines()
    # the security group is a description (ARC291), not a component
    assert lines[-3] == ("kind coverage (AWS diagrams Mermaid accepts, no overlay): 3 of 6 "
                         "components get a kind (50%); 3 unknown")
    # QLDB is no catalog kind (the word the unknown labels share); the icon names its service
    assert lines[-2:] == ["  qldb (2): Booking QLDB; ⚡ QLDB Ledger<br/>(Orders)",
                          "  ground-station (1): Sign-in"]
