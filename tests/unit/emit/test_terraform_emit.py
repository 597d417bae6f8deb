"""The Terraform emitter end to end: IR -> context -> rendered Terraform, parsed and checked."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import pytest

from archc import GENERATOR
from archc.emit import security_report, terraform
from archc.emit._jinja import templates_dir
from archc.emit.terraform.common import TERRAFORM_CODES
from archc.emit.terraform.context import build_context
from archc.emit.terraform.pins import MODULES
from archc.graph import to_graph
from archc.kinds import S3_ACTIONS, Kind
from archc.model import Architecture, FlowClass
from archc.spec import load_spec
from tests.conftest import assert_terraform_fmt_clean

hcl2 = pytest.importorskip("hcl2")
from hcl2 import SerializationOptions  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "tests" / "fixtures" / "terraform" / "seed_context.json"
OPTS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
PINS = {source: version for source, version, _, _ in MODULES.values()}

# An architecture with none of the optional pieces: no CDN, WAF, DNS zone, EKS, bastion, NAT,
# buckets, database or secrets; the internet reaches the load balancer directly.
BARE_DIAGRAM = """flowchart LR
    Users["End Users"]
    subgraph aws ["AWS"]
        subgraph vpc ["VPC"]
            subgraph pub ["Public Subnet"]
                ALB["Application Load Balancer"]
            end
            subgraph app ["Private App Subnet"]
                API["API Service"]
            end
        end
    end
    Users -->|"HTTPS"| ALB
    ALB -->|"API Traffic"| API
"""
BARE_OVERLAY = """version: 1
project: bare
region: eu-west-1
policy:
  internet_entry: [ALB]
environments:
  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: none}
