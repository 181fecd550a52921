"""The documents in graphql/operations/, loaded by operation name, to run against the real server."""

from __future__ import annotations

from pathlib import Path

from graphql import OperationDefinitionNode, parse

from tests.conftest import REPO, GraphQLClient

OPERATIONS_DIR = REPO / "graphql" / "operations"


def load_operations(directory: Path = OPERATIONS_DIR) -> dict[str, str]:
    """Operation name -> the text of the file that holds it (sent whole, with operationName)."""
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.graphql")):
        text = path.read_text()
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name, f"{path.name}: every operation needs a name"
                assert definition.name.value not in found, f"operation {definition.name.value} defined twice"
                found[definition.name.value] = text
    return found


class Operations:
    def __init__(self) -> None:
        self.documents = load_operations()
        self.ran: set[str] = set()

    def run(self, client: GraphQLClient, name: str, **variables) -> dict:
        self.ran.add(name)
        return client.execute(self.documents[name], variables, operation=name)

    def errors(self, client: GraphQLClient, name: str, **variables) -> list[dict]:
        self.ran.add(name)
        return client.errors(self.documents[name], variables, operation=name)
