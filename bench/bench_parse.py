"""Time archc's Mermaid parser against the real Mermaid parser, side by side.

Usage:
    python bench/bench_parse.py [--oracle DIR] [--sizes 1000,5000,20000]
                                [--runs 5] [--mermaid-runs 5] [--process-runs 3]

DIR is the Mermaid oracle (shared/oracle/mermaid) with its node_modules installed; it
defaults to $ARCHC_MERMAID_ORACLE, else ../shared/oracle/mermaid next to the repository.
Without node or node_modules the benchmark is skipped with a message (exit 0).

For each size N the oracle's generator (`node bench.mjs gen N FILE`) writes the same
synthetic flowchart Mermaid is timed on (`node bench.mjs time FILE --json`: median of
in-process parses after a warm-up). archc is timed the same way: `parse_flowchart` on
the text, median of --runs after one warm-up, a full GC before each run. Then, for
N=5,000, whole processes: `node parse.mjs FILE` (the oracle's own measurement) against
`python -m archc parse FILE --format json`.

Targets (docs of the task): in-process >= 10x Mermaid at N=1,000 and >= 20x at N=20,000;
N=20,000 at most 25x the time of N=1,000; the N=5,000 process >= 5x faster.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"
TARGETS = {1000: 10.0, 20000: 20.0}


@dataclass
class Row:
    n: int
    nodes: int
    edges: int
    mermaid_ms: float
    archc_ms: float
    mermaid_process_ms: float | None


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    oracle = _oracle_dir(args.oracle)
    if oracle is None:
        return 0
    sys.path.insert(0, str(REPO))
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = [_measure(oracle, n, args) for n in args.sizes]
    _print_table(rows)
    if 5000 in args.sizes:
        _print_process(oracle, next(r for r in rows if r.n == 5000), args.process_runs)
    return 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--oracle", default=os.environ.get("ARCHC_MERMAID_ORACLE"))
    p.add_argument("--sizes", default="1000,5000,20000",
                   type=lambda s: [int(x) for x in s.split(",") if x])
    p.add_argument("--runs", type=int, default=5, help="archc in-process runs per size")
    p.add_argument("--mermaid-runs", type=int, default=5, help="mermaid in-process runs")
    p.add_argument("--process-runs", type=int, default=3, help="archc process runs (N=5000)")
    return p.parse_args(argv)


def _oracle_dir(given: str | None) -> Path | None:
    oracle = Path(given) if given else REPO.parent / "shared" / "oracle" / "mermaid"
    if shutil.which("node") is None:
        print("bench_parse: skipped, `node` is not installed")
        return None
    if not (oracle / "bench.mjs").exists() or not (oracle / "node_modules").is_dir():
        print(f"bench_parse: skipped, no Mermaid oracle with node_modules at {oracle} "
              "(run `npm ci` there, or pass --oracle DIR / set ARCHC_MERMAID_ORACLE)")
        return None
    return oracle


def _node(oracle: Path, *args: str) -> str:
    done = subprocess.run(["node", str(oracle / "bench.mjs"), *args], cwd=oracle,
                          capture_output=True, text=True, check=True)
    return done.stdout


def _measure(oracle: Path, n: int, args: argparse.Namespace) -> Row:
    path = CACHE / f"bench-{n}.mmd"
    _node(oracle, "gen", str(n), str(path))
    print(f"N={n}: timing mermaid ...", file=sys.stderr, flush=True)
    runs = args.mermaid_runs if n < 20000 else min(args.mermaid_runs, 3)
    report = json.loads(_node(oracle, "time", str(path), "--json", "--runs", str(runs)))
    print(f"N={n}: timing archc ...", file=sys.stderr, flush=True)
    archc_ms, nodes, edges = _time_archc(path, args.runs)
    process = report.get("process_wall_ms") or [None]
    return Row(n, nodes, edges, float(report["parse_ms_median"]), archc_ms, process[0])


def _time_archc(path: Path, runs: int) -> tuple[float, int, int]:
    from archc.spec.mermaid.parse import _parser, parse_flowchart

    text = path.read_text(encoding="utf-8")
    _parser()  # grammar load is start-up, not parsing (timed with the process below)
    chart, diags = parse_flowchart(text, path.name)  # warm-up
    assert chart is not None, diags
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        parse_flowchart(text, path.name)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(chart.nodes), len(chart.edges)


def _print_table(rows: list[Row]) -> None:
    print()
    print("| N | nodes | edges | Mermaid parse (median) | archc parse (median) | speed-up "
          "| target |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        target = TARGETS.get(r.n)
        ratio = r.mermaid_ms / r.archc_ms
        verdict = f">= {target:g}x: {'met' if ratio >= target else 'MISSED'}" if target else ""
        print(f"| {r.n:,} | {r.nodes:,} | {r.edges:,} | {r.mermaid_ms:,.0f} ms | "
              f"{r.archc_ms:,.1f} ms | {ratio:.1f}x | {verdict} |")
    by_n = {r.n: r for r in rows}
    if 1000 in by_n and 20000 in by_n:
        small, big = by_n[1000], by_n[20000]
        growth = big.archc_ms / small.archc_ms
        print()
        print(f"Growth N=1,000 -> 20,000 (20x the nodes): archc {growth:.1f}x the time "
              f"(target <= 25x: {'met' if growth <= 25 else 'MISSED'}); "
              f"Mermaid {big.mermaid_ms / small.mermaid_ms:.1f}x")


def _print_process(oracle: Path, row: Row, runs: int) -> None:
    path = CACHE / "bench-5000.mmd"
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "archc", "parse", str(path), "--format", "json"]
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # fills the grammar cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    archc_ms = statistics.median(times)
    mermaid_ms = row.mermaid_process_ms
    print()
    print("Whole process, N=5,000 (start-up, grammar load, parse, JSON output):")
    print(f"  node {oracle.name}/parse.mjs: {mermaid_ms:,.0f} ms" if mermaid_ms else
          "  node parse.mjs: not reported")
    print(f"  python -m archc parse --format json: {archc_ms:,.0f} ms (median of {runs})")
    if mermaid_ms:
        ratio = mermaid_ms / archc_ms
        print(f"  speed-up {ratio:.1f}x (target >= 5x: {'met' if ratio >= 5 else 'MISSED'})")


if __name__ == "__main__":
    sys.exit(main())
