"""`archc init`: an overlay written from what archc decided, so fixing a reading is one edit.

The spec is read as `archc check` reads it (the diagram, and the overlay if there is one);
every fact the overlay schema can express is then written out: the role and tier of each
zone, the kind of each component, the initiator, meaning, ports and buckets of each flow,
the environments with their subnet CIDRs, the policy and the settings archc assumed. Each
inferred value carries a comment with the reason its `Decision` records. What archc could
not decide (a kind, a zone role, which end of a `<-->` edge opens the connection, a port) is
written as `null` with a `# TODO(archc): ...` comment: the schema rejects the `null`, so
`archc check` points at exactly that line until it is filled in.

Input text (ids, titles, labels, reasons) reaches the file only as YAML scalars this module
quotes itself (plain only for a conservative alphabet, else a double-quoted string with
every invisible or non-printable character escaped) and as one-line comments
(`archc.markup.comment`). The text is parsed back with the overlay's own loader before it is
written, and must give exactly the data it was made from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archc import diagnostics as d
from archc.kinds import Kind, Role, Tier
from archc.markup import comment, escape_char, escape_json
from archc.model import Architecture, Component, Decision, Flow, FlowClass, Zone, thaw
from archc.source import SourceRegistry
from archc.spec import OVERLAY_NAMES, LoadedSpec, label_facts, load_spec

if TYPE_CHECKING:
    from collections.abc import Iterator

TODO = "TODO(archc)"
DEFAULT_NAME = "archc.yaml"

# What the overlay's `meaning` can say; the other flow classes (ingress, egress, uplink)
# follow from the kinds and have no overlay word.
_MEANINGS = frozenset({FlowClass.NETWORK, FlowClass.IAM, FlowClass.DNS, FlowClass.CONTROL,
                       FlowClass.DEPLOY})
# Scalars written without quotes: words, dotted names, single spaces, and IPv4 CIDRs; nothing
# YAML could read as another type (numbers, booleans, null, dates) or as syntax.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*"
                    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
_YAML_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})
# What PyYAML refuses to read raw anywhere in a document (its reader's printable set).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                            "\U00010000-\U0010ffff]")
_INPUT_CODES = re.compile(r"ARC[01]\d\d")  # files, Mermaid, YAML and schema: nothing to read


class InitRefused(Exception):
    """`archc init` writes nothing: the diagnostics say why."""

    def __init__(self, diagnostics: list[d.Diagnostic],
                 sources: SourceRegistry | None = None):
        super().__init__("; ".join(x.message for x in diagnostics))
        self.diagnostics = diagnostics
        self.sources = sources or SourceRegistry()  # to show the lines they point at


@dataclass
class Block:
    """A block mapping whose entries each may carry a comment; `None` keys are comment lines."""

    items: list[tuple[str | None, Any, str]] = field(default_factory=list)

    def add(self, key: str, value: Any, why: str = "") -> None:
        self.items.append((key, value, why))

    def note(self, text: str) -> None:
        self.items.append((None, None, text))

    def keys(self) -> set[str]:
        return {k for k, _, _ in self.items if k is not None}

    def data(self) -> dict[str, Any]:
        return {k: v.data() if isinstance(v, Block) else v
                for k, v, _ in self.items if k is not None}


@dataclass(frozen=True)
class Written:
    """What `init` wrote (or would write): the file's name in the spec directory, its text,
    and how many zone, component and flow values were decided or left to fill."""

    name: str
    text: str
    decided: int
    to_fill: int


# --------------------------------------------------------------------------- the command
def init(spec_dir: Path, force: bool = False) -> Written:
    """Write the overlay into `spec_dir` atomically; raise InitRefused when it must not."""
    from archc._write import write_text_atomic

    target = _target(spec_dir, force)
    loaded = load_spec(spec_dir)
    written = overlay_text(loaded, target.name)
    try:
        write_text_atomic(target, written.text, replace=force)
    except FileExistsError:  # made since _target looked: still not ours to replace
        _target(spec_dir, force)
        raise
    return written


def _target(spec_dir: Path, force: bool) -> Path:
    """The overlay's path: the existing overlay's name (only with `force`), else archc.yaml."""
    import os

    if not spec_dir.is_dir():
        return spec_dir / DEFAULT_NAME  # load_spec says what the path is (ARC001)
    present = [n for n in OVERLAY_NAMES if os.path.lexists(spec_dir / n)]
    if present and not force:
        raise InitRefused([d.error(
            "ARC014", f"{spec_dir.name}/{present[0]} exists; archc init writes nothing over it",
            None, hint="run `archc init --force` to replace it (its values are kept, its "
                       "comments are not), or edit it by hand")])
    return spec_dir / (present[0] if present else DEFAULT_NAME)


def overlay_text(loaded: LoadedSpec, name: str = DEFAULT_NAME) -> Written:
    """The overlay for a loaded spec, as text; raise InitRefused when the spec cannot be
    read (a file, Mermaid, YAML or schema error other than a `null` left to fill)."""
    arch = loaded.arch
    existing = _existing(loaded)
    refused = [x for x in loaded.diagnostics if x.severity is d.Severity.ERROR
               and _INPUT_CODES.fullmatch(x.code) and not _to_fill(loaded, x)]
    if arch is None or refused:
        raise InitRefused(refused or [x for x in loaded.diagnostics
                                      if x.severity is d.Severity.ERROR], loaded.sources)
    doc = _Document(loaded, arch, existing).build()
    diagram = Path(loaded.chart.file).name if loaded.chart is not None else ""
    text = _header(diagram) + "".join(line + "\n" for line in _render(doc, 0))
    _self_check(text, doc.data(), name)
    decided, to_fill = _count(doc)
    return Written(name, text, decided, to_fill)


def _existing(loaded: LoadedSpec) -> dict[str, Any]:
    """The existing overlay's data without the `null`s left to fill (the schema's only
    complaint `init` accepts: they are written again, or replaced by what is now known)."""
    overlay = loaded.overlay
    if overlay is None:
        return {}
    if not any(x.code.startswith("ARC16") for x in loaded.diagnostics):
        return dict(overlay.data)
    from archc.spec.schema import valid_entries

    data, _ = valid_entries(overlay)
    return data


def _to_fill(loaded: LoadedSpec, diagnostic: d.Diagnostic) -> bool:
    """A schema error at a value left `null` in the existing overlay (a TODO not yet done)."""
    overlay = loaded.overlay
    if overlay is None or not diagnostic.code.startswith("ARC16") or diagnostic.span is None:
        return False
    return any(entry.value == diagnostic.span and entry.raw in ("null", "~", "")
               for entry in overlay.source_map.values())


def _header(diagram: str) -> str:
    return (f"# archc overlay written by `archc init` from {comment(diagram)}: what archc\n"
            "# decided for every zone, component and flow, each inferred value with the reason.\n"
            f"# `null  # {TODO}: ...` marks what it could not decide: fill those in, then run\n"
            "# `archc check` (it points at each one still empty). Edit anything: this file\n"
            "# wins over what archc would infer.\n")


def _self_check(text: str, data: dict[str, Any], name: str) -> None:
    """The text must read back, with the overlay's own loader, as exactly `data`."""
    from archc.spec.overlay import parse_overlay

    parsed, problems = parse_overlay(text, name)
    if parsed is None or problems or parsed.data != data:
        raise AssertionError(f"archc init produced an overlay that does not read back as "
                             f"written: {[x.message for x in problems]}")


