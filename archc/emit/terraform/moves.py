"""`moved` blocks: a renamed component keeps its AWS resources.

Terraform binds state to addresses, and archc builds addresses from component ids
(`aws_security_group.ingest`, `module.ec2_jump`), so renaming `ingest` to `intake` in the
diagram would make `terraform plan` destroy the group and create another. The previous build's
`manifest.json` records (`archc.emit.output.TerraformRecord`) the addresses each module folder
declared, the moves it carried, and per component an identity that survives a rename (its
kind, label, the roles and tiers of its zones, its flows; never an id or a zone title). A
component gone from this build whose identity is that of exactly one new component was
renamed; every previous address it named (its Terraform name as a `_`-delimited part, several
renames at once) that now names a declared address of the same type, where none was, becomes
`moved { from = old  to = new }`.

Moves are kept in the manifest and carried into later builds, as Terraform's own chains
(A -> B, then B -> C: a user who applied neither rename is moved twice, one who applied the
first once), until their source is declared again or their chain no longer ends at a declared
address. Terraform refuses two moves with one source or one destination: the newer wins. A
zone's id is in no address (subnets are lists of the VPC module), so renaming a zone moves
nothing. Objects inside a registry module (a target group keyed by component) cannot be moved
from here: Terraform refuses moves across module packages.

The record is untrusted: `archc._write` checks every address against `TF_ADDRESS` before it gets
here, and a move is written only if its destination chain ends at an address this build
declares.
"""

from __future__ import annotations

import hashlib
import json
import re

from archc.aws.names import component_ids
from archc.emit.output import TF_ADDRESS, ComponentRecord, Move, TerraformRecord
from archc.emit.terraform import context_types as ct
from archc.model import Architecture, Component, Flow

# The module folder whose addresses depend on component ids; the environment roots declare
# only `module.platform`, the bootstrap fixed names.
PLATFORM = "terraform/modules/platform"
_DECLARED = re.compile(r'^(?:resource "([a-z][a-z0-9_]*)" "([a-z][a-z0-9_]*)"'
                       r'|module "([a-z][a-z0-9_]*)") \{$', re.MULTILINE)


def records(arch: Architecture) -> dict[str, ComponentRecord]:
    """Component id -> identity and Terraform name."""
    refs = component_ids(arch)
    index = _Index(arch)
    return {c.id: {"identity": identity(arch, c, index), "ref": refs[c.id]}
            for c in sorted(arch.components, key=lambda c: c.id)}


class _Index:
    """What every component's identity reads, gathered in one pass over the model (an
    identity per component re-reading all labels and flows was O(N x (N + F)))."""

    def __init__(self, arch: Architecture) -> None:
        self.labels = {c.id: c.title for c in arch.components}
        self.zones = {z.id: z for z in arch.zones}
        self.flows: dict[str, list[Flow]] = {}
        for flow in arch.flows:
            for end in dict.fromkeys((flow.src, flow.dst)):
                self.flows.setdefault(end, []).append(flow)


