"""Several bastions: each its own instance, security group and role, SSH from its own
admin CIDR rule, and SSH only into the hosts it draws a flow to."""

from __future__ import annotations

from pathlib import Path

from tests.unit.emit.test_in_use import resources, rules, sg
from tests.unit.emit.test_terraform_emit import emit, load, modules, parse_dir

PLATFORM = "terraform/modules/platform"
DIAGRAM = """flowchart TB
    subgraph VPC["VPC 10.60.0.0/16"]
        subgraph Public["Public Subnet"]
            OpsBastion[Ops Bastion]
            DataBastion[Data Bastion]
            NAT[NAT Gateway]
        end
        subgraph App["Private Subnet"]
            OpsHost[Ops Instance]
            DataHost[Data Instance]
        end
    end
    IGW[Internet Gateway]
    OpsBastion -->|SSH| OpsHost
    DataBastion -->|SSH| DataHost
    OpsHost --> NAT
    DataHost --> NAT
    NAT --> IGW
"""
OVERLAY = """version: 1
project: fleet
components:
  OpsBastion: {kind: bastion, access: ssh}
  DataBastion: {kind: bastion, access: %s}
  OpsHost: {kind: instance}
  DataHost: {kind: instance}
policy:
  admin_cidrs: [10.255.0.0/24]
environments:
  dev: {vpc_cidr: 10.60.0.0/16}
"""


def build(tmp_path: Path, data_access: str = "ssh") -> tuple[dict[str, list], dict[str, str],
                                                            list]:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "architecture.mmd").write_text(DIAGRAM, encoding="utf-8")
    (tmp_path / "spec" / "archc.yaml").write_text(OVERLAY % data_access, encoding="utf-8")
    files, diags = emit(load("spec", tmp_path))
    return parse_dir(files, PLATFORM), files, diags


def ssh_into(plat: dict[str, list], target: str) -> list[str]:
    """The sources of the tcp/22 ingress rules of a security group (CIDR or group)."""
    return sorted(r.get("referenced_security_group_id") or r.get("cidr_ipv4", "var")
                  for r in rules(plat, "ingress")
                  if r["security_group_id"] == sg(target) and r["from_port"] == 22)


def test_two_bastions_each_with_its_own_instance_group_role_and_rules(tmp_path: Path) -> None:
    plat, files, diags = build(tmp_path)
    assert not [d for d in diags if d.severity.value == "error"]
    assert {"ec2_opsbastion", "ec2_databastion"} <= set(modules(plat))
    assert {"opsbastion", "databastion"} <= set(resources(plat, "aws_security_group"))
    assert {"opsbastion", "databastion"} <= set(resources(plat, "aws_iam_role"))
    for bastion in ("opsbastion", "databastion"):
        assert modules(plat)[f"ec2_{bastion}"]["key_name"] == "${aws_key_pair.bastion.key_name}"
        admin = [r for r in rules(plat, "ingress") if r["security_group_id"] == sg(bastion)
                 and r["from_port"] == 22]
        assert len(admin) == 1 and "admin_cidr_blocks" in str(admin[0])
    # each bastion's flows give SSH from that bastion only
    assert ssh_into(plat, "opshost") == [sg("opsbastion")]
    assert ssh_into(plat, "datahost") == [sg("databastion")]
    outputs = {n for blk in parse_dir(files, PLATFORM)["output"] for n in blk}
    assert {"bastion_public_ip", "bastion_databastion_public_ip"} <= outputs


def test_an_ssm_bastion_next_to_an_ssh_one_opens_no_port_22(tmp_path: Path) -> None:
    plat, _, diags = build(tmp_path, "ssm")
    assert ssh_into(plat, "opshost") == [sg("opsbastion")]
    assert ssh_into(plat, "datahost") == []
    assert ssh_into(plat, "databastion") == []
    assert "key_name" not in modules(plat)["ec2_databastion"]
    assert "key_name" in modules(plat)["ec2_opsbastion"]
    assert [d.code for d in diags if d.code == "ARC518"] == ["ARC518"]