def _count(doc: Block) -> tuple[int, int]:
    """Values decided for zones, components and flows, and values left `null` anywhere."""
    decided = to_fill = 0
    for section, value, _ in doc.items:
        values = list(_values(value)) if isinstance(value, Block) else [value]
        if section in ("zones", "components", "flows"):
            decided += sum(v is not None for v in values)
        to_fill += sum(v is None for v in values) if section is not None else 0
    return decided, to_fill


def _values(block: Block) -> Iterator[Any]:
    """The leaf values of a block, through the blocks inside it."""
    for key, value, _ in block.items:
        if isinstance(value, Block):
            yield from _values(value)
        elif key is not None:
            yield value


# --------------------------------------------------------------------------- the content
class _Document:
    """The overlay's sections from the linked architecture, over the existing overlay."""

    def __init__(self, loaded: LoadedSpec, arch: Architecture, existing: dict[str, Any]):
        from archc.spec.schema import load_schema

        self.arch = arch
        self.existing = existing
        schema = load_schema()
        defs, props = schema["$defs"], schema["properties"]
        self.node_id = re.compile(defs["node_id"]["pattern"])
        self.flow_key = re.compile(props["flows"]["propertyNames"]["pattern"])
        self.project = re.compile(props["project"]["pattern"])
        # Errors, or notes when they follow from a `null` of the existing overlay.
        self.ambiguous = {x.span for x in loaded.diagnostics if x.code == "ARC301"}
        self.portless = {x.span for x in loaded.diagnostics if x.code == "ARC302"}
        self.zone_keys = self._zone_keys()
        self.edges = {e.id: e for e in loaded.chart.edges} if loaded.chart else {}

    def _names(self, key: str, flow: Flow) -> bool:
        """Whether an overlay flow key names this flow: the linker's own matching."""
        from archc.spec.link import _edge_matches

        edge = self.edges.get(flow.id)
        return edge is not None and _edge_matches(key, edge)

    def build(self) -> Block:
        arch, old = self.arch, self.existing
        doc = Block()
        doc.add("version", 1)
        project = old.get("project", arch.project)
        if isinstance(project, str) and self.project.fullmatch(project):
            doc.add("project", project, "" if "project" in old else
                    "archc's default: the diagram's file name")
        else:
            doc.add("project", None, f"{TODO}: a name for resources, 2-39 lowercase letters, "
                                     "digits or '-', starting with a letter")
        self._setting(doc, "cloud", arch.cloud, "archc compiles AWS")
        self._setting(doc, "region", arch.region, "archc's default region")
        for key in ("domain", "tags", "diagram"):
            if key in old:
                doc.add(key, old[key])
        if not arch.domain and any(c.kind == Kind.DNS_ZONE and c.id not in arch.unknown_kinds
                                   for c in arch.components):
            doc.note("domain: example.com  <- the public domain of the DNS zone: `archc build` "
                     "needs it to name records (ARC513)")
        doc.add("zones", self._zones())
        doc.add("components", self._components())
        doc.add("flows", self._flows())
        doc.add("policy", self._policy())
        for key in ("state", "secrets", "observability"):
            self._setting(doc, key, thaw(getattr(arch, key)), "archc's default")
        doc.add("environments", self._environments())
        return doc

    def _setting(self, doc: Block, key: str, value: Any, why: str) -> None:
        given = key in self.existing
        doc.add(key, self.existing[key] if given else value, "" if given else why)

    # -- zones -------------------------------------------------------------------------

    def _zone_keys(self) -> dict[str, str | None]:
        """zone id -> its overlay key: the existing overlay's, else its title when that names
        only it (an id wins over a title), else its id; None when neither can."""
        zones = self.arch.zones
        ids = {z.id for z in zones}
        titles: dict[str, int] = {}
        for z in zones:
            titles[z.title] = titles.get(z.title, 0) + 1
        keys: dict[str, str | None] = {}
        for key in self.existing.get("zones", {}):
            named = [z for z in zones if z.id == key] or [z for z in zones if z.title == key]
            if len(named) == 1:
                keys[named[0].id] = key
        for z in zones:
            if z.id in keys:
                continue
            if z.title and titles[z.title] == 1 and (z.title not in ids or z.title == z.id):
                keys[z.id] = z.title
            elif titles.get(z.id, 0) == 0 or z.title == z.id:
                keys[z.id] = z.id
            else:
                keys[z.id] = None
        return keys

    def _zones(self) -> Block:
        block = Block()
        old = dict(self.existing.get("zones", {}))
        for zone in self.arch.zones:
            key = self.zone_keys[zone.id]
            if key is None:
                block.note(f"zone {zone.title!r} ({zone.id}) cannot be named in the overlay: "
                           "another subgraph has its title and id")
                continue
            block.add(key, self._zone(zone, old.pop(key, {})))
        for key, value in old.items():  # naming nothing: archc check says so (ARC201)
            block.add(key, value)
        return block

    def _zone(self, zone: Zone, given: dict[str, Any]) -> Block:
        entry = Block()
        if zone.id in self.arch.unknown_roles:
            entry.add("role", None, f"{TODO}: what is {zone.title!r}? one of: "
                                    + ", ".join(r.value for r in Role)
                                    + " (a subnet also needs tier: public, app or data)")
        else:
            entry.add("role", zone.role.value, _why(zone.decisions, "role"))
            if zone.tier is not None:
                entry.add("tier", zone.tier.value, _why(zone.decisions, "tier"))
        _keep(entry, given)
        return entry

    # -- components --------------------------------------------------------------------

    def _components(self) -> Block:
        block = Block()
        old = dict(self.existing.get("components", {}))
        for comp in self.arch.components:
            if not self.node_id.fullmatch(comp.id):
                block.note(f"{comp.id!r} cannot be named in the overlay (its id holds a "
                           "character an overlay key cannot); rename it in the diagram")
                continue
            block.add(comp.id, self._component(comp, old.pop(comp.id, {})))
        for key, value in old.items():
            block.add(key, value)
        return block

    def _component(self, comp: Component, given: dict[str, Any]) -> Block:
        entry = Block()
        if comp.id in self.arch.unknown_kinds:
            entry.add("kind", None, f"{TODO}: what is {comp.title!r}? one of: "
                                    + ", ".join(k.value for k in Kind))
        else:
            entry.add("kind", str(comp.kind), _why(comp.decisions, "kind"))
            if comp.kind == Kind.DATABASE and "engine" not in given and _decision(
                    comp.decisions, "engine") is None:
                entry.add("engine", "postgres", "archc's default engine for a database")
            for key in label_facts.KEYS:  # what the label writes (engine, version, size)
                found = _decision(comp.decisions, key)
                if found is not None and found.source == "inferred" and key not in given:
                    entry.add(key, thaw(comp.props[key]), found.reason)
        _keep(entry, given)
        return entry

    # -- flows -------------------------------------------------------------------------

    def _flows(self) -> Block:
        block = Block()
        flows = self.arch.flows
        old = dict(self.existing.get("flows", {}))
        keys: dict[str, str] = {}  # flow id -> an existing key that names only it
        for key in old:
            named = [f for f in flows if self._names(key, f)]
            if len(named) == 1:
                keys[named[0].id] = key
        fresh: list[tuple[str, Block]] = []
        for flow in flows:
            key = keys.get(flow.id) or self._flow_key(flow, old)
            if key is None:
                block.note(f"flow {flow.ref} ({flow.id}) cannot be named in the overlay: its "
                           "ids hold a character an overlay key cannot")
                continue
            entry = self._flow(flow, old.get(key, {}) if key in keys.values() else {})
            if key in old:
                old[key] = entry
            else:
                fresh.append((key, entry))
        for key, value in [*old.items(), *fresh]:  # existing first: a later key wins
            block.add(key, value)
        return block

    def _flow_key(self, flow: Flow, old: dict[str, Any]) -> str | None:
        """`A -> B` / `A <-> B` when that names only this edge, else the edge id."""
        for key in (flow.ref, flow.id):
            if key in old or not self.flow_key.fullmatch(key):
                continue
            if sum(self._names(key, f) for f in self.arch.flows) == 1:
                return key
        return None

    def _flow(self, flow: Flow, given: dict[str, Any]) -> Block:
        entry = Block()
        unknown = [x for x in (flow.src, flow.dst) if x in self.arch.unknown_kinds]
        direction = _decision(flow.decisions, "initiator")
        if unknown:  # what the kinds decide waits for the kind
            if direction is not None and direction.source != "inferred":
                entry.add("initiator", flow.initiator, _why(flow.decisions, "initiator"))
            entry.note(f"the rest follows once the kind of {' and '.join(unknown)} is known")
            _keep(entry, given)
            return entry
        if flow.span in self.ambiguous:
            entry.add("initiator", None, f"{TODO}: which end opens the connection, "
                                         f"{flow.src} or {flow.dst}?")
        else:
            entry.add("initiator", flow.initiator, _why(flow.decisions, "initiator"))
        if flow.flow_class in _MEANINGS:
            entry.add("meaning", flow.flow_class.value, _why(flow.decisions, "class"))
        if flow.ports:
            why = _why(flow.decisions, "ports")
            entry.add("protocol", flow.protocol, why)
            entry.add("ports", [a if a == b else f"{a}-{b}" for a, b in flow.ports], why)
        elif flow.span in self.portless:
            entry.add("ports", None, f"{TODO}: the port(s) {flow.target} listens on for "
                                     f"{flow.initiator}, e.g. [443]")
        if flow.flow_class is FlowClass.IAM:
            if flow.buckets:  # S3 only: a queue, a key or an API has none
                entry.add("buckets", list(flow.buckets), _why(flow.decisions, "buckets"))
            entry.add("access", flow.access, _why(flow.decisions, "access"))
        _keep(entry, given)
        return entry

    # -- policy and environments -------------------------------------------------------

    def _policy(self) -> Block:
        policy = self.arch.policy
        given = dict(self.existing.get("policy", {}))
        block = Block()
        if "tier_flows" not in given:
            order = list(Tier)
            pairs = sorted(policy.tier_flows, key=lambda p: (order.index(p[0]),
                                                             order.index(p[1])))
            block.add("tier_flows", [{"from": a.value, "to": b.value} for a, b in pairs],
                      "archc's default: public to app, app to app, app to data")
        if "bastion_access" not in given:
            block.add("bastion_access", policy.bastion_access, "archc's default")
        _keep(block, given)
        return block

    def _environments(self) -> Block:
        """Each environment's values (archc's defaults when the overlay names none, ARC206),
        with the subnet CIDRs the plan gave every subnet zone the overlay does not place."""
        given = dict(self.existing.get("environments", {}))
        block = Block()
        for env in self.arch.environments:
            spec = dict(given.pop(env.name, {}))
            old_zones = dict(spec.pop("zones", {}))
            entry = Block()
            if not spec:
                why = "archc's default environments (ARC206)"
                entry.add("vpc_cidr", env.vpc_cidr, why)
                entry.add("azs", env.azs, why)
                entry.add("nat", env.nat, why)
                entry.add("spot_non_critical", env.spot_non_critical, why)
            _keep(entry, spec)
            zones = Block()
            _keep(zones, old_zones)
            for zone in self.arch.zones:
                key = self.zone_keys.get(zone.id)
                blocks = sorted(env.subnets_of(zone.id), key=lambda b: b.az_index)
                if key is not None and key not in old_zones and blocks:
                    zones.add(key, {"cidrs": [b.cidr for b in blocks]},
                              "allocated from vpc_cidr by archc's subnet plan")
            if zones.items:
                entry.add("zones", zones)
            block.add(env.name, entry)
        _keep(block, given)
        return block


