"""Relay-style cursor connections (edges / node / cursor / pageInfo) over offset windows.

Cursors are opaque to callers: base64 of the position in the ordered result. Lists are paged forward
with `first` / `after`; a page fetches one item more than it returns to know whether another follows."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from engram.errors import BadInputError

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100
# The deepest position a cursor may carry: paging skips this many rows in Neo4j, so it is bounded (and
# charged in the request's cost, engram.api.gql.cost). Narrow a list this long with its filters instead.
MAX_POSITION = 100_000
_CURSOR_PREFIX = "engram:"


@strawberry.type(description="Where a page lies in the whole list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a page and the cursor to continue after it.")
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(description="A page of a list: pass pageInfo.endCursor as `after` for the next one.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of this page, without their cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class Window:
    offset: int
    first: int

    @property
    def fetch(self) -> int:
        """How many items to ask the engine for, counted from the offset (one extra: is there more?)."""
        return self.first + 1

    @property
    def end(self) -> int:
        return self.offset + self.first + 1


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        digits = text.removeprefix(_CURSOR_PREFIX)
        if digits == text or not digits.isdigit() or len(digits) > len(str(MAX_POSITION)) + 1:
            raise ValueError(cursor)
        position = int(digits)
    except (ValueError, binascii.Error, UnicodeError):
        raise BadInputError("Invalid cursor: pass a cursor this API returned.") from None
    if position > MAX_POSITION:
        raise BadInputError(f"Cursors reach at most {MAX_POSITION} items into a list; narrow it with its "
                            "filters instead of paging further.")
    return position


def window(first: int | None, after: str | None, *, max_page: int = MAX_PAGE, limit: int | None = None) -> Window:
    size = DEFAULT_PAGE if first is None else first
    if not 0 < size <= max_page:
        raise BadInputError(f"first must lie between 1 and {max_page}.")
    offset = 0 if after is None else decode_cursor(after) + 1
    if limit is not None and offset + size > limit:
        if offset >= limit:
            raise BadInputError(f"This list is ranked and ends after {limit} items.")
        size = limit - offset
    return Window(offset, size)


def connection(items: Sequence[T], win: Window, *, already_offset: bool = True) -> Connection[T]:
    """Build a page. `items` starts at the window's offset (already_offset) or at 0 (then it is sliced)."""
    page = list(items if already_offset else items[win.offset:])
    has_next = len(page) > win.first
    page = page[: win.first]
    edges = [Edge(node=item, cursor=encode_cursor(win.offset + i)) for i, item in enumerate(page)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=win.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
