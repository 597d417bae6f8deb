"""The architecture IR: one frozen, typed model that every rule and emitter reads.

Built by ``archc.spec.link`` from the Mermaid syntax model plus the overlay. Spans and
decisions are excluded from equality so that moving a line in the diagram does not make a
component "modified" in a diff.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from archc.kinds import PLACELESS_ROLES, Kind, Role, Tier
from archc.source import Span


class FlowClass(enum.StrEnum):
    NETWORK = "network"  # a connection inside the VPC: one security-group rule
    DEPLOY = "deploy"  # CI/CD reaching a target: a security-group rule plus deploy access
    INGRESS = "ingress"  # the internet entering at an entry point
    ADMIN = "admin"  # administrators on the admin path: the bastion's admin_cidrs, no internet rule
    EGRESS = "egress"  # a private component going out to the internet through NAT
    UPLINK = "uplink"  # gateway wiring (NAT -> internet gateway): route tables, no rule
    CONTROL = "control"  # EKS control plane to its nodes: managed by the EKS module
    REPLICATION = "replication"  # a database to its replica: managed by RDS, no rule
    IAM = "iam"  # a call to an AWS API (S3): an IAM policy on the caller's role
    DNS = "dns"  # name resolution and DNS records
    # an AWS service invokes the target (S3 event, SNS subscription, API route, schedule):
    # the target's trigger and resource policy, no network rule
    EVENT = "event"


def one_line(label: str) -> str:
    """A Mermaid label on one line, as people read it: `\\n` and `<br>` breaks become spaces."""
    return " ".join(label.replace("\\n", " ").replace("<br>", " ").split())


def ports_text(protocol: str, ports: tuple[tuple[int, int], ...]) -> str:
    """`tcp/443`, `tcp/8000-8100,9000`: a protocol and its inclusive port ranges."""
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in ports]
    return f"{protocol}/{','.join(parts)}" if parts else ""


@dataclass(frozen=True, slots=True)
class Decision:
    """Why an attribute has its value: for `archc explain` and assumption notes."""

    attribute: str
    value: str
    source: str  # "diagram" | "overlay" | "inferred" | "default"
    reason: str
    span: Span | None = field(default=None, compare=False)


def freeze(value: Any) -> Any:
    """Deep read-only copy of overlay data: dicts become mapping proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in sorted(value.items())})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain JSON-like data back from `freeze` (for templates and JSON output)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    title: str
    role: Role
    tier: Tier | None
    parent: str | None
    span: Span = field(compare=False)
    decisions: tuple[Decision, ...] = field(default=(), compare=False)
    # The subnet zone this one is a per-AZ copy of (archc.spec.spread): one tier, not two.
    spread_of: str | None = None


@dataclass(frozen=True, slots=True)
class Component:
    id: str
    label: str
    kind: str  # a catalog name (archc.catalog); the seed's are `Kind` members
    zone: str | None  # innermost subgraph that holds it
    props: Mapping[str, Any]  # overlay properties, before per-environment overrides
    span: Span = field(compare=False)
    decisions: tuple[Decision, ...] = field(default=(), compare=False)

    @property
    def title(self) -> str:
        """The label on one line, as people read it in the diagram."""
        return one_line(self.label)

    @property
    def kind_is_known(self) -> bool:
        """False when nothing told its kind (ARC202 or a line that did not parse): `kind` is
        then a placeholder that no decision about the whole architecture may rest on."""
        return not any(x.attribute == "kind" and x.value == "unknown" for x in self.decisions)


@dataclass(frozen=True, slots=True)
class Flow:
    id: str  # Mermaid's edge id
    src: str  # as written in the diagram
    dst: str
    label: str
    bidirectional: bool
    initiator: str  # the component that opens the connection
    target: str
    flow_class: FlowClass
    protocol: str  # "tcp" | "udp" | "" (no network meaning)
    ports: tuple[tuple[int, int], ...]  # inclusive ranges
    buckets: tuple[str, ...] = ()
    access: str = ""  # read | write | read_write, for IAM flows
    span: Span = field(default=Span("", 0, 0, 0, 0), compare=False)
    decisions: tuple[Decision, ...] = field(default=(), compare=False)

    @property
    def arrow(self) -> str:
        return "<->" if self.bidirectional else "->"

    @property
    def ref(self) -> str:
        """How people and the overlay name this edge: `EC2 <-> RDS`."""
        return f"{self.src} {self.arrow} {self.dst}"

    def port_text(self) -> str:
        return ports_text(self.protocol, self.ports)


@dataclass(frozen=True, slots=True)
class SubnetBlock:
    zone: str
    az_index: int
    cidr: str
    explicit: bool = False  # given by the overlay rather than allocated
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    vpc_cidr: str
    azs: int
    nat: str  # single | per_az | none
    spot_non_critical: bool
    subnets: tuple[SubnetBlock, ...]
    components: Mapping[str, Mapping[str, Any]]  # resolved properties per component id
    tags: Mapping[str, str]
    span: Span = field(compare=False)
    vpc_cidr_span: Span | None = field(default=None, compare=False)
    dns_zone: str | None = None  # apex | subzone; None: apex in production, else subzone
    # Lookups derived from the fields above, made on first use: this instance's own, so they
    # live and die with it (`dataclasses.replace` starts a new one empty).
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                     compare=False)

    def props(self, component_id: str) -> Mapping[str, Any]:
        return self.components.get(component_id, MappingProxyType({}))

    def subnets_of(self, zone_id: str) -> tuple[SubnetBlock, ...]:
        by_zone: dict[str, tuple[SubnetBlock, ...]] = _memo(self._derived, "by_zone",
                                                            lambda: _by_zone(self.subnets))
        return by_zone.get(zone_id, ())


