"""Flow rules: internet entry points, NAT direction, DNS targets, tier policy, egress."""

from __future__ import annotations

import networkx as nx

from archc import diagnostics as d
from archc.catalog.edge import INTERNAL, load_balancer_scheme
from archc.kinds import DEFAULT_ENTRY_KINDS, INTERNET_KINDS, Kind, Tier
from archc.model import Architecture, Component, Flow, FlowClass

DNS_TARGET_KINDS = frozenset({Kind.CDN, Kind.LOAD_BALANCER, Kind.EXTERNAL_FRONTEND,
                              Kind.EXTERNAL_SERVICE, Kind.BASTION})
INBOUND_TARGET_KINDS = frozenset({Kind.LOAD_BALANCER, Kind.BASTION})
_LB_HINT = ("put an internet-facing load balancer in the public subnet and route the internet "
            "gateway to it, e.g. `ALB[\"Application Load Balancer\"]` with `IGW --> ALB` and "
            "`ALB --> EC2`")


def check(arch: Architecture, graph: nx.MultiDiGraph[str], env: str | None) -> list[d.Diagnostic]:
    comps = {c.id: c for c in arch.components}
    found: list[d.Diagnostic] = []
    for flow in arch.flows:
        init, tgt = comps[flow.initiator], comps[flow.target]
        if {init.id, tgt.id} & arch.unknown_kinds:  # its meaning was guessed from the kinds
            continue
        found += _entry(arch, flow, init, tgt)
        found += _internal_balancer(arch, flow, init, tgt)
        found += _admin_path(arch, flow, init, tgt)
        found += _nat_inbound(flow, init, tgt)
        found += _dns_target(flow, init, tgt)
        found += _tier_policy(arch, flow, init, tgt)
        found += _egress(arch, flow, init, tgt)
    for igw in arch.components_of(Kind.INTERNET_GATEWAY):
        found += _gateway_dead_end(arch, igw, comps)
    return found


def _entry(arch: Architecture, flow: Flow, init: Component, tgt: Component) -> list[d.Diagnostic]:
    if flow.flow_class is not FlowClass.INGRESS or init.kind not in INTERNET_KINDS:
        return []
    entries = arch.policy.internet_entry
    # With no entry points in the policy, the internet gateway is where the internet enters
    # the VPC: a hop, whose onward path `_gateway_dead_end` checks.
    allowed = tgt.id in entries if entries else (
        tgt.kind in DEFAULT_ENTRY_KINDS or tgt.kind == Kind.INTERNET_GATEWAY)
    private = arch.tier_of(tgt) in (Tier.APP, Tier.DATA)
    if allowed and not private:
        return []
    where = f"{arch.tier_of(tgt)} tier, private" if private else "not an entry point"
    declared = ", ".join(entries) if entries else "CloudFront or a load balancer"
    return [d.error(
        "ARC303", f"internet traffic from {init.id} goes straight to {tgt.id} ({where})",
        flow.span, hint=f"internet traffic may only enter through {declared}; route it through "
                        "an entry point, or list the target in `policy.internet_entry`")]


def _internal_balancer(arch: Architecture, flow: Flow, init: Component,
                       tgt: Component) -> list[d.Diagnostic]:
    """Inbound internet traffic (through a gateway or a CDN too) cannot reach an internal load
    balancer: one drawn in a private subnet, or `scheme: internal`."""
    if flow.flow_class is not FlowClass.INGRESS or tgt.kind != Kind.LOAD_BALANCER:
        return []
    private = arch.tier_of(tgt) in (Tier.APP, Tier.DATA)
    if load_balancer_scheme(tgt.props, not private) != INTERNAL or (
            private and init.kind in INTERNET_KINDS):  # ARC303 says that one
        return []
    why = f"in a private {arch.tier_of(tgt)} subnet" if private else "`scheme: internal`"
    return [d.error(
        "ARC565", f"inbound internet traffic from {init.id} reaches {tgt.id}, an internal load "
                  f"balancer ({why}) that only the VPC can reach", flow.span,
        hint=f"draw the internet-facing load balancer in a public subnet, or let {tgt.id} "
             "face the internet (`scheme: internet-facing`, in a public subnet)")]


def _admin_path(arch: Architecture, flow: Flow, init: Component,
                tgt: Component) -> list[d.Diagnostic]:
    """Administrators reach what runs in the VPC through the bastion (SSH from
    policy.admin_cidrs, or Session Manager), never straight from the internet."""
    if flow.flow_class is not FlowClass.ADMIN or init.kind != Kind.ADMINS:
        return []
    if tgt.kind == Kind.BASTION or not arch.in_vpc(tgt) or _faces_internet(arch, tgt):
        return []  # developers use the public entry point like everyone else
    bastion = next((c.id for c in arch.components_of(Kind.BASTION)), "Bastion")
    return [d.error(
        "ARC303", f"administrators {init.id} reach {tgt.id} inside the VPC directly; the admin "
                  "path goes through the bastion", flow.span,
        hint=f"draw `{init.id} --> {bastion}` and `{bastion} --> {tgt.id}` (a bastion host in "
             "the public subnet, or `policy.bastion_access: ssm`)")]


