"""The picture: a `diagrams` (mingrammer) script, its DOT, and PNG/SVG rendered by Graphviz.

Outputs, all under ``diagrams/``:

* ``architecture.py``  -- the `diagrams` script itself, so a team can tweak the picture;
* ``architecture.dot`` -- the DOT that script builds, made in-process from the same drawing
  steps with the `diagrams` library and a ``Diagram`` that does not render (no ``dot`` binary
  needed; the script itself is never run), with every icon path rewritten from the absolute
  site-packages path to ``icons/<provider>/...``;
* ``icons/...``        -- the icon PNGs the DOT names, copied from the `diagrams` wheel;
* ``architecture.png`` / ``architecture.svg`` -- ``dot`` run on that DOT in a temporary
  directory holding the icons. The SVG embeds its icons as ``data:`` URIs, so it shows its
  icons wherever it is viewed (an SVG shown through ``<img>``, as GitHub does for README
  images, never loads external files).

Without Graphviz the PNG and SVG are skipped with warning ARC501. `diagrams` is imported only
inside functions, so loading this module costs nothing at CLI start-up.
"""

from __future__ import annotations

import networkx as nx

from archc import diagnostics as d
from archc import markup
from archc.emit import EmitResult, OutputFile
from archc.kinds import Kind, Role, Tier
from archc.model import Architecture, FlowClass, Zone

OUT_DIR = "diagrams"
BASENAME = "architecture"
SCRIPT_PATH = f"{OUT_DIR}/{BASENAME}.py"
DOT_PATH = f"{OUT_DIR}/{BASENAME}.dot"
IMAGE_FORMATS = ("png", "svg")
# Graphviz lays out ~100 labelled, clustered components in seconds but 1,000 in minutes, and a
# picture that size is unreadable anyway; above this the DOT is written and rendering skipped.
MAX_RENDERED_COMPONENTS = 250

# kind -> (module, class) of its `diagrams` icon. The one place icons are chosen.
ICONS: dict[Kind, tuple[str, str]] = {
    Kind.USERS: ("diagrams.onprem.client", "Users"),
    Kind.DNS_ZONE: ("diagrams.aws.network", "Route53"),
    Kind.CDN: ("diagrams.aws.network", "CloudFront"),
    Kind.WAF: ("diagrams.aws.security", "WAF"),
    Kind.INTERNET_GATEWAY: ("diagrams.aws.network", "InternetGateway"),
    Kind.NAT_GATEWAY: ("diagrams.aws.network", "NATGateway"),
    Kind.LOAD_BALANCER: ("diagrams.aws.network", "ALB"),
    # AWS has no bastion icon; its reference architectures draw the EC2 instance icon
    Kind.BASTION: ("diagrams.aws.compute", "EC2Instance"),
    Kind.BACKEND_SERVICE: ("diagrams.aws.compute", "EC2AutoScaling"),
    Kind.INSTANCE: ("diagrams.aws.compute", "EC2"),
    Kind.CI_SERVER: ("diagrams.onprem.ci", "Jenkins"),
    Kind.SCM_SERVER: ("diagrams.onprem.vcs", "Gitlab"),
    Kind.EKS_CONTROL_PLANE: ("diagrams.aws.compute", "EKS"),
    Kind.EKS_NODE_GROUP: ("diagrams.aws.compute", "EC2Instances"),
    Kind.DATABASE: ("diagrams.aws.database", "RDS"),
    Kind.OBJECT_STORAGE: ("diagrams.aws.storage", "S3"),
    Kind.EXTERNAL_FRONTEND: ("diagrams.programming.framework", "Vercel"),
    Kind.EXTERNAL_SERVICE: ("diagrams.saas", "Saas"),
}

# For a kind added to archc.kinds before it gets a row above (a test asks for one).
FALLBACK_ICON: tuple[str, str] = ("diagrams.generic.compute", "Rack")


def icon(kind: Kind) -> tuple[str, str]:
    """(module, class) of a kind's icon: the one place ICONS is read."""
    return ICONS.get(kind, FALLBACK_ICON)


# Fixed Graphviz attributes: the picture depends on nothing but the IR. `dpi` is left to
# Graphviz's fixed defaults (96 for PNG, 72 for SVG): setting it would also scale the SVG.
GRAPH_ATTR: dict[str, str] = {
    "pad": "0.4",
    "margin": "0",
    "splines": "spline",
    "newrank": "true",
    "nodesep": "0.6",
    "ranksep": "0.8",
    "fontname": "Sans-Serif",
    "fontsize": "13",
    "fontcolor": "#232F3E",
    "labelloc": "t",
    "labeljust": "l",
    "bgcolor": "white",
}
TITLE_SIZE = 24
NODE_ATTR: dict[str, str] = {"fontname": "Sans-Serif", "fontsize": "12"}
EDGE_ATTR: dict[str, str] = {"arrowsize": "0.8"}  # label fonts are per class: FLOW_STYLES

CLUSTER_BASE: dict[str, str] = {"fontname": "Sans-Serif", "fontsize": "14", "penwidth": "1.5",
                                 "margin": "14", "labeljust": "l", "style": "rounded"}


def _cluster(pen: str, fill: str, **extra: str) -> dict[str, str]:
    return {**CLUSTER_BASE, "pencolor": pen, "fontcolor": pen, "bgcolor": fill, **extra}


