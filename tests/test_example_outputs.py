"""The example architectures (examples/) build with no code change; their Terraform,
security reports and canonical Mermaid are golden files in tests/golden/<example>/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archc.cli import main

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"


# data-platform: the second architecture; container-shop: ECS, Aurora, ElastiCache, SQS;
# serverless-api: no VPC component, only catalog kinds
@pytest.mark.parametrize("example", ["data-platform", "container-shop", "serverless-api"])
def test_example_outputs(example: str, tmp_path: Path, golden,  # type: ignore[no-untyped-def]
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    code = main(["build", f"examples/{example}", "-o", str(out),
                 "--only", "terraform,security,mermaid"])
    assert code == 0
    (out / "manifest.json").unlink()  # hashes only; every file it lists is compared anyway
    golden.check_dir(out, GOLDEN / example)


def test_minimal_case_builds_every_target(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "tests" / "cases" / "minimal-three-tier" / "spec", spec)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "spec", "-o", "out"]) == 0
    built = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")}
    assert {"terraform/envs/dev/main.tf", "security/dev.md", "diagrams/architecture.mmd",
            "diagrams/architecture.dot", "manifest.json"} <= built
    eks = (tmp_path / "out" / "terraform/modules/platform/eks.tf").read_text(encoding="utf-8")
    assert 'module "eks"' not in eks  # no EKS component, so no cluster
