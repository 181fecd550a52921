"""Every Cypher statement the code asks the catalog for exists, and every `.cypher` file is asked for.

The code names statements as `<folder>/<file>` string literals ("memory/show"), as f-strings with a
literal folder ("sharing/requests_{direction}") or as a whole folder (`catalog.group("schema")`); the
scan below reads those from the source with `ast`, so a renamed file or a dead statement fails here
rather than at run time."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engram.storage.catalog import QueryCatalog

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "server" / "engram"
CYPHER = ROOT / "cypher"

# Folders of queries for people to paste into Neo4j Browser, not for the code
# (tests/integration/test_memory.py runs every one of them).
FOR_PEOPLE = {"explore"}

_NAME = re.compile(r"^([a-z_]+)/[a-z0-9_]+$")


@dataclass
class Requests:
    """What the source asks the catalog for."""

    names: dict[str, str] = field(default_factory=dict)     # statement name → where it is asked for
    patterns: dict[str, str] = field(default_factory=dict)  # regex of an f-string name → where
    groups: dict[str, str] = field(default_factory=dict)    # whole folder → where


def scan(files: list[Path], folders: set[str]) -> Requests:
    found = Requests()
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        # the literal parts of an f-string are not names of their own
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings:
                match = _NAME.match(node.value)
                if match and match.group(1) in folders:
                    found.names[node.value] = where
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                regex = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z0-9_]+"
                                for part in node.values)
                folder = str(node.values[0].value).split("/", 1)[0]
                if "/" in str(node.values[0].value) and folder in folders:
                    found.patterns[regex] = where
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "group"
                  and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
                  and node.args[0].value in folders):
                found.groups[node.args[0].value] = where
    return found


def statement_names(root: Path) -> set[str]:
    """The names QueryCatalog gives the files under root."""
    return {path.relative_to(root).with_suffix("").as_posix() for path in root.rglob("*.cypher")}


def missing(requests: Requests, catalog: QueryCatalog, names: set[str]) -> list[str]:
    problems = []
    for name, where in sorted(requests.names.items()):
        try:
            catalog.get(name)
        except KeyError:
            problems.append(f"{name} (asked for at {where})")
    problems += [f"{regex} (f-string at {where}) matches no statement"
                 for regex, where in sorted(requests.patterns.items())
                 if not any(re.fullmatch(regex, n) for n in names)]
    problems += [f"{folder}/ (group at {where}) is empty" for folder, where in sorted(requests.groups.items())
                 if not catalog.group(folder)]
    return problems


def unused(requests: Requests, names: set[str]) -> list[str]:
    return sorted(n for n in names
                  if n not in requests.names
                  and n.split("/", 1)[0] not in requests.groups
                  and not any(re.fullmatch(regex, n) for regex in requests.patterns))


FOLDERS = {p.name for p in CYPHER.iterdir() if p.is_dir()} - FOR_PEOPLE


@pytest.fixture(scope="module")
def requests() -> Requests:
    return scan(sorted(SOURCE.rglob("*.py")), FOLDERS)


def the_codes_statements() -> set[str]:
    return {name for name in statement_names(CYPHER) if name.split("/", 1)[0] in FOLDERS}


def test_the_scan_sees_the_statements_of_every_folder(requests: Requests) -> None:
    asked_folders = {n.split("/", 1)[0] for n in requests.names} | set(requests.groups)
    assert asked_folders == FOLDERS
    assert len(requests.names) > 50  # the scan reads the source, not an empty list


def test_every_statement_the_code_asks_for_exists(requests: Requests) -> None:
    assert missing(requests, QueryCatalog(CYPHER), statement_names(CYPHER)) == []


def test_every_cypher_file_is_used(requests: Requests) -> None:
    assert unused(requests, the_codes_statements()) == []


def test_the_checks_catch_a_missing_and_an_unused_statement(tmp_path: Path) -> None:
    cypher = tmp_path / "cypher"
    for name in ("memory/show", "memory/dead", "sharing/grants_from", "schema/01_constraints"):
        (cypher / name).parent.mkdir(parents=True, exist_ok=True)
        (cypher / name).with_suffix(".cypher").write_text("RETURN 1")
    source = tmp_path / "repo.py"
    source.write_text('Q = ("memory/show", "memory/renamed")\n'
                      'def grants(direction):\n    return f"sharing/grants_{direction}"\n'
                      'def other(direction):\n    return f"sharing/requests_{direction}"\n'
                      'schema = catalog.group("schema")\n')
    found = scan([source], {"memory", "sharing", "schema"})
    names = statement_names(cypher)
    assert missing(found, QueryCatalog(cypher), names) == [
        "memory/renamed (asked for at repo.py:1)",
        r"sharing/requests_[a-z0-9_]+ (f-string at repo.py:5) matches no statement",
    ]
    assert unused(found, names) == ["memory/dead"]
