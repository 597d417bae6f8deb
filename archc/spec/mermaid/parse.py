"""Mermaid flowchart front end: text -> :class:`Flowchart`, with mermaid's own semantics.

Pipeline (each step replays mermaid 12.3.0; the oracle in shared/oracle/mermaid is the
reference, see its README for the quirks):

    text --preprocess--> preprocessed text (+ position map, diagram type)
         --lexer------> jison's tokens, runs of them joined into coarse tokens
                             (lex_tokens) and common lines into one STMT token
                             (lex_fast)
         --grammar.lark (LALR, lark)--> actions (the transformer)
         --db (FlowDB)--> build --> Flowchart (every element with a
                                                     Span in the original file)

The coarse tokens and the fast path only save work: with ``LexRun.fast = False`` the
parser gets jison's exact tokens and produces the same result (tested on every fixture).

Error recovery is line-based: on a syntax error the offending line is reported, blanked
out (offsets preserved) and the text parsed again, so independent problems on other lines
are all reported; a parse is cheap and only failing inputs pay for it. lark's
interactive ``on_error`` recovery was not used because after an error inside a
construct (an unclosed bracket, a link) the LALR stack would have to be unwound to a
statement boundary by hand, while re-parsing gives exactly mermaid's behaviour for the
rest of the file. Semantic problems (unknown ``@{ shape }``, ``linkStyle`` out of range,
``subgraph`` without id) do not stop the parse and are all collected.

The lark parser is built once, lazily; lark itself is imported only then, so importing
this module stays cheap.
"""

from __future__ import annotations

import functools
import gc
import re
import threading
from bisect import bisect_right
from pathlib import Path
from typing import Any

from archc.diagnostics import Diagnostic, error
from archc.source import InputRefused, NotUtf8, SourceFile, Span, decode_utf8, read_input
from archc.spec.flowchart import Flowchart

# Refusals that end the parse: the rest of the text is not read into a chart.
LIMIT_CODES = frozenset({"ARC122", "ARC123"})

MERMAID_CODES: dict[str, str] = {
    "ARC101": "syntax error",
    "ARC102": "missing flowchart header (the text does not start with `flowchart`/`graph`)",
    "ARC103": "malformed or wrongly capitalised flowchart header",
    "ARC104": "not a flowchart (another Mermaid diagram type)",
    "ARC105": "unclosed bracket or quote",
    "ARC106": "subgraph without a closing `end`",
    "ARC107": "unknown arrow/link syntax",
    "ARC108": "`end` used as a node id",
    "ARC109": "`subgraph` without an id or title",
    "ARC110": "`%%` comment after a statement (comments must be on their own line)",
    "ARC111": "unknown `@{ shape: ... }` name",
    "ARC112": "`linkStyle` index out of range",
    "ARC113": "invalid `@{ ... }` shape data (not YAML key/value pairs)",
    "ARC114": "character not allowed in a node id",
    "ARC115": "unknown direction in the header",
    "ARC116": "invalid YAML front matter",
    "ARC117": "inline edge text not closed, or containing `--`",
    "ARC118": "double quote inside a quoted label",
    "ARC119": "bracket inside an unquoted label",
    "ARC120": "keyword used as a node id",
    "ARC121": "`end` without a matching `subgraph`",
    "ARC122": "subgraphs nested more than 250 levels deep",
    "ARC123": "more than 100,000 nodes or edges",
    "ARC146": "Markdown file without a ```mermaid flowchart block",
    "ARC147": "file cannot be read",
    "ARC148": "file is not valid UTF-8",
    "ARC149": "internal error in the Mermaid front end",
}

_MAX_RECOVERIES = 25
_LOCK = threading.Lock()  # the lark callbacks share one Actions object


_GRAMMAR = Path(__file__).with_name("grammar.lark")


@functools.cache
def _parser() -> tuple[Any, Any]:
    """Build the LALR parser once. The Actions object is the transformer: lark calls it
    at each reduction, so no parse tree is ever built. The LALR tables are cached (see
    :func:`_cache_file`): building them is most of the start-up time of `archc parse`."""
    from lark import Lark

    from archc.spec.mermaid.actions import Actions
    from archc.spec.mermaid.lex_lark import MermaidLexer

    grammar = _GRAMMAR.read_text(encoding="utf-8")
    cache = _cache_file(grammar)
    actions = Actions()
    parser = Lark(grammar, parser="lalr", lexer=MermaidLexer, transformer=actions,
                  propagate_positions=True, maybe_placeholders=False,
                  cache=str(cache) if cache is not None else False)
    return parser, actions


def _cache_file(grammar: str) -> Path | None:
    """Where lark may keep the analysed grammar: the user's cache directory (never next
    to the package), one file per grammar text and Python version; lark checks a digest
    of grammar, options and lark version on load. ``ARCHC_CACHE_DIR`` overrides the
    directory; set it empty to disable."""
    import hashlib
    import sys

    from archc._cache import cache_dir

    directory = cache_dir("")
    if directory is None:
        return None
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]
    return directory / f"mermaid-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.lark"


