"""What mermaid does to the text before its flowchart parser sees it, with a position map.

Mermaid 12.3.0, in order: CRLF -> LF and ``<tag a="x">`` -> ``<tag a='x'>``
(``cleanupText``); YAML front matter removed (``extractFrontMatter``); ``%%{...}%%``
directives removed (``removeDirectives``); whole-line ``%%`` comments removed and the text
left-trimmed (``cleanupComments``); diagram type detection (``detectType``); then
``encodeEntities`` (``#quot;`` -> private placeholder, and a stray ``;`` dropped from
``style``/``classDef`` lines with ``#``), a ``"\\n"`` appended, and ``}\\s*\\n`` -> ``}\\n``
(``flowParser.parse``).

Every step is replayed exactly, and every step that changes the text records where its
output came from, so a token offset in the parsed text maps back to a line and column of
the file the user wrote.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from archc.spec.mermaid.lex_rules import NOT_S, S

_JS_WS = re.compile(f"{S}")
_LINE_START = "(?:\\A|(?<=[\\n\\r\\u2028\\u2029]))"  # JS `^` with the m flag
_HTML_TAG = re.compile(r"<(\w+)([^>]*)>", re.ASCII)
_HTML_ATTR = re.compile(r'="([^"]*)"')
_DIRECTIVE = re.compile(
    f"%%\\{{{S}*(?:(\\w+){S}*:|(\\w+)){S}*(?:(\\w+)|((?:(?!\\}}%%)[^\\n\\r\\u2028\\u2029]|\\r?\\n)*))?"
    f"{S}*(?:\\}}%%)?",
    re.ASCII | re.IGNORECASE,
)
_COMMENT = re.compile(f"{_LINE_START}{S}*%%(?!\\{{)[^\\n]+\\n?")
# The same with `^`: Python's multi-line `^` only follows "\n", JS's also "\r", U+2028 and
# U+2029, so this faster form is used when the text has none of those.
_COMMENT_LF = re.compile(f"^{S}*%%(?!\\{{)[^\\n]+\\n?", re.MULTILINE)
_STYLE_SEMI = re.compile(f"style[^\\n\\r\\u2028\\u2029]*:{NOT_S}*#[^\\n\\r\\u2028\\u2029]*;")
_CLASSDEF_SEMI = re.compile(f"classDef[^\\n\\r\\u2028\\u2029]*:{NOT_S}*#[^\\n\\r\\u2028\\u2029]*;")
_ENTITY = re.compile(r"#\w+;", re.ASCII)
_BRACE_NL = re.compile(f"\\}}{S}*\\n")
_PLACEHOLDER_NUM = re.compile("\ufb02\u00b0\u00b0(\\+?\\d+)\u00b6\u00df", re.ASCII)
_PLACEHOLDER_NAME = re.compile("\ufb02\u00b0(\\w+)\u00b6\u00df", re.ASCII)
_NUMERIC = re.compile(r"\+?\d+")
_ANY_COMMENT = re.compile(f"{S}*%%[^\\n]*(?=\\n)")

# Diagram detectors mermaid tries before the flowchart one and that could claim a text
# whose first word is graph/flowchart (the C4 detector's regex is unanchored).
_C4_DETECTOR = re.compile(f"\\A{S}*C4Context|C4Container|C4Component|C4Dynamic|C4Deployment")
_FLOWCHART_DETECTOR = re.compile(f"\\A{S}*(graph|flowchart)")
_ELK_DETECTOR = re.compile(f"\\A{S}*flowchart-elk")


@dataclass(slots=True)
class PosMap:
    """Maps offsets of a derived text back to the text it was derived from.

    Piecewise linear: offset ``x >= starts[i]`` maps to ``bases[i] + (x - starts[i])``.
    """

    starts: list[int] = field(default_factory=lambda: [0])
    bases: list[int] = field(default_factory=lambda: [0])

    def __call__(self, offset: int) -> int:
        i = bisect_right(self.starts, offset) - 1
        return self.bases[i] + (offset - self.starts[i])

    @property
    def identity(self) -> bool:
        return len(self.starts) == 1 and self.bases[0] == 0


def compose(maps: list[PosMap]) -> PosMap:
    """One map equal to applying ``maps`` last to first (each maps a text to the one
    before it). Every map is piecewise linear with slope 1, so the composite is too; its
    breakpoints are the preimages of every map's breakpoints."""
    result = PosMap()
    for pmap in maps:  # result: current text -> original; extend it by one more step
        if pmap.identity:
            continue
        points = set(pmap.starts)
        for start in result.starts:
            points.update(_preimages(pmap, start))
        starts = sorted(p for p in points if p >= 0)
        result = PosMap(starts, [result(pmap(x)) for x in starts])
    return result


