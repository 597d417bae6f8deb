"""Mermaid's flowchart lexer, rule for rule, as a lark custom lexer.

Mermaid's jison lexer is unlike lark's: every rule belongs to one or more *start
conditions* (``text``, ``string``, ``edgeText``...), rule actions push and pop those
conditions, and at each position the **first rule in source order** that matches wins
(not the longest). Many of mermaid's quirks come straight from that (``A---xB`` is a
cross edge to ``B``, ``A-->xB`` an edge to ``xB``; a line containing ``direction TB``
anywhere is a direction statement; ``(`` inside an unquoted label opens a nested
label). Lark's lexers pick tokens by priority/length and by parser state, so they
cannot reproduce this; the grammar (``grammar.lark``) therefore declares its terminals
and this module produces them exactly as jison would.

The rules (:mod:`lex_rules`) of a condition are compiled into one alternation per
first character (only the rules that can start with that character, in rule order);
Python's ``re`` tries alternatives left to right and takes the first that matches,
which is jison's first-match rule.

Two merges keep the token count down without changing what the grammar sees:
consecutive single-character ``EDGE_TEXT`` / ``TEXT`` tokens (jison emits one per
character in edge text, ``(-...-)`` and ``[/.../]``) become one token, and a ``SPACE``
right after ``NEWLINE``/``SEMI`` is dropped (after a separator a blank is only ever an
ignored ``line``).
"""

from __future__ import annotations

import re
from typing import Any

from archc.spec.mermaid.lex_fast import fast_line, simple_line
from archc.spec.mermaid.lex_rules import (
    BR_TEXT,
    CONDITIONS,
    DIRECTION_RULES,
    EMPTY_TEXT,
    GRAPH,
    LINK_ID_RULE,
    LINK_ID_STOP,
    POP,
    POP_PUSH,
    PUSH,
    RULE_BY_NUM,
    RULES,
    S,
)
from archc.spec.mermaid.lex_tokens import Tok, merge

# -- rule dispatch by first character -------------------------------------------------------


def _first_items(pattern: str) -> tuple[bool, list[tuple[str, Any]]]:
    """What the first character of a match can be: (can match empty, predicates).

    Computed from Python's own regex parse tree; anything not understood counts as "any
    character", so the answer is a superset, which keeps the dispatch exact."""
    from re import _constants as c
    from re import _parser as p

    def seq(items: list[Any]) -> tuple[bool, list[tuple[str, Any]]]:
        preds: list[tuple[str, Any]] = []
        for op, av in items:
            nullable, found = one(op, av)
            preds.extend(found)
            if not nullable:
                return False, preds
        return True, preds

    def one(op: Any, av: Any) -> tuple[bool, list[tuple[str, Any]]]:
        if op is c.LITERAL:
            return False, [("lit", av)]
        if op is c.NOT_LITERAL:
            return False, [("notlit", av)]
        if op is c.IN:
            return False, [("in", av)]
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            nullable, found = seq(list(av[2]))
            return nullable or av[0] == 0, found
        if op is c.SUBPATTERN:
            return seq(list(av[-1]))
        if op is c.BRANCH:
            results = [seq(list(b)) for b in av[1]]
            return any(n for n, _ in results), [x for _, f in results for x in f]
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return True, []
        return False, [("any", None)]

    return seq(list(p.parse(pattern, re.ASCII)))


def _class_has(items: list[Any], code: int) -> bool:
    from re import _constants as c

    negate = False
    hit = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            hit = hit or av == code
        elif op is c.RANGE:
            hit = hit or av[0] <= code <= av[1]
        else:  # categories and the like: assume a match
            hit = True
    return hit != negate


def _can_start(preds: list[tuple[str, Any]], code: int | None) -> bool:
    """``code`` None stands for "any non-ASCII character"."""
    for kind, av in preds:
        if kind == "any" or code is None:
            return True
        if kind == "lit" and av == code or kind == "notlit" and av != code:
            return True
        if kind == "in" and _class_has(av, code):
            return True
    return False


_FIRST = {num: _first_items(rx) for num, rx, *_ in RULES}


