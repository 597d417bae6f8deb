"""archc.emit.terraform.hcl_data: the HCL values the Terraform templates print, built in Python.

The rendered Terraform is covered byte for byte by the goldens; these tests pin what the
templates no longer do and the branches no golden reaches.
"""

from __future__ import annotations

import re

import pytest

from archc.emit._hcl import HclExpr
from archc.emit._jinja import templates_dir
from archc.emit.terraform import hcl_data

# `{% set _ = x.update(...) %}`, `.append(...)`: data built inside a template.
_BUILDS_DATA = re.compile(r"\{%-?\s*set\s+_\s*=|\.(update|append)\(")


def test_no_terraform_template_builds_data() -> None:
    found = [f"{path.name}:{n}" for path in sorted(templates_dir("terraform").rglob("*.j2"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if _BUILDS_DATA.search(line)]
    assert found == []


def test_subnets_of_one_tier_are_one_list_of_several_a_concat() -> None:
    tiers = [{"id": "app_2", "vpc_role": "private", "vpc_list_index": 1},
             {"id": "app", "vpc_role": "private", "vpc_list_index": 0},
             {"id": "edge", "vpc_role": "public", "vpc_list_index": 0}]
    assert hcl_data.vpc_subnets(tiers, "public")[0] == (
        "public_subnets", 'local.subnet_cidrs["edge"]')
    private = dict(hcl_data.vpc_subnets(tiers, "private"))
    assert private["private_subnets"] == (
        'concat(local.subnet_cidrs["app"], local.subnet_cidrs["app_2"])')
    assert isinstance(private["private_subnet_names"], HclExpr)
    assert hcl_data.vpc_subnets(tiers, "database") == []


def test_a_record_name_cannot_open_an_interpolation() -> None:
    dns = {"records": [{"id": "www", "name": "${evil}"}], "zone_name": "var.dns_zone_name"}
    assert hcl_data.fqdn([dns], "www") == '"$${evil}.${var.dns_zone_name}"'


@pytest.mark.parametrize(("call", "message"), [
    (lambda: hcl_data.principal_arn({"kind": "user", "ref": "x"}), "unknown principal kind"),
    (lambda: hcl_data.dns_records({"records": [{"id": "a", "name": "a", "type": "A",
                                               "alias": {"kind": "s3"}}]}),
     "unknown dns alias kind"),
    (lambda: hcl_data.fqdn([{"records": []}], "www"), "unknown dns record"),
])
def test_a_context_the_emitter_never_builds_is_refused(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()
