"""Security groups and their rules, derived from the diagram's flows: pure data, no templates.

One security group per in-VPC component (Derivation.has_security_group). One rule row per
direction of each flow that carries traffic:

* NETWORK / DEPLOY  ingress on the target from the initiator's group, egress on the initiator
                    to the target's group, on the flow's ports;
* INGRESS           into a component behind an internet gateway: from the CloudFront
                    origin-facing prefix list when a CDN is in front, else 0.0.0.0/0 on that
                    port only (the one place the architecture says the internet enters);
* EGRESS            (component -> NAT): egress on the flow's ports (HTTPS) to 0.0.0.0/0;
* IAM to S3         egress 443 to the S3 gateway endpoint's prefix list;
* IAM to an API     (a kind with `endpoint_service`: SQS, KMS, CloudWatch Logs...) from a
                    component in the VPC: egress 443 to the service's interface endpoint
                    group, ingress 443 on it from exactly those callers (its private DNS
                    name serves the whole VPC, so for CloudWatch Logs also the hosts whose
                    CloudWatch agent and the node groups whose Container Insights write logs);
* bastion           ssh: ingress 22 from policy.admin_cidrs; ssm: no port 22 anywhere;
                    and tcp/443 to the EKS control plane (the admin path to the private
                    cluster endpoint);
* agents            every EC2 component (instance role with AmazonSSMManagedInstanceCore and
                    the CloudWatch agent) egress tcp/443 to 0.0.0.0/0 through the NAT gateway
                    (or its public IP): Systems Manager, CloudWatch Logs, package mirrors;
* git clone         a CI server that a git server notifies (scm -> ci) also clones from it:
                    kinds.GIT_CLONE_PORTS (HTTPS) from the CI server to the git server.

CONTROL flows are the EKS module's (its cluster and node groups keep their recommended rules);
UPLINK and DNS flows open nothing. Row ids come from content (`<sg>_<direction>_<peer>_<port>`);
rows that would share an id are one rule whose description cites every edge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from archc import diagnostics as d
from archc.aws.compute import (
    EC2_KINDS,
    VPC_LINK_KINDS,
    listener_port,
    vpc_link_target,
    vpc_link_tier,
)
from archc.aws.derivation import CheckovSkip, Derivation, skip
from archc.aws.iam import principal
from archc.aws.names import (
    line_refs,
    node_group_name,
    overlay_spans,
    port_name,
    port_text,
    sg_text,
)
from archc.catalog.serverless import vpc_link_group
from archc.kinds import GIT_CLONE_PORTS, INTERNET_KINDS, KINDS, Kind, Tier
from archc.model import Architecture, Component, Flow, FlowClass
from archc.source import Span

S3_ENDPOINT = "s3"  # network.gateway_endpoints[].id of the S3 gateway endpoint
ENDPOINT_PREFIX = "vpce_"  # the security groups of interface endpoints: vpce_<service>
CLOUDFRONT_PREFIX_LIST = "cloudfront_origin"  # network.prefix_lists[].id
INTERNET = "0.0.0.0/0"
SSH = 22
# EC2 components: each has an instance role with the SSM and CloudWatch agents (iam.py).
AGENT_KINDS = EC2_KINDS
HTTPS = 443
# Ports checkov (3.3.30) treats as open to the world on ingress rules whose source it cannot
# read (admin ports, and HTTP: a load balancer forwarding to a host on port 80), with the check.
ADMIN_PORT_CHECKS = {22: "CKV_AWS_24", 3389: "CKV_AWS_25", 80: "CKV_AWS_260"}


class Peer(TypedDict):
    """The other side of a rule: a security group (`ref`), a CIDR or a prefix list."""

    kind: str
    ref: NotRequired[str]
    cidr: NotRequired[str]


class SecurityGroup(TypedDict):
    id: str
    component: str
    name_suffix: str
    description: str  # no line numbers: AWS replaces a group whose description changes
    source: str  # its diagram/overlay lines (`architecture.mmd:7`), for comments and reports
    checkov_skips: list[CheckovSkip]


class SecurityGroupRule(TypedDict):
    id: str
    direction: str
    security_group: str
    peer: Peer
    ip_protocol: str
    from_port: int
    to_port: int
    description: str  # no line numbers either, so a line inserted above plans nothing
    source: str
    checkov_skips: list[CheckovSkip]


def cited(description: str, source: str) -> str:
    """The description with its lines, as the security report shows it."""
    return sg_text(f"{description} ({source})") if source else description


@dataclass
class Row:
    security_group: str
    direction: str
    peer: Peer
    peer_name: str
    protocol: str
    low: int
    high: int
    text: str
    spans: list[Span | None] = field(default_factory=list)
    checkov_skips: list[CheckovSkip] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)  # the diagram edges (or policy keys) behind it

    @property
    def id(self) -> str:
        port = port_name(self.protocol, self.low, self.high)
        return f"{self.security_group}_{self.direction}_{self.peer_name}_{port}"

    def as_dict(self) -> SecurityGroupRule:
        return {
            "id": self.id, "direction": self.direction, "security_group": self.security_group,
            "peer": self.peer.copy(), "ip_protocol": self.protocol, "from_port": self.low,
            "to_port": self.high,
            "description": sg_text(self.text), "source": line_refs(*self.spans),
            "checkov_skips": list(self.checkov_skips),
        }


# --------------------------------------------------------------------------- groups
def security_groups(arch: Architecture) -> list[SecurityGroup]:
    """One group per in-VPC component and per interface endpoint, sorted by id."""
    v = Derivation(arch)
    groups = [_group(v, c) for c in arch.components if v.has_security_group(c)]
    groups += [_endpoint_group(service) for service in interface_endpoints(v)]
    groups += [_vpc_link_group(v, api) for api in vpc_links(v)]
    return sorted(groups, key=lambda g: g["id"])


def endpoint_group(service: str) -> str:
    """The security group id of a service's interface endpoint."""
    return f"{ENDPOINT_PREFIX}{endpoint_key(service)}"


