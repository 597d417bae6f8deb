"""Mermaid's flowchart lexer, rule for rule, as a lark custom lexer.

Mermaid's jison lexer is unlike lark's: every rule belongs to one or more *start
conditions* (``text``, ``string``, ``edgeText``...), rule actions push and pop those
conditions, and at each position the **first rule in source order** that matches wins
(not the longest). Many of mermaid's quirks come straight from that (``A---xB`` is a
cross edge to ``B``, ``A-->xB`` an edge to ``xB``; a line containing ``direction TB``
anywhere is a direction statement; ``(`` inside an unquoted label opens a nested
label). Lark's lexers pick tokens by priority/length and by parser state, so they
cannot reproduce this; the grammar (``mermaid.lark``) therefore declares its terminals
and this module produces them exactly as jison would.

Each condition's rules are compiled into one alternation; Python's ``re`` tries the
alternatives left to right and takes the first that matches, which is jison's
first-match rule. The JavaScript regexes are transcribed with JS semantics: ``\\s`` is
JS whitespace, ``\\b`` is ASCII, ``.`` excludes all JS line terminators, ``$`` is the
end of input.

Two merges keep the token count down without changing what the grammar sees:
consecutive single-character ``EDGE_TEXT`` / ``TEXT`` tokens (jison emits one per
character in edge text, ``(-...-)`` and ``[/.../]``) become one token, and a ``SPACE``
right after ``NEWLINE``/``SEMI`` is dropped (after a separator a blank is only ever an
ignored ``line``).
"""

from __future__ import annotations

import re

from typing import Any

