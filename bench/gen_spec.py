"""Generate a large, valid archc spec (diagram + overlay) with N components, deterministically.

Layout: users and a CDN outside, one VPC with a public subnet (load balancer, NAT, bastion),
`app` subnets of backend services, a data subnet of databases, and S3. Each backend talks to
its group's database, to S3, to the NAT gateway, and to one other backend; the load balancer
fronts the first backend of every group. About 4 flows per component.

    python bench/gen_spec.py N OUT_DIR
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

GROUP = 25  # backends per database


def generate(n: int, seed: int = 20240601) -> tuple[str, str]:
    rng = random.Random(seed)
    fixed = 7  # Users, CDN, IGW, ALB, NAT, Bastion, S3
    groups = max(1, (n - fixed) // (GROUP + 1))
    backends = [f"svc{g}_{i}" for g in range(groups) for i in range(GROUP)]
    dbs = [f"db{g}" for g in range(groups)]
    app_subnets = max(1, min(8, groups))
    lines = ["flowchart LR", '    Users["End Users"]', '    subgraph cloud ["AWS"]',
             '        CDN["CloudFront"]', '        IGW["Internet Gateway"]',
             '        S3["S3 Buckets"]', '        subgraph vpc ["VPC"]',
             '            subgraph pub ["Public Subnet"]', '                ALB["Load Balancer"]',
             '                NAT["NAT Gateway"]', '                Bastion["Bastion Host"]',
             "            end"]
    for s in range(app_subnets):
        lines.append(f'            subgraph app{s} ["App Subnet {s}"]')
        lines += [f'                {b}["Backend {b}"]' for i, b in enumerate(backends)
                  if (i // GROUP) % app_subnets == s]
        lines.append("            end")
    lines.append('            subgraph data ["Data Subnet"]')
    lines += [f'                {db}[("Database {db}")]' for db in dbs]
    lines += ["            end", "        end", "    end"]
    lines += ["    Users -->|HTTPS| CDN", "    CDN -->|origin| IGW", "    IGW -->|HTTPS| ALB",
              "    NAT --> IGW"]
    for i, b in enumerate(backends):
        g = i // GROUP
        if i % GROUP == 0:
            lines.append(f"    ALB -->|api| {b}")
        lines.append(f"    {b} <-->|queries| {dbs[g]}")
        lines.append(f"    {b} -->|store data| S3")
        lines.append(f"    {b} --> NAT")
        if i % 5 == 0:
            lines.append(f"    Bastion -->|admin| {b}")
        peer = backends[rng.randrange(len(backends))]
        if peer != b:
            lines.append(f"    {b} -->|rpc| {peer}")
    overlay = _overlay(backends)
    return "\n".join(lines) + "\n", overlay


def _overlay(backends: list[str]) -> str:
    rpc = "\n".join(f'  "{b}": {{kind: backend_service, port: 8080}}' for b in backends[:3])
    return f"""version: 1
project: bench
region: us-east-1
components:
{rpc}
  S3:
    kind: object_storage
    buckets:
      data: {{purpose: data}}
policy:
  internet_entry: [CDN]
  admin_cidrs: [203.0.113.0/24]
{ENVIRONMENTS}"""


# The environments of every generated spec: a small dev, a prod over three AZs.
ENVIRONMENTS = """environments:
  dev: {vpc_cidr: 10.0.0.0/16, azs: 2, nat: single}
  prod: {vpc_cidr: 10.1.0.0/16, azs: 3, nat: per_az}
"""


def main(argv: list[str], make: Callable[[int], tuple[str, str]] = generate) -> int:
    """`python bench/<generator>.py N OUT_DIR`: write the spec of N components."""
    n, out = int(argv[1]), Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    diagram, overlay = make(n)
    (out / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (out / "archc.yaml").write_text(overlay, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
