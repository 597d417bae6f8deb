from __future__ import annotations

import ipaddress

from archc.kinds import Kind, Tier
from archc.subnet_plan import SubnetNeed, addresses_per_az, allocate, prefix_for


def test_allocation_is_ordered_by_tier_and_never_overlaps() -> None:
    vpc = ipaddress.ip_network("10.10.0.0/16")
    needs = [SubnetNeed("data", Tier.DATA, 2, 4, ()), SubnetNeed("pub", Tier.PUBLIC, 0, 10, ()),
             SubnetNeed("app", Tier.APP, 1, 900, ())]
    blocks, unfit = allocate(vpc, 3, needs)
    assert unfit == []
    assert [b for b in blocks if b[0] == "pub"] == [
        ("pub", 0, "10.10.0.0/24"), ("pub", 1, "10.10.1.0/24"), ("pub", 2, "10.10.2.0/24")]
    nets = [ipaddress.ip_network(c) for _, _, c in blocks]
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    assert all(n.subnet_of(vpc) for n in nets)


def test_allocation_is_deterministic_and_keeps_explicit_blocks() -> None:
    vpc = ipaddress.ip_network("10.0.0.0/16")
    needs = [SubnetNeed("pub", Tier.PUBLIC, 0, 5, ("10.0.0.0/24", "10.0.1.0/24")),
             SubnetNeed("app", Tier.APP, 1, 5, ())]
    first = allocate(vpc, 2, needs)
    assert first == allocate(vpc, 2, list(reversed(needs)))
    assert ("pub", 0, "10.0.0.0/24") in first[0]


def test_too_small_vpc_reports_unfit_zone() -> None:
    vpc = ipaddress.ip_network("10.0.0.0/24")
    _, unfit = allocate(vpc, 3, [SubnetNeed("app", Tier.APP, 0, 2000, ())])
    assert unfit == ["app"]


def test_eks_nodes_consume_pod_addresses() -> None:
    props = {"scaling": {"max": 4}, "instance_types": ["m6i.large"]}
    assert addresses_per_az(Kind.EKS_NODE_GROUP, props, 2) == 2 * 30
    assert prefix_for(Tier.APP, 3000) == 19
    assert prefix_for(Tier.PUBLIC, 3) == 24