def endpoint_key(service: str) -> str:
    """A service name as a Terraform id: `bedrock-runtime` -> `bedrock_runtime`."""
    return re.sub(r"[^a-z0-9]", "_", service.lower())


def interface_endpoints(v: Derivation) -> dict[str, list[Flow]]:
    """Service -> the IAM flows that call it from a component in the VPC with a role (a load
    balancer drawn sending metrics calls nothing: AWS publishes them): each such service gets
    an interface endpoint (private DNS), sorted by service."""
    out: dict[str, list[Flow]] = {}
    if not v.arch.policy.vpc_endpoints:
        return out
    for flow in v.flows(FlowClass.IAM):
        service = _endpoint_service(v, flow.target)
        if service and _sg(v, flow.initiator) and principal(v, v.comp(flow.initiator)):
            out.setdefault(service, []).append(flow)
    return dict(sorted(out.items()))


def _endpoint_service(v: Derivation, component_id: str) -> str | None:
    """The service name of the interface endpoint a component's API is reached through."""
    comp = v.arch.component(component_id)
    spec = KINDS.get(str(comp.kind)) if comp else None
    if comp is None or spec is None or spec.endpoint_service is None:
        return None
    if callable(spec.endpoint_service):
        return spec.endpoint_service(comp.props, f"{comp.label} {comp.id}".lower())
    return spec.endpoint_service


def _endpoint_group(service: str) -> SecurityGroup:
    ident = endpoint_group(service)
    return {"id": ident, "component": f"{service} interface endpoint",
            "name_suffix": ident.replace("_", "-"),
            "description": sg_text(f"{service} VPC interface endpoint, tcp/443 from its callers"),
            "source": "", "checkov_skips": [skip(
                "CKV2_AWS_5", "Attached through module.vpc_endpoints (security_group_ids); "
                              "checkov cannot expand registry modules offline, so it does not "
                              "see the attachment")]}


def vpc_links(v: Derivation) -> dict[str, list[tuple[Flow, Component]]]:
    """API gateway id -> its routes through a VPC link (the flow, the load balancer it
    reaches), for the gateways whose link has private app subnets to live in."""
    out: dict[str, list[tuple[Flow, Component]]] = {}
    for flow in v.flows(FlowClass.NETWORK):
        lb = vpc_link_target(v, flow)
        if lb is not None and vpc_link_tier(v, lb) is not None:
            out.setdefault(flow.initiator, []).append((flow, lb))
    return out


