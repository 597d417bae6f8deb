"""Run every benchmark in turn (`make bench`). Each prints its own figures and ratios; the
last lines say which ran and which were skipped, and why.

    parse      archc's Mermaid parser against the real Mermaid parser (needs node and the
               Mermaid oracle with its node_modules: skipped without them)
    check      `archc check` per stage on generated specs of 100, 1,000 and 5,000 components
    build      `archc build --only terraform` on 1,000 and 5,000 components
    diagrams   canonical Mermaid, DOT and Graphviz on 100, 1,000 and 5,000 components
               (the Graphviz column says skipped without `dot`)
    cli        `check`, an unchanged `build` and `fmt --check` as whole processes on the seed
               (median of 5) against the pre-commit goals
    hostile    `archc check` as a process on hostile specs against the 10 s / 1 GiB budget
    catalog    every stage (load, model, graph, rules, each emitter, write) on specs mixing
               every catalog kind, 100, 1,000 and 5,000 components, with growth per stage
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("bench_parse.py", "bench_check.py", "bench_build.py", "bench_diagrams.py",
           "bench_hostile.py", "bench_cli.py", "bench_catalog.py")


def main(argv: list[str]) -> int:
    wanted = argv[1:] or [_name(b) for b in BENCHES]
    unknown = sorted(set(wanted) - {_name(b) for b in BENCHES})
    if unknown:
        print(f"bench: unknown benchmark(s) {', '.join(unknown)}; "
              f"known: {', '.join(_name(b) for b in BENCHES)}")
        return 2
    ran, skipped = [], []
    for bench in BENCHES:
        name = _name(bench)
        if name not in wanted:
            skipped.append(f"{name} (not asked for)")
            continue
        print(f"== {bench}", flush=True)
        why = []
        with subprocess.Popen([sys.executable, str(HERE / bench)], stdout=subprocess.PIPE,
                              text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:  # shown as it comes: some benchmarks take minutes
                sys.stdout.write(line)
                sys.stdout.flush()
                # a benchmark that cannot run says `bench_<name>: skipped, <why>`, exits 0
                if line.startswith(f"bench_{name}: skipped"):
                    why.append(line.split("skipped", 1)[1].strip().lstrip(", "))
        if proc.returncode != 0:
            raise SystemExit(f"bench: {bench} failed (exit {proc.returncode})")
        (skipped if why else ran).append(f"{name} ({why[0]})" if why else name)
    print(f"== ran: {', '.join(ran) or 'nothing'}")
    if skipped:
        print(f"== skipped: {'; '.join(skipped)}")
    return 0


def _name(bench: str) -> str:
    return bench.removeprefix("bench_").removesuffix(".py")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
