"""The overlay's JSON Schema: loading it, and turning jsonschema errors into positioned diagnostics.

jsonschema reports *what* is wrong and *where in the data*; the overlay's source map says where in
the file. Each error kind is pointed at the place a reader would fix it: bad values at the value,
unknown or misplaced properties at their key, missing properties at the parent's key.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import pathlib
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

from archc.diagnostics import Diagnostic, error
from archc.spec.overlay import format_path

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

    from archc.source import Span
    from archc.spec.overlay import Overlay, Path

SCHEMA_RESOURCE = "overlay.schema.json"

SCHEMA_CODES: dict[str, str] = {
    "ARC160": "a value has the wrong type (e.g. text where a number is expected)",
    "ARC161": "an unknown property, or one that does not apply here (e.g. to this kind)",
    "ARC162": "a required property is missing",
    "ARC163": "a value is not allowed (enum, const, pattern, format, range, length, uniqueness)",
    "ARC164": "a map key is not a valid name for that map (e.g. a malformed flow key)",
}

_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "array": "a list", "object": "a mapping", "null": "empty",
}


@functools.cache
def schema_text() -> str:
    """The schema, for `archc schema` (editors point yaml-language-server at it): the file as
    shipped plus what the kind catalog says (every kind's name, the overlay keys each reads)."""
    shipped = resources.files("archc.spec").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema = json.loads(shipped)
    _add_catalog(schema)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _add_catalog(schema: dict[str, Any]) -> None:
    """Each catalog kind's name into `kind`, its keys into the component fields, and a rule
    that only components of the kinds that read a key may set it (ARC161 otherwise)."""
    from archc.kinds import KINDS

    defs = schema["$defs"]
    names = defs["kind"]["enum"]
    names += [name for name in KINDS if name not in names]
    readers: dict[str, list[str]] = {}
    shapes: dict[str, dict[str, dict[str, Any]]] = {}  # key -> kind -> its schema of the key
    for name, spec in KINDS.items():
        for key, key_schema in spec.properties.items():
            known = defs["component_fields"]["properties"].setdefault(key, dict(key_schema))
            if known != dict(key_schema) and key not in readers:
                continue  # a key of the shipped file keeps its own schema
            readers.setdefault(key, []).append(name)
            shapes.setdefault(key, {})[name] = dict(key_schema)
    for key, by_kind in sorted(shapes.items()):
        _share_key(defs, key, by_kind)
    override_keys = defs["component_override"]["propertyNames"]["enum"]
    override_keys += sorted({key for spec in KINDS.values() for key in spec.per_environment
                             if key not in override_keys})
    _share_shipped_keys(defs["component"]["allOf"], KINDS)
    for key, kinds in sorted(readers.items()):
        defs["component"]["allOf"].append({
            "if": {"required": ["kind"], "properties": {"kind": {"not": {"enum": kinds}}}},
            "then": {"properties": {key: {
                "not": {}, "errorMessage": f"'{key}' is only used by kind "
                                           f"{' or '.join(kinds)}"}}}})


def _share_key(defs: dict[str, Any], key: str, by_kind: Mapping[str, dict[str, Any]]) -> None:
    """A key several kinds read with different values (`node_type`: cache.* for ElastiCache,
    ra3.* for Redshift): a field (and an environment override, which names no kind) may take
    any of them, and a component of a kind must take its kind's."""
    variants = [schema for n, schema in by_kind.items()
                if schema not in list(by_kind.values())[:list(by_kind).index(n)]]
    if len(variants) < 2:
        return
    defs["component_fields"]["properties"][key] = {
        "description": " / ".join(str(v.get("description", "")) for v in variants),
        "anyOf": [{k: v for k, v in schema.items() if k != "description"}
                  for schema in variants]}
    for name, schema in by_kind.items():
        defs["component"]["allOf"].append({
            "if": {"required": ["kind"], "properties": {"kind": {"const": name}}},
            "then": {"properties": {key: schema}}})


def _share_shipped_keys(rules: list[dict[str, Any]], kinds: Mapping[str, Any]) -> None:
    """A shipped rule that keeps keys to its kinds ("'engine' is only used by kind database")
    lets a catalog kind that reads some of them set those (Aurora's engine), and only those."""
    for rule in list(rules):
        excluded = rule.get("if", {}).get("properties", {}).get("kind", {}).get("not", {})
        kept = rule.get("then", {}).get("properties", {})
        if "enum" not in excluded or not kept:
            continue
        for name, spec in kinds.items():
            if name in excluded["enum"] or not set(kept) & set(spec.properties):
                continue
            excluded["enum"].append(name)
            rules.append({"if": {"required": ["kind"], "properties": {"kind": {"const": name}}},
                          "then": {"properties": {key: value for key, value in kept.items()
                                                  if key not in spec.properties}}})


@functools.cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text())
    return schema


