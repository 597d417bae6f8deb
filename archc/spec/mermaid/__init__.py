"""The Mermaid front end: flowchart text -> :class:`~archc.spec.flowchart.Flowchart`.

It replays mermaid 12.3.0 stage by stage, one module (or family) per stage:

    preprocess   front matter, directives, entities; the position map; the diagram type
    header       the ``flowchart``/``graph`` header and its direction
    lexer        jison's lexer (rules in ``lex_rules``, coarse tokens in ``lex_tokens``,
                 whole-line fast path in ``lex_fast``, lark's side in ``lex_lark``)
    grammar.lark the LALR grammar lark builds once
    actions      the transformer run at each reduction
    db           mermaid's FlowDB (``db_shapes``, ``db_url``, ``db_yaml``: what it validates)
    build        FlowDB -> Flowchart, every element with a span in the original file
    errors       a parse failure -> mermaid's own message and an ARC1xx code
    parse        the driver: line-based error recovery, Markdown fences, file loading
    fmt          the canonical printer (``archc fmt``)
    quoting, fix the labels Mermaid rejects unquoted, quoted (``archc fmt --fix``)
    oracle_json  the JSON mermaid's reference implementation prints, for conformance tests

It owns the ARC101-ARC149 codes. It may import only itself, ``archc.spec.flowchart``,
``archc.source`` and ``archc.diagnostics`` (ARCHITECTURE.md's table, enforced by
tests/test_import_direction.py).
"""

from __future__ import annotations

from archc.spec.mermaid.parse import (
    MERMAID_CODES,
    extract_flowchart,
    flowchart_from_bytes,
    load_flowchart,
    parse_flowchart,
)

__all__ = [
    "MERMAID_CODES",
    "extract_flowchart",
    "flowchart_from_bytes",
    "load_flowchart",
    "parse_flowchart",
]
