"""The picture emitter: the `diagrams` script, its portable DOT, icons, PNG and SVG.

The architecture is built straight from the IR dataclasses (no Mermaid parser needed); the
seed spec is used too once `archc.spec.mermaid` exists.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest

from archc import GENERATOR
from archc.diagnostics import Severity
from archc.emit import EmitResult, diagram
from archc.emit.diagram import style
from archc.emit.diagram.script import edge_label
from archc.kinds import KINDS, Kind, Role, Tier
from archc.model import Architecture, Component, Flow, FlowClass, Policy, Zone
from archc.source import Span

REPO = Path(__file__).resolve().parents[3]
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz `dot` is not installed")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# -- a small architecture, straight from the IR ----------------------------------------------


def _span(line: int) -> Span:
    return Span("spec/architecture.mmd", line, 1, line, 2)


def _zone(zid: str, title: str, role: Role, parent: str | None,
          tier: Tier | None = None) -> Zone:
    return Zone(zid, title, role, tier, parent, _span(1))


def _comp(cid: str, label: str, kind: Kind, zone: str | None, **props: object) -> Component:
    return Component(cid, label, kind, zone, MappingProxyType(dict(props)), _span(2))


def _flow(src: str, dst: str, cls: FlowClass, ports: tuple[int, ...] = (), **kw: object) -> Flow:
    return Flow(id=f"L_{src}_{dst}", src=src, dst=dst, label="", bidirectional=False,
                initiator=src, target=dst, flow_class=cls, protocol="tcp" if ports else "",
                ports=tuple((p, p) for p in ports), **kw)  # type: ignore[arg-type]


def sample_arch() -> Architecture:
    """Users, a CDN, a VPC with public/app/data subnets, EKS, RDS, S3, and Vercel."""
    zones = (
        _zone("cloud", "AWS Cloud", Role.CLOUD, None),
        _zone("vpc", "VPC", Role.VPC, "cloud"),
        _zone("public", "Public Subnet", Role.SUBNET, "vpc", Tier.PUBLIC),
        _zone("app", "App Subnet", Role.SUBNET, "vpc", Tier.APP),
        _zone("eks", "EKS Cluster", Role.EKS_CLUSTER, "app"),
        _zone("workers", "Worker Nodes", Role.NODE_GROUPS, "eks"),
        _zone("data", "Data Subnet", Role.SUBNET, "vpc", Tier.DATA),
        _zone("spare", "Spare Subnet", Role.SUBNET, "vpc", Tier.APP),  # empty: not drawn
        _zone("vercel", "Vercel Platform", Role.EXTERNAL, None),
    )
    components = (
        _comp("Users", "End Users", Kind.USERS, None),
        _comp("CDN", "CloudFront\\n(CDN)", Kind.CDN, "cloud"),
        _comp("S3", "S3 Buckets", Kind.OBJECT_STORAGE, "cloud"),
        _comp("ALB", "Load Balancer", Kind.LOAD_BALANCER, "public"),
        _comp("NAT", "NAT Gateway", Kind.NAT_GATEWAY, "public"),
        _comp("Backend", "Backend<br>(API)", Kind.BACKEND_SERVICE, "app"),
        _comp("EKSControl", "EKS Control Plane", Kind.EKS_CONTROL_PLANE, "eks"),
        _comp("Workers", "Node Group", Kind.EKS_NODE_GROUP, "workers"),
        _comp("DB", "Postgres", Kind.DATABASE, "data"),
        _comp("Frontend", "Frontend", Kind.EXTERNAL_FRONTEND, "vercel"),
    )
    flows = (
        _flow("Users", "CDN", FlowClass.INGRESS, (443,)),
        _flow("Frontend", "CDN", FlowClass.INGRESS, (443,)),
        _flow("CDN", "ALB", FlowClass.INGRESS, (443,)),
        _flow("ALB", "Backend", FlowClass.NETWORK, (8080,)),
        _flow("Backend", "DB", FlowClass.NETWORK, (5432,)),
        _flow("Backend", "S3", FlowClass.IAM, access="read", buckets=("data",)),
        _flow("Backend", "NAT", FlowClass.EGRESS, (443,)),
        _flow("EKSControl", "Workers", FlowClass.CONTROL),
        _flow("Workers", "DB", FlowClass.NETWORK, (5432,)),
    )
    return Architecture(
        project="sample", cloud="aws", region="eu-west-1", domain="example.com",
        tags=MappingProxyType({}), zones=zones, components=components, flows=flows,
        environments=(), policy=Policy(frozenset(), (), (), "ssh"),
        state=MappingProxyType({}), secrets=MappingProxyType({}),
        observability=MappingProxyType({}),
        inputs=("spec/architecture.mmd", "spec/archc.yaml"))


def _emit(arch: Architecture | None = None) -> EmitResult:
    return diagram.emit(arch or sample_arch(), None)  # type: ignore[arg-type]


def _files(result: EmitResult) -> dict[str, bytes]:
    return {f.path: f.data for f in result.files}


@pytest.fixture(scope="module")
def result() -> EmitResult:
    return _emit()


@pytest.fixture(scope="module")
def dot_text(result: EmitResult) -> str:
    return _files(result)[diagram.DOT_PATH].decode("utf-8")


# -- a tiny reader for the DOT that graphviz (the Python package) writes -------------------------

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')
_ID = r'("(?:[^"\\]|\\.)*"|[\w.]+)'


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"') if text.startswith('"') else text


def parse_dot(text: str) -> tuple[dict[str, tuple[dict[str, str], tuple[str, ...]]],
                                  list[tuple[str, str, dict[str, str]]]]:
    """node id -> (attributes, enclosing subgraph names outermost first); edges in order."""
    flat = _QUOTED.sub(lambda m: m.group(0).replace("\n", "\\n"), text)
    nodes: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    stack: list[str] = []
    for line in flat.splitlines():
        line = line.strip()
        if m := re.fullmatch(rf"subgraph {_ID} {{", line):
            stack.append(_unquote(m.group(1)))
        elif line == "}":
            if stack:
                stack.pop()
        elif m := re.fullmatch(rf"{_ID} -> {_ID} \[(.*)\]", line):
            edges.append((_unquote(m.group(1)), _unquote(m.group(2)), _attrs(m.group(3))))
        elif (m := re.fullmatch(rf"{_ID} \[(.*)\]", line)) and m.group(1) not in (
                "graph", "node", "edge"):
            nodes[_unquote(m.group(1))] = (_attrs(m.group(2)), tuple(stack))
    return nodes, edges


def _attrs(text: str) -> dict[str, str]:
    return {k: _unquote(v) for k, v in _ATTR.findall(text)}


def expected_icon(kind: Kind) -> str:
    module, cls = style.icon(kind)
    return expected_icon_of(getattr(importlib.import_module(module), cls))


def expected_icon_of(node: type) -> str:
    return "icons/" + node._icon_dir.removeprefix("resources/") + "/" + node._icon  # type: ignore[attr-defined]


def expected_clusters(arch: Architecture, comp: Component) -> tuple[str, ...]:
    return tuple(f"cluster_{z.id}" for z in reversed(arch.ancestors(comp.zone)))


# -- the DOT: nodes, icons, clusters, edges -------------------------------------------------------


def test_every_kind_has_a_real_icon() -> None:
    assert set(style.ICONS) == set(KINDS)
    for module, cls in [*style.ICONS.values(), style.FALLBACK_ICON]:
        node = getattr(importlib.import_module(module), cls)
        assert _wheel_path(expected_icon_of(node)).is_file(), (module, cls)



def test_outputs(result: EmitResult) -> None:
    paths = set(_files(result))
    assert {diagram.SCRIPT_PATH, diagram.DOT_PATH} <= paths
    assert all(p.startswith("diagrams/") for p in paths)
    icons = {p for p in paths if p.startswith("diagrams/icons/")}
    assert len(icons) == len({c.kind for c in sample_arch().components})
    images = {"diagrams/architecture.png", "diagrams/architecture.svg"}
    assert (images <= paths) if HAVE_DOT else not (images & paths)
    assert [f.path for f in result.files] == sorted(f.path for f in result.files)


def test_every_component_has_its_icon_inside_its_clusters(dot_text: str) -> None:
    arch = sample_arch()
    nodes, _ = parse_dot(dot_text)
    assert set(nodes) == {c.id for c in arch.components}
    for comp in arch.components:
        attrs, clusters = nodes[comp.id]
        assert attrs["image"] == expected_icon(comp.kind), comp.id
        assert clusters == expected_clusters(arch, comp), comp.id


def test_cluster_labels_show_tier_and_region(dot_text: str) -> None:
    assert 'label="Public Subnet (public tier)"' in dot_text
    assert 'label="Data Subnet (data tier)"' in dot_text
    assert 'label="AWS Cloud (eu-west-1)"' in dot_text
    assert "cluster_spare" not in dot_text  # a zone without components is not drawn


def test_node_labels_turn_mermaid_breaks_into_lines(dot_text: str) -> None:
    nodes, _ = parse_dot(dot_text)
    assert nodes["Backend"][0]["label"] == "Backend\\n(API)"
    assert nodes["CDN"][0]["label"] == "CloudFront\\n(CDN)"


def test_edges_carry_port_or_class_and_a_style_per_class(dot_text: str) -> None:
    _, edges = parse_dot(dot_text)
    by_pair = {(a, b): attrs for a, b, attrs in edges}
    flows = sample_arch().flows
    assert len(edges) == len(flows)
    for flow in flows:
        if flow.flow_class is FlowClass.EGRESS:  # drawn from the gateway, arrow back at it
            attrs = by_pair[(flow.target, flow.initiator)]
            assert attrs["dir"] == "back"
        else:
            attrs = by_pair[(flow.initiator, flow.target)]
            assert attrs["dir"] == "forward"
        assert attrs["label"] == edge_label(flow).replace("\n", "\\n")
        assert attrs["color"] == style.FLOW_STYLES[flow.flow_class]["color"]
        dashed = flow.flow_class in (FlowClass.IAM, FlowClass.DNS, FlowClass.CONTROL)
        assert (attrs.get("style") == "dashed") == dashed, flow.ref
    assert by_pair[("Backend", "DB")]["label"] == "tcp/5432"
    assert by_pair[("Backend", "S3")]["label"] == "IAM read\\ndata"
    assert by_pair[("EKSControl", "Workers")]["label"] == "control"


def test_edges_follow_ir_order(dot_text: str) -> None:
    _, edges = parse_dot(dot_text)
    drawn = [(a, b) if attrs["dir"] == "forward" else (b, a) for a, b, attrs in edges]
    assert drawn == [(f.initiator, f.target) for f in sample_arch().flows]


def test_dns_edge_is_dashed_and_labelled() -> None:
    arch = sample_arch()
    dns = _comp("DNS", "Route53", Kind.DNS_ZONE, "cloud")
    arch = _replace(arch, components=arch.components + (dns,),
                    flows=arch.flows + (_flow("Users", "DNS", FlowClass.DNS),))
    _, edges = parse_dot(_files(_emit(arch))[diagram.DOT_PATH].decode())
    attrs = next(a for s, d, a in edges if (s, d) == ("Users", "DNS"))
    assert attrs["label"] == "DNS" and attrs["style"] == "dashed"


def _replace(arch: Architecture, **changes: object) -> Architecture:
    import dataclasses

    return dataclasses.replace(arch, **changes)  # type: ignore[arg-type]


# -- portability: no machine paths, icons shipped -------------------------------------------------


_MACHINE = re.compile(r"/usr/|site-packages|/tmp/|/home/|[A-Za-z]:\\\\|archc-diagram-")
_UUID = re.compile(r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-")


def test_no_machine_paths_or_uuids(result: EmitResult) -> None:
    files = _files(result)
    for path in (diagram.SCRIPT_PATH, diagram.DOT_PATH, "diagrams/architecture.svg"):
        if path not in files:
            continue
        text = files[path].decode("utf-8")
        assert not _MACHINE.search(text), path
        assert not _UUID.search(text), path
        assert str(REPO) not in text and os.getcwd() not in text


def test_dot_icons_are_relative_and_shipped(result: EmitResult, dot_text: str) -> None:
    files = _files(result)
    images = re.findall(r'image="([^"]*)"', dot_text)
    assert images and all(p.startswith("icons/") for p in images)
    for rel in set(images):
        shipped = files[f"diagrams/{rel}"]
        assert shipped.startswith(PNG_MAGIC)
    wheel_icon = _wheel_path(expected_icon(Kind.DATABASE))
    assert files["diagrams/icons/aws/database/rds.png"] == wheel_icon.read_bytes()


def _wheel_path(rel: str) -> Path:
    import diagrams as lib

    return Path(lib.__file__).resolve().parent.parent / "resources" / rel.removeprefix("icons/")


def test_script_header_nodeids_and_it_runs(result: EmitResult) -> None:
    text = _files(result)[diagram.SCRIPT_PATH].decode("utf-8")
    assert text.splitlines()[0] == (f"# Generated by {GENERATOR} from spec/architecture.mmd + "
                                    "spec/archc.yaml. DO NOT EDIT.")
    for comp in sample_arch().components:
        assert f'nodeid="{comp.id}"' in text
    assert "with Diagram(TITLE, show=False, filename=\"architecture\"" in text
    assert "from diagrams.programming.framework import Vercel" in text
    compile(text, "architecture.py", "exec")


@needs_dot
def test_script_runs_standalone(result: EmitResult, tmp_path: Path) -> None:
    (tmp_path / "architecture.py").write_bytes(_files(result)[diagram.SCRIPT_PATH])
    subprocess.run([sys.executable, "architecture.py"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=120)
    assert (tmp_path / "architecture.png").read_bytes().startswith(PNG_MAGIC)


def test_odd_ids_and_labels_still_make_valid_output() -> None:
    zones = (_zone("z 1", "Zone \"one\"", Role.EXTERNAL, None),)
    comps = (
        _comp("class", "<b>Bold</b> label", Kind.EXTERNAL_SERVICE, "z 1"),
        _comp("node", "a \\ b", Kind.INSTANCE, None),
        _comp("my-svc", "x", Kind.INSTANCE, None),
        _comp("my_svc", "y", Kind.INSTANCE, None),
        _comp("1st", "", Kind.INSTANCE, None),
    )
    flows = (_flow("class", "node", FlowClass.NETWORK, (1, 2)),)
    arch = _replace(sample_arch(), zones=zones, components=comps, flows=flows)
    files = _files(_emit(arch))
    nodes, edges = parse_dot(files[diagram.DOT_PATH].decode())
    assert set(nodes) == {"class", "node", "my-svc", "my_svc", "1st"}
    assert nodes["class"][0]["label"] == "Bold label"
    assert nodes["class"][1] == ("cluster_z 1",)
    assert nodes["1st"][0]["label"] == "1st"
    assert edges[0][2]["label"] == "tcp/1,2"


# -- rendering ------------------------------------------------------------------------------------


@needs_dot
def test_png_and_svg(result: EmitResult) -> None:
    files = _files(result)
    assert files["diagrams/architecture.png"].startswith(PNG_MAGIC)
    svg = files["diagrams/architecture.svg"].decode("utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert 'xlink:href="icons/' not in svg  # icons are embedded: the SVG stands alone
    uris = re.findall(r'xlink:href="data:image/png;base64,([^"]+)"', svg)
    assert len(uris) == len(sample_arch().components)
    rds = files["diagrams/icons/aws/database/rds.png"]
    assert base64.b64encode(rds).decode() in uris


def test_two_emits_are_identical() -> None:
    first, second = _emit(), _emit()
    assert _files(first) == _files(second)
    assert first.diagnostics == second.diagnostics


_DIGEST_SCRIPT = """
import hashlib, json
from tests.unit.emit.test_diagram import _emit
print(json.dumps({f.path: hashlib.sha256(f.data).hexdigest() for f in _emit().files}))
"""


def test_same_bytes_under_another_hash_seed(result: EmitResult) -> None:
    mine = {f.path: hashlib.sha256(f.data).hexdigest() for f in result.files}
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        out = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT], cwd=REPO, env=env,
                             check=True, capture_output=True, text=True, timeout=300)
        assert json.loads(out.stdout) == mine, f"PYTHONHASHSEED={seed}"


def test_emit_leaves_the_working_directory_alone(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _emit()
    assert list(tmp_path.iterdir()) == []


# -- without Graphviz, and when it fails ----------------------------------------------------------


def test_without_dot_py_and_dot_and_a_warning(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot`
    assert shutil.which("dot") is None
    result = _emit()
    paths = set(_files(result))
    assert {diagram.SCRIPT_PATH, diagram.DOT_PATH} <= paths
    assert not {p for p in paths if p.endswith((".png", ".svg")) and "/icons/" not in p}
    [diag] = result.diagnostics
    assert diag.code == "ARC501" and diag.severity is Severity.WARNING
    assert "diagrams/architecture.png" in diag.message
    assert "diagrams/architecture.svg" in diag.message
    assert diag.hint and "apt-get install graphviz" in diag.hint
    assert "brew install graphviz" in diag.hint


def test_dot_that_fails_gives_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = _emit()
    [diag] = result.diagnostics
    assert diag.code == "ARC502" and diag.severity is Severity.WARNING
    assert "exit 3" in diag.message and "syntax error" in diag.message
    assert diagram.DOT_PATH in _files(result)


def test_module_import_does_not_load_diagrams() -> None:
    code = "import sys, archc.emit.diagram; print('diagrams' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=True,
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False"


# -- the seed spec, once the Mermaid parser exists ------------------------------------------------


def test_seed_spec_every_component_in_its_clusters() -> None:
    from archc.spec import load_spec

    loaded = load_spec(REPO / "spec")
    assert loaded.arch is not None, [str(d) for d in loaded.diagnostics]
    arch = loaded.arch
    nodes, _ = parse_dot(_files(_emit(arch))[diagram.DOT_PATH].decode())
    assert set(nodes) == {c.id for c in arch.components}
    for comp in arch.components:
        attrs, clusters = nodes[comp.id]
        assert attrs["image"] == expected_icon(comp.kind)
        assert clusters == expected_clusters(arch, comp)