def load_schema() -> dict[str, Any]:
    """The parsed schema. A fresh copy, so a caller's edits cannot leak into validation."""
    schema: dict[str, Any] = json.loads(schema_text())
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker()
    # Custom format: a pattern can check the shape of a CIDR but not that its host bits are 0.
    checker.checks("ipv4-cidr")(_is_network_address)
    return Draft202012Validator(_schema(), format_checker=checker)


def _is_network_address(instance: object) -> bool:
    network = _network_of(instance)
    return network is None or network.with_prefixlen == instance


def _network_of(instance: object) -> Any:
    """The network a CIDR string names, or None when it is not CIDR-shaped (pattern's job)."""
    import ipaddress

    if not isinstance(instance, str) or "/" not in instance:
        return None
    try:
        return ipaddress.IPv4Network(instance, strict=False)
    except ValueError:
        return None


def validate_overlay(overlay: Overlay) -> list[Diagnostic]:
    """Every schema violation in the overlay, positioned and sorted; empty when it is valid."""
    marker = _valid_marker(overlay)
    if marker is not None and marker.exists():
        return []  # this very data passed this very schema before: no jsonschema to load
    from jsonschema.exceptions import best_match

    diagnostics: list[Diagnostic] = []
    for err in _validator().iter_errors(overlay.data):
        # anyOf/oneOf wrap their branches' errors; report the most specific one only.
        specific = best_match([err]) or err
        diagnostics.extend(_Explainer(overlay, specific).diagnostics())
    if not diagnostics and marker is not None:
        with contextlib.suppress(OSError):
            marker.touch()
    return sorted(set(diagnostics), key=_order)


def _valid_marker(overlay: Overlay) -> pathlib.Path | None:
    """The cache file that says this overlay's data is valid, named by a hash of the data
    (its repr tells 1 from "1"), the schema, archc's version and the installed jsonschema
    (its location and time: an upgrade may judge differently). Only valid data is recorded:
    errors need the validator's words anyway. None when caching is off."""
    import hashlib
    import importlib.util
    import os

    from archc import __version__
    from archc._cache import cache_dir

    spec = importlib.util.find_spec("jsonschema")
    directory = cache_dir("schema")
    if directory is None or spec is None or spec.origin is None:
        return None
    try:
        installed = f"{spec.origin}:{os.stat(spec.origin).st_mtime_ns}"
    except OSError:
        return None
    key = "\0".join((__version__, installed, schema_text(), repr(overlay.data)))
    return directory / f"valid-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


# Each round drops at least one entry, and an overlay has a bounded number of them; the
# bound only guards against a schema construct that keeps failing on an emptied mapping.
_MAX_PRUNE_ROUNDS = 50


def valid_entries(overlay: Overlay) -> tuple[dict[str, Any], dict[Path, Diagnostic | None]]:
    """The overlay's data without the entries that fail the schema, so the rest still links.

    Returns the pruned copy and what was dropped: path -> the diagnostic that reported it
    (what `validate_overlay` reported; None when no diagnostic names it). An entry is a
    mapping key; a list is dropped whole, so the indices of what stays keep matching the
    source map. Dropping can expose another error (a required key now missing): it is
    pruned in the next round and charged to the diagnostic that caused the first drop.
    Only errors of the top-level mapping itself (a missing `version`) are left: the linker
    has a default for every top-level value.
    """
    import copy

    from jsonschema.exceptions import best_match

    data: dict[str, Any] = copy.deepcopy(overlay.data)
    dropped: dict[Path, Diagnostic | None] = {}
    for _ in range(_MAX_PRUNE_ROUNDS):
        found = [(err, best_match([err]) or err)  # all of them before any is dropped
                 for err in list(_validator().iter_errors(data))]
        pruned = False
        for err, specific in found:
            causes = _Explainer(overlay, specific).diagnostics()
            # When nothing the error names can be dropped, its whole top-level section goes:
            # the linker must only ever read schema-valid values.
            top = tuple(err.absolute_path)[:1]
            for paths in (_bad_entries(specific), [top]):
                if _drop(data, dropped, [tuple(p) for p in paths if p], causes):
                    pruned = True
                    break
        if not pruned:
            break
    return data, dropped