# JavaScript's \s, as a character-class body.
_WS = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
S = f"[{_WS}]"
NOT_S = f"[^{_WS}]"
DOT = "[^\\n\\r\\u2028\\u2029]"
JS_WS_RE = re.compile(S)
_UNICODE_TEXT = (
    "[\\u00AA\\u00B5\\u00BA\\u00C0-\\u00D6\\u00D8-\\u00F6"
    "\\u00F8-\\u02C1\\u02C6-\\u02D1\\u02E0-\\u02E4\\u02EC\\u02EE\\u0370-\\u0374\\u0376\\u0377"
    "\\u037A-\\u037D\\u0386\\u0388-\\u038A\\u038C\\u038E-\\u03A1\\u03A3-\\u03F5"
    "\\u03F7-\\u0481\\u048A-\\u0527\\u0531-\\u0556\\u0559\\u0561-\\u0587\\u05D0-\\u05EA"
    "\\u05F0-\\u05F2\\u0620-\\u064A\\u066E\\u066F\\u0671-\\u06D3\\u06D5\\u06E5\\u06E6\\u06EE"
    "\\u06EF\\u06FA-\\u06FC\\u06FF\\u0710\\u0712-\\u072F\\u074D-\\u07A5\\u07B1\\u07CA-\\u07EA"
    "\\u07F4\\u07F5\\u07FA\\u0800-\\u0815\\u081A\\u0824\\u0828\\u0840-\\u0858\\u08A0"
    "\\u08A2-\\u08AC\\u0904-\\u0939\\u093D\\u0950\\u0958-\\u0961\\u0971-\\u0977"
    "\\u0979-\\u097F\\u0985-\\u098C\\u098F\\u0990\\u0993-\\u09A8\\u09AA-\\u09B0\\u09B2"
    "\\u09B6-\\u09B9\\u09BD\\u09CE\\u09DC\\u09DD\\u09DF-\\u09E1\\u09F0\\u09F1\\u0A05-\\u0A0A"
    "\\u0A0F\\u0A10\\u0A13-\\u0A28\\u0A2A-\\u0A30\\u0A32\\u0A33\\u0A35\\u0A36\\u0A38\\u0A39"
    "\\u0A59-\\u0A5C\\u0A5E\\u0A72-\\u0A74\\u0A85-\\u0A8D\\u0A8F-\\u0A91\\u0A93-\\u0AA8"
    "\\u0AAA-\\u0AB0\\u0AB2\\u0AB3\\u0AB5-\\u0AB9\\u0ABD\\u0AD0\\u0AE0\\u0AE1\\u0B05-\\u0B0C"
    "\\u0B0F\\u0B10\\u0B13-\\u0B28\\u0B2A-\\u0B30\\u0B32\\u0B33\\u0B35-\\u0B39\\u0B3D\\u0B5C"
    "\\u0B5D\\u0B5F-\\u0B61\\u0B71\\u0B83\\u0B85-\\u0B8A\\u0B8E-\\u0B90\\u0B92-\\u0B95\\u0B99"
    "\\u0B9A\\u0B9C\\u0B9E\\u0B9F\\u0BA3\\u0BA4\\u0BA8-\\u0BAA\\u0BAE-\\u0BB9\\u0BD0"
    "\\u0C05-\\u0C0C\\u0C0E-\\u0C10\\u0C12-\\u0C28\\u0C2A-\\u0C33\\u0C35-\\u0C39\\u0C3D"
    "\\u0C58\\u0C59\\u0C60\\u0C61\\u0C85-\\u0C8C\\u0C8E-\\u0C90\\u0C92-\\u0CA8\\u0CAA-\\u0CB3"
    "\\u0CB5-\\u0CB9\\u0CBD\\u0CDE\\u0CE0\\u0CE1\\u0CF1\\u0CF2\\u0D05-\\u0D0C\\u0D0E-\\u0D10"
    "\\u0D12-\\u0D3A\\u0D3D\\u0D4E\\u0D60\\u0D61\\u0D7A-\\u0D7F\\u0D85-\\u0D96\\u0D9A-\\u0DB1"
    "\\u0DB3-\\u0DBB\\u0DBD\\u0DC0-\\u0DC6\\u0E01-\\u0E30\\u0E32\\u0E33\\u0E40-\\u0E46\\u0E81"
    "\\u0E82\\u0E84\\u0E87\\u0E88\\u0E8A\\u0E8D\\u0E94-\\u0E97\\u0E99-\\u0E9F\\u0EA1-\\u0EA3"
    "\\u0EA5\\u0EA7\\u0EAA\\u0EAB\\u0EAD-\\u0EB0\\u0EB2\\u0EB3\\u0EBD\\u0EC0-\\u0EC4\\u0EC6"
    "\\u0EDC-\\u0EDF\\u0F00\\u0F40-\\u0F47\\u0F49-\\u0F6C\\u0F88-\\u0F8C\\u1000-\\u102A"
    "\\u103F\\u1050-\\u1055\\u105A-\\u105D\\u1061\\u1065\\u1066\\u106E-\\u1070\\u1075-\\u1081"
    "\\u108E\\u10A0-\\u10C5\\u10C7\\u10CD\\u10D0-\\u10FA\\u10FC-\\u1248\\u124A-\\u124D"
    "\\u1250-\\u1256\\u1258\\u125A-\\u125D\\u1260-\\u1288\\u128A-\\u128D\\u1290-\\u12B0"
    "\\u12B2-\\u12B5\\u12B8-\\u12BE\\u12C0\\u12C2-\\u12C5\\u12C8-\\u12D6\\u12D8-\\u1310"
    "\\u1312-\\u1315\\u1318-\\u135A\\u1380-\\u138F\\u13A0-\\u13F4\\u1401-\\u166C"
    "\\u166F-\\u167F\\u1681-\\u169A\\u16A0-\\u16EA\\u1700-\\u170C\\u170E-\\u1711"
    "\\u1720-\\u1731\\u1740-\\u1751\\u1760-\\u176C\\u176E-\\u1770\\u1780-\\u17B3\\u17D7"
    "\\u17DC\\u1820-\\u1877\\u1880-\\u18A8\\u18AA\\u18B0-\\u18F5\\u1900-\\u191C"
    "\\u1950-\\u196D\\u1970-\\u1974\\u1980-\\u19AB\\u19C1-\\u19C7\\u1A00-\\u1A16"
    "\\u1A20-\\u1A54\\u1AA7\\u1B05-\\u1B33\\u1B45-\\u1B4B\\u1B83-\\u1BA0\\u1BAE\\u1BAF"
    "\\u1BBA-\\u1BE5\\u1C00-\\u1C23\\u1C4D-\\u1C4F\\u1C5A-\\u1C7D\\u1CE9-\\u1CEC"
    "\\u1CEE-\\u1CF1\\u1CF5\\u1CF6\\u1D00-\\u1DBF\\u1E00-\\u1F15\\u1F18-\\u1F1D"
    "\\u1F20-\\u1F45\\u1F48-\\u1F4D\\u1F50-\\u1F57\\u1F59\\u1F5B\\u1F5D\\u1F5F-\\u1F7D"
    "\\u1F80-\\u1FB4\\u1FB6-\\u1FBC\\u1FBE\\u1FC2-\\u1FC4\\u1FC6-\\u1FCC\\u1FD0-\\u1FD3"
    "\\u1FD6-\\u1FDB\\u1FE0-\\u1FEC\\u1FF2-\\u1FF4\\u1FF6-\\u1FFC\\u2071\\u207F"
    "\\u2090-\\u209C\\u2102\\u2107\\u210A-\\u2113\\u2115\\u2119-\\u211D\\u2124\\u2126\\u2128"
    "\\u212A-\\u212D\\u212F-\\u2139\\u213C-\\u213F\\u2145-\\u2149\\u214E\\u2183\\u2184"
    "\\u2C00-\\u2C2E\\u2C30-\\u2C5E\\u2C60-\\u2CE4\\u2CEB-\\u2CEE\\u2CF2\\u2CF3"
    "\\u2D00-\\u2D25\\u2D27\\u2D2D\\u2D30-\\u2D67\\u2D6F\\u2D80-\\u2D96\\u2DA0-\\u2DA6"
    "\\u2DA8-\\u2DAE\\u2DB0-\\u2DB6\\u2DB8-\\u2DBE\\u2DC0-\\u2DC6\\u2DC8-\\u2DCE"
    "\\u2DD0-\\u2DD6\\u2DD8-\\u2DDE\\u2E2F\\u3005\\u3006\\u3031-\\u3035\\u303B\\u303C"
    "\\u3041-\\u3096\\u309D-\\u309F\\u30A1-\\u30FA\\u30FC-\\u30FF\\u3105-\\u312D"
    "\\u3131-\\u318E\\u31A0-\\u31BA\\u31F0-\\u31FF\\u3400-\\u4DB5\\u4E00-\\u9FCC"
    "\\uA000-\\uA48C\\uA4D0-\\uA4FD\\uA500-\\uA60C\\uA610-\\uA61F\\uA62A\\uA62B"
    "\\uA640-\\uA66E\\uA67F-\\uA697\\uA6A0-\\uA6E5\\uA717-\\uA71F\\uA722-\\uA788"
    "\\uA78B-\\uA78E\\uA790-\\uA793\\uA7A0-\\uA7AA\\uA7F8-\\uA801\\uA803-\\uA805"
    "\\uA807-\\uA80A\\uA80C-\\uA822\\uA840-\\uA873\\uA882-\\uA8B3\\uA8F2-\\uA8F7\\uA8FB"
    "\\uA90A-\\uA925\\uA930-\\uA946\\uA960-\\uA97C\\uA984-\\uA9B2\\uA9CF\\uAA00-\\uAA28"
    "\\uAA40-\\uAA42\\uAA44-\\uAA4B\\uAA60-\\uAA76\\uAA7A\\uAA80-\\uAAAF\\uAAB1\\uAAB5"
    "\\uAAB6\\uAAB9-\\uAABD\\uAAC0\\uAAC2\\uAADB-\\uAADD\\uAAE0-\\uAAEA\\uAAF2-\\uAAF4"
    "\\uAB01-\\uAB06\\uAB09-\\uAB0E\\uAB11-\\uAB16\\uAB20-\\uAB26\\uAB28-\\uAB2E"
    "\\uABC0-\\uABE2\\uAC00-\\uD7A3\\uD7B0-\\uD7C6\\uD7CB-\\uD7FB\\uF900-\\uFA6D"
    "\\uFA70-\\uFAD9\\uFB00-\\uFB06\\uFB13-\\uFB17\\uFB1D\\uFB1F-\\uFB28\\uFB2A-\\uFB36"
    "\\uFB38-\\uFB3C\\uFB3E\\uFB40\\uFB41\\uFB43\\uFB44\\uFB46-\\uFBB1\\uFBD3-\\uFD3D"
    "\\uFD50-\\uFD8F\\uFD92-\\uFDC7\\uFDF0-\\uFDFB\\uFE70-\\uFE74\\uFE76-\\uFEFC"
    "\\uFF21-\\uFF3A\\uFF41-\\uFF5A\\uFF66-\\uFFBE\\uFFC2-\\uFFC7\\uFFCA-\\uFFCF"
    "\\uFFD2-\\uFFD7\\uFFDA-\\uFFDC]"
)