def _preimages(pmap: PosMap, target: int) -> list[int]:
    """Offsets ``x`` (segment starts excluded) with ``pmap(x) == target``."""
    found = []
    bounds = pmap.starts[1:] + [None]
    for start, base, nxt in zip(pmap.starts, pmap.bases, bounds, strict=True):
        x = start + (target - base)
        if x >= start and (nxt is None or x < nxt):
            found.append(x)
    return found


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, PosMap]:
    """Apply sorted, non-overlapping ``(start, end, replacement)`` edits."""
    if not edits:
        return text, PosMap()
    out: list[str] = []
    pmap = PosMap()
    prev = 0
    new_len = 0
    for start, end, repl in edits:
        out.append(text[prev:start])
        new_len += start - prev
        out.append(repl)
        pmap.starts.append(new_len)
        pmap.bases.append(start)
        new_len += len(repl)
        pmap.starts.append(new_len)
        pmap.bases.append(end)
        prev = end
    out.append(text[prev:])
    return "".join(out), pmap


def sub_with_map(regex: re.Pattern[str], repl, text: str) -> tuple[str, PosMap]:  # type: ignore[no-untyped-def]
    """``regex.sub`` that also returns the position map (unchanged matches cost nothing)."""
    edits = []
    for m in regex.finditer(text):
        new = repl(m) if callable(repl) else repl
        if new != m.group():
            edits.append((m.start(), m.end(), new))
    return apply_edits(text, edits)


# JavaScript's whitespace (String.prototype.trim, \s): not quite Python's str.isspace.
JS_WS_CHARS = ("\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")


def js_trim_start(text: str) -> str:
    return text.lstrip(JS_WS_CHARS)


def js_trim(text: str) -> str:
    return text.strip(JS_WS_CHARS)


def undo_entities(text: str) -> str:
    """Placeholders back to the source form (``#quot;``), as the oracle reports labels."""
    if "\ufb02" not in text:
        return text
    text = _PLACEHOLDER_NUM.sub(lambda m: f"#{m.group(1)};", text)
    return _PLACEHOLDER_NAME.sub(lambda m: f"#{m.group(1)};", text)


@dataclass(slots=True)
class FrontMatter:
    length: int
    body: str
    indent: str


def match_front_matter(text: str) -> FrontMatter | None:
    """Mermaid's ``matchFrontMatter``: ``---`` fences, optionally indented alike."""
    cursor = 0
    while cursor < len(text) and text[cursor] not in "\n\r" and _JS_WS.match(text, cursor):
        cursor += 1
    indent = text[:cursor]
    if not text.startswith("---", cursor):
        return None
    opening_ends = _line_breaks_in_ws_run(text, cursor + 3)
    if not opening_ends:
        return None
    fence = f"{indent}---"
    last_close = -1
    for i in range(opening_ends[0] + 1, len(text)):
        if _closing_end(text, i, fence) != -1:
            last_close = i
    if last_close == -1:
        return None
    opening_end = opening_ends[0]
    for cand in opening_ends:
        if cand < last_close:
            opening_end = cand
    body_start = opening_end + 1
    for i in range(body_start, last_close + 1):
        end = _closing_end(text, i, fence)
        if end != -1:
            return FrontMatter(end + 1, text[body_start:i], indent)
    return None


def _line_breaks_in_ws_run(text: str, start: int) -> list[int]:
    breaks = []
    i = start
    while i < len(text) and _JS_WS.match(text, i):
        if text[i] in "\n\r":
            breaks.append(i)
        i += 1
    return breaks


def _closing_end(text: str, i: int, fence: str) -> int:
    if text[i] not in "\n\r" or not text.startswith(fence, i + 1):
        return -1
    breaks = _line_breaks_in_ws_run(text, i + 1 + len(fence))
    return breaks[-1] if breaks else -1


def _strip_any_comments(text: str) -> str:
    """Mermaid's ``stripAnyComments`` (detection only): ``%%`` to end of line, anywhere."""
    return _ANY_COMMENT.sub("", text)


def _head(text: str) -> str:
    """The start of ``text`` as ``stripAnyComments`` leaves it, up to the first line with
    content: all that the anchored detectors (``^\\s*flowchart``...) look at."""
    out = []
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        line = text[pos:nl if nl != -1 else len(text)]
        cut = line.find("%%")
        if cut != -1 and nl != -1:
            line = line[:cut]
        out.append(line + "\n")
        if js_trim(line) or nl == -1:
            break
        pos = nl + 1
    return "".join(out)


def detect_type(text: str) -> str | None:
    """Mermaid's ``detectType`` restricted to what matters here; None = not a flowchart."""
    fm = match_front_matter(text)
    if fm:
        text = text[fm.length:]
    if "%%{" in text:
        text = _DIRECTIVE.sub("", text)
    head = _head(text)
    if _ELK_DETECTOR.match(head):
        return "flowchart-elk"
    if "C4" in text and _C4_DETECTOR.search(_strip_any_comments(text)):
        return None
    if _FLOWCHART_DETECTOR.match(head):
        return "flowchart-v2"
    return None


