"""The catalog kinds' Terraform: each kind's `build` (archc/catalog) over a `KindView` of
each of its components, rendered by its template under templates/terraform/kinds/.

The seed's kinds have topic modules of their own (compute, data, edge, eks); every other kind
is emitted here, the same way for all: one file `modules/platform/<kind>.tf` per kind used,
its items sorted by id, and its per-environment values in the platform module's `components`
input (`var.components["<id>"]`). A view is plain data, so a kind's module never reads the IR.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from archc.aws.compute import listener_key, vpc_link_target, vpc_link_tier
from archc.aws.derivation import PRODUCTION_ENVS, Derivation
from archc.aws.iam import principal
from archc.aws.names import tf_id
from archc.catalog.spec import Built, KindView, Peer
from archc.emit._hcl import hcl_string
from archc.emit.terraform import context_types as ct
from archc.emit.terraform.hcl_data import principal_arn
from archc.kinds import KINDS, NETWORK_IAM_KINDS
from archc.model import Component, Flow, FlowClass, thaw

# Every flow's verb is its `access` when it has the IAM meaning; other flows carry none.
_VERB_CLASSES = frozenset({FlowClass.IAM})


def kind_files(v: Derivation) -> list[ct.KindFile]:
    """One entry per catalog kind the architecture uses, in catalog order."""
    files: list[ct.KindFile] = []
    for name, spec in KINDS.items():
        if spec.terraform is None or not v.of(name):
            continue
        items = []
        for comp in v.of(name):
            built = _built(v, comp)
            for code, message, hint in built.warnings:
                v.warning(code, message, comp.span, hint=hint)
            for code, message, hint in built.notes:
                v.note(code, message, comp.span, hint=hint)
            items.append(dict(thaw(built.item)))
        files.append({"kind": name, "template": f"kinds/{spec.terraform.template}",
                      "items": sorted(items, key=lambda i: str(i["id"]))})
    return files


def settings(v: Derivation, env_name: str) -> dict[str, Any]:
    """The `components` input of one environment: each catalog component's values there."""
    out: dict[str, Any] = {}
    for name, spec in KINDS.items():
        if spec.terraform is None:
            continue
        for comp in v.of(name):
            per_env = _built(v, comp).settings
            if env_name in per_env:
                out[v.ids[comp.id]] = thaw(per_env[env_name])
    return dict(sorted(out.items()))


def _built(v: Derivation, comp: Component) -> Built:
    """A component's `build` result, computed once per derivation (items and settings)."""
    builds: dict[str, Built] = v.memo("kind_builds", dict)
    if comp.id not in builds:
        build = KINDS[comp.kind].terraform
        assert build is not None, comp.kind
        builds[comp.id] = build.build(view(v, comp))
    return builds[comp.id]


_Ends = dict[str, list[tuple[int, Flow]]]  # component id -> (place in the diagram, flow)


def _ends(v: Derivation) -> tuple[_Ends, _Ends]:
    """The flows into and out of each component, indexed once per derivation: a view per
    component scanning every flow made the catalog's Terraform O(components x flows)."""
    def index() -> tuple[_Ends, _Ends]:
        into: _Ends = {}
        out: _Ends = {}
        for order, flow in enumerate(v.arch.flows):
            into.setdefault(flow.target, []).append((order, flow))
            out.setdefault(flow.initiator, []).append((order, flow))
        return into, out
    return v.memo("kind_flow_ends", index)


def view(v: Derivation, comp: Component) -> KindView:
    into, out = _ends(v)
    inbound = tuple(_peer(v, f, f.initiator, n) for n, f in into.get(comp.id, ()))
    outbound = tuple(_peer(v, f, f.target, n) for n, f in out.get(comp.id, ()))
    env_props: dict[str, Mapping[str, Any]] = {
        env.name: env.props(comp.id) for env in v.arch.environments}
    return KindView(
        component=comp.id, id=v.ids[comp.id], title=v.title(comp), project=v.arch.project,
        region=v.arch.region, props=comp.props, env_props=env_props,
        production=frozenset(e.name for e in v.arch.environments if e.name in PRODUCTION_ENVS),
        inbound=tuple(sorted(inbound, key=_peer_order)),
        outbound=tuple(sorted(outbound, key=_peer_order)),
        security_group=v.ids[comp.id] if v.has_security_group(comp) else None,
        subnet_tier=v.tier_of(comp), log_retention_days=v.log_retention_days,
        ids_by_kind=v.memo("kind_ids", lambda: _ids_by_kind(v)))


def _ids_by_kind(v: Derivation) -> Mapping[str, tuple[str, ...]]:
    """Every kind's Terraform ids: one shared, read-only mapping (built per view it made the
    catalog's Terraform O(components^2))."""
    return MappingProxyType({
        kind: tuple(sorted(v.ids[c.id] for c in v.of(kind)))
        for kind in sorted({str(c.kind) for c in v.arch.components if c.kind})})


def _peer(v: Derivation, flow: Flow, other: str, order: int) -> Peer:
    comp = v.comp(other)
    who = principal(v, comp)
    tf = KINDS[comp.kind].terraform
    outputs = {name: expr.format(id=v.ids[comp.id])
               for name, (expr, _) in (tf.outputs.items() if tf else ())}
    lb = vpc_link_target(v, flow) if other == flow.target else None
    listener = (f"module.lb_{v.ids[lb.id]}.listeners[{hcl_string(listener_key(lb))}].arn"
                if lb else "")
    return Peer(component=comp.id, id=v.ids[comp.id], kind=str(comp.kind),
                flow_class=str(flow.flow_class),
                verb=flow.access if flow.flow_class in _VERB_CLASSES
                or v.kind(flow.target) in NETWORK_IAM_KINDS else "",
                label=flow.label, ports=flow.ports, order=order,
                role_arn=principal_arn(who) if who else "", outputs=outputs,
                parts=tuple(tf_id(b) for b in flow.buckets), listener_arn=listener,
                link_tier=(vpc_link_tier(v, lb) or "") if lb else "")


def _peer_order(peer: Peer) -> tuple[str, str, str]:
    return (peer.id, peer.flow_class, peer.verb)
