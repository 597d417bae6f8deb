"""checkov on every generated Terraform root: no failed check. A check that cannot pass is
skipped *in the generated code* with a written reason, never here; this file only bounds those
skips: each check id must be one this list accepts, with its reason, and checkov must skip
exactly what the generated `#checkov:skip=` comments declare, no more."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import missing_tool

REPO = Path(__file__).resolve().parent.parent
CHECKOV = Path(os.environ.get("ARCHC_CHECKOV", REPO / ".venv-tools" / "bin" / "checkov"))
TREES = {"seed": REPO / "outputs" / "terraform",
         "data-platform": REPO / "tests" / "golden" / "data-platform" / "terraform"}
ROOTS = [(name, root.relative_to(tree).as_posix())
         for name, tree in TREES.items()
         for root in sorted([*tree.glob("envs/*"), tree / "bootstrap"])]

_KMS_KEY_POLICY = ("a KMS key policy is no identity policy: Resource \"*\" there means this key "
                   "only, and the account-root statement is AWS's default key policy")
_MODULE_PIN = ("registry modules are pinned to an exact release whose commit is recorded in "
               "tf_modules.json; the registry form keeps the module-conformance check")
# The checks the generated code may skip, per kind of root, each with why that is sound.
ALLOWED_SKIPS: dict[str, dict[str, str]] = {
    "bootstrap": {
        "CKV_AWS_109": _KMS_KEY_POLICY,
        "CKV_AWS_111": _KMS_KEY_POLICY,
        "CKV_AWS_356": _KMS_KEY_POLICY,
        "CKV_TF_1": _MODULE_PIN,
    },
    "envs": {
        "CKV_AWS_109": _KMS_KEY_POLICY,
        "CKV_AWS_111": _KMS_KEY_POLICY,
        "CKV_AWS_356": _KMS_KEY_POLICY,
        "CKV_TF_1": _MODULE_PIN,
        "CKV2_AWS_5": "security groups are attached inside registry modules, which checkov "
                      "cannot expand offline",
        "CKV_AWS_24": "SSH comes from another security group (referenced_security_group_id), "
                      "which checkov 3.3.30 does not recognise as a non-CIDR source",
        "CKV_AWS_260": "HTTP comes from the load balancer's security group "
                       "(referenced_security_group_id), which checkov 3.3.30 does not "
                       "recognise as a non-CIDR source",
        "CKV_AWS_338": "log retention is the overlay's observability.log_retention_days, an "
                       "architecture decision",
        "CKV2_AWS_34": "the CloudWatch agent's configuration parameter holds no secret (file "
                       "paths and a log group name), read as a plain String by the agent",
        "CKV_AWS_71": "a Redshift cluster's logging is its aws_redshift_logging resource (AWS "
                      "provider 6), which checkov 3.3.30 does not read",
    },
}
SKIP_COMMENT = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+):(.*)$", re.MULTILINE)
LOCAL_MODULE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"]*)"', re.MULTILINE)


def declared_skips(root: Path) -> Counter[str]:
    """Check id -> how many `#checkov:skip=` comments the root and the local modules it calls
    declare (a module called twice declares its skips twice)."""
    found: Counter[str] = Counter()
    for path in sorted(root.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        for check_id, reason in SKIP_COMMENT.findall(text):
            assert reason.strip(), f"{path}: checkov:skip={check_id} gives no reason"
            found[check_id] += 1
        for source in LOCAL_MODULE.findall(text):
            found += declared_skips((root / source).resolve())
    return found


def run_checkov(root: Path) -> dict:  # type: ignore[type-arg]
    # Not --quiet: it drops the skipped checks from the JSON report.
    proc = subprocess.run([str(CHECKOV), "-d", str(root), "--framework", "terraform",
                           "--skip-download", "--compact", "-o", "json"],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    return json.loads(proc.stdout)


def test_every_tree_is_scanned() -> None:
    """The roots are globbed: a tree that lost its envs (or moved) must not shrink the scan."""
    for name in TREES:
        roots = [root for tree, root in ROOTS if tree == name]
        assert "bootstrap" in roots and any(r.startswith("envs/") for r in roots), name
        assert all((TREES[name] / root / "main.tf").is_file() for root in roots), name


@pytest.mark.parametrize(("tree", "root"), ROOTS, ids=lambda v: str(v))
def test_checkov_finds_nothing(tree: str, root: str) -> None:
    if not CHECKOV.exists():
        missing_tool(f"checkov (looked for {CHECKOV})", "`make tools`, or set ARCHC_CHECKOV")
    report = run_checkov(TREES[tree] / root)
    summary, results = report["summary"], report["results"]
    failed = [(c["check_id"], c["resource"]) for c in results["failed_checks"]]
    assert summary["parsing_errors"] == 0 and summary["resource_count"] > 0
    assert failed == [], failed
    skipped = [c["check_id"] for c in results["skipped_checks"]]
    allowed = ALLOWED_SKIPS[root.split("/")[0]]
    assert sorted(set(skipped) - set(allowed)) == [], "skipped without an allowed reason"
    assert summary["skipped"] == len(skipped)
    assert Counter(skipped) == declared_skips(TREES[tree] / root)
