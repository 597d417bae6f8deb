"""Issue 12, "works on paper, fails in use": what the generated Terraform needs to work once
applied, asserted on the parsed HCL of the seed (and of small hand-written specs)."""

from __future__ import annotations

from pathlib import Path

from archc.aws.iam import workload
from archc.kinds import Kind
from archc.model import Architecture
from tests.unit.emit.test_terraform_emit import (
    BARE_DIAGRAM,
    BARE_OVERLAY,
    data_blocks,
    emit,
    load,
    modules,
    parse_dir,
    platform,
    seed,
    seed_files,
)

PLATFORM = "terraform/modules/platform"


__all__ = ["platform", "seed", "seed_files"]  # the seed's fixtures, shared


def resources(doc: dict, rtype: str) -> dict[str, dict]:
    return {n: b for block in doc.get("resource", []) for n, b in block.get(rtype, {}).items()}


def rules(doc: dict, direction: str) -> list[dict]:
    return list(resources(doc, f"aws_vpc_security_group_{direction}_rule").values())


def sg(ident: str) -> str:
    return f"${{aws_security_group.{ident}.id}}"


def statements(doc: dict) -> list[dict]:
    st = doc["statement"]
    return st if isinstance(st, list) else [st]


# --------------------------------------------------------------------------- egress of hosts
def test_every_ec2_host_reaches_ssm_logs_and_mirrors_over_https(
        seed: Architecture, platform: dict[str, list]) -> None:
    hosts = [c.id.lower() for c in seed.components if c.kind in (
        Kind.BASTION, Kind.BACKEND_SERVICE, Kind.CI_SERVER, Kind.SCM_SERVER)]
    assert sorted(hosts) == ["bastionhost", "ec2", "gitlab", "jenkins"]
    egress = rules(platform, "egress")
    for host in hosts:
        out = [r for r in egress if r["security_group_id"] == sg(host)
               and r.get("cidr_ipv4") == "0.0.0.0/0"]
        assert [(r["ip_protocol"], r["from_port"], r["to_port"]) for r in out] == [
            ("tcp", 443, 443)], host
    # and still nothing else leaves for the world
    for r in egress:
        if r.get("cidr_ipv4") == "0.0.0.0/0":
            assert (r["ip_protocol"], r["from_port"], r["to_port"]) == ("tcp", 443, 443), r


def test_ci_server_clones_from_the_git_server_that_notifies_it(
        seed: Architecture, platform: dict[str, list]) -> None:
    pairs = {(r["security_group_id"], r["referenced_security_group_id"], r["from_port"])
             for r in rules(platform, "egress") if "referenced_security_group_id" in r}
    ins = {(r["security_group_id"], r["referenced_security_group_id"], r["from_port"])
           for r in rules(platform, "ingress") if "referenced_security_group_id" in r}
    assert (sg("jenkins"), sg("gitlab"), 443) in pairs
    assert (sg("gitlab"), sg("jenkins"), 443) in ins
    assert (sg("gitlab"), sg("jenkins"), 22) not in ins  # port 22 stays the bastion's
    flow = next(f for f in seed.flows if f.initiator == "GitLab" and f.target == "Jenkins")
    reverse = [d for d in flow.decisions if d.attribute == "reverse"]
    assert reverse and reverse[0].value == "Jenkins clones from GitLab on tcp/443"
    assert reverse[0].source == "inferred"


def test_private_host_without_nat_is_reported(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "architecture.mmd").write_text(BARE_DIAGRAM, encoding="utf-8")
    (tmp_path / "spec" / "archc.yaml").write_text(BARE_OVERLAY, encoding="utf-8")
    files, diags = emit(load("spec", tmp_path))
    assert [(d.code, d.severity.value) for d in diags if d.code == "ARC531"] == [
        ("ARC531", "warning")]
    assert not [r for r in rules(parse_dir(files, PLATFORM), "egress")
                if r.get("cidr_ipv4") == "0.0.0.0/0"]