def _vpc_link_group(v: Derivation, api: str) -> SecurityGroup:
    ident = vpc_link_group(v.ids[api])
    comp = v.comp(api)
    return {"id": ident, "component": api, "name_suffix": ident.replace("_", "-"),
            "description": sg_text(f"{api} API Gateway VPC link, to its load balancers' "
                                   "listeners"),
            "source": line_refs(comp.span), "checkov_skips": [skip(
                "CKV2_AWS_5", f"Attached through module.apigw_{v.ids[api]} (vpc_links); "
                              "checkov cannot expand registry modules offline, so it does not "
                              "see the attachment")]}


def _group(v: Derivation, comp: Component) -> SecurityGroup:
    ident = v.ids[comp.id]
    # AWS cannot change a group's description in place: only the component's id, its kind
    # and its subnet's tier, never a label or a zone's title (a renamed zone would replace it)
    if comp.kind == Kind.EKS_NODE_GROUP:
        what = f"{comp.id} EKS node group"
    elif comp.kind == Kind.EKS_CONTROL_PLANE:
        what = f"{comp.id} EKS control plane, additional security group"
    else:
        zone = v.subnet_zone(comp)
        tier = f", {zone.tier.value} subnet" if zone and zone.tier else ""
        what = f"{comp.id} ({str(comp.kind)}){tier}"
    attached = _attachment(v, comp)
    skips = [] if attached is None else [skip(
        "CKV2_AWS_5", f"Attached through {attached}; checkov cannot expand registry modules "
                      "offline, so it does not see the attachment")]
    return {"id": ident, "component": comp.id, "name_suffix": ident.replace("_", "-"),
            "description": sg_text(what), "source": line_refs(comp.span),
            "checkov_skips": skips}


def _attachment(v: Derivation, comp: Component) -> str | None:
    """Where the group is attached when that is inside a registry module (None: directly)."""
    ident = v.ids[comp.id]
    if comp.kind == Kind.LOAD_BALANCER:
        return f"module.lb_{ident} (security_groups)"
    if comp.kind in (Kind.BASTION, Kind.CI_SERVER, Kind.SCM_SERVER, Kind.INSTANCE):
        return f"module.ec2_{ident} (vpc_security_group_ids)"
    if comp.kind == Kind.EKS_CONTROL_PLANE:
        return f"module.{v.cluster_module(comp)} (additional_security_group_ids)"
    if comp.kind == Kind.EKS_NODE_GROUP:
        control = v.cluster_of(comp)
        module = "eks" if control is None else v.cluster_module(control)
        key = node_group_name(comp)
        return f"module.{module} (eks_managed_node_groups.{key}.vpc_security_group_ids)"
    if comp.kind == Kind.DATABASE:
        return f"module.db_{ident} (vpc_security_group_ids)"
    tf = KINDS[comp.kind].terraform
    if tf is not None and tf.attachment:
        return tf.attachment.format(id=ident)
    return None  # backend_service: the launch template attaches it, checkov sees that


# --------------------------------------------------------------------------- rules
def security_group_rules(arch: Architecture) -> tuple[list[SecurityGroupRule], list[d.Diagnostic]]:
    """Rule rows sorted by id, and the diagnostics of flows that cannot become rules."""
    rows, diags = rule_rows(arch)
    return [row.as_dict() for row in rows], diags


def rule_rows(arch: Architecture) -> tuple[list[Row], list[d.Diagnostic]]:
    """The rows as objects (with the edges behind each), sorted by id; rows sharing an id
    are merged into one that cites every edge."""
    v = Derivation(arch)
    rows: list[Row] = []
    for flow in arch.flows:
        for row in _flow_rows(v, flow):
            if flow.ref not in row.edges:
                row.edges.insert(0, flow.ref)
            rows.append(row)
    rows += _bastion_rows(v)
    rows += _agent_rows(v)
    rows += _implicit_endpoint_rows(v)
    merged: dict[str, Row] = {}
    for row in rows:
        if row.id in merged:
            # the description names one flow, the same whatever the order of the diagram's
            # lines (a changed description is a plan); the comment and the report cite all
            merged[row.id].text = min(merged[row.id].text, row.text)
            merged[row.id].spans += row.spans
            merged[row.id].edges += [e for e in row.edges if e not in merged[row.id].edges]
        else:
            merged[row.id] = row
    return [merged[k] for k in sorted(merged)], v.diags


