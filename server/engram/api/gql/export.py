"""Writes the schema's SDL to graphql/schema.graphql: `python -m engram.api.gql.export [--check] [PATH]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engram.api.gql.schema import sdl
from engram.config import _repo_root

DEFAULT_PATH = Path("graphql") / "schema.graphql"


def default_path() -> Path:
    return _repo_root() / DEFAULT_PATH


def export(path: Path | None = None, *, check: bool = False) -> bool:
    """Write the SDL (or, with check, only compare). True when the file holds the current schema."""
    path = path or default_path()
    text = sdl()
    current = path.read_text() if path.exists() else None
    if check:
        return current == text
    path.parent.mkdir(parents=True, exist_ok=True)
    if current != text:
        path.write_text(text)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="Exit 1 if the file differs from the schema.")
    args = parser.parse_args(argv)
    ok = export(args.path, check=args.check)
    if not ok:
        print(f"{args.path or default_path()} is out of date: run `engram api export-schema`.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