def _keep(entry: Block, given: dict[str, Any]) -> None:
    """The existing overlay's values this block does not write itself, as they were."""
    known = entry.keys()
    for key, value in given.items():
        if key not in known:
            entry.add(key, value)


def _decision(decisions: tuple[Decision, ...], attribute: str) -> Decision | None:
    return next((x for x in decisions if x.attribute == attribute), None)


def _why(decisions: tuple[Decision, ...], attribute: str) -> str:
    """The comment for a value: how it was decided; nothing when the overlay gave it."""
    found = _decision(decisions, attribute)
    if found is None or found.source == "overlay":
        return ""
    return f"{found.source}: {found.reason}"


# --------------------------------------------------------------------------- YAML text
def _render(block: Block, depth: int) -> list[str]:
    pad = "  " * depth
    lines: list[str] = []
    for key, value, why in block.items:
        if key is None:
            lines.append(f"{pad}# {_comment(why)}")
            continue
        tail = f"  # {_comment(why)}" if why else ""
        if isinstance(value, Block) and value.keys():
            lines.append(f"{pad}{scalar(key)}:{tail}")
            lines += _render(value, depth + 1)
            continue
        shown = value.data() if isinstance(value, Block) else value
        lines.append(f"{pad}{scalar(key)}: {flow_value(shown)}{tail}")
        if isinstance(value, Block):
            lines += [f"{pad}  # {_comment(text)}" for k, _, text in value.items if k is None]
    return lines


def flow_value(value: Any) -> str:
    """A JSON-like value in YAML's flow style, every string through `scalar`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return scalar(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(str(k))}: {flow_value(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow_value(v) for v in value) + "]"
    raise TypeError(f"no YAML for {type(value).__name__}")


def scalar(text: str) -> str:
    """A string as a YAML scalar that reads back as exactly that string: plain when it is a
    harmless word, else double-quoted with every invisible or non-printable character
    escaped (`\\uXXXX`), so no text can end the line, the string or the mapping."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    quoted = escape_json(json.dumps(text, ensure_ascii=False))
    return _NOT_PRINTABLE.sub(lambda m: escape_char(m.group()), quoted)


def _comment(text: str) -> str:
    """Comment text on one line that YAML reads as a comment and nothing else."""
    return _NOT_PRINTABLE.sub(lambda m: escape_char(m.group()), comment(text))
