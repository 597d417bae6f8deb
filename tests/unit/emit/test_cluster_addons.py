"""Issue 12, what the seed asks for: the monitoring stack (kube-prometheus-stack, Grafana's admin
password from Secrets Manager), container logs (CloudWatch Observability add-on) and the ingress
path from a load balancer to an EKS workload (TargetGroupBinding), asserted on the parsed HCL,
the values files and the charts rendered by the real Helm library."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from archc.emit import cluster_addons, helm, terraform
from archc.graph import to_graph
from archc.model import Architecture
from archc.spec import load_spec

hcl2 = pytest.importorskip("hcl2")
from hcl2 import SerializationOptions  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
OPTS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
KUBE = "1.33"
IMAGE = {"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app", "tag": "1.0.0"}
ROLE = "arn:aws:iam::123456789012:role/x"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cp-api/0123456789abcdef"
KMS = "arn:aws:kms:us-east-1:123456789012:key/0123"
# The flow the seed lacks: the ALB routes API traffic to the API node group's pods.
ROUTED_EDGE = '    ALB -->|"Model API"| Node3\n'
ROUTED_FLOW = '  "ALB -> Node3": {protocol: tcp, ports: [9000]}\n'


def _load(spec: Path) -> Architecture:
    loaded = load_spec(spec)
    assert loaded.arch is not None, [d.message for d in loaded.diagnostics]
    return loaded.arch


def _emit(arch: Architecture) -> dict[str, str]:
    files: dict[str, str] = {}
    for emitter in (terraform.emit, helm.emit, cluster_addons.emit):
        result = emitter(arch, to_graph(arch))
        files |= {f.path: str(f.content) for f in result.files}
    return files


@pytest.fixture(scope="module")
def seed() -> dict[str, str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        return _emit(_load(Path("spec")))


def _routed_spec(root: Path, keep_ec2: bool) -> Architecture:
    """The seed with a flow from the ALB to node group Node3 on tcp/9000 (in addition to the
    ALB's flow to EC2, or instead of it)."""
    spec = root / "spec"
    shutil.copytree(REPO / "spec", spec)
    mmd = (spec / "architecture.mmd").read_text(encoding="utf-8")
    anchor = '    ALB -->|"API Traffic"| EC2\n'
    assert anchor in mmd
    (spec / "architecture.mmd").write_text(
        mmd.replace(anchor, (anchor if keep_ec2 else "") + ROUTED_EDGE), encoding="utf-8")
    overlay = (spec / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace("flows:\n", "flows:\n" + ROUTED_FLOW, 1),
                                     encoding="utf-8")
    return _load(spec)


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _emit(_routed_spec(tmp_path_factory.mktemp("routed"), keep_ec2=True))


def _hcl(files: dict[str, str], folder: str = "terraform/modules/platform") -> dict[str, Any]:
    merged: dict[str, Any] = {"resource": {}, "module": {}, "data": {}, "output": {}}
    for path, text in files.items():
        if path.rsplit("/", 1)[0] == folder and path.endswith(".tf"):
            doc = hcl2.loads(text, serialization_options=OPTS)
            for kind in merged:
                for block in doc.get(kind, []):
                    for rtype, body in block.items():
                        if kind in ("resource", "data"):
                            for name, inner in body.items():
                                merged[kind].setdefault(rtype, {})[name] = inner
                        else:
                            merged[kind][rtype] = body
    return merged


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    st = doc["statement"]
    return st if isinstance(st, list) else [st]


def _trusts(module: dict[str, Any]) -> list[str]:
    return list(module["oidc_providers"]["main"]["namespace_service_accounts"])


# --------------------------------------------------------------------------- container logs
def test_container_logs_ship_through_the_cloudwatch_addon(seed: dict[str, str]) -> None:
    tf = _hcl(seed)
    groups = tf["resource"]["aws_cloudwatch_log_group"]
    names = {n: g["name"] for n, g in groups.items() if n.startswith("container_")}
    assert names == {f"container_{k}": f"/aws/containerinsights/${{module.eks.cluster_name}}/{k}"
                     for k in ("application", "dataplane", "host", "performance")}
    for name in names:
        assert groups[name]["kms_key_id"] == "${aws_kms_key.logs.arn}"
        assert groups[name]["retention_in_days"] == "${var.log_retention_days}"
    addon = tf["resource"]["aws_eks_addon"]["cloudwatch_observability"]
    assert addon["addon_name"] == "amazon-cloudwatch-observability"
    assert addon["service_account_role_arn"] == "${module.irsa_cloudwatch_observability.arn}"
    assert set(addon["depends_on"]) >= {f"${{aws_cloudwatch_log_group.{n}}}" for n in names}
    config = json.loads(addon["configuration_values"].replace('\\"', '"'))
    assert config["containerLogs"] == {"enabled": True}
    role = tf["module"]["irsa_cloudwatch_observability"]
    assert _trusts(role) == ["amazon-cloudwatch:cloudwatch-agent"]
    doc = tf["data"]["aws_iam_policy_document"]["cloudwatch_observability"]
    for st in _statements(doc):
        if any(a.startswith("logs:") for a in st["actions"]):
            # only the four Container Insights groups and their streams
            assert {r.split(".")[1] for r in st["resources"]} == set(names)
        else:
            assert st["resources"] == ["*"]
            assert all(a.startswith("ec2:Describe") for a in st["actions"])


def test_persistent_volumes_use_the_ebs_csi_addon(seed: dict[str, str]) -> None:
    tf = _hcl(seed)
    addon = tf["resource"]["aws_eks_addon"]["ebs_csi"]
    assert addon["addon_name"] == "aws-ebs-csi-driver"
    role = tf["module"]["irsa_ebs_csi"]
    assert _trusts(role) == ["kube-system:ebs-csi-controller-sa"]
    assert role["attach_ebs_csi_policy"] is True
    assert role["ebs_csi_kms_cmk_arns"] == ["${aws_kms_key.data.arn}"]


# --------------------------------------------------------------------------- monitoring
def test_grafana_admin_password_lives_in_secrets_manager_only(seed: dict[str, str]) -> None:
    tf = _hcl(seed)
    secret = tf["module"]["secret_grafana_admin"]
    assert secret["create_random_password"] is True
    assert "secret_string" not in secret and secret["kms_key_id"] == "${aws_kms_key.data.arn}"
    assert secret["name"] == "${var.name}/grafana-admin"
    reader = tf["module"]["irsa_monitoring_secrets"]
    assert _trusts(reader) == ["monitoring:grafana-admin-secret-reader"]
    doc = tf["data"]["aws_iam_policy_document"]["monitoring_secrets"]
    read, decrypt = _statements(doc)
    assert read["resources"] == ["${module.secret_grafana_admin.secret_arn}"]
    assert decrypt["actions"] == ["kms:Decrypt"]
    assert decrypt["condition"][0]["variable"] == "kms:ViaService"
    # Grafana reads the Secret External Secrets writes; no password in any generated file
    stack = yaml.safe_load(seed["cluster-addons/kube-prometheus-stack/values.yaml"])
    assert stack["grafana"]["admin"] == {"existingSecret": "grafana-admin",
                                         "userKey": "admin-user", "passwordKey": "admin-password"}
    for path, text in seed.items():
        assert "adminPassword" not in text, path


def test_monitoring_is_sized_by_environment(seed: dict[str, str]) -> None:
    def spec(env: str) -> dict[str, Any]:
        values = yaml.safe_load(seed[f"cluster-addons/kube-prometheus-stack/values-{env}.yaml"])
        return values["prometheus"]["prometheusSpec"]
    days = {env: int(spec(env)["retention"].rstrip("d")) for env in ("dev", "staging", "prod")}
    assert days["dev"] < days["staging"] < days["prod"]
    assert spec("prod")["replicas"] == 2 and spec("dev")["replicas"] == 1
    size = spec("prod")["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]
    assert size["requests"]["storage"] == "100Gi"
    base = yaml.safe_load(seed["cluster-addons/kube-prometheus-stack/values.yaml"])
    prom = base["prometheus"]["prometheusSpec"]
    assert prom["serviceMonitorSelectorNilUsesHelmValues"] is False  # workload monitors
    assert prom["storageSpec"]["volumeClaimTemplate"]["spec"]["storageClassName"] == (
        "gp3-encrypted")


def test_install_order_pins_every_chart(seed: dict[str, str]) -> None:
    readme = seed["cluster-addons/README.md"]
    installs = re.findall(r"helm upgrade --install (\S+) (\S+) \\\n\s+--version (\S+)", readme)
    assert [(n, v) for n, _, v in installs] == [
        ("external-secrets", cluster_addons.CHARTS["external-secrets"][3]),
        ("kube-prometheus-stack", cluster_addons.CHARTS["kube-prometheus-stack"][3])]
    assert readme.index("monitoring-platform ./monitoring-platform") < readme.index(
        "install kube-prometheus-stack")
    assert "aws-load-balancer-controller" not in readme  # the seed routes no flow to pods


# --------------------------------------------------------------------------- real Helm
def _force_crds(chart: Path) -> None:
    """Render as on a cluster that has the add-ons' CRDs (helm template --api-versions)."""
    for path in (chart / "templates").iterdir():
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'\(\.Capabilities\.APIVersions\.Has "[^"]+"\)', "true", text),
                        encoding="utf-8")


