"""Input text made safe to print on a terminal: visible escapes, and a width cap.

Labels, file names, overlay strings and git revisions come from strangers (archc runs on pull
requests), and a terminal obeys what it is sent: ESC starts a control sequence (clear the
screen, retitle the window, rewrite the line), BEL rings, CR overwrites, bidi controls reorder
what is shown (Trojan Source), zero-width characters hide text or make two names look the
same. Everything archc prints for people goes through `escape`, which shows each such
character as a visible escape in the style of Python string literals:

    C0 controls and DEL          \\x1b  \\x07  \\x7f   (\\n \\r for line breaks; tab is kept)
    C1 controls                  \\u009b
    bidi controls, invisibles    \\u202e  \\u2066  \\u200b  \\ufeff  \\u00ad
    undecodable bytes            \\xff   (a file name that is not UTF-8, surrogate-escaped)

Backslashes are not doubled: a name that spells `\\x1b` itself prints the same, which is
ambiguous but never harmful, and keeps Mermaid's own `\\n` in labels readable.

`clip` caps one piece of input text to a display width with an ellipsis, so a 50 MB label
prints as a line, not as 50 MB. Both run in time linear in their input.
"""

from __future__ import annotations

import operator
import re
import unicodedata

ELLIPSIS = "\u2026"
# Default widths (in terminal columns) for input text quoted in a diagnostic; the README
# documents them.
QUOTE_WIDTH = 80      # one label, name or value quoted in a message
MESSAGE_WIDTH = 400   # a whole message or hint line
SOURCE_WIDTH = 120    # the echoed source line around the caret

# Invisible or reordering characters a terminal would act on rather than show. Zero-width
# joiners are included: in a name they make two different ids look identical, and a visible
# escape in an emoji sequence is a small price for that.
UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f"       # C0 except tab, DEL, C1
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\ud800-\udfff"                       # lone surrogates: undecodable bytes, broken escapes
    "\U000e0000-\U000e0fff]"              # tags and variation selectors supplement
)
_NAMED = {"\n": "\\n", "\r": "\\r"}
# Whole-message caps must not cut an escape in half.
_ESCAPE_TAIL = re.compile(r"\\(?:x[0-9a-f]{0,1}|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?$")


def escape(text: str) -> str:
    """`text` with every control, bidi, invisible and undecodable character made visible."""
    return UNSAFE.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if code < 0x80:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte the name really holds
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return f"\\u{code:04x}"


def escape_lines(text: str) -> str:
    """Multi-line text (a report) escaped line by line, its own line breaks kept."""
    return "\n".join(escape(line) for line in text.split("\n"))


def clip(text: str, width: int = QUOTE_WIDTH) -> str:
    """At most `width` characters of `text`, the cut marked by an ellipsis."""
    if len(text) <= width:
        return text
    head = text[:width - 1]
    return _ESCAPE_TAIL.sub("", head) + ELLIPSIS


# A quoted piece of a message: what `{value!r}` and hand-written '...' / "..." produce; an
# apostrophe inside a word (`the component's port`) opens nothing. Every opening quote
# matches, up to its closing quote or else the end of the line, and the loops are
# possessive: the scan never restarts inside a piece, so it stays linear even on hostile
# text such as a 50 MB run of \' pairs.
_QUOTED = re.compile(r"""(?<!\w)(?:'(?:[^'\\\n]++|\\.)*+(?:'|\\?\Z|(?=\n))"""
                     r"""|"(?:[^"\\\n]++|\\.)*+(?:"|\\?\Z|(?=\n)))""", re.DOTALL)


def clip_message(text: str, quote: int = QUOTE_WIDTH, whole: int = MESSAGE_WIDTH) -> str:
    """A message or hint for the terminal: each quoted value cut to `quote` characters (the
    quote marks kept), the whole escaped and clipped to `whole` columns. Cut before escaping,
    so a 50 MB label costs one regex scan, not an escaped copy."""
    if len(text) > quote:
        text = _QUOTED.sub(lambda m: _clip_quoted(m.group(), quote), text)
    return clip(escape(text[:whole + 1]), whole)


def _clip_quoted(quoted: str, width: int) -> str:
    if len(quoted) <= width:
        return quoted
    if quoted[-1] != quoted[0]:  # never closed on this line: cut it like any text
        return clip(quoted, width)
    return clip(quoted[:-1], width - 1) + quoted[-1]


def cell_width(ch: str) -> int:
    """Terminal columns one (already escaped, so printable) character takes."""
    if ch < "\u0300":
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(cell_width(ch) for ch in text)


def source_window(line: str, start: int, end: int, width: int = SOURCE_WIDTH
                  ) -> tuple[str, int, int]:
    """The part of a source line to echo under a diagnostic: (text, caret column, caret width),
    0-based columns in terminal cells. `start`/`end` are 0-based character offsets of the
    span in `line`. The text is escaped and tabs shown as one space (the column every parser
    counts them as); when the line is wider than `width`, a window around the span is shown,
    each cut marked by an ellipsis, and the caret still points at the span."""
    start = min(max(start, 0), len(line))
    end = min(max(end, start + 1), len(line)) if line else start
    width -= 2  # room for the two ellipses
    before = _cells(line, start, -1, max(width // 3, width - _fit(line, start, width)))
    span = _cells(line, start, 1, width - _used(before), stop=end)
    after = _cells(line, start + len(span), 1, width - _used(before) - _used(span))
    cut_left = start - len(before) > 0
    cut_right = start + len(span) + len(after) < len(line)
    left = (ELLIPSIS if cut_left else "") + "".join(s for s, _ in reversed(before))
    text = left + "".join(s for s, _ in span) + "".join(s for s, _ in after)
    text += ELLIPSIS if cut_right else ""
    return text, _used(before) + (1 if cut_left else 0), max(1, _used(span))


def _cells(line: str, start: int, step: int, budget: int, stop: int | None = None
           ) -> list[tuple[str, int]]:
    """Escaped characters walking from `start` (step 1: forward up to `stop`; step -1:
    backward from start-1) while their width fits `budget`."""
    limit = len(line) if stop is None else stop
    plain = _plain_run(line, start, step, budget, limit)
    if plain is not None:
        return plain
    out: list[tuple[str, int]] = []
    used = 0
    i = start if step == 1 else start - 1
    while 0 <= i < limit and len(out) < 4 * SOURCE_WIDTH:
        ch = " " if line[i] == "\t" else line[i]
        shown, w = (ch, 1) if " " <= ch < "\x7f" else (escape(ch), text_width(escape(ch)))
        if used + w > budget:
            break
        out.append((shown, w))
        used += w
        i += step
    return out


def _plain_run(line: str, start: int, step: int, budget: int, limit: int
               ) -> list[tuple[str, int]] | None:
    """The cells of `_cells` when every character they could take is printable ASCII (one
    column each, shown as itself): most source lines, and a diagnostic per edge on a very
    long line must not walk it a character at a time in Python. None when the run holds
    anything else."""
    if step == 1:
        run = line[start:min(limit, start + budget)]
    else:
        run = line[max(0, start - budget):start][::-1]
    if not (run.isascii() and run.isprintable()):
        return None
    return [(ch, 1) for ch in run]


def _used(cells: list[tuple[str, int]]) -> int:
    return sum(map(_WIDTH, cells))


_WIDTH = operator.itemgetter(1)


def _fit(line: str, start: int, width: int) -> int:
    """Columns the span and what follows it need, up to `width` (so a line that ends soon
    after the caret gives its room to the text before it)."""
    return _used(_cells(line, start, 1, width))
