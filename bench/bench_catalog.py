"""Benchmark the whole pipeline stage by stage on specs that mix every catalog kind.

    python bench/bench_catalog.py [N ...]        default: 100 1000 5000

The specs come from bench/gen_catalog.py (every kind of `archc.kinds.KINDS`, placed by its
scope, wired to compatible kinds). Stages: load (Mermaid, overlay, schema), model (linking the
IR), graph, rules, each emitter alone (images are judged by their DOT, not drawn), and write.
Prints CPU seconds per stage (this process's, steadier than the wall clock on a shared
machine; the garbage of one stage is collected before the next), and the growth of each
stage between consecutive sizes against the growth in components (ratio 1.00 = linear; a
stage well above it is super-linear).
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_catalog import generate  # noqa: E402

from archc import _write  # noqa: E402
from archc.emit import emit_all, emitter_names  # noqa: E402
from archc.emit.diagram import images_not_drawn  # noqa: E402
from archc.graph import to_graph  # noqa: E402
from archc.rules import run_rules  # noqa: E402
from archc.spec.link import Linker  # noqa: E402
from archc.spec.mermaid import parse_flowchart  # noqa: E402
from archc.spec.overlay import parse_overlay  # noqa: E402
from archc.spec.overlay_view import OverlayView  # noqa: E402
from archc.spec.schema import validate_overlay  # noqa: E402

# A stage is super-linear when its time grows this much faster than the components.
SUPER_LINEAR = 1.5


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def stages(diagram: str, overlay_text: str, out: Path) -> tuple[int, int, dict[str, float]]:
    times: dict[str, float] = {}

    def load() -> tuple[object, object]:
        chart = parse_flowchart(diagram, "architecture.mmd")[0]
        overlay = parse_overlay(overlay_text, "archc.yaml")[0]
        validate_overlay(overlay)
        return chart, overlay

    times["load"], (chart, overlay) = timed(load)  # type: ignore[misc]
    linker = Linker(chart, OverlayView(overlay), ("architecture.mmd", "archc.yaml"))
    times["model"], arch = timed(linker.link)
    times["graph"], graph = timed(lambda: to_graph(arch))
    times["rules"], diags = timed(lambda: run_rules(arch, graph))
    errors = [d for d in linker.diags + diags if d.severity.value == "error"]
    assert not errors, [d.message for d in errors[:3]]
    files: tuple[object, ...] = ()
    with images_not_drawn():
        for name in emitter_names():
            times[f"emit {name}"], emitted = timed(lambda n=name: emit_all(arch, graph, (n,)))
            files += emitted.files  # type: ignore[attr-defined]
    times["write"], _ = timed(lambda: _write.write_outputs(
        files + (_write.manifest_file(files, {}),), out))  # type: ignore[arg-type]
    return len(arch.components), len(arch.flows), times


def measure(n: int) -> tuple[int, int, dict[str, float]]:
    diagram, overlay = generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        return stages(diagram, overlay, Path(tmp) / "out")


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv[1:]] or [100, 1000, 5000]
    measure(sizes[0])  # warm up: imports, compiled schemas and templates are not a stage's
    results = [(n, *measure(n)) for n in sizes]
    names = list(results[0][3])
    print(f"{'stage':<22}" + "".join(f"{f'N={n} ({c}c, {f}f)':>24}"
                                     for n, c, f, _ in results))
    for name in [*names, "total"]:
        cells = [sum(t.values()) if name == "total" else t[name] for *_, t in results]
        print(f"{name:<22}" + "".join(f"{v:>22.3f} s" for v in cells))
    for (n0, c0, _, t0), (n1, c1, _, t1) in zip(results, results[1:], strict=False):
        grow = c1 / c0
        print(f"growth N={n0}->{n1} (components x{grow:.1f}), time ratio per stage "
              "(1.00 = linear):")
        for name in [*names, "total"]:
            a = sum(t0.values()) if name == "total" else t0[name]
            b = sum(t1.values()) if name == "total" else t1[name]
            ratio = b / a / grow if a > 0 else float("nan")
            flag = "  SUPER-LINEAR" if ratio > SUPER_LINEAR and b > 0.05 else ""
            print(f"  {name:<20} x{b / a if a else float('nan'):>7.1f}  ratio {ratio:.2f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