# Actions: what a rule does to the condition stack besides returning its token.
NONE, PUSH, POP, POP_PUSH, GRAPH, BR_TEXT, EMPTY_TEXT = range(7)

# (jison rule number, regex, token type or None, action, action argument).
# Numbers and order are mermaid 12.3.0's; only the rules of a condition are tried there.
RULES: tuple[tuple[int, str, str | None, int, str | None], ...] = (
    (0, f"accTitle{S}*:{S}*", "ACC_TITLE", PUSH, "acc_title"),
    (1, "[^\\n]*", "ACC_TITLE_VALUE", POP, None),
    (2, f"accDescr{S}*:{S}*", "ACC_DESCR", PUSH, "acc_descr"),
    (3, "[^\\n]*", "ACC_DESCR_VALUE", POP, None),
    (4, f"accDescr{S}*\\{{{S}*", None, PUSH, "acc_descr_multiline"),
    (5, "\\}", None, POP, None),
    (6, "[^\\}]*", "ACC_DESCR_MULTILINE_VALUE", NONE, None),
    (7, "@\\{", "SHAPE_DATA", EMPTY_TEXT, "shapeData"),
    (8, '"', "SHAPE_DATA", PUSH, "shapeDataStr"),
    (9, '"', "SHAPE_DATA", POP, None),
    (10, '[^"]+', "SHAPE_DATA", BR_TEXT, None),
    (11, '[^}^"]+', "SHAPE_DATA", NONE, None),
    (12, "\\}", None, POP, None),
    (13, f"call{S}+", None, PUSH, "callbackname"),
    (14, f"\\({S}*\\)", None, POP, None),
    (15, "\\(", None, POP_PUSH, "callbackargs"),
    (16, "[^(]*", "CALLBACKNAME", NONE, None),
    (17, "\\)", None, POP, None),
    (18, "[^)]*", "CALLBACKARGS", NONE, None),
    (19, '[^`"]+', "MD_STR", NONE, None),
    (20, '`"', None, POP, None),
    (21, '"`', None, PUSH, "md_string"),
    (22, '[^"]+', "STR", NONE, None),
    (23, '"', None, POP, None),
    (24, '"', None, PUSH, "string"),
    (25, "style\\b", "STYLE", NONE, None),
    (26, "default\\b", "DEFAULT", NONE, None),
    (27, "linkStyle\\b", "LINKSTYLE", NONE, None),
    (28, "interpolate\\b", "INTERPOLATE", NONE, None),
    (29, "classDef\\b", "CLASSDEF", NONE, None),
    (30, "class\\b", "CLASS", NONE, None),
    (31, f"href{S}", "HREF", NONE, None),
    (32, f"click{S}+", None, PUSH, "click"),
    (33, S, None, POP, None),
    (34, f"{NOT_S}*", "CLICK", NONE, None),
    (35, "flowchart-elk\\b", "GRAPH", GRAPH, None),
    (36, "swimlane-beta\\b", "GRAPH", GRAPH, None),
    (37, "graph\\b", "GRAPH", GRAPH, None),
    (38, "flowchart\\b", "GRAPH", GRAPH, None),
    (39, "subgraph\\b", "SUBGRAPH", NONE, None),
    (40, f"end\\b{S}*", "END", NONE, None),
    (41, "_self\\b", "LINK_TARGET", NONE, None),
    (42, "_blank\\b", "LINK_TARGET", NONE, None),
    (43, "_parent\\b", "LINK_TARGET", NONE, None),
    (44, "_top\\b", "LINK_TARGET", NONE, None),
    (45, f"(?:\\r?\\n)*{S}*\\n", "NODIR", POP, None),
    (46, f"{S}*LR\\b", "DIR", POP, None),
    (47, f"{S}*RL\\b", "DIR", POP, None),
    (48, f"{S}*TB\\b", "DIR", POP, None),
    (49, f"{S}*BT\\b", "DIR", POP, None),
    (50, f"{S}*TD\\b", "DIR", POP, None),
    (51, f"{S}*BR\\b", "DIR", POP, None),
    (52, f"{S}*<", "DIR", POP, None),
    (53, f"{S}*>", "DIR", POP, None),
    (54, f"{S}*\\^", "DIR", POP, None),
    (55, f"{S}*v\\b", "DIR", POP, None),
    (56, f"{DOT}*direction{S}+TB[^\\n]*", "DIRECTION_TB", NONE, None),
    (57, f"{DOT}*direction{S}+BT[^\\n]*", "DIRECTION_BT", NONE, None),
    (58, f"{DOT}*direction{S}+RL[^\\n]*", "DIRECTION_RL", NONE, None),
    (59, f"{DOT}*direction{S}+LR[^\\n]*", "DIRECTION_LR", NONE, None),
    (60, f"{DOT}*direction{S}+TD[^\\n]*", "DIRECTION_TD", NONE, None),
    (61, f'[^{_WS}"\\[\\]\\(\\)\\{{\\}}\\|]+@(?=[^\\{{"])', "LINK_ID", NONE, None),
    (62, "[0-9]+", "NUM", NONE, None),
    (63, "#", "BRKT", NONE, None),
    (64, ":::", "STYLE_SEPARATOR", NONE, None),
    (65, ":", "COLON", NONE, None),
    (66, "&", "AMP", NONE, None),
    (67, ";", "SEMI", NONE, None),
    (68, ",", "COMMA", NONE, None),
    (69, "\\*", "MULT", NONE, None),
    (70, f"{S}*[xo<]?--+[-xo>]{S}*", "LINK", POP, None),
    (71, f"{S}*[xo<]?--{S}*", "START_LINK", PUSH, "edgeText"),
    (72, "[^-]|-(?!-)", "EDGE_TEXT", NONE, None),
    (73, f"{S}*[xo<]?==+[=xo>]{S}*", "LINK", POP, None),
    (74, f"{S}*[xo<]?=={S}*", "START_LINK", PUSH, "thickEdgeText"),
    (75, "[^=]", "EDGE_TEXT", NONE, None),  # jison's `|=(?!)` alternative never matches
    (76, f"{S}*[xo<]?-?\\.+-[xo>]?{S}*", "LINK", POP, None),
    (77, f"{S}*[xo<]?-\\.{S}*", "START_LINK", PUSH, "dottedEdgeText"),
    (78, "[^.]", "EDGE_TEXT", NONE, None),  # likewise `|\.(?!)`
    (79, f"{S}*~~~+{S}*", "LINK", NONE, None),
    (80, "[-/)]\\)", "ELLIPSE_END", POP, None),
    (81, "[^()\\[\\]{}]|!\\)+", "TEXT", NONE, None),
    (82, "\\(-", "ELLIPSE_START", PUSH, "ellipseText"),
    (83, "\\]\\)", "STADIUMEND", POP, None),
    (84, "\\(\\[", "STADIUMSTART", PUSH, "text"),
    (85, "\\]\\]", "SUBROUTINEEND", POP, None),
    (86, "\\[\\[", "SUBROUTINESTART", PUSH, "text"),
    (87, "\\[\\|", "VERTEX_WITH_PROPS_START", NONE, None),
    (88, ">", "TAGEND", PUSH, "text"),
    (89, "\\)\\]", "CYLINDEREND", POP, None),
    (90, "\\[\\(", "CYLINDERSTART", PUSH, "text"),
    (91, "\\)\\)\\)", "DOUBLECIRCLEEND", POP, None),
    (92, "\\(\\(\\(", "DOUBLECIRCLESTART", PUSH, "text"),
    (93, "[\\\\(?=\\])]\\]", "TRAPEND", POP, None),  # JS class is \\ ( ? = ] )
    (94, "/(?=\\])\\]", "INVTRAPEND", POP, None),
    (95, "/(?!\\])|\\\\(?!\\])|[^\\\\\\[\\]\\(\\)\\{\\}/]+", "TEXT", NONE, None),
    (96, "\\[/", "TRAPSTART", PUSH, "trapText"),
    (97, "\\[\\\\", "INVTRAPSTART", PUSH, "trapText"),
    (98, "<", "TAGSTART", NONE, None),
    (99, ">", "TAGEND", NONE, None),
    (100, "\\^", "UP", NONE, None),
    (101, "\\\\\\|", "SEP", NONE, None),
    (102, "v\\b", "DOWN", NONE, None),
    (103, "\\*", "MULT", NONE, None),
    (104, "#", "BRKT", NONE, None),
    (105, "&", "AMP", NONE, None),
    (106, "(?:[A-Za-z0-9!\"#$%&'*+.`?\\\\_/]|-(?=[^>\\-.]))+", "NODE_STRING", NONE, None),
    (107, "-", "MINUS", NONE, None),
    (108, _UNICODE_TEXT, "UNICODE_TEXT", NONE, None),
    (109, "\\|", "PIPE", POP, None),
    (110, "\\|", "PIPE", PUSH, "text"),
    (111, "\\)", "PE", POP, None),
    (112, "\\(", "PS", PUSH, "text"),
    (113, "\\]", "SQE", POP, None),
    (114, "\\[", "SQS", PUSH, "text"),
    (115, "\\}", "DIAMOND_STOP", POP, None),
    (116, "\\{", "DIAMOND_START", PUSH, "text"),
    (117, '[^\\[\\]\\(\\)\\{\\}\\|"]+', "TEXT", NONE, None),
    (118, '"', "QUOTE", NONE, None),
    (119, "(?:\\r?\\n)+", "NEWLINE", NONE, None),
    (120, "[\\t\\x0b\\x0c \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+",
     "SPACE", NONE, None),
    (121, "\\Z", "EOF", NONE, None),
)

