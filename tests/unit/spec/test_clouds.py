"""Issue 11: a diagram of another cloud gets one clear error (ARC220) naming the cloud, at its
first telling node, instead of one error per node; an AWS diagram with a foreign node does not."""

from __future__ import annotations

from pathlib import Path

from archc.diagnostics import Severity
from tests.unit.rules.minispec import BASE, OVERLAY, check, errors

GCP = """flowchart TB
    Analysts["Analysts"]
    subgraph proj ["Project: analytics"]
        Run["Cloud Run: ingest"]
        Lake[("BigQuery")]
        Bucket["Cloud Storage"]
        Topic["Pub/Sub"]
    end
    Analysts --> Run
    Run --> Topic --> Lake
    Run --> Bucket
"""


def test_a_google_cloud_diagram_is_one_error_at_its_first_telling_node(tmp_path: Path) -> None:
    outcome = check(tmp_path, GCP, "version: 1\nproject: gcp\n")
    found = [x for x in outcome.diagnostics if x.severity is Severity.ERROR]
    assert [x.code for x in found] == ["ARC220"]
    assert found[0].message.startswith("this diagram draws a Google Cloud architecture (4 of ")
    assert found[0].span is not None and found[0].span.line == 4  # Cloud Run
    assert "cloud: aws" in (found[0].hint or "")
    assert outcome.loaded.arch is None


def test_one_foreign_service_in_an_aws_diagram_is_no_other_cloud(tmp_path: Path) -> None:
    diagram = BASE + '    IdP["Azure AD"]\n    IdP --> CDN\n'
    assert "ARC220" not in [c for c, _ in errors(check(tmp_path, diagram))]


def test_the_overlay_can_say_it_is_aws(tmp_path: Path) -> None:
    outcome = check(tmp_path, GCP, OVERLAY + "cloud: aws\n")
    assert "ARC220" not in [c for c, _ in errors(outcome)]
    assert outcome.loaded.arch is not None
