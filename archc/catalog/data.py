"""Data: Aurora, RDS Proxy, DynamoDB, ElastiCache, OpenSearch, EFS.

One `KindSpec` per kind, in the order label inference tries them (first match wins).
"""

from __future__ import annotations

from archc.catalog.spec import KindSpec

# The diagnostic codes its kinds report (each family has its own range of ARC540-ARC589).
CODES: dict[str, str] = {}

KINDS: tuple[KindSpec, ...] = ()
