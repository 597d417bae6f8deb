"""Benchmark `archc build --only terraform` on generated specs, end to end and per step.

    python bench/bench_build.py [N ...]        default: 1000 5000

Reports check (load + link + rules), Terraform emission (context + templates), the
security report, and writing, with growth ratios against the growth in components.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_spec import generate  # noqa: E402

from archc import _write, pipeline  # noqa: E402
from archc.emit import security_report, terraform  # noqa: E402


def measure(n: int) -> tuple[int, int, dict[str, float]]:
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec"
        spec.mkdir()
        diagram, overlay = generate(n)
        (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
        (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
        start = time.perf_counter()
        checked = pipeline.check(spec)
        times["check"] = time.perf_counter() - start
        arch, graph = checked.loaded.arch, checked.graph
        assert checked.ok and arch is not None and graph is not None
        start = time.perf_counter()
        tf = terraform.emit(arch, graph)
        times["terraform emit"] = time.perf_counter() - start
        start = time.perf_counter()
        sec = security_report.emit(arch, graph)
        times["security report"] = time.perf_counter() - start
        files = tf.files + sec.files
        start = time.perf_counter()
        _write.write_outputs(files + (_write.manifest_file(files, {}),), Path(tmp) / "out")
        times["write"] = time.perf_counter() - start
        size = sum(len(f.data) for f in files)
    return len(arch.components), size, times


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv[1:]] or [1000, 5000]
    results = [(n, *measure(n)) for n in sizes]
    steps = list(results[0][3])
    print(f"{'step':<18}" + "".join(f"{f'N={n} ({c})':>20}" for n, c, _, _ in results))
    for step in [*steps, "total"]:
        vals = [sum(t.values()) if step == "total" else t[step] for *_, t in results]
        print(f"{step:<18}" + "".join(f"{v:>18.2f} s" for v in vals))
    print(f"{'output size':<18}" + "".join(f"{s / 1e6:>17.1f} MB" for _, _, s, _ in results))
    for (n0, c0, _, t0), (n1, c1, _, t1) in zip(results, results[1:], strict=False):
        a, b = sum(t0.values()), sum(t1.values())
        print(f"growth N={n0}->{n1}: components x{c1 / c0:.1f}, time x{b / a:.1f} "
              f"(ratio {b / a / (c1 / c0):.2f}; 1.00 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
