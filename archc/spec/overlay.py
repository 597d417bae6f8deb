"""The YAML overlay front end: text -> plain data plus a source map, with positioned diagnostics.

The file is parsed once with ``yaml.compose`` and the SafeLoader, which builds a node tree but
never constructs objects, so a ``!!python/object`` tag cannot run code: we turn nodes into plain
data ourselves and report any tag we do not understand. Every key and value keeps its span so the
schema check and later stages can blame the exact line (house style b.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archc.diagnostics import Diagnostic, Note, error
from archc.source import (
    YAML_LINE_BREAKS,
    InputRefused,
    NotUtf8,
    SourceFile,
    Span,
    decode_utf8,
    read_input,
)

if TYPE_CHECKING:
    import pathlib
    from collections.abc import Iterator, Mapping

    import yaml

Path = tuple[str | int, ...]

OVERLAY_CODES: dict[str, str] = {
    "ARC150": "YAML syntax error (reported at the parser's problem position)",
    "ARC151": "duplicate key in a mapping (at the second key; a note points at the first)",
    "ARC152": "a mapping key that is not a string (e.g. `on:`, `yes:` or `1:` unquoted)",
    "ARC153": "the overlay is empty or its top level is not a mapping",
    "ARC154": "a YAML tag archc does not load (e.g. !!python/object, !!binary), or an alias loop",
    "ARC155": "the overlay file cannot be read as UTF-8 text, or an escape in it is not a "
              "character",
}

# Tags the SafeLoader's resolver assigns to plain scalars, plus the explicit spellings of the
# same types; anything else (python/*, binary, set, omap, local !tags) is refused.
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_MAP_TAG = _TAG + "map"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SEQ_TAG = _TAG + "seq"
_MERGE_TAG = _TAG + "merge"

# Aliases can make a tiny file expand exponentially ("billion laughs"); an overlay is a few
# hundred nodes, so anything past this is an attack or a mistake.
_MAX_EXPANDED_NODES = 100_000


@dataclass(frozen=True, slots=True)
class SpanEntry:
    """Where one value sits: its key (None for list items and the root) and the value itself."""

    key: Span | None
    value: Span
    raw: str | None = None  # the scalar as written, so hints can quote the user's own text


@dataclass(frozen=True)
class Overlay:
    """The overlay as plain data, plus the spans every later diagnostic is positioned with."""

    data: dict[str, Any]
    file: str
    source_map: Mapping[Path, SpanEntry] = field(default_factory=dict, repr=False, compare=False)

    def value_span(self, path: Path) -> Span | None:
        entry = self.source_map.get(tuple(path))
        return entry.value if entry else None

    def key_span(self, path: Path) -> Span | None:
        entry = self.source_map.get(tuple(path))
        return entry.key if entry else None

    def raw_text(self, path: Path) -> str | None:
        """The scalar at ``path`` exactly as written (``1.10`` stays ``1.10``), if it is one."""
        entry = self.source_map.get(tuple(path))
        return entry.raw if entry else None

    def nearest_span(self, path: Path) -> Span:
        """The value span of ``path``; else the KEY of its closest ancestor that has a span.

        Pointing at the ancestor's key (``dev:``) reads better than at its first child when
        something inside it is missing. The document start is the last resort.
        """
        path = tuple(path)
        for end in range(len(path), -1, -1):
            entry = self.source_map.get(path[:end])
            if entry is not None:
                return entry.value if end == len(path) or entry.key is None else entry.key
        return Span.point(self.file, 1, 1)


def load_overlay(path: pathlib.Path, display_name: str, within: pathlib.Path | None = None
                 ) -> tuple[Overlay | None, SourceFile | None, list[Diagnostic]]:
    """Read and parse an overlay. Never raises on bad input: problems come back as diagnostics.

    The Overlay is None only when nothing usable was read (unreadable, syntax error, empty or
    not a mapping); with smaller problems it is returned so the schema check can add its own.
    `within` is the directory the file must stay in (`read_input`); default: its own.
    """
    from archc.diagnostics import input_refused as refused

    try:
        data = read_input(path, within or path.parent)
    except InputRefused as exc:
        return None, None, [refused(display_name, exc)]
    except OSError as exc:
        return None, None, [_unreadable(display_name, exc)]
    try:
        # Without its BOM, so PyYAML's columns match the text we keep.
        text = decode_utf8(data, display_name, YAML_LINE_BREAKS, strip_bom=True)
    except NotUtf8 as bad:
        return None, None, [error("ARC155", f"cannot read {display_name}: byte "
                                  f"0x{bad.byte:02x} is not valid UTF-8", bad.span,
                                  hint="save the overlay as UTF-8")]
    # Newlines as text mode reads them (CRLF and CR become LF): YAML means the same either
    # way, and the text is what the manifest fingerprints.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = SourceFile(display_name, text, YAML_LINE_BREAKS)
    overlay, diagnostics = parse_overlay(text, display_name)
    return overlay, source, diagnostics


def parse_overlay(text: str, file: str) -> tuple[Overlay | None, list[Diagnostic]]:
    """Parse overlay text already in memory (``load_overlay`` without the file system)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return None, [_syntax_error(exc, file, text)]
    except RecursionError:
        return None, [_too_deep(file)]
    if root is None or _shape(root) != "mapping":
        return None, [_not_a_mapping(root, file)]
    try:
        return _build(root, file)
    except RecursionError:
        return None, [_too_deep(file)]


