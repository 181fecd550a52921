"""The request guard: one schema extension that refuses, before any resolver runs, a document whose
fragments chain too deep, an operation over the cost budget (QUERY_TOO_COSTLY), and any argument
over its size limits, with invalid Unicode or with a secret in a label (BAD_USER_INPUT).

It walks the selected operation once, with fragments expanded and the variables' raw values, so
the rules in input_limits and cost apply to every field of the schema without a line in a resolver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, GraphQLInterfaceType,
    GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLUnionType, InlineFragmentNode,
    OperationDefinitionNode, SelectionSetNode, Undefined, get_named_type, value_from_ast_untyped,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.language import Visitor, visit
from strawberry.extensions import SchemaExtension

from engram.api.gql.cost import child_factor, field_weight
from engram.api.gql.input_limits import InputChecker
from engram.errors import BadInputError, EngramError, QueryTooCostlyError
from engram.privacy.redaction import Redactor

MAX_FRAGMENTS = 100
MAX_SPREAD_CHAIN = 20


def _error(exc: EngramError) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": exc.code})


def spread_chain_depth(document: DocumentNode) -> int:
    """The longest chain of fragment spreads (F1 spreads F2 spreads F3 …), found without recursion.
    A spread that closes a cycle is skipped here: validation refuses cycles with a message naming them."""
    spreads: dict[str, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            names: set[str] = set()

            class Collect(Visitor):
                def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
                    names.add(node.name.value)

            visit(definition.selection_set, Collect())
            spreads[definition.name.value] = names
    depth: dict[str, int] = {}
    for start in spreads:
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(spreads[start]))]
        on_path = {start}
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(name)
                depth[name] = 1 + max((depth.get(c, 0) for c in spreads.get(name, ())), default=0)
                continue
            if child in on_path:
                continue
            if child in spreads and child not in depth:
                stack.append((child, iter(spreads[child])))
                on_path.add(child)
                if len(stack) > MAX_SPREAD_CHAIN:
                    return len(stack)
    return max(depth.values(), default=0)


class RequestGuard(SchemaExtension):
    def __init__(self, *, max_cost: int, max_batch: int, redactor: Redactor) -> None:
        self.max_cost = max_cost
        self.checker = InputChecker(redactor, max_batch)

    def on_parse(self) -> Iterator[None]:
        yield
        document = self.execution_context.graphql_document
        if document is None:
            return
        fragments = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
        if fragments > MAX_FRAGMENTS or spread_chain_depth(document) > MAX_SPREAD_CHAIN:
            raise GraphQLError(f"Too many fragments, or fragments spread in a chain deeper than {MAX_SPREAD_CHAIN}.",
                               extensions={"code": "GRAPHQL_VALIDATION_FAILED"})

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and not context.result:
            try:
                cost = self._walk(context.schema._schema, context.graphql_document, context.operation_name,
                                  context.variables or {})
                if cost > self.max_cost:
                    raise QueryTooCostlyError(
                        f"This request would cost {cost} work units; the limit is {self.max_cost}. Ask for fewer "
                        "items (first, k), fewer aliases, or fewer nested retrievals (related).")
            except (BadInputError, QueryTooCostlyError) as exc:
                context.result = GraphQLExecutionResult(data=None, errors=[_error(exc)])
        yield

    # ---- the walk over the selected operation
    def _walk(self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
              variables: dict[str, Any]) -> int:
        operation = _operation(document, operation_name)
        if operation is None:
            return 0
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        values = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in values and definition.default_value is not None:
                values[name] = value_from_ast_untyped(definition.default_value, {})
        self._schema = schema
        root = schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self._selections(operation.selection_set, root, fragments, values, factor=1, root=True)

    def _selections(self, selection_set: SelectionSetNode, parent: Any, fragments: dict, variables: dict,
                    *, factor: int, root: bool) -> int:
        cost = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                cost += self._field(node, parent, fragments, variables, factor=factor, root=root)
            elif isinstance(node, InlineFragmentNode):
                inner = parent
                if node.type_condition is not None:
                    inner = self._schema.get_type(node.type_condition.name.value) or parent
                cost += self._selections(node.selection_set, inner, fragments, variables, factor=factor, root=root)
            elif isinstance(node, FragmentSpreadNode):
                fragment = fragments.get(node.name.value)
                if fragment is not None:
                    inner = self._schema.get_type(fragment.type_condition.name.value) or parent
                    cost += self._selections(fragment.selection_set, inner, fragments, variables,
                                             factor=factor, root=root)
        return cost

    def _field(self, node: FieldNode, parent: Any, fragments: dict, variables: dict, *, factor: int,
               root: bool) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return 0
        definition = fields[name]
        args: dict[str, Any] = {}
        given = {a.name.value: a for a in node.arguments or ()}
        for arg_name, arg_def in definition.args.items():
            if arg_name in given:
                value = value_from_ast_untyped(given[arg_name].value, variables)
                value = None if value is Undefined else value
                self.checker.check_argument(name, arg_name, arg_def.type, value)
            else:
                value = None if arg_def.default_value is Undefined else arg_def.default_value
            args[arg_name] = value
        output = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        named = get_named_type(output)
        leaf = not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))
        cost = factor * field_weight(name, root=root, leaf=leaf, args=args)
        if node.selection_set is not None and not leaf:
            inner = factor * child_factor(name, is_list=isinstance(output, GraphQLList), args=args)
            cost += self._selections(node.selection_set, named, fragments, variables, factor=inner, root=False)
        return cost


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


