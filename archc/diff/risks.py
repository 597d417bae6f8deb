"""RISK flags: the changes a reviewer must look at, one named rule each (read top to bottom).

A rule reads one change with both sides at hand and returns a message, or None. Rules look
at what will be applied (security-group rows, IAM grants, resolved per-environment values),
so a risk cannot hide behind an inferred default.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from archc.aws.compute import STATEFUL_KINDS
from archc.aws.derivation import PRODUCTION_ENVS
from archc.aws.names import port_text
from archc.aws.security_groups import Row
from archc.catalog import spec_of
from archc.catalog.spec import Risk as CatalogRisk
from archc.diff.change import Change, Risk
from archc.diff.compare import peer_text
from archc.diff.side import Side
from archc.kinds import Tier

INTERNET_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
PRIVATE_TIERS = frozenset({str(Tier.APP), str(Tier.DATA)})
SSH_PORT = 22
# IAM actions that change or delete data (or permissions), as opposed to reading it.
WRITE_ACTION = re.compile(r":(\*|Put|Delete|Create|Update|Write|Attach|Detach|Modify|Abort|"
                          r"Restore|Replicate|PassRole|Tag|Untag)")
PROTECTION_KEYS = ("deletion_protection", "termination_protection")
REMOVED = "removed"  # the aspect of a catalog risk that removing the component trips

RiskRule = Callable[[Change, Side, Side], str | None]


def _opened_rule(change: Change, head: Side) -> Row | None:
    """The security-group row a change opens or widens (ingress only), else None."""
    if change.subject != "sg_rule" or change.kind == "removed":
        return None
    row = head.rules.get(change.id)
    return row if row is not None and row.direction == "ingress" else None


def internet_ingress(change: Change, base: Side, head: Side) -> str | None:
    row = _opened_rule(change, head)
    if row is None:
        return None
    cidrs = {row.peer.get("cidr")} if row.peer.get("kind") == "cidr" else set()
    if row.peer.get("kind") == "admin_cidrs":
        cidrs = set(head.arch.policy.admin_cidrs)
    if not cidrs & INTERNET_CIDRS:
        return None
    return (f"{row.security_group} accepts {port_text(row.protocol, row.low, row.high)} "
            "from the whole internet (0.0.0.0/0)")


def admin_ingress(change: Change, base: Side, head: Side) -> str | None:
    row = _opened_rule(change, head)
    if row is None or row.peer.get("kind") != "admin_cidrs":
        return None
    before = set(base.arch.policy.admin_cidrs) if change.kind == "modified" else set()
    added = [c for c in head.arch.policy.admin_cidrs if c not in before]
    if not added:
        return None
    return (f"{row.security_group} accepts {port_text(row.protocol, row.low, row.high)} "
            f"from admin CIDRs {', '.join(added)}")


def ssh_opened(change: Change, base: Side, head: Side) -> str | None:
    row = _opened_rule(change, head)
    if row is None or change.kind != "added" or not row.low <= SSH_PORT <= row.high:
        return None
    return f"port 22 (SSH) opens on {row.security_group} from {peer_text(head, row)}"


def data_tier_flow(change: Change, base: Side, head: Side) -> str | None:
    """A new way into the data tier: a flow added, or redirected/re-ported, into it."""
    if change.subject != "flow" or change.kind == "removed":
        return None
    if change.kind == "modified" and change.key not in ("direction", "ports", "class"):
        return None
    flow = head.flow_by_id(change.id)
    target = head.components.get(flow.target) if flow else None
    if flow is None or target is None or head.arch.tier_of(target) is not Tier.DATA:
        return None
    ports = f" on {flow.port_text()}" if flow.port_text() else ""
    return f"new access into the data tier: {flow.initiator} -> {flow.target}{ports}"


def iam_widened(change: Change, base: Side, head: Side) -> str | None:
    if change.subject != "iam_policy" or change.kind != "added" or not change.new:
        return None
    if not WRITE_ACTION.search(change.new):
        return None
    return _may_now(head, change, (change.new,))


def _may_now(head: Side, change: Change, actions: tuple[str, ...]) -> str:
    role = next((g[0] for g, pid in head.grants.items()
                 if pid == change.id and g[1:] == (change.key, change.new)), "")
    return f"{role} may now {', '.join(actions)} on {change.key}"


def left_private_subnet(change: Change, base: Side, head: Side) -> str | None:
    if change.subject != "component" or change.aspect != "placement" or change.key != "tier":
        return None
    if change.old not in PRIVATE_TIERS or change.new in PRIVATE_TIERS:
        return None
    return f"{change.id} leaves a private subnet ({change.old} -> {change.new})"


def multi_az_off(change: Change, base: Side, head: Side) -> str | None:
    # Unset multi_az means on in production (emit/terraform/data.py), so unset -> false counts.
    if change.aspect != "props" or change.key != "multi_az" or change.new != "false":
        return None
    if change.env not in PRODUCTION_ENVS or change.old == "false":
        return None
    return f"{change.env}: {change.id} is no longer multi-AZ (one AZ failure takes it down)"


def protection_off(change: Change, base: Side, head: Side) -> str | None:
    if change.kind == "modified" and change.key.endswith(PROTECTION_KEYS) \
            and change.new == "false" and change.old != "false":
        where = f"{change.env}: " if change.env else ""
        return f"{where}{change.id} {change.key} turned off"
    if change.aspect == "kind" and change.old in STATEFUL_KINDS \
            and change.new not in STATEFUL_KINDS:
        return f"{change.id} loses termination protection ({change.old} -> {change.new})"
    return None


def _kind_risks(side: Side, ident: str, aspect: str) -> tuple[CatalogRisk, ...]:
    """The risks the catalog entry of a component's kind lists for one aspect of it."""
    comp = side.components.get(ident)
    if comp is None:
        return ()
    return tuple(r for r in spec_of(comp.kind).risks if r.aspect == aspect)


