"""Generate a valid archc spec that mixes every kind of the catalog, deterministically.

Generic over `archc.kinds.KINDS`: each kind is labelled with its own title when label
inference reads that title as the kind (else the overlay names the kind), placed where its
`Scope` says, and wired to compatible kinds: the internet side reaches an entry point, compute
calls what has IAM actions or a service port and egresses through the NAT gateway, a polled
kind is polled by compute, an event source triggers what it triggers. Kinds are taken in turn
until there are N components.

    python bench/gen_catalog.py N OUT_DIR
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archc.catalog.spec import KindSpec, Scope  # noqa: E402
from archc.kinds import KINDS, infer_kind  # noqa: E402
from archc.subnet_plan import addresses_per_az  # noqa: E402
from bench.gen_spec import ENVIRONMENTS, main  # noqa: E402

# The backbone every spec needs: who comes from the internet, where it enters, the way out.
BACKBONE = (("Users", "users"), ("IGW", "internet_gateway"), ("ALB", "load_balancer"),
            ("NAT", "nat_gateway"), ("Bastion", "bastion"), ("EKS", "eks_control_plane"))
# Kinds an architecture has one of: the backbone's, and the edge's singletons.
SINGLE = frozenset({"internet_gateway", "nat_gateway", "bastion", "eks_control_plane", "cdn",
                    "waf", "dns_zone"})
# Where each scope is drawn: the zone path from the top of the diagram.
PLACES: dict[Scope, tuple[str, ...]] = {
    Scope.INTERNET: (), Scope.GLOBAL: ("cloud",), Scope.ANYWHERE: ("cloud",),
    Scope.VPC_EDGE: ("cloud", "vpc"), Scope.PUBLIC_SUBNET: ("cloud", "vpc", "pub"),
    Scope.ANY_SUBNET: ("cloud", "vpc", "pub"),
    Scope.PRIVATE_SUBNET: ("cloud", "vpc", "app"), Scope.DATA_SUBNET: ("cloud", "vpc", "data"),
}
# Addresses per AZ the generated components may take in all (a /16 over three AZs, with
# the planner's headroom, holds this).
ADDRESS_BUDGET = 6000
SUBNETS = ("pub", "app", "data")
SUBNET_SIZE = 250  # components per subnet: a large spec spreads over several
ZONES = {"cloud": "AWS", "vpc": "VPC", "pub": "Public Subnet", "app": "Private App Subnet",
         "data": "Private Data Subnet"}


def mixable() -> list[KindSpec]:
    """The kinds a generated spec repeats: every kind but the singletons."""
    return [spec for spec in KINDS.values() if spec.name not in SINGLE]


def label_of(spec: KindSpec) -> tuple[str, bool]:
    """A label for the kind and whether inference reads it (else the overlay names it)."""
    found = infer_kind("x", spec.title)
    return spec.title, found is not None and found[0] == spec.name


def generate(n: int, seed: int = 20240601,
             kinds: Iterable[KindSpec] | None = None) -> tuple[str, str]:
    rng = random.Random(seed)
    pool = list(kinds) if kinds is not None else mixable()
    comps: list[tuple[str, KindSpec]] = [(ident, KINDS[kind]) for ident, kind in BACKBONE]
    comps += [(f"{spec.name}_{i}", spec) for i, spec in enumerate(_turns(pool, n - len(BACKBONE)))]
    named: dict[str, str] = {}
    labels: dict[str, str] = {}
    for ident, spec in comps:
        label, inferred = label_of(spec)
        labels[ident] = label
        if not inferred:
            named[ident] = spec.name
    return _diagram(comps, labels, _flows(comps, rng)), _overlay(named)


def _turns(pool: list[KindSpec], n: int) -> list[KindSpec]:
    """The kinds in turn, each at least once, until there are n; a kind stops when its
    components would take more than its share of the VPC's addresses (a node group takes an
    address per pod), so a large spec still fits a /16."""
    share = ADDRESS_BUDGET // max(1, len(pool))
    used = dict.fromkeys((s.name for s in pool), 0)
    out = list(pool)
    for spec in pool:
        used[spec.name] += addresses_per_az(spec.name, {}, 2)
    while len(out) < n:
        before = len(out)
        for spec in pool:
            cost = addresses_per_az(spec.name, {}, 2)
            if len(out) < n and used[spec.name] + cost <= share:
                used[spec.name] += cost
                out.append(spec)
        if len(out) == before:
            break  # every kind has its share: the spec stays smaller than asked
    return out


def _flows(comps: list[tuple[str, KindSpec]], rng: random.Random) -> list[str]:
    of = {spec.name: [i for i, s in comps if s.name == spec.name] for _, spec in comps}
    inside = {Scope.PRIVATE_SUBNET, Scope.DATA_SUBNET, Scope.GLOBAL, Scope.ANYWHERE}
    compute = [i for i, s in comps if s.compute and s.scope in inside]
    callee = [i for i, s in comps if s.scope in inside
              and (s.iam or (s.service_port and s.security_group))]
    bastions = ["Bastion"]
    lines = ["    Users -->|HTTPS| ALB", "    NAT --> IGW"]
    for ident, spec in comps:
        if ident in dict(BACKBONE) and ident != "Bastion":
            continue
        if spec.scope is Scope.INTERNET and spec.internet:
            lines.append(f"    {ident} -->|HTTPS| ALB")
        elif spec.scope is Scope.INTERNET and bastions:  # administrators, via a bastion
            lines.append(f"    {ident} -->|ssh| {bastions[rng.randrange(len(bastions))]}")
        if spec.name == "bastion" and compute:
            lines.append(f"    {ident} -->|admin| {compute[rng.randrange(len(compute))]}")
        if spec.compute and spec.scope in inside:
            lines.append(f"    ALB -->|api| {ident}")
            lines.append(f"    {ident} --> NAT")
            target = callee[rng.randrange(len(callee))] if callee else ident
            if target != ident:
                lines.append(f"    {ident} --> {target}")
        if spec.fronts and of.get("database"):  # a proxy connects to its database
            lines.append(f"    {ident} --> {of['database'][rng.randrange(len(of['database']))]}")
        if spec.polled and compute:
            lines.append(f"    {ident} --> {compute[rng.randrange(len(compute))]}")
        for source in sorted(spec.triggered_by):
            if of.get(source):
                lines.append(f"    {of[source][rng.randrange(len(of[source]))]} --> {ident}")
    return lines


def _diagram(comps: list[tuple[str, KindSpec]], labels: dict[str, str],
             flows: list[str]) -> str:
    by_place: dict[tuple[str, ...], list[str]] = {}
    for ident, spec in comps:
        by_place.setdefault(PLACES[spec.scope], []).append(ident)
    lines = ["flowchart LR"]

    def node(ident: str, depth: int) -> str:
        return f'{"    " * depth}{ident}["{labels[ident]}"]'

    def subnets(path: tuple[str, ...], depth: int) -> None:
        """A subnet holds SUBNET_SIZE components at most: more go to a second one, ..."""
        members = by_place.get(path, [])
        for page in range(max(1, -(-len(members) // SUBNET_SIZE))):
            zid = path[-1] if page == 0 else f"{path[-1]}{page + 1}"
            title = ZONES[path[-1]] + ("" if page == 0 else f" {page + 1}")
            lines.append(f'{"    " * depth}subgraph {zid} ["{title}"]')
            lines.extend(node(i, depth + 1)
                         for i in members[page * SUBNET_SIZE:(page + 1) * SUBNET_SIZE])
            lines.append(f'{"    " * depth}end')

    def zone(path: tuple[str, ...]) -> None:
        depth = len(path)
        if path:
            lines.append(f'{"    " * depth}subgraph {path[-1]} ["{ZONES[path[-1]]}"]')
        lines.extend(node(i, depth + 1) for i in by_place.get(path, []))
        for child in ("cloud", "vpc", "pub", "app", "data"):
            sub = (*path, child)
            if sub in PLACES.values() and len(sub) == depth + 1:
                if child in SUBNETS:
                    subnets(sub, depth + 1)
                else:
                    zone(sub)
        if path:
            lines.append(f'{"    " * depth}end')

    zone(())
    return "\n".join(lines + flows) + "\n"


def _overlay(named: dict[str, str]) -> str:
    kinds = "\n".join(f"  {ident}: {{kind: {kind}}}" for ident, kind in sorted(named.items()))
    return f"""version: 1
project: mix
region: us-east-1
components:
{kinds or "  {}"}
policy:
  internet_entry: [ALB]
  admin_cidrs: [203.0.113.0/24]
{ENVIRONMENTS}"""


if __name__ == "__main__":
    sys.exit(main(sys.argv, generate))