def _write(files: dict[str, str], prefix: str, root: Path) -> Path:
    for path, text in files.items():
        if path.startswith(prefix + "/"):
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return root / prefix


def _values(chart: Path, env: str, extra: dict[str, Any]) -> dict[str, Any]:
    def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k),
                                                                             dict) else v
        return out
    env_values = yaml.safe_load((chart / f"values-{env}.yaml").read_text(encoding="utf-8"))
    return merge(env_values, extra)


def _check(chart: Path, vals: dict[str, Any], namespace: str) -> dict[str, dict[str, Any]]:
    """helm lint --strict, render, and strict schema validation of every core object;
    {kind: object} of what rendered."""
    helm_python = pytest.importorskip("helm_python")
    kv = pytest.importorskip("kubernetes_validate")
    report = helm_python.lint(str(chart), vals, strict=True, namespace=namespace,
                              kube_version=f"v{KUBE}.0")
    assert not [m for m in report.get("messages", []) if m.get("severity", 0) >= 2], report
    rendered = helm_python.Chart.load(str(chart)).render(vals, name=chart.name,
                                                         namespace=namespace, is_install=True)
    out: dict[str, dict[str, Any]] = {}
    for path, text in rendered.items():
        if path.endswith("NOTES.txt"):
            continue
        for obj in yaml.safe_load_all(text):
            if obj:
                if "." not in obj["apiVersion"].split("/")[0] or obj["apiVersion"].startswith(
                        ("storage.k8s.io", "networking.k8s.io", "autoscaling", "policy", "apps")):
                    kv.validate(obj, KUBE, strict=True)
                out[obj["kind"]] = obj
    return out