def _drop(data: dict[str, Any], dropped: dict[Path, Diagnostic | None], paths: list[Path],
          causes: list[Diagnostic]) -> bool:
    """Remove `paths` from data, recording each with the diagnostic that reported it (or, for
    what an earlier drop exposed, that drop's); False when none of them was there (nor
    inside something dropped already)."""
    removed = False
    for index, path in enumerate(paths):
        if any(path[:len(p)] == p for p in dropped):  # another error of what is gone
            removed = True
            continue
        cause = causes[min(index, len(causes) - 1)] if causes else None
        earlier = next((c for p, c in dropped.items() if p[:len(path)] == path), cause)
        if _remove(data, path):
            dropped[path] = earlier
            removed = True
    return removed


def _bad_entries(err: ValidationError) -> list[Path]:
    """The entries to drop for one schema error: the bad value, the unknown keys, or the
    mapping that lacks a required key; inside a list, the whole list."""
    path: Path = tuple(err.absolute_path)
    instance = err.instance
    if "propertyNames" in err.absolute_schema_path:
        paths: list[Path] = [(*path, cast("str | int", instance))]  # a property name
    elif err.validator in ("additionalProperties", "unevaluatedProperties") \
            and isinstance(instance, dict):
        schema = err.schema if isinstance(err.schema, dict) else {}
        allowed = _allowed_properties(schema)
        patterns = list(schema.get("patternProperties", {}))
        paths = [(*path, key) for key in instance
                 if key not in allowed and not _matches_any(key, patterns)]
    else:
        paths = [path]
    return [_outside_lists(p) for p in paths]


def _outside_lists(path: Path) -> Path:
    first_index = next((i for i, part in enumerate(path) if isinstance(part, int)), len(path))
    return path[:first_index]


def _remove(data: dict[str, Any], path: Path) -> bool:
    parent: Any = _lookup(data, path[:-1])
    if isinstance(parent, dict) and path[-1] in parent:
        del parent[path[-1]]
        return True
    return False


def _order(diagnostic: Diagnostic) -> tuple[int, int, str, str]:
    span = diagnostic.span
    return (span.line if span else 0, span.col if span else 0, diagnostic.code,
            diagnostic.message)