# The rules active in each start condition (mermaid 12.3.0's `conditions` table).
_ALWAYS = (21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116)
CONDITIONS: dict[str, tuple[int, ...]] = {
    "shapeDataEndBracket": _ALWAYS,
    "shapeDataStr": (9, 10, *_ALWAYS),
    "shapeData": (8, 11, 12, *_ALWAYS),
    "callbackargs": (17, 18, *_ALWAYS),
    "callbackname": (14, 15, 16, *_ALWAYS),
    "href": _ALWAYS,
    "click": (33, 34, *_ALWAYS),
    "dottedEdgeText": (76, 78, *_ALWAYS),
    "thickEdgeText": (73, 75, *_ALWAYS),
    "edgeText": (70, 72, *_ALWAYS),
    "trapText": (93, 94, 95, *_ALWAYS),
    "ellipseText": (80, 81, *_ALWAYS),
    "text": (83, 85, 89, 91, 109, 111, 113, 115, 117, *_ALWAYS),
    "vertex": _ALWAYS,
    "dir": (45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, *_ALWAYS),
    "acc_descr_multiline": (5, 6, *_ALWAYS),
    "acc_descr": (3, *_ALWAYS),
    "acc_title": (1, *_ALWAYS),
    "md_string": (19, 20, *_ALWAYS),
    "string": (22, 23, *_ALWAYS),
    "INITIAL": (
        0, 2, 4, 7, 13, 21, 24, 25, 26, 27, 28, 29, 30, 31, 32, 35, 36, 37, 38, 39, 40, 41, 42,
        43, 44, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 73, 74, 76, 77,
        79, 82, 84, 86, 87, 88, 90, 92, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107,
        108, 110, 112, 114, 116, 118, 119, 120, 121,
    ),
}
_DIRECTION_RULES = frozenset({56, 57, 58, 59, 60})
_RULE_BY_NUM = {r[0]: r for r in RULES}