"""


# --------------------------------------------------------------------------- helpers
def load(spec: Path | str, cwd: Path = REPO) -> Architecture:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        loaded = load_spec(Path(spec))
    assert loaded.arch is not None, [d.message for d in loaded.diagnostics]
    return loaded.arch


def emit(arch: Architecture) -> tuple[dict[str, str], list]:
    result = terraform.emit(arch, to_graph(arch))
    return {f.path: str(f.content) for f in result.files}, list(result.diagnostics)


def parse(text: str) -> dict:
    return hcl2.loads(text, serialization_options=OPTS)


def parse_dir(files: dict[str, str], folder: str) -> dict[str, list]:
    merged: dict[str, list] = {}
    for rel, text in files.items():
        if rel.rsplit("/", 1)[0] == folder and rel.endswith(".tf"):
            for kind, blocks in parse(text).items():
                merged.setdefault(kind, []).extend(blocks if isinstance(blocks, list) else [blocks])
    return merged


def modules(doc: dict) -> dict[str, dict]:
    return {name: body for block in doc.get("module", []) for name, body in block.items()}


def data_blocks(doc: dict, dtype: str) -> dict[str, dict]:
    return {n: b for block in doc.get("data", []) for n, b in block.get(dtype, {}).items()}


def tfvars(files: dict[str, str], env: str) -> dict:
    return parse(files[f"terraform/envs/{env}/terraform.tfvars"])


def write(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def seed() -> Architecture:
    return load("spec")


@pytest.fixture(scope="module")
def seed_files(seed: Architecture) -> dict[str, str]:
    files, diags = emit(seed)
    # the seed's overlay does not say what its hosts run: a warning for the backend (EC2
    # health checks), a note for Jenkins and GitLab (installed out of band)
    assert sorted((d.code, d.severity.value, d.span.line) for d in diags) == [
        ("ARC532", "note", 12), ("ARC532", "note", 16), ("ARC532", "warning", 11)]
    return files


@pytest.fixture(scope="module")
def platform(seed_files: dict[str, str]) -> dict[str, list]:
    return parse_dir(seed_files, "terraform/modules/platform")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Architecture:
    root = tmp_path_factory.mktemp("bare")
    (root / "spec").mkdir()
    (root / "spec" / "architecture.mmd").write_text(BARE_DIAGRAM, encoding="utf-8")
    (root / "spec" / "archc.yaml").write_text(BARE_OVERLAY, encoding="utf-8")
    return load("spec", root)


# --------------------------------------------------------------------------- the seed
def test_context_equals_the_seed_fixture(seed: Architecture) -> None:
    """The fixture the template tests render is exactly what the emitter computes for spec/
    (regenerate with tests/fixtures/terraform/make_seed_context.py and review the diff)."""
    context, _ = build_context(seed)
    assert json.loads(json.dumps(context)) == json.loads(SEED.read_text(encoding="utf-8"))


def test_layout_and_every_file_parses(seed_files: dict[str, str]) -> None:
    assert all(p.startswith("terraform/") for p in seed_files)
    for env in ("dev", "staging", "prod"):
        assert f"terraform/envs/{env}/terraform.tfvars" in seed_files
    assert "terraform/bootstrap/main.tf" in seed_files
    assert "terraform/modules/platform/eks.tf" in seed_files
    header = (f"# Generated by {GENERATOR} from spec/archc.yaml + spec/architecture.mmd. "
              "DO NOT EDIT.\n")
    for rel, text in seed_files.items():
        assert text.startswith(header), rel
        parse(text)
        assert "/work/" not in text and "/tmp/" not in text, rel


def test_modules_are_pinned(seed_files: dict[str, str]) -> None:
    seen = set()
    for rel, text in seed_files.items():
        for name, body in modules(parse(text)).items():
            if body["source"] == "../../modules/platform":
                continue
            assert body["version"] == PINS[body["source"]], (rel, name)
            seen.add(body["source"])
    # the seed uses every module but the interface endpoints, which only callers of a catalog
    # kind's API need (the seed has none)
    assert seen == set(PINS) - {MODULES["vpc_endpoints"][0]}


def test_node_groups_labels_taints_and_spot(seed: Architecture, seed_files: dict[str, str],
                                            platform: dict[str, list]) -> None:
    groups = modules(platform)["eks"]["eks_managed_node_groups"]
    assert set(groups) == {"model-serving", "space-management", "api-services"}
    assert groups["model-serving"]["labels"] == {"workload": "model-serving"}
    assert groups["model-serving"]["taints"] == {
        "gpu": {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}}
    assert groups["model-serving"]["ami_type"] == "AL2023_x86_64_NVIDIA"
    assert groups["api-services"]["ami_type"] == "AL2023_x86_64_STANDARD"
    assert groups["space-management"]["taints"] == {}
    non_critical = {c.props["name"] for c in seed.components_of(Kind.EKS_NODE_GROUP)
                    if c.props.get("critical") is False}
    assert non_critical == {"space-management"}
    for env in seed.environments:
        values = tfvars(seed_files, env.name)["eks_node_groups"]
        spot = {name for name, ng in values.items() if ng["capacity_type"] == "SPOT"}
        assert spot == (non_critical if env.spot_non_critical else set()), env.name
    dev = tfvars(seed_files, "dev")["eks_node_groups"]["model-serving"]
    assert (dev["min_size"], dev["max_size"], dev["desired_size"]) == (0, 1, 0)


def test_rds_multi_az_only_in_prod_and_no_password(seed_files: dict[str, str],
                                                    platform: dict[str, list]) -> None:
    multi = {env: tfvars(seed_files, env)["databases"]["rds"]["multi_az"]
             for env in ("dev", "staging", "prod")}
    assert multi == {"dev": False, "staging": False, "prod": True}
    db = modules(platform)["db_rds"]
    assert db["manage_master_user_password"] is True and db["publicly_accessible"] is False
    assert not {"password", "password_wo"} & set(db)
    for rel, text in seed_files.items():
        assert not re.search(r"^\s*(password|secret_string|secret_string_wo)\s*=", text, re.M)
        if rel.endswith(".tfvars"):
            assert "password" not in text, rel


def _statements(doc: dict) -> list[dict]:
    st = doc["statement"]
    return st if isinstance(st, list) else [st]


def test_iam_policy_actions_follow_each_flow(seed: Architecture,
                                             platform: dict[str, list]) -> None:
    context, _ = build_context(seed)
    docs = data_blocks(platform, "aws_iam_policy_document")
    s3_policies = [p for p in context["platform"]["iam"]["policies"]
                   if any(r["kind"] == "bucket" for s in p["statements"] for r in s["resources"])]
    flows = [f for f in seed.flows if f.flow_class is FlowClass.IAM]
    assert len(s3_policies) == len(flows) == 3
    for flow in flows:
        policy = next(p for p in s3_policies if f"architecture.mmd:{flow.span.line}"
                      in p["source"])
        actions = {a for s in _statements(docs[policy["id"]]) for a in s["actions"]}
        s3 = {a for a in actions if a.startswith("s3:")}
        assert s3 == set(S3_ACTIONS[flow.access]) | {"s3:GetBucketLocation"}, flow.ref
        refs = {r["ref"] for s in policy["statements"] for r in s["resources"]
                if r["kind"] in ("bucket", "bucket_objects")}
        assert refs == set(flow.buckets), flow.ref
    read = docs["model_server_models_read"]
    assert not {a for s in _statements(read) for a in s["actions"]} & {
        "s3:PutObject", "s3:DeleteObject", "kms:GenerateDataKey"}
    for name, doc in docs.items():
        if name.startswith("kms_") or name.endswith("_assume_role"):  # trust, no resource
            continue
        for st in _statements(doc):
            assert not any(a.endswith("*") for a in st["actions"]), name
            # "*" only for read-only Describe actions, which have no resource-level permissions
            if "*" in st["resources"]:
                assert all(a.split(":")[1].startswith("Describe") for a in st["actions"]), name
    irsa = modules(platform)["irsa_model_server"]
    assert irsa["oidc_providers"]["main"]["namespace_service_accounts"] == ["serving:model-server"]
    assert set(irsa["policies"]) == {"model_server_models_read", "model_server_rds_credentials"}


def test_subnet_plan_is_reproduced_exactly(seed: Architecture, seed_files: dict[str, str],
                                           platform: dict[str, list]) -> None:
    """What the vpc module builds (role lists, then slices per tier) is env.subnets."""
    context, _ = build_context(seed)
    tiers = context["platform"]["network"]["subnet_tiers"]
    tier_of_zone = {z.id: t["id"] for z in seed.zones for t in tiers if t["label"] == z.title}
    vpc = modules(platform)["vpc"]
    locals_ = next(b for b in platform["locals"] if "subnet_ids" in b)
    for env in seed.environments:
        cidrs = tfvars(seed_files, env.name)["subnet_cidrs"]
        role_lists = {}
        for role in ("public", "private", "database"):
            expr = vpc.get(f"{role}_subnets", "")
            names = re.findall(r'local\.subnet_cidrs\["(\w+)"\]', expr)
            role_lists[role] = [c for n in names for c in cidrs[n]]
        for zone_id, tier in tier_of_zone.items():
            m = re.fullmatch(r"\$\{slice\(module\.vpc\.(\w+)_subnets, (\d+) \* local\.az_count, "
                             r"(\d+) \* local\.az_count\)\}", locals_["subnet_ids"][tier])
            assert m, locals_["subnet_ids"][tier]
            built = role_lists[m[1]][int(m[2]) * env.azs:int(m[3]) * env.azs]
            planned = [b.cidr for b in sorted(env.subnets_of(zone_id), key=lambda b: b.az_index)]
            assert built == planned, (env.name, tier)
            assert all(ipaddress.ip_network(c).subnet_of(ipaddress.ip_network(env.vpc_cidr))
                       for c in built)


def test_env_inputs(seed_files: dict[str, str]) -> None:
    dev, prod = tfvars(seed_files, "dev"), tfvars(seed_files, "prod")
    assert (dev["name"], prod["name"]) == ("cp-dev", "cp-prod")
    assert dev["single_nat_gateway"] is True and prod["single_nat_gateway"] is False
    assert prod["availability_zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert (dev["dns_zone_name"], prod["dns_zone_name"]) == ("dev.clusterprotocol.ai",
                                                             "clusterprotocol.ai")
    assert (dev["deletion_protection"], prod["deletion_protection"]) == (False, True)
    assert dev["admin_cidr_blocks"] == ["203.0.113.0/24"]
    assert dev["autoscaling_groups"]["ec2"]["instance_type"] == "t3.small"
    assert prod["autoscaling_groups"]["ec2"]["max_size"] == 12


def test_deterministic(seed: Architecture, seed_files: dict[str, str]) -> None:
    again, _ = emit(seed)
    assert again == seed_files


def test_terraform_fmt_clean(seed_files: dict[str, str], tmp_path: Path) -> None:
    assert_terraform_fmt_clean(write(seed_files, tmp_path))


def test_templates_come_from_the_repository() -> None:
    assert templates_dir("terraform") == REPO / "templates" / "terraform"


# --------------------------------------------------------------------------- other architectures
def test_data_platform(tmp_path: Path) -> None:
    arch = load("examples/data-platform")
    files, diags = emit(arch)
    assert {d.code for d in diags} <= set(TERRAFORM_CODES)
    assert not [d for d in diags if d.severity == "error"]
    for text in files.values():
        parse(text)
    plat = parse_dir(files, "terraform/modules/platform")
    variables = {n for block in plat["variable"] for n in block}
    assert not {"admin_cidr_blocks", "bastion_key_name"} & variables  # ssm bastion
    assert "key_name" not in modules(plat)["ec2_jump"]
    backend = parse(files["terraform/envs/prod/backend.tf"])["terraform"][0]["backend"]
    s3 = (backend[0] if isinstance(backend, list) else backend)["s3"]
    assert s3["use_lockfile"] is True and "dynamodb_table" not in s3
    assert "lock_table" not in modules(parse_dir(files, "terraform/bootstrap"))
    groups = modules(plat)["eks"]["eks_managed_node_groups"]
    assert set(groups) == {"stream", "batch"}
    assert tfvars(files, "staging")["eks_node_groups"]["batch"]["capacity_type"] == "SPOT"
    assert tfvars(files, "prod")["eks_node_groups"]["batch"]["capacity_type"] == "ON_DEMAND"
    irsa = modules(plat)["irsa_batch"]  # batch calls S3 without a workload: ARC519
    assert irsa["oidc_providers"]["main"]["namespace_service_accounts"] == ["default:batch"]
    assert "ARC519" in {d.code for d in diags}
    assert tfvars(files, "prod")["databases"]["tsdb"]["multi_az"] is True
    assert_terraform_fmt_clean(write(files, tmp_path))


def test_minimal_case_without_dns_zone_eks_s3_or_bastion(tmp_path: Path) -> None:
    arch = load("tests/cases/minimal-three-tier/spec")
    files, diags = emit(arch)
    # certificates become operator inputs; the backend runs nothing the overlay names
    assert {d.code for d in diags} == {"ARC514", "ARC532"}
    for text in files.values():
        parse(text)
    plat = parse_dir(files, "terraform/modules/platform")
    assert "eks" not in modules(plat) and "dns" not in modules(plat)
    assert not [n for n in modules(plat) if n.startswith(("ec2_", "irsa_"))]
    assert set(n for n in modules(plat) if n.startswith("s3_")) == {"s3_logs"}  # ALB logs
    variables = {n for block in plat["variable"] for n in block}
    assert {"certificate_arns", "cdn_origin_domain_name"} <= variables
    assert not {"dns_zone_name", "kubernetes_version", "admin_cidr_blocks"} & variables
    values = tfvars(files, "dev")
    assert "certificate_arns" not in values  # operator-supplied at plan time
    assert set(values) == variables - {"certificate_arns", "cdn_origin_domain_name"} | {
        "aws_region"}
    cdn = modules(plat)["cdn"]
    assert cdn["viewer_certificate"] == {"cloudfront_default_certificate": True}
    assert cdn["origin"]["alb"]["domain_name"] == "${var.cdn_origin_domain_name}"
    lb = modules(plat)["lb_alb"]
    assert lb["listeners"]["https"]["certificate_arn"] == '${var.certificate_arns["alb"]}'
    assert_terraform_fmt_clean(write(files, tmp_path))


def test_bare_architecture_renders_without_optional_pieces(bare: Architecture,
                                                           tmp_path: Path) -> None:
    files, diags = emit(bare)
    assert not [d for d in diags if d.severity == "error"]
    for text in files.values():
        parse(text)
    plat = parse_dir(files, "terraform/modules/platform")
    assert set(modules(plat)) == {"vpc", "lb_alb", "s3_logs"}
    assert modules(plat)["vpc"]["enable_nat_gateway"] is False
    rules = {n: b for block in plat["resource"]
             for n, b in block.get("aws_vpc_security_group_ingress_rule", {}).items()}
    world = {n for n, b in rules.items() if b.get("cidr_ipv4") == "0.0.0.0/0"}
    assert world == {"alb_ingress_internet_https"}  # the internet's one way in, on 443 only
    assert (rules["alb_ingress_internet_https"]["from_port"],
            rules["alb_ingress_internet_https"]["to_port"]) == (443, 443)
    outputs = {n for block in plat["output"] for n in block}
    assert not {"eks_cluster_name", "dns_zone_id", "cdn_domain_name", "bastion_public_ip",
                "nat_public_ips"} & outputs
    env_files = {p for p in files if p.startswith("terraform/envs/dev/")}
    assert len(env_files) == 6
    assert_terraform_fmt_clean(write(files, tmp_path))


def test_diagnostic_codes_are_documented() -> None:
    assert all(re.fullmatch(r"ARC5[1-9]\d", code) for code in TERRAFORM_CODES)
    source = "".join(p.read_text(encoding="utf-8")
                     for p in (REPO / "archc" / "emit").glob("*.py"))
    used = set(re.findall(r'"(ARC5[1-9]\d)"', source))
    assert used <= set(TERRAFORM_CODES)


# --------------------------------------------------------------------------- security report
def test_security_report(seed: Architecture) -> None:
    result = security_report.emit(seed, to_graph(seed))
    files = {f.path: f for f in result.files}
    assert set(files) == {f"security/{e}.{x}" for e in ("dev", "staging", "prod")
                          for x in ("json", "md")}
    context, _ = build_context(seed)
    rule_ids = [r["id"] for r in context["platform"]["security_group_rules"]]
    for env in ("dev", "prod"):
        doc = json.loads(files[f"security/{env}.json"].data)
        assert doc["version"] == 1 and doc["environment"] == env
        assert [r["id"] for r in doc["rules"]] == rule_ids
        admin = next(r for r in doc["rules"] if r["peer"]["kind"] == "admin_cidrs")
        assert admin["peer"]["cidrs"] == ["203.0.113.0/24"]
        rds = next(r for r in doc["rules"] if r["id"] == "rds_ingress_ec2_5432")
        assert rds["edges"] == ["EC2 <-> RDS"] and rds["sources"] == ["architecture.mmd:69"]
        md = files[f"security/{env}.md"].data.decode("utf-8")
        assert "DO NOT EDIT" in md.splitlines()[0]
        assert sum(1 for line in md.splitlines() if line.startswith("| `")) == len(rule_ids)
        assert "| `rds_ingress_ec2_5432` |" in md
