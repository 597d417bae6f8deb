"""What a diagram edge means: who initiates it, its class, its ports, its buckets.

Pure functions over kinds and overlay values, so the rules for each default sit in one place
and `archc explain` can quote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archc.kinds import (
    DATABASE_PORTS,
    IAM_TARGET_KINDS,
    INTERNET_KINDS,
    KINDS,
    LABEL_PROTOCOLS,
    Kind,
    listens,
    with_article,
)
from archc.model import FlowClass, one_line

# Ports a CI server uses to deploy, by target kind: SSH for instances, the Kubernetes API.
DEPLOY_PORTS: dict[str, int] = {
    Kind.BACKEND_SERVICE: 22, Kind.INSTANCE: 22, Kind.EKS_CONTROL_PLANE: 443,
}

_READ_WORDS = re.compile(r"\b(load|read|fetch|download|pull|get|serve|decrypt)")
_WRITE_WORDS = re.compile(r"\b(store|write|upload|push|put|save|archive|encrypt)")
_RETRIEVE = re.compile(r"retriev")


def initiator_by_rank(src_kind: str, dst_kind: str) -> int | None:
    """For `A <--> B`: 0 if A starts connections, 1 if B does, None if kinds cannot tell."""
    a, b = KINDS[src_kind].initiator_rank, KINDS[dst_kind].initiator_rank
    if a == b:
        return None
    return 0 if a < b else 1


def replicates(kind: str) -> bool:
    """A managed data store (a database, a cache, a bucket, a user pool): an arrow between two
    of its kind is its service's replication. Hosts that keep data (an EC2 instance) talk to
    each other, and a queue drawn to a queue is a redrive, so neither is."""
    spec = KINDS[kind]
    return spec.holds_data and not spec.compute and not spec.polled


def classify(initiator: str, target: str) -> tuple[FlowClass, str]:
    """The class of a flow from its two kinds, and the rule that decided it."""
    for rule, (test, flow_class) in _CLASS_RULES.items():
        if test(initiator, target):
            return flow_class, rule
    # Kinds alone cannot tell where the ends sit: the reason must not claim they are in the VPC.
    return FlowClass.NETWORK, ("no other rule applies: a network connection between two "
                               "components")


_CLASS_RULES: dict[str, tuple[Any, FlowClass]] = {
    "DNS: one end is a DNS zone": (
        lambda i, t: Kind.DNS_ZONE in (i, t), FlowClass.DNS),
    "a data store replicates to its replica of the same kind, which its service manages": (
        lambda i, t: i == t and replicates(t), FlowClass.REPLICATION),
    "an AWS service invokes the target on an event: its trigger, no connection": (
        lambda i, t: i in KINDS[t].triggered_by, FlowClass.EVENT),
    "S3 is reached through its API: an IAM permission": (
        lambda i, t: t == Kind.OBJECT_STORAGE, FlowClass.IAM),
    "the target is an AWS API: a flow to it is an IAM permission on the caller's role": (
        lambda i, t: t in IAM_TARGET_KINDS and not listens(t), FlowClass.IAM),
    "administrators take the admin path, not public ingress": (
        lambda i, t: Kind.ADMINS in (i, t), FlowClass.ADMIN),
    "traffic from the internet side enters the architecture": (
        lambda i, t: i in INTERNET_KINDS or i in (Kind.CDN, Kind.INTERNET_GATEWAY),
        FlowClass.INGRESS),
    "a NAT gateway forwards its traffic to the internet gateway": (
        lambda i, t: i == Kind.NAT_GATEWAY and t == Kind.INTERNET_GATEWAY, FlowClass.UPLINK),
    "traffic to a NAT or internet gateway leaves for the internet": (
        lambda i, t: t in (Kind.NAT_GATEWAY, Kind.INTERNET_GATEWAY), FlowClass.EGRESS),
    "the EKS control plane manages its node groups": (
        lambda i, t: i == Kind.EKS_CONTROL_PLANE and t == Kind.EKS_NODE_GROUP,
        FlowClass.CONTROL),
    "a CI server deploys to a compute target": (
        lambda i, t: i == Kind.CI_SERVER and t in DEPLOY_PORTS, FlowClass.DEPLOY),
}


def default_port(flow_class: FlowClass, initiator: str, target: str,
                 target_props: Mapping[str, Any]) -> tuple[int, str] | None:
    """The port a flow uses when the overlay does not say, with the reason."""
    if flow_class in (FlowClass.IAM, FlowClass.DNS, FlowClass.CONTROL, FlowClass.UPLINK,
                      FlowClass.REPLICATION, FlowClass.EVENT):
        return None
    if flow_class is FlowClass.EGRESS:
        return 443, "outbound internet access is HTTPS (package mirrors, AWS APIs)"
    if flow_class is FlowClass.DEPLOY:
        port = DEPLOY_PORTS[target]
        return port, f"a CI server deploys to {with_article(KINDS[target].title)} on {port}"
    if initiator == Kind.BASTION:
        return 22, "a bastion reaches private hosts for admin access over SSH"
    if flow_class is FlowClass.ADMIN and target == Kind.BASTION:
        return 22, "administrators reach the bastion over SSH (from policy.admin_cidrs)"
    found = _service_port(target, target_props)
    if found is None and initiator == Kind.LOAD_BALANCER:
        return 80, "a load balancer forwards HTTP to targets that name no port on 80"
    return found


# Kinds that never open a connection (data stores, queues and streams their consumers poll):
# an arrow from one to a compute shows data flowing, or a poll.
PASSIVE_KINDS = frozenset(name for name, spec in KINDS.items()
                          if (spec.holds_data and not spec.compute) or spec.polled)
PEOPLE_KINDS = frozenset({Kind.USERS, Kind.ADMINS})
COMPUTE_KINDS = frozenset(name for name, spec in KINDS.items() if spec.compute)


def data_flow_reading(src: str, dst: str) -> str | None:
    """Why a directed edge shows data flow, so its target opens the connection; None when
    the edge starts at its initiator, as edges do."""
    if dst in PEOPLE_KINDS and src not in PEOPLE_KINDS:
        return "people open connections: an arrow to them shows what they receive"
    if src in KINDS[dst].triggered_by:
        return None  # an event: the source invokes the target (classify says EVENT)
    if KINDS[src].polled and dst in COMPUTE_KINDS:
        return (f"{with_article(KINDS[dst].title)} polls {with_article(KINDS[src].title)}: "
                "the arrow shows what it consumes")
    if src in PASSIVE_KINDS and dst in COMPUTE_KINDS:
        return (f"{with_article(KINDS[src].title)} opens no connection: the arrow shows data "
                f"{with_article(KINDS[dst].title)} reads")
    return None


def _service_port(target: str, props: Mapping[str, Any]) -> tuple[int, str] | None:
    if target == Kind.DATABASE:
        engine = str(props.get("engine", "postgres"))
        port = DATABASE_PORTS.get(engine, 5432)
        return port, f"{engine} listens on {port}"
    if target == Kind.LOAD_BALANCER and "listener_port" in props:
        return int(props["listener_port"]), "the load balancer's listener_port"
    if "port" in props:
        return int(props["port"]), f"the {KINDS[target].title}'s port"
    engine_ports, engine_key = KINDS[target].engine_ports, KINDS[target].engine_key
    if str(props.get(engine_key)) in engine_ports:
        port = engine_ports[str(props[engine_key])]
        return port, f"{props[engine_key]} listens on {port}"
    service_port = KINDS[target].service_port
    if service_port is None:
        return None
    return service_port, f"{with_article(KINDS[target].title)} serves on {service_port}"


# A port written in a label: `tcp/5432`, `udp:53`, `:8080`, `port 8080`, or the whole label.
_LABEL_PORTS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(tcp|udp)\s*[/:]\s*(\d{1,5})(?!\d)"),
    re.compile(r"(?<![\d:])()(?::|\bport\s*)(\d{1,5})(?![\d:])"),
    re.compile(r"^()(\d{1,5})$"),
)
# The classes of flow whose port a label can name (the others open no port).
LABEL_PORT_CLASSES = frozenset({FlowClass.NETWORK, FlowClass.INGRESS, FlowClass.EGRESS,
                                FlowClass.DEPLOY, FlowClass.ADMIN})


@dataclass(frozen=True, slots=True)
class LabelPort:
    """A port an edge label names, and the words that named it."""

    protocol: str  # tcp | udp
    port: int
    reason: str
    engine: str | None = None  # a database protocol's engine, when the label names one


def label_port(label: str, target: str, target_props: Mapping[str, Any]) -> LabelPort | None:
    """The port an edge label names: a number it writes (`:8080`, `tcp/5432`, `27017`,
    `HTTP 8080`), else its protocol word (`HTTPS` 443; `SQL` the target database's engine
    port). None when the label names neither."""
    text = one_line(label)[:INFER_LABEL_CHARS].lower().strip()
    shown = one_line(label)[:80]
    for pattern in _LABEL_PORTS:
        found = pattern.search(text)
        if found and 0 < int(found.group(2)) < 65536:
            number = int(found.group(2))
            return LabelPort(found.group(1) or "tcp", number,
                             f"label {shown!r} names port {number}")
    for pattern, name, port in LABEL_PROTOCOLS:
        word = pattern.search(text)
        if word is None:
            continue
        after = re.match(r"\s*(\d{1,5})(?!\d)", text[word.end():])
        if after and 0 < int(after.group(1)) < 65536:
            return LabelPort("tcp", int(after.group(1)),
                             f"label {shown!r} names port {after.group(1)}")
        return _protocol_port(shown, name, port, word.group(0), target, target_props)
    return None


def _protocol_port(shown: str, name: str, port: int | None, word: str, target: str,
                   target_props: Mapping[str, Any]) -> LabelPort:
    engine = _ENGINE_WORDS.get(word)
    if port is None and target == Kind.DATABASE:
        target_engine = str(target_props.get("engine", "postgres"))
        engine_port = DATABASE_PORTS.get(target_engine, 5432)
        return LabelPort("tcp", engine_port, f"label {shown!r} names {name}: the target "
                                             f"database's engine ({target_engine}) listens "
                                             f"on {engine_port}", engine)
    spec = KINDS.get(target)
    engine_ports, engine_key = (spec.engine_ports, spec.engine_key) if spec else ({}, "engine")
    if port is None and str(target_props.get(engine_key)) in engine_ports:
        target_engine = str(target_props[engine_key])
        return LabelPort("tcp", engine_ports[target_engine],
                         f"label {shown!r} names {name}: the target's engine ({target_engine}) "
                         f"listens on {engine_ports[target_engine]}", engine)
    used = DATABASE_PORTS["postgres"] if port is None else port
    return LabelPort("tcp", used, f"label {shown!r} names {name}, which uses {used}", engine)


# Database protocol words and the engine each names ("sql" names none: any engine).
_ENGINE_WORDS: dict[str, str] = {"mysql": "mysql", "mariadb": "mariadb", "postgres": "postgres",
                                 "postgresql": "postgres", "psql": "postgres",
                                 "mssql": "sqlserver-se", "sql server": "sqlserver-se",
                                 "sqlserver": "sqlserver-se", "tds": "sqlserver-se",
                                 "oracle": "oracle-se2"}
# A label is read this far for its protocol and port (as kinds read labels).
INFER_LABEL_CHARS = 1000


def infer_access(label: str) -> tuple[str, str]:
    """read / write / read_write from the words of an S3 edge's label."""
    text = label.lower()
    reads = bool(_READ_WORDS.search(text) or _RETRIEVE.search(text))
    writes = bool(_WRITE_WORDS.search(text))
    if reads and writes:
        return "read_write", f"label {label!r} both reads and writes"
    if writes:
        return "write", f"label {label!r} writes"
    if reads:
        return "read", f"label {label!r} reads"
    return "read", f"label {label!r} names no write; least privilege is read-only"