# Conditions opened by a bracket or quote; an input that ends inside one is "unclosed".
OPENING_CONDITIONS = frozenset({
    "text", "string", "md_string", "ellipseText", "trapText", "edgeText", "thickEdgeText",
    "dottedEdgeText", "shapeData", "shapeDataStr", "acc_descr_multiline", "callbackargs",
})


# Tokens that can continue an id (jison's idStringToken): a vertex ends before none of them.
ID_TOKENS = frozenset({"NUM", "NODE_STRING", "DOWN", "MINUS", "DEFAULT", "COMMA", "COLON",
                       "AMP", "BRKT", "MULT", "UNICODE_TEXT"})
# After these a NODE_STRING can only start a vertex (statement start, or a link target).
_VERTEX_BOUNDARY = frozenset({"NEWLINE", "SEMI", "LINK", "LINKT", "LINKI"})
_CONTENT = {"TEXT": "text", "STR": "string", "MD_STR": "markdown"}
_EDGE_CONTENT = {"EDGE_TEXT": "text", "STR": "string", "MD_STR": "markdown"}
# Shape brackets: opening token run -> [(closing token run, FlowDB vertex type)]
_SHAPES: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]] = {
    ("PS", "PS"): ((("PE", "PE"), "circle"),),
    ("DIAMOND_START", "DIAMOND_START"): ((("DIAMOND_STOP", "DIAMOND_STOP"), "hexagon"),),
    ("SQS",): ((("SQE",), "square"),),
    ("PS",): ((("PE",), "round"),),
    ("DIAMOND_START",): ((("DIAMOND_STOP",), "diamond"),),
    ("STADIUMSTART",): ((("STADIUMEND",), "stadium"),),
    ("SUBROUTINESTART",): ((("SUBROUTINEEND",), "subroutine"),),
    ("CYLINDERSTART",): ((("CYLINDEREND",), "cylinder"),),
    ("DOUBLECIRCLESTART",): ((("DOUBLECIRCLEEND",), "doublecircle"),),
    ("ELLIPSE_START",): ((("ELLIPSE_END",), "ellipse"),),
    ("TAGEND",): ((("SQE",), "odd"),),
    ("TRAPSTART",): ((("TRAPEND",), "trapezoid"), (("INVTRAPEND",), "lean_right")),
    ("INVTRAPSTART",): ((("INVTRAPEND",), "inv_trapezoid"), (("TRAPEND",), "lean_left")),
}
_OPENERS = frozenset(t for key in _SHAPES for t in key)