class _Condition:
    """One start condition's rules, with a compiled alternation per first character."""

    def __init__(self, rule_numbers: tuple[int, ...]) -> None:
        self.rules = tuple(sorted(rule_numbers))  # jison tries them in rule order
        self.by_char: dict[str, tuple[re.Pattern[str], tuple[Any, ...]]] = {}

    def entry(self, ch: str) -> tuple[re.Pattern[str], tuple[Any, ...]]:
        """The alternation for positions starting with ``ch`` ("" = end of input); all
        non-ASCII characters share one (a superset) so the cache stays small."""
        found = self.by_char.get(ch)
        if found is None:
            key = ch if ch < "\x80" else "\x80"
            found = self.by_char.get(key)
            if found is None:
                found = self._build(key)
                self.by_char[key] = found
            self.by_char[ch] = found
        return found

    def _build(self, ch: str) -> tuple[re.Pattern[str], tuple[Any, ...]]:
        code = None if ch == "\x80" else (ord(ch) if ch else -1)
        parts, actions = [], []
        for num in self.rules:
            nullable, preds = _FIRST[num]
            if nullable or (code != -1 and _can_start(preds, code)):
                _, rx, tok, act, arg = RULE_BY_NUM[num]
                parts.append(f"({rx})")
                actions.append((num, tok, act, arg))
        regex = re.compile("|".join(parts) or "(?!)", re.ASCII)
        return regex, tuple(actions)


def _build_tables() -> tuple[dict[str, _Condition], dict[tuple[bool, bool], _Condition]]:
    """Every condition's table, and INITIAL's by (direction rules, LINK_ID rule) wanted.

    The `.*direction ...` rules (56-60) scan to the end of the line and LINK_ID (61) to the
    end of its run at every token they are tried at: quadratic on a long line (`A-->B;B-->C;
    ...`). They are only tried where they can match (`_LineIndex`); elsewhere INITIAL
    without them gives the same tokens."""
    tables = {name: _Condition(rules) for name, rules in CONDITIONS.items()}
    initial = {(direction, link): _Condition(tuple(
        n for n in CONDITIONS["INITIAL"]
        if (direction or n not in DIRECTION_RULES) and (link or n != LINK_ID_RULE)))
        for direction in (True, False) for link in (True, False)}
    return tables, initial


_TABLES, _INITIAL = _build_tables()
# Where a rule 56-60 match ends its `.*` scan: "direction", blanks, a direction.
_DIRECTION_AHEAD = re.compile(f"direction{S}+(?:TB|BT|RL|LR|TD)")
_DOT_STOP = re.compile("[\\n\\r\\u2028\\u2029]")  # what `.` (DOT) does not cross
_LINE_FEED = re.compile("\\n")
# Blanks followed by a character no link/`~~~` rule can start with (so jison's next token
# is SPACE): a letter other than x and o, a digit, `_`, or an opening quote/bracket.
_INDENT = re.compile("[ \t]+(?=[A-Za-np-wyz0-9_\"\\[(])")
_BR_RE = re.compile(f"\\n{S}*")