# --------------------------------------------------------------------------- EKS
def test_eks_nodes_do_not_allow_all_egress(platform: dict[str, list]) -> None:
    eks = modules(platform)["eks"]
    assert eks["node_security_group_enable_recommended_rules"] is False
    node_rules = eks["node_security_group_additional_rules"]
    egress = {k: r for k, r in node_rules.items() if r["type"] == "egress"}
    assert egress and all(r.get("description") for r in node_rules.values())
    for key, rule in egress.items():
        if rule.get("cidr_blocks"):
            assert (rule["protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443), key
        else:  # to the cluster or to the other nodes only
            assert rule.get("self") or rule.get("source_cluster_security_group"), key
    assert egress["egress_cluster_443"]["source_cluster_security_group"] is True


def test_ci_edits_only_the_namespaces_of_its_workloads(seed: Architecture,
                                                       platform: dict[str, list]) -> None:
    entry = modules(platform)["eks"]["access_entries"]["jenkins"]
    scope = entry["policy_associations"]["AmazonEKSEditPolicy"]["access_scope"]
    expected = sorted({workload(c)[1] for c in seed.components
                       if c.kind is Kind.EKS_NODE_GROUP})
    assert scope == {"type": "namespace", "namespaces": expected} and "serving" in expected


def test_the_bastion_is_the_admin_path_to_the_private_endpoint(platform: dict[str, list]) -> None:
    eks = modules(platform)["eks"]
    assert eks["endpoint_public_access"] is False
    assert eks["enable_cluster_creator_admin_permissions"] is False
    admin = eks["access_entries"]["bastionhost"]
    assert admin["principal_arn"] == "${aws_iam_role.bastionhost.arn}"
    assoc = admin["policy_associations"]["AmazonEKSClusterAdminPolicy"]
    assert assoc["access_scope"] == {"type": "cluster"}
    ins = [r for r in rules(platform, "ingress") if r["security_group_id"] == sg("ekscontrol")
           and r.get("referenced_security_group_id") == sg("bastionhost")]
    assert [(r["ip_protocol"], r["from_port"]) for r in ins] == [("tcp", 443)]
    out = [r for r in rules(platform, "egress") if r["security_group_id"] == sg("bastionhost")
           and r.get("referenced_security_group_id") == sg("ekscontrol")]
    assert [(r["ip_protocol"], r["from_port"]) for r in out] == [("tcp", 443)]
    describe = data_blocks(platform, "aws_iam_policy_document")["bastionhost_eks_admin"]
    assert [s["actions"] for s in statements(describe)] == [["eks:DescribeCluster"]]
    attached = resources(platform, "aws_iam_role_policy_attachment")["bastionhost_eks_admin"]
    assert attached["role"] == "${aws_iam_role.bastionhost.name}"


# --------------------------------------------------------------------------- database
def test_database_callers_read_the_rds_managed_secret(seed: Architecture,
                                                      platform: dict[str, list]) -> None:
    db = modules(platform)["db_rds"]
    assert db["iam_database_authentication_enabled"] is False
    assert db["manage_master_user_password"] is True
    docs = data_blocks(platform, "aws_iam_policy_document")
    actions = {a for d in docs.values() for s in statements(d) for a in s["actions"]}
    assert "rds-db:connect" not in actions
    secret = "${module.db_rds.db_instance_master_user_secret_arn}"
    readers = {name for name, d in docs.items()
               if any(secret in s.get("resources", []) for s in statements(d))}
    assert readers == {"ec2_rds_credentials", "model_server_rds_credentials"}
    for name in readers:
        by_sid = {s["sid"]: s for s in statements(docs[name])}
        assert by_sid["ReadRdsCredentials"]["actions"] == [
            "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        assert by_sid["ReadRdsCredentials"]["resources"] == [secret]
        assert by_sid["DecryptRdsCredentials"]["resources"] == ["${aws_kms_key.data.arn}"]
