"""Several EKS clusters: each control plane its own module (module.eks for the first,
module.eks_<id> for the others) with exactly its node groups (drawn to it, or inside its
EKS-cluster subgraph), its IRSA roles on its own OIDC provider and its admin bastion; the
add-ons serve the first only (ARC533)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.diff import compare
from archc.diff.risks import assess
from archc.diff.side import Side
from tests.unit.emit import test_helm
from tests.unit.emit.test_in_use import resources, rules, sg
from tests.unit.emit.test_terraform_emit import REPO, emit, load, modules, parse_dir

CASE = REPO / "tests" / "cases" / "valid-bastions-and-eks-clusters"
PLATFORM = "terraform/modules/platform"


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, list], dict[str, str], list]:
    files, diags = emit(load(CASE / "spec"))
    return parse_dir(files, PLATFORM), files, diags


def test_each_cluster_has_exactly_its_node_groups(built: tuple[dict[str, list], dict, list]
                                                  ) -> None:
    plat, _, diags = built
    mods = modules(plat)
    assert sorted(mods["eks"]["eks_managed_node_groups"]) == ["web"]
    assert sorted(mods["eks_mleks"]["eks_managed_node_groups"]) == ["ml-cpu", "ml-gpu"]
    assert mods["eks"]["name"] == "${var.name}"
    assert mods["eks_mleks"]["name"] == "${var.name}-mleks"
    assert mods["eks_mleks"]["kubernetes_version"] == '${var.eks_kubernetes_versions["mleks"]}'
    assert mods["eks_mleks"]["additional_security_group_ids"] == [sg("mleks")]
    assert not [d for d in diags if d.severity.value == "error"]
    assert [d.message.split()[0] for d in diags if d.code == "ARC533"] == ["MlEKS"]


def test_irsa_roles_trust_their_own_cluster(built: tuple[dict[str, list], dict, list]
                                            ) -> None:
    mods = modules(built[0])
    def provider(role: str) -> str:
        return str(mods[f"irsa_{role}"]["oidc_providers"]["main"]["provider_arn"])
    assert provider("web") == "${module.eks.oidc_provider_arn}"
    assert provider("ml_gpu") == "${module.eks_mleks.oidc_provider_arn}"


def test_each_bastion_administers_the_cluster_drawn_to_it(
        built: tuple[dict[str, list], dict, list]) -> None:
    plat, _, _ = built
    mods = modules(plat)
    assert sorted(mods["eks"]["access_entries"]) == ["opsbastion"]
    assert sorted(mods["eks_mleks"]["access_entries"]) == ["databastion"]
    def api_from(control: str) -> list[str]:
        return sorted(r["referenced_security_group_id"] for r in rules(plat, "ingress")
                      if r["security_group_id"] == sg(control) and r["from_port"] == 443
                      and r.get("referenced_security_group_id"))
    assert api_from("webeks") == [sg("opsbastion")]
    assert api_from("mleks") == [sg("databastion")]
    policies = resources(plat, "aws_iam_role_policy_attachment")
    assert {"opsbastion_eks_admin", "databastion_eks_mleks_admin"} <= set(policies)
    # and each bastion's SSH flows open tcp/22 from that bastion only
    for host, bastion in (("opshost", "opsbastion"), ("datahost", "databastion")):
        assert sorted(r.get("referenced_security_group_id", "") for r in rules(plat, "ingress")
                      if r["security_group_id"] == sg(host) and r["from_port"] == 22
                      ) == [sg(bastion)]


def test_extra_cluster_outputs_and_inputs(built: tuple[dict[str, list], dict, list]) -> None:
    _, files, _ = built
    outputs = {n for blk in parse_dir(files, PLATFORM)["output"] for n in blk}
    assert {"eks_cluster_name", "eks_mleks_cluster_name", "eks_mleks_cluster_endpoint",
            "eks_mleks_oidc_provider_arn"} <= outputs
    assert 'eks_kubernetes_versions = {\n  mleks = "1.33"\n}' in files[
        "terraform/envs/dev/terraform.tfvars"]


def test_a_node_group_of_no_cluster_is_arc530(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram = (CASE / "spec" / "architecture.mmd").read_text(encoding="utf-8")
    stray = "            Stray[Stray Worker Nodes]\n        end\n    end\n    IGW"
    (spec / "architecture.mmd").write_text(
        diagram.replace("        end\n    end\n    IGW", stray), encoding="utf-8")
    overlay = (CASE / "spec" / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace(
        "components:\n", "components:\n  Stray: {kind: eks_node_group, name: stray}\n"),
        encoding="utf-8")
    _, diags = emit(load("spec", tmp_path))
    assert [(d.code, d.message.split()[2]) for d in diags if d.code == "ARC530"] == [
        ("ARC530", "Stray")]


def test_the_charts_of_both_clusters_lint_render_and_validate(tmp_path: Path) -> None:
    charts = test_helm.emit(load(CASE / "spec"))
    root = test_helm.write(charts, tmp_path)
    assert sorted(p.name for p in root.iterdir()) == ["ml-cpu", "ml-gpu", "web"]
    assert test_helm._check_charts(root) == 3 * 3 * 5


def test_pods_of_another_cluster_get_no_binding_and_a_warning(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram = (CASE / "spec" / "architecture.mmd").read_text(encoding="utf-8")
    diagram = diagram.replace("            OpsHost[Ops Instance]\n",
                              "            OpsHost[Ops Instance]\n            Lb[Load Balancer]\n")
    diagram += ("    OpsHost -->|HTTPS| Lb\n    Lb -->|HTTP :8080| WebNodes\n"
                "    Lb -->|HTTP :9090| MlCpu\n")
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    overlay = (CASE / "spec" / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace(
        "components:\n", "components:\n  Lb: {kind: load_balancer}\n"), encoding="utf-8")
    arch = load("spec", tmp_path)
    files, diags = emit(arch)
    warned = [d.message for d in diags if d.code == "ARC533"]
    assert len(warned) == 2 and warned[1].startswith("Lb -> MlCpu: the pods of MlCpu run on "
                                                     "MlEKS")
    plat = parse_dir(files, PLATFORM)
    assert "irsa_load_balancer_controller" in modules(plat)  # the first cluster's, for web
    bound = {n: o for blk in plat["output"] for n, o in blk.items()}["pod_target_group_arns"]
    assert list(bound["value"]) == ["node_web"]
    charts = test_helm.emit(arch)
    assert "enabled: true" in charts["helm/web/values.yaml"].split("targetGroupBinding:")[1][:40]
    assert "enabled: false" in charts["helm/ml-cpu/values.yaml"].split(
        "targetGroupBinding:")[1][:40]


def test_a_control_plane_drawn_above_the_first_takes_module_eks(tmp_path: Path) -> None:
    base = load(CASE / "spec")
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram = (CASE / "spec" / "architecture.mmd").read_text(encoding="utf-8")
    (spec / "architecture.mmd").write_text(diagram.replace(
        "            subgraph WebCluster", "            NewEKS[New EKS Control Plane]\n"
        "            subgraph WebCluster"), encoding="utf-8")
    overlay = (CASE / "spec" / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace(
        "components:\n", "components:\n  NewEKS: {kind: eks_control_plane}\n"), encoding="utf-8")
    head = load("spec", tmp_path)
    changes = compare(base, head)
    risks = assess(changes, Side.of(base), Side.of(head))
    first = [r for r in risks if r.code == "edge-first-changed"]
    assert [r.change.id for r in first] == ["NewEKS"]
    assert first[0].message.startswith("module.eks passes from WebEKS to NewEKS")


def test_node_groups_of_two_clusters_may_not_share_a_name(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "architecture.mmd").write_text(
        (CASE / "spec" / "architecture.mmd").read_text(encoding="utf-8"), encoding="utf-8")
    overlay = (CASE / "spec" / "archc.yaml").read_text(encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay.replace("name: ml-cpu", "name: web"),
                                     encoding="utf-8")
    _, diags = emit(load("spec", tmp_path))
    assert [(d.code, d.severity.value) for d in diags if d.code == "ARC534"] == [
        ("ARC534", "error")]
