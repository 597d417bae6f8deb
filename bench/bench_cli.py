"""Time the commands a pre-commit hook runs, as whole processes on the seed spec.

    python bench/bench_cli.py [--runs 5]

Each command runs --runs times after one warm-up (which fills archc's cache: grammar tables,
compiled templates, the overlay's schema verdict, as a second commit would find them); the
median wall-clock time is compared with its goal (the median CPU time is shown too):

    archc check spec/                          under 0.3 s
    archc build spec/ (nothing changed)        under 0.6 s (Graphviz not rerun)
    archc fmt --check spec/architecture.mmd    under 0.2 s

The seed is copied to a temporary directory (the build writes outputs/ there) and the cache
is a temporary ARCHC_CACHE_DIR, so the figures depend on neither the checkout's outputs/ nor
other runs. Exit 0 either way: the figures are for people (machines differ).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (label, archc arguments, goal in seconds)
COMMANDS = (
    ("check spec/", ["check", "spec"], 0.3),
    ("build spec/ (unchanged)", ["build", "spec", "-o", "outputs"], 0.6),
    ("fmt --check", ["fmt", "--check", "spec/architecture.mmd"], 0.2),
)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="archc-bench-cli-") as tmp:
        work = Path(tmp)
        shutil.copytree(REPO / "spec", work / "spec")
        env = {**os.environ, "ARCHC_CACHE_DIR": str(work / "cache"), "CI": "1"}
        print(f"{'command':<26} {'median':>8} {'min':>8} {'cpu':>8} {'goal':>6}")
        for label, command, goal in COMMANDS:
            runs = [_timed(command, work, env) for _ in range(args.runs + 1)][1:]
            median = statistics.median(wall for wall, _ in runs)
            cpu = statistics.median(used for _, used in runs)
            verdict = "ok" if median < goal else "SLOWER THAN GOAL"
            print(f"{label:<26} {median:7.3f}s {min(w for w, _ in runs):7.3f}s {cpu:7.3f}s "
                  f"{goal:5.1f}s  {verdict}")
    return 0


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds, and the CPU seconds (user + system) the process used: on a
    shared machine the second is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "archc", *command], cwd=cwd, env=env,
                          capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):  # 1: the seed's fmt form is a finding, still timed
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"bench_cli: `archc {' '.join(command)}` exited {done.returncode}")
    return elapsed, cpu


if __name__ == "__main__":
    sys.exit(main())