def test_monitoring_platform_chart_renders(seed: dict[str, str], tmp_path: Path) -> None:
    chart = _write(seed, "cluster-addons/monitoring-platform", tmp_path)
    extra = {"serviceAccount": {"roleArn": ROLE}, "storageClass": {"kmsKeyId": KMS}}
    plain = _check(chart, _values(chart, "prod", extra), "monitoring")
    assert set(plain) == {"ServiceAccount", "StorageClass"}  # no ESO CRDs: skipped
    assert plain["StorageClass"]["parameters"] == {"type": "gp3", "encrypted": "true",
                                                   "kmsKeyId": KMS}
    _force_crds(chart)
    objs = _check(chart, _values(chart, "prod", extra), "monitoring")
    external = objs["ExternalSecret"]["spec"]
    # the secret Terraform names ${var.name}/grafana-admin, var.name from prod's tfvars
    name = re.search(r'^name\s*=\s*"([^"]+)"', seed["terraform/envs/prod/terraform.tfvars"],
                     re.M)
    assert name is not None
    assert external["data"] == [{"secretKey": "password",
                                 "remoteRef": {"key": f"{name.group(1)}/grafana-admin"}}]
    assert external["target"]["name"] == "grafana-admin"
    assert external["target"]["template"]["data"] == {"admin-user": "admin",
                                                      "admin-password": "{{ .password }}"}
    store = objs["SecretStore"]["spec"]["provider"]["aws"]
    assert store["auth"] == {"jwt": {"serviceAccountRef": {"name": "grafana-admin-secret-reader"}}}
    account = objs["ServiceAccount"]
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE}


