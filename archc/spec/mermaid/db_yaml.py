"""YAML as mermaid reads it: js-yaml with its JSON schema.

Mermaid loads ``A@{ ... }`` shape data and front matter with ``js-yaml``'s
``JSON_SCHEMA``: only ``true/false`` (three spellings each), ``null``/``~``, plain
integers (``0x``/``0o``/``0b`` too) and floats are typed; ``yes``, ``on``, dates and
``1_000`` stay strings, and a repeated key is an error. PyYAML's safe loader follows
YAML 1.1 instead, so this module gives it mermaid's resolvers. (Known difference: a few
YAML 1.2 flow forms js-yaml accepts, such as a plain scalar starting with ":" in
``{ label: :x }``, are errors here.)
"""

from __future__ import annotations

import math
import re
from typing import Any

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9]+)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class YamlError(ValueError):
    """The YAML text is not valid (mermaid would throw)."""


def _scalar(value: str) -> Any:
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value in ("true", "True", "TRUE")
    if _INT.match(value):
        return _int(value)
    if _FLOAT.match(value):
        return _float(value)
    return value


def _int(value: str) -> int:
    sign = -1 if value[0] == "-" else 1
    body = value.lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if body.startswith(prefix):
            return sign * int(body[2:], base)
    return sign * int(body, 10)


def _float(value: str) -> float:
    low = value.lower()
    sign = -1.0 if low.startswith("-") else 1.0
    body = low.lstrip("+-")
    if body == ".inf":
        return sign * math.inf
    if body == ".nan":
        return math.nan
    return sign * float(body)


def _loader_class() -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader with js-yaml JSON-schema typing and duplicate-key errors."""

    Loader.yaml_implicit_resolvers = {}

    def construct_scalar(loader: Any, node: Any) -> Any:
        if node.style in ("'", '"', "|", ">"):
            return node.value
        return _scalar(node.value)

    def construct_mapping(loader: Any, node: Any) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise YamlError("unhashable mapping key")
            if key in result:
                raise YamlError(f"duplicated mapping key: {key}")
            result[key] = loader.construct_object(value_node, deep=True)
        return result

    Loader.add_constructor("tag:yaml.org,2002:str", construct_scalar)
    Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    return Loader


_LOADER: type | None = None


def load(text: str) -> tuple[bool, Any]:
    """Parse one YAML document. Returns ``(present, value)``; ``present`` is False for an
    empty document (js-yaml's ``undefined``) so it can be told apart from ``null``."""
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader_class()
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return False, None
            return True, loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        parts = [p for p in (exc.context, exc.problem) if p]
        raise YamlError(", ".join(parts) or "not valid YAML") from exc
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).replace("\n", " ")) from exc
