"""Names and texts AWS accepts, derived from the IR: Terraform ids, name suffixes, IAM
statement ids, security-group and WAF descriptions, port words, and the `file:line`
references that justify a generated resource.

Everything here is a pure function of the IR, so every emitter derives the same id for the
same component (a security group, its instance, its role and its rules agree), and `diff`
matches them by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from archc.kinds import Kind, Role, Tier
from archc.model import Architecture, Component, Decision, one_line, ports_text
from archc.source import Span

# Characters AWS accepts in security group (rule) descriptions, at most 255 of them.
_SG_TEXT_BAD = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")

# AWS WAF descriptions: letters, digits, spaces and _+=:#@/-,.
_WAF_TEXT_BAD = re.compile(r"[^a-zA-Z0-9 _+=:#@/\-,.]")

_ARROWS = re.compile(r"\s*<?-+>\s*|\s*<-+\s*")


def unique_names(bases: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key -> base, made unique by suffixing `_2`, `_3`... in input order (deterministic)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for key, base in bases:
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names[key] = name
    return names


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


def line_refs(*spans: Span | None) -> str:
    """``architecture.mmd:51, archc.yaml:111``, without duplicates, in the given order.

    Provenance for places where a change is free (HCL comments, the security report): never
    for an AWS attribute, where inserting one line above would rewrite or replace it."""
    refs: list[str] = []
    for span in spans:
        ref = line_ref(span)
        if ref and ref not in refs:
            refs.append(ref)
    return ", ".join(refs)


def lines(*spans: Span | None) -> str:
    """``(architecture.mmd:51, archc.yaml:111)``, or "" without any line."""
    refs = line_refs(*spans)
    return f"({refs})" if refs else ""


def overlay_spans(decisions: Iterable[Decision], *attributes: str) -> list[Span | None]:
    """Spans of the overlay keys that decided these attributes (for justifications)."""
    return [x.span for x in decisions if x.attribute in attributes and x.source == "overlay"]


def port_name(protocol: str, low: int, high: int) -> str:
    """Id fragment of a port range: well-known names keep rule ids readable."""
    named = {22: "ssh", 80: "http", 443: "https", 10250: "kubelet"}
    text = named.get(low, str(low)) if low == high else f"{low}_{high}"
    return text if protocol == "tcp" else f"{protocol}_{text}"


def port_text(protocol: str, low: int, high: int) -> str:
    """One range of a rule row: `tcp/22`, `tcp/1024-65535`."""
    return ports_text(protocol, ((low, high),))


def component_ids(arch: Architecture) -> dict[str, str]:
    """Component id -> Terraform id, unique. Node groups are named ``node_<name>``."""
    return unique_names(
        (comp.id, f"node_{tf_id(node_group_name(comp))}" if comp.kind == Kind.EKS_NODE_GROUP
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
        if zone.role is not Role.SUBNET or zone.spread_of is not None:
            continue  # a per-AZ copy is its tier's zone, not a further one
        tier = str(zone.tier or Tier.APP)
        seen[tier] = seen.get(tier, 0) + 1
        ids[zone.id] = tier if seen[tier] == 1 else f"{tier}_{seen[tier]}"
    return ids
