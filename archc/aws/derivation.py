"""The IR as the AWS emitters and `diff` read it: components by kind, the derived ids, and
the diagnostics sink the derivations report into; the environment classes and checkov skips
every derivation shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar

from archc import diagnostics as d
from archc.aws.names import component_ids, subnet_tier_ids, title_case
from archc.catalog.spec import Scope
from archc.kinds import KINDS, Kind, Role, needs_vpc
from archc.model import Architecture, Component, Environment, Flow, FlowClass, Zone, one_line
from archc.source import Span

_T = TypeVar("_T")

# Production-like environments, by name: they get the stricter defaults listed where used.
PRODUCTION_ENVS = frozenset({"prod", "production", "prd"})

# Environments whose stateful resources are deletion-protected (production plus staging).
PROTECTED_ENVS = PRODUCTION_ENVS | frozenset({"staging", "stage", "preprod"})


def zone_mode(env: Environment) -> str:
    """Where an environment's DNS records live: `apex`, the domain's existing public zone
    (production by default), or `subzone`, `<env>.<domain>` created and delegated from it."""
    return env.dns_zone or ("apex" if env.name in PRODUCTION_ENVS else "subzone")


def apex_zone_collisions(arch: Architecture) -> list[d.Diagnostic]:
    """ARC535: two environments writing the same records into the domain's zone collide (the
    second apply fails). Build finds it while deriving the DNS inputs, `check` asks here."""
    if not arch.domain or not any(c.kind == Kind.DNS_ZONE for c in arch.components):
        return []
    apex = [env for env in arch.environments if zone_mode(env) == "apex"]
    return [d.error("ARC535", f"environments {apex[0].name} and {env.name} both put their DNS "
                              f"records in the zone of {arch.domain}, so their records collide",
                    env.span, hint=f"set dns_zone: subzone on environment {env.name} (it then "
                                   f"serves {env.name}.{arch.domain})")
            for env in apex[1:]]


@dataclass
class Derivation:
    """The IR plus the derived names every context module shares, and the diagnostics sink."""

    arch: Architecture
    ids: dict[str, str] = field(init=False)
    tiers: dict[str, str] = field(init=False)
    diags: list[d.Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = component_ids(self.arch)
        self.tiers = subnet_tier_ids(self.arch)
        # kind -> components in diagram order; `of` is asked once per component and flow
        self._by_kind: dict[str, list[Component]] = {}
        for comp in self.arch.components:
            self._by_kind.setdefault(comp.kind, []).append(comp)
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, make: Callable[[], _T]) -> _T:
        """What `make` derives from the IR, made once per derivation (the IR is immutable):
        indexes that context modules would otherwise rebuild per component."""
        if key not in self._memo:
            self._memo[key] = make()
        found: _T = self._memo[key]
        return found

    # -- components ----------------------------------------------------------------------
    def comp(self, component_id: str) -> Component:
        comp = self.arch.component(component_id)
        assert comp is not None, component_id
        return comp

    def of(self, *kinds: str) -> tuple[Component, ...]:
        if len(kinds) == 1:
            return tuple(self._by_kind.get(kinds[0], ()))
        return tuple(c for c in self.arch.components if c.kind in kinds)

    # -- EKS clusters and their administrators ---------------------------------------------
    def cluster_of(self, group: Component) -> Component | None:
        """The control plane a node group joins: the only one when the diagram draws one;
        else the first drawn to it (a flow control plane -> node group) or, failing that,
        the one inside the same EKS-cluster subgraph. None: it joins no cluster (ARC530)."""
        controls = self.of(Kind.EKS_CONTROL_PLANE)
        if len(controls) <= 1:
            return controls[0] if controls else None
        ids = {c.id for c in controls}
        drawn = [f.initiator for f in self.arch.flows
                 if f.target == group.id and f.initiator in ids]
        if drawn:
            return self.comp(drawn[0])
        zone = self.arch.enclosing(group, Role.EKS_CLUSTER)
        if zone is None:
            return None
        return next((c for c in controls
                     if self.arch.enclosing(c, Role.EKS_CLUSTER) == zone), None)

    def node_groups(self, control: Component) -> tuple[Component, ...]:
        """The node groups that join a control plane, in diagram order."""
        return tuple(g for g in self.of(Kind.EKS_NODE_GROUP) if self.cluster_of(g) == control)

    def cluster_module(self, control: Component) -> str:
        """The Terraform module of a cluster: eks for the first, eks_<id> for the others."""
        first = self.of(Kind.EKS_CONTROL_PLANE)[0]
        return "eks" if control == first else f"eks_{self.ids[control.id]}"

    def cluster_admins(self, control: Component) -> tuple[Component, ...]:
        """The bastions that administer a cluster (kubectl to its private endpoint): those
        drawing a flow to its control plane or to one of its node groups; when none does,
        the first bastion (the admin path every private cluster needs)."""
        bastions = self.of(Kind.BASTION)
        ends = {control.id} | {g.id for g in self.node_groups(control)}
        drawn = tuple(b for b in bastions
                      if any(f.initiator == b.id and f.target in ends for f in self.arch.flows))
        return drawn or bastions[:1]

    def tier_of(self, comp: Component) -> str | None:
        zone = self.arch.subnet_of(comp)
        return self.tiers.get(zone.id) if zone else None

    def subnet_zone(self, comp: Component) -> Zone | None:
        return self.arch.subnet_of(comp)

    def needs_vpc(self) -> bool:
        """A VPC when the diagram draws one or a subnet, or a component cannot live without
        one; a serverless architecture (API Gateway, Lambda outside a subnet) has none."""
        return needs_vpc((z.role for z in self.arch.zones),
                         (c.kind for c in self.arch.components if c.kind_is_known))

    def has_security_group(self, comp: Component) -> bool:
        """Its kind filters with a security group and it lives in the VPC: a kind that may run
        anywhere (Lambda) only when the diagram draws it in a subnet."""
        spec = KINDS[comp.kind]
        return spec.security_group and (spec.scope is not Scope.ANYWHERE
                                        or self.subnet_zone(comp) is not None)

    def title(self, comp: Component) -> str:
        return one_line(comp.label)

    # -- flows ---------------------------------------------------------------------------
    def flows(self, *classes: FlowClass) -> tuple[Flow, ...]:
        return tuple(f for f in self.arch.flows if f.flow_class in classes)

    def kind(self, component_id: str) -> str | None:
        comp = self.arch.component(component_id)
        return comp.kind if comp else None

    def flows_between(self, classes: tuple[FlowClass, ...], initiator_kinds: Iterable[str],
                      target_kinds: Iterable[str]) -> tuple[Flow, ...]:
        ik, tk = frozenset(initiator_kinds), frozenset(target_kinds)
        return tuple(f for f in self.flows(*classes)
                     if self.kind(f.initiator) in ik and self.kind(f.target) in tk)

    # -- policy --------------------------------------------------------------------------
    def bastion_access(self, comp: Component) -> str:
        return str(comp.props.get("access") or self.arch.policy.bastion_access)

    @property
    def project_title(self) -> str:
        return title_case(self.arch.project)

    @property
    def log_retention_days(self) -> int:
        # CloudWatch default retention archc uses when observability says nothing: 90 days,
        # long enough for an incident review, short enough not to hoard logs.
        return int(self.arch.observability.get("log_retention_days", 90))

    # -- diagnostics ---------------------------------------------------------------------
    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diags.append(d.error(code, message, span, hint))

    def warning(self, code: str, message: str, span: Span | None,
                hint: str | None = None) -> None:
        self.diags.append(d.warning(code, message, span, hint))

    def note(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diags.append(d.note(code, message, span, hint))


class CheckovSkip(TypedDict):
    """A checkov check skipped on one resource, with the reason a reviewer reads."""

    id: str
    reason: str


def skip(check_id: str, reason: str) -> CheckovSkip:
    return {"id": check_id, "reason": reason}
