"""A read-only view of the (schema-valid) overlay that the linker asks for values and spans.

It hides whether an overlay exists at all: a spec directory with only a diagram links
against an empty view and every value is inferred. An overlay with schema errors is seen
through `data`, its schema-valid entries (`schema.valid_entries`), while spans still come
from the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from archc.source import Span


class _Overlay(Protocol):
    data: dict[str, Any]

    def value_span(self, path: tuple[str | int, ...]) -> Span | None: ...

    def key_span(self, path: tuple[str | int, ...]) -> Span | None: ...


class OverlayView:
    def __init__(self, overlay: _Overlay | None, data: Mapping[str, Any] | None = None):
        self._overlay = overlay
        if data is None:
            data = overlay.data if overlay is not None else {}
        self.data: Mapping[str, Any] = data
        self.file = getattr(overlay, "file", None)

    @property
    def present(self) -> bool:
        return self._overlay is not None

    def get(self, *path: str | int) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node

    def mapping(self, *path: str | int | None) -> Mapping[str, Any]:
        """The mapping at `path`, or an empty one (a missing section means 'infer')."""
        if any(p is None for p in path):
            return {}
        found = self.get(*path)  # type: ignore[arg-type]
        return found if isinstance(found, Mapping) else {}

    def value_span(self, path: tuple[Any, ...]) -> Span | None:
        if self._overlay is None or any(p is None for p in path):
            return None
        return self._overlay.value_span(path)

    def key_span(self, path: tuple[Any, ...]) -> Span | None:
        if self._overlay is None or any(p is None for p in path):
            return None
        return self._overlay.key_span(path)
