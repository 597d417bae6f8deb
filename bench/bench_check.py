"""Benchmark `archc check` (and the emitters) stage by stage on generated specs.

    python bench/bench_check.py [N ...]        default: 100 1000 5000

Prints, per size: seconds per stage (median of 3 runs), the total, and the growth ratio
between consecutive sizes against the growth in components (1.0 = linear).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_spec import generate  # noqa: E402

from archc.graph import to_graph  # noqa: E402
from archc.rules import run_rules  # noqa: E402
from archc.spec.link import Linker  # noqa: E402
from archc.spec.mermaid import parse_flowchart  # noqa: E402
from archc.spec.overlay import parse_overlay  # noqa: E402
from archc.spec.overlay_view import OverlayView  # noqa: E402
from archc.spec.schema import validate_overlay  # noqa: E402

RUNS = 3


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def stages(diagram: str, overlay_text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    out["parse mermaid"], parsed = timed(lambda: parse_flowchart(diagram, "architecture.mmd"))
    chart = parsed[0]  # type: ignore[index]
    out["load overlay"], loaded = timed(lambda: parse_overlay(overlay_text, "archc.yaml"))
    overlay = loaded[0]  # type: ignore[index]
    out["schema"], _ = timed(lambda: validate_overlay(overlay))
    linker = Linker(chart, OverlayView(overlay), ("architecture.mmd", "archc.yaml"))
    out["link (IR)"], arch = timed(linker.link)
    out["graph"], graph = timed(lambda: to_graph(arch))
    out["rules"], diags = timed(lambda: run_rules(arch, graph))
    errors = [d for d in linker.diags + diags if d.severity.value == "error"]
    assert not errors, errors[:3]
    from archc.emit import mermaid

    out["emit mermaid"], _ = timed(lambda: mermaid.emit(arch, graph))
    return out


def measure(n: int) -> tuple[int, dict[str, float]]:
    diagram, overlay = generate(n)
    runs = [stages(diagram, overlay) for _ in range(RUNS)]
    components = diagram.count('["')
    return components, {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _check_total(stages_ms: dict[str, float]) -> float:
    """`archc check` is everything but the emitter, which is timed for comparison only."""
    return sum(v for k, v in stages_ms.items() if not k.startswith("emit"))


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv[1:]] or [100, 1000, 5000]
    results = [(n, *measure(n)) for n in sizes]
    names = list(results[0][2])
    print(f"{'stage':<16}" + "".join(f"{f'N={n} ({c})':>18}" for n, c, _ in results))
    for name in [*names, "check total"]:
        cells = [_check_total(r) if name == "check total" else r[name] for _, _, r in results]
        print(f"{name:<16}" + "".join(f"{v * 1000:>15.1f} ms" for v in cells))
    for (n0, c0, r0), (n1, c1, r1) in zip(results, results[1:], strict=False):
        t0, t1 = _check_total(r0), _check_total(r1)
        print(f"growth N={n0}->{n1}: components x{c1 / c0:.1f}, time x{t1 / t0:.1f} "
              f"(ratio {t1 / t0 / (c1 / c0):.2f}; 1.00 = linear)")
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main(sys.argv))
