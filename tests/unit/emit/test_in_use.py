"""Issue 12, "works on paper, fails in use": what the generated Terraform needs to work once
applied, asserted on the parsed HCL of the seed (and of small hand-written specs)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from archc.aws.iam import workload
from archc.emit import security_report
from archc.graph import to_graph
from archc.kinds import Kind
from archc.model import Architecture
from archc.spec import load_spec
from tests.unit.emit.test_terraform_emit import (
    BARE_DIAGRAM,
    BARE_OVERLAY,
    REPO,
    data_blocks,
    emit,
    load,
    modules,
    parse_dir,
    platform,
    seed,
    seed_files,
    tfvars,
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
    report = json.loads(next(f for f in security_report.emit(seed, to_graph(seed)).files
                             if f.path == "security/dev.json").data)
    why = {r["id"]: r["edges"] for r in report["rules"]}
    for rule in ("gitlab_ingress_jenkins_https", "jenkins_egress_gitlab_https"):
        assert "Jenkins clones from GitLab (a CI server notified by a git server)" in why[rule]
    assert why["jenkins_egress_internet_https"] == [
        "Jenkins runs the SSM and CloudWatch agents (ci_server)"]


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
                       if c.kind == Kind.EKS_NODE_GROUP})
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


# --------------------------------------------------------------------------- what hosts run
def hcl_text(expr: str, call: str = "base64encode") -> str:
    """The string literal inside ``${call("...")}`` as the text Terraform sees."""
    prefix, suffix = f'${{{call}("', '")}'
    assert expr.startswith(prefix) and expr.endswith(suffix), expr
    text = json.loads('"' + expr[len(prefix):-len(suffix)] + '"')
    return text.replace("$${", "${").replace("%%{", "%{")


def test_a_backend_without_image_uses_ec2_health_checks(seed: Architecture,
                                                        platform: dict[str, list]) -> None:
    asg = resources(platform, "aws_autoscaling_group")["ec2"]
    assert asg["target_group_arns"] == ['${module.lb_alb.target_groups["ec2"].arn}']
    assert asg["health_check_type"] == "EC2"
    lt = resources(platform, "aws_launch_template")["ec2"]
    assert "user_data" not in lt
    _, diags = emit(seed)
    warned = [x for x in diags if x.code == "ARC532" and x.severity.value == "warning"]
    assert [x.span.line for x in warned] == [11] and "container_image" in (warned[0].hint or "")


HOSTILE = 'echo "${HOME}" %{ if x } \\ done\n'
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4.2"


@pytest.fixture(scope="module")
def booted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Architecture, dict[str, list]]:
    root = tmp_path_factory.mktemp("booted")
    spec = shutil.copytree(REPO / "spec", root / "spec")
    (spec / "gitlab-init.sh").write_text(HOSTILE, encoding="utf-8")
    overlay = (spec / "archc.yaml").read_text(encoding="utf-8")
    for old, new in (("    port: 8080\n", f"    port: 8080\n    container_image: {ECR}\n"),
                     ("    volume_size: 100\n", "    volume_size: 100\n"
                                                  "    ami: ami-0123456789abcdef0\n"),
                     ("    volume_size: 200\n", "    volume_size: 200\n"
                                                  "    user_data_file: gitlab-init.sh\n")):
        assert old in overlay
        overlay = overlay.replace(old, new, 1)
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    arch = load("spec", root)
    files, diags = emit(arch)
    assert [x.code for x in diags] == []
    return arch, parse_dir(files, PLATFORM)


def test_the_overlay_says_what_each_host_runs(booted: tuple[Architecture, dict[str, list]]
                                             ) -> None:
    arch, plat = booted
    asg = resources(plat, "aws_autoscaling_group")["ec2"]
    assert asg["health_check_type"] == "ELB"  # something answers the check now
    script = hcl_text(resources(plat, "aws_launch_template")["ec2"]["user_data"])
    assert script.splitlines()[-1] == (
        f"docker run -d --restart always --network host --name app {ECR}")
    assert ("aws ecr get-login-password --region us-east-1 | docker login --username AWS "
            "--password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com") in script
    ecr = resources(plat, "aws_iam_role_policy_attachment")["ec2_managed"]["for_each"]
    assert "AmazonEC2ContainerRegistryReadOnly" in ecr
    jenkins = modules(plat)["ec2_jenkins"]
    assert jenkins["ami"] == "ami-0123456789abcdef0" and "ami_ssm_parameter" not in jenkins
    assert "user_data_base64" not in jenkins
    gitlab = modules(plat)["ec2_gitlab"]
    assert hcl_text(gitlab["user_data_base64"]) == HOSTILE  # escaped, never interpolated
    assert "spec/gitlab-init.sh" in arch.inputs
    comp = next(c for c in arch.components if c.id == "GitLab")
    assert [x.value for x in comp.decisions if x.attribute == "user_data"] == [
        "spec/gitlab-init.sh"]


def test_user_data_file_is_read_like_every_input(tmp_path: Path) -> None:
    spec = shutil.copytree(REPO / "spec", tmp_path / "spec")
    (spec / "init.sh").symlink_to("/etc/passwd")
    overlay = (spec / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace(
        "    volume_size: 200\n", "    volume_size: 200\n    user_data_file: init.sh\n", 1),
        encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        loaded = load_spec(Path("spec"))
    assert [(x.code, x.severity.value) for x in loaded.diagnostics
            if x.severity.value == "error"] == [("ARC011", "error")]
    assert loaded.arch is not None
    assert "user_data" not in next(c for c in loaded.arch.components if c.id == "GitLab").props


def _schema_findings(tmp_path: Path, entry: str) -> list[tuple[str, str]]:
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    (spec / "architecture.mmd").write_text(BARE_DIAGRAM.replace("API", "EC2"), encoding="utf-8")
    (spec / "archc.yaml").write_text(BARE_OVERLAY + "components:\n" + entry, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        loaded = load_spec(Path("spec"))
    return [(x.code, f"{x.message} / {x.hint}") for x in loaded.diagnostics
            if x.code.startswith("ARC16")]


@pytest.mark.parametrize("entry", [
    "  EC2: {kind: backend_service, ami: ami-0123456789abcdef0}\n",
    "  EC2: {kind: backend_service, ami: /aws/service/ecs/optimized-ami/amazon-linux-2023/"
    "recommended/image_id}\n",
    "  EC2: {kind: backend_service, user_data: \"#!/bin/bash\\necho hi\"}\n",
    "  EC2: {kind: backend_service, container_image: 'registry.example.com:5000/team/api:1.4"
    "@sha256:" + "a" * 64 + "'}\n",
])
def test_boot_keys_are_accepted_on_ec2_hosts(tmp_path: Path, entry: str) -> None:
    assert _schema_findings(tmp_path, entry) == []


@pytest.mark.parametrize("entry,expected", [
    ("  RDS: {kind: database, engine: postgres, ami: ami-0123456789abcdef0}\n",
     "'ami' does not apply to kind 'database'"),
    ("  EC2: {kind: backend_service, user_data: x, container_image: nginx}\n",
     "give one of user_data, user_data_file and container_image"),
    ("  EC2: {kind: backend_service, ami: ubuntu}\n", "an AMI id"),
    ("  EC2: {kind: backend_service, user_data_file: ../etc/passwd}\n", "a file name"),
    ("  EC2: {kind: backend_service, container_image: 'nginx; rm -rf /'}\n",
     "an image reference"),
])
def test_boot_keys_are_validated(tmp_path: Path, entry: str, expected: str) -> None:
    found = _schema_findings(tmp_path, entry)
    assert found and all(expected in message for _, message in found), found


# --------------------------------------------------------------------------- bastion key
def test_an_ssh_bastion_gets_a_key_pair_from_a_required_public_key(
        seed_files: dict[str, str], platform: dict[str, list]) -> None:
    pair = resources(platform, "aws_key_pair")["bastion"]
    assert pair == {"key_name_prefix": "${var.name}-bastion-",
                    "public_key": "${var.bastion_public_key}"}
    assert modules(platform)["ec2_bastionhost"]["key_name"] == "${aws_key_pair.bastion.key_name}"
    for root in ("terraform/modules/platform", "terraform/envs/dev"):
        variables = {n: b for blk in parse_dir(seed_files, root)["variable"]
                     for n, b in blk.items()}
        assert "bastion_key_name" not in variables
        assert "default" not in variables["bastion_public_key"], root  # required
    validation = next(b for blk in platform["variable"] for n, b in blk.items()
                      if n == "bastion_public_key")["validation"][0]
    pattern = re.fullmatch(r'\$\{can\(regex\("(.*)", var\.bastion_public_key\)\)\}',
                           validation["condition"])
    assert pattern is not None
    key = re.compile(json.loads(f'"{pattern.group(1)}"'))
    assert key.match("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk admin@example")
    assert not key.match("REPLACE_ME") and not key.match("ssh-ed25519")
    tfvars = seed_files["terraform/envs/dev/terraform.tfvars"]
    assert "bastion_public_key =" not in tfvars and "bastion_key_name" not in tfvars


# --------------------------------------------------------------------------- host logs
def test_every_ec2_host_ships_its_logs_with_the_cloudwatch_agent(
        seed: Architecture, platform: dict[str, list]) -> None:
    hosts = sorted(c.id.lower() for c in seed.components if c.kind in (
        Kind.BASTION, Kind.BACKEND_SERVICE, Kind.CI_SERVER, Kind.SCM_SERVER))
    attached = resources(platform, "aws_iam_role_policy_attachment")
    groups = resources(platform, "aws_cloudwatch_log_group")
    params = resources(platform, "aws_ssm_parameter")
    assoc = resources(platform, "aws_ssm_association")
    for host in hosts:
        assert "CloudWatchAgentServerPolicy" in attached[f"{host}_managed"]["for_each"]
        group = groups[f"{host}_host"]
        assert group["name"] == f"/${{var.name}}/{host}-host"
        assert group["kms_key_id"] == "${aws_kms_key.logs.arn}"
        assert group["retention_in_days"] == "${var.log_retention_days}"
        param = params[f"cwagent_{host}"]
        # the managed policy lets the agent read parameters named AmazonCloudWatch-*
        assert param["name"].startswith("AmazonCloudWatch-")
        assert f"aws_cloudwatch_log_group.{host}_host.name" in param["value"]
        install, config = assoc[f"cwagent_install_{host}"], assoc[f"cwagent_config_{host}"]
        assert install["name"] == "AWS-ConfigureAWSPackage"
        assert install["parameters"] == {"action": "Install", "name": "AmazonCloudWatchAgent"}
        assert config["name"] == "AmazonCloudWatch-ManageAgent"
        assert config["parameters"]["optionalConfigurationLocation"] == (
            f"${{aws_ssm_parameter.cwagent_{host}.name}}")
        target = {"key": "tag:Name", "values": [f"${{var.name}}-{host}"]}
        assert install["targets"] == config["targets"] == [target]
    # the instances carry that Name tag: the module's name, the ASG's propagated tag
    assert modules(platform)["ec2_gitlab"]["name"] == "${var.name}-gitlab"
    tag = resources(platform, "aws_autoscaling_group")["ec2"]["tag"]
    assert {"key": "Name", "value": "${var.name}-ec2", "propagate_at_launch": True} in (
        tag if isinstance(tag, list) else [tag])


# --------------------------------------------------------------------------- stateful disks
def test_stateful_hosts_keep_data_on_a_backed_up_volume(seed_files: dict[str, str],
                                                        platform: dict[str, list]) -> None:
    for host, size in (("gitlab", 200), ("jenkins", 100)):
        module = modules(platform)[f"ec2_{host}"]
        assert module["root_block_device"]["delete_on_termination"] is True  # the OS only
        data = module["ebs_volumes"]["data"]
        assert data["encrypted"] is True and data["final_snapshot"] is True
        assert data["kms_key_id"] == "${aws_kms_key.data.arn}"
        assert data["size"] == f'${{var.instances["{host}"].data_volume_size}}'
        assert data["tags"] == {"Backup": "${var.name}-daily"}
        for env in ("dev", "prod"):
            assert tfvars(seed_files, env)["instances"][host]["data_volume_size"] == size
    assert "data_volume_size" not in tfvars(seed_files, "dev")["instances"]["bastionhost"]
    assert "ebs_volumes" not in modules(platform)["ec2_bastionhost"]
    policy = resources(platform, "aws_dlm_lifecycle_policy")["data_volumes"]
    details = policy["policy_details"][0]
    assert details["resource_types"] == ["VOLUME"]
    assert details["target_tags"] == {"Backup": "${var.name}-daily"}
    schedule = details["schedule"][0]
    assert schedule["create_rule"][0]["interval"] == 24
    assert schedule["retain_rule"][0]["count"] == 14
    assert policy["execution_role_arn"] == "${aws_iam_role.dlm.arn}"
    dlm = resources(platform, "aws_iam_role_policy_attachment")["dlm"]
    assert dlm["policy_arn"].endswith("service-role/AWSDataLifecycleManagerServiceRole")