def test_workload_chart_has_a_service_monitor(routed: dict[str, str], tmp_path: Path) -> None:
    chart = _write(routed, "helm/api-services", tmp_path)
    _force_crds(chart)
    vals = _values(chart, "prod", {"image": IMAGE, "targetGroupBinding": {
        "targetGroupArn": TG_ARN}})
    objs = _check(chart, vals, "api-services")
    monitor = objs["ServiceMonitor"]["spec"]
    assert monitor["endpoints"] == [{"port": "app", "path": "/metrics", "interval": "30s"}]
    assert monitor["selector"]["matchLabels"] == objs["Service"]["spec"]["selector"]
    peers = objs["NetworkPolicy"]["spec"]["ingress"][0]["from"]
    assert {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}} in peers


# --------------------------------------------------------------------------- ingress to pods
def test_seed_routes_no_flow_to_pods(seed: dict[str, str]) -> None:
    tf = _hcl(seed)
    assert "irsa_load_balancer_controller" not in tf["module"]
    assert "pod_target_group_arns" not in tf["output"]
    for chart in ("api-services", "model-server", "space-management"):
        values = yaml.safe_load(seed[f"helm/{chart}/values.yaml"])
        assert values["targetGroupBinding"]["enabled"] is False


def test_load_balancer_flow_to_a_node_group_gets_an_ip_target_group(
        routed: dict[str, str]) -> None:
    tf = _hcl(routed)
    groups = tf["module"]["lb_alb"]["target_groups"]
    assert groups["node_api_services"]["target_type"] == "ip"
    assert groups["node_api_services"]["port"] == 9000
    assert groups["ec2"]["target_type"] == "instance"
    # the controller may register targets in that one target group, and describe
    doc = tf["data"]["aws_iam_policy_document"]["load_balancer_controller"]
    register, describe = _statements(doc)
    assert register["resources"] == [
        '${module.lb_alb.target_groups["node_api_services"].arn}']
    assert set(register["actions"]) == {"elasticloadbalancing:RegisterTargets",
                                        "elasticloadbalancing:DeregisterTargets"}
    assert describe["resources"] == ["*"]
    assert all(":Describe" in a for a in describe["actions"])
    assert _trusts(tf["module"]["irsa_load_balancer_controller"]) == [
        "kube-system:aws-load-balancer-controller"]
    assert "node_api_services" in tf["output"]["pod_target_group_arns"]["value"]
    # the same flow opens the node group's security group to the ALB's, on its port
    rules = tf["resource"]["aws_vpc_security_group_ingress_rule"]
    assert any(r["security_group_id"] == "${aws_security_group.node_api_services.id}"
               and r["referenced_security_group_id"] == "${aws_security_group.alb.id}"
               and r["from_port"] == 9000 for r in rules.values())


