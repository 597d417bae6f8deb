"""Shared helpers of the Terraform emitter: ids, names, AWS text rules, lines, codes.

Everything here is a pure function of the IR, so every context module derives the same id
for the same component (a security group, its instance, its role and its rules agree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from archc import diagnostics as d
from archc.emit._names import unique_names
from archc.kinds import Kind, Role, Tier
from archc.model import Architecture, Component, Decision, Flow, FlowClass, Zone
from archc.source import Span

# Things the IR says that Terraform cannot (or that archc had to assume while writing it).
TERRAFORM_CODES: dict[str, str] = {
    "ARC510": "a flow that needs a security-group rule has no port or protocol",
    "ARC511": "an environment's subnet plan lacks a block for some subnet zone and AZ",
    "ARC512": "a load balancer has no backend_service target: its listener answers 404",
    "ARC513": "a DNS name is not a subdomain of the project domain, so no record is written",
    "ARC514": "no DNS zone: certificates and the CDN origin host name are operator inputs",
    "ARC515": "an environment sets nat: none but the diagram routes traffic through NAT",
    "ARC516": "an environment has fewer than two availability zones (ALB, RDS, EKS need two)",
    "ARC517": "a second EKS control plane, CDN, DNS zone or bastion: only the first is emitted",
    "ARC518": "bastion access is ssm: a port-22 flow is not opened",
    "ARC519": "an EKS node group calls AWS without a workload: its IRSA service account is "
              "assumed",
    "ARC520": "a secret has no reader: no IAM policy grants it",
    "ARC521": "a generated AWS name is longer than AWS allows",
    "ARC522": "a flow has no security-group meaning (an end outside the VPC): no rule",
    "ARC523": "a CDN reaches no load balancer: it has no origin and is not emitted",
    "ARC524": "bastion access is ssh but policy.admin_cidrs is empty: nobody can reach it",
    "ARC525": "a bucket asks for versioning: false; archc always versions buckets",
    "ARC526": "a load balancer target is not a backend_service: no target group for it",
    "ARC527": "a CDN or load balancer has no aliases: its host name is assumed",
    "ARC528": "a node group mixes instance types that need different EKS AMI types",
    "ARC529": "a single-instance component asks for count > 1: one instance is emitted",
    "ARC530": "an EKS node group without an EKS control plane cannot be emitted",
}

# Production-like environments, by name: they get the stricter defaults listed where used.
PRODUCTION_ENVS = frozenset({"prod", "production", "prd"})
# Environments whose stateful resources are deletion-protected (production plus staging).
PROTECTED_ENVS = PRODUCTION_ENVS | frozenset({"staging", "stage", "preprod"})

# Characters AWS accepts in security group (rule) descriptions, at most 255 of them.
_SG_TEXT_BAD = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")
# AWS WAF descriptions: letters, digits, spaces and _+=:#@/-,.
_WAF_TEXT_BAD = re.compile(r"[^a-zA-Z0-9 _+=:#@/\-,.]")
_ARROWS = re.compile(r"\s*<?-+>\s*|\s*<-+\s*")


def tf_id(text: str) -> str:
    """A Terraform name: ``^[a-z][a-z0-9_]*$`` (lower-cased, other runs become ``_``)."""
    ident = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return ident if ident[:1].isalpha() else f"n_{ident}".rstrip("_")


def kebab(text: str) -> str:
    """A name suffix: ``^[a-z0-9-]+$``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def pascal(*words: str) -> str:
    """Alphanumeric CamelCase (IAM statement ids)."""
    parts = [p for w in words for p in re.split(r"[^A-Za-z0-9]+", w) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def one_line(text: str) -> str:
    return " ".join(text.replace("\\n", " ").replace("<br>", " ").split())


def sg_text(text: str) -> str:
    """Security group texts: arrows become "to", other refused characters are dropped."""
    flat = _ARROWS.sub(" to ", one_line(text))
    flat = _SG_TEXT_BAD.sub("", flat)
    return " ".join(flat.split())[:255]


def waf_text(text: str) -> str:
    """WAF web ACL descriptions (no parentheses, quotes or arrows)."""
    flat = _WAF_TEXT_BAD.sub("", _ARROWS.sub(" to ", one_line(text)))
    return " ".join(flat.split())[:256]


def title_case(project: str) -> str:
    """``cluster-protocol`` -> ``Cluster Protocol``."""
    return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[-_ ]+", project) if w)


def short_project(project: str) -> str:
    """Prefix of resource names: initials of a multi-word slug (cluster-protocol -> cp), else
    the slug itself cut to 12 characters, so `<short>-<env>` fits var.name (2-21 chars)."""
    words = [w for w in project.split("-") if w]
    if len(words) > 1:
        return "".join(w[0] for w in words)
    return project[:12]


def line_ref(span: Span | None) -> str | None:
    """``architecture.mmd:69``: the file's base name and line, as people cite it."""
    if span is None or not span.file:
        return None
    return f"{PurePosixPath(span.file).name}:{span.line}"


def lines(*spans: Span | None) -> str:
    """``(architecture.mmd:51, archc.yaml:111)``, without duplicates, in the given order."""
    refs: list[str] = []
    for span in spans:
        ref = line_ref(span)
        if ref and ref not in refs:
            refs.append(ref)
    return f"({', '.join(refs)})" if refs else ""


def overlay_spans(decisions: Iterable[Decision], *attributes: str) -> list[Span | None]:
    """Spans of the overlay keys that decided these attributes (for justifications)."""
    return [x.span for x in decisions if x.attribute in attributes and x.source == "overlay"]


def port_name(protocol: str, low: int, high: int) -> str:
    """Id fragment of a port range: well-known names keep rule ids readable."""
    named = {22: "ssh", 80: "http", 443: "https", 10250: "kubelet"}
    text = named.get(low, str(low)) if low == high else f"{low}_{high}"
    return text if protocol == "tcp" else f"{protocol}_{text}"


def port_text(protocol: str, low: int, high: int) -> str:
    return f"{protocol}/{low}" if low == high else f"{protocol}/{low}-{high}"


def component_ids(arch: Architecture) -> dict[str, str]:
    """Component id -> Terraform id, unique. Node groups are named ``node_<name>``."""
    return unique_names(
        (comp.id, f"node_{tf_id(node_group_name(comp))}" if comp.kind is Kind.EKS_NODE_GROUP
         else tf_id(comp.id))
        for comp in arch.components)


def node_group_name(comp: Component) -> str:
    """The node group's name (``name`` prop, else the diagram id in kebab case)."""
    return str(comp.props.get("name") or kebab(comp.id))


def subnet_tier_ids(arch: Architecture) -> dict[str, str]:
    """Subnet zone id -> tier id: the tier name, ``_2``, ``_3``... for further zones of a
    tier in diagram order (Private Subnet 1 -> app, Private Subnet 2 -> app_2)."""
    ids: dict[str, str] = {}
    seen: dict[str, int] = {}
    for zone in arch.zones:
        if zone.role is not Role.SUBNET:
            continue
        tier = str(zone.tier or Tier.APP)
        seen[tier] = seen.get(tier, 0) + 1
        ids[zone.id] = tier if seen[tier] == 1 else f"{tier}_{seen[tier]}"
    return ids


@dataclass
class View:
    """The IR plus the derived names every context module shares, and the diagnostics sink."""

    arch: Architecture
    ids: dict[str, str] = field(init=False)
    tiers: dict[str, str] = field(init=False)
    diags: list[d.Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = component_ids(self.arch)
        self.tiers = subnet_tier_ids(self.arch)
        # kind -> components in diagram order; `of` is asked once per component and flow
        self._by_kind: dict[Kind, list[Component]] = {}
        for comp in self.arch.components:
            self._by_kind.setdefault(comp.kind, []).append(comp)

    # -- components ----------------------------------------------------------------------
    def comp(self, component_id: str) -> Component:
        comp = self.arch.component(component_id)
        assert comp is not None, component_id
        return comp

    def of(self, *kinds: Kind) -> tuple[Component, ...]:
        if len(kinds) == 1:
            return tuple(self._by_kind.get(kinds[0], ()))
        return tuple(c for c in self.arch.components if c.kind in kinds)

    def first(self, kind: Kind, what: str) -> Component | None:
        """The one component of a kind the templates support once (ARC517 for the rest)."""
        found = self.of(kind)
        for extra in found[1:]:
            self.error("ARC517", f"{extra.id} is a second {what}; archc emits one "
                                 f"({found[0].id}) and ignores {extra.id}", extra.span,
                       hint=f"draw a single {what} per architecture")
        return found[0] if found else None

    def tier_of(self, comp: Component) -> str | None:
        zone = self.arch.subnet_of(comp)
        return self.tiers.get(zone.id) if zone else None

    def subnet_zone(self, comp: Component) -> Zone | None:
        return self.arch.subnet_of(comp)

    def title(self, comp: Component) -> str:
        return one_line(comp.label)

    # -- flows ---------------------------------------------------------------------------
    def flows(self, *classes: FlowClass) -> tuple[Flow, ...]:
        return tuple(f for f in self.arch.flows if f.flow_class in classes)

    def kind(self, component_id: str) -> Kind | None:
        comp = self.arch.component(component_id)
        return comp.kind if comp else None

    def flows_between(self, classes: tuple[FlowClass, ...], initiator_kinds: Iterable[Kind],
                      target_kinds: Iterable[Kind]) -> tuple[Flow, ...]:
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


def plain(value: Any) -> Any:
    """Thaw IR mappings/tuples into JSON-like data (the context is plain data)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def skip(check_id: str, reason: str) -> dict[str, str]:
    return {"id": check_id, "reason": reason}
