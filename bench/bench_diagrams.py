"""Benchmark diagram generation: canonical Mermaid, the diagrams script + DOT, and Graphviz.

    python bench/bench_diagrams.py [N ...]        default: 100 1000 5000

Mermaid and DOT are archc's own work; Graphviz layout (`dot -Tpng -Tsvg`) is timed
separately because it dominates and grows faster than linearly. Graphviz runs are capped by
GRAPHVIZ_TIMEOUT seconds (default 300) and reported as "> cap" when they take longer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_spec import generate  # noqa: E402

from archc.emit import mermaid  # noqa: E402
from archc.emit.diagram import (
    render,  # noqa: E402
    script,  # noqa: E402
)
from archc.graph import to_graph  # noqa: E402
from archc.spec import load_spec  # noqa: E402

CAP = float(os.environ.get("GRAPHVIZ_TIMEOUT", "300"))


def clock(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def graphviz(built: render.BuiltDot) -> str:
    if shutil.which("dot") is None:
        return "skipped (no Graphviz `dot`)"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in built.icons.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        (root / "a.dot").write_text(built.dot, encoding="utf-8")
        start = time.perf_counter()
        try:
            subprocess.run(["dot", "-Tpng", "-oa.png", "-Tsvg", "-oa.svg", "a.dot"], cwd=root,
                           check=True, capture_output=True, timeout=CAP)
        except subprocess.TimeoutExpired:
            return f"> {CAP:.0f} s"
        return f"{time.perf_counter() - start:.2f} s"


def measure(n: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec"
        spec.mkdir()
        diagram, overlay = generate(n)
        (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
        (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
        arch = load_spec(spec).arch
    assert arch is not None
    graph = to_graph(arch)
    t_mmd, result = clock(lambda: mermaid.emit(arch, graph))
    t_py, text = clock(lambda: script.script_text(arch))
    t_dot, built = clock(lambda: render.build_dot(
        script.diagram_title(arch), script.drawing(arch), script.dot_header(arch)))
    parts = sum(1 for f in result.files if f.path.startswith("diagrams/zones/"))
    return [f"{len(arch.components)}", f"{len(arch.flows)}", f"{t_mmd * 1000:.0f} ms",
            str(parts), f"{t_py * 1000:.0f} ms", f"{t_dot * 1000:.0f} ms", graphviz(built)]


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv[1:]] or [100, 1000, 5000]
    head = ["N", "components", "flows", "mermaid", "split parts", "script", "DOT",
            "graphviz png+svg"]
    rows = [[str(n), *measure(n)] for n in sizes]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