def test_routed_workload_binds_its_pods(routed: dict[str, str], tmp_path: Path) -> None:
    chart = _write(routed, "helm/api-services", tmp_path)
    base = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    assert base["containerPort"] == 9000 and base["service"]["port"] == 9000
    plain = _check(chart, _values(chart, "prod", {"image": IMAGE}), "api-services")
    assert "TargetGroupBinding" not in plain  # no controller CRD on a bare cluster
    _force_crds(chart)
    helm_python = pytest.importorskip("helm_python")
    with pytest.raises(helm_python.HelmError, match="targetGroupBinding.targetGroupArn"):
        _check(chart, _values(chart, "prod", {"image": IMAGE}), "api-services")
    objs = _check(chart, _values(chart, "prod", {"image": IMAGE, "targetGroupBinding": {
        "targetGroupArn": TG_ARN}}), "api-services")
    binding = objs["TargetGroupBinding"]["spec"]
    assert binding == {"targetGroupARN": TG_ARN, "targetType": "ip",
                       "serviceRef": {"name": "api-services", "port": 9000}}
    # the ALB's public subnets of prod reach the pods on 9000 (Terraform's CIDRs for prod)
    tfvars = routed["terraform/envs/prod/terraform.tfvars"]
    public = re.search(r'public\s*=\s*\[([^\]]*)\]', tfvars)
    assert public is not None
    cidrs = sorted(re.findall(r'"([0-9./]+)"', public.group(1)))
    rule = objs["NetworkPolicy"]["spec"]["ingress"][0]
    assert [p["ipBlock"]["cidr"] for p in rule["from"] if "ipBlock" in p] == cidrs
    assert rule["ports"] == [{"port": 9000, "protocol": "TCP"}]


def test_routed_cluster_installs_the_controller(routed: dict[str, str]) -> None:
    values = yaml.safe_load(routed["cluster-addons/aws-load-balancer-controller/values.yaml"])
    assert values["enableWafv2"] is False and values["createIngressClassResource"] is False
    prod = yaml.safe_load(routed["cluster-addons/aws-load-balancer-controller/values-prod.yaml"])
    assert prod == {"clusterName": "cp-prod"}
    assert "--version " + cluster_addons.CHARTS["aws-load-balancer-controller"][3] in routed[
        "cluster-addons/README.md"]


def test_pods_get_the_listener_or_a_warning(tmp_path: Path) -> None:
    """Routed to EC2 and Node3, the one listener forwards to EC2's group: ARC538 says the pods
    get no traffic. Routed to Node3 only, the listener forwards to the pods' group."""
    both = _routed_spec(tmp_path / "both", keep_ec2=True)
    warned = [d for d in terraform.emit(both, to_graph(both)).diagnostics if d.code == "ARC538"]
    assert len(warned) == 1 and "Node3" in warned[0].message
    pods = _routed_spec(tmp_path / "pods", keep_ec2=False)
    result = terraform.emit(pods, to_graph(pods))
    assert "ARC538" not in {d.code for d in result.diagnostics}
    tf = _hcl({f.path: str(f.content) for f in result.files})
    # Behind CloudFront the listener answers 403 and its origin-secret rule does the forwarding.
    rule = tf["resource"]["aws_lb_listener_rule"]["alb_origin_verify"]
    action = rule["action"] if isinstance(rule["action"], dict) else rule["action"][0]
    assert action["target_group_arn"] == '${module.lb_alb.target_groups["node_api_services"].arn}'


@pytest.mark.parametrize("path, ok", [("/prom/metrics", True), ("metrics; rm -rf /", False)])
def test_metrics_path_from_the_overlay(tmp_path: Path, path: str, ok: bool) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    overlay = (spec / "archc.yaml").read_text(encoding="utf-8")
    anchor = "    critical: false\n"  # Node2's last line
    assert overlay.count(anchor) == 1
    (spec / "archc.yaml").write_text(overlay.replace(anchor, anchor + (
        f"    workload: {{port: 8080, metrics_path: {json.dumps(path)}}}\n")), encoding="utf-8")
    loaded = load_spec(spec)
    errors = [d for d in loaded.diagnostics if d.severity.name.lower() == "error"]
    if not ok:
        assert errors and "metrics_path" in " ".join(d.message for d in errors)
        return
    assert loaded.arch is not None and not errors
    files = {f.path: str(f.content) for f in helm.emit(loaded.arch, to_graph(loaded.arch)).files}
    values = yaml.safe_load(files["helm/space-management/values.yaml"])
    assert values["metrics"] == {"path": path, "interval": "30s"}
    assert values["service"] == {"enabled": True, "type": "ClusterIP", "port": 8080}
