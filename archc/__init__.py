"""archc: compile a Mermaid architecture diagram plus a YAML overlay into infrastructure."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
