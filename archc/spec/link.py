"""Linking: the Mermaid syntax model plus the overlay become one `Architecture`.

Every value in the IR is either written in the diagram, given by the overlay, or inferred by
a rule from `archc.kinds` / `archc.spec.flows`; each records a `Decision` saying which.
Problems are collected as diagnostics; linking never stops at the first, and links what an
earlier stage left (the diagram's lines that parsed, the overlay's schema-valid entries):
findings that only restate such an earlier error become notes (`archc.spec.followups`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from archc import diagnostics as d
from archc.kinds import (
    CERTIFICATE,
    DATA_STORE_KIND,
    DATA_STORE_SHAPES,
    DATABASE_PORTS,
    DERIVED_FOR,
    GIT_CLONE_PORTS,
    IAM_TARGET_KINDS,
    INTERNET_KINDS,
    KINDS,
    NETWORK_IAM_KINDS,
    Kind,
    Role,
    Tier,
    described_node,
    infer_kind,
    infer_kind_from_icon,
    infer_role,
    kind_candidates,
    kind_for_description,
    with_article,
)
from archc.model import (
    Architecture,
    Component,
    Decision,
    Flow,
    FlowClass,
    Policy,
    Zone,
    freeze,
    one_line,
    thaw,
)
from archc.source import Span
from archc.spec import label_facts
from archc.spec.environments import build_environments
from archc.spec.flowchart import Flowchart, FlowEdge, FlowSubgraph
from archc.spec.flows import (
    LABEL_PORT_CLASSES,
    LabelPort,
    classify,
    data_flow_reading,
    default_port,
    infer_access,
    infer_buckets,
    infer_verb,
    initiator_by_rank,
    label_port,
    parse_ports,
    replicates,
)
from archc.spec.followups import Causes, follow_up
from archc.spec.overlay import format_path
from archc.spec.overlay_view import OverlayView
from archc.spec.spread import spread
from archc.spec.zones import (
    drawn_fact,
    members,
    stranded_in_vpc,
    suggested_tier,
    title_facts,
    vpc_draws_no_subnet,
    zone_end,
)

_EDGE_REF = re.compile(r"^\s*(\S+)\s*(<->|->|<-)\s*(\S+)\s*$")
DEFAULT_TIER_FLOWS = frozenset({(Tier.PUBLIC, Tier.APP), (Tier.APP, Tier.APP),
                                (Tier.APP, Tier.DATA)})

# The directions a diagram can keep (Mermaid's and Graphviz's rankdir); FlowDB makes TD TB.
_DIRECTIONS = ("TB", "BT", "LR", "RL")
# The widest admin network allowed without `policy.allow_world_admin`: a /8 is already 16M
# addresses (a whole carrier); anything wider is "the internet" for an SSH port.
WIDEST_ADMIN_PREFIX = 8
# RFC 5737: address blocks reserved for documentation; no administrator connects from them.
DOCUMENTATION_NETS = {"192.0.2.0/24": "TEST-NET-1", "198.51.100.0/24": "TEST-NET-2",
                      "203.0.113.0/24": "TEST-NET-3"}


class Linker:
    """One linking run; holds the diagnostics it collects."""

    def __init__(self, chart: Flowchart, overlay: OverlayView, inputs: tuple[str, ...],
                 causes: Causes | None = None):
        self.chart = chart
        self.ov = overlay
        self.inputs = inputs
        self.causes = causes or Causes()
        self.diags: list[d.Diagnostic] = []
        self.nodes = {n.id: n for n in chart.nodes}
        # node id -> the error that says its kind is unknown: reported once, and what
        # follows from it (no initiator, no port) is only a note.
        self.unknown_kinds: dict[str, d.Diagnostic] = {}
        self.unknown_roles: set[str] = set()
        # groups read as subnets (their VPC draws none) -> the tier of what they hold
        self._drawn_tiers: dict[str, Tier] = {}
        self.subgraphs = {s.id: s for s in chart.subgraphs}
        self._refs: dict[str, str] = {}
        self._comps: dict[str, Component] = {}
        self._ends: dict[str, set[str]] | None = None  # see `_neighbours`

    def link(self) -> Architecture:
        zones = self._zones()
        components = self._components({z.id: z for z in zones})
        drawn = spread(zones, components)
        zones = drawn.zones
        zone_by_id = {z.id: z for z in zones}
        comp_by_id = {c.id: c for c in components}
        flows = self._flows(comp_by_id, zone_by_id)
        environments, env_diags = build_environments(self.ov, zones, components,
                                                     drawn_fact(zones, "cidr", (Role.VPC,)),
                                                     drawn)
        self.diags += env_diags
        # What was inferred from a placeholder kind is no assumption worth a note.
        unknown = set(self.unknown_kinds)
        self.diags += _assumption_notes(zones, components, tuple(
            f for f in flows if not {f.initiator, f.target} & unknown))
        data = self.ov.data
        return Architecture(
            project=str(data.get("project", _slug(self.chart.file))),
            cloud=str(data.get("cloud", "aws")),
            region=self._region(zones),
            domain=str(data.get("domain", "")),
            tags=freeze(data.get("tags", {})),
            zones=zones, components=components, flows=flows,
            environments=environments, policy=self._policy(),
            state=freeze(self._state(data.get("state", {"backend": "s3", "locking": "lockfile"}))),
            secrets=freeze(data.get("secrets", {"provider": "secrets_manager"})),
            observability=freeze(data.get("observability", {"log_retention_days": 90})),
            inputs=self.inputs,
            direction=self.chart.direction if self.chart.direction in _DIRECTIONS else "TB",
            unknown_kinds=frozenset(self.unknown_kinds),
            unknown_roles=frozenset(self.unknown_roles),
        )

    def _region(self, zones: tuple[Zone, ...]) -> str:
        """The overlay's region, else the one a cloud zone's title writes, else us-east-1;
        ARC209 when the two differ (the overlay wins)."""
        drawn = drawn_fact(zones, "region", (Role.CLOUD,))
        if "region" not in self.ov.data:
            return drawn[0] if drawn else "us-east-1"
        region = str(self.ov.data["region"])
        if drawn is not None and drawn[0] != region:
            self._contradiction(("region",), region, f"a title writes {drawn[0]}", drawn[1])
        return region

    # -- zones -------------------------------------------------------------------------

    def _zones(self) -> tuple[Zone, ...]:
        refs = self._zone_refs()
        self._refs = refs
        ordered = sorted(self.chart.subgraphs, key=lambda s: s.span.sort_key())
        return tuple(self._zone(sg, refs.get(sg.id)) for sg in ordered)

    def _zone_refs(self) -> dict[str, str]:
        """subgraph id -> overlay key under `zones` (the key may be an id or a title)."""
        by_id = {sg.id: sg for sg in self.chart.subgraphs}
        by_title: dict[str, list[FlowSubgraph]] = {}
        for sg in self.chart.subgraphs:
            by_title.setdefault(sg.title, []).append(sg)
        refs: dict[str, str] = {}
        for key in self.ov.mapping("zones"):
            matches = [by_id[key]] if key in by_id else by_title.get(key, [])
            if len(matches) == 1:
                refs[matches[0].id] = key
            else:
                self._unknown_ref("zones", key, "subgraph", sorted(by_title), len(matches))
        return refs

    def _zone(self, sg: FlowSubgraph, key: str | None) -> Zone:
        spec = self.ov.mapping("zones", key) if key else {}
        decisions: list[Decision] = []
        role, tier = self._zone_role(sg, key, spec, decisions)
        decisions += title_facts(sg, role, self.ov.data.get("region"))
        return Zone(id=sg.id, title=sg.title, role=role, tier=tier, parent=sg.parent,
                    span=sg.span, decisions=tuple(decisions))

    def _zone_role(self, sg: FlowSubgraph, key: str | None, spec: Mapping[str, Any],
                   decisions: list[Decision]) -> tuple[Role, Tier | None]:
        inferred = infer_role(sg.id, sg.title)
        if "role" in spec:
            role = Role(spec["role"])
            decisions.append(self._from_overlay("role", role, ("zones", key, "role")))
        elif inferred:
            role = inferred[0]
            spread = (": an availability zone places nothing, every subnet spans the "
                      "environment's AZs (environments.<env>.azs)"
                      if role is Role.AVAILABILITY_ZONE else "")
            decisions.append(Decision("role", role, "inferred",
                                      f"title {sg.title!r} says {inferred[2]!r}{spread}",
                                      sg.span))
        else:
            role = self._group_or_unknown(sg, decisions)
        tier = None
        if role is Role.SUBNET:
            tier = self._subnet_tier(sg, key, spec, inferred, decisions)
        return role, tier

    def _group_or_unknown(self, sg: FlowSubgraph, decisions: list[Decision]) -> Role:
        """A subgraph whose title names no network zone: a logical group, unless it may be
        the subnet of what it holds (ARC203, see `archc.spec.zones`)."""
        stranded = stranded_in_vpc(sg, self.subgraphs, self._declared_role, self._label_kind)
        if not stranded:
            decisions.append(Decision(
                "role", Role.GROUP, "inferred", f"title {sg.title!r} names no network zone "
                "(VPC, subnet, EKS cluster, availability zone, region, account): a logical "
                "group, which places nothing", sg.span))
            return Role.GROUP
        tier = suggested_tier([self._label_kind(n) for n in stranded])
        if vpc_draws_no_subnet(sg, self.subgraphs, self._declared_role):
            self._drawn_tiers[sg.id] = tier
            decisions.append(Decision(
                "role", Role.SUBNET, "inferred", f"the VPC around {sg.title!r} draws no subnet, "
                f"so its groups are its subnets; this one holds {', '.join(stranded[:5])}",
                sg.span))
            return Role.SUBNET
        self.unknown_roles.add(sg.id)
        decisions.append(Decision("role", "unknown", "default",
                                  "nothing tells it (ARC203): only a group", sg.span))
        self.diags.append(follow_up(d.error(
            "ARC203", f"cannot tell whether zone {sg.title!r} is a subnet or a logical group: "
                      f"it sits in the VPC and holds {', '.join(stranded[:5])}, which must sit "
                      "in a subnet", sg.span,
            hint=f"add `zones: {{{_yaml_key(sg.title)}: {{role: subnet, tier: {tier}}}}}` to "
                 "the overlay, or `{role: group}` if they sit in no subnet"),
            self.causes.of_entry("zones", (sg.id, sg.title), "role")
            or self.causes.of_line(sg.span)))
        return Role.CLOUD  # a placeholder: `Architecture.roles_around` skips the zone

    def _declared_role(self, zone_id: str) -> Role | None:
        """A zone's role as the overlay or its title says, before any zone is linked."""
        sg = self.subgraphs.get(zone_id)
        key = self._refs.get(zone_id)
        spec = self.ov.mapping("zones", key) if key else {}
        if "role" in spec:
            return Role(spec["role"])
        found = infer_role(zone_id, sg.title if sg else zone_id)
        return found[0] if found else None

    def _subnet_tier(self, sg: FlowSubgraph, key: str | None, spec: Mapping[str, Any],
                     inferred: tuple[Role, Tier | None, str] | None,
                     decisions: list[Decision]) -> Tier:
        if "tier" in spec:
            decisions.append(self._from_overlay("tier", spec["tier"], ("zones", key, "tier")))
            return Tier(spec["tier"])
        if inferred and inferred[1] is not None:
            decisions.append(Decision("tier", inferred[1], "inferred",
                                      f"title {sg.title!r} says {inferred[2]!r}", sg.span))
            return inferred[1]
        if sg.id in self._drawn_tiers:
            tier = self._drawn_tiers[sg.id]
            decisions.append(Decision("tier", tier, "inferred", "the tier of what it holds: "
                                      "data for a database, public for what faces the "
                                      "internet, else app", sg.span))
            return tier
        holds_data = any(self._label_kind(n) == Kind.DATABASE for n in self._subtree_nodes(sg))
        tier = Tier.DATA if holds_data else Tier.APP
        reason = ("it holds a database" if holds_data
                  else "a private subnet without a database is an app tier")
        decisions.append(Decision("tier", tier, "inferred", reason, sg.span))
        return tier

    def _subtree_nodes(self, sg: FlowSubgraph) -> list[str]:
        nodes = list(sg.nodes)
        for child in sg.subgraphs:
            sub = self.subgraphs.get(child)
            if sub is not None:
                nodes += self._subtree_nodes(sub)
        return nodes

    def _label_kind(self, node_id: str) -> str | None:
        if "kind" not in self.ov.mapping("components", node_id) and \
                self._described(node_id) is not None:
            return None
        return self._drawn_kind(node_id)

    def _drawn_kind(self, node_id: str) -> str | None:
        """The kind the overlay, the icon, the label or the shape gives a node (not asking
        whether it draws something archc derives: `_described` asks this)."""
        node = self.nodes.get(node_id)
        spec = self.ov.mapping("components", node_id)
        if "kind" in spec:
            return str(spec["kind"])
        icon = dict(node.data).get("icon", "") if node else ""
        by_icon = infer_kind_from_icon(icon) if icon else None
        if by_icon is not None:
            return by_icon
        found = infer_kind(node_id, node.label if node else node_id)
        if found is None and node is not None and node.shape in DATA_STORE_SHAPES:
            return DATA_STORE_KIND
        return found[0] if found else None

    # -- components --------------------------------------------------------------------

    def _components(self, zones: dict[str, Zone]) -> tuple[Component, ...]:
        node_ids = {n.id for n in self.chart.nodes}
        known = sorted(node_ids)
        for key in self.ov.mapping("components"):
            if key not in node_ids:
                self._unknown_ref("components", key, "node", known, 0)
        ordered = sorted(self.chart.nodes, key=lambda n: n.span.sort_key())
        for node in ordered:
            described = self._described(node.id)
            if described is not None:
                self.diags.append(d.note(
                    "ARC291", f"{node.id} ({one_line(node.label)!r}) draws {described[0]}, not a "
                              f"component to build: {described[1]}"
                              f"{self._issued(node.id, described[0])}; "
                              "its edges are left out",
                    node.span, hint=f"if it is a component, give it a kind: `components: "
                                    f"{{{node.id}: {{kind: ...}}}}` in the overlay"))
        return tuple(self._component(n.id, n.label, n.parent, n.span, zones) for n in ordered
                     if self._described(n.id) is None)

    def _issued(self, node_id: str, what_it_draws: str) -> str:
        """For a drawn certificate: the certificate archc issues for each load balancer or CDN
        it is drawn next to ("" for other described nodes, or none drawn next to it)."""
        if what_it_draws != CERTIFICATE:
            return ""
        what: dict[str, str] = {
            Kind.LOAD_BALANCER: "the listener certificate of load balancer {}",
            Kind.CDN: "the viewer certificate of CloudFront distribution {} (in us-east-1)"}
        ends = sorted({e.dst if e.src == node_id else e.src for e in self.chart.edges
                       if node_id in (e.src, e.dst)})
        issued = [what[kind].format(end) for end in ends
                  if (kind := self._label_kind(end)) in what]
        return f" ({'; '.join(issued)})" if issued else ""

    def _described(self, node_id: str) -> tuple[str, str, str] | None:
        """What a node draws when it is something archc derives (a security group, a route
        table, an IAM role, a subnet), unless the overlay gives it a kind."""
        node = self.nodes.get(node_id)
        if node is None or "kind" in self.ov.mapping("components", node_id):
            return None
        if _TITLE.search(node.label.lower()) and node_id not in self._neighbours():
            return ("the diagram's title", "a node no edge touches whose label names the "
                    "drawing", _TITLE.pattern)
        found = described_node(node_id, node.label)
        if found is not None and kind_for_description(node_id, node.label, found[2]) and \
                not self._next_to(node_id, DERIVED_FOR.get(found[0], frozenset())):
            return None  # a catalog kind builds it (drawn apart from what archc derives it for)
        return found

    def _next_to(self, node_id: str, kinds: frozenset[str]) -> bool:
        """Whether an edge joins the node to one of these kinds."""
        return any(self._drawn_kind(end) in kinds
                   for end in sorted(self._neighbours().get(node_id, ())))

    def _neighbours(self) -> dict[str, set[str]]:
        """node id -> the nodes an edge joins it to, indexed once."""
        if self._ends is None:
            self._ends = {}
            for e in self.chart.edges:
                self._ends.setdefault(e.src, set()).add(e.dst)
                self._ends.setdefault(e.dst, set()).add(e.src)
        return self._ends

    def _component(self, node_id: str, label: str, parent: str | None, span: Span,
                   zones: dict[str, Zone]) -> Component:
        spec = self.ov.mapping("components", node_id)
        decisions: list[Decision] = [Decision("zone", parent or "(top level)", "diagram",
                                              "the innermost subgraph that mentions it", span)]
        kind = self._component_kind(node_id, label, parent, spec, zones, decisions, span)
        props = {k: v for k, v in spec.items() if k != "kind"}
        kind = self._aurora_engine(node_id, kind, spec, props, decisions)
        for prop in sorted(props):
            decisions.append(self._from_overlay(prop, props[prop],
                                                ("components", node_id, prop)))
        if node_id not in self.unknown_kinds:
            self._label_facts(node_id, kind, label, props, decisions, span)
        return Component(id=node_id, label=label, kind=kind, zone=parent,
                         props=freeze(props), span=span, decisions=tuple(decisions))

    def _aurora_engine(self, node_id: str, kind: str, spec: Mapping[str, Any],
                       props: dict[str, Any], decisions: list[Decision]) -> str:
        """`engine: aurora-postgresql` (or `aurora-mysql`), as RDS names it, is an Aurora
        cluster of that engine: the kind follows unless the overlay names another one."""
        engine = props.get("engine")
        if engine not in AURORA_ENGINE_NAMES:
            return kind
        path = ("components", node_id, "engine")
        if "kind" in spec and kind != "aurora":
            self.diags.append(d.error(
                "ARC163", f"{engine!r} is an Aurora engine, and {node_id} is a {kind}",
                self.ov.value_span(path) or self.nodes[node_id].span,
                hint=f"set `kind: aurora` on {node_id}, or an RDS engine such as "
                     f"{AURORA_ENGINE_NAMES[engine]!r}"))
            props.pop("engine")
            return kind
        props["engine"] = AURORA_ENGINE_NAMES[engine]
        if kind != "aurora":  # the engine decides, not the label's guess
            decisions[:] = [x for x in decisions if x.attribute != "kind"]
            decisions.append(Decision("kind", "aurora", "overlay",
                                      f"engine {engine!r} is an Aurora cluster",
                                      self.ov.value_span(path)))
        return "aurora"

    def _component_kind(self, node_id: str, label: str, parent: str | None,
                        spec: Mapping[str, Any], zones: dict[str, Zone],
                        decisions: list[Decision], span: Span) -> str:
        if "kind" in spec:
            decisions.append(self._from_overlay("kind", spec["kind"],
                                                ("components", node_id, "kind")))
            return str(spec["kind"])
        zone = zones.get(parent) if parent else None
        by_zone = _kind_from_zone(zone, label)
        if by_zone and zone is not None:
            decisions.append(Decision("kind", by_zone, "inferred",
                                      f"it sits in {zone.title!r} ({zone.role})", span))
            return by_zone
        node = self.nodes[node_id]
        icon = dict(node.data).get("icon", "")
        by_icon = infer_kind_from_icon(icon) if icon else None
        if by_icon is not None:
            decisions.append(Decision("kind", by_icon, "inferred",
                                      f"its icon {one_line(icon)!r} draws {by_icon}", span))
            return by_icon
        found = infer_kind(node_id, label)
        if found:
            decisions.append(Decision("kind", found[0], "inferred",
                                      f"label {one_line(label)!r} says {found[1]!r}", span))
            self._ambiguity(node_id, label, found[0], span)
            return found[0]
        if node.shape in DATA_STORE_SHAPES:
            decisions.append(Decision(
                "kind", DATA_STORE_KIND, "inferred",
                f"it is drawn as a data store ({node.shape}) and its label names no other kind",
                span))
            return DATA_STORE_KIND
        if label == node_id and self.nodes[node_id].shape is None:
            unknown = self._undeclared(node_id, span)
        else:
            unknown = d.error(
                "ARC202", f"cannot tell what kind of component {node_id!r} "
                          f"({one_line(label)!r}) is", span,
                hint=f"add `components: {{{node_id}: {{kind: ...}}}}` to the overlay: "
                     + _closest_kinds(node_id, label))
        self.unknown_kinds[node_id] = unknown
        decisions.append(Decision("kind", "unknown", "default", f"nothing tells it ({unknown.code})"
                                  ": left out of the rules that need a kind", span))
        self.diags.append(follow_up(unknown, self.causes.of_entry("components", (node_id,), "kind")
                                    or self.causes.of_words(node_id) or self.causes.of_line(span)))
        return Kind.INSTANCE  # a placeholder: the rules that need a kind skip it

    def _label_facts(self, node_id: str, kind: str, label: str, props: dict[str, Any],
                     decisions: list[Decision], span: Span) -> None:
        """Engines, versions and sizes the label writes, where the overlay is silent; ARC209
        when it says otherwise (it wins), ARC219 for what archc cannot build."""
        facts, problems = label_facts.read(kind, label)
        for fact in facts:
            if fact.engine is not None and props.get("engine", fact.engine) != fact.engine:
                continue  # the version of an engine the overlay does not build
            unbuildable = label_facts.class_problem(str(props.get("engine", "postgres")), fact)
            if unbuildable is not None and fact.key not in props:
                problems.append(unbuildable)
                continue
            why = f"label {one_line(label)!r} writes {fact.text!r}" + (
                f" ({fact.value}: the {fact.written} archc builds)"
                if fact.key == "engine_version" and fact.value != fact.written else "") + (
                "; archc builds it on RDS" if fact.text.lower().startswith("aurora")
                and kind == Kind.DATABASE else "")
            if fact.key not in props:
                props[fact.key] = fact.value
                decisions.append(Decision(fact.key, _show(fact.value), "inferred", why, span))
            elif not fact.agrees(props[fact.key]):
                self._contradiction(("components", node_id, fact.key), props[fact.key],
                                    f"{node_id}'s label writes {fact.text!r}", span)
        for problem in problems:
            if problem.key in props:
                continue  # the overlay says what to build
            self.diags.append(d.warning(
                "ARC219", f"{node_id}'s label ({one_line(label)!r}) {problem.message}; archc "
                          f"uses its default", span,
                hint=f"say what to build with `components: {{{node_id}: {{{problem.key}: "
                     f"{problem.hint_value}}}}}` in the overlay, or fix the label"))

    def _ambiguity(self, node_id: str, label: str, chosen: str, span: Span) -> None:
        """A label that reads as kinds living in different places (a bucket or a database?)
        is a guess worth flagging; 'Jenkins Server' (CI server or instance) is not."""
        # a kind that fronts another is named with its words ("RDS Proxy"): no guess
        others = [k for k in kind_candidates(node_id, label)
                  if KINDS[k].scope is not KINDS[chosen].scope and not KINDS[chosen].fronts]
        if others:
            alternatives = ", ".join(str(k) for k in others)
            self.diags.append(d.warning(
                "ARC208", f"{node_id} ({one_line(label)!r}) could be {chosen} or "
                          f"{alternatives}; archc assumed {chosen}", span,
                hint=f"say which with `components: {{{node_id}: {{kind: ...}}}}` in the overlay"))

    def _undeclared(self, node_id: str, span: Span) -> d.Diagnostic:
        """A bare id only an edge mentions: usually a subgraph or node name that is misspelt."""

        if self._suggestion_names is None:
            zone_names = {*self.subgraphs, *(s.title for s in self.subgraphs.values())}
            self._suggestion_names = (zone_names, sorted({*zone_names, *self.nodes}))
        zone_names, names = self._suggestion_names
        # The best name other than the node itself (unless a zone is called that too).
        close = [n for n in self._closest(node_id, names, 2, 0.5)
                 if n != node_id or node_id in zone_names][:1]
        hint = (f"did you mean {close[0]!r}? " if close else "") + (
            "declare it as a node with a label (`id[\"Label\"]`) inside its subgraph, or "
            "point the edge at an existing component")
        return d.error("ARC207", f"{node_id!r} is only mentioned by an edge: no subgraph or "
                                 "declared node has that id", span, hint=hint)

    # -- flows -------------------------------------------------------------------------

    def _flows(self, comps: dict[str, Component], zones: dict[str, Zone]) -> tuple[Flow, ...]:
        edges = [e for e in self.chart.edges if e.stroke != "invisible"]
        self._comps = comps
        specs = self._flow_specs(edges)
        flows = []
        for edge in sorted(edges, key=lambda e: e.span.sort_key()):
            if self._described(edge.src) or self._described(edge.dst):
                continue  # to or from a security group, a route table...: said by ARC291
            sources = self._endpoints(edge, edge.src, comps, zones, as_target=False)
            targets = self._endpoints(edge, edge.dst, comps, zones, as_target=True)
            pairs = [(a, b) for a in sources[0] for b in targets[0] if a.id != b.id]
            for src, dst in pairs:
                ends = tuple(dec for dec in (sources[1], targets[1]) if dec is not None)
                flows.append(self._flow(edge, specs.get(edge.id, ({}, None)), src, dst, ends,
                                        expanded=len(pairs) > 1 or bool(ends)))
        return tuple(flows)

    def _flow_specs(self, edges: list[FlowEdge]) -> dict[str, tuple[Mapping[str, Any], str]]:
        """edge id -> (overlay flow properties, the overlay key that gave them)."""
        specs: dict[str, tuple[Mapping[str, Any], str]] = {}
        for key in self.ov.mapping("flows"):
            matched = [e for e in edges if _edge_matches(key, e)]
            if not matched:
                refs = sorted({_edge_ref(e) for e in edges})
                self._unknown_ref("flows", key, "edge", refs, 0)
            for edge in matched:
                specs[edge.id] = (self.ov.mapping("flows", key), key)
        return specs

    def _flow(self, edge: FlowEdge, spec_key: tuple[Mapping[str, Any], str | None],
              src: Component, dst: Component, ends: tuple[Decision, ...],
              expanded: bool) -> Flow:
        spec, key = spec_key
        bidirectional = edge.arrow.startswith("double_") or edge.arrow == "arrow_open"
        decisions: list[Decision] = list(ends)
        initiator, target = self._initiator(edge, key, spec, src, dst, bidirectional, decisions)
        flow_class = self._flow_class(edge, key, spec, initiator, target, decisions)
        protocol, ports = self._ports(edge, key, spec, flow_class, initiator, target, decisions)
        buckets, access = self._iam(edge, key, spec, flow_class, target, decisions)
        if flow_class is FlowClass.EVENT and initiator.kind == Kind.OBJECT_STORAGE:
            # an upload event comes from the buckets the label names (all when it names none)
            buckets, why = infer_buckets(edge.label, initiator.props.get("buckets")
                                         or {"default": {}})
            decisions.append(Decision("buckets", ", ".join(buckets), "inferred", why,
                                      edge.span))
        if (initiator.kind, target.kind) == (Kind.SCM_SERVER, Kind.CI_SERVER) and (
                flow_class is FlowClass.NETWORK):
            decisions.append(Decision(
                "reverse", f"{target.id} clones from {initiator.id} on "
                           + ", ".join(f"tcp/{p}" for p in GIT_CLONE_PORTS), "inferred",
                "a CI server that a git server notifies also clones from it (git over "
                "HTTPS; SSH stays the bastion's)", edge.span))
        # An edge drawn to or from a zone is one flow per pair of components it stands for.
        flow_id = f"{edge.id}:{src.id}:{dst.id}" if expanded else edge.id
        return Flow(id=flow_id, src=src.id, dst=dst.id, label=edge.label,
                    bidirectional=bidirectional, initiator=initiator.id, target=target.id,
                    flow_class=flow_class, protocol=protocol, ports=ports, buckets=buckets,
                    access=access, span=edge.span, decisions=tuple(decisions))

    def _endpoints(self, edge: FlowEdge, end: str, comps: dict[str, Component],
                   zones: dict[str, Zone], as_target: bool
                   ) -> tuple[list[Component], Decision | None]:
        """The components an edge's end stands for: the component itself; for a zone, its
        entry point (the control plane of an EKS cluster, the load balancers it holds) when
        the edge points at it, else every component in it (an EKS cluster's node groups)."""
        if end in comps:
            return [comps[end]], None
        zone = zones.get(end)
        inside = members(zone, comps, zones) if zone is not None else []
        if zone is None or not inside:
            what = f"zone {zone.title!r}, which holds no component" if zone else f"{end!r}"
            self.diags.append(d.error(
                "ARC204", f"edge {_edge_ref(edge)} points at {what}, not at a component",
                edge.span, hint="draw the edge to the component inside the zone that serves it"))
            return [], None
        chosen, why = zone_end(zone, inside, as_target)
        side = "ends" if as_target else "starts"
        names = ", ".join(c.id for c in chosen)
        return chosen, Decision("ends", names, "inferred",
                                f"edge {_edge_ref(edge)} {side} at zone {zone.title!r}: {why}",
                                edge.span)

    def _initiator(self, edge: FlowEdge, key: str | None, spec: Mapping[str, Any],
                   src: Component, dst: Component, bidirectional: bool,
                   decisions: list[Decision]) -> tuple[Component, Component]:
        if "initiator" in spec:
            named_end = str(spec["initiator"])
            decisions.append(self._from_overlay("initiator", named_end,
                                                ("flows", key, "initiator")))
            if named_end in (src.id, dst.id, edge.src, edge.dst):  # a zone end names its flows
                return (src, dst) if named_end in (src.id, edge.src) else (dst, src)
            self.diags.append(d.error(
                "ARC205", f"initiator {named_end!r} is not an end of edge {_edge_ref(edge)}",
                self.ov.value_span(("flows", key, "initiator")) or edge.span,
                hint=f"use {src.id!r} or {dst.id!r}"))
            return src, dst
        named = _EDGE_REF.match(key) if key else None
        if named is not None and named.group(2) != "<->":
            first = named.group(1 if named.group(2) == "->" else 3)
            decisions.append(Decision("initiator", first, "overlay",
                                      f"the overlay key {key!r} names the direction",
                                      self.ov.key_span(("flows", key))))
            return (src, dst) if first in (src.id, edge.src) else (dst, src)
        reading = data_flow_reading(src.kind, dst.kind) if not bidirectional else None
        if reading is not None:
            decisions.append(Decision("initiator", dst.id, "inferred", reading, edge.span))
            return dst, src
        if not bidirectional or (src.kind == dst.kind and replicates(src.kind)):
            why = (f"{with_article(KINDS[src.kind].title)} replicates to the replica drawn "
                   "second" if bidirectional
                   else "a directed edge starts at its initiator")
            decisions.append(Decision("initiator", src.id, "inferred" if bidirectional
                                      else "diagram", why, edge.span))
            return src, dst
        order = initiator_by_rank(src.kind, dst.kind)
        if order is None and not (_acts(src.kind) or _acts(dst.kind)):
            decisions.append(Decision(
                "initiator", src.id, "inferred", "neither end has a role or a security group "
                "(AWS services that integrate with each other): who opens it changes no rule",
                edge.span))
            return src, dst
        if order is None:
            self.diags.append(follow_up(d.error(
                "ARC301", f"cannot tell which end of {_edge_ref(edge)} opens the connection "
                          f"({src.kind} and {dst.kind})", edge.span,
                hint=f"add `flows: {{\"{_edge_ref(edge)}\": {{initiator: {src.id}}}}}` "
                     "to the overlay, or draw the edge with `-->`"),
                self._flow_cause(edge, "initiator", src, dst)))
            order = 0
        init, tgt = (src, dst) if order == 0 else (dst, src)
        decisions.append(Decision("initiator", init.id, "inferred",
                                  f"{with_article(init.kind)} starts connections to "
                                  f"{with_article(tgt.kind)}", edge.span))
        return init, tgt

    def _flow_class(self, edge: FlowEdge, key: str | None, spec: Mapping[str, Any],
                    init: Component, tgt: Component, decisions: list[Decision]) -> FlowClass:
        if "meaning" in spec:
            decisions.append(self._from_overlay("class", spec["meaning"],
                                                ("flows", key, "meaning")))
            return FlowClass(spec["meaning"])
        flow_class, rule = classify(init.kind, tgt.kind)
        decisions.append(Decision("class", flow_class, "inferred", rule, edge.span))
        return flow_class

    def _ports(self, edge: FlowEdge, key: str | None, spec: Mapping[str, Any],
               flow_class: FlowClass, init: Component, tgt: Component,
               decisions: list[Decision]) -> tuple[str, tuple[tuple[int, int], ...]]:
        protocol = str(spec.get("protocol", "tcp"))
        behind = self._fronted(tgt)
        named = (label_port(edge.label, behind.kind, behind.props)
                 if flow_class in LABEL_PORT_CLASSES else None)
        if named is not None and named.engine is not None:
            self._engine_mismatch(edge, named, behind)
        if "ports" in spec:
            decisions.append(self._from_overlay("ports", spec["ports"], ("flows", key, "ports")))
            ranges = parse_ports(spec["ports"])
            if named is not None and not any(a <= named.port <= b for a, b in ranges):
                self._contradiction(("flows", key, "ports"), spec["ports"],
                                    f"edge {_edge_ref(edge)}: {named.reason}", edge.span)
            return protocol, ranges
        ssm = self._ssm_bastion(flow_class, init, tgt)
        if ssm is not None:
            decisions.append(Decision("ports", "none", "inferred",
                                      f"{ssm.id} is reached through Session Manager (access: "
                                      "ssm), which opens no port", edge.span))
            return ("", ())
        if named is not None:
            protocol = str(spec.get("protocol", named.protocol))
            decisions.append(Decision("ports", f"{protocol}/{named.port}", "inferred",
                                      named.reason, edge.span))
            return protocol, ((named.port, named.port),)
        found = default_port(flow_class, init.kind, behind.kind, behind.props)
        if found is not None:
            why = found[1] if behind is tgt else f"{tgt.id} fronts {behind.id}: {found[1]}"
            decisions.append(Decision("ports", f"{protocol}/{found[0]}", "inferred", why,
                                      edge.span))
            return protocol, ((found[0], found[0]),)
        known = init.id not in self.unknown_kinds and tgt.id not in self.unknown_kinds
        needs_rule = flow_class in (FlowClass.NETWORK, FlowClass.INGRESS)
        if known and needs_rule and _needs_port(init, tgt):
            self.diags.append(follow_up(d.error(
                "ARC302", f"flow {_edge_ref(edge)} ({init.id} to {tgt.id}) has no port",
                edge.span, hint=f"{with_article(tgt.kind)} has no default service port; "
                                f"add `flows: "
                                f"{{\"{_edge_ref(edge)}\": {{ports: [...]}}}}` to the overlay"),
                self._flow_cause(edge, "ports", init, tgt)))
        return ("", ())

    def _fronted(self, tgt: Component) -> Component:
        """What a kind that fronts another (an RDS proxy) stands in front of: the target of its
        own first edge, whose port a flow to it uses; the component itself otherwise."""
        if tgt.kind is None or not KINDS[tgt.kind].fronts:
            return tgt
        for edge in sorted(self.chart.edges, key=lambda e: e.span.sort_key()):
            behind = self._comps.get(edge.dst) if edge.src == tgt.id else None
            if behind is not None and behind.id != tgt.id and behind.kind is not None:
                return behind
        return tgt

    def _engine_mismatch(self, edge: FlowEdge, named: LabelPort, tgt: Component) -> None:
        """ARC209 when a label names a database engine the target database does not run."""
        engine = str(tgt.props.get("engine", "postgres"))
        if tgt.kind != Kind.DATABASE or named.engine is None or (
                DATABASE_PORTS.get(named.engine) == DATABASE_PORTS.get(engine)):
            return
        self.diags.append(d.warning(
            "ARC209", f"edge {_edge_ref(edge)}'s label names {named.engine}, but {tgt.id}'s "
                      f"engine is {engine}" + ("" if "engine" in tgt.props else " (the default)"),
            edge.span, hint=f"say which with `components: {{{tgt.id}: {{engine: ...}}}}` in "
                            "the overlay"))

    def _contradiction(self, path: tuple[Any, ...], value: Any, reason: str,
                       span: Span) -> None:
        """ARC209: the overlay and the diagram say different things; the overlay wins."""
        self.diags.append(d.warning(
            "ARC209", f"overlay {format_path(path)} ({_show(value)}) contradicts the diagram "
                      f"({reason}); the overlay wins", self.ov.value_span(path) or span,
            hint="make the diagram and the overlay agree, or drop the overlay value",
            notes=(d.Note("the diagram says so here", span),)))

    def _ssm_bastion(self, flow_class: FlowClass, init: Component,
                     tgt: Component) -> Component | None:
        """The bastion of an admin flow (admins into it, or it into a host) when it is reached
        through Session Manager: such flows open no port (the agent dials out to Systems
        Manager), so they get none by default. Its egress keeps HTTPS."""
        admin = (init if init.kind == Kind.BASTION and flow_class is FlowClass.NETWORK
                 else tgt if tgt.kind == Kind.BASTION and flow_class in (FlowClass.INGRESS,
                                                                         FlowClass.ADMIN)
                 else None)
        default = self.ov.mapping("policy").get("bastion_access", "ssh")
        ssm = admin is not None and str(admin.props.get("access") or default) == "ssm"
        return admin if ssm else None

    def _flow_cause(self, edge: FlowEdge, attribute: str,
                    *ends: Component) -> d.Diagnostic | None:
        """The earlier error a missing flow fact follows from: an end whose kind is unknown,
        or the overlay value (or entry) for this edge that the schema dropped."""
        unknown = next((self.unknown_kinds[c.id] for c in ends if c.id in self.unknown_kinds),
                       None)
        if unknown is not None:
            return unknown
        keys = {str(p[1]) for p in self.causes.dropped if len(p) > 1 and p[0] == "flows"}
        return self.causes.of_entry("flows", (k for k in keys if _edge_matches(k, edge)),
                                    attribute)

    def _iam(self, edge: FlowEdge, key: str | None, spec: Mapping[str, Any],
             flow_class: FlowClass, tgt: Component,
             decisions: list[Decision]) -> tuple[tuple[str, ...], str]:
        network_grant = flow_class is FlowClass.NETWORK and tgt.kind in NETWORK_IAM_KINDS
        if flow_class is not FlowClass.IAM and not network_grant:
            return (), ""
        if not network_grant and tgt.kind is not None and tgt.kind not in IAM_TARGET_KINDS:
            # An IAM meaning archc cannot turn into a grant must not pass silently.
            path = ("flows", key, "meaning")
            self.diags.append(d.warning(
                "ARC218", f"flow {edge.src} -> {edge.dst} means iam, but {tgt.id} is a "
                          f"{tgt.kind}: archc writes IAM grants only for calls to "
                          + ", ".join(sorted(IAM_TARGET_KINDS))
                          + " components, so no policy and no rule is written for it",
                (self.ov.value_span(path) if key is not None else None) or edge.span,
                hint="give the flow the meaning it has (`meaning: network` with its ports), "
                     "or grant the call by hand"))
            return (), ""
        iam = KINDS[tgt.kind].iam if tgt.kind != Kind.OBJECT_STORAGE else None
        if "access" in spec:
            access = str(spec["access"])
            decisions.append(self._from_overlay("access", access, ("flows", key, "access")))
        elif iam is not None:
            drawn_to_consumer = edge.src == tgt.id and not edge.arrow.startswith("double_")
            access, why = infer_verb(edge.label, tuple(iam.actions), iam.default_verb,
                                     KINDS[tgt.kind].polled and drawn_to_consumer)
            decisions.append(Decision("access", access, "inferred", why, edge.span))
        else:
            access, why = infer_access(edge.label)
            decisions.append(Decision("access", access, "inferred", why, edge.span))
        if iam is not None:
            if access not in iam.actions:
                self.diags.append(d.error(
                    "ARC223", f"flow {edge.src} -> {edge.dst}: {tgt.id} "
                              f"({KINDS[tgt.kind].title}) grants no {access!r}",
                    self.ov.value_span(("flows", key, "access")) or edge.span,
                    hint="use one of: " + ", ".join(iam.actions)))
            return (), access
        declared = tgt.props.get("buckets", {})
        if "buckets" in spec:
            buckets = tuple(sorted(spec["buckets"]))
            decisions.append(self._from_overlay("buckets", buckets, ("flows", key, "buckets")))
            for bucket in buckets:
                if declared and bucket not in declared:
                    self.diags.append(d.error(
                        "ARC201", f"flow {key!r} names bucket {bucket!r}, which {tgt.id} "
                                  "does not declare",
                        self.ov.value_span(("flows", key, "buckets")) or edge.span,
                        hint=f"declared buckets: {', '.join(sorted(declared)) or 'none'}"))
        else:
            buckets, why = infer_buckets(edge.label, declared or {"default": {}})
            decisions.append(Decision("buckets", ", ".join(buckets), "inferred", why, edge.span))
        return buckets, access

    # -- policy and helpers -------------------------------------------------------------

    def _policy(self) -> Policy:
        spec = self.ov.mapping("policy")
        tier_flows = DEFAULT_TIER_FLOWS
        if "tier_flows" in spec:
            tier_flows = frozenset((Tier(p["from"]), Tier(p["to"])) for p in spec["tier_flows"])
        self._world_admin(spec)
        self._documentation_admin(spec)
        return Policy(tier_flows=tier_flows,
                      internet_entry=tuple(spec.get("internet_entry", ())),
                      admin_cidrs=tuple(spec.get("admin_cidrs", ())),
                      bastion_access=str(spec.get("bastion_access", "ssh")),
                      span=self.ov.key_span(("policy",)),
                      vpc_endpoints=bool(spec.get("vpc_endpoints", True)))

    def _world_admin(self, spec: Mapping[str, Any]) -> None:
        """ARC409 for an admin CIDR wider than a /8 (0.0.0.0/0 first of all): it opens the
        bastion's SSH port to a large part of the internet. An error unless the overlay says
        `policy.allow_world_admin: true`, and a warning even then. (The schema already refuses
        IPv6 blocks such as ::/0: admin_cidrs are IPv4 only.)"""
        allowed = spec.get("allow_world_admin") is True
        for index, cidr in enumerate(spec.get("admin_cidrs", ())):
            prefix = _prefix_length(cidr)
            if prefix is None or prefix >= WIDEST_ADMIN_PREFIX:
                continue
            what = "the whole internet" if prefix == 0 else f"2^{32 - prefix} addresses"
            span = self.ov.value_span(("policy", "admin_cidrs", index))
            if allowed:
                self.diags.append(d.warning(
                    "ARC409", f"policy.admin_cidrs {cidr} lets {what} reach the bastion's SSH "
                              "port (allowed by policy.allow_world_admin)", span,
                    hint="list the administrators' own networks, or use "
                         "`policy.bastion_access: ssm` (no open port)"))
            else:
                self.diags.append(d.error(
                    "ARC409", f"policy.admin_cidrs {cidr} lets {what} reach the bastion's SSH "
                              f"port: admin networks must be /{WIDEST_ADMIN_PREFIX} or "
                              "narrower", span,
                    hint="list the administrators' own networks, use "
                         "`policy.bastion_access: ssm`, or set `policy.allow_world_admin: "
                         "true` to accept the risk"))

    def _documentation_admin(self, spec: Mapping[str, Any]) -> None:
        """ARC410: an admin CIDR inside a documentation range (a placeholder copied from an
        example). A warning, so a spec can build; the generated Terraform refuses the value
        (admin_cidr_blocks validation), so it cannot be applied."""
        for index, cidr in enumerate(spec.get("admin_cidrs", ())):
            name = _documentation_net(cidr)
            if name is not None:
                self.diags.append(d.warning(
                    "ARC410", f"policy.admin_cidrs {cidr} is a documentation range ({name}, "
                              "RFC 5737): no administrator connects from it, and terraform "
                              "plan refuses it", self.ov.value_span(("policy", "admin_cidrs",
                                                                     index)),
                    hint="list the administrators' own networks, or use "
                         "`policy.bastion_access: ssm` (no open port)"))

    def _state(self, spec: Mapping[str, Any]) -> Mapping[str, Any]:
        """ARC217: `locking: dynamodb` is deprecated by Terraform (1.11); the state is locked
        with S3's native lock file, and bootstrap creates no lock table."""
        if spec.get("locking") == "dynamodb":
            self.diags.append(d.warning(
                "ARC217", "state.locking: dynamodb is deprecated by Terraform: the backends use "
                          "S3's native lock file (use_lockfile) and no DynamoDB table is created",
                self.ov.value_span(("state", "locking")),
                hint="write `locking: lockfile` (a table left from an earlier bootstrap can be "
                     "deleted once no run holds a lock)"))
        return spec

    def _from_overlay(self, attribute: str, value: Any, path: tuple[Any, ...]) -> Decision:
        return Decision(attribute, _show(value), "overlay", f"overlay key {format_path(path)}",
                        self.ov.value_span(path))

    # "Did you mean" compares a name with every known one: n unknown names among n known
    # would be quadratic, so suggestions stop once this many comparisons have been spent
    # (per run: an instance attribute shadows these class defaults once set).
    _suggestion_budget = 50_000
    _suggestion_names: tuple[set[str], list[str]] | None = None

    def _closest(self, word: str, names: list[str], n: int, cutoff: float) -> list[str]:
        import difflib

        if len(names) > self._suggestion_budget:
            return []
        self._suggestion_budget -= len(names)
        return difflib.get_close_matches(word, names, n=n, cutoff=cutoff)

    def _unknown_ref(self, section: str, key: str, what: str, known: list[str],
                     matches: int) -> None:
        close = self._closest(key, known, 1, 0.6)
        problem = "is ambiguous" if matches > 1 else "does not exist in the diagram"
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known[:12])}"
        named = _EDGE_REF.match(key) if section == "flows" else None
        words = (named.group(1), named.group(3)) if named else (key,)
        self.diags.append(follow_up(d.error(
            "ARC201", f"{section}: {what} {key!r} {problem}",
            self.ov.key_span((section, key)), hint=hint), self.causes.of_words(*words)))