class _LineIndex:
    """Where the rules that look ahead along a line can apply.

    ``.*direction\\s+TB...`` (rules 56-60) match from any position of a line that has
    "direction" and a direction ahead, and LINK_ID (rule 61) wherever "@" follows in the
    same run; the cheap rule set is only used where they cannot, the fast path only on
    lines with neither "direction" nor "@". Offsets only grow, so each query resumes from
    the last answer: one pass over the text in all, with nothing stored per occurrence (a
    50 MB label of "@" stays cheap)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.never = len(text) + 1
        self.hit, self.hit_line = -1, -1  # cursors for `direction_at`
        self.at = -1  # for `fast_statement`

    def next_direction(self, pos: int, exact: bool = True) -> tuple[int, int]:
        """The first "direction" at or after ``pos`` that a rule 56-60 could match up to
        (``exact``; else any "direction"), and the first offset on its line (``exact``: from
        which ``.*`` reaches it; else after a line feed)."""
        text = self.text
        hit = text.find("direction", pos)
        while exact and hit != -1 and _DIRECTION_AHEAD.match(text, hit) is None:
            hit = text.find("direction", hit + 1)
        if hit == -1:
            return self.never, self.never
        line = pos
        for brk in (_DOT_STOP if exact else _LINE_FEED).finditer(text, pos, hit):
            line = brk.end()
        return hit, line

    def next_at(self, pos: int) -> int:
        """The first "@" at or after ``pos``."""
        found = self.text.find("@", pos)
        return self.never if found == -1 else found

    def run_end(self, pos: int) -> int:
        """Where LINK_ID's run from ``pos`` ends."""
        found = LINK_ID_STOP.search(self.text, pos)
        return len(self.text) if found is None else found.start()

    def direction_at(self, pos: int) -> bool:
        """Is there a "direction" from ``pos`` to the end of the line? (Then rules 56-60
        might match at ``pos``; the fast path stays away.)"""
        if self.hit < pos:
            self.hit, self.hit_line = self.next_direction(pos, exact=False)
        return self.hit_line <= pos

    def skip_indent(self, pos: int) -> int:
        """After a line break: skip the indentation jison would lex as a SPACE that the
        grammar ignores, unless a link rule (``\\s*-->``, ``\\s*~~~``) or a direction
        rule could start in it."""
        if self.direction_at(pos):
            return pos
        m = _INDENT.match(self.text, pos)
        return m.end() if m is not None else pos

    def fast_statement(self, pos: int) -> tuple[Tok, int] | None:
        """The fast path's STMT for the line at ``pos``, if it has no "@"."""
        text = self.text
        if self.at < pos:
            self.at = self.next_at(pos)
        line_end = text.find("\n", pos)
        if pos >= len(text) or self.at < line_end:
            return None
        stmt = simple_line(text, pos)
        if stmt is not None:
            return stmt, stmt.match.end()  # type: ignore[union-attr]
        return fast_line(text, pos)


class LexError(Exception):
    """No rule of the current condition matches (jison's "Lexical error")."""

    def __init__(self, pos: int, condition: str) -> None:
        super().__init__(f"lexical error at {pos} in {condition}")
        self.pos = pos
        self.condition = condition