def _build(root: yaml.Node, file: str) -> tuple[Overlay | None, list[Diagnostic]]:
    if _expanded_size(root, {}, set()) > _MAX_EXPANDED_NODES:
        return None, [error("ARC154", "aliases expand this document to too many values",
                            _node_span(root, file),
                            hint="use fewer nested *aliases; an overlay is usually a few "
                                 "hundred values")]
    builder = _Builder(file)
    data = builder.build(root, (), None)
    # An alias used twice repeats its problems; report each once.
    return Overlay(data, file, builder.source_map), list(dict.fromkeys(builder.diagnostics))


def _too_deep(file: str) -> Diagnostic:
    return error("ARC150", "the YAML is nested too deeply to read", Span.point(file, 1, 1),
                 hint="flatten the structure")


def _unreadable(file: str, exc: OSError) -> Diagnostic:
    reason = getattr(exc, "strerror", None) or str(exc)
    return error("ARC155", f"cannot read {file}: {reason}", None,
                 hint="check that the file exists and is readable")


def _mark_span(file: str, mark: Any, end: Any = None) -> Span:
    """PyYAML marks are 0-based; spans are 1-based with an exclusive end column."""
    if end is None or (end.line, end.column) <= (mark.line, mark.column):
        return Span.point(file, mark.line + 1, mark.column + 1)
    return Span(file, mark.line + 1, mark.column + 1, end.line + 1, end.column + 1)


def _node_span(node: yaml.Node, file: str) -> Span:
    return _mark_span(file, node.start_mark, node.end_mark)


# --- syntax errors ----------------------------------------------------------------------------

# First match wins: PyYAML's problem text -> what the user most likely has to change.
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "YAML does not allow tabs for indentation; indent with spaces"),
    ("expected a single document", "an overlay is one YAML document; remove the extra '---'"),
    ("mapping values are not allowed", "a value that contains ': ' must be quoted, "
                                       "or the line is indented too far"),
    ("could not find expected ':'", "every mapping entry needs 'key: value' "
                                    "(a space after the colon); check the line above too"),
    ("found undefined alias", "define the anchor (&name) before using the alias (*name)"),
    ("found character '@'", "'@' and '`' cannot start a plain value; quote the value"),
    ("found character '`'", "'@' and '`' cannot start a plain value; quote the value"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("expected ',' or ']'", "a [flow list] is not closed or is missing a comma"),
    ("expected ',' or '}'", "a {flow mapping} is not closed or is missing a comma"),
    ("did not find expected key", "the indentation of this line does not match its siblings"),
    ("expected <block end>", "the indentation of this line does not match its siblings"),
    ("found unknown escape character", "in double quotes, write a backslash as \\\\ "
                                       "or use single quotes"),
    ("unacceptable character", "remove the control character (often pasted from a terminal)"),
)