# Inferred attributes worth telling the user about; the rest are visible in `archc explain`.
_NOTED = ("kind", "role", "tier", "spread", "cidr", "region", "ends", "initiator", "ports",
          "access", "buckets", *label_facts.KEYS)


def _assumption_notes(zones: tuple[Zone, ...], components: tuple[Component, ...],
                      flows: tuple[Flow, ...]) -> list[d.Diagnostic]:
    notes = []
    items: list[tuple[str, tuple[Decision, ...]]] = [(f"zone {z.title!r}", z.decisions)
                                                     for z in zones]
    items += [(c.id, c.decisions) for c in components]
    items += [(f.ref, f.decisions) for f in flows]
    said: set[tuple[str, str]] = set()  # an edge to a zone: its ends said once, not per flow
    for subject, decisions in items:
        for dec in decisions:
            if dec.attribute == "ends":
                if (dec.reason, str(dec.span)) in said:
                    continue
                said.add((dec.reason, str(dec.span)))
            if dec.source == "inferred" and dec.attribute in _NOTED:
                notes.append(d.note("ARC290", f"assumed {dec.attribute} {dec.value} for "
                                              f"{subject}: {dec.reason}", dec.span,
                                    hint="state it in the overlay to make it explicit"))
    return notes


# The engines as RDS names Aurora's -> the engine archc's aurora kind builds
AURORA_ENGINE_NAMES = {"aurora-postgresql": "postgres", "aurora-mysql": "mysql"}
# A node that titles the drawing ("Notes API - AWS Serverless Architecture"): when no edge
# touches it, it is a caption, not a component
_TITLE = re.compile(r"\b(architecture|diagram|overview)\b")
# A node of a Kubernetes cluster: "Node 1", "Worker", "Node t3.small" (an EC2 instance type)
_WORKER_NODE = re.compile(r"\bnodes?\b|\bworkers?\b|\b[a-z][0-9][a-z]*\.(nano|micro|small|"
                          r"medium|large|[0-9]*xlarge)\b")