def stateful_removed(change: Change, base: Side, head: Side) -> str | None:
    """Removing a component whose kind lists a `removed` risk (`KindSpec.risks`)."""
    if change.subject != "component" or change.kind != "removed":
        return None
    comp = base.components.get(change.id)
    texts = [r.text for r in _kind_risks(base, change.id, REMOVED)]
    if comp is None or not texts:
        return None
    return f"{change.id} ({comp.kind}) is removed: {'; '.join(texts)}"


def _property_risk(severity: str) -> RiskRule:
    """A changed overlay property that the kind's catalog entry lists as a risk of this
    severity (`KindSpec.risks`, e.g. a queue's `fifo`: changing it replaces the queue)."""

    def rule(change: Change, base: Side, head: Side) -> str | None:
        if change.subject != "component" or change.aspect != "props" \
                or change.kind != "modified":
            return None
        texts = [r.text for r in _kind_risks(head, change.id, change.key)
                 if r.severity == severity]
        if not texts:
            return None
        where = f"{change.env}: " if change.env else ""
        return (f"{where}{change.id} {change.key} {change.old or 'unset'} -> "
                f"{change.new or 'unset'}: {'; '.join(texts)}")

    rule.__name__ = rule.__qualname__ = f"property_{severity}"
    return rule


def stateful_renamed(change: Change, base: Side, head: Side) -> str | None:
    """A rename moves the Terraform objects, but a physical name that follows the id (an RDS
    identifier) cannot change in place: the plan may still replace it."""
    if change.subject != "component" or change.aspect != "renamed":
        return None
    comp = head.components.get(change.id)
    if comp is None or not spec_of(comp.kind).holds_data:
        return None
    return (f"{change.old} ({comp.kind}) is renamed {change.id}: the build moves its Terraform "
            "objects, but a name AWS cannot change in place follows the id; read the plan "
            "before applying, its data goes with a replacement")


