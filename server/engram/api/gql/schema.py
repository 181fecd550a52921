"""The GraphQL schema agents call: per-domain query and mutation mixins merged, with the hardening
extensions (depth, alias and token limits, the request guard's cost and input limits, error masking,
introspection switch) chosen by the settings."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (AddValidationRules, DisableIntrospection, MaxAliasesLimiter, MaxTokensLimiter,
                                   QueryDepthLimiter)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from engram.api.gql.audit import AuditQuery
from engram.api.gql.document_cache import SmallDocumentParserCache, SmallDocumentValidationCache
from engram.api.gql.error_log import log_errors
from engram.api.gql.errors import EngramErrors
from engram.api.gql.guard import RequestGuard
from engram.api.gql.identity import IdentityMutation, IdentityQuery
from engram.api.gql.learning import LearningMutation, LearningQuery
from engram.api.gql.memory import MemoryMutation, MemoryQuery
from engram.api.gql.sharing import SharingMutation, SharingQuery
from engram.api.gql.system import SystemQuery
from engram.api.gql.types import MEMORY_TYPES
from engram.config import Settings
from engram.privacy.redaction import Redactor


@strawberry.type(description="Everything an agent can ask. All fields but version and health need an API key.")
class Query(MemoryQuery, LearningQuery, SharingQuery, AuditQuery, IdentityQuery, SystemQuery):
    pass


@strawberry.type
class Mutation(MemoryMutation, LearningMutation, SharingMutation, IdentityMutation):
    pass


class EngramSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """One line per expected error, a traceback without the caller's input per unexpected one."""
        if execution_context is None:
            log_errors(errors, None, None)
        else:
            log_errors(errors, execution_context.operation_name, execution_context.variables)


def _introspection(context: IgnoreContext) -> bool:
    # Introspection has its own depth rule in graphql-core (MaxIntrospectionDepthRule).
    return context.field_name.startswith("__")


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with its limits. Without settings (SDL export), no extensions: the types are the same."""
    extensions: list = []
    if settings is not None:
        # Factories, not instances: every request gets fresh extensions (they hold per-operation state).
        depth, aliases, tokens = settings.api_max_depth, settings.api_max_aliases, settings.api_max_tokens
        cost, batch, redactor = settings.api_max_cost, settings.api_max_batch, Redactor()
        # The depth and alias rules are classes made once, so a validation result can be cached (document_cache).
        limit_rules = [*QueryDepthLimiter(max_depth=depth, should_ignore=_introspection).validation_rules,
                       *MaxAliasesLimiter(max_alias_count=aliases).validation_rules]
        extensions = [
            lambda: AddValidationRules(limit_rules),
            lambda: MaxTokensLimiter(max_token_count=tokens),
            SmallDocumentParserCache,
            lambda: RequestGuard(max_cost=cost, max_batch=batch, redactor=redactor),
            EngramErrors,
        ]
        if not settings.introspection_enabled:
            extensions.append(DisableIntrospection)
        extensions.append(SmallDocumentValidationCache)  # after every extension that adds rules
    return EngramSchema(query=Query, mutation=Mutation, types=list(MEMORY_TYPES), extensions=extensions,
                             config=StrawberryConfig(batching_config=None))


def sdl() -> str:
    return build_schema().as_str() + "\n"
