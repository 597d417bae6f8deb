"""archc: compile a Mermaid architecture diagram plus a YAML overlay into infrastructure.

The layout and who may import whom: ARCHITECTURE.md's table (tests/test_import_direction.py
enforces it). Sub-packages: `spec` (reading a spec; `spec.mermaid`, the Mermaid front end),
`rules`, `aws` (the derivation layer), `emit` (`emit.terraform`, `emit.diagram`, ...),
`diff`; one pipeline over them, `pipeline`, and one CLI, `cli`.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