def _acts(kind: str) -> bool:
    """Whether a flow's direction matters at this end: a network rule (its security group) or
    an IAM grant (its role) comes of it."""
    spec = KINDS[kind]
    return spec.security_group or spec.compute or spec.role is not None


def _kind_from_zone(zone: Zone | None, label: str) -> str | None:
    if zone is None:
        return None
    if zone.role is Role.NODE_GROUPS:
        return Kind.EKS_NODE_GROUP
    if zone.role is Role.EKS_CLUSTER and _WORKER_NODE.search(label.lower()) \
            and infer_kind("", label) is None:
        return Kind.EKS_NODE_GROUP  # a cluster's nodes are its worker nodes
    if zone.role is Role.EXTERNAL:
        found = infer_kind("", label)
        if found and found[0] in INTERNET_KINDS:
            return found[0]
        return Kind.EXTERNAL_SERVICE
    return None


def _needs_port(init: Component, tgt: Component) -> bool:
    """Only connections that land inside the VPC become security-group rules; a NAT gateway
    opens none (ARC304 says so)."""
    return tgt.kind not in (Kind.CDN, Kind.WAF, Kind.INTERNET_GATEWAY, Kind.NAT_GATEWAY) \
        and init.kind != Kind.NAT_GATEWAY


def _edge_matches(key: str, edge: FlowEdge) -> bool:
    if key == edge.id:
        return True
    match = _EDGE_REF.match(key)
    if not match:
        return False
    a, arrow, b = match.groups()
    if arrow == "<-":
        a, b = b, a
    pair = {edge.src, edge.dst}
    bidirectional = edge.arrow.startswith("double_") or edge.arrow == "arrow_open"
    if arrow == "<->" or bidirectional:
        return {a, b} == pair
    return (a, b) == (edge.src, edge.dst)


