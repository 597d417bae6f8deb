"""archc: compile a Mermaid architecture diagram plus a YAML overlay into infrastructure.

The layout and who may import whom: ARCHITECTURE.md's table (tests/test_import_direction.py
enforces it). Sub-packages: `spec` (reading a spec; `spec.mermaid`, the Mermaid front end),
`rules`, `aws` (the derivation layer), `emit` (`emit.terraform`, `emit.diagram`, ...),
`diff`; one pipeline over them, `pipeline`, and one CLI, `cli`.
"""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it (hatch `dynamic`), the CLI's
# --version prints it, manifest.json and every generated file's header name it.
__version__ = "0.2.0"
# Who made a generated file, as its DO-NOT-EDIT header and manifest.json say.
GENERATOR = f"archc {__version__}"
__all__ = ["GENERATOR", "__version__"]