def access_mode(v: Derivation, flow: Flow | None = None) -> str:
    """ssh or ssm: the access of the flow's bastion (either end), else of the first bastion,
    else the policy default."""
    ends = () if flow is None else (v.arch.component(flow.initiator),
                                    v.arch.component(flow.target))
    bastions = [c for c in ends if c is not None and c.kind == Kind.BASTION] or list(
        v.of(Kind.BASTION)[:1])
    return v.bastion_access(bastions[0]) if bastions else v.arch.policy.bastion_access


def _sg(v: Derivation, component_id: str) -> str | None:
    comp = v.arch.component(component_id)
    return v.ids[comp.id] if comp and v.has_security_group(comp) else None


def _flow_rows(v: Derivation, flow: Flow) -> list[Row]:
    handlers = {FlowClass.NETWORK: _network_rows, FlowClass.DEPLOY: _network_rows,
                FlowClass.INGRESS: _ingress_rows, FlowClass.EGRESS: _egress_rows,
                FlowClass.IAM: _iam_rows}
    handler = handlers.get(flow.flow_class)
    return handler(v, flow) if handler else []


def _ports(v: Derivation, flow: Flow) -> list[tuple[int, int]]:
    """The flow's port ranges, minus port 22 in ssm mode (ARC518); ARC510 when it has none."""
    mode = access_mode(v, flow)
    if not flow.ports and mode == "ssm" and Kind.BASTION in (
            v.kind(flow.initiator), v.kind(flow.target)):
        v.note("ARC518", f"bastion access is ssm: {flow.ref} goes through Session Manager "
                         "and opens no port", flow.span,
               hint="with `policy.bastion_access: ssm` Session Manager replaces SSH; set it to "
                    "ssh (with admin_cidrs) to open port 22")
        return []
    if not flow.ports or flow.protocol not in ("tcp", "udp"):
        v.error("ARC510", f"flow {flow.ref} ({flow.flow_class}) has no protocol and port, so "
                          "no narrow security-group rule can be written", flow.span,
                hint=f'give it ports in the overlay: flows: "{flow.ref}": {{ports: [443]}}')
        return []
    if mode != "ssm":
        return list(flow.ports)
    kept = [(lo, hi) for lo, hi in flow.ports if not lo <= SSH <= hi]
    if len(kept) != len(flow.ports):
        bastion = v.kind(flow.initiator) == Kind.BASTION
        (v.note if bastion else v.warning)(
            "ARC518", f"bastion access is ssm: {flow.ref} is not opened on tcp/22"
                      + ("" if bastion else "; deploy through SSM Run Command instead"),
            flow.span, hint="with `policy.bastion_access: ssm` Session Manager replaces SSH; "
                            "set it to ssh (with admin_cidrs) to open port 22")
    return kept


def _network_rows(v: Derivation, flow: Flow) -> list[Row]:
    if v.kind(flow.initiator) in VPC_LINK_KINDS:
        return _vpc_link_rows(v, flow)
    src, dst = _sg(v, flow.initiator), _sg(v, flow.target)
    if src is None or dst is None:
        v.warning("ARC522", f"flow {flow.ref} ({flow.flow_class}) has an end without a "
                            "security group (outside the VPC): no rule is written", flow.span,
                  hint="draw both ends inside the VPC, or give the flow the meaning it has "
                       "in the overlay (`meaning: iam` for a call to an S3 bucket)")
        return []
    rows = _pair_rows(src, dst, flow.protocol, _ports(v, flow), _spans(flow),
                      lambda lo, hi: _text(flow, lo, hi))
    return rows + _clone_rows(v, flow, src, dst)