# -- positions ------------------------------------------------------------------------------


class _Locator:
    """Offsets in the preprocessed text -> spans in the original file."""

    def __init__(self, original: str, prepared: Any, file: str, line_offset: int) -> None:
        from archc.spec.mermaid.preprocess import compose

        self.file = file
        self.line_offset = line_offset
        self.pmap = compose(prepared.maps)
        self.identity = self.pmap.identity
        self.starts = _line_starts(original)
        self.length = len(original)

    def original(self, offset: int) -> int:
        if not self.identity:
            offset = self.pmap(offset)
        return min(max(offset, 0), self.length)

    def line_col(self, original_offset: int) -> tuple[int, int]:
        i = bisect_right(self.starts, original_offset) - 1
        return i + 1 + self.line_offset, original_offset - self.starts[i] + 1

    def span(self, offset: int, length: int = 1) -> Span:
        """A span of ``length`` characters (of the preprocessed text) from ``offset``."""
        if self.identity:
            start, last = offset, offset + length - 1
        else:
            pmap = self.pmap
            start = pmap(offset)
            last = pmap(offset + length - 1) if length > 1 else start
        if last > self.length:  # the "\n" mermaid appends
            start, last = min(start, self.length), self.length
        starts = self.starts
        i = bisect_right(starts, start) - 1
        line = i + 1 + self.line_offset
        col = start - starts[i] + 1
        if i + 1 >= len(starts) or last < starts[i + 1]:  # one line: the common case
            return Span(self.file, line, col, line, col + (last - start if last > start else 0) + 1)
        end_line, end_col = self.line_col(last)
        return Span(self.file, line, col, end_line, end_col + 1)


def _line_starts(text: str) -> list[int]:
    if "\r" not in text:
        starts = [0]
        i = text.find("\n")
        while i != -1:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        return starts
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


# -- the parse ------------------------------------------------------------------------------


def parse_flowchart(text: str, file: str, line_offset: int = 0, partial: bool = False
                    ) -> tuple[Flowchart | None, list[Diagnostic]]:
    """Parse flowchart text. Never raises: problems come back as diagnostics.

    ``line_offset`` is added to every line number (the number of file lines before
    ``text``, e.g. above a Markdown fence's body). With errors the chart is None, unless
    ``partial``: then it is what parsed once the bad lines were blanked (for `archc check`,
    which goes on to report the later stages' findings; never for `fmt`, which would drop
    the bad lines).
    """
    # The parse allocates many small objects and no reference cycles; with the cyclic
    # GC running, its full collections over the growing heap made large diagrams
    # superlinear (N=20,000 nodes took ~1.4x the time of 20 x N=1,000).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, file, line_offset, partial)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        span = Span.point(file, 1 + line_offset, 1)
        return None, [error("ARC149", f"internal error in the Mermaid front end: "
                            f"{type(exc).__name__}: {exc}", span,
                            "please report this with the input that caused it")]
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse(text: str, file: str, line_offset: int,
           partial: bool) -> tuple[Flowchart | None, list[Diagnostic]]:
    from archc.spec.mermaid.build import build_flowchart
    from archc.spec.mermaid.header import config_inherit_dir, header_problem
    from archc.spec.mermaid.preprocess import prepare

    prepared = prepare(text)
    locator = _Locator(text, prepared, file, line_offset)
    if prepared.diagram_type is None:
        return None, [header_problem(text, prepared, file, line_offset)]
    inherit, diags = config_inherit_dir(text, prepared, file, line_offset)
    db, failed, blanked = _parse_with_recovery(prepared.text, inherit, locator, diags)
    if db is None:
        return None, diags
    for p in db.problems:
        if not _on_blanked_line(prepared.text, p.pos, blanked):
            pos, length = _point_at_word(prepared.text, p.pos, p.length, p.word)
            diags.append(error(p.code, p.message, locator.span(pos, length), p.hint))
    # A limit refusal stays final even for a partial chart: what lies past a limit is the very
    # input the limit keeps out of the later stages.
    if (diags or failed) and (not partial or any(x.code in LIMIT_CODES for x in diags)):
        return None, diags
    chart = build_flowchart(db, prepared, locator, line_offset)
    return chart, diags


def _parse_with_recovery(source: str, inherit: bool, locator: _Locator,
                         diags: list[Diagnostic]) -> tuple[Any, bool, list[tuple[int, int]]]:
    """Parse; on a syntax error report it, blank the line and parse again."""
    from archc.spec.mermaid.errors import classify

    blanked: list[tuple[int, int]] = []
    failed = False
    for _ in range(_MAX_RECOVERIES):
        db, run, exc = _run_parser(source, inherit)
        if exc is None:
            return db, failed, blanked
        failed = True
        failure = classify(exc, run, header_done=db.direction is not None)
        diags.append(error(failure.code, failure.message,
                           locator.span(failure.pos, failure.length), failure.hint))
        if failure.resume_at is None:
            return None, failed, blanked
        line = _line_bounds(source, failure.resume_at)
        if line in blanked:
            return None, failed, blanked
        blanked.append(line)
        source = _blank(source, *line)
    return None, failed, blanked