def identity(arch: Architecture, comp: Component, index: _Index | None = None) -> str:
    """What a rename keeps: kind, label, the roles and tiers of the zones around it, and each
    flow's direction, label and other end's label. Ids and titles of zones, ids of neighbours,
    and lines are left out."""
    index = index or _Index(arch)
    labels, zones = index.labels, index.zones
    around, zone = [], comp.zone
    while zone is not None and zone in zones:  # roles and tiers: a zone may be renamed too
        tier = zones[zone].tier
        around.append((zones[zone].role.value, tier.value if tier is not None else ""))
        zone = zones[zone].parent
    flows = sorted([("out" if f.src == comp.id else "in",
                     labels.get(f.dst if f.src == comp.id else f.src, ""), f.label, f.arrow)
                    for f in index.flows.get(comp.id, ())])
    body = json.dumps([str(comp.kind), comp.title, around, flows], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def declared(texts: dict[str, str], folder: str = PLATFORM) -> list[str]:
    """The resource and module addresses the rendered `.tf` files of `folder` declare."""
    out = set()
    for path, text in texts.items():
        if path.rpartition("/")[0] == folder and path.endswith(".tf"):
            for rtype, name, module in _DECLARED.findall(text):
                out.add(f"module.{module}" if module else f"{rtype}.{name}")
    return sorted(out)


def renames(before: dict[str, ComponentRecord], now: dict[str, ComponentRecord],
            declared: dict[str, str] | None = None) -> dict[str, str]:
    """Old Terraform name -> new: each component the overlay says was renamed
    (`declared`: new id -> `renamed_from`, the old id gone from this build), then each other
    component gone whose identity is that of exactly one new component (and no other gone
    one)."""
    explicit = {old: new for new, old in (declared or {}).items()
                if old in before and old not in now and new in now and new not in before}
    gone: dict[str, list[str]] = {}
    fresh: dict[str, list[str]] = {}
    for cid, rec in before.items():
        if cid not in now and cid not in explicit:
            gone.setdefault(rec["identity"], []).append(rec["ref"])
    for cid, rec in now.items():
        if cid not in before and cid not in explicit.values():
            fresh.setdefault(rec["identity"], []).append(rec["ref"])
    out = {before[old]["ref"]: now[new]["ref"] for old, new in explicit.items()}
    out |= {old[0]: fresh[key][0] for key, old in gone.items()
            if len(old) == 1 and len(fresh.get(key, [])) == 1}
    return {old: new for old, new in out.items() if old != new}


def plan(previous: TerraformRecord | None, arch: Architecture,
         addresses: list[str]) -> list[Move]:
    """The moves this build writes in the platform module: the carried ones still needed and
    the ones this build's renames make, sorted."""
    if previous is None:
        return []
    old = [a for a in previous["addresses"].get(PLATFORM, []) if TF_ADDRESS.fullmatch(a)]
    declared = {c.id: str(c.props["renamed_from"]) for c in arch.components
                if c.props.get("renamed_from")}
    names = renames(previous["components"], records(arch), declared)
    fresh = _renamed(old, names, set(addresses))
    carried = [(s, t) for s, t in previous["moved"].get(PLATFORM, [])
               if TF_ADDRESS.fullmatch(s) and TF_ADDRESS.fullmatch(t)]
    return _kept(carried, fresh, set(addresses))


def _renamed(old: list[str], names: dict[str, str], declared_now: set[str]) -> list[Move]:
    out = []
    for address in old:
        kind, _, name = address.partition(".")
        to = f"{kind}.{_substitute(name, names)}"
        if to != address and address not in declared_now and to in declared_now \
                and to not in old:
            out.append((address, to))
    return out


def _substitute(name: str, names: dict[str, str]) -> str:
    """Each run of `_`-delimited parts that is an old name (the longest first), replaced by
    the new one: `ingest_ingress_jump_ssh` -> `intake_ingress_hop_ssh`."""
    parts, out, at = name.split("_"), [], 0
    longest = sorted(names, key=lambda n: (-n.count("_"), n))
    while at < len(parts):
        hit = next((n for n in longest if parts[at:at + n.count("_") + 1] == n.split("_")),
                   None)
        out.append(names[hit] if hit else parts[at])
        at += hit.count("_") + 1 if hit else 1
    return "_".join(out)


def _kept(carried: list[Move], fresh: list[Move], declared_now: set[str]) -> list[Move]:
    """Carried moves then fresh ones, the newer winning a source or a destination; only those
    whose source is not declared and whose chain ends at a declared address."""
    by_from: dict[str, str] = {}
    for src, dst in [*carried, *fresh]:
        if src == dst or src in declared_now:
            continue
        for other in [s for s, t in by_from.items() if t == dst]:
            del by_from[other]
        by_from[src] = dst
    return sorted((s, t) for s, t in by_from.items() if _ends_declared(s, by_from, declared_now))


def _ends_declared(src: str, by_from: dict[str, str], declared_now: set[str]) -> bool:
    seen, at = {src}, by_from[src]
    while at in by_from:
        if at in seen:
            return False  # a cycle: Terraform refuses it
        seen.add(at)
        at = by_from[at]
    return at in declared_now


def record(arch: Architecture, addresses: list[str], moved: list[Move]) -> TerraformRecord:
    return {"components": records(arch), "addresses": {PLATFORM: addresses},
            "moved": {PLATFORM: moved} if moved else {}}


def context_moves(moved: list[Move]) -> list[ct.Moved]:
    return [{"from": src, "to": dst} for src, dst in moved]
