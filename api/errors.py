"""What clients see when something fails: a clean message and `extensions.code`, never a trace or Cypher.

Resolvers raise `ApiError` subclasses for expected failures; `ShapeErrors` keeps their messages, gives
GraphQL's own syntax and validation errors a code, turns Neo4j outages and deadlines into clean errors,
and masks everything else as "Unexpected error." (logged with its trace by the schema).
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graphstore.reads import GraphTimeout, GraphUnavailable


class ApiError(Exception):
    """An expected failure with a clean message and a machine-readable `extensions.code`."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions = {"code": self.code}


class BadInput(ApiError):
    code = "BAD_USER_INPUT"


class NotFound(ApiError):
    code = "NOT_FOUND"


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


def is_expected(error: GraphQLError) -> bool:
    """True for errors that say what the client did wrong or what is down; False for bugs."""
    original = error.original_error
    return original is None or isinstance(original, ApiError | GraphQLError | GraphUnavailable | GraphTimeout)


def shaped(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it."""
    original = error.original_error
    if isinstance(original, ApiError):
        message, code = str(original), original.code
    elif isinstance(original, GraphUnavailable):
        message, code = "the graph database is unavailable; try again shortly", "SERVICE_UNAVAILABLE"
    elif isinstance(original, GraphTimeout):
        message, code = "the request ran past its deadline", "TIMEOUT"
    elif original is None or isinstance(original, GraphQLError):  # syntax, validation, variable coercion
        message, code = error.message, (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
    else:
        message, code = "Unexpected error.", "INTERNAL_SERVER_ERROR"
    return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, extensions={"code": code})


class ShapeErrors(MaskErrors):
    """strawberry's MaskErrors, with `shaped` deciding each error's message and code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return shaped(error)