class Tok:
    """A token. Lighter than ``lark.Token`` (creating those dominated lexing time).

    ``pos`` is the offset in the preprocessed text; the class-level position attributes
    exist only because lark copies them onto its end-of-input token.
    """

    __slots__ = ("type", "value", "pos")
    line = column = end_line = end_column = start_pos = end_pos = None

    def __init__(self, type_: str, value: str, pos: int) -> None:
        self.type = type_
        self.value = value
        self.pos = pos

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.type}, {self.value!r}, {self.pos})"


class VertexTok(Tok):
    """``id``, ``id[label]``, ``id(label):::cls``... as one token (see :func:`merge`)."""

    __slots__ = ("shape", "content", "content_type", "cls")

    def __init__(self, ident: Tok, shape: str | None, content: Tok | None, cls: Tok | None):
        super().__init__("VERTEX", ident.value, ident.pos)
        self.shape = shape
        self.content = content
        self.content_type = _CONTENT[content.type] if content is not None else "text"
        self.cls = cls


class LinkTok(Tok):
    """``-->|label|`` or ``-- label -->`` as one token."""

    __slots__ = ("start", "end", "label", "label_type")

    def __init__(self, type_: str, first: Tok, start: Tok | None, end: Tok, label: Tok,
                 label_type: str) -> None:
        super().__init__(type_, first.value, first.pos)
        self.start = start
        self.end = end
        self.label = label
        self.label_type = label_type


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
                _, rx, tok, act, arg = _RULE_BY_NUM[num]
                parts.append(f"({rx})")
                actions.append((num, tok, act, arg))
        regex = re.compile("|".join(parts) or "(?!)", re.ASCII)
        return regex, tuple(actions)


