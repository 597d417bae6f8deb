"""Run every benchmark in turn (`make bench`). Each prints its own figures and ratios.

    parse      archc's Mermaid parser against the real Mermaid parser (needs the oracle)
    check      `archc check` per stage on generated specs of 100, 1,000 and 5,000 components
    build      `archc build --only terraform` on 1,000 and 5,000 components
    diagrams   canonical Mermaid, DOT and Graphviz on 100, 1,000 and 5,000 components
    hostile    `archc check` as a process on hostile specs against the 10 s / 1 GiB budget
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("bench_parse.py", "bench_check.py", "bench_build.py", "bench_diagrams.py",
           "bench_hostile.py")


def main(argv: list[str]) -> int:
    wanted = argv[1:] or [b.removeprefix("bench_").removesuffix(".py") for b in BENCHES]
    for bench in BENCHES:
        if bench.removeprefix("bench_").removesuffix(".py") in wanted:
            print(f"== {bench}", flush=True)
            subprocess.run([sys.executable, str(HERE / bench)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