def _faces_internet(arch: Architecture, comp: Component) -> bool:
    """An entry point the internet reaches: an internet-facing load balancer in a public
    subnet (what users reach, developers may use too)."""
    if comp.kind not in DEFAULT_ENTRY_KINDS:
        return False
    public = arch.tier_of(comp) is Tier.PUBLIC
    return public and load_balancer_scheme(comp.props, public) != INTERNAL


def _nat_inbound(flow: Flow, init: Component, tgt: Component) -> list[d.Diagnostic]:
    if tgt.kind == Kind.NAT_GATEWAY and flow.flow_class is FlowClass.INGRESS:
        return [d.error("ARC304", f"{init.id} sends inbound traffic into NAT gateway {tgt.id}, "
                                  "which carries only outbound traffic", flow.span, hint=_LB_HINT)]
    if init.kind == Kind.NAT_GATEWAY and tgt.kind != Kind.INTERNET_GATEWAY:
        return [d.error("ARC304", f"NAT gateway {init.id} opens connections to {tgt.id}; a NAT "
                                  "gateway only forwards outbound traffic to the internet",
                        flow.span, hint=f"draw the edge from {tgt.id} to {init.id}")]
    return []


def _gateway_dead_end(arch: Architecture, igw: Component,
                      comps: dict[str, Component]) -> list[d.Diagnostic]:
    """Inbound traffic reaching an internet gateway must continue to an internet-facing target."""
    inbound = [f for f in arch.flows if f.target == igw.id and f.flow_class is FlowClass.INGRESS]
    onward = [f for f in arch.flows if f.initiator == igw.id
              and (comps[f.target].kind in INBOUND_TARGET_KINDS
                   or f.target in arch.unknown_kinds)]  # it may be one: cannot tell
    if not inbound or onward:
        return []
    nats = [f.initiator for f in arch.flows
            if f.target == igw.id and comps[f.initiator].kind == Kind.NAT_GATEWAY]
    found = []
    for flow in inbound:
        path, through = _dead_end_path(arch, flow, igw, nats)
        found.append(d.error(
            "ARC304", f"inbound traffic from {flow.initiator} enters through {igw.id} but can "
                      f"only continue {through}: {path}", flow.span, hint=_LB_HINT,
            notes=tuple(d.Note(f"{f.ref}: {f.label or f.flow_class}", f.span)
                        for f in arch.flows if f.target == igw.id and f.initiator in nats)))
    return found


def _dead_end_path(arch: Architecture, flow: Flow, igw: Component,
                   nats: list[str]) -> tuple[str, str]:
    if not nats:
        return f"{flow.initiator} → {igw.id} → (nothing)", "nowhere"
    nat = nats[0]
    behind = sorted({f.initiator for f in arch.flows
                     if f.target == nat and f.flow_class is FlowClass.EGRESS})
    path = f"{flow.initiator} → {igw.id} → {nat}"
    if behind:
        path += f" → {', '.join(behind)}"
    return path, (f"through NAT gateway {nat}, which carries only outbound traffic "
                  "(connections its private hosts open)")


def _dns_target(flow: Flow, init: Component, tgt: Component) -> list[d.Diagnostic]:
    if flow.flow_class is not FlowClass.DNS or init.kind != Kind.DNS_ZONE:
        return []
    if tgt.kind in DNS_TARGET_KINDS:
        return []
    return [d.error("ARC306", f"DNS record {flow.ref} points at {tgt.id} ({tgt.kind}), which a "
                              "DNS name cannot resolve to", flow.span,
                    hint="point the record at the CloudFront distribution or an internet-facing "
                         "load balancer")]


def _tier_policy(arch: Architecture, flow: Flow, init: Component,
                 tgt: Component) -> list[d.Diagnostic]:
    if flow.flow_class not in (FlowClass.NETWORK, FlowClass.DEPLOY):
        return []
    a, b = arch.tier_of(init), arch.tier_of(tgt)
    if a is None or b is None or (a, b) in arch.policy.tier_flows:
        return []
    allowed = ", ".join(f"{x} → {y}" for x, y in sorted(arch.policy.tier_flows))
    return [d.error("ARC307", f"flow {flow.ref} goes from the {a} tier to the {b} tier, which the "
                              "tier policy forbids", flow.span,
                    hint=f"allowed: {allowed}; route it through the app tier or extend "
                         "`policy.tier_flows`")]


def _egress(arch: Architecture, flow: Flow, init: Component,
            tgt: Component) -> list[d.Diagnostic]:
    if flow.flow_class is not FlowClass.EGRESS:
        return []
    tier = arch.tier_of(init)
    if tier is Tier.DATA:
        return [d.error("ARC308", f"{init.id} in the data tier reaches the internet through "
                                  f"{tgt.id}; data subnets have no route out", flow.span,
                        hint="remove the edge, or move the component to the app tier")]
    if tgt.kind == Kind.INTERNET_GATEWAY and tier is Tier.APP:
        return [d.error("ARC308", f"{init.id} in a private subnet has no route to internet "
                                  f"gateway {tgt.id}", flow.span,
                        hint="send private traffic out through a NAT gateway")]
    return []
