"""SARIF 2.1.0 for `archc check --format sarif`, so GitHub code scanning shows findings inline."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from archc.diagnostics import Diagnostic, Severity
from archc.source import SourceRegistry
from archc.terminal import UNSAFE, clip_message

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def to_sarif(diags: list[Diagnostic], sources: SourceRegistry, version: str) -> dict[str, Any]:
    codes = sorted({d.code for d in diags})
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "archc",
                "version": version,
                "informationUri": "https://github.com/archc/archc",
                "rules": [{"id": code, "name": code} for code in codes],
            }},
            "results": [_result(d, codes.index(d.code)) for d in diags],
        }],
    }


def _result(diag: Diagnostic, rule_index: int) -> dict[str, Any]:
    # GitHub shows these texts to reviewers of a pull request that wrote them: bidi controls
    # would reorder what they read, and a 50 MB label would swell the upload. So the same
    # visible escapes and caps as on a terminal; `--format json` keeps the full text.
    text = clip_message(diag.message) + (f"\nhint: {clip_message(diag.hint)}" if diag.hint
                                         else "")
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[diag.severity],
        "message": {"text": text},
    }
    if diag.span is not None:
        span = diag.span
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(span.file)},
            "region": {"startLine": span.line, "startColumn": span.col,
                       "endLine": span.end_line, "endColumn": max(span.end_col, span.col + 1)},
        }}]
    if diag.notes:
        result["relatedLocations"] = [
            {"id": i, "message": {"text": clip_message(n.message)},
             "physicalLocation": {"artifactLocation": {"uri": _uri(n.span.file)},
                                  "region": {"startLine": n.span.line,
                                             "startColumn": n.span.col}}}
            for i, n in enumerate(diag.notes) if n.span is not None]
    return result


def _uri(path: str) -> str:
    """A file's SARIF location: a URI reference, so the characters a viewer would act on or
    hide (controls, bidi, zero-width: `archc.terminal.UNSAFE`) are percent-encoded as URIs
    encode them; ordinary names stay as they are."""
    return UNSAFE.sub(lambda m: quote(m.group(), safe="", errors="surrogateescape"), path)
