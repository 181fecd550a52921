"""Generates engram/client/generated.py from graphql/operations/*.graphql, checked against graphql/schema.graphql:
one document, one typed result model and one sync and one async method per operation.

`python -m engram.client.codegen` rewrites the file; `--check` exits 1 when it is out of date (a unit test
runs the same comparison, so an operation edited without regenerating fails the suite)."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLEnumType, GraphQLInputObjectType,
    GraphQLList, GraphQLNamedType, GraphQLNonNull, GraphQLScalarType,
    GraphQLSchema, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, build_schema, get_named_type,
    parse, print_ast, validate, visit, Visitor,
)

REPO = Path(__file__).resolve().parents[3]
OPERATIONS_DIR = REPO / "graphql" / "operations"
SCHEMA_FILE = REPO / "graphql" / "schema.graphql"
TARGET = Path(__file__).with_name("generated.py")

SCALARS = {"String": "str", "ID": "str", "Int": "int", "Float": "float", "Boolean": "bool",
           "DateTime": "datetime", "JSON": "Any"}


def snake(name: str) -> str:
    out = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return out + "_" if keyword.iskeyword(out) else out


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


@dataclass
class Selected:
    """One response key of a selection: its GraphQL type and, for objects, what is selected below it."""

    key: str
    type_: object
    optional: bool = False  # selected only on some implementations of an interface
    description: str | None = None
    children: dict[str, Selected] = field(default_factory=dict)


class Generator:
    def __init__(self, schema: GraphQLSchema, documents: dict[str, DocumentNode]) -> None:
        self.schema = schema
        self.documents = documents
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        self.operations: list[tuple[OperationDefinitionNode, str]] = []
        for document in documents.values():
            for definition in document.definitions:
                if isinstance(definition, FragmentDefinitionNode):
                    self.fragments[definition.name.value] = definition
        for source, document in documents.items():
            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    self.operations.append((definition, source))
        self.enums: set[str] = set()
        self.inputs: set[str] = set()
        self.models: list[str] = []

    # ---- documents
    def _used_fragments(self, node: object, seen: set[str] | None = None) -> list[str]:
        seen = set() if seen is None else seen
        names: list[str] = []

        class Spreads(Visitor):
            def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
                names.append(spread.name.value)

        visit(node, Spreads())
        out: list[str] = []
        for name in names:
            if name not in seen:
                seen.add(name)
                out.append(name)
                out += self._used_fragments(self.fragments[name], seen)
        return out

    def document_text(self, operation: OperationDefinitionNode) -> str:
        parts = [print_ast(operation)] + [print_ast(self.fragments[n]) for n in self._used_fragments(operation)]
        return "\n\n".join(parts)

    # ---- selections
    def _collect(self, parent: GraphQLNamedType, selection_set: SelectionSetNode, optional: bool,
                 into: dict[str, Selected]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                description = None
                if selection.name.value == "__typename":
                    type_: object = GraphQLNonNull(self.schema.get_type("String"))
                else:
                    definition = parent.fields[selection.name.value]  # type: ignore[union-attr]
                    type_, description = definition.type, definition.description
                found = into.setdefault(key, Selected(key, type_, optional, description))
                found.optional = found.optional and optional
                if selection.selection_set:
                    self._collect(get_named_type(type_), selection.selection_set, False, found.children)
            else:
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    assert isinstance(selection, InlineFragmentNode)
                    condition, inner = selection.type_condition, selection.selection_set
                target = self.schema.get_type(condition.name.value) if condition else parent
                narrower = target is not parent
                self._collect(target, inner, optional or narrower, into)  # type: ignore[arg-type]

    def _annotation(self, type_: object, model: str | None) -> str:
        if isinstance(type_, GraphQLNonNull):
            return self._annotation_inner(type_.of_type, model)
        return f"{self._annotation_inner(type_, model)} | None"

    def _annotation_inner(self, type_: object, model: str | None) -> str:
        if isinstance(type_, GraphQLList):
            return f"list[{self._annotation(type_.of_type, model)}]"
        if isinstance(type_, GraphQLScalarType):
            return SCALARS.get(type_.name, "Any")
        if isinstance(type_, GraphQLEnumType):
            self.enums.add(type_.name)
            return type_.name
        if isinstance(type_, GraphQLInputObjectType):
            self.inputs.add(type_.name)
            return type_.name
        assert model is not None
        return model

    def _model(self, name: str, selected: dict[str, Selected], doc: str) -> None:
        lines = [f"class {name}(_Result):", f'    """{doc}"""', ""]
        for item in selected.values():
            child = None
            if item.children:
                child = name + pascal(item.key)
                self._model(child, item.children, f"`{item.key}` of {name}.")
            annotation = self._annotation(item.type_, child)
            nullable = item.optional or not isinstance(item.type_, GraphQLNonNull)
            if item.optional and not annotation.endswith("| None"):
                annotation += " | None"
            default = " = None" if nullable else ""
            py = snake(item.key)
            field_args = ([f'alias="{item.key}"'] if py != item.key else []) + (["default=None"] if nullable else [])
            if item.description:
                field_args.append(f"description={' '.join(item.description.split())!r}")
            if py != item.key or item.description:
                lines.append(f"    {py}: {annotation} = Field({', '.join(field_args)})")
            else:
                lines.append(f"    {py}: {annotation}{default}")
        self.models.append("\n".join(lines))

    # ---- variables and methods
    def _variables(self, operation: OperationDefinitionNode) -> list[tuple[str, str, str, bool]]:
        """(python name, GraphQL name, annotation, required) per variable, required ones first."""
        out = []
        for var in operation.variable_definitions or ():
            type_ = _type_from_ast(self.schema, var.type)
            required = isinstance(type_, GraphQLNonNull) and var.default_value is None
            annotation = self._annotation(type_, None)
            if not required and not annotation.endswith("| None"):
                annotation += " | None"
            out.append((snake(var.variable.name.value), var.variable.name.value, annotation, required))
        return sorted(out, key=lambda v: not v[3])

    def _method(self, operation: OperationDefinitionNode, is_async: bool) -> str:
        name = operation.name.value
        params = ["self"]
        variables = self._variables(operation)
        star_added = False
        for py, _, annotation, required in variables:
            if not required and not star_added:
                params.append("*")
                star_added = True
            params.append(f"{py}: {annotation}" + ("" if required else " = None"))
        mapping = ", ".join(f'"{gql}": {py}' for py, gql, _, _ in variables)
        kind = operation.operation.value
        call = f'self._execute("{name}", {{{mapping}}})'
        body = f"{name}.model_validate(await {call})" if is_async else f"{name}.model_validate({call})"
        prefix = "async def" if is_async else "def"
        signature = f"    {prefix} {snake(name)}({', '.join(params)}) -> {name}:"
        if len(signature) > 118:
            inner = ",\n            ".join(params)
            signature = f"    {prefix} {snake(name)}(\n            {inner},\n    ) -> {name}:"
        return f'{signature}\n        """The {kind} {name}."""\n        return {body}'

    # ---- enums and inputs (after models: they register what they use)
    def _enum(self, name: str) -> str:
        enum = self.schema.get_type(name)
        assert isinstance(enum, GraphQLEnumType)
        values = "\n".join(f'    {v} = "{v}"' for v in enum.values)
        return f"class {name}(str, Enum):\n{values}"

    def _input(self, name: str) -> str:
        type_ = self.schema.get_type(name)
        assert isinstance(type_, GraphQLInputObjectType)
        lines = [f"class {name}(_Input):"]
        for key, f in type_.fields.items():
            annotation = self._annotation(f.type, None)
            required = isinstance(f.type, GraphQLNonNull) and not _has_default(f)
            if not required and not annotation.endswith("| None"):
                annotation += " | None"
            py = snake(key)
            default = "" if required else "None"
            if py != key:
                extra = "" if required else ", default=None"
                lines.append(f'    {py}: {annotation} = Field(alias="{key}"{extra})')
            else:
                lines.append(f"    {py}: {annotation}" + ("" if required else f" = {default}"))
        return "\n".join(lines)

    def render(self) -> str:
        documents, sync_methods, async_methods = [], [], []
        for operation, source in sorted(self.operations, key=lambda o: o[0].name.value):
            name = operation.name.value
            root = self.schema.get_root_type(operation.operation)
            selected: dict[str, Selected] = {}
            self._collect(root, operation.selection_set, False, selected)  # type: ignore[arg-type]
            self._model(name, selected, f"The result of {name} ({source}).")
            documents.append(f'    "{name}": {self.document_text(operation)!r},')
            sync_methods.append(self._method(operation, False))
            async_methods.append(self._method(operation, True))
        pending = set(self.inputs)
        done: set[str] = set()
        inputs = []
        while pending:  # inputs may nest other inputs and enums
            name = sorted(pending)[0]
            pending.discard(name)
            done.add(name)
            inputs.append(self._input(name))
            pending |= self.inputs - done
        enums = [self._enum(n) for n in sorted(self.enums)]
        return "\n\n\n".join([
            HEADER,
            "\n\n\n".join(enums),
            "\n\n\n".join(sorted(inputs)),
            "\n\n\n".join(self.models),
            "DOCUMENTS: dict[str, str] = {\n" + "\n".join(documents) + "\n}",
            'class Operations(_SyncExecutor):\n    """Every operation, as a method of the sync client."""\n\n'
            "    documents = DOCUMENTS\n\n" + "\n\n".join(sync_methods),
            'class AsyncOperations(_AsyncExecutor):\n    """Every operation, as a method of the async client."""\n\n'
            "    documents = DOCUMENTS\n\n" + "\n\n".join(async_methods),
        ]) + "\n"


def _has_default(input_field: object) -> bool:
    """graphql-core 3.3 keeps an SDL default in `.default` (3.2 in `.default_value`)."""
    from graphql.pyutils import Undefined

    return getattr(input_field, "default", None) is not None or getattr(input_field, "default_value",
                                                                        Undefined) is not Undefined


def _type_from_ast(schema: GraphQLSchema, node: object) -> object:
    from graphql import type_from_ast

    return type_from_ast(schema, node)  # type: ignore[arg-type]


HEADER = '''"""Generated by `python -m engram.client.codegen` from graphql/operations/*.graphql. Do not edit by hand."""

# ruff: noqa: E501
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field

from engram.client.base import _AsyncExecutor, _Input, _Result, _SyncExecutor'''


def load_documents(directory: Path = OPERATIONS_DIR) -> dict[str, DocumentNode]:
    return {p.name: parse(p.read_text()) for p in sorted(directory.glob("*.graphql"))}


def check_against_schema(schema: GraphQLSchema, documents: dict[str, DocumentNode]) -> list[str]:
    """Every document (sent whole, as the API tests send them) validated against the SDL."""
    return [f"{name}: {e.message}" for name, doc in documents.items() for e in validate(schema, doc)]


def generate() -> str:
    schema = build_schema(SCHEMA_FILE.read_text())
    documents = load_documents()
    problems = check_against_schema(schema, documents)
    if problems:
        raise SystemExit("operations do not match graphql/schema.graphql:\n" + "\n".join(problems))
    return Generator(schema, documents).render()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = generate()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run `python -m engram.client.codegen`.", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
