"""Every error and warning archc can raise carries a hint: checked over the source, so a new
diagnostic without one fails here rather than in front of a user."""

from __future__ import annotations

import ast
from pathlib import Path

ARCHC = Path(__file__).resolve().parent.parent / "archc"


def _calls_without_hint() -> list[str]:
    missing = []
    for path in sorted(ARCHC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            code = node.args[0]
            if name not in ("error", "warning") or not isinstance(code, ast.Constant):
                continue
            if not str(code.value).startswith("ARC"):
                continue
            if len(node.args) < 4 and not any(k.arg == "hint" for k in node.keywords):
                missing.append(f"{path.relative_to(ARCHC)}:{node.lineno} {code.value}")
    return missing


def test_every_error_and_warning_has_a_hint() -> None:
    assert _calls_without_hint() == []
