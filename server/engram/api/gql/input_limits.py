"""Size and content rules for every argument and input field, checked before any resolver runs.

One table says, per argument or input-field name, how long its strings may be and whether a secret in
it is refused: free text is redacted by the engine before it is embedded or stored, but labels (ids,
tags, domains, actions, names) are stored, indexed, audited and exported as they are, so a label
that holds a secret is refused instead. Every list has a maximum size, every string must be valid
Unicode (no lone surrogates), and JSON values have a maximum nesting depth. The limits stay below
those of the export document (knowledge/document.py), so whatever is stored can be exported again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLInputObjectType, GraphQLInputType, GraphQLList, GraphQLNonNull, GraphQLScalarType,
)

from engram.errors import BadInputError
from engram.privacy.redaction import Redactor


@dataclass(frozen=True)
class StringRule:
    max_length: int
    refuse_secrets: bool  # labels: a secret is refused (free text is redacted downstream instead)


TEXT = StringRule(10_000, refuse_secrets=False)  # export allows 20,000: redaction markers never push it over
ACTION = StringRule(500, refuse_secrets=True)  # export's Name limit
LABEL = StringRule(200, refuse_secrets=True)
REFERENCE = StringRule(200, refuse_secrets=False)  # ids and cursors the server issued: looked up, never stored

# Argument and input-field names (as in the schema) → their rule. A name missing here fails the
# schema test (tests/unit/test_input_limits.py), so a new field cannot arrive without a limit.
STRING_RULES: Mapping[str, StringRule] = {
    # free text: memory content and queries (redacted by the store path before embedding/storing)
    "context": TEXT, "text": TEXT, "error": TEXT, "errorMessage": TEXT, "rootCause": TEXT, "solution": TEXT,
    "prevention": TEXT, "statement": TEXT, "lessons": TEXT, "keyFactors": TEXT, "steps": TEXT, "message": TEXT,
    "reason": TEXT,
    # actions
    "action": ACTION, "intendedAction": ACTION, "alternatives": ACTION, "candidates": ACTION,
    "availableActions": ACTION, "failedAction": ACTION,
    # labels and ids the caller chooses (stored, indexed, audited, exported)
    "id": LABEL, "tags": LABEL, "domain": LABEL, "partners": LABEL, "entities": LABEL, "interaction": LABEL,
    "knowledgeType": LABEL, "expertise": LABEL, "stage": LABEL, "value": LABEL, "taskId": LABEL,
    "informedBy": LABEL, "memoryIds": LABEL, "asAgent": LABEL, "owner": LABEL, "grantee": LABEL,
    "fromAgent": LABEL,
    # server-issued references
    "patternId": REFERENCE, "requestId": REFERENCE, "grantId": REFERENCE, "prefix": REFERENCE, "after": REFERENCE,
    "checkToken": REFERENCE, "followedChecks": LABEL,
}

# Fields whose free text is stored without passing the memory store's redaction: refuse secrets there too.
SECRET_CHECKED_TEXT = frozenset({("createTask", "context")})

DEFAULT_MAX_LIST = 100
LIST_LIMITS: Mapping[str, int] = {"tags": 50, "memoryIds": 500, "informedBy": 100, "candidates": 100,
                                  "types": 20}
MAX_JSON_DEPTH = 32
MAX_JSON_STRING = 20_000


def string_rule(name: str) -> StringRule:
    return STRING_RULES.get(name, LABEL)


def list_limit(name: str, max_batch: int) -> int:
    return max_batch if name == "inputs" else LIST_LIMITS.get(name, DEFAULT_MAX_LIST)


def _valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class InputChecker:
    """Walks one field's raw argument values along their GraphQL input types and raises BadInputError
    at the first value over a limit, naming where it is — never echoing the value itself."""

    redactor: Redactor
    max_batch: int

    def check_argument(self, field_name: str, arg_name: str, arg_type: GraphQLInputType, value: Any) -> None:
        self._walk(field_name, arg_name, arg_type, value, f"{field_name}({arg_name})")

    def _walk(self, field_name: str, name: str, gql_type: GraphQLInputType, value: Any, where: str) -> None:
        if value is None:
            return
        if isinstance(gql_type, GraphQLNonNull):
            self._walk(field_name, name, gql_type.of_type, value, where)
        elif isinstance(gql_type, GraphQLList):
            items = value if isinstance(value, list) else [value]
            limit = list_limit(name, self.max_batch)
            if len(items) > limit:
                raise BadInputError(f"{where} takes at most {limit} items.")
            for i, item in enumerate(items):
                self._walk(field_name, name, gql_type.of_type, item, f"{where}[{i}]")
        elif isinstance(gql_type, GraphQLInputObjectType):
            if isinstance(value, dict):
                for key, item in value.items():
                    field = gql_type.fields.get(key)
                    if field is not None:
                        self._walk(field_name, key, field.type, item, f"{where}.{key}")
        elif isinstance(gql_type, GraphQLScalarType):
            if gql_type.name == "JSON":
                check_json(value, where)
            elif isinstance(value, str):
                self._check_string(field_name, name, value, where)

    def _check_string(self, field_name: str, name: str, value: str, where: str) -> None:
        rule = string_rule(name)
        if len(value) > rule.max_length:
            raise BadInputError(f"{where} is longer than {rule.max_length} characters.")
        if not _valid_unicode(value):
            raise BadInputError(f"{where} is not valid Unicode text (lone surrogate).")
        if rule.refuse_secrets or (field_name, name) in SECRET_CHECKED_TEXT:
            found = self.redactor.redact(value).findings
            if found:
                raise BadInputError(f"{where} looks like it holds a secret ({found[0].kind}); labels, ids and "
                                    "actions are stored as given, so leave the secret out.")


def check_json(value: Any, where: str) -> None:
    """Nesting depth, string sizes and valid Unicode of a JSON value, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInputError(f"{where} is nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(item, str):
            _json_string(item, where)
        elif isinstance(item, dict):
            for key, child in item.items():
                _json_string(str(key), where)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _json_string(text: str, where: str) -> None:
    if len(text) > MAX_JSON_STRING:
        raise BadInputError(f"{where} holds a string longer than {MAX_JSON_STRING} characters.")
    if not _valid_unicode(text):
        raise BadInputError(f"{where} holds text that is not valid Unicode (lone surrogate).")


def raw_strings(value: Any) -> Iterator[str]:
    """Every string value (not the keys) in a raw JSON value, e.g. the variables of a request."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