class _Explainer:
    """Turns one jsonschema error into diagnostics (several for multi-key errors)."""

    def __init__(self, overlay: Overlay, err: ValidationError) -> None:
        self.overlay = overlay
        self.err = err
        self.path: Path = tuple(err.absolute_path)
        self.where = format_path(self.path)
        self.schema: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
        self.rule: Any = err.validator_value  # the keyword's value: the enum list, the minimum...

    def diagnostics(self) -> list[Diagnostic]:
        if "propertyNames" in self.err.absolute_schema_path:
            return [self._bad_key()]
        handler = _HANDLERS.get(str(self.err.validator), _Explainer._bad_value)
        return handler(self)

    # -- positions -----------------------------------------------------------------------------

    def _value_span(self, path: Path | None = None) -> Span:
        path = self.path if path is None else path
        return self.overlay.value_span(path) or self.overlay.nearest_span(path)

    def _key_span(self, path: Path) -> Span:
        return self.overlay.key_span(path) or self.overlay.nearest_span(path)

    def _mapping_span(self) -> Span:
        """Where to blame something missing from the mapping at self.path: its key, else start."""
        return (self.overlay.key_span(self.path) or self.overlay.value_span(self.path)
                or self.overlay.nearest_span(self.path))

    # -- handlers ------------------------------------------------------------------------------

    def _wrong_type(self) -> list[Diagnostic]:
        expected = _type_phrase(self.rule)
        raw = self.overlay.raw_text(self.path)
        # Show numbers as written: `version: 1.30` was read as 1.3, which would confuse.
        shown = raw if raw and not isinstance(self.err.instance, str | None) else \
            _describe(self.err.instance)
        message = f"{self.where} must be {expected}, not {shown}"
        return [error("ARC160", message, self._value_span(), hint=self._type_hint())]

    def _unknown_properties(self) -> list[Diagnostic]:
        instance = self.err.instance
        if not isinstance(instance, dict):
            return []
        allowed = _allowed_properties(self.schema)
        patterns = list(self.schema.get("patternProperties", {}))
        extras = [k for k in instance if k not in allowed and not _matches_any(k, patterns)]
        place = f"in {self.where}" if self.path else "at the top level"
        return [error("ARC161", f"unknown property '{key}' {place}",
                      self._key_span((*self.path, key)), hint=_did_you_mean(key, allowed))
                for key in extras]

    def _missing(self) -> list[Diagnostic]:
        instance = self.err.instance
        if not isinstance(instance, dict):
            return []
        missing = [name for name in self.rule if name not in instance]
        subject = f"{self.where} is missing" if self.path else "the overlay is missing"
        return [error("ARC162", f"{subject} required property '{name}'", self._mapping_span(),
                      hint=self._missing_hint(name))
                for name in missing]

    def _not_allowed_here(self) -> list[Diagnostic]:
        """`{"not": {}}` in a then-clause: a known property that does not apply here."""
        if self.rule != {} or not self.path or not isinstance(self.path[-1], str):
            return self._bad_value()
        key = self.path[-1]
        message = f"'{key}' {self._discriminator(self.path[:-1])}"
        hint = self.schema.get("errorMessage") or f"remove '{key}'"
        return [error("ARC161", message, self._key_span(self.path), hint=hint)]

    def _bad_key(self) -> Diagnostic:
        key = self.err.instance
        place = f"in {self.where}" if self.path else "at the top level"
        hint = _schema_hint(self.schema) or "rename the key"
        return error("ARC164", f"'{key}' is not a valid key {place}",
                     self._key_span((*self.path, str(key))), hint=hint)

    def _bad_value(self) -> list[Diagnostic]:
        explain = _VALUE_EXPLAINERS.get(str(self.err.validator))
        message, hint = explain(self) if explain else (
            f"{self.where}: {self.err.message}", _schema_hint(self.schema) or "fix the value")
        span = self._value_span(self._offending_item())
        return [error("ARC163", message, span, hint=hint)]

    # -- messages ------------------------------------------------------------------------------

    def _discriminator(self, parent: Path) -> str:
        """Why the property is out of place: the kind or role of its mapping, when it has one."""
        data = _lookup(self.overlay.data, parent)
        for field in ("kind", "role"):
            if field == self.path[-1]:
                continue
            if isinstance(data, dict) and isinstance(data.get(field), str):
                return f"does not apply to {field} '{data[field]}' (at {format_path(parent)})"
        return f"is not allowed in {format_path(parent)}"

    def _type_hint(self) -> str:
        expected = self.rule
        types = [expected] if isinstance(expected, str) else list(expected)
        extra = _schema_hint(self.schema)
        if self.path and isinstance(self.path[-1], int):
            # A list item has no key to build a `key: value` example from.
            hint = f"write {_type_phrase(types)}"
            return f"{hint} ({extra})" if extra else hint
        raw = self.overlay.raw_text(self.path)
        hint = _type_instruction(types, self._label(), raw, self.err.instance, self.schema)
        if self.err.instance is None and extra:
            return f"{hint} ({extra})"
        return hint

    def _missing_hint(self, name: str) -> str:
        if self.schema.get("errorMessage"):
            return str(self.schema["errorMessage"])
        prop = self.schema.get("properties", {}).get(name, {})
        description = _schema_hint(prop) if isinstance(prop, dict) else None
        return f"add '{name}:' here" + (f"; {description}" if description else "")

    def _label(self) -> str:
        """The nearest key name on the path, for examples such as `azs: 3`."""
        return next((p for p in reversed(self.path) if isinstance(p, str)), "value")

    def _offending_item(self) -> Path:
        """For uniqueItems, the second occurrence of the repeated item; else the value itself."""
        instance = self.err.instance
        if self.err.validator == "uniqueItems" and isinstance(instance, list):
            for index, item in enumerate(instance):
                if item in instance[:index]:
                    return (*self.path, index)
        return self.path

    def _enum(self) -> tuple[str, str]:
        allowed = self.rule
        shown = _describe(self.err.instance)
        message = f"{shown} is not a valid {self._label()} (at {self.where})"
        if len(allowed) > LISTED_VALUES:  # the kinds: a list that grows with the catalog
            label = self._label()
            where = ("`archc schema` lists every kind ($defs.kind)" if label == "kind" else
                     f"`archc schema` lists every {label}")
            return message, long_enum_hint(self.err.instance, allowed, where)
        listed = ", ".join(_show(v) for v in allowed)
        guess = _close_match(self.err.instance, allowed)
        prefix = f"did you mean {_show(guess)}? " if guess is not None else ""
        return message, f"{prefix}allowed values: {listed}"

    def _const(self) -> tuple[str, str]:
        const = _show(self.rule)
        return (f"{self.where} must be {const}, not {_describe(self.err.instance)}",
                f"write {self._label()}: {const}")

    def _pattern(self) -> tuple[str, str]:
        return (f"{self.where}: {_describe(self.err.instance)} is not in the expected format",
                _schema_hint(self.schema) or f"it must match {self.rule}")

    def _format(self) -> tuple[str, str]:
        network = _network_of(self.err.instance)
        if self.rule == "ipv4-cidr" and network is not None:
            return (f"{self.where}: {_describe(self.err.instance)} has host bits set",
                    f"a CIDR block names a network; did you mean '{network.with_prefixlen}'?")
        return (f"{self.where}: {_describe(self.err.instance)} is not a valid "
                f"{self.rule}", _schema_hint(self.schema) or "fix the value")

    def _range(self) -> tuple[str, str]:
        words = {"minimum": "at least", "maximum": "at most",
                 "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        bound = words[str(self.err.validator)]
        return (f"{self.where} must be {bound} {self.rule}, "
                f"not {_describe(self.err.instance)}", self._range_hint())

    def _range_hint(self) -> str:
        low, high = self.schema.get("minimum"), self.schema.get("maximum")
        if low is not None and high is not None:
            return f"use a value from {low} to {high}"
        if low is not None:
            return f"use {low} or more"
        if high is not None:
            return f"use {high} or less"
        return _schema_hint(self.schema) or "change the value"

    def _size(self) -> tuple[str, str]:
        validator, limit = str(self.err.validator), self.rule
        units = {"Items": ("item", "items"), "Length": ("character", "characters"),
                 "Properties": ("entry", "entries")}
        one, many = next(u for suffix, u in units.items() if validator.endswith(suffix))
        bound = "at least" if validator.startswith("min") else "at most"
        message = f"{self.where} must have {bound} {limit} {one if limit == 1 else many}"
        if validator == "minLength" and limit == 1:
            message = f"{self.where} must not be empty"
        return message, _schema_hint(self.schema) or "adjust the value"

    def _unique(self) -> tuple[str, str]:
        return (f"{self.where} lists the same value more than once",
                "remove the repeated entry")


_HANDLERS: dict[str, Callable[[_Explainer], list[Diagnostic]]] = {
    "type": _Explainer._wrong_type,
    "additionalProperties": _Explainer._unknown_properties,
    "unevaluatedProperties": _Explainer._unknown_properties,
    "required": _Explainer._missing,
    "not": _Explainer._not_allowed_here,
}

_VALUE_EXPLAINERS: dict[str, Callable[[_Explainer], tuple[str, str]]] = {
    "enum": _Explainer._enum,
    "const": _Explainer._const,
    "pattern": _Explainer._pattern,
    "format": _Explainer._format,
    "minimum": _Explainer._range,
    "maximum": _Explainer._range,
    "exclusiveMinimum": _Explainer._range,
    "exclusiveMaximum": _Explainer._range,
    "minItems": _Explainer._size,
    "maxItems": _Explainer._size,
    "minLength": _Explainer._size,
    "maxLength": _Explainer._size,
    "minProperties": _Explainer._size,
    "maxProperties": _Explainer._size,
    "uniqueItems": _Explainer._unique,
}


# --- helpers ---------------------------------------------------------------------------------

def _allowed_properties(schema: dict[str, Any]) -> set[str]:
    """Property names a mapping may use: its own `properties` plus those of `$ref`'d schemas.

    Properties whose schema is a `{"not": {}}` ban (e.g. `kind` in an environment override) are
    left out, so did-you-mean never suggests them.
    """
    names: set[str] = set()
    seen: set[str] = set()
    while True:
        for name, sub in schema.get("properties", {}).items():
            if not (isinstance(sub, dict) and sub.get("not") == {}):
                names.add(name)
        ref = schema.get("$ref")
        if not isinstance(ref, str) or ref in seen:
            return names
        seen.add(ref)
        schema = _resolve(ref)


def _resolve(ref: str) -> dict[str, Any]:
    """A local `#/...` JSON pointer into the overlay schema (the only kind it uses)."""
    node: Any = _schema()
    for part in ref.removeprefix("#/").split("/"):
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
    return node if isinstance(node, dict) else {}


def _matches_any(key: str, patterns: Iterable[str]) -> bool:
    import re

    return any(re.search(pattern, key) for pattern in patterns)


def _did_you_mean(key: str, allowed: set[str]) -> str:
    guess = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    if guess:
        return f"did you mean '{guess[0]}'?"
    return f"allowed here: {', '.join(sorted(allowed))}" if allowed else f"remove '{key}'"


# An enum longer than this (the kinds, which grow with the catalog) is not listed in a hint:
# the closest values are, and `archc schema` lists them all. So adding a kind changes no
# diagnostic of a spec that does not use it.
LISTED_VALUES = 24


def long_enum_hint(value: object, allowed: Iterable[Any], where: str) -> str:
    """The hint for a value outside a long enum: its closest values (none when nothing is
    close), then `where` the whole list is; no count, which would change with the catalog."""
    texts = {str(v).lower(): v for v in allowed}
    close = difflib.get_close_matches(str(value).lower(), sorted(texts), n=3, cutoff=0.6) \
        if isinstance(value, str) else []
    return f"did you mean {' or '.join(_show(texts[c]) for c in close)}? {where}" if close \
        else where


def _close_match(value: object, allowed: list[Any]) -> object | None:
    if not isinstance(value, str):
        return None
    # Case-insensitive, so TCP suggests tcp.
    texts = {str(v).lower(): v for v in allowed}
    guess = difflib.get_close_matches(value.lower(), list(texts), n=1, cutoff=0.6)
    return texts[guess[0]] if guess else None


def _schema_hint(schema: dict[str, Any]) -> str | None:
    text = schema.get("errorMessage") or schema.get("description")
    return str(text) if text else None


def _lookup(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _type_phrase(expected: str | list[str]) -> str:
    types = [expected] if isinstance(expected, str) else expected
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def _describe(value: object) -> str:
    """How a YAML value reads in a message: the value itself for scalars, its shape otherwise."""
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _show(value)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def _type_instruction(types: list[str], key: str, raw: str | None, instance: object,
                      schema: dict[str, Any]) -> str:
    """What to write instead, in the user's own terms (`version: "1.33"`, `azs: 3`)."""
    if instance is None:
        return f"the value is empty; give {key} {_type_phrase(types)}"
    if "string" in types and raw is not None:
        return f'quote it so YAML keeps it as text: {key}: "{raw}"'
    if types[0] in ("integer", "number"):
        if isinstance(instance, str) and instance.strip().lstrip("-").isdigit():
            return f"remove the quotes: {key}: {instance.strip()}"
        return f"write {_type_phrase(types)}, e.g. {key}: {schema.get('minimum', 1)}"
    if types[0] == "boolean":
        return f"write {key}: true or {key}: false (without quotes)"
    if types[0] == "array":
        item = raw if raw is not None else "..."
        return f"write a list, e.g. {key}: [{item}]"
    if types[0] == "object":
        if schema.get("errorMessage"):
            return str(schema["errorMessage"])
        names = sorted(_allowed_properties(schema))
        inner = ", ".join(f"{n}: ..." for n in names[:3]) if names else "name: value"
        return f"write a mapping, e.g. {key}: {{{inner}}}"
    return f"write {_type_phrase(types)}"
