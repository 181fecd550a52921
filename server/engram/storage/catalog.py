"""Loads the named Cypher statements in cypher/ once; queries are looked up by their path name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import LiteralString, cast


class QueryCatalog:
    """Every `cypher/<group>/<name>.cypher` file becomes the query `<group>/<name>`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._queries: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._queries is None:
            self._queries = {
                path.relative_to(self.root).with_suffix("").as_posix(): path.read_text().strip()
                for path in sorted(self.root.rglob("*.cypher"))
            }
        return self._queries

    def get(self, name: str) -> LiteralString:
        try:
            # Statements come from files in the repository, never from user input.
            return cast(LiteralString, self._load()[name])
        except KeyError:
            raise KeyError(f"No Cypher statement named {name!r} under {self.root}") from None

    def group(self, prefix: str) -> list[tuple[str, LiteralString]]:
        """The statements of one folder, in file-name order (schema files are numbered)."""
        return [(name, cast(LiteralString, text)) for name, text in self._load().items() if name.startswith(prefix + "/")]


@lru_cache(maxsize=4)
def catalog_for(root: Path) -> QueryCatalog:
    return QueryCatalog(root)
