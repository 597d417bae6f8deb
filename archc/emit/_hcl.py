"""HCL literal rendering for the Terraform templates (escaping, values, aligned attributes)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from archc import markup
from archc.emit.output import TF_ADDRESS

__all__ = [
    "FILTERS",
    "HclExpr",
    "hcl_address",
    "hcl_attrs",
    "hcl_comment",
    "hcl_expr",
    "hcl_fragment",
    "hcl_key",
    "hcl_string",
    "hcl_value",
]

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Bare words that would be read as keywords/literals, not as an object key name.
_RESERVED_KEYS = frozenset({"true", "false", "null", "for", "in", "if", "endfor", "endif", "else"})
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INDENT = "  "


class HclExpr(str):
    """A string that is already an HCL expression (e.g. ``var.name``) and is emitted verbatim."""

    __slots__ = ()


def hcl_expr(text: str) -> HclExpr:
    """Mark ``text`` as a raw HCL expression (templates only; never for user labels)."""
    return HclExpr(text)


def hcl_address(text: str) -> HclExpr:
    """A resource or module address (`aws_security_group.web`, `module.ec2_web`), checked
    against `TF_ADDRESS`: anything else (a quote, a brace, a newline) fails the render."""
    if not isinstance(text, str) or not TF_ADDRESS.fullmatch(text):
        raise ValueError(f"not a Terraform address: {text!r}")
    return HclExpr(text)


# Characters `_escape_char` changes; everything else is copied as is (the common case).
_NEEDS_ESCAPE = re.compile("[\\\\\"" + markup.NOT_ONE_LINE.pattern[1:])


def _escape_char(ch: str) -> str:
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    return f"\\u{ord(ch):04X}"  # markup.INVISIBLE: control, bidi and separator characters


def hcl_string(value: str) -> str:
    """Return ``value`` as a quoted HCL string literal that evaluates to exactly ``value``.

    Backslash, double quote and control characters are escaped; the template
    sequences ``${`` and ``%{`` are doubled (``$${``, ``%%{``) so a label can never
    start an interpolation or directive.
    """
    if not isinstance(value, str):
        raise TypeError(f"hcl_string expects str, got {type(value).__name__}")
    body = _NEEDS_ESCAPE.sub(lambda m: _escape_char(m.group()), value)
    body = body.replace("${", "$${").replace("%{", "%%{")
    return f'"{body}"'


def hcl_fragment(value: str) -> str:
    """Escape ``value`` for splicing into a quoted template next to interpolations.

    ``"${var.name}-{{ x | hcl_fragment }}"`` or ``"{{ x | hcl_fragment }}.${var.zone}"``:
    the text is escaped like :func:`hcl_string` without the quotes, and a trailing
    run of ``$`` is moved into an interpolation (``${"$$"}``) so it cannot fuse
    with a following ``${`` into the ``$${`` escape.
    """
    body = hcl_string(value)[1:-1]
    stripped = body.rstrip("$")
    if len(stripped) != len(body):
        body = stripped + '${"' + "$" * (len(body) - len(stripped)) + '"}'
    return body


def hcl_key(key: str) -> str:
    """Render an object key: bare identifier when safe, otherwise a quoted string."""
    if not isinstance(key, str):
        raise TypeError(f"object keys must be str, got {type(key).__name__}")
    if _IDENT_RE.match(key) and key not in _RESERVED_KEYS:
        return key
    return hcl_string(key)


def hcl_comment(text: str) -> str:
    """Flatten ``text`` for use inside a ``#`` comment: one line, invisible characters shown
    as their escape (`archc.markup.one_line`)."""
    return markup.one_line(str(text))


def _number(v: int | float) -> str:
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        raise ValueError(f"HCL has no literal for {v!r}")
    if v.is_integer():
        return str(int(v))
    return repr(v)


def _is_multiline(text: str) -> bool:
    return "\n" in text


def hcl_value(v: Any, indent: int = 0) -> str:
    """Render a Python value as an HCL expression.

    ``indent`` is the nesting level (two spaces each) of the line the value
    starts on; nested lines are indented one level deeper, closing brackets at
    ``indent``. Dict keys are sorted; output matches ``terraform fmt``.
    """
    if isinstance(v, HclExpr):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _number(v)
    if isinstance(v, str):
        return hcl_string(v)
    if isinstance(v, Mapping):
        return _render_map(v, indent)
    if isinstance(v, (list, tuple)):
        return _render_list(v, indent)
    raise TypeError(f"cannot render {type(v).__name__} as HCL")


def _render_list(items: Iterable[Any], indent: int) -> str:
    rendered = [hcl_value(item, indent + 1) for item in items]
    if not rendered:
        return "[]"
    if not any(_is_multiline(r) for r in rendered):
        return "[" + ", ".join(rendered) + "]"
    pad = _INDENT * (indent + 1)
    lines = [f"{pad}{r}," for r in rendered]
    return "[\n" + "\n".join(lines) + "\n" + _INDENT * indent + "]"


def _render_map(mapping: Mapping[Any, Any], indent: int) -> str:
    if not mapping:
        return "{}"
    pairs = [(hcl_key(k), mapping[k]) for k in sorted(mapping)]
    body = hcl_attrs(pairs, indent + 1)
    return "{\n" + body + _INDENT * indent + "}"


def hcl_attrs(items: Mapping[str, Any] | Iterable[tuple[str, Any]], indent: int = 0) -> str:
    """Render ``key = value`` lines aligned the way ``terraform fmt`` aligns them.

    ``items`` is a mapping (rendered in sorted key order) or a sequence of
    ``(key, value)`` pairs (rendered in the given order; keys used verbatim, so
    they must already be valid attribute names). Values go through
    :func:`hcl_value`; :class:`HclExpr` values are emitted verbatim. Runs of
    single-line attributes share one ``=`` column; an attribute whose value
    spans several lines stands alone and ends the run. Every line, including
    the last, ends with a newline.
    """
    if isinstance(items, Mapping):
        pairs = [(hcl_key(k), items[k]) for k in sorted(items)]
    else:
        pairs = [(str(k), val) for k, val in items]
    pad = _INDENT * indent
    rendered = [(k, hcl_value(val, indent)) for k, val in pairs]
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        out.extend(f"{pad}{k.ljust(width)} = {text}\n" for k, text in run)
        run.clear()

    for key, text in rendered:
        if _is_multiline(text):
            flush()
            out.append(f"{pad}{key} = {text}\n")
        else:
            run.append((key, text))
    flush()
    return "".join(out)


FILTERS = {
    "hcl": hcl_string,
    "hcl_address": hcl_address,
    "hcl_attrs": hcl_attrs,
    "hcl_comment": hcl_comment,
    "hcl_expr": hcl_expr,
    "hcl_fragment": hcl_fragment,
    "hcl_key": hcl_key,
    "hcl_value": hcl_value,
}
"""Jinja filters the Terraform templates use (register all of them on the environment)."""