# Cluster style per zone (role, tier), after the AWS architecture-icon group colours.
ZONE_STYLES: dict[str, dict[str, str]] = {
    "cloud": _cluster("#232F3E", "#FFFFFF"),
    "vpc": _cluster("#8C4FFF", "#FCFBFF"),
    "public subnet": _cluster("#4D7A0F", "#F2F6E8"),
    "app subnet": _cluster("#00787A", "#E6F6F7"),
    "data subnet": _cluster("#2E3AB8", "#EBEDFA"),
    "eks cluster": _cluster("#C45A00", "#FDF3E9"),
    "node groups": _cluster("#C45A00", "#FFFFFF", style="rounded,dashed"),
    "external": _cluster("#5F6B7A", "#F4F5F7", style="rounded,dashed"),
}


def _flow(color: str, penwidth: str = "1.2", **extra: str) -> dict[str, str]:
    return {"color": color, "fontcolor": color, "fontsize": "12", "penwidth": penwidth, **extra}


# Edge style per flow class: colour says what the flow is, dashes say it is not data traffic.
FLOW_STYLES: dict[FlowClass, dict[str, str]] = {
    FlowClass.INGRESS: _flow("#0972D3", penwidth="2"),
    FlowClass.NETWORK: _flow("#414D5C"),
    FlowClass.DEPLOY: _flow("#B0249F"),
    FlowClass.EGRESS: _flow("#4D7A0F"),
    FlowClass.UPLINK: _flow("#4D7A0F", style="dotted"),
    FlowClass.CONTROL: _flow("#C45A00", style="dashed"),
    FlowClass.IAM: _flow("#C7253E", style="dashed"),
    FlowClass.DNS: _flow("#7C4DFF", style="dashed"),
}

# The colour key under the title.
FLOW_LEGEND: dict[FlowClass, str] = {
    FlowClass.INGRESS: "internet ingress",
    FlowClass.NETWORK: "traffic inside the VPC",
    FlowClass.DEPLOY: "CI/CD deploy",
    FlowClass.EGRESS: "egress through NAT",
    FlowClass.UPLINK: "NAT uplink",
    FlowClass.CONTROL: "EKS control plane",
    FlowClass.IAM: "AWS API (IAM)",
    FlowClass.DNS: "DNS",
}

# Edge label for flows without a port (those with one show `tcp/5432`).
CLASS_LABELS: dict[FlowClass, str] = {
    FlowClass.DNS: "DNS",
    FlowClass.IAM: "IAM",
    FlowClass.CONTROL: "control",
    FlowClass.UPLINK: "uplink",
    FlowClass.DEPLOY: "deploy",
    FlowClass.INGRESS: "ingress",
    FlowClass.EGRESS: "egress",
    FlowClass.NETWORK: "",
}

_TIER_STYLES: dict[Tier | None, str] = {
    Tier.PUBLIC: "public subnet", Tier.APP: "app subnet", Tier.DATA: "data subnet",
    Tier.INTERNET: "public subnet", None: "app subnet",
}
_ROLE_STYLES: dict[Role, str] = {
    Role.CLOUD: "cloud", Role.VPC: "vpc", Role.EKS_CLUSTER: "eks cluster",
    Role.NODE_GROUPS: "node groups", Role.EXTERNAL: "external",
}


def zone_style(zone: Zone) -> str:
    """The ZONE_STYLES key of a zone."""
    if zone.role is Role.SUBNET:
        return _TIER_STYLES[zone.tier]
    return _ROLE_STYLES[zone.role]


def emit(arch: Architecture, graph: nx.MultiDiGraph) -> EmitResult:
    from archc.emit import _diagram_render as render
    from archc.emit import _diagram_script as script

    text = script.script_text(arch)
    files = [OutputFile(SCRIPT_PATH, text)]
    built = render.build_dot(script.diagram_title(arch), script.drawing(arch),
                             script.dot_header(arch))
    if isinstance(built, d.Diagnostic):
        return EmitResult(tuple(files), (built,))
    files.append(OutputFile(DOT_PATH, built.dot))
    files += [OutputFile(f"{OUT_DIR}/{rel}", data) for rel, data in built.icons.items()]
    if len(arch.components) > MAX_RENDERED_COMPONENTS:
        skipped = d.warning(
            "ARC504", f"{len(arch.components)} components are more than one picture can show: "
                      f"skipped {OUT_DIR}/{BASENAME}.png and .svg ({DOT_PATH} was written)", None,
            hint=f"render parts yourself, e.g. `dot -Tsvg {DOT_PATH}`, or view the per-zone "
                 "Mermaid files under diagrams/zones/")
        return EmitResult(tuple(sorted(files, key=lambda f: f.path)), (skipped,))
    images, diags = render.render_images(built, BASENAME, IMAGE_FORMATS)
    if "svg" in images:
        images["svg"] = _svg_header(images["svg"], arch)
    files += [OutputFile(f"{OUT_DIR}/{BASENAME}.{fmt}", data) for fmt, data in images.items()]
    return EmitResult(tuple(sorted(files, key=lambda f: f.path)), tuple(diags))


def _svg_header(svg: bytes, arch: Architecture) -> bytes:
    """The DO-NOT-EDIT header as an XML comment right after the XML declaration."""
    note = f"<!-- Generated by archc from {markup.inputs_note(arch.inputs)}. DO NOT EDIT. -->\n"
    head, sep, rest = svg.partition(b"\n")
    if head.startswith(b"<?xml"):
        return head + sep + note.encode() + rest
    return note.encode() + svg
