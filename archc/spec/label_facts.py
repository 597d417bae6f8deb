"""Facts a component's label writes (issue 11): a database engine and its version
("Aurora PostgreSQL 16"), an instance size ("EC2 t3.large", "RDS db.r6g.large").

Each reading names the overlay key it fills and the text it was read from; what archc cannot
build (a version or size it does not know, a size of the wrong sort) is a problem with the
overlay line to write instead. The linker applies the facts where the overlay is silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archc.kinds import (
    EC2_TYPE,
    ENGINE_VERSIONS,
    INFER_CHARS,
    INSTANCE_SIZES,
    KINDS,
    LABEL_ENGINES,
    NO_INSIGHTS_CLASSES,
    RDS_CLASS,
    SIZE_KEYS,
    Kind,
)
from archc.model import one_line

# The overlay keys a label can fill, in the order they are read.
KEYS = ("engine", "engine_version", "instance_class", "instance_type", "instance_types",
        "cache_engine")


@dataclass(frozen=True, slots=True)
class LabelFact:
    key: str  # the overlay key it fills: engine, engine_version, instance_class, ...
    value: Any  # what archc builds from it ("16" written: "16.4")
    written: str  # the value as the label writes it
    text: str  # the matched text, for the decision's reason
    engine: str | None = None  # for a version: the engine it belongs to

    def agrees(self, overlay_value: Any) -> bool:
        """Whether the overlay's value says the same ("16.2" agrees with a written "16")."""
        if self.key == "instance_types":
            return isinstance(overlay_value, list | tuple) and self.written in overlay_value
        if self.key == "engine_version":
            given = str(overlay_value).split(".")
            return given[:len(self.written.split("."))] == self.written.split(".")
        return str(overlay_value) == self.written


@dataclass(frozen=True, slots=True)
class LabelProblem:
    key: str
    message: str  # "writes ..., which ..."
    hint_value: str  # what to write under the overlay key instead


def read(kind: str, label: str) -> tuple[list[LabelFact], list[LabelProblem]]:
    """The facts a label of a component of this kind writes, and what archc cannot build."""
    shown = one_line(label[:INFER_CHARS])
    lower = shown.lower()
    text = _Text(lower, shown if len(shown) == len(lower) else lower)
    facts: list[LabelFact] = []
    problems: list[LabelProblem] = []
    if kind == Kind.DATABASE:
        _engine(text, facts, problems)
    elif (spec := KINDS.get(kind)) is not None and spec.engine_ports:
        # a catalog kind that listens per engine (Aurora, ElastiCache) reads the engine its
        # label names; the versions archc knows are RDS's, so its version is the overlay's
        for engine in spec.engine_ports:
            if found := re.search(rf"\b{re.escape(engine)}\w*", text):
                facts.append(LabelFact(spec.engine_key, engine, engine, text.of(found)))
                break
    if kind in SIZE_KEYS:
        _size(text, SIZE_KEYS[kind], facts, problems)
    return facts, problems


class _Text(str):
    """The lower-cased label the tables read, and the label as written, for the reasons."""

    shown: str

    def __new__(cls, lower: str, shown: str) -> _Text:
        made = super().__new__(cls, lower)
        made.shown = shown
        return made

    def of(self, found: re.Match[str]) -> str:
        return self.shown[found.start():found.end()]


def _engine(text: _Text, facts: list[LabelFact], problems: list[LabelProblem]) -> None:
    for pattern, engine in LABEL_ENGINES:
        found = pattern.search(text)
        if found is None:
            continue
        facts.append(LabelFact("engine", engine, engine, text.of(found)))
        written = found.group(1) if pattern.groups else None
        if written is None:
            return
        parts = written.split(".")
        major_parts, most_parts = (1, 2) if engine == "postgres" else (2, 3)
        major = ".".join(parts[:major_parts])
        known = ENGINE_VERSIONS[engine]
        if len(parts) < major_parts or len(parts) > most_parts or major not in known:
            problems.append(LabelProblem(
                "engine_version", f"writes {text.of(found)!r}, a {engine} version archc cannot "
                                  f"build (it builds {', '.join(known)})",
                f'"{known[max(known, key=_numeric)]}"'))
            return
        value = written if len(parts) == most_parts else known[major]
        facts.append(LabelFact("engine_version", value, written, text.of(found), engine))
        return


def _size(text: _Text, key: str, facts: list[LabelFact], problems: list[LabelProblem]) -> None:
    rds, ec2 = RDS_CLASS.search(text), EC2_TYPE.search(text)
    wanted, other = (rds, ec2) if key == "instance_class" else (ec2, rds)
    if wanted is not None:
        size = wanted.group(1)
        written = f"db.{size}" if key == "instance_class" else size
        if INSTANCE_SIZES.search(size) is None:
            problems.append(LabelProblem(key, f"writes {text.of(wanted)!r}, which is no "
                                              "instance size archc knows", _example(key)))
            return
        value: Any = [written] if key == "instance_types" else written
        facts.append(LabelFact(key, value, written, text.of(wanted)))
    elif other is not None:
        sort = "an RDS instance class" if key != "instance_class" else "an EC2 instance type"
        problems.append(LabelProblem(
            key, f"writes {text.of(other)!r}, {sort}, where {key} is "
                 + ("an RDS class such as db.t4g.medium" if key == "instance_class"
                    else "an EC2 type such as t3.medium"),
            {"instance_class": f"db.{other.group(1)}",
             "instance_types": f"[{other.group(1)}]"}.get(key, other.group(1))))


def class_problem(engine: str, fact: LabelFact) -> LabelProblem | None:
    """A class read from a label that the engine cannot run as archc builds it."""
    pattern = NO_INSIGHTS_CLASSES.get(engine)
    if fact.key != "instance_class" or pattern is None or not pattern.match(fact.written):
        return None
    return LabelProblem(fact.key, f"writes {fact.text!r}, on which RDS for {engine} runs no "
                                  "Performance Insights (archc turns them on)",
                        _example(fact.key))


def _example(key: str) -> str:
    return {"instance_class": "db.t4g.medium", "instance_types": "[m6i.large]"}.get(
        key, "t3.medium")


def _numeric(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))
