"""Security-group rules as data for people and tools: `security/<env>.md` and `.json`.

The same rows the Terraform emitter writes (archc.aws.security_groups), one file pair per
environment: every rule with its group, direction, peer, protocol and ports, and the diagram
edge (or policy key) and line that justify it. The JSON is versioned:
``{"version": 1, "environment": ..., "rules": [...]}``; admin CIDR peers are expanded to the
policy's networks, security-group peers name their component.
"""

from __future__ import annotations

import json
from typing import NotRequired, TypedDict

import networkx as nx

from archc import GENERATOR, markup
from archc.aws.derivation import Derivation
from archc.aws.names import line_ref, port_text
from archc.aws.security_groups import (
    Peer,
    Row,
    SecurityGroup,
    cited,
    rule_rows,
    security_groups,
)
from archc.emit.output import EmitResult, OutputFile
from archc.kinds import Kind
from archc.model import Architecture, Environment

OUT_DIR = "security"
REPORT_VERSION = 1


# The JSON document (`security/<env>.json`, version REPORT_VERSION), key order as written.
class ReportGroup(TypedDict):
    id: str
    component: str
    description: str


class ReportPeer(TypedDict):
    """The other side by `kind`: security_group {security_group, component}, admin_cidrs
    {cidrs}, cidr {cidr}, prefix_list and gateway_endpoint {ref}."""

    kind: str
    security_group: NotRequired[str]
    component: NotRequired[str | None]
    cidrs: NotRequired[list[str]]
    cidr: NotRequired[str]
    ref: NotRequired[str]


class ReportRule(TypedDict):
    id: str
    security_group: str
    component: str | None
    direction: str
    peer: ReportPeer
    protocol: str
    from_port: int
    to_port: int
    description: str
    edges: list[str]  # the diagram edges (or policy keys) that justify the rule
    sources: list[str]  # their lines, `file:line`


class Report(TypedDict):
    version: int
    project: str
    environment: str
    generated_from: list[str]
    vpc_cidr: str | None  # None: no VPC (no component lives in one)
    security_groups: list[ReportGroup]
    rules: list[ReportRule]


def emit(arch: Architecture, graph: nx.MultiDiGraph[str]) -> EmitResult:
    rows, _ = rule_rows(arch)  # the Terraform emitter reports the rule diagnostics
    groups = security_groups(arch)
    files: list[OutputFile] = []
    for env in arch.environments:
        doc = report(arch, env, rows, groups)
        files.append(OutputFile(f"{OUT_DIR}/{env.name}.json",
                                markup.escape_json(json.dumps(doc, indent=2,
                                                              ensure_ascii=False)) + "\n"))
        files.append(OutputFile(f"{OUT_DIR}/{env.name}.md", markdown(arch, doc)))
    return EmitResult(tuple(files))


def report(arch: Architecture, env: Environment, rows: list[Row],
           groups: list[SecurityGroup]) -> Report:
    component_of = {g["id"]: g["component"] for g in groups}
    return {
        "version": REPORT_VERSION,
        "project": arch.project,
        "environment": env.name,
        "generated_from": list(arch.inputs),
        "vpc_cidr": env.vpc_cidr if Derivation(arch).needs_vpc() else None,
        "security_groups": [{"id": g["id"], "component": g["component"],
                             "description": cited(g["description"], g["source"])}
                            for g in groups],
        "rules": [_rule(arch, row, component_of) for row in rows],
    }


def _rule(arch: Architecture, row: Row, component_of: dict[str, str]) -> ReportRule:
    data = row.as_dict()
    return {
        "id": row.id,
        "security_group": row.security_group,
        "component": component_of.get(row.security_group),
        "direction": row.direction,
        "peer": _peer(arch, row.peer, component_of),
        "protocol": row.protocol,
        "from_port": row.low,
        "to_port": row.high,
        "description": cited(data["description"], data["source"]),
        "edges": list(row.edges),
        "sources": [ref for ref in dict.fromkeys(line_ref(s) for s in row.spans) if ref],
    }


def _peer(arch: Architecture, peer: Peer,
          component_of: dict[str, str]) -> ReportPeer:
    kind = peer["kind"]
    if kind == "security_group":
        return {"kind": kind, "security_group": peer["ref"],
                "component": component_of.get(peer["ref"])}
    if kind == "admin_cidrs":
        return {"kind": kind, "cidrs": list(arch.policy.admin_cidrs)}
    if kind == "cidr":
        return {"kind": kind, "cidr": peer["cidr"]}
    return {"kind": kind, "ref": peer["ref"]}


# --------------------------------------------------------------------------- markdown
def _has_eks(arch: Architecture) -> bool:
    """The Terraform has an EKS module (and its rules) only for an EKS control plane."""
    return bool(arch.components_of(Kind.EKS_CONTROL_PLANE))


def markdown(arch: Architecture, doc: Report) -> str:
    title = Derivation(arch).project_title
    lines = [
        f"<!-- Generated by {GENERATOR} from {markup.inputs_note(arch.inputs)}. DO NOT EDIT. -->",
        f"# Security group rules: {markup.md_text(title)}, {markup.md_text(doc['environment'])}",
        "",
        (f"VPC {markup.md_code(doc['vpc_cidr'])}. " if doc["vpc_cidr"] is not None
         else "No VPC (no component lives in one). ")
        + f"{len(doc['security_groups'])} security groups, "
        f"{len(doc['rules'])} rules. Every rule comes from a diagram edge or a policy key; "
        "nothing else is open (security groups deny by default)."
        + (" The EKS module adds its own cluster and node rules." if _has_eks(arch) else ""),
        "",
        "| Rule | Security group | Direction | Peer | Protocol/ports | Justification |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_table_row(rule) for rule in doc["rules"]]
    return "\n".join(lines) + "\n"


def _table_row(rule: ReportRule) -> str:
    """One table row; every value in it escaped for a Markdown table cell (`archc.markup`)."""
    group = f"{_code(rule['security_group'])} ({_text(rule['component'])})"
    why = "; ".join(_text(e) for e in rule["edges"]) + (
        f" ({_text(', '.join(rule['sources']))})" if rule["sources"] else "")
    ports = port_text(rule["protocol"], rule["from_port"], rule["to_port"])
    cells = [_code(rule["id"]), group, _text(rule["direction"]), _peer_text(rule["peer"]),
             _text(ports), why]
    return "| " + " | ".join(cells) + " |"


def _peer_text(peer: ReportPeer) -> str:
    kind = peer["kind"]
    if kind == "security_group":
        return f"security group {_code(peer['security_group'])} ({_text(peer['component'])})"
    if kind == "admin_cidrs":
        return "admin CIDRs " + (", ".join(_code(c) for c in peer["cidrs"]) or "(none)")
    if kind == "cidr":
        return _code(peer["cidr"]) + (" (internet)" if peer["cidr"] == "0.0.0.0/0" else "")
    if kind == "prefix_list":
        return f"prefix list {_code(peer['ref'])}"
    return f"gateway endpoint {_code(peer['ref'])}"


def _code(value: object) -> str:
    return markup.md_code(str(value), table=True)


def _text(value: object) -> str:
    return markup.md_text(str(value))