def _syntax_error(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    from yaml.reader import ReaderError

    if isinstance(exc, ReaderError):
        # Raised before any token exists, so it has a text index instead of a mark.
        problem = f"unacceptable character #x{int(exc.character):04x}: {exc.reason}"
        return error("ARC150", f"invalid YAML: {problem}", _index_span(file, text, exc.position),
                     hint=_syntax_hint(problem))
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    span = _mark_span(file, mark) if mark is not None else Span.point(file, 1, 1)
    notes: tuple[Note, ...] = ()
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        notes = (Note(context, _mark_span(file, context_mark)),)
    hint = _syntax_hint(f"{problem} {context or ''}")
    if context and problem.startswith("but "):  # "expected a single document ... but found ..."
        problem = f"{context} {problem}"
    return error("ARC150", f"invalid YAML: {problem}", span, hint=hint, notes=notes)


def _syntax_hint(problem: str) -> str:
    return next((hint for needle, hint in _SYNTAX_HINTS if needle in problem),
                "check the indentation and quoting at and just before this position")


def _index_span(file: str, text: str, index: int) -> Span:
    before = text[:index]
    line = before.count("\n") + 1
    return Span.point(file, line, index - (before.rfind("\n") + 1) + 1)


def _not_a_mapping(root: yaml.Node | None, file: str) -> Diagnostic:
    hint = "start with the required keys, e.g.\nversion: 1\nproject: my-project"
    if root is None:
        return error("ARC153", "the overlay is empty", Span.point(file, 1, 1), hint=hint)
    what = "a list" if _shape(root) == "sequence" else "a single value"
    return error("ARC153", f"the overlay must be a mapping of keys to values, not {what}",
                 _node_span(root, file), hint=hint)


# --- building plain data ----------------------------------------------------------------------

def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
    """How many values the tree has once aliases are expanded (shared nodes counted per use)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:  # an alias loop; _Builder reports it, count it once here
        return 1
    active.add(key)
    total = 1 + sum(_expanded_size(child, memo, active) for child in _children(node))
    active.discard(key)
    memo[key] = min(total, _MAX_EXPANDED_NODES + 1)
    return memo[key]


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if _shape(node) == "sequence":
        yield from node.value
    elif _shape(node) == "mapping":
        for key, value in node.value:
            yield key
            yield value


class _Builder:
    """Turns a composed node tree into plain data, recording spans and problems as it goes."""

    def __init__(self, file: str) -> None:
        import yaml

        self.file = file
        self.source_map: dict[Path, SpanEntry] = {}
        self.diagnostics: list[Diagnostic] = []
        self._constructor = yaml.constructor.SafeConstructor()
        self._active: set[int] = set()  # nodes on the current walk: an alias back to one loops

    def build(self, node: yaml.Node, path: Path, key_span: Span | None) -> Any:
        raw = node.value if _shape(node) == "scalar" else None
        if raw is not None:
            self._check_text(node)
        self.source_map[path] = SpanEntry(key_span, _node_span(node, self.file), raw)
        if id(node) in self._active:
            self._report("ARC154", "this alias refers to a value that contains it", node,
                         "YAML aliases must not loop back into themselves")
            return None
        self._active.add(id(node))
        try:
            return self._build_node(node, path)
        finally:
            self._active.discard(id(node))

    def _build_node(self, node: yaml.Node, path: Path) -> Any:
        if _shape(node) == "mapping":
            self._check_tag(node, _MAP_TAG)
            return self._mapping(node, path)
        if _shape(node) == "sequence":
            self._check_tag(node, _SEQ_TAG)
            return [self.build(item, (*path, i), None) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        # Unknown tags are reported and then ignored, so the content still gets checked.
        if node.tag != expected:
            self._bad_tag(node)

    def _bad_tag(self, node: yaml.Node) -> None:
        self._report("ARC154", f"the YAML tag {_short_tag(node.tag)} is not supported",
                     node, "an overlay holds plain text, numbers, booleans, lists and mappings; "
                           "remove the tag")

    def _scalar(self, node: yaml.Node) -> Any:
        import yaml

        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node)
            return node.value
        if node.tag in (_TAG + "str", _TAG + "timestamp"):
            # Dates stay text: the overlay is JSON-shaped data and nothing in it is a date.
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, KeyError, yaml.YAMLError):
            # Only reachable with an explicit tag (`!!int abc`); implicit ones always parse.
            self._report("ARC154", f"'{node.value}' cannot be read as {_short_tag(node.tag)}",
                         node, "remove the tag or fix the value")
            return node.value

    def _mapping(self, node: yaml.Node, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Span] = {}
        for key_node, value_node in _MergeExpander(self).pairs(node):
            key = self._key(key_node)
            if key is None:
                continue
            key_span = _node_span(key_node, self.file)
            if key in first_seen:
                self._duplicate(key, key_span, first_seen[key], path)
            first_seen[key] = key_span
            result.pop(key, None)  # keep the YAML order of the winning (last) occurrence
            result[key] = self.build(value_node, (*path, key), key_span)
        return result

    def _key(self, node: yaml.Node) -> str | None:
        if _shape(node) != "scalar":
            self._report("ARC152", "a mapping key must be plain text, not a list or mapping",
                         node, "use a text key")
            return None
        self._check_text(node)
        if node.tag == _TAG + "str":
            return str(node.value)
        # YAML 1.1 reads on/yes/no/1/null as booleans, numbers or null; keep the text so the
        # rest of the file still gets checked, but it is an error.
        shown = f"'{node.value}'" if node.value else "an empty key"
        self._report("ARC152", f"the key {shown} is read as {_type_word(node.tag)}, not text",
                     node, f'quote it: "{node.value}":')
        return str(node.value)

    def _check_text(self, node: yaml.Node) -> None:
        # A `\ud800` escape decodes to half a surrogate pair (PyYAML does not join `\ud83d
        # \ude00` either): not a character, so it cannot be written to any UTF-8 output.
        bad = _LONE_SURROGATE.search(node.value)
        if bad is not None:
            self._report("ARC155", f"this string holds U+{ord(bad.group()):04X}, half of a "
                         "surrogate pair, which is not a character", node,
                         "write the character itself, or escape it as \\UXXXXXXXX "
                         "(e.g. \\U0001F600)")

    def _duplicate(self, key: str, span: Span, first: Span, path: Path) -> None:
        where = f" in {format_path(path)}" if path else ""
        self.diagnostics.append(error(
            "ARC151", f"duplicate key '{key}'{where}", span,
            hint="YAML would silently keep only the last one; remove or rename one of them",
            notes=(Note(f"'{key}' is first defined here", first),)))

    def _report(self, code: str, message: str, node: yaml.Node, hint: str) -> None:
        self.diagnostics.append(error(code, message, _node_span(node, self.file), hint=hint))


class _MergeExpander:
    """YAML merge keys (`<<: *defaults`), resolved the way PyYAML's SafeLoader does.

    Merged entries come first, so explicit keys override them without counting as duplicates;
    among several merged mappings the first one listed wins.
    """

    def __init__(self, builder: _Builder) -> None:
        self._builder = builder
        self._merging: set[int] = set()  # mappings being expanded: a merge back into one loops

    def pairs(self, node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        self._merging.add(id(node))
        try:
            merged, explicit = self._split(node)
        finally:
            self._merging.discard(id(node))
        explicit_keys = {_scalar_text(k) for k, _ in explicit} - {None}
        kept, seen = [], set(explicit_keys)
        for key_node, value_node in merged:
            name = _scalar_text(key_node)
            if name is None or name not in seen:
                kept.append((key_node, value_node))
                seen.add(name)
        return kept + explicit

    def _split(self, node: yaml.Node) -> tuple[list[tuple[yaml.Node, yaml.Node]],
                                                      list[tuple[yaml.Node, yaml.Node]]]:
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                explicit.append((key_node, value_node))
                continue
            sources = value_node.value if _shape(value_node) == "sequence" else [value_node]
            for source in sources:
                merged.extend(self._merge_source(source))
        return merged, explicit

    def _merge_source(self, source: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        loops = id(source) in self._merging or id(source) in self._builder._active
        if _shape(source) == "mapping" and not loops:
            return self.pairs(source)
        self._builder._report("ARC154", "'<<' can only merge mappings that do not contain it",
                              source, "write '<<: *anchor' where &anchor names another mapping")
        return []


def _shape(node: yaml.Node) -> str:
    """"scalar", "sequence" or "mapping" (PyYAML's node ids; no isinstance, so no import)."""
    return str(getattr(node, "id", ""))


def _scalar_text(node: yaml.Node) -> str | None:
    return str(node.value) if _shape(node) == "scalar" else None


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _type_word(tag: str) -> str:
    return {
        _TAG + "bool": "a boolean", _TAG + "int": "a number", _TAG + "float": "a number",
        _TAG + "null": "null", _TAG + "timestamp": "a date",
    }.get(tag, _short_tag(tag))


def format_path(path: Path) -> str:
    """`environments.dev.azs`, `flows["GitLab -> Jenkins"].ports[0]`: how messages name a place."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "a").replace("-", "a").isalnum() and part[:1].isalpha():
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "the top level"
