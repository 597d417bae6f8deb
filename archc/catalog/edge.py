"""Edge and identity: ACM certificates as components, several load balancers, DNS zones and CDNs.

One `KindSpec` per kind, in the order label inference tries them (first match wins).

The seed's `load_balancer` kind (seed.py declares its `scheme` and `type` keys) is read
here: a load balancer drawn in a public subnet faces the internet, one drawn in a private
subnet is internal (the overlay's `scheme` says otherwise); `type: network` or a label naming
an NLB is a Network Load Balancer (TCP/TLS), else an Application Load Balancer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from archc.catalog.spec import KindSpec

INTERNAL = "internal"
INTERNET_FACING = "internet-facing"
APPLICATION = "application"
NETWORK = "network"

_NLB = re.compile(r"\bnlb\b|network load ?balancer")

def load_balancer_scheme(props: Mapping[str, Any], public_subnet: bool) -> str:
    """internal or internet-facing: the overlay's `scheme`, else where it is drawn."""
    scheme = props.get("scheme")
    if scheme in (INTERNAL, INTERNET_FACING):
        return str(scheme)
    return INTERNET_FACING if public_subnet else INTERNAL


def load_balancer_type(props: Mapping[str, Any], label: str, component: str) -> str:
    """application or network: the overlay's `type`, else the label ("NLB", "Network Load
    Balancer")."""
    kind = props.get("type")
    if kind in (APPLICATION, NETWORK):
        return str(kind)
    return NETWORK if _NLB.search(f"{label} {component}".lower()) else APPLICATION


# The diagnostic codes its kinds report (each family has its own range of ARC540-ARC589).
CODES: dict[str, str] = {
    "ARC565": "a load balancer is misconfigured for its scheme or type (internet traffic to an "
              "internal one, an internet-facing one in a private subnet, an NLB forwarding to "
              "nothing)",
}

KINDS: tuple[KindSpec, ...] = ()