class LexRun:
    """One lexing pass over a text; also the context diagnostics are computed from.

    ``fast=False`` gives the parser jison's tokens only (no fast path, no merged
    tokens): the reference the fast path is tested against."""

    fast = True

    def __init__(self, text: str, fast: bool | None = None) -> None:
        if fast is not None:
            self.fast = fast
        self.text = text
        self.stack: list[str] = ["INITIAL"]
        self.openers: list[tuple[str, int]] = []  # (condition, offset) of unclosed brackets
        self.subgraphs: list[int] = []  # offsets of `subgraph` tokens not yet closed by `end`
        self.first_graph = True
        self.last: Tok | None = None  # the token being fed to the parser
        self.before: Tok | None = None  # the one before it
        self.unmatched_end = False  # the last token is an `end` with no open subgraph
        self.pos = 0

    def _push(self, cond: str, pos: int) -> None:
        self.stack.append(cond)
        self.openers.append((cond, pos))

    def _pop(self) -> None:
        if len(self.stack) > 1:  # jison never pops INITIAL
            self.stack.pop()
            self.openers.pop()

    def _apply(self, act: int, arg: str | None, pos: int) -> None:
        if act == PUSH or act == EMPTY_TEXT:
            self._push(arg, pos)  # type: ignore[arg-type]
        elif act == POP:
            self._pop()
        elif act == POP_PUSH:
            self._pop()
            self._push(arg, pos)  # type: ignore[arg-type]
        elif act == GRAPH and self.first_graph:
            self.first_graph = False
            self._push("dir", pos)

    def openers_at(self, offset: int) -> list[tuple[str, int]]:
        """The brackets/quotes open when jison reaches ``offset`` (lexing runs ahead of
        the parser, so the state after a failing token is recomputed; errors only)."""
        probe = LexRun(self.text, fast=False)
        probe.lex_all(fast=False, stop=offset)
        return probe.openers

    def lex_all(self, fast: bool = True, stop: int | None = None  # noqa: C901
                ) -> tuple[list[Tok], LexError | None]:
        """The token stream and the lexical error that stopped it, if any.

        With ``fast`` (the parser's view) common statement lines come from the fast path
        (:mod:`lex_fast`) and the rest is merged (:func:`merge`); without it, the
        tokens are exactly jison's (for tests), except that consecutive single-character
        ``TEXT``/``EDGE_TEXT`` are joined and a ``SPACE`` after ``NEWLINE``/``SEMI`` is
        dropped (after a separator a blank is only ever an ignored line).

        The per-token loop stays in one function on purpose: a helper call per token
        would cost more than the rest of the loop body.
        """
        text = self.text
        end = len(text) if stop is None else min(len(text), stop)
        lines = _LineIndex(text)
        # `lines` queries, inlined: the next "direction" hit and where `.*` can start for it;
        # the next "@" after the position and where the run holding the position ends.
        hit = hit_line = at = run_end = -1
        pos, done, prev_type = 0, False, ""
        out: list[Tok] = []
        toks: list[Tok] = []  # exact tokens not yet merged into `out`
        stack = self.stack
        while True:
            if pos >= end:
                if done or stop is not None:
                    break
                done = True
            cond_name = stack[-1]
            if cond_name == "INITIAL":
                if hit < pos:
                    hit, hit_line = lines.next_direction(pos)
                full = hit_line <= pos
                if (fast and prev_type == "NEWLINE" and len(stack) == 1
                        and not lines.direction_at(pos)):
                    found = lines.fast_statement(pos)
                    if found is not None:
                        if toks:
                            out.extend(merge(toks, out[-1].type if out else ""))
                            toks = []
                        out.append(found[0])
                        pos = lines.skip_indent(found[1])
                        continue
                if at <= pos:
                    at = lines.next_at(pos + 1)
                link = False
                if at < lines.never:
                    if run_end < pos:
                        run_end = lines.run_end(pos)
                    link = at < run_end
                cond = _INITIAL[full, link]
            else:
                cond = _TABLES[cond_name]
            ch = text[pos] if pos < end else ""
            entry = cond.by_char.get(ch) or cond.entry(ch)
            m = entry[0].match(text, pos)
            if m is None:
                if pos >= end:
                    break
                return self._flush(out, toks, fast), LexError(pos, cond_name)
            _, tok_type, act, arg = entry[1][m.lastindex - 1]  # type: ignore[operator]
            start, pos = pos, m.end()
            value = m.group()
            if act:
                if act == BR_TEXT:
                    value = _BR_RE.sub("<br/>", value)
                elif act == EMPTY_TEXT:
                    value = ""
                self._apply(act, arg, start)
            if tok_type is None:
                continue
            if tok_type == prev_type:
                if tok_type == "EDGE_TEXT" or tok_type == "TEXT":
                    toks[-1].value += value
                    continue
            elif tok_type == "SPACE" and (prev_type == "NEWLINE" or prev_type == "SEMI"):
                continue
            elif tok_type == "NEWLINE" and cond_name == "INITIAL":
                pos = lines.skip_indent(pos)
            toks.append(Tok(tok_type, value, start))
            prev_type = tok_type
        return self._flush(out, toks, fast), None

    @staticmethod
    def _flush(out: list[Tok], toks: list[Tok], fast: bool) -> list[Tok]:
        if not fast:
            return toks
        if toks:
            out.extend(merge(toks, out[-1].type if out else ""))
        return out

    def tokens(self):  # type: ignore[no-untyped-def]
        """The parser's token stream: merged tokens, then the lexical error if any (so a
        parse error earlier in the text is reported first, as in mermaid)."""
        toks, lex_error = self.lex_all(self.fast)
        track = self._track
        for tok in toks:
            track(tok)
            yield tok
        if lex_error is not None:
            self.pos = lex_error.pos
            raise lex_error
        self.pos = len(self.text)

    def _track(self, tok: Tok) -> None:
        """Remember context for diagnostics (open subgraphs, the last two tokens)."""
        self.before, self.last = self.last, tok
        self.pos = tok.pos
        ttype = tok.type
        if ttype == "SUBGRAPH":
            self.subgraphs.append(tok.pos)
        elif ttype == "END":
            self.unmatched_end = not self.subgraphs
            if self.subgraphs:
                self.subgraphs.pop()
