"""The catalog kinds' Terraform: each kind's `build` (archc/catalog) over a `KindView` of
each of its components, rendered by its template under templates/terraform/kinds/.

The seed's kinds have topic modules of their own (compute, data, edge, eks); every other kind
is emitted here, the same way for all: one file `modules/platform/<kind>.tf` per kind used,
its items sorted by id, and its per-environment values in the platform module's `components`
input (`var.components["<id>"]`). A view is plain data, so a kind's module never reads the IR.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archc.aws.derivation import PRODUCTION_ENVS, Derivation
from archc.catalog.spec import Built, KindView, Peer
from archc.emit.terraform import context_types as ct
from archc.kinds import KINDS
from archc.model import Component, Flow, thaw


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
    cached: dict[str, Built] = v.__dict__.setdefault("_kind_builds", {})
    if comp.id not in cached:
        build = KINDS[comp.kind].terraform
        assert build is not None, comp.kind
        cached[comp.id] = build.build(view(v, comp))
    return cached[comp.id]


def view(v: Derivation, comp: Component) -> KindView:
    return _view(v, comp)


def _view(v: Derivation, comp: Component) -> KindView:
    spec = KINDS[comp.kind]
    inbound = tuple(_peer(v, f, f.initiator) for f in v.arch.flows if f.target == comp.id)
    outbound = tuple(_peer(v, f, f.target) for f in v.arch.flows if f.initiator == comp.id)
    env_props: dict[str, Mapping[str, Any]] = {
        env.name: env.props(comp.id) for env in v.arch.environments}
    return KindView(
        component=comp.id, id=v.ids[comp.id], title=v.title(comp), project=v.arch.project,
        region=v.arch.region, props=comp.props, env_props=env_props,
        production=frozenset(e.name for e in v.arch.environments if e.name in PRODUCTION_ENVS),
        inbound=tuple(sorted(inbound, key=_peer_order)),
        outbound=tuple(sorted(outbound, key=_peer_order)),
        security_group=v.ids[comp.id] if spec.security_group else None,
        subnet_tier=v.tier_of(comp), log_retention_days=v.log_retention_days)


def _peer(v: Derivation, flow: Flow, other: str) -> Peer:
    comp = v.comp(other)
    return Peer(component=comp.id, id=v.ids[comp.id], kind=str(comp.kind),
                flow_class=str(flow.flow_class),
                # the IAM verb: a flow with the IAM meaning, or to a kind in the VPC with one
                verb=flow.access,
                label=flow.label, ports=flow.ports)


def _peer_order(peer: Peer) -> tuple[str, str, str]:
    return (peer.id, peer.flow_class, peer.verb)