# Words of a flow's label that name an IAM verb (lower-cased), first match wins; a verb the
# target's kind has no actions for is skipped. read/write come from `infer_access`.
_VERB_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), verb) for pattern, verb in (
        (r"\b(invokes?|invoking|calls?|triggers?|runs?|executes?|starts?)\b", "invoke"),
        (r"\b(publish(es|ing)?|notif(y|ies|ication)|emits?|sends?|enqueues?|produces?|"
         r"push(es)?|puts?|fan.?out|events?)\b", "publish"),
        (r"\b(consumes?|polls?|receives?|subscribes?|dequeues?|pulls?|process(es)?|"
         r"workers?|listens?)\b", "consume"),
        (r"\b(connects?|mounts?|sessions?)\b", "connect"),
    ))


def infer_verb(label: str, verbs: tuple[str, ...], default: str,
               polled: bool) -> tuple[str, str]:
    """The IAM verb of a flow to an AWS API among the target kind's `verbs`: a consumer that
    polls consumes; else the label's words (publish, invoke, read, write...); else `default`."""
    if polled and "consume" in verbs:
        return "consume", "the consumer polls what the arrow shows flowing to it"
    text = label[:INFER_LABEL_CHARS].lower()
    for pattern, verb in _VERB_WORDS:
        if verb in verbs and pattern.search(text):
            return verb, f"label {label!r} says {verb}"
    if label and any(v in verbs for v in ("read", "write", "read_write")):
        access, why = infer_access(label)
        if access in verbs and (access != "read" or _READ_WORDS.search(text)
                                or _RETRIEVE.search(text) or default == "read"):
            return access, why
    return default, (f"label {label!r} names no verb" if label else "the edge has no label") \
        + f"; a flow to this kind defaults to {default}"


def infer_buckets(label: str, buckets: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """Buckets whose purpose (or key) the label names; all buckets if it names none."""
    text = label.lower()
    named = tuple(sorted(
        key for key, spec in buckets.items()
        if _stem(str(spec.get("purpose", key))) in text or _stem(key) in text
    ))
    if named:
        return named, f"label {label!r} names {', '.join(named)}"
    return tuple(sorted(buckets)), f"label {label!r} names no bucket, so all of them"


def _stem(word: str) -> str:
    return word.lower().rstrip("s")


def parse_ports(values: list[Any] | tuple[Any, ...]) -> tuple[tuple[int, int], ...]:
    """Overlay ports ([5432] or ["8000-8010"]) as sorted inclusive ranges."""
    ranges: list[tuple[int, int]] = []
    for value in values:
        if isinstance(value, int):
            ranges.append((value, value))
        else:
            low, _, high = str(value).partition("-")
            ranges.append((int(low), int(high or low)))
    return tuple(sorted(set(ranges)))
