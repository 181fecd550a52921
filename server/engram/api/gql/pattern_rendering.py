"""How a pattern view becomes a GraphQL `Pattern`, bound late: `Agent.patterns` (api/gql/types) needs it,
and `Pattern` itself (api/gql/learning_types) refers back to `Agent`. learning_types registers its
converter here when it is imported (the schema imports it), so neither module imports the other's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engram.entities.learning import PatternView

_render: Callable[[PatternView, str | None], Any] | None = None


def register(render: Callable[[PatternView, str | None], Any]) -> None:
    global _render
    _render = render


def render_pattern(view: PatternView, viewer: str | None) -> Any:
    if _render is None:
        raise RuntimeError("api.gql.learning_types was never imported: build the schema first")
    return _render(view, viewer)