def _vpc_link_rows(v: Derivation, flow: Flow) -> list[Row]:
    """An API gateway's route to a load balancer (or a service behind one) goes through its
    VPC link: egress from the link's group to the load balancer's on the listener port, and
    that ingress on the load balancer's group; nothing when the route has no link (ARC553,
    ARC554 from the gateway's kind)."""
    lb = vpc_link_target(v, flow)
    if lb is None or vpc_link_tier(v, lb) is None:
        return []
    port = listener_port(lb)
    via = "" if lb.id == flow.target else f" in front of {flow.target}"
    label = f" {flow.label}" if flow.label else ""
    text = (f"{flow.initiator} VPC link to {lb.id}{via} {port_text('tcp', port, port)}{label}, "
            "private integration")
    rows = _pair_rows(vpc_link_group(v.ids[flow.initiator]), v.ids[lb.id], "tcp",
                      [(port, port)], _spans(flow), _fixed(text))
    if via:
        for row in rows:
            row.edges = [flow.ref, f"{lb.id} forwards to {flow.target}"]
    return rows


def _pair_rows(src: str, dst: str, protocol: str, ports: list[tuple[int, int]],
               spans: list[Span | None], text: Callable[[int, int], str]) -> list[Row]:
    """Ingress on `dst` from `src` and egress on `src` to `dst`, per port range."""
    rows: list[Row] = []
    for lo, hi in ports:
        rows.append(Row(dst, "ingress", {"kind": "security_group", "ref": src}, src,
                        protocol, lo, hi, text(lo, hi), list(spans), _admin_skips(src, lo, hi)))
        rows.append(Row(src, "egress", {"kind": "security_group", "ref": dst}, dst,
                        protocol, lo, hi, text(lo, hi), list(spans)))
    return rows


def _clone_rows(v: Derivation, flow: Flow, src: str, dst: str) -> list[Row]:
    """A git server notifying a CI server (webhook) means the CI server clones from it:
    the reverse direction on the git ports."""
    if (v.kind(flow.initiator), v.kind(flow.target)) != (Kind.SCM_SERVER, Kind.CI_SERVER):
        return []
    rows = _pair_rows(dst, src, "tcp", [(p, p) for p in GIT_CLONE_PORTS], [flow.span],
                      lambda lo, hi: f"{flow.target} to {flow.initiator} "
                                     f"{port_text('tcp', lo, hi)} git clone, reverse of "
                                     f"{flow.label or 'the webhook'}")
    for row in rows:
        row.edges = [f"{flow.target} clones from {flow.initiator} (a CI server notified by a "
                     "git server)"]
    return rows


def _fixed(text: str) -> Callable[[int, int], str]:
    """A rule text that does not depend on the port range."""
    return lambda lo, hi: text


def _spans(flow: Flow) -> list[Span | None]:
    """The edge's line, then the overlay lines that set its ports or initiator."""
    return [flow.span] + overlay_spans(flow.decisions, "ports", "protocol", "initiator")


def _admin_skips(peer_sg: str, lo: int, hi: int) -> list[CheckovSkip]:
    return [skip(check, f"Source is the {peer_sg} security group "
                        "(referenced_security_group_id), not a CIDR; checkov 3.3.30 "
                        f"{check} only recognises source_security_group_id on this resource "
                        "type")
            for port, check in ADMIN_PORT_CHECKS.items() if lo <= port <= hi]


