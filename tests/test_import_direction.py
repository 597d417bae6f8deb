"""The import direction ARCHITECTURE.md's table draws, enforced on every module of archc.

Read from the table: which row owns a module (the most specific unit naming it) and what
that row may import. Checked on every `import` and `from ... import` of every module,
the lazy ones inside functions included (a lazy import hides a dependency, not removes it):
the table allows it, no cycle, no emitter imports another, and a private module (`_x.py`)
is imported only from inside its own package.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "archc"
EMITTERS = ("archc.emit.terraform", "archc.emit.diagram", "archc.emit.helm",
            "archc.emit.mermaid", "archc.emit.security_report")
ANY = "archc"  # in the "may import" column: any module (the CLI)


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = modules()


def table() -> dict[str, tuple[str, ...]]:
    """unit -> what its row may import, from the table in ARCHITECTURE.md."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`archc"):
            continue
        units = re.findall(r"`([\w.]+)`", cells[0])
        allowed = tuple(re.findall(r"`(archc[\w.]*)`", cells[2]))
        rows.update({unit: allowed + tuple(units) for unit in units})
    return rows


ROWS = table()


def owner(module: str) -> str | None:
    """The most specific unit of the table that holds `module`."""
    found = [u for u in ROWS if module == u or module.startswith(u + ".")]
    return max(found, key=len) if found else None


def imports(module: str) -> Iterator[tuple[str, int]]:
    """(imported archc module, line) for every import in the module, lazy ones included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "archc":
                    yield resolve(alias.name), node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            if base.split(".")[0] != "archc":
                continue
            for alias in node.names:
                name = f"{base}.{alias.name}"
                yield (name if name in MODULES else resolve(base)), node.lineno


def resolve(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def allowed(importer: str, imported: str) -> bool:
    if imported == "archc":
        return True
    row = owner(importer)
    assert row is not None
    for entry in ROWS[row]:
        if entry == ANY:
            return True
        covers = imported == entry or imported.startswith(entry + ".")
        if covers and owner(imported) == owner(entry):
            return True
    return False


def test_every_module_has_a_row() -> None:
    assert [m for m in MODULES if m != "archc" and owner(m) is None] == []


def test_every_import_is_one_the_table_allows() -> None:
    wrong = [f"{m}:{line} imports {i} (row {owner(m)} may import {', '.join(ROWS[owner(m)])})"
             for m in MODULES if m != "archc" for i, line in imports(m)
             if not allowed(m, i)]
    assert wrong == []


def test_no_emitter_imports_another() -> None:
    def emitter(module: str) -> str | None:
        return next((e for e in EMITTERS if module == e or module.startswith(e + ".")), None)

    wrong = [f"{m}:{line} imports {i}" for m in MODULES for i, line in imports(m)
             if emitter(m) and emitter(i) and emitter(m) != emitter(i)]
    assert wrong == []


def test_private_modules_are_imported_only_inside_their_package() -> None:
    def private(module: str) -> bool:
        return module.rpartition(".")[2].startswith("_")

    wrong = [f"{m}:{line} imports {i}" for m in MODULES for i, line in imports(m)
             if private(i) and not m.startswith(i.rpartition(".")[0] + ".")]
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = {m: {i for i, _ in imports(m) if i != m} for m in MODULES}
    assert cycles(graph) == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]],
                                       expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_the_table_refuses_what_it_does_not_name() -> None:
    assert allowed("archc.emit.helm", "archc.aws.iam")
    assert not allowed("archc.emit.helm", "archc.emit.terraform.iam")
    assert not allowed("archc.aws.names", "archc.emit.output")
    assert not allowed("archc.spec.link", "archc.emit")
    assert allowed("archc.cli", "archc.diff.render")