def _build_tables() -> tuple[dict[str, _Condition], _Condition]:
    tables = {name: _Condition(rules) for name, rules in CONDITIONS.items()}
    # INITIAL without the `.*direction ...` rules: they scan to the end of the line at
    # every token, so they are only tried on lines that contain "direction".
    plain = tuple(n for n in CONDITIONS["INITIAL"] if n not in _DIRECTION_RULES)
    return tables, _Condition(plain)


_TABLES, _INITIAL_PLAIN = _build_tables()
# Blanks followed by a character no link/`~~~` rule can start with (so jison's next token
# is SPACE): a letter other than x and o, a digit, `_`, or an opening quote/bracket.
_INDENT = re.compile("[ \t]+(?=[A-Za-np-wyz0-9_\"\\[(])")
_BR_RE = re.compile(f"\\n{S}*")


class LexError(Exception):
    """No rule of the current condition matches (jison's "Lexical error")."""

    def __init__(self, pos: int, condition: str) -> None:
        super().__init__(f"lexical error at {pos} in {condition}")
        self.pos = pos
        self.condition = condition


class LexRun:
    """One lexing pass over a text; also the context diagnostics are computed from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: list[str] = ["INITIAL"]
        self.openers: list[tuple[str, int]] = []  # (condition, offset) of unclosed brackets
        self.subgraphs: list[int] = []  # offsets of `subgraph` tokens not yet closed by `end`
        self.first_graph = True
        self.last: Tok | None = None  # the token being fed to the parser
        self.before: Tok | None = None  # the one before it
        self.unmatched_end = False  # the last token is an `end` with no open subgraph
        self.pos = 0

    def _direction_lines(self) -> tuple[list[int], list[int]]:
        text = self.text
        hits, starts = [], []
        i = text.find("direction")
        while i != -1:
            hits.append(i)
            starts.append(text.rfind("\n", 0, i) + 1)
            i = text.find("direction", i + 1)
        hits.append(len(text) + 1)
        starts.append(len(text) + 1)
        return hits, starts

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

    def lex_all(self) -> tuple[list[Tok], LexError | None]:
        """All tokens jison's lexer returns (consecutive single-character ``TEXT`` and
        ``EDGE_TEXT`` joined, a ``SPACE`` after ``NEWLINE``/``SEMI`` dropped), and the
        lexical error that stopped it, if any."""
        text, end = self.text, len(self.text)
        hits, starts = self._direction_lines()
        hit_i, pos, done = 0, 0, False
        toks: list[Tok] = []
        append = toks.append
        stack = self.stack
        initial, plain = _TABLES["INITIAL"].by_char, _INITIAL_PLAIN.by_char
        indent = _INDENT.match
        prev_type = ""
        while True:
            if pos >= end:
                if done:
                    break
                done = True
            cond_name = stack[-1]
            if cond_name == "INITIAL":
                while hits[hit_i] < pos:
                    hit_i += 1
                if starts[hit_i] <= pos:
                    by_char, cond = initial, _TABLES["INITIAL"]
                else:
                    by_char, cond = plain, _INITIAL_PLAIN
            else:
                cond = _TABLES[cond_name]
                by_char = cond.by_char
            ch = text[pos] if pos < end else ""
            entry = by_char.get(ch) or cond.entry(ch)
            m = entry[0].match(text, pos)
            if m is None:
                if pos >= end:
                    break
                return toks, LexError(pos, cond_name)
            _, tok_type, act, arg = entry[1][m.lastindex - 1]  # type: ignore[operator]
            start, pos = pos, m.end()
            if act:
                value = m.group()
                if act == BR_TEXT:
                    value = _BR_RE.sub("<br/>", value)
                elif act == EMPTY_TEXT:
                    value = ""
                self._apply(act, arg, start)
                if tok_type is None:
                    continue
            elif tok_type is None:
                continue
            else:
                value = m.group()
            if tok_type == prev_type:
                if tok_type == "EDGE_TEXT" or tok_type == "TEXT":
                    toks[-1].value += value
                    continue
            elif tok_type == "SPACE" and (prev_type == "NEWLINE" or prev_type == "SEMI"):
                continue
            elif tok_type == "NEWLINE" and cond_name == "INITIAL" and starts[hit_i] > pos:
                # Indentation after a line break lexes as SPACE, which is dropped anyway;
                # skip it here unless a link rule (`\s*-->`, `\s*~~~`) could start there.
                m = indent(text, pos)
                if m is not None:
                    pos = m.end()
            append(Tok(tok_type, value, start))
            prev_type = tok_type
        return toks, None

    def tokens(self):  # type: ignore[no-untyped-def]
        """The parser's token stream: merged tokens, then the lexical error if any (so a
        parse error earlier in the text is reported first, as in mermaid)."""
        toks, lex_error = self.lex_all()
        track = self._track
        for tok in merge(toks):
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


# -- coarse tokens --------------------------------------------------------------------------


def merge(toks: list[Tok]) -> list[Tok]:
    """Join token runs the grammar always reduces the same way into single tokens.

    * ``NODE_STRING`` right after ``NEWLINE``/``SEMI``/a link (where it can only start a
      vertex), forming the whole id, with an optional one-token label in a matching
      bracket pair and an optional ``:::class`` -> ``VERTEX``;
    * ``LINK PIPE label PIPE [SPACE]`` -> ``LINKT``; ``START_LINK label LINK`` -> ``LINKI``.

    Anything else (multi-token ids, labels mixing quoted and unquoted text, ``A & B``,
    ``e1@-->``...) is left as mermaid's tokens and goes through the full grammar, so the
    merge only saves work: the grammar gives the coarse tokens the same meaning.
    """
    out: list[Tok] = []
    append = out.append
    n = len(toks)
    i = 0
    prev_type = ""
    while i < n:
        tok = toks[i]
        ttype = tok.type
        merged: Tok | None = None
        used = 0
        if ttype == "NODE_STRING" and prev_type in _VERTEX_BOUNDARY:
            merged, used = _merge_vertex(toks, i, n)
        elif ttype == "LINK" and prev_type not in _NO_LINK_MERGE:
            merged, used = _merge_link_text(toks, i, n)
        elif ttype == "START_LINK" and prev_type not in _NO_LINK_MERGE:
            merged, used = _merge_inline(toks, i, n)
        if merged is None:
            append(tok)
            i += 1
        else:
            append(merged)
            i += used
        prev_type = out[-1].type
    return out


_NO_LINK_MERGE = frozenset({"LINK_ID", "EDGE_TEXT", "STR", "MD_STR", "START_LINK"})


def _type_at(toks: list[Tok], i: int, n: int) -> str:
    return toks[i].type if i < n else ""


def _merge_vertex(toks: list[Tok], i: int, n: int) -> tuple[Tok | None, int]:
    j = i + 1
    nxt = _type_at(toks, j, n)
    if nxt in ID_TOKENS or nxt == "VERTEX_WITH_PROPS_START":
        return None, 0
    shape = content = None
    if nxt in _OPENERS:
        found = _match_shape(toks, j, n)
        if found is None:
            return None, 0
        shape, content, j = found
    cls = None
    if _type_at(toks, j, n) == "STYLE_SEPARATOR":
        if _type_at(toks, j + 1, n) != "NODE_STRING" or _type_at(toks, j + 2, n) in ID_TOKENS:
            return None, 0  # a class name of several tokens: leave it to the grammar
        cls = toks[j + 1]
        j += 2
    return VertexTok(toks[i], shape, content, cls), j - i


def _match_shape(toks: list[Tok], j: int, n: int) -> tuple[str, Tok, int] | None:
    for width in (2, 1):
        opener = tuple(t.type for t in toks[j:j + width])
        options = _SHAPES.get(opener)
        if options is None or len(opener) < width:
            continue
        k = j + width
        if _type_at(toks, k, n) not in _CONTENT:
            return None
        for closer, shape in options:
            if tuple(t.type for t in toks[k + 1:k + 1 + len(closer)]) == closer:
                return shape, toks[k], k + 1 + len(closer)
        return None
    return None


def _merge_link_text(toks: list[Tok], i: int, n: int) -> tuple[Tok | None, int]:
    if _type_at(toks, i + 1, n) != "PIPE" or _type_at(toks, i + 2, n) not in _CONTENT \
            or _type_at(toks, i + 3, n) != "PIPE":
        return None, 0
    label = toks[i + 2]
    used = 5 if _type_at(toks, i + 4, n) == "SPACE" else 4
    return LinkTok("LINKT", toks[i], None, toks[i], label, _CONTENT[label.type]), used


def _merge_inline(toks: list[Tok], i: int, n: int) -> tuple[Tok | None, int]:
    label_type = _EDGE_CONTENT.get(_type_at(toks, i + 1, n))
    if label_type is None or _type_at(toks, i + 2, n) != "LINK":
        return None, 0
    return LinkTok("LINKI", toks[i], toks[i], toks[i + 2], toks[i + 1], label_type), 3


def make_lexer_class() -> type:
    """The lark custom lexer (interface 2); built on demand so lark is imported lazily.

    The parse input handed to lark is a :class:`LexRun`, which lark passes back here.
    """
    from lark.lexer import Lexer

    class MermaidLexer(Lexer):
        __future_interface__ = 2

        def __init__(self, lexer_conf: object) -> None:
            self.conf = lexer_conf

        def lex(self, lexer_state, parser_state):  # type: ignore[no-untyped-def]
            return lexer_state.text.tokens()

    return MermaidLexer


def first_nonspace(tok: Tok) -> int:
    """Offset of the first non-blank character of a token (links carry their blanks)."""
    value = tok.value
    return tok.pos + (len(value) - len(value.lstrip()))
