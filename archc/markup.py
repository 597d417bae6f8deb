"""Input text made inert for the generated files people read: Markdown, HTML/XML, comments.

Every file name, id, label, title and overlay string that lands in generated text is hostile
(archc runs on pull requests from strangers). Emitters and ``archc diff`` quote it only
through these functions, one per medium, so each medium is escaped in one place.

Invisible characters that change how text *looks* -- C0/C1 control characters, the bidi
embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the bidi marks (U+061C,
U+200E, U+200F), the line/paragraph separators (U+2028, U+2029) and the BOM (U+FEFF) -- are
never copied raw: `visible` replaces each with its escape ``\\uXXXX`` (four lowercase hex
digits, as JSON writes it), so a reviewer sees them and the output is the same bytes on every
machine. Code literals (HCL, YAML, Python, JSON) escape them with the language's own escape
instead, which keeps the value exact.
"""

from __future__ import annotations

import re

# Characters never written raw into a generated file (see the module docstring).
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufeff]")
# The same set plus tab and line feed: everything that is not one line of visible text.
NOT_ONE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# What starts Markdown syntax or raw HTML inside a line (CommonMark lets a backslash escape any
# ASCII punctuation, so `\\<img>` is text): backslash, code, emphasis, links, table pipes,
# strikethrough, headings, math; `<` only before what opens a tag, comment or autolink; `&`
# only before what could be an entity; `_` only where it can emphasise (not inside a word, as
# in `admin_cidrs`); `>` only first (a quote). Text never starts a line, so `-`, `+`, `=` and
# `1.` (lists, setext headings) need nothing, and `->`, `<->` and CIDRs stay as they are.
_MD_SPECIAL = re.compile(r"[\\`*\[\]|~#$]|<(?=[A-Za-z/!?])|&(?=[#A-Za-z])"
                         r"|(?<![^\W_])_|_(?![^\W_])|^>")
_BACKTICKS = re.compile(r"`+")
# A brace followed by the same brace: `{{{` becomes `{ { {`, so no `{{` or `}}` is left.
_BRACES = re.compile(r"([{}])(?=\1)")


def escape_char(ch: str) -> str:
    """``\\u202e``: the visible, stable stand-in for one invisible character."""
    return f"\\u{ord(ch):04x}"


def visible(text: str) -> str:
    """`text` with every invisible character replaced by its ``\\uXXXX`` escape (tab and
    line feed kept: the caller's medium decides what a line break is)."""
    return INVISIBLE.sub(lambda m: escape_char(m.group()), text)


def one_line(text: str) -> str:
    """`text` on one line: tabs, line feeds and carriage returns become a space, other
    invisible characters their escape, runs of spaces one space."""
    flat = NOT_ONE_LINE.sub(lambda m: " " if m.group() in "\t\n\r" else escape_char(m.group()),
                            text)
    return re.sub(r" {2,}", " ", flat).strip()


def escape_json(text: str) -> str:
    """JSON text (or a Python/YAML string literal made by `json.dumps`) with every invisible
    character written as its ``\\uXXXX`` escape: `json.dumps` only escapes U+0000-U+001F, and
    outside strings it writes none of these characters, so the value stays the same."""
    return INVISIBLE.sub(lambda m: escape_char(m.group()), text)


# --------------------------------------------------------------------------- comments
def comment(text: str) -> str:
    """Text for a line comment of any language (``#``, ``//``, ``%%``): one line, so nothing
    after it can be code; braces broken up so a Go template cannot see an action in it."""
    return _BRACES.sub(r"\1 ", one_line(text))


def xml_comment(text: str) -> str:
    """Text for an HTML/XML/SVG comment ``<!-- ... -->``: one line and no ``--`` (which XML
    forbids and HTML reads as the end of the comment)."""
    return re.sub(r"-(?=-)", "- ", comment(text))


def inputs_note(inputs: tuple[str, ...] | list[str]) -> str:
    """``spec/a.mmd + spec/b.yaml`` for a generated-by header, each name made comment-safe."""
    return " + ".join(xml_comment(name) for name in inputs)


# --------------------------------------------------------------------------- Markdown / HTML
def md_text(text: str) -> str:
    """Plain text inside a Markdown line or table cell: one line, every character that could
    start Markdown syntax or HTML backslash-escaped, so it renders as exactly these words."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(), one_line(text))


def md_code(text: str, table: bool = False) -> str:
    """Inline code that survives backticks and line breaks in the text; in a table cell
    (`table`) also pipes, which GitHub reads as cell borders even inside code."""
    flat = one_line(text).replace("|", "\\|") if table else one_line(text)
    longest = max((len(m) for m in _BACKTICKS.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def html_text(text: str) -> str:
    """Text inside an HTML element (``<code>...</code>``): one line, entities for ``<>&"'``."""
    return (one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


# --------------------------------------------------------------------------- Mermaid
# Mermaid writes characters as `#name;` / `#35;` entities inside a quoted label or title.
_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "`": "#96;", "<": "#lt;", ">": "#gt;",
                     "&": "#amp;"}


def mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label or subgraph title (``"..."``): one line; the quote,
    ``#`` (an entity's start), the backtick (the code fence around the diagram in Markdown)
    and ``<>&`` (the label is rendered as HTML) written as Mermaid entities, so it shows as
    exactly these characters and cannot close the string, the fence or open a tag."""
    return re.sub(r'[#"`<>&]', lambda m: _MERMAID_ENTITIES[m.group()], one_line(text))