def _ingress_rows(v: Derivation, flow: Flow) -> list[Row]:
    dst = _sg(v, flow.target)
    if dst is None:
        return []  # the internet reaching the CDN or the gateway: no security group there
    source = v.kind(flow.initiator)
    upstream: tuple[Flow, ...] = ()
    if source == Kind.INTERNET_GATEWAY:
        upstream = tuple(f for f in v.flows(FlowClass.INGRESS) if f.target == flow.initiator)
    cdn = [f for f in upstream if v.kind(f.initiator) == Kind.CDN]
    direct = [f for f in upstream if v.kind(f.initiator) != Kind.CDN]
    if source == Kind.CDN:
        cdn = [flow]
    via_cdn = bool(cdn)
    via_internet = bool(direct) or source in INTERNET_KINDS or (
        source == Kind.INTERNET_GATEWAY and not upstream)
    if not (via_cdn or via_internet):
        v.warning("ARC522", f"ingress flow {flow.ref} does not come from the internet, a CDN "
                            "or an internet gateway: no rule is written", flow.span,
                  hint="route internet traffic through the CDN or the internet gateway in the "
                       "diagram")
        return []
    rows: list[Row] = []
    for lo, hi in _ports(v, flow):
        if via_cdn:
            rows.append(Row(dst, "ingress", {"kind": "prefix_list", "ref": CLOUDFRONT_PREFIX_LIST},
                            "cloudfront", flow.protocol, lo, hi,
                            _text(flow, lo, hi, "CloudFront origin-facing ranges only"),
                            [flow.span, *(f.span for f in cdn)],
                            edges=[flow.ref] + [f.ref for f in cdn if f is not flow]))
        if via_internet:
            rows.append(Row(dst, "ingress", {"kind": "cidr", "cidr": INTERNET}, "internet",
                            flow.protocol, lo, hi, _text(flow, lo, hi, "from the internet"),
                            [flow.span, *(f.span for f in direct)],
                            edges=[flow.ref] + [f.ref for f in direct]))
    return rows


def _egress_rows(v: Derivation, flow: Flow) -> list[Row]:
    src = _sg(v, flow.initiator)
    if src is None:
        return []
    return [Row(src, "egress", {"kind": "cidr", "cidr": INTERNET}, "internet", flow.protocol,
                lo, hi, _text(flow, lo, hi, "outbound to the internet"), _spans(flow))
            for lo, hi in _ports(v, flow)]


def _iam_rows(v: Derivation, flow: Flow) -> list[Row]:
    """A call to an AWS API from the VPC: to S3 through its gateway endpoint, to a service
    with an interface endpoint through that endpoint's group; others open nothing (NAT)."""
    src = _sg(v, flow.initiator)
    kind = v.kind(flow.target)
    if src is None or kind not in KINDS:
        return []
    if kind == Kind.OBJECT_STORAGE:
        text = f"{flow.initiator} to {flow.target} tcp/443 {flow.label} via S3 gateway endpoint"
        return [Row(src, "egress", {"kind": "gateway_endpoint", "ref": S3_ENDPOINT},
                    S3_ENDPOINT, "tcp", HTTPS, HTTPS, text, [flow.span])]
    service = _endpoint_service(v, flow.target)
    if service is None or not v.arch.policy.vpc_endpoints or principal(
            v, v.comp(flow.initiator)) is None:
        return []  # through the NAT gateway (the caller's egress to it)
    return _pair_rows(src, endpoint_group(service), "tcp", [(HTTPS, HTTPS)], [flow.span],
                      lambda lo, hi: f"{flow.initiator} to {flow.target} tcp/443 {flow.label} "
                                     f"via {service} interface endpoint")


# What writes to CloudWatch Logs without a diagram edge: each EC2 host's CloudWatch agent, and
# the EKS nodes' Container Insights (the cluster add-ons). With a logs endpoint (private DNS)
# they reach it, so its group admits them too.
IMPLICIT_LOG_WRITERS = (*AGENT_KINDS, Kind.EKS_NODE_GROUP)
LOGS_SERVICE = "logs"


def _implicit_endpoint_rows(v: Derivation) -> list[Row]:
    if LOGS_SERVICE not in interface_endpoints(v):
        return []
    rows: list[Row] = []
    for comp in v.of(*IMPLICIT_LOG_WRITERS):
        what = "CloudWatch agent" if comp.kind in AGENT_KINDS else "Container Insights"
        text = f"{comp.id} to CloudWatch Logs tcp/443 {what} via logs interface endpoint"
        pair = _pair_rows(v.ids[comp.id], endpoint_group(LOGS_SERVICE), "tcp",
                          [(HTTPS, HTTPS)], [comp.span], _fixed(text))
        for row in pair:
            row.edges = [f"{comp.id} writes logs with its {what} ({comp.kind})"]
        rows += pair
    return rows