# The kinds whose first component in the diagram keeps the single-instance Terraform names
# (archc/emit/terraform/edge.py, eks.py) and the module that carries them.
EDGE_FIRSTS = {"cdn": ("CDN", "module.cdn", "distributions"),
               "dns_zone": ("DNS zone", "module.dns", "zones and records"),
               "eks_control_plane": ("EKS control plane", "module.eks",
                                     "clusters and node groups")}


def _first(side: Side, kind: str) -> str | None:
    return next((c.id for c in side.arch.components if c.kind == kind), None)


def edge_first_changed(change: Change, base: Side, head: Side) -> str | None:
    """The first CDN, DNS zone or EKS control plane of the diagram is `module.cdn` /
    `module.dns` / `module.eks`, the others are named after their ids: adding one above it,
    or removing it, hands those names to another component, and Terraform replaces both
    instead of moving anything."""
    if change.subject != "component" or change.kind not in ("added", "removed"):
        return None
    comp = (head if change.kind == "added" else base).components.get(change.id)
    if comp is None or str(comp.kind) not in EDGE_FIRSTS:
        return None
    old, new = _first(base, str(comp.kind)), _first(head, str(comp.kind))
    if old is None or new is None or old == new or change.id not in (old, new):
        return None
    what, module, objects = EDGE_FIRSTS[str(comp.kind)]
    keep = (f"; draw {new} after {old} to keep the names" if change.kind == "added" else "")
    return (f"{module} passes from {old} to {new} (the first {what} of the diagram): Terraform "
            f"replaces their {objects} instead of moving them{keep}")


# Biggest first: a report lists its risks in this order. Anyone on the internet beats a
# named admin range; losing data beats losing availability.
RISKS: dict[str, RiskRule] = {
    "internet-ingress": internet_ingress,
    "stateful-removed": stateful_removed,
    "stateful-renamed": stateful_renamed,
    "edge-first-changed": edge_first_changed,
    "property-high": _property_risk("high"),
    "iam-widened": iam_widened,
    "admin-ingress": admin_ingress,
    "ssh": ssh_opened,
    "data-tier": data_tier_flow,
    "left-private-subnet": left_private_subnet,
    "protection-off": protection_off,
    "multi-az-off": multi_az_off,
    "property-medium": _property_risk("medium"),
}


def assess(changes: tuple[Change, ...], base: Side, head: Side) -> tuple[Risk, ...]:
    """Every risk, in change order then rule order."""
    return tuple(Risk(code, message, change) for change in changes
                 for code, rule in RISKS.items()
                 if (message := rule(change, base, head)) is not None)


def merge(flags: tuple[Risk, ...], head: Side) -> tuple[Risk, ...]:
    """One risk per exposure, biggest first. The rules one change trips describe one exposure
    (a new SSH rule from the admin range is both `admin-ingress` and `ssh`), and so do the
    write actions one policy gains on one resource: each is told once, by the biggest rule's
    message, with every rule's code."""
    groups: dict[object, list[Risk]] = {}
    for flag in flags:
        groups.setdefault(_exposure(flag.change), []).append(flag)
    rank = {code: n for n, code in enumerate(RISKS)}
    merged = []
    for group in groups.values():
        ordered = sorted(group, key=lambda r: rank[r.code])
        first = ordered[0]
        changes = tuple(dict.fromkeys(r.change for r in ordered if r.code == first.code))
        message = first.message
        if first.code == "iam-widened" and len(changes) > 1:
            message = _may_now(head, first.change, tuple(c.new or "" for c in changes))
        codes = tuple(dict.fromkeys(r.code for r in ordered[1:] if r.code != first.code))
        merged.append(Risk(first.code, message, first.change, codes, changes[1:]))
    return tuple(sorted(merged, key=lambda r: rank[r.code]))


def _exposure(change: Change) -> object:
    """What a change exposes: an IAM grant is its policy on one resource, else the change."""
    if change.subject == "iam_policy":
        return ("iam_policy", change.id, change.key)
    return id(change)