@dataclass(slots=True)
class Prepared:
    """The text the parser sees, where it came from, and what the header decided."""

    text: str
    maps: list[PosMap]  # applied last to first: final offset -> original offset
    diagram_type: str | None
    detect_text: str  # cleaned text as given to the detector (for diagnostics)
    front_matter: str | None
    front_matter_error: str | None
    directives: list[str]
    title: str | None = None

    def to_original(self, offset: int) -> int:
        for pmap in reversed(self.maps):
            offset = pmap(offset)
        return offset


def _cleanup_text(text: str) -> tuple[str, PosMap]:
    text, pmap = sub_with_map(re.compile(r"\r\n?"), "\n", text)

    def attrs(m: re.Match[str]) -> str:
        quoted = _HTML_ATTR.sub(lambda a: "='" + a.group(1) + "'", m.group(2))
        return "<" + m.group(1) + quoted + ">"

    if "<" in text:
        text = _HTML_TAG.sub(attrs, text)  # same length: no map needed
    return text, pmap


def _remove_comments(text: str) -> tuple[str, list[PosMap]]:
    pmap = PosMap()
    if "%%" in text:
        slow = "\r" in text or "\u2028" in text or "\u2029" in text
        text, pmap = sub_with_map(_COMMENT if slow else _COMMENT_LF, "", text)
    trimmed = js_trim_start(text)
    return trimmed, [pmap, PosMap([0], [len(text) - len(trimmed)])]


def _entity_placeholder(m: re.Match[str]) -> str:
    inner = m.group()[1:-1]
    if _NUMERIC.fullmatch(inner):
        return "\ufb02\u00b0\u00b0" + inner + "\u00b6\u00df"
    return "\ufb02\u00b0" + inner + "\u00b6\u00df"


def _encode_entities(text: str) -> tuple[str, list[PosMap]]:
    maps = []
    if "style" in text:
        text, pmap = sub_with_map(_STYLE_SEMI, lambda m: m.group()[:-1], text)
        maps.append(pmap)
    if "classDef" in text:
        text, pmap = sub_with_map(_CLASSDEF_SEMI, lambda m: m.group()[:-1], text)
        maps.append(pmap)
    if "#" in text:
        text, pmap = sub_with_map(_ENTITY, _entity_placeholder, text)
        maps.append(pmap)
    return text, maps


def prepare(text: str) -> Prepared:
    """Run mermaid's preprocessing; the result says whether this is a flowchart at all."""
    maps: list[PosMap] = []
    text, pmap = _cleanup_text(text)
    maps.append(pmap)
    fm = match_front_matter(text)
    fm_body = fm_error = None
    if fm is not None:
        fm_body = _dedent(fm.body, fm.indent)
        maps.append(PosMap([0], [fm.length]))
        text = text[fm.length:]
    directives = [m.group() for m in _DIRECTIVE.finditer(text)] if "%%{" in text else []
    if directives:
        text, pmap = sub_with_map(_DIRECTIVE, "", text)
        maps.append(pmap)
    text, step_maps = _remove_comments(text)
    maps.extend(step_maps)
    detect_text = text
    diagram_type = detect_type(text)
    text, step_maps = _encode_entities(text)
    maps.extend(step_maps)
    text += "\n"
    if "}" in text:
        text, pmap = sub_with_map(_BRACE_NL, "}\n", text)
        maps.append(pmap)
    maps = [m for m in maps if not m.identity]
    return Prepared(text, maps, diagram_type, detect_text, fm_body, fm_error, directives)


def _dedent(body: str, indent: str) -> str:
    if not indent:
        return body
    return "\n".join(ln[len(indent):] if ln.startswith(indent) else ln for ln in body.split("\n"))


def directive_inherit_dir(directives: list[str]) -> bool | None:
    """``flowchart.inheritDir`` from ``%%{init: ...}%%`` directives (last one wins)."""
    found: bool | None = None
    for raw in directives:
        m = _DIRECTIVE.match(raw.replace("'", '"'))
        if not m or (m.group(1) or m.group(2) or "").lower() not in ("init", "initialize"):
            continue
        try:
            args = json.loads((m.group(4) or "").strip())
        except ValueError:
            continue
        if not isinstance(args, dict):
            continue
        for key in ("flowchart", "config"):
            section = args.get(key)
            if isinstance(section, dict) and "inheritDir" in section:
                found = js_truthy(section["inheritDir"])
    return found


def js_truthy(value: object) -> bool:
    if isinstance(value, float) and value != value:
        return False
    return value not in (None, False, 0, "")
