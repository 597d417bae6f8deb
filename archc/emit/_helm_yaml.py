"""YAML text for the Helm emitter: every string quoted, so no overlay value can inject YAML.

`json.dumps` of a string is a valid YAML double-quoted scalar (YAML 1.2 is a superset of
JSON), so labels, taint keys and image names are always inert data, whatever they contain.
Invisible characters (C1 controls, bidi controls: `archc.markup.INVISIBLE`) are escaped too:
YAML forbids most of them raw, and a reviewer must see them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from archc import markup

# A key written bare only when YAML 1.1 and 1.2 both read it as that same string.
_BARE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def key(value: Any) -> str:
    text = str(value)
    if _BARE_KEY.match(text) and text.lower() not in _RESERVED:
        return text
    return scalar(text)


def scalar(value: Any) -> str:
    """One YAML scalar: strings double-quoted (JSON escapes), numbers and booleans bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return markup.escape_json(json.dumps(str(value), ensure_ascii=False))


def block(value: Any, indent: int = 0) -> str:
    """A nested mapping/list as block YAML (keys sorted), indented by `indent` spaces.

    Empty mappings and lists are written inline (``{}``/``[]``) so the key keeps its type.
    The text has no leading indentation on its first line and no trailing newline.
    """
    return "\n".join(_lines(value, indent)).lstrip(" ")


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            return [pad + "{}"]
        out: list[str] = []
        for name in sorted(value, key=str):
            item = value[name]
            if _nested(item):
                out.append(f"{pad}{key(name)}:")
                out += _lines(item, indent + 2)
            else:
                out.append(f"{pad}{key(name)}: {_inline(item)}")
        return out
    if isinstance(value, list | tuple):
        if not value:
            return [pad + "[]"]
        out = []
        for item in value:
            if _nested(item):
                inner = _lines(item, indent + 2)
                out.append(f"{pad}- {inner[0].lstrip(' ')}")
                out += inner[1:]
            else:
                out.append(f"{pad}- {_inline(item)}")
        return out
    return [pad + scalar(value)]


def _nested(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple) and bool(value)


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    return scalar(value)


def value_block(value: Any, indent: int = 0) -> str:
    """Jinja filter: a value after ``key:`` — inline scalar/empty, else a newline + block."""
    if _nested(value):
        return "\n" + "\n".join(_lines(value, indent + 2))
    return " " + _inline(value)


FILTERS = {"yaml_scalar": scalar, "yaml_value": value_block}
