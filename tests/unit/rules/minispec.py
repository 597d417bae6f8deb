"""The smallest clean three-tier spec the rule tests edit, and how to check an edit of it."""

from __future__ import annotations

from pathlib import Path

from archc import pipeline
from archc.diagnostics import Severity

BASE = """flowchart LR
    Users["End Users"]
    subgraph aws ["AWS"]
        CDN["CloudFront"]
        IGW["Internet Gateway"]
        subgraph vpc ["VPC"]
            subgraph pub ["Public Subnet"]
                ALB["Application Load Balancer"]
                NAT["NAT Gateway"]
            end
            subgraph app ["Private App Subnet"]
                API["API Service"]
            end
            subgraph data ["Private Data Subnet"]
                DB["Amazon RDS"]
            end
        end
    end
    Users -->|"HTTPS"| CDN
    CDN -->|"Origin"| IGW
    IGW -->|"Inbound HTTPS"| ALB
    ALB -->|"API Traffic"| API
    API -->|"Queries"| DB
    API -->|"Updates"| NAT
    NAT -->|"Egress"| IGW
"""
OVERLAY = """version: 1
project: mini
environments:
  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}
"""


def check(tmp_path: Path, diagram: str = BASE, overlay: str = OVERLAY,
          env: str | None = None) -> pipeline.CheckOutcome:
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return pipeline.check(spec, env)


def codes(outcome: pipeline.CheckOutcome, severity: Severity = Severity.ERROR) -> list[str]:
    return [d.code for d in outcome.diagnostics if d.severity is severity]


def errors(outcome: pipeline.CheckOutcome) -> list[tuple[str, str]]:
    """(code, message) of every error, to tell apart two branches that share a code."""
    return [(d.code, d.message) for d in outcome.diagnostics if d.severity is Severity.ERROR]


def add_after(diagram: str, line: str, *new: str) -> str:
    """`diagram` with `new` lines inserted after `line` (which must occur exactly once)."""
    assert diagram.count(line) == 1, line
    return diagram.replace(line, line + "".join(new))


def without(diagram: str, *lines: str) -> str:
    for line in lines:
        assert diagram.count(line) == 1, line
        diagram = diagram.replace(line, "")
    return diagram