def _bastion_rows(v: Derivation) -> list[Row]:
    """Per bastion its admin path: tcp/443 to the clusters it administers, and with ssh
    access tcp/22 from policy.admin_cidrs into its own security group."""
    rows = _cluster_admin_rows(v)
    for bastion in v.of(Kind.BASTION):
        rows += _admin_cidr_rows(v, bastion)
    return rows


def _admin_cidr_rows(v: Derivation, bastion: Component) -> list[Row]:
    sg = v.ids[bastion.id]
    spans = overlay_spans(bastion.decisions, "access") + [v.arch.policy.span]
    rows: list[Row] = []
    if v.bastion_access(bastion) == "ssm":
        return rows  # Session Manager: the agent's egress (_agent_rows), no port 22
    if not v.arch.policy.admin_cidrs:
        v.warning("ARC524", f"bastion {bastion.id} uses ssh but policy.admin_cidrs is empty: "
                            "no address may reach it", v.arch.policy.span or bastion.span,
                  hint="list the administrators' networks in policy.admin_cidrs, or use "
                       "access: ssm")
    return rows + [Row(sg, "ingress", {"kind": "admin_cidrs"}, "admin", "tcp", SSH, SSH,
                       f"Admin CIDRs to {bastion.id} tcp/22 SSH", spans,
                       edges=["policy.admin_cidrs", f"{bastion.id} access: ssh"])]


def _cluster_admin_rows(v: Derivation) -> list[Row]:
    """The admin path to a private EKS API endpoint: a bastion (reached by SSH or Session
    Manager) runs kubectl against it, so tcp/443 from each bastion administering a cluster
    (Derivation.cluster_admins) to that cluster's control plane."""
    out: list[Row] = []
    for control in v.of(Kind.EKS_CONTROL_PLANE):
        for bastion in v.cluster_admins(control):
            out += _admin_pair(v, bastion, control)
    return out


def _admin_pair(v: Derivation, bastion: Component, control: Component) -> list[Row]:
    src, dst = v.ids[bastion.id], v.ids[control.id]
    rows = _pair_rows(src, dst, "tcp", [(HTTPS, HTTPS)], [bastion.span, control.span],
                      lambda lo, hi: f"{bastion.id} to {control.id} tcp/443 kubectl to the "
                                     "private cluster endpoint, admin path")
    for row in rows:
        row.edges = [f"{bastion.id} administers {control.id} (bastion, eks_control_plane)"]
    return rows


def _agent_rows(v: Derivation) -> list[Row]:
    """Egress tcp/443 for every EC2 component: its SSM agent (Session Manager, patching),
    its CloudWatch agent (CloudWatch Logs) and its package manager call AWS endpoints and
    mirrors over HTTPS. Through the NAT gateway, or the public IP of a public-subnet host."""
    has_nat = bool(v.of(Kind.NAT_GATEWAY))
    rows: list[Row] = []
    for comp in v.of(*AGENT_KINDS):
        if not has_nat and v.arch.tier_of(comp) is not Tier.PUBLIC:
            v.warning("ARC531", f"{comp.id} is in a private subnet and the diagram draws no "
                                "NAT gateway: its SSM and CloudWatch agents and its package "
                                "manager have no route out", comp.span,
                      hint="draw a NAT gateway in a public subnet (`NAT[\"NAT Gateway\"]`) "
                           "so private hosts can reach AWS APIs and package mirrors")
            continue
        how = "public IP" if v.arch.tier_of(comp) is Tier.PUBLIC else "NAT"
        rows.append(Row(v.ids[comp.id], "egress", {"kind": "cidr", "cidr": INTERNET},
                        "internet", "tcp", HTTPS, HTTPS,
                        f"{comp.id} to SSM, CloudWatch Logs and package mirrors tcp/443 via "
                        f"{how}", [comp.span],
                        edges=[f"{comp.id} runs the SSM and CloudWatch agents ({comp.kind})"]))
    return rows


def _text(flow: Flow, lo: int, hi: int, extra: str = "") -> str:
    label = f" {flow.label}" if flow.label else ""
    tail = f", {extra}" if extra else ""
    return f"{flow.initiator} to {flow.target} {port_text(flow.protocol, lo, hi)}{label}{tail}"
