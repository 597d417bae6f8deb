"""The part before the first statement: header diagnostics, front matter and directives.

Mermaid decides "is this a flowchart?" with a regex (``^\\s*(graph|flowchart)``) after
stripping front matter, ``%%{...}%%`` directives and comments; when that fails it only
says "No diagram type detected". Here the first meaningful line is found in the
original text and the likely mistake named (capitalised keyword, another diagram type,
no header at all).

Of the configuration that front matter (``config: flowchart: ...``) and
``%%{init: ...}%%`` can carry, only ``flowchart.inheritDir`` changes the parsed
structure (subgraphs without ``direction`` take the graph's), so only it is read.
"""

from __future__ import annotations

import re
from typing import Any

from archc.diagnostics import Diagnostic, error
from archc.source import Span
from archc.spec.mermaid.preprocess import Prepared, directive_inherit_dir, js_truthy

OTHER_DIAGRAMS = (
    "sequenceDiagram", "classDiagram", "stateDiagram", "erDiagram", "gantt", "pie", "journey",
    "gitGraph", "mindmap", "timeline", "quadrantChart", "requirementDiagram", "sankey",
    "xychart", "block", "packet", "architecture", "kanban", "radar", "treemap", "C4Context",
    "C4Container", "C4Component", "C4Dynamic", "C4Deployment", "info", "zenuml",
)
_C4_WORD = re.compile(r"C4Context|C4Container|C4Component|C4Dynamic|C4Deployment")
_FLOW_WORD = re.compile(r"(graph|flowchart)\b", re.IGNORECASE)


def _first_line(text: str, prepared: Prepared) -> tuple[int, str]:
    """1-based index and text of the first line that is not front matter, a directive,
    a comment or blank."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    if prepared.front_matter is not None:
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    in_directive = False
    for j in range(i, len(lines)):
        stripped = lines[j].strip()
        if in_directive:
            in_directive = "}%%" not in stripped
            continue
        if stripped.startswith("%%{"):
            in_directive = "}%%" not in stripped
            continue
        if not stripped or stripped.startswith("%%"):
            continue
        return j + 1, lines[j]
    return 0, ""


def header_problem(text: str, prepared: Prepared, file: str, line_offset: int) -> Diagnostic:
    line_no, line = _first_line(text, prepared)
    if line_no == 0:
        return error("ARC102", "the file contains no flowchart (no `flowchart`/`graph` header)",
                     Span.point(file, 1 + line_offset, 1),
                     "start with a header line such as `flowchart TD`")
    col = len(line) - len(line.lstrip()) + 1
    word = line.strip().split()[0] if line.strip() else ""
    span = Span.point(file, line_no + line_offset, col, max(len(word), 1))
    if word == "---" and prepared.front_matter is None:
        return error("ARC116", "front matter is not closed", span,
                     "end the YAML block with a line containing only `---`")
    return _classify_header(word, prepared.detect_text, span)


def _classify_header(word: str, detect_text: str, span: Span) -> Diagnostic:
    flow = _FLOW_WORD.match(word)
    c4 = _C4_WORD.search(detect_text)
    if flow and c4 is not None:
        return error("ARC104", f"Mermaid reads this as a C4 diagram because the text contains "
                     f"'{c4.group()}'", span, "rename that id or label text")
    if flow:
        return error("ARC103", f"the header must be lowercase `{flow.group(1).lower()}`, "
                     f"not `{word}`", span, f"write `{flow.group(1).lower()} TD` (or LR, BT, RL)")
    for other in OTHER_DIAGRAMS:
        if word.startswith(other) or word.lower() == other.lower():
            return error("ARC104", f"this is a Mermaid `{other}` diagram, not a flowchart",
                         span, "archc reads flowcharts: start with `flowchart TD` (or LR, ...)")
    return error("ARC102", f"missing flowchart header: the diagram starts with `{word}`", span,
                 "the first line must be `flowchart TD` (or LR, BT, RL), or `graph TD`")


def config_inherit_dir(text: str, prepared: Prepared, file: str,
                       line_offset: int) -> tuple[bool, list[Diagnostic]]:
    """``flowchart.inheritDir`` from front matter and init directives (directives win)."""
    from archc.spec.mermaid.db_yaml import YamlError, load

    inherit = False
    diags: list[Diagnostic] = []
    if prepared.front_matter is not None:
        try:
            _, doc = load(prepared.front_matter)
        except YamlError as exc:
            span = Span.point(file, 1 + line_offset, 1, 3)
            return False, [error("ARC116", f"invalid YAML front matter: {exc}", span,
                                 "front matter is YAML between two `---` lines")]
        inherit = _front_matter_inherit(doc)
        title = doc.get("title") if isinstance(doc, dict) else None
        if js_truthy(title):
            prepared.title = str(title)
    from_directive = directive_inherit_dir(prepared.directives)
    if from_directive is not None:
        inherit = from_directive
    return inherit, diags


def _front_matter_inherit(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    config = doc.get("config")
    if not isinstance(config, dict):
        return False
    flowchart = config.get("flowchart")
    return isinstance(flowchart, dict) and js_truthy(flowchart.get("inheritDir"))
