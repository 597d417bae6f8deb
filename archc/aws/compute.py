"""Compute facts more than one emitter (and `diff`) relies on: which kinds keep state on
their disks, a node group's instance types and which of them are GPU families.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from archc.kinds import Kind

# Instances that keep state (builds, repositories) get termination protection.
STATEFUL_KINDS = frozenset({Kind.CI_SERVER, Kind.SCM_SERVER, Kind.INSTANCE})

# Node group defaults: general purpose nodes, the two nodes subnet_plan.py sizes subnets for.
DEFAULT_INSTANCE_TYPES = ["m6i.large"]

# GPU instance families (g4dn, g5, g6, p4d, p5): the NVIDIA EKS image, GPU tolerations.
GPU_RE = re.compile(r"^(g|p)\d+[a-z]*\.")


def instance_types(props: Mapping[str, Any]) -> list[str]:
    return [str(t) for t in props.get("instance_types") or DEFAULT_INSTANCE_TYPES]
