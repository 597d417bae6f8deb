"""Security-group rows from the IR (archc.aws.security_groups): pure data, no templates."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import pytest

from archc.aws.names import sg_text
from archc.aws.security_groups import (
    AGENT_KINDS,
    rule_rows,
    security_group_rules,
    security_groups,
)
from archc.kinds import SECURITY_GROUP_KINDS, Kind, Role, Tier
from archc.model import (
    Architecture,
    Component,
    Environment,
    Flow,
    FlowClass,
    Policy,
    SubnetBlock,
    Zone,
)
from archc.source import Span
from archc.spec import load_spec

REPO = Path(__file__).resolve().parents[3]
# Characters AWS accepts in security group (rule) descriptions, at most 255.
SG_TEXT_RE = re.compile(r"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]{1,255}$")
LINE_RE = re.compile(r"\((architecture\.mmd|archc\.yaml):\d+")


def _load(spec: str, monkeypatch: pytest.MonkeyPatch) -> Architecture:
    monkeypatch.chdir(REPO)
    loaded = load_spec(Path(spec))
    assert loaded.arch is not None, [d.message for d in loaded.diagnostics]
    return loaded.arch


@pytest.fixture(scope="module")
def seed_arch() -> Architecture:
    with pytest.MonkeyPatch.context() as mp:
        return _load("spec", mp)


@pytest.fixture(scope="module")
def platform_arch() -> Architecture:
    with pytest.MonkeyPatch.context() as mp:
        return _load("examples/data-platform", mp)


def sg_ids(arch: Architecture) -> dict[str, str]:
    """component id -> security group id."""
    return {g["component"]: g["id"] for g in security_groups(arch)}


def covers(row: dict, port: int) -> bool:
    return row["from_port"] <= port <= row["to_port"]


# --------------------------------------------------------------------------- the seed
def test_one_group_per_in_vpc_component(seed_arch: Architecture) -> None:
    groups = security_groups(seed_arch)
    expected = {c.id for c in seed_arch.components if c.kind in SECURITY_GROUP_KINDS}
    assert {g["component"] for g in groups} == expected
    assert [g["id"] for g in groups] == sorted(g["id"] for g in groups)
    for g in groups:
        assert SG_TEXT_RE.match(g["description"]), g
        assert LINE_RE.search(f'({g["source"]})') and not LINE_RE.search(g["description"]), g


def test_rds_ingress_only_from_its_flows_initiators(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    sgs = sg_ids(seed_arch)
    initiators = {sgs[f.initiator] for f in seed_arch.flows
                  if f.target == "RDS" and f.flow_class is FlowClass.NETWORK}
    assert initiators == {sgs[c] for c in ("EC2", "Node1", "Node2", "Node3")}
    rds_in = [r for r in rows if r["security_group"] == sgs["RDS"] and r["direction"] == "ingress"]
    assert {r["peer"]["ref"] for r in rds_in} == initiators
    assert all(r["peer"]["kind"] == "security_group" and r["from_port"] == r["to_port"] == 5432
               for r in rds_in)


def test_no_world_ingress_unless_the_internet_enters_there(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    world = [r for r in rows if r["direction"] == "ingress" and r["peer"].get("cidr")]
    assert world == []  # the seed's internet entry (the ALB) sits behind CloudFront
    alb_in = [r for r in rows if r["security_group"] == "alb" and r["direction"] == "ingress"]
    assert [(r["peer"], r["from_port"]) for r in alb_in] == [
        ({"kind": "prefix_list", "ref": "cloudfront_origin"}, 443)]



def test_http_from_the_load_balancer_skips_checkovs_world_check_with_a_reason(
        tmp_path: Path) -> None:
    """A load balancer forwarding to a plain instance opens port 80 from its security group;
    checkov 3.3.30 reads no source there and fails CKV_AWS_260 (the catalog's mixed spec
    met it), so the rule says why that check does not apply."""
    from archc.catalog import CATALOG
    from bench.gen_catalog import generate
    spec = tmp_path / "spec"
    spec.mkdir()
    diagram, overlay = generate(8, kinds=[CATALOG["instance"]])
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    loaded = load_spec(spec)
    assert loaded.arch is not None
    rows, _ = security_group_rules(loaded.arch)
    http = [r for r in rows if r["direction"] == "ingress" and covers(r, 80)
            and r["peer"].get("ref") == "alb"]
    assert http
    for row in http:
        assert [s["id"] for s in row["checkov_skips"]] == ["CKV_AWS_260"], row["id"]
        assert "alb security group" in row["checkov_skips"][0]["reason"]


def test_ssh_only_from_the_bastion_or_admin_cidrs(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    sgs = sg_ids(seed_arch)
    ssh_flows = {(sgs[f.initiator], sgs[f.target]) for f in seed_arch.flows
                 if f.flow_class in (FlowClass.NETWORK, FlowClass.DEPLOY)
                 and any(lo <= 22 <= hi for lo, hi in f.ports)}
    for row in (r for r in rows if r["direction"] == "ingress" and covers(r, 22)):
        peer = row["peer"]
        if peer["kind"] == "admin_cidrs":
            assert row["security_group"] == sgs["BastionHost"], row["id"]
            continue
        assert peer["kind"] == "security_group", row["id"]
        assert (peer["ref"], row["security_group"]) in ssh_flows, row["id"]
        assert [s["id"] for s in row["checkov_skips"]] == ["CKV_AWS_24"], row["id"]
    ssh_sources = {r["peer"].get("ref") for r in rows if r["direction"] == "ingress"
                   and covers(r, 22) and r["peer"]["kind"] == "security_group"}
    assert ssh_sources == {sgs["BastionHost"], sgs["Jenkins"]}  # Jenkins: "Deploy Backend"


def test_world_egress_is_https_only_for_egress_flows(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    sgs = sg_ids(seed_arch)
    egress_flow_sgs = {sgs[f.initiator] for f in seed_arch.flows
                       if f.flow_class is FlowClass.EGRESS and f.initiator in sgs}
    # and every EC2 host: its SSM and CloudWatch agents and package manager (AGENT_KINDS)
    egress_flow_sgs |= {sgs[c.id] for c in seed_arch.components if c.kind in AGENT_KINDS}
    world = [r for r in rows if r["direction"] == "egress" and r["peer"].get("cidr")]
    assert world
    for row in world:
        assert row["peer"]["cidr"] == "0.0.0.0/0"
        assert (row["ip_protocol"], row["from_port"], row["to_port"]) == ("tcp", 443, 443)
        assert row["security_group"] in egress_flow_sgs, row["id"]


def test_descriptions_are_aws_text_and_name_the_line(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    for row in rows:
        assert SG_TEXT_RE.match(row["description"]), row
        assert LINE_RE.search(f'({row["source"]})') and not LINE_RE.search(row["description"])
        assert " to " in row["description"], row
    by_id = {r["id"]: r for r in rows}
    assert by_id["rds_ingress_ec2_5432"]["description"] == "EC2 to RDS tcp/5432 Data Access"
    assert by_id["rds_ingress_ec2_5432"]["source"] == "architecture.mmd:69"
    overlay = (Path(__file__).resolve().parents[3] / "spec" / "archc.yaml").read_text()
    ports_line = 1 + overlay.splitlines().index(
        '  "GitLab -> Jenkins": {protocol: tcp, ports: [8080]}')
    assert by_id["jenkins_ingress_gitlab_8080"]["description"] == \
        "GitLab to Jenkins tcp/8080 Code/Models"
    assert by_id["jenkins_ingress_gitlab_8080"]["source"] == \
        f"architecture.mmd:61, archc.yaml:{ports_line}"


def test_ids_come_from_content_and_are_sorted(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    ids = [r["id"] for r in rows]
    assert ids == sorted(set(ids))
    for row in rows:
        assert row["id"].startswith(f"{row['security_group']}_{row['direction']}_"), row["id"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", row["id"]), row["id"]


def test_network_flows_have_both_directions_control_flows_none(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    sgs = sg_ids(seed_arch)
    pairs = {(r["security_group"], r["direction"], r["peer"].get("ref"), r["from_port"])
             for r in rows}
    for flow in seed_arch.flows:
        if flow.flow_class in (FlowClass.NETWORK, FlowClass.DEPLOY):
            src, dst, port = sgs[flow.initiator], sgs[flow.target], flow.ports[0][0]
            assert (dst, "ingress", src, port) in pairs, flow.ref
            assert (src, "egress", dst, port) in pairs, flow.ref
    assert not any(covers(r, 10250) for r in rows)  # EKSControl -> nodes: the EKS module's


def test_s3_calls_go_to_the_gateway_endpoint(seed_arch: Architecture) -> None:
    rows, _ = security_group_rules(seed_arch)
    sgs = sg_ids(seed_arch)
    callers = {sgs[f.initiator] for f in seed_arch.flows if f.flow_class is FlowClass.IAM}
    to_s3 = {r["security_group"] for r in rows
             if r["peer"] == {"kind": "gateway_endpoint", "ref": "s3"}}
    assert to_s3 == callers


def test_rows_name_their_edges(seed_arch: Architecture) -> None:
    rows, _ = rule_rows(seed_arch)
    by_id = {r.id: r for r in rows}
    assert by_id["alb_ingress_cloudfront_https"].edges == ["IGW -> ALB", "CloudFront <-> IGW"]
    assert by_id["bastionhost_ingress_admin_ssh"].edges[0] == "policy.admin_cidrs"


# --------------------------------------------------------------------------- ssm bastion
def test_ssm_mode_opens_no_port_22(platform_arch: Architecture) -> None:
    rows, diags = security_group_rules(platform_arch)
    assert not any(covers(r, 22) for r in rows)
    assert not any(r["peer"]["kind"] == "admin_cidrs" for r in rows)
    assert {d.code for d in diags} == {"ARC518"}  # jump -> ingest and runner -> ingest on 22
    bastion = [r for r in rows if r["security_group"] == "jump"]
    assert [(r["id"], r["peer"]) for r in bastion] == [
        ("jump_egress_cp_https", {"kind": "security_group", "ref": "cp"}),
        ("jump_egress_internet_https", {"kind": "cidr", "cidr": "0.0.0.0/0"})]


def test_world_egress_in_the_second_architecture(platform_arch: Architecture) -> None:
    rows, _ = security_group_rules(platform_arch)
    egress_flows = {f.initiator for f in platform_arch.flows if f.flow_class is FlowClass.EGRESS}
    world = {r["security_group"] for r in rows
             if r["direction"] == "egress" and r["peer"].get("cidr") == "0.0.0.0/0"}
    # every EC2 host's agents must reach Systems Manager and CloudWatch Logs
    assert world == egress_flows | {"jump", "ingest", "runner"}
    assert all(r["from_port"] == r["to_port"] == 443 for r in rows if r["peer"].get("cidr"))


# --------------------------------------------------------------------------- hand-built IR
def _span(line: int) -> Span:
    return Span("spec/architecture.mmd", line, 1, line, 2)


def _comp(cid: str, kind: Kind, zone: str | None, line: int, **props) -> Component:
    return Component(cid, cid, kind, zone, MappingProxyType(props), _span(line))


def _flow(src: str, dst: str, cls: FlowClass, ports=((443, 443),), line: int = 30,
          label: str = "") -> Flow:
    return Flow(f"L_{src}_{dst}_0", src, dst, label, False, src, dst, cls,
                "tcp" if ports else "", tuple(ports), span=_span(line))


def tiny(cdn: bool, access: str = "ssh") -> Architecture:
    """Users -> [CDN ->] IGW -> ALB -> Web (-> NAT), plus a bastion reaching Web."""
    zones = (Zone("aws", "AWS", Role.CLOUD, None, None, _span(1)),
             Zone("vpc", "VPC", Role.VPC, None, "aws", _span(2)),
             Zone("pub", "Public Subnet", Role.SUBNET, Tier.PUBLIC, "vpc", _span(3)),
             Zone("app", "App Subnet", Role.SUBNET, Tier.APP, "vpc", _span(4)))
    comps = [_comp("Users", Kind.USERS, None, 5), _comp("IGW", Kind.INTERNET_GATEWAY, "aws", 6),
             _comp("ALB", Kind.LOAD_BALANCER, "pub", 7), _comp("NAT", Kind.NAT_GATEWAY, "pub", 8),
             _comp("Jump", Kind.BASTION, "pub", 9, access=access),
             _comp("Web", Kind.BACKEND_SERVICE, "app", 10, port=8080)]
    flows = [_flow("IGW", "ALB", FlowClass.INGRESS, line=21, label="HTTPS"),
             _flow("ALB", "Web", FlowClass.NETWORK, ((8080, 8080),), 22),
             _flow("Web", "NAT", FlowClass.EGRESS, line=23),
             _flow("Jump", "Web", FlowClass.NETWORK, ((22, 22),), 24)]
    if cdn:
        comps.append(_comp("CDN", Kind.CDN, "aws", 11))
        flows += [_flow("Users", "CDN", FlowClass.INGRESS, line=19),
                  _flow("CDN", "IGW", FlowClass.INGRESS, (), 20)]
    else:
        flows.append(_flow("Users", "IGW", FlowClass.INGRESS, line=20))
    env = Environment("dev", "10.0.0.0/16", 2, "single", False,
                      (SubnetBlock("pub", 0, "10.0.0.0/24"), SubnetBlock("pub", 1, "10.0.1.0/24"),
                       SubnetBlock("app", 0, "10.0.4.0/22"), SubnetBlock("app", 1, "10.0.8.0/22")),
                      MappingProxyType({}), MappingProxyType({}), _span(1))
    policy = Policy(frozenset(), ("ALB",), ("198.51.100.0/24",), "ssh",
                    Span("spec/archc.yaml", 12, 1, 12, 7))
    return Architecture("tiny", "aws", "eu-west-1", "", MappingProxyType({}), zones,
                        tuple(comps), tuple(flows), (env,), policy, MappingProxyType({}),
                        MappingProxyType({}), MappingProxyType({}),
                        ("spec/archc.yaml", "spec/architecture.mmd"))


def test_internet_straight_to_the_entry_point_opens_that_port_only() -> None:
    rows, _ = security_group_rules(tiny(cdn=False))
    world_in = [r for r in rows if r["direction"] == "ingress" and r["peer"].get("cidr")]
    assert [(r["id"], r["security_group"], r["from_port"], r["to_port"]) for r in world_in] == [
        ("alb_ingress_internet_https", "alb", 443, 443)]
    assert world_in[0]["description"] == "IGW to ALB tcp/443 HTTPS, from the internet"
    assert world_in[0]["source"] == "architecture.mmd:21, architecture.mmd:20"


def test_cdn_in_front_means_prefix_list_not_world() -> None:
    rows, _ = security_group_rules(tiny(cdn=True))
    alb_in = [r for r in rows if r["security_group"] == "alb" and r["direction"] == "ingress"]
    assert [r["peer"] for r in alb_in] == [{"kind": "prefix_list", "ref": "cloudfront_origin"}]
    assert not any(r["peer"].get("cidr") for r in rows if r["direction"] == "ingress")


def test_hand_built_bastion_modes() -> None:
    ssh, _ = security_group_rules(tiny(cdn=True, access="ssh"))
    by_id = {r["id"]: r for r in ssh}
    assert by_id["jump_ingress_admin_ssh"]["peer"] == {"kind": "admin_cidrs"}
    assert "web_ingress_jump_ssh" in by_id and "jump_egress_web_ssh" in by_id
    ssm, diags = security_group_rules(tiny(cdn=True, access="ssm"))
    assert not any(covers(r, 22) for r in ssm)
    assert [d.code for d in diags] == ["ARC518"]


def test_flow_without_ports_is_an_error() -> None:
    arch = tiny(cdn=True)
    broken = arch.flows[1]
    arch2 = dataclasses.replace(arch, flows=tuple(
        _flow(broken.initiator, broken.target, FlowClass.NETWORK, (), 22) if f is broken else f
        for f in arch.flows))
    rows, diags = security_group_rules(arch2)
    assert [d.code for d in diags] == ["ARC510"] and diags[0].severity == "error"
    assert not any(r["id"].startswith("web_ingress_alb") for r in rows)


def test_same_rule_from_two_edges_is_one_row_citing_both() -> None:
    arch = tiny(cdn=True)
    twin = _flow("ALB", "Web", FlowClass.NETWORK, ((8080, 8080),), 25)
    arch2 = dataclasses.replace(arch, flows=arch.flows + (twin,))
    rows, _ = security_group_rules(arch2)
    row = next(r for r in rows if r["id"] == "web_ingress_alb_8080")
    assert row["source"] == "architecture.mmd:22, architecture.mmd:25"
    assert len([r for r in rows if r["id"] == "web_ingress_alb_8080"]) == 1


def test_sg_text_drops_what_aws_refuses() -> None:
    text = sg_text('EC2 <-> RDS "Data" <b>x</b> \\n caf\u00e9 -> ok')
    assert SG_TEXT_RE.match(text), text
    assert ">" not in text and '"' not in text
    assert text.startswith("EC2 to RDS Data")
    assert len(sg_text("x" * 400)) == 255