@dataclass(frozen=True, slots=True)
class Policy:
    tier_flows: frozenset[tuple[Tier, Tier]]
    internet_entry: tuple[str, ...]
    admin_cidrs: tuple[str, ...]
    bastion_access: str  # ssh | ssm
    span: Span | None = field(default=None, compare=False)
    # interface endpoints for the AWS APIs the VPC's components call (else through the NAT)
    vpc_endpoints: bool = True


@dataclass(frozen=True, slots=True)
class Architecture:
    project: str
    cloud: str
    region: str
    domain: str
    tags: Mapping[str, str]
    zones: tuple[Zone, ...]  # diagram order
    components: tuple[Component, ...]  # diagram order
    flows: tuple[Flow, ...]  # diagram order
    environments: tuple[Environment, ...]
    policy: Policy
    state: Mapping[str, Any]
    secrets: Mapping[str, Any]
    observability: Mapping[str, Any]
    inputs: tuple[str, ...]  # spec files, relative to the spec directory
    # What linking could not tell (reported as errors): rules that need a component's kind
    # leave these components out, and a zone whose role is unknown is only a group.
    unknown_kinds: frozenset[str] = field(default=frozenset(), compare=False)
    unknown_roles: frozenset[str] = field(default=frozenset(), compare=False)
    direction: str = "TB"  # the flowchart's: TB | BT | LR | RL, kept by generated diagrams
    # Lookups derived from the fields above, made on first use: this instance's own, so they
    # live and die with it (`dataclasses.replace` starts a new one empty).
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                     compare=False)

    def component(self, component_id: str) -> Component | None:
        found: Component | None = _memo(self._derived, "components",
                                        lambda: _index(self.components)).get(component_id)
        return found

    def zone(self, zone_id: str) -> Zone | None:
        found: Zone | None = _memo(self._derived, "zones",
                                   lambda: _index(self.zones)).get(zone_id)
        return found

    def environment(self, name: str) -> Environment | None:
        return next((e for e in self.environments if e.name == name), None)

    def ancestors(self, zone_id: str | None) -> tuple[Zone, ...]:
        """The zone itself and every zone around it, innermost first."""
        if zone_id is None:
            return ()
        chains: dict[str, tuple[Zone, ...]] = _memo(self._derived, "chains",
                                                    lambda: _chains(self.zones))
        return chains.get(zone_id, ())

    def roles_around(self, zone_id: str | None) -> tuple[Zone, ...]:
        """`ancestors` without the zones that place nothing (logical groups, availability
        zones) or whose role is unknown: what decides where something sits."""
        chain = tuple(z for z in self.ancestors(zone_id) if z.role not in PLACELESS_ROLES)
        if self.unknown_roles:
            chain = tuple(z for z in chain if z.id not in self.unknown_roles)
        return chain

    def enclosing(self, component: Component, role: Role) -> Zone | None:
        return next((z for z in self.roles_around(component.zone) if z.role is role), None)

    def subnet_of(self, component: Component) -> Zone | None:
        """The subnet zone a component sits in; for a per-AZ copy, the tier's zone."""
        subnet = self.enclosing(component, Role.SUBNET)
        if subnet is not None and subnet.spread_of is not None:
            return self.zone(subnet.spread_of) or subnet
        return subnet

    def tier_of(self, component: Component) -> Tier | None:
        subnet = self.subnet_of(component)
        return subnet.tier if subnet else None

    def in_vpc(self, component: Component) -> bool:
        return self.enclosing(component, Role.VPC) is not None

    def components_of(self, kind: Kind) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.kind == kind)


def _memo(derived: dict[str, Any], key: str, make: Callable[[], Any]) -> Any:
    """`derived[key]`, made by `make` the first time (the IR is immutable)."""
    if key not in derived:
        derived[key] = make()
    return derived[key]


def _chains(zones: tuple[Zone, ...]) -> dict[str, tuple[Zone, ...]]:
    """zone id -> (zone, parent, grandparent, ...).

    Each chain is the zone plus its parent's chain, so every zone is walked to once; ids, not
    zones, are compared (dataclass equality compares every field, and a deep nesting made that
    cubic)."""
    by_id = {z.id: z for z in zones}
    chains: dict[str, tuple[Zone, ...]] = {}
    for zone in zones:
        path: list[Zone] = []
        on_path: set[str] = set()
        current: Zone | None = zone
        while current is not None and current.id not in chains and current.id not in on_path:
            path.append(current)  # a cycle stops here rather than looping forever
            on_path.add(current.id)
            current = by_id.get(current.parent) if current.parent else None
        chain = chains[current.id] if current is not None and current.id in chains else ()
        for link in reversed(path):
            chain = (link, *chain)
            chains[link.id] = chain
    return chains


def _by_zone(subnets: tuple[SubnetBlock, ...]) -> dict[str, tuple[SubnetBlock, ...]]:
    """zone id -> its blocks, in plan order (grouped once per environment: emitters ask for
    every zone of every environment, and a scan each was quadratic in subnets)."""
    grouped: dict[str, list[SubnetBlock]] = {}
    for block in subnets:
        grouped.setdefault(block.zone, []).append(block)
    return {zone: tuple(blocks) for zone, blocks in grouped.items()}


def _index(items: tuple[Any, ...]) -> dict[str, Any]:
    """id -> item for a tuple of the IR."""
    return {item.id: item for item in items}
