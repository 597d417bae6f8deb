"""What the picture looks like: output paths, the icon of each kind, Graphviz attributes of
zones and flows, legend words. The one place the drawing's look is decided; `script` prints
it into the `diagrams` script and `render` puts it into the DOT."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from archc.kinds import KINDS, Role, Tier
from archc.model import FlowClass, Zone

OUT_DIR = "diagrams"
BASENAME = "architecture"
SCRIPT_PATH = f"{OUT_DIR}/{BASENAME}.py"
DOT_PATH = f"{OUT_DIR}/{BASENAME}.dot"
IMAGE_FORMATS = ("png", "svg")
# What Graphviz renders, and from what: image path -> the DOT it was made from. The image bytes
# depend on the Graphviz version (and there may be no Graphviz at all), so `build --check`
# judges these by the DOT they were rendered from, which archc owns (see archc._write).
RENDERED_FROM: dict[str, str] = {f"{OUT_DIR}/{BASENAME}.{fmt}": DOT_PATH for fmt in IMAGE_FORMATS}
# Graphviz lays out ~100 labelled, clustered components in seconds but 1,000 in minutes, and a
# picture that size is unreadable anyway; above this the DOT is written and rendering skipped.
MAX_RENDERED_COMPONENTS = 250

# kind -> (module, class) of its `diagrams` icon: each kind's catalog entry chooses it.
ICONS: dict[str, tuple[str, str]] = {name: spec.diagram_icon for name, spec in KINDS.items()}

# False while `build --check` emits: it judges the images by their DOT (archc._write), so
# Graphviz is not run, and neither its absence nor its version can show in the check.
DRAW_IMAGES: contextvars.ContextVar[bool] = contextvars.ContextVar("archc_draw_images",
                                                                   default=True)


@contextlib.contextmanager
def images_not_drawn() -> Iterator[None]:
    """Emit the script and the DOT but render no PNG/SVG (for `build --check`)."""
    token = DRAW_IMAGES.set(False)
    try:
        yield
    finally:
        DRAW_IMAGES.reset(token)


# A kind whose catalog entry names no icon of its own (KindSpec's default).
FALLBACK_ICON: tuple[str, str] = ("diagrams.generic.compute", "Rack")


def icon(kind: str) -> tuple[str, str]:
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
    "availability zone": _cluster("#147EBA", "#FFFFFF", style="rounded,dashed"),
    "group": _cluster("#5F6B7A", "#FFFFFF", style="rounded,dotted"),
    "external": _cluster("#5F6B7A", "#F4F5F7", style="rounded,dashed"),
}


def _flow(color: str, penwidth: str = "1.2", **extra: str) -> dict[str, str]:
    return {"color": color, "fontcolor": color, "fontsize": "12", "penwidth": penwidth, **extra}


# Edge style per flow class: colour says what the flow is, dashes say it is not data traffic.
FLOW_STYLES: dict[FlowClass, dict[str, str]] = {
    FlowClass.INGRESS: _flow("#0972D3", penwidth="2"),
    FlowClass.ADMIN: _flow("#5F6B7A", style="dashed"),
    FlowClass.NETWORK: _flow("#414D5C"),
    FlowClass.DEPLOY: _flow("#B0249F"),
    FlowClass.EGRESS: _flow("#4D7A0F"),
    FlowClass.UPLINK: _flow("#4D7A0F", style="dotted"),
    FlowClass.CONTROL: _flow("#C45A00", style="dashed"),
    FlowClass.REPLICATION: _flow("#2E3AB8", style="dashed"),
    FlowClass.IAM: _flow("#C7253E", style="dashed"),
    FlowClass.DNS: _flow("#7C4DFF", style="dashed"),
    FlowClass.EVENT: _flow("#B83280", style="dashed"),
}

# The colour key under the title.
FLOW_LEGEND: dict[FlowClass, str] = {
    FlowClass.INGRESS: "internet ingress",
    FlowClass.ADMIN: "admin access",
    FlowClass.NETWORK: "traffic inside the VPC",
    FlowClass.DEPLOY: "CI/CD deploy",
    FlowClass.EGRESS: "egress through NAT",
    FlowClass.UPLINK: "NAT uplink",
    FlowClass.CONTROL: "EKS control plane",
    FlowClass.REPLICATION: "database replication",
    FlowClass.IAM: "AWS API (IAM)",
    FlowClass.DNS: "DNS",
    FlowClass.EVENT: "event trigger",
}

# Edge label for flows without a port (those with one show `tcp/5432`).
CLASS_LABELS: dict[FlowClass, str] = {
    FlowClass.DNS: "DNS",
    FlowClass.IAM: "IAM",
    FlowClass.EVENT: "event",
    FlowClass.CONTROL: "control",
    FlowClass.REPLICATION: "replication",
    FlowClass.UPLINK: "uplink",
    FlowClass.DEPLOY: "deploy",
    FlowClass.INGRESS: "ingress",
    FlowClass.ADMIN: "admin",
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
    Role.AVAILABILITY_ZONE: "availability zone", Role.GROUP: "group",
}


def zone_style(zone: Zone) -> str:
    """The ZONE_STYLES key of a zone."""
    if zone.role is Role.SUBNET:
        return _TIER_STYLES[zone.tier]
    return _ROLE_STYLES[zone.role]
