"""The lark side of the custom lexer (imports lark, so it is only loaded with the parser).

lark calls ``lex`` with the parse input, which is a :class:`LexRun`; the class lives at
module level so that lark's grammar cache can pickle a reference to it.
"""

from __future__ import annotations

from typing import Any

from lark.lexer import Lexer


class MermaidLexer(Lexer):
    """Interface 2 custom lexer: tokens come from ``LexRun.tokens``."""

    __future_interface__ = 2

    def __init__(self, lexer_conf: Any) -> None:
        self.conf = lexer_conf

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:
        return lexer_state.text.tokens()
