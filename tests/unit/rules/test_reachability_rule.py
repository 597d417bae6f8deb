"""Reachability (ARC309): only traffic-carrying flows make a path from the internet, and the
report points at the spec's first edge of each step."""

from __future__ import annotations

from pathlib import Path

from tests.unit.rules.minispec import BASE, OVERLAY, check, codes

REPORTS = '    ALB -->|"Reports"| DB\n'


def test_a_flow_that_carries_no_traffic_is_no_path(tmp_path: Path) -> None:
    # An AWS API call (IAM) from the load balancer opens no connection into the data tier.
    overlay = OVERLAY + 'flows:\n  "ALB -> DB": {meaning: iam}\n'
    assert codes(check(tmp_path, BASE + REPORTS, overlay)) == []
    # Declared as traffic (control-plane connections count), the same edge is a path.
    overlay = OVERLAY + 'flows:\n  "ALB -> DB": {meaning: control}\n'
    assert codes(check(tmp_path, BASE + REPORTS, overlay)) == ["ARC309"]


def test_the_path_is_reported_at_the_first_of_parallel_edges(tmp_path: Path) -> None:
    diagram = BASE + REPORTS + '    ALB -->|"Exports"| DB\n'
    outcome = check(tmp_path, diagram)
    (diag,) = [d for d in outcome.diagnostics if d.code == "ARC309"]
    first = diagram.splitlines().index(REPORTS.rstrip("\n")) + 1
    assert diag.span is not None and diag.span.line == first
    assert [n.span.line for n in diag.notes if n.span][-1] == first


def test_an_iam_meaning_archc_cannot_grant_is_said(tmp_path: Path) -> None:
    """`meaning: iam` on a flow to a database writes no policy and no rule: a warning at the
    overlay key says so (it used to pass silently)."""
    overlay = OVERLAY + 'flows:\n  "ALB -> DB": {meaning: iam}\n'
    outcome = check(tmp_path, BASE + REPORTS, overlay)
    (warned,) = [d for d in outcome.diagnostics if d.code == "ARC218"]
    assert "DB is a database" in warned.message and "object_storage" in warned.message
    assert warned.span is not None and warned.span.file.endswith("archc.yaml")
    # To an S3 bucket the same meaning is a grant: no warning.
    bucket = BASE + '    S3["S3 Buckets"]\n    API -->|"Reads"| S3\n'
    outcome = check(tmp_path, bucket, OVERLAY + 'flows:\n  "API -> S3": {meaning: iam}\n')
    assert "ARC218" not in {d.code for d in outcome.diagnostics}