def _prefix_length(cidr: object) -> int | None:
    """The prefix length of an IPv4 CIDR string; None for what the schema refuses anyway."""
    import ipaddress

    try:
        return ipaddress.IPv4Network(str(cidr), strict=False).prefixlen
    except ValueError:
        return None


def _documentation_net(cidr: object) -> str | None:
    """The RFC 5737 name of the documentation block holding an IPv4 CIDR, else None."""
    import ipaddress

    try:
        net = ipaddress.IPv4Network(str(cidr), strict=False)
    except ValueError:
        return None
    return next((name for block, name in DOCUMENTATION_NETS.items()
                 if net.subnet_of(ipaddress.IPv4Network(block))), None)


def _edge_ref(edge: FlowEdge) -> str:
    bidirectional = edge.arrow.startswith("double_") or edge.arrow == "arrow_open"
    return f"{edge.src} {'<->' if bidirectional else '->'} {edge.dst}"


def _show(value: Any) -> str:
    """A value as people wrote it: a list of words as `a, b`; booleans, mappings and nested
    lists in YAML's flow style (`{key: x, value: 'true'}`), never as a Python repr."""
    nested = isinstance(value, dict) or (isinstance(value, list | tuple) and any(
        isinstance(v, dict | list | tuple | bool) for v in value))
    if nested or isinstance(value, bool):
        import yaml

        text: str = yaml.safe_dump(thaw(value), default_flow_style=True, sort_keys=False,
                                   allow_unicode=True, width=2**31 - 1)
        return text.removesuffix("\n").removesuffix("\n...")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _yaml_key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_ .-]+", text) else f'"{text}"'


def _slug(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "architecture"


def _closest_kinds(node_id: str, label: str) -> str:
    """ARC202's hint: the kinds whose names are close to the label, its words or the id (none
    when nothing is), and where every kind is listed; never the whole list, which grows with
    the catalog (a new kind would change the hint of every spec)."""
    text = f"{label} {node_id}".lower()
    tries = {re.sub(r"[^a-z0-9]+", "_", t).strip("_")
             for t in (label.lower(), node_id.lower(), *re.findall(r"[a-z0-9]+", text))}
    close = sorted({kind for t in tries if t
                    for kind in difflib.get_close_matches(t, sorted(KINDS), n=3, cutoff=0.6)})
    where = "`archc schema` lists every kind ($defs.kind)"
    return f"did you mean {' or '.join(close[:3])}? {where}" if close else where
