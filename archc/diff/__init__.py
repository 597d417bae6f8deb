"""`archc diff`: what an architecture change does, for a pull request.

Both sides are compiled in memory (inputs.py), matched by stable ids (side.py), compared
aspect by aspect through named predicates (compare.py), flagged where a reviewer must look
(risks.py), and rendered as text, markdown or JSON (render.py, markdown.py) with the unified
diffs of the generated text files (files.py).

It runs the pipeline (`archc.pipeline`) and the emitters' public entry points (`archc.emit`,
`archc.emit.terraform.build_context` for the IAM policies), and reads the derivation layer
`archc.aws` for security-group rows and names; never an emitter's private module.
"""

from __future__ import annotations

from archc.diff.change import Change, Risk
from archc.diff.compare import STATE_CHECKS, compare
from archc.diff.inputs import DiffRun, InputError, run
from archc.diff.markdown import render_markdown
from archc.diff.render import render_json, render_text
from archc.diff.report import Report
from archc.diff.risks import RISKS, assess

__all__ = ["RISKS", "STATE_CHECKS", "Change", "DiffRun", "InputError", "Report", "Risk",
           "assess", "compare", "render", "run"]


def render(report: Report, fmt: str) -> str:
    """The report as `fmt` (json, markdown, text). Chosen here, above both renderers, so that
    markdown.py may share render.py's phrases without the two importing each other."""
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)
