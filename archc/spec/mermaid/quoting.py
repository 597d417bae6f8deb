"""Which labels on a line Mermaid rejects for want of quotes, and their quoted form.

Mermaid's lexer reads ``( ) [ ] { } | "`` inside an unquoted node label, edge label
(``-->|...|``) or subgraph title as syntax (``<``, ``>`` and ``@`` too in a subgraph title).
`line_repairs` finds such labels on one line with a single left-to-right scan (brackets
balanced inside a label; an edge label ends at the first ``|`` after which the line goes on as
an edge target), in time linear in the line's length. `fix` applies the repairs to the lines
the parser rejects; `errors` shows them in its hints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# Characters that end or break an unquoted label in Mermaid's lexer.
LABEL_SYNTAX = frozenset('()[]{}|"')
TITLE_SYNTAX = LABEL_SYNTAX | frozenset("<>@")

# Node shape openers, longest first, and the brackets that close each.
_OPENERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("(((", (")))",)), ("((", ("))",)), ("([", ("])",)), ("(-", ("-)",)), ("(", (")",)),
    ("[[", ("]]",)), ("[(", (")]",)), ("[/", ("/]", "\\]")), ("[\\", ("\\]", "/]")),
    ("[", ("]",)), ("{{", ("}}",)), ("{", ("}",)), (">", ("]",)),
)
_PAIRS = {")": "(", "]": "[", "}": "{"}
_NOT_STATEMENTS = re.compile(
    r"[ \t]*(?:%%|---|end[ \t;]*$|acc(?:Title|Descr)[ \t]*[:{]|(?:classDef|class|style|"
    r"linkStyle|click|direction|flowchart-elk|flowchart|graph)(?:[ \t]|$))")
_SUBGRAPH = re.compile(r"([ \t]*subgraph[ \t]+)(.*?)([ \t]*)$")
_SUBGRAPH_ID = re.compile(r"[^\s\[\](){}|\"<>@;]+[ \t]*(?=\[)")
_LINK = re.compile(r"--|==|-\.|~~~")
_SHAPE = re.compile(r"\w[\[({>]")
_LINK_END = frozenset("->=.ox~")
# inline edge text: what starts it (and what, right after, makes it a link instead) and ends it
_INLINE_OPENERS = {"--": ("-", "x", "o", ">"), "==": ("=", "x", "o", ">"), "-.": (".", "-")}
_INLINE_CLOSERS = {"--": "--", "==": "==", "-.": ".-"}
_INLINE_STARTS = tuple(_INLINE_OPENERS)


@dataclass(frozen=True, slots=True)
class Repair:
    """One label on one line to quote: ``line[start:end]`` becomes ``text``."""

    kind: str  # "node label", "edge label", "subgraph title"
    start: int
    end: int
    text: str
    opener: str = ""
    closer: str = ""


def quoted(content: str) -> str:
    return '"' + content.replace('"', "#quot;") + '"'


def line_repairs(line: str) -> list[Repair]:
    """The unquoted labels on one line (no line break) that hold Mermaid syntax, quoted."""
    if _NOT_STATEMENTS.match(line):
        return []
    sub = _SUBGRAPH.match(line)
    if sub is not None:
        return _subgraph_repairs(line, sub)
    return _Scan(line).repairs()


def _subgraph_repairs(line: str, sub: re.Match[str]) -> list[Repair]:
    start, title = sub.start(2), sub.group(2)
    named = _SUBGRAPH_ID.match(title)
    if named is not None:  # subgraph id[Title (x)] or id [Title (x)]: a node label
        scan = _Scan(line, start + named.end())
        closed = scan._node_label()
        if not closed or line[scan.at:].strip():
            return []
        return [replace(r, kind="subgraph title") for r in scan.found]
    # An unquoted title with a space gets a generated id (subGraphN), as a quoted one does;
    # a one-word title would become the id when quoted, so it is left alone, and so is a
    # title with a bracket after its first word (`subgraph a b [c]`: which part is the id?).
    if title.startswith('"') or ";" in title or "[" in title or not re.search(r"\s", title):
        return []
    if not any(c in TITLE_SYNTAX for c in title):
        return []
    return [Repair("subgraph title", start, sub.end(2), quoted(title), "subgraph ")]


class _Scan:
    """A left-to-right scan of one statement line for unquoted node and edge labels."""

    def __init__(self, line: str, at: int = 0) -> None:
        self.line = line
        self.at = at
        self.found: list[Repair] = []

    def repairs(self) -> list[Repair]:
        line = self.line
        while self.at < len(line):
            c = line[self.at]
            if c == '"':
                if not self._skip_string(self.at):
                    break
            elif line.startswith("@{", self.at):
                if not self._skip_shape_data():
                    break
            elif line.startswith(_INLINE_STARTS, self.at) and self._skip_inline_text():
                continue
            elif c == "|" and self._after_link():
                if not self._edge_label():
                    break
            elif self.at > 0 and _is_id_char(line[self.at - 1]) and c in "([{>":
                if not self._node_label():
                    break
            else:
                self.at += 1
        return self.found

    def _skip_inline_text(self) -> bool:
        """`A -- text --> B`: edge text Mermaid accepts with brackets in it, to its closing
        link (it cannot hold the stroke it opened with); False at a link like `-->`."""
        line, at = self.line, self.at
        opener = line[at:at + 2]
        if line[at + 2:at + 3] in _INLINE_OPENERS[opener]:
            return False
        end = line.find(_INLINE_CLOSERS[opener], at + 2)
        if end == -1:
            return False
        self.at = end
        return True

    def _after_link(self) -> bool:
        i = self.at - 1
        while i >= 0 and self.line[i] in " \t":
            i -= 1
        return i >= 0 and self.line[i] in _LINK_END

    def _skip_string(self, pos: int) -> bool:
        end = self.line.find('"', pos + 1)
        self.at = end + 1
        return end != -1

    def _skip_shape_data(self) -> bool:
        depth, i, line = 0, self.at + 1, self.line
        while i < len(line):
            if line[i] == '"':
                i = line.find('"', i + 1)
                if i == -1:
                    return False
            elif line[i] == "{":
                depth += 1
            elif line[i] == "}":
                depth -= 1
                if depth == 0:
                    self.at = i + 1
                    return True
            i += 1
        return False

    def _node_label(self) -> bool:
        line, pos = self.line, self.at
        opener, closers = next((o, c) for o, c in _OPENERS if line.startswith(o, pos))
        start = pos + len(opener)
        if line[start:].lstrip(" \t").startswith('"'):  # already quoted
            return self._skip_string(line.index('"', start))
        end, closer = _closing(line, start, closers)
        if end < 0:
            return False
        content = line[start:end]
        if content.strip() and any(c in LABEL_SYNTAX for c in content):
            self.found.append(Repair("node label", start, end, quoted(content), opener, closer))
        self.at = end + len(closer)
        return True

    def _edge_label(self) -> bool:
        line, start = self.line, self.at + 1
        if line[start:].lstrip(" \t").startswith('"'):
            return self._skip_string(line.index('"', start))
        end = _edge_label_end(line, start)
        if end < 0:
            return False
        content = line[start:end]
        if any(c in LABEL_SYNTAX for c in content):
            self.found.append(Repair("edge label", start, end, quoted(content), "|", "|"))
        self.at = end + 1
        return True


def _is_id_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _closing(line: str, start: int, closers: tuple[str, ...]) -> tuple[int, str]:
    """Where the label opened before `start` closes, brackets inside it balanced; -1 when it
    does not close on this line or its brackets do not pair up."""
    stack: list[str] = []
    for i in range(start, len(line)):
        c = line[i]
        if not stack:
            for closer in closers:
                if line.startswith(closer, i):
                    return i, closer
        if c in "([{":
            stack.append(c)
        elif c in _PAIRS:
            if not stack or stack.pop() != _PAIRS[c]:
                return -1, ""
    return -1, ""


def _edge_label_end(line: str, start: int) -> int:
    """The `|` that closes an edge label opened before `start`: the first one after which the
    line goes on as an edge target (text, then the end of the line, another link or a node
    shape, which may hold a `|` of its own), so a `|` inside the label (`-->|a | b| B`)
    stays in it; -1 when there is none."""
    pipe = line.find("|", start)
    while pipe != -1:
        following = line.find("|", pipe + 1)
        after = line[pipe + 1:following if following != -1 else len(line)]
        if after.strip(" \t;") and (following == -1 or _LINK.search(after)
                                     or _SHAPE.search(after)):
            return pipe
        pipe = following
    return -1


def apply(line: str, repairs: list[Repair]) -> str:
    for rep in sorted(repairs, key=lambda r: r.start, reverse=True):
        line = line[:rep.start] + rep.text + line[rep.end:]
    return line
