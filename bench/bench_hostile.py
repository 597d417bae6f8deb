"""Benchmark `archc check` as a whole process on hostile specs (issue 8).

    python bench/bench_hostile.py [CASE ...]     default: every case, then the growth series

Each case is generated deterministically, then `archc check` runs in a child process of a
small wrapper that reports the child's wall time and peak memory
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`), so every figure is one process alone.
A case passes when it finishes under the budget (10 s, 1 GiB), whether archc checks it or
refuses it with a documented limit (the code it refused with is shown). The growth series
print the time ratio between sizes against the size ratio (1.00 = linear).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

BUDGET_SECONDS = 10.0
BUDGET_BYTES = 1024**3
OVERLAY = "version: 1\nproject: hostile\nregion: us-east-1\n"

# Runs argv[2:], keeping the head and tail of its stderr in the file argv[1] (a hostile spec
# can make diagnostics echo gigabytes), then prints its wall time, peak RSS (KiB on Linux),
# exit status and stderr size.
_WRAPPER = """\
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
head, tail, size = b"", b"", 0
while chunk := proc.stderr.read(1 << 20):
    size += len(chunk)
    head = head or chunk[:1 << 16]
    tail = (tail + chunk)[-4096:]
code = proc.wait()
seconds = time.perf_counter() - start
with open(sys.argv[1], "wb") as err:
    err.write(head + b"\\0" + tail)
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code, size)
"""


def nesting(levels: int) -> tuple[str, str]:
    """`levels` nested subgraphs (clouds, then a VPC and an app subnet) around one service."""
    lines = ["flowchart TD", *(f'subgraph z{i} ["Z {i}"]' for i in range(levels))]
    lines += ['A["app"]', "end", 'subgraph d ["Data"]', 'B["db"]', "end"]
    lines += ["end"] * (levels - 1) + ["A --> B"]
    roles = ["cloud"] * (levels - 2) + ["vpc", "subnet, tier: app"]
    zones = "".join(f"  Z {i}: {{role: {role}}}\n" for i, role in enumerate(roles))
    return "\n".join(lines) + "\n", (
        f"{OVERLAY}zones:\n{zones}  Data: {{role: subnet, tier: data}}\ncomponents:\n"
        "  A: {kind: backend_service}\n  B: {kind: database, engine: postgres}\n")


def bare_edges(count: int) -> tuple[str, str]:
    """A chain of edges between ids no statement declares: one diagnostic per node."""
    return "flowchart TD\n" + "".join(f"    N{i} --> N{i + 1}\n" for i in range(count)), OVERLAY


def one_line(count: int) -> tuple[str, str]:
    """`count` edges on one line, separated by `;` (Mermaid's test suite has 48,000)."""
    return "flowchart TD\n" + ";".join(f"N{i}-->N{i + 1}" for i in range(count)) + "\n", OVERLAY


def environments(count: int) -> tuple[str, str]:
    """`count` environments with distinct /24 VPCs around one public subnet."""
    envs = "".join(f"  e{i}: {{vpc_cidr: 10.{i // 256}.{i % 256}.0/24, azs: 1, nat: single}}\n"
                   for i in range(count))
    diagram = ('flowchart TD\nsubgraph vpc ["VPC"]\nsubgraph pub ["Public Subnet"]\n'
               'A["Load Balancer"]\nend\nend\n')
    return diagram, f"{OVERLAY}environments:\n{envs}"


def big_label(megabytes: int) -> tuple[str, str]:
    return f'flowchart TD\nA["{"x" * (megabytes * 1024 * 1024)}"] --> B\n', OVERLAY


CASES: dict[str, Callable[[], tuple[str, str]]] = {
    "nesting-1000": lambda: nesting(1000),
    "edges-200000": lambda: bare_edges(200_000),
    "environments-3000": lambda: environments(3000),
    "label-50MB": lambda: big_label(50),
    "one-line-48000": lambda: one_line(48_000),
}
GROWTH: dict[str, tuple[Callable[[int], tuple[str, str]], tuple[int, ...]]] = {
    "nesting": (nesting, (250, 500, 1000)),
    "one-line edges": (one_line, (12_000, 24_000, 48_000)),
}


def run_check(spec: tuple[str, str], work: Path) -> tuple[float, int, int, str]:
    """(seconds, peak bytes, exit status, what archc said) for `archc check` on `spec`."""
    spec_dir = work / "spec"
    spec_dir.mkdir(exist_ok=True)
    (spec_dir / "architecture.mmd").write_text(spec[0], encoding="utf-8")
    (spec_dir / "archc.yaml").write_text(spec[1], encoding="utf-8")
    err = work / "stderr"
    out = subprocess.run([sys.executable, "-c", _WRAPPER, str(err), sys.executable, "-m",
                          "archc", "check", str(spec_dir)],
                         capture_output=True, text=True, check=True).stdout.split()
    stderr_mib = int(out[3]) / 2**20
    return float(out[0]), int(out[1]) * 1024, int(out[2]), (
        f"{_outcome(err)}; stderr {stderr_mib:.1f} MiB")


def _outcome(err: Path) -> str:
    """The refusal code if archc refused the spec, else its summary line."""
    head_bytes, _, tail_bytes = err.read_bytes().partition(b"\0")
    head = head_bytes.decode("utf-8", "replace")
    tail = tail_bytes.decode("utf-8", "replace").strip().splitlines()
    refused = [code for code in ("ARC122", "ARC123", "ARC012") if f"[{code}]" in head]
    if refused:
        return f"refused ({', '.join(refused)})"
    return tail[-1].split(": ", 1)[-1][:40] if tail else ""


def main(argv: list[str]) -> int:
    wanted = argv[1:] or [*CASES, *GROWTH]
    print("the machine may be shared: wall times include waiting for a core", flush=True)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"{'case':<20}{'exit':>5}{'seconds':>9}{'peak MiB':>10}{'time/10s':>10}"
              f"{'mem/1GiB':>10}  outcome")
        for name, make in CASES.items():
            if name not in wanted:
                continue
            seconds, peak, status, outcome = run_check(make(), work)
            within = seconds < BUDGET_SECONDS and peak < BUDGET_BYTES
            failed |= not within
            print(f"{name:<20}{status:>5}{seconds:>9.2f}{peak / 2**20:>10.0f}"
                  f"{seconds / BUDGET_SECONDS:>10.2f}{peak / BUDGET_BYTES:>10.2f}  "
                  f"{'ok' if within else 'OVER BUDGET'}: {outcome}", flush=True)
        for name, (make_sized, sizes) in GROWTH.items():
            if name in wanted:
                _growth(name, make_sized, sizes, work)
    return 1 if failed else 0


def _growth(name: str, make: Callable[[int], tuple[str, str]], sizes: tuple[int, ...],
            work: Path) -> None:
    runs = []
    for size in sizes:
        seconds, peak, _, outcome = run_check(make(size), work)
        runs.append((size, seconds))
        print(f"growth {name} {size}: {seconds:.2f} s, {peak / 2**20:.0f} MiB, {outcome}",
              flush=True)
    for (n0, t0), (n1, t1) in zip(runs, runs[1:], strict=False):
        print(f"growth {name} {n0}->{n1}: size x{n1 / n0:.1f}, time x{t1 / t0:.2f} "
              f"(ratio {t1 / t0 / (n1 / n0):.2f}; 1.00 = linear, less = start-up dominates)")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