def _run_parser(source: str, inherit: bool) -> tuple[Any, Any, Exception | None]:
    from lark.exceptions import UnexpectedInput

    from archc.spec.mermaid.db import FlowDB
    from archc.spec.mermaid.lexer import LexError, LexRun

    parser, actions = _parser()
    db = FlowDB(inherit_dir=inherit)
    run = LexRun(source)
    with _LOCK:
        actions.db = db
        try:
            parser.parse(run)
        except (UnexpectedInput, LexError) as exc:
            return db, run, exc
        finally:
            actions.db = None
    return db, run, None


def _point_at_word(text: str, pos: int, length: int, word: str | None) -> tuple[int, int]:
    """Narrow a problem's span to ``word`` if it occurs within the next few hundred
    characters (e.g. the unknown name inside ``@{ shape: ... }``)."""
    if word:
        found = text.find(word, pos, pos + 400)
        if found != -1:
            return found, len(word)
    return pos, length


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, end if end != -1 else len(text)


def _blank(text: str, start: int, end: int) -> str:
    """Replace a line by spaces (offsets kept). A `subgraph` line keeps a placeholder
    subgraph so its `end` still has something to close."""
    line = text[start:end]
    stripped = line.lstrip()
    filler = " " * len(line)
    if stripped.startswith("subgraph") and len(line) >= len("subgraph _"):
        indent = len(line) - len(stripped)
        filler = (" " * indent + "subgraph _").ljust(len(line))
    return text[:start] + filler + text[end:]


def _on_blanked_line(text: str, pos: int, blanked: list[tuple[int, int]]) -> bool:
    return any(start <= pos <= end for start, end in blanked)


# -- files and Markdown ---------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*mermaid\b.*$")


def extract_flowchart(text: str, file: str) -> tuple[str, int] | Diagnostic:
    """The flowchart text of a file, and how many file lines precede it.

    ``.md``/``.markdown``: the body of the first ```mermaid fence that holds a flowchart.
    Anything else is returned whole, with offset 0.
    """
    if not file.lower().endswith((".md", ".markdown")):
        return text, 0
    from archc.spec.mermaid.preprocess import detect_type

    lines = _LINES.findall(text)
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if m is None:
            i += 1
            continue
        body_lines, close = _fence_body(lines, i + 1, m.group(1))
        body = "".join(body_lines)
        if detect_type(body.replace("\r\n", "\n")) is not None:
            return body, i + 1
        i = close + 1
    return error("ARC146", "no ```mermaid block with a flowchart in this Markdown file",
                 Span.point(file, 1, 1), "add a fenced block: ```mermaid, then `flowchart TD` "
                 "and the diagram, then ```")


# Lines as Markdown and Mermaid count them (LF, CR, CRLF); `str.splitlines` also breaks at
# form feed and \x1c-\x1e, \x85, U+2028, which would shift every span after the fence.
_LINES = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def _fence_body(lines: list[str], start: int, fence: str) -> tuple[list[str], int]:
    closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    for j in range(start, len(lines)):
        if closing.match(lines[j].rstrip("\r\n")):
            return lines[start:j], j
    return lines[start:], len(lines)


def load_flowchart(path: Path, display_name: str, within: Path | None = None,
                   partial: bool = False
                   ) -> tuple[Flowchart | None, SourceFile | None, list[Diagnostic]]:
    """Read a ``.mmd``/``.md`` file (UTF-8) and parse its flowchart. `within` is the directory
    the file must stay in (`read_input`); default: its own. ``partial``: as in
    `parse_flowchart`."""
    from archc.diagnostics import input_refused as refused

    try:
        data = read_input(path, within or path.parent)
    except InputRefused as exc:
        return None, None, [refused(display_name, exc)]
    except OSError as exc:
        return None, None, [error("ARC147", f"cannot read {display_name}: {exc.strerror or exc}",
                                  Span.point(display_name, 1, 1),
                                  "check the path and the file's permissions")]
    return flowchart_from_bytes(data, display_name, partial)


def flowchart_from_bytes(data: bytes, display_name: str, partial: bool = False
                         ) -> tuple[Flowchart | None, SourceFile | None, list[Diagnostic]]:
    """Decode (strict UTF-8) and parse a flowchart file's bytes; stdin comes this way too."""
    try:
        text = decode_utf8(data, display_name)
    except NotUtf8 as bad:
        return None, None, [error("ARC148", f"{display_name} is not valid UTF-8 (byte "
                                  f"0x{bad.byte:02x})", bad.span, "save the file as UTF-8")]
    source = SourceFile(display_name, text)
    extracted = extract_flowchart(text, display_name)
    if not isinstance(extracted, tuple):
        return None, source, [extracted]
    body, offset = extracted
    chart, diags = parse_flowchart(body, display_name, offset, partial)
    return chart, source, diags
